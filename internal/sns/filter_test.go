package sns_test

import (
	"testing"

	"tenkai/internal/sns"
)

func str(v string) sns.MessageAttribute {
	return sns.MessageAttribute{DataType: "String", StringValue: v}
}
func num(v string) sns.MessageAttribute {
	return sns.MessageAttribute{DataType: "Number", StringValue: v}
}
func arr(v string) sns.MessageAttribute {
	return sns.MessageAttribute{DataType: "String.Array", StringValue: v}
}

func TestFilterAttributes(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		attrs  map[string]sns.MessageAttribute
		want   bool
	}{
		{"exact string", `{"store":["example_corp"]}`, map[string]sns.MessageAttribute{"store": str("example_corp")}, true},
		{"exact string other", `{"store":["example_corp"]}`, map[string]sns.MessageAttribute{"store": str("other")}, false},
		{"missing attribute", `{"store":["example_corp"]}`, nil, false},
		{"string never equals number", `{"n":[5]}`, map[string]sns.MessageAttribute{"n": str("5")}, false},
		{"number exact", `{"n":[5]}`, map[string]sns.MessageAttribute{"n": num("5.0")}, true},
		{"numeric range in", `{"price":[{"numeric":[">",0,"<=",150]}]}`, map[string]sns.MessageAttribute{"price": num("150")}, true},
		{"numeric range out", `{"price":[{"numeric":[">",0,"<=",150]}]}`, map[string]sns.MessageAttribute{"price": num("150.5")}, false},
		{"numeric on a string", `{"price":[{"numeric":[">",0]}]}`, map[string]sns.MessageAttribute{"price": str("10")}, false},
		{"prefix", `{"event":[{"prefix":"order-"}]}`, map[string]sns.MessageAttribute{"event": str("order-created")}, true},
		{"suffix", `{"file":[{"suffix":".png"}]}`, map[string]sns.MessageAttribute{"file": str("a.jpg")}, false},
		{"anything-but", `{"color":[{"anything-but":["red","blue"]}]}`, map[string]sns.MessageAttribute{"color": str("green")}, true},
		{"anything-but hit", `{"color":[{"anything-but":["red","blue"]}]}`, map[string]sns.MessageAttribute{"color": str("red")}, false},
		{"anything-but prefix", `{"color":[{"anything-but":{"prefix":"re"}}]}`, map[string]sns.MessageAttribute{"color": str("red")}, false},
		{"exists false absent", `{"tag":[{"exists":false}]}`, map[string]sns.MessageAttribute{"other": str("x")}, true},
		{"exists true absent", `{"tag":[{"exists":true}]}`, map[string]sns.MessageAttribute{"other": str("x")}, false},
		{"equals-ignore-case", `{"x":[{"equals-ignore-case":"ABC"}]}`, map[string]sns.MessageAttribute{"x": str("aBc")}, true},
		{"string array any element", `{"sports":["rugby"]}`, map[string]sns.MessageAttribute{"sports": arr(`["soccer","rugby"]`)}, true},
		{"string array none", `{"sports":["golf"]}`, map[string]sns.MessageAttribute{"sports": arr(`["soccer","rugby"]`)}, false},
		{"and of keys", `{"a":["1"],"b":["2"]}`, map[string]sns.MessageAttribute{"a": str("1"), "b": str("3")}, false},
		{"or", `{"$or":[{"a":["1"]},{"b":["2"]}]}`, map[string]sns.MessageAttribute{"b": str("2")}, true},
		{"binary ignored", `{"bin":[{"exists":true}]}`, map[string]sns.MessageAttribute{"bin": {DataType: "Binary", BinaryValue: []byte{1}}}, false},
		{"custom number type", `{"n":[{"numeric":["=",3]}]}`, map[string]sns.MessageAttribute{"n": {DataType: "Number.int", StringValue: "3"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := sns.CompileFilter([]byte(tc.policy), "")
			if err != nil {
				t.Fatalf("CompileFilter(%s): %v", tc.policy, err)
			}
			if got := f.Match("body", tc.attrs); got != tc.want {
				t.Errorf("Match(%s, %v) = %v; want %v", tc.policy, tc.attrs, got, tc.want)
			}
		})
	}
}

func TestFilterBody(t *testing.T) {
	tests := []struct {
		name, policy, body string
		want               bool
	}{
		{"nested", `{"order":{"kind":["big"]}}`, `{"order":{"kind":"big","n":1}}`, true},
		{"nested miss", `{"order":{"kind":["big"]}}`, `{"order":{"kind":"small"}}`, false},
		{"not json", `{"a":["1"]}`, `plain text`, false},
		{"numbers in body", `{"n":[{"numeric":[">=",10]}]}`, `{"n":10}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := sns.CompileFilter([]byte(tc.policy), sns.ScopeBody)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(tc.body, nil); got != tc.want {
				t.Errorf("Match(%s, %s) = %v; want %v", tc.policy, tc.body, got, tc.want)
			}
		})
	}
}

func TestFilterInvalid(t *testing.T) {
	tests := []struct{ name, policy, scope string }{
		{"not json", `{`, ""},
		{"not an object", `["a"]`, ""},
		{"empty", `{}`, ""},
		{"scalar value", `{"a":"b"}`, ""},
		{"nested in attributes scope", `{"a":{"b":["c"]}}`, ""},
		{"wildcard is EventBridge only", `{"a":[{"wildcard":"x*"}]}`, ""},
		{"unknown operator", `{"a":[{"between":[1,2]}]}`, ""},
		{"too many keys", `{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}`, ""},
		{"bad numeric", `{"a":[{"numeric":[">"]}]}`, ""},
		{"bad scope", `{"a":["1"]}`, "Everything"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := sns.CompileFilter([]byte(tc.policy), tc.scope); err == nil {
				t.Errorf("CompileFilter(%s, %q) = nil error; want one", tc.policy, tc.scope)
			}
		})
	}
}

func FuzzCompileFilter(f *testing.F) {
	for _, seed := range []string{`{"a":["x"]}`, `{"a":[{"numeric":[">",1]}]}`, `{"$or":[{"a":["1"]},{"b":[{"exists":false}]}]}`,
		`{"a":{"b":[{"prefix":"p"}]}}`, `{"a":[{"anything-but":{"suffix":"s"}}]}`, `{`} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	attrs := map[string]sns.MessageAttribute{"a": str("x"), "b": num("2"), "c": arr(`["x",1]`)}
	f.Fuzz(func(t *testing.T, policy []byte, body bool) {
		scope := sns.ScopeAttributes
		if body {
			scope = sns.ScopeBody
		}
		flt, err := sns.CompileFilter(policy, scope)
		if err != nil {
			return
		}
		flt.Match(`{"a":"x","b":{"c":2}}`, attrs)
	})
}
