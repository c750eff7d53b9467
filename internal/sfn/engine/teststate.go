package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"tenkai/internal/sfn/asl"
)

// TestStateOptions tune TestState.
type TestStateOptions struct {
	InspectionLevel string          // "INFO" (default), "DEBUG" or "TRACE"
	QueryLanguage   string          // the default when the state has none; "" means JSONPath
	Variables       json.RawMessage // variables visible to the state, as a JSON object
	StateName       string          // "" means "TestState"
	Info            ExecutionInfo   // context object values
}

// InspectionData is TestState's inspectionData (DEBUG and TRACE levels).
// Members hold JSON text, empty when the step did not apply.
type InspectionData struct {
	Input               string `json:"input,omitempty"`
	AfterArguments      string `json:"afterArguments,omitempty"`
	AfterInputPath      string `json:"afterInputPath,omitempty"`
	AfterParameters     string `json:"afterParameters,omitempty"`
	Result              string `json:"result,omitempty"`
	AfterResultSelector string `json:"afterResultSelector,omitempty"`
	AfterResultPath     string `json:"afterResultPath,omitempty"`
	Variables           string `json:"variables,omitempty"`
}

// TestStateResult is TestState's answer.
type TestStateResult struct {
	Output         json.RawMessage // nil on error
	Error, Cause   string
	NextState      string
	Status         string          // SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR
	InspectionData *InspectionData // only for DEBUG and TRACE
}

// testMode is the per-execution state of a TestState run.
type testMode struct {
	insp      InspectionData
	retriable bool
	caught    bool
}

func (x *Execution) note(dst func(*InspectionData) *string, v any) {
	if x.test != nil {
		*dst(&x.test.insp) = encode(v)
	}
}

// TestState runs one state definition with input, as the TestState API
// does: no retries are performed and Wait states do not wait. A definition
// that does not parse is returned as a *asl.Diagnostics error.
func (e *Engine) TestState(ctx context.Context, state []byte, input json.RawMessage, opts TestStateOptions) (*TestStateResult, error) {
	name := opts.StateName
	if name == "" {
		name = "TestState"
	}
	st, err := asl.ParseState(name, state, opts.QueryLanguage)
	if err != nil {
		return nil, err
	}
	in, err := decodeInput(input)
	if err != nil {
		return nil, fmt.Errorf("test state: invalid input: %w", err)
	}
	sm := &asl.StateMachine{Machine: asl.Machine{StartAt: name, States: map[string]*asl.State{name: st}, Order: []string{name}}, QueryLanguage: st.QueryLanguage}
	info := opts.Info
	if info.StartTime.IsZero() {
		info.StartTime = e.clk.Now()
	}
	x := e.newExecution(ctx, sm, info, nil)
	defer x.cancel()
	x.test = &testMode{}
	x.input = in
	if len(opts.Variables) > 0 {
		v, err := asl.DecodeJSON(opts.Variables)
		m, ok := v.(map[string]any)
		if err != nil || !ok {
			return nil, fmt.Errorf("test state: variables must be a JSON object")
		}
		x.vars.vars = m
	}
	x.note(func(d *InspectionData) *string { return &d.Input }, in)
	out, next, f := x.runState(x.ctx, st, in, x.top, x.vars, nil)
	res := &TestStateResult{}
	switch {
	case f != nil && x.test.retriable:
		res.Status, res.Error, res.Cause = "RETRIABLE", f.name, f.cause
	case f != nil:
		res.Status, res.Error, res.Cause = "FAILED", f.name, f.cause
	default:
		res.Status = "SUCCEEDED"
		if x.test.caught {
			res.Status = "CAUGHT_ERROR"
		}
		res.Output = encodeRaw(out)
		res.NextState = next
	}
	if opts.InspectionLevel == "DEBUG" || opts.InspectionLevel == "TRACE" {
		d := x.test.insp
		if len(x.vars.vars) > 0 {
			d.Variables = encode(x.vars.vars)
		}
		res.InspectionData = &d
	}
	return res, nil
}
