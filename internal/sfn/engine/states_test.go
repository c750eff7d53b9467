package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tenkai/internal/sfn/engine"
)

func TestChoiceOperators(t *testing.T) {
	tests := []struct {
		name  string
		rule  string
		input string
		want  bool
	}{
		{"StringEquals", `"Variable":"$.s","StringEquals":"abc"`, `{"s":"abc"}`, true},
		{"StringEquals type mismatch", `"Variable":"$.n","StringEquals":"1"`, `{"n":1}`, false},
		{"StringLessThan", `"Variable":"$.s","StringLessThan":"abd"`, `{"s":"abc"}`, true},
		{"StringGreaterThanEquals", `"Variable":"$.s","StringGreaterThanEquals":"abc"`, `{"s":"abc"}`, true},
		{"StringEqualsPath", `"Variable":"$.s","StringEqualsPath":"$.t"`, `{"s":"x","t":"x"}`, true},
		{"StringMatches star", `"Variable":"$.s","StringMatches":"log-*.txt"`, `{"s":"log-2024.txt"}`, true},
		{"StringMatches escaped star", `"Variable":"$.s","StringMatches":"a\\*b"`, `{"s":"a*b"}`, true},
		{"StringMatches escaped star literal only", `"Variable":"$.s","StringMatches":"a\\*b"`, `{"s":"axb"}`, false},
		{"StringMatches middle", `"Variable":"$.s","StringMatches":"*a*b*"`, `{"s":"xxaYYbZ"}`, true},
		{"StringMatches no", `"Variable":"$.s","StringMatches":"*.csv"`, `{"s":"a.txt"}`, false},
		{"NumericEquals int float", `"Variable":"$.n","NumericEquals":1`, `{"n":1.0}`, true},
		{"NumericLessThan", `"Variable":"$.n","NumericLessThan":10`, `{"n":9.5}`, true},
		{"NumericGreaterThan", `"Variable":"$.n","NumericGreaterThan":10`, `{"n":10}`, false},
		{"NumericLessThanEqualsPath", `"Variable":"$.n","NumericLessThanEqualsPath":"$.m"`, `{"n":3,"m":3}`, true},
		{"NumericGreaterThanEquals", `"Variable":"$.n","NumericGreaterThanEquals":3`, `{"n":3}`, true},
		{"Numeric on string", `"Variable":"$.n","NumericEquals":3`, `{"n":"3"}`, false},
		{"BooleanEquals", `"Variable":"$.b","BooleanEquals":false`, `{"b":false}`, true},
		{"BooleanEqualsPath", `"Variable":"$.b","BooleanEqualsPath":"$.c"`, `{"b":true,"c":true}`, true},
		{"TimestampEquals", `"Variable":"$.t","TimestampEquals":"2026-01-01T00:00:00Z"`, `{"t":"2026-01-01T01:00:00+01:00"}`, true},
		{"TimestampLessThan", `"Variable":"$.t","TimestampLessThan":"2026-01-01T00:00:00Z"`, `{"t":"2025-12-31T23:59:59Z"}`, true},
		{"TimestampGreaterThanPath", `"Variable":"$.t","TimestampGreaterThanPath":"$.u"`, `{"t":"2026-01-02T00:00:00Z","u":"2026-01-01T00:00:00Z"}`, true},
		{"Timestamp invalid", `"Variable":"$.t","TimestampEquals":"2026-01-01T00:00:00Z"`, `{"t":"yesterday"}`, false},
		{"IsPresent true", `"Variable":"$.a","IsPresent":true`, `{"a":null}`, true},
		{"IsPresent false", `"Variable":"$.zz","IsPresent":false`, `{}`, true},
		{"IsNull", `"Variable":"$.a","IsNull":true`, `{"a":null}`, true},
		{"IsNumeric", `"Variable":"$.a","IsNumeric":true`, `{"a":1.5}`, true},
		{"IsString", `"Variable":"$.a","IsString":false`, `{"a":1}`, true},
		{"IsBoolean", `"Variable":"$.a","IsBoolean":true`, `{"a":true}`, true},
		{"IsTimestamp", `"Variable":"$.a","IsTimestamp":true`, `{"a":"2026-01-01T00:00:00.123Z"}`, true},
		{"IsTimestamp lowercase", `"Variable":"$.a","IsTimestamp":true`, `{"a":"2026-01-01t00:00:00z"}`, false},
		{"And", `"And":[{"Variable":"$.a","NumericGreaterThan":1},{"Variable":"$.a","NumericLessThan":3}]`, `{"a":2}`, true},
		{"Or", `"Or":[{"Variable":"$.a","NumericEquals":1},{"Variable":"$.a","NumericEquals":2}]`, `{"a":2}`, true},
		{"Not", `"Not":{"Variable":"$.a","StringEquals":"x"}`, `{"a":"y"}`, true},
		{"context variable", `"Variable":"$$.Execution.Name","StringEquals":"ex1"`, `{}`, true},
	}
	s := newSetup(nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := fmt.Sprintf(`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{%s,"Next":"Yes"}],"Default":"No"},
				"Yes":{"Type":"Pass","Result":true,"End":true},"No":{"Type":"Pass","Result":false,"End":true}}}`, tc.rule)
			res, _ := s.run(t, def, tc.input)
			if got := string(res.Output); got != fmt.Sprint(tc.want) {
				t.Fatalf("Choice(%s, %s) = %s (%+v); want %v", tc.rule, tc.input, got, res, tc.want)
			}
		})
	}
}

func TestChoiceNoMatch(t *testing.T) {
	s := newSetup(nil)
	res, rec := s.run(t, `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":1,"Next":"D"}]},"D":{"Type":"Succeed"}}}`, `{"a":2}`)
	// AWS answers States.Runtime here, not States.NoChoiceMatched.
	want := "An error occurred while executing the state 'C' (entered at the event id #2). Failed to transition out of the state. The state does not point to a next state."
	if res.Status != "FAILED" || res.Error != "States.Runtime" || res.Cause != want {
		t.Fatalf("result = %+v", res)
	}
	if got, want := rec.types(), "ExecutionStarted,ChoiceStateEntered,ExecutionFailed"; got != want {
		t.Fatalf("types = %s; want %s", got, want)
	}
}

func TestChoiceMissingVariableIsRuntimeError(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.missing","NumericEquals":1,"Next":"D"}],"Default":"D"},"D":{"Type":"Succeed"}}}`, `{}`)
	if res.Error != "States.Runtime" || !strings.Contains(res.Cause, "Invalid path '$.missing'") {
		t.Fatalf("result = %+v", res)
	}
}

func TestWaitOnFakeClock(t *testing.T) {
	tests := []struct {
		name, wait, input string
		d                 time.Duration
	}{
		{"Seconds", `"Seconds":30`, `{}`, 30 * time.Second},
		{"SecondsPath", `"SecondsPath":"$.s"`, `{"s":5}`, 5 * time.Second},
		{"Timestamp", `"Timestamp":"2026-01-02T03:05:05Z"`, `{}`, time.Minute},
		{"TimestampPath", `"TimestampPath":"$.t"`, `{"t":"2026-01-02T04:04:05Z"}`, time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(nil)
			rec := newRecorder()
			s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"W","States":{"W":{"Type":"Wait",`+tc.wait+`,"End":true}}}`), info, json.RawMessage(tc.input), rec)
			waitPending(t, s.clk, 1)
			s.clk.Advance(tc.d - time.Millisecond)
			select {
			case <-rec.done:
				t.Fatal("finished before the wait elapsed")
			case <-time.After(20 * time.Millisecond):
			}
			s.clk.Advance(time.Millisecond)
			res := rec.wait(t)
			if res.Status != "SUCCEEDED" {
				t.Fatalf("result = %+v", res)
			}
			if got, want := rec.types(), "ExecutionStarted,WaitStateEntered,WaitStateExited,ExecutionSucceeded"; got != want {
				t.Fatalf("types = %s", got)
			}
			if got := rec.event(t, "WaitStateExited").Timestamp; !got.Equal(t0.Add(tc.d)) {
				t.Fatalf("exited at %v; want %v", got, t0.Add(tc.d))
			}
		})
	}
}

func TestRetryThenCatch(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
		return "", &engine.TaskError{Code: "Custom.Boom", Cause: fmt.Sprintf("attempt %d", n)}
	})
	rec := newRecorder()
	def := `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"n.$":"$$.State.RetryCount"},
			"Retry":[{"ErrorEquals":["Custom.Boom"],"IntervalSeconds":2,"MaxAttempts":2,"BackoffRate":3}],
			"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"H"}],"Next":"H"},
		"H":{"Type":"Pass","End":true}}}`
	s.eng.Start(context.Background(), mustParse(t, def), info, json.RawMessage(`{"k":1}`), rec)
	waitPending(t, s.clk, 1)
	s.clk.Advance(2 * time.Second)
	waitPending(t, s.clk, 1)
	s.clk.Advance(6 * time.Second)
	res := rec.wait(t)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"k":1,"err":{"Error":"Custom.Boom","Cause":"attempt 3"}}` {
		t.Fatalf("result = %+v", res)
	}
	want := "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskFailed,TaskScheduled,TaskStarted,TaskFailed,TaskScheduled,TaskStarted,TaskFailed,TaskStateExited,PassStateEntered,PassStateExited,ExecutionSucceeded"
	if got := rec.types(); got != want {
		t.Fatalf("types = %s; want %s", got, want)
	}
	if got := string(s.tasks.call(2).Input); got != `{"n":2}` {
		t.Fatalf("third call input = %s; want RetryCount 2", got)
	}
	if got, want := rec.details(t, "TaskScheduled"), `{"resourceType":"lambda","resource":"invoke","region":"us-east-1","parameters":"{\"n\":0}"}`; got != want {
		t.Fatalf("scheduled = %s; want %s", got, want)
	}
	if got, want := rec.details(t, "TaskFailed"), `{"resourceType":"lambda","resource":"invoke","error":"Custom.Boom","cause":"attempt 1"}`; got != want {
		t.Fatalf("failed = %s; want %s", got, want)
	}
	if got, want := rec.links(), "1<0 2<0 3<2 4<3 5<4 6<5 7<6 8<7 9<8 10<9 11<10 12<11 13<12 14<13 15<14"; got != want {
		t.Fatalf("links = %s", got)
	}
}

func TestStatesALLDoesNotCatchRuntime(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.nope",
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`, `{}`)
	if res.Status != "FAILED" || res.Error != "States.Runtime" {
		t.Fatalf("result = %+v", res)
	}
	if want := "An error occurred while executing the state 'T' (entered at the event id #2). Invalid path '$.nope' : No results for path: $['nope']"; res.Cause != want {
		t.Fatalf("cause = %q; want %q", res.Cause, want)
	}
}

func TestTaskTimeout(t *testing.T) {
	s := newSetup(nil)
	s.tasks.fn = func(c *engine.TaskCall, n int) (string, error) { return "", errors.New("unreachable") }
	block := make(chan struct{})
	s.tasks.fn = func(c *engine.TaskCall, n int) (string, error) { <-block; return "{}", nil }
	defer close(block)
	s2 := &blockingTasks{}
	s.eng = engine.New(engine.Config{Clock: s.clk, Tasks: s2})
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","TimeoutSeconds":10,"End":true}}}`), info, nil, rec)
	waitPending(t, s.clk, 1)
	s.clk.Advance(10 * time.Second)
	res := rec.wait(t)
	if res.Error != "States.Timeout" {
		t.Fatalf("result = %+v", res)
	}
	if got := rec.types(); got != "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskTimedOut,ExecutionFailed" {
		t.Fatalf("types = %s", got)
	}
	if got, want := rec.details(t, "TaskScheduled"), `{"resourceType":"sns","resource":"publish","region":"us-east-1","parameters":"{}","timeoutInSeconds":10}`; got != want {
		t.Fatalf("scheduled = %s", got)
	}
}

// blockingTasks blocks until ctx ends.
type blockingTasks struct{}

func (blockingTasks) Run(ctx context.Context, c *engine.TaskCall) (json.RawMessage, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestLegacyLambdaEvents(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{"ok":true}`, nil })
	res, rec := s.run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}}}`, `{"a":1}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"ok":true}` {
		t.Fatalf("result = %+v", res)
	}
	if got, want := rec.types(), "ExecutionStarted,TaskStateEntered,LambdaFunctionScheduled,LambdaFunctionStarted,LambdaFunctionSucceeded,TaskStateExited,ExecutionSucceeded"; got != want {
		t.Fatalf("types = %s", got)
	}
	if got, want := rec.details(t, "LambdaFunctionScheduled"), `{"resource":"arn:aws:lambda:us-east-1:123456789012:function:f","input":"{\"a\":1}","inputDetails":{"truncated":false}}`; got != want {
		t.Fatalf("scheduled = %s", got)
	}
}

func TestFailState(t *testing.T) {
	tests := []struct{ name, state, input, err, cause string }{
		{"static", `"Error":"E1","Cause":"c1"`, `{}`, "E1", "c1"},
		{"paths", `"ErrorPath":"$.e","CausePath":"$.c"`, `{"e":"E2","c":"c2"}`, "E2", "c2"},
		{"intrinsic", `"Error":"E3","CausePath":"States.Format('bad {}', $.n)"`, `{"n":7}`, "E3", "bad 7"},
		{"jsonata", `"QueryLanguage":"JSONata","Error":"{% 'E' & $states.input.n %}","Cause":"static"`, `{"n":4}`, "E4", "static"},
	}
	s := newSetup(nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, rec := s.run(t, `{"StartAt":"F","States":{"F":{"Type":"Fail",`+tc.state+`}}}`, tc.input)
			if res.Status != "FAILED" || res.Error != tc.err || res.Cause != tc.cause {
				t.Fatalf("result = %+v; want %s/%s", res, tc.err, tc.cause)
			}
			if got := rec.types(); got != "ExecutionStarted,FailStateEntered,ExecutionFailed" {
				t.Fatalf("types = %s", got)
			}
		})
	}
}

func TestResultPathAndOutputPath(t *testing.T) {
	tests := []struct{ name, state, input, want string }{
		{"ResultPath null keeps input", `"Result":{"x":1},"ResultPath":null`, `{"a":1}`, `{"a":1}`},
		{"nested ResultPath creates objects", `"Result":5,"ResultPath":"$.b.c.d"`, `{"a":1}`, `{"a":1,"b":{"c":{"d":5}}}`},
		{"ResultPath replaces", `"Result":5,"ResultPath":"$.a"`, `{"a":1}`, `{"a":5}`},
		{"InputPath null", `"InputPath":null`, `{"a":1}`, `{}`},
		{"OutputPath", `"OutputPath":"$.a.b"`, `{"a":{"b":[1,2]}}`, `[1,2]`},
		{"OutputPath null", `"OutputPath":null`, `{"a":1}`, `{}`},
		{"Parameters with context", `"Parameters":{"name.$":"$$.State.Name","exec.$":"$$.Execution.Id","lit":[1,{"k.$":"$.a"}]}`, `{"a":1}`,
			`{"name":"P","exec":"arn:aws:states:us-east-1:123456789012:execution:sm:ex1","lit":[1,{"k":1}]}`},
		{"wildcard path", `"Parameters":{"ids.$":"$.items[*].id"}`, `{"items":[{"id":1},{"id":2}]}`, `{"ids":[1,2]}`},
		{"filter path", `"Parameters":{"big.$":"$.items[?(@.n > 1)].n"}`, `{"items":[{"n":1},{"n":2},{"n":3}]}`, `{"big":[2,3]}`},
	}
	s := newSetup(nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := s.run(t, `{"StartAt":"P","States":{"P":{"Type":"Pass",`+tc.state+`,"End":true}}}`, tc.input)
			if string(res.Output) != tc.want {
				t.Fatalf("output = %s (%+v); want %s", res.Output, res, tc.want)
			}
		})
	}
}

func TestParameterPathFailure(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"$.nope"},"End":true}}}`, `{"a":1}`)
	if res.Error != "States.Runtime" || !strings.HasSuffix(res.Cause, `The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{"a":1}'`) {
		t.Fatalf("result = %+v", res)
	}
}

func TestCredentialsEvaluated(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{}`, nil })
	_, rec := s.run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Credentials":{"RoleArn.$":"$.role"},"End":true}}}`, `{"role":"arn:aws:iam::1:role/x"}`)
	if got := string(s.tasks.call(0).Credentials); got != `{"RoleArn":"arn:aws:iam::1:role/x"}` {
		t.Fatalf("credentials = %s", got)
	}
	if got := rec.details(t, "TaskScheduled"); !strings.Contains(got, `"taskCredentials":{"roleArn":"arn:aws:iam::1:role/x"}`) {
		t.Fatalf("scheduled = %s", got)
	}
}

func TestInvalidInputFails(t *testing.T) {
	s := newSetup(nil)
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`), info, json.RawMessage(`{bad`), rec)
	if res := rec.wait(t); res.Status != "FAILED" || res.Error != "States.Runtime" {
		t.Fatalf("result = %+v", res)
	}
}

func TestStatePathsAcrossTypes(t *testing.T) {
	tests := []struct{ name, def, input, want string }{
		{"choice input path", `{"StartAt":"Pick","States":{"Pick":{"Type":"Choice","InputPath":"$.scoped","Choices":[{"Variable":"$.route","StringEquals":"yes","Next":"Done"}],"Default":"Wrong"},
			"Done":{"Type":"Pass","End":true},"Wrong":{"Type":"Fail","Error":"WrongBranch"}}}`, `{"scoped":{"route":"yes","value":1},"route":"no"}`, `{"route":"yes","value":1}`},
		{"wait input path feeds seconds path", `{"StartAt":"W","States":{"W":{"Type":"Wait","InputPath":"$.scoped","SecondsPath":"$.delay","End":true}}}`,
			`{"scoped":{"delay":0,"value":1},"outside":9}`, `{"delay":0,"value":1}`},
		{"succeed input then output path", `{"StartAt":"D","States":{"D":{"Type":"Succeed","InputPath":"$.scoped","OutputPath":"$.visible"}}}`,
			`{"visible":{"source":"wrong"},"scoped":{"visible":{"source":"right"}}}`, `{"source":"right"}`},
		{"map items from context", `{"StartAt":"Each","States":{"Each":{"Type":"Map","InputPath":"$.scoped","ItemsPath":"$$.Execution.Input.ids","MaxConcurrency":1,
			"ItemSelector":{"id.$":"$$.Map.Item.Value"},"Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			`{"ids":[1,2],"scoped":{"ignored":true}}`, `[{"id":1},{"id":2}]`},
		{"parallel result path merges into raw input", `{"StartAt":"P","States":{"P":{"Type":"Parallel","InputPath":"$.scoped","ResultPath":"$.branches",
			"Branches":[{"StartAt":"C","States":{"C":{"Type":"Pass","End":true}}}],"End":true}}}`,
			`{"scoped":{"value":"right"},"outside":9}`, `{"scoped":{"value":"right"},"outside":9,"branches":[{"value":"right"}]}`},
		{"map iterator output path null", `{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.ids","MaxConcurrency":1,
			"Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":null,"End":true}}},"End":true}}}`, `{"ids":[1,2]}`, `[{},{}]`},
	}
	s := newSetup(nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := s.run(t, tc.def, tc.input)
			if res.Status != "SUCCEEDED" || string(res.Output) != tc.want {
				t.Fatalf("result = %+v; want %s", res, tc.want)
			}
		})
	}
}

func TestResultPathMatchFailure(t *testing.T) {
	s := newSetup(nil)
	tests := []struct{ name, def, input, status, want string }{
		{"string input", `{"StartAt":"P","States":{"P":{"Type":"Pass","ResultPath":"$.x","End":true}}}`, `"just-a-string"`, "FAILED", "States.ResultPathMatchFailure"},
		{"caught by parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],
			"ResultPath":"$.x","Catch":[{"ErrorEquals":["States.ResultPathMatchFailure"],"Next":"R"}],"End":true},"R":{"Type":"Pass","OutputPath":"$.Error","End":true}}}`,
			`"just-a-string"`, "SUCCEEDED", `"States.ResultPathMatchFailure"`},
		{"array index merges", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"s":1},"ResultPath":"$[1].payload","End":true}}}`,
			`[{"a":1},{"id":7},4]`, "SUCCEEDED", `[{"a":1},{"id":7,"payload":{"s":1}},4]`},
		{"array index out of range", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"s":1},"ResultPath":"$[10].payload","End":true}}}`,
			`[{"a":1}]`, "FAILED", "States.ResultPathMatchFailure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := s.run(t, tc.def, tc.input)
			got := res.Error
			if res.Status == "SUCCEEDED" {
				got = string(res.Output)
			}
			if res.Status != tc.status || got != tc.want {
				t.Fatalf("result = %+v; want %s %s", res, tc.status, tc.want)
			}
		})
	}
}
