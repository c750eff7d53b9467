package runtime_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/lambda/runtime"
)

func TestGoEchoWarmReuse(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := goSpec("echo")
	res := invoke(t, m, spec, `{"op":"echo","value":{"a":1,"b":"two"}}`)
	if got, want := string(res.Payload), `{"a":1,"b":"two"}`; got != want || res.FunctionError != "" {
		t.Fatalf("Invoke(echo) = %s %q; want %s", got, res.FunctionError, want)
	}
	if !res.Cold || res.InitDuration <= 0 {
		t.Errorf("first invoke Cold=%v InitDuration=%v; want cold with init duration", res.Cold, res.InitDuration)
	}
	p1 := pidOf(t, invoke(t, m, spec, `{"op":"pid"}`))
	res = invoke(t, m, spec, `{"op":"pid"}`)
	if res.Cold || res.InitDuration != 0 {
		t.Errorf("warm invoke Cold=%v InitDuration=%v; want warm", res.Cold, res.InitDuration)
	}
	if p2 := pidOf(t, res); p2 != p1 {
		t.Errorf("warm invoke ran in pid %d; want %d (reuse)", p2, p1)
	}
}

func TestGoFunctionErrors(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := goSpec("errs")
	d := decodeErr(t, invoke(t, m, spec, `{"op":"error"}`))
	if d.ErrorMessage != "boom" || d.ErrorType != "errorString" {
		t.Errorf("error doc = %+v; want boom/errorString", d)
	}
	// A panic is reported by aws-lambda-go, which then exits; the next invoke gets a new environment.
	d = decodeErr(t, invoke(t, m, spec, `{"op":"panic"}`))
	if d.ErrorMessage != "kaboom" {
		t.Errorf("panic doc = %+v; want kaboom", d)
	}
	res := invoke(t, m, spec, `{"op":"echo","value":"after"}`)
	if string(res.Payload) != `"after"` {
		t.Errorf("invoke after panic = %s (%s); want \"after\"", res.Payload, res.FunctionError)
	}
}

func TestGoExit(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := goSpec("exit")
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{RequestID: "req-exit", Payload: []byte(`{"op":"exit","code":2}`), WantLogTail: true})
	if err != nil {
		t.Fatal(err)
	}
	d := decodeErr(t, res)
	if want := "RequestId: req-exit Error: Runtime exited with error: exit status 2"; d.ErrorMessage != want || d.ErrorType != "Runtime.ExitError" {
		t.Errorf("exit doc = %+v; want %q Runtime.ExitError", d, want)
	}
	if !strings.Contains(string(res.LogTail), "Status: error\tError Type: Runtime.ExitError") {
		t.Errorf("log tail lacks the error status:\n%s", res.LogTail)
	}
	if res := invoke(t, m, spec, `{"op":"echo","value":1}`); string(res.Payload) != "1" || !res.Cold {
		t.Errorf("invoke after exit = %s cold=%v; want 1 on a new environment", res.Payload, res.Cold)
	}
}

func TestGoTimeoutKillsProcessGroup(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := goSpec("slow")
	// Long enough that the quick calls below finish on a loaded machine.
	spec.Timeout = time.Second
	fnPid := pidOf(t, invoke(t, m, spec, `{"op":"pid"}`))
	child := pidOf(t, invoke(t, m, spec, `{"op":"spawn"}`))
	if !alive(child) {
		t.Fatalf("spawned child %d not running", child)
	}
	start := time.Now()
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{RequestID: "req-slow", Payload: []byte(`{"op":"sleep","ms":5000}`), WantLogTail: true})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 4*time.Second { // not the 5 s the function asked for
		t.Errorf("timed-out invoke took %v", el)
	}
	d := decodeErr(t, res)
	if want := "RequestId: req-slow Error: Task timed out after 1.00 seconds"; d.ErrorMessage != want || d.ErrorType != "Sandbox.Timedout" {
		t.Errorf("timeout doc = %+v; want %q Sandbox.Timedout", d, want)
	}
	if !regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z req-slow Task timed out after 1\.00 seconds$`).Match(res.LogTail) {
		t.Errorf("log tail lacks the timeout line:\n%s", res.LogTail)
	}
	if !strings.Contains(string(res.LogTail), "Status: timeout") {
		t.Errorf("REPORT lacks Status: timeout:\n%s", res.LogTail)
	}
	waitGone(t, fnPid)
	waitGone(t, child)
	if res := invoke(t, m, spec, `{"op":"echo","value":2}`); string(res.Payload) != "2" || !res.Cold {
		t.Errorf("invoke after timeout = %s cold=%v; want 2 on a new environment", res.Payload, res.Cold)
	}
}

func TestGoLogs(t *testing.T) {
	logs := &sink{}
	m := newManager(t, runtime.Config{Logs: logs})
	spec := goSpec("logger")
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{RequestID: "req-1", Payload: []byte(`{"op":"print","lines":["hello","world"]}`), WantLogTail: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(res.LogTail), "\n"), "\n")
	want := []string{"START RequestId: req-1 Version: $LATEST", "hello", "world", "no newline at end", "END RequestId: req-1"}
	if len(lines) != len(want)+1 {
		t.Fatalf("log tail = %q; want %d lines", lines, len(want)+1)
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("log line %d = %q; want %q", i, lines[i], w)
		}
	}
	report := regexp.MustCompile(`^REPORT RequestId: req-1\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: [1-9]\d* MB\tInit Duration: \d+\.\d\d ms\t$`)
	if !report.MatchString(lines[len(lines)-1]) {
		t.Errorf("REPORT line = %q; want it to match %s", lines[len(lines)-1], report)
	}
	// Warm: no Init Duration.
	res = invoke(t, m, spec, `{"op":"echo","value":1}`)
	if strings.Contains(string(res.LogTail), "Init Duration") {
		t.Errorf("warm REPORT has Init Duration:\n%s", res.LogTail)
	}
	// The sink gets the same lines in the function's group, one stream per environment.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.Close(ctx)
	streams, msgs := logs.lines("/aws/lambda/logger")
	if len(streams) != 1 || !regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`).MatchString(streams[0]) {
		t.Errorf("streams = %q; want one YYYY/MM/DD/[$LATEST]<32 hex>", streams)
	}
	initStart := regexp.MustCompile(`^INIT_START Runtime Version: provided:al2023\.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$`)
	if len(msgs) != 10 || !initStart.MatchString(msgs[0]) || msgs[1] != "START RequestId: req-1 Version: $LATEST" {
		t.Errorf("sink messages = %q; want 10: INIT_START (once, for the new environment), then START", msgs)
	}
}

func TestGoContextAndEnv(t *testing.T) {
	m := newManager(t, runtime.Config{Endpoint: func() string { return "http://127.0.0.1:4566" }})
	spec := goSpec("ctxfn")
	spec.Env = map[string]string{"MY_VAR": "v1", "AWS_REGION": "eu-west-1"}
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"},"client":{},"env":{}}`))
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{
		RequestID: "req-ctx", Payload: []byte(`{"op":"ctx"}`),
		InvokedARN: spec.FunctionARN + ":prod", ClientContext: cc,
		CognitoIdentity: `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		RequestID string            `json:"requestId"`
		ARN       string            `json:"arn"`
		ClientCtx map[string]string `json:"clientCtx"`
		Identity  string            `json:"identity"`
		RemainMs  int64             `json:"remainMs"`
		Env       map[string]string `json:"env"`
		Name      string            `json:"functionNm"`
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	if got.RequestID != "req-ctx" || got.ARN != spec.FunctionARN+":prod" || got.ClientCtx["k"] != "v" || got.Identity != "id-1" || got.Name != "ctxfn" {
		t.Errorf("context = %+v", got)
	}
	if got.RemainMs < 2000 || got.RemainMs > 3000 {
		t.Errorf("remaining time = %d ms; want about 3000", got.RemainMs)
	}
	wantEnv := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "ctxfn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/ctxfn",
		"AWS_REGION":                      "eu-west-1", // the function's variable wins
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":               "ASIA123456789012LMBD",
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
		"LAMBDA_TASK_ROOT":                goFnDir,
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC",
		"MY_VAR":                          "v1",
	}
	for k, v := range wantEnv {
		if got.Env[k] != v {
			t.Errorf("env %s = %q; want %q", k, got.Env[k], v)
		}
	}
	for _, k := range []string{"AWS_LAMBDA_RUNTIME_API", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_LOG_STREAM_NAME", "TMPDIR", "_X_AMZN_TRACE_ID"} {
		if got.Env[k] == "" {
			t.Errorf("env %s not set", k)
		}
	}
	if _, ok := got.Env["AWS_EXECUTION_ENV"]; ok {
		t.Errorf("AWS_EXECUTION_ENV set for a provided runtime")
	}
}

func TestGoResponseTooLarge(t *testing.T) {
	m := newManager(t, runtime.Config{})
	d := decodeErr(t, invoke(t, m, goSpec("big"), `{"op":"big","size":6291600}`))
	if d.ErrorType != "Function.ResponseSizeTooLarge" || d.ErrorMessage != "Response payload size exceeded maximum allowed payload size (6291556 bytes)." {
		t.Errorf("too large doc = %+v", d)
	}
}

func TestConcurrency(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := goSpec("conc")
	spec.Concurrency = 2
	var wg sync.WaitGroup
	pids := make([]int, 2)
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pids[i] = pidOf(t, invoke(t, m, spec, `{"op":"pid","ms":400}`))
		}()
	}
	time.Sleep(200 * time.Millisecond)
	_, err := m.Invoke(context.Background(), spec, &runtime.Request{Payload: []byte(`{}`)})
	var te *runtime.ThrottleError
	if !errors.Is(err, runtime.ErrTooManyRequests) || !errors.As(err, &te) || te.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Errorf("third invoke error = %v; want ErrTooManyRequests (reserved)", err)
	}
	wg.Wait()
	if pids[0] == pids[1] {
		t.Errorf("parallel invokes ran in the same process %d", pids[0])
	}
	// Both environments are warm now.
	if res := invoke(t, m, spec, `{"op":"pid"}`); res.Cold {
		t.Errorf("invoke after the burst was cold")
	}
}

func TestAccountConcurrency(t *testing.T) {
	m := newManager(t, runtime.Config{AccountConcurrency: 1})
	a, b := goSpec("acct-a"), goSpec("acct-b")
	done := make(chan struct{})
	go func() { defer close(done); invoke(t, m, a, `{"op":"sleep","ms":400}`) }()
	time.Sleep(200 * time.Millisecond)
	_, err := m.Invoke(context.Background(), b, &runtime.Request{})
	var te *runtime.ThrottleError
	if !errors.As(err, &te) || te.Reason != "ConcurrentInvocationLimitExceeded" {
		t.Errorf("invoke over the account limit: %v; want ConcurrentInvocationLimitExceeded", err)
	}
	<-done
}

func TestIdleReaping(t *testing.T) {
	fc := clock.NewFake(time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC))
	m := newManager(t, runtime.Config{Clock: fc, IdleTimeout: time.Minute})
	spec := goSpec("reap")
	pid := pidOf(t, invoke(t, m, spec, `{"op":"pid"}`))
	fc.Advance(30 * time.Second)
	if p := pidOf(t, invoke(t, m, spec, `{"op":"pid"}`)); p != pid {
		t.Fatalf("environment replaced before the idle timeout")
	}
	fc.Advance(45 * time.Second) // 45 s since last use: still warm
	time.Sleep(20 * time.Millisecond)
	if !alive(pid) {
		t.Fatalf("environment reaped after 45 s idle; timeout is 60 s")
	}
	fc.Advance(20 * time.Second)
	waitGone(t, pid)
	if res := invoke(t, m, spec, `{"op":"pid"}`); !res.Cold {
		t.Errorf("invoke after reaping was warm")
	}
}

func TestRetireAndClose(t *testing.T) {
	m := runtime.New(runtime.Config{WorkDir: t.TempDir()})
	spec := goSpec("retire")
	pid := pidOf(t, invoke(t, m, spec, `{"op":"pid"}`))
	m.Retire(spec.Account, spec.Region, spec.FunctionName, spec.Key) // keeps this key
	if !alive(pid) {
		t.Fatalf("Retire keeping the key stopped the environment")
	}
	m.Retire(spec.Account, spec.Region, spec.FunctionName, "other-key")
	waitGone(t, pid)

	pid = pidOf(t, invoke(t, m, spec, `{"op":"pid"}`))
	child := pidOf(t, invoke(t, m, spec, `{"op":"spawn"}`))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	waitGone(t, child)
	if _, err := m.Invoke(context.Background(), spec, &runtime.Request{}); !errors.Is(err, runtime.ErrClosed) {
		t.Errorf("Invoke after Close = %v; want ErrClosed", err)
	}
}

func TestResetStopsInFlight(t *testing.T) {
	logs := &sink{}
	m := newManager(t, runtime.Config{Logs: logs})
	spec := goSpec("reset")
	spec.Timeout = time.Minute // only Reset ends the invocation
	done := make(chan error, 1)
	go func() {
		// The function prints, then waits for a file that never comes.
		never := filepath.Join(t.TempDir(), "never")
		_, err := m.Invoke(context.Background(), spec, &runtime.Request{Payload: []byte(`{"op":"print","lines":["running"],"until":` + strconv.Quote(never) + `}`)})
		done <- err
	}()
	// Reset once the function runs, as its line in the log shows: a fixed
	// pause could end while a slow machine still starts the environment.
	waitLine(t, logs, "/aws/lambda/reset", "running", done)
	if err := m.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, runtime.ErrClosed) {
			t.Errorf("in-flight invoke after Reset = %v; want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("in-flight invoke did not return after Reset")
	}
	if res := invoke(t, m, spec, `{"op":"echo","value":3}`); string(res.Payload) != "3" {
		t.Errorf("invoke after Reset = %s", res.Payload)
	}
}

func TestUnavailableAndInvalidEntrypoint(t *testing.T) {
	m := newManager(t, runtime.Config{Interpreters: map[string]string{"python3.12": "/nonexistent/python"}})
	for _, rt := range []string{"java21", "python3.12", "dotnet8"} {
		spec := goSpec("na")
		spec.Runtime = rt
		spec.Handler = "app.handler"
		_, err := m.Invoke(context.Background(), spec, &runtime.Request{})
		if !errors.Is(err, runtime.ErrRuntimeUnavailable) {
			t.Errorf("Invoke(%s) error = %v; want ErrRuntimeUnavailable", rt, err)
		}
	}
	spec := goSpec("noboot")
	spec.CodeDir = t.TempDir()
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{RequestID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	d := decodeErr(t, res)
	want := fmt.Sprintf("RequestId: r1 Error: Couldn't find valid bootstrap(s): [%s/bootstrap ", spec.CodeDir)
	if d.ErrorType != "Runtime.InvalidEntrypoint" || !strings.HasPrefix(d.ErrorMessage, want) {
		t.Errorf("no bootstrap doc = %+v; want Runtime.InvalidEntrypoint %q...", d, want)
	}
}

func TestLongInvocationLogsWhileRunning(t *testing.T) {
	logs := &sink{}
	m := newManager(t, runtime.Config{Logs: logs})
	spec := goSpec("longlog")
	spec.Timeout = time.Minute
	// The function runs until the test has seen its first line in the log,
	// so the line was sent while it ran, however slowly the machine starts it.
	release := filepath.Join(t.TempDir(), "release")
	done := make(chan *runtime.Result, 1)
	go func() {
		res, _ := m.Invoke(context.Background(), spec, &runtime.Request{RequestID: "long-1", WantLogTail: true,
			Payload: []byte(`{"op":"print","lines":["early"],"until":` + strconv.Quote(release) + `}`)})
		done <- res
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, msgs := logs.lines("/aws/lambda/longlog")
		if len(msgs) == 3 && strings.HasPrefix(msgs[0], "INIT_START ") && strings.Join(msgs[1:], "|") == "START RequestId: long-1 Version: $LATEST|early" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lines of the running invocation not sent: %q", msgs)
		}
		select {
		case res := <-done:
			t.Fatalf("the invocation ended (%v) before its lines were sent: %q", res != nil, msgs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res == nil {
		t.Fatal("invoke failed")
	}
	tail := string(res.LogTail)
	if strings.Count(tail, "START RequestId: long-1") != 1 || !strings.Contains(tail, "early\nno newline at end\nEND RequestId: long-1\nREPORT") {
		t.Errorf("log tail:\n%s", tail)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.Close(ctx)
	if _, msgs := logs.lines("/aws/lambda/longlog"); len(msgs) != 6 {
		t.Errorf("sink = %q; want INIT_START, START, early, no newline at end, END, REPORT", msgs)
	}
}
