package engine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/sfn/asl"
	"tenkai/internal/sfn/engine"
)

// FuzzExecute runs arbitrary valid definitions on arbitrary input: the
// engine must finish (or be stopped) without panicking.
func FuzzExecute(f *testing.F) {
	seeds := []struct{ def, in string }{
		{`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a.$":"States.ArrayPartition($.x, 2)"},"End":true}}}`, `{"x":[1,2,3]}`},
		{`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.s","StringMatches":"a*","Next":"D"}],"Default":"D"},"D":{"Type":"Succeed"}}}`, `{"s":"abc"}`},
		{`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},"End":true}}}`, `{"xs":[1,{"a":2}]}`},
		{`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.a + 1 %}","End":true}}}`, `{"a":1}`},
		{`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultSelector":{"r.$":"$.Payload"},"ResultPath":"$.out.x","End":true}}}`, `{"out":1}`},
		{`{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"States.Format('{}', $.e)","CausePath":"$.c"}}}`, `{"e":[1],"c":2}`},
	}
	for _, s := range seeds {
		f.Add(s.def, s.in)
	}
	eng := engine.New(engine.Config{Clock: clock.Real{}, Tasks: echoTasks{}})
	f.Fuzz(func(t *testing.T, def, in string) {
		sm, err := asl.Parse([]byte(def))
		if err != nil || !json.Valid([]byte(in)) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		res := eng.RunSync(ctx, sm, info, json.RawMessage(in), nil)
		switch res.Status {
		case "SUCCEEDED":
			if !json.Valid(res.Output) {
				t.Fatalf("invalid output %q", res.Output)
			}
		case "FAILED", "ABORTED", "TIMED_OUT":
		default:
			t.Fatalf("status %q", res.Status)
		}
	})
}

type echoTasks struct{}

func (echoTasks) Run(ctx context.Context, c *engine.TaskCall) (json.RawMessage, error) {
	return json.RawMessage(`{"Payload":` + string(c.Input) + `}`), nil
}
