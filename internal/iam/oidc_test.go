package iam_test

import (
	"strings"
	"testing"
)

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
	f.must(nil, "AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", arn, "ClientID", "my-app")
	f.must(nil, "RemoveClientIDFromOpenIDConnectProvider", "OpenIDConnectProviderArn", arn, "ClientID", "sts.amazonaws.com")
	thumb2 := strings.Repeat("b", 40)
	f.must(nil, "UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn", arn, "ThumbprintList.member.1", thumb2)
	f.must(nil, "TagOpenIDConnectProvider", "OpenIDConnectProviderArn", arn, "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")
	f.must(&got, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
	if strings.Join(got.ClientIDList, ",") != "my-app" || strings.Join(got.ThumbprintList, ",") != thumb2 {
		t.Errorf("after updates GetOpenIDConnectProvider = %+v", got)
	}
	var tags struct {
		Tags []struct{ Key, Value string } `xml:"Tags>member"`
	}
	f.must(&tags, "ListOpenIDConnectProviderTags", "OpenIDConnectProviderArn", arn)
	if len(tags.Tags) != 1 || tags.Tags[0].Key != "k" {
		t.Errorf("ListOpenIDConnectProviderTags = %+v", tags.Tags)
	}
	f.must(nil, "UntagOpenIDConnectProvider", "OpenIDConnectProviderArn", arn, "TagKeys.member.1", "k")
	f.must(&tags, "ListOpenIDConnectProviderTags", "OpenIDConnectProviderArn", arn)
	if len(tags.Tags) != 0 {
		t.Errorf("tags after untag = %+v", tags.Tags)
	}
	f.must(nil, "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
	f.fail("NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
}
