package engine_test

import (
	"encoding/json"
	"testing"
)

// TestJSONataExpressionsFromDocs runs expressions of the kind the Step
// Functions developer guide shows, through Pass states.
func TestJSONataExpressionsFromDocs(t *testing.T) {
	tests := []struct{ expr, input, want string }{
		{`$states.input.orders[status = 'shipped'].id`, `{"orders":[{"id":1,"status":"shipped"},{"id":2,"status":"new"},{"id":3,"status":"shipped"}]}`, `[1,3]`},
		{`$count($states.input.xs)`, `{"xs":[1,2,3]}`, `3`},
		{`$merge([{"a":1},{"b":2}])`, `{}`, `{"a":1,"b":2}`},
		{`$uppercase($states.input.s) & '!'`, `{"s":"hi"}`, `"HI!"`},
		{`$states.input.n > 3 ? 'big' : 'small'`, `{"n":4}`, `"big"`},
		{`$sum($states.input.items.(price * qty))`, `{"items":[{"price":2,"qty":3},{"price":1.5,"qty":2}]}`, `9`},
		{`$string($states.input.o)`, `{"o":{"a":1}}`, `"{\"a\":1}"`},
		{`$exists($states.input.missing)`, `{}`, `false`},
		{`$states.context.State.Name`, `{}`, `"P"`},
	}
	s := newSetup(nil)
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			p, _ := json.Marshal("{% " + tc.expr + " %}")
			res, _ := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":`+string(p)+`,"End":true}}}`, tc.input)
			if string(res.Output) != tc.want {
				t.Fatalf("%s = %s (%+v); want %s", tc.expr, res.Output, res, tc.want)
			}
		})
	}
}
