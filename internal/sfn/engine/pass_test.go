package engine_test

import (
	"testing"
)

func TestPassChainHistory(t *testing.T) {
	s := newSetup(nil)
	res, rec := s.run(t, `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
		"B":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a.x, 41)","in.$":"$.in"},"End":true}}}`, `{"in":"hi"}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"sum":42,"in":"hi"}` {
		t.Fatalf("result = %+v", res)
	}
	if got, want := rec.types(), "ExecutionStarted,PassStateEntered,PassStateExited,PassStateEntered,PassStateExited,ExecutionSucceeded"; got != want {
		t.Fatalf("types = %s; want %s", got, want)
	}
	if got, want := rec.links(), "1<0 2<0 3<2 4<3 5<4 6<5"; got != want {
		t.Fatalf("links = %s; want %s", got, want)
	}
	if got, want := rec.details(t, "PassStateExited"), `{"name":"A","output":"{\"in\":\"hi\",\"a\":{\"x\":1}}","outputDetails":{"truncated":false}}`; got != want {
		t.Fatalf("exited = %s; want %s", got, want)
	}
	if got, want := rec.details(t, "ExecutionStarted"), `{"input":"{\"in\":\"hi\"}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/r"}`; got != want {
		t.Fatalf("started = %s; want %s", got, want)
	}
}
