package codepipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/codepipeline"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// fakeLambda records Event invocations; onInvoke, when set, runs for each.
type fakeLambda struct {
	mu       sync.Mutex
	payloads [][]byte
	onInvoke func(payload []byte)
	err      error
}

func (f *fakeLambda) InvokeAsync(ctx context.Context, account, region, function string, payload []byte) error {
	f.mu.Lock()
	f.payloads = append(f.payloads, payload)
	cb, err := f.onInvoke, f.err
	f.mu.Unlock()
	if err != nil {
		return err
	}
	if cb != nil {
		go cb(payload)
	}
	return nil
}

func (f *fakeLambda) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.payloads)
}

func (f *fakeLambda) last() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.payloads[len(f.payloads)-1]
}

// fakeS3 is a versioned object store.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string][]byte // bucket/key
	version int
}

func (f *fakeS3) GetObject(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, codepipeline.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.objects[bucket+"/"+key]
	if !ok {
		return nil, codepipeline.Object{}, edge.Errorf("NoSuchKey", "The specified key does not exist.")
	}
	return b, codepipeline.Object{Bucket: bucket, Key: key, VersionID: fmt.Sprintf("v%d", f.version), ETag: `"etag"`}, nil
}

func (f *fakeS3) PutObject(ctx context.Context, account, region, bucket, key string, body []byte) (codepipeline.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version++
	f.objects[bucket+"/"+key] = body
	return codepipeline.Object{Bucket: bucket, Key: key, VersionID: fmt.Sprintf("v%d", f.version)}, nil
}

type event struct {
	DetailType string
	Detail     map[string]any
}

type fakeBus struct {
	mu     sync.Mutex
	events []event
}

func (f *fakeBus) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	var d map[string]any
	if err := json.Unmarshal(detail, &d); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, event{detailType, d})
	return nil
}

// states lists "detail-type-suffix:stage/action:state" for each event.
func (f *fakeBus) states() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.events {
		kind := strings.Fields(e.DetailType)[1]
		where := ""
		if st, ok := e.Detail["stage"].(string); ok {
			where = st
		}
		if a, ok := e.Detail["action"].(string); ok {
			where += "/" + a
		}
		out = append(out, kind+":"+where+":"+e.Detail["state"].(string))
	}
	return out
}

type harness struct {
	t   testing.TB
	svc *codepipeline.Service
	st  store.Store
	clk *clock.Fake
	fn  *fakeLambda
	s3  *fakeS3
	bus *fakeBus
	ctx context.Context
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newHarness(t testing.TB) *harness {
	h := &harness{t: t, st: store.NewMem(), clk: clock.NewFake(t0), fn: &fakeLambda{},
		s3: &fakeS3{objects: map[string][]byte{"src/app.zip": []byte("zip")}}, bus: &fakeBus{}}
	h.ctx = edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", Region: "us-east-1"})
	h.restart()
	return h
}

// restart builds a new service over the same store, as after a process restart.
func (h *harness) restart() {
	if h.svc != nil {
		h.svc.Close(context.Background())
	}
	h.svc = codepipeline.New(codepipeline.Config{Store: h.st, Clock: h.clk, Functions: h.fn, Objects: h.s3, Events: h.bus})
	if err := h.svc.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { h.svc.Close(context.Background()) })
}

func (h *harness) call(op string, in any) (map[string]any, error) {
	h.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		h.t.Fatal(err)
	}
	out, err := h.svc.Op(op)(h.ctx, body)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(out)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return m, nil
}

func (h *harness) must(op string, in any) map[string]any {
	h.t.Helper()
	out, err := h.call(op, in)
	if err != nil {
		h.t.Fatalf("%s: %v", op, err)
	}
	return out
}

func (h *harness) fail(code, op string, in any) string {
	h.t.Helper()
	_, err := h.call(op, in)
	var e *edge.Error
	if !errors.As(err, &e) || e.Code != code {
		h.t.Fatalf("%s: err = %v; want %s", op, err, code)
	}
	return e.Message
}

// waitStatus polls the newest execution until it has status want.
func (h *harness) waitStatus(name, want string) map[string]any {
	h.t.Helper()
	var last map[string]any
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		out := h.must("ListPipelineExecutions", map[string]any{"pipelineName": name})
		sums := out["pipelineExecutionSummaries"].([]any)
		if len(sums) > 0 {
			last = sums[0].(map[string]any)
			if last["status"] == want {
				return last
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	h.t.Fatalf("execution of %s: last summary %v; want status %s", name, last, want)
	return nil
}

func (h *harness) waitInvokes(n int) {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); h.fn.count() < n && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	if h.fn.count() < n {
		h.t.Fatalf("invocations = %d; want %d", h.fn.count(), n)
	}
}

func action(name, category, provider string, cfg map[string]string, in, out []string) map[string]any {
	a := map[string]any{"name": name, "actionTypeId": map[string]string{"category": category, "owner": "AWS", "provider": provider, "version": "1"},
		"configuration": cfg}
	var ins, outs []map[string]string
	for _, n := range in {
		ins = append(ins, map[string]string{"name": n})
	}
	for _, n := range out {
		outs = append(outs, map[string]string{"name": n})
	}
	a["inputArtifacts"], a["outputArtifacts"] = ins, outs
	return a
}

func source() map[string]any {
	return map[string]any{"name": "Source", "actions": []any{action("Src", "Source", "S3",
		map[string]string{"S3Bucket": "src", "S3ObjectKey": "app.zip"}, nil, []string{"SourceArtifact"})}}
}

func lambdaStage(name string, actions ...map[string]any) map[string]any {
	var list []any
	for _, a := range actions {
		list = append(list, a)
	}
	return map[string]any{"name": name, "actions": list}
}

func invoke(name string) map[string]any {
	return action(name, "Invoke", "Lambda", map[string]string{"FunctionName": "fn-" + name}, []string{"SourceArtifact"}, nil)
}

func pipeline(name string, stages ...map[string]any) map[string]any {
	var list []any
	for _, s := range stages {
		list = append(list, s)
	}
	return map[string]any{"pipeline": map[string]any{"name": name, "roleArn": "arn:aws:iam::123456789012:role/cp",
		"artifactStore": map[string]string{"type": "S3", "location": "artifacts"}, "stages": list}}
}

type jobEvent struct {
	Job struct {
		ID        string `json:"id"`
		AccountID string `json:"accountId"`
		Data      struct {
			ActionConfiguration struct {
				Configuration map[string]string `json:"configuration"`
			} `json:"actionConfiguration"`
			InputArtifacts []struct {
				Name     string  `json:"name"`
				Revision *string `json:"revision"`
				Location struct {
					Type       string `json:"type"`
					S3Location struct {
						BucketName string `json:"bucketName"`
						ObjectKey  string `json:"objectKey"`
					} `json:"s3Location"`
				} `json:"location"`
			} `json:"inputArtifacts"`
			OutputArtifacts     []any          `json:"outputArtifacts"`
			ArtifactCredentials map[string]any `json:"artifactCredentials"`
			ContinuationToken   string         `json:"continuationToken"`
		} `json:"data"`
	} `json:"CodePipeline.job"`
}

func decodeJob(t testing.TB, payload []byte) jobEvent {
	var ev jobEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatalf("decode %s: %v", payload, err)
	}
	return ev
}

func TestLambdaActionSucceeds(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	ev := decodeJob(t, h.fn.last())
	if ev.Job.AccountID != "123456789012" || ev.Job.Data.ActionConfiguration.Configuration["FunctionName"] != "fn-Run" {
		t.Fatalf("job event = %s", h.fn.last())
	}
	in := ev.Job.Data.InputArtifacts
	if len(in) != 1 || in[0].Name != "SourceArtifact" || in[0].Location.Type != "S3" ||
		in[0].Location.S3Location.BucketName != "artifacts" || !strings.HasPrefix(in[0].Location.S3Location.ObjectKey, "p/SourceArti/") {
		t.Fatalf("input artifacts = %+v", in)
	}
	if in[0].Revision == nil || *in[0].Revision != "v0" {
		t.Fatalf("input revision = %v; want v0", in[0].Revision)
	}
	// The source object was copied to the artifact store under that key.
	if got := string(h.s3.objects["artifacts/"+in[0].Location.S3Location.ObjectKey]); got != "zip" {
		t.Fatalf("artifact body = %q; want zip", got)
	}
	h.must("PutJobSuccessResult", map[string]any{"jobId": ev.Job.ID, "outputVariables": map[string]string{"result": "ok"},
		"executionDetails": map[string]any{"summary": "all good", "externalExecutionId": "run-1"}})
	sum := h.waitStatus("p", "Succeeded")
	if sum["trigger"].(map[string]any)["triggerType"] != "CreatePipeline" {
		t.Fatalf("trigger = %v", sum["trigger"])
	}
	msg := h.fail("InvalidJobStateException", "PutJobSuccessResult", map[string]any{"jobId": ev.Job.ID})
	if !strings.Contains(msg, "Succeeded") {
		t.Fatalf("message = %q", msg)
	}
	h.fail("JobNotFoundException", "PutJobSuccessResult", map[string]any{"jobId": "00000000-0000-0000-0000-000000000000"})
	want := []string{
		"Pipeline::STARTED", "Stage:Source:STARTED", "Action:Source/Src:STARTED", "Action:Source/Src:SUCCEEDED", "Stage:Source:SUCCEEDED",
		"Stage:Test:STARTED", "Action:Test/Run:STARTED", "Action:Test/Run:SUCCEEDED", "Stage:Test:SUCCEEDED", "Pipeline::SUCCEEDED",
	}
	if got := h.bus.states(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events = %v; want %v", got, want)
	}
	acts := h.must("ListActionExecutions", map[string]any{"pipelineName": "p"})["actionExecutionDetails"].([]any)
	run := acts[0].(map[string]any)
	out := run["output"].(map[string]any)
	if run["actionName"] != "Run" || out["outputVariables"].(map[string]any)["result"] != "ok" ||
		out["executionResult"].(map[string]any)["externalExecutionId"] != "run-1" {
		t.Fatalf("action execution = %v", run)
	}
}

func TestLambdaActionFailsWithMessage(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	id := decodeJob(t, h.fn.last()).Job.ID
	h.must("PutJobFailureResult", map[string]any{"jobId": id, "failureDetails": map[string]string{"type": "JobFailed", "message": "tests failed"}})
	sum := h.waitStatus("p", "Failed")
	if sum["statusSummary"] != "tests failed" {
		t.Fatalf("statusSummary = %v", sum["statusSummary"])
	}
	state := h.must("GetPipelineState", map[string]any{"name": "p"})
	latest := state["stageStates"].([]any)[1].(map[string]any)["actionStates"].([]any)[0].(map[string]any)["latestExecution"].(map[string]any)
	if latest["status"] != "Failed" || latest["errorDetails"].(map[string]any)["message"] != "tests failed" || latest["errorDetails"].(map[string]any)["code"] != "JobFailed" {
		t.Fatalf("latestExecution = %v", latest)
	}
	h.fail("InvalidJobStateException", "PutJobFailureResult", map[string]any{"jobId": id, "failureDetails": map[string]string{"type": "JobFailed", "message": "again"}})
}

func TestLambdaActionTimesOut(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	id := decodeJob(t, h.fn.last()).Job.ID
	h.clk.Advance(19 * time.Minute)
	h.waitStatus("p", "InProgress")
	h.clk.Advance(time.Minute)
	h.waitStatus("p", "Failed")
	state := h.must("GetPipelineState", map[string]any{"name": "p"})
	latest := state["stageStates"].([]any)[1].(map[string]any)["actionStates"].([]any)[0].(map[string]any)["latestExecution"].(map[string]any)
	msg := latest["errorDetails"].(map[string]any)["message"].(string)
	if !strings.Contains(msg, "fn-Run failed to return a result") {
		t.Fatalf("message = %q", msg)
	}
	h.fail("InvalidJobStateException", "PutJobSuccessResult", map[string]any{"jobId": id})
}

func TestContinuationTokenReinvokes(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	first := decodeJob(t, h.fn.last())
	if first.Job.Data.ContinuationToken != "" {
		t.Fatalf("first job has continuation token %q", first.Job.Data.ContinuationToken)
	}
	h.must("PutJobSuccessResult", map[string]any{"jobId": first.Job.ID, "continuationToken": "step-2",
		"executionDetails": map[string]any{"summary": "half way", "percentComplete": 50}})
	h.waitInvokes(2)
	second := decodeJob(t, h.fn.last())
	if second.Job.Data.ContinuationToken != "step-2" || second.Job.ID == first.Job.ID {
		t.Fatalf("second job = %+v", second.Job)
	}
	h.waitStatus("p", "InProgress")
	h.must("PutJobSuccessResult", map[string]any{"jobId": second.Job.ID})
	h.waitStatus("p", "Succeeded")
}

func TestManualApprovalAndVariables(t *testing.T) {
	h := newHarness(t)
	src := source()
	src["actions"].([]any)[0].(map[string]any)["namespace"] = "SourceVariables"
	gate := action("Gate", "Approval", "Manual", map[string]string{"CustomData": "version #{SourceVariables.VersionId} of #{codepipeline.PipelineExecutionId}"}, nil, nil)
	h.must("CreatePipeline", pipeline("p", src, lambdaStage("Approve", gate)))
	var token string
	for deadline := time.Now().Add(10 * time.Second); token == "" && time.Now().Before(deadline); {
		state := h.must("GetPipelineState", map[string]any{"name": "p"})
		if le, ok := state["stageStates"].([]any)[1].(map[string]any)["actionStates"].([]any)[0].(map[string]any)["latestExecution"].(map[string]any); ok {
			token, _ = le["token"].(string)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if token == "" {
		t.Fatal("no approval token")
	}
	h.fail("InvalidApprovalTokenException", "PutApprovalResult", map[string]any{"pipelineName": "p", "stageName": "Approve", "actionName": "Gate",
		"result": map[string]string{"summary": "x", "status": "Approved"}, "token": "00000000-0000-0000-0000-000000000000"})
	h.must("PutApprovalResult", map[string]any{"pipelineName": "p", "stageName": "Approve", "actionName": "Gate",
		"result": map[string]string{"summary": "looks good", "status": "Rejected"}, "token": token})
	h.fail("ApprovalAlreadyCompletedException", "PutApprovalResult", map[string]any{"pipelineName": "p", "stageName": "Approve", "actionName": "Gate",
		"result": map[string]string{"summary": "x", "status": "Approved"}, "token": token})
	sum := h.waitStatus("p", "Failed")
	acts := h.must("ListActionExecutions", map[string]any{"pipelineName": "p"})["actionExecutionDetails"].([]any)
	resolved := acts[0].(map[string]any)["input"].(map[string]any)["resolvedConfiguration"].(map[string]any)["CustomData"]
	if want := "version v0 of " + sum["pipelineExecutionId"].(string); resolved != want {
		t.Fatalf("resolved CustomData = %q; want %q", resolved, want)
	}
}

func TestParallelActionsAndRunOrder(t *testing.T) {
	h := newHarness(t)
	a, b, c := invoke("A"), invoke("B"), invoke("C")
	c["runOrder"] = 2
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", a, b, c)))
	h.waitInvokes(2)
	time.Sleep(10 * time.Millisecond)
	if h.fn.count() != 2 {
		t.Fatalf("invocations before runOrder 1 ends = %d; want 2", h.fn.count())
	}
	h.fn.mu.Lock()
	ids := []string{decodeJob(t, h.fn.payloads[0]).Job.ID, decodeJob(t, h.fn.payloads[1]).Job.ID}
	h.fn.mu.Unlock()
	h.must("PutJobSuccessResult", map[string]any{"jobId": ids[0]})
	time.Sleep(10 * time.Millisecond)
	if h.fn.count() != 2 {
		t.Fatalf("runOrder 2 started before runOrder 1 finished")
	}
	h.must("PutJobSuccessResult", map[string]any{"jobId": ids[1]})
	h.waitInvokes(3)
	h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
	h.waitStatus("p", "Succeeded")
}

func TestStopAndRetry(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	exec := h.waitStatus("p", "InProgress")["pipelineExecutionId"].(string)
	h.must("StopPipelineExecution", map[string]any{"pipelineName": "p", "pipelineExecutionId": exec, "abandon": true, "reason": "enough"})
	sum := h.waitStatus("p", "Stopped")
	if sum["stopTrigger"].(map[string]any)["reason"] != "enough" {
		t.Fatalf("stopTrigger = %v", sum["stopTrigger"])
	}
	h.fail("PipelineExecutionNotStoppableException", "StopPipelineExecution", map[string]any{"pipelineName": "p", "pipelineExecutionId": exec})
	h.fail("StageNotRetryableException", "RetryStageExecution", map[string]any{"pipelineName": "p", "pipelineExecutionId": exec, "stageName": "Source", "retryMode": "FAILED_ACTIONS"})
	h.must("RetryStageExecution", map[string]any{"pipelineName": "p", "pipelineExecutionId": exec, "stageName": "Test", "retryMode": "FAILED_ACTIONS"})
	h.waitInvokes(2)
	h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
	h.waitStatus("p", "Succeeded")
	acts := h.must("ListActionExecutions", map[string]any{"pipelineName": "p", "filter": map[string]string{"pipelineExecutionId": exec}})["actionExecutionDetails"].([]any)
	var statuses []string
	for _, a := range acts {
		statuses = append(statuses, a.(map[string]any)["actionName"].(string)+"="+a.(map[string]any)["status"].(string))
	}
	if got := strings.Join(statuses, ","); got != "Run=Succeeded,Run=Abandoned,Src=Succeeded" {
		t.Fatalf("action executions = %s", got)
	}
	h.bus.mu.Lock()
	last := h.bus.events[len(h.bus.events)-1]
	h.bus.mu.Unlock()
	if last.Detail["state"] != "SUCCEEDED" || last.Detail["pipeline-execution-attempt"] != float64(2) {
		t.Fatalf("last event = %v; want SUCCEEDED on attempt 2", last.Detail)
	}
}

func TestDisabledTransitionHoldsExecution(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
	h.waitStatus("p", "Succeeded")
	h.must("DisableStageTransition", map[string]any{"pipelineName": "p", "stageName": "Test", "transitionType": "Inbound", "reason": "freeze"})
	h.must("StartPipelineExecution", map[string]any{"name": "p"})
	h.waitStatus("p", "InProgress")
	state := h.must("GetPipelineState", map[string]any{"name": "p"})
	test := state["stageStates"].([]any)[1].(map[string]any)
	if test["inboundTransitionState"].(map[string]any)["enabled"] != false || test["inboundExecution"] == nil {
		t.Fatalf("Test stage state = %v", test)
	}
	if h.fn.count() != 1 {
		t.Fatal("Test stage ran through a disabled transition")
	}
	h.must("EnableStageTransition", map[string]any{"pipelineName": "p", "stageName": "Test", "transitionType": "Inbound"})
	h.waitInvokes(2)
	h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
	h.waitStatus("p", "Succeeded")
}

func TestSupersededWhileWaiting(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	second := h.must("StartPipelineExecution", map[string]any{"name": "p"})["pipelineExecutionId"]
	third := h.must("StartPipelineExecution", map[string]any{"name": "p"})["pipelineExecutionId"]
	ex := h.must("GetPipelineExecution", map[string]any{"pipelineName": "p", "pipelineExecutionId": second})["pipelineExecution"].(map[string]any)
	if ex["status"] != "Superseded" {
		t.Fatalf("second execution status = %v; want Superseded", ex["status"])
	}
	h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
	h.waitInvokes(2)
	h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
	ex = h.waitStatus("p", "Succeeded")
	if ex["pipelineExecutionId"] != third {
		t.Fatalf("newest execution = %v; want %v", ex["pipelineExecutionId"], third)
	}
}

func TestResumeAfterRestart(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.waitInvokes(1)
	id := decodeJob(t, h.fn.last()).Job.ID
	h.restart()
	// The waiting job survives and its deadline is re-armed.
	h.clk.Advance(10 * time.Minute)
	h.must("GetJobDetails", map[string]any{"jobId": id})
	h.clk.Advance(10 * time.Minute)
	h.waitStatus("p", "Failed")
}

func TestCustomActionJobWorker(t *testing.T) {
	h := newHarness(t)
	typ := map[string]string{"category": "Build", "owner": "Custom", "provider": "MyBuilder", "version": "1"}
	h.must("CreateCustomActionType", map[string]any{"category": "Build", "provider": "MyBuilder", "version": "1",
		"inputArtifactDetails": map[string]int{"minimumCount": 1, "maximumCount": 1}, "outputArtifactDetails": map[string]int{"minimumCount": 0, "maximumCount": 1}})
	build := map[string]any{"name": "Build", "actionTypeId": typ, "inputArtifacts": []any{map[string]string{"name": "SourceArtifact"}}}
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Build", build)))
	var jobs []any
	for deadline := time.Now().Add(10 * time.Second); len(jobs) == 0 && time.Now().Before(deadline); {
		jobs = h.must("PollForJobs", map[string]any{"actionTypeId": typ})["jobs"].([]any)
		time.Sleep(2 * time.Millisecond)
	}
	if len(jobs) != 1 {
		t.Fatalf("jobs = %v", jobs)
	}
	job := jobs[0].(map[string]any)
	h.fail("InvalidNonceException", "AcknowledgeJob", map[string]any{"jobId": job["id"], "nonce": "nope"})
	if st := h.must("AcknowledgeJob", map[string]any{"jobId": job["id"], "nonce": job["nonce"]})["status"]; st != "InProgress" {
		t.Fatalf("acknowledged status = %v", st)
	}
	if again := h.must("PollForJobs", map[string]any{"actionTypeId": typ})["jobs"].([]any); len(again) != 0 {
		t.Fatalf("job handed out twice: %v", again)
	}
	h.must("PutJobSuccessResult", map[string]any{"jobId": job["id"]})
	h.waitStatus("p", "Succeeded")
	types := h.must("ListActionTypes", map[string]any{"actionOwnerFilter": "Custom"})["actionTypes"].([]any)
	if len(types) != 1 {
		t.Fatalf("custom action types = %v", types)
	}
}

func TestValidationMessages(t *testing.T) {
	h := newHarness(t)
	deploy := action("Deploy", "Deploy", "S3", map[string]string{"BucketName": "b", "Extract": "true"}, nil, nil)
	tests := []struct {
		name  string
		in    map[string]any
		code  string
		match string
	}{
		{"one stage", pipeline("p", source()), "InvalidStructureException", "Pipeline has only 1 stage(s). There should be a minimum of 2 stages in a pipeline"},
		{"first stage not source", pipeline("p", lambdaStage("Test", invoke("Run")), source()), "InvalidStructureException", "Pipeline should start with a stage that only contains source actions"},
		{"input count", pipeline("p", source(), lambdaStage("Deploy", deploy)), "InvalidActionDeclarationException", "Action Deploy declares 0 input artifacts which is less than the minimum count (1)"},
		{"unknown provider", pipeline("p", source(), lambdaStage("Test", action("X", "Build", "Jenkins", nil, []string{"SourceArtifact"}, nil))), "InvalidActionDeclarationException",
			"ActionType (Category: 'Build', Provider: 'Jenkins', Owner: 'AWS', Version: '1') in action 'X' is not available in region 'US_EAST_1'"},
		{"missing configuration", pipeline("p", source(), lambdaStage("Test", action("X", "Invoke", "Lambda", nil, nil, nil))), "InvalidActionDeclarationException",
			"Action configuration for action 'X' is missing required configuration 'FunctionName'"},
		{"undeclared artifact", pipeline("p", source(), lambdaStage("Test", action("X", "Invoke", "Lambda", map[string]string{"FunctionName": "f"}, []string{"Nope"}, nil))),
			"InvalidStructureException", "input artifact Nope of action X"},
		{"duplicate stage", pipeline("p", source(), lambdaStage("Source", invoke("Run"))), "InvalidStructureException", "more than one stage with the name: Source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := h.fail(tc.code, "CreatePipeline", tc.in)
			if !strings.Contains(msg, tc.match) {
				t.Fatalf("CreatePipeline(%s) = %q; want %q", tc.name, msg, tc.match)
			}
		})
	}
	bad := pipeline("p", source(), lambdaStage("Test", invoke("Run")))
	bad["pipeline"].(map[string]any)["roleArn"] = "role"
	if msg := h.fail("ValidationException", "CreatePipeline", bad); !strings.Contains(msg, "at 'pipeline.roleArn'") {
		t.Fatalf("roleArn message = %q", msg)
	}
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	h.fail("PipelineNameInUseException", "CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
}

func TestPipelineCRUDAndTags(t *testing.T) {
	h := newHarness(t)
	in := pipeline("p", source(), lambdaStage("Test", invoke("Run")))
	in["tags"] = []map[string]string{{"key": "team", "value": "a"}}
	h.must("CreatePipeline", in)
	in["pipeline"].(map[string]any)["stages"].([]any)[1].(map[string]any)["name"] = "Check"
	delete(in, "tags")
	if v := h.must("UpdatePipeline", in)["pipeline"].(map[string]any)["version"]; v != float64(2) {
		t.Fatalf("updated version = %v; want 2", v)
	}
	got := h.must("GetPipeline", map[string]any{"name": "p"})
	arn := got["metadata"].(map[string]any)["pipelineArn"]
	if arn != "arn:aws:codepipeline:us-east-1:123456789012:p" {
		t.Fatalf("pipelineArn = %v", arn)
	}
	v1 := h.must("GetPipeline", map[string]any{"name": "p", "version": 1})["pipeline"].(map[string]any)
	if v1["stages"].([]any)[1].(map[string]any)["name"] != "Test" {
		t.Fatalf("version 1 = %v", v1)
	}
	h.fail("PipelineVersionNotFoundException", "GetPipeline", map[string]any{"name": "p", "version": 9})
	h.must("TagResource", map[string]any{"resourceArn": arn, "tags": []map[string]string{{"key": "env", "value": "dev"}}})
	h.must("UntagResource", map[string]any{"resourceArn": arn, "tagKeys": []string{"team"}})
	tags := h.must("ListTagsForResource", map[string]any{"resourceArn": arn})["tags"].([]any)
	if len(tags) != 1 || tags[0].(map[string]any)["key"] != "env" {
		t.Fatalf("tags = %v", tags)
	}
	h.must("DeletePipeline", map[string]any{"name": "p"})
	h.fail("PipelineNotFoundException", "GetPipeline", map[string]any{"name": "p"})
	if n := len(h.must("ListPipelines", map[string]any{})["pipelines"].([]any)); n != 0 {
		t.Fatalf("pipelines after delete = %d", n)
	}
}

// BenchmarkExecution measures start → Succeeded through an S3 source and a
// Lambda action whose function reports at once.
func BenchmarkExecution(b *testing.B) {
	h := newHarness(b)
	done := make(chan struct{}, 1)
	h.fn.onInvoke = func(payload []byte) {
		var ev jobEvent
		json.Unmarshal(payload, &ev)
		h.svc.Op("PutJobSuccessResult")(h.ctx, []byte(`{"jobId":"`+ev.Job.ID+`"}`))
		done <- struct{}{}
	}
	if _, err := h.call("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run")))); err != nil {
		b.Fatal(err)
	}
	<-done
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.call("StartPipelineExecution", map[string]any{"name": "p"}); err != nil {
			b.Fatal(err)
		}
		<-done
	}
}

type fakeDeployments struct {
	status string
	got    []string
}

func (f *fakeDeployments) CreateDeployment(ctx context.Context, account, region, application, group, bucket, key, bundleType string,
	done func(id, status, message string)) (string, error) {
	f.got = append(f.got, application+"/"+group+"@"+bucket+"/"+key)
	go done("d-123", f.status, "hook failed")
	return "d-123", nil
}

func TestCodeDeployAction(t *testing.T) {
	for _, status := range []string{"Succeeded", "Failed"} {
		t.Run(status, func(t *testing.T) {
			h := newHarness(t)
			deps := &fakeDeployments{status: status}
			h.svc.Close(context.Background())
			h.svc = codepipeline.New(codepipeline.Config{Store: h.st, Clock: h.clk, Functions: h.fn, Objects: h.s3, Events: h.bus, Deployments: deps})
			deploy := action("Deploy", "Deploy", "CodeDeploy", map[string]string{"ApplicationName": "app", "DeploymentGroupName": "prod"}, []string{"SourceArtifact"}, nil)
			h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Deploy", deploy)))
			h.waitStatus("p", status)
			if len(deps.got) != 1 || !strings.HasPrefix(deps.got[0], "app/prod@artifacts/p/SourceArti/") {
				t.Fatalf("deployments = %v", deps.got)
			}
			acts := h.must("ListActionExecutions", map[string]any{"pipelineName": "p"})["actionExecutionDetails"].([]any)
			res := acts[0].(map[string]any)["output"].(map[string]any)["executionResult"].(map[string]any)
			if res["externalExecutionId"] != "d-123" {
				t.Fatalf("executionResult = %v", res)
			}
		})
	}
}

func TestV2VariablesAndQueuedMode(t *testing.T) {
	h := newHarness(t)
	in := pipeline("p", source(), lambdaStage("Test", action("Run", "Invoke", "Lambda",
		map[string]string{"FunctionName": "fn", "UserParameters": "env=#{variables.env}"}, []string{"SourceArtifact"}, nil)))
	decl := in["pipeline"].(map[string]any)
	decl["variables"] = []map[string]string{{"name": "env", "defaultValue": "dev"}}
	if msg := h.fail("ValidationException", "CreatePipeline", in); !strings.Contains(msg, "V2") {
		t.Fatalf("V1 with variables: %q", msg)
	}
	decl["pipelineType"], decl["executionMode"] = "V2", "QUEUED"
	h.must("CreatePipeline", in)
	h.waitInvokes(1)
	if got := decodeJob(t, h.fn.last()).Job.Data.ActionConfiguration.Configuration["UserParameters"]; got != "env=dev" {
		t.Fatalf("UserParameters = %q; want env=dev", got)
	}
	second := h.must("StartPipelineExecution", map[string]any{"name": "p", "variables": []map[string]string{{"name": "env", "value": "prod"}}})["pipelineExecutionId"]
	third := h.must("StartPipelineExecution", map[string]any{"name": "p"})["pipelineExecutionId"]
	h.fail("ValidationException", "StartPipelineExecution", map[string]any{"name": "p", "variables": []map[string]string{{"name": "nope", "value": "x"}}})
	// QUEUED: nothing is superseded; each waits its turn at the Test stage.
	for i, want := range []string{"env=prod", "env=dev"} {
		h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
		h.waitInvokes(i + 2)
		if got := decodeJob(t, h.fn.last()).Job.Data.ActionConfiguration.Configuration["UserParameters"]; got != want {
			t.Fatalf("execution %d UserParameters = %q; want %q", i+2, got, want)
		}
	}
	h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID})
	for _, id := range []any{second, third} {
		for deadline := time.Now().Add(10 * time.Second); ; {
			ex := h.must("GetPipelineExecution", map[string]any{"pipelineName": "p", "pipelineExecutionId": id})["pipelineExecution"].(map[string]any)
			if ex["status"] == "Succeeded" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("execution %v: %v", id, ex)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	ex := h.must("GetPipelineExecution", map[string]any{"pipelineName": "p", "pipelineExecutionId": second})["pipelineExecution"].(map[string]any)
	vars := ex["variables"].([]any)
	if len(vars) != 1 || vars[0].(map[string]any)["resolvedValue"] != "prod" || ex["executionMode"] != "QUEUED" {
		t.Fatalf("execution = %v", ex)
	}
}

func TestLambdaContinuationsEndAfter24Hours(t *testing.T) {
	h := newHarness(t)
	h.must("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run"))))
	n := 1
	h.waitInvokes(n)
	// Keep asking for more time every 19 minutes: each job meets its 20
	// minutes, but the action as a whole stops at 24 hours.
	for elapsed := time.Duration(0); elapsed+19*time.Minute < 24*time.Hour; elapsed += 19 * time.Minute {
		h.clk.Advance(19 * time.Minute)
		h.must("PutJobSuccessResult", map[string]any{"jobId": decodeJob(t, h.fn.last()).Job.ID, "continuationToken": "more"})
		n++
		h.waitInvokes(n)
	}
	h.waitStatus("p", "InProgress")
	h.clk.Advance(19 * time.Minute)
	h.waitStatus("p", "Failed")
}

// BenchmarkPipelineState measures GetPipelineState over 500 past executions.
func BenchmarkPipelineState(b *testing.B) {
	h := newHarness(b)
	done := make(chan struct{}, 1)
	h.fn.onInvoke = func(payload []byte) {
		var ev jobEvent
		json.Unmarshal(payload, &ev)
		h.svc.Op("PutJobSuccessResult")(h.ctx, []byte(`{"jobId":"`+ev.Job.ID+`"}`))
		done <- struct{}{}
	}
	if _, err := h.call("CreatePipeline", pipeline("p", source(), lambdaStage("Test", invoke("Run")))); err != nil {
		b.Fatal(err)
	}
	<-done
	for i := 0; i < 500; i++ {
		h.call("StartPipelineExecution", map[string]any{"name": "p"})
		<-done
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.svc.Op("GetPipelineState")(h.ctx, []byte(`{"name":"p"}`)); err != nil {
			b.Fatal(err)
		}
	}
}
