package dynamodb_test

import (
	"strings"
	"testing"
)

func TestPartiQL(t *testing.T) {
	s := setupOrders(t)
	call(t, s, "ExecuteStatement", `{"Statement":"INSERT INTO \"orders\" VALUE {'pk': 'a', 'sk': 1, 'n': 5, 'tags': <<'x','y'>>, 'm': {'k': [1, true, null]}}"}`)
	call(t, s, "ExecuteStatement", `{"Statement":"INSERT INTO orders VALUE {'pk': ?, 'sk': ?}","Parameters":[{"S":"a"},{"N":"2"}]}`)
	fail(t, s, "ExecuteStatement", `{"Statement":"INSERT INTO orders VALUE {'pk': 'a', 'sk': 2}"}`, "DuplicateItemException", "Duplicate primary key exists in table")
	tests := []struct{ stmt, params, want string }{
		{`SELECT * FROM \"orders\" WHERE pk = 'a' AND sk = 1`, ``, `[{"m":{"M":{"k":{"L":[{"N":"1"},{"BOOL":true},{"NULL":true}]}}},"n":{"N":"5"},"pk":{"S":"a"},"sk":{"N":"1"},"tags":{"SS":["x","y"]}}]`},
		{`SELECT sk FROM orders WHERE pk = ?`, `,"Parameters":[{"S":"a"}]`, `[{"sk":{"N":"1"}},{"sk":{"N":"2"}}]`},
		{`SELECT sk FROM orders WHERE n IS MISSING`, ``, `[{"sk":{"N":"2"}}]`},
		{`SELECT sk FROM orders WHERE begins_with(pk, 'a') AND sk IN [2, 3]`, ``, `[{"sk":{"N":"2"}}]`},
		{`SELECT m.k[1] FROM orders WHERE pk = 'a' AND sk BETWEEN 0 AND 1`, ``, `[{"m":{"M":{"k":{"L":[{"BOOL":true}]}}}}]`},
	}
	for _, tc := range tests {
		out := call(t, s, "ExecuteStatement", `{"Statement":"`+tc.stmt+`"`+tc.params+`}`)
		if got := jsonOf(out["Items"]); got != tc.want {
			t.Errorf("%s = %s; want %s", tc.stmt, got, tc.want)
		}
	}
	call(t, s, "ExecuteStatement", `{"Statement":"UPDATE orders SET n = ?, x = 'y' REMOVE tags WHERE pk = 'a' AND sk = 1","Parameters":[{"N":"6"}]}`)
	out := call(t, s, "ExecuteStatement", `{"Statement":"SELECT n, x, tags FROM orders WHERE pk = 'a' AND sk = 1"}`)
	if got, want := jsonOf(out["Items"]), `[{"n":{"N":"6"},"x":{"S":"y"}}]`; got != want {
		t.Errorf("after UPDATE = %s; want %s", got, want)
	}
	fail(t, s, "ExecuteStatement", `{"Statement":"UPDATE orders SET n = 1 WHERE pk = 'a'"}`, "ValidationException", "Where clause does not contain a mandatory equality on all key attributes")
	fail(t, s, "ExecuteStatement", `{"Statement":"UPDATE orders SET n = 1 WHERE pk = 'a' AND sk = 9"}`, "ConditionalCheckFailedException", "The conditional request failed")
	fail(t, s, "ExecuteStatement", `{"Statement":"SELECT * FROM orders WHERE pk = ?"}`, "ValidationException", "Number of parameters in request and statement don't match.")
	fail(t, s, "ExecuteStatement", `{"Statement":"SELEC * FROM orders"}`, "ValidationException", "Statement wasn't well formed")
	call(t, s, "ExecuteStatement", `{"Statement":"DELETE FROM orders WHERE pk = 'a' AND sk = 2"}`)
	call(t, s, "ExecuteStatement", `{"Statement":"DELETE FROM orders WHERE pk = 'a' AND sk = 2"}`) // missing: no error
	// Pagination with Limit.
	for i := 0; i < 5; i++ {
		call(t, s, "ExecuteStatement", `{"Statement":"INSERT INTO orders VALUE {'pk': 'p', 'sk': ?}","Parameters":[{"N":"`+string(rune('0'+i))+`"}]}`)
	}
	var got []string
	next := ""
	for i := 0; i < 10; i++ {
		out := call(t, s, "ExecuteStatement", `{"Statement":"SELECT sk FROM orders WHERE pk = 'p'","Limit":2`+next+`}`)
		got = append(got, items(out, "sk")...)
		if out["NextToken"] == nil {
			break
		}
		next = `,"NextToken":"` + out["NextToken"].(string) + `"`
	}
	if strings.Join(got, ",") != "0,1,2,3,4" {
		t.Errorf("paginated SELECT = %v", got)
	}
	out = call(t, s, "BatchExecuteStatement", `{"Statements":[{"Statement":"SELECT * FROM orders WHERE pk = 'p' AND sk = 3"},{"Statement":"SELECT * FROM orders WHERE pk = 'p' AND sk = 99"},{"Statement":"SELECT * FROM orders WHERE pk = 'p'"}]}`)
	if got, want := jsonOf(out["Responses"]), `[{"Item":{"pk":{"S":"p"},"sk":{"N":"3"}},"TableName":"orders"},{"TableName":"orders"},{"Error":{"Code":"ValidationError","Message":"Batch statement does not support non-key lookups: Where clause does not contain a mandatory equality on all key attributes"}}]`; got != want {
		t.Errorf("BatchExecuteStatement = %s; want %s", got, want)
	}
	out = call(t, s, "BatchExecuteStatement", `{"Statements":[{"Statement":"INSERT INTO orders VALUE {'pk': 'p', 'sk': 3}"},{"Statement":"INSERT INTO orders VALUE {'pk': 'p', 'sk': 7}"}]}`)
	if got, want := jsonOf(out["Responses"]), `[{"Error":{"Code":"DuplicateItem","Message":"Duplicate primary key exists in table"}},{"TableName":"orders"}]`; got != want {
		t.Errorf("BatchExecuteStatement writes = %s; want %s", got, want)
	}
}

func FuzzPartiQL(f *testing.F) {
	for _, s := range []string{
		`SELECT * FROM "orders" WHERE pk = 'a' AND sk > 1`,
		`INSERT INTO orders VALUE {'a': <<1, 2>>, 'b': [1, {'c': null}]}`,
		`UPDATE orders SET a.b[1] = ? REMOVE c WHERE pk = 'x' OR NOT (x IS NOT MISSING)`,
		`DELETE FROM orders WHERE pk IN ('a', 'b') AND sk BETWEEN -1.5e3 AND 2`,
		`SELECT a, "b c" FROM orders."bygpk" WHERE contains(a, 'x')`,
	} {
		f.Add(s)
	}
	s := setupOrders(f)
	call(f, s, "ExecuteStatement", `{"Statement":"INSERT INTO orders VALUE {'pk': 'a', 'sk': 1}"}`)
	f.Fuzz(func(t *testing.T, stmt string) {
		b := jsonOf(map[string]any{"Statement": stmt, "Parameters": []any{map[string]string{"S": "a"}}})
		// Must not panic or hang; errors are fine.
		_, _ = s.Call(t.Context(), acct, region, "ExecuteStatement", []byte(b))
	})
}
