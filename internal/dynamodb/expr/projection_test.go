package expr_test

import (
	"testing"

	"tenkai/internal/dynamodb/expr"
)

func TestProjection(t *testing.T) {
	tests := []struct {
		expr  string
		names map[string]string
		want  string
	}{
		{expr: "id", want: `{"id":{"S":"k"}}`},
		{expr: "id, n, gone", want: `{"id":{"S":"k"},"n":{"N":"5"}}`},
		{expr: "m.a", want: `{"m":{"M":{"a":{"N":"1"}}}}`},
		{expr: "m.deep.b, m.a", want: `{"m":{"M":{"a":{"N":"1"},"deep":{"M":{"b":{"S":"y"}}}}}}`},
		{expr: "m.zz", want: `{}`},
		{expr: "l[3], l[1], l[9]", want: `{"l":{"L":[{"N":"1"},{"N":"3"}]}}`},
		{expr: "s[0], m[0], l.a", want: `{}`},
		{expr: "#t", names: map[string]string{"#t": "tags"}, want: `{"tags":{"SS":["a","b"]}}`},
	}
	in := item(t, updItem)
	for _, tc := range tests {
		p := expr.MustParams(tc.names, nil)
		pr, err := expr.ParseProjection(tc.expr, p)
		if err != nil {
			t.Errorf("ParseProjection(%q) error = %v", tc.expr, err)
			continue
		}
		if got := itemJSON(pr.Apply(in)); got != itemJSON(item(t, tc.want)) {
			t.Errorf("ParseProjection(%q).Apply = %s; want %s", tc.expr, got, tc.want)
		}
	}
}

func TestProjectionErrors(t *testing.T) {
	const pre = "Invalid ProjectionExpression: "
	tests := []struct {
		expr string
		want string
	}{
		{expr: "", want: pre + "The expression can not be empty;"},
		{expr: "a,", want: pre + `Syntax error; token: "<EOF>", near: ","`},
		{expr: "a b", want: pre + `Syntax error; token: "b", near: "a b"`},
		{expr: "a, :v", want: pre + `Syntax error; token: ":v", near: ", :v"`},
		{expr: "l[a]", want: pre + `Syntax error; token: "a", near: "[a]"`},
		{expr: "a, status", want: pre + "Attribute name is a reserved keyword; reserved keyword: status"},
		{expr: "#x", want: pre + "An expression attribute name used in the document path is not defined; attribute name: #x"},
		{expr: "a.b, a", want: pre + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"},
		{expr: "a[1], a.b", want: pre + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]"},
	}
	for _, tc := range tests {
		_, err := expr.ParseProjection(tc.expr, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseProjection(%q) error = %v; want %s", tc.expr, err, tc.want)
		}
	}
	if _, err := expr.NewProjection([]string{"a", "b", "a"}); err == nil || err.Error() != "One or more parameter values were invalid: Duplicate value in attribute name: a" {
		t.Errorf("NewProjection(dup) error = %v", err)
	}
}
