package iam_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestGroups(t *testing.T) {
	f := newFixture(t)
	var created struct {
		Group struct{ GroupName, GroupId, Arn, Path string }
	}
	f.must(&created, "CreateGroup", "GroupName", "devs", "Path", "/eng/")
	if created.Group.Arn != "arn:aws:iam::123456789012:group/eng/devs" || !strings.HasPrefix(created.Group.GroupId, "AGPA") {
		t.Errorf("CreateGroup = %+v", created.Group)
	}
	f.fail("EntityAlreadyExists", "Group with name DEVS already exists.", "CreateGroup", "GroupName", "DEVS")
	f.must(nil, "CreateUser", "UserName", "ann")
	f.must(nil, "CreateUser", "UserName", "bob")
	f.must(nil, "AddUserToGroup", "GroupName", "devs", "UserName", "bob")
	f.must(nil, "AddUserToGroup", "GroupName", "devs", "UserName", "ann")
	f.fail("NoSuchEntity", "The user with name cid cannot be found.", "AddUserToGroup", "GroupName", "devs", "UserName", "cid")
	var got struct {
		Group struct{ GroupName string }
		Users []struct{ UserName string } `xml:"Users>member"`
	}
	f.must(&got, "GetGroup", "GroupName", "devs")
	if got.Group.GroupName != "devs" || len(got.Users) != 2 || got.Users[0].UserName != "ann" {
		t.Errorf("GetGroup = %+v", got)
	}
	var forUser struct {
		Groups []struct{ GroupName string } `xml:"Groups>member"`
	}
	f.must(&forUser, "ListGroupsForUser", "UserName", "bob")
	if len(forUser.Groups) != 1 || forUser.Groups[0].GroupName != "devs" {
		t.Errorf("ListGroupsForUser = %+v", forUser.Groups)
	}
	f.fail("DeleteConflict", "Cannot delete entity, must remove user from all groups first.", "DeleteUser", "UserName", "bob")

	// Renaming a user keeps its memberships.
	f.fail("EntityAlreadyExists", "User with name ann already exists.", "UpdateUser", "UserName", "bob", "NewUserName", "ann")
	f.must(nil, "UpdateUser", "UserName", "bob", "NewUserName", "robert", "NewPath", "/ops/")
	var renamed struct {
		User struct{ UserName, Arn string }
	}
	f.must(&renamed, "GetUser", "UserName", "robert")
	if renamed.User.Arn != "arn:aws:iam::123456789012:user/ops/robert" {
		t.Errorf("after UpdateUser: %+v", renamed.User)
	}
	f.fail("NoSuchEntity", "", "GetUser", "UserName", "bob")
	f.must(&forUser, "ListGroupsForUser", "UserName", "robert")
	if len(forUser.Groups) != 1 {
		t.Errorf("renamed user lost its group: %+v", forUser.Groups)
	}

	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	f.must(nil, "AttachGroupPolicy", "GroupName", "devs", "PolicyArn", ro)
	var e struct {
		PolicyGroups []struct{ GroupName string } `xml:"PolicyGroups>member"`
	}
	f.must(&e, "ListEntitiesForPolicy", "PolicyArn", ro)
	if len(e.PolicyGroups) != 1 || e.PolicyGroups[0].GroupName != "devs" {
		t.Errorf("ListEntitiesForPolicy groups = %+v", e.PolicyGroups)
	}
	var p policyResult
	f.must(&p, "GetPolicy", "PolicyArn", ro)
	if p.Policy.AttachmentCount != 1 {
		t.Errorf("AttachmentCount with a group = %d; want 1", p.Policy.AttachmentCount)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	f.must(nil, "PutGroupPolicy", "GroupName", "devs", "PolicyName", "s3", "PolicyDocument", doc)
	var gp struct{ GroupName, PolicyName, PolicyDocument string }
	f.must(&gp, "GetGroupPolicy", "GroupName", "devs", "PolicyName", "s3")
	if d, _ := url.PathUnescape(gp.PolicyDocument); d != doc {
		t.Errorf("GetGroupPolicy document = %q", d)
	}
	f.fail("DeleteConflict", "Cannot delete entity, must remove users from group first.", "DeleteGroup", "GroupName", "devs")
	f.must(nil, "RemoveUserFromGroup", "GroupName", "devs", "UserName", "ann")
	f.must(nil, "RemoveUserFromGroup", "GroupName", "devs", "UserName", "robert")
	f.fail("NoSuchEntity", "", "RemoveUserFromGroup", "GroupName", "devs", "UserName", "robert")
	f.fail("DeleteConflict", "Cannot delete entity, must detach all policies first.", "DeleteGroup", "GroupName", "devs")
	f.must(nil, "DetachGroupPolicy", "GroupName", "devs", "PolicyArn", ro)
	f.fail("DeleteConflict", "Cannot delete entity, must delete policies first.", "DeleteGroup", "GroupName", "devs")
	f.must(nil, "DeleteGroupPolicy", "GroupName", "devs", "PolicyName", "s3")
	f.must(nil, "DeleteGroup", "GroupName", "devs")
	f.fail("NoSuchEntity", "The group with name devs cannot be found.", "GetGroup", "GroupName", "devs")
	var lg struct {
		Groups []struct{ GroupName string } `xml:"Groups>member"`
	}
	f.must(&lg, "ListGroups")
	if len(lg.Groups) != 0 {
		t.Errorf("ListGroups after delete = %+v", lg.Groups)
	}
}
