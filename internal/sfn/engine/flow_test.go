package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"tenkai/internal/sfn/engine"
)

func TestParallel(t *testing.T) {
	s := newSetup(nil)
	res, rec := s.run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"ResultSelector":{"a.$":"$[0]","b.$":"$[1]"},
		"Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},
			{"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"v.$":"$.in"},"End":true}}}]}}}`, `{"in":"x"}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"a":1,"b":{"v":"x"}}` {
		t.Fatalf("result = %+v", res)
	}
	types := rec.types()
	if !strings.HasPrefix(types, "ExecutionStarted,ParallelStateEntered,ParallelStateStarted,") ||
		!strings.HasSuffix(types, ",ParallelStateSucceeded,ParallelStateExited,ExecutionSucceeded") {
		t.Fatalf("types = %s", types)
	}
	started := rec.event(t, "ParallelStateStarted").ID
	n := 0
	for _, e := range rec.events {
		if e.Type == "PassStateEntered" {
			n++
			if e.PreviousEventID != started {
				t.Fatalf("branch start previous = %d; want %d", e.PreviousEventID, started)
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d branch starts", n)
	}
}

func TestParallelBranchFailureStopsOthers(t *testing.T) {
	s := newSetup(nil)
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
		"Catch":[{"ErrorEquals":["Boom"],"Next":"C"}],
		"Branches":[
			{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1000,"End":true}}},
			{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"bad"}}}]},
		"C":{"Type":"Pass","End":true}}}`), info, json.RawMessage(`{}`), rec)
	res := rec.wait(t)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"Error":"Boom","Cause":"bad"}` {
		t.Fatalf("result = %+v", res)
	}
	if !strings.Contains(rec.types(), "ParallelStateFailed,ParallelStateExited,PassStateEntered") {
		t.Fatalf("types = %s", rec.types())
	}
}

func TestMap(t *testing.T) {
	s := newSetup(nil)
	res, rec := s.run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
		"ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","k.$":"$.k"},
		"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},"ResultPath":"$.out","End":true}}}`,
		`{"items":["a","b"],"k":9}`)
	want := `{"items":["a","b"],"k":9,"out":[{"i":0,"v":"a","k":9},{"i":1,"v":"b","k":9}]}`
	if res.Status != "SUCCEEDED" || string(res.Output) != want {
		t.Fatalf("result = %+v; want %s", res, want)
	}
	wantTypes := "ExecutionStarted,MapStateEntered,MapStateStarted,MapIterationStarted,PassStateEntered,PassStateExited,MapIterationSucceeded," +
		"MapIterationStarted,PassStateEntered,PassStateExited,MapIterationSucceeded,MapStateSucceeded,MapStateExited,ExecutionSucceeded"
	if got := rec.types(); got != wantTypes {
		t.Fatalf("types = %s", got)
	}
	if got, want := rec.details(t, "MapStateStarted"), `{"length":2}`; got != want {
		t.Fatalf("started = %s", got)
	}
	if got, want := rec.details(t, "MapIterationStarted"), `{"name":"M","index":0}`; got != want {
		t.Fatalf("iteration = %s", got)
	}
}

func TestMapFailureAndTolerance(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map",%s"ItemProcessor":{"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"F"}],"Default":"OK"},
		"F":{"Type":"Fail","Error":"TooBig"},"OK":{"Type":"Succeed"}}},"End":true}}}`
	s := newSetup(nil)
	res, _ := s.run(t, strings.Replace(def, "%s", "", 1), `[1,2,3]`)
	if res.Status != "FAILED" || res.Error != "TooBig" {
		t.Fatalf("result = %+v", res)
	}
	res, _ = s.run(t, strings.Replace(def, "%s", `"ToleratedFailureCount":1,`, 1), `[1,2,3]`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `[1,2,{"Error":"TooBig","Cause":""}]` {
		t.Fatalf("tolerated result = %+v", res)
	}
	res, _ = s.run(t, strings.Replace(def, "%s", `"ToleratedFailurePercentage":10,`, 1), `[1,2,3]`)
	if res.Error != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("over threshold result = %+v", res)
	}
}

func TestDistributedMapItemReader(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
		if c.Resource == "arn:aws:states:::s3:getObject" {
			if string(c.Input) != `{"Parameters":{"Bucket":"b","Key":"k.json"},"ReaderConfig":{"InputType":"JSON"}}` {
				return "", errors.New("bad reader input " + string(c.Input))
			}
			return `[{"n":1},{"n":2}]`, nil
		}
		return string(c.Input), nil
	})
	res, _ := s.run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"b","Key.$":"$.key"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"A","States":{"A":{"Type":"Pass","OutputPath":"$.n","End":true}}}}}}`,
		`{"key":"k.json"}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `[1,2]` {
		t.Fatalf("result = %+v", res)
	}
}

func TestWaitForTaskToken(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{"StatusCode":202}`, nil })
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"T","States":{"T":{"Type":"Task",
		"Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","HeartbeatSeconds":60,
		"Parameters":{"FunctionName":"f","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}`), info, json.RawMessage(`{}`), rec)
	waitPending(t, s.clk, 1) // heartbeat timer armed: the task is waiting
	if got := string(s.tasks.call(0).Input); got != `{"FunctionName":"f","Payload":{"token":"tok1"}}` {
		t.Fatalf("dispatch input = %s", got)
	}
	if s.tasks.call(0).TaskToken != "tok1" {
		t.Fatalf("token = %q", s.tasks.call(0).TaskToken)
	}
	if err := s.eng.SendTaskHeartbeat("tok1"); err != nil {
		t.Fatal(err)
	}
	if err := s.eng.SendTaskSuccess("nope", json.RawMessage(`{}`)); !errors.Is(err, engine.ErrTaskDoesNotExist) {
		t.Fatalf("unknown token err = %v", err)
	}
	if err := s.eng.SendTaskSuccess("tok1", json.RawMessage(`{oops`)); !errors.Is(err, engine.ErrInvalidOutput) {
		t.Fatalf("bad output err = %v", err)
	}
	if err := s.eng.SendTaskSuccess("tok1", json.RawMessage(`{"done":1}`)); err != nil {
		t.Fatal(err)
	}
	res := rec.wait(t)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"done":1}` {
		t.Fatalf("result = %+v", res)
	}
	if got := rec.types(); got != "ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSubmitted,TaskSucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("types = %s", got)
	}
	if got, want := rec.details(t, "TaskSubmitted"), `{"resourceType":"lambda","resource":"invoke.waitForTaskToken","output":"{\"StatusCode\":202}","outputDetails":{"truncated":false}}`; got != want {
		t.Fatalf("submitted = %s", got)
	}
	if err := s.eng.SendTaskSuccess("tok1", json.RawMessage(`{}`)); !errors.Is(err, engine.ErrTaskDoesNotExist) {
		t.Fatalf("second success err = %v", err)
	}
}

func TestHeartbeatTimeout(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{}`, nil })
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"T","States":{"T":{"Type":"Task",
		"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":5,"End":true}}}`), info, nil, rec)
	waitPending(t, s.clk, 1)
	s.clk.Advance(5 * time.Second)
	res := rec.wait(t)
	if res.Error != "States.HeartbeatTimeout" {
		t.Fatalf("result = %+v", res)
	}
	if err := s.eng.SendTaskSuccess("tok1", json.RawMessage(`{}`)); !errors.Is(err, engine.ErrTaskTimedOut) {
		t.Fatalf("late success err = %v; want ErrTaskTimedOut", err)
	}
}

func TestSendTaskFailureCaught(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{}`, nil })
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"T","States":{"T":{"Type":"Task",
		"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Catch":[{"ErrorEquals":["Nope"],"Next":"D"}],"End":true},"D":{"Type":"Succeed"}}}`), info, nil, rec)
	deadline := time.Now().Add(5 * time.Second)
	for s.eng.SendTaskFailure("tok1", "Nope", "why") != nil {
		if time.Now().After(deadline) {
			t.Fatal("token never registered")
		}
		time.Sleep(time.Millisecond)
	}
	res := rec.wait(t)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"Error":"Nope","Cause":"why"}` {
		t.Fatalf("result = %+v", res)
	}
}

func TestStopAborts(t *testing.T) {
	s := newSetup(nil)
	rec := newRecorder()
	x := s.eng.Start(context.Background(), mustParse(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`), info, nil, rec)
	waitPending(t, s.clk, 1)
	x.Stop("MyErr", "stopped by user")
	res := rec.wait(t)
	if res.Status != "ABORTED" {
		t.Fatalf("result = %+v", res)
	}
	if got := rec.types(); got != "ExecutionStarted,WaitStateEntered,ExecutionAborted" {
		t.Fatalf("types = %s", got)
	}
	if got := rec.details(t, "ExecutionAborted"); got != `{"error":"MyErr","cause":"stopped by user"}` {
		t.Fatalf("aborted = %s", got)
	}
	<-x.Done()
}

func TestExecutionTimeout(t *testing.T) {
	s := newSetup(nil)
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`), info, nil, rec)
	waitPending(t, s.clk, 2)
	s.clk.Advance(10 * time.Second)
	res := rec.wait(t)
	if res.Status != "TIMED_OUT" {
		t.Fatalf("result = %+v", res)
	}
	if got := rec.types(); got != "ExecutionStarted,WaitStateEntered,ExecutionTimedOut" {
		t.Fatalf("types = %s", got)
	}
}

func TestCheckpointResume(t *testing.T) {
	s := newSetup(nil)
	def := mustParse(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Result":{"n":1},"Next":"W"},
		"W":{"Type":"Wait","Seconds":100,"Next":"B"},"B":{"Type":"Pass","Parameters":{"x.$":"$x","n.$":"$.n"},"End":true}}}`)
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	x := s.eng.Start(ctx, def, info, json.RawMessage(`{}`), rec)
	waitPending(t, s.clk, 1)
	cancel() // shutdown: no final event
	<-x.Done()
	rec.mu.Lock()
	snap := rec.snaps[len(rec.snaps)-1]
	n := len(rec.events)
	rec.mu.Unlock()
	rec2 := newRecorder()
	if _, err := s.eng.Resume(context.Background(), def, info, snap, rec2); err != nil {
		t.Fatal(err)
	}
	waitPending(t, s.clk, 1)
	s.clk.Advance(100 * time.Second)
	res := rec2.wait(t)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"x":1,"n":1}` {
		t.Fatalf("result = %+v", res)
	}
	first := rec2.events[0]
	if first.Type != "WaitStateEntered" || first.ID != int64(n) {
		t.Fatalf("first resumed event = %s #%d; want WaitStateEntered #%d", first.Type, first.ID, n)
	}
	if _, err := s.eng.Resume(context.Background(), def, info, []byte("junk"), rec2); !errors.Is(err, engine.ErrBadSnapshot) {
		t.Fatalf("junk snapshot err = %v", err)
	}
}

func TestRunSync(t *testing.T) {
	s := newSetup(nil)
	res := s.eng.RunSync(context.Background(), mustParse(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"x","End":true}}}`), info, nil, nil)
	if res.Status != "SUCCEEDED" || string(res.Output) != `"x"` {
		t.Fatalf("result = %+v", res)
	}
}

func TestDataLimitExceeded(t *testing.T) {
	big := strings.Repeat("x", 300*1024)
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `"` + big + `"`, nil })
	res, _ := s.run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"}],"End":true},"D":{"Type":"Succeed"}}}`, `{}`)
	if res.Status != "FAILED" || res.Error != "States.DataLimitExceeded" {
		t.Fatalf("result = %+v", res)
	}
}

func TestRedrive(t *testing.T) {
	calls := 0
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
		calls++
		if calls == 1 {
			return "", &engine.TaskError{Code: "Flaky", Cause: "first"}
		}
		return `{"ok":1}`, nil
	})
	def := mustParse(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"T"},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`)
	res, rec := s.run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"T"},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`, `{}`)
	if res.Status != "FAILED" {
		t.Fatalf("first run = %+v", res)
	}
	last := rec.snaps[len(rec.snaps)-1]
	rec2 := newRecorder()
	ri := info
	ri.RedriveCount = 1
	if _, err := s.eng.Redrive(context.Background(), def, ri, last, int64(len(rec.events)), rec2); err != nil {
		t.Fatal(err)
	}
	res = rec2.wait(t)
	if res.Status != "SUCCEEDED" {
		t.Fatalf("redrive = %+v", res)
	}
	if got := rec2.types(); !strings.HasPrefix(got, "ExecutionRedriven,TaskStateEntered") {
		t.Fatalf("types = %s", got)
	}
	if got := rec2.details(t, "ExecutionRedriven"); got != `{"redriveCount":1}` {
		t.Fatalf("redriven = %s", got)
	}
	if first := rec2.events[0]; first.ID != int64(len(rec.events)+1) || first.PreviousEventID != int64(len(rec.events)) {
		t.Fatalf("redriven event %d<%d after %d events", first.ID, first.PreviousEventID, len(rec.events))
	}
}

func TestMapItemBatcher(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"MaxConcurrency":1,
		"ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"k.$":"$.k"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
		"ItemsPath":"$.xs"}}}`, `{"xs":[1,2,3],"k":"v"}`)
	want := `[{"BatchInput":{"k":"v"},"Items":[1,2]},{"BatchInput":{"k":"v"},"Items":[3]}]`
	if res.Status != "SUCCEEDED" || string(res.Output) != want {
		t.Fatalf("result = %+v; want %s", res, want)
	}
}
