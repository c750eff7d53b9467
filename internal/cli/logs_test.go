package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/app"
)

// startApp runs a tenkai server in the test process.
func startApp(t *testing.T) string {
	t.Helper()
	a, err := app.New(app.Config{Port: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close(context.Background()) })
	return a.Endpoint()
}

func logsCall(t *testing.T, endpoint, op, body string) {
	t.Helper()
	req, _ := http.NewRequest("POST", endpoint+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: %d %s", op, resp.StatusCode, b)
	}
}

func putEvent(t *testing.T, endpoint, stream string, ts time.Time, msg string) {
	t.Helper()
	logsCall(t, endpoint, "PutLogEvents", fmt.Sprintf(`{"logGroupName":"app","logStreamName":%q,"logEvents":[{"timestamp":%d,"message":%q}]}`, stream, ts.UnixMilli(), msg))
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogsTail(t *testing.T) {
	ep := startApp(t)
	logsCall(t, ep, "CreateLogGroup", `{"logGroupName":"app"}`)
	logsCall(t, ep, "CreateLogStream", `{"logGroupName":"app","logStreamName":"s1"}`)
	logsCall(t, ep, "CreateLogStream", `{"logGroupName":"app","logStreamName":"s2"}`)
	now := time.Now().UTC().Truncate(time.Millisecond)
	putEvent(t, ep, "s1", now.Add(-2*time.Hour), "too early")
	putEvent(t, ep, "s2", now.Add(-2*time.Minute), "first")
	putEvent(t, ep, "s1", now.Add(-time.Minute), "second\n")

	var out bytes.Buffer
	if err := Run(context.Background(), []string{"logs", "tail", "app", "--endpoint", ep}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := formatEvent(tailEvent{"s2", now.Add(-2 * time.Minute).UnixMilli(), "first", ""}, "detailed") +
		formatEvent(tailEvent{"s1", now.Add(-time.Minute).UnixMilli(), "second", ""}, "detailed")
	if out.String() != want {
		t.Errorf("tail =\n%s\nwant\n%s", out.String(), want)
	}

	out.Reset()
	if err := Run(context.Background(), []string{"logs", "tail", "app", "--endpoint", ep, "--since", "3h", "--format", "short", "--filter-pattern", "?early ?second"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want = now.Add(-2*time.Hour).Format("2006-01-02T15:04:05") + " too early\n" + now.Add(-time.Minute).Format("2006-01-02T15:04:05") + " second\n"
	if out.String() != want {
		t.Errorf("tail --format short =\n%s\nwant\n%s", out.String(), want)
	}

	for _, args := range [][]string{{"--log-stream-names", "s2"}, {"--log-stream-name-prefix", "s2"}} {
		out.Reset()
		if err := Run(context.Background(), append([]string{"logs", "tail", "app", "--endpoint", ep}, args...), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out.String()); !strings.HasSuffix(got, " s2 first") || strings.Count(got, "\n") != 0 {
			t.Errorf("tail %v = %q; want only s2's event", args, got)
		}
	}

	err := Run(context.Background(), []string{"logs", "tail", "nope", "--endpoint", ep}, io.Discard, io.Discard)
	var ae *apiError
	if !errors.As(err, &ae) || ae.Code != "ResourceNotFoundException" {
		t.Errorf("tail of a missing group = %v; want ResourceNotFoundException", err)
	}
	if err := Run(context.Background(), []string{"logs", "tail", "app", "--endpoint", ep, "--since", "yesterday"}, io.Discard, io.Discard); err == nil {
		t.Error("--since yesterday accepted")
	}
}

func TestLogsTailFollow(t *testing.T) {
	ep := startApp(t)
	logsCall(t, ep, "CreateLogGroup", `{"logGroupName":"app"}`)
	logsCall(t, ep, "CreateLogStream", `{"logGroupName":"app","logStreamName":"s"}`)
	now := time.Now()
	putEvent(t, ep, "s", now, "before")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"logs", "tail", "app", "--endpoint", ep, "--follow"}, out, io.Discard)
	}()
	waitFor(t, out, "before")
	// Same millisecond as "before": only the id tells it apart.
	putEvent(t, ep, "s", now, "same millisecond")
	putEvent(t, ep, "s", now.Add(time.Second), "after")
	waitFor(t, out, "after")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("tail --follow returned %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], " s before") || !strings.HasSuffix(lines[1], " s same millisecond") || !strings.HasSuffix(lines[2], " s after") {
		t.Errorf("follow output =\n%s\nwant before, same millisecond, after once each", out.String())
	}
}

func waitFor(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q; output:\n%s", s, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFormatEvent(t *testing.T) {
	ts := time.Date(2026, 3, 1, 12, 0, 5, 0, time.UTC).UnixMilli()
	tests := []struct {
		e      tailEvent
		format string
		want   string
	}{
		{tailEvent{"s", ts + 123, "hello\n", "1"}, "detailed", "2026-03-01T12:00:05.123000+00:00 s hello\n"},
		{tailEvent{"s", ts, "whole second", "2"}, "detailed", "2026-03-01T12:00:05+00:00 s whole second\n"},
		{tailEvent{"s", ts + 123, "short", "3"}, "short", "2026-03-01T12:00:05 short\n"},
	}
	for _, tc := range tests {
		if got := formatEvent(tc.e, tc.format); got != tc.want {
			t.Errorf("formatEvent(%v, %s) = %q; want %q", tc.e, tc.format, got, tc.want)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"10m", now.Add(-10 * time.Minute)},
		{"30s", now.Add(-30 * time.Second)},
		{"2h", now.Add(-2 * time.Hour)},
		{"1d", now.Add(-24 * time.Hour)},
		{"1w", now.Add(-7 * 24 * time.Hour)},
		{"2026-02-28T10:00:00Z", time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)},
		{"2026-02-28", time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		got, err := parseSince(tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "10", "m", "5y", "-5m"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("parseSince(%q) succeeded; want an error", bad)
		}
	}
}
