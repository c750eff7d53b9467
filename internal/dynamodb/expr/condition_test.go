package expr_test

import (
	"strconv"
	"strings"
	"testing"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

const sample = `{
 "id":{"S":"abc"},"n":{"N":"5"},"f":{"N":"-1.5"},"s":{"S":"hello world"},"b":{"B":"AQID"},
 "ok":{"BOOL":true},"nul":{"NULL":true},
 "tags":{"SS":["red","blue"]},"nums":{"NS":["1","2"]},"bins":{"BS":["AQ=="]},
 "l":{"L":[{"S":"x"},{"N":"2"},{"M":{"deep":{"S":"d"}}}]},
 "m":{"M":{"a":{"N":"1"},"nest":{"M":{"c":{"S":"see"}}},"lst":{"L":[{"N":"10"},{"N":"20"}]}}},
 "status":{"S":"active"}
}`

func TestConditionEval(t *testing.T) {
	tests := []struct {
		expr   string
		names  map[string]string
		values string
		want   bool
	}{
		{expr: "n = :v", values: `{":v":{"N":"5.0"}}`, want: true},
		{expr: "n <> :v", values: `{":v":{"N":"5"}}`, want: false},
		{expr: "n < :v", values: `{":v":{"N":"10"}}`, want: true},
		{expr: "n <= :v", values: `{":v":{"N":"5"}}`, want: true},
		{expr: "n > :v", values: `{":v":{"N":"-10"}}`, want: true},
		{expr: "n >= :v", values: `{":v":{"N":"6"}}`, want: false},
		{expr: "f < n", want: true},
		{expr: "n = :v", values: `{":v":{"S":"5"}}`, want: false},
		{expr: "n <> :v", values: `{":v":{"S":"5"}}`, want: true},
		{expr: "n < :v", values: `{":v":{"S":"9"}}`, want: false},
		{expr: "gone = :v", values: `{":v":{"S":"5"}}`, want: false},
		{expr: "gone <> :v", values: `{":v":{"S":"5"}}`, want: true},
		{expr: "s > :v", values: `{":v":{"S":"hello"}}`, want: true},
		{expr: "b > :v", values: `{":v":{"B":"AQI="}}`, want: true},
		{expr: "n BETWEEN :lo AND :hi", values: `{":lo":{"N":"1"},":hi":{"N":"5"}}`, want: true},
		{expr: "n between :lo and :hi", values: `{":lo":{"N":"6"},":hi":{"N":"9"}}`, want: false},
		{expr: "s BETWEEN :lo AND :hi", values: `{":lo":{"N":"1"},":hi":{"N":"9"}}`, want: false},
		{expr: "n IN (:a, :b)", values: `{":a":{"N":"4"},":b":{"N":"5"}}`, want: true},
		{expr: "n IN (:a)", values: `{":a":{"S":"5"}}`, want: false},
		{expr: "attribute_exists(m.nest.c)", want: true},
		{expr: "attribute_exists(m.nest.zz)", want: false},
		{expr: "attribute_not_exists(zz)", want: true},
		{expr: "attribute_exists(l[2].deep)", want: true},
		{expr: "attribute_exists(l[3])", want: false},
		{expr: "attribute_exists(s[0])", want: false},
		{expr: "attribute_type(tags, :t)", values: `{":t":{"S":"SS"}}`, want: true},
		{expr: "attribute_type(n, :t)", values: `{":t":{"S":"S"}}`, want: false},
		{expr: "begins_with(s, :p)", values: `{":p":{"S":"hell"}}`, want: true},
		{expr: "begins_with(s, :p)", values: `{":p":{"S":"world"}}`, want: false},
		{expr: "begins_with(b, :p)", values: `{":p":{"B":"AQ=="}}`, want: true},
		{expr: "contains(s, :p)", values: `{":p":{"S":"o w"}}`, want: true},
		{expr: "contains(tags, :p)", values: `{":p":{"S":"red"}}`, want: true},
		{expr: "contains(nums, :p)", values: `{":p":{"N":"2.0"}}`, want: true},
		{expr: "contains(nums, :p)", values: `{":p":{"S":"2"}}`, want: false},
		{expr: "contains(bins, :p)", values: `{":p":{"B":"AQ=="}}`, want: true},
		{expr: "contains(l, :p)", values: `{":p":{"S":"x"}}`, want: true},
		{expr: "contains(gone, :p)", values: `{":p":{"S":"x"}}`, want: false},
		{expr: "size(s) = :n", values: `{":n":{"N":"11"}}`, want: true},
		{expr: "size(tags) = :n", values: `{":n":{"N":"2"}}`, want: true},
		{expr: "size(l) > :n", values: `{":n":{"N":"2"}}`, want: true},
		{expr: "size(m) = :n", values: `{":n":{"N":"3"}}`, want: true},
		{expr: "size(b) = :n", values: `{":n":{"N":"3"}}`, want: true},
		{expr: "size(n) = :n", values: `{":n":{"N":"1"}}`, want: false},
		{expr: "size(gone) <> :n", values: `{":n":{"N":"1"}}`, want: true},
		{expr: "m.lst[1] = :v", values: `{":v":{"N":"20"}}`, want: true},
		{expr: "#s = :v", names: map[string]string{"#s": "status"}, values: `{":v":{"S":"active"}}`, want: true},
		{expr: "#m.#a = :v", names: map[string]string{"#m": "m", "#a": "a"}, values: `{":v":{"N":"1"}}`, want: true},
		{expr: "ok = :t AND nul = :n", values: `{":t":{"BOOL":true},":n":{"NULL":true}}`, want: true},
		{expr: "tags = :v", values: `{":v":{"SS":["blue","red"]}}`, want: true},
		{expr: "m = :v", values: `{":v":{"M":{"a":{"N":"1"}}}}`, want: false},
		{expr: "NOT n = :v", values: `{":v":{"N":"5"}}`, want: false},
		{expr: "n = :a OR n = :b AND n = :c", values: `{":a":{"N":"5"},":b":{"N":"1"},":c":{"N":"2"}}`, want: true},
		{expr: "(n = :a OR n = :b) AND n = :c", values: `{":a":{"N":"5"},":b":{"N":"1"},":c":{"N":"2"}}`, want: false},
		{expr: "NOT (n = :a AND n = :b)", values: `{":a":{"N":"5"},":b":{"N":"1"}}`, want: true},
		{expr: "NOT NOT attribute_exists(id)", want: true},
		{expr: "(n) = :v", values: `{":v":{"N":"5"}}`, want: true},
		{expr: "n = (:v)", values: `{":v":{"N":"5"}}`, want: true},
		{expr: ":a = :b", values: `{":a":{"N":"5"},":b":{"N":"5"}}`, want: true},
		{expr: "attribute_not_exists(id) OR id <> :v", values: `{":v":{"S":"abc"}}`, want: false},
		{expr: "\tn\n=\r:v ", values: `{":v":{"N":"5"}}`, want: true},
	}
	it := item(t, sample)
	for _, tc := range tests {
		p, err := expr.NewParams(tc.names, values(t, tc.values))
		if err != nil {
			t.Fatalf("NewParams: %v", err)
		}
		c, err := expr.ParseCondition(tc.expr, p)
		if err != nil {
			t.Errorf("ParseCondition(%q) error = %v", tc.expr, err)
			continue
		}
		if err := p.CheckUnused(); err != nil {
			t.Errorf("ParseCondition(%q): CheckUnused = %v", tc.expr, err)
		}
		if got := c.Eval(it); got != tc.want {
			t.Errorf("ParseCondition(%q).Eval(sample) = %v; want %v", tc.expr, got, tc.want)
		}
	}
}

func TestConditionEvalMissingItem(t *testing.T) {
	p := expr.MustParams(nil, values(t, `{":v":{"S":"x"}}`))
	c, err := expr.ParseCondition("attribute_not_exists(id) AND NOT contains(a, :v)", p)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Eval(nil) {
		t.Errorf("Eval(nil) = false; want true")
	}
}

func TestConditionErrors(t *testing.T) {
	const pre = "Invalid ConditionExpression: "
	tests := []struct {
		expr   string
		names  map[string]string
		values string
		want   string
	}{
		{expr: "", want: pre + "The expression can not be empty;"},
		{expr: "a", want: pre + `Syntax error; token: "<EOF>", near: "a"`},
		{expr: "a =", want: pre + `Syntax error; token: "<EOF>", near: "="`},
		{expr: "a = :v extra", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "extra", near: ":v extra"`},
		{expr: "a = = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "=", near: "= = :v"`},
		{expr: "attribute_type()", want: pre + `Syntax error; token: ")", near: "()"`},
		{expr: "a = :v AND", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "<EOF>", near: "AND"`},
		{expr: "a = $", want: pre + `Syntax error; token: "$", near: "= $"`},
		{expr: "a = # AND b", want: pre + `Syntax error; token: "#", near: "= # AND"`},
		{expr: "a[x] = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "x", near: "[x]"`},
		{expr: "and = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "and", near: "and ="`},
		{expr: "a BETWEEN :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "<EOF>", near: ":v"`},
		{expr: "status = :v", values: `{":v":{"S":"x"}}`, want: pre + "Attribute name is a reserved keyword; reserved keyword: status"},
		{expr: "a.Size = :v", values: `{":v":{"S":"x"}}`, want: pre + "Attribute name is a reserved keyword; reserved keyword: Size"},
		{expr: "a = :nope", want: pre + "An expression attribute value used in expression is not defined; attribute value: :nope"},
		{expr: "#nope = :v", values: `{":v":{"S":"x"}}`, want: pre + "An expression attribute name used in the document path is not defined; attribute name: #nope"},
		{expr: "foo(a)", want: pre + "Invalid function name; function: foo"},
		{expr: "if_not_exists(a, a) = :v", values: `{":v":{"N":"1"}}`, want: pre + "The function is not allowed to be used this way in an expression; function: if_not_exists"},
		{expr: "list_append(a, a) = :v", values: `{":v":{"N":"1"}}`, want: pre + "The function is not allowed to be used this way in an expression; function: list_append"},
		{expr: "attribute_exists(a) < :v", values: `{":v":{"N":"1"}}`, want: pre + "The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{expr: "size(a)", want: pre + "The function is not allowed to be used this way in an expression; function: size"},
		{expr: "begins_with(a, :v) = :v", values: `{":v":{"S":"x"}}`, want: pre + "The function is not allowed to be used this way in an expression; function: begins_with"},
		{expr: "attribute_exists(a, b)", want: pre + "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{expr: "size(a, b) > :v", values: `{":v":{"N":"1"}}`, want: pre + "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{expr: "attribute_exists(:v)", values: `{":v":{"N":"1"}}`, want: pre + "Operator or function requires a document path; operator or function: attribute_exists"},
		{expr: "begins_with(a, :v)", values: `{":v":{"N":"1"}}`, want: pre + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{expr: "attribute_type(a, :v)", values: `{":v":{"N":"1"}}`, want: pre + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{expr: "attribute_type(a, :v)", values: `{":v":{"S":"X"}}`, want: pre + "Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{expr: "size(:v) > :v", values: `{":v":{"N":"1"}}`, want: pre + "Incorrect operand type for operator or function; operator or function: size, operand type: N"},
		{expr: "a = a", want: pre + "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{expr: "contains(a.b[1], a.b[1])", want: pre + "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a, b, [1]]"},
		{expr: "a BETWEEN :a AND :b", values: `{":a":{"N":"1"},":b":{"S":"x"}}`, want: pre + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"},
		{expr: "a BETWEEN :a AND :b", values: `{":a":{"N":"10"},":b":{"N":"9"}}`, want: pre + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:9}"},
		{expr: "a-b", want: pre + `Syntax error; token: "-", near: "a-b"`},
		{expr: "attribute_exists(car_id) AND NOT #h", names: map[string]string{"#h": "h"}, want: pre + `Syntax error; token: "<EOF>", near: "#h"`},
		{expr: "_a = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "_", near: "_a"`},
		{expr: "a < :v", values: `{":v":{"L":[]}}`, want: pre + "Incorrect operand type for operator or function; operator or function: <, operand type: L"},
		{expr: "a BETWEEN :v AND :w", values: `{":v":{"BOOL":true},":w":{"BOOL":true}}`, want: pre + "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"},
		{expr: "((a = :v))", values: `{":v":{"N":"1"}}`, want: pre + "The expression has redundant parentheses;"},
		{expr: "a = ((:v))", values: `{":v":{"N":"1"}}`, want: pre + "The expression has redundant parentheses;"},
		// Priority: redundant parentheses beat an unknown function, which beats a reserved word.
		{expr: "((status = :v)) AND foo(a)", want: pre + "The expression has redundant parentheses;"},
		{expr: "status = :nope AND foo(a)", want: pre + "Invalid function name; function: foo"},
		{expr: "status = :nope", want: pre + "Attribute name is a reserved keyword; reserved keyword: status"},
	}
	for _, tc := range tests {
		p, err := expr.NewParams(tc.names, values(t, tc.values))
		if err != nil {
			t.Fatalf("NewParams: %v", err)
		}
		_, err = expr.ParseCondition(tc.expr, p)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseCondition(%q) error = %v; want %s", tc.expr, err, tc.want)
		}
	}
}

func TestFilterPrefix(t *testing.T) {
	_, err := expr.ParseFilter("a =", nil)
	if want := `Invalid FilterExpression: Syntax error; token: "<EOF>", near: "="`; err == nil || err.Error() != want {
		t.Errorf("ParseFilter(%q) error = %v; want %s", "a =", err, want)
	}
}

func TestParams(t *testing.T) {
	tests := []struct {
		name   string
		names  map[string]string
		values string
		exprs  []string
		want   string
	}{
		{name: "empty names", names: map[string]string{}, want: "ExpressionAttributeNames must not be empty"},
		{name: "empty values", values: `{}`, want: "ExpressionAttributeValues must not be empty"},
		{name: "bad name key", names: map[string]string{"x": "y"}, want: `ExpressionAttributeNames contains invalid key: Syntax error; key: "x"`},
		{name: "bad value key", values: `{":a-b":{"S":"x"}}`, want: `ExpressionAttributeValues contains invalid key: Syntax error; key: ":a-b"`},
		{name: "unused value", values: `{":a":{"S":"x"},":x":{"S":"y"},":w":{"S":"y"}}`, exprs: []string{"a = :a"}, want: "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w, :x}"},
		{name: "unused name first", names: map[string]string{"#x": "x"}, values: `{":x":{"S":"y"}}`, exprs: []string{"attribute_exists(a)"}, want: "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"},
		{name: "used across expressions", names: map[string]string{"#x": "x"}, values: `{":x":{"S":"y"}}`, exprs: []string{"#x = :a", "b = :x"}, want: ""},
	}
	for _, tc := range tests {
		var vals = values(t, tc.values)
		if tc.values == "{}" {
			vals = map[string]attr.Value{}
		}
		p, err := expr.NewParams(tc.names, vals)
		if err == nil {
			for _, e := range tc.exprs {
				expr.ParseCondition(e, p)
			}
			err = p.CheckUnused()
		}
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: error = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestExpressionSizeLimit(t *testing.T) {
	long := "a = :v OR " + strings.Repeat("a = :v OR ", 409) + "a = :v"
	_, err := expr.ParseFilter(long, expr.MustParams(nil, values(t, `{":v":{"N":"1"}}`)))
	if want := "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: " + strconv.Itoa(len(long)); err == nil || err.Error() != want {
		t.Errorf("ParseFilter(%d bytes) error = %v; want %s", len(long), err, want)
	}
	ok := long[:4096-6] + "a = :v"
	ok = ok[:strings.LastIndex(ok[:len(ok)-6], " OR ")] + " OR a = :v"
	if _, err := expr.ParseFilter(ok, expr.MustParams(nil, values(t, `{":v":{"N":"1"}}`))); err != nil || len(ok) > 4096 {
		t.Errorf("ParseFilter(%d bytes) error = %v", len(ok), err)
	}
}

func TestConditionInLimit(t *testing.T) {
	vals := map[string]attr.Value{}
	refs := ""
	for i := range 101 {
		k := ":v" + strconv.Itoa(i)
		vals[k] = attr.MustN(strconv.Itoa(i))
		if i > 0 {
			refs += ", "
		}
		refs += k
	}
	_, err := expr.ParseCondition("a IN ("+refs+")", expr.MustParams(nil, vals))
	if want := "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"; err == nil || err.Error() != want {
		t.Errorf("IN with 101 operands error = %v; want %s", err, want)
	}
	delete(vals, ":v100")
	if _, err := expr.ParseCondition("a IN ("+refs[:len(refs)-len(", :v100")]+")", expr.MustParams(nil, vals)); err != nil {
		t.Errorf("IN with 100 operands error = %v", err)
	}
}

func TestConditionAttributes(t *testing.T) {
	c, err := expr.ParseCondition("a.b = :v AND (size(c) > :v OR NOT begins_with(#d, :s)) AND a IN (e, :v)",
		expr.MustParams(map[string]string{"#d": "d"}, values(t, `{":v":{"N":"1"},":s":{"S":"x"}}`)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(c.Attributes(), ","), "a,c,d,e"; got != want {
		t.Errorf("Attributes() = %s; want %s", got, want)
	}
}
