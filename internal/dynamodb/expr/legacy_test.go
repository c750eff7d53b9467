package expr_test

import (
	"testing"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

func ptr[T any](v T) *T { return &v }

func TestConvertExpected(t *testing.T) {
	in := item(t, updItem)
	tests := []struct {
		name     string
		expected map[string]expr.LegacyCondition
		op       string
		want     bool
		err      string
	}{
		{name: "exists value equal", expected: map[string]expr.LegacyCondition{"n": {Value: ptr(attr.MustN("5"))}}, want: true},
		{name: "exists true value differs", expected: map[string]expr.LegacyCondition{"n": {Exists: ptr(true), Value: ptr(attr.MustN("6"))}}, want: false},
		{name: "exists false", expected: map[string]expr.LegacyCondition{"gone": {Exists: ptr(false)}}, want: true},
		{name: "exists false on present", expected: map[string]expr.LegacyCondition{"n": {Exists: ptr(false)}}, want: false},
		{name: "operator", expected: map[string]expr.LegacyCondition{"n": {ComparisonOperator: "GT", AttributeValueList: []attr.Value{attr.MustN("4")}}}, want: true},
		{name: "operator with Value", expected: map[string]expr.LegacyCondition{"n": {ComparisonOperator: "LT", Value: ptr(attr.MustN("4"))}}, want: false},
		{name: "AND", expected: map[string]expr.LegacyCondition{"n": {Value: ptr(attr.MustN("5"))}, "s": {Value: ptr(attr.S("no"))}}, want: false},
		{name: "OR", op: "OR", expected: map[string]expr.LegacyCondition{"n": {Value: ptr(attr.MustN("5"))}, "s": {Value: ptr(attr.S("no"))}}, want: true},
		{name: "empty", expected: nil, want: true},
		{name: "value and list", expected: map[string]expr.LegacyCondition{"a": {Value: ptr(attr.S("x")), AttributeValueList: []attr.Value{}}}, err: "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"},
		{name: "exists and operator", expected: map[string]expr.LegacyCondition{"a": {Exists: ptr(true), ComparisonOperator: "NULL"}}, err: "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{name: "operator without values", expected: map[string]expr.LegacyCondition{"a": {ComparisonOperator: "EQ"}}, err: "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		{name: "list without operator", expected: map[string]expr.LegacyCondition{"a": {AttributeValueList: []attr.Value{attr.S("x")}}}, err: "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{name: "exists null no value", expected: map[string]expr.LegacyCondition{"a": {}}, err: "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"},
		{name: "exists true no value", expected: map[string]expr.LegacyCondition{"a": {Exists: ptr(true)}}, err: "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"},
		{name: "exists false with value", expected: map[string]expr.LegacyCondition{"a": {Exists: ptr(false), Value: ptr(attr.S("x"))}}, err: "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"},
	}
	for _, tc := range tests {
		c, err := expr.ConvertExpected(tc.expected, tc.op)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: ConvertExpected error = %v; want %s", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ConvertExpected error = %v", tc.name, err)
			continue
		}
		if got := c.Eval(in); got != tc.want {
			t.Errorf("%s: Eval = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestConvertFilter(t *testing.T) {
	in := item(t, updItem)
	n := func(s ...string) []attr.Value {
		out := make([]attr.Value, len(s))
		for i, x := range s {
			out[i] = attr.MustN(x)
		}
		return out
	}
	tests := []struct {
		op   string
		attr string
		list []attr.Value
		want bool
		err  string
	}{
		{op: "EQ", attr: "n", list: n("5"), want: true},
		{op: "NE", attr: "n", list: n("5"), want: false},
		{op: "NE", attr: "gone", list: n("5"), want: true},
		{op: "LE", attr: "n", list: n("5"), want: true},
		{op: "LT", attr: "n", list: n("5"), want: false},
		{op: "GE", attr: "n", list: n("5"), want: true},
		{op: "GT", attr: "n", list: n("4"), want: true},
		{op: "NOT_NULL", attr: "n", want: true},
		{op: "NULL", attr: "n", want: false},
		{op: "CONTAINS", attr: "tags", list: []attr.Value{attr.S("a")}, want: true},
		{op: "NOT_CONTAINS", attr: "tags", list: []attr.Value{attr.S("z")}, want: true},
		{op: "NOT_CONTAINS", attr: "gone", list: []attr.Value{attr.S("z")}, want: false},
		{op: "CONTAINS", attr: "gone", list: []attr.Value{attr.S("z")}, want: false},
		{op: "BETWEEN", attr: "gone", list: n("1", "5"), want: false},
		{op: "BEGINS_WITH", attr: "s", list: []attr.Value{attr.S("x")}, want: true},
		{op: "IN", attr: "n", list: n("1", "5"), want: true},
		{op: "BETWEEN", attr: "n", list: n("1", "5"), want: true},
		{op: "EQ", attr: "n", list: n("1", "2"), err: "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{op: "IN", attr: "n", err: "One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator"},
		{op: "IN", attr: "n", list: []attr.Value{attr.MustN("1"), attr.S("x")}, err: "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
		{op: "GT", attr: "n", list: []attr.Value{attr.L()}, err: "One or more parameter values were invalid: ComparisonOperator GT is not valid for L AttributeValue type"},
		{op: "BEGINS_WITH", attr: "n", list: n("1"), err: "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
		{op: "BETWEEN", attr: "n", list: n("5", "1"), err: "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
	}
	for _, tc := range tests {
		c, err := expr.ConvertFilter(map[string]expr.LegacyCondition{tc.attr: {ComparisonOperator: tc.op, AttributeValueList: tc.list}}, "")
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ConvertFilter(%s %s) error = %v; want %s", tc.attr, tc.op, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ConvertFilter(%s %s) error = %v", tc.attr, tc.op, err)
			continue
		}
		if got := c.Eval(in); got != tc.want {
			t.Errorf("ConvertFilter(%s %s %v).Eval = %v; want %v", tc.attr, tc.op, tc.list, got, tc.want)
		}
	}
}

func TestConvertKeyConditions(t *testing.T) {
	kc, err := expr.ConvertKeyConditions(map[string]expr.LegacyCondition{
		"pk": {ComparisonOperator: "EQ", AttributeValueList: []attr.Value{attr.S("p")}},
		"sk": {ComparisonOperator: "BEGINS_WITH", AttributeValueList: []attr.Value{attr.S("a")}},
	}, "pk", "sk")
	if err != nil {
		t.Fatal(err)
	}
	if kc.HashValue.Str() != "p" || kc.Range == nil || kc.Range.Op != expr.RangeBeginsWith {
		t.Errorf("ConvertKeyConditions = %+v", kc)
	}
	tests := []struct {
		kc   map[string]expr.LegacyCondition
		want string
	}{
		{kc: nil, want: "Conditions can be of length 1 or 2 only"},
		{kc: map[string]expr.LegacyCondition{"pk": {ComparisonOperator: "CONTAINS", AttributeValueList: []attr.Value{attr.S("p")}}}, want: "Attempted conditional constraint is not an indexable operation"},
		{kc: map[string]expr.LegacyCondition{"pk": {ComparisonOperator: "GT", AttributeValueList: []attr.Value{attr.S("p")}}}, want: "Query key condition not supported"},
		{kc: map[string]expr.LegacyCondition{"sk": {ComparisonOperator: "EQ", AttributeValueList: []attr.Value{attr.S("p")}}}, want: "Query condition missed key schema element: pk"},
	}
	for _, tc := range tests {
		_, err := expr.ConvertKeyConditions(tc.kc, "pk", "sk")
		if err == nil || err.Error() != tc.want {
			t.Errorf("ConvertKeyConditions(%v) error = %v; want %s", tc.kc, err, tc.want)
		}
	}
}

func TestConvertAttributeUpdates(t *testing.T) {
	u, err := expr.ConvertAttributeUpdates(map[string]expr.LegacyUpdate{
		"s":    {Value: ptr(attr.S("new"))},
		"n":    {Action: "ADD", Value: ptr(attr.MustN("2"))},
		"l":    {Action: "ADD", Value: ptr(attr.L(attr.S("x")))},
		"tags": {Action: "DELETE", Value: ptr(attr.SS("a"))},
		"m":    {Action: "DELETE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := u.Apply(item(t, updItem))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":{"S":"k"},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"},{"S":"x"}]},"n":{"N":"7"},"nums":{"NS":["1","2"]},"s":{"S":"new"},"tags":{"SS":["b"]}}`
	if got := itemJSON(res.Item); got != want {
		t.Errorf("AttributeUpdates result = %s; want %s", got, want)
	}
	errs := []struct {
		u    map[string]expr.LegacyUpdate
		want string
	}{
		{u: map[string]expr.LegacyUpdate{"a": {Action: "PUT"}}, want: "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"},
		{u: map[string]expr.LegacyUpdate{"a": {Action: "DELETE", Value: ptr(attr.S("x"))}}, want: "One or more parameter values were invalid: DELETE action with value is not supported for the type S"},
		{u: map[string]expr.LegacyUpdate{"a": {Action: "ADD", Value: ptr(attr.S("x"))}}, want: "One or more parameter values were invalid: ADD action is not supported for the type S"},
	}
	for _, tc := range errs {
		_, err := expr.ConvertAttributeUpdates(tc.u)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ConvertAttributeUpdates(%v) error = %v; want %s", tc.u, err, tc.want)
		}
	}
}

func TestAttributeUpdatesTypeMismatch(t *testing.T) {
	u, err := expr.ConvertAttributeUpdates(map[string]expr.LegacyUpdate{"s": {Action: "ADD", Value: ptr(attr.MustN("1"))}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.Apply(item(t, updItem))
	if want := "Type mismatch for attribute to update"; err == nil || err.Error() != want {
		t.Errorf("legacy ADD to a string error = %v; want %s", err, want)
	}
}
