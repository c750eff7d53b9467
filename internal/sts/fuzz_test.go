package sts_test

import (
	"context"
	"net/url"
	"testing"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
	"tenkai/internal/sts"
)

// FuzzActions sends arbitrary forms to every action: each must answer with a
// result or an *edge.Error, never panic or fail internally.
func FuzzActions(f *testing.F) {
	svc := sts.New(sts.Config{Store: store.NewMem(), Clock: clock.NewFake(t0)})
	ctx := edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", AccessKey: "AKIAIOSFODNN7EXAMPLE"})
	actions := svc.Actions()
	seeds := []string{
		"RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1&DurationSeconds=900",
		"RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1&WebIdentityToken=a.eyJzdWIiOiJ4In0.c",
		"Name=bob&Policy=%7B%7D", "AccessKeyId=ASIA123456789012ABCD", "DurationSeconds=-1",
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
