package sns_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tenkai/internal/sns"
	"tenkai/internal/store"
)

func TestPublishEnvelope(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("news")
	sub := h.subscribe(topic, "sqs", queueARN)
	r := h.ok("Publish", "TopicArn", topic, "Message", "hello", "Subject", "greeting",
		"MessageAttributes.entry.1.Name", "kind", "MessageAttributes.entry.1.Value.DataType", "String",
		"MessageAttributes.entry.1.Value.StringValue", "welcome",
		"MessageAttributes.entry.2.Name", "blob", "MessageAttributes.entry.2.Value.DataType", "Binary",
		"MessageAttributes.entry.2.Value.BinaryValue", "AQI=")
	id := r.get("MessageId")
	if id == "" || r.get("SequenceNumber") != "" {
		t.Fatalf("Publish answered %s", r.raw)
	}
	msgs := h.q.messages(queueARN)
	if len(msgs) != 1 {
		t.Fatalf("queue got %d messages; want 1", len(msgs))
	}
	if msgs[0].Attributes != nil {
		t.Errorf("enveloped delivery carries SQS attributes: %v", msgs[0].Attributes)
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(msgs[0].Body), &env); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, msgs[0].Body)
	}
	for k, want := range map[string]string{"Type": "Notification", "MessageId": id, "TopicArn": topic, "Subject": "greeting",
		"Message": "hello", "Timestamp": "2026-03-01T12:00:00.000Z", "SignatureVersion": "1"} {
		if env[k] != want {
			t.Errorf("envelope %s = %v; want %q", k, env[k], want)
		}
	}
	for _, k := range []string{"Signature", "SigningCertURL"} {
		if s, _ := env[k].(string); s == "" {
			t.Errorf("envelope has no %s", k)
		}
	}
	if u, _ := env["UnsubscribeURL"].(string); !strings.Contains(u, "Action=Unsubscribe") || !strings.Contains(u, "SubscriptionArn=") {
		t.Errorf("UnsubscribeURL = %q", u)
	}
	if strings.Contains(msgs[0].Body, `\u0026`) {
		t.Errorf("envelope escapes & as Go does, not as SNS: %s", msgs[0].Body)
	}
	attrs, _ := env["MessageAttributes"].(map[string]any)
	if got, _ := json.Marshal(attrs); string(got) != `{"blob":{"Type":"Binary","Value":"AQI="},"kind":{"Type":"String","Value":"welcome"}}` {
		t.Errorf("envelope MessageAttributes = %s", got)
	}
	if _, ok := env["SequenceNumber"]; ok {
		t.Error("standard topic envelope has a SequenceNumber")
	}

	// The UnsubscribeURL works as a plain GET.
	resp, err := http.Get(env["UnsubscribeURL"].(string))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET UnsubscribeURL = %d", resp.StatusCode)
	}
	h.fail(404, "NotFound", "GetSubscriptionAttributes", "SubscriptionArn", sub)
}

func TestPublishRaw(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("raw")
	h.subscribe(topic, "sqs", queueARN, "Attributes.entry.1.key", "RawMessageDelivery", "Attributes.entry.1.value", "true")
	h.ok("Publish", "TopicArn", topic, "Message", `{"a":1}`,
		"MessageAttributes.entry.1.Name", "n", "MessageAttributes.entry.1.Value.DataType", "Number", "MessageAttributes.entry.1.Value.StringValue", "42")
	msgs := h.q.messages(queueARN)
	if len(msgs) != 1 || msgs[0].Body != `{"a":1}` {
		t.Fatalf("raw delivery = %+v", msgs)
	}
	if a := msgs[0].Attributes["n"]; a.DataType != "Number" || a.StringValue != "42" {
		t.Errorf("raw attribute n = %+v", a)
	}
}

func TestPublishErrors(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("t")
	r := h.fail(404, "NotFound", "Publish", "TopicArn", topic+"-gone", "Message", "x")
	if r.msg != "Topic does not exist" {
		t.Errorf("message = %q", r.msg)
	}
	tests := []struct {
		name string
		kv   []string
		code string
	}{
		{"no topic", []string{"Message", "x"}, "InvalidParameter"},
		{"empty message", []string{"TopicArn", topic, "Message", ""}, "InvalidParameter"},
		{"message too long", []string{"TopicArn", topic, "Message", strings.Repeat("x", 262145)}, "InvalidParameter"},
		{"subject with newline", []string{"TopicArn", topic, "Message", "x", "Subject", "a\nb"}, "InvalidParameter"},
		{"json without default", []string{"TopicArn", topic, "Message", `{"sqs":"x"}`, "MessageStructure", "json"}, "InvalidParameter"},
		{"json not parsing", []string{"TopicArn", topic, "Message", `nope`, "MessageStructure", "json"}, "InvalidParameter"},
		{"dedup id on standard topic", []string{"TopicArn", topic, "Message", "x", "MessageDeduplicationId", "d"}, "InvalidParameter"},
		{"bad attribute type", []string{"TopicArn", topic, "Message", "x", "MessageAttributes.entry.1.Name", "a",
			"MessageAttributes.entry.1.Value.DataType", "Date", "MessageAttributes.entry.1.Value.StringValue", "1"}, "ParameterValueInvalid"},
		{"bad number", []string{"TopicArn", topic, "Message", "x", "MessageAttributes.entry.1.Name", "a",
			"MessageAttributes.entry.1.Value.DataType", "Number", "MessageAttributes.entry.1.Value.StringValue", "ten"}, "ParameterValueInvalid"},
		{"bad array", []string{"TopicArn", topic, "Message", "x", "MessageAttributes.entry.1.Name", "a",
			"MessageAttributes.entry.1.Value.DataType", "String.Array", "MessageAttributes.entry.1.Value.StringValue", "[1"}, "ParameterValueInvalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			r := h.fail(400, tc.code, "Publish", tc.kv...)
			if tc.code == "InvalidParameter" && !strings.HasPrefix(r.msg, "Invalid parameter: ") {
				t.Errorf("message = %q", r.msg)
			}
		})
	}
}

func TestMessageStructureJSON(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("multi")
	h.subscribe(topic, "sqs", queueARN, "Attributes.entry.1.key", "RawMessageDelivery", "Attributes.entry.1.value", "true")
	fn := "arn:aws:lambda:us-east-1:" + account + ":function:f"
	h.subscribe(topic, "lambda", fn)
	h.ok("Publish", "TopicArn", topic, "MessageStructure", "json", "Message", `{"default":"for all","sqs":"for queues"}`)
	if msgs := h.q.messages(queueARN); len(msgs) != 1 || msgs[0].Body != "for queues" {
		t.Errorf("sqs got %+v; want the sqs message", msgs)
	}
	calls := h.fn.invocations()
	if len(calls) != 1 || !strings.Contains(string(calls[0].payload), `"Message":"for all"`) {
		t.Errorf("lambda got %+v; want the default message", calls)
	}
}

func TestLambdaEvent(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("fn")
	fn := "arn:aws:lambda:us-east-2:" + account + ":function:handler"
	sub := h.subscribe(topic, "lambda", fn)
	id := h.ok("Publish", "TopicArn", topic, "Message", "m").get("MessageId")
	calls := h.fn.invocations()
	if len(calls) != 1 {
		t.Fatalf("%d invocations; want 1", len(calls))
	}
	c := calls[0]
	if c.account != account || c.region != "us-east-2" || c.arn != fn {
		t.Errorf("invoked %s %s %s", c.account, c.region, c.arn)
	}
	var ev struct {
		Records []struct {
			EventSource, EventVersion, EventSubscriptionArn string
			Sns                                             map[string]any
		}
	}
	if err := json.Unmarshal(c.payload, &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("payload %s: %v", c.payload, err)
	}
	rec := ev.Records[0]
	if rec.EventSource != "aws:sns" || rec.EventVersion != "1.0" || rec.EventSubscriptionArn != sub {
		t.Errorf("record = %+v", rec)
	}
	if rec.Sns["MessageId"] != id || rec.Sns["Message"] != "m" || rec.Sns["Type"] != "Notification" || rec.Sns["TopicArn"] != topic {
		t.Errorf("Sns = %v", rec.Sns)
	}
	if v, ok := rec.Sns["Subject"]; !ok || v != nil {
		t.Errorf("Subject = %v (present %v); want null", v, ok)
	}
	for _, k := range []string{"SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"} {
		if _, ok := rec.Sns[k]; !ok {
			t.Errorf("Sns has no %s: %v", k, rec.Sns)
		}
	}
	if _, ok := rec.Sns["MessageAttributes"].(map[string]any); !ok {
		t.Errorf("Sns MessageAttributes = %v; want an object, not null", rec.Sns["MessageAttributes"])
	}
}

// A function whose policy does not let SNS invoke it is not invoked.
func TestLambdaNeedsPermission(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("guarded")
	fn := "arn:aws:lambda:us-east-1:" + account + ":function:closed"
	h.fn.mu.Lock()
	h.fn.denied = map[string]bool{fn: true}
	h.fn.mu.Unlock()
	h.subscribe(topic, "lambda", fn)
	h.ok("Publish", "TopicArn", topic, "Message", "m")
	if calls := h.fn.invocations(); len(calls) != 0 {
		t.Errorf("invoked without permission: %+v", calls)
	}
}

func TestFIFOTopic(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("jobs.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true")
	q := "arn:aws:sqs:us-east-1:" + account + ":jobs.fifo"
	h.subscribe(topic, "sqs", q)
	h.fail(400, "InvalidParameter", "Publish", "TopicArn", topic, "Message", "x", "MessageDeduplicationId", "d1")
	r := h.fail(400, "InvalidParameter", "Publish", "TopicArn", topic, "Message", "x", "MessageGroupId", "g")
	if !strings.Contains(r.msg, "ContentBasedDeduplication") {
		t.Errorf("message = %q", r.msg)
	}
	first := h.ok("Publish", "TopicArn", topic, "Message", "x", "MessageGroupId", "g", "MessageDeduplicationId", "d1")
	dup := h.ok("Publish", "TopicArn", topic, "Message", "y", "MessageGroupId", "g", "MessageDeduplicationId", "d1")
	if dup.get("MessageId") != first.get("MessageId") || dup.get("SequenceNumber") != first.get("SequenceNumber") {
		t.Errorf("duplicate answered %s/%s; want the first's %s/%s", dup.get("MessageId"), dup.get("SequenceNumber"),
			first.get("MessageId"), first.get("SequenceNumber"))
	}
	second := h.ok("Publish", "TopicArn", topic, "Message", "z", "MessageGroupId", "g", "MessageDeduplicationId", "d2")
	if !(second.get("SequenceNumber") > first.get("SequenceNumber")) || len(first.get("SequenceNumber")) != 20 {
		t.Errorf("sequence numbers %q then %q; want increasing, 20 digits", first.get("SequenceNumber"), second.get("SequenceNumber"))
	}
	msgs := h.q.messages(q)
	if len(msgs) != 2 {
		t.Fatalf("queue got %d messages; want 2 (the duplicate dropped)", len(msgs))
	}
	if msgs[0].GroupID != "g" || msgs[0].DedupID != "d1" {
		t.Errorf("FIFO ids = %q %q", msgs[0].GroupID, msgs[0].DedupID)
	}
	var env map[string]any
	_ = json.Unmarshal([]byte(msgs[0].Body), &env)
	if env["SequenceNumber"] != first.get("SequenceNumber") {
		t.Errorf("envelope SequenceNumber = %v", env["SequenceNumber"])
	}
	// After the five-minute window the same id is a new message.
	h.clk.Advance(5*time.Minute + time.Second)
	h.ok("Publish", "TopicArn", topic, "Message", "x", "MessageGroupId", "g", "MessageDeduplicationId", "d1")
	if n := len(h.q.messages(q)); n != 3 {
		t.Errorf("after the window queue has %d; want 3", n)
	}

	cbd := h.createTopic("cbd.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true",
		"Attributes.entry.2.key", "ContentBasedDeduplication", "Attributes.entry.2.value", "true")
	q2 := "arn:aws:sqs:us-east-1:" + account + ":cbd.fifo"
	h.subscribe(cbd, "sqs", q2)
	h.ok("Publish", "TopicArn", cbd, "Message", "same", "MessageGroupId", "g")
	h.ok("Publish", "TopicArn", cbd, "Message", "same", "MessageGroupId", "g")
	h.ok("Publish", "TopicArn", cbd, "Message", "different", "MessageGroupId", "g")
	if n := len(h.q.messages(q2)); n != 2 {
		t.Errorf("content-based dedup delivered %d; want 2", n)
	}
}

func TestPublishBatch(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("batch")
	h.subscribe(topic, "sqs", queueARN, "Attributes.entry.1.key", "RawMessageDelivery", "Attributes.entry.1.value", "true")
	r := h.ok("PublishBatch", "TopicArn", topic,
		"PublishBatchRequestEntries.member.1.Id", "one", "PublishBatchRequestEntries.member.1.Message", "m1",
		"PublishBatchRequestEntries.member.2.Id", "two", "PublishBatchRequestEntries.member.2.Message", "",
		"PublishBatchRequestEntries.member.3.Id", "three", "PublishBatchRequestEntries.member.3.Message", "m3",
		"PublishBatchRequestEntries.member.3.MessageAttributes.entry.1.Name", "k",
		"PublishBatchRequestEntries.member.3.MessageAttributes.entry.1.Value.DataType", "String",
		"PublishBatchRequestEntries.member.3.MessageAttributes.entry.1.Value.StringValue", "v")
	if got := strings.Join(r.vals["Id"], ","); got != "one,three,two" {
		t.Errorf("ids in answer = %s; want one,three (successful) then two (failed)\n%s", got, r.raw)
	}
	if r.get("Code") != "InvalidParameter" || r.get("SenderFault") != "true" {
		t.Errorf("failed entry = %s %s", r.get("Code"), r.get("SenderFault"))
	}
	msgs := h.q.messages(queueARN)
	if len(msgs) != 2 || msgs[1].Body != "m3" || msgs[1].Attributes["k"].StringValue != "v" {
		t.Errorf("queue got %+v", msgs)
	}
	h.fail(400, "EmptyBatchRequest", "PublishBatch", "TopicArn", topic)
	h.fail(400, "BatchEntryIdsNotDistinct", "PublishBatch", "TopicArn", topic,
		"PublishBatchRequestEntries.member.1.Id", "a", "PublishBatchRequestEntries.member.1.Message", "m",
		"PublishBatchRequestEntries.member.2.Id", "a", "PublishBatchRequestEntries.member.2.Message", "m")
	h.fail(400, "InvalidBatchEntryId", "PublishBatch", "TopicArn", topic,
		"PublishBatchRequestEntries.member.1.Id", "a b", "PublishBatchRequestEntries.member.1.Message", "m")
	kv := []string{"TopicArn", topic}
	for i := 1; i <= 11; i++ {
		n := itoa(i)
		kv = append(kv, "PublishBatchRequestEntries.member."+n+".Id", "e"+n, "PublishBatchRequestEntries.member."+n+".Message", "m")
	}
	h.fail(400, "TooManyEntriesInBatchRequest", "PublishBatch", kv...)
	h.fail(404, "NotFound", "PublishBatch", "TopicArn", topic+"-gone",
		"PublishBatchRequestEntries.member.1.Id", "a", "PublishBatchRequestEntries.member.1.Message", "m")
}

func TestFilterPolicyDelivery(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("filtered")
	pass := "arn:aws:sqs:us-east-1:" + account + ":pass"
	body := "arn:aws:sqs:us-east-1:" + account + ":body"
	h.subscribe(topic, "sqs", pass, "Attributes.entry.1.key", "FilterPolicy", "Attributes.entry.1.value", `{"price":[{"numeric":[">",100]}]}`)
	h.subscribe(topic, "sqs", body, "Attributes.entry.1.key", "FilterPolicy", "Attributes.entry.1.value", `{"order":{"kind":["big"]}}`,
		"Attributes.entry.2.key", "FilterPolicyScope", "Attributes.entry.2.value", "MessageBody")
	price := func(v string) []string {
		return []string{"MessageAttributes.entry.1.Name", "price", "MessageAttributes.entry.1.Value.DataType", "Number",
			"MessageAttributes.entry.1.Value.StringValue", v}
	}
	h.ok("Publish", append([]string{"TopicArn", topic, "Message", `{"order":{"kind":"small"}}`}, price("50")...)...)
	h.ok("Publish", append([]string{"TopicArn", topic, "Message", `{"order":{"kind":"big"}}`}, price("150")...)...)
	if got := h.q.messages(pass); len(got) != 1 || !strings.Contains(got[0].Body, `"Value":"150"`) {
		t.Errorf("attribute-filtered queue got %+v; want only the 150 message", got)
	}
	if got := h.q.messages(body); len(got) != 1 || !strings.Contains(got[0].Body, `big`) {
		t.Errorf("body-filtered queue got %+v; want only the big order", got)
	}
	h.fail(400, "InvalidParameter", "Subscribe", "TopicArn", topic, "Protocol", "sqs", "Endpoint", queueARN,
		"Attributes.entry.1.key", "FilterPolicy", "Attributes.entry.1.value", `{"order":{"kind":["big"]}}`)
}

// endpoint is an HTTP subscriber that hands each request to the test.
type endpoint struct {
	srv  *httptest.Server
	reqs chan received
}

type received struct {
	header http.Header
	body   []byte
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{reqs: make(chan received, 16)}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case e.reqs <- received{r.Header.Clone(), b}:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) next(t *testing.T) received {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	select {
	case r := <-e.reqs:
		return r
	case <-ctx.Done():
		t.Fatal("no request reached the endpoint")
		return received{}
	}
}

func TestHTTPSubscription(t *testing.T) {
	h := newHarness(t, nil)
	ep := newEndpoint(t)
	topic := h.createTopic("hooks")
	if got := h.subscribe(topic, "http", ep.srv.URL+"/hook"); got != "pending confirmation" {
		t.Fatalf("SubscriptionArn = %q", got)
	}
	conf := ep.next(t)
	if mt := conf.header.Get("x-amz-sns-message-type"); mt != "SubscriptionConfirmation" {
		t.Fatalf("first POST is %q", mt)
	}
	var env sns.Envelope
	if err := json.Unmarshal(conf.body, &env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "SubscriptionConfirmation" || env.Token == "" || env.TopicArn != topic || !strings.HasPrefix(env.SubscribeURL, h.srv.URL+"/?") {
		t.Fatalf("confirmation = %+v", env)
	}
	// Nothing is delivered while pending.
	h.ok("Publish", "TopicArn", topic, "Message", "early")
	resp, err := http.Get(env.SubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "<SubscriptionArn>"+topic+":") {
		t.Fatalf("GET SubscribeURL = %d %s", resp.StatusCode, b)
	}
	sub := elements(t, b)["SubscriptionArn"][0]
	attrs := h.ok("GetSubscriptionAttributes", "SubscriptionArn", sub).attrs()
	if attrs["PendingConfirmation"] != "false" || attrs["ConfirmationWasAuthenticated"] != "false" {
		t.Errorf("after SubscribeURL: %v", attrs)
	}
	id := h.ok("Publish", "TopicArn", topic, "Message", "late", "Subject", "s").get("MessageId")
	n := ep.next(t)
	if n.header.Get("x-amz-sns-message-type") != "Notification" || n.header.Get("x-amz-sns-message-id") != id ||
		n.header.Get("x-amz-sns-topic-arn") != topic || n.header.Get("x-amz-sns-subscription-arn") != sub {
		t.Errorf("notification headers = %v", n.header)
	}
	var note sns.Envelope
	_ = json.Unmarshal(n.body, &note)
	if note.Message != "late" || note.Subject != "s" || note.Type != "Notification" {
		t.Errorf("notification = %+v", note)
	}
	// Confirming again with the token answers the same subscription.
	if got := h.ok("ConfirmSubscription", "TopicArn", topic, "Token", env.Token).get("SubscriptionArn"); got != sub {
		t.Errorf("ConfirmSubscription again = %q; want %q", got, sub)
	}
}

func TestHTTPRetries(t *testing.T) {
	h := newHarness(t, nil)
	calls := make(chan int32, 8)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := n.Add(1)
		if c < 3 {
			w.WriteHeader(500)
		}
		select {
		case calls <- c:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	topic := h.createTopic("flaky")
	h.subscribe(topic, "http", srv.URL)
	// The confirmation is retried, on the service's clock, until the
	// endpoint answers 200; then no more attempts come.
	for want := int32(1); want <= 3; want++ {
		if want > 1 {
			waitTimer(t, h)
			h.clk.Advance(time.Millisecond)
		}
		select {
		case got := <-calls:
			if got != want {
				t.Fatalf("call %d; want %d", got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("attempt %d never came", want)
		}
	}
	if p := h.clk.Pending(); p != 0 {
		t.Errorf("%d timers pending after a successful attempt", p)
	}
}

// waitTimer waits for the retry loop to start its wait on the fake clock.
func waitTimer(t *testing.T, h *harness) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for h.clk.Pending() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no retry was scheduled")
		}
		time.Sleep(time.Millisecond)
	}
}

// Concurrent publishes each reach the queue once; filters are shared.
func TestConcurrentPublish(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("busy")
	h.subscribe(topic, "sqs", queueARN, "Attributes.entry.1.key", "FilterPolicy", "Attributes.entry.1.value", `{"n":[{"numeric":["<",25]}]}`)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			_, err := h.svc.Publish(t.Context(), sns.PublishInput{TopicArn: topic, Message: "m",
				MessageAttributes: map[string]sns.MessageAttribute{"n": num(itoa(i))}})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(h.q.messages(queueARN)); n != 25 {
		t.Errorf("queue got %d messages; want 25 (n = 0..24)", n)
	}
}

// An HTTP delivery cut short by Close is tried again after the next Start.
func TestHTTPDeliveryResumes(t *testing.T) {
	st := store.NewMem()
	var fail atomic.Bool
	fail.Store(true)
	calls := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(503)
		}
		select {
		case calls <- r.Header.Get("x-amz-sns-message-type"):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	h := newHarness(t, st)
	if err := h.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	topic := h.createTopic("resumed")
	h.subscribe(topic, "http", srv.URL)
	select {
	case got := <-calls:
		if got != "SubscriptionConfirmation" {
			t.Fatalf("first POST = %q", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no confirmation was posted")
	}
	waitTimer(t, h) // the retry waits on the fake clock
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := h.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}

	fail.Store(false)
	h2 := newHarness(t, st)
	if err := h2.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-calls:
		if got != "SubscriptionConfirmation" {
			t.Errorf("resumed POST = %q", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the delivery did not resume after Start")
	}
	// Done now: a third start has nothing to send.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := 0
		_ = st.View(func(tx store.Tx) error { n = tx.Bucket("sns/http").Len(); return nil })
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still recorded after success", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Messages a subscription cannot take go to its RedrivePolicy queue, in the
// form the subscription would have received them.
func TestDeadLetterQueue(t *testing.T) {
	h := newHarness(t, nil)
	gone := "arn:aws:sqs:us-east-1:" + account + ":gone"
	dlq := "arn:aws:sqs:us-east-1:" + account + ":dlq"
	fn := "arn:aws:lambda:us-east-1:" + account + ":function:closed"
	h.q.mu.Lock()
	h.q.missing = map[string]bool{gone: true}
	h.q.mu.Unlock()
	h.fn.mu.Lock()
	h.fn.denied = map[string]bool{fn: true}
	h.fn.mu.Unlock()
	redrive := []string{"Attributes.entry.1.key", "RedrivePolicy", "Attributes.entry.1.value", `{"deadLetterTargetArn":"` + dlq + `"}`}
	topic := h.createTopic("undeliverable")
	h.subscribe(topic, "sqs", gone, append(redrive, "Attributes.entry.2.key", "RawMessageDelivery", "Attributes.entry.2.value", "true")...)
	fnSub := h.subscribe(topic, "lambda", fn, redrive...)
	h.ok("Publish", "TopicArn", topic, "Message", "lost",
		"MessageAttributes.entry.1.Name", "k", "MessageAttributes.entry.1.Value.DataType", "String", "MessageAttributes.entry.1.Value.StringValue", "v")
	msgs := h.q.messages(dlq)
	if len(msgs) != 2 {
		t.Fatalf("dead-letter queue got %d messages; want 2 (queue and function failures)", len(msgs))
	}
	var raw, env *sns.QueueMessage
	for i := range msgs {
		if msgs[i].Body == "lost" {
			raw = &msgs[i]
		} else {
			env = &msgs[i]
		}
	}
	if raw == nil || raw.Attributes["k"].StringValue != "v" {
		t.Errorf("raw subscription's dead letter = %+v", msgs)
	}
	var e sns.Envelope
	if env == nil || json.Unmarshal([]byte(env.Body), &e) != nil || e.Message != "lost" || e.Type != "Notification" || !strings.Contains(e.UnsubscribeURL, url.QueryEscape(fnSub)) {
		t.Errorf("function subscription's dead letter = %+v", msgs)
	}
	h.fail(400, "InvalidParameter", "SetSubscriptionAttributes", "SubscriptionArn", fnSub, "AttributeName", "RedrivePolicy",
		"AttributeValue", `{"deadLetterTargetArn":"not-a-queue"}`)
}

// An HTTP delivery whose attempts run out goes to the dead-letter queue.
func TestHTTPDeadLetter(t *testing.T) {
	h := newHarness(t, nil)
	calls := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Confirm through the SubscribeURL, then fail every notification.
		b, _ := io.ReadAll(r.Body)
		mt := r.Header.Get("x-amz-sns-message-type")
		if mt == "SubscriptionConfirmation" {
			var c sns.Envelope
			_ = json.Unmarshal(b, &c)
			if resp, err := http.Get(c.SubscribeURL); err == nil {
				resp.Body.Close()
			}
		} else {
			w.WriteHeader(500)
		}
		select {
		case calls <- mt:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	dlq := "arn:aws:sqs:us-east-1:" + account + ":http-dlq"
	topic := h.createTopic("flaky-hook")
	sub := h.subscribe(topic, "http", srv.URL, "ReturnSubscriptionArn", "true",
		"Attributes.entry.1.key", "RedrivePolicy", "Attributes.entry.1.value", `{"deadLetterTargetArn":"`+dlq+`"}`)
	next := func() string {
		t.Helper()
		select {
		case mt := <-calls:
			return mt
		case <-time.After(20 * time.Second):
			t.Fatal("no POST came")
			return ""
		}
	}
	if mt := next(); mt != "SubscriptionConfirmation" {
		t.Fatalf("first POST = %q", mt)
	}
	waitConfirmed := time.Now().Add(10 * time.Second)
	for h.ok("GetSubscriptionAttributes", "SubscriptionArn", sub).attrs()["PendingConfirmation"] != "false" {
		if time.Now().After(waitConfirmed) {
			t.Fatal("the subscription was not confirmed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.ok("Publish", "TopicArn", topic, "Message", "hook message")
	for attempt := 1; attempt <= 4; attempt++ {
		if attempt > 1 {
			waitTimer(t, h)
			h.clk.Advance(time.Millisecond)
		}
		if mt := next(); mt != "Notification" {
			t.Fatalf("attempt %d was %q", attempt, mt)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(h.q.messages(dlq)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing reached the dead-letter queue after the last attempt")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var e sns.Envelope
	if m := h.q.messages(dlq); len(m) != 1 || json.Unmarshal([]byte(m[0].Body), &e) != nil || e.Message != "hook message" {
		t.Errorf("dead-letter queue got %+v", m)
	}
}

// Concurrent publishes to one message group reach a FIFO queue in
// sequence number order.
func TestFIFOOrderUnderConcurrency(t *testing.T) {
	h := newHarness(t, nil)
	h.q.jitter = true // widen any gap between sequencing and delivery
	topic := h.createTopic("ordered.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true")
	q := "arn:aws:sqs:us-east-1:" + account + ":ordered.fifo"
	h.subscribe(topic, "sqs", q)
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := h.svc.Publish(t.Context(), sns.PublishInput{TopicArn: topic, Message: "m", MessageGroupId: "g",
				MessageDeduplicationId: "d" + itoa(i)})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs := h.q.messages(q)
	if len(msgs) != n {
		t.Fatalf("queue got %d messages; want %d", len(msgs), n)
	}
	prev := ""
	for i, m := range msgs {
		var env sns.Envelope
		if err := json.Unmarshal([]byte(m.Body), &env); err != nil {
			t.Fatal(err)
		}
		if env.SequenceNumber <= prev {
			t.Fatalf("message %d has sequence number %s after %s; want strictly increasing", i, env.SequenceNumber, prev)
		}
		prev = env.SequenceNumber
	}
}

// An HTTP endpoint's 5xx and 429 answers are retried; any other 4xx fails
// the delivery at once and sends the message to the dead-letter queue.
func TestHTTPRetryClassification(t *testing.T) {
	tests := []struct {
		name   string
		status int
		retry  bool
	}{
		{name: "not found", status: 404, retry: false},
		{name: "server error", status: 500, retry: true},
		{name: "throttled", status: 429, retry: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := store.NewMem()
			h := newHarness(t, st)
			tokens := make(chan string, 1)
			var notes atomic.Int32
			posted := make(chan struct{}, 16)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if r.Header.Get("x-amz-sns-message-type") == "SubscriptionConfirmation" {
					var c sns.Envelope
					_ = json.Unmarshal(b, &c)
					tokens <- c.Token
					return
				}
				notes.Add(1)
				w.WriteHeader(tc.status)
				posted <- struct{}{}
			}))
			t.Cleanup(srv.Close)
			dlq := "arn:aws:sqs:us-east-1:" + account + ":hook-dlq"
			topic := h.createTopic("hook")
			h.subscribe(topic, "http", srv.URL, "Attributes.entry.1.key", "RedrivePolicy",
				"Attributes.entry.1.value", `{"deadLetterTargetArn":"`+dlq+`"}`)
			select {
			case tok := <-tokens:
				h.ok("ConfirmSubscription", "TopicArn", topic, "Token", tok)
			case <-time.After(20 * time.Second):
				t.Fatal("no confirmation was posted")
			}
			h.ok("Publish", "TopicArn", topic, "Message", "hook message")
			next := func() {
				t.Helper()
				select {
				case <-posted:
				case <-time.After(20 * time.Second):
					t.Fatal("no notification POST came")
				}
			}
			next()
			if tc.retry {
				waitTimer(t, h)
				h.clk.Advance(time.Millisecond)
				next()
				if got := len(h.q.messages(dlq)); got != 0 {
					t.Errorf("dead-letter queue got %d messages while retries remain; want 0", got)
				}
				return
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				n := 0
				_ = st.View(func(tx store.Tx) error { n = tx.Bucket("sns/http").Len(); return nil })
				if n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d deliveries still recorded after a %d", n, tc.status)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if got := notes.Load(); got != 1 {
				t.Errorf("endpoint got %d POSTs; want 1", got)
			}
			if p := h.clk.Pending(); p != 0 {
				t.Errorf("%d retries scheduled after a %d; want 0", p, tc.status)
			}
			var e sns.Envelope
			if m := h.q.messages(dlq); len(m) != 1 || json.Unmarshal([]byte(m[0].Body), &e) != nil || e.Message != "hook message" {
				t.Errorf("dead-letter queue got %+v; want the message once", m)
			}
		})
	}
}

// Deliveries recorded before Start are under way already; Start does not
// post them a second time.
func TestHTTPBeforeStartPostsOnce(t *testing.T) {
	st := store.NewMem()
	h := newHarness(t, st)
	release := make(chan struct{})
	tokens := make(chan string, 1)
	arrived := make(chan string, 16)
	var mu sync.Mutex
	posts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mt := r.Header.Get("x-amz-sns-message-type")
		mu.Lock()
		posts[mt]++
		first := posts[mt] == 1
		mu.Unlock()
		if mt == "SubscriptionConfirmation" && first {
			var c sns.Envelope
			_ = json.Unmarshal(b, &c)
			tokens <- c.Token
		}
		arrived <- mt
		// Hold every POST until the test has started the service, so
		// the first attempts are still running when Start looks.
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	wait := func(want string) {
		t.Helper()
		select {
		case got := <-arrived:
			if got != want {
				t.Fatalf("POST = %q; want %q", got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s was posted", want)
		}
	}
	topic := h.createTopic("early")
	h.subscribe(topic, "http", srv.URL)
	wait("SubscriptionConfirmation")
	h.ok("ConfirmSubscription", "TopicArn", topic, "Token", <-tokens)
	h.ok("Publish", "TopicArn", topic, "Message", "before start")
	wait("Notification")

	if err := h.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := 0
		_ = st.View(func(tx store.Tx) error { n = tx.Bucket("sns/http").Len(); return nil })
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still recorded", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := h.svc.Close(ctx); err != nil { // waits for every delivery goroutine
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if posts["SubscriptionConfirmation"] != 1 || posts["Notification"] != 1 {
		t.Errorf("endpoint got %v; want one confirmation and one notification", posts)
	}
}
