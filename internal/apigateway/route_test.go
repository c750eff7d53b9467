package apigateway

import (
	"reflect"
	"testing"
)

func TestChoose(t *testing.T) {
	keys := []string{"GET /items", "GET /items/{id}", "ANY /items/{id}", "POST /items/special", "ANY /{proxy+}",
		"GET /files/{path+}", "$default", "GET /", "GET /a/{b}/c"}
	var cands []Candidate
	for _, k := range keys {
		rk, err := ParseRouteKey(k)
		if err != nil {
			t.Fatalf("ParseRouteKey(%q): %v", k, err)
		}
		cands = append(cands, Candidate{ID: k, Method: rk.Method, Path: rk.Path, Default: rk.Default})
	}
	tests := []struct {
		method, path string
		want         string
		params       map[string]string
	}{
		{"GET", "/items", "GET /items", nil},
		{"GET", "/items/7", "GET /items/{id}", map[string]string{"id": "7"}},
		{"DELETE", "/items/7", "ANY /items/{id}", map[string]string{"id": "7"}},
		{"POST", "/items/special", "POST /items/special", nil},
		{"GET", "/items/special", "GET /items/{id}", map[string]string{"id": "special"}},
		{"GET", "/items/7/more", "ANY /{proxy+}", map[string]string{"proxy": "items/7/more"}},
		{"GET", "/files/a/b.txt", "GET /files/{path+}", map[string]string{"path": "a/b.txt"}},
		{"POST", "/files/a", "ANY /{proxy+}", map[string]string{"proxy": "files/a"}},
		{"GET", "/", "GET /", nil},
		{"POST", "/", "$default", nil},
		{"GET", "/a/x/c", "GET /a/{b}/c", map[string]string{"b": "x"}},
		{"GET", "/items/", "ANY /{proxy+}", map[string]string{"proxy": "items/"}},
	}
	for _, tc := range tests {
		got, params, ok := Choose(cands, tc.method, tc.path)
		if !ok || got.ID != tc.want || !reflect.DeepEqual(params, tc.params) {
			t.Errorf("Choose(%s %s) = %q %v %v; want %q %v", tc.method, tc.path, got.ID, params, ok, tc.want, tc.params)
		}
	}
	if _, _, ok := Choose(cands[:2], "GET", "/nothing"); ok {
		t.Errorf("Choose(GET /nothing) without $default matched")
	}
}

func TestParseRouteKey(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"$default", true},
		{"GET /", true},
		{"ANY /{proxy+}", true},
		{"GET /items/{id}", true},
		{"get /items", false},
		{"GET items", false},
		{"FETCH /x", false},
		{"GET /{proxy+}/x", false},
		{"GET /{}", false},
		{"GET /a//b", false},
		{"GET", false},
		{"", false},
	}
	for _, tc := range tests {
		if _, err := ParseRouteKey(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseRouteKey(%q) error = %v; want ok %v", tc.in, err, tc.ok)
		}
	}
}

// FuzzRoute parses arbitrary route keys and matches arbitrary paths.
func FuzzRoute(f *testing.F) {
	f.Add("GET /items/{id}", "GET", "/items/1")
	f.Add("ANY /{proxy+}", "POST", "/a/b/")
	f.Add("$default", "GET", "/")
	f.Add("GET /a/{b}/c", "GET", "//")
	f.Fuzz(func(t *testing.T, key, method, path string) {
		rk, err := ParseRouteKey(key)
		if err != nil {
			return
		}
		c, params, ok := Choose([]Candidate{{ID: key, Method: rk.Method, Path: rk.Path, Default: rk.Default}}, method, path)
		if ok && c.ID != key {
			t.Fatalf("Choose returned %q; want %q", c.ID, key)
		}
		for k, v := range params {
			if k == "" || (v == "" && !ok) {
				t.Fatalf("bad parameter %q=%q", k, v)
			}
		}
	})
}
