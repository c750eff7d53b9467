package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The SQS workload: one call is a SendMessage followed by a ReceiveMessage
// and a DeleteMessage of that message. Each worker has its own queue, so the
// message received must be the one just sent (the SDK also checks the body's
// MD5 on both calls), and the queue must be empty at the end.

const sqsQueues = 64

type sqsState struct {
	c    *sqs.Client
	urls []string
}

func sqsSetup(ctx context.Context, s *server) (any, error) {
	st := &sqsState{c: sqs.NewFromConfig(s.sdk())}
	for i := 0; i < sqsQueues; i++ {
		out, err := st.c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("bench-%02d", i))})
		if err != nil {
			return nil, fmt.Errorf("create queue %d: %w", i, err)
		}
		st.urls = append(st.urls, aws.ToString(out.QueueUrl))
	}
	return st, nil
}

func sqsRoundTrip(ctx context.Context, s *server, state any, worker, i int) error {
	st := state.(*sqsState)
	url := aws.String(st.urls[worker%sqsQueues])
	body := fmt.Sprintf("worker %d call %d", worker, i)
	if _, err := st.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(body)}); err != nil {
		return err
	}
	out, err := st.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 1})
	if err != nil {
		return err
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != body {
		return fmt.Errorf("received %d messages, want %q", len(out.Messages), body)
	}
	_, err = st.c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: out.Messages[0].ReceiptHandle})
	return err
}

// sqsVerify checks that every message was deleted.
func sqsVerify(ctx context.Context, s *server, state any, okCalls int) error {
	st := state.(*sqsState)
	for _, u := range st.urls {
		out, err := st.c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		if err != nil {
			return err
		}
		for k, v := range out.Attributes {
			if v != "0" {
				return fmt.Errorf("%s: %s = %s after the run; want 0", u, k, v)
			}
		}
	}
	return nil
}
