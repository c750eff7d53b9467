package iam_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"tenkai/internal/edge"
	"tenkai/internal/iam"
)

func TestEscapeDocument(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": 1}`, "%7B%22a%22%3A%201%7D"},
		{"AZaz09-._~", "AZaz09-._~"},
		{"a+b/c", "a%2Bb%2Fc"},
		{"é\n", "%C3%A9%0A"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := iam.EscapeDocument(tc.in); got != tc.want {
			t.Errorf("EscapeDocument(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestCheckPolicy(t *testing.T) {
	tests := []struct {
		name, doc, wantMsg string // wantMsg "" means valid
	}{
		{"statement list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, ""},
		{"single statement", `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, ""},
		{"not action, not resource", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::x"}}`, ""},
		{"principal", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "Policy document should not specify a principal."},
		{"no resource", `{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, "Policy statement must contain resources."},
		{"no action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Policy statement must contain actions."},
		{"old version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, ""},
		{"invalid json", `{"Statement":[`, "This policy contains invalid Json"},
		{"trailing garbage", `{"Statement":[]} x`, "This policy contains invalid Json"},
		{"array", `[1,2]`, "Syntax errors in policy."},
		{"no statement", `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
		{"empty statements", `{"Statement":[]}`, "Syntax errors in policy."},
		{"bad effect", `{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`, "Syntax errors in policy."},
		{"statement not object", `{"Statement":["x"]}`, "Syntax errors in policy."},
		{"bad version", `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "The policy failed legacy parsing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := iam.CheckPolicy(tc.doc)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("CheckPolicy(%s) = %v; want nil", tc.doc, err)
				}
				return
			}
			var e *edge.Error
			if !errors.As(err, &e) || e.Code != "MalformedPolicyDocument" || e.Message != tc.wantMsg {
				t.Fatalf("CheckPolicy(%s) = %v; want MalformedPolicyDocument %q", tc.doc, err, tc.wantMsg)
			}
		})
	}
}

func TestCheckTrustPolicy(t *testing.T) {
	tests := []struct {
		name, doc, wantMsg string
	}{
		{"service", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},
		{"web identity", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x:aud":"y"}}}]}`, ""},
		{"resource", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`, "Has prohibited field Resource"},
		{"no principal", `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "Missing required field Principal"},
		{"no action", `{"Statement":[{"Effect":"Allow","Principal":"*"}]}`, "Policy statement must contain actions."},
		{"invalid json", `{`, "This policy contains invalid Json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := iam.CheckTrustPolicy(tc.doc)
			var e *edge.Error
			switch {
			case tc.wantMsg == "" && err != nil:
				t.Fatalf("CheckTrustPolicy(%s) = %v; want nil", tc.doc, err)
			case tc.wantMsg != "" && (!errors.As(err, &e) || e.Code != "MalformedPolicyDocument" || e.Message != tc.wantMsg):
				t.Fatalf("CheckTrustPolicy(%s) = %v; want MalformedPolicyDocument %q", tc.doc, err, tc.wantMsg)
			}
		})
	}
}

func FuzzCheckPolicy(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		`{"Statement":{"Effect":"Deny"}}`, `{`, `[]`, `null`, `{"Statement":[null]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, check := range []func(string) error{iam.CheckPolicy, iam.CheckTrustPolicy} {
			err := check(doc)
			var e *edge.Error
			if err != nil && (!errors.As(err, &e) || e.Code != "MalformedPolicyDocument") {
				t.Fatalf("check(%q) = %v; want nil or MalformedPolicyDocument", doc, err)
			}
		}
	})
}

func FuzzEscapeDocument(f *testing.F) {
	for _, s := range []string{`{"a": "b c"}`, "é%+/", "", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		esc := iam.EscapeDocument(doc)
		if strings.Trim(esc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%") != "" {
			t.Fatalf("EscapeDocument(%q) = %q has reserved characters", doc, esc)
		}
		back, err := url.PathUnescape(esc)
		if err != nil || back != doc {
			t.Fatalf("PathUnescape(EscapeDocument(%q)) = %q, %v", doc, back, err)
		}
	})
}

func BenchmarkEscapeDocument(b *testing.B) {
	doc := strings.Repeat(`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"},`, 20)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		_ = iam.EscapeDocument(doc)
	}
}
