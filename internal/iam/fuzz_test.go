package iam_test

import (
	"context"
	"net/url"
	"testing"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/iam"
	"tenkai/internal/store"
)

// FuzzActions sends arbitrary forms to every action: each must answer with a
// result or an *edge.Error, never panic or fail internally.
func FuzzActions(f *testing.F) {
	svc := iam.New(iam.Config{Store: store.NewMem(), Clock: clock.NewFake(t0)})
	ctx := edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", AccessKey: "ASIA123456789012ABCD"})
	actions := svc.Actions()
	seeds := []string{
		"RoleName=r&AssumeRolePolicyDocument=" + url.QueryEscape(trust),
		"RoleName=r&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess",
		"PolicyName=p&PolicyDocument=%7B%7D&Tags.member.1.Key=a&Tags.member.1.Value=b",
		"MaxItems=1&Marker=AAAA", "UserName=u&GroupName=g&InstanceProfileName=i",
		"Url=https://x.example.com&ThumbprintList.member.1=x", "AWSServiceName=ecs.amazonaws.com",
		"PolicyArn=arn:aws:iam::123456789012:policy/p&VersionId=v1&SetAsDefault=maybe",
	}
	for i := range actions {
		for _, s := range seeds {
			f.Add(uint(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		action := actions[which%uint(len(actions))]
		_, err = svc.Op(action)(ctx, form)
		if e, ok := err.(*edge.Error); err != nil && (!ok || e.HTTPStatus() >= 500) {
			t.Fatalf("%s(%s) = %v; want a result or a client error", action, query, err)
		}
	})
}
