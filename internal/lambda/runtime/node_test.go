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

func nodeSpec(t *testing.T, name, handler string, files map[string]string) *runtime.Spec {
	t.Helper()
	s := goSpec(name)
	s.Runtime = "nodejs20.x"
	s.Handler = handler
	s.CodeDir = writeFiles(t, t.TempDir(), files)
	s.Timeout = 10 * time.Second
	return s
}

const nodeCJS = `
console.log("init", 1);
exports.handler = async (event, context) => {
  console.log("event %j", event);
  console.error("multi\nline");
  return {
    event, requestId: context.awsRequestId, functionName: context.functionName,
    functionVersion: context.functionVersion, arn: context.invokedFunctionArn,
    memory: context.memoryLimitInMB, group: context.logGroupName, stream: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop,
    identity: context.identity, clientContext: context.clientContext,
    execEnv: process.env.AWS_EXECUTION_ENV, trace: process.env._X_AMZN_TRACE_ID,
    pid: process.pid, cwd: process.cwd(),
  };
};
exports.fail = async () => { throw new TypeError("bad type"); };
exports.cb = (event, context, callback) => { setTimeout(() => callback(null, {cb: event.n}), 10); };
exports.cbErr = (event, context, callback) => callback(new Error("cb failed"));
exports.succeed = (event, context) => { context.succeed("ok"); };
exports.nothing = async () => {};
exports.throwString = async () => { throw "plain"; };
exports.waits = (event, context, callback) => {
  setTimeout(() => console.log("timer done"), 100);
  callback(null, "answered");
};
exports.nested = { fn: async () => "nested" };
exports.ctxFail = (event, context) => { context.fail(new RangeError("ctx failed")); };
exports.ctxDone = (event, context) => { context.done(null, {done: true}); };
exports.notfn = 5;
exports.uncaught = (event, context, callback) => { setTimeout(() => { throw new Error("late"); }, 5); };
exports.exit = async () => { process.exit(4); };
`

func TestNodeHandlers(t *testing.T) {
	m := newManager(t, runtime.Config{})
	spec := nodeSpec(t, "node", "index.handler", map[string]string{"index.js": nodeCJS})
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{
		RequestID: "req-node", Payload: []byte(`{"a":[1,2]}`), WantLogTail: true,
		ClientContext:   "eyJjdXN0b20iOnsiYSI6ImIifX0=",
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
		"requestId": "req-node", "functionName": "node", "functionVersion": "$LATEST",
		"arn": spec.FunctionARN, "memory": "128", "group": "/aws/lambda/node",
		"waits": true, "execEnv": "AWS_Lambda_nodejs20.x", "cwd": spec.CodeDir,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v; want %v", k, got[k], v)
		}
	}
	if id, _ := got["identity"].(map[string]any); id["cognitoIdentityId"] != "cid" {
		t.Errorf("identity = %v", got["identity"])
	}
	if cc, _ := got["clientContext"].(map[string]any); cc["custom"] == nil {
		t.Errorf("clientContext = %v", got["clientContext"])
	}
	if r, _ := got["remaining"].(float64); r < 8000 || r > 10000 {
		t.Errorf("remaining = %v; want about 10000", got["remaining"])
	}
	tail := string(res.LogTail)
	ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
	for _, re := range []string{
		`(?m)^` + ts + `\tundefined\tINFO\tinit 1\nSTART RequestId: req-node Version: \$LATEST$`,
		`(?m)^` + ts + `\treq-node\tINFO\tevent \{"a":\[1,2\]\}$`,
		`(?m)^` + ts + `\treq-node\tERROR\tmulti\nline$`,
	} {
		if !regexp.MustCompile(re).MatchString(tail) {
			t.Errorf("log tail does not match %s:\n%s", re, tail)
		}
	}
	// Warm reuse.
	res2 := invoke(t, m, spec, `{}`)
	var got2 map[string]any
	_ = json.Unmarshal(res2.Payload, &got2)
	if res2.Cold || got2["pid"] != got["pid"] {
		t.Errorf("second invoke cold=%v pid %v; want warm in pid %v", res2.Cold, got2["pid"], got["pid"])
	}

	okTests := []struct{ handler, payload, want string }{
		{"index.cb", `{"n":7}`, `{"cb":7}`},
		{"index.succeed", `{}`, `"ok"`},
		{"index.nothing", `{}`, `null`},
		{"index.waits", `{}`, `"answered"`},
		{"index.nested.fn", `{}`, `"nested"`},
		{"index.ctxDone", `{}`, `{"done":true}`},
	}
	for _, tc := range okTests {
		s := *spec
		s.Handler = tc.handler
		s.FunctionName = "node-" + strings.ReplaceAll(tc.handler, ".", "-")
		s.Key = s.FunctionName
		r := invoke(t, m, &s, tc.payload)
		if string(r.Payload) != tc.want || r.FunctionError != "" {
			t.Errorf("Invoke(%s) = %s %s; want %s", tc.handler, r.Payload, r.FunctionError, tc.want)
		}
		if tc.handler == "index.waits" && !strings.Contains(string(r.LogTail), "INFO\ttimer done\n") {
			t.Errorf("callback handler answered before the event loop emptied:\n%s", r.LogTail)
		}
	}
}

func TestNodeErrors(t *testing.T) {
	m := newManager(t, runtime.Config{})
	files := map[string]string{
		"index.js":  nodeCJS,
		"broken.js": "require('not-a-module-xyz');\nexports.handler = async () => 1;\n",
		"syntax.js": "exports.handler = async () => {;\n",
	}
	tests := []struct{ handler, typ, msg string }{
		{"index.fail", "TypeError", "bad type"},
		{"index.cbErr", "Error", "cb failed"},
		{"index.ctxFail", "RangeError", "ctx failed"},
		{"index.throwString", "string", "plain"},
		{"index.nope", "Runtime.HandlerNotFound", "index.nope is undefined or not exported"},
		{"index.notfn", "Runtime.HandlerNotFound", "index.notfn is not a function"},
		{"broken.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'not-a-module-xyz'"},
		{"missing.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'missing'"},
		{"syntax.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: "},
		{"index", "Runtime.MalformedHandlerName", "Bad handler index"},
		{"index.uncaught", "Error", "late"},
		{"index.exit", "Runtime.ExitError", "RequestId: rid Error: Runtime exited with error: exit status 4"},
	}
	for _, tc := range tests {
		t.Run(tc.handler, func(t *testing.T) {
			spec := nodeSpec(t, "nodeerr-"+strings.ReplaceAll(tc.handler, ".", "-"), tc.handler, files)
			res, err := m.Invoke(context.Background(), spec, &runtime.Request{RequestID: "rid", WantLogTail: true})
			if err != nil {
				t.Fatal(err)
			}
			d := decodeErr(t, res)
			if d.ErrorType != tc.typ || !strings.HasPrefix(d.ErrorMessage, tc.msg) {
				t.Errorf("Invoke(%s) = %s: %q; want %s: %q", tc.handler, d.ErrorType, d.ErrorMessage, tc.typ, tc.msg)
			}
			if tc.typ == "TypeError" {
				if len(d.Trace) == 0 || d.Trace[0] != "TypeError: bad type" {
					t.Errorf("trace = %q", d.Trace)
				}
				if !regexp.MustCompile(`\trid\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad type","stack":\["TypeError: bad type",`).Match(res.LogTail) {
					t.Errorf("log tail lacks Invoke Error:\n%s", res.LogTail)
				}
			}
		})
	}
}

func TestNodeESMAndLayers(t *testing.T) {
	m := newManager(t, runtime.Config{})
	layer := writeFiles(t, t.TempDir(), map[string]string{
		"nodejs/node_modules/greet/index.js": "module.exports = (n) => 'hello ' + n;\n",
	})
	spec := nodeSpec(t, "esm", "app.handler", map[string]string{
		"app.mjs": "import { createRequire } from 'module';\nconst require = createRequire(import.meta.url);\nconst greet = require('greet');\nexport const handler = async (e) => greet(e.name);\n",
	})
	spec.LayerDirs = []string{layer}
	if res := invoke(t, m, spec, `{"name":"esm"}`); string(res.Payload) != `"hello esm"` {
		t.Errorf("ESM handler = %s %s\n%s", res.Payload, res.FunctionError, res.LogTail)
	}
	spec2 := nodeSpec(t, "esmjs", "sub/app.handler", map[string]string{
		"package.json": `{"type":"module"}`,
		"sub/app.js":   "export async function handler(e) { return e.n * 2; }\n",
	})
	if res := invoke(t, m, spec2, `{"n":21}`); string(res.Payload) != `42` {
		t.Errorf("type=module .js handler = %s %s\n%s", res.Payload, res.FunctionError, res.LogTail)
	}
	spec3 := nodeSpec(t, "cjs", "lib.handler", map[string]string{
		"lib.cjs": "const greet = require('greet');\nexports.handler = async (e) => greet('cjs');\n",
	})
	spec3.LayerDirs = []string{layer}
	if res := invoke(t, m, spec3, `{}`); string(res.Payload) != `"hello cjs"` {
		t.Errorf(".cjs handler = %s %s\n%s", res.Payload, res.FunctionError, res.LogTail)
	}
}

func TestNodeChattyOutput(t *testing.T) {
	logs := &sink{}
	m := newManager(t, runtime.Config{Logs: logs})
	spec := nodeSpec(t, "chatty", "index.handler", map[string]string{"index.js": `
exports.handler = async () => {
  process.stdout.write("raw stdout\n");
  for (let i = 0; i < 20000; i++) console.log("line " + i + " " + "x".repeat(100));
  return "done";
};`})
	if res := invoke(t, m, spec, `{}`); string(res.Payload) != `"done"` {
		t.Fatalf("chatty = %s %s", res.Payload, res.FunctionError)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = m.Close(ctx)
	_, msgs := logs.lines("/aws/lambda/chatty")
	if len(msgs) != 20000+5 || !strings.HasPrefix(msgs[0], "INIT_START Runtime Version: nodejs:") || !strings.HasSuffix(msgs[len(msgs)-3], "INFO\tline 19999 "+strings.Repeat("x", 100)) {
		t.Errorf("got %d lines; want 20005: INIT_START, START, 20000 lines ending with line 19999, END, REPORT", len(msgs))
	}
}
