package app

import (
	"context"

	"tenkai/internal/events"
	"tenkai/internal/sqs"
)

// eventQueues lets EventBridge deliver events to SQS queue targets.
type eventQueues struct{ q *sqs.Service }

func (e eventQueues) SendToQueue(ctx context.Context, queueARN string, body []byte, groupID string) error {
	_, err := e.q.Send(ctx, queueARN, string(body), groupID, "")
	return err
}

var _ events.QueueSender = eventQueues{}
