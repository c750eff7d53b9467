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
		{"old version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, ""},
		{"invalid json", `{"Statement":[`, "This policy contains invalid Json"},
		{"trailing garbage", `{"Statement":[]} x`, "This policy contains invalid Json"},
		{"array", `[1,2]`, "Syntax errors in policy."},
		{"no statement", `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
		{"empty statements", `{"Statement":[]}`, "Syntax errors in policy."},
		{"bad effect", `{"Statement":[{"Effect":"allow","Action":"*"}]}`, "Syntax errors in policy."},
		{"statement not object", `{"Statement":["x"]}`, "Syntax errors in policy."},
		{"bad version", `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*"}]}`, "The policy failed legacy parsing"},
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

func FuzzCheckPolicy(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		`{"Statement":{"Effect":"Deny"}}`, `{`, `[]`, `null`, `{"Statement":[null]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		err := iam.CheckPolicy(doc)
		var e *edge.Error
		if err != nil && (!errors.As(err, &e) || e.Code != "MalformedPolicyDocument") {
			t.Fatalf("CheckPolicy(%q) = %v; want nil or MalformedPolicyDocument", doc, err)
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
