package jsonata_test

import (
	"context"
	"testing"

	"tenkai/internal/jsonata"
)

// Typical Step Functions JSONata expressions.
var benchExprs = []struct {
	name string
	expr string
}{
	{"field", "$states.input.x"},
	{"sum", "$sum($states.input.items.price)"},
	{"concat", `"Hello " & $states.input.name & "!"`},
	{"object", `{"id": $states.input.id, "total": $sum($states.input.items.(price * qty)), "n": $count($states.input.items)}`},
	{"filter", `$states.input.items[price > 10].name`},
}

func benchInput() map[string]any {
	return map[string]any{
		"states": map[string]any{
			"input": map[string]any{
				"x":    "value",
				"id":   "order-1",
				"name": "World",
				"items": []any{
					map[string]any{"name": "a", "price": 5.0, "qty": 2.0},
					map[string]any{"name": "b", "price": 15.0, "qty": 1.0},
					map[string]any{"name": "c", "price": 25.0, "qty": 3.0},
				},
			},
		},
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, tc := range benchExprs {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jsonata.Compile(tc.expr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEval(b *testing.B) {
	in := benchInput()
	states := in["states"]
	for _, tc := range benchExprs {
		e := jsonata.MustCompile(tc.expr)
		opts := &jsonata.EvalOptions{Bindings: map[string]any{"states": states}}
		ctx := context.Background()
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Eval(ctx, nil, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
