package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// seedNodeFunction is seed 000's function: it reads the job id from
// event['CodePipeline.job'] and reports with the AWS SDK for JavaScript v3.
const seedNodeFunction = `const { CodePipelineClient, PutJobSuccessResultCommand, PutJobFailureResultCommand } = require('@aws-sdk/client-codepipeline');
const codepipeline = new CodePipelineClient({});

exports.handler = async (event, context) => {
    const jobId = event['CodePipeline.job'].id;
    const params = event['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters || '';
    try {
        console.log('Job ID: ' + jobId);
        if (params === 'fail') {
            throw new Error('integration tests failed: 3 of 10');
        }
        await codepipeline.send(new PutJobSuccessResultCommand({ jobId, outputVariables: { suite: 'integration' } }));
    } catch (error) {
        console.error('Job failed with ID: ' + jobId);
        await codepipeline.send(new PutJobFailureResultCommand({
            jobId,
            failureDetails: { message: error.message, type: 'JobFailed', externalExecutionId: context.awsRequestId },
        }));
    }
};
`

// pythonFunction reads its input artifact from S3, writes its output
// artifact, and reports per UserParameters: "ok", "fail", "continue"
// (asks to be invoked again with a continuation token) or "silent".
const pythonFunction = `import boto3, json
from botocore.config import Config

cp = boto3.client('codepipeline')
s3 = boto3.client('s3', config=Config(s3={'addressing_style': 'path'}))

def handler(event, context):
    job = event['CodePipeline.job']
    data = job['data']
    mode = data['actionConfiguration']['configuration'].get('UserParameters', 'ok')
    if mode == 'silent':
        return
    if mode == 'fail':
        cp.put_job_failure_result(jobId=job['id'], failureDetails={'type': 'JobFailed', 'message': 'smoke test failed on /health'})
        return
    if mode == 'continue' and 'continuationToken' not in data:
        cp.put_job_success_result(jobId=job['id'], continuationToken='step-2',
            executionDetails={'summary': 'step 1 of 2', 'percentComplete': 50})
        return
    src = data['inputArtifacts'][0]['location']['s3Location']
    body = s3.get_object(Bucket=src['bucketName'], Key=src['objectKey'])['Body'].read()
    for out in data['outputArtifacts']:
        loc = out['location']['s3Location']
        s3.put_object(Bucket=loc['bucketName'], Key=loc['objectKey'], Body=b'built:' + body)
    cp.put_job_success_result(jobId=job['id'],
        executionDetails={'summary': 'read %d bytes' % len(body), 'externalExecutionId': context.aws_request_id},
        outputVariables={'size': str(len(body)), 'token': data.get('continuationToken', '')})
`

const pipelineRole = "arn:aws:iam::000000000000:role/codepipeline"

// cpSetup creates the source bucket (versioned, with app.zip), the artifact
// bucket and functions.
func cpSetup(t *testing.T, s *Server, fns map[string][2]string) {
	t.Helper()
	ctx := context.Background()
	sc := s3.NewFromConfig(s.SDK(), func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"cp-source", "cp-artifacts", "cp-deploy"} {
		if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sc.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("cp-source"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cp-source"), Key: aws.String("app.zip"),
		Body: bytes.NewReader(zipFiles(t, map[string]string{"index.html": "<h1>v1</h1>"}))}); err != nil {
		t.Fatal(err)
	}
	lc := lambda.NewFromConfig(s.SDK())
	for name, spec := range fns {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(lambdaRole), Timeout: aws.Int32(30)}
		if spec[0] == "node" {
			in.Runtime, in.Handler = ltypes.RuntimeNodejs20x, aws.String("index.handler")
			in.Code = &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"index.js": spec[1]})}
		} else {
			in.Runtime, in.Handler = ltypes.RuntimePython312, aws.String("app.handler")
			in.Code = &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": spec[1]})}
		}
		if _, err := lc.CreateFunction(ctx, in); err != nil {
			t.Fatalf("CreateFunction %s: %v", name, err)
		}
	}
}

func s3SourceStage() cptypes.StageDeclaration {
	return cptypes.StageDeclaration{Name: aws.String("Source"), Actions: []cptypes.ActionDeclaration{{
		Name:            aws.String("Source"),
		ActionTypeId:    &cptypes.ActionTypeId{Category: cptypes.ActionCategorySource, Owner: cptypes.ActionOwnerAws, Provider: aws.String("S3"), Version: aws.String("1")},
		Configuration:   map[string]string{"S3Bucket": "cp-source", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
		OutputArtifacts: []cptypes.OutputArtifact{{Name: aws.String("SourceArtifact")}},
		Namespace:       aws.String("SourceVariables"),
	}}}
}

func lambdaAction(name, function, params string, runOrder int32, outputs ...string) cptypes.ActionDeclaration {
	a := cptypes.ActionDeclaration{
		Name:           aws.String(name),
		ActionTypeId:   &cptypes.ActionTypeId{Category: cptypes.ActionCategoryInvoke, Owner: cptypes.ActionOwnerAws, Provider: aws.String("Lambda"), Version: aws.String("1")},
		Configuration:  map[string]string{"FunctionName": function, "UserParameters": params},
		InputArtifacts: []cptypes.InputArtifact{{Name: aws.String("SourceArtifact")}},
		RunOrder:       aws.Int32(runOrder),
		Namespace:      aws.String(name + "Vars"),
	}
	for _, o := range outputs {
		a.OutputArtifacts = append(a.OutputArtifacts, cptypes.OutputArtifact{Name: aws.String(o)})
	}
	return a
}

func cpPipeline(name string, stages ...cptypes.StageDeclaration) *cptypes.PipelineDeclaration {
	return &cptypes.PipelineDeclaration{Name: aws.String(name), RoleArn: aws.String(pipelineRole),
		ArtifactStore: &cptypes.ArtifactStore{Type: cptypes.ArtifactStoreTypeS3, Location: aws.String("cp-artifacts")},
		Stages:        append([]cptypes.StageDeclaration{s3SourceStage()}, stages...)}
}

// waitExecution polls an execution until it leaves InProgress.
func waitExecution(t *testing.T, c *codepipeline.Client, pipeline, id string, want cptypes.PipelineExecutionStatus) *cptypes.PipelineExecution {
	t.Helper()
	var ex *cptypes.PipelineExecution
	waitFor(t, 30*time.Second, "execution "+id+" "+string(want), func() bool {
		out, err := c.GetPipelineExecution(context.Background(), &codepipeline.GetPipelineExecutionInput{PipelineName: aws.String(pipeline), PipelineExecutionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		ex = out.PipelineExecution
		return ex.Status == want
	})
	return ex
}

// latestExecutionID waits for the pipeline's newest execution.
func latestExecutionID(t *testing.T, c *codepipeline.Client, pipeline string) string {
	t.Helper()
	var id string
	waitFor(t, 10*time.Second, "an execution of "+pipeline, func() bool {
		out, err := c.ListPipelineExecutions(context.Background(), &codepipeline.ListPipelineExecutionsInput{PipelineName: aws.String(pipeline)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PipelineExecutionSummaries) > 0 {
			id = aws.ToString(out.PipelineExecutionSummaries[0].PipelineExecutionId)
		}
		return id != ""
	})
	return id
}

// cliPipeline is seed 000's pipeline as the aws CLI takes it: an S3 source
// and a Test stage invoking myTestLambda with UserParameters params.
func cliPipeline(name, params string) string {
	return `{"name":"` + name + `","roleArn":"` + pipelineRole + `","artifactStore":{"type":"S3","location":"cp-artifacts"},"stages":[
{"name":"Source","actions":[{"name":"Source","actionTypeId":{"category":"Source","owner":"AWS","provider":"S3","version":"1"},
 "configuration":{"S3Bucket":"cp-source","S3ObjectKey":"app.zip","PollForSourceChanges":"false"},"outputArtifacts":[{"name":"SourceArtifact"}]}]},
{"name":"Test","actions":[{"name":"InvokeTestLambda","actionTypeId":{"category":"Invoke","owner":"AWS","provider":"Lambda","version":"1"},
 "configuration":{"FunctionName":"myTestLambda","UserParameters":"` + params + `"},"inputArtifacts":[{"name":"SourceArtifact"}],"namespace":"TestVars"}]}]}`
}

// TestCodePipelineSeedNode is seed 000: an S3 source and a Test stage that
// invokes an already deployed Node.js function, which reports its result
// with PutJobSuccessResult or PutJobFailureResult. It runs on the aws CLI.
func TestCodePipelineSeedNode(t *testing.T) {
	s := startServer(t)
	cpSetup(t, s, map[string][2]string{"myTestLambda": {"node", seedNodeFunction}})
	decl := cliPipeline("seed", "ok")
	var created struct{ Pipeline struct{ Version int } }
	s.MustCLI(t, "codepipeline", "create-pipeline", "--pipeline", decl).JSON(t, &created)
	if created.Pipeline.Version != 1 {
		t.Fatalf("created version = %d", created.Pipeline.Version)
	}
	c := codepipeline.NewFromConfig(s.SDK())
	first := latestExecutionID(t, c, "seed")
	waitExecution(t, c, "seed", first, cptypes.PipelineExecutionStatusSucceeded)

	var state struct {
		StageStates []struct {
			StageName       string
			LatestExecution struct{ Status string }
			ActionStates    []struct {
				ActionName      string
				LatestExecution struct {
					Status       string
					ErrorDetails struct{ Code, Message string }
				}
			}
		}
	}
	s.MustCLI(t, "codepipeline", "get-pipeline-state", "--name", "seed").JSON(t, &state)
	if len(state.StageStates) != 2 || state.StageStates[1].ActionStates[0].LatestExecution.Status != "Succeeded" {
		t.Fatalf("state = %+v", state)
	}
	var acts struct {
		ActionExecutionDetails []struct {
			ActionName string
			Status     string
			Output     struct {
				OutputVariables map[string]string
			}
		}
	}
	s.MustCLI(t, "codepipeline", "list-action-executions", "--pipeline-name", "seed", "--filter", "pipelineExecutionId="+first).JSON(t, &acts)
	if a := acts.ActionExecutionDetails[0]; a.ActionName != "InvokeTestLambda" || a.Output.OutputVariables["suite"] != "integration" {
		t.Fatalf("action executions = %+v", acts)
	}

	// The same function failing: the message reaches the action state.
	decl = cliPipeline("seed", "fail")
	s.MustCLI(t, "codepipeline", "update-pipeline", "--pipeline", decl).JSON(t, &created)
	if created.Pipeline.Version != 2 {
		t.Fatalf("updated version = %d", created.Pipeline.Version)
	}
	var started struct{ PipelineExecutionId string }
	s.MustCLI(t, "codepipeline", "start-pipeline-execution", "--name", "seed").JSON(t, &started)
	ex := waitExecution(t, c, "seed", started.PipelineExecutionId, cptypes.PipelineExecutionStatusFailed)
	if !strings.Contains(aws.ToString(ex.StatusSummary), "integration tests failed: 3 of 10") {
		t.Fatalf("statusSummary = %q", aws.ToString(ex.StatusSummary))
	}
	s.MustCLI(t, "codepipeline", "get-pipeline-state", "--name", "seed").JSON(t, &state)
	le := state.StageStates[1].ActionStates[0].LatestExecution
	if le.Status != "Failed" || le.ErrorDetails.Code != "JobFailed" || le.ErrorDetails.Message != "integration tests failed: 3 of 10" {
		t.Fatalf("failed action state = %+v", le)
	}
	s.FailCLI(t, "PipelineNotFoundException", "codepipeline", "get-pipeline-state", "--name", "nope")
	var list struct{ Pipelines []struct{ Name string } }
	s.MustCLI(t, "codepipeline", "list-pipelines").JSON(t, &list)
	if len(list.Pipelines) != 1 || list.Pipelines[0].Name != "seed" {
		t.Fatalf("list-pipelines = %+v", list)
	}
}

// TestCodePipelinePython runs a boto3 function that reads the source
// artifact and writes an output artifact, one that fails, one that asks to
// be invoked again with a continuation token, in parallel and in sequence.
func TestCodePipelinePython(t *testing.T) {
	s := startServer(t)
	cpSetup(t, s, map[string][2]string{"builder": {"python", pythonFunction}})
	c := codepipeline.NewFromConfig(s.SDK())
	ctx := context.Background()
	build := lambdaAction("Build", "builder", "ok", 1, "BuildArtifact")
	parallel := lambdaAction("Lint", "builder", "continue", 1)
	deploy := cptypes.ActionDeclaration{Name: aws.String("Publish"),
		ActionTypeId:   &cptypes.ActionTypeId{Category: cptypes.ActionCategoryDeploy, Owner: cptypes.ActionOwnerAws, Provider: aws.String("S3"), Version: aws.String("1")},
		Configuration:  map[string]string{"BucketName": "cp-deploy", "Extract": "false", "ObjectKey": "release-#{BuildVars.size}.txt"},
		InputArtifacts: []cptypes.InputArtifact{{Name: aws.String("BuildArtifact")}}, RunOrder: aws.Int32(2)}
	if _, err := c.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: cpPipeline("py",
		cptypes.StageDeclaration{Name: aws.String("Build"), Actions: []cptypes.ActionDeclaration{build, parallel, deploy}})}); err != nil {
		t.Fatal(err)
	}
	id := latestExecutionID(t, c, "py")
	waitExecution(t, c, "py", id, cptypes.PipelineExecutionStatusSucceeded)
	acts, err := c.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: aws.String("py"),
		Filter: &cptypes.ActionExecutionFilter{PipelineExecutionId: aws.String(id)}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]cptypes.ActionExecutionDetail{}
	for _, a := range acts.ActionExecutionDetails {
		byName[aws.ToString(a.ActionName)] = a
	}
	b := byName["Build"]
	size := b.Output.OutputVariables["size"]
	if b.Status != cptypes.ActionExecutionStatusSucceeded || size == "" || aws.ToString(b.Output.ExecutionResult.ExternalExecutionSummary) != "read "+size+" bytes" {
		t.Fatalf("Build = %+v", b.Output)
	}
	if lint := byName["Lint"]; lint.Output.OutputVariables["token"] != "step-2" {
		t.Fatalf("Lint did not get the continuation token: %+v", lint.Output)
	}
	if got := byName["Publish"].Input.ResolvedConfiguration["ObjectKey"]; got != "release-"+size+".txt" {
		t.Fatalf("Publish resolved ObjectKey = %q", got)
	}
	// The output artifact the function wrote reached the deploy bucket.
	sc := s3.NewFromConfig(s.SDK(), func(o *s3.Options) { o.UsePathStyle = true })
	obj, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cp-deploy"), Key: aws.String("release-" + size + ".txt")})
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(obj.Body)
	if !strings.HasPrefix(body.String(), "built:PK") {
		t.Fatalf("deployed body starts %q", body.String()[:min(12, body.Len())])
	}

	// A failing function: its message shows in the state and the action list.
	fail := lambdaAction("Smoke", "builder", "fail", 1)
	if _, err := c.UpdatePipeline(ctx, &codepipeline.UpdatePipelineInput{Pipeline: cpPipeline("py",
		cptypes.StageDeclaration{Name: aws.String("Build"), Actions: []cptypes.ActionDeclaration{fail}})}); err != nil {
		t.Fatal(err)
	}
	st, err := c.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: aws.String("py")})
	if err != nil {
		t.Fatal(err)
	}
	waitExecution(t, c, "py", aws.ToString(st.PipelineExecutionId), cptypes.PipelineExecutionStatusFailed)
	acts, err = c.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: aws.String("py"),
		Filter: &cptypes.ActionExecutionFilter{PipelineExecutionId: st.PipelineExecutionId}})
	if err != nil {
		t.Fatal(err)
	}
	var smoke *cptypes.ActionExecutionDetail
	for i, a := range acts.ActionExecutionDetails {
		if aws.ToString(a.ActionName) == "Smoke" {
			smoke = &acts.ActionExecutionDetails[i]
		}
	}
	if smoke == nil || smoke.Status != cptypes.ActionExecutionStatusFailed ||
		aws.ToString(smoke.Output.ExecutionResult.ErrorDetails.Message) != "smoke test failed on /health" {
		t.Fatalf("Smoke = %+v", smoke)
	}
	// Retrying the failed stage reruns it (and fails again).
	if _, err := c.RetryStageExecution(ctx, &codepipeline.RetryStageExecutionInput{PipelineName: aws.String("py"), StageName: aws.String("Build"),
		PipelineExecutionId: st.PipelineExecutionId, RetryMode: cptypes.StageRetryModeFailedActions}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "two Smoke attempts", func() bool {
		out, err := c.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: aws.String("py"),
			Filter: &cptypes.ActionExecutionFilter{PipelineExecutionId: st.PipelineExecutionId}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range out.ActionExecutionDetails {
			if aws.ToString(a.ActionName) == "Smoke" && a.Status == cptypes.ActionExecutionStatusFailed {
				n++
			}
		}
		return n == 2
	})
}

// TestCodePipelineLambdaTimeout: a function that never reports fails its
// action after 20 minutes, on a clock running 600 times faster.
func TestCodePipelineLambdaTimeout(t *testing.T) {
	s := startServer(t, "--time-scale", "600")
	cpSetup(t, s, map[string][2]string{"silent": {"python", pythonFunction}})
	c := codepipeline.NewFromConfig(s.SDK())
	if _, err := c.CreatePipeline(context.Background(), &codepipeline.CreatePipelineInput{Pipeline: cpPipeline("slow",
		cptypes.StageDeclaration{Name: aws.String("Test"), Actions: []cptypes.ActionDeclaration{lambdaAction("Wait", "silent", "silent", 1)}})}); err != nil {
		t.Fatal(err)
	}
	id := latestExecutionID(t, c, "slow")
	start := time.Now()
	waitExecution(t, c, "slow", id, cptypes.PipelineExecutionStatusFailed)
	if d := time.Since(start); d < time.Second {
		t.Fatalf("failed after %s; want about 2 s (20 minutes / 600)", d)
	}
	st, err := c.GetPipelineState(context.Background(), &codepipeline.GetPipelineStateInput{Name: aws.String("slow")})
	if err != nil {
		t.Fatal(err)
	}
	msg := aws.ToString(st.StageStates[1].ActionStates[0].LatestExecution.ErrorDetails.Message)
	if !strings.Contains(msg, "The AWS Lambda function silent failed to return a result") {
		t.Fatalf("timeout message = %q", msg)
	}
}

// TestCodePipelineApprovalStopEvents: a manual approval gate, stop and
// abandon, S3 change detection, and state change events reaching an
// EventBridge rule whose target is a CloudWatch Logs group.
func TestCodePipelineApprovalStopEvents(t *testing.T) {
	s := startServer(t)
	cpSetup(t, s, nil)
	ctx := context.Background()
	if _, err := cloudwatchlogs.NewFromConfig(s.SDK()).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/cp/events")}); err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(s.SDK())
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("cp-ends"), EventPattern: aws.String(
		`{"source":["aws.codepipeline"],"detail-type":["CodePipeline Pipeline Execution State Change"],"detail":{"state":["SUCCEEDED","STOPPED"]}}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("cp-ends"), Targets: []ebtypes.Target{{
		Id: aws.String("log"), Arn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/cp/events")}}}); err != nil {
		t.Fatal(err)
	}
	c := codepipeline.NewFromConfig(s.SDK())
	gate := cptypes.ActionDeclaration{Name: aws.String("Gate"),
		ActionTypeId:  &cptypes.ActionTypeId{Category: cptypes.ActionCategoryApproval, Owner: cptypes.ActionOwnerAws, Provider: aws.String("Manual"), Version: aws.String("1")},
		Configuration: map[string]string{"CustomData": "release #{SourceVariables.VersionId}"}}
	if _, err := c.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: cpPipeline("gated",
		cptypes.StageDeclaration{Name: aws.String("Approve"), Actions: []cptypes.ActionDeclaration{gate}})}); err != nil {
		t.Fatal(err)
	}
	first := latestExecutionID(t, c, "gated")
	var token string
	waitFor(t, 10*time.Second, "approval token", func() bool {
		st, err := c.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: aws.String("gated")})
		if err != nil {
			t.Fatal(err)
		}
		if le := st.StageStates[1].ActionStates[0].LatestExecution; le != nil {
			token = aws.ToString(le.Token)
		}
		return token != ""
	})
	s.FailCLI(t, "InvalidApprovalTokenException", "codepipeline", "put-approval-result", "--pipeline-name", "gated", "--stage-name", "Approve",
		"--action-name", "Gate", "--result", "summary=no,status=Approved", "--token", "11111111-2222-3333-4444-555555555555")
	s.MustCLI(t, "codepipeline", "put-approval-result", "--pipeline-name", "gated", "--stage-name", "Approve",
		"--action-name", "Gate", "--result", "summary=ship it,status=Approved", "--token", token)
	waitExecution(t, c, "gated", first, cptypes.PipelineExecutionStatusSucceeded)

	// A new object version starts an execution; this one is stopped.
	sc := s3.NewFromConfig(s.SDK(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cp-source"), Key: aws.String("app.zip"),
		Body: bytes.NewReader(zipFiles(t, map[string]string{"index.html": "<h1>v2</h1>"}))}); err != nil {
		t.Fatal(err)
	}
	var second string
	waitFor(t, 10*time.Second, "an execution for the new version", func() bool {
		second = latestExecutionID(t, c, "gated")
		return second != first
	})
	waitFor(t, 10*time.Second, "the second execution at the gate", func() bool {
		st, _ := c.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: aws.String("gated")})
		le := st.StageStates[1].ActionStates[0].LatestExecution
		return le != nil && le.Status == cptypes.ActionExecutionStatusInProgress
	})
	s.MustCLI(t, "codepipeline", "stop-pipeline-execution", "--pipeline-name", "gated", "--pipeline-execution-id", second, "--abandon", "--reason", "not today")
	ex := waitExecution(t, c, "gated", second, cptypes.PipelineExecutionStatusStopped)
	if aws.ToString(ex.StatusSummary) != "not today" || ex.Trigger.TriggerType != cptypes.TriggerTypeCloudWatchEvent {
		t.Fatalf("stopped execution = %+v / %+v", aws.ToString(ex.StatusSummary), ex.Trigger)
	}
	var notStoppable *cptypes.PipelineExecutionNotStoppableException
	if _, err := c.StopPipelineExecution(ctx, &codepipeline.StopPipelineExecutionInput{PipelineName: aws.String("gated"),
		PipelineExecutionId: aws.String(second)}); !errors.As(err, &notStoppable) {
		t.Fatalf("stopping a stopped execution: %v", err)
	}
	var msgs []string
	waitFor(t, 10*time.Second, "two pipeline events in the log group", func() bool {
		msgs = logMessages(t, s, "/cp/events")
		return len(msgs) >= 2
	})
	var states []string
	for _, m := range msgs {
		var ev struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Resources  []string
			Detail     struct {
				Pipeline    string `json:"pipeline"`
				ExecutionID string `json:"execution-id"`
				State       string `json:"state"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(m), &ev); err != nil {
			t.Fatalf("event %q: %v", m, err)
		}
		if ev.Source != "aws.codepipeline" || ev.Detail.Pipeline != "gated" || len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:codepipeline:us-east-1:000000000000:gated" {
			t.Fatalf("event = %s", m)
		}
		states = append(states, ev.Detail.State+":"+ev.Detail.ExecutionID)
	}
	if want := []string{"SUCCEEDED:" + first, "STOPPED:" + second}; strings.Join(states, ",") != strings.Join(want, ",") {
		t.Fatalf("logged events = %v; want %v", states, want)
	}
}

// TestCodePipelineResumesAfterRestart: an execution waiting for approval
// survives a restart with --data-dir and finishes afterwards.
func TestCodePipelineResumesAfterRestart(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	cpSetup(t, s, nil)
	c := codepipeline.NewFromConfig(s.SDK())
	ctx := context.Background()
	gate := cptypes.ActionDeclaration{Name: aws.String("Gate"),
		ActionTypeId: &cptypes.ActionTypeId{Category: cptypes.ActionCategoryApproval, Owner: cptypes.ActionOwnerAws, Provider: aws.String("Manual"), Version: aws.String("1")}}
	if _, err := c.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: cpPipeline("durable",
		cptypes.StageDeclaration{Name: aws.String("Approve"), Actions: []cptypes.ActionDeclaration{gate}})}); err != nil {
		t.Fatal(err)
	}
	id := latestExecutionID(t, c, "durable")
	var token string
	waitFor(t, 10*time.Second, "approval token", func() bool {
		st, _ := c.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: aws.String("durable")})
		if le := st.StageStates[1].ActionStates[0].LatestExecution; le != nil {
			token = aws.ToString(le.Token)
		}
		return token != ""
	})
	s.Kill()
	s2 := startServer(t, "--data-dir", dir)
	c2 := codepipeline.NewFromConfig(s2.SDK())
	if _, err := c2.PutApprovalResult(ctx, &codepipeline.PutApprovalResultInput{PipelineName: aws.String("durable"), StageName: aws.String("Approve"),
		ActionName: aws.String("Gate"), Token: aws.String(token),
		Result: &cptypes.ApprovalResult{Status: cptypes.ApprovalStatusApproved, Summary: aws.String("after restart")}}); err != nil {
		t.Fatal(err)
	}
	waitExecution(t, c2, "durable", id, cptypes.PipelineExecutionStatusSucceeded)
}

// TestCodePipelineStepFunctionsAction runs a StepFunctions invoke action
// whose input names the pipeline execution.
func TestCodePipelineStepFunctionsAction(t *testing.T) {
	s := startServer(t)
	cpSetup(t, s, nil)
	ctx := context.Background()
	sc := sfn.NewFromConfig(s.SDK())
	sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("release"), RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"),
		Definition: aws.String(`{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"Done"}],"Default":"Bad"},"Done":{"Type":"Succeed"},"Bad":{"Type":"Fail","Error":"Release.Blocked","Cause":"not ok"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	action := func(input string) cptypes.ActionDeclaration {
		return cptypes.ActionDeclaration{Name: aws.String("Release"),
			ActionTypeId:  &cptypes.ActionTypeId{Category: cptypes.ActionCategoryInvoke, Owner: cptypes.ActionOwnerAws, Provider: aws.String("StepFunctions"), Version: aws.String("1")},
			Configuration: map[string]string{"StateMachineArn": aws.ToString(sm.StateMachineArn), "ExecutionNamePrefix": "cp", "Input": input}}
	}
	c := codepipeline.NewFromConfig(s.SDK())
	if _, err := c.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: cpPipeline("sfn",
		cptypes.StageDeclaration{Name: aws.String("Release"), Actions: []cptypes.ActionDeclaration{action(`{"ok":true,"id":"#{codepipeline.PipelineExecutionId}"}`)}})}); err != nil {
		t.Fatal(err)
	}
	id := latestExecutionID(t, c, "sfn")
	waitExecution(t, c, "sfn", id, cptypes.PipelineExecutionStatusSucceeded)
	acts, err := c.ListActionExecutions(ctx, &codepipeline.ListActionExecutionsInput{PipelineName: aws.String("sfn"),
		Filter: &cptypes.ActionExecutionFilter{PipelineExecutionId: aws.String(id)}})
	if err != nil {
		t.Fatal(err)
	}
	execARN := acts.ActionExecutionDetails[0].Output.OutputVariables["ExecutionArn"]
	d, err := sc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execARN)})
	if err != nil {
		t.Fatalf("DescribeExecution %q: %v", execARN, err)
	}
	if aws.ToString(d.Input) != `{"ok":true,"id":"`+id+`"}` {
		t.Fatalf("state machine input = %s", aws.ToString(d.Input))
	}
	if _, err := c.UpdatePipeline(ctx, &codepipeline.UpdatePipelineInput{Pipeline: cpPipeline("sfn",
		cptypes.StageDeclaration{Name: aws.String("Release"), Actions: []cptypes.ActionDeclaration{action(`{"ok":false}`)}})}); err != nil {
		t.Fatal(err)
	}
	st, err := c.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: aws.String("sfn")})
	if err != nil {
		t.Fatal(err)
	}
	ex := waitExecution(t, c, "sfn", aws.ToString(st.PipelineExecutionId), cptypes.PipelineExecutionStatusFailed)
	if !strings.Contains(aws.ToString(ex.StatusSummary), "Release.Blocked") {
		t.Fatalf("statusSummary = %q", aws.ToString(ex.StatusSummary))
	}
}

// TestExample01CodePipelineJobID runs examples/01-codepipeline-job-id
// (seed 000) and checks the job ids the function logged are real jobs.
func TestExample01CodePipelineJobID(t *testing.T) {
	t.Parallel() // the acceptance suite: examples run side by side, each on its own server
	s := startServer(t)
	out := runExample(t, s, "01-codepipeline-job-id")
	if !strings.Contains(out, "seed 000 proved") {
		t.Fatalf("example did not finish:\n%s", out)
	}
	c := codepipeline.NewFromConfig(s.SDK())
	n := 0
	for _, m := range logMessages(t, s, "/aws/lambda/myTestLambda") {
		_, rest, ok := strings.Cut(m, "Job ID: ")
		if !ok {
			continue
		}
		id := strings.Fields(rest)[0]
		n++
		var notDone *cptypes.InvalidJobStateException
		if _, err := c.PutJobSuccessResult(context.Background(), &codepipeline.PutJobSuccessResultInput{JobId: aws.String(id)}); !errors.As(err, &notDone) {
			t.Errorf("reporting job %s again: %v; want InvalidJobStateException", id, err)
		}
	}
	if n != 2 {
		t.Fatalf("the function logged %d job ids; want 2", n)
	}
}

// TestCodePipelineCustomActionWorker: a job worker polls for a custom
// action's job, acknowledges it and reports; transitions, tags and action
// types through the SDK.
func TestCodePipelineCustomActionWorker(t *testing.T) {
	s := startServer(t)
	cpSetup(t, s, nil)
	ctx := context.Background()
	c := codepipeline.NewFromConfig(s.SDK())
	typ := &cptypes.ActionTypeId{Category: cptypes.ActionCategoryBuild, Owner: cptypes.ActionOwnerCustom, Provider: aws.String("Jenkins"), Version: aws.String("1")}
	if _, err := c.CreateCustomActionType(ctx, &codepipeline.CreateCustomActionTypeInput{Category: typ.Category, Provider: typ.Provider, Version: typ.Version,
		ConfigurationProperties: []cptypes.ActionConfigurationProperty{{Name: aws.String("ProjectName"), Required: true, Key: true, Secret: false, Queryable: true}},
		InputArtifactDetails:    &cptypes.ArtifactDetails{MinimumCount: 1, MaximumCount: 1}, OutputArtifactDetails: &cptypes.ArtifactDetails{MinimumCount: 0, MaximumCount: 1}}); err != nil {
		t.Fatal(err)
	}
	types, err := c.ListActionTypes(ctx, &codepipeline.ListActionTypesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var custom, lambdaType bool
	for _, at := range types.ActionTypes {
		custom = custom || aws.ToString(at.Id.Provider) == "Jenkins"
		lambdaType = lambdaType || (aws.ToString(at.Id.Provider) == "Lambda" && at.Id.Category == cptypes.ActionCategoryInvoke)
	}
	if !custom || !lambdaType {
		t.Fatalf("ListActionTypes lacks Jenkins (%v) or Lambda (%v)", custom, lambdaType)
	}
	build := cptypes.ActionDeclaration{Name: aws.String("Build"), ActionTypeId: typ, Configuration: map[string]string{"ProjectName": "web"},
		InputArtifacts: []cptypes.InputArtifact{{Name: aws.String("SourceArtifact")}}}
	out, err := c.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: cpPipeline("worker",
		cptypes.StageDeclaration{Name: aws.String("Build"), Actions: []cptypes.ActionDeclaration{build}}),
		Tags: []cptypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Pipeline.Version == nil || *out.Pipeline.Version != 1 {
		t.Fatalf("version = %v", out.Pipeline.Version)
	}
	var job cptypes.Job
	waitFor(t, 10*time.Second, "a job for the worker", func() bool {
		polled, err := c.PollForJobs(ctx, &codepipeline.PollForJobsInput{ActionTypeId: typ, QueryParam: map[string]string{"ProjectName": "web"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(polled.Jobs) == 1 {
			job = polled.Jobs[0]
		}
		return job.Id != nil
	})
	ack, err := c.AcknowledgeJob(ctx, &codepipeline.AcknowledgeJobInput{JobId: job.Id, Nonce: job.Nonce})
	if err != nil || ack.Status != cptypes.JobStatusInProgress {
		t.Fatalf("AcknowledgeJob = %v, %v", ack, err)
	}
	details, err := c.GetJobDetails(ctx, &codepipeline.GetJobDetailsInput{JobId: job.Id})
	if err != nil {
		t.Fatal(err)
	}
	d := details.JobDetails.Data
	if aws.ToString(d.PipelineContext.PipelineName) != "worker" || aws.ToString(d.PipelineContext.Stage.Name) != "Build" ||
		len(d.InputArtifacts) != 1 || aws.ToString(d.InputArtifacts[0].Location.S3Location.BucketName) != "cp-artifacts" {
		t.Fatalf("job data = %+v", d)
	}
	if _, err := c.PutJobFailureResult(ctx, &codepipeline.PutJobFailureResultInput{JobId: job.Id,
		FailureDetails: &cptypes.FailureDetails{Type: cptypes.FailureTypeConfigurationError, Message: aws.String("no such project")}}); err != nil {
		t.Fatal(err)
	}
	id := latestExecutionID(t, c, "worker")
	waitExecution(t, c, "worker", id, cptypes.PipelineExecutionStatusFailed)

	// A disabled transition holds the next execution before Build.
	if _, err := c.DisableStageTransition(ctx, &codepipeline.DisableStageTransitionInput{PipelineName: aws.String("worker"), StageName: aws.String("Build"),
		TransitionType: cptypes.StageTransitionTypeInbound, Reason: aws.String("freeze")}); err != nil {
		t.Fatal(err)
	}
	st, err := c.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: aws.String("worker")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the execution waiting at Build", func() bool {
		state, err := c.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: aws.String("worker")})
		if err != nil {
			t.Fatal(err)
		}
		b := state.StageStates[1]
		return !b.InboundTransitionState.Enabled && aws.ToString(b.InboundTransitionState.DisabledReason) == "freeze" &&
			b.InboundExecution != nil && aws.ToString(b.InboundExecution.PipelineExecutionId) == aws.ToString(st.PipelineExecutionId)
	})
	if _, err := c.EnableStageTransition(ctx, &codepipeline.EnableStageTransitionInput{PipelineName: aws.String("worker"), StageName: aws.String("Build"),
		TransitionType: cptypes.StageTransitionTypeInbound}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the second job", func() bool {
		polled, err := c.PollForJobs(ctx, &codepipeline.PollForJobsInput{ActionTypeId: typ})
		if err != nil {
			t.Fatal(err)
		}
		if len(polled.Jobs) == 1 {
			job = polled.Jobs[0]
			return true
		}
		return false
	})
	if _, err := c.PutJobSuccessResult(ctx, &codepipeline.PutJobSuccessResultInput{JobId: job.Id,
		ExecutionDetails: &cptypes.ExecutionDetails{Summary: aws.String("built"), PercentComplete: aws.Int32(100)}}); err != nil {
		t.Fatal(err)
	}
	waitExecution(t, c, "worker", aws.ToString(st.PipelineExecutionId), cptypes.PipelineExecutionStatusSucceeded)

	arn := aws.String("arn:aws:codepipeline:us-east-1:000000000000:worker")
	if _, err := c.TagResource(ctx, &codepipeline.TagResourceInput{ResourceArn: arn, Tags: []cptypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &codepipeline.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(tags.Tags) != 2 {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	var notFound *cptypes.ResourceNotFoundException
	if _, err := c.ListTagsForResource(ctx, &codepipeline.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:codepipeline:us-east-1:000000000000:nope")}); !errors.As(err, &notFound) {
		t.Fatalf("tags of a missing pipeline: %v", err)
	}
	if _, err := c.DeleteCustomActionType(ctx, &codepipeline.DeleteCustomActionTypeInput{Category: typ.Category, Provider: typ.Provider, Version: typ.Version}); err != nil {
		t.Fatal(err)
	}
	var noType *cptypes.ActionTypeNotFoundException
	if _, err := c.PollForJobs(ctx, &codepipeline.PollForJobsInput{ActionTypeId: typ}); !errors.As(err, &noType) {
		t.Fatalf("polling a deleted action type: %v", err)
	}
}
