package engine_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tenkai/internal/sfn/engine"
)

func TestTimeoutAndHeartbeatPaths(t *testing.T) {
	tests := []struct {
		name, state, input string
		advance            time.Duration
		wantErr            string
		wantSched          string
	}{
		{"TimeoutSecondsPath", `"TimeoutSecondsPath":"$.t"`, `{"t":7}`, 7 * time.Second, "States.Timeout", `"timeoutInSeconds":7`},
		{"HeartbeatSecondsPath", `"HeartbeatSecondsPath":"$.h"`, `{"h":3}`, 3 * time.Second, "States.HeartbeatTimeout", `"heartbeatInSeconds":3`},
		{"JSONata timeout", `"QueryLanguage":"JSONata","TimeoutSeconds":"{% $states.input.t * 2 %}"`, `{"t":4}`, 8 * time.Second, "States.Timeout", `"timeoutInSeconds":8`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{}`, nil })
			rec := newRecorder()
			s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"T","States":{"T":{"Type":"Task",
				"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",`+tc.state+`,"End":true}}}`), info, json.RawMessage(tc.input), rec)
			waitPending(t, s.clk, 1)
			s.clk.Advance(tc.advance)
			res := rec.wait(t)
			if res.Error != tc.wantErr {
				t.Fatalf("result = %+v; want %s", res, tc.wantErr)
			}
			if got := rec.details(t, "TaskScheduled"); !strings.Contains(got, tc.wantSched) {
				t.Fatalf("scheduled = %s; want %s", got, tc.wantSched)
			}
			if got := rec.details(t, "TaskTimedOut"); !strings.Contains(got, `"error":"`+tc.wantErr+`"`) {
				t.Fatalf("timed out = %s", got)
			}
		})
	}
	s := newSetup(nil)
	res, _ := s.run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","TimeoutSecondsPath":"$.t","End":true}}}`, `{"t":"x"}`)
	if res.Error != "States.Runtime" {
		t.Fatalf("bad TimeoutSecondsPath: %+v", res)
	}
}

func TestActivityFlow(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{"workerName":"w1"}`, nil })
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"A","States":{"A":{"Type":"Task",
		"Resource":"arn:aws:states:us-east-1:123456789012:activity:act","HeartbeatSeconds":10,"End":true}}}`), info, json.RawMessage(`{"x":1}`), rec)
	waitPending(t, s.clk, 1)
	if err := s.eng.SendTaskSuccess("tok1", json.RawMessage(`{"done":true}`)); err != nil {
		t.Fatal(err)
	}
	res := rec.wait(t)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"done":true}` {
		t.Fatalf("result = %+v", res)
	}
	if got := rec.types(); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("types = %s", got)
	}
	if got := rec.details(t, "ActivityStarted"); got != `{"workerName":"w1"}` {
		t.Fatalf("started = %s", got)
	}
	if got := rec.details(t, "ActivityScheduled"); got != `{"resource":"arn:aws:states:us-east-1:123456789012:activity:act","input":"{\"x\":1}","inputDetails":{"truncated":false},"heartbeatInSeconds":10}` {
		t.Fatalf("scheduled = %s", got)
	}
}

// syncTasks reports submission before finishing, as .sync integrations do.
type syncTasks struct{}

func (syncTasks) Run(ctx context.Context, c *engine.TaskCall) (json.RawMessage, error) {
	if c.Submitted != nil {
		c.Submitted(json.RawMessage(`{"ExecutionArn":"arn:child"}`))
	}
	return json.RawMessage(`{"Status":"SUCCEEDED"}`), nil
}

func TestSyncSubmitted(t *testing.T) {
	s := newSetup(nil)
	s.eng = engine.New(engine.Config{Clock: s.clk, Tasks: syncTasks{}})
	res, rec := s.run(t, `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"arn:sm"},"End":true}}}`, `{}`)
	if res.Status != "SUCCEEDED" {
		t.Fatalf("result = %+v", res)
	}
	if got := rec.types(); got != "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,TaskSucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("types = %s", got)
	}
	if got := rec.details(t, "TaskSubmitted"); got != `{"resourceType":"states","resource":"startExecution.sync:2","output":"{\"ExecutionArn\":\"arn:child\"}","outputDetails":{"truncated":false}}` {
		t.Fatalf("submitted = %s", got)
	}
}

func TestStopWhileWaitingForToken(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{}`, nil })
	rec := newRecorder()
	x := s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"T","States":{"T":{"Type":"Task",
		"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":100,"End":true}}}`), info, nil, rec)
	waitPending(t, s.clk, 1)
	x.Stop("", "")
	if res := x.Wait(); res.Status != "ABORTED" {
		t.Fatalf("result = %+v", res)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.eng.SendTaskSuccess("tok1", json.RawMessage(`{}`)) == nil {
		if time.Now().After(deadline) {
			t.Fatal("token still accepted after stop")
		}
		time.Sleep(time.Millisecond)
	}
	if got := rec.types(); got != "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,ExecutionAborted" {
		t.Fatalf("types = %s", got)
	}
	if r, done := x.Result(); !done || r.Status != "ABORTED" {
		t.Fatalf("Result() = %+v, %v", r, done)
	}
}

func TestMapLimitsFromPaths(t *testing.T) {
	s := newSetup(nil)
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrencyPath":"$.mc","ToleratedFailureCountPath":"$.tc","ToleratedFailurePercentagePath":"$.tp",
		"ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":1,"Next":"F"}],"Default":"OK"},
		"F":{"Type":"Fail","Error":"Big"},"OK":{"Type":"Succeed"}}},"End":true}}}`
	res, _ := s.run(t, def, `{"xs":[1,2,3],"mc":1,"tc":2,"tp":0}`)
	if res.Status != "SUCCEEDED" {
		t.Fatalf("tolerated: %+v", res)
	}
	res, _ = s.run(t, def, `{"xs":[1,2,3],"mc":1,"tc":1,"tp":0}`)
	if res.Error != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("exceeded: %+v", res)
	}
	res, _ = s.run(t, def, `{"xs":[1,2,3],"mc":"x","tc":1,"tp":0}`)
	if res.Error != "States.Runtime" {
		t.Fatalf("bad MaxConcurrencyPath: %+v", res)
	}
}

func TestJSONataWaitTimestamp(t *testing.T) {
	s := newSetup(nil)
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"{% $states.input.at %}","Output":"{% $states.input.at %}","End":true}}}`),
		info, json.RawMessage(`{"at":"2026-01-02T03:04:15Z"}`), rec)
	waitPending(t, s.clk, 1)
	s.clk.Advance(10 * time.Second)
	if res := rec.wait(t); res.Status != "SUCCEEDED" || string(res.Output) != `"2026-01-02T03:04:15Z"` {
		t.Fatalf("result = %+v", res)
	}
}
