package runtime_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenkai/internal/lambda/runtime"
)

func pySpec(t *testing.T, name, handler string, files map[string]string) *runtime.Spec {
	t.Helper()
	s := goSpec(name)
	s.Runtime = "python3.12"
	s.Handler = handler
	s.CodeDir = writeFiles(t, t.TempDir(), files)
	s.Timeout = 10 * time.Second
	return s
}

const pyApp = `import json, os, sys, logging
logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("init line")

def handler(event, context):
    print("event", json.dumps(event, sort_keys=True))
    logger.info("info %s", "line\nsecond")
    logging.getLogger("quiet").debug("hidden")
    return {
        "event": event,
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "functionVersion": context.function_version,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "identity": context.identity.cognito_identity_id,
        "custom": context.client_context.custom if context.client_context else None,
        "execEnv": os.environ.get("AWS_EXECUTION_ENV"),
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "cwd": os.getcwd(),
        "tmp": os.environ.get("TMPDIR"),
        "version": "%d.%d" % sys.version_info[:2],
    }

def fail(event, context):
    raise ValueError("bad value")

def pid(event, context):
    return os.getpid()
`

func TestPythonHandler(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := pySpec(t, "py", "app.handler", map[string]string{"app.py": pyApp})
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{
		RequestID: "req-py", Payload: []byte(`{"k": [1, 2.5, "x"]}`), WantLogTail: true,
		InvokedARN: spec.FunctionARN + ":live", TraceID: "Root=1-abc;Parent=def;Sampled=1",
		ClientContext:   "eyJjdXN0b20iOnsiYSI6ImIifX0=", // {"custom":{"a":"b"}}
		CognitoIdentity: `{"cognitoIdentityId":"cid","cognitoIdentityPoolId":"pool"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" {
		t.Fatalf("Invoke = %s %s\n%s", res.FunctionError, res.Payload, res.LogTail)
	}
	var got map[string]any
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	want := map[string]any{
		"requestId": "req-py", "functionName": "py", "functionVersion": "$LATEST",
		"arn": spec.FunctionARN + ":live", "memory": "128", "group": "/aws/lambda/py",
		"identity": "cid", "execEnv": "AWS_Lambda_python3.12", "trace": "Root=1-abc;Parent=def;Sampled=1",
		"cwd": spec.CodeDir, "version": "3.12",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v; want %v", k, got[k], v)
		}
	}
	if c, _ := got["custom"].(map[string]any); c["a"] != "b" {
		t.Errorf("client_context.custom = %v; want {a:b}", got["custom"])
	}
	if r, _ := got["remaining"].(float64); r < 8000 || r > 10000 {
		t.Errorf("remaining = %v; want about 10000", got["remaining"])
	}
	if ev, _ := json.Marshal(got["event"]); string(ev) != `{"k":[1,2.5,"x"]}` {
		t.Errorf("event = %s", ev)
	}
	// Python's JSON spacing, as Lambda's Python runtime answers.
	if !strings.Contains(string(res.Payload), `"functionName": "py"`) {
		t.Errorf("payload not in Python's json.dumps form: %s", res.Payload)
	}
	tail := string(res.LogTail)
	for _, re := range []string{
		`(?m)^init line\nSTART RequestId: req-py Version: \$LATEST$`,
		`(?m)^event \{"k": \[1, 2\.5, "x"\]\}$`,
		`(?m)^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-py\tinfo line\nsecond$`,
		`(?m)^END RequestId: req-py\nREPORT RequestId: req-py\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t$`,
	} {
		if !regexp.MustCompile(re).MatchString(tail) {
			t.Errorf("log tail does not match %s:\n%s", re, tail)
		}
	}
	if strings.Contains(tail, "hidden") {
		t.Errorf("debug line logged:\n%s", tail)
	}
}

func TestPythonErrors(t *testing.T) {
	m := newManager(t, runtime.Config{})
	files := map[string]string{
		"app.py":      pyApp,
		"broken.py":   "import not_a_module_xyz\n",
		"syntax.py":   "def handler(:\n",
		"pkg/deep.py": "def handler(event, context):\n    return 'deep'\n",
	}
	tests := []struct {
		handler, typ, msg string
		traceHas          string
	}{
		{"app.fail", "ValueError", "bad value", `raise ValueError("bad value")`},
		{"broken.handler", "Runtime.ImportModuleError", "Unable to import module 'broken': No module named 'not_a_module_xyz'", ""},
		{"app.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'", ""},
		{"missing.handler", "Runtime.ImportModuleError", "Unable to import module 'missing': No module named 'missing'", ""},
		{"apphandler", "Runtime.MalformedHandlerName", "Bad handler 'apphandler': not enough values to unpack (expected 2, got 1)", ""},
		{"syntax.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'syntax': ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.handler, func(t *testing.T) {
			spec := pySpec(t, "pyerr-"+strings.ReplaceAll(tc.handler, ".", "-"), tc.handler, files)
			res, err := m.Invoke(context.Background(), spec, &runtime.Request{RequestID: "rid", WantLogTail: true})
			if err != nil {
				t.Fatal(err)
			}
			d := decodeErr(t, res)
			if d.ErrorType != tc.typ || !strings.HasPrefix(d.ErrorMessage, tc.msg) {
				t.Errorf("Invoke(%s) = %s: %s; want %s: %s", tc.handler, d.ErrorType, d.ErrorMessage, tc.typ, tc.msg)
			}
			if d.RequestID == nil {
				t.Errorf("error doc lacks requestId: %s", res.Payload)
			}
			if tc.traceHas != "" {
				if len(d.StackTrace) == 0 || !strings.Contains(d.StackTrace[len(d.StackTrace)-1].(string), tc.traceHas) {
					t.Errorf("stackTrace = %v; want a frame with %q", d.StackTrace, tc.traceHas)
				}
				if !strings.Contains(string(res.LogTail), "[ERROR] ValueError: bad value\nTraceback (most recent call last):\n  File ") {
					t.Errorf("log tail lacks the [ERROR] record:\n%s", res.LogTail)
				}
			}
		})
	}
	spec := pySpec(t, "pydeep", "pkg/deep.handler", files)
	if res := invoke(t, m, spec, `{}`); string(res.Payload) != `"deep"` {
		t.Errorf("nested handler = %s %s", res.Payload, res.FunctionError)
	}
}

func TestPythonLayersAndBoto3(t *testing.T) {
	m := newManager(t, runtime.Config{Endpoint: func() string { return "http://127.0.0.1:1" }})
	layer1 := writeFiles(t, t.TempDir(), map[string]string{
		"python/shared.py":  "WHO = 'layer1'\n",
		"python/only1.py":   "X = 1\n",
		"bin/tool":          "#!/bin/sh\n",
		"lib/libnothing.so": "",
	})
	layer2 := writeFiles(t, t.TempDir(), map[string]string{
		"python/lib/python3.12/site-packages/shared.py": "WHO = 'layer2-site'\n",
		"python/shared.py": "WHO = 'layer2'\n",
	})
	spec := pySpec(t, "pylayers", "app.handler", map[string]string{"app.py": `
import os, shared, only1, boto3
def handler(event, context):
    s3 = boto3.client("s3")
    return {"who": shared.WHO, "x": only1.X, "boto3": boto3.__version__,
            "endpoint": s3.meta.endpoint_url, "region": s3.meta.region_name,
            "path": os.environ["PATH"], "ld": os.environ["LD_LIBRARY_PATH"]}
`})
	spec.LayerDirs = []string{layer1, layer2}
	res := invoke(t, m, spec, `{}`)
	var got map[string]any
	if err := json.Unmarshal(res.Payload, &got); err != nil || res.FunctionError != "" {
		t.Fatalf("payload %s (%s): %v\n%s", res.Payload, res.FunctionError, err, res.LogTail)
	}
	// site-packages comes before /opt/python, as in Lambda; layer 2 overwrote layer 1.
	if got["who"] != "layer2-site" || got["x"] != float64(1) {
		t.Errorf("layer modules = %v, %v; want layer2-site, 1", got["who"], got["x"])
	}
	if got["boto3"] == "" || got["endpoint"] != "http://127.0.0.1:1" || got["region"] != "us-east-1" {
		t.Errorf("boto3 = %v endpoint %v region %v", got["boto3"], got["endpoint"], got["region"])
	}
	if !strings.Contains(got["path"].(string), "/bin:"+spec.CodeDir) || !strings.Contains(got["ld"].(string), "/lib") {
		t.Errorf("PATH = %v LD_LIBRARY_PATH = %v", got["path"], got["ld"])
	}
}

func TestPythonNearestVersionWarns(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := pySpec(t, "pyfuture", "app.handler", map[string]string{"app.py": pyApp})
	spec.Runtime = "python3.99"
	res := invoke(t, m, spec, `{}`)
	if res.FunctionError != "" {
		t.Fatalf("Invoke = %s %s", res.FunctionError, res.Payload)
	}
	if !strings.Contains(string(res.LogTail), "python3.99 not found on this machine; running python3.99 with Python 3.") {
		t.Errorf("log tail lacks the substitution warning:\n%s", res.LogTail)
	}
}

func TestPythonWarmAndExit(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := pySpec(t, "pywarm", "app.pid", map[string]string{"app.py": pyApp + "\ndef bye(e, c):\n    import sys; sys.exit(3)\n"})
	p1 := pidOf(t, invoke(t, m, spec, `{}`))
	res := invoke(t, m, spec, `{}`)
	if p2 := pidOf(t, res); p2 != p1 || res.Cold {
		t.Errorf("warm python invoke pid %d cold %v; want pid %d warm", p2, res.Cold, p1)
	}
	spec2 := pySpec(t, "pyexit", "app.bye", map[string]string{"app.py": pyApp + "\ndef bye(e, c):\n    import sys; sys.exit(3)\n"})
	res, err := m.Invoke(context.Background(), spec2, &runtime.Request{RequestID: "rx"})
	if err != nil {
		t.Fatal(err)
	}
	if d := decodeErr(t, res); d.ErrorType != "Runtime.ExitError" || d.ErrorMessage != "RequestId: rx Error: Runtime exited with error: exit status 3" {
		t.Errorf("sys.exit doc = %+v", d)
	}
}
