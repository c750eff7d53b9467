package sqs_test

import (
	"context"
	"encoding/json"
	"testing"

	"tenkai/internal/sqs"
)

// BenchmarkSendReceiveDelete is one message's round trip through the core,
// request decoding included.
func BenchmarkSendReceiveDelete(b *testing.B) {
	s := sqs.New(sqs.Config{})
	ctx := context.Background()
	if _, err := s.Op("CreateQueue")(ctx, []byte(`{"QueueName":"bench"}`)); err != nil {
		b.Fatal(err)
	}
	send := []byte(`{"QueueUrl":"http://localhost/000000000000/bench","MessageBody":"hello, queue","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}`)
	recv := []byte(`{"QueueUrl":"http://localhost/000000000000/bench","MaxNumberOfMessages":1,"MessageAttributeNames":["All"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Op("SendMessage")(ctx, send); err != nil {
			b.Fatal(err)
		}
		out, err := s.Op("ReceiveMessage")(ctx, recv)
		if err != nil {
			b.Fatal(err)
		}
		js, _ := json.Marshal(out)
		var r struct {
			Messages []struct{ ReceiptHandle string }
		}
		if json.Unmarshal(js, &r) != nil || len(r.Messages) != 1 {
			b.Fatalf("received %s", js)
		}
		del, _ := json.Marshal(map[string]string{"QueueUrl": "http://localhost/000000000000/bench", "ReceiptHandle": r.Messages[0].ReceiptHandle})
		if _, err := s.Op("DeleteMessage")(ctx, del); err != nil {
			b.Fatal(err)
		}
	}
}
