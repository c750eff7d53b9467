package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestHealthAndReset(t *testing.T) {
	s := startServer(t)
	code, _, body := s.Do(t, "GET", "/_tenkai/health", nil, nil)
	if code != 200 {
		t.Fatalf("GET /_tenkai/health = %d %s", code, body)
	}
	var h struct {
		Status   string            `json:"status"`
		Services map[string]string `json:"services"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Status != "running" {
		t.Fatalf("health = %s (%v); want status running", body, err)
	}
	for _, path := range []string{"/_tenkai/reset", "/moto-api/reset"} {
		if code, _, body := s.Do(t, "POST", path, nil, nil); code != 200 || !strings.Contains(string(body), `"reset":true`) {
			t.Errorf("POST %s = %d %s; want 200 reset:true", path, code, body)
		}
	}
}

func TestEdgeErrors(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name     string
		header   map[string]string
		body     string
		wantCode int
		wantType string
		wantMsg  string
	}{
		{"unknown target", map[string]string{"X-Amz-Target": "Nope_2020.DoIt", "Content-Type": "application/x-amz-json-1.1"}, "{}", 400, "UnknownOperationException", ""},
		{"garbage auth", map[string]string{"X-Amz-Target": "Nope_2020.DoIt", "Authorization": "Bearer garbage!!"}, "{}", 403, "IncompleteSignatureException", ""},
		{"truncated sigv4", map[string]string{"X-Amz-Target": "Nope_2020.DoIt", "Authorization": "AWS4-HMAC-SHA256 Credential=abc"}, "{}", 403, "IncompleteSignatureException", ""},
		{"bad scope region", map[string]string{"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1",
			"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261121/US_EAST/logs/aws4_request, SignedHeaders=host, Signature=abc"},
			"{}", 403, "IncompleteSignatureException", "Credential should be scoped to a valid region, not 'US_EAST'."},
		{"scope of four parts", map[string]string{"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1",
			"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261121/us-east-1/aws4_request, SignedHeaders=host, Signature=abc"},
			"{}", 403, "IncompleteSignatureException", "Credential should be scoped to a valid region."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, hdr, body := s.Do(t, "POST", "/", tc.header, strings.NewReader(tc.body))
			if code != tc.wantCode {
				t.Fatalf("status = %d; want %d (%s)", code, tc.wantCode, body)
			}
			var e map[string]any
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body is not JSON: %s", body)
			}
			if e["__type"] != tc.wantType {
				t.Errorf("__type = %v; want %s", e["__type"], tc.wantType)
			}
			if msg, _ := e["message"].(string); tc.wantMsg != "" && !strings.HasPrefix(msg, tc.wantMsg) {
				t.Errorf("message = %q; want %q", msg, tc.wantMsg)
			}
			if hdr.Get("x-amzn-RequestId") == "" {
				t.Errorf("no x-amzn-RequestId header")
			}
		})
	}
	if code, _, _ := s.Do(t, http.MethodGet, "/_tenkai/nothing-here", nil, nil); code == 200 {
		t.Errorf("unknown admin path answered 200")
	}
}
