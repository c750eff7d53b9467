package sqs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/store"
)

// poll starts a ReceiveMessage in the background; the result arrives on the channel.
func (h *harness) poll(url string, in map[string]any) <-chan result {
	in["QueueUrl"] = url
	ch := make(chan result, 1)
	before := h.clk.Pending()
	go func() { ch <- h.do("ReceiveMessage", in) }()
	// Wait until the poll has found nothing and armed its timer.
	for deadline := time.Now().Add(5 * time.Second); h.clk.Pending() == before; {
		if time.Now().After(deadline) {
			h.t.Fatal("long poll never started waiting")
		}
		time.Sleep(time.Millisecond)
	}
	return ch
}

func wait(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not return")
		return result{}
	}
}

func pending(ch <-chan result) bool {
	select {
	case r := <-ch:
		_ = r
		return false
	case <-time.After(20 * time.Millisecond):
		return true
	}
}

func messagesOf(t *testing.T, r result) []msg {
	t.Helper()
	var out struct{ Messages []msg }
	if err := json.Unmarshal(r.raw, &out); err != nil || r.status != 200 {
		t.Fatalf("ReceiveMessage: %d %s", r.status, r.raw)
	}
	return out.Messages
}

func TestLongPolling(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"VisibilityTimeout": "10"})

	// A message sent during the wait is returned at once.
	ch := h.poll(url, map[string]any{"WaitTimeSeconds": 20})
	h.send(url, "hi")
	if got := messagesOf(t, wait(t, ch)); bodies(got) != "hi" {
		t.Fatalf("long poll got %q", bodies(got))
	}

	// A message whose visibility timeout ends during the wait is returned then.
	ch = h.poll(url, map[string]any{"WaitTimeSeconds": 20})
	h.clk.Advance(9 * time.Second)
	if !pending(ch) {
		t.Fatal("returned before the message was visible")
	}
	h.clk.Advance(time.Second)
	if got := messagesOf(t, wait(t, ch)); bodies(got) != "hi" {
		t.Fatalf("long poll got %q", bodies(got))
	}

	// An empty queue answers empty after the wait, from the queue's default too.
	empty := h.create("empty", map[string]string{"ReceiveMessageWaitTimeSeconds": "5"})
	ch = h.poll(empty, map[string]any{})
	h.clk.Advance(4 * time.Second)
	if !pending(ch) {
		t.Fatal("returned before ReceiveMessageWaitTimeSeconds")
	}
	h.clk.Advance(time.Second)
	if got := messagesOf(t, wait(t, ch)); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
	// WaitTimeSeconds 0 overrides the queue's default.
	if got := messagesOf(t, h.do("ReceiveMessage", map[string]any{"QueueUrl": empty, "WaitTimeSeconds": 0})); len(got) != 0 {
		t.Fatal("short poll got messages")
	}

	// Deleting the queue ends its long polls.
	ch = h.poll(empty, map[string]any{"WaitTimeSeconds": 20})
	h.ok("DeleteQueue", map[string]any{"QueueUrl": empty})
	wait(t, ch)

	// So does the server's shutdown.
	ch = h.poll(url, map[string]any{"WaitTimeSeconds": 20})
	h.svc.OnShutdown()
	if got := messagesOf(t, wait(t, ch)); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

func TestConcurrentReceiversGetDistinctMessages(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"VisibilityTimeout": "300"})
	const n = 300
	for i := 0; i < n; i += 10 {
		var es []map[string]any
		for j := i; j < i+10; j++ {
			es = append(es, map[string]any{"Id": fmt.Sprint("m", j), "MessageBody": fmt.Sprint(j)})
		}
		h.ok("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": es})
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	// Queue-level calls run alongside, for the race detector.
	stop, done := make(chan struct{}), make(chan struct{})
	defer func() { close(stop); <-done }()
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			h.do("SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]string{"DelaySeconds": "0", "Policy": fmt.Sprintf(`{"n":%d}`, i)}})
			h.do("ListQueues", map[string]any{})
			h.do("ListDeadLetterSourceQueues", map[string]any{"QueueUrl": url})
			h.do("GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []string{"All"}})
		}
	}()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r := h.do("ReceiveMessage", map[string]any{"QueueUrl": url, "MaxNumberOfMessages": 3})
				var out struct{ Messages []msg }
				if json.Unmarshal(r.raw, &out) != nil || len(out.Messages) == 0 {
					return
				}
				mu.Lock()
				for _, m := range out.Messages {
					seen[m.Body]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("received %d distinct messages; want %d", len(seen), n)
	}
	for b, c := range seen {
		if c != 1 {
			t.Fatalf("message %s delivered %d times within its visibility timeout", b, c)
		}
	}
}

func TestDurable(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st)
	url := h.create("keep.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "60"})
	h.send(url, "first", map[string]any{"MessageGroupId": "g", "MessageDeduplicationId": "1"})
	h.send(url, "second", map[string]any{"MessageGroupId": "g", "MessageDeduplicationId": "2"})
	first := h.receive(url, map[string]any{"MaxNumberOfMessages": 1})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st2, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	h2 := newHarness(t, st2)
	h2.clk.Set(h.clk.Now())
	// The in-flight message still blocks its group; the duplicate is still known.
	if got := h2.receive(url, nil); len(got) != 0 {
		t.Fatalf("after restart got %q while first is in flight", bodies(got))
	}
	if dup := h2.send(url, "first", map[string]any{"MessageGroupId": "g", "MessageDeduplicationId": "1"}); dup.str("MessageId") != first[0].MessageId {
		t.Fatal("deduplication forgotten across restart")
	}
	h2.ok("DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": first[0].ReceiptHandle})
	if got := bodies(h2.receive(url, nil)); got != "second" {
		t.Fatalf("after restart got %q", got)
	}
	next := h2.send(url, "third", map[string]any{"MessageGroupId": "h", "MessageDeduplicationId": "3"})
	if next.str("SequenceNumber") <= first[0].Attributes["SequenceNumber"] {
		t.Fatal("sequence numbers went back after restart")
	}
}

func TestServiceSend(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	if _, err := h.svc.Send(context.Background(), "arn:aws:sqs:us-east-1:000000000000:f.fifo", `{"x":1}`, "grp", ""); err != nil {
		t.Fatal(err)
	}
	got := h.receive(url, map[string]any{"AttributeNames": []string{"MessageGroupId"}})
	if len(got) != 1 || got[0].Body != `{"x":1}` || got[0].Attributes["MessageGroupId"] != "grp" {
		t.Fatalf("got %+v", got)
	}
	if _, err := h.svc.Send(context.Background(), "arn:aws:sqs:us-east-1:000000000000:f.fifo", "x", "", ""); err == nil {
		t.Fatal("FIFO send without a group succeeded")
	}
	if _, err := h.svc.Send(context.Background(), "arn:aws:sqs:us-east-1:000000000000:none", "x", "", ""); err == nil {
		t.Fatal("send to a missing queue succeeded")
	}
}

var _ clock.Clock = (*clock.Fake)(nil)

func TestServiceReceiveDelete(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"VisibilityTimeout": "30"})
	const arn = "arn:aws:sqs:us-east-1:000000000000:q"
	h.send(url, "m1", map[string]any{"MessageAttributes": map[string]any{"k": map[string]any{"DataType": "String", "StringValue": "v"}}})
	ctx := context.Background()
	got, err := h.svc.Receive(ctx, arn, 10, -1, 0)
	if err != nil || len(got) != 1 || got[0].Body != "m1" || *got[0].MessageAttributes["k"].StringValue != "v" ||
		got[0].Attributes["ApproximateReceiveCount"] != "1" || got[0].MD5OfMessageAttributes == "" {
		t.Fatalf("Receive = %+v, %v", got, err)
	}
	if err := h.svc.ChangeVisibility(ctx, arn, got[0].ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	again, err := h.svc.Receive(ctx, arn, 1, 5*time.Second, 0)
	if err != nil || len(again) != 1 {
		t.Fatalf("Receive after ChangeVisibility = %+v, %v", again, err)
	}
	if err := h.svc.Delete(ctx, arn, again[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(time.Minute)
	if got, _ := h.svc.Receive(ctx, arn, 1, -1, 0); len(got) != 0 {
		t.Fatal("deleted message came back")
	}
	if _, err := h.svc.Receive(ctx, "arn:aws:sqs:us-east-1:000000000000:none", 1, -1, 0); err == nil {
		t.Fatal("Receive from a missing queue succeeded")
	}
}
