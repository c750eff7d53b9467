package expr_test

import (
	"testing"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
)

const updItem = `{"id":{"S":"k"},"n":{"N":"5"},"s":{"S":"x"},
 "l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]},
 "m":{"M":{"a":{"N":"1"},"deep":{"M":{"b":{"S":"y"}}}}},
 "tags":{"SS":["a","b"]},"nums":{"NS":["1","2"]}}`

func TestUpdateApply(t *testing.T) {
	tests := []struct {
		name   string
		expr   string
		names  map[string]string
		values string
		in     string // item; "" means no item
		want   string // resulting item
	}{
		{name: "set new", expr: "SET z = :v", values: `{":v":{"S":"new"}}`, in: `{"id":{"S":"k"}}`, want: `{"id":{"S":"k"},"z":{"S":"new"}}`},
		{name: "set on missing item", expr: "SET z = :v", values: `{":v":{"N":"1"}}`, want: `{"z":{"N":"1"}}`},
		{name: "set replace", expr: "SET s = :v", values: `{":v":{"N":"1"}}`, in: `{"s":{"S":"x"}}`, want: `{"s":{"N":"1"}}`},
		{name: "increment", expr: "SET n = n + :one", values: `{":one":{"N":"1"}}`, in: `{"n":{"N":"5"}}`, want: `{"n":{"N":"6"}}`},
		{name: "decrement", expr: "SET n = n - :d", values: `{":d":{"N":"7.5"}}`, in: `{"n":{"N":"5"}}`, want: `{"n":{"N":"-2.5"}}`},
		{name: "values use old item", expr: "SET a = b, b = a", in: `{"a":{"N":"1"},"b":{"N":"2"}}`, want: `{"a":{"N":"2"},"b":{"N":"1"}}`},
		{name: "if_not_exists absent", expr: "SET c = if_not_exists(c, :z) + :one", values: `{":z":{"N":"0"},":one":{"N":"1"}}`, in: `{}`, want: `{"c":{"N":"1"}}`},
		{name: "if_not_exists present", expr: "SET c = if_not_exists(c, :z)", values: `{":z":{"N":"0"}}`, in: `{"c":{"N":"9"}}`, want: `{"c":{"N":"9"}}`},
		{name: "list_append", expr: "SET l = list_append(l, :v)", values: `{":v":{"L":[{"S":"x"}]}}`, in: `{"l":{"L":[{"N":"1"}]}}`, want: `{"l":{"L":[{"N":"1"},{"S":"x"}]}}`},
		{name: "list_append prepend", expr: "SET l = list_append(:v, l)", values: `{":v":{"L":[{"S":"x"}]}}`, in: `{"l":{"L":[{"N":"1"}]}}`, want: `{"l":{"L":[{"S":"x"},{"N":"1"}]}}`},
		{name: "list_append if_not_exists", expr: "SET l = list_append(if_not_exists(l, :e), :v)", values: `{":v":{"L":[{"S":"x"}]},":e":{"L":[]}}`, in: `{}`, want: `{"l":{"L":[{"S":"x"}]}}`},
		{name: "nested map set", expr: "SET m.deep.c = :v", values: `{":v":{"S":"z"}}`, in: `{"m":{"M":{"deep":{"M":{}}}}}`, want: `{"m":{"M":{"deep":{"M":{"c":{"S":"z"}}}}}}`},
		{name: "list index set", expr: "SET l[1] = :v", values: `{":v":{"S":"z"}}`, in: `{"l":{"L":[{"N":"0"},{"N":"1"}]}}`, want: `{"l":{"L":[{"N":"0"},{"S":"z"}]}}`},
		{name: "list index past end appends", expr: "SET l[10] = :v", values: `{":v":{"S":"z"}}`, in: `{"l":{"L":[{"N":"0"}]}}`, want: `{"l":{"L":[{"N":"0"},{"S":"z"}]}}`},
		{name: "names", expr: "SET #s = :v", names: map[string]string{"#s": "status"}, values: `{":v":{"S":"on"}}`, in: `{}`, want: `{"status":{"S":"on"}}`},
		{name: "remove", expr: "REMOVE s, gone", in: `{"s":{"S":"x"},"t":{"S":"y"}}`, want: `{"t":{"S":"y"}}`},
		{name: "remove nested", expr: "REMOVE m.a", in: `{"m":{"M":{"a":{"N":"1"},"b":{"N":"2"}}}}`, want: `{"m":{"M":{"b":{"N":"2"}}}}`},
		{name: "remove list elements shift", expr: "REMOVE l[0], l[2]", in: `{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]}}`, want: `{"l":{"L":[{"N":"1"},{"N":"3"}]}}`},
		{name: "remove missing key of a map", expr: "REMOVE m.zz", in: `{"m":{"M":{"a":{"N":"1"}}}}`, want: `{"m":{"M":{"a":{"N":"1"}}}}`},
		{name: "remove index past end", expr: "REMOVE l[9]", in: `{"l":{"L":[{"N":"0"}]}}`, want: `{"l":{"L":[{"N":"0"}]}}`},
		{name: "add number", expr: "ADD n :v", values: `{":v":{"N":"2"}}`, in: `{"n":{"N":"5"}}`, want: `{"n":{"N":"7"}}`},
		{name: "add number new", expr: "ADD n :v", values: `{":v":{"N":"2"}}`, in: `{}`, want: `{"n":{"N":"2"}}`},
		{name: "add set", expr: "ADD tags :v", values: `{":v":{"SS":["b","c"]}}`, in: `{"tags":{"SS":["a","b"]}}`, want: `{"tags":{"SS":["a","b","c"]}}`},
		{name: "add set new", expr: "ADD nums :v", values: `{":v":{"NS":["3"]}}`, in: `{}`, want: `{"nums":{"NS":["3"]}}`},
		{name: "delete from set", expr: "DELETE tags :v", values: `{":v":{"SS":["a","z"]}}`, in: `{"tags":{"SS":["a","b"]}}`, want: `{"tags":{"SS":["b"]}}`},
		{name: "delete last member removes", expr: "DELETE tags :v", values: `{":v":{"SS":["a","b"]}}`, in: `{"tags":{"SS":["a","b"]}}`, want: `{}`},
		{name: "delete from missing", expr: "DELETE tags :v", values: `{":v":{"SS":["a"]}}`, in: `{}`, want: `{}`},
		{name: "all sections", expr: "SET a = :a REMOVE b ADD c :c DELETE d :d", values: `{":a":{"N":"1"},":c":{"N":"1"},":d":{"NS":["1"]}}`, in: `{"b":{"N":"1"},"d":{"NS":["1","2"]}}`, want: `{"a":{"N":"1"},"c":{"N":"1"},"d":{"NS":["2"]}}`},
		{name: "lower case keywords", expr: "set a = :a remove b", values: `{":a":{"N":"1"}}`, in: `{"b":{"N":"1"}}`, want: `{"a":{"N":"1"}}`},
		{name: "parenthesised sum", expr: "SET a = (:a + :a)", values: `{":a":{"N":"1"}}`, in: `{}`, want: `{"a":{"N":"2"}}`},
		{name: "parenthesised operands", expr: "SET a = (:a) - (b)", values: `{":a":{"N":"1"}}`, in: `{"b":{"N":"3"}}`, want: `{"a":{"N":"-2"},"b":{"N":"3"}}`},
		{name: "appends sorted by index", expr: "SET l[84] = :a, l[37] = :b, l[17] = :c, l[50] = :d", values: `{":a":{"S":"a1"},":b":{"S":"a2"},":c":{"S":"a3"},":d":{"S":"a4"}}`, in: `{"l":{"L":[{"S":"x"}]}}`, want: `{"l":{"L":[{"S":"x"},{"S":"a3"},{"S":"a2"},{"S":"a4"},{"S":"a1"}]}}`},
		{name: "remove and set use original indexes", expr: "REMOVE l[1] SET l[3] = :v", values: `{":v":{"N":"17"}}`, in: `{"l":{"L":[{"N":"2"},{"N":"3"},{"N":"4"},{"N":"5"},{"N":"6"},{"N":"7"}]}}`, want: `{"l":{"L":[{"N":"2"},{"N":"4"},{"N":"17"},{"N":"6"},{"N":"7"}]}}`},
		{name: "remove nested from missing item", expr: "REMOVE x.y, z[0]", want: `{}`},
		{name: "remove only member leaves empty map", expr: "REMOVE m.a", in: `{"m":{"M":{"a":{"N":"1"}}}}`, want: `{"m":{"M":{}}}`},
		{name: "parenthesised value", expr: "SET a = (:a)", values: `{":a":{"N":"1"}}`, in: `{}`, want: `{"a":{"N":"1"}}`},
	}
	for _, tc := range tests {
		p := expr.MustParams(tc.names, values(t, tc.values))
		u, err := expr.ParseUpdate(tc.expr, p)
		if err != nil {
			t.Errorf("%s: ParseUpdate(%q) error = %v", tc.name, tc.expr, err)
			continue
		}
		if err := p.CheckUnused(); err != nil {
			t.Errorf("%s: CheckUnused = %v", tc.name, err)
		}
		in := item(t, tc.in)
		before := itemJSON(in)
		res, err := u.Apply(in)
		if err != nil {
			t.Errorf("%s: Apply(%s) error = %v", tc.name, tc.in, err)
			continue
		}
		if got := itemJSON(res.Item); got != itemJSON(item(t, tc.want)) {
			t.Errorf("%s: %q.Apply(%s) = %s; want %s", tc.name, tc.expr, tc.in, got, tc.want)
		}
		if after := itemJSON(in); after != before {
			t.Errorf("%s: Apply modified its input: %s -> %s", tc.name, before, after)
		}
	}
}

func TestUpdateChanged(t *testing.T) {
	p := expr.MustParams(nil, values(t, `{":v":{"N":"1"}}`))
	u, err := expr.ParseUpdate("SET m.a = :v, n = n + :v REMOVE s", p)
	if err != nil {
		t.Fatal(err)
	}
	old := item(t, updItem)
	res, err := u.Apply(old)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := itemJSON(expr.ProjectPaths(old, res.Changed)), `{"m":{"M":{"a":{"N":"1"}}},"n":{"N":"5"},"s":{"S":"x"}}`; got != want {
		t.Errorf("UPDATED_OLD = %s; want %s", got, want)
	}
	if got, want := itemJSON(expr.ProjectPaths(res.Item, res.Changed)), `{"m":{"M":{"a":{"N":"1"}}},"n":{"N":"6"}}`; got != want {
		t.Errorf("UPDATED_NEW = %s; want %s", got, want)
	}
}

func TestUpdateApplyErrors(t *testing.T) {
	tests := []struct {
		expr   string
		values string
		want   string
	}{
		{expr: "SET z = gone", want: "The provided expression refers to an attribute that does not exist in the item"},
		{expr: "SET z = gone + :v", values: `{":v":{"N":"1"}}`, want: "The provided expression refers to an attribute that does not exist in the item"},
		{expr: "SET z = s + :v", values: `{":v":{"N":"1"}}`, want: "An operand in the update expression has an incorrect data type"},
		{expr: "SET z = list_append(s, :v)", values: `{":v":{"L":[]}}`, want: "An operand in the update expression has an incorrect data type"},
		{expr: "SET gone.a = :v", values: `{":v":{"N":"1"}}`, want: "The document path provided in the update expression is invalid for update"},
		{expr: "SET s.a = :v", values: `{":v":{"N":"1"}}`, want: "The document path provided in the update expression is invalid for update"},
		{expr: "SET m[0] = :v", values: `{":v":{"N":"1"}}`, want: "The document path provided in the update expression is invalid for update"},
		{expr: "SET l[9].a = :v", values: `{":v":{"N":"1"}}`, want: "The document path provided in the update expression is invalid for update"},
		{expr: "REMOVE gone.a", want: "The document path provided in the update expression is invalid for update"},
		{expr: "REMOVE m.zz.a", want: "The document path provided in the update expression is invalid for update"},
		{expr: "REMOVE s.a", want: "The document path provided in the update expression is invalid for update"},
		{expr: "REMOVE l[9].a", want: "The document path provided in the update expression is invalid for update"},
		{expr: "ADD s :v", values: `{":v":{"N":"1"}}`, want: "An operand in the update expression has an incorrect data type"},
		{expr: "ADD tags :v", values: `{":v":{"NS":["1"]}}`, want: "An operand in the update expression has an incorrect data type"},
		{expr: "ADD n :v", values: `{":v":{"SS":["1"]}}`, want: "An operand in the update expression has an incorrect data type"},
		{expr: "DELETE n :v", values: `{":v":{"NS":["1"]}}`, want: "An operand in the update expression has an incorrect data type"},
		{expr: "SET n = :v + :v", values: `{":v":{"N":"9.9999999999999999999999999999999999999E+125"}}`, want: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, tc := range tests {
		u, err := expr.ParseUpdate(tc.expr, expr.MustParams(nil, values(t, tc.values)))
		if err != nil {
			t.Errorf("ParseUpdate(%q) error = %v", tc.expr, err)
			continue
		}
		_, err = u.Apply(item(t, updItem))
		var ae *attr.Error
		if err == nil || err.Error() != tc.want || !asAttrError(err, &ae) || ae.Code != attr.CodeValidation {
			t.Errorf("%q.Apply error = %v; want %s", tc.expr, err, tc.want)
		}
	}
}

func asAttrError(err error, target **attr.Error) bool {
	ae, ok := err.(*attr.Error)
	*target = ae
	return ok
}

func TestUpdateParseErrors(t *testing.T) {
	const pre = "Invalid UpdateExpression: "
	tests := []struct {
		expr   string
		names  map[string]string
		values string
		want   string
	}{
		{expr: "", want: pre + "The expression can not be empty;"},
		{expr: "SET", want: pre + `Syntax error; token: "<EOF>", near: "SET"`},
		{expr: "INVALID SYNTAX HERE", want: pre + `Syntax error; token: "INVALID", near: "INVALID SYNTAX"`},
		{expr: "ADD hits : incr", values: `{":incr":{"N":"1"}}`, want: pre + `Syntax error; token: ":", near: "hits : incr"`},
		{expr: "SET a = :v, #, b = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "#", near: ", #,"`},
		{expr: "SET a = :v + :v + :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "+", near: ":v + :v"`},
		{expr: "REMOVE a = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "=", near: "a = :v"`},
		{expr: "ADD a b", want: pre + `Syntax error; token: "b", near: "a b"`},
		{expr: "SET set = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "set", near: "SET set ="`},
		{expr: "SET status = :v", values: `{":v":{"N":"1"}}`, want: pre + "Attribute name is a reserved keyword; reserved keyword: status"},
		{expr: "SET a = foo(b)", want: pre + "Invalid function name; function: foo"},
		{expr: "SET a = size(b)", want: pre + "The function is not allowed to be used this way in an expression; function: size"},
		{expr: "SET a = if_not_exists(a, :v + :v)", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "+", near: ":v + :v"`},
		{expr: "SET a = list_append(list_append(:l, :l), :l)", values: `{":l":{"L":[]}}`, want: pre + "The function is not allowed to be used this way in an expression; function: list_append"},
		{expr: "SET _123 = :v", values: `{":v":{"N":"1"}}`, want: pre + `Syntax error; token: "_", near: "SET _123"`},
		{expr: "SET a[:x] = :v", values: `{":v":{"N":"1"},":x":{"N":"1"}}`, want: pre + `Syntax error; token: ":x", near: "[:x]"`},
		{expr: "SET :a = :v", values: `{":v":{"N":"1"},":a":{"N":"1"}}`, want: pre + `Syntax error; token: ":a", near: "SET :a ="`},
		{expr: "SET a = :v REMOVE b SET c = :v", values: `{":v":{"N":"1"}}`, want: pre + `The "SET" section can only be used once in an update expression;`},
		{expr: "SET a = :v SET b = :v", values: `{":v":{"N":"1"}}`, want: pre + `The "SET" section can only be used once in an update expression;`},
		{expr: "SET #a = :v", values: `{":v":{"N":"1"}}`, want: pre + "An expression attribute name used in the document path is not defined; attribute name: #a"},
		{expr: "SET a = :v", want: pre + "An expression attribute value used in expression is not defined; attribute value: :v"},
		{expr: "SET a = :v REMOVE a.b", values: `{":v":{"N":"1"}}`, want: pre + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{expr: "SET f = :v, f = :v", values: `{":v":{"N":"1"}}`, want: pre + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [f], path two: [f]"},
		{expr: "SET a.b = :v REMOVE a[1]", values: `{":v":{"N":"1"}}`, want: pre + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"},
		{expr: "SET a[0] = :v, a[1] = :v", values: `{":v":{"N":"1"}}`, want: ""},
		{expr: "ADD a :v", values: `{":v":{"S":"x"}}`, want: pre + "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{expr: "ADD a :v", values: `{":v":{"L":[]}}`, want: pre + "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"},
		{expr: "DELETE a :v", values: `{":v":{"N":"1"}}`, want: pre + "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
		{expr: "SET a = :v + :w", values: `{":v":{"N":"1"},":w":{"S":"x"}}`, want: pre + "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{expr: "SET a = list_append(:v, b)", values: `{":v":{"N":"1"}}`, want: pre + "Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
		{expr: "SET a = if_not_exists(:v, b)", values: `{":v":{"N":"1"}}`, want: pre + "Operator or function requires a document path; operator or function: if_not_exists"},
		{expr: "SET a = if_not_exists(b)", want: pre + "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
		// Priority: a reserved word beats an overlap and an undefined value.
		{expr: "SET a = :nope, a = :nope, b = status", want: pre + "Attribute name is a reserved keyword; reserved keyword: status"},
	}
	for _, tc := range tests {
		_, err := expr.ParseUpdate(tc.expr, expr.MustParams(tc.names, values(t, tc.values)))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("ParseUpdate(%q) error = %q; want %q", tc.expr, got, tc.want)
		}
	}
}

func TestCheckKeyAttributes(t *testing.T) {
	u, err := expr.ParseUpdate("SET a = :v REMOVE sk", expr.MustParams(nil, values(t, `{":v":{"N":"1"}}`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := u.CheckKeyAttributes("pk", "sk"); err == nil || err.Error() != "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key" {
		t.Errorf("CheckKeyAttributes error = %v", err)
	}
	if err := u.CheckKeyAttributes("pk"); err != nil {
		t.Errorf("CheckKeyAttributes(pk) error = %v; want nil", err)
	}
}
