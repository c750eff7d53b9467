// Command apigwfn is the provided.al2023 function of the API Gateway
// benchmark: it answers every proxy event with a small JSON response.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

type response struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func handle(ctx context.Context, ev json.RawMessage) (response, error) {
	return response{StatusCode: 200, Headers: map[string]string{"content-type": "application/json"}, Body: `{"ok":true}`}, nil
}

func main() { lambda.Start(handle) }
