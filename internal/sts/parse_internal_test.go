package sts

import (
	"context"
	"strings"
	"testing"
)

func FuzzParseJWT(f *testing.F) {
	for _, s := range []string{"a.eyJzdWIiOiJ4In0.c", "a.b.c", "..", "x", "a.eyJhdWQiOlsiYSIsImIiXX0.s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		cl, ok := parseJWT(token)
		if !ok && cl != (jwtClaims{}) {
			t.Fatalf("parseJWT(%q) = %+v with ok false", token, cl)
		}
	})
}

func FuzzResolveRole(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:role/a/b/c", "arn:aws:iam::123456789012:role/r", "arn:aws:iam::1:role/", "arn:aws-cn:iam::123456789012:role/x"} {
		f.Add(s)
	}
	s := New(Config{})
	f.Fuzz(func(t *testing.T, arn string) {
		r, err := s.resolveRole(context.Background(), arn)
		if err != nil {
			return
		}
		if len(r.account) != 12 || r.name == "" || strings.Contains(r.name, "/") || !strings.HasSuffix(arn, "/"+r.name) {
			t.Fatalf("resolveRole(%q) = %+v", arn, r)
		}
	})
}
