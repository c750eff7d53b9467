package lambda

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

const testTopic = "arn:aws:sns:us-east-1:000000000000:alerts"

// fakeTopics hands each publish to the test.
type fakeTopics struct{ sent chan fakeSent }

func (f *fakeTopics) PublishToTopic(ctx context.Context, arn, message string, attrs map[string]QueueAttribute) error {
	select {
	case f.sent <- fakeSent{arn, message, attrs}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func nextPublish(t *testing.T, ft *fakeTopics) fakeSent {
	t.Helper()
	select {
	case s := <-ft.sent:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("nothing was published to a topic")
		return fakeSent{}
	}
}

func TestAsyncSNSDestinationAndDeadLetter(t *testing.T) {
	ft := &fakeTopics{sent: make(chan fakeSent, 8)}
	h := newHarness(t, func(c *Config) { c.Topics = ft })
	h.exec.respond = fail
	h.create("worker", map[string]any{"DeadLetterConfig": map[string]string{"TargetArn": testTopic}})
	dest := testTopic + "-failures"
	h.must(200, h.do("PUT", "/2019-09-25/functions/worker/event-invoke-config", map[string]any{
		"MaximumRetryAttempts": 0,
		"DestinationConfig":    map[string]any{"OnFailure": map[string]string{"Destination": dest}},
	}))
	r := h.must(202, h.do("POST", "/2015-03-31/functions/worker/invocations", `{"n":1}`, "X-Amz-Invocation-Type", "Event"))
	id := r.Header.Get("x-amzn-RequestId")
	got := map[string]fakeSent{}
	for range 2 {
		s := nextPublish(t, ft)
		got[s.queue] = s
	}
	dl := got[testTopic]
	if dl.body != `{"n":1}` || dl.attrs["RequestID"].StringValue != id || dl.attrs["ErrorCode"].StringValue != "200" ||
		dl.attrs["ErrorMessage"].StringValue != "bad" {
		t.Errorf("dead-letter publish = %+v", dl)
	}
	var rec struct {
		RequestContext struct {
			RequestID string `json:"requestId"`
			Condition string `json:"condition"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal([]byte(got[dest].body), &rec); err != nil || rec.RequestContext.RequestID != id ||
		rec.RequestContext.Condition != "RetriesExhausted" {
		t.Errorf("destination record = %q", got[dest].body)
	}
}

func TestStreamMappingOnFailureTopic(t *testing.T) {
	ft := &fakeTopics{sent: make(chan fakeSent, 8)}
	h, fs := newESMHarness(t, func(c *Config) { c.Topics = ft })
	h.exec.respond = fail
	fs.add(testStream, "INSERT", h.clk.Now(), "poison")
	h.createMapping(map[string]any{"MaximumRetryAttempts": 0,
		"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": testTopic}}})
	wantBatch(t, h.exec.called, "poison")
	s := nextPublish(t, ft)
	var rec streamFailure
	if err := json.Unmarshal([]byte(s.body), &rec); err != nil {
		t.Fatal(err)
	}
	if s.queue != testTopic || rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.BatchInfo.StreamArn != testStream || rec.Payload != nil {
		t.Errorf("failure record = %s", s.body)
	}
}
