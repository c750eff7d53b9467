package sns_test

import (
	"fmt"
	"strings"
	"testing"

	"tenkai/internal/store"
)

func TestCreateTopic(t *testing.T) {
	h := newHarness(t, nil)
	arn := h.createTopic("orders", "Attributes.entry.1.key", "DisplayName", "Attributes.entry.1.value", "Orders")
	if want := "arn:aws:sns:us-east-1:" + account + ":orders"; arn != want {
		t.Fatalf("TopicArn = %q; want %q", arn, want)
	}
	// Idempotent with the same attributes, refused with different ones.
	if again := h.createTopic("orders", "Attributes.entry.1.key", "DisplayName", "Attributes.entry.1.value", "Orders"); again != arn {
		t.Errorf("second CreateTopic = %q; want %q", again, arn)
	}
	r := h.fail(400, "InvalidParameter", "CreateTopic", "Name", "orders", "Attributes.entry.1.key", "DisplayName", "Attributes.entry.1.value", "Other")
	if !strings.HasPrefix(r.msg, "Invalid parameter: ") {
		t.Errorf("message = %q; want Invalid parameter: ...", r.msg)
	}
	h.fail(400, "InvalidParameter", "CreateTopic", "Name", "bad name!")
	h.fail(400, "InvalidParameter", "CreateTopic")
	h.fail(400, "InvalidParameter", "CreateTopic", "Name", "plain", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true")
	h.fail(400, "InvalidParameter", "CreateTopic", "Name", "x", "Attributes.entry.1.key", "Bogus", "Attributes.entry.1.value", "1")

	attrs := h.ok("GetTopicAttributes", "TopicArn", arn).attrs()
	for k, want := range map[string]string{"TopicArn": arn, "Owner": account, "DisplayName": "Orders",
		"SubscriptionsConfirmed": "0", "SubscriptionsPending": "0", "SubscriptionsDeleted": "0"} {
		if attrs[k] != want {
			t.Errorf("attribute %s = %q; want %q", k, attrs[k], want)
		}
	}
	if !strings.Contains(attrs["Policy"], `"Resource":"`+arn+`"`) || !strings.Contains(attrs["EffectiveDeliveryPolicy"], "defaultHealthyRetryPolicy") {
		t.Errorf("default policies missing: %v", attrs)
	}
	if _, ok := attrs["FifoTopic"]; ok {
		t.Errorf("standard topic shows FifoTopic: %v", attrs)
	}

	h.ok("SetTopicAttributes", "TopicArn", arn, "AttributeName", "DisplayName", "AttributeValue", "Renamed")
	if got := h.ok("GetTopicAttributes", "TopicArn", arn).attrs()["DisplayName"]; got != "Renamed" {
		t.Errorf("DisplayName after set = %q", got)
	}
	h.fail(400, "InvalidParameter", "SetTopicAttributes", "TopicArn", arn, "AttributeName", "FifoTopic", "AttributeValue", "true")
	h.fail(404, "NotFound", "SetTopicAttributes", "TopicArn", arn+"x", "AttributeName", "DisplayName", "AttributeValue", "a")
	r = h.fail(404, "NotFound", "GetTopicAttributes", "TopicArn", arn+"x")
	if r.msg != "Topic does not exist" {
		t.Errorf("NotFound message = %q", r.msg)
	}

	fifo := h.createTopic("jobs.fifo", "Attributes.entry.1.key", "FifoTopic", "Attributes.entry.1.value", "true")
	fa := h.ok("GetTopicAttributes", "TopicArn", fifo).attrs()
	if fa["FifoTopic"] != "true" || fa["ContentBasedDeduplication"] != "false" {
		t.Errorf("FIFO attributes = %v", fa)
	}

	h.ok("DeleteTopic", "TopicArn", arn)
	h.ok("DeleteTopic", "TopicArn", arn) // idempotent
	h.fail(404, "NotFound", "GetTopicAttributes", "TopicArn", arn)
}

func TestListTopicsPages(t *testing.T) {
	h := newHarness(t, nil)
	for i := range 150 {
		h.createTopic(fmt.Sprintf("t%03d", i))
	}
	first := h.ok("ListTopics")
	if n := len(first.vals["TopicArn"]); n != 100 {
		t.Fatalf("first page has %d topics; want 100", n)
	}
	token := first.get("NextToken")
	if token == "" {
		t.Fatal("no NextToken after a full page")
	}
	second := h.ok("ListTopics", "NextToken", token)
	if n := len(second.vals["TopicArn"]); n != 50 || second.get("NextToken") != "" {
		t.Fatalf("second page: %d topics, NextToken %q; want 50 and none", n, second.get("NextToken"))
	}
	if got := second.vals["TopicArn"][49]; !strings.HasSuffix(got, ":t149") {
		t.Errorf("last topic = %q", got)
	}
	h.fail(400, "InvalidParameter", "ListTopics", "NextToken", "!!")
}

func TestTags(t *testing.T) {
	h := newHarness(t, nil)
	arn := h.createTopic("tagged", "Tags.member.1.Key", "team", "Tags.member.1.Value", "a")
	h.ok("TagResource", "ResourceArn", arn, "Tags.member.1.Key", "env", "Tags.member.1.Value", "dev",
		"Tags.member.2.Key", "team", "Tags.member.2.Value", "b")
	r := h.ok("ListTagsForResource", "ResourceArn", arn)
	if got := strings.Join(r.vals["Key"], ",") + "=" + strings.Join(r.vals["Value"], ","); got != "env,team=dev,b" {
		t.Errorf("tags = %s; want env,team=dev,b", got)
	}
	h.ok("UntagResource", "ResourceArn", arn, "TagKeys.member.1", "team")
	r = h.ok("ListTagsForResource", "ResourceArn", arn)
	if got := strings.Join(r.vals["Key"], ","); got != "env" {
		t.Errorf("tags after untag = %s; want env", got)
	}
	h.fail(404, "ResourceNotFound", "ListTagsForResource", "ResourceArn", arn+"-missing")
	h.fail(404, "ResourceNotFound", "TagResource", "ResourceArn", arn+"-missing", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	h.fail(400, "InvalidParameter", "CreateTopic", "Name", "tagged", "Tags.member.1.Key", "team", "Tags.member.1.Value", "other")
}

func TestTopicsPersist(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st)
	arn := h.createTopic("durable")
	sub := h.subscribe(arn, "sqs", "arn:aws:sqs:us-east-1:"+account+":q")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st2, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	h2 := newHarness(t, st2)
	if got := h2.ok("ListTopics").get("TopicArn"); got != arn {
		t.Errorf("topic after reopen = %q; want %q", got, arn)
	}
	if got := h2.ok("GetSubscriptionAttributes", "SubscriptionArn", sub).attrs()["Endpoint"]; !strings.HasSuffix(got, ":q") {
		t.Errorf("subscription endpoint after reopen = %q", got)
	}
}
