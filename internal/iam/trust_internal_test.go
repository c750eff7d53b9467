package iam

import "testing"

func TestTrusts(t *testing.T) {
	const lambda = "lambda.amazonaws.com"
	tests := []struct {
		name, doc string
		want      bool
	}{
		{"service string", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, true},
		{"service list", `{"Statement":{"Effect":"Allow","Principal":{"Service":["states.amazonaws.com","lambda.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}}`, true},
		{"star principal", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"}]}`, true},
		{"aws star", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"STS:assumerole"}]}`, true},
		{"other service", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false},
		{"web identity only", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, false},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false},
		{"garbage", `{`, false},
	}
	for _, tc := range tests {
		if got := trusts(tc.doc, lambda); got != tc.want {
			t.Errorf("trusts(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"sts:*", "sts:assumerole", true},
		{"*", "", true},
		{"sts:assume?ole", "sts:assumerole", true},
		{"sts:assume?ole", "sts:assumeole", false},
		{"s*s:*role", "sts:assumerole", true},
		{"sts:get*", "sts:assumerole", false},
		{"", "", true},
		{"", "x", false},
		{"a*", "a", true},
		{"*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v; want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func FuzzTrusts(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, "sts:*")
	f.Add(`{"Statement":{"Principal":"*","Action":["*"]}}`, "**??**")
	f.Fuzz(func(t *testing.T, doc, pattern string) {
		_ = trusts(doc, "lambda.amazonaws.com")
		_ = wildcardMatch(pattern, "sts:assumerole")
	})
}
