package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The Step Functions workloads. STANDARD: StartExecution of a 10-Pass
// machine, then DescribeExecution until it leaves RUNNING; the call counts
// only if it SUCCEEDED with the expected output. EXPRESS: StartSyncExecution
// of the same machine, checking status and output.

const sfnRole = "arn:aws:iam::123456789012:role/bench"

// sfnTenPass chains ten Pass states; each adds its index to $.trail.
func sfnTenPass() string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"P0","States":{`)
	for i := 0; i < 10; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"P%d":{"Type":"Pass","Result":%d,"ResultPath":"$.p%d",`, i, i, i)
		if i == 9 {
			b.WriteString(`"End":true}`)
		} else {
			fmt.Fprintf(&b, `"Next":"P%d"}`, i+1)
		}
	}
	b.WriteString(`}}`)
	return b.String()
}

// sfnCheck verifies the output of sfnTenPass for input {"w":W,"i":I}:
// the input's members plus p0..p9 (member order is not compared).
func sfnCheck(out string, w, i int) error {
	var m map[string]int
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		return fmt.Errorf("output %s: %v", out, err)
	}
	ok := len(m) == 12 && m["w"] == w && m["i"] == i
	for k := 0; k < 10 && ok; k++ {
		v, has := m["p"+strconv.Itoa(k)]
		ok = has && v == k
	}
	if !ok {
		return fmt.Errorf("output %s; want w=%d, i=%d and p0..p9", out, w, i)
	}
	return nil
}

// noHostPrefix keeps StartSyncExecution on the endpoint host: the SDK would
// send it to sync-127.0.0.1, which does not resolve.
func noHostPrefix(o *sfn.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}

type sfnState struct {
	c   *sfn.Client
	arn string
}

func sfnSetup(typ sfntypes.StateMachineType) func(ctx context.Context, s *server) (any, error) {
	return func(ctx context.Context, s *server) (any, error) {
		c := sfn.NewFromConfig(s.sdk(), noHostPrefix)
		out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bench-" + strings.ToLower(string(typ))),
			Definition: aws.String(sfnTenPass()), RoleArn: aws.String(sfnRole), Type: typ})
		if err != nil {
			return nil, err
		}
		return &sfnState{c: c, arn: aws.ToString(out.StateMachineArn)}, nil
	}
}

func sfnInput(w, i int) string {
	return `{"w":` + strconv.Itoa(w) + `,"i":` + strconv.Itoa(i) + `}`
}

func sfnStandard(ctx context.Context, s *server, st any, w, i int) error {
	b := st.(*sfnState)
	start, err := b.c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(b.arn), Input: aws.String(sfnInput(w, i))})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, err := b.c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			return err
		}
		switch d.Status {
		case sfntypes.ExecutionStatusRunning:
			if time.Now().After(deadline) {
				return fmt.Errorf("execution still RUNNING after 5s")
			}
			time.Sleep(100 * time.Microsecond)
			continue
		case sfntypes.ExecutionStatusSucceeded:
			return sfnCheck(aws.ToString(d.Output), w, i)
		}
		return fmt.Errorf("execution %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

func sfnExpress(ctx context.Context, s *server, st any, w, i int) error {
	b := st.(*sfnState)
	out, err := b.c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(b.arn), Input: aws.String(sfnInput(w, i))})
	if err != nil {
		return err
	}
	if out.Status != sfntypes.SyncExecutionStatusSucceeded {
		return fmt.Errorf("execution %s: %s %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	return sfnCheck(aws.ToString(out.Output), w, i)
}
