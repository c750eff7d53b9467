package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestFunctionsReachTenkaiThroughTheirSDKs checks that the SDK each managed
// runtime ships is importable inside a function and that its calls reach
// tenkai (AWS_ENDPOINT_URL and credentials set by tenkai), in the function's
// account.
func TestFunctionsReachTenkaiThroughTheirSDKs(t *testing.T) {
	s := startServer(t)
	c := lambda.NewFromConfig(s.SDK())
	ctx := context.Background()
	fns := []struct {
		name, runtime, handler, file, code string
	}{
		{"node-sdk", "nodejs20.x", "index.handler", "index.mjs", `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
export const handler = async () => {
  const id = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  return { account: id.Account };
};`},
		{"python-sdk", "python3.12", "app.handler", "app.py", `import boto3
def handler(event, context):
    return {"account": boto3.client("sts").get_caller_identity()["Account"]}
`},
	}
	for _, fn := range fns {
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(fn.name), Runtime: ltypes.Runtime(fn.runtime), Handler: aws.String(fn.handler),
			Role: aws.String(lambdaRole), Code: &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{fn.file: fn.code})}, Timeout: aws.Int32(30),
		})
		if err != nil {
			t.Fatalf("CreateFunction %s: %v", fn.name, err)
		}
		out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String(fn.name), Payload: []byte(`{}`)})
		var res struct{ Account string }
		if out.FunctionError != nil || json.Unmarshal(out.Payload, &res) != nil || res.Account != "000000000000" {
			t.Errorf("%s: FunctionError=%v payload=%s; want account 000000000000", fn.name, aws.ToString(out.FunctionError), out.Payload)
		}
	}
}
