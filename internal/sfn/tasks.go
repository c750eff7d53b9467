package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode"

	"tenkai/internal/edge"
	"tenkai/internal/sfn/engine"
	"tenkai/internal/store"
)

// tasks performs Task states for the engine: the optimized integrations
// (Lambda, EventBridge, DynamoDB, SNS, Step Functions) and AWS SDK integrations.
type tasks struct{ s *Service }

var _ engine.Tasks = (*tasks)(nil)

func taskFailed(cause string) error {
	return &engine.TaskError{Code: "States.TaskFailed", Cause: cause}
}

// Run implements engine.Tasks.
func (t *tasks) Run(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	if call.TaskToken != "" {
		if t.resumed(call) {
			return json.RawMessage("{}"), nil
		}
		t.rememberToken(call)
	}
	res := call.Resource
	switch {
	case strings.HasPrefix(res, "arn:aws:lambda:"):
		return t.plainLambda(ctx, call)
	case strings.HasPrefix(res, "arn:aws:states:") && strings.Contains(res, ":activity:"):
		return t.runActivity(ctx, call)
	case !strings.HasPrefix(res, "arn:aws:states:::"):
		return nil, taskFailed("Unsupported resource " + res)
	}
	spec := strings.TrimPrefix(res, "arn:aws:states:::")
	pattern := ""
	for _, suf := range []string{".waitForTaskToken", ".sync:2", ".sync"} {
		if strings.HasSuffix(spec, suf) {
			spec, pattern = strings.TrimSuffix(spec, suf), suf
			break
		}
	}
	switch {
	case spec == "lambda:invoke":
		return t.lambdaInvoke(ctx, call)
	case spec == "events:putEvents":
		return t.putEvents(ctx, call)
	case spec == "sns:publish" && (pattern == "" || pattern == ".waitForTaskToken"):
		return t.snsPublish(ctx, call)
	case strings.HasPrefix(spec, "dynamodb:") && pattern == "":
		op := strings.TrimPrefix(spec, "dynamodb:")
		switch op {
		case "putItem", "getItem", "updateItem", "deleteItem":
			return t.callAPI(ctx, call, "dynamodb", pascal(op), call.Input, "DynamoDB")
		}
	case spec == "s3:getObject": // only usable as a Map ItemReader

		return t.readItems(ctx, call)
	case spec == "states:startExecution":
		return t.startExecution(ctx, call, pattern)
	case strings.HasPrefix(spec, "aws-sdk:"):
		return t.sdk(ctx, call, strings.TrimPrefix(spec, "aws-sdk:"), pattern)
	}
	return nil, taskFailed("The resource " + res + " is not supported")
}

// resumed reports whether this token task was waiting before a restart:
// then the first token stays valid and nothing is dispatched again.
func (t *tasks) resumed(call *engine.TaskCall) bool {
	rn := t.s.liveRun(call.Execution.ExecutionARN)
	if rn == nil {
		return false
	}
	rn.mu.Lock()
	old := rn.resumeToken
	ok := old != "" && rn.resumeState == call.StateName
	if ok {
		rn.resumeToken = ""
	}
	rn.mu.Unlock()
	if !ok {
		return false
	}
	t.s.mu.Lock()
	t.s.aliases[old] = call.TaskToken
	t.s.mu.Unlock()
	return true
}

// rememberToken stores the token a top-level state waits on, so that it
// stays valid across a restart.
func (t *tasks) rememberToken(call *engine.TaskCall) {
	if call.Execution.ExecutionARN == "" || strings.Contains(call.Execution.ExecutionARN, ":express:") {
		return
	}
	err := t.s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(tokensBucket).Put([]byte(call.Execution.ExecutionARN+"\x00"+call.StateName), []byte(call.TaskToken))
	})
	if err != nil {
		t.s.log.Warn("sfn: store task token", "err", err)
	}
}

// serviceError turns another service's error into the task error Step
// Functions reports: "Prefix.Code" with the message as cause.
func serviceError(prefix string, err error, sdk bool) error {
	var e *edge.Error
	if !errors.As(err, &e) {
		return taskFailed(err.Error())
	}
	code := e.Code
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if sdk && !strings.HasSuffix(code, "Exception") {
		code += "Exception"
	}
	return &engine.TaskError{Code: prefix + "." + code, Cause: e.Message}
}

// plainLambda runs a function named by its ARN: the result is its payload.
func (t *tasks) plainLambda(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	if t.s.cfg.Functions == nil {
		return nil, taskFailed("Lambda is not available")
	}
	res, err := t.s.cfg.Functions.Invoke(ctx, call.Execution.Account, call.Execution.Region, call.Resource, "", call.Input, false)
	if err != nil {
		return nil, serviceError("Lambda", err, false)
	}
	if res.FunctionError != "" {
		return nil, functionError(res.Payload)
	}
	return payloadJSON(res.Payload), nil
}

// functionError is a failed function: the error is its errorType and the
// cause its error document.
func functionError(payload []byte) error {
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	code := "Lambda.Unknown"
	if json.Unmarshal(payload, &doc) == nil && doc.ErrorType != "" {
		code = doc.ErrorType
	}
	return &engine.TaskError{Code: code, Cause: string(payload)}
}

func payloadJSON(p []byte) json.RawMessage {
	if len(strings.TrimSpace(string(p))) == 0 {
		return json.RawMessage("null")
	}
	if !json.Valid(p) {
		b, _ := json.Marshal(string(p))
		return b
	}
	return p
}

type lambdaInvokeParams struct {
	FunctionName   string          `json:"FunctionName"`
	Payload        json.RawMessage `json:"Payload"`
	Qualifier      string          `json:"Qualifier"`
	InvocationType string          `json:"InvocationType"`
	ClientContext  string          `json:"ClientContext"`
	LogType        string          `json:"LogType"`
}

// lambdaInvoke is arn:aws:states:::lambda:invoke: the result wraps the
// payload with the response metadata.
func (t *tasks) lambdaInvoke(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	if t.s.cfg.Functions == nil {
		return nil, taskFailed("Lambda is not available")
	}
	var p lambdaInvokeParams
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, taskFailed("Invalid parameters: " + err.Error())
	}
	if p.FunctionName == "" {
		return nil, &engine.TaskError{Code: "States.Runtime", Cause: "The field 'FunctionName' is required but was missing."}
	}
	payload := []byte(p.Payload)
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	async := p.InvocationType == "Event"
	res, err := t.s.cfg.Functions.Invoke(ctx, call.Execution.Account, call.Execution.Region, p.FunctionName, p.Qualifier, payload, async)
	if err != nil {
		return nil, serviceError("Lambda", err, false)
	}
	if res.FunctionError != "" {
		return nil, functionError(res.Payload)
	}
	status := res.StatusCode
	if status == 0 {
		status = 200
	}
	version := res.ExecutedVersion
	if version == "" && !async {
		version = "$LATEST"
	}
	headers := map[string]string{"Connection": "keep-alive", "Content-Type": "application/json",
		"X-Amz-Executed-Version": version, "x-amzn-Remapped-Content-Length": "0", "x-amzn-RequestId": res.RequestID}
	out := map[string]any{
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": allHeaders(headers),
			"HttpHeaders":    headers,
			"HttpStatusCode": status,
		},
		"SdkResponseMetadata": map[string]any{"RequestId": res.RequestID},
		"StatusCode":          status,
	}
	if async {
		out["Payload"] = ""
		delete(headers, "X-Amz-Executed-Version")
	} else {
		out["ExecutedVersion"] = version
		out["Payload"] = payloadJSON(res.Payload)
	}
	return json.Marshal(out)
}

func allHeaders(h map[string]string) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		out[k] = []string{v}
	}
	return out
}

// putEvents is arn:aws:states:::events:putEvents: Detail may be a JSON
// object, which is sent as its text.
func (t *tasks) putEvents(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	var p struct {
		Entries []map[string]json.RawMessage `json:"Entries"`
	}
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, taskFailed("Invalid parameters: " + err.Error())
	}
	for _, e := range p.Entries {
		if d, ok := e["Detail"]; ok && len(d) > 0 && d[0] != '"' {
			s, _ := json.Marshal(string(d))
			e["Detail"] = s
		}
	}
	in, _ := json.Marshal(&p)
	out, err := t.callAPI(ctx, call, "events", "PutEvents", in, "EventBridge")
	if err != nil {
		return nil, err
	}
	var res struct {
		FailedEntryCount int `json:"FailedEntryCount"`
	}
	if json.Unmarshal(out, &res) == nil && res.FailedEntryCount > 0 {
		return nil, &engine.TaskError{Code: "EventBridge.FailedEntry", Cause: string(out)}
	}
	return out, nil
}

// snsPublish is arn:aws:states:::sns:publish: Message may be any JSON
// value; one that is not a string is sent as its text.
func (t *tasks) snsPublish(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	var p map[string]json.RawMessage
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, taskFailed("Invalid parameters: " + err.Error())
	}
	if m, ok := p["Message"]; ok && len(m) > 0 && m[0] != '"' {
		s, _ := json.Marshal(string(m))
		p["Message"] = s
	}
	in, _ := json.Marshal(p)
	return t.callAPI(ctx, call, "sns", "Publish", in, "SNS")
}

// callAPI calls a JSON-protocol service and maps its errors.
func (t *tasks) callAPI(ctx context.Context, call *engine.TaskCall, service, op string, in []byte, prefix string) (json.RawMessage, error) {
	if t.s.cfg.APIs == nil {
		return nil, taskFailed("The service " + service + " is not available")
	}
	out, err := t.s.cfg.APIs.Call(ctx, call.Execution.Account, call.Execution.Region, service, op, in)
	if err != nil {
		return nil, serviceError(prefix, err, false)
	}
	return out, nil
}

// startExecution is arn:aws:states:::states:startExecution with the three
// integration patterns.
func (t *tasks) startExecution(ctx context.Context, call *engine.TaskCall, pattern string) (json.RawMessage, error) {
	var p struct {
		StateMachineArn string          `json:"StateMachineArn"`
		Input           json.RawMessage `json:"Input"`
		Name            string          `json:"Name"`
	}
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, taskFailed("Invalid parameters: " + err.Error())
	}
	var input *string
	if len(p.Input) > 0 {
		s := string(p.Input)
		if p.Input[0] == '"' {
			_ = json.Unmarshal(p.Input, &s)
		}
		input = &s
	}
	rec, rn, err := t.s.start(ctx, p.StateMachineArn, p.Name, input, "")
	if err != nil {
		return nil, serviceError("StepFunctions", err, true)
	}
	started, _ := json.Marshal(map[string]any{"ExecutionArn": rec.ARN, "StartDate": rec.Start.UnixMilli()})
	if pattern != ".sync" && pattern != ".sync:2" {
		return started, nil
	}
	if call.Submitted != nil {
		call.Submitted(started)
	}
	final := rec
	if rn != nil {
		select {
		case <-rn.done:
		case <-ctx.Done():
			// The parent stopped or timed out: stop the child too.
			rn.mu.Lock()
			x := rn.x
			rn.mu.Unlock()
			if x != nil {
				x.Stop("States.Aborted", "The parent execution was stopped")
			}
			return nil, ctx.Err()
		}
	}
	if rn != nil {
		f := rn.record()
		final = &f
	} else if r, err := parseARN(rec.ARN); err == nil {
		if stored, err := t.s.loadExecution(r, rec.ARN); err == nil {
			final = stored
		}
	}
	desc := map[string]any{
		"ExecutionArn": final.ARN, "StateMachineArn": final.MachineARN, "Name": final.Name, "Status": final.Status,
		"StartDate": final.Start.UnixMilli(), "StopDate": final.Stop.UnixMilli(),
		"Input": final.Input, "InputDetails": map[string]bool{"Included": true},
		"RedriveCount": final.RedriveCount,
	}
	st, reason := t.s.redrivable(final)
	desc["RedriveStatus"] = st
	if reason != "" {
		desc["RedriveStatusReason"] = reason
	}
	if final.Output != nil {
		desc["Output"] = *final.Output
		desc["OutputDetails"] = map[string]bool{"Included": true}
	}
	if final.Error != "" {
		desc["Error"] = final.Error
	}
	if final.Cause != "" {
		desc["Cause"] = final.Cause
	}
	if pattern == ".sync:2" {
		desc["Input"] = json.RawMessage(final.Input)
		if final.Output != nil {
			desc["Output"] = json.RawMessage(*final.Output)
		}
	}
	out, _ := json.Marshal(desc)
	switch final.Status {
	case engine.StatusSucceeded:
		return out, nil
	case engine.StatusTimedOut:
		return nil, &engine.TaskError{Code: "States.Timeout", Cause: string(out)}
	default:
		return nil, &engine.TaskError{Code: "States.TaskFailed", Cause: string(out)}
	}
}

// sdkServices maps an aws-sdk integration's service name to the signing
// name, the error prefix and whether the wire uses camelCase members.
var sdkServices = map[string]struct {
	signing, prefix string
	camel           bool
}{
	"dynamodb":       {"dynamodb", "DynamoDb", false},
	"eventbridge":    {"events", "EventBridge", false},
	"sfn":            {"states", "Sfn", true},
	"cloudwatchlogs": {"logs", "CloudWatchLogs", true},
	"lambda":         {"lambda", "Lambda", false},
	"s3":             {"s3", "S3", false},
	"sns":            {"sns", "Sns", false},
	"ssm":            {"ssm", "Ssm", false},
	"secretsmanager": {"secretsmanager", "SecretsManager", false},
}

// sdk is arn:aws:states:::aws-sdk:SERVICE:ACTION: PascalCase parameters,
// the SDK's response and errors named "Service.ExceptionName".
func (t *tasks) sdk(ctx context.Context, call *engine.TaskCall, spec, pattern string) (json.RawMessage, error) {
	svc, action, ok := strings.Cut(spec, ":")
	info, known := sdkServices[svc]
	if !ok || !known || action == "" {
		return nil, taskFailed("The resource " + call.Resource + " is not supported")
	}
	if pattern != "" && pattern != ".waitForTaskToken" {
		return nil, taskFailed("The integration pattern " + pattern + " is not supported by " + call.Resource)
	}
	op := pascal(action)
	if svc == "s3" {
		return t.sdkS3(ctx, call, op)
	}
	if svc == "lambda" {
		if op != "Invoke" {
			return nil, taskFailed("The resource " + call.Resource + " is not supported")
		}
		return t.sdkLambdaInvoke(ctx, call)
	}
	in := []byte(call.Input)
	if info.camel {
		in = rekey(call.Input, camel)
	}
	if t.s.cfg.APIs == nil {
		return nil, taskFailed("The service " + svc + " is not available")
	}
	out, err := t.s.cfg.APIs.Call(ctx, call.Execution.Account, call.Execution.Region, info.signing, op, in)
	if err != nil {
		return nil, serviceError(info.prefix, err, true)
	}
	if info.camel {
		out = rekey(out, pascal)
	}
	return out, nil
}

func (t *tasks) sdkLambdaInvoke(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	if t.s.cfg.Functions == nil {
		return nil, taskFailed("Lambda is not available")
	}
	var p lambdaInvokeParams
	if err := json.Unmarshal(call.Input, &p); err != nil {
		return nil, taskFailed("Invalid parameters: " + err.Error())
	}
	payload := []byte(p.Payload)
	if len(payload) > 0 && payload[0] == '"' {
		var s string
		_ = json.Unmarshal(payload, &s)
		payload = []byte(s)
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	res, err := t.s.cfg.Functions.Invoke(ctx, call.Execution.Account, call.Execution.Region, p.FunctionName, p.Qualifier, payload, p.InvocationType == "Event")
	if err != nil {
		return nil, serviceError("Lambda", err, true)
	}
	out := map[string]any{"StatusCode": res.StatusCode, "Payload": string(res.Payload)}
	if res.ExecutedVersion != "" {
		out["ExecutedVersion"] = res.ExecutedVersion
	}
	if res.FunctionError != "" {
		out["FunctionError"] = res.FunctionError
	}
	return json.Marshal(out)
}

func pascal(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func camel(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// rekey renames every object key in a JSON document with f.
func rekey(doc []byte, f func(string) string) []byte {
	var v any
	d := json.NewDecoder(strings.NewReader(string(doc)))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return doc
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			m := make(map[string]any, len(x))
			for k, e := range x {
				m[f(k)] = walk(e)
			}
			return m
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
			return x
		}
		return v
	}
	out, err := json.Marshal(walk(v))
	if err != nil {
		return doc
	}
	return out
}
