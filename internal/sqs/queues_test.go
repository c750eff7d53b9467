package sqs_test

import (
	"strings"
	"testing"
	"time"
)

func TestCreateQueueIdempotence(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("orders", map[string]string{"VisibilityTimeout": "60"})
	if !strings.HasSuffix(url, "/000000000000/orders") || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("QueueUrl = %q; want http://<host>/000000000000/orders", url)
	}
	if again := h.create("orders", map[string]string{"VisibilityTimeout": "60"}); again != url {
		t.Fatalf("second CreateQueue = %q; want %q", again, url)
	}
	if again := h.create("orders", nil); again != url {
		t.Fatalf("CreateQueue without attributes = %q; want %q", again, url)
	}
	r := h.fail("CreateQueue", map[string]any{"QueueName": "orders", "Attributes": map[string]string{"VisibilityTimeout": "61"}}, "QueueAlreadyExists")
	if !strings.Contains(r.str("message"), "VisibilityTimeout") || r.str("__type") != "com.amazonaws.sqs#QueueNameExists" {
		t.Fatalf("error body = %s", r.raw)
	}
}

func TestQueueNames(t *testing.T) {
	h := newHarness(t, nil)
	for _, tc := range []struct {
		name  string
		attrs map[string]string
		code  string
	}{
		{"ok-name_1", nil, ""},
		{strings.Repeat("a", 80), nil, ""},
		{strings.Repeat("a", 81), nil, "InvalidParameterValue"},
		{"bad name", nil, "InvalidParameterValue"},
		{"", nil, "InvalidParameterValue"},
		{"plain.fifo", nil, "InvalidParameterValue"},
		{"jobs.fifo", map[string]string{"FifoQueue": "true"}, ""},
		{"jobs", map[string]string{"FifoQueue": "true"}, "InvalidParameterValue"},
		{strings.Repeat("a", 76) + ".fifo", map[string]string{"FifoQueue": "true"}, "InvalidParameterValue"},
	} {
		in := map[string]any{"QueueName": tc.name, "Attributes": tc.attrs}
		if tc.code == "" {
			h.ok("CreateQueue", in)
		} else {
			h.fail("CreateQueue", in, tc.code)
		}
	}
	h.fail("CreateQueue", map[string]any{}, "MissingParameter")
}

func TestQueueAttributes(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("q", nil)
	got := h.attrs(url, "All")
	want := map[string]string{
		"VisibilityTimeout": "30", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
		"DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true",
		"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "0",
		"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q", "CreatedTimestamp": "1772366400", "LastModifiedTimestamp": "1772366400",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q; want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("GetQueueAttributes(All) = %v; want %d attributes", got, len(want))
	}
	if _, ok := got["FifoQueue"]; ok {
		t.Error("standard queue reports FifoQueue")
	}
	h.clk.Advance(10 * time.Second)
	h.ok("SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]string{
		"VisibilityTimeout": "45", "DelaySeconds": "5", "MaximumMessageSize": "2048", "MessageRetentionPeriod": "60",
		"ReceiveMessageWaitTimeSeconds": "20", "Policy": `{"Version":"2012-10-17","Statement":[]}`,
	}})
	got = h.attrs(url, "VisibilityTimeout", "DelaySeconds", "LastModifiedTimestamp", "Policy", "CreatedTimestamp")
	if got["VisibilityTimeout"] != "45" || got["DelaySeconds"] != "5" || got["LastModifiedTimestamp"] != "1772366410" ||
		got["CreatedTimestamp"] != "1772366400" || got["Policy"] == "" {
		t.Fatalf("after SetQueueAttributes: %v", got)
	}
	for _, tc := range []struct{ name, value, code string }{
		{"VisibilityTimeout", "43201", "InvalidAttributeValue"},
		{"VisibilityTimeout", "-1", "InvalidAttributeValue"},
		{"VisibilityTimeout", "abc", "InvalidAttributeValue"},
		{"DelaySeconds", "901", "InvalidAttributeValue"},
		{"MaximumMessageSize", "1023", "InvalidAttributeValue"},
		{"MaximumMessageSize", "1048577", "InvalidAttributeValue"},
		{"MessageRetentionPeriod", "59", "InvalidAttributeValue"},
		{"MessageRetentionPeriod", "1209601", "InvalidAttributeValue"},
		{"ReceiveMessageWaitTimeSeconds", "21", "InvalidAttributeValue"},
		{"Policy", "{not json", "InvalidAttributeValue"},
		{"SqsManagedSseEnabled", "maybe", "InvalidAttributeValue"},
		{"ContentBasedDeduplication", "true", "InvalidAttributeName"},
		{"FifoQueue", "true", "InvalidAttributeName"},
		{"QueueArn", "x", "InvalidAttributeName"},
		{"Nope", "1", "InvalidAttributeName"},
		{"RedrivePolicy", `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:missing","maxReceiveCount":3}`, "InvalidParameterValue"},
	} {
		r := h.fail("SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]string{tc.name: tc.value}}, tc.code)
		if tc.code == "InvalidAttributeValue" && r.str("message") != "Invalid value for the parameter "+tc.name+"." {
			t.Errorf("%s=%s: message %q", tc.name, tc.value, r.str("message"))
		}
	}
	h.fail("GetQueueAttributes", map[string]any{"QueueUrl": url, "AttributeNames": []string{"Bogus"}}, "InvalidAttributeName")
}

func TestFIFOAttributes(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	got := h.attrs(url, "All")
	for k, v := range map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"} {
		if got[k] != v {
			t.Errorf("%s = %q; want %q", k, got[k], v)
		}
	}
	h.ok("SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]string{"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}})
	h.fail("SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]string{"DeduplicationScope": "everywhere"}}, "InvalidAttributeValue")
	h.fail("SetQueueAttributes", map[string]any{"QueueUrl": url, "Attributes": map[string]string{"DeduplicationScope": "queue"}}, "InvalidParameterValue")
}

func TestListAndDeleteQueues(t *testing.T) {
	h := newHarness(t, nil)
	for _, n := range []string{"b1", "a1", "a2", "a3"} {
		h.create(n, nil)
	}
	r := h.ok("ListQueues", map[string]any{"QueueNamePrefix": "a"})
	if urls := r.body["QueueUrls"].([]any); len(urls) != 3 || !strings.HasSuffix(urls[0].(string), "/a1") {
		t.Fatalf("ListQueues(prefix a) = %v", urls)
	}
	if _, ok := r.body["NextToken"]; ok {
		t.Fatal("NextToken without MaxResults")
	}
	r = h.ok("ListQueues", map[string]any{"MaxResults": 2})
	tok := r.str("NextToken")
	if len(r.body["QueueUrls"].([]any)) != 2 || tok == "" {
		t.Fatalf("page 1 = %s", r.raw)
	}
	r = h.ok("ListQueues", map[string]any{"MaxResults": 2, "NextToken": tok})
	if urls := r.body["QueueUrls"].([]any); len(urls) != 2 || !strings.HasSuffix(urls[1].(string), "/b1") || r.str("NextToken") != "" {
		t.Fatalf("page 2 = %s", r.raw)
	}
	h.fail("ListQueues", map[string]any{"MaxResults": 0}, "InvalidParameterValue")

	url := h.ok("GetQueueUrl", map[string]any{"QueueName": "a2"}).str("QueueUrl")
	h.ok("DeleteQueue", map[string]any{"QueueUrl": url})
	h.fail("GetQueueUrl", map[string]any{"QueueName": "a2"}, "AWS.SimpleQueueService.NonExistentQueue")
	h.fail("SendMessage", map[string]any{"QueueUrl": url, "MessageBody": "x"}, "AWS.SimpleQueueService.NonExistentQueue")
	h.fail("CreateQueue", map[string]any{"QueueName": "a2"}, "AWS.SimpleQueueService.QueueDeletedRecently")
	h.clk.Advance(61 * time.Second)
	h.create("a2", nil)
}

func TestQueueURLForms(t *testing.T) {
	h := newHarness(t, nil)
	h.create("q", nil)
	for _, u := range []string{
		"http://localhost:4566/000000000000/q",
		"https://sqs.us-east-1.amazonaws.com/000000000000/q",
		"https://us-east-1.queue.amazonaws.com/000000000000/q",
		"http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/q",
	} {
		h.ok("GetQueueAttributes", map[string]any{"QueueUrl": u, "AttributeNames": []string{"QueueArn"}})
	}
	h.fail("GetQueueAttributes", map[string]any{"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/000000000000/q"}, "AWS.SimpleQueueService.NonExistentQueue")
	h.fail("GetQueueAttributes", map[string]any{"QueueUrl": "q"}, "InvalidAddress")
	h.fail("GetQueueAttributes", map[string]any{}, "MissingParameter")
}

func TestTags(t *testing.T) {
	h := newHarness(t, nil)
	r := h.ok("CreateQueue", map[string]any{"QueueName": "t", "tags": map[string]string{"team": "a"}})
	url := r.str("QueueUrl")
	h.ok("TagQueue", map[string]any{"QueueUrl": url, "Tags": map[string]string{"env": "dev"}})
	h.ok("UntagQueue", map[string]any{"QueueUrl": url, "TagKeys": []string{"team"}})
	tags := h.ok("ListQueueTags", map[string]any{"QueueUrl": url}).body["Tags"].(map[string]any)
	if len(tags) != 1 || tags["env"] != "dev" {
		t.Fatalf("tags = %v", tags)
	}
}

func TestPurgeQueue(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("p", nil)
	h.send(url, "a")
	h.send(url, "b")
	h.ok("PurgeQueue", map[string]any{"QueueUrl": url})
	if ms := h.receive(url, nil); len(ms) != 0 {
		t.Fatalf("after purge received %v", bodies(ms))
	}
	h.fail("PurgeQueue", map[string]any{"QueueUrl": url}, "AWS.SimpleQueueService.PurgeQueueInProgress")
	h.clk.Advance(60 * time.Second)
	h.ok("PurgeQueue", map[string]any{"QueueUrl": url})
}
