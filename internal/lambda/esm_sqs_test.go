package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/lambda/runtime"
)

const (
	testQueue = "arn:aws:sqs:us-east-1:000000000000:jobs"
	testFIFO  = "arn:aws:sqs:us-east-1:000000000000:jobs.fifo"
)

// fakeQueues is a QueueClient over in-memory queues. Received messages stay
// in flight until deleted or released; a FIFO queue hands out no message of
// a group that has one in flight, as SQS does.
type fakeQueues struct {
	mu     sync.Mutex
	seq    int
	queues map[string][]*fakeMsg
	sent   chan fakeSent
	// shortVisibility ends every visibility timeout before each receive.
	shortVisibility bool
}

type fakeMsg struct {
	QueueMessage
	group    string
	inFlight bool
	received int
}

type fakeSent struct {
	queue, body string
	attrs       map[string]QueueAttribute
}

func newFakeQueues(arns ...string) *fakeQueues {
	f := &fakeQueues{queues: map[string][]*fakeMsg{}, sent: make(chan fakeSent, 16)}
	for _, a := range arns {
		f.queues[a] = nil
	}
	return f
}

func (f *fakeQueues) add(arn, group string, bodies ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range bodies {
		f.seq++
		f.queues[arn] = append(f.queues[arn], &fakeMsg{group: group, QueueMessage: QueueMessage{
			MessageID: fmt.Sprintf("m%d", f.seq), Body: b, MD5OfBody: "md5-" + b,
			Attributes: map[string]string{"SentTimestamp": "1795248000000", "SenderId": "000000000000", "Ignored": "x"}}})
	}
}

// left returns the bodies still in the queue.
func (f *fakeQueues) left(arn string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.queues[arn] {
		out = append(out, m.Body)
	}
	return out
}

func (f *fakeQueues) QueueFIFO(ctx context.Context, arn string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.queues[arn]; !ok {
		return false, ErrNoQueue
	}
	return strings.HasSuffix(arn, ".fifo"), nil
}

func (f *fakeQueues) Receive(ctx context.Context, arn string, max int, wait time.Duration) ([]QueueMessage, error) {
	if max < 1 || max > 10 {
		return nil, fmt.Errorf("max %d", max)
	}
	f.mu.Lock()
	if f.shortVisibility {
		for _, m := range f.queues[arn] {
			m.inFlight = false
		}
	}
	busy := map[string]bool{}
	for _, m := range f.queues[arn] {
		if m.inFlight && m.group != "" {
			busy[m.group] = true
		}
	}
	var out []QueueMessage
	for _, m := range f.queues[arn] {
		if len(out) == max || m.inFlight || busy[m.group] {
			continue
		}
		m.inFlight = true
		m.received++
		f.seq++
		m.ReceiptHandle = fmt.Sprintf("rh%d", f.seq)
		q := m.QueueMessage
		q.Attributes = map[string]string{"ApproximateReceiveCount": fmt.Sprint(m.received)}
		for k, v := range m.Attributes {
			q.Attributes[k] = v
		}
		if m.group != "" {
			q.Attributes["MessageGroupId"] = m.group
		}
		out = append(out, q)
	}
	f.mu.Unlock()
	if len(out) == 0 {
		time.Sleep(time.Millisecond)
	}
	return out, nil
}

func (f *fakeQueues) find(arn, rh string, fn func(i int)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, m := range f.queues[arn] {
		if m.ReceiptHandle == rh && m.inFlight {
			fn(i)
			return nil
		}
	}
	return fmt.Errorf("no receipt %s", rh)
}

func (f *fakeQueues) Delete(ctx context.Context, arn, rh string) error {
	return f.find(arn, rh, func(i int) { f.queues[arn] = append(f.queues[arn][:i], f.queues[arn][i+1:]...) })
}

func (f *fakeQueues) Release(ctx context.Context, arn, rh string) error {
	return f.find(arn, rh, func(i int) { f.queues[arn][i].inFlight = false })
}

// expire ends every visibility timeout.
func (f *fakeQueues) expire(arn string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.queues[arn] {
		m.inFlight = false
	}
}

func (f *fakeQueues) Send(ctx context.Context, arn, body string, attrs map[string]QueueAttribute) error {
	select {
	case f.sent <- fakeSent{arn, body, attrs}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newSQSHarness(t *testing.T) (*harness, *fakeQueues) {
	fq := newFakeQueues(testQueue, testFIFO)
	h := newHarness(t, func(c *Config) { c.Queues = fq; c.StreamPoll = time.Millisecond })
	h.exec.called = make(chan fakeCall, 64)
	h.create("fn", nil)
	return h, fq
}

func (h *harness) createQueueMapping(source string, extra map[string]any) *esmOutput {
	h.t.Helper()
	in := map[string]any{"EventSourceArn": source, "FunctionName": "fn"}
	for k, v := range extra {
		in[k] = v
	}
	var out esmOutput
	h.must(202, h.do("POST", "/2015-03-31/event-source-mappings/", in)).json(h.t, &out)
	return &out
}

type sqsEvent struct {
	Records []struct {
		MessageID      string            `json:"messageId"`
		ReceiptHandle  string            `json:"receiptHandle"`
		Body           string            `json:"body"`
		Attributes     map[string]string `json:"attributes"`
		EventSource    string            `json:"eventSource"`
		EventSourceARN string            `json:"eventSourceARN"`
		AWSRegion      string            `json:"awsRegion"`
	} `json:"Records"`
}

func bodies(t *testing.T, c fakeCall) []string {
	t.Helper()
	var ev sqsEvent
	if err := json.Unmarshal(c.Req.Payload, &ev); err != nil {
		t.Fatalf("payload is not an SQS event: %v: %s", err, c.Req.Payload)
	}
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.Body)
	}
	return out
}

// waitLeft waits until the queue holds exactly want.
func waitLeft(t *testing.T, fq *fakeQueues, arn string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := strings.Join(fq.left(arn), ",")
		if got == strings.Join(want, ",") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue holds [%s]; want [%s]", got, strings.Join(want, ","))
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSQSMappingAPI(t *testing.T) {
	h, _ := newSQSHarness(t)
	cases := []struct {
		name  string
		in    map[string]any
		code  string
		msg   string
		queue string
	}{
		{"missing queue", nil, "InvalidParameterValueException", "AWS.SimpleQueueService.NonExistentQueue", "arn:aws:sqs:us-east-1:000000000000:ghost"},
		{"starting position", map[string]any{"StartingPosition": "LATEST"}, "InvalidParameterValueException", "Unsupported starting position for arn type: " + testQueue, ""},
		{"batch without window", map[string]any{"BatchSize": 11}, "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0", ""},
		{"batch too big", map[string]any{"BatchSize": 10001, "MaximumBatchingWindowInSeconds": 1}, "ValidationException", "batchSize", ""},
		{"window too long", map[string]any{"MaximumBatchingWindowInSeconds": 301}, "ValidationException", "maximumBatchingWindowInSeconds", ""},
		{"fifo batch", map[string]any{"BatchSize": 11, "MaximumBatchingWindowInSeconds": 1}, "InvalidParameterValueException", "FIFO", testFIFO},
		{"fifo window", map[string]any{"MaximumBatchingWindowInSeconds": 1}, "InvalidParameterValueException", "Batching window is not supported for FIFO queues", testFIFO},
		{"concurrency low", map[string]any{"ScalingConfig": map[string]any{"MaximumConcurrency": 1}}, "ValidationException", "scalingConfig.maximumConcurrency", ""},
		{"concurrency high", map[string]any{"ScalingConfig": map[string]any{"MaximumConcurrency": 1001}}, "ValidationException", "scalingConfig.maximumConcurrency", ""},
		{"stream setting", map[string]any{"MaximumRetryAttempts": 2}, "InvalidParameterValueException", "Unsupported MaximumRetryAttempts parameter", ""},
		{"kafka setting", map[string]any{"Topics": []string{"t"}}, "InvalidParameterValueException", "Topics is not supported for SQS event sources", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.queue
			if q == "" {
				q = testQueue
			}
			in := map[string]any{"EventSourceArn": q, "FunctionName": "fn"}
			for k, v := range tc.in {
				in[k] = v
			}
			r := h.do("POST", "/2015-03-31/event-source-mappings", in)
			if r.Status != 400 || r.errCode() != tc.code || !strings.Contains(r.message(), tc.msg) {
				t.Errorf("CreateEventSourceMapping = %d %s %q; want 400 %s containing %q", r.Status, r.errCode(), r.message(), tc.code, tc.msg)
			}
		})
	}

	r := h.must(202, h.do("POST", "/2015-03-31/event-source-mappings", map[string]any{"EventSourceArn": testQueue, "FunctionName": "fn",
		"Enabled": false, "ScalingConfig": map[string]any{"MaximumConcurrency": 3}}))
	var raw map[string]any
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["BatchSize"] != 10.0 || raw["MaximumBatchingWindowInSeconds"] != 0.0 || raw["EventSourceArn"] != testQueue {
		t.Errorf("defaults = %s", r.Body)
	}
	for _, k := range []string{"StartingPosition", "ParallelizationFactor", "MaximumRetryAttempts", "BisectBatchOnFunctionError", "DestinationConfig", "TumblingWindowInSeconds"} {
		if _, ok := raw[k]; ok {
			t.Errorf("SQS mapping reports %s: %s", k, r.Body)
		}
	}
	if sc, _ := raw["ScalingConfig"].(map[string]any); sc["MaximumConcurrency"] != 3.0 {
		t.Errorf("ScalingConfig = %v", raw["ScalingConfig"])
	}
	uuid := raw["UUID"].(string)
	r = h.do("PUT", "/2015-03-31/event-source-mappings/"+uuid, map[string]any{"BatchSize": 100})
	if r.Status != 400 || !strings.Contains(r.message(), "Maximum batch window") {
		t.Errorf("update BatchSize 100 = %d %s", r.Status, r.message())
	}
	h.must(202, h.do("PUT", "/2015-03-31/event-source-mappings/"+uuid, map[string]any{"BatchSize": 100, "MaximumBatchingWindowInSeconds": 2}))
	if got := h.getMapping(uuid); got.BatchSize != 100 || got.MaximumBatchingWindowInSeconds != 2 || got.State != "Disabled" {
		t.Errorf("after update = %+v", got)
	}
}

func TestSQSMappingDeliversAndDeletes(t *testing.T) {
	h, fq := newSQSHarness(t)
	fq.add(testQueue, "", "a", "b", "c")
	h.createQueueMapping(testQueue, nil)
	c := waitCall(t, h.exec.called)
	var ev sqsEvent
	if err := json.Unmarshal(c.Req.Payload, &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Records) != 3 {
		t.Fatalf("records = %s", c.Req.Payload)
	}
	r := ev.Records[0]
	if r.MessageID != "m1" || r.Body != "a" || r.ReceiptHandle == "" || r.EventSource != "aws:sqs" || r.EventSourceARN != testQueue ||
		r.AWSRegion != "us-east-1" || r.Attributes["ApproximateReceiveCount"] != "1" || r.Attributes["SenderId"] != "000000000000" {
		t.Errorf("record = %+v", r)
	}
	if _, ok := r.Attributes["Ignored"]; ok {
		t.Errorf("record carries an attribute Lambda does not send: %v", r.Attributes)
	}
	var shape []map[string]json.RawMessage
	var top struct{ Records []map[string]json.RawMessage }
	_ = json.Unmarshal(c.Req.Payload, &top)
	shape = top.Records
	if string(shape[0]["messageAttributes"]) != "{}" || string(shape[0]["md5OfBody"]) != `"md5-a"` {
		t.Errorf("record = %s", c.Req.Payload)
	}
	if _, ok := shape[0]["md5OfMessageAttributes"]; ok {
		t.Errorf("md5OfMessageAttributes without message attributes: %s", c.Req.Payload)
	}
	waitLeft(t, fq, testQueue)
}

func TestSQSMappingFunctionErrorKeepsMessages(t *testing.T) {
	h, fq := newSQSHarness(t)
	h.exec.respond = fail
	fq.add(testQueue, "", "a", "b")
	h.createQueueMapping(testQueue, nil)
	waitCall(t, h.exec.called)
	noCall(t, h.exec.called) // in flight until the visibility timeout ends
	if got := fq.left(testQueue); len(got) != 2 {
		t.Fatalf("queue = %v after a failed batch; want both messages", got)
	}
	fq.expire(testQueue)
	c := waitCall(t, h.exec.called)
	if got := strings.Join(bodies(t, c), ","); got != "a,b" {
		t.Errorf("retried batch = %s", got)
	}
}

func TestSQSMappingPartialFailures(t *testing.T) {
	h, fq := newSQSHarness(t)
	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		return &runtime.Result{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"m2"}]}`)}, nil
	}
	fq.add(testQueue, "", "a", "b", "c")
	h.createQueueMapping(testQueue, map[string]any{"FunctionResponseTypes": []string{"ReportBatchItemFailures"}})
	waitCall(t, h.exec.called)
	waitLeft(t, fq, testQueue, "b")

	// An unknown identifier fails the whole batch.
	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		return &runtime.Result{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"nope"}]}`)}, nil
	}
	fq.add(testQueue, "", "d")
	waitCall(t, h.exec.called)
	noCall(t, h.exec.called)
	if got := fq.left(testQueue); len(got) != 2 {
		t.Errorf("queue = %v; want b and d kept", got)
	}
}

func TestSQSMappingBatching(t *testing.T) {
	h, fq := newSQSHarness(t)
	var many []string
	for i := 0; i < 25; i++ {
		many = append(many, fmt.Sprint(i))
	}
	fq.add(testQueue, "", many...)
	h.createQueueMapping(testQueue, map[string]any{"BatchSize": 25, "MaximumBatchingWindowInSeconds": 5})
	c := waitCall(t, h.exec.called)
	if got := len(bodies(t, c)); got != 25 {
		t.Errorf("window batch has %d messages; want 25 gathered over three receives", got)
	}
	waitLeft(t, fq, testQueue)
}

func TestSQSMappingWithoutWindow(t *testing.T) {
	// Without a window each receive is a batch. (A fresh mapping: one
	// updated while its poller is mid-receive may still gather with the old
	// window, so the batch sizes would depend on timing.)
	h, fq := newSQSHarness(t)
	var many []string
	for i := 0; i < 15; i++ {
		many = append(many, fmt.Sprint(i))
	}
	fq.add(testQueue, "", many...)
	h.createQueueMapping(testQueue, map[string]any{"BatchSize": 10})
	var sizes []int
	for len(sizes) < 2 {
		sizes = append(sizes, len(bodies(t, waitCall(t, h.exec.called))))
	}
	sort.Ints(sizes)
	if fmt.Sprint(sizes) != "[5 10]" {
		t.Errorf("batch sizes = %v; want [5 10]", sizes)
	}
}

func TestSQSMappingWindowWaits(t *testing.T) {
	h, fq := newSQSHarness(t)
	// The fake queue's long poll returns at once; the window stays open on
	// the fake clock until it is advanced.
	h.createQueueMapping(testQueue, map[string]any{"BatchSize": 20, "MaximumBatchingWindowInSeconds": 10})
	fq.add(testQueue, "", "a")
	select {
	case c := <-h.exec.called:
		// An empty long poll ends the window, as SQS's long poll would run
		// to its end; so a lone message goes once the poll comes back empty.
		if got := strings.Join(bodies(t, c), ","); got != "a" {
			t.Errorf("batch = %s", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no batch")
	}
}

func TestSQSMappingFilters(t *testing.T) {
	h, fq := newSQSHarness(t)
	fq.add(testQueue, "", `{"kind":"order","n":1}`, `{"kind":"refund"}`, `plain text`, `{"kind":"order","n":2}`)
	h.createQueueMapping(testQueue, map[string]any{"FilterCriteria": map[string]any{"Filters": []map[string]string{
		{"Pattern": `{"body":{"kind":["order"]}}`}, {"Pattern": `{"body":["plain text"]}`}}}})
	c := waitCall(t, h.exec.called)
	if got := strings.Join(bodies(t, c), "|"); got != `{"kind":"order","n":1}|plain text|{"kind":"order","n":2}` {
		t.Errorf("filtered batch = %s", got)
	}
	waitLeft(t, fq, testQueue) // filtered-out messages are deleted too
}

func TestSQSMappingFIFOGroupsInOrder(t *testing.T) {
	h, fq := newSQSHarness(t)
	fq.add(testFIFO, "g1", "1a", "1b")
	fq.add(testFIFO, "g2", "2a")
	fq.add(testFIFO, "g1", "1c")
	fq.add(testFIFO, "g2", "2b")
	h.createQueueMapping(testFIFO, nil)
	got := map[string][]string{}
	for n := 0; n < 4; {
		c := waitCall(t, h.exec.called)
		var ev sqsEvent
		_ = json.Unmarshal(c.Req.Payload, &ev)
		g := ev.Records[0].Attributes["MessageGroupId"]
		for _, r := range ev.Records {
			if r.Attributes["MessageGroupId"] != g {
				t.Fatalf("batch mixes groups: %s", c.Req.Payload)
			}
			got[g] = append(got[g], r.Body)
			n++
		}
	}
	if fmt.Sprint(got["g1"]) != "[1a 1b 1c]" || fmt.Sprint(got["g2"]) != "[2a 2b]" {
		t.Errorf("groups = %v", got)
	}
	waitLeft(t, fq, testFIFO)
}

func TestSQSMappingFIFOFailureKeepsOrder(t *testing.T) {
	h, fq := newSQSHarness(t)
	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		return &runtime.Result{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"m2"}]}`)}, nil
	}
	fq.add(testFIFO, "g", "a", "b", "c")
	h.createQueueMapping(testFIFO, map[string]any{"FunctionResponseTypes": []string{"ReportBatchItemFailures"}})
	waitCall(t, h.exec.called)
	// b failed: c, behind it in the group, is not deleted either.
	waitLeft(t, fq, testFIFO, "b", "c")
}

func TestSQSMappingConcurrencyCap(t *testing.T) {
	h, fq := newSQSHarness(t)
	var mu sync.Mutex
	running, peak := 0, 0
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	// Registered after the harness, so it runs before the service's Close:
	// a test that fails while batches are held must not leave Close
	// waiting on them.
	t.Cleanup(unblock)
	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		<-release
		mu.Lock()
		running--
		mu.Unlock()
		return &runtime.Result{Payload: []byte(`null`)}, nil
	}
	for i := 0; i < 6; i++ {
		fq.add(testQueue, "", fmt.Sprint(i))
	}
	h.createQueueMapping(testQueue, map[string]any{"BatchSize": 1, "ScalingConfig": map[string]any{"MaximumConcurrency": 2}})
	waitCall(t, h.exec.called)
	waitCall(t, h.exec.called)
	noCall(t, h.exec.called)
	unblock()
	for i := 0; i < 4; i++ {
		waitCall(t, h.exec.called)
	}
	waitLeft(t, fq, testQueue)
	mu.Lock()
	defer mu.Unlock()
	if peak != 2 {
		t.Errorf("peak concurrent batches = %d; want 2", peak)
	}
}

func TestSQSMappingDisableAndDelete(t *testing.T) {
	h, fq := newSQSHarness(t)
	m := h.createQueueMapping(testQueue, map[string]any{"Enabled": false})
	fq.add(testQueue, "", "a")
	noCall(t, h.exec.called)
	h.must(202, h.do("PUT", "/2015-03-31/event-source-mappings/"+m.UUID, map[string]any{"Enabled": true}))
	waitCall(t, h.exec.called)
	waitLeft(t, fq, testQueue)
	h.must(202, h.do("DELETE", "/2015-03-31/event-source-mappings/"+m.UUID, nil))
	h.must(404, h.do("GET", "/2015-03-31/event-source-mappings/"+m.UUID, nil))
	time.Sleep(20 * time.Millisecond)
	fq.add(testQueue, "", "b")
	noCall(t, h.exec.called)
}

func TestAsyncSQSDestinationAndDeadLetter(t *testing.T) {
	h, fq := newSQSHarness(t)
	h.exec.respond = fail
	h.create("worker", map[string]any{"DeadLetterConfig": map[string]string{"TargetArn": testQueue}})
	h.must(200, h.do("PUT", "/2019-09-25/functions/worker/event-invoke-config", map[string]any{
		"MaximumRetryAttempts": 0,
		"DestinationConfig":    map[string]any{"OnFailure": map[string]string{"Destination": testFIFO}},
	}))
	r := h.must(202, h.do("POST", "/2015-03-31/functions/worker/invocations", `{"n":1}`, "X-Amz-Invocation-Type", "Event"))
	id := r.Header.Get("x-amzn-RequestId")
	got := map[string]fakeSent{}
	for i := 0; i < 2; i++ {
		select {
		case s := <-fq.sent:
			got[s.queue] = s
		case <-time.After(5 * time.Second):
			t.Fatalf("sent %d messages; want 2", len(got))
		}
	}
	dl := got[testQueue]
	if dl.body != `{"n":1}` || dl.attrs["RequestID"].StringValue != id || dl.attrs["ErrorCode"].DataType != "Number" || dl.attrs["ErrorCode"].StringValue != "200" ||
		dl.attrs["ErrorMessage"].StringValue != "bad" {
		t.Errorf("dead-letter message = %+v", dl)
	}
	var rec struct {
		RequestContext struct {
			RequestID string `json:"requestId"`
			Condition string `json:"condition"`
		} `json:"requestContext"`
		RequestPayload map[string]int `json:"requestPayload"`
	}
	if err := json.Unmarshal([]byte(got[testFIFO].body), &rec); err != nil || rec.RequestContext.RequestID != id ||
		rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestPayload["n"] != 1 {
		t.Errorf("destination record = %s", got[testFIFO].body)
	}
}

func TestStreamMappingOnFailureQueue(t *testing.T) {
	fq := newFakeQueues(testQueue)
	h, fs := newESMHarness(t, func(c *Config) { c.Queues = fq })
	h.exec.respond = fail
	fs.add(testStream, "INSERT", h.clk.Now(), "poison")
	h.createMapping(map[string]any{"MaximumRetryAttempts": 0,
		"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": testQueue}}})
	wantBatch(t, h.exec.called, "poison")
	select {
	case s := <-fq.sent:
		var rec streamFailure
		if err := json.Unmarshal([]byte(s.body), &rec); err != nil {
			t.Fatal(err)
		}
		if s.queue != testQueue || rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.BatchInfo.StreamArn != testStream ||
			rec.BatchInfo.BatchSize != 1 || rec.Payload != nil {
			t.Errorf("failure record = %s", s.body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no failure record on the queue")
	}
}

func TestSQSMappingWindowKeepsOneCopy(t *testing.T) {
	h, fq := newSQSHarness(t)
	fq.mu.Lock()
	fq.shortVisibility = true
	fq.mu.Unlock()
	h.exec.respond = func(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
		return &runtime.Result{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"m1"}]}`)}, nil
	}
	fq.add(testQueue, "", "a")
	h.createQueueMapping(testQueue, map[string]any{"BatchSize": 20, "MaximumBatchingWindowInSeconds": 5,
		"FunctionResponseTypes": []string{"ReportBatchItemFailures"}})
	c := waitCall(t, h.exec.called)
	fq.mu.Lock()
	fq.shortVisibility = false // stop the redelivery of the failing message
	fq.mu.Unlock()
	if got := bodies(t, c); len(got) != 1 {
		t.Fatalf("batch = %v; a message received twice in a window is delivered once", got)
	}
	h.must(202, h.do("PUT", "/2015-03-31/event-source-mappings/"+h.listFirstMapping(), map[string]any{"Enabled": false}))
	time.Sleep(20 * time.Millisecond)
	if got := fq.left(testQueue); len(got) != 1 {
		t.Errorf("queue = %v; the failed message must stay", got)
	}
}

func (h *harness) listFirstMapping() string {
	h.t.Helper()
	var out listMappingsOutput
	h.must(200, h.do("GET", "/2015-03-31/event-source-mappings", nil)).json(h.t, &out)
	return out.EventSourceMappings[0].UUID
}
