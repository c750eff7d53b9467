package iam_test

import (
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
	f.fail("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", "AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "ec2")
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
	f.must(nil, "TagInstanceProfile", "InstanceProfileName", "web", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	var tags struct {
		Tags []struct{ Key, Value string } `xml:"Tags>member"`
	}
	f.must(&tags, "ListInstanceProfileTags", "InstanceProfileName", "web")
	if len(tags.Tags) != 1 || tags.Tags[0].Value != "v" {
		t.Errorf("ListInstanceProfileTags = %+v", tags.Tags)
	}
	f.must(nil, "UntagInstanceProfile", "InstanceProfileName", "web", "TagKeys.member.1", "k")
	f.must(nil, "RemoveRoleFromInstanceProfile", "InstanceProfileName", "web", "RoleName", "ec2")
	f.must(nil, "DeleteInstanceProfile", "InstanceProfileName", "web")
	f.fail("NoSuchEntity", "Instance Profile web cannot be found.", "GetInstanceProfile", "InstanceProfileName", "web")
	f.must(nil, "DeleteRole", "RoleName", "ec2")
}
