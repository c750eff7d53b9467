package attr_test

import (
	"encoding/json"
	"errors"
	"testing"

	"tenkai/internal/dynamodb/attr"
)

func TestDecodeErrors(t *testing.T) {
	const inv = "One or more parameter values were invalid: "
	tests := []struct {
		in, code, msg string
	}{
		{`{}`, attr.CodeValidation, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"X":"a"}`, attr.CodeValidation, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"1"}`, attr.CodeValidation, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"x"}`, attr.CodeValidation, "The parameter cannot be converted to a numeric value: x"},
		{`{"NULL":false}`, attr.CodeValidation, inv + "Null attribute value types must have the value of true"},
		{`{"SS":[]}`, attr.CodeValidation, inv + "An string set  may not be empty"},
		{`{"NS":[]}`, attr.CodeValidation, inv + "An number set  may not be empty"},
		{`{"BS":[]}`, attr.CodeValidation, inv + "Binary sets should not be empty"},
		{`{"SS":["a","a"]}`, attr.CodeValidation, inv + "Input collection [a, a] contains duplicates."},
		{`{"NS":["1","1.0"]}`, attr.CodeValidation, "Input collection contains duplicates"},
		{`{"BS":["Yg==","Yg=="]}`, attr.CodeValidation, inv + "Input collection [Yg==, Yg==]of type BS contains duplicates."},
		{`{"NS":["1","x"]}`, attr.CodeValidation, "The parameter cannot be converted to a numeric value: x"},
		{`{"N":""}`, attr.CodeValidation, "The parameter cannot be converted to a numeric value"},
		{`{"N":"1e200"}`, attr.CodeValidation, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{`{"M":{"a":{"SS":[]}}}`, attr.CodeValidation, inv + "An string set  may not be empty"},
		{`{"L":[{"N":"1"},{}]}`, attr.CodeValidation, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":1}`, attr.CodeSerialization, "NUMBER_VALUE cannot be converted to String"},
		{`{"B":"abc"}`, attr.CodeSerialization, "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
		{`{"B":"ab!d"}`, attr.CodeSerialization, "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{`{"L":{}}`, attr.CodeSerialization, "Start of structure or map found where not expected."},
		{`{"M":[]}`, attr.CodeSerialization, "Start of list found where not expected"},
	}
	for _, tc := range tests {
		_, err := attr.Decode([]byte(tc.in))
		var ae *attr.Error
		if !errors.As(err, &ae) || ae.Code != tc.code || ae.Message != tc.msg {
			t.Errorf("Decode(%s) error = %#v; want %s %q", tc.in, err, tc.code, tc.msg)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`{"S":"x\"y\n"}`, `{"S":"x\"y\n"}`},
		{`{"S":""}`, `{"S":""}`},
		{`{"N":"1.0"}`, `{"N":"1"}`},
		{`{"B":"AAEC"}`, `{"B":"AAEC"}`},
		{`{"BOOL":false}`, `{"BOOL":false}`},
		{`{"NULL":true}`, `{"NULL":true}`},
		{`{"M":{"b":{"N":"2"},"a":{"L":[]}}}`, `{"M":{"a":{"L":[]},"b":{"N":"2"}}}`},
		{`{"L":[{"S":"a"},{"NS":["1.50","2"]}]}`, `{"L":[{"S":"a"},{"NS":["1.5","2"]}]}`},
		{`{"SS":["b","a",""]}`, `{"SS":["b","a",""]}`},
		{`{"BS":["AA==","AQ=="]}`, `{"BS":["AA==","AQ=="]}`},
		{`{"S":"a","N":null}`, `{"S":"a"}`},
	}
	for _, tc := range tests {
		var v attr.Value
		if err := json.Unmarshal([]byte(tc.in), &v); err != nil {
			t.Errorf("Unmarshal(%s) error = %v", tc.in, err)
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != tc.want {
			t.Errorf("Marshal(Unmarshal(%s)) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestItemJSON(t *testing.T) {
	var it attr.Item
	if err := json.Unmarshal([]byte(`{"id":{"S":"a"},"n":{"N":"-0.50"}}`), &it); err != nil {
		t.Fatalf("Unmarshal item: %v", err)
	}
	if got := it["n"].Num(); got != "-0.5" {
		t.Errorf(`it["n"].Num() = %q; want "-0.5"`, got)
	}
	out, _ := json.Marshal(it)
	if want := `{"id":{"S":"a"},"n":{"N":"-0.5"}}`; string(out) != want {
		t.Errorf("Marshal(item) = %s; want %s", out, want)
	}
	err := json.Unmarshal([]byte(`{"id":null}`), &it)
	if err == nil || err.Error() != "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes" {
		t.Errorf("Unmarshal null attribute error = %v", err)
	}
}

func TestEqual(t *testing.T) {
	ss1, _ := attr.NS("1", "2", "3")
	ss2, _ := attr.NS("3.0", "1", "2")
	tests := []struct {
		name string
		a, b attr.Value
		want bool
	}{
		{"numbers", attr.MustN("1.0"), attr.MustN("1"), true},
		{"sets unordered", ss1, ss2, true},
		{"S vs N", attr.S("1"), attr.MustN("1"), false},
		{"lists ordered", attr.L(attr.S("a"), attr.S("b")), attr.L(attr.S("b"), attr.S("a")), false},
		{"maps", attr.M(map[string]attr.Value{"a": attr.Null()}), attr.M(map[string]attr.Value{"a": attr.Null()}), true},
		{"bool", attr.Bool(true), attr.Bool(false), false},
	}
	for _, tc := range tests {
		if got := attr.Equal(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: Equal(%v, %v) = %v; want %v", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		name string
		v    attr.Value
		want int
	}{
		{"string", attr.S("héllo"), 6},
		{"binary", attr.B([]byte{1, 2, 3}), 3},
		{"number 1 digit", attr.MustN("7"), 2},
		{"number 4 digits", attr.MustN("12.34"), 3},
		{"number 5 digits negative", attr.MustN("-123.45"), 5},
		{"number trailing zeros", attr.MustN("1000000"), 2},
		{"zero", attr.MustN("0"), 1},
		{"bool", attr.Bool(true), 1},
		{"null", attr.Null(), 1},
		{"empty list", attr.L(), 3},
		{"list", attr.L(attr.S("ab"), attr.Bool(true)), 3 + 1 + 2 + 1 + 1},
		{"map", attr.M(map[string]attr.Value{"ab": attr.S("xyz")}), 3 + 1 + 2 + 3},
		{"string set", attr.SS("a", "bc"), 3},
	}
	for _, tc := range tests {
		if got := attr.Size(tc.v); got != tc.want {
			t.Errorf("%s: Size(%v) = %d; want %d", tc.name, tc.v, got, tc.want)
		}
	}
	it := attr.Item{"id": attr.S("abc"), "n": attr.MustN("12")}
	if got, want := attr.ItemSize(it), 2+3+1+2; got != want {
		t.Errorf("ItemSize(%v) = %d; want %d", it, got, want)
	}
}

func TestDecodeNesting(t *testing.T) {
	nest := func(n int) string {
		s := `{"S":"x"}`
		for range n {
			s = `{"L":[` + s + `]}`
		}
		return s
	}
	if _, err := attr.Decode([]byte(nest(32))); err != nil {
		t.Errorf("Decode(32 levels) error = %v", err)
	}
	_, err := attr.Decode([]byte(nest(33)))
	if want := "Nesting Levels have exceeded supported limits"; err == nil || err.Error() != want {
		t.Errorf("Decode(33 levels) error = %v; want %s", err, want)
	}
}

func TestValidate(t *testing.T) {
	const inv = "One or more parameter values were invalid: "
	tests := []struct {
		name string
		v    attr.Value
		want string
	}{
		{"zero", attr.Value{}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{"empty SS", attr.SS(), inv + "An string set  may not be empty"},
		{"empty BS", attr.BS(), inv + "Binary sets should not be empty"},
		{"dup SS", attr.SS("a", "a"), inv + "Input collection [a, a] contains duplicates."},
		{"dup BS", attr.BS([]byte("b"), []byte("b")), inv + "Input collection [Yg==, Yg==]of type BS contains duplicates."},
		{"nested", attr.L(attr.M(map[string]attr.Value{"x": attr.SS()})), inv + "An string set  may not be empty"},
		{"ok", attr.L(attr.SS("a", "b"), attr.Null()), ""},
	}
	for _, tc := range tests {
		err := tc.v.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: Validate() = %q; want %q", tc.name, got, tc.want)
		}
	}
}
