package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// The SNS workload: one call is a Publish to a topic whose only
// subscription is an SQS queue (raw delivery), then a ReceiveMessage and a
// DeleteMessage of that message. Each worker has its own topic and queue, so
// the message received must be the one just published, and the queues must
// be empty at the end (sqsVerify).

type snsState struct {
	sqsState
	topics []string
	c      *sns.Client
}

func snsSetup(ctx context.Context, s *server) (any, error) {
	q, err := sqsSetup(ctx, s)
	if err != nil {
		return nil, err
	}
	st := &snsState{sqsState: *q.(*sqsState), c: sns.NewFromConfig(s.sdk())}
	for i := range st.urls {
		t, err := st.c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(fmt.Sprintf("bench-%02d", i))})
		if err != nil {
			return nil, fmt.Errorf("create topic %d: %w", i, err)
		}
		queueARN := fmt.Sprintf("arn:aws:sqs:us-east-1:000000000000:bench-%02d", i)
		if _, err := st.c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: t.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN),
			Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
			return nil, fmt.Errorf("subscribe queue %d: %w", i, err)
		}
		st.topics = append(st.topics, aws.ToString(t.TopicArn))
	}
	return st, nil
}

func snsFanOut(ctx context.Context, s *server, state any, worker, i int) error {
	st := state.(*snsState)
	url := aws.String(st.urls[worker%sqsQueues])
	body := fmt.Sprintf("worker %d call %d", worker, i)
	if _, err := st.c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(st.topics[worker%sqsQueues]), Message: aws.String(body)}); err != nil {
		return err
	}
	// SNS delivers after Publish answers; a short long poll waits for it.
	out, err := st.sqsState.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1})
	if err != nil {
		return err
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != body {
		return fmt.Errorf("received %d messages, want %q", len(out.Messages), body)
	}
	_, err = st.sqsState.c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: out.Messages[0].ReceiptHandle})
	return err
}

func snsVerify(ctx context.Context, s *server, state any, okCalls int) error {
	return sqsVerify(ctx, s, &state.(*snsState).sqsState, okCalls)
}
