package jsonata_test

import (
	"context"
	"fmt"

	"tenkai/internal/jsonata"
)

func ExampleExpr_Eval() {
	e, err := jsonata.Compile(`{"total": $sum($states.input.items.price), "greeting": "Hi " & $states.input.name}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	states := map[string]any{"input": map[string]any{
		"name":  "Ann",
		"items": []any{map[string]any{"price": 2.5}, map[string]any{"price": 4.0}},
	}}
	out, err := e.Eval(context.Background(), nil, &jsonata.EvalOptions{
		Bindings:       map[string]any{"states": states},
		OrderedObjects: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := out.(*jsonata.Object).MarshalJSON()
	fmt.Println(string(b))
	// Output: {"total":6.5,"greeting":"Hi Ann"}
}

func ExampleIsUndefined() {
	e := jsonata.MustCompile("missing")
	out, _ := e.Eval(context.Background(), map[string]any{"present": nil}, nil)
	fmt.Println(jsonata.IsUndefined(out))
	out, _ = jsonata.MustCompile("present").Eval(context.Background(), map[string]any{"present": nil}, nil)
	fmt.Println(jsonata.IsUndefined(out), out == nil)
	// Output:
	// true
	// false true
}

func ExampleError() {
	_, err := jsonata.Compile("$sum(")
	fmt.Println(err)
	// Output: jsonata: S0207 @5: Unexpected end of expression
}
