package expr_test

import (
	"bytes"
	"testing"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

func TestKeyCondition(t *testing.T) {
	vals := `{":h":{"S":"p"},":a":{"N":"1"},":b":{"N":"5"},":s":{"S":"ab"}}`
	tests := []struct {
		expr     string
		rangeKey string
		wantOp   expr.RangeOp
		match    []string // sort key numbers (or strings for begins_with) that match
		noMatch  []string
	}{
		{expr: "pk = :h", rangeKey: "sk"},
		{expr: "pk = :h AND sk = :a", rangeKey: "sk", wantOp: expr.RangeEQ, match: []string{"1"}, noMatch: []string{"2", "-1"}},
		{expr: "sk < :b AND pk = :h", rangeKey: "sk", wantOp: expr.RangeLT, match: []string{"4.999", "-100"}, noMatch: []string{"5", "6"}},
		{expr: "pk = :h AND sk <= :b", rangeKey: "sk", wantOp: expr.RangeLE, match: []string{"5"}, noMatch: []string{"5.01"}},
		{expr: "pk = :h AND sk > :a", rangeKey: "sk", wantOp: expr.RangeGT, match: []string{"1.0001"}, noMatch: []string{"1", "0"}},
		{expr: "pk = :h AND :a <= sk", rangeKey: "sk", wantOp: expr.RangeGE, match: []string{"1", "2"}, noMatch: []string{"0.9"}},
		{expr: ":h = pk AND sk BETWEEN :a AND :b", rangeKey: "sk", wantOp: expr.RangeBetween, match: []string{"1", "3", "5"}, noMatch: []string{"0", "5.5"}},
		{expr: "(pk = :h) AND (begins_with(sk, :s))", rangeKey: "sk", wantOp: expr.RangeBeginsWith, match: []string{"ab", "abc", "ab\x00"}, noMatch: []string{"a", "b", "ac"}},
	}
	for _, tc := range tests {
		kc, err := expr.ParseKeyCondition(tc.expr, expr.MustParams(nil, values(t, vals)), "pk", tc.rangeKey)
		if err != nil {
			t.Errorf("ParseKeyCondition(%q) error = %v", tc.expr, err)
			continue
		}
		if kc.HashKey != "pk" || kc.HashValue.Str() != "p" {
			t.Errorf("ParseKeyCondition(%q) hash = %s %v", tc.expr, kc.HashKey, kc.HashValue)
		}
		if tc.wantOp == 0 {
			if kc.Range != nil {
				t.Errorf("ParseKeyCondition(%q).Range = %+v; want nil", tc.expr, kc.Range)
			}
			continue
		}
		if kc.Range == nil || kc.Range.Op != tc.wantOp || kc.Range.Name != "sk" {
			t.Errorf("ParseKeyCondition(%q).Range = %+v; want op %d", tc.expr, kc.Range, tc.wantOp)
			continue
		}
		start, end, err := kc.Range.Bounds()
		if err != nil {
			t.Errorf("Bounds(%q) error = %v", tc.expr, err)
		}
		check := func(s string, want bool) {
			v := attr.S(s)
			if tc.wantOp != expr.RangeBeginsWith {
				v = attr.MustN(s)
			}
			if got := kc.Range.Match(v); got != want {
				t.Errorf("%q: Match(%s) = %v; want %v", tc.expr, v, got, want)
			}
			k, _ := attr.AppendKey(nil, v)
			in := (start == nil || bytes.Compare(k, start) >= 0) && (end == nil || bytes.Compare(k, end) < 0)
			if in != want {
				t.Errorf("%q: key of %s within Bounds = %v; want %v", tc.expr, v, in, want)
			}
		}
		for _, s := range tc.match {
			check(s, true)
		}
		for _, s := range tc.noMatch {
			check(s, false)
		}
	}
}

func TestKeyConditionErrors(t *testing.T) {
	vals := `{":h":{"S":"p"},":a":{"N":"1"},":b":{"N":"5"}}`
	tests := []struct {
		expr     string
		rangeKey string
		want     string
	}{
		{expr: "", want: "Invalid KeyConditionExpression: The expression can not be empty;"},
		{expr: "pk = ", want: `Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{expr: "pk = :h OR sk = :a", want: "Invalid operator used in KeyConditionExpression: OR"},
		{expr: "NOT pk = :h", want: "Invalid operator used in KeyConditionExpression: NOT"},
		{expr: "pk IN (:h)", want: "Invalid operator used in KeyConditionExpression: IN"},
		{expr: "pk <> :h", want: "Invalid operator used in KeyConditionExpression: <>"},
		{expr: "pk = :h AND attribute_exists(sk)", want: "Invalid operator used in KeyConditionExpression: attribute_exists"},
		{expr: "pk = :h AND contains(sk, :a)", want: "Invalid operator used in KeyConditionExpression: contains"},
		{expr: "pk = :h AND size(sk) = :a", want: "KeyConditionExpressions cannot contain nested operations"},
		{expr: "pk = :h AND :a BETWEEN sk AND :b", want: "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
		{expr: "pk = :h AND begins_with(:h, sk)", want: "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"},
		{expr: "pk = sk", want: "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{expr: "pk.a = :h", want: "KeyConditionExpressions cannot have conditions on nested attributes"},
		{expr: ":h = :a", want: "Invalid condition in KeyConditionExpression: No key attribute specified"},
		{expr: "pk = :h AND pk = :h", want: "KeyConditionExpressions must only contain one condition per key"},
		{expr: "sk = :a", rangeKey: "sk", want: "Query condition missed key schema element: pk"},
		{expr: "pk = :h AND foo = :a", rangeKey: "sk", want: "Query condition missed key schema element: sk"},
		{expr: "pk = :h AND foo = :a", want: "Query condition missed key schema element: pk"},
		{expr: "pk > :h", want: "Query key condition not supported"},
		{expr: "pk = :h AND begins_with(sk, :a)", rangeKey: "sk", want: "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
	}
	for _, tc := range tests {
		_, err := expr.ParseKeyCondition(tc.expr, expr.MustParams(nil, values(t, vals)), "pk", tc.rangeKey)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseKeyCondition(%q) error = %v; want %s", tc.expr, err, tc.want)
		}
	}
}
