package e2e

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

var secretARN = regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-[A-Za-z0-9]{6}$`)

func TestSecretsManagerCLI(t *testing.T) {
	s := startServer(t)
	var created struct{ ARN, Name, VersionId string }
	s.MustCLI(t, "secretsmanager", "create-secret", "--name", "prod/db", "--secret-string", `{"password":"p1"}`,
		"--description", "db creds", "--tags", "Key=team,Value=core").JSON(t, &created)
	if !secretARN.MatchString(created.ARN) || created.Name != "prod/db" || created.VersionId == "" {
		t.Fatalf("create-secret = %+v", created)
	}
	s.FailCLI(t, "ResourceExistsException", "secretsmanager", "create-secret", "--name", "prod/db", "--secret-string", "x")

	type value struct {
		ARN, Name, VersionId, SecretString string
		VersionStages                      []string
	}
	var v value
	s.MustCLI(t, "secretsmanager", "get-secret-value", "--secret-id", "prod/db").JSON(t, &v)
	if v.SecretString != `{"password":"p1"}` || v.ARN != created.ARN || strings.Join(v.VersionStages, ",") != "AWSCURRENT" {
		t.Errorf("get-secret-value = %+v", v)
	}
	var put struct {
		VersionId     string
		VersionStages []string
	}
	s.MustCLI(t, "secretsmanager", "put-secret-value", "--secret-id", created.ARN, "--secret-string", `{"password":"p2"}`).JSON(t, &put)
	if put.VersionId == created.VersionId || strings.Join(put.VersionStages, ",") != "AWSCURRENT" {
		t.Errorf("put-secret-value = %+v", put)
	}
	s.MustCLI(t, "secretsmanager", "get-secret-value", "--secret-id", "prod/db", "--version-stage", "AWSPREVIOUS").JSON(t, &v)
	if v.SecretString != `{"password":"p1"}` || v.VersionId != created.VersionId {
		t.Errorf("AWSPREVIOUS = %+v", v)
	}
	var d struct {
		Description        string
		VersionIdsToStages map[string][]string
		Tags               []struct{ Key, Value string }
		CreatedDate        float64
		DeletedDate        float64
	}
	s.MustCLI(t, "secretsmanager", "describe-secret", "--secret-id", "prod/db").JSON(t, &d)
	if d.Description != "db creds" || len(d.VersionIdsToStages) != 2 || strings.Join(d.VersionIdsToStages[put.VersionId], ",") != "AWSCURRENT" ||
		len(d.Tags) != 1 || d.CreatedDate == 0 {
		t.Errorf("describe-secret = %+v", d)
	}

	s.MustCLI(t, "secretsmanager", "create-secret", "--name", "dev/api", "--secret-string", "k")
	var list struct {
		SecretList []struct {
			Name                   string
			SecretVersionsToStages map[string][]string
		}
	}
	s.MustCLI(t, "secretsmanager", "list-secrets", "--filters", "Key=name,Values=prod").JSON(t, &list)
	if len(list.SecretList) != 1 || list.SecretList[0].Name != "prod/db" || len(list.SecretList[0].SecretVersionsToStages) != 2 {
		t.Errorf("list-secrets name=prod = %+v", list)
	}

	var del struct {
		ARN          string
		DeletionDate float64
	}
	s.FailCLI(t, "InvalidParameterException", "secretsmanager", "delete-secret", "--secret-id", "prod/db", "--recovery-window-in-days", "3")
	s.MustCLI(t, "secretsmanager", "delete-secret", "--secret-id", "prod/db", "--recovery-window-in-days", "7").JSON(t, &del)
	if del.ARN != created.ARN || del.DeletionDate == 0 {
		t.Errorf("delete-secret = %+v", del)
	}
	r := s.FailCLI(t, "InvalidRequestException", "secretsmanager", "get-secret-value", "--secret-id", "prod/db")
	if !strings.Contains(r.Stderr, "You can't perform this operation on the secret because it was marked for deletion.") {
		t.Errorf("get on a deleted secret stderr: %s", r.Stderr)
	}
	s.MustCLI(t, "secretsmanager", "describe-secret", "--secret-id", "prod/db").JSON(t, &d)
	if d.DeletedDate == 0 {
		t.Errorf("describe-secret of a deleted secret has no DeletedDate: %+v", d)
	}
	s.MustCLI(t, "secretsmanager", "list-secrets").JSON(t, &list)
	if len(list.SecretList) != 1 || list.SecretList[0].Name != "dev/api" {
		t.Errorf("list-secrets after delete = %+v", list)
	}
	s.MustCLI(t, "secretsmanager", "list-secrets", "--include-planned-deletion").JSON(t, &list)
	if len(list.SecretList) != 2 {
		t.Errorf("list-secrets --include-planned-deletion = %+v", list)
	}
	s.MustCLI(t, "secretsmanager", "restore-secret", "--secret-id", "prod/db")
	s.MustCLI(t, "secretsmanager", "get-secret-value", "--secret-id", "prod/db").JSON(t, &v)
	if v.SecretString != `{"password":"p2"}` {
		t.Errorf("after restore = %+v", v)
	}
	s.MustCLI(t, "secretsmanager", "delete-secret", "--secret-id", "prod/db", "--force-delete-without-recovery")
	r = s.FailCLI(t, "ResourceNotFoundException", "secretsmanager", "get-secret-value", "--secret-id", "prod/db")
	if !strings.Contains(r.Stderr, "Secrets Manager can't find the specified secret.") {
		t.Errorf("get after forced delete stderr: %s", r.Stderr)
	}

	binPathFile := writeTemp(t, "secret.bin", []byte{0, 1, 2, 255})
	s.MustCLI(t, "secretsmanager", "create-secret", "--name", "bin", "--secret-binary", "fileb://"+binPathFile)
	var bv struct{ SecretBinary string }
	s.MustCLI(t, "secretsmanager", "get-secret-value", "--secret-id", "bin").JSON(t, &bv)
	if bv.SecretBinary != "AAEC/w==" {
		t.Errorf("binary secret = %q; want AAEC/w==", bv.SecretBinary)
	}
	var pw struct{ RandomPassword string }
	s.MustCLI(t, "secretsmanager", "get-random-password", "--password-length", "20", "--exclude-punctuation").JSON(t, &pw)
	if !regexp.MustCompile(`^[A-Za-z0-9]{20}$`).MatchString(pw.RandomPassword) {
		t.Errorf("get-random-password = %q", pw.RandomPassword)
	}
}

func TestSecretsManagerSDK(t *testing.T) {
	s := startServer(t)
	c := secretsmanager.NewFromConfig(s.SDK())
	ctx := context.Background()
	tok := "3f1c1b9e-0c77-4c39-9f4e-6c5f7d1e2a10"
	first, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("v1"), ClientRequestToken: aws.String(tok)})
	if err != nil || !secretARN.MatchString(aws.ToString(first.ARN)) || aws.ToString(first.VersionId) != tok {
		t.Fatalf("CreateSecret = %+v, %v", first, err)
	}
	again, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("v1"), ClientRequestToken: aws.String(tok)})
	if err != nil || aws.ToString(again.ARN) != aws.ToString(first.ARN) {
		t.Fatalf("retried CreateSecret = %+v, %v", again, err)
	}
	arn := aws.ToString(first.ARN)
	for _, id := range []string{"prod/db", arn, arn[:len(arn)-7]} {
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil || aws.ToString(out.SecretString) != "v1" || out.CreatedDate == nil {
			t.Errorf("GetSecretValue(%s) = %+v, %v", id, out, err)
		}
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	var nf *smtypes.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Secrets Manager can't find the specified secret." {
		t.Errorf("GetSecretValue missing err = %v", err)
	}
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("both"), SecretString: aws.String("s"), SecretBinary: []byte("b")})
	var ip *smtypes.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("both values err = %v; want InvalidParameterException", err)
	}
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5"} {
		if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String(n),
			Tags: []smtypes.Tag{{Key: aws.String("group"), Value: aws.String("a")}}}); err != nil {
			t.Fatal(err)
		}
	}
	pages := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(2),
		Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeTagValue, Values: []string{"a"}}}})
	var names []string
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListSecrets page: %v", err)
		}
		for _, e := range out.SecretList {
			names = append(names, aws.ToString(e.Name))
		}
	}
	if strings.Join(names, ",") != "a5,a4,a3,a2,a1" {
		t.Errorf("ListSecrets = %v", names)
	}
	batch, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"a1", arn, "missing"}})
	if err != nil || len(batch.SecretValues) != 2 || aws.ToString(batch.SecretValues[1].SecretString) != "v1" || len(batch.Errors) != 1 ||
		aws.ToString(batch.Errors[0].ErrorCode) != "ResourceNotFoundException" {
		t.Errorf("BatchGetSecretValue = %+v, %v", batch, err)
	}
	vs, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("prod/db")})
	if err != nil || len(vs.Versions) != 1 || aws.ToString(vs.Versions[0].VersionId) != tok {
		t.Errorf("ListSecretVersionIds = %+v, %v", vs, err)
	}
	if _, err := c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("prod/db"), Tags: []smtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String("prod/db"), TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	upd, err := c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("prod/db"), SecretString: aws.String("v2"), KmsKeyId: aws.String("alias/custom")})
	if err != nil || aws.ToString(upd.VersionId) == "" {
		t.Fatalf("UpdateSecret = %+v, %v", upd, err)
	}
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/db")})
	if err != nil || aws.ToString(d.KmsKeyId) != "alias/custom" || len(d.Tags) != 0 || strings.Join(d.VersionIdsToStages[tok], ",") != "AWSPREVIOUS" {
		t.Errorf("DescribeSecret = %+v, %v", d, err)
	}

	// A rotation's last step moves AWSCURRENT back to the first version.
	_, err = c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("prod/db"), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: aws.String(tok)})
	if !errors.As(err, &ip) {
		t.Errorf("UpdateSecretVersionStage without RemoveFromVersionId err = %v; want InvalidParameterException", err)
	}
	if _, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("prod/db"), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: aws.String(tok), RemoveFromVersionId: upd.VersionId}); err != nil {
		t.Fatalf("UpdateSecretVersionStage: %v", err)
	}
	cur, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	if err != nil || aws.ToString(cur.SecretString) != "v1" {
		t.Errorf("AWSCURRENT after moving it back = %+v, %v", cur, err)
	}
}
