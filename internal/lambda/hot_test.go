package lambda

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tenkai/internal/lambda/runtime"
)

func TestHotReload(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "app.py")
	os.WriteFile(file, []byte("v1"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(file, old, old)
	c := h.create("hot", map[string]any{"Code": map[string]any{"S3Bucket": "hot-reload", "S3Key": dir}})
	if c.CodeSha256 != "hot-reloading-hash-not-available" {
		t.Errorf("CodeSha256 = %q", c.CodeSha256)
	}
	h.must(200, h.do("POST", "/2015-03-31/functions/hot/invocations", `{}`))
	first := h.exec.calls[0].Spec
	if first.CodeDir != dir {
		t.Fatalf("CodeDir = %s; want %s (no copy)", first.CodeDir, dir)
	}
	os.Chtimes(file, time.Now(), time.Now())
	h.must(200, h.do("POST", "/2015-03-31/functions/hot/invocations", `{}`))
	if got := h.exec.calls[1].Spec.Key; got != first.Key {
		t.Errorf("key changed before the recheck interval: %s -> %s", first.Key, got)
	}
	h.clk.Advance(600 * time.Millisecond)
	h.must(200, h.do("POST", "/2015-03-31/functions/hot/invocations", `{}`))
	third := h.exec.calls[2].Spec.Key
	if third == first.Key {
		t.Errorf("key did not change after an edit")
	}
	if n := len(h.exec.retired); n != 1 || !strings.HasSuffix(h.exec.retired[0], "|"+third) {
		t.Errorf("retired = %v; want one retirement keeping %s", h.exec.retired, third)
	}
	r := h.do("POST", "/2015-03-31/functions", map[string]any{"FunctionName": "hot2", "Runtime": "python3.12", "Role": role,
		"Handler": "app.handler", "Code": map[string]any{"S3Bucket": "hot-reload", "S3Key": "relative/dir"}})
	if r.errCode() != "InvalidParameterValueException" {
		t.Errorf("hot reload with a relative path = %s", r.errCode())
	}
}

func TestInvokeAsyncLegacyAndLimits(t *testing.T) {
	h := newHarness(t)
	h.exec.called = make(chan fakeCall, 2)
	h.create("legacy", nil)
	r := h.must(202, h.do("POST", "/2014-11-13/functions/legacy/invoke-async/", `{"x":1}`))
	if string(r.Body) != "{\"Status\":202}\n" {
		t.Errorf("InvokeAsync body = %q", r.Body)
	}
	if c := waitCall(t, h.exec.called); string(c.Req.Payload) != `{"x":1}` {
		t.Errorf("InvokeAsync ran with %s", c.Req.Payload)
	}
	big := `"` + strings.Repeat("x", maxAsyncPayload) + `"`
	r = h.do("POST", "/2015-03-31/functions/legacy/invocations", big, "X-Amz-Invocation-Type", "Event")
	if r.Status != 413 || r.message() != "Request must be smaller than 1048576 bytes for the InvokeFunction operation" {
		t.Errorf("1 MB event = %d %q", r.Status, r.message())
	}
	r = h.do("POST", "/2015-03-31/functions/legacy/invocations", `{not json`)
	if r.errCode() != "InvalidRequestContentException" {
		t.Errorf("bad JSON payload = %s", r.errCode())
	}
}

func FuzzUnzip(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Add(zipWithBytes(map[string]string{"a/b": "x", "../c": "y"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := checkZip(data); err != nil {
			return
		}
		dir := t.TempDir()
		if err := unzipTo(data, dir); err != nil {
			return
		}
		// Nothing may land outside dir.
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !within(dir, p) {
				t.Fatalf("%s escaped %s", p, dir)
			}
			return nil
		})
	})
}

func TestToolingReads(t *testing.T) {
	h := newHarness(t)
	h.create("iac", nil)
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/2020-06-30/functions/iac/code-signing-config", 200, `{"CodeSigningConfigArn":"","FunctionName":"iac"}`},
		{"/2021-07-20/functions/iac/runtime-management-config", 200, `{"FunctionArn":"arn:aws:lambda:us-east-1:000000000000:function:iac","UpdateRuntimeOn":"Auto"}`},
		{"/2024-08-31/functions/iac/recursion-config", 200, `{"RecursiveLoop":"Terminate"}`},
		{"/2021-10-31/functions/iac/urls", 200, `{"FunctionUrlConfigs":[]}`},
		{"/2019-09-30/functions/iac/provisioned-concurrency?List=ALL", 200, `{"ProvisionedConcurrencyConfigs":[]}`},
		{"/2015-03-31/event-source-mappings/", 200, `{"EventSourceMappings":[]}`},
		{"/2021-10-31/functions/iac/url", 404, ``},
		{"/2020-06-30/functions/nope/code-signing-config", 404, ``},
	}
	for _, tc := range tests {
		r := h.do("GET", tc.path, nil)
		if r.Status != tc.status || (tc.want != "" && strings.TrimSpace(string(r.Body)) != tc.want) {
			t.Errorf("GET %s = %d %s; want %d %s", tc.path, r.Status, r.Body, tc.status, tc.want)
		}
	}
}

func TestAsyncThrottledUntilEventAgeExceeded(t *testing.T) {
	h := newHarness(t)
	h.exec.called = make(chan fakeCall, 64)
	h.create("busy", nil)
	h.create("sink", nil)
	h.exec.respond = func(spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error) {
		if spec.FunctionName == "busy" {
			return nil, &runtime.ThrottleError{Reason: "ConcurrentInvocationLimitExceeded"}
		}
		return &runtime.Result{Payload: []byte(`null`)}, nil
	}
	h.must(200, h.do("PUT", "/2019-09-25/functions/busy/event-invoke-config", map[string]any{
		"MaximumEventAgeInSeconds": 60,
		"DestinationConfig":        map[string]any{"OnFailure": map[string]string{"Destination": "arn:aws:lambda:us-east-1:000000000000:function:sink"}},
	}))
	h.must(202, h.do("POST", "/2015-03-31/functions/busy/invocations", `{}`, "X-Amz-Invocation-Type", "Event"))
	attempts, expired := 0, false
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var c fakeCall
		select {
		case c = <-h.exec.called:
		case <-time.After(time.Millisecond):
			if h.clk.Pending() > 0 {
				h.clk.Advance(throttleDelay(attempts))
			}
			continue
		}
		if c.Spec.FunctionName == "sink" {
			var rec struct {
				RequestContext struct {
					Condition              string `json:"condition"`
					ApproximateInvokeCount int    `json:"approximateInvokeCount"`
				} `json:"requestContext"`
			}
			json.Unmarshal(c.Req.Payload, &rec)
			if rec.RequestContext.Condition != "EventAgeExceeded" || rec.RequestContext.ApproximateInvokeCount != 0 {
				t.Errorf("record = %s", c.Req.Payload)
			}
			expired = true
			break
		}
		attempts++
	}
	if !expired {
		t.Fatal("the throttled event never reached its failure destination")
	}
	// Throttles back off 2 s, 4 s, 8 s, 16 s: the fifth try (at 30 s) would
	// wait past the 60 s age limit, so the event expires then.
	if attempts != 5 {
		t.Errorf("throttled %d times before expiring; want 5", attempts)
	}
}
