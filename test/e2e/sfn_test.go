package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	sfnRole = "arn:aws:iam::000000000000:role/sfn-role"
	smBase  = "arn:aws:states:us-east-1:000000000000:stateMachine:"
	exBase  = "arn:aws:states:us-east-1:000000000000:execution:"
)

// noHostPrefix keeps StartSyncExecution and TestState on the endpoint
// host: the SDK would send them to sync-127.0.0.1, which does not resolve.
func noHostPrefix(o *sfn.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}

func sfnClient(s *Server) *sfn.Client { return sfn.NewFromConfig(s.SDK(), noHostPrefix) }

// cliSync is the environment the aws CLI needs for StartSyncExecution and
// TestState against a local endpoint.
var cliSync = []string{"AWS_DISABLE_HOST_PREFIX_INJECTION=true"}

func createSM(t *testing.T, c *sfn.Client, name, def string, typ sfntypes.StateMachineType) string {
	t.Helper()
	out, err := c.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
		RoleArn: aws.String(sfnRole), Type: typ})
	if err != nil {
		t.Fatalf("CreateStateMachine %s: %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

// runSM starts an execution and waits for it to end.
func runSM(t *testing.T, c *sfn.Client, arn, input string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx := context.Background()
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(input)})
	if err != nil {
		t.Fatalf("StartExecution %s: %v", arn, err)
	}
	return waitExec(t, c, aws.ToString(st.ExecutionArn), 20*time.Second)
}

func waitExec(t *testing.T, c *sfn.Client, arn string, timeout time.Duration) *sfn.DescribeExecutionOutput {
	t.Helper()
	var d *sfn.DescribeExecutionOutput
	waitFor(t, timeout, "execution "+arn+" to end", func() bool {
		var err error
		d, err = c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		return err == nil && d.Status != sfntypes.ExecutionStatusRunning
	})
	return d
}

func history(t *testing.T, c *sfn.Client, arn string) []sfntypes.HistoryEvent {
	t.Helper()
	out, err := c.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return out.Events
}

func eventTypes(evs []sfntypes.HistoryEvent) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Type))
	}
	return strings.Join(s, ",")
}

func createPy(t *testing.T, s *Server, name, code string) string {
	t.Helper()
	out, err := lambda.NewFromConfig(s.SDK()).CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": code})}, Timeout: aws.Int32(30),
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return aws.ToString(out.FunctionArn)
}

func TestSFNStateMachinesCLI(t *testing.T) {
	s := startServer(t)
	def := `{"Comment":"c","StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	var cr struct{ StateMachineArn, StateMachineVersionArn string }
	s.MustCLI(t, "stepfunctions", "create-state-machine", "--name", "m1", "--definition", def, "--role-arn", sfnRole,
		"--tags", "key=team,value=a", "--publish", "--version-description", "first").JSON(t, &cr)
	if cr.StateMachineArn != smBase+"m1" || cr.StateMachineVersionArn != smBase+"m1:1" {
		t.Errorf("create = %+v", cr)
	}
	// Identical create is idempotent; a different definition conflicts.
	s.MustCLI(t, "stepfunctions", "create-state-machine", "--name", "m1", "--definition", def, "--role-arn", sfnRole)
	s.FailCLI(t, "StateMachineAlreadyExists", "stepfunctions", "create-state-machine", "--name", "m1",
		"--definition", `{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}`, "--role-arn", sfnRole)
	r := s.FailCLI(t, "InvalidDefinition", "stepfunctions", "create-state-machine", "--name", "bad",
		"--definition", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope","End":false}}}`, "--role-arn", sfnRole)
	if !strings.Contains(r.Stderr, "Invalid State Machine Definition: '") || !strings.Contains(r.Stderr, "MISSING_TRANSITION_TARGET") {
		t.Errorf("InvalidDefinition message: %s", r.Stderr)
	}
	s.FailCLI(t, "InvalidName", "stepfunctions", "create-state-machine", "--name", "bad name", "--definition", def, "--role-arn", sfnRole)
	s.FailCLI(t, "InvalidArn", "stepfunctions", "create-state-machine", "--name", "m2", "--definition", def, "--role-arn", "nope")

	var d struct {
		StateMachineArn, Name, Status, Definition, RoleArn, Type, RevisionId, Description string
		LoggingConfiguration                                                              struct{ Level string }
	}
	s.MustCLI(t, "stepfunctions", "describe-state-machine", "--state-machine-arn", smBase+"m1").JSON(t, &d)
	if d.Name != "m1" || d.Type != "STANDARD" || d.Definition != def || d.Status != "ACTIVE" || d.LoggingConfiguration.Level != "OFF" || d.RevisionId == "" {
		t.Errorf("describe = %+v", d)
	}
	s.MustCLI(t, "stepfunctions", "describe-state-machine", "--state-machine-arn", smBase+"m1:1").JSON(t, &d)
	if d.StateMachineArn != smBase+"m1:1" || d.Description != "first" {
		t.Errorf("describe version = %+v", d)
	}
	s.FailCLI(t, "StateMachineDoesNotExist", "stepfunctions", "describe-state-machine", "--state-machine-arn", smBase+"nope")

	def2 := `{"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}`
	var up struct {
		UpdateDate                         float64
		RevisionId, StateMachineVersionArn string
	}
	s.MustCLI(t, "stepfunctions", "update-state-machine", "--state-machine-arn", smBase+"m1", "--definition", def2, "--publish").JSON(t, &up)
	if up.StateMachineVersionArn != smBase+"m1:2" || up.RevisionId == d.RevisionId {
		t.Errorf("update = %+v", up)
	}
	var vs struct {
		StateMachineVersions []struct{ StateMachineVersionArn string }
	}
	s.MustCLI(t, "stepfunctions", "list-state-machine-versions", "--state-machine-arn", smBase+"m1").JSON(t, &vs)
	if len(vs.StateMachineVersions) != 2 || vs.StateMachineVersions[0].StateMachineVersionArn != smBase+"m1:2" {
		t.Errorf("versions = %+v", vs)
	}
	var pv struct{ StateMachineVersionArn string }
	s.MustCLI(t, "stepfunctions", "publish-state-machine-version", "--state-machine-arn", smBase+"m1").JSON(t, &pv)
	if pv.StateMachineVersionArn != smBase+"m1:2" {
		t.Errorf("publish of an unchanged revision = %s; want the existing version 2", pv.StateMachineVersionArn)
	}

	var al struct{ StateMachineAliasArn string }
	s.MustCLI(t, "stepfunctions", "create-state-machine-alias", "--name", "prod", "--routing-configuration",
		`[{"stateMachineVersionArn":"`+smBase+`m1:1","weight":100}]`).JSON(t, &al)
	if al.StateMachineAliasArn != smBase+"m1:prod" {
		t.Errorf("alias = %s", al.StateMachineAliasArn)
	}
	s.MustCLI(t, "stepfunctions", "update-state-machine-alias", "--state-machine-alias-arn", al.StateMachineAliasArn, "--routing-configuration",
		`[{"stateMachineVersionArn":"`+smBase+`m1:2","weight":100}]`)
	var da struct {
		Name                 string
		RoutingConfiguration []struct {
			StateMachineVersionArn string
			Weight                 int
		}
	}
	s.MustCLI(t, "stepfunctions", "describe-state-machine-alias", "--state-machine-alias-arn", al.StateMachineAliasArn).JSON(t, &da)
	if da.Name != "prod" || len(da.RoutingConfiguration) != 1 || da.RoutingConfiguration[0].StateMachineVersionArn != smBase+"m1:2" {
		t.Errorf("describe alias = %+v", da)
	}
	var la struct {
		StateMachineAliases []struct{ StateMachineAliasArn string }
	}
	s.MustCLI(t, "stepfunctions", "list-state-machine-aliases", "--state-machine-arn", smBase+"m1").JSON(t, &la)
	if len(la.StateMachineAliases) != 1 {
		t.Errorf("aliases = %+v", la)
	}
	s.FailCLI(t, "ConflictException", "stepfunctions", "delete-state-machine-version", "--state-machine-version-arn", smBase+"m1:2")
	s.MustCLI(t, "stepfunctions", "delete-state-machine-version", "--state-machine-version-arn", smBase+"m1:1")
	s.MustCLI(t, "stepfunctions", "delete-state-machine-alias", "--state-machine-alias-arn", al.StateMachineAliasArn)

	s.MustCLI(t, "stepfunctions", "tag-resource", "--resource-arn", smBase+"m1", "--tags", "key=env,value=dev")
	s.MustCLI(t, "stepfunctions", "untag-resource", "--resource-arn", smBase+"m1", "--tag-keys", "team")
	var tags struct{ Tags []struct{ Key, Value string } }
	s.MustCLI(t, "stepfunctions", "list-tags-for-resource", "--resource-arn", smBase+"m1").JSON(t, &tags)
	if len(tags.Tags) != 1 || tags.Tags[0].Key != "env" {
		t.Errorf("tags = %+v", tags)
	}

	var v struct {
		Result      string
		Diagnostics []struct{ Severity, Code, Message, Location string }
	}
	s.MustCLI(t, "stepfunctions", "validate-state-machine-definition", "--definition", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}`).JSON(t, &v)
	if v.Result != "FAIL" || len(v.Diagnostics) == 0 || v.Diagnostics[0].Code != "MISSING_TRANSITION_TARGET" || v.Diagnostics[0].Location != "/States/A/Next" {
		t.Errorf("validate = %+v", v)
	}
	s.MustCLI(t, "stepfunctions", "validate-state-machine-definition", "--definition", def).JSON(t, &v)
	if v.Result != "OK" || len(v.Diagnostics) != 0 {
		t.Errorf("validate ok = %+v", v)
	}

	c := sfnClient(s)
	for i := 0; i < 5; i++ {
		createSM(t, c, fmt.Sprintf("page-%d", i), def, "")
	}
	var names []string
	p := sfn.NewListStateMachinesPaginator(c, &sfn.ListStateMachinesInput{MaxResults: 2})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.StateMachines {
			names = append(names, aws.ToString(m.Name))
		}
	}
	if strings.Join(names, ",") != "m1,page-0,page-1,page-2,page-3,page-4" {
		t.Errorf("listed %v", names)
	}
	s.MustCLI(t, "stepfunctions", "delete-state-machine", "--state-machine-arn", smBase+"m1")
	s.FailCLI(t, "StateMachineDoesNotExist", "stepfunctions", "describe-state-machine", "--state-machine-arn", smBase+"m1")
}

// A Pass → Task(lambda:invoke) → Choice → Succeed machine, its executions
// and history.
func TestSFNExecutionsCLI(t *testing.T) {
	s := startServer(t)
	fn := createPy(t, s, "double", "def handler(event, context):\n    return {\"n\": event[\"n\"] * 2}\n")
	def := `{"StartAt":"Init","States":{
	"Init":{"Type":"Pass","Parameters":{"n.$":"$.start"},"Next":"Double"},
	"Double":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"double","Payload.$":"$"},"OutputPath":"$.Payload","Next":"Big?"},
	"Big?":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":10,"Next":"Done"}],"Default":"Small"},
	"Small":{"Type":"Fail","Error":"TooSmall","Cause":"n is small"},
	"Done":{"Type":"Succeed"}}}`
	s.MustCLI(t, "stepfunctions", "create-state-machine", "--name", "flow", "--definition", def, "--role-arn", sfnRole)
	var st struct {
		ExecutionArn string
		StartDate    float64
	}
	s.MustCLI(t, "stepfunctions", "start-execution", "--state-machine-arn", smBase+"flow", "--name", "run1", "--input", `{"start":8}`).JSON(t, &st)
	if st.ExecutionArn != exBase+"flow:run1" || st.StartDate == 0 {
		t.Errorf("start = %+v", st)
	}
	// Same name and input while running returns the same execution.
	var st2 struct {
		ExecutionArn string
		StartDate    float64
	}
	r := s.CLI(t, "stepfunctions", "start-execution", "--state-machine-arn", smBase+"flow", "--name", "run1", "--input", `{"start":8}`)
	if r.Code == 0 {
		r.JSON(t, &st2)
		if st2 != st {
			t.Errorf("idempotent start = %+v; want %+v", st2, st)
		}
	}
	c := sfnClient(s)
	d := waitExec(t, c, st.ExecutionArn, 30*time.Second)
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"n":16}` {
		t.Fatalf("execution = %s output %s error %s cause %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	s.FailCLI(t, "ExecutionAlreadyExists", "stepfunctions", "start-execution", "--state-machine-arn", smBase+"flow", "--name", "run1", "--input", `{"start":8}`)
	s.FailCLI(t, "InvalidName", "stepfunctions", "start-execution", "--state-machine-arn", smBase+"flow", "--name", "a/b")
	s.FailCLI(t, "InvalidExecutionInput", "stepfunctions", "start-execution", "--state-machine-arn", smBase+"flow", "--input", "{nope")

	var desc struct {
		Status, Input, Output, Name, StateMachineArn string
		InputDetails, OutputDetails                  struct{ Included bool }
		StopDate                                     float64
		RedriveStatus                                string
	}
	s.MustCLI(t, "stepfunctions", "describe-execution", "--execution-arn", st.ExecutionArn).JSON(t, &desc)
	if desc.Status != "SUCCEEDED" || desc.Input != `{"start":8}` || !desc.InputDetails.Included || !desc.OutputDetails.Included || desc.StopDate == 0 || desc.RedriveStatus != "NOT_REDRIVABLE" {
		t.Errorf("describe = %+v", desc)
	}

	var h struct{ Events []map[string]json.RawMessage }
	s.MustCLI(t, "stepfunctions", "get-execution-history", "--execution-arn", st.ExecutionArn).JSON(t, &h)
	var types []string
	for _, e := range h.Events {
		var typ string
		json.Unmarshal(e["type"], &typ)
		types = append(types, typ)
	}
	want := "ExecutionStarted,PassStateEntered,PassStateExited,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited,ChoiceStateEntered,ChoiceStateExited,SucceedStateEntered,SucceedStateExited,ExecutionSucceeded"
	if strings.Join(types, ",") != want {
		t.Errorf("history types = %s\nwant %s", strings.Join(types, ","), want)
	}
	var sched struct{ ResourceType, Resource, Region, Parameters string }
	var succ struct{ ResourceType, Resource, Output string }
	for _, e := range h.Events {
		if d, ok := e["taskScheduledEventDetails"]; ok {
			json.Unmarshal(d, &sched)
		}
		if d, ok := e["taskSucceededEventDetails"]; ok {
			json.Unmarshal(d, &succ)
		}
	}
	if sched.ResourceType != "lambda" || sched.Resource != "invoke" || sched.Region != "us-east-1" || sched.Parameters != `{"FunctionName":"double","Payload":{"n":8}}` {
		t.Errorf("TaskScheduled = %+v", sched)
	}
	var payload struct {
		ExecutedVersion string
		Payload         struct{ N int }
		StatusCode      int
		SdkHttpMetadata struct{ HttpStatusCode int }
	}
	if err := json.Unmarshal([]byte(succ.Output), &payload); err != nil || payload.Payload.N != 16 || payload.StatusCode != 200 || payload.ExecutedVersion != "$LATEST" || payload.SdkHttpMetadata.HttpStatusCode != 200 {
		t.Errorf("TaskSucceeded output = %s", succ.Output)
	}
	_ = fn

	// Reverse order and paging.
	out, err := c.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(st.ExecutionArn), ReverseOrder: true, MaxResults: 5})
	if err != nil || len(out.Events) != 5 || out.Events[0].Type != sfntypes.HistoryEventTypeExecutionSucceeded || out.NextToken == nil {
		t.Fatalf("reverse page: %v %+v", err, out)
	}
	out2, err := c.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(st.ExecutionArn), ReverseOrder: true, MaxResults: 5, NextToken: out.NextToken})
	if err != nil || len(out2.Events) != 5 || out2.Events[0].Id != 8 {
		t.Fatalf("second page: %v %+v", err, out2)
	}
	noData, err := c.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(st.ExecutionArn), IncludeExecutionData: aws.Bool(false)})
	if err != nil || noData.Events[0].ExecutionStartedEventDetails.Input != nil {
		t.Errorf("includeExecutionData=false kept the input: %v", err)
	}

	// A failing execution.
	var st3 struct{ ExecutionArn string }
	s.MustCLI(t, "stepfunctions", "start-execution", "--state-machine-arn", smBase+"flow", "--input", `{"start":1}`).JSON(t, &st3)
	d = waitExec(t, c, st3.ExecutionArn, 30*time.Second)
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "TooSmall" || aws.ToString(d.Cause) != "n is small" || d.RedriveStatus != sfntypes.ExecutionRedriveStatusRedrivable {
		t.Errorf("failed execution = %s %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), d.RedriveStatus)
	}

	var list struct {
		Executions []struct{ Name, Status string }
	}
	s.MustCLI(t, "stepfunctions", "list-executions", "--state-machine-arn", smBase+"flow", "--status-filter", "SUCCEEDED").JSON(t, &list)
	if len(list.Executions) != 1 || list.Executions[0].Name != "run1" {
		t.Errorf("list SUCCEEDED = %+v", list)
	}
	s.MustCLI(t, "stepfunctions", "list-executions", "--state-machine-arn", smBase+"flow").JSON(t, &list)
	if len(list.Executions) != 2 || list.Executions[1].Name != "run1" {
		t.Errorf("list = %+v", list)
	}
	var forExec struct{ StateMachineArn, Name, Definition string }
	s.MustCLI(t, "stepfunctions", "describe-state-machine-for-execution", "--execution-arn", st.ExecutionArn).JSON(t, &forExec)
	if forExec.StateMachineArn != smBase+"flow" || forExec.Definition != def {
		t.Errorf("describe-state-machine-for-execution = %+v", forExec)
	}

	// Stop a waiting execution.
	createSM(t, c, "waits", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`, "")
	var st4 struct{ ExecutionArn string }
	s.MustCLI(t, "stepfunctions", "start-execution", "--state-machine-arn", smBase+"waits").JSON(t, &st4)
	var stop struct{ StopDate float64 }
	s.MustCLI(t, "stepfunctions", "stop-execution", "--execution-arn", st4.ExecutionArn, "--error", "Halt", "--cause", "by test").JSON(t, &stop)
	d, _ = c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(st4.ExecutionArn)})
	if stop.StopDate == 0 || d.Status != sfntypes.ExecutionStatusAborted || aws.ToString(d.Error) != "Halt" {
		t.Errorf("stopped = %+v %s %s", stop, d.Status, aws.ToString(d.Error))
	}
	if evs := history(t, c, st4.ExecutionArn); evs[len(evs)-1].Type != sfntypes.HistoryEventTypeExecutionAborted {
		t.Errorf("history after stop: %s", eventTypes(evs))
	}
	s.FailCLI(t, "ExecutionDoesNotExist", "stepfunctions", "describe-execution", "--execution-arn", exBase+"flow:nope")
	s.FailCLI(t, "InvalidArn", "stepfunctions", "describe-execution", "--execution-arn", "arn:aws:states:us-east-1:000000000000:bogus:x")
}

// Task tokens: the token reaches EventBridge and the CLI completes the task.
func TestSFNTaskTokenCLI(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	def := `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents.waitForTaskToken",
	"Parameters":{"Entries":[{"Source":"approvals","DetailType":"ask","Detail":{"token.$":"$$.Task.Token"}}]},"HeartbeatSeconds":600,"Next":"Done"},
	"Done":{"Type":"Pass","End":true}}}`
	arn := createSM(t, c, "approve", def, "")
	tok := func() (string, string) {
		st, err := c.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		var token string
		waitFor(t, 15*time.Second, "the task to be submitted", func() bool {
			for _, e := range history(t, c, aws.ToString(st.ExecutionArn)) {
				if e.TaskScheduledEventDetails != nil {
					var p struct {
						Entries []struct{ Detail struct{ Token string } }
					}
					json.Unmarshal([]byte(aws.ToString(e.TaskScheduledEventDetails.Parameters)), &p)
					token = p.Entries[0].Detail.Token
				}
				if e.Type == sfntypes.HistoryEventTypeTaskSubmitted {
					return token != ""
				}
			}
			return false
		})
		return aws.ToString(st.ExecutionArn), token
	}
	ex, token := tok()
	s.MustCLI(t, "stepfunctions", "send-task-heartbeat", "--task-token", token)
	s.MustCLI(t, "stepfunctions", "send-task-success", "--task-token", token, "--task-output", `{"approved":true}`)
	d := waitExec(t, c, ex, 15*time.Second)
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"approved":true}` {
		t.Errorf("after send-task-success: %s %s", d.Status, aws.ToString(d.Output))
	}
	s.FailCLI(t, "TaskDoesNotExist", "stepfunctions", "send-task-success", "--task-token", token, "--task-output", `{}`)
	s.FailCLI(t, "InvalidToken", "stepfunctions", "send-task-failure", "--task-token", "x")

	ex, token = tok()
	s.FailCLI(t, "InvalidOutput", "stepfunctions", "send-task-success", "--task-token", token, "--task-output", `{nope`)
	s.MustCLI(t, "stepfunctions", "send-task-failure", "--task-token", token, "--error", "Rejected", "--cause", "no")
	d = waitExec(t, c, ex, 15*time.Second)
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "Rejected" {
		t.Errorf("after send-task-failure: %s %s", d.Status, aws.ToString(d.Error))
	}
}

// Retry and Catch around a failing Python function; a plain function ARN
// task; the error name is the function's errorType.
func TestSFNRetryCatchLambda(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	fn := createPy(t, s, "boom", "def handler(event, context):\n    raise ValueError(\"bad value\")\n")
	createPy(t, s, "echo", "def handler(event, context):\n    return event\n")
	def := `{"StartAt":"Try","States":{
	"Try":{"Type":"Task","Resource":"` + fn + `","Retry":[{"ErrorEquals":["ValueError"],"IntervalSeconds":1,"MaxAttempts":1,"BackoffRate":1}],
	  "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Echo"}],"End":true},
	"Echo":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:echo","End":true}}}`
	arn := createSM(t, c, "retry", def, "")
	d := runSM(t, c, arn, `{"x":1}`)
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out struct {
		X   int
		Err struct{ Error, Cause string }
	}
	json.Unmarshal([]byte(aws.ToString(d.Output)), &out)
	if out.X != 1 || out.Err.Error != "ValueError" || !strings.Contains(out.Err.Cause, `"errorMessage": "bad value"`) && !strings.Contains(out.Err.Cause, `"errorMessage":"bad value"`) {
		t.Errorf("output = %s", aws.ToString(d.Output))
	}
	types := eventTypes(history(t, c, aws.ToString(d.ExecutionArn)))
	want := "ExecutionStarted,TaskStateEntered,LambdaFunctionScheduled,LambdaFunctionStarted,LambdaFunctionFailed,LambdaFunctionScheduled,LambdaFunctionStarted,LambdaFunctionFailed,TaskStateExited,TaskStateEntered,LambdaFunctionScheduled,LambdaFunctionStarted,LambdaFunctionSucceeded,TaskStateExited,ExecutionSucceeded"
	if types != want {
		t.Errorf("history = %s\nwant %s", types, want)
	}
}

// Every state type, in JSONPath and JSONata.
func TestSFNStateTypes(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	cases := []struct{ name, def, input, want string }{
		{"jsonpath", `{"StartAt":"P","States":{
		"P":{"Type":"Pass","Parameters":{"items.$":"$.items","sum":0},"Next":"Par"},
		"Par":{"Type":"Parallel","Branches":[
			{"StartAt":"B1","States":{"B1":{"Type":"Pass","Result":"one","End":true}}},
			{"StartAt":"B2","States":{"B2":{"Type":"Wait","Seconds":0,"Next":"B3"},"B3":{"Type":"Pass","Result":"two","End":true}}}],
			"ResultPath":"$.par","Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"Sq","States":{"Sq":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($,1)"},"End":true}}},"ResultPath":"$.mapped","Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.par[0]","StringEquals":"one","Next":"S"}],"Default":"F"},
		"F":{"Type":"Fail","Error":"E","Cause":"c"},
		"S":{"Type":"Succeed","OutputPath":"$.mapped"}}}`, `{"items":[1,2,3]}`, `[{"v":2},{"v":3},{"v":4}]`},
		{"jsonata", `{"QueryLanguage":"JSONata","StartAt":"P","States":{
		"P":{"Type":"Pass","Assign":{"n":"{% $states.input.n %}"},"Output":{"items":"{% [1,2,3] %}"},"Next":"Par"},
		"Par":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% 'b' %}","End":true}}}],"Output":"{% $states.result[0] %}","Next":"M"},
		"M":{"Type":"Map","Items":"{% [1,2] %}","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Output":"{% $states.input * 10 %}","End":true}}},"Next":"W"},
		"W":{"Type":"Wait","Seconds":"{% 0 %}","Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Condition":"{% $sum($states.input) = 30 %}","Next":"S"}],"Default":"F"},
		"F":{"Type":"Fail","Error":"{% 'Bad' %}"},
		"S":{"Type":"Succeed","Output":"{% {'n': $n, 'sum': $sum($states.input)} %}"}}}`, `{"n":7}`, `{"n":7,"sum":30}`},
		{"fail", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Custom","Cause":"why"}}}`, `{}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			arn := createSM(t, c, tc.name, tc.def, "")
			d := runSM(t, c, arn, tc.input)
			if tc.want == "" {
				if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "Custom" || aws.ToString(d.Cause) != "why" {
					t.Errorf("status %s error %s cause %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
				}
				return
			}
			if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != tc.want {
				t.Errorf("status %s output %s (error %s cause %s); want %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause), tc.want)
			}
		})
	}
}

// states:startExecution with .sync, .sync:2 and fire-and-forget.
func TestSFNNestedExecutions(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	child := createSM(t, c, "child", `{"StartAt":"C","States":{"C":{"Type":"Pass","Parameters":{"got.$":"$.v"},"End":true}}}`, "")
	def := `{"StartAt":"Sync","States":{
	"Sync":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"` + child + `","Input":{"v":1}},"ResultSelector":{"out.$":"$.Output","status.$":"$.Status"},"ResultPath":"$.a","Next":"Sync2"},
	"Sync2":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"` + child + `","Input":{"v":2}},"ResultSelector":{"out.$":"$.Output"},"ResultPath":"$.b","Next":"Fire"},
	"Fire":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn":"` + child + `","Input":{"v":3}},"ResultSelector":{"arn.$":"$.ExecutionArn"},"ResultPath":"$.c","End":true}}}`
	parent := createSM(t, c, "parent", def, "")
	d := runSM(t, c, parent, `{}`)
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out struct {
		A struct{ Out, Status string }
		B struct{ Out struct{ Got int } }
		C struct{ Arn string }
	}
	json.Unmarshal([]byte(aws.ToString(d.Output)), &out)
	if out.A.Out != `{"got":1}` || out.A.Status != "SUCCEEDED" || out.B.Out.Got != 2 || !strings.HasPrefix(out.C.Arn, exBase+"child:") {
		t.Errorf("output = %s", aws.ToString(d.Output))
	}
	if types := eventTypes(history(t, c, aws.ToString(d.ExecutionArn))); !strings.Contains(types, "TaskScheduled,TaskStarted,TaskSubmitted,TaskSucceeded") {
		t.Errorf(".sync history = %s", types)
	}
}

// DynamoDB integrations, the aws-sdk form and its error names, and redrive
// after the cause of a failure is fixed.
func TestSFNDynamoDBAndRedrive(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	def := `{"StartAt":"Put","States":{
	"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"orders","Item":{"id":{"S.$":"$.id"}}},"ResultPath":null,"Next":"Get"},
	"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:getItem","Parameters":{"TableName":"orders","Key":{"id":{"S.$":"$.id"}}},"ResultSelector":{"id.$":"$.Item.id.S"},"End":true}}}`
	arn := createSM(t, c, "ddb", def, "")
	d := runSM(t, c, arn, `{"id":"o1"}`)
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "DynamoDB.ResourceNotFoundException" {
		t.Fatalf("without the table: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	ddb := dynamodb.NewFromConfig(s.SDK())
	_, err := ddb.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String("orders"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}})
	if err != nil {
		t.Fatal(err)
	}
	var rd struct{ RedriveDate float64 }
	s.MustCLI(t, "stepfunctions", "redrive-execution", "--execution-arn", aws.ToString(d.ExecutionArn)).JSON(t, &rd)
	d = waitExec(t, c, aws.ToString(d.ExecutionArn), 10*time.Second)
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"id":"o1"}` || d.RedriveCount == nil || *d.RedriveCount != 1 || rd.RedriveDate == 0 {
		t.Fatalf("after redrive: %s %s %s %v", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause), d.RedriveCount)
	}
	evs := history(t, c, aws.ToString(d.ExecutionArn))
	types := eventTypes(evs)
	if !strings.Contains(types, "ExecutionFailed,ExecutionRedriven,TaskStateEntered") || !strings.HasSuffix(types, "ExecutionSucceeded") {
		t.Errorf("history = %s", types)
	}
	for i, e := range evs {
		if e.Id != int64(i+1) {
			t.Errorf("event %d has id %d", i, e.Id)
		}
	}
	s.FailCLI(t, "ExecutionNotRedrivable", "stepfunctions", "redrive-execution", "--execution-arn", aws.ToString(d.ExecutionArn))

	// aws-sdk error names: Service.ExceptionName in PascalCase.
	arn2 := createSM(t, c, "cond", `{"StartAt":"P","States":{"P":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:putItem",
	"Parameters":{"TableName":"orders","Item":{"id":{"S":"o1"}},"ConditionExpression":"attribute_not_exists(id)"},"End":true}}}`, "")
	d = runSM(t, c, arn2, `{}`)
	if aws.ToString(d.Error) != "DynamoDb.ConditionalCheckFailedException" {
		t.Errorf("aws-sdk error = %s", aws.ToString(d.Error))
	}
}

// TestState with the CLI and the SDK.
func TestSFNTestState(t *testing.T) {
	s := startServer(t)
	var out struct {
		Output, Status, NextState string
		InspectionData            struct{ Input, AfterInputPath, AfterParameters, Result, AfterResultPath string }
	}
	s.CLIEnv(t, cliSync, "stepfunctions", "test-state", "--definition", `{"Type":"Pass","InputPath":"$.a","Parameters":{"v.$":"$.b"},"ResultPath":"$.r","Next":"X"}`,
		"--role-arn", sfnRole, "--input", `{"a":{"b":5}}`, "--inspection-level", "DEBUG").JSON(t, &out)
	if out.Status != "SUCCEEDED" || out.NextState != "X" || out.Output != `{"a":{"b":5},"r":{"v":5}}` || out.InspectionData.AfterInputPath != `{"b":5}` || out.InspectionData.AfterParameters != `{"v":5}` {
		t.Errorf("test-state = %+v", out)
	}
	res, err := sfnClient(s).TestState(context.Background(), &sfn.TestStateInput{Definition: aws.String(`{"Type":"Fail","Error":"E","Cause":"C"}`), RoleArn: aws.String(sfnRole)})
	if err != nil || res.Status != sfntypes.TestExecutionStatusFailed || aws.ToString(res.Error) != "E" || aws.ToString(res.Cause) != "C" {
		t.Errorf("TestState Fail: %v %+v", err, res)
	}
}

// EXPRESS: StartSyncExecution from the SDK and the CLI, logs to CloudWatch
// Logs, and no listing.
func TestSFNExpress(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	s.MustCLI(t, "logs", "create-log-group", "--log-group-name", "/sfn/express")
	out, err := c.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("fast"), Type: sfntypes.StateMachineTypeExpress,
		RoleArn: aws.String(sfnRole), Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a,$.b)"},"End":true}}}`),
		LoggingConfiguration: &sfntypes.LoggingConfiguration{Level: sfntypes.LogLevelAll, IncludeExecutionData: true,
			Destinations: []sfntypes.LogDestination{{CloudWatchLogsLogGroup: &sfntypes.CloudWatchLogsLogGroup{LogGroupArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/sfn/express:*")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: out.StateMachineArn, Input: aws.String(`{"a":2,"b":3}`)})
	if err != nil || res.Status != sfntypes.SyncExecutionStatusSucceeded || aws.ToString(res.Output) != `{"sum":5}` ||
		!strings.HasPrefix(aws.ToString(res.ExecutionArn), "arn:aws:states:us-east-1:000000000000:express:fast:") {
		t.Fatalf("StartSyncExecution: %v %+v", err, res)
	}
	var cli struct{ Status, Output string }
	s.CLIEnv(t, cliSync, "stepfunctions", "start-sync-execution", "--state-machine-arn", aws.ToString(out.StateMachineArn), "--input", `{"a":1,"b":1}`).JSON(t, &cli)
	if cli.Status != "SUCCEEDED" || cli.Output != `{"sum":2}` {
		t.Errorf("CLI start-sync-execution = %+v", cli)
	}
	var found bool
	waitFor(t, 15*time.Second, "execution logs", func() bool {
		for _, m := range logMessages(t, s, "/sfn/express") {
			var rec struct {
				Type, Execution_arn string
				Details             map[string]any
			}
			if json.Unmarshal([]byte(m), &rec) == nil && rec.Type == "ExecutionSucceeded" && rec.Details["output"] == `{"sum":5}` {
				found = true
			}
		}
		return found
	})
	_, err = c.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(smBase + "nope")})
	if err == nil || !strings.Contains(err.Error(), "StateMachineDoesNotExist") {
		t.Errorf("unknown machine: %v", err)
	}
	s.FailCLI(t, "StateMachineTypeNotSupported", "stepfunctions", "list-executions", "--state-machine-arn", aws.ToString(out.StateMachineArn))
	r := s.FailCLI(t, "InvalidDefinition", "stepfunctions", "create-state-machine", "--name", "fast-sync", "--type", "EXPRESS", "--role-arn", sfnRole,
		"--definition", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","End":true}}}`)
	if !strings.Contains(r.Stderr, "'.sync'") {
		t.Errorf("EXPRESS with .sync: %s", r.Stderr)
	}

	// SDKs address StartSyncExecution to sync-HOST; the edge routes it by
	// X-Amz-Target whatever the Host header says.
	host := strings.TrimPrefix(s.URL, "http://")
	code, _, body := s.Do(t, "POST", "/", map[string]string{"Host": "sync-" + host, "X-Amz-Target": "AWSStepFunctions.StartSyncExecution",
		"Content-Type": "application/x-amz-json-1.0"}, strings.NewReader(`{"stateMachineArn":"`+aws.ToString(out.StateMachineArn)+`","input":"{\"a\":4,\"b\":4}"}`))
	if code != 200 || !strings.Contains(string(body), `"output":"{\"sum\":8}"`) {
		t.Errorf("sync- host: %d %s", code, body)
	}
}

// Executions started through an alias run the version it routes to.
func TestSFNAliasExecution(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	ctx := context.Background()
	arn := createSM(t, c, "ver", `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}}`, "")
	v1, _ := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(arn)})
	c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":2,"End":true}}}`)})
	al, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("live"),
		RoutingConfiguration: []sfntypes.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	d := runSM(t, c, aws.ToString(al.StateMachineAliasArn), `{}`)
	if aws.ToString(d.Output) != "1" || aws.ToString(d.StateMachineAliasArn) != arn+":live" || aws.ToString(d.StateMachineVersionArn) != arn+":1" {
		t.Errorf("alias run: output %s alias %s version %s", aws.ToString(d.Output), aws.ToString(d.StateMachineAliasArn), aws.ToString(d.StateMachineVersionArn))
	}
	if d := runSM(t, c, arn, `{}`); aws.ToString(d.Output) != "2" {
		t.Errorf("latest run output %s", aws.ToString(d.Output))
	}
	l, _ := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: al.StateMachineAliasArn})
	if len(l.Executions) != 1 {
		t.Errorf("executions of the alias: %d", len(l.Executions))
	}
}

// Seed 004: an execution's status change reaches a Python function through
// an EventBridge rule, and its log line reaches CloudWatch Logs.
func TestSFNStatusChangeToLambda(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	fn := createPy(t, s, "watcher", "import json\ndef lambda_handler(event, context):\n    print(\"Received event: \" + json.dumps(event))\nhandler = lambda_handler\n")
	s.MustCLI(t, "events", "put-rule", "--name", "sfn-status", "--event-pattern",
		`{"source":["aws.states"],"detail-type":["Step Functions Execution Status Change"],"detail":{"status":["SUCCEEDED","FAILED"]}}`)
	s.MustCLI(t, "lambda", "add-permission", "--function-name", "watcher", "--statement-id", "ev", "--action", "lambda:InvokeFunction",
		"--principal", "events.amazonaws.com", "--source-arn", "arn:aws:events:us-east-1:000000000000:rule/sfn-status")
	s.MustCLI(t, "events", "put-targets", "--rule", "sfn-status", "--targets", "Id=1,Arn="+fn)
	arn := createSM(t, c, "watched", `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"ok":true},"End":true}}}`, "")
	d := runSM(t, c, arn, `{"in":1}`)
	start := time.Now()
	var line string
	waitFor(t, 20*time.Second, "the function's log line", func() bool {
		for _, m := range logMessages(t, s, "/aws/lambda/watcher") {
			if strings.HasPrefix(m, "Received event: ") {
				line = m
				return true
			}
		}
		return false
	})
	t.Logf("status change → log line in %s", time.Since(start))
	var ev struct {
		Source     string   `json:"source"`
		DetailType string   `json:"detail-type"`
		Resources  []string `json:"resources"`
		Detail     struct {
			ExecutionArn, StateMachineArn, Name, Status, Input, Output string
			StartDate, StopDate                                        int64
			InputDetails                                               struct{ Included bool }
			Error                                                      *string
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(strings.TrimPrefix(line, "Received event: "))), &ev); err != nil {
		t.Fatalf("log line %q: %v", line, err)
	}
	if ev.Source != "aws.states" || ev.DetailType != "Step Functions Execution Status Change" || ev.Detail.Status != "SUCCEEDED" ||
		ev.Detail.ExecutionArn != aws.ToString(d.ExecutionArn) || ev.Detail.Output != `{"ok":true}` || ev.Detail.Input != `{"in":1}` ||
		ev.Detail.StopDate < ev.Detail.StartDate || ev.Detail.StartDate < 1e12 || len(ev.Resources) != 1 || ev.Resources[0] != ev.Detail.ExecutionArn || !ev.Detail.InputDetails.Included {
		t.Errorf("event = %+v", ev)
	}
}

// Seed 001, third way: a Step Functions loop calling a function until its
// result says stop.
func TestSFNLambdaLoop(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	createPy(t, s, "counter", "def handler(event, context):\n    n = event.get(\"count\", 0) + 1\n    return {\"count\": n, \"again\": n < 4}\n")
	def := `{"StartAt":"Run","States":{
	"Run":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"counter","Payload.$":"$"},"OutputPath":"$.Payload","Next":"Again?"},
	"Again?":{"Type":"Choice","Choices":[{"Variable":"$.again","BooleanEquals":true,"Next":"Run"}],"Default":"Done"},
	"Done":{"Type":"Succeed"}}}`
	arn := createSM(t, c, "loop", def, "")
	d := runSM(t, c, arn, `{}`)
	var res struct {
		Count int
		Again *bool
	}
	json.Unmarshal([]byte(aws.ToString(d.Output)), &res)
	if d.Status != sfntypes.ExecutionStatusSucceeded || res.Count != 4 || res.Again == nil || *res.Again {
		t.Errorf("loop: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	if n := strings.Count(eventTypes(history(t, c, aws.ToString(d.ExecutionArn))), "TaskSucceeded"); n != 4 {
		t.Errorf("%d invocations; want 4", n)
	}
}

// EventBridge rules can start executions.
func TestSFNEventBridgeTarget(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	arn := createSM(t, c, "fromrule", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, "")
	eb := eventbridge.NewFromConfig(s.SDK())
	ctx := context.Background()
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("go"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("go"), Targets: []ebtypes.Target{{Id: aws.String("sm"), Arn: aws.String(arn), RoleArn: aws.String(sfnRole)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app"), DetailType: aws.String("x"), Detail: aws.String(`{"k":1}`)}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "an execution started by the rule", func() bool {
		l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn), StatusFilter: sfntypes.ExecutionStatusSucceeded})
		if err != nil || len(l.Executions) != 1 {
			return false
		}
		d, _ := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: l.Executions[0].ExecutionArn})
		return strings.Contains(aws.ToString(d.Input), `"detail":{"k":1}`)
	})
}

// A STANDARD execution waiting in a Wait state, and one waiting for a task
// token, resume after kill -9 and a restart with the same data directory.
func TestSFNRestartResume(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir, "--time-scale", "20")
	c := sfnClient(s)
	ctx := context.Background()
	arn := createSM(t, c, "sleepy", `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"v":1},"Next":"W"},"W":{"Type":"Wait","Seconds":60,"Next":"B"},"B":{"Type":"Pass","End":true}}}`, "")
	tokArn := createSM(t, c, "tok", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents.waitForTaskToken",
	"Parameters":{"Entries":[{"Source":"x","DetailType":"y","Detail":{"t.$":"$$.Task.Token"}}]},"End":true}}}`, "")
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("e1")})
	if err != nil {
		t.Fatal(err)
	}
	st2, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(tokArn), Name: aws.String("t1")})
	if err != nil {
		t.Fatal(err)
	}
	var token string
	waitFor(t, 15*time.Second, "the wait state and the token", func() bool {
		ok := strings.Contains(eventTypes(history(t, c, aws.ToString(st.ExecutionArn))), "WaitStateEntered")
		for _, e := range history(t, c, aws.ToString(st2.ExecutionArn)) {
			if e.TaskScheduledEventDetails != nil {
				var p struct {
					Entries []struct{ Detail struct{ T string } }
				}
				json.Unmarshal([]byte(aws.ToString(e.TaskScheduledEventDetails.Parameters)), &p)
				token = p.Entries[0].Detail.T
			}
		}
		return ok && token != ""
	})
	time.Sleep(200 * time.Millisecond) // let the checkpoint reach the disk
	s.Kill()
	s2 := startServer(t, "--data-dir", dir, "--time-scale", "20")
	c2 := sfnClient(s2)
	if _, err := c2.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"ok":1}`)}); err != nil {
		t.Fatalf("SendTaskSuccess with the token issued before the restart: %v", err)
	}
	d := waitExec(t, c2, aws.ToString(st.ExecutionArn), 15*time.Second)
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"v":1}` {
		t.Errorf("resumed wait: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	d = waitExec(t, c2, aws.ToString(st2.ExecutionArn), 15*time.Second)
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"ok":1}` {
		t.Errorf("resumed token task: %s %s", d.Status, aws.ToString(d.Output))
	}
	types := eventTypes(history(t, c2, aws.ToString(st.ExecutionArn)))
	if !strings.HasPrefix(types, "ExecutionStarted,PassStateEntered,PassStateExited,WaitStateEntered") || !strings.HasSuffix(types, "ExecutionSucceeded") {
		t.Errorf("history after resume = %s", types)
	}
	_ = os.Getenv
}

// A Distributed Map reads its items from S3 (JSON and CSV); aws-sdk:s3
// writes and reads objects and names S3 errors with the Exception suffix.
func TestSFNS3(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	s.MustCLI(t, "s3api", "create-bucket", "--bucket", "items")
	s.MustCLI(t, "s3api", "put-object", "--bucket", "items", "--key", "list.json", "--body", writeTemp(t, "list.json", []byte(`[{"n":1},{"n":2},{"n":3}]`)))
	s.MustCLI(t, "s3api", "put-object", "--bucket", "items", "--key", "rows.csv", "--body", writeTemp(t, "rows.csv", []byte("name,qty\na,1\nb,2\n")))
	def := `{"StartAt":"J","States":{
	"J":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"items","Key":"list.json"}},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"D","States":{"D":{"Type":"Pass","Parameters":{"d.$":"States.MathAdd($.n,$.n)"},"End":true}}},
	  "ResultPath":"$.json","Next":"C"},
	"C":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},"Parameters":{"Bucket":"items","Key":"rows.csv"}},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"E","States":{"E":{"Type":"Pass","Parameters":{"k.$":"$.name"},"End":true}}},
	  "ResultPath":"$.csv","Next":"Put"},
	"Put":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:putObject","Parameters":{"Bucket":"items","Key":"out.txt","Body":"hello"},"ResultPath":null,"Next":"Get"},
	"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"items","Key":"out.txt"},"ResultSelector":{"body.$":"$.Body"},"ResultPath":"$.got","Next":"Missing"},
	"Missing":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"items","Key":"nope"},
	  "Catch":[{"ErrorEquals":["S3.NoSuchKeyException"],"ResultPath":"$.err","Next":"Done"}],"End":true},
	"Done":{"Type":"Pass","End":true}}}`
	d := runSM(t, c, createSM(t, c, "reader", def, ""), `{}`)
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out struct {
		JSON []struct{ D int }
		CSV  []struct{ K string }
		Got  struct{ Body string }
		Err  struct{ Error string }
	}
	json.Unmarshal([]byte(aws.ToString(d.Output)), &out)
	if len(out.JSON) != 3 || out.JSON[2].D != 6 || len(out.CSV) != 2 || out.CSV[1].K != "b" || out.Got.Body != "hello" || out.Err.Error != "S3.NoSuchKeyException" {
		t.Errorf("output = %s", aws.ToString(d.Output))
	}
}

// An activity worker takes the task with the CLI and completes it.
func TestSFNActivityCLI(t *testing.T) {
	s := startServer(t)
	c := sfnClient(s)
	var act struct{ ActivityArn string }
	s.MustCLI(t, "stepfunctions", "create-activity", "--name", "review").JSON(t, &act)
	arn := createSM(t, c, "reviewed", `{"StartAt":"R","States":{"R":{"Type":"Task","Resource":"`+act.ActivityArn+`","End":true}}}`, "")
	st, err := c.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`{"doc":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	var task struct{ TaskToken, Input string }
	s.MustCLI(t, "stepfunctions", "get-activity-task", "--activity-arn", act.ActivityArn, "--worker-name", "bob").JSON(t, &task)
	if task.TaskToken == "" || task.Input != `{"doc":7}` {
		t.Fatalf("get-activity-task = %+v", task)
	}
	s.MustCLI(t, "stepfunctions", "send-task-success", "--task-token", task.TaskToken, "--task-output", `{"ok":1}`)
	d := waitExec(t, c, aws.ToString(st.ExecutionArn), 15*time.Second)
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"ok":1}` {
		t.Errorf("execution: %s %s", d.Status, aws.ToString(d.Output))
	}
	var list struct{ Activities []struct{ Name string } }
	s.MustCLI(t, "stepfunctions", "list-activities").JSON(t, &list)
	if len(list.Activities) != 1 || list.Activities[0].Name != "review" {
		t.Errorf("list-activities = %+v", list)
	}
	s.MustCLI(t, "stepfunctions", "delete-activity", "--activity-arn", act.ActivityArn)
	s.FailCLI(t, "ActivityDoesNotExist", "stepfunctions", "describe-activity", "--activity-arn", act.ActivityArn)
}
