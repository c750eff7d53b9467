package sns_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/sns"
	"tenkai/internal/store"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// queues records what the service sends to SQS, in arrival order. Queues
// listed in missing refuse messages, as a deleted queue does.
type queues struct {
	mu      sync.Mutex
	sent    map[string][]sns.QueueMessage // by queue ARN
	missing map[string]bool
	jitter  bool // pause up to 200µs before taking a message; set before use
}

func (q *queues) SendToQueue(ctx context.Context, arn string, m sns.QueueMessage) error {
	if q.jitter {
		time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.missing[arn] {
		return errors.New("queue does not exist")
	}
	if q.sent == nil {
		q.sent = map[string][]sns.QueueMessage{}
	}
	q.sent[arn] = append(q.sent[arn], m)
	return nil
}

func (q *queues) messages(arn string) []sns.QueueMessage {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]sns.QueueMessage(nil), q.sent[arn]...)
}

// functions records asynchronous invocations. Functions allow SNS to
// invoke them unless listed in denied.
type functions struct {
	mu     sync.Mutex
	calls  []invocation
	denied map[string]bool
}

func (f *functions) AllowsInvoke(ctx context.Context, account, region, arn, principal, source string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return principal == "sns.amazonaws.com" && strings.HasPrefix(source, "arn:aws:sns:") && !f.denied[arn]
}

type invocation struct {
	account, region, arn string
	payload              []byte
}

func (f *functions) InvokeAsync(ctx context.Context, account, region, arn string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, invocation{account, region, arn, payload})
	return nil
}

func (f *functions) invocations() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]invocation(nil), f.calls...)
}

type harness struct {
	t    testing.TB
	svc  *sns.Service
	clk  *clock.Fake
	srv  *httptest.Server
	q    *queues
	fn   *functions
	logs *logBuffer
}

// logBuffer collects the service's JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// find returns the first log record whose msg contains text, or nil.
func (b *logBuffer) find(text string) map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, line := range strings.Split(b.buf.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			if m, _ := rec["msg"].(string); strings.Contains(m, text) {
				return rec
			}
		}
	}
	return nil
}

func newHarness(t testing.TB, st store.Store) *harness {
	if st == nil {
		st = store.NewMem()
	}
	h := &harness{t: t, clk: clock.NewFake(t0), q: &queues{}, fn: &functions{}, logs: &logBuffer{}}
	n := 0
	var mu sync.Mutex
	newID := func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(itoa(n))) + itoa(n)
	}
	h.svc = sns.New(sns.Config{Store: st, Clock: h.clk, Queues: h.q, Functions: h.fn, NewID: newID, Logger: slog.New(slog.NewJSONHandler(h.logs, nil)),
		Endpoint: func() string { return h.srv.URL }, RetryDelay: time.Millisecond})
	e := edge.New(edge.Config{})
	e.Register(h.svc)
	h.srv = httptest.NewServer(e)
	t.Cleanup(func() {
		h.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.svc.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	if s == "" {
		return "0"
	}
	return s
}

// result is one answer: the status, the awsQuery error code and every
// element's text by element name, in document order.
type result struct {
	status int
	code   string
	msg    string
	vals   map[string][]string
	raw    string
}

func (r result) get(name string) string {
	if v := r.vals[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// call posts an action signed for sns (the signature is not checked; its
// scope routes the request).
func (h *harness) call(action string, kv ...string) result {
	h.t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2010-03-31"}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20260301/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, vals: elements(h.t, b), raw: string(b)}
	if resp.StatusCode >= 300 {
		r.code, r.msg = r.get("Code"), r.get("Message")
	}
	return r
}

// ok calls an action and fails the test unless it succeeds.
func (h *harness) ok(action string, kv ...string) result {
	h.t.Helper()
	r := h.call(action, kv...)
	if r.status != 200 {
		h.t.Fatalf("%s: status %d: %s", action, r.status, r.raw)
	}
	return r
}

// fail calls an action and checks the error code and status.
func (h *harness) fail(status int, code, action string, kv ...string) result {
	h.t.Helper()
	r := h.call(action, kv...)
	if r.status != status || r.code != code {
		h.t.Fatalf("%s = %d %s; want %d %s\n%s", action, r.status, r.code, status, code, r.raw)
	}
	return r
}

func elements(t testing.TB, b []byte) map[string][]string {
	out := map[string][]string{}
	d := xml.NewDecoder(strings.NewReader(string(b)))
	var stack []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("bad XML: %v\n%s", err, b)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			stack = append(stack, x.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(x)
		case xml.EndElement:
			out[x.Name.Local] = append(out[x.Name.Local], text.String())
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
}

// attrs reads an <Attributes> map answer.
func (r result) attrs() map[string]string {
	m := map[string]string{}
	for i, k := range r.vals["key"] {
		m[k] = r.vals["value"][i]
	}
	return m
}

const account = "123456789012"

func (h *harness) createTopic(name string, kv ...string) string {
	h.t.Helper()
	return h.ok("CreateTopic", append([]string{"Name", name}, kv...)...).get("TopicArn")
}

func (h *harness) subscribe(topic, protocol, endpoint string, kv ...string) string {
	h.t.Helper()
	return h.ok("Subscribe", append([]string{"TopicArn", topic, "Protocol", protocol, "Endpoint", endpoint}, kv...)...).get("SubscriptionArn")
}
