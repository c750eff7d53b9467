package runtime

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
)

func TestReportLine(t *testing.T) {
	tests := []struct {
		name          string
		dur, init     time.Duration
		status, etype string
		want          string
	}{
		{"warm", 1230 * time.Microsecond, 0, "", "",
			"REPORT RequestId: r\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t"},
		{"cold bills init", 1230 * time.Microsecond, 45670 * time.Microsecond, "", "",
			"REPORT RequestId: r\tDuration: 1.23 ms\tBilled Duration: 47 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tInit Duration: 45.67 ms\t"},
		{"timeout", 3 * time.Second, 0, "timeout", "",
			"REPORT RequestId: r\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tStatus: timeout"},
		{"exit", 10 * time.Microsecond, 0, "error", "Runtime.ExitError",
			"REPORT RequestId: r\tDuration: 0.01 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tStatus: error\tError Type: Runtime.ExitError"},
	}
	for _, tc := range tests {
		if got := reportLine("r", tc.dur, tc.init, 128, 20, tc.status, tc.etype); got != tc.want {
			t.Errorf("reportLine(%s) = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"Name:\tx\nVmPeak:\t  9999 kB\nVmHWM:\t   20480 kB\nVmRSS:\t 100 kB\n", 20},
		{"VmHWM:\t   20481 kB\n", 21},
		{"XVmHWM: 5000 kB\n", 0},
		{"", 0},
	}
	for _, tc := range tests {
		if got := parseVmHWM([]byte(tc.in)); got != tc.want {
			t.Errorf("parseVmHWM(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}

func FuzzParseVmHWM(f *testing.F) {
	f.Add([]byte("VmHWM:\t   20480 kB\n"))
	f.Add([]byte("Name:\tx\nVmHWM:\t1 kB"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n := parseVmHWM(b); n < 0 && !strings.Contains(string(b), "VmHWM:") {
			t.Fatalf("parseVmHWM = %d without the key", n)
		}
	})
}

func TestParseRuntime(t *testing.T) {
	tests := []struct {
		in, lang, want string
		ok             bool
	}{
		{"provided.al2023", langProvided, "", true},
		{"provided.al2", langProvided, "", true},
		{"provided", langProvided, "", true},
		{"python3.12", langPython, "3.12", true},
		{"python3.9", langPython, "3.9", true},
		{"nodejs20.x", langNode, "20", true},
		{"nodejs22.x", langNode, "22", true},
		{"java21", "", "", false},
		{"python2.7", "", "", false},
		{"python3.x", "", "", false},
		{"nodejs.x", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		lang, want, ok := parseRuntime(tc.in)
		if lang != tc.lang || want != tc.want || ok != tc.ok {
			t.Errorf("parseRuntime(%q) = %q, %q, %v; want %q, %q, %v", tc.in, lang, want, ok, tc.lang, tc.want, tc.ok)
		}
	}
}

func FuzzParseRuntime(f *testing.F) {
	for _, s := range []string{"python3.12", "nodejs20.x", "provided.al2023", "ruby3.3", "nodejs-1.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lang, want, ok := parseRuntime(s)
		if ok && lang == "" || !ok && (lang != "" || want != "") {
			t.Fatalf("parseRuntime(%q) = %q, %q, %v", s, lang, want, ok)
		}
	})
}

func TestExitText(t *testing.T) {
	err := exec.Command("sh", "-c", "exit 3").Run()
	if got, want := exitText(err), "Runtime exited with error: exit status 3"; got != want {
		t.Errorf("exitText(exit 3) = %q; want %q", got, want)
	}
	cmd := exec.Command("sleep", "10")
	_ = cmd.Start()
	_ = cmd.Process.Kill()
	if got, want := exitText(cmd.Wait()), "Runtime exited with error: signal: killed"; got != want {
		t.Errorf("exitText(killed) = %q; want %q", got, want)
	}
	if got, want := exitText(nil), "Runtime exited without providing a reason"; got != want {
		t.Errorf("exitText(nil) = %q; want %q", got, want)
	}
}

func TestLineReader(t *testing.T) {
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fc := clock.NewFake(time.Unix(0, 0))
	lr := newLineReader(rd, fc)
	go lr.run()
	_, _ = wr.WriteString("one\ntwo\r\nmulti\rline\npart")
	lr.sync(false) // everything written before sync is collected, without waiting
	got := msgs(lr.take())
	if want := []string{"one", "two", "multi\nline"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines = %q; want %q", got, want)
	}
	_, _ = wr.WriteString("ial")
	lr.sync(true)
	if got := msgs(lr.take()); len(got) != 1 || got[0] != "partial" {
		t.Errorf("partial line = %q; want [partial]", got)
	}
	_, _ = wr.WriteString("last")
	_ = wr.Close()
	lr.finish(time.Second)
	if got := msgs(lr.take()); len(got) != 1 || got[0] != "last" {
		t.Errorf("after EOF = %q; want [last]", got)
	}
}

func msgs(evs []LogEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Message)
	}
	return out
}

// apiEnv is an environment without a process, for exercising the Runtime API alone.
func apiEnv() *env {
	return &env{
		reqCh:  make(chan *invocation, 1),
		resCh:  make(chan outcome, 1),
		initCh: make(chan struct{}),
		exited: make(chan struct{}),
		done:   make(chan struct{}),
	}
}

func TestRuntimeAPI(t *testing.T) {
	e := apiEnv()
	srv := httptest.NewServer(e)
	defer srv.Close()
	defer close(e.done)
	base := srv.URL + "/2018-06-01/runtime"

	inv := &invocation{id: "req-1", payload: []byte(`{"x":1}`), arn: "arn:fn", trace: "Root=1-a", deadlineMs: "1700000000000",
		clientContext: `{"custom":{}}`, cognito: `{"cognitoIdentityId":"c"}`}
	e.cur.Store(inv)
	e.reqCh <- inv
	resp, err := http.Get(base + "/invocation/next")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantHdr := map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       "req-1",
		"Lambda-Runtime-Deadline-Ms":          "1700000000000",
		"Lambda-Runtime-Invoked-Function-Arn": "arn:fn",
		"Lambda-Runtime-Trace-Id":             "Root=1-a",
		"Lambda-Runtime-Client-Context":       `{"custom":{}}`,
		"Lambda-Runtime-Cognito-Identity":     `{"cognitoIdentityId":"c"}`,
		"Content-Type":                        "application/json",
	}
	for k, v := range wantHdr {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("next header %s = %q; want %q", k, got, v)
		}
	}
	if string(body) != `{"x":1}` || resp.StatusCode != 200 {
		t.Errorf("next = %d %s", resp.StatusCode, body)
	}
	select {
	case <-e.initCh:
	default:
		t.Errorf("first next did not end init")
	}

	post := func(path, errType, body string) (int, string) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		if errType != "" {
			req.Header.Set("Lambda-Runtime-Function-Error-Type", errType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, b := post("/invocation/other/response", "", "1"); code != 400 || !strings.Contains(b, `"errorType":"InvalidRequestID"`) {
		t.Errorf("response for a wrong id = %d %s; want 400 InvalidRequestID", code, b)
	}
	if code, b := post("/invocation/req-1/error", "Custom.Err", `{"errorMessage":"m","errorType":"Custom.Err"}`); code != 202 || b != "{\"status\":\"OK\"}\n" {
		t.Errorf("error post = %d %s; want 202", code, b)
	}
	out := <-e.resCh
	if out.kind != outError || out.errType != "Custom.Err" || string(out.body) != `{"errorMessage":"m","errorType":"Custom.Err"}` {
		t.Errorf("outcome = %+v", out)
	}
	if code, _ := post("/invocation/req-1/response", "", "1"); code != 400 {
		t.Errorf("second answer = %d; want 400", code)
	}
	if code, b := post("/init/error", "Runtime.X", "{}"); code != 403 || !strings.Contains(b, "InvalidStateTransition") {
		t.Errorf("init error after init = %d %s; want 403", code, b)
	}
	for _, p := range []string{"/nope", "/invocation/req-1/bogus", "/invocation/x"} {
		if code, _ := post(p, "", ""); code != 404 {
			t.Errorf("POST %s = %d; want 404", p, code)
		}
	}
}

func TestRuntimeAPIInitError(t *testing.T) {
	e := apiEnv()
	srv := httptest.NewServer(e)
	defer srv.Close()
	defer close(e.done)
	resp, err := http.Post(srv.URL+"/2018-06-01/runtime/init/error", "application/json", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Errorf("init error = %d; want 202", resp.StatusCode)
	}
	if out := <-e.resCh; out.kind != outInitError || string(out.body) != `{"errorType":"Runtime.Unknown","errorMessage":""}` {
		t.Errorf("init outcome = %+v %s", out, out.body)
	}
}

func FuzzRuntimeAPIPath(f *testing.F) {
	for _, p := range []string{"/2018-06-01/runtime/invocation/next", "/2018-06-01/runtime/invocation/a/response",
		"/2018-06-01/runtime/init/error", "/2018-06-01/runtime/invocation//error", "/"} {
		f.Add("POST", p)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		if method == "GET" && strings.HasSuffix(path, "/next") {
			return // the long poll would wait
		}
		e := apiEnv()
		close(e.done)
		req := httptest.NewRequest("POST", "/", strings.NewReader("{}"))
		req.Method = method
		req.URL.Path = path
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code == 0 {
			t.Fatalf("no status for %s %s", method, path)
		}
	})
}

func TestErrorDoc(t *testing.T) {
	if got, want := string(errorDoc("A.B", `x "<y>"`)), `{"errorType":"A.B","errorMessage":"x \"<y>\""}`; got != want {
		t.Errorf("errorDoc = %s; want %s", got, want)
	}
	var te error = &ThrottleError{Reason: "R"}
	if !errors.Is(te, ErrTooManyRequests) {
		t.Errorf("ThrottleError is not ErrTooManyRequests")
	}
}

func TestIDs(t *testing.T) {
	if id := newUUID(); !regexpUUID.MatchString(id) {
		t.Errorf("newUUID() = %q; want a v4 UUID", id)
	}
	tr := newTraceID(time.Unix(0x5bef4de7, 0))
	if !regexpTrace.MatchString(tr) || !strings.HasPrefix(tr, "Root=1-5bef4de7-") {
		t.Errorf("newTraceID() = %q", tr)
	}
}

var (
	regexpUUID  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	regexpTrace = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`)
)

func TestSweepStale(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := exec.Command("true")
	_ = dead.Run()
	stale := filepath.Join(tmp, "tenkai-lambda-"+strconv.Itoa(dead.Process.Pid))
	live := filepath.Join(tmp, "tenkai-lambda-1")
	other := filepath.Join(tmp, "tenkai-lambda-code-7")
	for _, d := range []string{stale, live, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m := New(Config{})
	m.sweepStale()
	if isDir(stale) {
		t.Errorf("stale dir %s kept", stale)
	}
	if !isDir(live) || !isDir(other) {
		t.Errorf("sweep removed a live or foreign dir")
	}
}

func TestRuntimeVersion(t *testing.T) {
	for rt, want := range map[string]string{
		"python3.12": "python:3.12.v1", "nodejs20.x": "nodejs:20.v1", "nodejs22.x": "nodejs:22.v1",
		"provided.al2023": "provided:al2023.v1", "provided.al2": "provided:al2.v1", "provided": "provided:v1",
		"java21": "java:21.v1", "ruby3.3": "ruby:3.3.v1",
	} {
		if got := runtimeVersion(rt); got != want {
			t.Errorf("runtimeVersion(%q) = %q; want %q", rt, got, want)
		}
	}
}

// An invocation whose environment is still starting when Reset comes fails
// with ErrClosed, as one already running does; before, Reset missed the
// environment, which was not registered yet, and the invocation went on.
func TestResetDuringEnvironmentStart(t *testing.T) {
	code := t.TempDir()
	if err := os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := New(Config{WorkDir: t.TempDir()})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	started, proceed := make(chan struct{}), make(chan struct{})
	var once sync.Once
	m.starting = func() {
		once.Do(func() { close(started) })
		<-proceed
	}
	spec := &Spec{Account: "123456789012", Region: "us-east-1", FunctionName: "starting",
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:starting", Version: "$LATEST",
		Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: code, MemoryMB: 128, Timeout: 3 * time.Second, Key: "starting-k1"}
	done := make(chan error, 1)
	go func() {
		_, err := m.Invoke(context.Background(), spec, &Request{})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		close(proceed)
		t.Fatal("the environment did not start")
	}
	if err := m.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(proceed)
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("invoke whose environment started across a Reset = %v; want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the invocation whose environment started across a Reset still runs")
	}
}
