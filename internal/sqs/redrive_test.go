package sqs_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMessageMoveTask(t *testing.T) {
	h := newHarness(t, nil)
	dlq := h.create("dlq", nil)
	dlqARN := h.attrs(dlq, "QueueArn")["QueueArn"]
	src := h.create("src", map[string]string{"VisibilityTimeout": "1",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":1}`})
	h.send(src, "a")
	h.send(src, "b")
	h.receive(src, nil)
	h.clk.Advance(time.Second)
	h.receive(src, nil) // moves both to the DLQ
	if a := h.attrs(dlq, "ApproximateNumberOfMessages"); a["ApproximateNumberOfMessages"] != "2" {
		t.Fatalf("DLQ holds %v", a)
	}
	h.fail("StartMessageMoveTask", map[string]any{"SourceArn": "arn:aws:sqs:us-east-1:000000000000:src"}, "InvalidParameterValue")
	h.fail("StartMessageMoveTask", map[string]any{"SourceArn": "arn:aws:sqs:us-east-1:000000000000:none"}, "ResourceNotFoundException")
	if r := h.ok("StartMessageMoveTask", map[string]any{"SourceArn": dlqARN}); r.str("TaskHandle") == "" {
		t.Fatalf("StartMessageMoveTask = %s", r.raw)
	}
	got := h.receive(src, map[string]any{"AttributeNames": []string{"ApproximateReceiveCount"}})
	if bodies(got) != "a,b" || got[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("after redrive the source holds %+v", got)
	}
	r := h.ok("ListMessageMoveTasks", map[string]any{"SourceArn": dlqARN})
	var out struct {
		Results []struct {
			Status                           string
			ApproximateNumberOfMessagesMoved int
		}
	}
	if err := json.Unmarshal(r.raw, &out); err != nil || len(out.Results) != 1 || out.Results[0].Status != "COMPLETED" || out.Results[0].ApproximateNumberOfMessagesMoved != 2 {
		t.Fatalf("ListMessageMoveTasks = %s", r.raw)
	}
}

func TestPermissions(t *testing.T) {
	h := newHarness(t, nil)
	url := h.create("shared", nil)
	h.ok("AddPermission", map[string]any{"QueueUrl": url, "Label": "send", "AWSAccountIds": []string{"111122223333"}, "Actions": []string{"SendMessage"}})
	h.fail("AddPermission", map[string]any{"QueueUrl": url, "Label": "send", "AWSAccountIds": []string{"111122223333"}, "Actions": []string{"SendMessage"}}, "InvalidParameterValue")
	h.fail("AddPermission", map[string]any{"QueueUrl": url, "Label": "many", "AWSAccountIds": []string{"111122223333"},
		"Actions": []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListQueueTags"}}, "OverLimit")
	policy := h.attrs(url, "Policy")["Policy"]
	if !strings.Contains(policy, `"Sid":"send"`) || !strings.Contains(policy, `"Action":"SQS:SendMessage"`) || !strings.Contains(policy, "arn:aws:iam::111122223333:root") {
		t.Fatalf("Policy = %s", policy)
	}
	h.ok("RemovePermission", map[string]any{"QueueUrl": url, "Label": "send"})
	if p, ok := h.attrs(url, "Policy")["Policy"]; ok {
		t.Fatalf("Policy after removing the last statement = %s", p)
	}
	h.fail("RemovePermission", map[string]any{"QueueUrl": url, "Label": "send"}, "InvalidParameterValue")
}
