package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/sfn/asl"
)

// Resource kinds, which decide the history events a Task state records.
const (
	kindService  = iota // arn:aws:states:::service:action → Task* events
	kindLambda          // a plain function ARN → LambdaFunction* events
	kindActivity        // arn:aws:states:...:activity:name → Activity* events
)

// splitResource derives the kind and the resourceType/resource pair of
// Task events: "arn:aws:states:::lambda:invoke" → ("lambda", "invoke"),
// "arn:aws:states:::aws-sdk:s3:listBuckets" → ("aws-sdk:s3", "listBuckets").
func splitResource(arn string) (kind int, rtype, res string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return kindService, "", arn
	}
	svc, rest := parts[2], parts[5]
	switch {
	case svc == "lambda":
		return kindLambda, "lambda", arn
	case svc == "states" && strings.HasPrefix(rest, "activity:"):
		return kindActivity, "activity", arn
	case svc == "states":
		if strings.HasPrefix(rest, "aws-sdk:") {
			p := strings.SplitN(rest, ":", 3)
			if len(p) == 3 {
				return kindService, p[0] + ":" + p[1], p[2]
			}
		}
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			return kindService, rest[:i], rest[i+1:]
		}
		return kindService, rest, rest
	}
	return kindService, svc, rest
}

func (x *Execution) runTask(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	st := v.st
	x.enter(v, th, "Task", input)
	eff := input
	var f *failure
	if !ata(st) {
		if eff, f = v.applyPath(st.InputPath, input); f != nil {
			return nil, "", f
		}
		x.note(func(d *InspectionData) *string { return &d.AfterInputPath }, eff)
	}
	result, f := x.retrying(ctx, v, func(int) (any, *failure) { return x.taskAttempt(ctx, v, th, input, eff) })
	if f == nil {
		var out any
		var next string
		out, next, f = x.complete(ctx, v, th, "Task", input, result)
		if f == nil {
			return out, next, nil
		}
	}
	if f == errAbort {
		return nil, "", f
	}
	out, next, f, caught := x.catch(ctx, v, th, "Task", input, f)
	if !caught && th != x.top && !f.terminal() {
		x.emitDetached(th, "TaskStateAborted", nil)
	}
	return out, next, f
}

// complete applies the result processing of Task, Parallel and Map states
// and records the Exited event.
func (x *Execution) complete(ctx context.Context, v *env, th *thread, typ string, input, result any) (any, string, *failure) {
	st := v.st
	var assigned map[string]string
	var f *failure
	if ata(st) {
		states := v.states(input, result, nil, true, false)
		out := result
		if st.HasOutput {
			if out, f = v.jeval(ctx, st.Output, states, "Output"); f != nil {
				return nil, "", f
			}
		}
		if assigned, f = v.assign(ctx, nil, st.JAssign, nil, states); f != nil {
			return nil, "", f
		}
		return x.exit(v, th, typ, out, assigned, st.Next)
	}
	if st.ResultSelector != nil {
		if result, f = v.template(st.ResultSelector, result, "ResultSelector"); f != nil {
			return nil, "", f
		}
		x.note(func(d *InspectionData) *string { return &d.AfterResultSelector }, result)
	}
	if assigned, f = v.assign(ctx, st.Assign, nil, result, nil); f != nil {
		return nil, "", f
	}
	out, f := v.applyResultPath(st.ResultPath, input, result)
	if f != nil {
		return nil, "", f
	}
	x.note(func(d *InspectionData) *string { return &d.AfterResultPath }, out)
	if out, f = v.applyPath(st.OutputPath, out); f != nil {
		return nil, "", f
	}
	return x.exit(v, th, typ, out, assigned, st.Next)
}

// seconds resolves TimeoutSeconds/HeartbeatSeconds in their three forms.
func (v *env) seconds(ctx context.Context, fixed int64, path *asl.Path, jt *asl.JTemplate, input any, states map[string]any, field string) (int64, *failure) {
	switch {
	case path != nil:
		val, err := v.get(path, input)
		n, ok := asInt(val)
		if err != nil || !ok || n <= 0 {
			return 0, v.runtime("The %sPath field does not reference a positive integer: %s", field, path.Src)
		}
		return n, nil
	case jt != nil:
		val, f := v.jeval(ctx, jt, states, field)
		if f != nil {
			return 0, f
		}
		n, ok := asInt(val)
		if !ok || n <= 0 {
			return 0, &failure{name: "States.QueryEvaluationError", cause: v.prefix() + " The " + field + " field must evaluate to a positive integer"}
		}
		return n, nil
	}
	return fixed, nil
}

// taskAttempt performs one attempt of a Task state and returns its raw result.
func (x *Execution) taskAttempt(ctx context.Context, v *env, th *thread, input, eff any) (any, *failure) {
	st := v.st
	kind, rtype, res := splitResource(st.Resource)
	wait := strings.HasSuffix(res, ".waitForTaskToken") || kind == kindActivity
	v.token = ""
	if wait {
		v.token = x.e.newID()
	}
	v.resetContext()
	var states map[string]any
	params := eff
	var f *failure
	if ata(st) {
		states = v.states(input, nil, nil, false, false)
		if st.Arguments != nil {
			if params, f = v.jeval(ctx, st.Arguments, states, "Arguments"); f != nil {
				return nil, f
			}
			x.note(func(d *InspectionData) *string { return &d.AfterArguments }, params)
		}
	} else if st.Parameters != nil {
		if params, f = v.template(st.Parameters, eff, "Parameters"); f != nil {
			return nil, f
		}
		x.note(func(d *InspectionData) *string { return &d.AfterParameters }, params)
	}
	timeout, f := v.seconds(ctx, st.TimeoutSeconds, st.TimeoutSecondsPath, st.JTimeoutSeconds, eff, states, "TimeoutSeconds")
	if f != nil {
		return nil, f
	}
	heartbeat, f := v.seconds(ctx, st.HeartbeatSeconds, st.HeartbeatSecondsPath, st.JHeartbeatSeconds, eff, states, "HeartbeatSeconds")
	if f != nil {
		return nil, f
	}
	paramsJSON := encodeRaw(params)
	if len(paramsJSON) > maxPayload {
		return nil, &failure{name: "States.DataLimitExceeded", cause: "The state/task '" + st.Name + "' has an input with a size exceeding the maximum number of bytes service limit."}
	}
	var creds *TaskCredentials
	var credsJSON json.RawMessage
	if st.Credentials != nil {
		cv := st.Credentials
		switch {
		case st.CredentialsTemplate != nil:
			cv, f = v.template(st.CredentialsTemplate, eff, "Credentials")
		case st.JCredentials != nil:
			cv, f = v.jeval(ctx, st.JCredentials, states, "Credentials")
		}
		if f != nil {
			return nil, f
		}
		credsJSON = encodeRaw(cv)
		if m, ok := cv.(*asl.Object); ok {
			if rv, _ := m.Get("RoleArn"); rv != nil {
				r, _ := rv.(string)
				creds = &TaskCredentials{RoleArn: r}
			}
		}
	}
	switch kind {
	case kindLambda:
		x.emit(th, "LambdaFunctionScheduled", &LambdaFunctionScheduledEventDetails{Resource: st.Resource, Input: string(paramsJSON),
			InputDetails: &DataDetails{}, TimeoutInSeconds: timeout, TaskCredentials: creds})
		x.emit(th, "LambdaFunctionStarted", nil)
	case kindActivity:
		x.emit(th, "ActivityScheduled", &ActivityScheduledEventDetails{Resource: st.Resource, Input: string(paramsJSON),
			InputDetails: &DataDetails{}, TimeoutInSeconds: timeout, HeartbeatInSeconds: heartbeat})
	default:
		x.emit(th, "TaskScheduled", &TaskScheduledEventDetails{ResourceType: rtype, Resource: res, Region: x.info.Region,
			Parameters: string(paramsJSON), TimeoutInSeconds: timeout, HeartbeatInSeconds: heartbeat, TaskCredentials: creds})
		x.emit(th, "TaskStarted", &TaskResourceDetails{ResourceType: rtype, Resource: res})
	}

	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timedOut atomic.Bool
	if timeout > 0 {
		t := x.e.clk.AfterFunc(time.Duration(timeout)*time.Second, func() { timedOut.Store(true); cancel() })
		defer t.Stop()
	}
	var w *tokenWait
	var expired atomic.Bool // the token timed out (task or heartbeat)
	if wait {
		w = x.e.register(v.token)
		defer x.e.unregister(v.token, &expired)
	}
	call := &TaskCall{Resource: st.Resource, Input: paramsJSON, TaskToken: v.token, Credentials: credsJSON,
		Execution: x.info, StateName: st.Name, Timeout: time.Duration(timeout) * time.Second,
		Heartbeat: time.Duration(heartbeat) * time.Second}
	if kind == kindService && strings.Contains(res, ".sync") {
		call.Submitted = func(out json.RawMessage) {
			x.emit(th, "TaskSubmitted", &TaskOutputDetails{ResourceType: rtype, Resource: res, Output: string(out), OutputDetails: &DataDetails{}})
		}
	}
	var raw json.RawMessage
	var err error
	if mv, mf, ok := x.test.mock(); ok {
		if mf != nil {
			err = &TaskError{Code: mf.name, Cause: mf.cause}
		} else {
			raw = encodeRaw(mv)
		}
		wait = false
	} else if x.e.tasks == nil {
		err = &TaskError{Code: "States.TaskFailed", Cause: "No task runner is configured"}
	} else {
		raw, err = x.e.tasks.Run(tctx, call)
	}
	if err == nil && wait {
		// The dispatch succeeded: record it and wait for the token.
		switch kind {
		case kindActivity:
			worker := ""
			if m, ok := decodeMaybe(raw).(*asl.Object); ok {
				wv, _ := m.Get("workerName")
				worker, _ = wv.(string)
			}
			x.emit(th, "ActivityStarted", &struct {
				WorkerName string `json:"workerName,omitempty"`
			}{worker})
		default:
			x.emit(th, "TaskSubmitted", &TaskOutputDetails{ResourceType: rtype, Resource: res, Output: rawOrEmpty(raw), OutputDetails: &DataDetails{}})
		}
		raw, err = x.waitToken(tctx, w, heartbeat)
	}
	if ctx.Err() != nil {
		return nil, errAbort
	}
	if timedOut.Load() || errors.Is(err, errHeartbeat) {
		expired.Store(true)
		name := "States.Timeout"
		if errors.Is(err, errHeartbeat) && !timedOut.Load() {
			name = "States.HeartbeatTimeout"
		}
		x.taskEvent(th, kind, "TimedOut", rtype, res, name, "")
		return nil, &failure{name: name}
	}
	if err != nil {
		var te *TaskError
		if !errors.As(err, &te) {
			te = &TaskError{Code: "States.TaskFailed", Cause: err.Error()}
		}
		x.taskEvent(th, kind, "Failed", rtype, res, te.Code, te.Cause)
		return nil, &failure{name: te.Code, cause: te.Cause}
	}
	if len(raw) > maxPayload {
		f := &failure{name: "States.DataLimitExceeded", cause: "The state/task '" + st.Name + "' returned a result with a size exceeding the maximum number of bytes service limit."}
		x.taskEvent(th, kind, "Failed", rtype, res, f.name, f.cause)
		return nil, f
	}
	out, derr := decodeInput(raw)
	if derr != nil {
		f := &failure{name: "States.Runtime", cause: v.prefix() + " The task returned invalid JSON: " + derr.Error()}
		x.taskEvent(th, kind, "Failed", rtype, res, f.name, f.cause)
		return nil, f
	}
	x.note(func(d *InspectionData) *string { return &d.Result }, out)
	s := encode(out)
	switch kind {
	case kindLambda:
		x.emit(th, "LambdaFunctionSucceeded", &OutputDetails{Output: s, OutputDetails: &DataDetails{}})
	case kindActivity:
		x.emit(th, "ActivitySucceeded", &OutputDetails{Output: s, OutputDetails: &DataDetails{}})
	default:
		x.emit(th, "TaskSucceeded", &TaskOutputDetails{ResourceType: rtype, Resource: res, Output: s, OutputDetails: &DataDetails{}})
	}
	return out, nil
}

func rawOrEmpty(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	if v, err := asl.DecodeJSON(raw); err == nil {
		return encode(v)
	}
	return string(raw)
}

func decodeMaybe(raw json.RawMessage) any {
	v, _ := asl.DecodeJSON(raw)
	return v
}

// taskEvent records a Failed or TimedOut event in the resource kind's family.
func (x *Execution) taskEvent(th *thread, kind int, what, rtype, res, errName, cause string) {
	switch kind {
	case kindLambda:
		x.emit(th, "LambdaFunction"+what, &ErrorDetails{Error: errName, Cause: cause})
	case kindActivity:
		x.emit(th, "Activity"+what, &ErrorDetails{Error: errName, Cause: cause})
	default:
		x.emit(th, "Task"+what, &TaskErrorDetails{ResourceType: rtype, Resource: res, Error: errName, Cause: cause})
	}
}

// waitToken waits for SendTaskSuccess/Failure, restarting the heartbeat
// timer on each SendTaskHeartbeat.
func (x *Execution) waitToken(ctx context.Context, w *tokenWait, heartbeat int64) (json.RawMessage, error) {
	for {
		var hb clock.Timer
		var hbC <-chan time.Time
		if heartbeat > 0 {
			hb = x.e.clk.NewTimer(time.Duration(heartbeat) * time.Second)
			hbC = hb.C()
		}
		select {
		case r := <-w.ch:
			stopTimer(hb)
			if r.err != nil {
				return nil, r.err
			}
			return r.output, nil
		case <-w.beat:
			stopTimer(hb)
		case <-hbC:
			return nil, errHeartbeat
		case <-ctx.Done():
			stopTimer(hb)
			return nil, ctx.Err()
		}
	}
}

func stopTimer(t clock.Timer) {
	if t != nil {
		t.Stop()
	}
}

var errHeartbeat = errors.New("heartbeat timed out")
