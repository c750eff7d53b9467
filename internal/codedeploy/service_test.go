package codedeploy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/codedeploy"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// fakeFunctions records hook invocations and alias routings.
type fakeFunctions struct {
	mu      sync.Mutex
	invokes []invocation
	routes  []route
	result  func(function string) (string, error) // nil means success
	block   bool                                  // invocations run until their context ends
}

type invocation struct {
	Function string
	Payload  map[string]string
}

type route struct {
	Function, Alias, Version string
	Weights                  map[string]float64
}

func (f *fakeFunctions) Invoke(ctx context.Context, account, region, function string, payload []byte) (string, error) {
	var p map[string]string
	_ = json.Unmarshal(payload, &p)
	f.mu.Lock()
	f.invokes = append(f.invokes, invocation{Function: function, Payload: p})
	res, block := f.result, f.block
	f.mu.Unlock()
	if block {
		<-ctx.Done() // a function still running when tenkai stops
		return "", ctx.Err()
	}
	if res != nil {
		return res(function)
	}
	return "", nil
}

func (f *fakeFunctions) RouteAlias(ctx context.Context, account, region, function, alias, version string, weights map[string]float64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes = append(f.routes, route{Function: function, Alias: alias, Version: version, Weights: weights})
	return nil
}

func (f *fakeFunctions) lastRoute() route {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.routes) == 0 {
		return route{}
	}
	return f.routes[len(f.routes)-1]
}

func (f *fakeFunctions) routeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.routes)
}

func (f *fakeFunctions) invocations() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]invocation(nil), f.invokes...)
}

type fakeEvents struct {
	mu     sync.Mutex
	states []string
}

func (e *fakeEvents) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	var d map[string]string
	_ = json.Unmarshal(detail, &d)
	e.mu.Lock()
	defer e.mu.Unlock()
	if source != "aws.codedeploy" || detailType != "CodeDeploy Deployment State-change Notification" {
		return fmt.Errorf("unexpected event %s %s", source, detailType)
	}
	e.states = append(e.states, d["deploymentId"]+":"+d["state"])
	return nil
}

func (e *fakeEvents) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.states...)
}

type harness struct {
	t   testing.TB
	svc *codedeploy.Service
	clk *clock.Fake
	fns *fakeFunctions
	evs *fakeEvents
	st  store.Store
	ctx context.Context
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newHarness(t testing.TB, st store.Store, clk *clock.Fake) *harness {
	t.Helper()
	if st == nil {
		st = store.NewMem()
	}
	if clk == nil {
		clk = clock.NewFake(t0)
	}
	h := &harness{t: t, clk: clk, fns: &fakeFunctions{}, evs: &fakeEvents{}, st: st}
	h.svc = codedeploy.New(codedeploy.Config{Store: st, Clock: clk, Functions: h.fns, Events: h.evs})
	h.ctx = edge.WithMeta(context.Background(), &edge.Meta{Account: "111122223333", Region: "eu-west-1"})
	if err := h.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.svc.Close(context.Background()) })
	return h
}

// call runs an operation and decodes its output into a map.
func (h *harness) call(op string, in any) (map[string]any, error) {
	h.t.Helper()
	body, _ := json.Marshal(in)
	handler := h.svc.Op(op)
	if handler == nil {
		h.t.Fatalf("no operation %s", op)
	}
	out, err := handler(h.ctx, body)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(out)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
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

func (h *harness) fail(code, op string, in any) {
	h.t.Helper()
	_, err := h.call(op, in)
	var e *edge.Error
	if !errors.As(err, &e) || e.Code != code {
		h.t.Fatalf("%s = %v; want %s", op, err, code)
	}
}

// deployment returns GetDeployment's deploymentInfo.
func (h *harness) deployment(id string) map[string]any {
	h.t.Helper()
	return h.must("GetDeployment", map[string]any{"deploymentId": id})["deploymentInfo"].(map[string]any)
}

func (h *harness) target(id, targetID string) map[string]any {
	h.t.Helper()
	out := h.must("GetDeploymentTarget", map[string]any{"deploymentId": id, "targetId": targetID})
	return out["deploymentTarget"].(map[string]any)
}

// waitFor polls cond (timers fire in goroutines).
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (h *harness) waitStatus(id, want string) {
	h.t.Helper()
	h.waitFor(id+" "+want, func() bool { return h.deployment(id)["status"] == want })
}

// waitHook waits for the n-th hook invocation and returns it.
func (h *harness) waitHook(n int) invocation {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("hook invocation %d", n), func() bool { return len(h.fns.invocations()) >= n })
	return h.fns.invocations()[n-1]
}

func (h *harness) putStatus(inv invocation, status string) error {
	_, err := h.call("PutLifecycleEventHookExecutionStatus", map[string]any{
		"deploymentId": inv.Payload["DeploymentId"], "lifecycleEventHookExecutionId": inv.Payload["LifecycleEventHookExecutionId"], "status": status})
	return err
}

const lambdaSpec = `version: 0.0
Resources:
  - fn:
      Type: AWS::Lambda::Function
      Properties:
        Name: "checkout"
        Alias: "live"
        CurrentVersion: 1
        TargetVersion: "2"
Hooks:
  - BeforeAllowTraffic: "pre-hook"
  - AfterAllowTraffic: "post-hook"
`

func (h *harness) lambdaGroup(config string, rollback []string) {
	h.must("CreateApplication", map[string]any{"applicationName": "app", "computePlatform": "Lambda"})
	in := map[string]any{"applicationName": "app", "deploymentGroupName": "grp", "serviceRoleArn": "arn:aws:iam::111122223333:role/cd",
		"deploymentConfigName": config}
	if rollback != nil {
		in["autoRollbackConfiguration"] = map[string]any{"enabled": true, "events": rollback}
	}
	h.must("CreateDeploymentGroup", in)
}

func (h *harness) deploy(spec string) string {
	h.t.Helper()
	out := h.must("CreateDeployment", map[string]any{"applicationName": "app", "deploymentGroupName": "grp",
		"revision": map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": spec}}})
	return out["deploymentId"].(string)
}

func eventStatuses(target map[string]any, kind string) string {
	var parts []string
	for _, e := range target[kind].(map[string]any)["lifecycleEvents"].([]any) {
		ev := e.(map[string]any)
		parts = append(parts, ev["lifecycleEventName"].(string)+"="+ev["status"].(string))
	}
	return strings.Join(parts, ",")
}

func TestLambdaCanaryShiftsOnClock(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.lambdaGroup("CodeDeployDefault.LambdaCanary10Percent5Minutes", nil)
	id := h.deploy(lambdaSpec)
	done := h.svc.Done("111122223333", "eu-west-1", id)

	pre := h.waitHook(1)
	if pre.Function != "pre-hook" || pre.Payload["DeploymentId"] != id || pre.Payload["LifecycleEventHookExecutionId"] == "" {
		t.Fatalf("first hook = %+v; want pre-hook for %s", pre, id)
	}
	if got := h.deployment(id)["status"]; got != "InProgress" {
		t.Fatalf("status while BeforeAllowTraffic waits = %v; want InProgress", got)
	}
	if h.fns.routeCount() != 0 {
		t.Fatalf("traffic moved before BeforeAllowTraffic succeeded: %+v", h.fns.routes)
	}
	if err := h.putStatus(pre, "Succeeded"); err != nil {
		t.Fatal(err)
	}
	r := h.fns.lastRoute()
	if r.Function != "checkout" || r.Alias != "live" || r.Version != "1" || r.Weights["2"] != 0.1 {
		t.Fatalf("canary route = %+v; want live at 1 with 10%% on 2", r)
	}
	tg := h.target(id, "checkout")
	if w := tg["lambdaTarget"].(map[string]any)["lambdaFunctionInfo"].(map[string]any)["targetVersionWeight"]; w != 0.1 {
		t.Errorf("targetVersionWeight = %v; want 0.1", w)
	}
	if got := eventStatuses(tg, "lambdaTarget"); got != "BeforeAllowTraffic=Succeeded,AllowTraffic=InProgress,AfterAllowTraffic=Pending" {
		t.Errorf("lifecycle during bake = %s", got)
	}

	h.clk.Advance(4 * time.Minute)
	time.Sleep(20 * time.Millisecond)
	if r := h.fns.lastRoute(); r.Version != "1" {
		t.Fatalf("alias moved after 4 minutes: %+v", r)
	}
	h.clk.Advance(time.Minute)
	post := h.waitHook(2)
	if post.Function != "post-hook" {
		t.Fatalf("second hook = %s; want post-hook", post.Function)
	}
	if r := h.fns.lastRoute(); r.Version != "2" || len(r.Weights) != 0 {
		t.Fatalf("final route = %+v; want live at 2 with no weights", r)
	}
	if err := h.putStatus(post, "Succeeded"); err != nil {
		t.Fatal(err)
	}
	info := h.deployment(id)
	if info["status"] != "Succeeded" || info["completeTime"] == nil {
		t.Fatalf("deployment = %v", info)
	}
	select {
	case res := <-done:
		if res.Status != "Succeeded" || res.DeploymentID != id {
			t.Errorf("Done = %+v", res)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Done did not report")
	}
	if got, want := strings.Join(h.evs.list(), " "), id+":START "+id+":SUCCESS"; got != want {
		t.Errorf("events = %s; want %s", got, want)
	}
	// A late or repeated report is refused.
	var e *edge.Error
	if err := h.putStatus(post, "Succeeded"); !errors.As(err, &e) || e.Code != "LifecycleEventAlreadyCompletedException" {
		t.Errorf("repeated status = %v; want LifecycleEventAlreadyCompletedException", err)
	}
	grp := h.must("GetDeploymentGroup", map[string]any{"applicationName": "app", "deploymentGroupName": "grp"})["deploymentGroupInfo"].(map[string]any)
	if grp["lastSuccessfulDeployment"].(map[string]any)["deploymentId"] != id {
		t.Errorf("lastSuccessfulDeployment = %v", grp["lastSuccessfulDeployment"])
	}
}

func TestLinearSteps(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.must("CreateDeploymentConfig", map[string]any{"deploymentConfigName": "thirds", "computePlatform": "Lambda",
		"trafficRoutingConfig": map[string]any{"type": "TimeBasedLinear", "timeBasedLinear": map[string]any{"linearPercentage": 40, "linearInterval": 2}}})
	h.lambdaGroup("thirds", nil)
	id := h.deploy(strings.Split(lambdaSpec, "Hooks:")[0])
	var weights []float64
	for i := 0; i < 3; i++ {
		// The route is set before the next step's timer is armed.
		h.waitFor("route", func() bool { return h.fns.routeCount() > i && (i == 2 || h.clk.Pending() == 1) })
		r := h.fns.lastRoute()
		if r.Version == "2" {
			weights = append(weights, 1)
		} else {
			weights = append(weights, r.Weights["2"])
		}
		h.clk.Advance(2 * time.Minute)
	}
	if fmt.Sprint(weights) != "[0.4 0.8 1]" {
		t.Errorf("linear weights = %v; want [0.4 0.8 1]", weights)
	}
	h.waitStatus(id, "Succeeded")
	tg := h.target(id, "checkout")
	if got := eventStatuses(tg, "lambdaTarget"); got != "BeforeAllowTraffic=Skipped,AllowTraffic=Succeeded,AfterAllowTraffic=Skipped" {
		t.Errorf("lifecycle = %s", got)
	}
}

func TestStopWithRollback(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.lambdaGroup("CodeDeployDefault.LambdaCanary10Percent5Minutes", nil)
	id := h.deploy(lambdaSpec)
	if err := h.putStatus(h.waitHook(1), "Succeeded"); err != nil {
		t.Fatal(err)
	}
	h.fail("DeploymentLimitExceededException", "CreateDeployment", map[string]any{"applicationName": "app", "deploymentGroupName": "grp",
		"revision": map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": lambdaSpec}}})
	out := h.must("StopDeployment", map[string]any{"deploymentId": id, "autoRollbackEnabled": true})
	if out["status"] != "Pending" {
		t.Errorf("StopDeployment status = %v", out["status"])
	}
	info := h.deployment(id)
	if info["status"] != "Stopped" || info["errorInformation"].(map[string]any)["code"] != "MANUAL_STOP" {
		t.Fatalf("stopped deployment = %v", info)
	}
	rbID, _ := info["rollbackInfo"].(map[string]any)["rollbackDeploymentId"].(string)
	if rbID == "" {
		t.Fatalf("no rollback deployment in %v", info["rollbackInfo"])
	}
	h.waitStatus(rbID, "Succeeded")
	rb := h.deployment(rbID)
	if rb["creator"] != "codeDeployRollback" || rb["rollbackInfo"].(map[string]any)["rollbackTriggeringDeploymentId"] != id {
		t.Errorf("rollback deployment = %v", rb)
	}
	if r := h.fns.lastRoute(); r.Version != "1" || len(r.Weights) != 0 {
		t.Errorf("route after rollback = %+v; want live at 1", r)
	}
	if n := len(h.fns.invocations()); n != 1 {
		t.Errorf("hooks invoked = %d; the rollback runs none", n)
	}
	h.fail("DeploymentAlreadyCompletedException", "StopDeployment", map[string]any{"deploymentId": id})
	list := h.must("ListDeployments", map[string]any{"applicationName": "app", "deploymentGroupName": "grp", "includeOnlyStatuses": []string{"Stopped"}})
	if fmt.Sprint(list["deployments"]) != "["+id+"]" {
		t.Errorf("ListDeployments Stopped = %v", list["deployments"])
	}
	for _, tc := range []struct {
		start, end time.Time
		want       int
	}{
		{t0.Add(-time.Hour), t0.Add(time.Hour), 2},
		{t0.Add(time.Second), t0.Add(time.Hour), 0},
	} {
		r := h.must("ListDeployments", map[string]any{"createTimeRange": map[string]any{"start": tc.start.Unix(), "end": tc.end.Unix()}})
		if n := len(r["deployments"].([]any)); n != tc.want {
			t.Errorf("ListDeployments created in [%v, %v] = %d deployments; want %d", tc.start, tc.end, n, tc.want)
		}
	}
	h.fail("InvalidTimeRangeException", "ListDeployments", map[string]any{"createTimeRange": map[string]any{"start": t0.Unix(), "end": t0.Add(-time.Hour).Unix()}})
	h.fail("InvalidDeploymentStatusException", "ListDeployments", map[string]any{"includeOnlyStatuses": []string{"Done"}})
}

func TestHookFailures(t *testing.T) {
	tests := []struct {
		name     string
		act      func(h *harness, inv invocation)
		wantDiag string
	}{
		{"failed status", func(h *harness, inv invocation) {
			if err := h.putStatus(inv, "Failed"); err != nil {
				h.t.Fatal(err)
			}
		}, "reported Failed"},
		{"timeout", func(h *harness, inv invocation) { h.clk.Advance(time.Hour) }, "timed out"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, nil)
			h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", []string{"DEPLOYMENT_FAILURE"})
			id := h.deploy(lambdaSpec)
			if err := h.putStatus(h.waitHook(1), "Succeeded"); err != nil {
				t.Fatal(err)
			}
			post := h.waitHook(2)
			tc.act(h, post)
			h.waitStatus(id, "Failed")
			info := h.deployment(id)
			if info["errorInformation"].(map[string]any)["code"] != "HOOK_EXECUTION_FAILURE" {
				t.Errorf("errorInformation = %v", info["errorInformation"])
			}
			tg := h.target(id, "checkout")
			evs := tg["lambdaTarget"].(map[string]any)["lifecycleEvents"].([]any)
			last := evs[2].(map[string]any)
			if last["status"] != "Failed" || !strings.Contains(last["diagnostics"].(map[string]any)["message"].(string), tc.wantDiag) {
				t.Errorf("AfterAllowTraffic = %v; want Failed with %q", last, tc.wantDiag)
			}
			rbID := info["rollbackInfo"].(map[string]any)["rollbackDeploymentId"].(string)
			h.waitStatus(rbID, "Succeeded")
			if r := h.fns.lastRoute(); r.Version != "1" {
				t.Errorf("route after rollback = %+v", r)
			}
			if err := h.putStatus(post, "Succeeded"); err == nil || !strings.Contains(err.Error(), "LifecycleEventAlreadyCompletedException") {
				t.Errorf("status after failure = %v", err)
			}
		})
	}
}

func TestFunctionErrorFailsHook(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.fns.mu.Lock()
	h.fns.result = func(string) (string, error) { return "Unhandled", nil }
	h.fns.mu.Unlock()
	h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", nil)
	id := h.deploy(lambdaSpec)
	h.waitStatus(id, "Failed")
	if h.fns.routeCount() != 0 {
		t.Errorf("traffic moved after BeforeAllowTraffic failed: %+v", h.fns.routes)
	}
	if ri := h.deployment(id)["rollbackInfo"]; ri != nil {
		t.Errorf("rollback without auto rollback: %v", ri)
	}
	h.waitFor("FAILURE event", func() bool { return len(h.evs.list()) == 2 })
	if got := strings.Join(h.evs.list(), " "); got != id+":START "+id+":FAILURE" {
		t.Errorf("events = %s", got)
	}
}

func TestPutStatusErrors(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", nil)
	id := h.deploy(lambdaSpec)
	h.waitHook(1)
	tests := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"deploymentId": id, "lifecycleEventHookExecutionId": "nope", "status": "Succeeded"}, "InvalidLifecycleEventHookExecutionIdException"},
		{map[string]any{"deploymentId": id, "lifecycleEventHookExecutionId": "nope", "status": "Skipped"}, "InvalidLifecycleEventHookExecutionStatusException"},
		{map[string]any{"lifecycleEventHookExecutionId": "x", "status": "Succeeded"}, "DeploymentIdRequiredException"},
		{map[string]any{"deploymentId": "bad", "status": "Succeeded"}, "InvalidDeploymentIdException"},
		{map[string]any{"deploymentId": "d-AAAAAAAAA", "status": "Succeeded"}, "DeploymentDoesNotExistException"},
	}
	for _, tc := range tests {
		h.fail(tc.want, "PutLifecycleEventHookExecutionStatus", tc.in)
	}
	h.fail("UnsupportedActionForDeploymentTypeException", "ContinueDeployment", map[string]any{"deploymentId": id})
}

const ecsSpec = `{"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
  "TaskDefinition": "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:2",
  "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80}}}}],
 "Hooks": [{"AfterAllowTestTraffic": "after-test"}]}`

func (h *harness) ecsGroup(action string, wait int) {
	h.must("CreateApplication", map[string]any{"applicationName": "app", "computePlatform": "ECS"})
	h.must("CreateDeploymentGroup", map[string]any{"applicationName": "app", "deploymentGroupName": "grp",
		"serviceRoleArn": "arn:aws:iam::111122223333:role/cd", "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce",
		"deploymentStyle": map[string]any{"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
		"blueGreenDeploymentConfiguration": map[string]any{
			"terminateBlueInstancesOnDeploymentSuccess": map[string]any{"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
			"deploymentReadyOption":                     map[string]any{"actionOnTimeout": action, "waitTimeInMinutes": wait}},
		"ecsServices": []any{map[string]any{"serviceName": "web", "clusterName": "prod"}},
		"loadBalancerInfo": map[string]any{"targetGroupPairInfoList": []any{map[string]any{
			"targetGroups":     []any{map[string]any{"name": "tg-blue"}, map[string]any{"name": "tg-green"}},
			"prodTrafficRoute": map[string]any{"listenerArns": []string{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/lb/1/prod"}},
			"testTrafficRoute": map[string]any{"listenerArns": []string{"arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/lb/1/test"}},
		}}}})
}

func taskSets(tg map[string]any) string {
	var parts []string
	for _, x := range tg["ecsTarget"].(map[string]any)["taskSetsInfo"].([]any) {
		ts := x.(map[string]any)
		parts = append(parts, fmt.Sprintf("%s/%s/%v", ts["taskSetLabel"], ts["status"], ts["trafficWeight"]))
	}
	return strings.Join(parts, ",")
}

func TestECSReadyWaitContinueAndTermination(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.ecsGroup("STOP_DEPLOYMENT", 30)
	id := h.deploy(ecsSpec)
	hook := h.waitHook(1)
	if hook.Function != "after-test" {
		t.Fatalf("hook = %s", hook.Function)
	}
	tg := h.target(id, "prod:web")
	if got := taskSets(tg); got != "Blue/PRIMARY/100,Green/ACTIVE/0" {
		t.Errorf("task sets while testing = %s", got)
	}
	if got := eventStatuses(tg, "ecsTarget"); got != "BeforeInstall=Skipped,Install=Succeeded,AfterInstall=Skipped,AllowTestTraffic=Succeeded,AfterAllowTestTraffic=InProgress,BeforeAllowTraffic=Pending,AllowTraffic=Pending,AfterAllowTraffic=Pending" {
		t.Errorf("lifecycle = %s", got)
	}
	if err := h.putStatus(hook, "Succeeded"); err != nil {
		t.Fatal(err)
	}
	if got := h.deployment(id)["status"]; got != "Ready" {
		t.Fatalf("status after test traffic = %v; want Ready", got)
	}
	h.must("ContinueDeployment", map[string]any{"deploymentId": id, "deploymentWaitType": "READY_WAIT"})
	info := h.deployment(id)
	if info["status"] != "InProgress" || info["instanceTerminationWaitTimeStarted"] != true {
		t.Fatalf("after continue = %v", info)
	}
	if got := taskSets(h.target(id, "prod:web")); got != "Blue/ACTIVE/0,Green/PRIMARY/100" {
		t.Errorf("task sets after reroute = %s", got)
	}
	h.fail("DeploymentIsNotInReadyStateException", "ContinueDeployment", map[string]any{"deploymentId": id, "deploymentWaitType": "READY_WAIT"})
	h.clk.Advance(5 * time.Minute)
	h.waitStatus(id, "Succeeded")
	final := h.target(id, "prod:web")
	if got := taskSets(final); got != "Green/PRIMARY/100" {
		t.Errorf("task sets after termination = %s", got)
	}
	green := final["ecsTarget"].(map[string]any)["taskSetsInfo"].([]any)[0].(map[string]any)

	// The next deployment starts from the set the last one left, and
	// ContinueDeployment TERMINATION_WAIT ends the termination wait early.
	id2 := h.deploy(ecsSpec)
	if err := h.putStatus(h.waitHook(2), "Succeeded"); err != nil {
		t.Fatal(err)
	}
	h.must("ContinueDeployment", map[string]any{"deploymentId": id2})
	sets := h.target(id2, "prod:web")["ecsTarget"].(map[string]any)["taskSetsInfo"].([]any)
	blue, repl := sets[0].(map[string]any), sets[1].(map[string]any)
	if blue["identifer"] != green["identifer"] || blue["targetGroup"].(map[string]any)["name"] != "tg-green" || repl["targetGroup"].(map[string]any)["name"] != "tg-blue" {
		t.Errorf("second deployment task sets = %v; want the first one's green set as original on tg-green", sets)
	}
	h.must("SkipWaitTimeForInstanceTermination", map[string]any{"deploymentId": id2})
	h.waitStatus(id2, "Succeeded")
	h.waitFor("SUCCESS event", func() bool { return len(h.evs.list()) == 6 })
	if got := strings.Join(h.evs.list()[:3], " "); got != id+":START "+id+":READY "+id+":SUCCESS" {
		t.Errorf("events = %s", got)
	}
}

func TestECSReadyTimeoutStops(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.ecsGroup("STOP_DEPLOYMENT", 10)
	id := h.deploy(ecsSpec)
	if err := h.putStatus(h.waitHook(1), "Succeeded"); err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(10 * time.Minute)
	h.waitStatus(id, "Stopped")
}

func TestResumeAfterRestart(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewFake(t0)
	h := newHarness(t, st, clk)
	h.lambdaGroup("CodeDeployDefault.LambdaLinear10PercentEvery10Minutes", nil)
	id := h.deploy(lambdaSpec)
	if err := h.putStatus(h.waitHook(1), "Succeeded"); err != nil {
		t.Fatal(err)
	}
	h.svc.Close(context.Background())

	// A new process over the same store and the same Lambda.
	h2 := &harness{t: t, clk: clk, fns: h.fns, evs: h.evs, st: st, ctx: h.ctx}
	h2.svc = codedeploy.New(codedeploy.Config{Store: st, Clock: clk, Functions: h.fns, Events: h.evs})
	if err := h2.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h2.svc.Close(context.Background())
	h2.waitFor("timer re-armed", func() bool { return clk.Pending() == 1 })
	// Each advance takes one linear step; the last points the alias at 2.
	for steps := 1; h.fns.lastRoute().Version != "2"; steps++ {
		if steps > 9 {
			t.Fatalf("alias not at version 2 after %d linear steps: %+v", steps, h.fns.lastRoute())
		}
		n := h.fns.routeCount()
		clk.Advance(10 * time.Minute)
		h2.waitFor("step taken", func() bool { return h.fns.routeCount() > n && clk.Pending() == 1 })
	}
	post := h2.waitHook(2)
	if err := h2.putStatus(post, "Succeeded"); err != nil {
		t.Fatal(err)
	}
	h2.waitStatus(id, "Succeeded")
}

func TestApplicationsGroupsConfigs(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.must("CreateApplication", map[string]any{"applicationName": "a1", "computePlatform": "Lambda", "tags": []any{map[string]any{"Key": "k", "Value": "v"}}})
	h.fail("ApplicationAlreadyExistsException", "CreateApplication", map[string]any{"applicationName": "a1"})
	h.fail("InvalidComputePlatformException", "CreateApplication", map[string]any{"applicationName": "a2", "computePlatform": "EC2"})
	h.fail("ApplicationDoesNotExistException", "GetApplication", map[string]any{"applicationName": "zz"})
	h.fail("RoleRequiredException", "CreateDeploymentGroup", map[string]any{"applicationName": "a1", "deploymentGroupName": "g"})
	h.fail("DeploymentConfigDoesNotExistException", "CreateDeploymentGroup", map[string]any{"applicationName": "a1", "deploymentGroupName": "g",
		"serviceRoleArn": "arn:aws:iam::111122223333:role/cd", "deploymentConfigName": "nope"})
	h.fail("InvalidDeploymentConfigNameException", "CreateDeploymentGroup", map[string]any{"applicationName": "a1", "deploymentGroupName": "g",
		"serviceRoleArn": "arn:aws:iam::111122223333:role/cd", "deploymentConfigName": "CodeDeployDefault.ECSAllAtOnce"})
	h.must("CreateDeploymentGroup", map[string]any{"applicationName": "a1", "deploymentGroupName": "g", "serviceRoleArn": "arn:aws:iam::111122223333:role/cd"})
	g := h.must("GetDeploymentGroup", map[string]any{"applicationName": "a1", "deploymentGroupName": "g"})["deploymentGroupInfo"].(map[string]any)
	if g["deploymentConfigName"] != "CodeDeployDefault.LambdaAllAtOnce" || g["computePlatform"] != "Lambda" {
		t.Errorf("group defaults = %v", g)
	}
	h.must("UpdateDeploymentGroup", map[string]any{"applicationName": "a1", "currentDeploymentGroupName": "g", "newDeploymentGroupName": "g2"})
	if got := h.must("ListDeploymentGroups", map[string]any{"applicationName": "a1"})["deploymentGroups"]; fmt.Sprint(got) != "[g2]" {
		t.Errorf("groups = %v", got)
	}
	c := h.must("GetDeploymentConfig", map[string]any{"deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent30Minutes"})["deploymentConfigInfo"].(map[string]any)
	canary := c["trafficRoutingConfig"].(map[string]any)["timeBasedCanary"].(map[string]any)
	if canary["canaryPercentage"] != 10.0 || canary["canaryInterval"] != 30.0 {
		t.Errorf("canary = %v", canary)
	}
	h.fail("InvalidTrafficRoutingConfigurationException", "CreateDeploymentConfig", map[string]any{"deploymentConfigName": "bad", "computePlatform": "Lambda",
		"trafficRoutingConfig": map[string]any{"type": "TimeBasedCanary", "timeBasedCanary": map[string]any{"canaryPercentage": 0, "canaryInterval": 1}}})
	h.must("CreateDeploymentConfig", map[string]any{"deploymentConfigName": "mine", "computePlatform": "ECS",
		"trafficRoutingConfig": map[string]any{"type": "AllAtOnce"}})
	h.fail("DeploymentConfigAlreadyExistsException", "CreateDeploymentConfig", map[string]any{"deploymentConfigName": "mine", "computePlatform": "ECS"})
	h.must("DeleteDeploymentConfig", map[string]any{"deploymentConfigName": "mine"})
	h.fail("DeploymentConfigDoesNotExistException", "GetDeploymentConfig", map[string]any{"deploymentConfigName": "mine"})
	arn := "arn:aws:codedeploy:eu-west-1:111122223333:application:a1"
	h.must("TagResource", map[string]any{"ResourceArn": arn, "Tags": []any{map[string]any{"Key": "k2", "Value": "v2"}}})
	h.must("UntagResource", map[string]any{"ResourceArn": arn, "TagKeys": []string{"k"}})
	if got := h.must("ListTagsForResource", map[string]any{"ResourceArn": arn})["Tags"]; fmt.Sprint(got) != "[map[Key:k2 Value:v2]]" {
		t.Errorf("tags = %v", got)
	}
	h.must("UpdateApplication", map[string]any{"applicationName": "a1", "newApplicationName": "a3"})
	if got := h.must("ListApplications", map[string]any{})["applications"]; fmt.Sprint(got) != "[a3]" {
		t.Errorf("applications = %v", got)
	}
	h.must("DeleteApplication", map[string]any{"applicationName": "a3"})
	h.fail("ApplicationDoesNotExistException", "ListDeploymentGroups", map[string]any{"applicationName": "a3"})
}

type fakeObjects map[string][]byte

func (o fakeObjects) GetObject(ctx context.Context, account, region, bucket, key, version string) ([]byte, error) {
	b, ok := o[bucket+"/"+key]
	if !ok {
		return nil, edge.Errorf("NoSuchKey", "The specified key does not exist.")
	}
	return b, nil
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeployFromS3AndDone(t *testing.T) {
	st := store.NewMem()
	clk := clock.NewFake(t0)
	fns := &fakeFunctions{}
	objs := fakeObjects{
		"artifacts/build.zip": zipOf(t, map[string]string{"appspec.yaml": strings.Split(lambdaSpec, "Hooks:")[0], "src/x.py": "x"}),
		"artifacts/bad.zip":   zipOf(t, map[string]string{"readme.txt": "no spec"}),
		"artifacts/spec.json": []byte(`{"version":0.0,"Resources":[{"f":{"Type":"AWS::Lambda::Function","Properties":{"Name":"checkout","Alias":"live","CurrentVersion":"1","TargetVersion":"2"}}}]}`),
	}
	svc := codedeploy.New(codedeploy.Config{Store: st, Clock: clk, Functions: fns, Objects: objs})
	defer svc.Close(context.Background())
	h := &harness{t: t, svc: svc, clk: clk, fns: fns, evs: &fakeEvents{}, st: st,
		ctx: edge.WithMeta(context.Background(), &edge.Meta{Account: "111122223333", Region: "eu-west-1"})}
	h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", nil)
	ctx := context.Background()

	id, err := svc.Deploy(ctx, "111122223333", "eu-west-1", "app", "grp", codedeploy.Revision{S3Bucket: "artifacts", S3Key: "build.zip"}, "pipeline run 1")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-svc.Done("111122223333", "eu-west-1", id):
		if res.Status != "Succeeded" || res.DeploymentID != id {
			t.Errorf("Done = %+v", res)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Done did not report")
	}
	info := h.deployment(id)
	if info["description"] != "pipeline run 1" || info["revision"].(map[string]any)["s3Location"].(map[string]any)["bundleType"] != "zip" {
		t.Errorf("deployment = %v", info)
	}

	_, err = svc.Deploy(ctx, "111122223333", "eu-west-1", "app", "grp", codedeploy.Revision{S3Bucket: "artifacts", S3Key: "bad.zip"}, "")
	if e := (*edge.Error)(nil); !errors.As(err, &e) || e.Code != "InvalidRevisionException" {
		t.Errorf("zip without an AppSpec = %v; want InvalidRevisionException", err)
	}
	_, err = svc.Deploy(ctx, "111122223333", "eu-west-1", "app", "grp", codedeploy.Revision{S3Bucket: "artifacts", S3Key: "missing.zip"}, "")
	if e := (*edge.Error)(nil); !errors.As(err, &e) || e.Code != "RevisionDoesNotExistException" {
		t.Errorf("missing object = %v; want RevisionDoesNotExistException", err)
	}
	id2, err := svc.Deploy(ctx, "111122223333", "eu-west-1", "app", "grp", codedeploy.Revision{S3Bucket: "artifacts", S3Key: "spec.json", BundleType: "JSON"}, "")
	if err != nil {
		t.Fatal(err)
	}
	h.waitStatus(id2, "Succeeded")
	if prev := h.deployment(id2)["previousRevision"].(map[string]any)["s3Location"].(map[string]any)["key"]; prev != "build.zip" {
		t.Errorf("previousRevision key = %v; want build.zip", prev)
	}
	if _, err := svc.Deploy(ctx, "111122223333", "eu-west-1", "app", "nope", codedeploy.Revision{AppSpecContent: lambdaSpec}, ""); err == nil ||
		!strings.Contains(err.Error(), "DeploymentGroupDoesNotExistException") {
		t.Errorf("unknown group = %v", err)
	}
	h.fail("InvalidRevisionException", "CreateDeployment", map[string]any{"applicationName": "app", "deploymentGroupName": "grp",
		"revision": map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": lambdaSpec, "sha256": "00"}}})
	if _, ok := <-svc.Done("111122223333", "eu-west-1", "d-UNKNOWN00"); ok {
		t.Error("Done of an unknown deployment sent a result")
	}
}

func TestServerDeploymentFailsWithoutInstances(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.must("CreateApplication", map[string]any{"applicationName": "app"})
	h.must("CreateDeploymentGroup", map[string]any{"applicationName": "app", "deploymentGroupName": "grp", "serviceRoleArn": "arn:aws:iam::111122223333:role/cd"})
	out := h.must("CreateDeployment", map[string]any{"applicationName": "app", "deploymentGroupName": "grp",
		"revision": map[string]any{"revisionType": "S3", "s3Location": map[string]any{"bucket": "b", "key": "k.zip", "bundleType": "zip"}}})
	info := h.deployment(out["deploymentId"].(string))
	if info["status"] != "Failed" || info["errorInformation"].(map[string]any)["code"] != "NO_INSTANCES" {
		t.Errorf("server deployment = %v", info)
	}
}

func TestResetClosesWatchers(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", nil)
	id := h.deploy(lambdaSpec)
	ch := h.svc.Done("111122223333", "eu-west-1", id)
	if err := h.svc.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-ch:
		if ok {
			t.Error("Done sent a result on reset")
		}
	case <-time.After(10 * time.Second):
		t.Error("Done stayed open after Reset")
	}
}

// BenchmarkGetDeployment measures the call waiters and pipelines poll.
func BenchmarkGetDeployment(b *testing.B) {
	h := newHarness(b, nil, nil)
	h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", nil)
	id := h.deploy(lambdaSpec)
	body := []byte(`{"deploymentId":"` + id + `"}`)
	op := h.svc.Op("GetDeployment")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := op(h.ctx, body); err != nil {
			b.Fatal(err)
		}
	}
}

func TestApplicationRevisions(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", nil)
	s3rev := map[string]any{"revisionType": "S3", "s3Location": map[string]any{"bucket": "rel", "key": "app/v1.yaml", "bundleType": "YAML"}}
	h.must("RegisterApplicationRevision", map[string]any{"applicationName": "app", "description": "first", "revision": s3rev})
	h.clk.Advance(time.Minute)
	id := h.deploy(strings.Split(lambdaSpec, "Hooks:")[0])
	h.waitStatus(id, "Succeeded")

	got := h.must("GetApplicationRevision", map[string]any{"applicationName": "app", "revision": s3rev})
	info := got["revisionInfo"].(map[string]any)
	if info["description"] != "first" || info["firstUsedTime"] != nil || fmt.Sprint(info["deploymentGroups"]) != "[]" {
		t.Errorf("registered revision = %v", info)
	}
	list := h.must("ListApplicationRevisions", map[string]any{"applicationName": "app", "sortBy": "registerTime", "sortOrder": "descending"})["revisions"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["revisionType"] != "AppSpecContent" {
		t.Errorf("revisions newest first = %v", list)
	}
	used := h.must("ListApplicationRevisions", map[string]any{"applicationName": "app", "deployed": "include"})["revisions"].([]any)
	if len(used) != 1 {
		t.Errorf("deployed revisions = %v", used)
	}
	inBucket := h.must("ListApplicationRevisions", map[string]any{"applicationName": "app", "s3Bucket": "rel", "s3KeyPrefix": "app/"})["revisions"].([]any)
	if len(inBucket) != 1 {
		t.Errorf("revisions in s3://rel/app/ = %v", inBucket)
	}
	batch := h.must("BatchGetApplicationRevisions", map[string]any{"applicationName": "app", "revisions": []any{list[0]}})["revisions"].([]any)
	gi := batch[0].(map[string]any)["genericRevisionInfo"].(map[string]any)
	if fmt.Sprint(gi["deploymentGroups"]) != "[grp]" || gi["lastUsedTime"] == nil {
		t.Errorf("deployed revision = %v", gi)
	}
	h.fail("RevisionDoesNotExistException", "GetApplicationRevision", map[string]any{"applicationName": "app",
		"revision": map[string]any{"revisionType": "S3", "s3Location": map[string]any{"bucket": "rel", "key": "other"}}})
	h.fail("BucketNameFilterRequiredException", "ListApplicationRevisions", map[string]any{"applicationName": "app", "s3KeyPrefix": "x"})
}

func TestRestartRerunsInterruptedHooks(t *testing.T) {
	tests := []struct {
		name      string
		block     bool
		wantCalls int
	}{
		{"function still running", true, 2},
		{"function returned", false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := store.OpenBolt(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			clk := clock.NewFake(t0)
			h := newHarness(t, st, clk)
			h.fns.mu.Lock()
			h.fns.block = tc.block
			h.fns.mu.Unlock()
			h.lambdaGroup("CodeDeployDefault.LambdaAllAtOnce", nil)
			id := h.deploy(lambdaSpec)
			first := h.waitHook(1)
			h.svc.Close(context.Background()) // waits for the invocation to be recorded

			fns := &fakeFunctions{}
			h2 := &harness{t: t, clk: clk, fns: fns, evs: h.evs, st: st, ctx: h.ctx}
			h2.svc = codedeploy.New(codedeploy.Config{Store: st, Clock: clk, Functions: fns, Events: h.evs})
			if err := h2.svc.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer h2.svc.Close(context.Background())
			if tc.block {
				h2.waitFor("hook rerun", func() bool { return len(fns.invocations()) >= 1 })
			} else {
				time.Sleep(50 * time.Millisecond) // time enough for a wrong rerun to show
			}
			calls := 1 + len(fns.invocations())
			if calls != tc.wantCalls {
				t.Fatalf("hook invocations across the restart = %d; want %d", calls, tc.wantCalls)
			}
			if tc.block && fns.invocations()[0].Payload["LifecycleEventHookExecutionId"] != first.Payload["LifecycleEventHookExecutionId"] {
				t.Errorf("the rerun hook has a new execution id")
			}
			// Either way the stored execution id still completes the hook.
			if err := h2.putStatus(first, "Succeeded"); err != nil {
				t.Fatal(err)
			}
			h2.waitFor("AfterAllowTraffic", func() bool { return len(fns.invocations()) >= tc.wantCalls })
			if got := h2.deployment(id)["status"]; got != "InProgress" {
				t.Errorf("status = %v", got)
			}
		})
	}
}
