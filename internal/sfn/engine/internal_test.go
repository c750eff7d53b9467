package engine

import "testing"

func TestSplitResource(t *testing.T) {
	tests := []struct {
		arn        string
		kind       int
		rtype, res string
	}{
		{"arn:aws:states:::lambda:invoke", kindService, "lambda", "invoke"},
		{"arn:aws:states:::lambda:invoke.waitForTaskToken", kindService, "lambda", "invoke.waitForTaskToken"},
		{"arn:aws:states:::aws-sdk:s3:listBuckets", kindService, "aws-sdk:s3", "listBuckets"},
		{"arn:aws:states:::states:startExecution.sync:2", kindService, "states", "startExecution.sync:2"},
		{"arn:aws:states:::dynamodb:putItem", kindService, "dynamodb", "putItem"},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", kindLambda, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f"},
		{"arn:aws:states:us-east-1:123456789012:activity:a", kindActivity, "activity", "arn:aws:states:us-east-1:123456789012:activity:a"},
		{"arn:aws:states:::http:invoke", kindService, "http", "invoke"},
		{"junk", kindService, "", "junk"},
	}
	for _, tc := range tests {
		k, rt, r := splitResource(tc.arn)
		if k != tc.kind || rt != tc.rtype || r != tc.res {
			t.Errorf("splitResource(%q) = %d, %q, %q; want %d, %q, %q", tc.arn, k, rt, r, tc.kind, tc.rtype, tc.res)
		}
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		equals []string
		name   string
		want   bool
	}{
		{[]string{"States.ALL"}, "Custom", true},
		{[]string{"States.ALL"}, "States.Runtime", false},
		{[]string{"States.ALL"}, "States.DataLimitExceeded", false},
		{[]string{"States.DataLimitExceeded"}, "States.DataLimitExceeded", true},
		{[]string{"States.Runtime"}, "States.Runtime", false},
		{[]string{"States.TaskFailed"}, "Lambda.Unknown", true},
		{[]string{"States.TaskFailed"}, "States.Timeout", false},
		{[]string{"States.Timeout"}, "States.Timeout", true},
		{[]string{"A", "B"}, "B", true},
		{[]string{"A"}, "a", false},
	}
	for _, tc := range tests {
		if got := matches(tc.equals, tc.name); got != tc.want {
			t.Errorf("matches(%v, %q) = %v; want %v", tc.equals, tc.name, got, tc.want)
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{map[string]any{"b": 1.5, "a": []any{nil, true, "x<y>&"}}, `{"a":[null,true,"x<y>&"],"b":1.5}`},
		{"q\"\\\n\t\x01\u2028é", `"q\"\\\n\t\u0001\u2028é"`},
		{int64(-3), `-3`},
		{1e21, `1e+21`},
		{100.0, `100`},
		{0.000001, `0.000001`},
		{map[string]any{}, `{}`},
		{[]any{}, `[]`},
		{"\xff", `"\ufffd"`},
	}
	for _, tc := range tests {
		if got := encode(tc.in); got != tc.want {
			t.Errorf("encode(%#v) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a*c", "ac", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\\*`, `a\bc`, true},
		{"abc", "abc", true},
		{"ab*ab", "ab", false},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v; want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
