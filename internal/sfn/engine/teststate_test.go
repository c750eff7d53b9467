package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"tenkai/internal/sfn/engine"
)

func TestTestStateMocksAndConfig(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
		t.Fatal("the mocked task must not run")
		return "", nil
	})
	ctx := context.Background()
	task := []byte(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultSelector":{"v.$":"$.Payload"},
		"Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":2}],
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handler"}],"Next":"Done"}`)

	res, err := s.eng.TestState(ctx, task, json.RawMessage(`{}`), engine.TestStateOptions{Mock: &engine.TestMock{Result: json.RawMessage(`{"Payload":5}`)}})
	if err != nil || res.Status != "SUCCEEDED" || string(res.Output) != `{"v":5}` || res.NextState != "Done" {
		t.Fatalf("mocked result = %+v, %v", res, err)
	}

	res, _ = s.eng.TestState(ctx, task, nil, engine.TestStateOptions{InspectionLevel: "DEBUG",
		Mock: &engine.TestMock{Error: "Boom", Cause: "c"}, Config: engine.TestStateConfig{RetrierRetryCount: 1}})
	if res.Status != "RETRIABLE" || res.InspectionData.ErrorDetails == nil || *res.InspectionData.ErrorDetails.RetryIndex != 0 ||
		*res.InspectionData.ErrorDetails.RetryBackoffIntervalSeconds != 6 {
		t.Fatalf("retriable = %+v %+v", res, res.InspectionData.ErrorDetails)
	}

	res, _ = s.eng.TestState(ctx, task, nil, engine.TestStateOptions{InspectionLevel: "DEBUG",
		Mock: &engine.TestMock{Error: "Boom", Cause: "c"}, Config: engine.TestStateConfig{RetrierRetryCount: 2}})
	if res.Status != "CAUGHT_ERROR" || res.NextState != "Handler" || *res.InspectionData.ErrorDetails.CatchIndex != 0 {
		t.Fatalf("exhausted retries = %+v", res)
	}

	if _, err := s.eng.TestState(ctx, []byte(`{"Type":"Pass","End":true}`), nil, engine.TestStateOptions{Mock: &engine.TestMock{Result: json.RawMessage(`1`)}}); !errors.Is(err, engine.ErrTestState) {
		t.Fatalf("mock on Pass err = %v", err)
	}
	if _, err := s.eng.TestState(ctx, []byte(`{"Type":"Task","Resource":"arn:aws:states:us-east-1:1:activity:a","End":true}`), nil, engine.TestStateOptions{}); !errors.Is(err, engine.ErrTestState) {
		t.Fatalf("activity err = %v", err)
	}
	if _, err := s.eng.TestState(ctx, task, nil, engine.TestStateOptions{Context: json.RawMessage(`{}`)}); !errors.Is(err, engine.ErrTestState) {
		t.Fatalf("context without mock err = %v", err)
	}

	res, _ = s.eng.TestState(ctx, []byte(`{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id"},"End":true}`), nil, engine.TestStateOptions{})
	if res.Status != "SUCCEEDED" {
		t.Fatalf("context default = %+v", res)
	}
	res, _ = s.eng.TestState(ctx, []byte(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$$.Execution.Id"},"End":true}`), nil,
		engine.TestStateOptions{Mock: &engine.TestMock{Result: json.RawMessage(`"r"`)}, Context: json.RawMessage(`{"Execution":{"Id":"given"}}`)})
	if res.Status != "SUCCEEDED" || string(res.Output) != `"r"` {
		t.Fatalf("context with mock = %+v", res)
	}
}

func TestTestStateInMachineAndMap(t *testing.T) {
	s := newSetup(nil)
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":3,"ToleratedFailureCount":1,"ItemSelector":{"x.$":"$$.Map.Item.Value"},
			"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`)
	res, err := s.eng.TestState(context.Background(), def, json.RawMessage(`{"xs":[1,2]}`), engine.TestStateOptions{StateName: "M", InspectionLevel: "DEBUG"})
	if err != nil {
		t.Fatal(err)
	}
	d := res.InspectionData
	if res.Status != "SUCCEEDED" || string(res.Output) != `[{"x":1},{"x":2}]` || d.AfterItemsPath != `[1,2]` ||
		d.AfterItemSelector != `[{"x":1},{"x":2}]` || *d.MaxConcurrency != 3 || *d.ToleratedFailureCount != 1 {
		t.Fatalf("map test = %+v %+v", res, d)
	}
	if _, err := s.eng.TestState(context.Background(), def, nil, engine.TestStateOptions{StateName: "Nope"}); !errors.Is(err, engine.ErrTestState) {
		t.Fatalf("unknown state err = %v", err)
	}
}
