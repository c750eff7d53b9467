package webhooks_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tenkai/internal/store"
	"tenkai/internal/webhooks"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, ctype, body, want string
	}{
		{"plain text", "text/plain", "hello", "hello"},
		{"slack text", "application/json", `{"text":"Deploy started"}`, "Deploy started"},
		{"block kit", "application/json", `{"text":"fallback","blocks":[
			{"type":"header","text":{"type":"plain_text","text":"Approval needed"}},
			{"type":"section","text":{"type":"mrkdwn","text":"*Deployment* d-123"},"fields":[{"type":"mrkdwn","text":"*Hook:* abc"}]},
			{"type":"divider"},
			{"type":"context","elements":[{"type":"mrkdwn","text":"env: prod"},{"type":"plain_text","text":"by ci"}]},
			{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Approve"}},{"type":"button","text":{"type":"plain_text","text":"Reject"}}]}]}`,
			"# Approval needed\n*Deployment* d-123\n  *Hook:* abc\n---\nenv: prod | by ci\n[Approve] [Reject]"},
		{"attachments", "application/json", `{"attachments":[{"title":"Build","text":"passed","fields":[{"title":"branch","value":"main"}]}]}`, "Build\npassed\nbranch: main"},
		{"form payload", "application/x-www-form-urlencoded", `payload=%7B%22text%22%3A%22hi%22%7D`, "hi"},
		{"other json", "application/json", `{"a":1}`, "{\n  \"a\": 1\n}"},
	}
	for _, tc := range tests {
		if got := webhooks.Render(tc.ctype, []byte(tc.body)); got != tc.want {
			t.Errorf("Render(%s) = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestSinkRecordsAndLists(t *testing.T) {
	s := webhooks.New(webhooks.Config{Store: store.NewMem()})
	mux := http.NewServeMux()
	mux.HandleFunc("/_tenkai/webhooks/", s.Receive)
	mux.HandleFunc("/_tenkai/api/webhooks/", s.API)
	mux.HandleFunc("/_tenkai/api/webhooks", s.API)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	done := make(chan []webhooks.Record)
	go func() {
		resp, err := http.Get(srv.URL + "/_tenkai/api/webhooks/slack?wait=5s")
		if err != nil {
			done <- nil
			return
		}
		defer resp.Body.Close()
		var out struct{ Webhooks []webhooks.Record }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		done <- out.Webhooks
	}()
	time.Sleep(50 * time.Millisecond)
	resp, err := http.Post(srv.URL+"/_tenkai/webhooks/slack/services/T0/B0/X", "application/json", strings.NewReader(`{"text":"hi there"}`))
	if err != nil {
		t.Fatal(err)
	}
	var buf [8]byte
	n, _ := resp.Body.Read(buf[:])
	resp.Body.Close()
	if resp.StatusCode != 200 || string(buf[:n]) != "ok" {
		t.Fatalf("webhook answer = %d %q; want 200 ok", resp.StatusCode, buf[:n])
	}
	_, _ = http.Post(srv.URL+"/_tenkai/webhooks/other", "text/plain", strings.NewReader("x"))
	got := <-done
	if len(got) != 1 || got[0].Name != "slack" || got[0].Text != "hi there" || got[0].Seq != 1 {
		t.Fatalf("waiting API returned %+v", got)
	}
	all, err := s.List("", 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("List(all) = %d records, %v; want 2", len(all), err)
	}
	after, _ := s.List("", 1)
	if len(after) != 1 || after[0].Name != "other" {
		t.Errorf("List after 1 = %+v", after)
	}
}

func TestSinkKeepsTheNewestRecords(t *testing.T) {
	st := store.NewMem()
	s := webhooks.New(webhooks.Config{Store: st, MaxRecords: 3})
	for i := 0; i < 5; i++ {
		w := httptest.NewRecorder()
		s.Receive(w, httptest.NewRequest("POST", "/_tenkai/webhooks/hook", strings.NewReader(`{"text":"m`+string(rune('0'+i))+`"}`)))
		if w.Code != 200 {
			t.Fatalf("Receive = %d", w.Code)
		}
	}
	recs, err := s.List("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Text)
	}
	if strings.Join(got, ",") != "m2,m3,m4" {
		t.Errorf("records = %v; want the newest three m2,m3,m4", got)
	}
}
