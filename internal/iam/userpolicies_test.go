package iam_test

import (
	"net/url"
	"testing"
)

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
