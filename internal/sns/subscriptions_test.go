package sns_test

import (
	"net/http"
	"strings"
	"testing"
)

const queueARN = "arn:aws:sqs:us-east-1:" + account + ":inbox"

func TestSubscriptions(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("news")
	sub := h.subscribe(topic, "sqs", queueARN, "Attributes.entry.1.key", "RawMessageDelivery", "Attributes.entry.1.value", "true")
	if !strings.HasPrefix(sub, topic+":") {
		t.Fatalf("SubscriptionArn = %q; want %s:<id>", sub, topic)
	}
	// Subscribing the same endpoint again answers the same subscription.
	if again := h.subscribe(topic, "sqs", queueARN); again != sub {
		t.Errorf("resubscribe = %q; want %q", again, sub)
	}
	if got := h.subscribe(topic, "email", "me@example.com"); got != "pending confirmation" {
		t.Errorf("email SubscriptionArn = %q; want pending confirmation", got)
	}
	pendingARN := h.subscribe(topic, "sms", "+15555550100", "ReturnSubscriptionArn", "true")
	if !strings.HasPrefix(pendingARN, topic+":") {
		t.Errorf("ReturnSubscriptionArn gave %q", pendingARN)
	}

	attrs := h.ok("GetSubscriptionAttributes", "SubscriptionArn", sub).attrs()
	for k, want := range map[string]string{"SubscriptionArn": sub, "TopicArn": topic, "Owner": account, "Protocol": "sqs",
		"Endpoint": queueARN, "RawMessageDelivery": "true", "PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true"} {
		if attrs[k] != want {
			t.Errorf("subscription attribute %s = %q; want %q", k, attrs[k], want)
		}
	}
	if got := h.ok("GetSubscriptionAttributes", "SubscriptionArn", pendingARN).attrs()["PendingConfirmation"]; got != "true" {
		t.Errorf("sms PendingConfirmation = %q", got)
	}

	ta := h.ok("GetTopicAttributes", "TopicArn", topic).attrs()
	if ta["SubscriptionsConfirmed"] != "1" || ta["SubscriptionsPending"] != "2" {
		t.Errorf("counts = confirmed %s pending %s; want 1 and 2", ta["SubscriptionsConfirmed"], ta["SubscriptionsPending"])
	}

	r := h.ok("ListSubscriptionsByTopic", "TopicArn", topic)
	if n := len(r.vals["Protocol"]); n != 3 {
		t.Fatalf("ListSubscriptionsByTopic has %d; want 3\n%s", n, r.raw)
	}
	pending := 0
	for _, a := range r.vals["SubscriptionArn"] {
		if a == "PendingConfirmation" {
			pending++
		}
	}
	if pending != 2 {
		t.Errorf("%d listed as PendingConfirmation; want 2", pending)
	}
	other := h.createTopic("other")
	h.subscribe(other, "lambda", "arn:aws:lambda:us-east-1:"+account+":function:f")
	if n := len(h.ok("ListSubscriptions").vals["Protocol"]); n != 4 {
		t.Errorf("ListSubscriptions has %d; want 4", n)
	}

	h.ok("SetSubscriptionAttributes", "SubscriptionArn", sub, "AttributeName", "FilterPolicy", "AttributeValue", `{"kind":["a"]}`)
	attrs = h.ok("GetSubscriptionAttributes", "SubscriptionArn", sub).attrs()
	if attrs["FilterPolicy"] != `{"kind":["a"]}` || attrs["FilterPolicyScope"] != "MessageAttributes" {
		t.Errorf("filter attributes = %q %q", attrs["FilterPolicy"], attrs["FilterPolicyScope"])
	}
	r = h.fail(400, "InvalidParameter", "SetSubscriptionAttributes", "SubscriptionArn", sub, "AttributeName", "FilterPolicy", "AttributeValue", `{"kind":"a"}`)
	if !strings.HasPrefix(r.msg, "Invalid parameter: FilterPolicy: ") {
		t.Errorf("bad filter message = %q", r.msg)
	}
	h.fail(400, "InvalidParameter", "SetSubscriptionAttributes", "SubscriptionArn", sub, "AttributeName", "Bogus", "AttributeValue", "1")
	h.fail(400, "InvalidParameter", "Subscribe", "TopicArn", topic, "Protocol", "lambda", "Endpoint", "arn:aws:lambda:us-east-1:"+account+":function:g",
		"Attributes.entry.1.key", "RawMessageDelivery", "Attributes.entry.1.value", "true")

	h.ok("Unsubscribe", "SubscriptionArn", sub)
	h.fail(404, "NotFound", "GetSubscriptionAttributes", "SubscriptionArn", sub)
	if got := h.ok("GetTopicAttributes", "TopicArn", topic).attrs()["SubscriptionsDeleted"]; got != "1" {
		t.Errorf("SubscriptionsDeleted = %q; want 1", got)
	}
	h.ok("DeleteTopic", "TopicArn", topic)
	if n := len(h.ok("ListSubscriptions").vals["Protocol"]); n != 1 {
		t.Errorf("after DeleteTopic ListSubscriptions has %d; want 1", n)
	}
}

func TestSubscribeErrors(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("t")
	tests := []struct {
		name, protocol, endpoint string
		status                   int
		code                     string
	}{
		{"unknown protocol", "pigeon", "x", 400, "InvalidParameter"},
		{"sqs endpoint not an ARN", "sqs", "https://sqs.us-east-1.amazonaws.com/1/q", 400, "InvalidParameter"},
		{"lambda endpoint not a function", "lambda", "arn:aws:sqs:us-east-1:" + account + ":q", 400, "InvalidParameter"},
		{"http endpoint with https scheme", "http", "https://example.com/", 400, "InvalidParameter"},
		{"email without at", "email", "nobody", 400, "InvalidParameter"},
		{"FIFO queue on a standard topic", "sqs", "arn:aws:sqs:us-east-1:" + account + ":q.fifo", 400, "InvalidParameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			h.fail(tc.status, tc.code, "Subscribe", "TopicArn", topic, "Protocol", tc.protocol, "Endpoint", tc.endpoint)
		})
	}
	h.t = t
	h.fail(404, "NotFound", "Subscribe", "TopicArn", topic+"-gone", "Protocol", "sqs", "Endpoint", queueARN)
	h.fail(400, "InvalidParameter", "Subscribe", "TopicArn", "not-an-arn", "Protocol", "sqs", "Endpoint", queueARN)
	fifo := h.createTopic("f.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true")
	h.fail(400, "InvalidParameter", "Subscribe", "TopicArn", fifo, "Protocol", "lambda", "Endpoint", "arn:aws:lambda:us-east-1:"+account+":function:f")
	h.fail(400, "InvalidParameter", "ConfirmSubscription", "TopicArn", topic, "Token", "nope")
	h.fail(404, "NotFound", "ConfirmSubscription", "TopicArn", topic+"-gone", "Token", "nope")
}

func TestListSubscriptionsPages(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("many")
	for i := range 120 {
		h.subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:"+account+":q"+itoa(i))
	}
	for _, action := range []string{"ListSubscriptions", "ListSubscriptionsByTopic"} {
		first := h.ok(action, "TopicArn", topic)
		token := first.get("NextToken")
		if n := len(first.vals["Endpoint"]); n != 100 || token == "" {
			t.Fatalf("%s first page: %d, NextToken %q; want 100 and a token", action, n, token)
		}
		second := h.ok(action, "TopicArn", topic, "NextToken", token)
		if n := len(second.vals["Endpoint"]); n != 20 || second.get("NextToken") != "" {
			t.Errorf("%s second page: %d, NextToken %q; want 20 and none", action, n, second.get("NextToken"))
		}
		seen := map[string]bool{}
		for _, e := range append(first.vals["Endpoint"], second.vals["Endpoint"]...) {
			seen[e] = true
		}
		if len(seen) != 120 {
			t.Errorf("%s: %d distinct endpoints over both pages; want 120", action, len(seen))
		}
	}
}

// tenkai sends no mail: the confirmation link is logged, opening it
// confirms, and messages for the address are logged instead of sent.
func TestEmailSubscription(t *testing.T) {
	h := newHarness(t, nil)
	topic := h.createTopic("mail")
	sub := h.subscribe(topic, "email", "me@example.com", "ReturnSubscriptionArn", "true")
	rec := h.logs.find("needs confirmation")
	link, _ := rec["subscribe_url"].(string)
	if !strings.HasPrefix(link, h.srv.URL+"/?") || !strings.Contains(link, "Action=ConfirmSubscription") {
		t.Fatalf("logged confirmation = %v", rec)
	}
	h.ok("Publish", "TopicArn", topic, "Message", "before", "Subject", "s")
	if h.logs.find("not sent") != nil {
		t.Error("a message was delivered to a pending email subscription")
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET subscribe_url = %d", resp.StatusCode)
	}
	if got := h.ok("GetSubscriptionAttributes", "SubscriptionArn", sub).attrs()["PendingConfirmation"]; got != "false" {
		t.Errorf("PendingConfirmation after the link = %q", got)
	}
	h.ok("Publish", "TopicArn", topic, "Message", "after", "Subject", "s")
	if rec := h.logs.find("not sent"); rec == nil || rec["message"] != "after" || rec["endpoint"] != "me@example.com" {
		t.Errorf("logged message = %v", rec)
	}
}
