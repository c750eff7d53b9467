package app

import (
	"context"

	"tenkai/internal/events"
	"tenkai/internal/s3"
	"tenkai/internal/sqs"
)

// eventQueues lets EventBridge deliver events to SQS queue targets.
type eventQueues struct{ q *sqs.Service }

func (e eventQueues) SendToQueue(ctx context.Context, queueARN string, body []byte, groupID string) error {
	_, err := e.q.Send(ctx, queueARN, string(body), groupID, "")
	return err
}

var _ events.QueueSender = eventQueues{}

// s3Queues lets S3 send bucket notifications to SQS queues.
type s3Queues struct{ q *sqs.Service }

func (s s3Queues) SendToQueue(ctx context.Context, queueARN string, body []byte) error {
	_, err := s.q.Send(ctx, queueARN, string(body), "", "")
	return err
}

// QueueExists is true for a standard queue: S3 does not send notifications
// to FIFO queues.
func (s s3Queues) QueueExists(ctx context.Context, queueARN string) bool {
	fifo, err := lambdaQueues(s).QueueFIFO(ctx, queueARN)
	return err == nil && !fifo
}

var _ s3.QueueSender = s3Queues{}
