// Command ebloopfn re-runs itself through EventBridge while a condition
// holds, as in seed flow 001: each invocation reads i and n from the event's
// detail and, while i < n, puts an event with i+1 that the rule routes back.
package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

type detail struct {
	I int `json:"i"`
	N int `json:"n"`
}

type event struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Detail     detail `json:"detail"`
}

func handle(ctx context.Context, ev event) (string, error) {
	fmt.Printf("eb i=%d n=%d source=%s\n", ev.Detail.I, ev.Detail.N, ev.Source)
	if ev.Detail.I >= ev.Detail.N {
		fmt.Println("eb done")
		return "done", nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", err
	}
	next, _ := json.Marshal(detail{I: ev.Detail.I + 1, N: ev.Detail.N})
	out, err := eventbridge.NewFromConfig(cfg).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("my.event.source"), DetailType: aws.String("MyEvent"), EventBusName: aws.String("default"),
		Detail: aws.String(string(next)),
	}}})
	if err != nil {
		return "", err
	}
	if out.FailedEntryCount > 0 {
		return "", fmt.Errorf("put events: %s", aws.ToString(out.Entries[0].ErrorMessage))
	}
	return "continued", nil
}

func main() { lambda.Start(handle) }
