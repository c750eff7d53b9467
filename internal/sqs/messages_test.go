package sqs_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"tenkai/internal/store"
)

func md5hex(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }

func TestSendReceiveMD5s(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", nil)
	attrs := map[string]any{
		"a": map[string]any{"DataType": "String", "StringValue": "x"},
		"b": map[string]any{"DataType": "Binary", "BinaryValue": "AQI="}, // bytes 1, 2
		"n": map[string]any{"DataType": "Number.int", "StringValue": "42"},
	}
	r := h.send(url, "hello ☃", map[string]any{"MessageAttributes": attrs,
		"MessageSystemAttributes": map[string]any{"AWSTraceHeader": map[string]any{"DataType": "String", "StringValue": "Root=1-abc"}}})
	// The attributes digest was cross-checked with an independent
	// implementation of AWS's algorithm (moto's) for the same attributes.
	const wantAttrs = "9455a0769f4b96270180b6d9a681a849"
	if r.str("MD5OfMessageBody") != md5hex("hello ☃") || r.str("MD5OfMessageAttributes") != wantAttrs {
		t.Fatalf("SendMessage = %s", r.raw)
	}
	if r.str("MD5OfMessageSystemAttributes") == "" || r.str("MessageId") == "" {
		t.Fatalf("SendMessage = %s", r.raw)
	}
	ms := h.receive(url, map[string]any{"MessageAttributeNames": []string{"All"}, "MessageSystemAttributeNames": []string{"All"}})
	if len(ms) != 1 {
		t.Fatalf("received %d messages", len(ms))
	}
	m := ms[0]
	if m.MessageId != r.str("MessageId") || m.MD5OfBody != md5hex("hello ☃") || m.MD5OfMessageAttributes != wantAttrs {
		t.Fatalf("received %+v", m)
	}
	if m.Attributes["AWSTraceHeader"] != "Root=1-abc" || m.Attributes["ApproximateReceiveCount"] != "1" ||
		m.Attributes["SentTimestamp"] != "1772366400000" || m.Attributes["ApproximateFirstReceiveTimestamp"] != "1772366400000" ||
		m.Attributes["SenderId"] == "" {
		t.Fatalf("system attributes %v", m.Attributes)
	}
	if m.MessageAttributes["b"]["BinaryValue"] != "AQI=" {
		t.Fatalf("binary attribute %v", m.MessageAttributes["b"])
	}
}

func TestMessageAttributeNames(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"VisibilityTimeout": "0"})
	str := func(v string) map[string]any { return map[string]any{"DataType": "String", "StringValue": v} }
	h.send(url, "m", map[string]any{"MessageAttributes": map[string]any{"user.id": str("1"), "user.name": str("ada"), "trace": str("t")}})
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"All"}, "trace,user.id,user.name"},
		{[]string{".*"}, "trace,user.id,user.name"},
		{[]string{"user.*"}, "user.id,user.name"},
		{[]string{"trace"}, "trace"},
		{[]string{"nope"}, ""},
	} {
		ms := h.receive(url, map[string]any{"MessageAttributeNames": tc.names})
		var got []string
		for _, k := range []string{"trace", "user.id", "user.name"} {
			if _, ok := ms[0].MessageAttributes[k]; ok {
				got = append(got, k)
			}
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("MessageAttributeNames %v: got %v; want %s", tc.names, got, tc.want)
		}
		if (tc.want == "") != (ms[0].MD5OfMessageAttributes == "") {
			t.Errorf("MessageAttributeNames %v: MD5OfMessageAttributes %q", tc.names, ms[0].MD5OfMessageAttributes)
		}
	}
}

func TestSendValidation(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"MaximumMessageSize": "1024"})
	send := func(body string, extra map[string]any) map[string]any {
		in := map[string]any{"QueueUrl": url, "MessageBody": body}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	str := map[string]any{"DataType": "String", "StringValue": "v"}
	many := map[string]any{}
	for i := 0; i < 11; i++ {
		many[fmt.Sprintf("a%d", i)] = str
	}
	for _, tc := range []struct {
		name string
		in   map[string]any
		code string
	}{
		{"empty body", send("", nil), "MissingParameter"},
		{"no body", map[string]any{"QueueUrl": url}, "MissingParameter"},
		{"oversize", send(strings.Repeat("x", 1025), nil), "InvalidParameterValue"},
		{"attributes count toward size", send(strings.Repeat("x", 1020), map[string]any{"MessageAttributes": map[string]any{"ab": str}}), "InvalidParameterValue"},
		{"control character", send("a\x01b", nil), "InvalidMessageContents"},
		{"delay too long", send("x", map[string]any{"DelaySeconds": 901}), "InvalidParameterValue"},
		{"dedup id on standard", send("x", map[string]any{"MessageDeduplicationId": "d"}), "InvalidParameterValue"},
		{"11 attributes", send("x", map[string]any{"MessageAttributes": many}), "InvalidParameterValue"},
		{"bad type", send("x", map[string]any{"MessageAttributes": map[string]any{"a": map[string]any{"DataType": "Text", "StringValue": "v"}}}), "InvalidParameterValue"},
		{"no value", send("x", map[string]any{"MessageAttributes": map[string]any{"a": map[string]any{"DataType": "String"}}}), "InvalidParameterValue"},
		{"bad number", send("x", map[string]any{"MessageAttributes": map[string]any{"a": map[string]any{"DataType": "Number", "StringValue": "12a"}}}), "InvalidParameterValue"},
		{"reserved name", send("x", map[string]any{"MessageAttributes": map[string]any{"AWS.x": str}}), "InvalidParameterValue"},
		{"bad name", send("x", map[string]any{"MessageAttributes": map[string]any{"a b": str}}), "InvalidParameterValue"},
		{"system attribute", send("x", map[string]any{"MessageSystemAttributes": map[string]any{"Other": str}}), "InvalidParameterValue"},
		{"wrong JSON type", send("x", map[string]any{"DelaySeconds": "five"}), ""},
	} {
		r := h.do("SendMessage", tc.in)
		if tc.code == "" {
			if r.status != 400 || r.str("__type") != "SerializationException" {
				t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
			}
			continue
		}
		if r.status != 400 || r.code != tc.code {
			t.Errorf("%s: status %d code %q; want %s (%s)", tc.name, r.status, r.code, tc.code, r.raw)
		}
	}
	h.send(url, strings.Repeat("x", 1024))
	h.send(url, "tab\tnewline\nemoji 🎉 \uE000")
}

func TestVisibilityTimeout(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"VisibilityTimeout": "30"})
	h.send(url, "a")
	first := h.receive(url, nil)
	if len(first) != 1 {
		t.Fatal("no message")
	}
	if got := h.receive(url, nil); len(got) != 0 {
		t.Fatalf("in-flight message received again: %v", bodies(got))
	}
	if a := h.attrs(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"); a["ApproximateNumberOfMessagesNotVisible"] != "1" || a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("counts %v", a)
	}
	h.clk.Advance(29 * time.Second)
	if got := h.receive(url, nil); len(got) != 0 {
		t.Fatal("visible before the timeout")
	}
	h.clk.Advance(time.Second)
	second := h.receive(url, map[string]any{"AttributeNames": []string{"ApproximateReceiveCount"}, "VisibilityTimeout": 100})
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" || second[0].ReceiptHandle == first[0].ReceiptHandle {
		t.Fatalf("second receive %+v", second)
	}
	h.clk.Advance(99 * time.Second)
	if got := h.receive(url, nil); len(got) != 0 {
		t.Fatal("request VisibilityTimeout not applied")
	}
	// ChangeMessageVisibility restarts the timeout from now.
	h.ok("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": second[0].ReceiptHandle, "VisibilityTimeout": 10})
	h.clk.Advance(9 * time.Second)
	if got := h.receive(url, nil); len(got) != 0 {
		t.Fatal("visible before the changed timeout")
	}
	h.ok("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": second[0].ReceiptHandle, "VisibilityTimeout": 0})
	third := h.receive(url, nil)
	if len(third) != 1 {
		t.Fatal("visibility 0 did not release the message")
	}
	h.ok("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": third[0].ReceiptHandle, "VisibilityTimeout": 0})
	h.fail("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": third[0].ReceiptHandle, "VisibilityTimeout": 5}, "AWS.SimpleQueueService.MessageNotInflight")
	h.fail("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": third[0].ReceiptHandle, "VisibilityTimeout": 43201}, "InvalidParameterValue")
	h.fail("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": "garbage", "VisibilityTimeout": 5}, "ReceiptHandleIsInvalid")
	// The total visibility timeout is capped at 12 hours from the receive.
	fourth := h.receive(url, map[string]any{"VisibilityTimeout": 7200})
	h.clk.Advance(time.Hour)
	h.fail("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": fourth[0].ReceiptHandle, "VisibilityTimeout": 43200}, "InvalidParameterValue")
	h.ok("ChangeMessageVisibility", map[string]any{"QueueUrl": url, "ReceiptHandle": fourth[0].ReceiptHandle, "VisibilityTimeout": 39600})
	h.fail("ReceiveMessage", map[string]any{"QueueUrl": url, "VisibilityTimeout": 43201}, "InvalidParameterValue")
}

func TestDeleteMessage(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"VisibilityTimeout": "1"})
	h.send(url, "a")
	old := h.receive(url, nil)[0].ReceiptHandle
	h.clk.Advance(time.Second)
	cur := h.receive(url, nil)[0].ReceiptHandle
	// On a standard queue an older receipt handle still deletes, as AWS does.
	h.ok("DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": old})
	h.clk.Advance(time.Second)
	if got := h.receive(url, nil); len(got) != 0 {
		t.Fatal("deleted message came back")
	}
	// Deleting again succeeds.
	h.ok("DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": cur})
	// The model gives ReceiptHandleIsInvalid HTTP 404.
	if r := h.fail("DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": "not-a-handle"}, "ReceiptHandleIsInvalid"); r.status != 404 {
		t.Fatalf("ReceiptHandleIsInvalid status %d; want 404", r.status)
	}
	h.fail("DeleteMessage", map[string]any{"QueueUrl": url}, "MissingParameter")
	other := h.create("other", nil)
	h.fail("DeleteMessage", map[string]any{"QueueUrl": other, "ReceiptHandle": cur}, "ReceiptHandleIsInvalid")
}

func TestReceiveLimits(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", nil)
	for i := 0; i < 15; i++ {
		h.send(url, fmt.Sprint(i))
	}
	for _, n := range []int{0, 11} {
		h.fail("ReceiveMessage", map[string]any{"QueueUrl": url, "MaxNumberOfMessages": n}, "InvalidParameterValue")
	}
	h.fail("ReceiveMessage", map[string]any{"QueueUrl": url, "WaitTimeSeconds": 21}, "InvalidParameterValue")
	h.fail("ReceiveMessage", map[string]any{"QueueUrl": url, "AttributeNames": []string{"Bogus"}}, "InvalidAttributeName")
	if got := h.ok("ReceiveMessage", map[string]any{"QueueUrl": url}); len(got.body["Messages"].([]any)) != 1 {
		t.Fatal("default MaxNumberOfMessages is not 1")
	}
	if got := h.receive(url, nil); len(got) != 10 {
		t.Fatalf("received %d; want 10", len(got))
	}
}

func TestDelays(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"DelaySeconds": "10", "VisibilityTimeout": "3600"})
	h.send(url, "queue-delay")
	h.send(url, "no-delay", map[string]any{"DelaySeconds": 0})
	h.send(url, "long-delay", map[string]any{"DelaySeconds": 60})
	if a := h.attrs(url, "All"); a["ApproximateNumberOfMessagesDelayed"] != "2" || a["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("counts %v", a)
	}
	if got := bodies(h.receive(url, nil)); got != "no-delay" {
		t.Fatalf("at 0s got %q", got)
	}
	h.clk.Advance(10 * time.Second)
	if got := bodies(h.receive(url, nil)); got != "queue-delay" {
		t.Fatalf("at 10s got %q", got)
	}
	h.clk.Advance(50 * time.Second)
	if got := bodies(h.receive(url, nil)); got != "long-delay" {
		t.Fatalf("at 60s got %q", got)
	}
}

func TestRetention(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", map[string]string{"MessageRetentionPeriod": "60", "VisibilityTimeout": "0"})
	h.send(url, "old")
	h.clk.Advance(30 * time.Second)
	h.send(url, "young")
	h.clk.Advance(30 * time.Second)
	if got := bodies(h.receive(url, nil)); got != "young" {
		t.Fatalf("after 60 s got %q; want only young", got)
	}
	if a := h.attrs(url, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("count %v", a)
	}
	h.clk.Advance(30 * time.Second)
	if a := h.attrs(url, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("count %v", a)
	}
	// The sweeper drops expired messages from the store.
	stored := func() int {
		n := 0
		_ = h.st.View(func(tx store.Tx) error { n = tx.Bucket("sqs/msgs/000000000000/us-east-1/q").Len(); return nil })
		return n
	}
	if n := stored(); n != 1 {
		t.Fatalf("%d messages stored before the sweep; want 1", n)
	}
	if err := h.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.svc.Close(context.Background())
	for deadline := time.Now().Add(5 * time.Second); h.clk.Pending() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("sweeper never waited")
		}
	}
	h.clk.Advance(time.Minute)
	for deadline := time.Now().Add(5 * time.Second); stored() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d expired messages still stored after the sweep", stored())
		}
	}
}

func TestDeadLetterQueue(t *testing.T) {
	h := newHarness(t, nil)
	dlq := h.create("dlq", nil)
	dlqARN := h.attrs(dlq, "QueueArn")["QueueArn"]
	src := h.create("src", map[string]string{"VisibilityTimeout": "5",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"2"}`})
	if got := h.attrs(src, "RedrivePolicy")["RedrivePolicy"]; got != `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":2}` {
		t.Fatalf("RedrivePolicy = %s", got)
	}
	h.send(src, "poison")
	for i := 0; i < 2; i++ {
		if got := h.receive(src, nil); len(got) != 1 {
			t.Fatalf("receive %d: %d messages", i+1, len(got))
		}
		h.clk.Advance(5 * time.Second)
	}
	if got := h.receive(src, nil); len(got) != 0 {
		t.Fatal("message received a third time instead of moving to the DLQ")
	}
	got := h.receive(dlq, map[string]any{"MessageSystemAttributeNames": []string{"All"}})
	if len(got) != 1 || got[0].Body != "poison" || got[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:000000000000:src" {
		t.Fatalf("DLQ received %+v", got)
	}
	srcs := h.ok("ListDeadLetterSourceQueues", map[string]any{"QueueUrl": dlq}).body["queueUrls"].([]any)
	if len(srcs) != 1 || !strings.HasSuffix(srcs[0].(string), "/src") {
		t.Fatalf("ListDeadLetterSourceQueues = %v", srcs)
	}
	h.ok("SetQueueAttributes", map[string]any{"QueueUrl": dlq, "Attributes": map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`}})
	h.fail("CreateQueue", map[string]any{"QueueName": "src2", "Attributes": map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":2}`}}, "InvalidParameterValue")
	h.fail("SetQueueAttributes", map[string]any{"QueueUrl": src, "Attributes": map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":0}`}}, "InvalidParameterValue")
}

func TestFIFO(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("jobs.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "30"})
	send := func(body, group, dedup string) result {
		return h.send(url, body, map[string]any{"MessageGroupId": group, "MessageDeduplicationId": dedup})
	}
	r1 := send("a1", "a", "1")
	send("b1", "b", "2")
	send("a2", "a", "3")
	send("b2", "b", "4")
	if r1.str("SequenceNumber") == "" || len(r1.str("SequenceNumber")) != 20 {
		t.Fatalf("SequenceNumber %q", r1.str("SequenceNumber"))
	}
	// Duplicate within 5 minutes: accepted, same id, not enqueued.
	dup := send("a1 again", "a", "1")
	if dup.str("MessageId") != r1.str("MessageId") {
		t.Fatalf("duplicate got a new MessageId")
	}
	got := h.receive(url, map[string]any{"MaxNumberOfMessages": 1, "AttributeNames": []string{"All"}})
	if bodies(got) != "a1" || got[0].Attributes["MessageGroupId"] != "a" || got[0].Attributes["SequenceNumber"] != r1.str("SequenceNumber") ||
		got[0].Attributes["MessageDeduplicationId"] != "1" {
		t.Fatalf("first receive %+v", got)
	}
	// Group a is blocked while a1 is in flight; b is free.
	if rest := bodies(h.receive(url, nil)); rest != "b1,b2" {
		t.Fatalf("with a1 in flight got %q; want b1,b2", rest)
	}
	h.ok("DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": got[0].ReceiptHandle})
	a2 := h.receive(url, nil)
	if bodies(a2) != "a2" {
		t.Fatalf("after deleting a1 got %q", bodies(a2))
	}
	// A receipt handle whose visibility timeout has passed is refused on FIFO queues.
	h.clk.Advance(31 * time.Second)
	h.fail("DeleteMessage", map[string]any{"QueueUrl": url, "ReceiptHandle": a2[0].ReceiptHandle}, "ReceiptHandleIsInvalid")
	// After the deduplication interval the same id is accepted again.
	h.clk.Advance(5 * time.Minute)
	if again := send("a1", "a", "1"); again.str("MessageId") == r1.str("MessageId") {
		t.Fatal("deduplication outlived 5 minutes")
	}

	h.fail("SendMessage", map[string]any{"QueueUrl": url, "MessageBody": "x", "MessageDeduplicationId": "9"}, "MissingParameter")
	h.fail("SendMessage", map[string]any{"QueueUrl": url, "MessageBody": "x", "MessageGroupId": "g"}, "InvalidParameterValue")
	h.fail("SendMessage", map[string]any{"QueueUrl": url, "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "9", "DelaySeconds": 1}, "InvalidParameterValue")
}

func TestFIFOContentDedup(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("c.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup"})
	a := h.send(url, "same", map[string]any{"MessageGroupId": "g1"})
	b := h.send(url, "same", map[string]any{"MessageGroupId": "g1"})
	c := h.send(url, "same", map[string]any{"MessageGroupId": "g2"})
	if a.str("MessageId") != b.str("MessageId") || a.str("MessageId") == c.str("MessageId") {
		t.Fatalf("content dedup per group: %s %s %s", a.str("MessageId"), b.str("MessageId"), c.str("MessageId"))
	}
	if got := h.receive(url, nil); len(got) != 2 {
		t.Fatalf("received %d; want 2", len(got))
	}
}

func TestSendMessageBatch(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", nil)
	r := h.ok("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": []map[string]any{
		{"Id": "ok1", "MessageBody": "one"},
		{"Id": "bad", "MessageBody": "two", "DelaySeconds": 1000},
		{"Id": "ok-2", "MessageBody": "three"},
	}})
	ok, failed := r.body["Successful"].([]any), r.body["Failed"].([]any)
	if len(ok) != 2 || len(failed) != 1 {
		t.Fatalf("SendMessageBatch = %s", r.raw)
	}
	f := failed[0].(map[string]any)
	if f["Id"] != "bad" || f["Code"] != "InvalidParameterValue" || f["SenderFault"] != true {
		t.Fatalf("failure %v", f)
	}
	if ok[0].(map[string]any)["MD5OfMessageBody"] != md5hex("one") {
		t.Fatalf("success %v", ok[0])
	}
	entries := func(n int, size int) []map[string]any {
		var es []map[string]any
		for i := 0; i < n; i++ {
			es = append(es, map[string]any{"Id": fmt.Sprint("e", i), "MessageBody": strings.Repeat("x", size)})
		}
		return es
	}
	h.fail("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": entries(11, 1)}, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
	h.fail("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": entries(0, 1)}, "AWS.SimpleQueueService.EmptyBatchRequest")
	h.fail("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": entries(5, 1<<18)}, "AWS.SimpleQueueService.BatchRequestTooLong")
	h.fail("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": []map[string]any{{"Id": "x", "MessageBody": "1"}, {"Id": "x", "MessageBody": "2"}}}, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
	h.fail("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": []map[string]any{{"Id": "a.b", "MessageBody": "1"}}}, "AWS.SimpleQueueService.InvalidBatchEntryId")
	h.ok("SendMessageBatch", map[string]any{"QueueUrl": url, "Entries": entries(4, 1<<18)})

	ms := h.receive(url, nil)
	var del, vis []map[string]any
	for i, m := range ms {
		del = append(del, map[string]any{"Id": fmt.Sprint("d", i), "ReceiptHandle": m.ReceiptHandle})
		vis = append(vis, map[string]any{"Id": fmt.Sprint("v", i), "ReceiptHandle": m.ReceiptHandle, "VisibilityTimeout": 60})
	}
	vis = append(vis, map[string]any{"Id": "junk", "ReceiptHandle": "junk", "VisibilityTimeout": 60})
	r = h.ok("ChangeMessageVisibilityBatch", map[string]any{"QueueUrl": url, "Entries": vis})
	if len(r.body["Successful"].([]any)) != len(ms) || r.body["Failed"].([]any)[0].(map[string]any)["Code"] != "ReceiptHandleIsInvalid" {
		t.Fatalf("ChangeMessageVisibilityBatch = %s", r.raw)
	}
	r = h.ok("DeleteMessageBatch", map[string]any{"QueueUrl": url, "Entries": del})
	if len(r.body["Successful"].([]any)) != len(ms) {
		t.Fatalf("DeleteMessageBatch = %s", r.raw)
	}
	if a := h.attrs(url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("after batch delete %v", a)
	}
	h.fail("DeleteMessageBatch", map[string]any{"QueueUrl": url, "Entries": []any{}}, "AWS.SimpleQueueService.EmptyBatchRequest")
}

func TestReceiveRequestAttemptID(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("r.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "30"})
	h.send(url, "one", map[string]any{"MessageGroupId": "g"})
	h.send(url, "two", map[string]any{"MessageGroupId": "h"})
	first := h.receive(url, map[string]any{"ReceiveRequestAttemptId": "try-1", "MaxNumberOfMessages": 1})
	h.clk.Advance(10 * time.Second)
	// A retry of the same attempt gets the same message and handle, not "two".
	again := h.receive(url, map[string]any{"ReceiveRequestAttemptId": "try-1", "MaxNumberOfMessages": 1})
	if len(again) != 1 || again[0].MessageId != first[0].MessageId || again[0].ReceiptHandle != first[0].ReceiptHandle {
		t.Fatalf("retried attempt got %+v; want %+v", again, first)
	}
	// Its visibility timeout restarted: 25 s later it is still in flight.
	h.clk.Advance(25 * time.Second)
	if got := bodies(h.receive(url, nil)); got != "two" {
		t.Fatalf("got %q; want two", got)
	}
	h.fail("ReceiveMessage", map[string]any{"QueueUrl": url, "ReceiveRequestAttemptId": "bad id"}, "InvalidParameterValue")
}
