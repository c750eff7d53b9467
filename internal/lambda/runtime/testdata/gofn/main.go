// Command gofn is a test function built with aws-lambda-go; the event's "op" picks what
// it does.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op    string   `json:"op"`
	Value any      `json:"value"`
	MS    int      `json:"ms"`
	Code  int      `json:"code"`
	Lines []string `json:"lines"`
	Size  int      `json:"size"`
	Until string   `json:"until"` // print: after the lines, wait until this file exists
}

func handle(ctx context.Context, ev event) (any, error) {
	switch ev.Op {
	case "echo", "":
		return ev.Value, nil
	case "error":
		return nil, errors.New("boom")
	case "panic":
		panic("kaboom")
	case "sleep":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		return "slept", nil
	case "exit":
		os.Exit(ev.Code)
	case "print":
		for _, l := range ev.Lines {
			fmt.Println(l)
		}
		fmt.Fprint(os.Stderr, "no newline at end")
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		for ev.Until != "" {
			if _, err := os.Stat(ev.Until); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		return "printed", nil
	case "big":
		return strings.Repeat("x", ev.Size), nil
	case "pid":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		return os.Getpid(), nil
	case "spawn":
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		return cmd.Process.Pid, nil
	case "ctx":
		lc, _ := lambdacontext.FromContext(ctx)
		dl, _ := ctx.Deadline()
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		return map[string]any{
			"requestId":  lc.AwsRequestID,
			"arn":        lc.InvokedFunctionArn,
			"clientCtx":  lc.ClientContext.Custom,
			"identity":   lc.Identity.CognitoIdentityID,
			"remainMs":   time.Until(dl).Milliseconds(),
			"env":        env,
			"functionNm": lambdacontext.FunctionName,
		}, nil
	}
	return nil, fmt.Errorf("unknown op %q", ev.Op)
}

func main() { lambda.Start(handle) }
