package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const lambdaRole = "arn:aws:iam::000000000000:role/lambda-role"

var (
	goFnOnce sync.Once
	goFnZip  []byte
	goFnErr  error
)

// goFunctionZip builds testdata/lambdafn into a provided.al2023 package once.
func goFunctionZip(t *testing.T) []byte {
	t.Helper()
	goFnOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tenkai-lambdafn-")
		if err != nil {
			goFnErr = err
			return
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", filepath.Join(dir, "bootstrap"), "./testdata/lambdafn")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			goFnErr = errors.New("build lambdafn: " + err.Error() + "\n" + string(out))
			return
		}
		bin, err := os.ReadFile(filepath.Join(dir, "bootstrap"))
		if err != nil {
			goFnErr = err
			return
		}
		goFnZip = zipFiles(t, map[string]string{"bootstrap": string(bin)})
	})
	if goFnErr != nil {
		t.Fatal(goFnErr)
	}
	return goFnZip
}

func zipFiles(t testing.TB, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
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

func writeTemp(t *testing.T, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func createGo(t *testing.T, c *lambda.Client, name string, mutate func(*lambda.CreateFunctionInput)) *lambda.CreateFunctionOutput {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &types.FunctionCode{ZipFile: goFunctionZip(t)}, Timeout: aws.Int32(10),
	}
	if mutate != nil {
		mutate(in)
	}
	out, err := c.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return out
}

func invokeJSON(t *testing.T, c *lambda.Client, in *lambda.InvokeInput) *lambda.InvokeOutput {
	t.Helper()
	out, err := c.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("Invoke %s: %v", aws.ToString(in.FunctionName), err)
	}
	return out
}

const pyApp = `import json
def handler(event, context):
    print("py got", json.dumps(event))
    return {"echo": event, "fn": context.function_name}
`

func TestLambdaCLIOperations(t *testing.T) {
	s := startServer(t)
	zipPath := writeTemp(t, "f.zip", zipFiles(t, map[string]string{"app.py": pyApp}))
	var cfg struct {
		FunctionArn, CodeSha256, Version, State, LastModified, RevisionId string
		Timeout                                                           int
	}
	s.MustCLI(t, "lambda", "create-function", "--function-name", "cli-fn", "--runtime", "python3.12", "--handler", "app.handler",
		"--role", lambdaRole, "--zip-file", "fileb://"+zipPath, "--tags", "team=a").JSON(t, &cfg)
	if cfg.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:cli-fn" || cfg.Version != "$LATEST" || cfg.State != "Active" {
		t.Fatalf("create-function = %+v", cfg)
	}
	s.MustCLI(t, "lambda", "wait", "function-active-v2", "--function-name", "cli-fn")
	s.FailCLI(t, "ResourceConflictException", "lambda", "create-function", "--function-name", "cli-fn", "--runtime", "python3.12",
		"--handler", "app.handler", "--role", lambdaRole, "--zip-file", "fileb://"+zipPath)
	r := s.FailCLI(t, "ValidationException", "lambda", "create-function", "--function-name", "cli-bad", "--runtime", "python2",
		"--handler", "app.handler", "--role", lambdaRole, "--zip-file", "fileb://"+zipPath)
	if !strings.Contains(r.Stderr, "Member must satisfy enum value set") {
		t.Errorf("bad runtime stderr: %s", r.Stderr)
	}

	var got struct {
		Configuration struct{ FunctionName string }
		Code          struct{ RepositoryType, Location string }
		Tags          map[string]string
	}
	s.MustCLI(t, "lambda", "get-function", "--function-name", "cli-fn").JSON(t, &got)
	if got.Code.RepositoryType != "S3" || got.Tags["team"] != "a" {
		t.Errorf("get-function = %+v", got)
	}
	status, _, body := s.Do(t, "GET", strings.TrimPrefix(got.Code.Location, s.URL), nil, nil)
	if status != 200 || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("code Location %s answered %d", got.Code.Location, status)
	}
	var fc struct {
		RuntimeVersionConfig struct{ RuntimeVersionArn string }
	}
	s.MustCLI(t, "lambda", "get-function-configuration", "--function-name", "cli-fn").JSON(t, &fc)
	if !regexp.MustCompile(`^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$`).MatchString(fc.RuntimeVersionConfig.RuntimeVersionArn) {
		t.Errorf("RuntimeVersionConfig = %+v", fc.RuntimeVersionConfig)
	}
	var list struct {
		Functions []struct{ FunctionName string }
	}
	s.MustCLI(t, "lambda", "list-functions").JSON(t, &list)
	if len(list.Functions) != 1 {
		t.Errorf("list-functions = %+v", list)
	}
	s.MustCLI(t, "lambda", "update-function-configuration", "--function-name", "cli-fn", "--timeout", "5",
		"--environment", "Variables={MODE=test}").JSON(t, &cfg)
	if cfg.Timeout != 5 {
		t.Errorf("update-function-configuration timeout = %d", cfg.Timeout)
	}
	s.MustCLI(t, "lambda", "wait", "function-updated-v2", "--function-name", "cli-fn")
	s.MustCLI(t, "lambda", "update-function-code", "--function-name", "cli-fn", "--zip-file", "fileb://"+zipPath, "--publish").JSON(t, &cfg)
	if cfg.Version != "1" {
		t.Errorf("update-function-code --publish version = %s", cfg.Version)
	}
	s.MustCLI(t, "lambda", "publish-version", "--function-name", "cli-fn").JSON(t, &cfg)
	if cfg.Version != "1" {
		t.Errorf("publish-version of an unchanged function = %s; want 1", cfg.Version)
	}
	s.MustCLI(t, "lambda", "list-versions-by-function", "--function-name", "cli-fn")
	s.MustCLI(t, "lambda", "create-alias", "--function-name", "cli-fn", "--name", "live", "--function-version", "1")
	s.MustCLI(t, "lambda", "get-alias", "--function-name", "cli-fn", "--name", "live")
	s.MustCLI(t, "lambda", "update-alias", "--function-name", "cli-fn", "--name", "live", "--description", "d")
	s.MustCLI(t, "lambda", "list-aliases", "--function-name", "cli-fn")

	var inv struct {
		StatusCode      int
		ExecutedVersion string
		LogResult       string
	}
	out := filepath.Join(t.TempDir(), "out.json")
	s.MustCLI(t, "lambda", "invoke", "--function-name", "cli-fn", "--qualifier", "live", "--payload", `{"k":"v"}`, "--log-type", "Tail", out).JSON(t, &inv)
	resp, _ := os.ReadFile(out)
	logs, _ := base64.StdEncoding.DecodeString(inv.LogResult)
	if inv.StatusCode != 200 || inv.ExecutedVersion != "1" || !strings.Contains(string(resp), `"echo": {"k": "v"}`) || !strings.Contains(string(logs), `py got {"k": "v"}`) {
		t.Errorf("invoke = %+v %s\nlog: %s", inv, resp, logs)
	}
	// A new environment's log stream opens with INIT_START naming the runtime
	// version ARN that get-function-configuration reports; the tail starts at START.
	var ev struct{ Events []struct{ Message string } }
	s.MustCLI(t, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/cli-fn").JSON(t, &ev)
	if len(ev.Events) < 2 || ev.Events[0].Message != "INIT_START Runtime Version: python:3.12.v1\tRuntime Version ARN: "+fc.RuntimeVersionConfig.RuntimeVersionArn ||
		!strings.HasPrefix(ev.Events[1].Message, "START RequestId: ") {
		t.Errorf("log events = %+v", ev.Events)
	}
	if !strings.HasPrefix(string(logs), "START RequestId: ") {
		t.Errorf("log tail does not start with START:\n%s", logs)
	}
	s.MustCLI(t, "lambda", "delete-alias", "--function-name", "cli-fn", "--name", "live")

	var perm struct{ Statement string }
	s.MustCLI(t, "lambda", "add-permission", "--function-name", "cli-fn", "--statement-id", "ev", "--action", "lambda:InvokeFunction",
		"--principal", "events.amazonaws.com", "--source-arn", "arn:aws:events:us-east-1:000000000000:rule/R").JSON(t, &perm)
	s.FailCLI(t, "ResourceConflictException", "lambda", "add-permission", "--function-name", "cli-fn", "--statement-id", "ev",
		"--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com")
	var pol struct{ Policy string }
	s.MustCLI(t, "lambda", "get-policy", "--function-name", "cli-fn").JSON(t, &pol)
	if want := `{"Version":"2012-10-17","Id":"default","Statement":[` + perm.Statement + `]}`; pol.Policy != want {
		t.Errorf("get-policy = %s; want %s", pol.Policy, want)
	}
	s.MustCLI(t, "lambda", "remove-permission", "--function-name", "cli-fn", "--statement-id", "ev")

	s.MustCLI(t, "lambda", "put-function-concurrency", "--function-name", "cli-fn", "--reserved-concurrent-executions", "3")
	var conc struct{ ReservedConcurrentExecutions int }
	s.MustCLI(t, "lambda", "get-function-concurrency", "--function-name", "cli-fn").JSON(t, &conc)
	if conc.ReservedConcurrentExecutions != 3 {
		t.Errorf("get-function-concurrency = %d", conc.ReservedConcurrentExecutions)
	}
	s.MustCLI(t, "lambda", "delete-function-concurrency", "--function-name", "cli-fn")

	s.MustCLI(t, "lambda", "put-function-event-invoke-config", "--function-name", "cli-fn", "--maximum-retry-attempts", "1")
	s.MustCLI(t, "lambda", "update-function-event-invoke-config", "--function-name", "cli-fn", "--maximum-event-age-in-seconds", "120")
	var eic struct {
		MaximumRetryAttempts, MaximumEventAgeInSeconds int
		FunctionArn                                    string
	}
	s.MustCLI(t, "lambda", "get-function-event-invoke-config", "--function-name", "cli-fn").JSON(t, &eic)
	if eic.MaximumRetryAttempts != 1 || eic.MaximumEventAgeInSeconds != 120 || !strings.HasSuffix(eic.FunctionArn, ":cli-fn:$LATEST") {
		t.Errorf("get-function-event-invoke-config = %+v", eic)
	}
	s.MustCLI(t, "lambda", "list-function-event-invoke-configs", "--function-name", "cli-fn")
	s.MustCLI(t, "lambda", "delete-function-event-invoke-config", "--function-name", "cli-fn")

	s.MustCLI(t, "lambda", "tag-resource", "--resource", cfg.FunctionArn[:strings.LastIndex(cfg.FunctionArn, ":")], "--tags", "env=dev")
	s.MustCLI(t, "lambda", "untag-resource", "--resource", "arn:aws:lambda:us-east-1:000000000000:function:cli-fn", "--tag-keys", "team")
	var tags struct{ Tags map[string]string }
	s.MustCLI(t, "lambda", "list-tags", "--resource", "arn:aws:lambda:us-east-1:000000000000:function:cli-fn").JSON(t, &tags)
	if len(tags.Tags) != 1 || tags.Tags["env"] != "dev" {
		t.Errorf("list-tags = %v", tags.Tags)
	}
	var acct struct{ AccountUsage struct{ FunctionCount int } }
	s.MustCLI(t, "lambda", "get-account-settings").JSON(t, &acct)
	if acct.AccountUsage.FunctionCount != 1 {
		t.Errorf("get-account-settings = %+v", acct)
	}

	// Layers.
	layerZip := writeTemp(t, "layer.zip", zipFiles(t, map[string]string{"python/dep.py": "X = 1\n"}))
	var lv struct {
		LayerVersionArn string
		Version         int
	}
	s.MustCLI(t, "lambda", "publish-layer-version", "--layer-name", "deps", "--zip-file", "fileb://"+layerZip,
		"--compatible-runtimes", "python3.12", "--license-info", "MIT").JSON(t, &lv)
	if lv.LayerVersionArn != "arn:aws:lambda:us-east-1:000000000000:layer:deps:1" {
		t.Errorf("publish-layer-version = %+v", lv)
	}
	s.MustCLI(t, "lambda", "get-layer-version", "--layer-name", "deps", "--version-number", "1")
	s.MustCLI(t, "lambda", "get-layer-version-by-arn", "--arn", lv.LayerVersionArn)
	s.MustCLI(t, "lambda", "list-layers")
	s.MustCLI(t, "lambda", "list-layer-versions", "--layer-name", "deps")
	s.MustCLI(t, "lambda", "delete-layer-version", "--layer-name", "deps", "--version-number", "1")
	s.FailCLI(t, "ResourceNotFoundException", "lambda", "get-layer-version", "--layer-name", "deps", "--version-number", "1")

	s.MustCLI(t, "lambda", "delete-function", "--function-name", "cli-fn")
	r = s.FailCLI(t, "ResourceNotFoundException", "lambda", "get-function", "--function-name", "cli-fn")
	if !strings.Contains(r.Stderr, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-fn") {
		t.Errorf("get-function after delete: %s", r.Stderr)
	}
}

func TestLambdaGoFunction(t *testing.T) {
	s := startServer(t)
	c := lambda.NewFromConfig(s.SDK())
	ctx := context.Background()
	createGo(t, c, "gofn", func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
	out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("gofn"), Payload: []byte(`{"op":"echo","value":{"x":[1,2]}}`)})
	if string(out.Payload) != `{"x":[1,2]}` || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("echo = %s %v", out.Payload, aws.ToString(out.FunctionError))
	}
	out = invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("gofn"), Payload: []byte(`{"op":"error"}`), LogType: types.LogTypeTail})
	var doc struct{ ErrorMessage, ErrorType string }
	json.Unmarshal(out.Payload, &doc)
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorMessage != "failed on purpose" || !strings.Contains(string(tail), "failing on purpose") {
		t.Errorf("error invoke = %s %s; tail %s", aws.ToString(out.FunctionError), out.Payload, tail)
	}
	out = invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("gofn"), Payload: []byte(`{"op":"sleep","ms":3000}`)})
	json.Unmarshal(out.Payload, &doc)
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "Sandbox.Timedout" || !strings.HasSuffix(doc.ErrorMessage, "Task timed out after 1.00 seconds") {
		t.Errorf("timeout invoke = %s", out.Payload)
	}
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("corrupt"), Runtime: types.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), Code: &types.FunctionCode{ZipFile: []byte("PK\x03\x04 not a zip")}})
	var ipv *types.InvalidParameterValueException
	if !errors.As(err, &ipv) || aws.ToString(ipv.Message) != "Could not unzip uploaded file. Please check your file, then try to upload again." {
		t.Errorf("corrupt zip: %v", err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("gofn"), Payload: bytes.Repeat([]byte(" "), 6291457)})
	var tooBig *types.RequestTooLargeException
	if !errors.As(err, &tooBig) {
		t.Errorf("6 MB + 1 payload: %v; want RequestTooLargeException", err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("invoke missing function: %v", err)
	}
}

// TestLambdaSelfInvoke is seed flow 001: a Go function that invokes itself
// through the SDK (endpoint from AWS_ENDPOINT_URL) with LogType Tail until a
// counter reaches N.
func TestLambdaSelfInvoke(t *testing.T) {
	s := startServer(t)
	c := lambda.NewFromConfig(s.SDK())
	createGo(t, c, "counter", nil)
	out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("counter"), Payload: []byte(`{"op":"count","i":0,"n":3}`), LogType: types.LogTypeTail})
	var res struct {
		I    int
		Tail []string
	}
	if err := json.Unmarshal(out.Payload, &res); err != nil || out.FunctionError != nil {
		t.Fatalf("count = %s (%v)", out.Payload, aws.ToString(out.FunctionError))
	}
	if res.I != 3 || len(res.Tail) != 3 {
		t.Fatalf("count reached %d with %d tails; want 3 and 3", res.I, len(res.Tail))
	}
	for i, tl := range res.Tail {
		if !strings.Contains(tl, "count i="+string(rune('1'+i))+" n=3") || !strings.Contains(tl, "REPORT RequestId:") {
			t.Errorf("tail %d = %q", i, tl)
		}
	}
}

func TestLambdaPythonLayerAndNode(t *testing.T) {
	s := startServer(t)
	c := lambda.NewFromConfig(s.SDK())
	ctx := context.Background()
	layer, err := c.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{
		LayerName: aws.String("greeting"), CompatibleRuntimes: []types.Runtime{types.RuntimePython312},
		Content: &types.LayerVersionContentInput{ZipFile: zipFiles(t, map[string]string{"python/greeting.py": "WORD = 'hello from a layer'\n"})},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("py-layer"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": "import greeting\ndef handler(e, c):\n    return greeting.WORD\n"})},
	})
	if err != nil {
		t.Fatal(err)
	}
	out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("py-layer")})
	var doc struct{ ErrorType string }
	json.Unmarshal(out.Payload, &doc)
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "Runtime.ImportModuleError" {
		t.Errorf("without the layer = %s %s; want Runtime.ImportModuleError", aws.ToString(out.FunctionError), out.Payload)
	}
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("py-layer"), Layers: []string{aws.ToString(layer.LayerVersionArn)}})
	if err != nil {
		t.Fatal(err)
	}
	waiter := lambda.NewFunctionUpdatedV2Waiter(c)
	if err := waiter.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("py-layer")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	out = invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("py-layer")})
	if string(out.Payload) != `"hello from a layer"` {
		t.Errorf("with the layer = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}

	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("node-fn"), Runtime: types.RuntimeNodejs20x, Handler: aws.String("index.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"index.js": "exports.handler = async (event) => ({ sum: event.a + event.b });\n"})},
	})
	if err != nil {
		t.Fatal(err)
	}
	out = invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("node-fn"), Payload: []byte(`{"a":2,"b":3}`)})
	if string(out.Payload) != `{"sum":5}` {
		t.Errorf("node = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

func TestLambdaAliasWeights(t *testing.T) {
	s := startServer(t)
	c := lambda.NewFromConfig(s.SDK())
	ctx := context.Background()
	createGo(t, c, "weighted", func(in *lambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"TAG": "one"}}
		in.Publish = true
	})
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("weighted"),
		Environment: &types.Environment{Variables: map[string]string{"TAG": "two"}}}); err != nil {
		t.Fatal(err)
	}
	v2, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("weighted")})
	if err != nil || aws.ToString(v2.Version) != "2" {
		t.Fatalf("PublishVersion = %v, %v", v2, err)
	}
	_, err = c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("weighted"), Name: aws.String("canary"), FunctionVersion: aws.String("1"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for i := 0; i < 200; i++ {
		out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("weighted"), Qualifier: aws.String("canary"), Payload: []byte(`{"op":"version"}`)})
		v := aws.ToString(out.ExecutedVersion)
		if want := `"` + v + `/` + map[string]string{"1": "one", "2": "two"}[v] + `"`; string(out.Payload) != want {
			t.Fatalf("version %s answered %s; want %s", v, out.Payload, want)
		}
		counts[v]++
	}
	if counts["1"] < 60 || counts["2"] < 60 || counts["1"]+counts["2"] != 200 {
		t.Errorf("200 invokes of a 50/50 alias ran %v", counts)
	}
}

func TestLambdaConcurrencyLimit(t *testing.T) {
	s := startServer(t)
	c := lambda.NewFromConfig(s.SDK())
	ctx := context.Background()
	createGo(t, c, "single", nil)
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("single"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("single"), Payload: []byte(`{"op":"echo"}`)}) // warm up
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("single"), Payload: []byte(`{"op":"sleep","ms":1500}`)})
		}()
		time.Sleep(200 * time.Millisecond)
	}
	wg.Wait()
	throttled := 0
	for _, err := range errs {
		var tm *types.TooManyRequestsException
		if errors.As(err, &tm) {
			throttled++
			if tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
				t.Errorf("Reason = %s", tm.Reason)
			}
		} else if err != nil {
			t.Errorf("invoke: %v", err)
		}
	}
	if throttled != 1 {
		t.Errorf("%d of 2 concurrent invokes throttled; want 1 (%v)", throttled, errs)
	}
}

// logText returns every message of a log group.
func logText(t *testing.T, cl *cloudwatchlogs.Client, group string) string {
	out, err := cl.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, e := range out.Events {
		b.WriteString(aws.ToString(e.Message))
		b.WriteString("\n")
	}
	return b.String()
}

func TestLambdaAsyncRetriesAndDestination(t *testing.T) {
	s := startServer(t, "--time-scale", "1000")
	c := lambda.NewFromConfig(s.SDK())
	logsClient := cloudwatchlogs.NewFromConfig(s.SDK())
	ctx := context.Background()
	createGo(t, c, "flaky", nil)
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("collector"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": pyApp})},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("flaky"),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:lambda:us-east-1:000000000000:function:collector")}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("flaky"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"op":"fail"}`)})
	if err != nil || out.StatusCode != 202 {
		t.Fatalf("Event invoke = %v, %v", out, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var collected string
	for time.Now().Before(deadline) {
		if collected = logText(t, logsClient, "/aws/lambda/collector"); strings.Contains(collected, "RetriesExhausted") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(collected, `"condition": "RetriesExhausted"`) || !strings.Contains(collected, `"approximateInvokeCount": 3`) ||
		!strings.Contains(collected, `"requestPayload": {"op": "fail"}`) {
		t.Fatalf("collector log:\n%s", collected)
	}
	if n := strings.Count(logText(t, logsClient, "/aws/lambda/flaky"), "failing on purpose"); n != 3 {
		t.Errorf("flaky ran %d times; want 3 (two retries)", n)
	}
	// DryRun checks without running.
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("flaky"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Errorf("DryRun = %v, %v", out, err)
	}
}

func TestLambdaS3CodeHotReloadAndRestart(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, "--data-dir", dataDir)
	c := lambda.NewFromConfig(s.SDK())
	s3c := s3.NewFromConfig(s.SDK(), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("code")}); err != nil {
		t.Fatal(err)
	}
	pkg := zipFiles(t, map[string]string{"app.py": "def handler(e, c):\n    return 's3 code'\n"})
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String("fn.zip"), Body: bytes.NewReader(pkg)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("from-s3"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{S3Bucket: aws.String("code"), S3Key: aws.String("fn.zip")},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("missing-s3"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{S3Bucket: aws.String("code"), S3Key: aws.String("nope.zip")},
	})
	var ipv *types.InvalidParameterValueException
	if !errors.As(err, &ipv) || !strings.Contains(aws.ToString(ipv.Message), "NoSuchKey") {
		t.Errorf("missing S3 key: %v", err)
	}
	out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("from-s3")})
	if string(out.Payload) != `"s3 code"` {
		t.Errorf("S3 code function = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}

	dir := t.TempDir()
	src := filepath.Join(dir, "app.py")
	os.WriteFile(src, []byte("def handler(e, c):\n    return 'first'\n"), 0o644)
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("hot"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{S3Bucket: aws.String("hot-reload"), S3Key: aws.String(dir)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("hot")}); string(out.Payload) != `"first"` {
		t.Errorf("hot = %s", out.Payload)
	}
	os.WriteFile(src, []byte("def handler(e, c):\n    return 'second'\n"), 0o644)
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(src, later, later)
	time.Sleep(600 * time.Millisecond)
	if out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("hot")}); string(out.Payload) != `"second"` {
		t.Errorf("hot after edit = %s", out.Payload)
	}

	// Functions and their code survive a restart with a data directory.
	s.Stop(t)
	s2 := startServer(t, "--data-dir", dataDir)
	c2 := lambda.NewFromConfig(s2.SDK())
	if out := invokeJSON(t, c2, &lambda.InvokeInput{FunctionName: aws.String("from-s3")}); string(out.Payload) != `"s3 code"` {
		t.Errorf("after restart = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// TestLambdaEventBridgeTarget is seed flow 001, part 2: a rule with a Lambda
// target fires the function once add-permission grants events.amazonaws.com.
func TestLambdaEventBridgeTarget(t *testing.T) {
	s := startServer(t)
	c := lambda.NewFromConfig(s.SDK())
	eb := eventbridge.NewFromConfig(s.SDK())
	logsClient := cloudwatchlogs.NewFromConfig(s.SDK())
	ctx := context.Background()
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("on-event"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": pyApp})},
	})
	if err != nil {
		t.Fatal(err)
	}
	var rule struct{ RuleArn string }
	s.MustCLI(t, "events", "put-rule", "--name", "MyEventRule", "--event-pattern", `{"source":["my.event.source"],"detail-type":["MyEvent"]}`, "--state", "ENABLED").JSON(t, &rule)
	s.MustCLI(t, "lambda", "add-permission", "--function-name", "on-event", "--statement-id", "MyEventRulePermission",
		"--action", "lambda:InvokeFunction", "--principal", "events.amazonaws.com", "--source-arn", rule.RuleArn)
	s.MustCLI(t, "events", "put-targets", "--rule", "MyEventRule", "--targets", "Id=1,Arn=arn:aws:lambda:us-east-1:000000000000:function:on-event")
	_, err = eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("my.event.source"), DetailType: aws.String("MyEvent"), Detail: aws.String(`{"key1":"value1"}`), EventBusName: aws.String("default"),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = logText(t, logsClient, "/aws/lambda/on-event"); strings.Contains(got, `"key1": "value1"`) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(got, `"detail-type": "MyEvent"`) || !strings.Contains(got, `"key1": "value1"`) {
		t.Fatalf("function log after PutEvents:\n%s", got)
	}
}

// TestLambdaAsyncSurvivesKill queues an event, kills tenkai with SIGKILL
// between attempts and checks the retries finish after a restart.
func TestLambdaAsyncSurvivesKill(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, "--data-dir", dataDir, "--time-scale", "30")
	c := lambda.NewFromConfig(s.SDK())
	ctx := context.Background()
	createGo(t, c, "flaky", nil)
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("collector"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": pyApp})},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("flaky"),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:lambda:us-east-1:000000000000:function:collector")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("flaky"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"op":"fail"}`)}); err != nil {
		t.Fatal(err)
	}
	logs1 := cloudwatchlogs.NewFromConfig(s.SDK())
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logText(t, logs1, "/aws/lambda/flaky"), "failing on purpose") {
		if time.Now().After(deadline) {
			t.Fatal("first attempt did not run")
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Kill() // the retry is due one (scaled) minute later

	s2 := startServer(t, "--data-dir", dataDir, "--time-scale", "30")
	logs2 := cloudwatchlogs.NewFromConfig(s2.SDK())
	deadline = time.Now().Add(90 * time.Second)
	var collected string
	for time.Now().Before(deadline) {
		if collected = logText(t, logs2, "/aws/lambda/collector"); strings.Contains(collected, "RetriesExhausted") {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if !strings.Contains(collected, `"approximateInvokeCount": 3`) {
		t.Fatalf("after the restart the collector logged:\n%s", collected)
	}
}
