package jsonata_test

import (
	"context"
	"errors"
	"testing"

	"tenkai/internal/jsonata"
)

// Step Functions passes JSONata's messages through verbatim, so they must
// read as the reference's do: values JSON-quoted.
func TestErrorMessagesQuoteAsTheReference(t *testing.T) {
	tests := []struct {
		expr, want string
		eval       bool
	}{
		{expr: `[1,2`, want: `Expected "]" before end of expression`},
		{expr: `[1,2)`, want: `Expected "]", got ")"`},
		{expr: `[1,2,}`, want: `The symbol "}" cannot be used as a unary operator`},
		{expr: `$sum(["a"])`, want: `Argument 1 of function "sum" must be an array of "numbers"`, eval: true},
		{expr: `1 + "a"`, want: `The right side of the "+" operator must evaluate to a number`, eval: true},
	}
	for _, tc := range tests {
		e, err := jsonata.Compile(tc.expr)
		if err == nil && tc.eval {
			_, err = e.Eval(context.Background(), nil, nil)
		}
		var je *jsonata.Error
		if !errors.As(err, &je) {
			t.Errorf("%s: error = %v; want a *jsonata.Error", tc.expr, err)
			continue
		}
		if je.Message != tc.want {
			t.Errorf("%s: message = %q; want %q", tc.expr, je.Message, tc.want)
		}
	}
}
