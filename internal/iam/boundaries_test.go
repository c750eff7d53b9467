package iam_test

import (
	"testing"
)

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
	f.fail("NoSuchEntity", "Scope ARN: arn:aws:iam::aws:policy/Nope does not exist or is not attachable.",
		"PutRolePermissionsBoundary", "RoleName", "bounded", "PermissionsBoundary", "arn:aws:iam::aws:policy/Nope")
}
