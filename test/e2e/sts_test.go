package e2e

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type callerID struct{ UserId, Account, Arn string }

type stsCreds struct {
	Credentials struct {
		AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	}
	AssumedRoleUser struct{ AssumedRoleId, Arn string }
}

func (c stsCreds) env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + c.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + c.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + c.Credentials.SessionToken}
}

func TestSTSCallerIdentityCLI(t *testing.T) {
	s := startServer(t)
	var id callerID
	s.MustCLI(t, "sts", "get-caller-identity").JSON(t, &id)
	if id != (callerID{"000000000000", "000000000000", "arn:aws:iam::000000000000:root"}) {
		t.Errorf("get-caller-identity = %+v", id)
	}
	s.CLIEnv(t, []string{"AWS_ACCESS_KEY_ID=123456789012"}, "sts", "get-caller-identity").JSON(t, &id)
	if id != (callerID{"123456789012", "123456789012", "arn:aws:iam::123456789012:root"}) {
		t.Errorf("get-caller-identity with key 123456789012 = %+v", id)
	}
}

func TestSTSAssumeRoleCLI(t *testing.T) {
	s := startServer(t)
	var role struct{ Role struct{ Arn, RoleId string } }
	s.MustCLI(t, "iam", "create-role", "--role-name", "deployer", "--path", "/ci/", "--assume-role-policy-document", lambdaTrust,
		"--max-session-duration", "7200").JSON(t, &role)

	var c stsCreds
	s.MustCLI(t, "sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "build-42", "--duration-seconds", "7200",
		"--external-id", "ext-1").JSON(t, &c)
	if !strings.HasPrefix(c.Credentials.AccessKeyId, "ASIA000000000000") || len(c.Credentials.AccessKeyId) != 20 || len(c.Credentials.SecretAccessKey) != 40 || c.Credentials.SessionToken == "" {
		t.Errorf("assume-role Credentials = %+v", c.Credentials)
	}
	exp, err := time.Parse(time.RFC3339, c.Credentials.Expiration)
	if d := time.Until(exp); err != nil || d < 119*time.Minute || d > 121*time.Minute {
		t.Errorf("Expiration = %q (%v); want two hours from now", c.Credentials.Expiration, err)
	}
	wantUser := "arn:aws:sts::000000000000:assumed-role/deployer/build-42"
	if c.AssumedRoleUser.Arn != wantUser || c.AssumedRoleUser.AssumedRoleId != role.Role.RoleId+":build-42" {
		t.Errorf("AssumedRoleUser = %+v", c.AssumedRoleUser)
	}
	var id callerID
	s.CLIEnv(t, c.env(), "sts", "get-caller-identity").JSON(t, &id)
	if id != (callerID{role.Role.RoleId + ":build-42", "000000000000", wantUser}) {
		t.Errorf("get-caller-identity with assumed credentials = %+v", id)
	}

	// Cross-account: the issued keys switch every later call to the role's account.
	var x stsCreds
	s.MustCLI(t, "sts", "assume-role", "--role-arn", "arn:aws:iam::111122223333:role/admin", "--role-session-name", "ops").JSON(t, &x)
	s.CLIEnv(t, x.env(), "sts", "get-caller-identity").JSON(t, &id)
	if id.Account != "111122223333" || id.Arn != "arn:aws:sts::111122223333:assumed-role/admin/ops" {
		t.Errorf("get-caller-identity after cross-account assume-role = %+v", id)
	}
	if r := s.CLIEnv(t, x.env(), "iam", "get-role", "--role-name", "deployer"); r.Code == 0 || !strings.Contains(r.Stderr, "(NoSuchEntity)") {
		t.Errorf("get-role in the other account: exit %d, %s; want NoSuchEntity", r.Code, r.Stderr)
	}

	wantStderr(t, s.FailCLI(t, "ValidationError", "sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "has space"),
		"Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
	wantStderr(t, s.FailCLI(t, "ValidationError", "sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "long", "--duration-seconds", "10800"),
		"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

	var st stsCreds
	s.MustCLI(t, "sts", "get-session-token", "--duration-seconds", "900").JSON(t, &st)
	s.CLIEnv(t, st.env(), "sts", "get-caller-identity").JSON(t, &id)
	if id.Arn != "arn:aws:iam::000000000000:root" || !strings.HasPrefix(st.Credentials.AccessKeyId, "ASIA") {
		t.Errorf("get-caller-identity with session token = %+v", id)
	}
}

func TestSTSSDK(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	cfg := s.SDK()
	c := sts.NewFromConfig(cfg)

	id, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Account != "000000000000" || *id.Arn != "arn:aws:iam::000000000000:root" {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}

	if _, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	roleARN := "arn:aws:iam::000000000000:role/app"
	out, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("sdk"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*out.Credentials.Expiration); d < 14*time.Minute || d > 16*time.Minute {
		t.Errorf("Expiration in %v; want 15 minutes", d)
	}
	gr, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil || gr.Role.RoleLastUsed == nil || gr.Role.RoleLastUsed.LastUsedDate == nil || aws.ToString(gr.Role.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("GetRole after AssumeRole: RoleLastUsed = %+v, %v", gr.Role.RoleLastUsed, err)
	}

	// The SDK's own assume-role credential provider works against tenkai.
	assumed := cfg.Copy()
	assumed.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(c, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "provider"
	}))
	who, err := sts.NewFromConfig(assumed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *who.Arn != "arn:aws:sts::000000000000:assumed-role/app/provider" || !strings.HasSuffix(*who.UserId, ":provider") {
		t.Errorf("GetCallerIdentity via stscreds = %+v, %v", who, err)
	}

	// Web identity: unsigned, the token's claims come back.
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"repo:o/r:ref:refs/heads/main","iss":"https://token.actions.githubusercontent.com","aud":"sts.amazonaws.com"}`))
	anon := cfg.Copy()
	anon.Credentials = aws.AnonymousCredentials{}
	web, err := sts.NewFromConfig(anon).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("gh"), WebIdentityToken: aws.String("eyJhbGciOiJSUzI1NiJ9." + payload + ".c2ln"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *web.SubjectFromWebIdentityToken != "repo:o/r:ref:refs/heads/main" || *web.Audience != "sts.amazonaws.com" || *web.AssumedRoleUser.Arn != "arn:aws:sts::000000000000:assumed-role/app/gh" {
		t.Errorf("AssumeRoleWithWebIdentity = %+v", web)
	}
	webCfg := cfg.Copy()
	webCfg.Credentials = credentials.NewStaticCredentialsProvider(*web.Credentials.AccessKeyId, *web.Credentials.SecretAccessKey, *web.Credentials.SessionToken)
	who, err = sts.NewFromConfig(webCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *who.Arn != "arn:aws:sts::000000000000:assumed-role/app/gh" {
		t.Errorf("GetCallerIdentity with web identity credentials = %+v, %v", who, err)
	}
}

func TestSTSAndIAMSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	ctx := context.Background()
	roleARN := "arn:aws:iam::000000000000:role/keep"
	if _, err := iam.NewFromConfig(s.SDK()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("keep"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(s.SDK()).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("keep"), PolicyArn: aws.String(basicExecution)}); err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(s.SDK()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop(t)

	s = startServer(t, "--data-dir", dir)
	att, err := iam.NewFromConfig(s.SDK()).ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("keep")})
	if err != nil || len(att.AttachedPolicies) != 1 {
		t.Fatalf("after restart ListAttachedRolePolicies = %+v, %v", att, err)
	}
	cfg := s.SDK()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *who.Arn != "arn:aws:sts::000000000000:assumed-role/keep/s1" {
		t.Errorf("after restart GetCallerIdentity with assumed keys = %+v, %v", who, err)
	}
}
