package apigateway

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("event is not JSON: %v\n%s", err, b)
	}
	return m
}

func TestBuildV2(t *testing.T) {
	r := &Request{Method: "POST", Path: "/prod/items/7", RawQuery: "a=1&a=2&b=x%20y&flag", Protocol: "HTTP/1.1",
		Header: map[string][]string{"Content-Type": {"application/json"}, "Cookie": {"c1=v1; c2=v2"}, "X-Multi": {"a", "b"}, "User-Agent": {"ua"}},
		Body:   []byte(`{"k":1}`), SourceIP: "10.0.0.1", Time: t0}
	tg := &Target{Account: "123456789012", APIID: "abc123", DomainName: "abc123.execute-api.localhost", DomainPrefix: "abc123",
		RequestID: "rid", Stage: "prod", RouteKey: "POST /items/{id}", PathParams: map[string]string{"id": "7"}, StageVars: map[string]string{"v": "1"}}
	got := decode(t, BuildV2(r, tg))
	want := decode(t, []byte(`{
		"version": "2.0", "routeKey": "POST /items/{id}", "rawPath": "/prod/items/7", "rawQueryString": "a=1&a=2&b=x%20y&flag",
		"cookies": ["c1=v1", "c2=v2"],
		"headers": {"content-type": "application/json", "x-multi": "a,b", "user-agent": "ua"},
		"queryStringParameters": {"a": "1,2", "b": "x y", "flag": ""},
		"pathParameters": {"id": "7"}, "stageVariables": {"v": "1"},
		"requestContext": {"accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.localhost",
			"domainPrefix": "abc123", "http": {"method": "POST", "path": "/prod/items/7", "protocol": "HTTP/1.1",
			"sourceIp": "10.0.0.1", "userAgent": "ua"}, "requestId": "rid", "routeKey": "POST /items/{id}", "stage": "prod",
			"time": "21/Nov/2026:08:00:00 +0000", "timeEpoch": 1795248000000},
		"body": "{\"k\":1}", "isBase64Encoded": false}`))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("BuildV2 = %v\nwant %v", got, want)
	}
}

func TestBuildV2Minimal(t *testing.T) {
	r := &Request{Method: "GET", Path: "/", Header: map[string][]string{}, Time: t0}
	got := decode(t, BuildV2(r, &Target{Stage: "$default", RouteKey: "$default"}))
	for _, k := range []string{"cookies", "queryStringParameters", "pathParameters", "stageVariables", "body"} {
		if _, ok := got[k]; ok {
			t.Errorf("BuildV2(GET /) has %s = %v; want it absent", k, got[k])
		}
	}
	if got["isBase64Encoded"] != false || got["rawQueryString"] != "" {
		t.Errorf("BuildV2(GET /) = %v", got)
	}
}

func TestBuildV1(t *testing.T) {
	r := &Request{Method: "GET", Path: "/dev/items/7", RawQuery: "a=1&a=2", Protocol: "HTTP/1.1",
		Header: map[string][]string{"X-Multi": {"a", "b"}, "User-Agent": {"ua"}}, SourceIP: "10.0.0.1", Time: t0}
	tg := &Target{Account: "123456789012", APIID: "abc123", DomainName: "abc123.execute-api.localhost", DomainPrefix: "abc123",
		RequestID: "rid", Stage: "dev", ResourcePath: "/items/{id}", ResourceID: "res1", Path: "/items/7",
		PathParams: map[string]string{"id": "7"}}
	got := decode(t, BuildV1(r, tg, false))
	checks := []struct {
		key  string
		want any
	}{
		{"resource", "/items/{id}"},
		{"path", "/items/7"},
		{"httpMethod", "GET"},
		{"headers", map[string]any{"X-Multi": "b", "User-Agent": "ua"}},
		{"multiValueHeaders", map[string]any{"X-Multi": []any{"a", "b"}, "User-Agent": []any{"ua"}}},
		{"queryStringParameters", map[string]any{"a": "2"}},
		{"multiValueQueryStringParameters", map[string]any{"a": []any{"1", "2"}}},
		{"pathParameters", map[string]any{"id": "7"}},
		{"stageVariables", nil},
		{"body", nil},
		{"isBase64Encoded", false},
	}
	for _, c := range checks {
		if v, ok := got[c.key]; !ok || !reflect.DeepEqual(v, c.want) {
			t.Errorf("BuildV1[%s] = %#v (present %v); want %#v", c.key, v, ok, c.want)
		}
	}
	if _, ok := got["version"]; ok {
		t.Errorf("REST event has a version member")
	}
	rc := got["requestContext"].(map[string]any)
	if rc["path"] != "/dev/items/7" || rc["resourcePath"] != "/items/{id}" || rc["stage"] != "dev" ||
		rc["requestTime"] != "21/Nov/2026:08:00:00 +0000" || rc["requestTimeEpoch"] != float64(1795248000000) {
		t.Errorf("BuildV1 requestContext = %v", rc)
	}
	if id := rc["identity"].(map[string]any); id["sourceIp"] != "10.0.0.1" || id["userAgent"] != "ua" {
		t.Errorf("BuildV1 identity = %v", id)
	}
	// HTTP APIs add version and routeKey; resource is the route's path.
	tg.RouteKey = "GET /items/{id}"
	got = decode(t, BuildV1(r, tg, true))
	if got["version"] != "1.0" || got["resource"] != "/items/{id}" || got["requestContext"].(map[string]any)["routeKey"] != "GET /items/{id}" {
		t.Errorf("BuildV1(httpAPI) = %v", got)
	}
}

func TestBinaryBodies(t *testing.T) {
	r := &Request{Method: "POST", Path: "/", Header: map[string][]string{}, Body: []byte{0, 1, 0xff}, Time: t0}
	got := decode(t, BuildV2(r, &Target{Binary: true}))
	if got["body"] != "AAH/" || got["isBase64Encoded"] != true {
		t.Errorf("BuildV2 binary = body %v isBase64Encoded %v; want AAH/ true", got["body"], got["isBase64Encoded"])
	}
	got = decode(t, BuildV1(r, &Target{Binary: true}, false))
	if got["body"] != "AAH/" || got["isBase64Encoded"] != true {
		t.Errorf("BuildV1 binary = body %v isBase64Encoded %v; want AAH/ true", got["body"], got["isBase64Encoded"])
	}
}

func TestIsTextType(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"application/vnd.api+json", true},
		{"text/plain", true},
		{"TEXT/HTML", true},
		{"application/xml", true},
		{"application/javascript", true},
		{"application/octet-stream", false},
		{"image/png", false},
		{"application/x-www-form-urlencoded", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := IsTextType(tc.in); got != tc.want {
			t.Errorf("IsTextType(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

func TestMatchesMediaType(t *testing.T) {
	tests := []struct {
		types []string
		ct    string
		want  bool
	}{
		{[]string{"image/png"}, "image/png", true},
		{[]string{"image/png"}, "image/png; q=1", true},
		{[]string{"image/*"}, "image/jpeg", true},
		{[]string{"*/*"}, "text/plain", true},
		{[]string{"*/*"}, "", true},
		{[]string{"image/png"}, "image/jpeg", false},
		{[]string{"image/png"}, "", false},
		{nil, "image/png", false},
	}
	for _, tc := range tests {
		if got := MatchesMediaType(tc.types, tc.ct); got != tc.want {
			t.Errorf("MatchesMediaType(%v, %q) = %v; want %v", tc.types, tc.ct, got, tc.want)
		}
	}
}

func TestWithStageVars(t *testing.T) {
	vars := map[string]string{"alias": "live", "fn": "orders"}
	tests := []struct{ in, want string }{
		{"arn:aws:lambda:us-east-1:000000000000:function:fn", "arn:aws:lambda:us-east-1:000000000000:function:fn"},
		{"arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}:${stageVariables.alias}", "arn:aws:lambda:us-east-1:000000000000:function:orders:live"},
		{"function:${stageVariables.missing}", "function:"},
	}
	for _, tc := range tests {
		if got := withStageVars(tc.in, vars); got != tc.want {
			t.Errorf("withStageVars(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
