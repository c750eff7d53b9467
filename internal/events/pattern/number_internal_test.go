package pattern

import "testing"

func TestParseMicros(t *testing.T) {
	tests := []struct {
		lit  string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-0", 0, true},
		{"1", 1_000_000, true},
		{"100", 100_000_000, true},
		{"1e2", 100_000_000, true},
		{"1E+2", 100_000_000, true},
		{"3.0e2", 300_000_000, true},
		{"3.018e2", 301_800_000, true},
		{"0.000001", 1, true},
		{"1e-6", 1, true},
		{"0.0000001", 0, true},   // beyond six decimals
		{"-0.0000001", -1, true}, // rounded toward negative infinity
		{"-3.5", -3_500_000, true},
		{"5e9", 5_000_000_000_000_000, true},
		{"-5e9", -5_000_000_000_000_000, true},
		{"5000000000.000001", 0, false},
		{"5.1e9", 0, false},
		{"123456789012", 0, false},
		{"1e400", 0, false},
		{"1e-400", 0, true},
		{"0.10000000000000000000000000000000000000000000001", 100_000, true},
		{"00012", 12_000_000, true}, // not JSON, but only JSON reaches here
		{"", 0, false},
		{"-", 0, false},
		{"1.", 0, false},
		{"1e", 0, false},
		{"abc", 0, false},
		{"1x", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseMicros(tc.lit)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseMicros(%q) = %d, %v; want %d, %v", tc.lit, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWildcard(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true},
		{"*", "abc", true},
		{"a*", "a", true},
		{"*a", "ba", true},
		{"*a", "ab", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"*ab*ab*", "abab", true},
		{"*ab*ab*", "aab", false},
		{"x*y*z", "xyz", true},
		{"x*y*z", "xzy", false},
		{"abc", "abc", true},
		{"abc", "abcd", false},
	}
	for _, tc := range tests {
		w, msg := parseWildcard(tc.pat)
		if msg != "" {
			t.Fatalf("parseWildcard(%q): %s", tc.pat, msg)
		}
		if got := w.match(tc.s); got != tc.want {
			t.Errorf("wildcard %q match(%q) = %v; want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Hello", "hELLO"},
		{"ÉCOLE", "école"},
		{"straße", "STRAßE"},
		{"K", "\u212a"}, // Kelvin sign folds with K
	}
	for _, tc := range tests {
		if fold(tc.a) != fold(tc.b) {
			t.Errorf("fold(%q) = %q, fold(%q) = %q; want equal", tc.a, fold(tc.a), tc.b, fold(tc.b))
		}
	}
	if fold("a") == fold("b") {
		t.Error(`fold("a") == fold("b")`)
	}
}

func TestConsistencyBudget(t *testing.T) {
	// Many elements with no compatible pair must end quickly.
	src := []byte(`{"a":[` + repeat(`{"x":1},{"y":1},`, 400) + `{"z":1}]}`)
	ev, err := ParseEvent(src)
	if err != nil {
		t.Fatal(err)
	}
	p := MustCompile(`{"a":{"x":[1],"y":[1],"z":[1]}}`)
	p.MatchEvent(ev) // must return; the answer past the budget is unspecified
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}
