package jsonata_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"tenkai/internal/jsonata"
)

func eval(t *testing.T, expr string, input any, opts *jsonata.EvalOptions) (any, error) {
	t.Helper()
	e, err := jsonata.Compile(expr)
	if err != nil {
		return nil, err
	}
	return e.Eval(context.Background(), input, opts)
}

func code(err error) string {
	var je *jsonata.Error
	if errors.As(err, &je) {
		return je.Code
	}
	return ""
}

func TestEvalResults(t *testing.T) {
	input := map[string]any{
		"a":     nil,
		"n":     3,                  // a Go int
		"j":     json.Number("2.5"), // a json.Number
		"items": []any{1, 2, 3.5},
		"s":     struct{ X int }{X: 7},
		"obj":   map[string]any{"k": "v"},
	}
	tests := []struct {
		name string
		expr string
		want any
	}{
		{"missing field is undefined", "nope", jsonata.Undefined},
		{"null is nil", "a", nil},
		{"null literal", "null", nil},
		{"int input", "n + 1", 4.0},
		{"json.Number input", "j * 2", 5.0},
		{"int array", "$sum(items)", 6.5},
		{"struct input", "s.X", 7.0},
		{"string template", `"n=" & n`, "n=3"},
		{"object", `{"x": obj.k}`, map[string]any{"x": "v"}},
		{"array", "[1, 2]", []any{1.0, 2.0}},
		{"singleton sequence collapses", "obj.k", "v"},
		{"keep array", "obj.k[]", []any{"v"}},
		{"empty array stays", "[]", []any{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eval(t, tc.expr, input, nil)
			if err != nil {
				t.Fatalf("Eval(%q) error: %v", tc.expr, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Eval(%q) = %#v; want %#v", tc.expr, got, tc.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		expr     string
		code     string
		position int
		token    string
	}{
		{"1 +", "S0207", 3, ""},
		{"'abc", "S0101", 4, ""},
		{"$foo(", "S0207", 5, ""},
		{"(1; 2", "S0203", 5, ""},
		{`"a" + 1`, "T2001", 5, "+"},
		{"$sum('x')", "T0412", -1, "sum"},
		{"$substring(1)", "T0411", -1, "substring"},
		{"$substring('a', 'b')", "T0410", -1, "substring"},
		{"[1..1e8]", "D2014", 4, ".."},
		{"$undefinedFn()", "T1006", -1, ""},
		{"$error('boom')", "D3137", -1, "error"},
	}
	for _, tc := range tests {
		_, err := eval(t, tc.expr, nil, nil)
		var je *jsonata.Error
		if !errors.As(err, &je) {
			t.Errorf("Eval(%q) error = %v; want *Error %s", tc.expr, err, tc.code)
			continue
		}
		if je.Code != tc.code {
			t.Errorf("Eval(%q) code = %s; want %s (%v)", tc.expr, je.Code, tc.code, err)
		}
		if tc.position >= 0 && je.Position != tc.position {
			t.Errorf("Eval(%q) position = %d; want %d", tc.expr, je.Position, tc.position)
		}
		if tc.token != "" && je.Token != tc.token {
			t.Errorf("Eval(%q) token = %q; want %q", tc.expr, je.Token, tc.token)
		}
	}
}

func TestBindingsAndFunctions(t *testing.T) {
	e := jsonata.MustCompile(`$greet($name) & " x" & $double($n)`)
	e.Assign("n", 21)
	if err := e.RegisterFunction("double", jsonata.Function{
		Signature: "<n:n>",
		Fn: func(ctx context.Context, args []any) (any, error) {
			return args[0].(float64) * 2, nil
		},
	}); err != nil {
		t.Fatal(err)
	}
	opts := &jsonata.EvalOptions{
		Bindings: map[string]any{"name": "Ann"},
		Functions: map[string]jsonata.Function{
			"greet": {Fn: func(ctx context.Context, args []any) (any, error) {
				return "hello " + args[0].(string), nil
			}},
		},
	}
	got, err := e.Eval(context.Background(), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got != "hello Ann x42" {
		t.Errorf("Eval = %v; want %q", got, "hello Ann x42")
	}
	// the signature is enforced
	bad := jsonata.MustCompile(`$double("x")`)
	if err := bad.RegisterFunction("double", jsonata.Function{Signature: "<n:n>", Fn: func(context.Context, []any) (any, error) { return 0.0, nil }}); err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Eval(context.Background(), nil, nil); code(err) != "T0410" {
		t.Errorf("Eval with bad argument error = %v; want T0410", err)
	}
	// Go function errors pass through
	boom := errors.New("boom")
	_, err = eval(t, "$f()", nil, &jsonata.EvalOptions{Functions: map[string]jsonata.Function{
		"f": {Fn: func(context.Context, []any) (any, error) { return nil, boom }},
	}})
	if !errors.Is(err, boom) {
		t.Errorf("Eval error = %v; want %v", err, boom)
	}
}

func TestLimits(t *testing.T) {
	// an infinite tail-recursive loop runs in constant depth: only the time limit stops it
	start := time.Now()
	_, err := eval(t, "($f := function(){$f()}; $f())", nil, &jsonata.EvalOptions{TimeLimit: 50 * time.Millisecond})
	if code(err) != "U1001" {
		t.Errorf("infinite loop error = %v; want U1001", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("infinite loop stopped after %v; want about 50ms", d)
	}
	// non-tail recursion hits the depth limit
	_, err = eval(t, "($f := function($n){1 + $f($n+1)}; $f(0))", nil, &jsonata.EvalOptions{MaxDepth: 500})
	if code(err) != "U1001" {
		t.Errorf("deep recursion error = %v; want U1001", err)
	}
	// cancellation
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := jsonata.MustCompile("[1..100000].($ * 2) ~> $sum()")
	if _, err := e.Eval(ctx, nil, nil); code(err) != "U1001" {
		t.Errorf("cancelled Eval error = %v; want U1001", err)
	}
	// deeply nested source is rejected, not a stack overflow
	deep := ""
	for i := 0; i < 5000; i++ {
		deep += "("
	}
	if _, err := jsonata.Compile(deep + "1"); err == nil {
		t.Errorf("Compile(5000 parens) succeeded; want error")
	}
}

func TestOrderedObjects(t *testing.T) {
	got, err := eval(t, `{"b": 1, "a": 2, "c": {"z": 1, "y": 2}}`, nil, &jsonata.EvalOptions{OrderedObjects: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"b":1,"a":2,"c":{"z":1,"y":2}}`; string(b) != want {
		t.Errorf("json = %s; want %s", b, want)
	}
	in, err := jsonata.ParseJSON([]byte(`{"z": 1, "a": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := eval(t, "$keys($)", in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(keys, []any{"z", "a"}) {
		t.Errorf("$keys = %v; want [z a]", keys)
	}
}

func TestNowOption(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 10e6, time.UTC)
	got, err := eval(t, "[$now(), $millis()]", nil, &jsonata.EvalOptions{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"2024-05-06T07:08:09.010Z", float64(at.UnixMilli())}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Eval = %v; want %v", got, want)
	}
}

func TestFunctionResult(t *testing.T) {
	got, err := eval(t, "function($x){$x}", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.(*jsonata.FunctionValue); !ok {
		t.Errorf("Eval = %T; want *FunctionValue", got)
	}
}

func TestConcurrentEval(t *testing.T) {
	e := jsonata.MustCompile(`($t := $sum(items.(price * qty)); {"total": $t, "names": items^(>price).name, "n": $count(items)})`)
	input := map[string]any{"items": []any{
		map[string]any{"name": "a", "price": 1.0, "qty": 2.0},
		map[string]any{"name": "b", "price": 3.0, "qty": 1.0},
	}}
	want := map[string]any{"total": 5.0, "names": []any{"b", "a"}, "n": 2.0}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				got, err := e.Eval(context.Background(), input, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Eval = %v; want %v", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestResourceCaps(t *testing.T) {
	tests := []string{
		`($s := "ab"; $f := function($s, $n){$n = 0 ? $s : $f($s & $s, $n - 1)}; $f($s, 40))`,
		`$pad("x", 1e12)`,
	}
	for _, expr := range tests {
		_, err := eval(t, expr, nil, &jsonata.EvalOptions{TimeLimit: 10 * time.Second})
		if code(err) != "U1001" {
			t.Errorf("Eval(%q) error = %v; want U1001", expr, err)
		}
	}
}

func TestEvalAllocs(t *testing.T) {
	e := jsonata.MustCompile("$states.input.x")
	opts := &jsonata.EvalOptions{Bindings: map[string]any{"states": map[string]any{"input": map[string]any{"x": "v"}}}}
	ctx := context.Background()
	first := testing.AllocsPerRun(100, func() {
		if _, err := e.Eval(ctx, nil, opts); err != nil {
			t.Fatal(err)
		}
	})
	later := testing.AllocsPerRun(1000, func() {
		if _, err := e.Eval(ctx, nil, opts); err != nil {
			t.Fatal(err)
		}
	})
	if first > 2 || later > first {
		t.Errorf("allocs per Eval = %v then %v; want at most 2 and no growth", first, later)
	}
}
