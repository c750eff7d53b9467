package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/lambda"
	"tenkai/internal/sqs"
)

// lambdaQueues lets Lambda poll SQS queues for event source mappings and
// send to queues as destinations and dead-letter queues. Sends go through
// SQS's own SendMessage handler, so message attributes are validated and
// digested as for any client.
type lambdaQueues struct{ q *sqs.Service }

// queueCall returns a context scoped to the queue's account and region and
// the queue URL for an ARN.
func queueCall(ctx context.Context, arn string) (context.Context, string) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 {
		return ctx, ""
	}
	ctx = edge.WithMeta(ctx, &edge.Meta{Account: p[4], Region: p[3], Service: "sqs"})
	return ctx, "https://sqs." + p[3] + ".amazonaws.com/" + p[4] + "/" + p[5]
}

// noQueue maps SQS's missing-queue error to lambda.ErrNoQueue.
func noQueue(err error) error {
	var ae *edge.Error
	if errors.As(err, &ae) && ae.QueryCode == "AWS.SimpleQueueService.NonExistentQueue" {
		return lambda.ErrNoQueue
	}
	return err
}

func (l lambdaQueues) call(ctx context.Context, arn, op string, in map[string]any) ([]byte, error) {
	ctx, url := queueCall(ctx, arn)
	if url == "" {
		return nil, lambda.ErrNoQueue
	}
	in["QueueUrl"] = url
	body, _ := json.Marshal(in)
	out, err := l.q.Op(op)(ctx, body)
	if err != nil {
		return nil, noQueue(err)
	}
	return json.Marshal(out)
}

func (l lambdaQueues) QueueFIFO(ctx context.Context, arn string) (bool, error) {
	b, err := l.call(ctx, arn, "GetQueueAttributes", map[string]any{"AttributeNames": []string{"FifoQueue"}})
	if err != nil {
		return false, err
	}
	var out struct{ Attributes map[string]string }
	_ = json.Unmarshal(b, &out)
	return out.Attributes["FifoQueue"] == "true", nil
}

func (l lambdaQueues) Receive(ctx context.Context, arn string, max int, wait time.Duration) ([]lambda.QueueMessage, error) {
	msgs, err := l.q.Receive(ctx, arn, max, -1, wait)
	if err != nil {
		return nil, noQueue(err)
	}
	out := make([]lambda.QueueMessage, len(msgs))
	for i, m := range msgs {
		out[i] = lambda.QueueMessage{MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, MD5OfBody: m.MD5OfBody,
			MD5OfMessageAttributes: m.MD5OfMessageAttributes, Attributes: m.Attributes}
		if len(m.MessageAttributes) > 0 {
			out[i].MessageAttributes = map[string]lambda.QueueAttribute{}
			for k, a := range m.MessageAttributes {
				qa := lambda.QueueAttribute{DataType: a.DataType, BinaryValue: a.BinaryValue}
				if a.StringValue != nil {
					qa.StringValue = *a.StringValue
				}
				out[i].MessageAttributes[k] = qa
			}
		}
	}
	return out, nil
}

func (l lambdaQueues) Delete(ctx context.Context, arn, receiptHandle string) error {
	return noQueue(l.q.Delete(ctx, arn, receiptHandle))
}

func (l lambdaQueues) Release(ctx context.Context, arn, receiptHandle string) error {
	return noQueue(l.q.ChangeVisibility(ctx, arn, receiptHandle, 0))
}

func (l lambdaQueues) Send(ctx context.Context, arn, body string, attrs map[string]lambda.QueueAttribute) error {
	in := map[string]any{"MessageBody": body}
	if len(attrs) > 0 {
		ma := map[string]any{}
		for k, a := range attrs {
			if a.BinaryValue != nil {
				ma[k] = map[string]any{"DataType": a.DataType, "BinaryValue": a.BinaryValue}
			} else {
				ma[k] = map[string]any{"DataType": a.DataType, "StringValue": a.StringValue}
			}
		}
		in["MessageAttributes"] = ma
	}
	_, err := l.call(ctx, arn, "SendMessage", in)
	return err
}

var _ lambda.QueueClient = lambdaQueues{}
