package iam

import (
	"strings"
	"testing"
)

func TestParseIAMARN(t *testing.T) {
	tests := []struct {
		arn, kind        string
		acct, path, name string
		ok               bool
	}{
		{"arn:aws:iam::123456789012:role/r", "role", "123456789012", "/", "r", true},
		{"arn:aws:iam::123456789012:role/service-role/a/r", "role", "123456789012", "/service-role/a/", "r", true},
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaRole", "policy", "aws", "/service-role/", "AWSLambdaRole", true},
		{"arn:aws-cn:iam::123456789012:policy/p", "policy", "123456789012", "/", "p", true},
		{"arn:aws:iam::123456789012:role/", "role", "", "", "", false},
		{"arn:aws:iam::123456789012:role/a/", "role", "", "", "", false},
		{"arn:aws:iam::123456789012:policy/p", "role", "", "", "", false},
		{"arn:aws:iam:us-east-1:123456789012:role/r", "role", "", "", "", false},
		{"arn:aws:s3:::bucket", "role", "", "", "", false},
		{"arn:aws:iam:::role/r", "role", "", "", "", false},
		{"role/r", "role", "", "", "", false},
	}
	for _, tc := range tests {
		acct, path, name, ok := parseIAMARN(tc.arn, tc.kind)
		if acct != tc.acct || path != tc.path || name != tc.name || ok != tc.ok {
			t.Errorf("parseIAMARN(%q, %q) = %q %q %q %v; want %q %q %q %v",
				tc.arn, tc.kind, acct, path, name, ok, tc.acct, tc.path, tc.name, tc.ok)
		}
	}
}

func FuzzParseIAMARN(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:role/a/b", "arn:aws:iam::aws:policy/x", "arn::::::", "arn:aws:iam::1:role//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		acct, path, name, ok := parseIAMARN(arn, "role")
		if !ok {
			return
		}
		if got := "arn:" + strings.SplitN(arn, ":", 3)[1] + ":iam::" + acct + ":role" + path + name; got != arn {
			t.Fatalf("parseIAMARN(%q) parts rebuild %q", arn, got)
		}
		if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") || name == "" || strings.Contains(name, "/") {
			t.Fatalf("parseIAMARN(%q) = path %q name %q", arn, path, name)
		}
	})
}
