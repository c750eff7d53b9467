package edge_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzRequest throws arbitrary targets, auth headers, content types and bodies
// at the edge: every request must get an answer and no panic may escape.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "/", "Echo_20200101.Echo", "", "application/x-amz-json-1.1", `{"name":"x"}`)
	f.Add("POST", "/", "", "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, Signature=x", "application/x-www-form-urlencoded", "Action=Hello&Who=%zz")
	f.Add("GET", "/bucket/key?versionId=1", "", "AWS AKID:sig", "", "")
	f.Add("PUT", "/b", "Echo_20200101", "AWS4-HMAC-SHA256 ,,,==", "text/plain", "\x00\xff")
	f.Add("POST", "/?Action=Hello", "", "", "", "Names.member.1=a&Names.member.3=c")
	e := newEdge()
	f.Fuzz(func(t *testing.T, method, path, target, auth, ctype, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t") {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return
		}
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("panic escaped: %v", p)
			}
		}()
		r := httptest.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
		if target != "" {
			r.Header["X-Amz-Target"] = []string{target}
		}
		if auth != "" {
			r.Header["Authorization"] = []string{auth}
		}
		if ctype != "" {
			r.Header["Content-Type"] = []string{ctype}
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
		if w.Code == 500 && !strings.Contains(target, "Panic") {
			t.Fatalf("internal failure for %q %q: %s", method, target, w.Body)
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "PUT", "POST", "DELETE", "HEAD", "PATCH":
		return true
	}
	return false
}
