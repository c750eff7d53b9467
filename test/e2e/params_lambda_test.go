package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestLambdaReadsParametersAndSecrets runs a Python function that reads its
// configuration from Parameter Store and its password from Secrets Manager
// with boto3, as functions do in AWS: both reach tenkai through
// AWS_ENDPOINT_URL.
func TestLambdaReadsParametersAndSecrets(t *testing.T) {
	s := startServer(t)
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/orders/table", "--type", "String", "--value", "orders-v2")
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/orders/api-key", "--type", "SecureString", "--value", "k-123")
	s.MustCLI(t, "secretsmanager", "create-secret", "--name", "orders/db", "--secret-string", `{"password":"pw"}`)

	code := `import json, boto3
def handler(event, context):
    ssm = boto3.client("ssm")
    table = ssm.get_parameter(Name="/orders/table")["Parameter"]["Value"]
    key = ssm.get_parameter(Name="/orders/api-key", WithDecryption=True)["Parameter"]["Value"]
    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId="orders/db")["SecretString"])
    try:
        ssm.get_parameter(Name="/orders/missing")
        missing = "found"
    except ssm.exceptions.ParameterNotFound:
        missing = "ParameterNotFound"
    return {"table": table, "key": key, "password": secret["password"], "missing": missing}
`
	c := lambda.NewFromConfig(s.SDK())
	_, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String("config-reader"), Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(lambdaRole), Code: &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": code})}, Timeout: aws.Int32(60),
	})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	out := invokeJSON(t, c, &lambda.InvokeInput{FunctionName: aws.String("config-reader"), Payload: []byte(`{}`)})
	var res struct{ Table, Key, Password, Missing string }
	if out.FunctionError != nil || json.Unmarshal(out.Payload, &res) != nil {
		t.Fatalf("invoke: FunctionError=%v payload=%s", aws.ToString(out.FunctionError), out.Payload)
	}
	if res.Table != "orders-v2" || res.Key != "k-123" || res.Password != "pw" || res.Missing != "ParameterNotFound" {
		t.Errorf("function read %+v", res)
	}
}

// TestParamsDurableAndReset checks parameters and secrets survive a restart
// with --data-dir, show in health, and go with a reset.
func TestParamsDurableAndReset(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/keep/me", "--type", "SecureString", "--value", "v1")
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/keep/me", "--value", "v2", "--overwrite")
	var created struct{ ARN string }
	s.MustCLI(t, "secretsmanager", "create-secret", "--name", "keep", "--secret-string", "s1").JSON(t, &created)
	s.MustCLI(t, "secretsmanager", "delete-secret", "--secret-id", "keep", "--recovery-window-in-days", "7")
	s.Stop(t)

	s2 := startServer(t, "--data-dir", dir)
	var got struct{ Parameter struct{ Value string } }
	s2.MustCLI(t, "ssm", "get-parameter", "--name", "/keep/me:1", "--with-decryption").JSON(t, &got)
	if got.Parameter.Value != "v1" {
		t.Errorf("after restart /keep/me:1 = %q", got.Parameter.Value)
	}
	var d struct {
		ARN         string
		DeletedDate float64
	}
	s2.MustCLI(t, "secretsmanager", "describe-secret", "--secret-id", "keep").JSON(t, &d)
	if d.ARN != created.ARN || d.DeletedDate == 0 {
		t.Errorf("after restart describe-secret = %+v; want ARN %s, still scheduled for deletion", d, created.ARN)
	}
	s2.MustCLI(t, "secretsmanager", "restore-secret", "--secret-id", "keep")

	_, _, body := s2.Do(t, "GET", "/_tenkai/health", nil, nil)
	var h struct{ Services map[string]string }
	if err := json.Unmarshal(body, &h); err != nil || h.Services["ssm"] != "running" || h.Services["secretsmanager"] != "running" {
		t.Errorf("health = %s", body)
	}
	if code, _, body := s2.Do(t, "POST", "/_tenkai/reset", nil, nil); code != 200 {
		t.Fatalf("reset = %d %s", code, body)
	}
	s2.FailCLI(t, "ParameterNotFound", "ssm", "get-parameter", "--name", "/keep/me")
	s2.FailCLI(t, "ResourceNotFoundException", "secretsmanager", "get-secret-value", "--secret-id", "keep")
	var list struct{ SecretList []any }
	s2.MustCLI(t, "secretsmanager", "list-secrets", "--include-planned-deletion").JSON(t, &list)
	if len(list.SecretList) != 0 {
		t.Errorf("secrets after reset: %+v", list.SecretList)
	}
}

// TestSFNReadsParametersAndSecrets uses the aws-sdk:ssm and
// aws-sdk:secretsmanager integrations, and their error names.
func TestSFNReadsParametersAndSecrets(t *testing.T) {
	s := startServer(t)
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/flow/limit", "--type", "String", "--value", "42")
	s.MustCLI(t, "secretsmanager", "create-secret", "--name", "flow/token", "--secret-string", "tkn")
	c := sfnClient(s)
	def := `{"StartAt":"Param","States":{
	"Param":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:ssm:getParameter","Parameters":{"Name.$":"$.param"},"ResultSelector":{"limit.$":"$.Parameter.Value"},"ResultPath":"$.p","Next":"Secret"},
	"Secret":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:secretsmanager:getSecretValue","Parameters":{"SecretId":"flow/token"},"ResultSelector":{"token.$":"$.SecretString"},"ResultPath":"$.s","Next":"Out"},
	"Out":{"Type":"Pass","Parameters":{"limit.$":"$.p.limit","token.$":"$.s.token"},"End":true}}}`
	arn := createSM(t, c, "config", def, "")
	d := runSM(t, c, arn, `{"param":"/flow/limit"}`)
	if d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"limit":"42","token":"tkn"}` {
		t.Fatalf("execution: %s %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	d = runSM(t, c, arn, `{"param":"/flow/none"}`)
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "Ssm.ParameterNotFoundException" {
		t.Errorf("missing parameter: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}
