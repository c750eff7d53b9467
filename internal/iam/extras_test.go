package iam_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestInstanceProfiles(t *testing.T) {
	f := newFixture(t)
	f.must(nil, "CreateRole", "RoleName", "ec2", "AssumeRolePolicyDocument", trust)
	f.must(nil, "CreateRole", "RoleName", "other", "AssumeRolePolicyDocument", trust)
	var created struct {
		InstanceProfile struct {
			InstanceProfileName, InstanceProfileId, Arn string
			Roles                                       []role `xml:"Roles>member"`
		}
	}
	f.must(&created, "CreateInstanceProfile", "InstanceProfileName", "web", "Path", "/p/")
	ip := created.InstanceProfile
	if ip.Arn != "arn:aws:iam::123456789012:instance-profile/p/web" || !strings.HasPrefix(ip.InstanceProfileId, "AIPA") || len(ip.Roles) != 0 {
		t.Errorf("CreateInstanceProfile = %+v", ip)
	}
	f.fail("EntityAlreadyExists", "Instance Profile web already exists.", "CreateInstanceProfile", "InstanceProfileName", "web")
	f.must(nil, "AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "ec2")
	f.fail("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", "AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "other")
	f.must(&created, "GetInstanceProfile", "InstanceProfileName", "web")
	if len(created.InstanceProfile.Roles) != 1 || created.InstanceProfile.Roles[0].RoleName != "ec2" {
		t.Errorf("GetInstanceProfile roles = %+v", created.InstanceProfile.Roles)
	}
	var forRole struct {
		InstanceProfiles []struct{ InstanceProfileName string } `xml:"InstanceProfiles>member"`
	}
	f.must(&forRole, "ListInstanceProfilesForRole", "RoleName", "ec2")
	if len(forRole.InstanceProfiles) != 1 || forRole.InstanceProfiles[0].InstanceProfileName != "web" {
		t.Errorf("ListInstanceProfilesForRole(ec2) = %+v", forRole.InstanceProfiles)
	}
	f.must(&forRole, "ListInstanceProfilesForRole", "RoleName", "other")
	if len(forRole.InstanceProfiles) != 0 {
		t.Errorf("ListInstanceProfilesForRole(other) = %+v", forRole.InstanceProfiles)
	}
	f.fail("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", "DeleteRole", "RoleName", "ec2")
	f.fail("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", "DeleteInstanceProfile", "InstanceProfileName", "web")
	f.must(nil, "RemoveRoleFromInstanceProfile", "InstanceProfileName", "web", "RoleName", "ec2")
	f.must(nil, "DeleteInstanceProfile", "InstanceProfileName", "web")
	f.fail("NoSuchEntity", "Instance Profile web cannot be found.", "GetInstanceProfile", "InstanceProfileName", "web")
	f.must(nil, "DeleteRole", "RoleName", "ec2")
}

func TestPermissionsBoundaryAndEntities(t *testing.T) {
	f := newFixture(t)
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	f.must(nil, "CreateRole", "RoleName", "bounded", "AssumeRolePolicyDocument", trust, "PermissionsBoundary", ro)
	f.must(nil, "CreateRole", "RoleName", "attached", "AssumeRolePolicyDocument", trust)
	f.must(nil, "AttachRolePolicy", "RoleName", "attached", "PolicyArn", ro)
	f.must(nil, "CreateUser", "UserName", "u1")
	f.must(nil, "AttachUserPolicy", "UserName", "u1", "PolicyArn", ro)
	var got struct {
		Role struct {
			PermissionsBoundary struct{ PermissionsBoundaryType, PermissionsBoundaryArn string }
		}
	}
	f.must(&got, "GetRole", "RoleName", "bounded")
	if got.Role.PermissionsBoundary.PermissionsBoundaryArn != ro || got.Role.PermissionsBoundary.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
		t.Errorf("GetRole PermissionsBoundary = %+v", got.Role.PermissionsBoundary)
	}
	var p policyResult
	f.must(&p, "GetPolicy", "PolicyArn", ro)
	if p.Policy.AttachmentCount != 2 {
		t.Errorf("AttachmentCount = %d; want 2", p.Policy.AttachmentCount)
	}
	type entities struct {
		PolicyRoles []struct{ RoleName, RoleId string } `xml:"PolicyRoles>member"`
		PolicyUsers []struct{ UserName string }         `xml:"PolicyUsers>member"`
	}
	var e entities
	f.must(&e, "ListEntitiesForPolicy", "PolicyArn", ro)
	if len(e.PolicyRoles) != 2 || len(e.PolicyUsers) != 1 || e.PolicyUsers[0].UserName != "u1" {
		t.Errorf("ListEntitiesForPolicy = %+v", e)
	}
	f.must(&e, "ListEntitiesForPolicy", "PolicyArn", ro, "EntityFilter", "Role", "PolicyUsageFilter", "PermissionsPolicy")
	if len(e.PolicyRoles) != 1 || e.PolicyRoles[0].RoleName != "attached" || len(e.PolicyUsers) != 0 {
		t.Errorf("ListEntitiesForPolicy(Role, PermissionsPolicy) = %+v", e)
	}
	f.must(nil, "DeleteRolePermissionsBoundary", "RoleName", "bounded")
	f.must(&got, "GetRole", "RoleName", "bounded")
	if got.Role.PermissionsBoundary.PermissionsBoundaryArn != "" {
		t.Errorf("boundary after delete = %+v", got.Role.PermissionsBoundary)
	}
	f.fail("NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.",
		"PutRolePermissionsBoundary", "RoleName", "bounded", "PermissionsBoundary", "arn:aws:iam::aws:policy/Nope")
}

func TestUserInlinePolicies(t *testing.T) {
	f := newFixture(t)
	f.must(nil, "CreateUser", "UserName", "u")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
	f.must(nil, "PutUserPolicy", "UserName", "u", "PolicyName", "q", "PolicyDocument", doc)
	var got struct{ UserName, PolicyName, PolicyDocument string }
	f.must(&got, "GetUserPolicy", "UserName", "u", "PolicyName", "q")
	if d, _ := url.PathUnescape(got.PolicyDocument); d != doc || got.UserName != "u" {
		t.Errorf("GetUserPolicy = %+v", got)
	}
	var names struct {
		PolicyNames []string `xml:"PolicyNames>member"`
	}
	f.must(&names, "ListUserPolicies", "UserName", "u")
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "q" {
		t.Errorf("ListUserPolicies = %v", names.PolicyNames)
	}
	f.fail("DeleteConflict", "Cannot delete entity, must delete policies first.", "DeleteUser", "UserName", "u")
	f.must(nil, "DeleteUserPolicy", "UserName", "u", "PolicyName", "q")
	f.fail("NoSuchEntity", "The user policy with name q cannot be found.", "GetUserPolicy", "UserName", "u", "PolicyName", "q")
	f.must(nil, "DeleteUser", "UserName", "u")
}

func TestAccountAliases(t *testing.T) {
	f := newFixture(t)
	var l struct {
		AccountAliases []string `xml:"AccountAliases>member"`
	}
	f.must(&l, "ListAccountAliases")
	if len(l.AccountAliases) != 0 {
		t.Errorf("ListAccountAliases = %v; want none", l.AccountAliases)
	}
	f.must(nil, "CreateAccountAlias", "AccountAlias", "my-co")
	f.must(nil, "CreateAccountAlias", "AccountAlias", "my-co2") // replaces
	f.must(&l, "ListAccountAliases")
	if len(l.AccountAliases) != 1 || l.AccountAliases[0] != "my-co2" {
		t.Errorf("ListAccountAliases = %v; want [my-co2]", l.AccountAliases)
	}
	f.fail("ValidationError", "", "CreateAccountAlias", "AccountAlias", "Bad--Alias")
	f.fail("NoSuchEntity", "The account alias my-co cannot be found.", "DeleteAccountAlias", "AccountAlias", "my-co")
	f.must(nil, "DeleteAccountAlias", "AccountAlias", "my-co2")
}

func TestGetAccessKeyLastUsed(t *testing.T) {
	f := newFixture(t)
	f.must(nil, "CreateUser", "UserName", "u")
	var k struct{ AccessKey struct{ AccessKeyId string } }
	f.must(&k, "CreateAccessKey", "UserName", "u")
	var got struct {
		UserName          string
		AccessKeyLastUsed struct{ ServiceName, Region string }
	}
	f.must(&got, "GetAccessKeyLastUsed", "AccessKeyId", k.AccessKey.AccessKeyId)
	if got.UserName != "u" || got.AccessKeyLastUsed.ServiceName != "N/A" {
		t.Errorf("GetAccessKeyLastUsed = %+v", got)
	}
	f.fail("NoSuchEntity", "", "GetAccessKeyLastUsed", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA")
}

func TestOpenIDConnectProviders(t *testing.T) {
	f := newFixture(t)
	thumb := strings.Repeat("a", 40)
	var created struct{ OpenIDConnectProviderArn string }
	f.must(&created, "CreateOpenIDConnectProvider", "Url", "https://token.actions.githubusercontent.com",
		"ClientIDList.member.1", "sts.amazonaws.com", "ThumbprintList.member.1", thumb)
	arn := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	if created.OpenIDConnectProviderArn != arn {
		t.Errorf("CreateOpenIDConnectProvider ARN = %q", created.OpenIDConnectProviderArn)
	}
	f.fail("EntityAlreadyExists", "", "CreateOpenIDConnectProvider", "Url", "https://token.actions.githubusercontent.com")
	f.fail("InvalidInput", "", "CreateOpenIDConnectProvider", "Url", "http://insecure.example.com")
	f.fail("ValidationError", "", "CreateOpenIDConnectProvider", "Url", "https://x.example.com", "ThumbprintList.member.1", "short")
	var got struct {
		Url            string
		ClientIDList   []string `xml:"ClientIDList>member"`
		ThumbprintList []string `xml:"ThumbprintList>member"`
	}
	f.must(&got, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
	if got.Url != "token.actions.githubusercontent.com" || len(got.ClientIDList) != 1 || got.ThumbprintList[0] != thumb {
		t.Errorf("GetOpenIDConnectProvider = %+v", got)
	}
	var l struct {
		OpenIDConnectProviderList []struct{ Arn string } `xml:"OpenIDConnectProviderList>member"`
	}
	f.must(&l, "ListOpenIDConnectProviders")
	if len(l.OpenIDConnectProviderList) != 1 || l.OpenIDConnectProviderList[0].Arn != arn {
		t.Errorf("ListOpenIDConnectProviders = %+v", l)
	}
	f.must(nil, "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
	f.fail("NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
}
