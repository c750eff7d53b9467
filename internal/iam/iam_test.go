package iam_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/iam"
	"tenkai/internal/store"
)

var t0 = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// fixture is an IAM service over a fresh in-memory store and a fake clock.
type fixture struct {
	t   *testing.T
	svc *iam.Service
	clk *clock.Fake
	ctx context.Context
}

func newFixture(t *testing.T) *fixture {
	clk := clock.NewFake(t0)
	svc := iam.New(iam.Config{Store: store.NewMem(), Clock: clk})
	ctx := edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", Region: "us-east-1", AccessKey: "123456789012"})
	return &fixture{t: t, svc: svc, clk: clk, ctx: ctx}
}

// call runs an action with alternating key, value form members and returns
// the result encoded as the edge would, inside <R>.
func (f *fixture) call(action string, kv ...string) ([]byte, error) {
	f.t.Helper()
	h := f.svc.Op(action)
	if h == nil {
		f.t.Fatalf("no handler for %s", action)
	}
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	out, err := h(f.ctx, form)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(out, xml.StartElement{Name: xml.Name{Local: "R"}}); err != nil {
		f.t.Fatalf("encode %s result: %v", action, err)
	}
	return buf.Bytes(), nil
}

// must runs an action that must succeed and decodes its result into v (may be nil).
func (f *fixture) must(v any, action string, kv ...string) {
	f.t.Helper()
	out, err := f.call(action, kv...)
	if err != nil {
		f.t.Fatalf("%s(%v) error: %v", action, kv, err)
	}
	if v != nil {
		reflect.ValueOf(v).Elem().SetZero() // Unmarshal appends to slices
		if err := xml.Unmarshal(out, v); err != nil {
			f.t.Fatalf("decode %s result: %v\n%s", action, err, out)
		}
	}
}

// fail runs an action that must fail with code and message (message "" skips it).
func (f *fixture) fail(code, msg, action string, kv ...string) *edge.Error {
	f.t.Helper()
	_, err := f.call(action, kv...)
	var e *edge.Error
	if !errors.As(err, &e) {
		f.t.Fatalf("%s(%v) error = %v; want %s", action, kv, err, code)
	}
	if e.Code != code || (msg != "" && e.Message != msg) {
		f.t.Fatalf("%s(%v) error = %s %q; want %s %q", action, kv, e.Code, e.Message, code, msg)
	}
	return e
}

type role struct {
	Path, RoleName, RoleId, Arn, CreateDate, AssumeRolePolicyDocument, Description string
	MaxSessionDuration                                                             int
	Tags                                                                           []iam.Tag `xml:"Tags>member"`
}

type roleResult struct {
	Role role `xml:"Role"`
}

type listRoles struct {
	Roles       []role `xml:"Roles>member"`
	IsTruncated bool
	Marker      string
}

func TestRoleLifecycle(t *testing.T) {
	f := newFixture(t)
	var created roleResult
	f.must(&created, "CreateRole", "RoleName", "Fn-Role", "Path", "/service-role/", "AssumeRolePolicyDocument", trust,
		"Description", "runs things", "Tags.member.1.Key", "team", "Tags.member.1.Value", "core")
	r := created.Role
	if r.Arn != "arn:aws:iam::123456789012:role/service-role/Fn-Role" {
		t.Errorf("Arn = %q", r.Arn)
	}
	if !strings.HasPrefix(r.RoleId, "AROA") || len(r.RoleId) != 21 {
		t.Errorf("RoleId = %q; want AROA + 17 characters", r.RoleId)
	}
	if r.CreateDate != "2026-11-21T08:00:00Z" {
		t.Errorf("CreateDate = %q", r.CreateDate)
	}
	if got, _ := url.PathUnescape(r.AssumeRolePolicyDocument); got != trust {
		t.Errorf("AssumeRolePolicyDocument decodes to %q; want the document as submitted", got)
	}
	if r.MaxSessionDuration != 0 {
		t.Errorf("CreateRole shows MaxSessionDuration %d; IAM leaves it out", r.MaxSessionDuration)
	}
	if len(r.Tags) != 1 || r.Tags[0] != (iam.Tag{Key: "team", Value: "core"}) {
		t.Errorf("Tags = %v", r.Tags)
	}

	f.fail("EntityAlreadyExists", "Role with name fn-role already exists.", "CreateRole", "RoleName", "fn-role", "AssumeRolePolicyDocument", trust)

	var got roleResult
	f.must(&got, "GetRole", "RoleName", "Fn-Role")
	if got.Role.RoleId != r.RoleId || got.Role.MaxSessionDuration != 3600 || got.Role.Description != "runs things" {
		t.Errorf("GetRole = %+v", got.Role)
	}
	f.fail("NoSuchEntity", "The role with name nope cannot be found.", "GetRole", "RoleName", "nope")
	if !f.svc.TrustsService(f.ctx, "123456789012", r.Arn, "lambda.amazonaws.com") || f.svc.TrustsService(f.ctx, "123456789012", r.Arn, "ec2.amazonaws.com") {
		t.Errorf("TrustsService does not follow the trust policy")
	}

	f.must(nil, "UpdateRole", "RoleName", "Fn-Role", "Description", "new", "MaxSessionDuration", "7200")
	f.must(&got, "GetRole", "RoleName", "Fn-Role")
	if got.Role.Description != "new" || got.Role.MaxSessionDuration != 7200 {
		t.Errorf("after UpdateRole: %+v", got.Role)
	}
	doc2 := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}}`
	f.must(nil, "UpdateAssumeRolePolicy", "RoleName", "Fn-Role", "PolicyDocument", doc2)
	f.must(&got, "GetRole", "RoleName", "Fn-Role")
	if d, _ := url.PathUnescape(got.Role.AssumeRolePolicyDocument); d != doc2 {
		t.Errorf("trust policy after update = %q", d)
	}

	f.must(nil, "TagRole", "RoleName", "Fn-Role", "Tags.member.1.Key", "TEAM", "Tags.member.1.Value", "edge", "Tags.member.2.Key", "env", "Tags.member.2.Value", "dev")
	f.must(nil, "UntagRole", "RoleName", "Fn-Role", "TagKeys.member.1", "env")
	var tags struct {
		Tags []iam.Tag `xml:"Tags>member"`
	}
	f.must(&tags, "ListRoleTags", "RoleName", "Fn-Role")
	if len(tags.Tags) != 1 || tags.Tags[0] != (iam.Tag{Key: "TEAM", Value: "edge"}) {
		t.Errorf("ListRoleTags = %v; want [{TEAM edge}]", tags.Tags)
	}

	if !f.svc.RoleExists(f.ctx, "123456789012", r.Arn) {
		t.Errorf("RoleExists(%s) = false", r.Arn)
	}
	if f.svc.RoleExists(f.ctx, "000000000000", r.Arn) {
		t.Errorf("RoleExists in another account = true")
	}
	if f.svc.TrustsService(f.ctx, "123456789012", r.Arn, "lambda.amazonaws.com") {
		t.Errorf("TrustsService = true after a trust policy that denies everyone")
	}
	if id, max, ok := f.svc.Role(f.ctx, r.Arn); !ok || id != r.RoleId || max != 7200 {
		t.Errorf("Role(%s) = %s %d %v", r.Arn, id, max, ok)
	}

	f.clk.Advance(time.Hour)
	f.svc.RoleUsed(f.ctx, r.Arn, "eu-west-1")
	var used struct {
		Role struct {
			RoleLastUsed struct{ LastUsedDate, Region string }
		}
	}
	f.must(&used, "GetRole", "RoleName", "Fn-Role")
	if used.Role.RoleLastUsed.LastUsedDate != "2026-11-21T09:00:00Z" || used.Role.RoleLastUsed.Region != "eu-west-1" {
		t.Errorf("RoleLastUsed = %+v", used.Role.RoleLastUsed)
	}

	f.must(nil, "DeleteRole", "RoleName", "Fn-Role")
	f.fail("NoSuchEntity", "The role with name Fn-Role cannot be found.", "DeleteRole", "RoleName", "Fn-Role")
	if f.svc.RoleExists(f.ctx, "123456789012", r.Arn) {
		t.Errorf("RoleExists after delete = true")
	}
}

func TestCreateRoleValidation(t *testing.T) {
	long := strings.Repeat("r", 65)
	tests := []struct {
		name      string
		kv        []string
		code, msg string
	}{
		{"bad name", []string{"RoleName", "a b", "AssumeRolePolicyDocument", trust}, "ValidationError",
			`1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"long name", []string{"RoleName", long, "AssumeRolePolicyDocument", trust}, "ValidationError",
			"1 validation error detected: Value '" + long + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"no name", []string{"AssumeRolePolicyDocument", trust}, "ValidationError",
			"1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"},
		{"bad path", []string{"RoleName", "r", "Path", "nope", "AssumeRolePolicyDocument", trust}, "ValidationError", ""},
		{"short session", []string{"RoleName", "r", "MaxSessionDuration", "60", "AssumeRolePolicyDocument", trust}, "ValidationError",
			"1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"two errors", []string{"RoleName", "a b", "MaxSessionDuration", "99999", "AssumeRolePolicyDocument", trust}, "ValidationError", ""},
		{"no document", []string{"RoleName", "r"}, "ValidationError",
			"1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null"},
		{"invalid json", []string{"RoleName", "r", "AssumeRolePolicyDocument", `{"Version":`}, "MalformedPolicyDocument", "This policy contains invalid Json"},
		{"no statement", []string{"RoleName", "r", "AssumeRolePolicyDocument", `{"Version":"2012-10-17"}`}, "MalformedPolicyDocument", "Syntax errors in policy."},
		{"duplicate tags", []string{"RoleName", "r", "AssumeRolePolicyDocument", trust, "Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "A", "Tags.member.2.Value", "2"},
			"InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			e := f.fail(tc.code, tc.msg, "CreateRole", tc.kv...)
			if tc.name == "two errors" && !strings.HasPrefix(e.Message, "2 validation errors detected: ") {
				t.Errorf("message = %q; want two errors", e.Message)
			}
		})
	}
}

func TestListRolesPagination(t *testing.T) {
	f := newFixture(t)
	for i := range 7 {
		path := "/"
		if i%2 == 1 {
			path = "/odd/"
		}
		f.must(nil, "CreateRole", "RoleName", fmt.Sprintf("role-%d", i), "Path", path, "AssumeRolePolicyDocument", trust)
	}
	var names []string
	marker := ""
	pages := 0
	for {
		kv := []string{"MaxItems", "3"}
		if marker != "" {
			kv = append(kv, "Marker", marker)
		}
		var lr listRoles
		f.must(&lr, "ListRoles", kv...)
		pages++
		for _, r := range lr.Roles {
			names = append(names, r.RoleName)
		}
		if lr.IsTruncated != (lr.Marker != "") {
			t.Fatalf("IsTruncated %v with Marker %q", lr.IsTruncated, lr.Marker)
		}
		if !lr.IsTruncated {
			break
		}
		marker = lr.Marker
	}
	if pages != 3 || strings.Join(names, ",") != "role-0,role-1,role-2,role-3,role-4,role-5,role-6" {
		t.Errorf("ListRoles pages = %d, names = %v", pages, names)
	}
	var odd listRoles
	f.must(&odd, "ListRoles", "PathPrefix", "/odd/")
	if len(odd.Roles) != 3 || odd.IsTruncated {
		t.Errorf("ListRoles(PathPrefix=/odd/) = %d roles; want 3", len(odd.Roles))
	}
	f.fail("ValidationError", "", "ListRoles", "MaxItems", "0")
	f.fail("ValidationError", "", "ListRoles", "Marker", "!!!")
}

func TestInlinePolicies(t *testing.T) {
	f := newFixture(t)
	f.must(nil, "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument", trust)
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`
	f.must(nil, "PutRolePolicy", "RoleName", "r", "PolicyName", "s3", "PolicyDocument", doc)
	f.must(nil, "PutRolePolicy", "RoleName", "r", "PolicyName", "a-first", "PolicyDocument", doc)
	var got struct{ RoleName, PolicyName, PolicyDocument string }
	f.must(&got, "GetRolePolicy", "RoleName", "r", "PolicyName", "s3")
	if got.PolicyDocument != iam.EscapeDocument(doc) || got.RoleName != "r" || got.PolicyName != "s3" {
		t.Errorf("GetRolePolicy = %+v", got)
	}
	if strings.ContainsAny(got.PolicyDocument, " {\"") {
		t.Errorf("PolicyDocument is not percent-encoded: %q", got.PolicyDocument)
	}
	var names struct {
		PolicyNames []string `xml:"PolicyNames>member"`
	}
	f.must(&names, "ListRolePolicies", "RoleName", "r")
	if strings.Join(names.PolicyNames, ",") != "a-first,s3" {
		t.Errorf("ListRolePolicies = %v", names.PolicyNames)
	}
	f.fail("DeleteConflict", "Cannot delete entity, must delete policies first.", "DeleteRole", "RoleName", "r")
	f.fail("NoSuchEntity", "The role policy with name nope cannot be found.", "GetRolePolicy", "RoleName", "r", "PolicyName", "nope")
	f.fail("MalformedPolicyDocument", "This policy contains invalid Json", "PutRolePolicy", "RoleName", "r", "PolicyName", "x", "PolicyDocument", "not json")
	f.fail("NoSuchEntity", "The role with name ghost cannot be found.", "PutRolePolicy", "RoleName", "ghost", "PolicyName", "x", "PolicyDocument", doc)
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"` + strings.Repeat("a", 10300) + `"}]}`
	f.fail("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role r", "PutRolePolicy", "RoleName", "r", "PolicyName", "big", "PolicyDocument", big)
	f.must(nil, "DeleteRolePolicy", "RoleName", "r", "PolicyName", "s3")
	f.must(nil, "DeleteRolePolicy", "RoleName", "r", "PolicyName", "a-first")
	f.fail("NoSuchEntity", "The role policy with name s3 cannot be found.", "DeleteRolePolicy", "RoleName", "r", "PolicyName", "s3")
	f.must(nil, "DeleteRole", "RoleName", "r")
}

type policy struct {
	PolicyName, PolicyId, Arn, Path, DefaultVersionId, Description, CreateDate, UpdateDate string
	AttachmentCount                                                                        int
	IsAttachable                                                                           bool
}

type policyResult struct {
	Policy policy `xml:"Policy"`
}

type listPolicies struct {
	Policies    []policy `xml:"Policies>member"`
	IsTruncated bool
	Marker      string
}

func TestManagedPolicies(t *testing.T) {
	f := newFixture(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`
	var created policyResult
	f.must(&created, "CreatePolicy", "PolicyName", "logs-all", "Path", "/team/", "PolicyDocument", doc, "Description", "all logs")
	p := created.Policy
	arn := "arn:aws:iam::123456789012:policy/team/logs-all"
	if p.Arn != arn || p.DefaultVersionId != "v1" || !strings.HasPrefix(p.PolicyId, "ANPA") || !p.IsAttachable || p.AttachmentCount != 0 {
		t.Errorf("CreatePolicy = %+v", p)
	}
	f.fail("EntityAlreadyExists", "A policy called logs-all already exists. Duplicate names are not allowed.", "CreatePolicy", "PolicyName", "logs-all", "PolicyDocument", doc)
	f.fail("NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/nope was not found.", "GetPolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/nope")
	f.fail("InvalidInput", "ARN not-an-arn-at-all-really is not valid.", "GetPolicy", "PolicyArn", "not-an-arn-at-all-really")

	// Versions: up to five, the default cannot go, SetDefault moves it.
	for i := 2; i <= 5; i++ {
		var v struct {
			PolicyVersion struct {
				VersionId        string
				IsDefaultVersion bool
			}
		}
		f.must(&v, "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", doc, "SetAsDefault", fmt.Sprint(i == 3))
		if v.PolicyVersion.VersionId != fmt.Sprintf("v%d", i) || v.PolicyVersion.IsDefaultVersion != (i == 3) {
			t.Errorf("CreatePolicyVersion #%d = %+v", i, v.PolicyVersion)
		}
	}
	f.fail("LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
		"CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", doc)
	f.fail("DeleteConflict", "Cannot delete the default version of a policy.", "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v3")
	f.must(nil, "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v5")
	f.fail("NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.", "SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v9")
	var versions struct {
		Versions []struct {
			VersionId        string
			IsDefaultVersion bool
		} `xml:"Versions>member"`
	}
	f.must(&versions, "ListPolicyVersions", "PolicyArn", arn)
	if len(versions.Versions) != 5 || versions.Versions[0].VersionId != "v5" || !versions.Versions[0].IsDefaultVersion {
		t.Errorf("ListPolicyVersions = %+v", versions.Versions)
	}
	var pv struct {
		PolicyVersion struct{ Document, VersionId string }
	}
	f.must(&pv, "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v1")
	if d, _ := url.PathUnescape(pv.PolicyVersion.Document); d != doc {
		t.Errorf("GetPolicyVersion document = %q", d)
	}
	f.fail("DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
		"DeletePolicy", "PolicyArn", arn)
	for _, v := range []string{"v1", "v2", "v3", "v4"} {
		f.must(nil, "DeletePolicyVersion", "PolicyArn", arn, "VersionId", v)
	}

	// Attachments count and block deletion.
	f.must(nil, "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument", trust)
	f.must(nil, "AttachRolePolicy", "RoleName", "r", "PolicyArn", arn)
	f.must(nil, "AttachRolePolicy", "RoleName", "r", "PolicyArn", arn) // twice is a no-op
	basic := "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	f.must(nil, "AttachRolePolicy", "RoleName", "r", "PolicyArn", basic)
	var attached struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string } `xml:"AttachedPolicies>member"`
	}
	f.must(&attached, "ListAttachedRolePolicies", "RoleName", "r")
	if len(attached.AttachedPolicies) != 2 || attached.AttachedPolicies[1].PolicyName != "AWSLambdaBasicExecutionRole" || attached.AttachedPolicies[0].PolicyArn != arn {
		t.Errorf("ListAttachedRolePolicies = %+v", attached.AttachedPolicies)
	}
	f.must(&attached, "ListAttachedRolePolicies", "RoleName", "r", "PathPrefix", "/service-role/")
	if len(attached.AttachedPolicies) != 1 {
		t.Errorf("ListAttachedRolePolicies(/service-role/) = %+v", attached.AttachedPolicies)
	}
	var got policyResult
	f.must(&got, "GetPolicy", "PolicyArn", arn)
	if got.Policy.AttachmentCount != 1 || got.Policy.DefaultVersionId != "v5" || got.Policy.Description != "all logs" {
		t.Errorf("GetPolicy = %+v", got.Policy)
	}
	f.fail("DeleteConflict", "Cannot delete a policy attached to entities.", "DeletePolicy", "PolicyArn", arn)
	f.fail("DeleteConflict", "Cannot delete entity, must detach all policies first.", "DeleteRole", "RoleName", "r")
	f.fail("NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchThing does not exist or is not attachable.",
		"AttachRolePolicy", "RoleName", "r", "PolicyArn", "arn:aws:iam::aws:policy/NoSuchThing")
	f.fail("NoSuchEntity", "The role with name ghost cannot be found.", "AttachRolePolicy", "RoleName", "ghost", "PolicyArn", basic)

	var lp listPolicies
	f.must(&lp, "ListPolicies", "Scope", "Local")
	if len(lp.Policies) != 1 || lp.Policies[0].Arn != arn || lp.Policies[0].Description != "" {
		t.Errorf("ListPolicies(Local) = %+v", lp.Policies)
	}
	f.must(&lp, "ListPolicies", "OnlyAttached", "true")
	if len(lp.Policies) != 2 {
		t.Errorf("ListPolicies(OnlyAttached) = %d policies; want 2", len(lp.Policies))
	}
	f.must(&lp, "ListPolicies", "Scope", "AWS", "PathPrefix", "/service-role/", "MaxItems", "2")
	if len(lp.Policies) != 2 || !lp.IsTruncated || lp.Policies[0].Path != "/service-role/" {
		t.Errorf("ListPolicies(AWS, /service-role/, 2) = %+v", lp)
	}
	f.fail("ValidationError", "", "ListPolicies", "Scope", "Mine")

	f.must(nil, "DetachRolePolicy", "RoleName", "r", "PolicyArn", arn)
	f.fail("NoSuchEntity", "Policy "+arn+" was not found.", "DetachRolePolicy", "RoleName", "r", "PolicyArn", arn)
	f.must(nil, "DeletePolicy", "PolicyArn", arn)
	f.fail("NoSuchEntity", "Policy "+arn+" was not found.", "GetPolicy", "PolicyArn", arn)
	f.fail("AccessDenied", "", "DeletePolicy", "PolicyArn", basic)
}

func TestAWSManagedPolicies(t *testing.T) {
	f := newFixture(t)
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
		"arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
		"arn:aws:iam::aws:policy/AWSCodePipeline_FullAccess",
		"arn:aws:iam::aws:policy/AWSStepFunctionsFullAccess",
		"arn:aws:iam::aws:policy/AmazonS3FullAccess",
		"arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
		"arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS",
		"arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda",
		"arn:aws:iam::aws:policy/AmazonEventBridgeFullAccess",
		"arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
	} {
		var got policyResult
		f.must(&got, "GetPolicy", "PolicyArn", arn)
		if got.Policy.Arn != arn || got.Policy.DefaultVersionId == "" {
			t.Errorf("GetPolicy(%s) = %+v", arn, got.Policy)
		}
		var pv struct {
			PolicyVersion struct{ Document string }
		}
		f.must(&pv, "GetPolicyVersion", "PolicyArn", arn, "VersionId", got.Policy.DefaultVersionId)
		d, _ := url.PathUnescape(pv.PolicyVersion.Document)
		if err := iam.CheckPolicy(d); err != nil {
			t.Errorf("document of %s is not a valid policy: %v\n%s", arn, err, d)
		}
	}
	// Every built-in document is a valid identity-based policy.
	var all listPolicies
	f.must(&all, "ListPolicies", "Scope", "AWS", "MaxItems", "1000")
	if len(all.Policies) < 40 {
		t.Errorf("ListPolicies(AWS) = %d policies; want the built-in table", len(all.Policies))
	}
	for _, p := range all.Policies {
		var pv struct {
			PolicyVersion struct{ Document string }
		}
		f.must(&pv, "GetPolicyVersion", "PolicyArn", p.Arn, "VersionId", p.DefaultVersionId)
		d, _ := url.PathUnescape(pv.PolicyVersion.Document)
		if err := iam.CheckPolicy(d); err != nil {
			t.Errorf("document of %s: %v", p.Arn, err)
		}
	}
	// A managed policy name at the wrong path does not exist.
	f.fail("NoSuchEntity", "", "GetPolicy", "PolicyArn", "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")
}

func TestUsersAndAccessKeys(t *testing.T) {
	f := newFixture(t)
	var u struct {
		User struct{ UserName, UserId, Arn, Path string }
	}
	f.must(&u, "CreateUser", "UserName", "alice", "Path", "/dev/")
	if u.User.Arn != "arn:aws:iam::123456789012:user/dev/alice" || !strings.HasPrefix(u.User.UserId, "AIDA") {
		t.Errorf("CreateUser = %+v", u.User)
	}
	f.fail("EntityAlreadyExists", "User with name alice already exists.", "CreateUser", "UserName", "alice")
	f.fail("NoSuchEntity", "The user with name bob cannot be found.", "GetUser", "UserName", "bob")
	var k struct {
		AccessKey struct{ UserName, AccessKeyId, SecretAccessKey, Status string }
	}
	f.must(&k, "CreateAccessKey", "UserName", "alice")
	if edge.AccountForKey(k.AccessKey.AccessKeyId, "x") != "123456789012" || len(k.AccessKey.SecretAccessKey) != 40 || k.AccessKey.Status != "Active" {
		t.Errorf("CreateAccessKey = %+v; want a key of account 123456789012", k.AccessKey)
	}
	if arn, id, ok := f.svc.AccessKeyOwner(f.ctx, k.AccessKey.AccessKeyId); !ok || arn != u.User.Arn || id != u.User.UserId {
		t.Errorf("AccessKeyOwner = %s %s %v", arn, id, ok)
	}
	f.must(nil, "CreateAccessKey", "UserName", "alice")
	f.fail("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", "CreateAccessKey", "UserName", "alice")
	f.fail("DeleteConflict", "Cannot delete entity, must delete access keys first.", "DeleteUser", "UserName", "alice")

	// Signed with alice's key, GetUser and ListAccessKeys default to alice.
	f.ctx = edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", AccessKey: k.AccessKey.AccessKeyId})
	var me struct {
		User struct{ UserName string }
	}
	f.must(&me, "GetUser")
	if me.User.UserName != "alice" {
		t.Errorf("GetUser with alice's key = %q", me.User.UserName)
	}
	var keys struct {
		AccessKeyMetadata []struct{ AccessKeyId, Status string } `xml:"AccessKeyMetadata>member"`
	}
	f.must(&keys, "ListAccessKeys")
	if len(keys.AccessKeyMetadata) != 2 {
		t.Errorf("ListAccessKeys = %d keys; want 2", len(keys.AccessKeyMetadata))
	}
	f.must(nil, "UpdateAccessKey", "AccessKeyId", keys.AccessKeyMetadata[0].AccessKeyId, "Status", "Inactive")
	f.must(&keys, "ListAccessKeys", "UserName", "alice")
	var statuses []string
	for _, km := range keys.AccessKeyMetadata {
		statuses = append(statuses, km.Status)
	}
	if strings.Join(statuses, ",") != "Inactive,Active" {
		t.Errorf("statuses after UpdateAccessKey = %v", statuses)
	}
	f.ctx = edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", AccessKey: "123456789012"}) // root
	f.must(nil, "DeleteAccessKey", "AccessKeyId", keys.AccessKeyMetadata[0].AccessKeyId)                        // owner found from the key
	f.must(nil, "DeleteAccessKey", "UserName", "alice", "AccessKeyId", keys.AccessKeyMetadata[1].AccessKeyId)
	f.fail("NoSuchEntity", "", "DeleteAccessKey", "UserName", "alice", "AccessKeyId", keys.AccessKeyMetadata[1].AccessKeyId)
	if _, _, ok := f.svc.AccessKeyOwner(f.ctx, k.AccessKey.AccessKeyId); ok {
		t.Errorf("AccessKeyOwner after delete = ok")
	}
	f.must(nil, "AttachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.fail("DeleteConflict", "Cannot delete entity, must detach all policies first.", "DeleteUser", "UserName", "alice")
	f.must(nil, "DetachUserPolicy", "UserName", "alice", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.must(nil, "DeleteUser", "UserName", "alice")
	var lu struct {
		Users []struct{ UserName string } `xml:"Users>member"`
	}
	f.must(&lu, "ListUsers")
	if len(lu.Users) != 0 {
		t.Errorf("ListUsers after delete = %v", lu.Users)
	}
}

func TestGetUserDefaults(t *testing.T) {
	f := newFixture(t)
	var root struct {
		User struct{ UserId, Arn, UserName string }
	}
	f.must(&root, "GetUser")
	if root.User.Arn != "arn:aws:iam::123456789012:root" || root.User.UserId != "123456789012" || root.User.UserName != "" {
		t.Errorf("GetUser with root credentials = %+v", root.User)
	}
	f.ctx = edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", AccessKey: "ASIA123456789012ABCD"})
	f.fail("ValidationError", "Must specify userName when calling with non-User credentials", "GetUser")
}

func TestAccountsAreSeparate(t *testing.T) {
	f := newFixture(t)
	f.must(nil, "CreateRole", "RoleName", "shared", "AssumeRolePolicyDocument", trust)
	f.ctx = edge.WithMeta(context.Background(), &edge.Meta{Account: "000000000000"})
	f.fail("NoSuchEntity", "", "GetRole", "RoleName", "shared")
	f.must(nil, "CreateRole", "RoleName", "shared", "AssumeRolePolicyDocument", trust)
}

func TestEmptyListsAreWritten(t *testing.T) {
	f := newFixture(t)
	out, err := f.call("ListRoles")
	if err != nil {
		t.Fatal(err)
	}
	if want := "<R><Roles></Roles><IsTruncated>false</IsTruncated></R>"; string(out) != want {
		t.Errorf("ListRoles on an empty account = %s; want %s", out, want)
	}
}

func BenchmarkGetRole(b *testing.B) {
	svc := iam.New(iam.Config{Store: store.NewMem(), Clock: clock.NewFake(t0)})
	ctx := edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012"})
	form := url.Values{"RoleName": {"r"}, "AssumeRolePolicyDocument": {trust}}
	if _, err := svc.Op("CreateRole")(ctx, form); err != nil {
		b.Fatal(err)
	}
	get := svc.Op("GetRole")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := get(ctx, form); err != nil {
			b.Fatal(err)
		}
	}
}
