package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The API Gateway workloads: a warm provided.al2023 Go function invoked
// directly (the baseline) and through an HTTP API's invoke URL; the
// difference of their p50 latencies is API Gateway's overhead.

// gwFunctionZip builds apigwfn into a provided.al2023 package once.
func gwFunctionZip() ([]byte, error) { return goFunctionZip("tenkai/bench/apigwfn") }

type gwState struct {
	lambda *lambda.Client
	fnARN  string
	client *http.Client
	url    string // invoke URL base (the server's address)
	host   string // {apiId}.execute-api.localhost:PORT
}

func createBenchFunction(ctx context.Context, s *server) (*gwState, error) {
	zipped, err := gwFunctionZip()
	if err != nil {
		return nil, err
	}
	st := &gwState{lambda: lambda.NewFromConfig(s.sdk()), client: &http.Client{Transport: &http.Transport{
		MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}, Timeout: 30 * time.Second}}
	out, err := st.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("bench-gw"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/bench"), Code: &lambdatypes.FunctionCode{ZipFile: zipped},
	})
	if err != nil {
		return nil, fmt.Errorf("create-function: %w", err)
	}
	st.fnARN = aws.ToString(out.FunctionArn)
	w := lambda.NewFunctionActiveV2Waiter(st.lambda)
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("bench-gw")}, time.Minute); err != nil {
		return nil, fmt.Errorf("wait for function: %w", err)
	}
	return st, nil
}

func gwDirectSetup(ctx context.Context, s *server) (any, error) { return createBenchFunction(ctx, s) }

func gwDirect(ctx context.Context, s *server, state any, worker, i int) error {
	st := state.(*gwState)
	out, err := st.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("bench-gw"), Payload: []byte(`{"rawPath":"/items/42"}`)})
	if err != nil {
		return err
	}
	if out.FunctionError != nil || !bytes.Contains(out.Payload, []byte(`"statusCode":200`)) {
		return fmt.Errorf("invoke answered %s", out.Payload)
	}
	return nil
}

func gwHTTPSetup(ctx context.Context, s *server) (any, error) {
	st, err := createBenchFunction(ctx, s)
	if err != nil {
		return nil, err
	}
	api, err := apigatewayv2.NewFromConfig(s.sdk()).CreateApi(ctx, &apigatewayv2.CreateApiInput{
		Name: aws.String("bench"), ProtocolType: "HTTP", Target: aws.String(st.fnARN)})
	if err != nil {
		return nil, fmt.Errorf("create-api: %w", err)
	}
	_, err = st.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("bench-gw"), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:" + aws.ToString(api.ApiId) + "/*")})
	if err != nil {
		return nil, fmt.Errorf("add-permission: %w", err)
	}
	u, err := url.Parse(s.url)
	if err != nil {
		return nil, err
	}
	st.url = s.url
	st.host = aws.ToString(api.ApiId) + ".execute-api.localhost:" + u.Port()
	return st, nil
}

func gwHTTP(ctx context.Context, s *server, state any, worker, i int) error {
	st := state.(*gwState)
	req, err := http.NewRequestWithContext(ctx, "POST", st.url+"/items/42?x=1", strings.NewReader(`{"a":1}`))
	if err != nil {
		return err
	}
	req.Host = st.host
	req.Header.Set("Content-Type", "application/json")
	resp, err := st.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct{ OK bool }
	if resp.StatusCode != 200 || json.Unmarshal(b, &out) != nil || !out.OK {
		return fmt.Errorf("invoke URL answered %d %s", resp.StatusCode, oneLine(string(b)))
	}
	return nil
}
