package sqs_test

import (
	"context"
	"net/url"
	"testing"

	"tenkai/internal/sqs"
)

// The request decoding and validation of SendMessage and ReceiveMessage must
// answer any body with a result or an error, never a panic.
func FuzzSendReceive(f *testing.F) {
	for _, seed := range []string{
		`{"QueueUrl":"http://h/000000000000/q","MessageBody":"hi"}`,
		`{"QueueUrl":"http://h/000000000000/q","MessageBody":"hi","DelaySeconds":3,"MessageAttributes":{"a":{"DataType":"String","StringValue":"x"},"b":{"DataType":"Binary","BinaryValue":"AQI="},"n":{"DataType":"Number.x","StringValue":"1e5"}}}`,
		`{"QueueUrl":"http://h/000000000000/q","MessageBody":"\u0001","MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"t"}}}`,
		`{"QueueUrl":"http://h/000000000000/f.fifo","MessageBody":"x","MessageGroupId":"g","MessageDeduplicationId":"d"}`,
		`{"QueueUrl":"http://h/000000000000/q","MaxNumberOfMessages":10,"AttributeNames":["All"],"MessageAttributeNames":["a.*","All"],"VisibilityTimeout":0}`,
		`{"QueueUrl":"http://h/000000000000/f.fifo","MaxNumberOfMessages":-1,"WaitTimeSeconds":0}`,
		`{"QueueUrl":"::","MessageBody":null}`, `[]`, `{"MessageAttributes":{"":{}}}`, ``,
		`QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq&MessageBody=x&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v`,
		`QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b&AttributeName.1=All`,
	} {
		f.Add(seed)
	}
	s := sqs.New(sqs.Config{})
	q := s.Query()
	ctx := context.Background()
	for _, in := range []string{`{"QueueName":"q"}`, `{"QueueName":"f.fifo","Attributes":{"FifoQueue":"true"}}`} {
		if _, err := s.Op("CreateQueue")(ctx, []byte(in)); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, _ = s.Op("SendMessage")(ctx, []byte(body))
		_, _ = s.Op("ReceiveMessage")(ctx, []byte(body))
		_, _ = s.Op("SendMessageBatch")(ctx, []byte(body))
		// The same bytes as an awsQuery form.
		if form, err := url.ParseQuery(body); err == nil {
			_, _ = q.Op("SendMessage")(ctx, form)
			_, _ = q.Op("ReceiveMessage")(ctx, form)
			_, _ = q.Op("SendMessageBatch")(ctx, form)
		}
	})
}
