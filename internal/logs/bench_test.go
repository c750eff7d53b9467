package logs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/logs"
	"tenkai/internal/store"
)

// benchPut sends PutLogEvents requests of batch events each through the edge
// over HTTP, as an SDK client would.
func benchPut(b *testing.B, st store.Store, batch int) {
	h := newHarness(b, st)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "/bench/app"})
	h.ok("CreateLogStream", map[string]any{"logGroupName": "/bench/app", "logStreamName": "s"})
	evs := make([]ev, batch)
	for i := range evs {
		evs[i] = ev{ms(t0), fmt.Sprintf("2026-03-01T12:00:00Z INFO request %d handled in 12 ms path=/api/items status=200", i)}
	}
	body, _ := json.Marshal(map[string]any{"logGroupName": "/bench/app", "logStreamName": "s", "logEvents": evs})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req, _ := http.NewRequest("POST", h.srv.URL+"/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(out), "nextSequenceToken") {
			b.Fatalf("PutLogEvents = %d %s", resp.StatusCode, out)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkPutLogEvents1(b *testing.B)   { benchPut(b, nil, 1) }
func BenchmarkPutLogEvents10(b *testing.B)  { benchPut(b, nil, 10) }
func BenchmarkPutLogEvents100(b *testing.B) { benchPut(b, nil, 100) }

func BenchmarkPutLogEvents10Bolt(b *testing.B) {
	st, err := store.OpenBolt(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchPut(b, st, 10)
}

// BenchmarkAppend measures the Go API Lambda uses, without HTTP.
func BenchmarkAppend(b *testing.B) {
	svc := logs.New(logs.Config{})
	ctx := context.Background()
	evs := make([]logs.Event, 10)
	for i := range evs {
		evs[i] = logs.Event{Time: time.Now(), Message: "START RequestId: 6b2e5c1e-0c4f-4b8e-9d51-6f4f0b1e2a3c Version: $LATEST"}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := svc.Append(ctx, "000000000000", "us-east-1", "/aws/lambda/fn", "s", evs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilterLogEvents(b *testing.B) {
	h := newHarness(b, nil)
	ctx := context.Background()
	for s := range 5 {
		evs := make([]logs.Event, 2000)
		for i := range evs {
			lvl := "INFO"
			if i%50 == 0 {
				lvl = "ERROR"
			}
			evs[i] = logs.Event{Time: t0.Add(time.Duration(i) * time.Millisecond), Message: lvl + " request handled path=/api/items status=200"}
		}
		if err := h.svc.Append(ctx, "000000000000", "us-east-1", "g", fmt.Sprint("s", s), evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		out := h.ok("FilterLogEvents", map[string]any{"logGroupName": "g", "filterPattern": "ERROR"})
		if n := len(out["events"].([]any)); n != 200 {
			b.Fatalf("matched %d; want 200", n)
		}
	}
}

// BenchmarkPutLogEventsServer measures the server's share of a PutLogEvents
// call (edge routing, decoding, storing, encoding) without a network.
func BenchmarkPutLogEventsServer(b *testing.B) {
	svc := logs.New(logs.Config{})
	e := edge.New(edge.Config{})
	e.Register(svc)
	ctx := context.Background()
	if err := svc.Append(ctx, "000000000000", "us-east-1", "/bench/app", "s", nil); err != nil {
		b.Fatal(err)
	}
	evs := make([]ev, 10)
	now := time.Now().UnixMilli()
	for i := range evs {
		evs[i] = ev{now, fmt.Sprintf("worker 1 call 2 event %d", i)}
	}
	body, _ := json.Marshal(map[string]any{"logGroupName": "/bench/app", "logStreamName": "s", "logEvents": evs})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
