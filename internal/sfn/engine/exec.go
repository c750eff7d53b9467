package engine

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/sfn/asl"
)

// Execution is one running execution.
type Execution struct {
	e      *Engine
	sm     *asl.StateMachine
	info   ExecutionInfo
	rec    Recorder
	ctx    context.Context
	cancel context.CancelFunc
	input  any // execution input, for $$.Execution.Input

	mu         sync.Mutex // guards lastID, finished, result; serialises rec calls
	lastID     int64
	finished   bool
	result     Result
	done       chan struct{}
	timeout    clock.Timer
	vars       *scope // top-level variables
	top        *thread
	test       *testMode   // set by TestState
	execInJSON string      // the execution input encoded, for checkpoints
	testCtx    *asl.Object // TestState's context object, if given
}

// thread tracks the last event of one line of execution (the top level, a
// branch or an iteration), which is the next event's previousEventId.
type thread struct {
	last int64
	// silent threads record nothing: a distributed Map's child workflows
	// have histories of their own, not part of the parent's.
	silent bool
	// out is the JSON of the last Exited event's output, which is the next
	// state's input: reused so a value is encoded once per transition.
	out   string
	outOK bool
}

// child starts a branch or iteration thread chained to start.
func (th *thread) child(start int64) *thread { return &thread{last: start, silent: th.silent} }

// inputJSON returns input's JSON, reusing the previous output's encoding.
func (th *thread) inputJSON(input any) string {
	if th.outOK {
		th.outOK = false
		return th.out
	}
	return encode(input)
}

func (e *Engine) newExecution(ctx context.Context, sm *asl.StateMachine, info ExecutionInfo, rec Recorder) *Execution {
	if rec == nil {
		rec = nopRecorder{}
	}
	if info.StartTime.IsZero() {
		info.StartTime = e.clk.Now()
	}
	cctx, cancel := context.WithCancel(ctx)
	return &Execution{e: e, sm: sm, info: info, rec: rec, ctx: cctx, cancel: cancel,
		done: make(chan struct{}), vars: &scope{vars: map[string]any{}}, top: &thread{}}
}

// Done is closed when the execution has finished.
func (x *Execution) Done() <-chan struct{} { return x.done }

// Wait blocks until the execution finishes and returns its result.
func (x *Execution) Wait() Result {
	<-x.done
	return x.result
}

// Result returns the final result and whether the execution has finished.
func (x *Execution) Result() (Result, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.result, x.finished
}

// Stop aborts the execution (StopExecution): ExecutionAborted is recorded
// at once and the run is cancelled. Stopping a finished execution does nothing.
func (x *Execution) Stop(errorCode, cause string) {
	x.finish(Result{Status: StatusAborted, Error: errorCode, Cause: cause}, &ErrorDetails{Error: errorCode, Cause: cause})
}

// emit records one event on th and returns its id (0 once finished).
func (x *Execution) emit(th *thread, typ string, details any) int64 {
	if th.silent {
		return 0
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.finished {
		return 0
	}
	return x.emitLocked(th, typ, details)
}

// emitDetached records an event chained to th without moving th on: AWS
// leaves ParallelStateSucceeded, MapStateSucceeded, MapIterationFailed and
// TaskStateAborted out of the chain the next event follows.
func (x *Execution) emitDetached(th *thread, typ string, details any) int64 {
	t := *th
	return x.emit(&t, typ, details)
}

func (x *Execution) emitLocked(th *thread, typ string, details any) int64 {
	x.lastID++
	ev := &HistoryEvent{Timestamp: x.e.clk.Now(), Type: typ, ID: x.lastID, PreviousEventID: th.last}
	if details != nil {
		ev.Details, ev.DetailsKey = details, detailsKey(typ)
	}
	th.last = x.lastID
	x.rec.Event(ev)
	return ev.ID
}

// start records ExecutionStarted and arms the execution timeout.
func (x *Execution) start(input any, raw json.RawMessage) {
	x.input = input
	// ExecutionStarted carries the input as the caller sent it.
	in := string(raw)
	if len(raw) == 0 {
		in = "{}"
	}
	// The first state's Entered event has previousEventId 0, as in AWS.
	x.emitDetached(x.top, "ExecutionStarted", &ExecutionStartedEventDetails{Input: in, InputDetails: &DataDetails{},
		RoleArn: x.info.RoleARN, StateMachineAliasArn: x.info.StateMachineAliasARN, StateMachineVersionArn: x.info.StateMachineVersionARN})
	x.armTimeout()
}

func (x *Execution) armTimeout() {
	if x.sm.TimeoutSeconds <= 0 {
		return
	}
	deadline := x.info.StartTime.Add(time.Duration(x.sm.TimeoutSeconds) * time.Second)
	d := deadline.Sub(x.e.clk.Now())
	x.timeout = x.e.clk.AfterFunc(d, func() {
		x.finishTyped("ExecutionTimedOut", Result{Status: StatusTimedOut, Error: "States.Timeout"}, &ErrorDetails{Error: "States.Timeout"})
	})
}

// finish records the final event for an abort and calls Done.
func (x *Execution) finish(res Result, details *ErrorDetails) {
	typ := "ExecutionFailed"
	switch res.Status {
	case StatusAborted:
		typ = "ExecutionAborted"
	case StatusTimedOut:
		typ = "ExecutionTimedOut"
	case StatusSucceeded:
		typ = "ExecutionSucceeded"
	}
	x.finishTyped(typ, res, details)
}

func (x *Execution) finishTyped(typ string, res Result, details any) {
	x.mu.Lock()
	if x.finished {
		x.mu.Unlock()
		return
	}
	if d, ok := details.(*ErrorDetails); ok && d == nil {
		details = &ErrorDetails{}
	}
	x.emitLocked(x.top, typ, details)
	x.finished = true
	x.result = res
	x.rec.Done(res)
	x.mu.Unlock()
	x.e.log.Debug("execution finished", "execution", x.info.ExecutionARN, "status", res.Status, "error", res.Error)
	if x.timeout != nil {
		x.timeout.Stop()
	}
	x.cancel()
	close(x.done)
}

// run executes the top level from state name with input.
func (x *Execution) run(name string, input any) {
	out, f := x.runMachine(x.ctx, &x.sm.Machine, name, input, x.top, x.vars, nil, true)
	switch {
	case f == errAbort:
		// Stop or the timeout already recorded the end; on shutdown nothing is recorded.
		if x.ctx.Err() != nil {
			x.mu.Lock()
			fin := x.finished
			x.mu.Unlock()
			if !fin {
				// Shutdown: leave the execution to be resumed from its checkpoint.
				x.mu.Lock()
				x.finished = true
				x.result = Result{Status: StatusRunning}
				x.mu.Unlock()
				close(x.done)
			}
		}
	case f != nil:
		if f.th != nil {
			x.mu.Lock()
			x.top.last = f.th.last
			x.mu.Unlock()
		}
		x.finish(Result{Status: StatusFailed, Error: f.name, Cause: f.cause}, &ErrorDetails{Error: f.name, Cause: f.cause})
	default:
		s := encode(out)
		x.finishTyped("ExecutionSucceeded", Result{Status: StatusSucceeded, Output: json.RawMessage(s)},
			&ExecutionSucceededEventDetails{Output: s, OutputDetails: &DataDetails{}})
	}
}

// runMachine runs states from name until an end state. top marks the
// execution's own states (checkpointed).
func (x *Execution) runMachine(ctx context.Context, m *asl.Machine, name string, input any, th *thread, sc *scope, item *mapItem, top bool) (any, *failure) {
	for {
		if ctx.Err() != nil {
			return nil, errAbort
		}
		st, ok := m.States[name]
		if !ok {
			return nil, fail("States.Runtime", "State '%s' does not exist", name)
		}
		if top {
			x.checkpoint(name, input, th)
		}
		out, next, f := x.runState(ctx, st, input, th, sc, item)
		if f != nil {
			if !top && f != errAbort && f.terminal() && f.th == nil {
				f.th = th
			}
			return nil, f
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

func (x *Execution) runState(ctx context.Context, st *asl.State, input any, th *thread, sc *scope, item *mapItem) (any, string, *failure) {
	v := x.newEnv(st, sc, item)
	v.th = th
	switch st.Type {
	case asl.TypePass:
		return x.runPass(ctx, v, input, th)
	case asl.TypeTask:
		return x.runTask(ctx, v, input, th)
	case asl.TypeChoice:
		return x.runChoice(ctx, v, input, th)
	case asl.TypeWait:
		return x.runWait(ctx, v, input, th)
	case asl.TypeSucceed:
		return x.runSucceed(ctx, v, input, th)
	case asl.TypeFail:
		return x.runFail(ctx, v, input, th)
	case asl.TypeParallel:
		return x.runParallel(ctx, v, input, th)
	case asl.TypeMap:
		return x.runMap(ctx, v, input, th)
	}
	return nil, "", fail("States.Runtime", "Unknown state type %s", st.Type)
}

// Event type names per state type, built once rather than per event.
var enteredTypes, exitedTypes = func() (map[string]string, map[string]string) {
	en, ex := map[string]string{}, map[string]string{}
	for _, t := range []string{"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"} {
		en[t], ex[t] = t+"StateEntered", t+"StateExited"
	}
	return en, ex
}()

func (x *Execution) enter(v *env, th *thread, typ string, input any) {
	v.enteredID = x.emit(th, enteredTypes[typ], &StateEnteredEventDetails{Name: v.st.Name, Input: th.inputJSON(input), InputDetails: &DataDetails{}})
}

// exit checks the output size, records the Exited event and returns the transition.
func (x *Execution) exit(v *env, th *thread, typ string, output any, assigned map[string]string, next string) (any, string, *failure) {
	s := encode(output)
	if len(s) > maxPayload {
		return nil, "", &failure{name: "States.DataLimitExceeded", cause: "The state/task '" + v.st.Name + "' returned a result with a size exceeding the maximum number of bytes service limit."}
	}
	d := &StateExitedEventDetails{Name: v.st.Name, Output: s, OutputDetails: &DataDetails{}}
	if assigned != nil {
		d.AssignedVariables = assigned
		d.AssignedVariablesDetails = &DataDetails{}
	}
	x.emit(th, exitedTypes[typ], d)
	th.out, th.outOK = s, true
	if v.st.End {
		next = ""
	}
	return output, next, nil
}

func ata(st *asl.State) bool { return st.QueryLanguage == asl.JSONata }

func (x *Execution) runPass(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	st := v.st
	x.enter(v, th, "Pass", input)
	if ata(st) {
		states := v.states(input, nil, nil, false, false)
		out := input
		if st.HasOutput {
			o, f := v.jeval(ctx, st.Output, states, "Output")
			if f != nil {
				return nil, "", f
			}
			out = o
		}
		assigned, f := v.assign(ctx, nil, st.JAssign, nil, states)
		if f != nil {
			return nil, "", f
		}
		return x.exit(v, th, "Pass", out, assigned, st.Next)
	}
	eff, f := v.applyPath(st.InputPath, input)
	if f != nil {
		return nil, "", f
	}
	x.note(func(d *InspectionData) *string { return &d.AfterInputPath }, eff)
	result := eff
	if st.Parameters != nil {
		if result, f = v.template(st.Parameters, eff, "Parameters"); f != nil {
			return nil, "", f
		}
		x.note(func(d *InspectionData) *string { return &d.AfterParameters }, result)
	}
	if st.HasResult {
		result = st.Result
	}
	x.note(func(d *InspectionData) *string { return &d.Result }, result)
	assigned, f := v.assign(ctx, st.Assign, nil, result, nil)
	if f != nil {
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
	return x.exit(v, th, "Pass", out, assigned, st.Next)
}

func (x *Execution) runChoice(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	st := v.st
	x.enter(v, th, "Choice", input)
	if ata(st) {
		states := v.states(input, nil, nil, false, false)
		var chosen *asl.Rule
		for _, r := range st.Choices {
			ok, f := v.evalCondition(ctx, r, states)
			if f != nil {
				return nil, "", f
			}
			if ok {
				chosen = r
				break
			}
		}
		next := st.Default
		out := input
		var assigned map[string]string
		var f *failure
		if chosen != nil {
			next = chosen.Next
			if chosen.HasOutput {
				if out, f = v.jeval(ctx, chosen.Output, states, "Output"); f != nil {
					return nil, "", f
				}
			} else if st.HasOutput {
				if out, f = v.jeval(ctx, st.Output, states, "Output"); f != nil {
					return nil, "", f
				}
			}
			jt := chosen.JAssign
			if jt == nil {
				jt = st.JAssign
			}
			if assigned, f = v.assign(ctx, nil, jt, nil, states); f != nil {
				return nil, "", f
			}
		} else {
			if next == "" {
				return nil, "", v.noTransition()
			}
			if st.HasOutput {
				if out, f = v.jeval(ctx, st.Output, states, "Output"); f != nil {
					return nil, "", f
				}
			}
			if assigned, f = v.assign(ctx, nil, st.JAssign, nil, states); f != nil {
				return nil, "", f
			}
		}
		return x.exit(v, th, "Choice", out, assigned, next)
	}
	eff, f := v.applyPath(st.InputPath, input)
	if f != nil {
		return nil, "", f
	}
	next := ""
	var tmpl = st.Assign
	for _, r := range st.Choices {
		ok, f := v.evalRule(r, eff)
		if f != nil {
			return nil, "", f
		}
		if ok {
			next = r.Next
			if r.Assign != nil {
				tmpl = r.Assign
			}
			break
		}
	}
	if next == "" {
		if st.Default == "" {
			return nil, "", v.noTransition()
		}
		next = st.Default
	}
	assigned, f := v.assign(ctx, tmpl, nil, eff, nil)
	if f != nil {
		return nil, "", f
	}
	out, f := v.applyPath(st.OutputPath, eff)
	if f != nil {
		return nil, "", f
	}
	return x.exit(v, th, "Choice", out, assigned, next)
}

func (x *Execution) runWait(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	st := v.st
	x.enter(v, th, "Wait", input)
	var until time.Time
	now := x.e.clk.Now()
	eff := input
	var states map[string]any
	var f *failure
	if ata(st) {
		states = v.states(input, nil, nil, false, false)
	} else if eff, f = v.applyPath(st.InputPath, input); f != nil {
		return nil, "", f
	}
	switch {
	case st.JSeconds != nil:
		val, f := v.jeval(ctx, st.JSeconds, states, "Seconds")
		if f != nil {
			return nil, "", f
		}
		n, ok := asInt(val)
		if !ok || n < 0 {
			return nil, "", &failure{name: "States.QueryEvaluationError", cause: v.prefix() + " The Seconds field must evaluate to a non-negative integer but was " + encode(val)}
		}
		until = now.Add(time.Duration(n) * time.Second)
	case st.JTimestamp != nil:
		val, f := v.jeval(ctx, st.JTimestamp, states, "Timestamp")
		if f != nil {
			return nil, "", f
		}
		s, _ := val.(string)
		t, err := asl.ParseTimestamp(s)
		if err != nil {
			return nil, "", &failure{name: "States.QueryEvaluationError", cause: v.prefix() + " The Timestamp field must evaluate to an ISO-8601 timestamp but was " + encode(val)}
		}
		until = t
	case st.HasSeconds:
		until = now.Add(time.Duration(st.Seconds) * time.Second)
	case st.Timestamp != "":
		t, _ := asl.ParseTimestamp(st.Timestamp)
		until = t
	case st.SecondsPath != nil:
		val, err := v.get(st.SecondsPath, eff)
		n, ok := asInt(val)
		if err != nil || !ok || n < 0 {
			return nil, "", v.runtime("The SecondsPath parameter does not reference a valid non-negative integer value: %s", st.SecondsPath.Src)
		}
		until = now.Add(time.Duration(n) * time.Second)
	case st.TimestampPath != nil:
		val, err := v.get(st.TimestampPath, eff)
		s, _ := val.(string)
		t, perr := asl.ParseTimestamp(s)
		if err != nil || perr != nil {
			return nil, "", v.runtime("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s", st.TimestampPath.Src)
		}
		until = t
	}
	if x.test != nil {
		until = now
	}
	if err := clock.Sleep(ctx, x.e.clk, until.Sub(now)); err != nil {
		return nil, "", errAbort
	}
	out := input
	var assigned map[string]string
	if ata(st) {
		if st.HasOutput {
			if out, f = v.jeval(ctx, st.Output, states, "Output"); f != nil {
				return nil, "", f
			}
		}
		if assigned, f = v.assign(ctx, nil, st.JAssign, nil, states); f != nil {
			return nil, "", f
		}
	} else {
		if assigned, f = v.assign(ctx, st.Assign, nil, eff, nil); f != nil {
			return nil, "", f
		}
		if out, f = v.applyPath(st.OutputPath, eff); f != nil {
			return nil, "", f
		}
	}
	return x.exit(v, th, "Wait", out, assigned, st.Next)
}

func (x *Execution) runSucceed(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	st := v.st
	x.enter(v, th, "Succeed", input)
	out := input
	var f *failure
	if ata(st) {
		if st.HasOutput {
			if out, f = v.jeval(ctx, st.Output, v.states(input, nil, nil, false, false), "Output"); f != nil {
				return nil, "", f
			}
		}
	} else {
		if out, f = v.applyPath(st.InputPath, input); f != nil {
			return nil, "", f
		}
		if out, f = v.applyPath(st.OutputPath, out); f != nil {
			return nil, "", f
		}
	}
	out, _, f = x.exit(v, th, "Succeed", out, nil, "")
	return out, "", f
}

func (x *Execution) runFail(ctx context.Context, v *env, input any, th *thread) (any, string, *failure) {
	st := v.st
	x.enter(v, th, "Fail", input)
	errName, cause := st.Error, st.Cause
	if ata(st) {
		states := v.states(input, nil, nil, false, false)
		for _, p := range []struct {
			t   *asl.JTemplate
			dst *string
			fl  string
		}{{st.JError, &errName, "Error"}, {st.JCause, &cause, "Cause"}} {
			if p.t == nil {
				continue
			}
			val, f := v.jeval(ctx, p.t, states, p.fl)
			if f != nil {
				return nil, "", f
			}
			s, ok := val.(string)
			if !ok {
				return nil, "", &failure{name: "States.QueryEvaluationError", cause: v.prefix() + " The " + p.fl + " field must evaluate to a string"}
			}
			*p.dst = s
		}
	} else {
		for _, p := range []struct {
			path *asl.Path
			call *asl.Call
			dst  *string
			fl   string
		}{{st.ErrorPath, st.ErrorCall, &errName, "ErrorPath"}, {st.CausePath, st.CauseCall, &cause, "CausePath"}} {
			var val any
			var err error
			switch {
			case p.path != nil:
				val, err = v.get(p.path, input)
			case p.call != nil:
				val, err = v.call(p.call, input)
			default:
				continue
			}
			s, ok := val.(string)
			if err != nil || !ok {
				return nil, "", v.runtime("The %s field must reference a string value", p.fl)
			}
			*p.dst = s
		}
	}
	return nil, "", &failure{name: errName, cause: cause}
}
