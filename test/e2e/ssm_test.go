package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

type ssmParameter struct {
	Name, Type, Value, Selector, ARN, DataType string
	Version                                    int64
	LastModifiedDate                           float64
}

func TestSSMCLI(t *testing.T) {
	s := startServer(t)
	var put struct {
		Version int64
		Tier    string
	}
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/app/db/host", "--type", "String", "--value", "db1.local",
		"--description", "database host", "--tags", "Key=team,Value=core").JSON(t, &put)
	if put.Version != 1 || put.Tier != "Standard" {
		t.Fatalf("put-parameter = %+v", put)
	}
	r := s.FailCLI(t, "ParameterAlreadyExists", "ssm", "put-parameter", "--name", "/app/db/host", "--type", "String", "--value", "db2.local")
	if !strings.Contains(r.Stderr, "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.") {
		t.Errorf("ParameterAlreadyExists stderr: %s", r.Stderr)
	}
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/app/db/host", "--value", "db2.local", "--overwrite").JSON(t, &put)
	if put.Version != 2 {
		t.Fatalf("overwrite version = %d; want 2", put.Version)
	}
	s.FailCLI(t, "ValidationException", "ssm", "put-parameter", "--name", "/app/db/host", "--value", "x", "--overwrite", "--tags", "Key=a,Value=b")
	r = s.FailCLI(t, "ValidationException", "ssm", "put-parameter", "--name", "app/db", "--type", "String", "--value", "x")
	if !strings.Contains(r.Stderr, `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`) {
		t.Errorf("bad name stderr: %s", r.Stderr)
	}
	s.FailCLI(t, "HierarchyLevelLimitExceededException", "ssm", "put-parameter", "--name", strings.Repeat("/l", 16), "--type", "String", "--value", "x")
	s.FailCLI(t, "ParameterPatternMismatchException", "ssm", "put-parameter", "--name", "/app/port", "--type", "String", "--value", "http", "--allowed-pattern", `^\d+$`)

	var got struct{ Parameter ssmParameter }
	s.MustCLI(t, "ssm", "get-parameter", "--name", "/app/db/host").JSON(t, &got)
	if p := got.Parameter; p.Value != "db2.local" || p.Version != 2 || p.ARN != "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host" || p.LastModifiedDate == 0 {
		t.Errorf("get-parameter = %+v", p)
	}
	s.MustCLI(t, "ssm", "get-parameter", "--name", "/app/db/host:1").JSON(t, &got)
	if p := got.Parameter; p.Value != "db1.local" || p.Selector != ":1" || p.Name != "/app/db/host" {
		t.Errorf("get-parameter :1 = %+v", p)
	}
	s.FailCLI(t, "ParameterVersionNotFound", "ssm", "get-parameter", "--name", "/app/db/host:5")
	s.FailCLI(t, "ParameterNotFound", "ssm", "get-parameter", "--name", "/app/none")

	var labelled struct {
		InvalidLabels    []string
		ParameterVersion int64
	}
	s.MustCLI(t, "ssm", "label-parameter-version", "--name", "/app/db/host", "--parameter-version", "1", "--labels", "stable", "9bad").JSON(t, &labelled)
	if labelled.ParameterVersion != 1 || strings.Join(labelled.InvalidLabels, ",") != "9bad" {
		t.Errorf("label-parameter-version = %+v", labelled)
	}
	s.MustCLI(t, "ssm", "get-parameter", "--name", "/app/db/host:stable").JSON(t, &got)
	if got.Parameter.Value != "db1.local" || got.Parameter.Selector != ":stable" {
		t.Errorf("get-parameter :stable = %+v", got.Parameter)
	}

	s.MustCLI(t, "ssm", "put-parameter", "--name", "/app/db/password", "--type", "SecureString", "--value", "s3cret")
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/app/flags", "--type", "StringList", "--value", "a,b,c")
	s.MustCLI(t, "ssm", "put-parameter", "--name", "/app/db/replica/host", "--type", "String", "--value", "db3.local")
	s.MustCLI(t, "ssm", "get-parameter", "--name", "/app/db/password").JSON(t, &got)
	if got.Parameter.Type != "SecureString" || got.Parameter.Value == "s3cret" || got.Parameter.Value == "" {
		t.Errorf("SecureString without decryption = %+v", got.Parameter)
	}
	s.MustCLI(t, "ssm", "get-parameter", "--name", "/app/db/password", "--with-decryption").JSON(t, &got)
	if got.Parameter.Value != "s3cret" {
		t.Errorf("SecureString with decryption = %+v", got.Parameter)
	}

	var many struct {
		Parameters        []ssmParameter
		InvalidParameters []string
	}
	s.MustCLI(t, "ssm", "get-parameters", "--names", "/app/db/host", "/app/flags", "/app/missing", "--with-decryption").JSON(t, &many)
	if len(many.Parameters) != 2 || many.Parameters[1].Value != "a,b,c" || strings.Join(many.InvalidParameters, ",") != "/app/missing" {
		t.Errorf("get-parameters = %+v", many)
	}
	names := func(ps []ssmParameter) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return strings.Join(out, ",")
	}
	s.MustCLI(t, "ssm", "get-parameters-by-path", "--path", "/app/db").JSON(t, &many)
	if got := names(many.Parameters); got != "/app/db/host,/app/db/password" {
		t.Errorf("get-parameters-by-path /app/db = %s", got)
	}
	s.MustCLI(t, "ssm", "get-parameters-by-path", "--path", "/app", "--recursive", "--page-size", "1",
		"--parameter-filters", "Key=Type,Values=String").JSON(t, &many)
	if got := names(many.Parameters); got != "/app/db/host,/app/db/replica/host" {
		t.Errorf("get-parameters-by-path /app recursive String = %s", got)
	}

	var desc struct {
		Parameters []struct {
			Name, Type, KeyId, Description, Tier string
			Version                              int64
		}
	}
	s.MustCLI(t, "ssm", "describe-parameters", "--parameter-filters", "Key=Name,Option=BeginsWith,Values=/app/db/h").JSON(t, &desc)
	if len(desc.Parameters) != 1 || desc.Parameters[0].Description != "database host" || desc.Parameters[0].Version != 2 {
		t.Errorf("describe-parameters by name = %+v", desc)
	}
	s.MustCLI(t, "ssm", "describe-parameters", "--filters", "Key=Type,Values=SecureString").JSON(t, &desc)
	if len(desc.Parameters) != 1 || desc.Parameters[0].KeyId != "alias/aws/ssm" {
		t.Errorf("describe-parameters SecureString = %+v", desc)
	}
	s.FailCLI(t, "ValidationException", "ssm", "describe-parameters", "--max-results", "51")

	var hist struct {
		Parameters []struct {
			Value   string
			Version int64
			Labels  []string
		}
	}
	s.MustCLI(t, "ssm", "get-parameter-history", "--name", "/app/db/host").JSON(t, &hist)
	if len(hist.Parameters) != 2 || hist.Parameters[0].Value != "db1.local" || strings.Join(hist.Parameters[0].Labels, ",") != "stable" {
		t.Errorf("get-parameter-history = %+v", hist)
	}

	s.MustCLI(t, "ssm", "add-tags-to-resource", "--resource-type", "Parameter", "--resource-id", "/app/db/host", "--tags", "Key=env,Value=dev")
	var tags struct{ TagList []struct{ Key, Value string } }
	s.MustCLI(t, "ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/app/db/host").JSON(t, &tags)
	if fmt.Sprint(tags.TagList) != "[{env dev} {team core}]" {
		t.Errorf("list-tags-for-resource = %v", tags.TagList)
	}
	s.FailCLI(t, "InvalidResourceId", "ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/app/none")

	s.MustCLI(t, "ssm", "delete-parameter", "--name", "/app/db/host")
	s.FailCLI(t, "ParameterNotFound", "ssm", "delete-parameter", "--name", "/app/db/host")
	var del struct{ DeletedParameters, InvalidParameters []string }
	s.MustCLI(t, "ssm", "delete-parameters", "--names", "/app/flags", "/app/db/host").JSON(t, &del)
	if strings.Join(del.DeletedParameters, ",") != "/app/flags" || strings.Join(del.InvalidParameters, ",") != "/app/db/host" {
		t.Errorf("delete-parameters = %+v", del)
	}
}

func TestSSMSDK(t *testing.T) {
	s := startServer(t)
	c := ssm.NewFromConfig(s.SDK())
	ctx := context.Background()
	for i := range 12 {
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(fmt.Sprintf("/svc/cfg/k%02d", i)), Value: aws.String(fmt.Sprint(i)),
			Type: ssmtypes.ParameterTypeString})
		if err != nil {
			t.Fatalf("PutParameter: %v", err)
		}
	}
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/svc/cfg/k00"), Value: aws.String("x"), Type: ssmtypes.ParameterTypeString})
	var exists *ssmtypes.ParameterAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("second PutParameter err = %v; want ParameterAlreadyExists", err)
	}
	pages := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{Path: aws.String("/svc"), Recursive: aws.Bool(true), MaxResults: aws.Int32(5)})
	var got []string
	n := 0
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("GetParametersByPath page: %v", err)
		}
		n++
		for _, p := range out.Parameters {
			got = append(got, aws.ToString(p.Name)+"="+aws.ToString(p.Value))
		}
	}
	if n != 3 || len(got) != 12 || got[0] != "/svc/cfg/k00=0" || got[11] != "/svc/cfg/k11=11" {
		t.Errorf("GetParametersByPath in %d pages = %v; want 12 in 3", n, got)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/svc/none")})
	var nf *ssmtypes.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("GetParameter missing err = %v; want ParameterNotFound", err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/svc/cfg/k01:3")})
	var vnf *ssmtypes.ParameterVersionNotFound
	if !errors.As(err, &vnf) {
		t.Errorf("GetParameter :3 err = %v; want ParameterVersionNotFound", err)
	}
	desc := ssm.NewDescribeParametersPaginator(c, &ssm.DescribeParametersInput{MaxResults: aws.Int32(5),
		ParameterFilters: []ssmtypes.ParameterStringFilter{{Key: aws.String("Path"), Option: aws.String("Recursive"), Values: []string{"/svc"}}}})
	count := 0
	for desc.HasMorePages() {
		out, err := desc.NextPage(ctx)
		if err != nil {
			t.Fatalf("DescribeParameters page: %v", err)
		}
		count += len(out.Parameters)
	}
	if count != 12 {
		t.Errorf("DescribeParameters found %d; want 12", count)
	}
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("arn:aws:ssm:us-east-1:000000000000:parameter/svc/cfg/k03")})
	if err != nil || aws.ToString(out.Parameter.Value) != "3" || out.Parameter.LastModifiedDate == nil {
		t.Errorf("GetParameter by ARN = %+v, %v", out, err)
	}
}
