package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"tenkai/internal/sfn/asl"
)

// TestStateOptions tune TestState.
type TestStateOptions struct {
	InspectionLevel string          // "INFO" (default), "DEBUG" or "TRACE"
	QueryLanguage   string          // the default when the state has none; "" means JSONPath
	Variables       json.RawMessage // variables visible to the state, as a JSON object
	// StateName picks the state to test when the definition is a whole state
	// machine; "" means the definition is one state (named "TestState").
	StateName string
	Info      ExecutionInfo   // context object values
	Mock      *TestMock       // a mocked result or error (Task, Map, Parallel only)
	Context   json.RawMessage // the context object to use; only with Mock
	Config    TestStateConfig // stateConfiguration
}

// TestMock is TestState's mock: Result, or an error when Error is set.
type TestMock struct {
	Result       json.RawMessage
	Error, Cause string
}

// TestStateConfig is TestState's stateConfiguration.
type TestStateConfig struct {
	RetrierRetryCount        int             // retries already made for the matching retrier
	ErrorCausedByState       string          // informational for mocked Map/Parallel errors
	MapIterationFailureCount int             // failed iterations to assume for a mocked Map
	MapItemReaderData        json.RawMessage // items as the ItemReader would read them
}

// InspectionErrorDetails is inspectionData.errorDetails.
type InspectionErrorDetails struct {
	CatchIndex                  *int `json:"catchIndex,omitempty"`
	RetryIndex                  *int `json:"retryIndex,omitempty"`
	RetryBackoffIntervalSeconds *int `json:"retryBackoffIntervalSeconds,omitempty"`
}

// ErrTestState reports a TestState request that AWS rejects with ValidationException.
var ErrTestState = errors.New("engine: invalid test state request")

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
	AfterItemsPath      string `json:"afterItemsPath,omitempty"`
	AfterItemSelector   string `json:"afterItemSelector,omitempty"`
	AfterItemBatcher    string `json:"afterItemBatcher,omitempty"`

	ErrorDetails               *InspectionErrorDetails `json:"errorDetails,omitempty"`
	ToleratedFailureCount      *int                    `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64                `json:"toleratedFailurePercentage,omitempty"`
	MaxConcurrency             *int                    `json:"maxConcurrency,omitempty"`
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
	opts      *TestStateOptions
	mockUsed  bool
}

// mock returns the mocked outcome of a Task, Map or Parallel attempt.
func (t *testMode) mock() (any, *failure, bool) {
	if t == nil || t.opts.Mock == nil {
		return nil, nil, false
	}
	m := t.opts.Mock
	t.mockUsed = true
	if m.Error != "" {
		return nil, &failure{name: m.Error, cause: m.Cause}, true
	}
	v, err := decodeInput(m.Result)
	if err != nil {
		return nil, &failure{name: "States.Runtime", cause: "The mocked result is not valid JSON"}, true
	}
	return v, nil, true
}

func (t *testMode) errorDetails() *InspectionErrorDetails {
	if t.insp.ErrorDetails == nil {
		t.insp.ErrorDetails = &InspectionErrorDetails{}
	}
	return t.insp.ErrorDetails
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
	var st *asl.State
	if name == "" {
		name = "TestState"
		var err error
		if st, err = asl.ParseState(name, state, opts.QueryLanguage); err != nil {
			return nil, err
		}
	} else {
		full, err := asl.Parse(state)
		if err != nil {
			return nil, err
		}
		if st = full.States[name]; st == nil {
			return nil, fmt.Errorf("%w: state %q is not in the state machine definition", ErrTestState, name)
		}
	}
	if opts.Mock != nil && st.Type != asl.TypeTask && st.Type != asl.TypeMap && st.Type != asl.TypeParallel {
		return nil, fmt.Errorf("%w: a mock can only be specified for Task, Map, or Parallel states", ErrTestState)
	}
	if k, _, _ := splitResource(st.Resource); st.Type == asl.TypeTask && k == kindActivity && opts.Mock == nil {
		return nil, fmt.Errorf("%w: activity tasks cannot be tested", ErrTestState)
	}
	if len(opts.Context) > 0 && opts.Mock == nil {
		return nil, fmt.Errorf("%w: context may only be specified together with a mock", ErrTestState)
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
	x.test = &testMode{opts: &opts}
	x.input = in
	if len(opts.Context) > 0 {
		c, err := asl.DecodeJSON(opts.Context)
		m, ok := c.(*asl.Object)
		if err != nil || !ok {
			return nil, fmt.Errorf("%w: context must be a JSON object", ErrTestState)
		}
		x.testCtx = m
	}
	if len(opts.Variables) > 0 {
		v, err := asl.DecodeJSON(opts.Variables)
		m, ok := v.(*asl.Object)
		if err != nil || !ok {
			return nil, fmt.Errorf("test state: variables must be a JSON object")
		}
		x.vars.vars = m.Map()
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
