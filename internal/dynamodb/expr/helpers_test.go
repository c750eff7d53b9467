package expr_test

import (
	"encoding/json"
	"testing"

	"tenkai/internal/dynamodb/attr"
)

// item decodes a wire-format item, failing the test on error.
func item(t testing.TB, s string) attr.Item {
	t.Helper()
	if s == "" {
		return nil
	}
	var it attr.Item
	if err := json.Unmarshal([]byte(s), &it); err != nil {
		t.Fatalf("bad test item %s: %v", s, err)
	}
	return it
}

// values decodes a wire-format ExpressionAttributeValues map.
func values(t testing.TB, s string) map[string]attr.Value {
	t.Helper()
	if s == "" {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		t.Fatalf("bad test values %s: %v", s, err)
	}
	out := map[string]attr.Value{}
	for k, r := range raw {
		v, err := attr.Decode(r)
		if err != nil {
			t.Fatalf("bad test value %s: %v", r, err)
		}
		out[k] = v
	}
	return out
}

func itemJSON(it attr.Item) string {
	return string(attr.AppendItemJSON(nil, it))
}
