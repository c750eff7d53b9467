package apigateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/apigateway"
	"tenkai/internal/clock"
)

// fakeFunctions answers invocations with reply and records the last event.
type fakeFunctions struct {
	mu       sync.Mutex
	allow    bool
	reply    func(ctx context.Context, payload []byte) ([]byte, string, error)
	last     []byte
	urls     map[string]apigateway.FunctionURL
	lastFunc string
}

func (f *fakeFunctions) Invoke(ctx context.Context, account, region, function string, payload []byte) ([]byte, string, error) {
	f.mu.Lock()
	f.last, f.lastFunc = payload, function
	f.mu.Unlock()
	return f.reply(ctx, payload)
}

func (f *fakeFunctions) AllowsInvoke(ctx context.Context, account, region, function, principal, sourceARN string) bool {
	return f.allow && principal == "apigateway.amazonaws.com" && strings.HasPrefix(sourceARN, "arn:aws:execute-api:us-east-1:000000000000:")
}

func (f *fakeFunctions) FunctionURL(ctx context.Context, id string) (apigateway.FunctionURL, bool) {
	u, ok := f.urls[id]
	return u, ok
}

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"

func newService(t testing.TB, f *fakeFunctions) *apigateway.Service {
	t.Helper()
	return apigateway.New(apigateway.Config{Clock: clock.NewFake(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)), Functions: f})
}

func call(t testing.TB, s http.Handler, method, host, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Host = host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

func createQuick(t testing.TB, s http.Handler) string {
	t.Helper()
	w := call(t, s, "POST", "localhost:4566", "/v2/apis", `{"name":"q","protocolType":"HTTP","target":"`+fnARN+`"}`)
	if w.Code != 201 {
		t.Fatalf("CreateApi = %d %s", w.Code, w.Body)
	}
	var out struct{ ApiId, ApiEndpoint string }
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	if out.ApiEndpoint != "http://"+out.ApiId+".execute-api.localhost:4566" {
		t.Errorf("apiEndpoint = %q", out.ApiEndpoint)
	}
	return out.ApiId
}

func TestHTTPAPIInvoke(t *testing.T) {
	f := &fakeFunctions{allow: true, reply: func(ctx context.Context, p []byte) ([]byte, string, error) {
		return []byte(`{"statusCode":200,"headers":{"x":"y"},"body":"ok"}`), "", nil
	}}
	s := newService(t, f)
	id := createQuick(t, s)
	host := id + ".execute-api.localhost:4566"
	w := call(t, s, "GET", host, "/a/b?q=1", "")
	if w.Code != 200 || w.Body.String() != "ok" || w.Header().Get("x") != "y" {
		t.Fatalf("GET /a/b = %d %s %v", w.Code, w.Body, w.Header())
	}
	var ev map[string]any
	_ = json.Unmarshal(f.last, &ev)
	if ev["rawPath"] != "/a/b" || ev["routeKey"] != "$default" || f.lastFunc != fnARN {
		t.Errorf("event = %v to %s", ev, f.lastFunc)
	}
	// Path form.
	w = call(t, s, "GET", "localhost:4566", "/_aws/execute-api/"+id+"/c", "")
	if _ = json.Unmarshal(f.last, &ev); w.Code != 200 || ev["rawPath"] != "/c" {
		t.Errorf("path form = %d, rawPath %v", w.Code, ev["rawPath"])
	}
	tests := []struct {
		name  string
		allow bool
		reply func(ctx context.Context, p []byte) ([]byte, string, error)
		code  int
		body  string
	}{
		{"no permission", false, f.reply, 500, `{"message":"Internal Server Error"}`},
		{"function error", true, func(context.Context, []byte) ([]byte, string, error) {
			return []byte(`{"errorMessage":"x"}`), "Unhandled", nil
		}, 500, `{"message":"Internal Server Error"}`},
		{"malformed", true, func(context.Context, []byte) ([]byte, string, error) { return []byte(`{"statusCode":true}`), "", nil }, 500, `{"message":"Internal Server Error"}`},
		{"bare", true, func(context.Context, []byte) ([]byte, string, error) { return []byte(`["a"]`), "", nil }, 200, `["a"]`},
	}
	for _, tc := range tests {
		f.allow, f.reply = tc.allow, tc.reply
		w := call(t, s, "GET", host, "/x", "")
		if w.Code != tc.code || w.Body.String() != tc.body {
			t.Errorf("%s: GET = %d %s; want %d %s", tc.name, w.Code, w.Body, tc.code, tc.body)
		}
	}
	w = call(t, s, "GET", "nope.execute-api.localhost:4566", "/", "")
	if w.Code != 404 || w.Body.String() != `{"message":"Not Found"}` {
		t.Errorf("unknown API = %d %s", w.Code, w.Body)
	}
}

func TestIntegrationTimeouts(t *testing.T) {
	f := &fakeFunctions{allow: true, reply: func(ctx context.Context, p []byte) ([]byte, string, error) {
		<-ctx.Done()
		return nil, "", ctx.Err()
	}}
	s := newService(t, f)
	id := createQuick(t, s)
	// Shorten the quick-create integration's timeout to 50 ms.
	w := call(t, s, "GET", "localhost", "/v2/apis/"+id+"/integrations", "")
	var ints struct {
		Items []struct{ IntegrationId string }
	}
	_ = json.Unmarshal(w.Body.Bytes(), &ints)
	if len(ints.Items) != 1 {
		t.Fatalf("GetIntegrations = %s", w.Body)
	}
	w = call(t, s, "PATCH", "localhost", "/v2/apis/"+id+"/integrations/"+ints.Items[0].IntegrationId, `{"timeoutInMillis":50}`)
	if w.Code != 200 {
		t.Fatalf("UpdateIntegration = %d %s", w.Code, w.Body)
	}
	w = call(t, s, "GET", id+".execute-api.localhost", "/", "")
	if w.Code != 503 || w.Body.String() != `{"message":"Service Unavailable"}` {
		t.Errorf("HTTP API timeout = %d %s", w.Code, w.Body)
	}
	w = call(t, s, "PATCH", "localhost", "/v2/apis/"+id+"/integrations/"+ints.Items[0].IntegrationId, `{"timeoutInMillis":10}`)
	if w.Code != 400 {
		t.Errorf("timeoutInMillis 10 = %d; want 400", w.Code)
	}
}

func TestFunctionURLForbidden(t *testing.T) {
	f := &fakeFunctions{reply: func(context.Context, []byte) ([]byte, string, error) { return []byte(`"x"`), "", nil },
		urls: map[string]apigateway.FunctionURL{
			"open":   {Account: "000000000000", Region: "us-east-1", FunctionARN: fnARN, AuthType: "NONE", Allowed: true},
			"closed": {Account: "000000000000", Region: "us-east-1", FunctionARN: fnARN, AuthType: "NONE"},
			"iam":    {Account: "000000000000", Region: "us-east-1", FunctionARN: fnARN, AuthType: "AWS_IAM"},
		}}
	s := newService(t, f)
	tests := []struct {
		id   string
		code int
	}{{"open", 200}, {"closed", 403}, {"iam", 403}, {"missing", 403}}
	for _, tc := range tests {
		w := call(t, s, "GET", tc.id+".lambda-url.us-east-1.localhost:4566", "/", "")
		if w.Code != tc.code {
			t.Errorf("function URL %s = %d %s; want %d", tc.id, w.Code, w.Body, tc.code)
		}
	}
}

func TestMatchHost(t *testing.T) {
	s := newService(t, &fakeFunctions{})
	tests := []struct {
		host string
		want bool
	}{
		{"abc.execute-api.localhost:4566", true},
		{"abc.execute-api.localhost", true},
		{"x.lambda-url.us-east-1.localhost:4566", true},
		{"localhost:4566", false},
		{"bucket.s3.localhost", false},
	}
	for _, tc := range tests {
		if got := s.MatchHost(tc.host); got != tc.want {
			t.Errorf("MatchHost(%q) = %v; want %v", tc.host, got, tc.want)
		}
	}
}

// BenchmarkExecuteHTTPAPI measures API Gateway's own cost per request: the
// function answers at once, so everything measured is routing, event
// building and response mapping.
func BenchmarkExecuteHTTPAPI(b *testing.B) {
	f := &fakeFunctions{allow: true, reply: func(ctx context.Context, p []byte) ([]byte, string, error) {
		return []byte(`{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"ok\":true}"}`), "", nil
	}}
	s := newService(b, f)
	id := createQuick(b, s)
	host := id + ".execute-api.localhost:4566"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("POST", "/items/42?x=1", strings.NewReader(`{"a":1}`))
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func TestHTTPProxyIntegration(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", r.Method+" "+r.URL.RequestURI())
		w.WriteHeader(202)
		io.WriteString(w, "proxied")
	}))
	defer backend.Close()
	s := newService(t, &fakeFunctions{})
	w := call(t, s, "POST", "localhost", "/v2/apis", `{"name":"p","protocolType":"HTTP","target":"`+backend.URL+`/base","routeKey":"ANY /things/{id}"}`)
	var api struct{ ApiId string }
	_ = json.Unmarshal(w.Body.Bytes(), &api)
	w = call(t, s, "PUT", api.ApiId+".execute-api.localhost", "/things/9?a=b", "")
	if w.Code != 202 || w.Body.String() != "proxied" || w.Header().Get("X-Backend") != "PUT /base?a=b" {
		t.Errorf("HTTP_PROXY = %d %s %v", w.Code, w.Body, w.Header())
	}
	w = call(t, s, "GET", api.ApiId+".execute-api.localhost", "/other", "")
	if w.Code != 404 {
		t.Errorf("unrouted path = %d; want 404", w.Code)
	}
}

func TestUpdateRestAPIPatch(t *testing.T) {
	s := newService(t, &fakeFunctions{})
	w := call(t, s, "POST", "localhost", "/restapis", `{"name":"r","binaryMediaTypes":["image/png"]}`)
	var api struct{ ID string }
	_ = json.Unmarshal(w.Body.Bytes(), &api)
	w = call(t, s, "PATCH", "localhost", "/restapis/"+api.ID, `{"patchOperations":[
		{"op":"add","path":"/binaryMediaTypes/application~1octet-stream"},
		{"op":"remove","path":"/binaryMediaTypes/image~1png"},
		{"op":"replace","path":"/name","value":"renamed"}]}`)
	var got struct {
		Name             string
		BinaryMediaTypes []string
	}
	_ = json.Unmarshal(w.Body.Bytes(), &got)
	if w.Code != 200 || got.Name != "renamed" || len(got.BinaryMediaTypes) != 1 || got.BinaryMediaTypes[0] != "application/octet-stream" {
		t.Errorf("UpdateRestApi = %d %s", w.Code, w.Body)
	}
	w = call(t, s, "PATCH", "localhost", "/restapis/"+api.ID, `{"patchOperations":[{"op":"replace","path":"/nope","value":"x"}]}`)
	if w.Code != 400 {
		t.Errorf("UpdateRestApi bad path = %d; want 400", w.Code)
	}
}
