package expr_test

import (
	"testing"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

// fuzzParams defines a few names and values so that fuzzed expressions can
// reach evaluation.
func fuzzParams(t testing.TB) *expr.Params {
	return expr.MustParams(
		map[string]string{"#a": "a", "#b": "b", "#s": "status"},
		values(t, `{":n":{"N":"1"},":s":{"S":"x"},":l":{"L":[{"N":"1"}]},":ss":{"SS":["x"]},":ns":{"NS":["1"]},":t":{"S":"N"}}`),
	)
}

const fuzzItem = `{"a":{"N":"1"},"b":{"S":"xy"},"status":{"L":[{"N":"1"},{"M":{"c":{"S":"x"}}}]},"ss":{"SS":["x","y"]},"m":{"M":{"a":{"N":"2"}}}}`

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{
		"a = :n", "#a <> :s AND b < :s", "NOT (a BETWEEN :n AND :n) OR b IN (:s, :n)",
		"attribute_exists(#s[1].c)", "size(b) >= :n", "begins_with(b, :s) AND contains(ss, :s)",
		"attribute_type(a, :t)", "((a = :n))", "(a) = :n", "a = ", "foo(a)", "a[0 = :n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		it := item(t, fuzzItem)
		c, err := expr.ParseCondition(s, fuzzParams(t))
		if err != nil {
			if _, ok := err.(*attr.Error); !ok {
				t.Fatalf("ParseCondition(%q) error %T is not *attr.Error", s, err)
			}
			return
		}
		c.Eval(it)
		c.Eval(nil)
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{
		"SET a = a + :n", "SET #b = list_append(if_not_exists(#b, :l), :l) REMOVE m.a",
		"ADD ss :ss DELETE ss :ss", "REMOVE #s[0], #s[1]", "SET m.z = (:n)", "SET a = :n SET b = :n",
		"SET a = b - :n, c = :s", "ADD hits : incr", "SET",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := expr.ParseUpdate(s, fuzzParams(t))
		if err != nil {
			if _, ok := err.(*attr.Error); !ok {
				t.Fatalf("ParseUpdate(%q) error %T is not *attr.Error", s, err)
			}
			return
		}
		it := item(t, fuzzItem)
		before := itemJSON(it)
		res, err := u.Apply(it)
		if itemJSON(it) != before {
			t.Fatalf("Apply(%q) modified its input", s)
		}
		if err == nil {
			expr.ProjectPaths(res.Item, res.Changed)
		}
		u.Apply(nil)
	})
}

func FuzzParseProjection(f *testing.F) {
	for _, s := range []string{"a", "a, b, #s[1].c", "m.a, m.b", "a.b, a", "l[x]", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := expr.ParseProjection(s, fuzzParams(t))
		if err != nil {
			return
		}
		p.Apply(item(t, fuzzItem))
	})
}

func FuzzParseKeyCondition(f *testing.F) {
	for _, s := range []string{"a = :n", "a = :n AND b BETWEEN :s AND :s", "#a = :n AND begins_with(#b, :s)", "a = :n OR b = :s", ":n = a AND :s < b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kc, err := expr.ParseKeyCondition(s, fuzzParams(t), "a", "b")
		if err != nil {
			return
		}
		if kc.Range != nil {
			kc.Range.Bounds()
			kc.Range.Match(attr.S("xy"))
			kc.Range.Match(attr.MustN("3"))
		}
	})
}
