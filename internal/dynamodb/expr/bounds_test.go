package expr_test

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

// TestBoundsAgreeWithMatch checks, for random sort key conditions and
// values, that a value's key lies within Bounds exactly when Match holds,
// so a range scan over Bounds returns the same items as filtering.
func TestBoundsAgreeWithMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	num := func() attr.Value {
		s := strconv.Itoa(r.IntN(2001)-1000) + "e" + strconv.Itoa(r.IntN(5)-2)
		return attr.MustN(s)
	}
	str := func() attr.Value {
		b := make([]byte, r.IntN(4))
		for i := range b {
			b[i] = "ab\x00\xff"[r.IntN(4)]
		}
		return attr.S(string(b))
	}
	conds := []string{"sk = :a", "sk < :a", "sk <= :a", "sk > :a", "sk >= :a", "sk BETWEEN :a AND :b", "begins_with(sk, :a)"}
	for i := 0; i < 3000; i++ {
		c := conds[r.IntN(len(conds))]
		gen := num
		if c == "begins_with(sk, :a)" || r.IntN(2) == 0 {
			gen = str
		}
		a, b := gen(), gen()
		if x, _ := attr.Compare(a, b); x > 0 {
			a, b = b, a
		}
		vals := map[string]attr.Value{":h": attr.S("p"), ":a": a}
		if c == "sk BETWEEN :a AND :b" {
			vals[":b"] = b
		}
		kc, err := expr.ParseKeyCondition("pk = :h AND "+c, expr.MustParams(nil, vals), "pk", "sk")
		if err != nil {
			t.Fatalf("ParseKeyCondition(%q, %v, %v): %v", c, a, b, err)
		}
		start, end, err := kc.Range.Bounds()
		if err != nil {
			t.Fatalf("Bounds(%q): %v", c, err)
		}
		for j := 0; j < 20; j++ {
			v := gen()
			k, _ := attr.AppendKey(nil, v)
			in := (start == nil || bytes.Compare(k, start) >= 0) && (end == nil || bytes.Compare(k, end) < 0)
			if in != kc.Range.Match(v) {
				t.Fatalf("%q with :a=%v :b=%v: value %v in bounds = %v, Match = %v", c, a, b, v, in, !in)
			}
		}
	}
}
