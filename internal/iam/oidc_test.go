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
	f.must(nil, "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
	f.fail("NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn, "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", arn)
}
