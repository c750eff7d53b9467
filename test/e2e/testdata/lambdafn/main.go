// Command lambdafn is the provided.al2023 function of the Lambda end-to-end
// tests, built with aws-lambda-go; the event's "op" picks what it does.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	lambdasvc "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

type event struct {
	Op    string `json:"op"`
	Value any    `json:"value"`
	MS    int    `json:"ms"`
	I     int    `json:"i"`
	N     int    `json:"n"`
}

type countResult struct {
	I    int      `json:"i"`
	Tail []string `json:"tail"` // the log tails of the nested invocations, outermost first
}

func handle(ctx context.Context, ev event) (any, error) {
	switch ev.Op {
	case "echo", "":
		return ev.Value, nil
	case "error", "fail":
		fmt.Println("failing on purpose")
		return nil, errors.New("failed on purpose")
	case "sleep":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		return "slept", nil
	case "version":
		return os.Getenv("AWS_LAMBDA_FUNCTION_VERSION") + "/" + os.Getenv("TAG"), nil
	case "count":
		return count(ctx, ev)
	}
	return nil, fmt.Errorf("unknown op %q", ev.Op)
}

// count invokes this very function through the SDK with i+1 until i reaches
// n, asking for the log tail each time (seed flow 001).
func count(ctx context.Context, ev event) (*countResult, error) {
	fmt.Printf("count i=%d n=%d\n", ev.I, ev.N)
	if ev.I >= ev.N {
		return &countResult{I: ev.I}, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	client := lambdasvc.NewFromConfig(cfg)
	payload, _ := json.Marshal(event{Op: "count", I: ev.I + 1, N: ev.N})
	out, err := client.Invoke(ctx, &lambdasvc.InvokeInput{
		FunctionName: aws.String(os.Getenv("AWS_LAMBDA_FUNCTION_NAME")),
		LogType:      types.LogTypeTail,
		Payload:      payload,
	})
	if err != nil {
		return nil, fmt.Errorf("invoke myself: %w", err)
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("nested invoke failed: %s", out.Payload)
	}
	var inner countResult
	if err := json.Unmarshal(out.Payload, &inner); err != nil {
		return nil, err
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	inner.Tail = append([]string{strings.TrimSpace(string(tail))}, inner.Tail...)
	return &inner, nil
}

func main() { lambda.Start(handle) }
