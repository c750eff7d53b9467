// Command function is seed flow 001's Lambda function: it runs again while a
// condition holds (here: i < n), either by invoking itself through the SDK or
// by putting an event that an EventBridge rule routes back to it.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	lambdasvc "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// input is what the function reads: i and n at the top level (SDK invoke and
// Step Functions) or in the detail of an EventBridge event.
type input struct {
	I      int    `json:"i"`
	N      int    `json:"n"`
	Via    string `json:"via"` // "sdk" or "eventbridge"
	Detail *struct {
		I int `json:"i"`
		N int `json:"n"`
	} `json:"detail"`
}

type output struct {
	I        int    `json:"i"`
	N        int    `json:"n"`
	Continue bool   `json:"continue"`
	Tail     string `json:"tail,omitempty"` // the nested invocation's log tail
}

func handle(ctx context.Context, in input) (*output, error) {
	if in.Detail != nil {
		in.I, in.N, in.Via = in.Detail.I, in.Detail.N, "eventbridge"
	}
	fmt.Printf("run i=%d n=%d via=%s\n", in.I, in.N, in.Via)
	out := &output{I: in.I, N: in.N, Continue: in.I+1 < in.N}
	if !out.Continue {
		fmt.Println("condition no longer holds: done")
		return out, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	switch in.Via {
	case "sdk":
		// 1. Invoke this very function through the SDK, asking for the log tail.
		payload, _ := json.Marshal(input{I: in.I + 1, N: in.N, Via: "sdk"})
		res, err := lambdasvc.NewFromConfig(cfg).Invoke(ctx, &lambdasvc.InvokeInput{
			FunctionName: aws.String(os.Getenv("AWS_LAMBDA_FUNCTION_NAME")),
			LogType:      types.LogTypeTail,
			Payload:      payload,
		})
		if err != nil {
			return nil, fmt.Errorf("invoke myself: %w", err)
		}
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(res.LogResult))
		out.Tail = string(tail)
	case "eventbridge":
		// 2. Put an event the rule routes back to this function.
		detail, _ := json.Marshal(map[string]int{"i": in.I + 1, "n": in.N})
		res, err := eventbridge.NewFromConfig(cfg).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			Source: aws.String("my.event.source"), DetailType: aws.String("MyEvent"),
			EventBusName: aws.String("default"), Detail: aws.String(string(detail)),
		}}})
		if err != nil {
			return nil, fmt.Errorf("put event: %w", err)
		}
		if res.FailedEntryCount > 0 {
			return nil, fmt.Errorf("put event: %s", aws.ToString(res.Entries[0].ErrorMessage))
		}
	}
	// 3. With Step Functions the state machine's Choice state reads "continue".
	return out, nil
}

func main() { lambda.Start(handle) }
