package engine_test

import (
	"strings"
	"testing"

	"tenkai/internal/sfn/engine"
)

// These shapes follow histories read off Step Functions: how previousEventId
// chains branch and iteration events, which failures leave *StateFailed
// events, and which events are left out of the chain.
func TestBranchHistoryChains(t *testing.T) {
	tests := []struct {
		name, def, input string
		types, links     string
	}{
		{"parallel fail state", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
			{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"MyError","Cause":"my cause"}}}],"End":true}}}`, `{"x":"a"}`,
			"ExecutionStarted,ParallelStateEntered,ParallelStateStarted,FailStateEntered,ParallelStateFailed,ExecutionFailed",
			"1<0 2<0 3<2 4<3 5<4 6<5"},
		{"runtime error in branch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
			{"StartAt":"Fast","States":{"Fast":{"Type":"Pass","Parameters":{"m.$":"$.nope"},"End":true}}}],"End":true}}}`, `{"x":"a"}`,
			"ExecutionStarted,ParallelStateEntered,ParallelStateStarted,PassStateEntered,ExecutionFailed",
			"1<0 2<0 3<2 4<3 5<4"},
		{"parallel succeeded is off the chain", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"Next":"After"},"After":{"Type":"Pass","End":true}}}`, `{}`,
			"ExecutionStarted,ParallelStateEntered,ParallelStateStarted,PassStateEntered,PassStateExited,ParallelStateSucceeded,ParallelStateExited,PassStateEntered,PassStateExited,ExecutionSucceeded",
			"1<0 2<0 3<2 4<3 5<4 6<5 7<5 8<7 9<8 10<9"},
		{"empty map", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
			"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`, `{"items":[]}`,
			"ExecutionStarted,MapStateEntered,MapStateStarted,MapStateSucceeded,MapStateExited,ExecutionSucceeded",
			"1<0 2<0 3<2 4<3 5<3 6<5"},
		{"map iteration jsonata failure", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.items %}","MaxConcurrency":1,
			"ItemProcessor":{"StartAt":"Undef","States":{"Undef":{"Type":"Pass","Output":{"v":"{% $states.input.missing %}"},"End":true}}},"End":true}}}`, `{"items":[1,2]}`,
			"ExecutionStarted,MapStateEntered,MapStateStarted,MapIterationStarted,PassStateEntered,EvaluationFailed,MapIterationFailed,MapStateFailed,ExecutionFailed",
			"1<0 2<0 3<2 4<3 5<4 6<5 7<6 8<6 9<8"},
		{"runtime error in iteration", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
			"ItemProcessor":{"StartAt":"Fast","States":{"Fast":{"Type":"Pass","Parameters":{"m.$":"$.nope"},"End":true}}},"End":true}}}`, `{"items":[1,2]}`,
			"ExecutionStarted,MapStateEntered,MapStateStarted,MapIterationStarted,PassStateEntered,ExecutionFailed",
			"1<0 2<0 3<2 4<3 5<4 6<5"},
		{"jsonata items failure", `{"QueryLanguage":"JSONata","StartAt":"Fan","States":{"Fan":{"Type":"Map","Items":"{% $states.input.missing %}",
			"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`, `{"x":"a"}`,
			"ExecutionStarted,MapStateEntered,EvaluationFailed,MapStateFailed,ExecutionFailed",
			"1<0 2<0 3<2 4<3 5<4"},
		{"task failure ends a branch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
			{"StartAt":"Send","States":{"Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"fail":"SQS.QueueDoesNotExistException"},"End":true}}}],
			"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handled"}],"End":true},"Handled":{"Type":"Pass","End":true}}}`, `{}`,
			"ExecutionStarted,ParallelStateEntered,ParallelStateStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskFailed,TaskStateAborted,ParallelStateFailed,ParallelStateExited,PassStateEntered,PassStateExited,ExecutionSucceeded",
			"1<0 2<0 3<2 4<3 5<4 6<5 7<6 8<7 9<7 10<9 11<10 12<11 13<12"},
		{"jsonata evaluation failure per attempt", `{"QueryLanguage":"JSONata","StartAt":"Send","States":{"Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
			"Arguments":{"MessageBody":"{% $states.input.missing %}"},"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":1,"IntervalSeconds":1,"JitterStrategy":"FULL"}],"End":true}}}`, `{"x":"a"}`,
			"ExecutionStarted,TaskStateEntered,EvaluationFailed,EvaluationFailed,ExecutionFailed",
			"1<0 2<0 3<2 4<3 5<4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
				if strings.Contains(string(c.Input), "fail") {
					return "", &engine.TaskError{Code: "SQS.QueueDoesNotExistException", Cause: "The specified queue does not exist."}
				}
				return `{}`, nil
			})
			s.eng = engine.New(engine.Config{Clock: s.clk, Tasks: s.tasks, Rand: func() float64 { return 0 }})
			_, rec := s.run(t, tc.def, tc.input)
			if got := rec.types(); got != tc.types {
				t.Fatalf("types =\n%s\nwant\n%s", got, tc.types)
			}
			if got := rec.links(); got != tc.links {
				t.Fatalf("links = %s; want %s", got, tc.links)
			}
		})
	}
}

func TestEvaluationFailedDetails(t *testing.T) {
	s := newSetup(nil)
	_, rec := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"Send","States":{"Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
		"Arguments":{"MessageBody":"{% $states.input.missing %}"},"End":true}}}`, `{"x":"a"}`)
	want := `{"error":"States.QueryEvaluationError","cause":"An error occurred while executing the state 'Send' (entered at the event id #2). The JSONata expression '$states.input.missing' specified for the field 'Arguments/MessageBody' returned nothing (undefined).","location":"Arguments/MessageBody","state":"Send"}`
	if got := rec.details(t, "EvaluationFailed"); got != want {
		t.Fatalf("details = %s\nwant %s", got, want)
	}
}

func TestDistributedMapHistory(t *testing.T) {
	s := newSetup(nil)
	res, rec := s.run(t, `{"StartAt":"D","States":{"D":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{
		"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"I1","States":{"I1":{"Type":"Pass","End":true}}},"End":true}}}`, `{"items":[1,2]}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `[1,2]` {
		t.Fatalf("result = %+v", res)
	}
	if got, want := rec.types(), "ExecutionStarted,MapStateEntered,MapStateStarted,MapRunStarted,MapRunSucceeded,MapStateSucceeded,MapStateExited,ExecutionSucceeded"; got != want {
		t.Fatalf("types = %s", got)
	}
	if got, want := rec.links(), "1<0 2<0 3<2 4<3 5<4 6<5 7<4 8<7"; got != want {
		t.Fatalf("links = %s; want %s", got, want)
	}
	if got := rec.details(t, "MapRunStarted"); !strings.HasPrefix(got, `{"mapRunArn":"arn:aws:states:us-east-1:123456789012:mapRun:sm/D:`) {
		t.Fatalf("map run = %s", got)
	}
}

func TestRetriedParallelStartsAgain(t *testing.T) {
	s := newSetup(nil)
	s.eng = engine.New(engine.Config{Clock: s.clk, Rand: func() float64 { return 0 }})
	_, rec := s.run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"MyError","Cause":"my cause"}}}],
		"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":1,"JitterStrategy":"FULL"}],"End":true}}}`, `{"x":"a"}`)
	if got, want := rec.types(), "ExecutionStarted,ParallelStateEntered,ParallelStateStarted,FailStateEntered,ParallelStateStarted,FailStateEntered,ParallelStateFailed,ExecutionFailed"; got != want {
		t.Fatalf("types = %s", got)
	}
	if got, want := rec.links(), "1<0 2<0 3<2 4<3 5<4 6<5 7<6 8<7"; got != want {
		t.Fatalf("links = %s; want %s", got, want)
	}
}
