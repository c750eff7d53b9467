package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

type cliRole struct {
	Path, RoleName, RoleId, Arn, CreateDate, Description string
	MaxSessionDuration                                   int
	AssumeRolePolicyDocument                             map[string]any
	Tags                                                 []struct{ Key, Value string }
}

// wantStderr checks that a failed CLI call printed msg.
func wantStderr(t *testing.T, r CLIResult, msg string) {
	t.Helper()
	if !strings.Contains(r.Stderr, msg) {
		t.Errorf("stderr = %q; want it to contain %q", r.Stderr, msg)
	}
}

func TestIAMRolesCLI(t *testing.T) {
	s := startServer(t)
	var created struct{ Role cliRole }
	s.MustCLI(t, "iam", "create-role", "--role-name", "fn-exec", "--path", "/service-role/",
		"--assume-role-policy-document", lambdaTrust, "--description", "runs fn", "--tags", "Key=team,Value=core").JSON(t, &created)
	r := created.Role
	if r.Arn != "arn:aws:iam::000000000000:role/service-role/fn-exec" || r.Path != "/service-role/" || r.RoleName != "fn-exec" {
		t.Errorf("create-role = %+v", r)
	}
	if !strings.HasPrefix(r.RoleId, "AROA") || len(r.RoleId) != 21 {
		t.Errorf("RoleId = %q; want AROA + 17", r.RoleId)
	}
	if len(r.CreateDate) != len("2026-11-21T08:00:00Z") && !strings.HasPrefix(r.CreateDate, "20") {
		t.Errorf("CreateDate = %q", r.CreateDate)
	}
	if r.AssumeRolePolicyDocument["Version"] != "2012-10-17" {
		t.Errorf("AssumeRolePolicyDocument = %v; want the decoded document", r.AssumeRolePolicyDocument)
	}
	wantStderr(t, s.FailCLI(t, "EntityAlreadyExists", "iam", "create-role", "--role-name", "fn-exec", "--assume-role-policy-document", lambdaTrust),
		"Role with name fn-exec already exists.")
	wantStderr(t, s.FailCLI(t, "MalformedPolicyDocument", "iam", "create-role", "--role-name", "bad", "--assume-role-policy-document", `{"Version":`),
		"This policy contains invalid Json")
	wantStderr(t, s.FailCLI(t, "NoSuchEntity", "iam", "get-role", "--role-name", "nope"), "The role with name nope cannot be found.")

	s.MustCLI(t, "iam", "update-role", "--role-name", "fn-exec", "--description", "runs fn v2", "--max-session-duration", "7200")
	s.MustCLI(t, "iam", "update-assume-role-policy", "--role-name", "fn-exec", "--policy-document",
		strings.Replace(lambdaTrust, "lambda.amazonaws.com", "states.amazonaws.com", 1))
	s.MustCLI(t, "iam", "tag-role", "--role-name", "fn-exec", "--tags", "Key=env,Value=dev", "Key=tier,Value=1")
	s.MustCLI(t, "iam", "untag-role", "--role-name", "fn-exec", "--tag-keys", "tier")
	var got struct{ Role cliRole }
	s.MustCLI(t, "iam", "get-role", "--role-name", "fn-exec").JSON(t, &got)
	g := got.Role
	principal, _ := g.AssumeRolePolicyDocument["Statement"].([]any)[0].(map[string]any)["Principal"].(map[string]any)
	if g.Description != "runs fn v2" || g.MaxSessionDuration != 7200 || g.RoleId != r.RoleId || principal["Service"] != "states.amazonaws.com" {
		t.Errorf("get-role = %+v", g)
	}
	if fmt.Sprint(g.Tags) != "[{team core} {env dev}]" {
		t.Errorf("get-role Tags = %v", g.Tags)
	}
	var tags struct{ Tags []struct{ Key, Value string } }
	s.MustCLI(t, "iam", "list-role-tags", "--role-name", "fn-exec").JSON(t, &tags)
	if len(tags.Tags) != 2 {
		t.Errorf("list-role-tags = %v", tags.Tags)
	}

	// Inline policy: the CLI decodes the percent-encoded document back to JSON.
	s.MustCLI(t, "iam", "put-role-policy", "--role-name", "fn-exec", "--policy-name", "tables",
		"--policy-document", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}`)
	var rp struct {
		RoleName, PolicyName string
		PolicyDocument       map[string]any
	}
	s.MustCLI(t, "iam", "get-role-policy", "--role-name", "fn-exec", "--policy-name", "tables").JSON(t, &rp)
	if rp.RoleName != "fn-exec" || rp.PolicyName != "tables" || rp.PolicyDocument["Statement"].([]any)[0].(map[string]any)["Action"] != "dynamodb:*" {
		t.Errorf("get-role-policy = %+v", rp)
	}
	var names struct{ PolicyNames []string }
	s.MustCLI(t, "iam", "list-role-policies", "--role-name", "fn-exec").JSON(t, &names)
	if fmt.Sprint(names.PolicyNames) != "[tables]" {
		t.Errorf("list-role-policies = %v", names.PolicyNames)
	}
	wantStderr(t, s.FailCLI(t, "NoSuchEntity", "iam", "get-role-policy", "--role-name", "fn-exec", "--policy-name", "nope"),
		"The role policy with name nope cannot be found.")

	// Managed policy attachment.
	s.MustCLI(t, "iam", "attach-role-policy", "--role-name", "fn-exec", "--policy-arn", basicExecution)
	var att struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	s.MustCLI(t, "iam", "list-attached-role-policies", "--role-name", "fn-exec").JSON(t, &att)
	if len(att.AttachedPolicies) != 1 || att.AttachedPolicies[0].PolicyName != "AWSLambdaBasicExecutionRole" || att.AttachedPolicies[0].PolicyArn != basicExecution {
		t.Errorf("list-attached-role-policies = %+v", att.AttachedPolicies)
	}
	wantStderr(t, s.FailCLI(t, "NoSuchEntity", "iam", "attach-role-policy", "--role-name", "fn-exec", "--policy-arn", "arn:aws:iam::aws:policy/NoSuchPolicy"),
		"Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.")

	wantStderr(t, s.FailCLI(t, "DeleteConflict", "iam", "delete-role", "--role-name", "fn-exec"), "Cannot delete entity, must detach all policies first.")
	s.MustCLI(t, "iam", "detach-role-policy", "--role-name", "fn-exec", "--policy-arn", basicExecution)
	wantStderr(t, s.FailCLI(t, "DeleteConflict", "iam", "delete-role", "--role-name", "fn-exec"), "Cannot delete entity, must delete policies first.")
	s.MustCLI(t, "iam", "delete-role-policy", "--role-name", "fn-exec", "--policy-name", "tables")
	s.MustCLI(t, "iam", "delete-role", "--role-name", "fn-exec")
	var lr struct{ Roles []cliRole }
	s.MustCLI(t, "iam", "list-roles").JSON(t, &lr)
	if lr.Roles == nil || len(lr.Roles) != 0 {
		t.Errorf("list-roles after delete = %+v; want []", lr.Roles)
	}
}

func TestIAMPoliciesCLI(t *testing.T) {
	s := startServer(t, "--account-id", "123456789012")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`
	type cliPolicy struct {
		PolicyName, PolicyId, Arn, Path, DefaultVersionId, Description string
		AttachmentCount                                                int
		IsAttachable                                                   bool
	}
	var cp struct{ Policy cliPolicy }
	s.MustCLI(t, "iam", "create-policy", "--policy-name", "logs-all", "--path", "/team/", "--policy-document", doc, "--description", "logs").JSON(t, &cp)
	arn := "arn:aws:iam::123456789012:policy/team/logs-all"
	if cp.Policy.Arn != arn || cp.Policy.DefaultVersionId != "v1" || !strings.HasPrefix(cp.Policy.PolicyId, "ANPA") || !cp.Policy.IsAttachable {
		t.Errorf("create-policy = %+v", cp.Policy)
	}
	wantStderr(t, s.FailCLI(t, "EntityAlreadyExists", "iam", "create-policy", "--policy-name", "logs-all", "--policy-document", doc),
		"A policy called logs-all already exists. Duplicate names are not allowed.")

	var pv struct {
		PolicyVersion struct {
			VersionId        string
			IsDefaultVersion bool
			Document         map[string]any
		}
	}
	s.MustCLI(t, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", strings.Replace(doc, "logs:*", "logs:PutLogEvents", 1), "--set-as-default").JSON(t, &pv)
	if pv.PolicyVersion.VersionId != "v2" || !pv.PolicyVersion.IsDefaultVersion {
		t.Errorf("create-policy-version = %+v", pv.PolicyVersion)
	}
	s.MustCLI(t, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2").JSON(t, &pv)
	if pv.PolicyVersion.Document["Statement"].([]any)[0].(map[string]any)["Action"] != "logs:PutLogEvents" {
		t.Errorf("get-policy-version v2 document = %v", pv.PolicyVersion.Document)
	}
	var lv struct {
		Versions []struct {
			VersionId        string
			IsDefaultVersion bool
		}
	}
	s.MustCLI(t, "iam", "list-policy-versions", "--policy-arn", arn).JSON(t, &lv)
	if fmt.Sprint(lv.Versions) != "[{v2 true} {v1 false}]" {
		t.Errorf("list-policy-versions = %v", lv.Versions)
	}
	s.MustCLI(t, "iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "v1")
	wantStderr(t, s.FailCLI(t, "DeleteConflict", "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v1"),
		"Cannot delete the default version of a policy.")
	s.MustCLI(t, "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2")

	s.MustCLI(t, "iam", "create-role", "--role-name", "worker", "--assume-role-policy-document", lambdaTrust)
	s.MustCLI(t, "iam", "attach-role-policy", "--role-name", "worker", "--policy-arn", arn)
	var gp struct{ Policy cliPolicy }
	s.MustCLI(t, "iam", "get-policy", "--policy-arn", arn).JSON(t, &gp)
	if gp.Policy.AttachmentCount != 1 || gp.Policy.DefaultVersionId != "v1" || gp.Policy.Description != "logs" {
		t.Errorf("get-policy = %+v", gp.Policy)
	}
	var lp struct{ Policies []cliPolicy }
	s.MustCLI(t, "iam", "list-policies", "--scope", "Local").JSON(t, &lp)
	if len(lp.Policies) != 1 || lp.Policies[0].Arn != arn {
		t.Errorf("list-policies --scope Local = %+v", lp.Policies)
	}
	s.MustCLI(t, "iam", "list-policies", "--only-attached").JSON(t, &lp)
	if len(lp.Policies) != 1 || lp.Policies[0].Arn != arn {
		t.Errorf("list-policies --only-attached = %+v", lp.Policies)
	}

	wantStderr(t, s.FailCLI(t, "DeleteConflict", "iam", "delete-policy", "--policy-arn", arn), "Cannot delete a policy attached to entities.")
	s.MustCLI(t, "iam", "detach-role-policy", "--role-name", "worker", "--policy-arn", arn)
	s.MustCLI(t, "iam", "delete-policy", "--policy-arn", arn)
	wantStderr(t, s.FailCLI(t, "NoSuchEntity", "iam", "get-policy", "--policy-arn", arn), "Policy "+arn+" was not found.")
}

func TestIAMUsersCLI(t *testing.T) {
	s := startServer(t)
	var u struct {
		User struct{ UserName, UserId, Arn string }
	}
	s.MustCLI(t, "iam", "create-user", "--user-name", "ci").JSON(t, &u)
	if u.User.Arn != "arn:aws:iam::000000000000:user/ci" || !strings.HasPrefix(u.User.UserId, "AIDA") {
		t.Errorf("create-user = %+v", u.User)
	}
	var k struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey, Status string }
	}
	s.MustCLI(t, "iam", "create-access-key", "--user-name", "ci").JSON(t, &k)
	var id struct{ UserId, Account, Arn string }
	r := s.CLIEnv(t, []string{"AWS_ACCESS_KEY_ID=" + k.AccessKey.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + k.AccessKey.SecretAccessKey}, "sts", "get-caller-identity")
	r.JSON(t, &id)
	if id.Arn != u.User.Arn || id.UserId != u.User.UserId || id.Account != "000000000000" {
		t.Errorf("get-caller-identity with the user's key = %+v; want %s", id, u.User.Arn)
	}
	var lu struct{ Users []struct{ UserName string } }
	s.MustCLI(t, "iam", "list-users").JSON(t, &lu)
	if len(lu.Users) != 1 || lu.Users[0].UserName != "ci" {
		t.Errorf("list-users = %+v", lu.Users)
	}
	wantStderr(t, s.FailCLI(t, "DeleteConflict", "iam", "delete-user", "--user-name", "ci"), "Cannot delete entity, must delete access keys first.")
	s.MustCLI(t, "iam", "delete-access-key", "--user-name", "ci", "--access-key-id", k.AccessKey.AccessKeyId)
	s.MustCLI(t, "iam", "delete-user", "--user-name", "ci")
	wantStderr(t, s.FailCLI(t, "NoSuchEntity", "iam", "get-user", "--user-name", "ci"), "The user with name ci cannot be found.")
}

func TestIAMSDK(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(s.SDK())

	for i := range 12 {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(fmt.Sprintf("role-%02d", i)), AssumeRolePolicyDocument: aws.String(lambdaTrust),
			Path: aws.String(map[bool]string{true: "/a/", false: "/b/"}[i%3 == 0]),
		})
		if err != nil {
			t.Fatalf("CreateRole %d: %v", i, err)
		}
	}
	// Pagination with MaxItems and Marker.
	var names []string
	pages := 0
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(5)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListRoles page %d: %v", pages, err)
		}
		pages++
		for _, r := range out.Roles {
			names = append(names, *r.RoleName)
		}
	}
	if pages != 3 || len(names) != 12 || names[0] != "role-00" || names[11] != "role-11" {
		t.Errorf("ListRoles pages = %d, names = %v", pages, names)
	}
	out, err := c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/a/")})
	if err != nil || len(out.Roles) != 4 || out.IsTruncated {
		t.Errorf("ListRoles(/a/) = %d roles, %v", len(out.Roles), err)
	}

	// Documents come back percent-encoded, exactly as submitted.
	gr, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("role-03")})
	if err != nil {
		t.Fatal(err)
	}
	if dec, err := url.QueryUnescape(*gr.Role.AssumeRolePolicyDocument); err != nil || dec != lambdaTrust {
		t.Errorf("AssumeRolePolicyDocument = %q decodes to %q (%v)", *gr.Role.AssumeRolePolicyDocument, dec, err)
	}
	if *gr.Role.Arn != "arn:aws:iam::000000000000:role/a/role-03" || *gr.Role.MaxSessionDuration != 3600 || gr.Role.CreateDate == nil {
		t.Errorf("GetRole = %+v", gr.Role)
	}

	// Typed errors.
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ghost")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorMessage() != "The role with name ghost cannot be found." {
		t.Errorf("GetRole(ghost) = %v; want NoSuchEntityException", err)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ROLE-00"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("CreateRole(ROLE-00) = %v; want EntityAlreadyExistsException (names ignore case)", err)
	}
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("role-00"), PolicyName: aws.String("p"), PolicyDocument: aws.String("[")})
	var malformed *iamtypes.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) {
		t.Errorf("PutRolePolicy([) = %v; want MalformedPolicyDocumentException", err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("role-00"), PolicyArn: aws.String(basicExecution)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("role-00")})
	var conflict *iamtypes.DeleteConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("DeleteRole with an attached policy = %v; want DeleteConflictException", err)
	}

	// Managed policies through the SDK.
	cp, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if *cp.Policy.Arn != "arn:aws:iam::000000000000:policy/p1" || *cp.Policy.DefaultVersionId != "v1" {
		t.Errorf("CreatePolicy = %+v", cp.Policy)
	}
	lp, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, MaxItems: aws.Int32(10)})
	if err != nil || len(lp.Policies) != 10 || !lp.IsTruncated || lp.Marker == nil {
		t.Errorf("ListPolicies(AWS, 10) = %d policies truncated %v: %v", len(lp.Policies), lp.IsTruncated, err)
	}
	ap, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(basicExecution)})
	if err != nil || *ap.Policy.PolicyName != "AWSLambdaBasicExecutionRole" || *ap.Policy.Path != "/service-role/" || *ap.Policy.AttachmentCount != 1 {
		t.Errorf("GetPolicy(AWSLambdaBasicExecutionRole) = %+v, %v", ap, err)
	}
	found := false
	sp := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, PathPrefix: aws.String("/service-role/"), MaxItems: aws.Int32(3)})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Policies {
			found = found || *p.Arn == basicExecution
			if *p.Path != "/service-role/" {
				t.Errorf("ListPolicies(PathPrefix /service-role/) returned %s", *p.Arn)
			}
		}
	}
	if !found {
		t.Errorf("ListPolicies(AWS, /service-role/) lacks AWSLambdaBasicExecutionRole")
	}
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("role-01"), PolicyArn: aws.String(basicExecution)})
	if !errors.As(err, &nse) || nse.ErrorMessage() != "Policy "+basicExecution+" was not found." {
		t.Errorf("DetachRolePolicy of an unattached policy = %v; want NoSuchEntityException", err)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("a b"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err == nil || !strings.Contains(err.Error(), "ValidationError") || !strings.Contains(err.Error(), "Value 'a b' at 'roleName' failed to satisfy constraint") {
		t.Errorf("CreateRole(a b) = %v; want ValidationError", err)
	}
}

func TestIAMMalformedQuery(t *testing.T) {
	s := startServer(t)
	auth := map[string]string{
		"Content-Type":  "application/x-www-form-urlencoded",
		"Authorization": "AWS4-HMAC-SHA256 Credential=test/20261121/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=abc",
	}
	tests := []struct {
		name, body, code string
		status           int
	}{
		{"bad escape", "Action=ListRoles&Version=2010-05-08&Marker=%zz", "MalformedQueryString", 400},
		{"no action", "Version=2010-05-08", "MissingAction", 400},
		{"unknown action", "Action=LaunchRockets&Version=2010-05-08", "InvalidAction", 400},
		{"missing member", "Action=GetRole&Version=2010-05-08", "ValidationError", 400},
		{"not found", "Action=GetRole&Version=2010-05-08&RoleName=x", "NoSuchEntity", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := s.Do(t, "POST", "/", auth, strings.NewReader(tc.body))
			if code != tc.status || !strings.Contains(string(body), "<Code>"+tc.code+"</Code>") || !strings.Contains(string(body), "<ErrorResponse") {
				t.Errorf("POST %q = %d %s; want %d %s", tc.body, code, body, tc.status, tc.code)
			}
		})
	}
}

func TestIAMInstanceProfilesAndBoundariesCLI(t *testing.T) {
	s := startServer(t)
	s.MustCLI(t, "iam", "create-role", "--role-name", "ec2", "--assume-role-policy-document", lambdaTrust,
		"--permissions-boundary", "arn:aws:iam::aws:policy/PowerUserAccess")
	s.MustCLI(t, "iam", "create-instance-profile", "--instance-profile-name", "web")
	s.MustCLI(t, "iam", "add-role-to-instance-profile", "--instance-profile-name", "web", "--role-name", "ec2")
	var ps struct {
		InstanceProfiles []struct {
			InstanceProfileName string
			Roles               []struct{ RoleName string }
		}
	}
	s.MustCLI(t, "iam", "list-instance-profiles-for-role", "--role-name", "ec2").JSON(t, &ps)
	if len(ps.InstanceProfiles) != 1 || ps.InstanceProfiles[0].InstanceProfileName != "web" || len(ps.InstanceProfiles[0].Roles) != 1 {
		t.Errorf("list-instance-profiles-for-role = %+v", ps.InstanceProfiles)
	}
	wantStderr(t, s.FailCLI(t, "DeleteConflict", "iam", "delete-role", "--role-name", "ec2"), "Cannot delete entity, must remove roles from instance profile first.")
	var ents struct {
		PolicyRoles []struct{ RoleName string }
	}
	s.MustCLI(t, "iam", "list-entities-for-policy", "--policy-arn", "arn:aws:iam::aws:policy/PowerUserAccess").JSON(t, &ents)
	if len(ents.PolicyRoles) != 1 || ents.PolicyRoles[0].RoleName != "ec2" {
		t.Errorf("list-entities-for-policy = %+v", ents)
	}
	var role struct {
		Role struct {
			PermissionsBoundary struct{ PermissionsBoundaryType, PermissionsBoundaryArn string }
		}
	}
	s.MustCLI(t, "iam", "get-role", "--role-name", "ec2").JSON(t, &role)
	if role.Role.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Errorf("get-role PermissionsBoundary = %+v", role.Role.PermissionsBoundary)
	}
}

func TestIAMGroupsProvidersAliasesSDK(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(s.SDK())
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ann")}))
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ann")}))
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	g, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})
	if err != nil || len(g.Users) != 1 || *g.Users[0].UserName != "ann" || *g.Group.Arn != "arn:aws:iam::000000000000:group/devs" {
		t.Errorf("GetGroup = %+v, %v", g, err)
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	if err != nil || len(ents.PolicyGroups) != 1 || len(ents.PolicyUsers) != 0 {
		t.Errorf("ListEntitiesForPolicy = %+v, %v", ents, err)
	}
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	var conflict *iamtypes.DeleteConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("DeleteGroup with members = %v; want DeleteConflictException", err)
	}

	p, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{strings.Repeat("f", 40)},
	})
	if err != nil || *p.OpenIDConnectProviderArn != "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" {
		t.Fatalf("CreateOpenIDConnectProvider = %+v, %v", p, err)
	}
	op, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.OpenIDConnectProviderArn})
	if err != nil || *op.Url != "token.actions.githubusercontent.com" || len(op.ClientIDList) != 1 {
		t.Errorf("GetOpenIDConnectProvider = %+v, %v", op, err)
	}

	must(c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("tenkai-dev")}))
	al, err := c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	if err != nil || len(al.AccountAliases) != 1 || al.AccountAliases[0] != "tenkai-dev" {
		t.Errorf("ListAccountAliases = %+v, %v", al, err)
	}

	sl, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	if err != nil || *sl.Role.RoleName != "AWSServiceRoleForECS" || *sl.Role.Path != "/aws-service-role/ecs.amazonaws.com/" {
		t.Errorf("CreateServiceLinkedRole = %+v, %v", sl, err)
	}

	// botocore decodes the summary map and the provider list.
	var sum struct{ SummaryMap map[string]int }
	s.MustCLI(t, "iam", "get-account-summary").JSON(t, &sum)
	if sum.SummaryMap["Users"] != 1 || sum.SummaryMap["Groups"] != 1 || sum.SummaryMap["Roles"] != 1 || sum.SummaryMap["Providers"] != 1 {
		t.Errorf("get-account-summary = %v", sum.SummaryMap)
	}
	var lp struct{ OpenIDConnectProviderList []struct{ Arn string } }
	s.MustCLI(t, "iam", "list-open-id-connect-providers").JSON(t, &lp)
	if len(lp.OpenIDConnectProviderList) != 1 || lp.OpenIDConnectProviderList[0].Arn != *p.OpenIDConnectProviderArn {
		t.Errorf("list-open-id-connect-providers = %+v", lp)
	}
}
