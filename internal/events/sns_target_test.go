package events_test

import (
	"context"
	"testing"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/events"
)

// published is one PublishToTopic call.
type published struct{ ARN, Body string }

type captureTopics struct {
	ch  chan published
	err error // returned after capturing
}

func (c *captureTopics) PublishToTopic(ctx context.Context, arn string, body []byte) error {
	select {
	case c.ch <- published{arn, string(body)}:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestSNSTargets(t *testing.T) {
	tp := &captureTopics{ch: make(chan published, 10)}
	f := newFixture(t, events.Config{Topics: tp})
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, nil)
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sns:us-east-1:000000000000:alerts","InputPath":"$.detail"}]}`, nil)
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{\"n\":1}"}]}`, nil)
	select {
	case m := <-tp.ch:
		if m.ARN != "arn:aws:sns:us-east-1:000000000000:alerts" || m.Body != `{"n":1}` {
			t.Errorf("published %+v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery to SNS")
	}
}

// A topic that does not exist is a permanent failure: one attempt only.
func TestSNSTargetMissingTopic(t *testing.T) {
	tp := &captureTopics{ch: make(chan published, 10), err: &edge.Error{Code: "NotFound", Message: "Topic does not exist", Status: 404}}
	f := newFixture(t, events.Config{Topics: tp})
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, nil)
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sns:us-east-1:000000000000:gone"}]}`, nil)
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{}"}]}`, nil)
	select {
	case <-tp.ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery attempt")
	}
	waitUntil(t, func() bool { return len(deliveries(t, f.svc)) == 1 })
	if got := deliveries(t, f.svc); got[0] != "DROPPED" {
		t.Errorf("delivery to a missing topic = %v; want DROPPED, not retried", got)
	}
}
