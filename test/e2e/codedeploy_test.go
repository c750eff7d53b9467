package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// seedHook is the AfterAllowTestTraffic function of seed 003, as the runnable
// example ships it: it stores the deployment's ids in DynamoDB with boto3 and
// posts a Slack Block Kit message, raising on any failure.
func seedHook(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "04-codedeploy-approval-hook", "function", "lamda.py"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const cdRole = "arn:aws:iam::000000000000:role/codedeploy"

const ecsAppSpec = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:7"
        LoadBalancerInfo:
          ContainerName: "web"
          ContainerPort: 80
Hooks:
  - AfterAllowTestTraffic: "after-allow-test-traffic"
`

func revisionArg(spec string) string {
	b, _ := json.Marshal(map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]string{"content": spec}})
	return string(b)
}

// slackMessages long-polls tenkai's webhook sink for records after seq.
func slackMessages(t *testing.T, s *Server, after uint64, wait string) []struct {
	Seq  uint64 `json:"seq"`
	Body string `json:"body"`
	Text string `json:"text"`
} {
	t.Helper()
	code, _, body := s.Do(t, "GET", fmt.Sprintf("/_tenkai/api/webhooks/slack?wait=%s&after=%d", wait, after), nil, nil)
	var out struct {
		Webhooks []struct {
			Seq  uint64 `json:"seq"`
			Body string `json:"body"`
			Text string `json:"text"`
		} `json:"webhooks"`
	}
	if code != 200 || json.Unmarshal(body, &out) != nil {
		t.Fatalf("webhooks API = %d %s", code, body)
	}
	return out.Webhooks
}

func waitDeployment(t *testing.T, cd *codedeploy.Client, id string, want cdtypes.DeploymentStatus) *cdtypes.DeploymentInfo {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := cd.GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if out.DeploymentInfo.Status == want {
			return out.DeploymentInfo
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment %s is %s; want %s", id, out.DeploymentInfo.Status, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCodeDeploySeedECSBlueGreen(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	fns := lambda.NewFromConfig(s.SDK())
	cd := codedeploy.NewFromConfig(s.SDK())

	s.MustCLI(t, "dynamodb", "create-table", "--table-name", "after-allow-test-traffic",
		"--attribute-definitions", "AttributeName=deployment_id,AttributeType=S",
		"--key-schema", "AttributeName=deployment_id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
	env := map[string]string{
		"SLACK_WEBHOOK_URL":   s.URL + "/_tenkai/webhooks/slack",
		"TEST_URL":            "https://green.example.com/health",
		"DYNAMODB_TABLE_NAME": "after-allow-test-traffic",
	}
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("after-allow-test-traffic"), Runtime: ltypes.RuntimePython312, Handler: aws.String("lamda.lambda_handler"),
		Role: aws.String(lambdaRole), Code: &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"lamda.py": seedHook(t)})},
		Timeout: aws.Int32(30), Environment: &ltypes.Environment{Variables: env},
	}); err != nil {
		t.Fatal(err)
	}

	s.MustCLI(t, "deploy", "create-application", "--application-name", "web", "--compute-platform", "ECS")
	s.MustCLI(t, "deploy", "create-deployment-group", "--application-name", "web", "--deployment-group-name", "web-bg",
		"--service-role-arn", cdRole, "--deployment-config-name", "CodeDeployDefault.ECSAllAtOnce",
		"--deployment-style", "deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL",
		"--blue-green-deployment-configuration", `{"terminateBlueInstancesOnDeploymentSuccess":{"action":"TERMINATE","terminationWaitTimeInMinutes":0},"deploymentReadyOption":{"actionOnTimeout":"CONTINUE_DEPLOYMENT","waitTimeInMinutes":0}}`,
		"--auto-rollback-configuration", "enabled=true,events=DEPLOYMENT_FAILURE",
		"--ecs-services", "serviceName=web,clusterName=prod",
		"--load-balancer-info", `{"targetGroupPairInfoList":[{"targetGroups":[{"name":"web-blue"},{"name":"web-green"}],"prodTrafficRoute":{"listenerArns":["arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/80"]},"testTrafficRoute":{"listenerArns":["arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/8080"]}}]}`)

	// 1. The hook stores the ids, notifies Slack and the deployment waits.
	var created struct {
		DeploymentID string `json:"deploymentId"`
	}
	s.MustCLI(t, "deploy", "create-deployment", "--application-name", "web", "--deployment-group-name", "web-bg",
		"--revision", revisionArg(ecsAppSpec)).JSON(t, &created)
	id := created.DeploymentID
	msgs := slackMessages(t, s, 0, "30s")
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, id) || !strings.Contains(msgs[0].Text, "ECS 배포: 테스트 대기 중") ||
		!strings.Contains(msgs[0].Text, "https://green.example.com/health") {
		t.Fatalf("slack messages = %+v; want one naming %s", msgs, id)
	}
	var item struct {
		Item map[string]map[string]string `json:"Item"`
	}
	s.MustCLI(t, "dynamodb", "get-item", "--table-name", "after-allow-test-traffic",
		"--key", `{"deployment_id":{"S":"`+id+`"}}`).JSON(t, &item)
	hookID := item.Item["hook_execution_id"]["S"]
	if hookID == "" || !strings.Contains(msgs[0].Text, hookID) {
		t.Fatalf("stored item = %v; want the hook execution id the message names", item)
	}
	var dep struct {
		DeploymentInfo struct {
			Status          string `json:"status"`
			ComputePlatform string `json:"computePlatform"`
		} `json:"deploymentInfo"`
	}
	s.MustCLI(t, "deploy", "get-deployment", "--deployment-id", id).JSON(t, &dep)
	if dep.DeploymentInfo.Status != "InProgress" || dep.DeploymentInfo.ComputePlatform != "ECS" {
		t.Fatalf("deployment while the hook waits = %+v", dep.DeploymentInfo)
	}
	var targets struct {
		TargetIds []string `json:"targetIds"`
	}
	s.MustCLI(t, "deploy", "list-deployment-targets", "--deployment-id", id).JSON(t, &targets)
	if len(targets.TargetIds) != 1 || targets.TargetIds[0] != "prod:web" {
		t.Fatalf("targets = %v", targets.TargetIds)
	}
	var bt struct {
		DeploymentTargets []struct {
			DeploymentTargetType string `json:"deploymentTargetType"`
			EcsTarget            struct {
				Status          string `json:"status"`
				LifecycleEvents []struct {
					LifecycleEventName string `json:"lifecycleEventName"`
					Status             string `json:"status"`
				} `json:"lifecycleEvents"`
				TaskSetsInfo []struct {
					TaskSetLabel  string  `json:"taskSetLabel"`
					Status        string  `json:"status"`
					TrafficWeight float64 `json:"trafficWeight"`
				} `json:"taskSetsInfo"`
			} `json:"ecsTarget"`
		} `json:"deploymentTargets"`
	}
	s.MustCLI(t, "deploy", "batch-get-deployment-targets", "--deployment-id", id, "--target-ids", "prod:web").JSON(t, &bt)
	et := bt.DeploymentTargets[0].EcsTarget
	var evs, sets []string
	for _, e := range et.LifecycleEvents {
		evs = append(evs, e.LifecycleEventName+"="+e.Status)
	}
	for _, ts := range et.TaskSetsInfo {
		sets = append(sets, fmt.Sprintf("%s/%s/%v", ts.TaskSetLabel, ts.Status, ts.TrafficWeight))
	}
	if got := strings.Join(evs, ","); got != "BeforeInstall=Skipped,Install=Succeeded,AfterInstall=Skipped,AllowTestTraffic=Succeeded,AfterAllowTestTraffic=InProgress,BeforeAllowTraffic=Pending,AllowTraffic=Pending,AfterAllowTraffic=Pending" {
		t.Errorf("lifecycle while waiting = %s", got)
	}
	if got := strings.Join(sets, ","); got != "Blue/PRIMARY/100,Green/ACTIVE/0" {
		t.Errorf("task sets while waiting = %s", got)
	}
	s.FailCLI(t, "InvalidLifecycleEventHookExecutionIdException", "deploy", "put-lifecycle-event-hook-execution-status",
		"--deployment-id", id, "--lifecycle-event-hook-execution-id", "not-a-hook", "--status", "Succeeded")

	// The tester approves with the stored ids.
	s.MustCLI(t, "deploy", "put-lifecycle-event-hook-execution-status", "--deployment-id", id,
		"--lifecycle-event-hook-execution-id", hookID, "--status", "Succeeded")
	s.MustCLI(t, "deploy", "wait", "deployment-successful", "--deployment-id", id)
	s.FailCLI(t, "LifecycleEventAlreadyCompletedException", "deploy", "put-lifecycle-event-hook-execution-status",
		"--deployment-id", id, "--lifecycle-event-hook-execution-id", hookID, "--status", "Succeeded")
	tg, err := cd.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: aws.String(id), TargetId: aws.String("prod:web")})
	if err != nil {
		t.Fatal(err)
	}
	if ts := tg.DeploymentTarget.EcsTarget.TaskSetsInfo; len(ts) != 1 || ts[0].TaskSetLabel != cdtypes.TargetLabelGreen || ts[0].TrafficWeight != 100 {
		t.Errorf("task sets after success = %+v; want the green set alone with all traffic", ts)
	}

	// 2. A Failed status fails the deployment and rolls it back.
	s.MustCLI(t, "deploy", "create-deployment", "--application-name", "web", "--deployment-group-name", "web-bg",
		"--revision", revisionArg(ecsAppSpec)).JSON(t, &created)
	id2 := created.DeploymentID
	msgs = slackMessages(t, s, msgs[0].Seq, "30s")
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, id2) {
		t.Fatalf("second slack message = %+v", msgs)
	}
	var scan struct {
		Items []map[string]map[string]string `json:"Items"`
	}
	s.MustCLI(t, "dynamodb", "scan", "--table-name", "after-allow-test-traffic").JSON(t, &scan)
	hook2 := ""
	for _, it := range scan.Items {
		if it["deployment_id"]["S"] == id2 {
			hook2 = it["hook_execution_id"]["S"]
		}
	}
	if len(scan.Items) != 2 || hook2 == "" {
		t.Fatalf("scan = %v; want both deployments", scan.Items)
	}
	s.MustCLI(t, "deploy", "put-lifecycle-event-hook-execution-status", "--deployment-id", id2,
		"--lifecycle-event-hook-execution-id", hook2, "--status", "Failed")
	res := s.CLI(t, "deploy", "wait", "deployment-successful", "--deployment-id", id2)
	if res.Code == 0 || !strings.Contains(res.Stderr, "terminal failure state") {
		t.Errorf("wait on a failed deployment: exit %d stderr=%s", res.Code, res.Stderr)
	}
	info := waitDeployment(t, cd, id2, cdtypes.DeploymentStatusFailed)
	if info.ErrorInformation == nil || info.ErrorInformation.Code != cdtypes.ErrorCodeHookExecutionFailure || info.RollbackInfo == nil {
		t.Fatalf("failed deployment = %+v", info)
	}
	rb := waitDeployment(t, cd, aws.ToString(info.RollbackInfo.RollbackDeploymentId), cdtypes.DeploymentStatusSucceeded)
	if rb.Creator != cdtypes.DeploymentCreatorCodeDeployRollback || aws.ToString(rb.RollbackInfo.RollbackTriggeringDeploymentId) != id2 {
		t.Errorf("rollback deployment = creator %s, rollbackInfo %+v", rb.Creator, rb.RollbackInfo)
	}

	// 3. A missing environment variable makes the hook raise: the deployment fails.
	delete(env, "DYNAMODB_TABLE_NAME")
	if _, err := fns.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("after-allow-test-traffic"), Environment: &ltypes.Environment{Variables: env}}); err != nil {
		t.Fatal(err)
	}
	out, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-bg"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(ecsAppSpec)}}})
	if err != nil {
		t.Fatal(err)
	}
	info = waitDeployment(t, cd, aws.ToString(out.DeploymentId), cdtypes.DeploymentStatusFailed)
	tg, err = cd.GetDeploymentTarget(ctx, &codedeploy.GetDeploymentTargetInput{DeploymentId: out.DeploymentId, TargetId: aws.String("prod:web")})
	if err != nil {
		t.Fatal(err)
	}
	var hookEvent cdtypes.LifecycleEvent
	for _, e := range tg.DeploymentTarget.EcsTarget.LifecycleEvents {
		if aws.ToString(e.LifecycleEventName) == "AfterAllowTestTraffic" {
			hookEvent = e
		}
	}
	if hookEvent.Status != cdtypes.LifecycleEventStatusFailed || hookEvent.Diagnostics == nil || !strings.Contains(aws.ToString(hookEvent.Diagnostics.Message), "Unhandled") {
		t.Errorf("AfterAllowTestTraffic after the function raised = %+v", hookEvent)
	}
	// The function raised before posting: nothing new reached Slack.
	if n := len(slackMessages(t, s, msgs[0].Seq, "0s")); n != 0 {
		t.Errorf("slack messages after the failing hook: %d", n)
	}
}

func TestCodeDeployLambdaCanary(t *testing.T) {
	s := startServer(t, "--time-scale", "20") // 5 minutes of canary bake pass in 15 s
	ctx := context.Background()
	fns := lambda.NewFromConfig(s.SDK())
	cd := codedeploy.NewFromConfig(s.SDK())

	code := func(v string) []byte {
		return zipFiles(t, map[string]string{"app.py": "def handler(event, context):\n    return '" + v + "'\n"})
	}
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("checkout"), Runtime: ltypes.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), Code: &ltypes.FunctionCode{ZipFile: code("v1")}, Publish: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := fns.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("checkout"), ZipFile: code("v2"), Publish: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := fns.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("checkout"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	// The BeforeAllowTraffic hook reports its own status with boto3, as
	// validation functions usually do.
	hook := `import boto3
def handler(event, context):
    boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status="Succeeded")
    return "ok"
`
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("pre-traffic"), Runtime: ltypes.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), Timeout: aws.Int32(30),
		Code: &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": hook})}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("checkout"), ComputePlatform: cdtypes.ComputePlatformLambda}); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String("checkout"),
		DeploymentGroupName: aws.String("live"), ServiceRoleArn: aws.String(cdRole),
		DeploymentConfigName: aws.String("CodeDeployDefault.LambdaCanary10Percent5Minutes")}); err != nil {
		t.Fatal(err)
	}
	spec := func(from, to string) string {
		return `{"version": 0.0, "Resources": [{"checkout": {"Type": "AWS::Lambda::Function", "Properties": {"Name": "checkout", "Alias": "live", "CurrentVersion": "` +
			from + `", "TargetVersion": "` + to + `"}}}], "Hooks": [{"BeforeAllowTraffic": "pre-traffic"}]}`
	}
	deploy := func(from, to string) string {
		out, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("checkout"), DeploymentGroupName: aws.String("live"),
			Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(spec(from, to))}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.DeploymentId)
	}
	alias := func() *lambda.GetAliasOutput {
		a, err := fns.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("checkout"), Name: aws.String("live")})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	waitCanary := func(version, extra string) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			a := alias()
			if aws.ToString(a.FunctionVersion) == version && a.RoutingConfig != nil && a.RoutingConfig.AdditionalVersionWeights[extra] == 0.1 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("alias = %s %+v; want %s with 10%% on %s", aws.ToString(a.FunctionVersion), a.RoutingConfig, version, extra)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Deployment state changes reach EventBridge rules on the default bus.
	logsc := cloudwatchlogs.NewFromConfig(s.SDK())
	if _, err := logsc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/events/codedeploy")}); err != nil {
		t.Fatal(err)
	}
	evc := eventbridge.NewFromConfig(s.SDK())
	if _, err := evc.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("deployments"),
		EventPattern: aws.String(`{"source":["aws.codedeploy"],"detail-type":["CodeDeploy Deployment State-change Notification"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := evc.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("deployments"), Targets: []ebtypes.Target{
		{Id: aws.String("log"), Arn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/codedeploy")}}}); err != nil {
		t.Fatal(err)
	}

	id := deploy("1", "2")
	waitCanary("1", "2")
	counts := map[string]int{}
	for i := 0; i < 100; i++ {
		out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("checkout"), Qualifier: aws.String("live")})
		if err != nil {
			t.Fatal(err)
		}
		counts[aws.ToString(out.ExecutedVersion)]++
	}
	stillCanary := alias().RoutingConfig != nil
	t.Logf("invocations during the canary: %v", counts)
	if !stillCanary {
		t.Fatalf("the canary ended before 100 invocations ran; counts %v", counts)
	}
	if counts["2"] < 1 || counts["2"] > 25 || counts["1"]+counts["2"] != 100 {
		t.Errorf("ExecutedVersion counts = %v; want about 10%% on version 2", counts)
	}
	s.MustCLI(t, "deploy", "wait", "deployment-successful", "--deployment-id", id)
	if a := alias(); aws.ToString(a.FunctionVersion) != "2" || (a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0) {
		t.Errorf("alias after the deployment = %s %+v; want 2 alone", aws.ToString(a.FunctionVersion), a.RoutingConfig)
	}
	bt, err := cd.BatchGetDeploymentTargets(ctx, &codedeploy.BatchGetDeploymentTargetsInput{DeploymentId: aws.String(id), TargetIds: []string{"checkout"}})
	if err != nil {
		t.Fatal(err)
	}
	lt := bt.DeploymentTargets[0].LambdaTarget
	var evs []string
	for _, e := range lt.LifecycleEvents {
		evs = append(evs, aws.ToString(e.LifecycleEventName)+"="+string(e.Status))
	}
	if got := strings.Join(evs, ","); got != "BeforeAllowTraffic=Succeeded,AllowTraffic=Succeeded,AfterAllowTraffic=Skipped" || lt.LambdaFunctionInfo.TargetVersionWeight != 1 {
		t.Errorf("lambda target = %s weight %v", got, lt.LambdaFunctionInfo.TargetVersionWeight)
	}

	// Stop with rollback during the next canary: the alias goes back.
	id2 := deploy("2", "1")
	waitCanary("2", "1")
	var stop struct {
		Status string `json:"status"`
	}
	s.MustCLI(t, "deploy", "stop-deployment", "--deployment-id", id2, "--auto-rollback-enabled").JSON(t, &stop)
	var got struct {
		DeploymentInfo struct {
			Status       string `json:"status"`
			RollbackInfo struct {
				RollbackDeploymentID string `json:"rollbackDeploymentId"`
			} `json:"rollbackInfo"`
			ErrorInformation struct{ Code string } `json:"errorInformation"`
		} `json:"deploymentInfo"`
	}
	s.MustCLI(t, "deploy", "get-deployment", "--deployment-id", id2).JSON(t, &got)
	if got.DeploymentInfo.Status != "Stopped" || got.DeploymentInfo.RollbackInfo.RollbackDeploymentID == "" || got.DeploymentInfo.ErrorInformation.Code != "MANUAL_STOP" {
		t.Fatalf("stopped deployment = %+v", got.DeploymentInfo)
	}
	rb := waitDeployment(t, cd, got.DeploymentInfo.RollbackInfo.RollbackDeploymentID, cdtypes.DeploymentStatusSucceeded)
	if rb.Creator != cdtypes.DeploymentCreatorCodeDeployRollback {
		t.Errorf("rollback creator = %s", rb.Creator)
	}
	if a := alias(); aws.ToString(a.FunctionVersion) != "2" || (a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0) {
		t.Errorf("alias after rollback = %s %+v; want 2 alone", aws.ToString(a.FunctionVersion), a.RoutingConfig)
	}
	wantStates := []string{id + " START", id + " SUCCESS", id2 + " START", id2 + " STOP"}
	var seen []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		seen = seen[:0]
		for _, line := range strings.Split(strings.TrimSpace(logText(t, logsc, "/aws/events/codedeploy")), "\n") {
			var ev struct {
				Source     string            `json:"source"`
				DetailType string            `json:"detail-type"`
				Resources  []string          `json:"resources"`
				Detail     map[string]string `json:"detail"`
			}
			if json.Unmarshal([]byte(line), &ev) != nil || ev.Detail["application"] != "checkout" || ev.Detail["deploymentGroup"] != "live" ||
				ev.Detail["instanceGroupId"] == "" || len(ev.Resources) != 2 {
				continue
			}
			seen = append(seen, ev.Detail["deploymentId"]+" "+ev.Detail["state"])
		}
		all := strings.Join(seen, ",")
		ok := true
		for _, w := range wantStates {
			ok = ok && strings.Contains(all, w)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state-change events = %v; want %v", seen, wantStates)
		}
		time.Sleep(100 * time.Millisecond)
	}
	list, err := cd.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String("checkout"), DeploymentGroupName: aws.String("live")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Deployments) != 3 {
		t.Errorf("deployments = %v; want the two deployments and the rollback", list.Deployments)
	}
}

// ecsGroupArgs are create-deployment-group arguments for an ECS service.
func ecsGroupArgs(app, group, readyAction string, readyWait, termWait int) []string {
	return []string{"deploy", "create-deployment-group", "--application-name", app, "--deployment-group-name", group,
		"--service-role-arn", cdRole,
		"--deployment-style", "deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL",
		"--blue-green-deployment-configuration", fmt.Sprintf(`{"terminateBlueInstancesOnDeploymentSuccess":{"action":"TERMINATE","terminationWaitTimeInMinutes":%d},"deploymentReadyOption":{"actionOnTimeout":"%s","waitTimeInMinutes":%d}}`, termWait, readyAction, readyWait),
		"--ecs-services", "serviceName=api,clusterName=main",
		"--load-balancer-info", `{"targetGroupPairInfoList":[{"targetGroups":[{"name":"api-1"},{"name":"api-2"}],"prodTrafficRoute":{"listenerArns":["arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/api/1/443"]}}]}`}
}

const ecsNoHooks = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/api:3"
`

func TestCodeDeployCLIOperations(t *testing.T) {
	s := startServer(t)
	var app struct {
		ApplicationID string `json:"applicationId"`
	}
	s.MustCLI(t, "deploy", "create-application", "--application-name", "api", "--compute-platform", "ECS", "--tags", "Key=team,Value=a").JSON(t, &app)
	cd := codedeploy.NewFromConfig(s.SDK())
	ctx := context.Background()
	_, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("api")})
	wantCode(t, err, "ApplicationAlreadyExistsException")
	var getApp struct {
		Application struct {
			ApplicationID   string `json:"applicationId"`
			ComputePlatform string `json:"computePlatform"`
		} `json:"application"`
	}
	s.MustCLI(t, "deploy", "get-application", "--application-name", "api").JSON(t, &getApp)
	if getApp.Application.ApplicationID != app.ApplicationID || getApp.Application.ComputePlatform != "ECS" {
		t.Errorf("get-application = %+v", getApp.Application)
	}
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("old")}); err != nil {
		t.Fatal(err)
	}
	s.MustCLI(t, "deploy", "update-application", "--application-name", "old", "--new-application-name", "legacy")
	var apps struct {
		Applications []string `json:"applications"`
	}
	s.MustCLI(t, "deploy", "list-applications").JSON(t, &apps)
	if strings.Join(apps.Applications, ",") != "api,legacy" {
		t.Errorf("list-applications = %v", apps.Applications)
	}
	var bapps struct {
		ApplicationsInfo []struct{ ComputePlatform string } `json:"applicationsInfo"`
	}
	s.MustCLI(t, "deploy", "batch-get-applications", "--application-names", "api", "legacy").JSON(t, &bapps)
	if len(bapps.ApplicationsInfo) != 2 || bapps.ApplicationsInfo[1].ComputePlatform != "Server" {
		t.Errorf("batch-get-applications = %+v", bapps.ApplicationsInfo)
	}
	s.MustCLI(t, "deploy", "delete-application", "--application-name", "legacy")
	_, err = cd.GetApplication(ctx, &codedeploy.GetApplicationInput{ApplicationName: aws.String("legacy")})
	wantCode(t, err, "ApplicationDoesNotExistException")

	s.MustCLI(t, "deploy", "create-deployment-config", "--deployment-config-name", "api-canary", "--compute-platform", "ECS",
		"--traffic-routing-config", `{"type":"TimeBasedCanary","timeBasedCanary":{"canaryPercentage":20,"canaryInterval":1}}`)
	var cfg struct {
		DeploymentConfigInfo struct {
			ComputePlatform      string `json:"computePlatform"`
			TrafficRoutingConfig struct {
				Type            string `json:"type"`
				TimeBasedCanary struct {
					CanaryPercentage int `json:"canaryPercentage"`
				} `json:"timeBasedCanary"`
			} `json:"trafficRoutingConfig"`
		} `json:"deploymentConfigInfo"`
	}
	s.MustCLI(t, "deploy", "get-deployment-config", "--deployment-config-name", "api-canary").JSON(t, &cfg)
	if c := cfg.DeploymentConfigInfo; c.ComputePlatform != "ECS" || c.TrafficRoutingConfig.Type != "TimeBasedCanary" || c.TrafficRoutingConfig.TimeBasedCanary.CanaryPercentage != 20 {
		t.Errorf("get-deployment-config = %+v", c)
	}
	var cfgs struct {
		DeploymentConfigsList []string `json:"deploymentConfigsList"`
	}
	s.MustCLI(t, "deploy", "list-deployment-configs").JSON(t, &cfgs)
	all := strings.Join(cfgs.DeploymentConfigsList, ",")
	for _, want := range []string{"api-canary", "CodeDeployDefault.ECSLinear10PercentEvery3Minutes", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute", "CodeDeployDefault.OneAtATime"} {
		if !strings.Contains(all, want) {
			t.Errorf("list-deployment-configs lacks %s: %s", want, all)
		}
	}
	if _, err := cd.CreateDeploymentConfig(ctx, &codedeploy.CreateDeploymentConfigInput{DeploymentConfigName: aws.String("spare"), ComputePlatform: cdtypes.ComputePlatformLambda}); err != nil {
		t.Fatal(err)
	}
	s.MustCLI(t, "deploy", "delete-deployment-config", "--deployment-config-name", "spare")
	_, err = cd.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String("spare")})
	wantCode(t, err, "DeploymentConfigDoesNotExistException")

	s.MustCLI(t, append(ecsGroupArgs("api", "blue-green", "STOP_DEPLOYMENT", 60, 5), "--deployment-config-name", "api-canary")...)
	_, err = cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String("api"),
		DeploymentGroupName: aws.String("blue-green"), ServiceRoleArn: aws.String(cdRole)})
	wantCode(t, err, "DeploymentGroupAlreadyExistsException")
	_, err = cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String("api"),
		DeploymentGroupName: aws.String("bad"), ServiceRoleArn: aws.String(cdRole)})
	wantCode(t, err, "InvalidECSServiceException")
	s.MustCLI(t, ecsGroupArgs("api", "tmp", "CONTINUE_DEPLOYMENT", 0, 0)...)
	s.MustCLI(t, "deploy", "update-deployment-group", "--application-name", "api", "--current-deployment-group-name", "tmp", "--new-deployment-group-name", "tmp2")
	var groups struct {
		DeploymentGroups []string `json:"deploymentGroups"`
	}
	s.MustCLI(t, "deploy", "list-deployment-groups", "--application-name", "api").JSON(t, &groups)
	if strings.Join(groups.DeploymentGroups, ",") != "blue-green,tmp2" {
		t.Errorf("list-deployment-groups = %v", groups.DeploymentGroups)
	}
	var bg struct {
		DeploymentGroupsInfo []struct {
			DeploymentConfigName string `json:"deploymentConfigName"`
			LoadBalancerInfo     struct {
				TargetGroupPairInfoList []struct {
					ProdTrafficRoute struct{ ListenerArns []string } `json:"prodTrafficRoute"`
				} `json:"targetGroupPairInfoList"`
			} `json:"loadBalancerInfo"`
		} `json:"deploymentGroupsInfo"`
	}
	s.MustCLI(t, "deploy", "batch-get-deployment-groups", "--application-name", "api", "--deployment-group-names", "blue-green", "tmp2").JSON(t, &bg)
	if len(bg.DeploymentGroupsInfo) != 2 || bg.DeploymentGroupsInfo[0].DeploymentConfigName != "api-canary" ||
		len(bg.DeploymentGroupsInfo[0].LoadBalancerInfo.TargetGroupPairInfoList[0].ProdTrafficRoute.ListenerArns) != 1 {
		t.Errorf("batch-get-deployment-groups = %+v", bg.DeploymentGroupsInfo)
	}
	s.MustCLI(t, "deploy", "delete-deployment-group", "--application-name", "api", "--deployment-group-name", "tmp2")
	_, err = cd.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String("api"), DeploymentGroupName: aws.String("tmp2")})
	wantCode(t, err, "DeploymentGroupDoesNotExistException")

	s.MustCLI(t, "deploy", "register-application-revision", "--application-name", "api", "--description", "bundle 1",
		"--s3-location", "bucket=releases,key=api/1.zip,bundleType=zip")
	var rev struct {
		RevisionInfo struct {
			Description string `json:"description"`
		} `json:"revisionInfo"`
	}
	s.MustCLI(t, "deploy", "get-application-revision", "--application-name", "api",
		"--s3-location", "bucket=releases,key=api/1.zip,bundleType=zip").JSON(t, &rev)
	if rev.RevisionInfo.Description != "bundle 1" {
		t.Errorf("get-application-revision = %+v", rev)
	}
	var revs struct {
		Revisions []json.RawMessage `json:"revisions"`
	}
	s.MustCLI(t, "deploy", "list-application-revisions", "--application-name", "api", "--s3-bucket", "releases").JSON(t, &revs)
	if len(revs.Revisions) != 1 {
		t.Fatalf("list-application-revisions = %s", revs.Revisions)
	}
	var brevs struct {
		Revisions []struct {
			GenericRevisionInfo struct{ Description string } `json:"genericRevisionInfo"`
		} `json:"revisions"`
	}
	s.MustCLI(t, "deploy", "batch-get-application-revisions", "--application-name", "api", "--revisions", "["+string(revs.Revisions[0])+"]").JSON(t, &brevs)
	if len(brevs.Revisions) != 1 || brevs.Revisions[0].GenericRevisionInfo.Description != "bundle 1" {
		t.Errorf("batch-get-application-revisions = %+v", brevs)
	}

	arn := "arn:aws:codedeploy:us-east-1:000000000000:deploymentgroup:api/blue-green"
	s.MustCLI(t, "deploy", "tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=prod", "Key=tier,Value=web")
	s.MustCLI(t, "deploy", "untag-resource", "--resource-arn", arn, "--tag-keys", "tier")
	var tags struct{ Tags []struct{ Key, Value string } }
	s.MustCLI(t, "deploy", "list-tags-for-resource", "--resource-arn", arn).JSON(t, &tags)
	if len(tags.Tags) != 1 || tags.Tags[0].Key != "env" {
		t.Errorf("tags = %+v", tags.Tags)
	}

	// Ready wait: the deployment stops before production traffic moves.
	var created struct {
		DeploymentID string `json:"deploymentId"`
	}
	s.MustCLI(t, "deploy", "create-deployment", "--application-name", "api", "--deployment-group-name", "blue-green",
		"--description", "release 3", "--revision", revisionArg(ecsNoHooks)).JSON(t, &created)
	id := created.DeploymentID
	_, err = cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("api"), DeploymentGroupName: aws.String("blue-green"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(ecsNoHooks)}}})
	wantCode(t, err, "DeploymentLimitExceededException")
	type info struct {
		Status                             string              `json:"status"`
		Description                        string              `json:"description"`
		InstanceTerminationWaitTimeStarted bool                `json:"instanceTerminationWaitTimeStarted"`
		DeploymentOverview                 struct{ Ready int } `json:"deploymentOverview"`
	}
	var batch struct {
		DeploymentsInfo []info `json:"deploymentsInfo"`
	}
	s.MustCLI(t, "deploy", "batch-get-deployments", "--deployment-ids", id).JSON(t, &batch)
	if d := batch.DeploymentsInfo[0]; d.Status != "Ready" || d.Description != "release 3" || d.DeploymentOverview.Ready != 1 {
		t.Fatalf("deployment before continue = %+v", d)
	}
	_, err = cd.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{DeploymentId: aws.String(id), DeploymentWaitType: cdtypes.DeploymentWaitTypeTerminationWait})
	wantCode(t, err, "DeploymentIsNotInReadyStateException")
	s.MustCLI(t, "deploy", "continue-deployment", "--deployment-id", id, "--deployment-wait-type", "READY_WAIT")
	// The canary moves 20% and bakes a minute; stopping without rollback ends it there.
	var get struct {
		DeploymentInfo info `json:"deploymentInfo"`
	}
	s.MustCLI(t, "deploy", "get-deployment", "--deployment-id", id).JSON(t, &get)
	if get.DeploymentInfo.Status != "InProgress" {
		t.Fatalf("after continue = %+v", get.DeploymentInfo)
	}
	var list struct {
		Deployments []string `json:"deployments"`
	}
	s.MustCLI(t, "deploy", "list-deployments", "--application-name", "api", "--deployment-group-name", "blue-green",
		"--include-only-statuses", "InProgress").JSON(t, &list)
	if len(list.Deployments) != 1 || list.Deployments[0] != id {
		t.Errorf("list-deployments InProgress = %v", list.Deployments)
	}
	s.MustCLI(t, "deploy", "stop-deployment", "--deployment-id", id, "--no-auto-rollback-enabled")
	stopped, err := cd.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{IncludeOnlyStatuses: []cdtypes.DeploymentStatus{cdtypes.DeploymentStatusStopped}})
	if err != nil || len(stopped.Deployments) != 1 || stopped.Deployments[0] != id {
		t.Errorf("ListDeployments Stopped = %v, %v", stopped, err)
	}
	_, err = cd.ContinueDeployment(ctx, &codedeploy.ContinueDeploymentInput{DeploymentId: aws.String(id)})
	wantCode(t, err, "DeploymentAlreadyCompletedException")
	_, err = cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String("d-ABCDEFGHI")})
	wantCode(t, err, "DeploymentDoesNotExistException")
	_, err = cd.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String("nope")})
	wantCode(t, err, "InvalidDeploymentIdException")
}

func TestCodeDeployResumesAfterRestart(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, "--data-dir", dataDir, "--time-scale", "60")
	ctx := context.Background()
	fns := lambda.NewFromConfig(s.SDK())
	for i, v := range []string{"v1", "v2"} {
		zip := zipFiles(t, map[string]string{"app.py": "def handler(e, c):\n    return '" + v + "'\n"})
		var err error
		if i == 0 {
			_, err = fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("orders"), Runtime: ltypes.RuntimePython312,
				Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), Code: &ltypes.FunctionCode{ZipFile: zip}, Publish: true})
		} else {
			_, err = fns.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("orders"), ZipFile: zip, Publish: true})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fns.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	cd := codedeploy.NewFromConfig(s.SDK())
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("orders"), ComputePlatform: cdtypes.ComputePlatformLambda}))
	must(cd.CreateDeploymentConfig(ctx, &codedeploy.CreateDeploymentConfigInput{DeploymentConfigName: aws.String("half-then-all"), ComputePlatform: cdtypes.ComputePlatformLambda,
		TrafficRoutingConfig: &cdtypes.TrafficRoutingConfig{Type: cdtypes.TrafficRoutingTypeTimeBasedCanary, TimeBasedCanary: &cdtypes.TimeBasedCanary{CanaryPercentage: 50, CanaryInterval: 5}}}))
	must(cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String("orders"), DeploymentGroupName: aws.String("live"),
		ServiceRoleArn: aws.String(cdRole), DeploymentConfigName: aws.String("half-then-all")}))
	spec := `version: 0.0
Resources:
  - orders:
      Type: AWS::Lambda::Function
      Properties: {Name: orders, Alias: live, CurrentVersion: "1", TargetVersion: "2"}
`
	out, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("orders"), DeploymentGroupName: aws.String("live"),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeAppSpecContent, AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(spec)}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := fns.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live")})
	if err != nil || a.RoutingConfig == nil || a.RoutingConfig.AdditionalVersionWeights["2"] != 0.5 {
		t.Fatalf("alias during the canary = %+v, %v", a, err)
	}
	s.Kill() // five scaled minutes (5 s) of bake remain

	s2 := startServer(t, "--data-dir", dataDir, "--time-scale", "60")
	cd2 := codedeploy.NewFromConfig(s2.SDK())
	info := waitDeployment(t, cd2, aws.ToString(out.DeploymentId), cdtypes.DeploymentStatusSucceeded)
	if info.CompleteTime == nil {
		t.Errorf("completeTime missing: %+v", info)
	}
	a, err = lambda.NewFromConfig(s2.SDK()).GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live")})
	if err != nil || aws.ToString(a.FunctionVersion) != "2" || (a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0) {
		t.Fatalf("alias after the resumed deployment = %+v, %v", a, err)
	}
}

// wantCode checks that an SDK call failed with the AWS error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("error = %v; want %s", err, code)
	}
}

// TestCodeDeployBoto3 drives an ECS blue/green deployment from boto3:
// modeled exceptions, ContinueDeployment and the deployment_successful waiter.
func TestCodeDeployBoto3(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	s := startServer(t)
	script := `
import os, boto3
cd = boto3.client("codedeploy", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1")
cd.create_application(applicationName="shop", computePlatform="ECS")
cd.create_deployment_group(
    applicationName="shop", deploymentGroupName="shop-bg", serviceRoleArn="arn:aws:iam::000000000000:role/cd",
    deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    blueGreenDeploymentConfiguration={
        "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 30},
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 0}},
    ecsServices=[{"serviceName": "shop", "clusterName": "main"}],
    loadBalancerInfo={"targetGroupPairInfoList": [{"targetGroups": [{"name": "a"}, {"name": "b"}],
        "prodTrafficRoute": {"listenerArns": ["arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/shop/1/443"]}}]})
spec = "version: 0.0\nResources:\n  - S:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: td:1\n"
dep = cd.create_deployment(applicationName="shop", deploymentGroupName="shop-bg",
    revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": spec}})["deploymentId"]
assert cd.get_deployment(deploymentId=dep)["deploymentInfo"]["status"] == "Ready"
try:
    cd.create_deployment(applicationName="shop", deploymentGroupName="shop-bg",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": spec}})
    raise SystemExit("a second deployment was accepted")
except cd.exceptions.DeploymentLimitExceededException:
    pass
cd.continue_deployment(deploymentId=dep, deploymentWaitType="READY_WAIT")
cd.get_waiter("deployment_successful").wait(deploymentId=dep, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
try:
    cd.get_deployment(deploymentId="d-NOTHERE00")
except cd.exceptions.DeploymentDoesNotExistException:
    print("ok", cd.get_deployment(deploymentId=dep)["deploymentInfo"]["status"])
`
	path := filepath.Join(t.TempDir(), "deploy.py")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, path)
	cmd.Env = awsEnv("ENDPOINT=" + s.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3 script: %v\n%s", err, out)
	}
	if strings.TrimSpace(string(out)) != "ok Succeeded" {
		t.Errorf("boto3 script printed %q; want ok Succeeded", out)
	}
}
