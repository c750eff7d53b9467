package sfn

import (
	"context"
	"sort"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/store"
)

// FuzzOps sends arbitrary bodies to every operation: each answers a result
// or an error, never a panic.
func FuzzOps(f *testing.F) {
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	seeds := []string{
		`{}`, `{"name":"m","definition":` + quote(def) + `,"roleArn":"` + testRole + `"}`,
		`{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","input":"{}"}`,
		`{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:m:e","maxResults":1,"reverseOrder":true,"nextToken":"MQ"}`,
		`{"taskToken":"x","output":"{"}`, `{"definition":` + quote(def) + `,"input":"{\"a\":1}","inspectionLevel":"TRACE"}`,
		`{"routingConfiguration":[{"stateMachineVersionArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m:1","weight":100}],"name":"a"}`,
		`{"resourceArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","tags":[{"key":"k","value":"v"}]}`,
		`[1]`, `nope`, `{"maxResults":-1}`,
	}
	s := New(Config{Store: store.NewMem(), Clock: clock.NewFake(t0)})
	var ops []string
	for name := range s.ops {
		ops = append(ops, name)
	}
	sort.Strings(ops)
	for i, b := range seeds {
		f.Add(uint8(i), b)
	}
	// A machine and an execution for ARN-based operations to find.
	if _, err := s.createStateMachine(testCtx(), &createStateMachineIn{Name: "m", Definition: def, RoleArn: testRole, Publish: true}); err != nil {
		f.Fatal(err)
	}
	name := "e"
	if _, err := s.StartExecution(testCtx(), "arn:aws:states:us-east-1:000000000000:stateMachine:m", name, nil, ""); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		h := s.ops[ops[int(op)%len(ops)]]
		ctx, cancel := context.WithTimeout(testCtx(), 2*time.Second)
		defer cancel()
		_, _ = h(ctx, []byte(body))
	})
}

func quote(s string) string {
	b := appendString(nil, s)
	return string(b)
}
