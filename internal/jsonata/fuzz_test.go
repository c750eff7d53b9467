package jsonata_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tenkai/internal/jsonata"
)

// fuzzSeeds returns the suite's expressions, or a few built-in ones when
// the suite is not present.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		"$states.input.x", `$sum(items.price)`, `"a" & b`, `{"k": v}`,
		"Account.Order[0].Product.(Price * Quantity)", `$map([1,2], function($v){$v*2})`,
		"a@$x.b#$i[$i>0]{$x.k: %.c}", "$formatNumber(1234.5, '#,##0.00')",
		"$fromMillis(0, '[Y0001]-[M01]-[D01]')", `| $ | {"a": 1}, ["b"] |`,
		`/a+/i`, "$replace('abc', /b/, function($m){$uppercase($m.match)})",
	}
	dir, err := os.Getwd()
	if err != nil {
		return seeds
	}
	for {
		cand := filepath.Join(dir, "shared", "conformance", "jsonata", "groups")
		if _, err := os.Stat(cand); err == nil {
			files, _ := filepath.Glob(filepath.Join(cand, "*", "*.json"))
			for _, fn := range files {
				b, err := os.ReadFile(fn)
				if err != nil {
					continue
				}
				v, err := jsonata.ParseJSON(b)
				if err != nil {
					continue
				}
				objs, ok := v.([]any)
				if !ok {
					objs = []any{v}
				}
				for _, o := range objs {
					if obj, ok := o.(*jsonata.Object); ok {
						if e, ok := obj.Get("expr"); ok {
							if s, ok := e.(string); ok {
								seeds = append(seeds, s)
							}
						}
					}
				}
			}
			return seeds
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return seeds
		}
		dir = parent
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := jsonata.Compile(expr)
		if code(err) == jsonata.CodeInternal {
			t.Fatalf("Compile(%q): %v", expr, err)
		}
		if err == nil && e == nil {
			t.Fatalf("Compile(%q) returned nil, nil", expr)
		}
	})
}

func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	input, err := jsonata.ParseJSON([]byte(`{"a": 1, "b": "two", "c": [1, 2, {"d": null}], "items": [{"price": 5, "name": "x"}, {"price": 7, "name": "y"}],
		"Account": {"Order": [{"Product": [{"Price": 1, "Quantity": 2}]}]}}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if strings.Contains(expr, "..") {
			// ranges of up to 1e7 items are legal but slow the fuzzer down
			t.Skip()
		}
		e, err := jsonata.Compile(expr)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err = e.Eval(ctx, input, &jsonata.EvalOptions{MaxDepth: 300, TimeLimit: 200 * time.Millisecond})
		if code(err) == jsonata.CodeInternal {
			t.Fatalf("Eval(%q): %v", expr, err)
		}
	})
}
