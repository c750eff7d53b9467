package events_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/events"
	"tenkai/internal/store"
)

// countingLogs is a LogWriter that only counts what it is given.
type countingLogs struct{ n atomic.Int64 }

func (c *countingLogs) WriteLog(context.Context, string, string, string, string, time.Time, string) error {
	c.n.Add(1)
	return nil
}

// benchPattern mirrors the workload of bench/events.go: mixed operators, one
// rule per kind.
func benchPattern(i int) string {
	kind := fmt.Sprintf("k%03d", i)
	switch i % 6 {
	case 0:
		return fmt.Sprintf(`{"source":["bench"],"detail":{"kind":[%q],"amount":[{"numeric":[">=",0,"<",1000000]}]}}`, kind)
	case 1:
		return fmt.Sprintf(`{"source":[{"prefix":"ben"}],"detail":{"kind":[%q],"region":[{"anything-but":["eu-west-9"]}]}}`, kind)
	case 2:
		return fmt.Sprintf(`{"detail-type":[{"suffix":"Event"}],"detail":{"kind":[%q],"ip":[{"cidr":"10.0.0.0/8"}]}}`, kind)
	case 3:
		return fmt.Sprintf(`{"source":["bench"],"detail":{"kind":[%q],"tag":[{"exists":true}]}}`, kind)
	case 4:
		return fmt.Sprintf(`{"source":["bench"],"detail":{"kind":[{"wildcard":"%s*"}],"user":[{"equals-ignore-case":"ALICE"}]}}`, kind)
	default:
		return fmt.Sprintf(`{"$or":[{"detail":{"kind":[%q]}},{"detail":{"never":["x"]}}],"source":["bench"]}`, kind)
	}
}

// newBenchEdge serves EventBridge behind the edge with 100 rules, each with a
// log-group target.
func newBenchEdge(tb testing.TB) (*edge.Edge, *countingLogs) {
	tb.Helper()
	logs := &countingLogs{}
	svc := events.New(events.Config{Store: store.NewMem(), Logs: logs, Logger: quietLogger()})
	ctx := context.Background()
	if err := svc.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = svc.Close(ctx) })
	e := edge.New(edge.Config{Logger: quietLogger()})
	e.Register(svc)
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("rule-%03d", i)
		call(tb, e, "PutRule", fmt.Sprintf(`{"Name":%q,"EventPattern":%q}`, name, benchPattern(i)), 200)
		call(tb, e, "PutTargets", fmt.Sprintf(`{"Rule":%q,"Targets":[{"Id":"log","Arn":"arn:aws:logs:us-east-1:000000000000:log-group:/bench/events"}]}`, name), 200)
	}
	return e, logs
}

// call sends one awsJson request and checks its status.
func call(tb testing.TB, h http.Handler, op, body string, want int) []byte {
	tb.Helper()
	r := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(body)))
	r.Header.Set("X-Amz-Target", "AWSEvents."+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		tb.Fatalf("%s = %d %s; want %d", op, w.Code, w.Body, want)
	}
	return w.Body.Bytes()
}

// benchBody is a PutEvents request of 10 events, each matching exactly one rule.
func benchBody(i int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Entries":[`)
	for j := 0; j < 10; j++ {
		if j > 0 {
			b.WriteByte(',')
		}
		detail := fmt.Sprintf(`{"kind":"k%03d","amount":%d,"region":"us-east-1","ip":"10.1.2.%d","tag":"t","user":"alice","n":%d}`, (i*10+j)%100, i, j, i)
		fmt.Fprintf(&b, `{"Source":"bench","DetailType":"Bench Event","Detail":%q}`, detail)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkPutEventsHTTP measures PutEvents of 10 events through the edge with
// 100 rules; each op is one request.
func BenchmarkPutEventsHTTP(b *testing.B) {
	e, logs := newBenchEdge(b)
	bodies := make([][]byte, 64)
	for i := range bodies {
		bodies[i] = benchBody(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			body := bodies[i%len(bodies)]
			i++
			r, _ := http.NewRequest("POST", "http://localhost/", bytes.NewReader(body))
			r.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			w.code = 0
			clear(w.h)
			e.ServeHTTP(w, r)
			if w.code != 0 && w.code != 200 {
				b.Fatalf("status %d", w.code)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "events/s")
	_ = logs
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
