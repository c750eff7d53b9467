// Package jsonata evaluates JSONata 2.x expressions (https://jsonata.org),
// the query and transformation language of Step Functions' JSONata mode.
//
// An expression is compiled once and may then be evaluated any number of
// times, concurrently, against Go JSON data:
//
//	e, err := jsonata.Compile(`{"total": $sum($states.input.items.price), "who": "Hi " & $states.input.name}`)
//	if err != nil {
//		return err // *jsonata.Error with an S0xxx code and position
//	}
//	out, err := e.Eval(ctx, nil, &jsonata.EvalOptions{
//		Bindings:  map[string]any{"states": map[string]any{"input": input}},
//		TimeLimit: time.Second,
//	})
//	if err != nil {
//		return err // *jsonata.Error: T0xxx/T1xxx/T2xxx type, D1xxx-D3xxx dynamic, U1001 limits
//	}
//	if jsonata.IsUndefined(out) {
//		// the expression produced no value (distinct from JSON null, which is nil)
//	}
//
// Input and bindings are Go JSON values: map[string]any, []any, float64,
// string, bool and nil; other numeric types, json.Number and any value
// encoding/json can marshal are accepted. ParseJSON decodes JSON into
// *Object values that keep key order, as the reference implementation does.
// Results use the same types (objects as map[string]any, or *Object with
// EvalOptions.OrderedObjects); a function result is a *FunctionValue.
//
// Go functions are made callable from expressions per evaluation
// (EvalOptions.Functions) or per expression (Expr.RegisterFunction):
//
//	e.RegisterFunction("double", jsonata.Function{
//		Signature: "<n:n>",
//		Fn: func(ctx context.Context, args []any) (any, error) {
//			return args[0].(float64) * 2, nil
//		},
//	})
//
// Untrusted expressions are bounded by EvalOptions.MaxDepth (evaluation
// nesting; tail calls run in constant depth), EvalOptions.TimeLimit and the
// context's deadline or cancellation; all fail with code U1001. Range
// expressions are capped at 1e7 items (D2014), strings at 64 MiB and
// sequences at 2e7 items (U1001), regex matching at 5s per match, and
// compile-time nesting is bounded, so an expression cannot hang the caller
// or exhaust its memory faster than the limits can stop it.
//
// Numbers are IEEE doubles and are rendered as JavaScript does, with
// $string and & using 15 significant digits for non-integers. String
// positions count Unicode code points. Regular expressions follow
// ECMAScript semantics.
package jsonata
