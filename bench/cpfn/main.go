// Command cpfn is the provided.al2023 function of the CodePipeline
// benchmark: a Lambda invoke action that reports success for its job at once.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
)

type event struct {
	Job struct {
		ID string `json:"id"`
	} `json:"CodePipeline.job"`
}

func main() {
	client := codepipeline.NewFromConfig(aws.Config{
		Region: os.Getenv("AWS_REGION"),
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"),
			os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN")),
		BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL")),
	})
	lambda.Start(func(ctx context.Context, raw json.RawMessage) error {
		var ev event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		_, err := client.PutJobSuccessResult(ctx, &codepipeline.PutJobSuccessResultInput{JobId: aws.String(ev.Job.ID),
			OutputVariables: map[string]string{"ok": "true"}})
		return err
	})
}
