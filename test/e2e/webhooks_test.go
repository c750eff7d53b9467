package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

func TestWebhookSink(t *testing.T) {
	s := startServer(t)
	msg := `{"text":"fallback","blocks":[{"type":"header","text":{"type":"plain_text","text":"Approval needed"}},` +
		`{"type":"section","text":{"type":"mrkdwn","text":"Deployment *d-ABC* hook *h-1*"}}]}`
	code, _, body := s.Do(t, "POST", "/_tenkai/webhooks/slack/services/T000/B000/XXXX", map[string]string{"Content-Type": "application/json"}, strings.NewReader(msg))
	if code != 200 || string(body) != "ok" {
		t.Fatalf("webhook answer = %d %q; want 200 ok", code, body)
	}
	s.Do(t, "PUT", "/_tenkai/webhooks/teams", nil, strings.NewReader("plain"))

	out, err := exec.Command(binPath, "webhooks", "show", "slack", "--endpoint", s.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("tenkai webhooks show: %v\n%s", err, out)
	}
	for _, want := range []string{"slack POST /_tenkai/webhooks/slack/services/T000/B000/XXXX", "# Approval needed", "Deployment *d-ABC* hook *h-1*"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("webhooks show output lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command(binPath, "webhooks", "list", "--endpoint", s.URL).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "slack") || !strings.Contains(string(out), "teams") {
		t.Errorf("tenkai webhooks list = %v\n%s", err, out)
	}
	code, _, body = s.Do(t, "GET", "/_tenkai/api/webhooks/teams", nil, nil)
	if code != 200 || !strings.Contains(string(body), `"method":"PUT"`) || !strings.Contains(string(body), `"body":"plain"`) {
		t.Errorf("GET /_tenkai/api/webhooks/teams = %d %s", code, body)
	}
	s.Do(t, "POST", "/_tenkai/reset", nil, nil)
	if _, _, body = s.Do(t, "GET", "/_tenkai/api/webhooks", nil, nil); !strings.Contains(string(body), `"webhooks":[]`) {
		t.Errorf("after reset: %s", body)
	}
}
