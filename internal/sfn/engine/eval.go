package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tenkai/internal/jsonata"
	"tenkai/internal/sfn/asl"
)

// failure is a state or execution error, as Retry and Catch see it.
type failure struct {
	name, cause string
	// th is the branch or iteration thread a terminal error (States.Runtime,
	// States.DataLimitExceeded) came from: it ends the execution at once,
	// with no *StateFailed events, and ExecutionFailed follows that thread.
	th *thread
}

// terminal reports whether f ends the execution whatever catches it.
func (f *failure) terminal() bool {
	return f.name == "States.Runtime" || f.name == "States.DataLimitExceeded"
}

// errAbort marks a run cut short by Stop, a timeout or shutdown.
var errAbort = &failure{name: "\x00aborted"}

func fail(name, format string, args ...any) *failure {
	return &failure{name: name, cause: fmt.Sprintf(format, args...)}
}

// scope holds workflow variables: a state machine's, or a branch's or
// iteration's, which also sees the enclosing scope's variables read-only.
type scope struct {
	vars   map[string]any
	parent *scope
}

func (s *scope) get(name string) (any, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// all returns every visible variable (inner scopes win).
func (s *scope) all() map[string]any {
	if s.parent == nil {
		return s.vars
	}
	out := map[string]any{}
	var chain []*scope
	for c := s; c != nil; c = c.parent {
		chain = append(chain, c)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].vars {
			out[k] = v
		}
	}
	return out
}

// mapItem is the $$.Map.Item of an iteration.
type mapItem struct {
	index int
	value any
}

// env is what a state's expressions are evaluated in.
type env struct {
	x         *Execution
	st        *asl.State
	sc        *scope
	entered   time.Time
	enteredID int64
	retry     int
	token     string
	item      *mapItem
	ctxObj    *asl.Object
	jvars     map[string]any // variables converted for JSONata, built on first use
	th        *thread        // the thread the state runs on, for EvaluationFailed events
}

func (x *Execution) newEnv(st *asl.State, sc *scope, item *mapItem) *env {
	return &env{x: x, st: st, sc: sc, entered: x.e.clk.Now(), item: item}
}

// prefix is the start of AWS's runtime error causes.
func (v *env) prefix() string {
	return fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d).", v.st.Name, v.enteredID)
}

// noTransition is a Choice with no matching rule and no Default: AWS fails
// the execution with States.Runtime (not States.NoChoiceMatched).
func (v *env) noTransition() *failure {
	return v.runtime("Failed to transition out of the state. The state does not point to a next state.")
}

func (v *env) runtime(format string, args ...any) *failure {
	return &failure{name: "States.Runtime", cause: v.prefix() + " " + fmt.Sprintf(format, args...)}
}

// context returns the context object ($$ / $states.context).
func (v *env) context() *asl.Object {
	if v.ctxObj != nil {
		return v.ctxObj
	}
	x := v.x
	if x.testCtx != nil {
		v.ctxObj = x.testCtx
		return v.ctxObj
	}
	c := asl.ObjectOf(
		"Execution", asl.ObjectOf(
			"Id", x.info.ExecutionARN,
			"Input", x.input,
			"Name", x.info.Name,
			"RoleArn", x.info.RoleARN,
			"StartTime", formatTime(x.info.StartTime),
			"RedriveCount", int64(x.info.RedriveCount)),
		"State", asl.ObjectOf(
			"EnteredTime", formatTime(v.entered),
			"Name", v.st.Name,
			"RetryCount", int64(v.retry)),
		"StateMachine", asl.ObjectOf(
			"Id", x.info.StateMachineARN,
			"Name", x.info.StateMachineName))
	if v.token != "" {
		c.Set("Task", asl.ObjectOf("Token", v.token))
	}
	if v.item != nil {
		c.Set("Map", asl.ObjectOf("Item", asl.ObjectOf("Index", int64(v.item.index), "Value", v.item.value)))
	}
	v.ctxObj = c
	return c
}

func (v *env) resetContext() { v.ctxObj = nil }

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// root returns the value a path starts from.
func (v *env) root(p *asl.Path, input any) (any, error) {
	switch p.Root {
	case asl.RootContext:
		return v.context(), nil
	case asl.RootVar:
		val, ok := v.sc.get(p.Var)
		if !ok {
			return nil, fmt.Errorf("variable $%s is not defined", p.Var)
		}
		return val, nil
	}
	return input, nil
}

// get resolves a path.
func (v *env) get(p *asl.Path, input any) (any, error) {
	r, err := v.root(p, input)
	if err != nil {
		return nil, err
	}
	return p.Get(r)
}

// applyPath applies InputPath or OutputPath.
func (v *env) applyPath(op asl.OptPath, input any) (any, *failure) {
	if !op.Set {
		return input, nil
	}
	if op.Null {
		return asl.NewObject(0), nil
	}
	if op.Path.IsRoot() {
		return input, nil
	}
	out, err := v.get(op.Path, input)
	if err != nil {
		return nil, v.runtime("Invalid path '%s' : No results for path: %s", op.Path.Src, op.Path.Normalized())
	}
	return out, nil
}

// applyResultPath merges result into input per ResultPath.
func (v *env) applyResultPath(op asl.OptPath, input, result any) (any, *failure) {
	if !op.Set {
		return result, nil
	}
	if op.Null {
		return input, nil
	}
	if op.Path.IsRoot() {
		return result, nil
	}
	out, err := op.Path.Set(input, result)
	if err != nil {
		return nil, &failure{name: "States.ResultPathMatchFailure", cause: v.prefix() + fmt.Sprintf(" Unable to apply ReferencePath %s to input '%s'", op.Path.Src, encode(input))}
	}
	return out, nil
}

// template evaluates a JSONPath payload template with $ = input.
func (v *env) template(t *asl.Template, input any, field string) (any, *failure) {
	if !t.Dynamic {
		return t.Literal, nil
	}
	if t.IsArray {
		out := make([]any, len(t.Elems))
		for i, e := range t.Elems {
			val, f := v.template(e, input, field)
			if f != nil {
				return nil, f
			}
			out[i] = val
		}
		return out, nil
	}
	out := asl.NewObject(len(t.Fields))
	for _, fl := range t.Fields {
		switch {
		case fl.Path != nil:
			val, err := v.get(fl.Path, input)
			if err != nil {
				src := input
				if fl.Path.Root == asl.RootContext {
					src = v.context()
				}
				return nil, v.runtime("The JSONPath '%s' specified for the field '%s.$' could not be found in the input '%s'", fl.Path.Src, fl.Key, encode(src))
			}
			out.Set(fl.Key, val)
		case fl.Call != nil:
			val, err := v.call(fl.Call, input)
			if err != nil {
				return nil, v.intrinsicFailure(err)
			}
			out.Set(fl.Key, val)
		default:
			val, f := v.template(fl.Val, input, field)
			if f != nil {
				return nil, f
			}
			out.Set(fl.Key, val)
		}
	}
	return out, nil
}

func (v *env) intrinsicFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	return v.runtime("%v", err)
}

// Error lets *failure travel as an error through intrinsic evaluation.
func (f *failure) Error() string { return f.name + ": " + f.cause }

// states builds the $states binding of JSONata mode.
// Its values are converted for the evaluator once, here.
func (v *env) states(input, result, errorOutput any, hasResult, hasError bool) map[string]any {
	m := map[string]any{"input": toJSONata(input), "context": toJSONata(v.context())}
	if hasResult {
		m["result"] = toJSONata(result)
	}
	if hasError {
		m["errorOutput"] = toJSONata(errorOutput)
	}
	return m
}

// toJSONata converts engine values for the evaluator (ordered objects).
func toJSONata(v any) any {
	switch x := v.(type) {
	case *asl.Object:
		o := jsonata.NewObject(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			o.Set(k, toJSONata(e))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toJSONata(e)
		}
		return out
	}
	return v
}

// jeval evaluates a JSONata-mode template.
func (v *env) jeval(ctx context.Context, t *asl.JTemplate, states map[string]any, field string) (any, *failure) {
	if !t.Dynamic {
		return t.Literal, nil
	}
	if t.Expr != nil {
		if t.Field != "" {
			field = t.Field
		}
		if v.jvars == nil {
			vars := v.sc.all()
			v.jvars = make(map[string]any, len(vars)+1)
			for k, val := range vars {
				v.jvars[k] = toJSONata(val)
			}
		}
		b := make(map[string]any, len(v.jvars)+1)
		for k, val := range v.jvars {
			b[k] = val
		}
		b["states"] = states
		out, err := t.Expr.Eval(ctx, nil, &jsonata.EvalOptions{
			Bindings:       b,
			Functions:      v.x.e.jsonataFuncs(),
			Now:            v.x.e.clk.Now,
			TimeLimit:      10 * time.Second,
			OrderedObjects: true,
		})
		if err != nil {
			return nil, v.evalFailed(field, v.prefix()+fmt.Sprintf(" The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %v", t.Expr.String(), field, jerrText(err)))
		}
		if jsonata.IsUndefined(out) {
			return nil, v.evalFailed(field, v.prefix()+fmt.Sprintf(" The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", t.Expr.String(), field))
		}
		return fromJSONata(out), nil
	}
	if t.IsArray {
		out := make([]any, 0, len(t.Vals))
		for _, e := range t.Vals {
			val, f := v.jeval(ctx, e, states, field)
			if f != nil {
				return nil, f
			}
			out = append(out, val)
		}
		return out, nil
	}
	out := asl.NewObject(len(t.Keys))
	for i, k := range t.Keys {
		val, f := v.jeval(ctx, t.Vals[i], states, field)
		if f != nil {
			return nil, f
		}
		out.Set(k, val)
	}
	return out, nil
}

// evalFailed records EvaluationFailed for a JSONata failure and returns
// the States.QueryEvaluationError it raises.
func (v *env) evalFailed(location, cause string) *failure {
	if v.th != nil {
		v.x.emit(v.th, "EvaluationFailed", &EvaluationFailedEventDetails{Error: "States.QueryEvaluationError", Cause: cause, Location: location, State: v.st.Name})
	}
	return &failure{name: "States.QueryEvaluationError", cause: cause}
}

func jerrText(err error) string {
	var je *jsonata.Error
	if errors.As(err, &je) {
		return je.Code + ": " + je.Message
	}
	return err.Error()
}

// fromJSONata normalises a JSONata result to engine values (integral
// numbers as int64).
func fromJSONata(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) && x < 1e18 && x > -1e18 {
			return int64(x)
		}
		return x
	case *jsonata.Object:
		o := asl.NewObject(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			o.Set(k, fromJSONata(e))
		}
		return o
	case map[string]any:
		return fromJSONata(asl.FromPlain(x))
	case *asl.Object:
		o := asl.NewObject(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			o.Set(k, fromJSONata(e))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromJSONata(e)
		}
		return out
	case *jsonata.FunctionValue:
		return ""
	}
	return v
}

// Limits on payloads and variables.
const (
	maxPayload  = 256 * 1024
	maxVarSize  = 256 * 1024
	maxAssigned = 256 * 1024
)

// assign evaluates a state's Assign (JSONPath: $ = src; JSONata: states)
// and applies it to the scope. It returns the assignedVariables for history.
func (v *env) assign(ctx context.Context, t *asl.Template, jt *asl.JTemplate, src any, states map[string]any) (map[string]string, *failure) {
	var vals any
	var f *failure
	switch {
	case t != nil:
		vals, f = v.template(t, src, "Assign")
	case jt != nil:
		vals, f = v.jeval(ctx, jt, states, "Assign")
	default:
		return nil, nil
	}
	if f != nil {
		return nil, f
	}
	obj, _ := vals.(*asl.Object)
	if obj == nil {
		obj = asl.NewObject(0)
	}
	m := obj.Map()
	assigned := make(map[string]string, len(m))
	total := 0
	for k, val := range m {
		s := encode(val)
		if len(s) > maxVarSize {
			return nil, v.runtime("The variable '%s' has a size that exceeds the maximum number of bytes service limit.", k)
		}
		total += len(s)
		assigned[k] = s
	}
	if total > maxAssigned {
		return nil, v.runtime("The assigned variables have a total size that exceeds the maximum number of bytes service limit.")
	}
	v.x.mu.Lock()
	if v.sc.vars == nil {
		v.sc.vars = map[string]any{}
	}
	for k, val := range m {
		v.sc.vars[k] = val
	}
	v.x.mu.Unlock()
	return assigned, nil
}
