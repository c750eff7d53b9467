package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/lambda/runtime"
	"tenkai/internal/store"
)

// fakeExec records invocations and answers with respond.
type fakeExec struct {
	mu      sync.Mutex
	calls   []fakeCall
	retired []string
	respond func(spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error)
	called  chan fakeCall
}

type fakeCall struct {
	Spec runtime.Spec
	Req  runtime.Request
}

func (f *fakeExec) Invoke(ctx context.Context, spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error) {
	c := fakeCall{Spec: *spec, Req: *req}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	respond := f.respond
	f.mu.Unlock()
	if f.called != nil {
		// A test that stopped reading must not block the poller that
		// Close waits for.
		select {
		case f.called <- c:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if respond != nil {
		return respond(spec, req)
	}
	return &runtime.Result{Payload: req.Payload, LogTail: []byte("START\nhello\nEND\n")}, nil
}

func (f *fakeExec) Retire(account, region, fn, keep string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retired = append(f.retired, fn+"|"+keep)
}

type harness struct {
	t    testing.TB
	svc  *Service
	edge *edge.Edge
	exec *fakeExec
	clk  *clock.Fake
	st   store.Store
}

func newHarness(t testing.TB, opts ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, exec: &fakeExec{}, clk: clock.NewFake(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)), st: store.NewMem()}
	cfg := Config{Store: h.st, Clock: h.clk, Executor: h.exec, WorkDir: t.TempDir(), Rand: rand.New(rand.NewPCG(1, 2)).Float64,
		Logger: slogDiscard()}
	for _, o := range opts {
		o(&cfg)
	}
	h.svc = New(cfg)
	h.edge = edge.New(edge.Config{Logger: cfg.Logger})
	h.edge.Register(h.svc)
	h.edge.HandleAdmin("GET /_tenkai/lambda/code/{file}", h.svc.CodeHandler())
	if err := h.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.svc.Close(context.Background()) })
	return h
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, r.Body)
	}
}

// errCode returns the restJson1 error code of a response.
func (r resp) errCode() string { return r.Header.Get("X-Amzn-ErrorType") }

func (r resp) message() string {
	var m struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(r.Body, &m)
	return m.Message
}

func (h *harness) do(method, path string, body any, headers ...string) resp {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.edge.ServeHTTP(w, req)
	return resp{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

func (h *harness) must(want int, r resp) resp {
	h.t.Helper()
	if r.Status != want {
		h.t.Fatalf("status %d; want %d: %s %s", r.Status, want, r.errCode(), r.Body)
	}
	return r
}

func makeZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate}
		hdr.SetMode(0o755)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const role = "arn:aws:iam::000000000000:role/lambda-role"

func (h *harness) create(name string, extra map[string]any) *functionConfiguration {
	h.t.Helper()
	in := map[string]any{"FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": "app.handler",
		"Code": map[string]any{"ZipFile": makeZip(h.t, map[string]string{"app.py": "def handler(e, c): return e"})}}
	for k, v := range extra {
		in[k] = v
	}
	var out functionConfiguration
	h.must(201, h.do("POST", "/2015-03-31/functions", in)).json(h.t, &out)
	return &out
}

func TestCreateAndGetFunction(t *testing.T) {
	h := newHarness(t)
	zipData := makeZip(t, map[string]string{"app.py": "x"})
	sum := sha256.Sum256(zipData)
	var c functionConfiguration
	h.must(201, h.do("POST", "/2015-03-31/functions", map[string]any{
		"FunctionName": "f1", "Runtime": "python3.12", "Role": role, "Handler": "app.handler",
		"Code": map[string]any{"ZipFile": zipData}, "Environment": map[string]any{"Variables": map[string]string{"A": "1"}},
		"Tags": map[string]string{"team": "x"},
	})).json(t, &c)
	checks := []struct{ name, got, want string }{
		{"FunctionArn", c.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:f1"},
		{"CodeSha256", c.CodeSha256, base64.StdEncoding.EncodeToString(sum[:])},
		{"Version", c.Version, "$LATEST"},
		{"State", c.State, "Active"},
		{"LastUpdateStatus", c.LastUpdateStatus, "Successful"},
		{"LastModified", c.LastModified, "2026-11-21T08:00:00.000+0000"},
		{"PackageType", c.PackageType, "Zip"},
		{"Env", c.Environment.Variables["A"], "1"},
		{"LogGroup", c.LoggingConfig.LogGroup, "/aws/lambda/f1"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q; want %q", ck.name, ck.got, ck.want)
		}
	}
	if c.CodeSize != int64(len(zipData)) || c.Timeout != 3 || c.MemorySize != 128 {
		t.Errorf("CodeSize, Timeout, MemorySize = %d, %d, %d; want %d, 3, 128", c.CodeSize, c.Timeout, c.MemorySize, len(zipData))
	}
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(c.RevisionId) {
		t.Errorf("RevisionId = %q; want a UUID", c.RevisionId)
	}

	var g getFunctionOutput
	h.must(200, h.do("GET", "/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f1", nil)).json(t, &g)
	if g.Tags["team"] != "x" || g.Code.RepositoryType != "S3" {
		t.Errorf("GetFunction Tags, RepositoryType = %v, %q", g.Tags, g.Code.RepositoryType)
	}
	u := strings.TrimPrefix(g.Code.Location, "http://example.com")
	dl := h.must(200, h.do("GET", u, nil))
	if !bytes.Equal(dl.Body, zipData) {
		t.Errorf("code download from %s returned %d bytes; want the uploaded zip", g.Code.Location, len(dl.Body))
	}

	r := h.do("POST", "/2015-03-31/functions", map[string]any{"FunctionName": "f1", "Runtime": "python3.12", "Role": role,
		"Handler": "app.handler", "Code": map[string]any{"ZipFile": zipData}})
	if r.Status != 409 || r.errCode() != "ResourceConflictException" || r.message() != "Function already exist: f1" {
		t.Errorf("duplicate create = %d %s %q", r.Status, r.errCode(), r.message())
	}
	r = h.do("GET", "/2015-03-31/functions/nope", nil)
	if r.Status != 404 || r.message() != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" {
		t.Errorf("missing function = %d %q", r.Status, r.message())
	}
	r = h.do("GET", "/2015-03-31/functions/f1?Qualifier=7", nil)
	if r.Status != 404 || r.message() != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f1:7" {
		t.Errorf("missing version = %d %q", r.Status, r.message())
	}
}

func TestCreateValidation(t *testing.T) {
	h := newHarness(t)
	good := makeZip(t, map[string]string{"app.py": "x"})
	tests := []struct {
		name     string
		change   map[string]any
		code     string
		contains string
	}{
		{"unknown runtime", map[string]any{"Runtime": "python9"}, "ValidationException", "Value 'python9' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{"deprecated runtime", map[string]any{"Runtime": "python3.7"}, "InvalidParameterValueException", "The runtime parameter of python3.7 is no longer supported"},
		{"bad name", map[string]any{"FunctionName": "bad name"}, "ValidationException", "at 'functionName' failed to satisfy constraint"},
		{"bad role", map[string]any{"Role": "arn:aws:iam::1:role/x"}, "ValidationException", "at 'role' failed to satisfy constraint"},
		{"timeout", map[string]any{"Timeout": 901}, "InvalidParameterValueException", "Timeout"},
		{"memory", map[string]any{"MemorySize": 64}, "ValidationException", "Value '64' at 'memorySize'"},
		{"handler", map[string]any{"Handler": "a b"}, "ValidationException", "at 'handler'"},
		{"no handler", map[string]any{"Handler": ""}, "InvalidParameterValueException", "Runtime and Handler are mandatory parameters"},
		{"corrupt zip", map[string]any{"Code": map[string]any{"ZipFile": []byte("not a zip")}}, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"reserved env", map[string]any{"Environment": map[string]any{"Variables": map[string]string{"AWS_REGION": "x"}}}, "InvalidParameterValueException", "Reserved keys used in this request: AWS_REGION"},
		{"env 4KB", map[string]any{"Environment": map[string]any{"Variables": map[string]string{"BIG": strings.Repeat("x", 4100)}}}, "InvalidParameterValueException", "exceeded the 4KB limit"},
		{"layer without version", map[string]any{"Layers": []string{"arn:aws:lambda:us-east-1:000000000000:layer:l"}}, "ValidationException", "at 'layers'"},
		{"missing layer", map[string]any{"Layers": []string{"arn:aws:lambda:us-east-1:000000000000:layer:l:1"}}, "InvalidParameterValueException", "Layer version arn:aws:lambda:us-east-1:000000000000:layer:l:1 does not exist."},
		{"six layers", map[string]any{"Layers": []string{"arn:aws:lambda:us-east-1:000000000000:layer:l:1", "arn:aws:lambda:us-east-1:000000000000:layer:l:2", "arn:aws:lambda:us-east-1:000000000000:layer:l:3", "arn:aws:lambda:us-east-1:000000000000:layer:l:4", "arn:aws:lambda:us-east-1:000000000000:layer:l:5", "arn:aws:lambda:us-east-1:000000000000:layer:l:6"}}, "InvalidParameterValueException", "Cannot reference more than 5 layers."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"FunctionName": "v", "Runtime": "python3.12", "Role": role, "Handler": "app.handler", "Code": map[string]any{"ZipFile": good}}
			for k, v := range tc.change {
				in[k] = v
			}
			r := h.do("POST", "/2015-03-31/functions", in)
			if r.errCode() != tc.code || !strings.Contains(r.message(), tc.contains) {
				t.Errorf("CreateFunction(%s) = %d %s %q; want %s containing %q", tc.name, r.Status, r.errCode(), r.message(), tc.code, tc.contains)
			}
		})
	}
}

func TestUnzippedTooLarge(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("big")
	chunk := make([]byte, 1<<20)
	for i := 0; i < 251; i++ {
		w.Write(chunk)
	}
	zw.Close()
	_, err := checkZip(buf.Bytes())
	var ae *edge.Error
	if !errors.As(err, &ae) || ae.Message != "Unzipped size must be smaller than 262144000 bytes" {
		t.Fatalf("checkZip(251 MB unzipped) = %v; want Unzipped size must be smaller than 262144000 bytes", err)
	}
}

func TestVersionsAndAliasWeights(t *testing.T) {
	h := newHarness(t)
	h.create("fv", nil)
	var v1, again, v2 functionConfiguration
	h.must(201, h.do("POST", "/2015-03-31/functions/fv/versions", map[string]any{})).json(t, &v1)
	h.must(201, h.do("POST", "/2015-03-31/functions/fv/versions", map[string]any{})).json(t, &again)
	if v1.Version != "1" || again.Version != "1" || v1.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:fv:1" {
		t.Fatalf("PublishVersion twice = %q, %q (arn %s); want 1, 1", v1.Version, again.Version, v1.FunctionArn)
	}
	r := h.do("POST", "/2015-03-31/functions/fv/versions", map[string]any{"CodeSha256": "abc"})
	if r.errCode() != "InvalidParameterValueException" {
		t.Errorf("PublishVersion with wrong CodeSha256 = %s", r.errCode())
	}
	h.must(200, h.do("PUT", "/2015-03-31/functions/fv/configuration", map[string]any{"Timeout": 10}))
	h.must(201, h.do("POST", "/2015-03-31/functions/fv/versions", map[string]any{"Description": "second"})).json(t, &v2)
	if v2.Version != "2" || v2.Timeout != 10 || v2.Description != "second" {
		t.Fatalf("second version = %q timeout %d %q", v2.Version, v2.Timeout, v2.Description)
	}
	var lv listVersionsOutput
	h.must(200, h.do("GET", "/2015-03-31/functions/fv/versions", nil)).json(t, &lv)
	if len(lv.Versions) != 3 || lv.Versions[0].Version != "$LATEST" || lv.Versions[2].Version != "2" {
		t.Errorf("ListVersionsByFunction = %d versions", len(lv.Versions))
	}

	var a aliasConfiguration
	h.must(201, h.do("POST", "/2015-03-31/functions/fv/aliases", map[string]any{
		"Name": "live", "FunctionVersion": "1", "RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{"2": 0.3}},
	})).json(t, &a)
	if a.AliasArn != "arn:aws:lambda:us-east-1:000000000000:function:fv:live" {
		t.Errorf("AliasArn = %s", a.AliasArn)
	}
	var viaAlias functionConfiguration
	h.must(200, h.do("GET", "/2015-03-31/functions/fv/configuration?Qualifier=live", nil)).json(t, &viaAlias)
	if viaAlias.FunctionArn != a.AliasArn || viaAlias.Version != "1" {
		t.Errorf("configuration through the alias = %s version %s", viaAlias.FunctionArn, viaAlias.Version)
	}
	counts := map[string]int{}
	const n = 2000
	for i := 0; i < n; i++ {
		r := h.must(200, h.do("POST", "/2015-03-31/functions/fv:live/invocations", `{}`))
		counts[r.Header.Get("X-Amz-Executed-Version")]++
	}
	if got := float64(counts["2"]) / n; got < 0.26 || got > 0.34 || counts["1"]+counts["2"] != n {
		t.Errorf("alias with weight 0.3 on version 2 ran %v; want about 30%% on 2", counts)
	}
	r = h.do("DELETE", "/2015-03-31/functions/fv?Qualifier=2", nil)
	if r.Status != 409 || r.errCode() != "ResourceConflictException" {
		t.Errorf("deleting a version an alias routes to = %d %s", r.Status, r.errCode())
	}
	h.must(200, h.do("PUT", "/2015-03-31/functions/fv/aliases/live", map[string]any{"RoutingConfig": map[string]any{"AdditionalVersionWeights": map[string]float64{}}}))
	h.must(204, h.do("DELETE", "/2015-03-31/functions/fv?Qualifier=2", nil))
	r = h.do("POST", "/2015-03-31/functions/fv/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"})
	if r.Status != 409 {
		t.Errorf("duplicate alias = %d", r.Status)
	}
	r = h.do("GET", "/2015-03-31/functions/fv/aliases/none", nil)
	if r.Status != 404 || r.message() != "Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:fv:none" {
		t.Errorf("missing alias = %d %q", r.Status, r.message())
	}
}

func TestPickVersion(t *testing.T) {
	a := &alias{FunctionVersion: "1", Weights: map[string]float64{"2": 0.25}}
	tests := []struct {
		r    float64
		want string
	}{{0, "2"}, {0.2499, "2"}, {0.25, "1"}, {0.99, "1"}}
	for _, tc := range tests {
		if got := a.pickVersion(tc.r); got != tc.want {
			t.Errorf("pickVersion(%v) = %s; want %s", tc.r, got, tc.want)
		}
	}
}

func TestPolicy(t *testing.T) {
	h := newHarness(t)
	h.create("fp", nil)
	var ap addPermissionOutput
	h.must(201, h.do("POST", "/2015-03-31/functions/fp/policy", map[string]any{
		"StatementId": "ev", "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
		"SourceArn": "arn:aws:events:us-east-1:000000000000:rule/MyRule",
	})).json(t, &ap)
	wantStmt := `{"Sid":"ev","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:fp","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:events:us-east-1:000000000000:rule/MyRule"}}}`
	if ap.Statement != wantStmt {
		t.Errorf("AddPermission Statement =\n%s\nwant\n%s", ap.Statement, wantStmt)
	}
	r := h.do("POST", "/2015-03-31/functions/fp/policy", map[string]any{"StatementId": "ev", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"})
	if r.Status != 409 || r.message() != "The statement id (ev) provided already exists. Please provide a new statement id, or remove the existing statement." {
		t.Errorf("duplicate Sid = %d %q", r.Status, r.message())
	}
	var gp getPolicyOutput
	h.must(200, h.do("GET", "/2015-03-31/functions/fp/policy", nil)).json(t, &gp)
	if want := `{"Version":"2012-10-17","Id":"default","Statement":[` + wantStmt + `]}`; gp.Policy != want {
		t.Errorf("GetPolicy =\n%s\nwant\n%s", gp.Policy, want)
	}
	ctx := context.Background()
	allow := []struct {
		principal, source string
		want              bool
	}{
		{"events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/MyRule", true},
		{"events.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/Other", false},
		{"s3.amazonaws.com", "arn:aws:events:us-east-1:000000000000:rule/MyRule", false},
	}
	for _, tc := range allow {
		if got := h.svc.Allows(ctx, "000000000000", "us-east-1", "fp", tc.principal, tc.source); got != tc.want {
			t.Errorf("Allows(%s, %s) = %v; want %v", tc.principal, tc.source, got, tc.want)
		}
	}
	h.must(204, h.do("DELETE", "/2015-03-31/functions/fp/policy/ev", nil))
	r = h.do("GET", "/2015-03-31/functions/fp/policy", nil)
	if r.Status != 404 {
		t.Errorf("GetPolicy after removal = %d", r.Status)
	}
	r = h.do("DELETE", "/2015-03-31/functions/fp/policy/ev", nil)
	if r.Status != 404 || r.message() != "Statement ev is not found in resource policy." {
		t.Errorf("RemovePermission of a missing Sid = %d %q", r.Status, r.message())
	}
}

func TestInvokeSync(t *testing.T) {
	h := newHarness(t)
	h.create("fi", map[string]any{"Timeout": 7, "MemorySize": 256})
	r := h.must(200, h.do("POST", "/2015-03-31/functions/fi/invocations", `{"a":1}`, "X-Amz-Log-Type", "Tail"))
	if string(r.Body) != `{"a":1}` || r.Header.Get("X-Amz-Executed-Version") != "$LATEST" {
		t.Errorf("Invoke = %s version %q", r.Body, r.Header.Get("X-Amz-Executed-Version"))
	}
	if tail, _ := base64.StdEncoding.DecodeString(r.Header.Get("X-Amz-Log-Result")); string(tail) != "START\nhello\nEND\n" {
		t.Errorf("X-Amz-Log-Result decodes to %q", tail)
	}
	c := h.exec.calls[0]
	if c.Spec.Timeout != 7*time.Second || c.Spec.MemoryMB != 256 || c.Spec.Runtime != "python3.12" || c.Spec.LogGroup != "/aws/lambda/fi" ||
		c.Req.InvokedARN != "arn:aws:lambda:us-east-1:000000000000:function:fi" || c.Req.RequestID != r.Header.Get("x-amzn-RequestId") {
		t.Errorf("spec/request = %+v %+v", c.Spec, c.Req)
	}
	if !strings.HasPrefix(c.Spec.CodeDir, h.svc.cfg.WorkDir) {
		t.Errorf("CodeDir = %s; want under %s", c.Spec.CodeDir, h.svc.cfg.WorkDir)
	}

	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		return &runtime.Result{Payload: []byte(`{"errorMessage":"boom","errorType":"Exception"}`), FunctionError: "Unhandled"}, nil
	}
	r = h.must(200, h.do("POST", "/2015-03-31/functions/fi/invocations", `{}`))
	if r.Header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Errorf("function error header = %q", r.Header.Get("X-Amz-Function-Error"))
	}
	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		return nil, &runtime.ThrottleError{Reason: "ConcurrentInvocationLimitExceeded"}
	}
	r = h.do("POST", "/2015-03-31/functions/fi/invocations", `{}`)
	var te struct{ Reason string }
	json.Unmarshal(r.Body, &te)
	if r.Status != 429 || r.errCode() != "TooManyRequestsException" || te.Reason != "ConcurrentInvocationLimitExceeded" {
		t.Errorf("throttled invoke = %d %s %s", r.Status, r.errCode(), r.Body)
	}
	h.exec.respond = nil

	r = h.do("POST", "/2015-03-31/functions/fi/invocations", bytes.Repeat([]byte("x"), maxSyncPayload+1))
	if r.Status != 413 || r.errCode() != "RequestTooLargeException" || r.message() != "Request must be smaller than 6291456 bytes for the InvokeFunction operation" {
		t.Errorf("6 MB payload = %d %s %q", r.Status, r.errCode(), r.message())
	}
	h.must(204, h.do("POST", "/2015-03-31/functions/fi/invocations", `{}`, "X-Amz-Invocation-Type", "DryRun"))

	h.must(200, h.do("PUT", "/2017-10-31/functions/fi/concurrency", map[string]int{"ReservedConcurrentExecutions": 0}))
	r = h.do("POST", "/2015-03-31/functions/fi/invocations", `{}`)
	json.Unmarshal(r.Body, &te)
	if r.Status != 429 || te.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Errorf("invoke with reserved concurrency 0 = %d %s", r.Status, r.Body)
	}
	h.must(204, h.do("DELETE", "/2017-10-31/functions/fi/concurrency", nil))

	res, err := h.svc.Invoke(context.Background(), "000000000000", "us-east-1", "arn:aws:lambda:us-east-1:000000000000:function:fi:$LATEST", "", []byte(`{"go":true}`), false)
	if err != nil || string(res.Payload) != `{"go":true}` || res.ExecutedVersion != "$LATEST" || res.StatusCode != 200 {
		t.Errorf("Go Invoke = %+v, %v", res, err)
	}
	h.create("java", map[string]any{"Runtime": "java21", "Handler": "a.B::h"})
	r = h.do("POST", "/2015-03-31/functions/java/invocations", `{}`)
	if r.errCode() != "InvalidRuntimeException" {
		t.Errorf("invoking java21 = %d %s", r.Status, r.errCode())
	}
}

func TestUpdateRetires(t *testing.T) {
	h := newHarness(t)
	h.create("fu", nil)
	var c functionConfiguration
	h.must(200, h.do("PUT", "/2015-03-31/functions/fu/code", map[string]any{"ZipFile": makeZip(t, map[string]string{"app.py": "y"})})).json(t, &c)
	if len(h.exec.retired) != 1 || h.exec.retired[0] != "fu|$LATEST/"+c.RevisionId {
		t.Errorf("retired = %v; want fu|$LATEST/%s", h.exec.retired, c.RevisionId)
	}
	r := h.do("PUT", "/2015-03-31/functions/fu/configuration", map[string]any{"RevisionId": "stale"})
	if r.Status != 412 || r.errCode() != "PreconditionFailedException" {
		t.Errorf("stale RevisionId = %d %s", r.Status, r.errCode())
	}
	h.must(204, h.do("DELETE", "/2015-03-31/functions/fu", nil))
	if got := h.exec.retired[len(h.exec.retired)-1]; got != "fu|" {
		t.Errorf("after delete retired %q; want fu|", got)
	}
}

type fakeBus struct {
	mu     sync.Mutex
	events []string
	got    chan string
}

func (b *fakeBus) PutEvent(ctx context.Context, account, region, bus, source, detailType string, detail []byte, resources []string) error {
	s := fmt.Sprintf("%s|%s|%s|%s", bus, source, detailType, detail)
	select {
	case b.got <- s:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func waitCall(t *testing.T, ch chan fakeCall) fakeCall {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no invocation within 10s")
	}
	return fakeCall{}
}

func noCall(t *testing.T, ch chan fakeCall) {
	t.Helper()
	select {
	case c := <-ch:
		t.Fatalf("unexpected invocation of %s", c.Spec.FunctionName)
	case <-time.After(50 * time.Millisecond):
	}
}

// waitTimer waits until the queue has scheduled a retry on the fake clock.
func waitTimer(t *testing.T, clk *clock.Fake) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Pending() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no retry scheduled")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAsyncRetriesAndDestinations(t *testing.T) {
	bus := &fakeBus{got: make(chan string, 4)}
	h := newHarness(t, func(c *Config) { c.Events = bus })
	h.exec.called = make(chan fakeCall, 16)
	h.create("worker", nil)
	h.create("onfail", nil)
	h.exec.respond = func(spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error) {
		if spec.FunctionName == "worker" {
			return &runtime.Result{Payload: []byte(`{"errorMessage":"bad","errorType":"Error"}`), FunctionError: "Unhandled"}, nil
		}
		return &runtime.Result{Payload: []byte(`null`)}, nil
	}
	h.must(200, h.do("PUT", "/2019-09-25/functions/worker/event-invoke-config", map[string]any{
		"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": "arn:aws:lambda:us-east-1:000000000000:function:onfail"}},
	}))
	start := h.clk.Now()
	r := h.must(202, h.do("POST", "/2015-03-31/functions/worker/invocations", `{"n":1}`, "X-Amz-Invocation-Type", "Event"))
	id := r.Header.Get("x-amzn-RequestId")
	c := waitCall(t, h.exec.called)
	if c.Spec.FunctionName != "worker" || c.Req.RequestID != id {
		t.Fatalf("first attempt = %s %s", c.Spec.FunctionName, c.Req.RequestID)
	}
	waitTimer(t, h.clk)
	h.clk.Advance(59 * time.Second)
	noCall(t, h.exec.called)
	h.clk.Advance(time.Second)
	waitCall(t, h.exec.called)
	if got := h.clk.Since(start); got != time.Minute {
		t.Errorf("second attempt after %v; want 1m", got)
	}
	waitTimer(t, h.clk)
	h.clk.Advance(119 * time.Second)
	noCall(t, h.exec.called)
	h.clk.Advance(time.Second)
	waitCall(t, h.exec.called)
	d := waitCall(t, h.exec.called)
	if d.Spec.FunctionName != "onfail" {
		t.Fatalf("destination invoked %s; want onfail", d.Spec.FunctionName)
	}
	var rec struct {
		Version        string `json:"version"`
		RequestContext struct {
			RequestID              string `json:"requestId"`
			FunctionArn            string `json:"functionArn"`
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		RequestPayload  map[string]int `json:"requestPayload"`
		ResponseContext struct {
			StatusCode      int    `json:"statusCode"`
			ExecutedVersion string `json:"executedVersion"`
			FunctionError   string `json:"functionError"`
		} `json:"responseContext"`
		ResponsePayload map[string]string `json:"responsePayload"`
	}
	if err := json.Unmarshal(d.Req.Payload, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Version != "1.0" || rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 ||
		rec.RequestContext.RequestID != id || rec.RequestContext.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:worker:$LATEST" ||
		rec.RequestPayload["n"] != 1 || rec.ResponseContext.FunctionError != "Unhandled" || rec.ResponseContext.StatusCode != 200 ||
		rec.ResponsePayload["errorMessage"] != "bad" {
		t.Errorf("destination record = %s", d.Req.Payload)
	}

	// Success to an event bus, without retries.
	h.must(200, h.do("PUT", "/2019-09-25/functions/onfail/event-invoke-config", map[string]any{
		"MaximumRetryAttempts": 0,
		"DestinationConfig":    map[string]any{"OnSuccess": map[string]string{"Destination": "arn:aws:events:us-east-1:000000000000:event-bus/default"}},
	}))
	h.must(202, h.do("POST", "/2015-03-31/functions/onfail/invocations", `{"ok":true}`, "X-Amz-Invocation-Type", "Event"))
	waitCall(t, h.exec.called)
	select {
	case ev := <-bus.got:
		if !strings.HasPrefix(ev, "arn:aws:events:us-east-1:000000000000:event-bus/default|lambda|Lambda Function Invocation Result - Success|") ||
			!strings.Contains(ev, `"condition":"Success"`) {
			t.Errorf("bus event = %s", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event on the bus")
	}
}

func TestAsyncSurvivesRestart(t *testing.T) {
	h := newHarness(t)
	h.create("later", nil)
	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		return &runtime.Result{Payload: []byte(`{}`), FunctionError: "Unhandled"}, nil
	}
	h.exec.called = make(chan fakeCall, 4)
	h.must(202, h.do("POST", "/2015-03-31/functions/later/invocations", `{}`, "X-Amz-Invocation-Type", "Event"))
	waitCall(t, h.exec.called)
	waitTimer(t, h.clk)
	h.svc.Close(context.Background())

	exec2 := &fakeExec{called: make(chan fakeCall, 4)}
	s2 := New(Config{Store: h.st, Clock: h.clk, Executor: exec2, WorkDir: t.TempDir(), Logger: slogDiscard()})
	if err := s2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s2.Close(context.Background())
	waitTimer(t, h.clk)
	h.clk.Advance(time.Minute)
	c := waitCall(t, exec2.called)
	if c.Spec.FunctionName != "later" {
		t.Errorf("resumed invocation ran %s", c.Spec.FunctionName)
	}
}

func TestLayersAndConfig(t *testing.T) {
	h := newHarness(t)
	var lv layerVersionOut
	h.must(201, h.do("POST", "/2018-10-31/layers/deps/versions", map[string]any{
		"Content": map[string]any{"ZipFile": makeZip(t, map[string]string{"python/dep.py": "X = 1"})}, "CompatibleRuntimes": []string{"python3.12"},
		"Description": "d", "LicenseInfo": "MIT",
	})).json(t, &lv)
	if lv.LayerVersionArn != "arn:aws:lambda:us-east-1:000000000000:layer:deps:1" || lv.Version != 1 || lv.Content.CodeSize == 0 {
		t.Fatalf("PublishLayerVersion = %+v", lv)
	}
	var byArn layerVersionOut
	h.must(200, h.do("GET", "/2018-10-31/layers?find=LayerVersion&Arn="+lv.LayerVersionArn, nil)).json(t, &byArn)
	if byArn.LicenseInfo != "MIT" {
		t.Errorf("GetLayerVersionByArn = %+v", byArn)
	}
	var ll listLayersOutput
	h.must(200, h.do("GET", "/2018-10-31/layers?CompatibleRuntime=python3.12", nil)).json(t, &ll)
	if len(ll.Layers) != 1 || ll.Layers[0].LatestMatchingVersion.Version != 1 {
		t.Errorf("ListLayers = %s", mustJSON(ll))
	}
	h.create("fl", nil)
	var c functionConfiguration
	h.must(200, h.do("PUT", "/2015-03-31/functions/fl/configuration", map[string]any{"Layers": []string{lv.LayerVersionArn}})).json(t, &c)
	if len(c.Layers) != 1 || c.Layers[0].Arn != lv.LayerVersionArn {
		t.Errorf("Layers = %+v", c.Layers)
	}
	h.must(200, h.do("POST", "/2015-03-31/functions/fl/invocations", `{}`))
	call := h.exec.calls[len(h.exec.calls)-1]
	if len(call.Spec.LayerDirs) != 1 {
		t.Fatalf("LayerDirs = %v", call.Spec.LayerDirs)
	}
	h.must(204, h.do("DELETE", "/2018-10-31/layers/deps/versions/1", nil))
	h.must(404, h.do("GET", "/2018-10-31/layers/deps/versions/1", nil))

	// Tags, concurrency, event invoke config, account settings.
	arn := "arn:aws:lambda:us-east-1:000000000000:function:fl"
	h.must(204, h.do("POST", "/2017-03-31/tags/"+arn, map[string]any{"Tags": map[string]string{"a": "1", "b": "2"}}))
	h.must(204, h.do("DELETE", "/2017-03-31/tags/"+arn+"?tagKeys=a", nil))
	var tags tagsBody
	h.must(200, h.do("GET", "/2017-03-31/tags/"+arn, nil)).json(t, &tags)
	if len(tags.Tags) != 1 || tags.Tags["b"] != "2" {
		t.Errorf("ListTags = %v", tags.Tags)
	}
	h.must(200, h.do("PUT", "/2017-10-31/functions/fl/concurrency", map[string]int{"ReservedConcurrentExecutions": 5}))
	var cc concurrencyResult
	h.must(200, h.do("GET", "/2019-09-30/functions/fl/concurrency", nil)).json(t, &cc)
	if cc.ReservedConcurrentExecutions == nil || *cc.ReservedConcurrentExecutions != 5 {
		t.Errorf("GetFunctionConcurrency = %+v", cc)
	}
	r := h.do("PUT", "/2017-10-31/functions/fl/concurrency", map[string]int{"ReservedConcurrentExecutions": 950})
	if r.errCode() != "InvalidParameterValueException" {
		t.Errorf("reserving 950 = %s", r.errCode())
	}
	var as accountSettings
	h.must(200, h.do("GET", "/2016-08-19/account-settings/", nil)).json(t, &as)
	if as.AccountLimit.UnreservedConcurrentExecutions != 995 || as.AccountUsage.FunctionCount != 1 {
		t.Errorf("GetAccountSettings = %+v", as)
	}
	r = h.do("GET", "/2019-09-25/functions/fl/event-invoke-config", nil)
	if r.Status != 404 || r.message() != "The function arn:aws:lambda:us-east-1:000000000000:function:fl:$LATEST doesn't have an EventInvokeConfig" {
		t.Errorf("missing event invoke config = %d %q", r.Status, r.message())
	}
	h.must(200, h.do("PUT", "/2019-09-25/functions/fl/event-invoke-config", map[string]any{"MaximumRetryAttempts": 1}))
	var ec eventInvokeConfigOut
	h.must(200, h.do("POST", "/2019-09-25/functions/fl/event-invoke-config", map[string]any{"MaximumEventAgeInSeconds": 100})).json(t, &ec)
	if ec.MaximumRetryAttempts == nil || *ec.MaximumRetryAttempts != 1 || *ec.MaximumEventAgeInSeconds != 100 {
		t.Errorf("UpdateFunctionEventInvokeConfig merged to %s", mustJSON(ec))
	}
	r = h.do("PUT", "/2019-09-25/functions/fl/event-invoke-config", map[string]any{"MaximumRetryAttempts": 3})
	if r.errCode() != "ValidationException" {
		t.Errorf("MaximumRetryAttempts 3 = %s", r.errCode())
	}
	var lc listEventInvokeConfigsOutput
	h.must(200, h.do("GET", "/2019-09-25/functions/fl/event-invoke-config/list", nil)).json(t, &lc)
	if len(lc.FunctionEventInvokeConfigs) != 1 {
		t.Errorf("ListFunctionEventInvokeConfigs = %d", len(lc.FunctionEventInvokeConfigs))
	}
	h.must(204, h.do("DELETE", "/2019-09-25/functions/fl/event-invoke-config", nil))
}

func TestListFunctionsPaging(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"c", "a", "b"} {
		h.create(n, map[string]any{"Publish": true})
	}
	var page listFunctionsOutput
	h.must(200, h.do("GET", "/2015-03-31/functions/?MaxItems=2", nil)).json(t, &page)
	if len(page.Functions) != 2 || page.Functions[0].FunctionName != "a" || page.NextMarker == "" {
		t.Fatalf("first page = %s", mustJSON(page))
	}
	marker := page.NextMarker
	page = listFunctionsOutput{}
	h.must(200, h.do("GET", "/2015-03-31/functions/?MaxItems=2&Marker="+marker, nil)).json(t, &page)
	if len(page.Functions) != 1 || page.Functions[0].FunctionName != "c" || page.NextMarker != "" {
		t.Fatalf("second page = %s", mustJSON(page))
	}
	h.must(200, h.do("GET", "/2015-03-31/functions/?FunctionVersion=ALL", nil)).json(t, &page)
	if len(page.Functions) != 6 {
		t.Errorf("ALL versions = %d functions; want 6", len(page.Functions))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// BenchmarkInvokeWarm measures a warm synchronous invoke through the HTTP
// handler (edge routing, function lookup, spec building) with an executor
// that echoes.
func BenchmarkInvokeWarm(b *testing.B) {
	h := newHarness(b)
	h.create("bench", nil)
	payload := []byte(`{"hello":"world"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/2015-03-31/functions/bench/invocations", bytes.NewReader(payload))
		w := httptest.NewRecorder()
		h.edge.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		h.exec.mu.Lock()
		h.exec.calls = h.exec.calls[:0]
		h.exec.mu.Unlock()
	}
}
