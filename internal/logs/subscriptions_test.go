package logs_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/logs"
	"tenkai/internal/store"
)

// fakeFunctions records invocations and allows only functions named "allowed".
type fakeFunctions struct {
	mu    sync.Mutex
	calls []invocation
}

type invocation struct {
	account, region, fn string
	payload             []byte
}

func (f *fakeFunctions) InvokeAsync(ctx context.Context, account, region, fn string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, invocation{account, region, fn, payload})
	return nil
}

func (f *fakeFunctions) AllowsInvoke(ctx context.Context, account, region, fn, principal, sourceARN string) bool {
	return strings.HasSuffix(fn, ":function:allowed") && principal == "logs.amazonaws.com" &&
		sourceARN == "arn:aws:logs:us-east-1:000000000000:log-group:g:*"
}

func (f *fakeFunctions) taken() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

// decodeAwslogs unwraps {"awslogs": {"data": base64(gzip(JSON))}}.
func decodeAwslogs(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var wrap struct {
		Awslogs struct{ Data string } `json:"awslogs"`
	}
	if err := json.Unmarshal(payload, &wrap); err != nil {
		t.Fatal(err)
	}
	gz, err := base64.StdEncoding.DecodeString(wrap.Awslogs.Data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	js, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var msg map[string]any
	if err := json.Unmarshal(js, &msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestSubscriptionFilters(t *testing.T) {
	fns := &fakeFunctions{}
	svc := logs.New(logs.Config{Store: store.NewMem(), Clock: clock.NewFake(t0), Functions: fns})
	e := edge.New(edge.Config{})
	e.Register(svc)
	srv := httptest.NewServer(e)
	defer srv.Close()
	h := &harness{t: t, svc: svc, srv: srv}
	allowed := "arn:aws:lambda:us-east-1:000000000000:function:allowed"

	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"})
	h.fail("PutSubscriptionFilter", map[string]any{"logGroupName": "g", "filterName": "f", "filterPattern": "",
		"destinationArn": "arn:aws:lambda:us-east-1:000000000000:function:denied"}, "InvalidParameterException",
		"Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
	h.fail("PutSubscriptionFilter", map[string]any{"logGroupName": "nope", "filterName": "f", "filterPattern": "", "destinationArn": allowed}, "ResourceNotFoundException", "")
	h.ok("PutSubscriptionFilter", map[string]any{"logGroupName": "g", "filterName": "errors", "filterPattern": "ERROR", "destinationArn": allowed})
	h.ok("PutSubscriptionFilter", map[string]any{"logGroupName": "g", "filterName": "kinesis", "filterPattern": "",
		"destinationArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s", "roleArn": "arn:aws:iam::000000000000:role/r"})
	h.fail("PutSubscriptionFilter", map[string]any{"logGroupName": "g", "filterName": "third", "filterPattern": "", "destinationArn": allowed}, "LimitExceededException", "")

	out := h.ok("DescribeSubscriptionFilters", map[string]any{"logGroupName": "g"})
	subs := out["subscriptionFilters"].([]any)
	if len(subs) != 2 || subs[0].(map[string]any)["filterName"] != "errors" || subs[0].(map[string]any)["distribution"] != "ByLogStream" {
		t.Fatalf("DescribeSubscriptionFilters = %v", out)
	}

	h.put("g", "s", ev{ms(t0), "INFO fine"}, ev{ms(t0) + 1, "ERROR broken"}, ev{ms(t0) + 2, "ERROR again"})
	if err := svc.Close(context.Background()); err != nil { // waits for deliveries
		t.Fatal(err)
	}
	calls := fns.taken()
	if len(calls) != 1 || calls[0].fn != allowed || calls[0].account != "000000000000" || calls[0].region != "us-east-1" {
		t.Fatalf("invocations = %+v; want one to %s", calls, allowed)
	}
	msg := decodeAwslogs(t, calls[0].payload)
	if msg["messageType"] != "DATA_MESSAGE" || msg["owner"] != "000000000000" || msg["logGroup"] != "g" || msg["logStream"] != "s" {
		t.Errorf("payload = %v", msg)
	}
	if f := msg["subscriptionFilters"].([]any); len(f) != 1 || f[0] != "errors" {
		t.Errorf("subscriptionFilters = %v", f)
	}
	evs := msg["logEvents"].([]any)
	if len(evs) != 2 || evs[0].(map[string]any)["message"] != "ERROR broken" || evs[1].(map[string]any)["timestamp"] != float64(ms(t0)+2) {
		t.Fatalf("logEvents = %v", evs)
	}
	// The ids are the ones FilterLogEvents reports.
	fl := h.ok("FilterLogEvents", map[string]any{"logGroupName": "g", "filterPattern": "ERROR"})["events"].([]any)
	if fl[0].(map[string]any)["eventId"] != evs[0].(map[string]any)["id"] {
		t.Errorf("subscription id %v; FilterLogEvents eventId %v", evs[0].(map[string]any)["id"], fl[0].(map[string]any)["eventId"])
	}

	// Append (Lambda's own logging path) delivers too.
	if err := svc.Append(context.Background(), "000000000000", "us-east-1", "g", "s2", []logs.Event{{Time: t0.Add(time.Second), Message: "ERROR from append"}}); err != nil {
		t.Fatal(err)
	}
	svc.Close(context.Background())
	if calls := fns.taken(); len(calls) != 1 || decodeAwslogs(t, calls[0].payload)["logStream"] != "s2" {
		t.Errorf("Append delivered %d payloads; want one for s2", len(calls))
	}

	h.ok("DeleteSubscriptionFilter", map[string]any{"logGroupName": "g", "filterName": "errors"})
	h.fail("DeleteSubscriptionFilter", map[string]any{"logGroupName": "g", "filterName": "errors"}, "ResourceNotFoundException", "The specified subscription filter does not exist.")
	h.put("g", "s", ev{ms(t0) + 3, "ERROR unheard"})
	svc.Close(context.Background())
	if calls := fns.taken(); len(calls) != 0 {
		t.Errorf("deleted subscription still delivers: %d calls", len(calls))
	}
}
