package events_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tenkai/internal/events"
)

// sentMessage is one SendToQueue call.
type sentMessage struct{ ARN, Body, Group string }

type captureQueues struct{ ch chan sentMessage }

func (c *captureQueues) SendToQueue(ctx context.Context, arn string, body []byte, group string) error {
	select {
	case c.ch <- sentMessage{arn, string(body), group}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestSQSTargets(t *testing.T) {
	q := &captureQueues{ch: make(chan sentMessage, 10)}
	f := newFixture(t, events.Config{Queues: q})
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, nil)
	// A FIFO queue target needs its message group, as in AWS.
	var out struct {
		FailedEntryCount int
		FailedEntries    []struct{ ErrorCode, ErrorMessage string }
	}
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[{"Id":"fifo","Arn":"arn:aws:sqs:us-east-1:000000000000:jobs.fifo"}]}`, &out)
	if out.FailedEntryCount != 1 || !strings.Contains(out.FailedEntries[0].ErrorMessage, "SqsParameters") {
		t.Fatalf("FIFO target without SqsParameters: %+v", out)
	}
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[
		{"Id":"std","Arn":"arn:aws:sqs:us-east-1:000000000000:plain","InputPath":"$.detail"},
		{"Id":"fifo","Arn":"arn:aws:sqs:us-east-1:000000000000:jobs.fifo","SqsParameters":{"MessageGroupId":"g1"}}]}`, &out)
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %+v", out)
	}
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{\"n\":1}"}]}`, nil)
	got := map[string]sentMessage{}
	for i := 0; i < 2; i++ {
		select {
		case m := <-q.ch:
			got[m.ARN] = m
		case <-time.After(5 * time.Second):
			t.Fatal("no delivery to SQS")
		}
	}
	if m := got["arn:aws:sqs:us-east-1:000000000000:plain"]; m.Body != `{"n":1}` || m.Group != "" {
		t.Errorf("standard queue got %+v", m)
	}
	if m := got["arn:aws:sqs:us-east-1:000000000000:jobs.fifo"]; m.Group != "g1" || !strings.Contains(m.Body, `"source":"app"`) {
		t.Errorf("FIFO queue got %+v", m)
	}
}
