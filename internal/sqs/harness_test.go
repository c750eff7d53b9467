package sqs_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/sqs"
	"tenkai/internal/store"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type harness struct {
	t   testing.TB
	svc *sqs.Service
	clk *clock.Fake
	srv *httptest.Server
	st  store.Store
}

func newHarness(t testing.TB, st store.Store) *harness {
	if st == nil {
		st = store.NewMem()
	}
	clk := clock.NewFake(t0)
	svc := sqs.New(sqs.Config{Store: st, Clock: clk})
	e := edge.New(edge.Config{})
	e.Register(svc)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &harness{t: t, svc: svc, clk: clk, srv: srv, st: st}
}

// result is one answer: status, the x-amzn-query-error code and the body.
type result struct {
	status int
	code   string // awsQuery code from x-amzn-query-error, "" on success
	body   map[string]any
	raw    []byte
}

func (r result) str(k string) string { s, _ := r.body[k].(string); return s }

func (h *harness) do(op string, body any) result {
	h.t.Helper()
	raw, ok := body.(string)
	if !ok {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		raw = string(b)
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/", strings.NewReader(raw))
	req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, raw: b}
	if q := resp.Header.Get("x-amzn-query-error"); q != "" {
		r.code, _, _ = strings.Cut(q, ";")
	}
	_ = json.NewDecoder(bytes.NewReader(b)).Decode(&r.body)
	return r
}

// ok calls op and fails the test unless it succeeds.
func (h *harness) ok(op string, body any) result {
	h.t.Helper()
	r := h.do(op, body)
	if r.status != 200 {
		h.t.Fatalf("%s: status %d: %s", op, r.status, r.raw)
	}
	return r
}

// fail calls op and checks it fails with the awsQuery code.
func (h *harness) fail(op string, body any, code string) result {
	h.t.Helper()
	r := h.do(op, body)
	if r.status == 200 || r.code != code {
		h.t.Fatalf("%s: status %d code %q; want %s\n%s", op, r.status, r.code, code, r.raw)
	}
	return r
}

func (h *harness) create(name string, attrs map[string]string) string {
	h.t.Helper()
	in := map[string]any{"QueueName": name}
	if attrs != nil {
		in["Attributes"] = attrs
	}
	return h.ok("CreateQueue", in).str("QueueUrl")
}

func (h *harness) send(url, body string, extra ...map[string]any) result {
	h.t.Helper()
	in := map[string]any{"QueueUrl": url, "MessageBody": body}
	for _, e := range extra {
		for k, v := range e {
			in[k] = v
		}
	}
	return h.ok("SendMessage", in)
}

type msg struct {
	MessageId              string
	ReceiptHandle          string
	Body                   string
	MD5OfBody              string
	MD5OfMessageAttributes string
	Attributes             map[string]string
	MessageAttributes      map[string]map[string]any
}

func (h *harness) receive(url string, extra map[string]any) []msg {
	h.t.Helper()
	in := map[string]any{"QueueUrl": url, "MaxNumberOfMessages": 10}
	for k, v := range extra {
		in[k] = v
	}
	r := h.ok("ReceiveMessage", in)
	var out struct{ Messages []msg }
	if err := json.Unmarshal(r.raw, &out); err != nil {
		h.t.Fatal(err)
	}
	return out.Messages
}

func (h *harness) attrs(url string, names ...string) map[string]string {
	h.t.Helper()
	r := h.ok("GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": names})
	out := map[string]string{}
	m, _ := r.body["Attributes"].(map[string]any)
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

func bodies(ms []msg) string {
	var b []string
	for _, m := range ms {
		b = append(b, m.Body)
	}
	return strings.Join(b, ",")
}
