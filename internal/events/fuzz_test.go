package events_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzPutEvents drives PutEvents through the edge's JSON decoder with
// arbitrary bodies: every answer must be a 200 with one result per entry or
// an AWS-shaped 400 error, never a panic or an internal failure.
func FuzzPutEvents(f *testing.F) {
	f.Add(`{"Entries":[{"Source":"app","DetailType":"t","Detail":"{\"a\":1}"}]}`)
	f.Add(`{"Entries":[{"Source":"app","DetailType":"t","Detail":" "}]}`)
	f.Add(`{"Entries":[{"Source":"app","DetailType":"t","Detail":"[1]","Time":1700000000.5,"Resources":["r"]}]}`)
	f.Add(`{"Entries":[{"Source":"aws.x","DetailType":"t","Detail":"{}","EventBusName":"arn:aws:events:us-east-1:000000000000:event-bus/nope"}]}`)
	f.Add(`{"Entries":[{"Source":"app","DetailType":"t","Detail":"{\"k\":\"k001\",\"x\":\"<&>\"}","Time":"2026-01-01T00:00:00Z"}]}`)
	f.Add(`{"Entries":[]}`)
	f.Add(`{"Entries":null}`)
	f.Add(`{"Entries":[{"Time":"x"}]}`)
	f.Add(`[]`)
	f.Add(`{"Entries":[{"Source":1}]}`)
	e, _ := newBenchEdge(f)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		w := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { e.ServeHTTP(w, r); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("PutEvents(%q) hangs", body)
		}
		switch w.Code {
		case 200:
			var out struct {
				FailedEntryCount *int
				Entries          []struct{ EventId, ErrorCode, ErrorMessage string }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out.FailedEntryCount == nil {
				t.Fatalf("PutEvents(%q) = 200 %s; want a PutEventsResponse", body, w.Body)
			}
			failed := 0
			for _, en := range out.Entries {
				if (en.EventId == "") == (en.ErrorCode == "") {
					t.Fatalf("PutEvents(%q) entry %+v; want an EventId or an ErrorCode", body, en)
				}
				if en.ErrorCode != "" {
					failed++
				}
			}
			if failed != *out.FailedEntryCount {
				t.Fatalf("PutEvents(%q) FailedEntryCount = %d; want %d", body, *out.FailedEntryCount, failed)
			}
		case 400, 413:
			var out struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out.Type == "" {
				t.Fatalf("PutEvents(%q) = %d %s; want an AWS error", body, w.Code, w.Body)
			}
		default:
			t.Fatalf("PutEvents(%q) = %d %s", body, w.Code, w.Body)
		}
	})
}
