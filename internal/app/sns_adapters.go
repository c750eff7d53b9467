package app

import (
	"context"
	"encoding/json"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/events"
	"tenkai/internal/lambda"
	"tenkai/internal/s3"
	"tenkai/internal/sns"
	"tenkai/internal/sqs"
)

// snsQueues lets SNS deliver to SQS subscriptions. Sends go through SQS's
// own SendMessage handler, so message attributes of raw deliveries are
// validated and digested as for any client.
type snsQueues struct{ q *sqs.Service }

func (s snsQueues) SendToQueue(ctx context.Context, arn string, m sns.QueueMessage) error {
	in := map[string]any{"MessageBody": m.Body}
	if m.GroupID != "" {
		in["MessageGroupId"] = m.GroupID // FIFO queues need it; standard ones take it for fair queueing
	}
	if m.DedupID != "" && isFIFOQueue(arn) {
		in["MessageDeduplicationId"] = m.DedupID
	}
	if len(m.Attributes) > 0 {
		ma := map[string]any{}
		for k, a := range m.Attributes {
			if a.BinaryValue != nil {
				ma[k] = map[string]any{"DataType": a.DataType, "BinaryValue": a.BinaryValue}
			} else {
				ma[k] = map[string]any{"DataType": a.DataType, "StringValue": a.StringValue}
			}
		}
		in["MessageAttributes"] = ma
	}
	_, err := lambdaQueues{s.q}.call(ctx, arn, "SendMessage", in) // the queue's account, region and URL, as Lambda's sends
	return err
}

func isFIFOQueue(arn string) bool { return strings.HasSuffix(arn, ".fifo") }

var (
	_ sns.QueueSender     = snsQueues{}
	_ sns.FunctionInvoker = lambdaFunctions{}
)

// lambdaTopics lets Lambda publish to SNS destinations and dead-letter
// topics. It resolves the service at call time: Lambda is built first.
type lambdaTopics struct{ a *App }

func (l lambdaTopics) PublishToTopic(ctx context.Context, topicARN, message string, attrs map[string]lambda.QueueAttribute) error {
	in := sns.PublishInput{TopicArn: topicARN, Message: message}
	if len(attrs) > 0 {
		in.MessageAttributes = map[string]sns.MessageAttribute{}
		for k, a := range attrs {
			in.MessageAttributes[k] = sns.MessageAttribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
		}
	}
	_, err := l.a.sns.Publish(ctx, in)
	return err
}

var _ lambda.TopicPublisher = lambdaTopics{}

// eventTopics lets EventBridge deliver events to SNS topic targets.
type eventTopics struct{ s *sns.Service }

func (e eventTopics) PublishToTopic(ctx context.Context, topicARN string, body []byte) error {
	_, err := e.s.Publish(ctx, sns.PublishInput{TopicArn: topicARN, Message: string(body)})
	return err
}

var _ events.TopicPublisher = eventTopics{}

// s3Topics lets S3 send bucket notifications to SNS topics. It resolves
// the service at call time: S3 is built first.
type s3Topics struct{ a *App }

func (t s3Topics) PublishToTopic(ctx context.Context, topicARN, subject string, message []byte) error {
	_, err := t.a.sns.Publish(ctx, sns.PublishInput{TopicArn: topicARN, Subject: subject, Message: string(message)})
	return err
}

// TopicExists is true for a standard topic: S3 does not notify FIFO topics.
func (t s3Topics) TopicExists(ctx context.Context, topicARN string) bool {
	return !strings.HasSuffix(topicARN, ".fifo") && t.a.sns.TopicExists(ctx, topicARN)
}

var _ s3.TopicPublisher = s3Topics{}

// snsPublishJSON serves Step Functions' sns:publish and aws-sdk:sns:publish:
// the request and answer are Publish's members as JSON.
func snsPublishJSON(ctx context.Context, s *sns.Service, operation string, input []byte) ([]byte, error) {
	if operation != "Publish" {
		return nil, edge.Errorf("UnknownOperationException", "Unknown operation %s", operation)
	}
	var in struct {
		TopicArn, TargetArn, Message, Subject, MessageStructure string
		MessageGroupId, MessageDeduplicationId                  string
		MessageAttributes                                       map[string]sns.MessageAttribute
	}
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, edge.Errorf("InvalidParameter", "Invalid parameter: %v", err)
	}
	p := sns.PublishInput{TopicArn: in.TopicArn, TargetArn: in.TargetArn, Message: in.Message, Subject: in.Subject,
		MessageStructure: in.MessageStructure, MessageAttributes: in.MessageAttributes,
		MessageGroupId: in.MessageGroupId, MessageDeduplicationId: in.MessageDeduplicationId}
	out, err := s.Publish(ctx, p)
	if err != nil {
		return nil, err
	}
	res := map[string]string{"MessageId": out.MessageId}
	if out.SequenceNumber != "" {
		res["SequenceNumber"] = out.SequenceNumber
	}
	return json.Marshal(res)
}
