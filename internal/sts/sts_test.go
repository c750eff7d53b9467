package sts_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
	"tenkai/internal/sts"
)

var t0 = time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)

// directory is a fake IAM.
type directory struct {
	roles map[string]int    // role ARN → max session
	users map[string]string // access key → user ARN
}

func (d directory) Role(_ context.Context, arn string) (string, int, bool) {
	max, ok := d.roles[arn]
	return "AROAKNOWNKNOWNKNOWN00", max, ok
}

func (d directory) RoleUsed(context.Context, string, string) {}

func (d directory) AccessKeyOwner(_ context.Context, key string) (string, string, bool) {
	arn, ok := d.users[key]
	return arn, "AIDAUSERUSERUSERUSER0", ok
}

type fixture struct {
	t   *testing.T
	svc *sts.Service
	clk *clock.Fake
}

func newFixture(t *testing.T) *fixture {
	clk := clock.NewFake(t0)
	dir := directory{
		roles: map[string]int{"arn:aws:iam::123456789012:role/app/known": 7200},
		users: map[string]string{"AKIA123456789012USER": "arn:aws:iam::123456789012:user/alice"},
	}
	return &fixture{t: t, svc: sts.New(sts.Config{Store: store.NewMem(), Clock: clk, Directory: dir}), clk: clk}
}

func ctxFor(key string) context.Context {
	return edge.WithMeta(context.Background(), &edge.Meta{Account: edge.AccountForKey(key, "000000000000"), AccessKey: key, Region: "us-east-1"})
}

func (f *fixture) call(ctx context.Context, v any, action string, kv ...string) error {
	f.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	out, err := f.svc.Op(action)(ctx, form)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).EncodeElement(out, xml.StartElement{Name: xml.Name{Local: "R"}}); err != nil {
		f.t.Fatalf("encode: %v", err)
	}
	if v != nil {
		reflect.ValueOf(v).Elem().SetZero()
		if err := xml.Unmarshal(buf.Bytes(), v); err != nil {
			f.t.Fatalf("decode %s: %v", action, err)
		}
	}
	return nil
}

func (f *fixture) must(ctx context.Context, v any, action string, kv ...string) {
	f.t.Helper()
	if err := f.call(ctx, v, action, kv...); err != nil {
		f.t.Fatalf("%s(%v): %v", action, kv, err)
	}
}

func (f *fixture) fail(ctx context.Context, code, msg, action string, kv ...string) {
	f.t.Helper()
	err := f.call(ctx, nil, action, kv...)
	var e *edge.Error
	if !errors.As(err, &e) || e.Code != code || (msg != "" && e.Message != msg) {
		f.t.Fatalf("%s(%v) = %v; want %s %q", action, kv, err, code, msg)
	}
}

type callerIdentity struct{ UserId, Account, Arn string }

type credentials struct {
	AccessKeyId, SecretAccessKey, SessionToken, Expiration string
}

type assumeResult struct {
	Credentials     credentials
	AssumedRoleUser struct{ AssumedRoleId, Arn string }
}

func TestGetCallerIdentity(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		key  string
		want callerIdentity
	}{
		{"test", callerIdentity{"000000000000", "000000000000", "arn:aws:iam::000000000000:root"}},
		{"123456789012", callerIdentity{"123456789012", "123456789012", "arn:aws:iam::123456789012:root"}},
		{"AKIA123456789012USER", callerIdentity{"AIDAUSERUSERUSERUSER0", "123456789012", "arn:aws:iam::123456789012:user/alice"}},
	}
	for _, tc := range tests {
		var got callerIdentity
		f.must(ctxFor(tc.key), &got, "GetCallerIdentity")
		if got != tc.want {
			t.Errorf("GetCallerIdentity(%s) = %+v; want %+v", tc.key, got, tc.want)
		}
	}
}

func TestAssumeRole(t *testing.T) {
	f := newFixture(t)
	var res assumeResult
	f.must(ctxFor("test"), &res, "AssumeRole", "RoleArn", "arn:aws:iam::123456789012:role/app/known", "RoleSessionName", "deploy", "DurationSeconds", "7200")
	c := res.Credentials
	if !strings.HasPrefix(c.AccessKeyId, "ASIA123456789012") || len(c.AccessKeyId) != 20 {
		t.Errorf("AccessKeyId = %q; want an ASIA key of account 123456789012", c.AccessKeyId)
	}
	if edge.AccountForKey(c.AccessKeyId, "none") != "123456789012" {
		t.Errorf("AccountForKey(%s) does not map back", c.AccessKeyId)
	}
	if len(c.SecretAccessKey) != 40 || c.SessionToken == "" || c.Expiration != "2026-11-21T10:00:00Z" {
		t.Errorf("Credentials = %+v", c)
	}
	if res.AssumedRoleUser.AssumedRoleId != "AROAKNOWNKNOWNKNOWN00:deploy" || res.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/known/deploy" {
		t.Errorf("AssumedRoleUser = %+v", res.AssumedRoleUser)
	}

	// The issued key identifies the session, in the role's account.
	var id callerIdentity
	f.must(ctxFor(c.AccessKeyId), &id, "GetCallerIdentity")
	if id != (callerIdentity{"AROAKNOWNKNOWNKNOWN00:deploy", "123456789012", "arn:aws:sts::123456789012:assumed-role/known/deploy"}) {
		t.Errorf("GetCallerIdentity with assumed keys = %+v", id)
	}

	// Role chaining is limited to an hour; sessions cannot get session tokens.
	f.fail(ctxFor(c.AccessKeyId), "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
		"AssumeRole", "RoleArn", "arn:aws:iam::123456789012:role/app/known", "RoleSessionName", "again", "DurationSeconds", "7200")
	f.fail(ctxFor(c.AccessKeyId), "AccessDenied", "Cannot call GetSessionToken with session credentials", "GetSessionToken")

	// Expired credentials are refused.
	f.clk.Advance(2*time.Hour + time.Second)
	f.fail(ctxFor(c.AccessKeyId), "ExpiredToken", "The security token included in the request is expired", "GetCallerIdentity")
}

func TestAssumeUnknownRole(t *testing.T) {
	f := newFixture(t)
	var a, b assumeResult
	f.must(ctxFor("test"), &a, "AssumeRole", "RoleArn", "arn:aws:iam::111122223333:role/other", "RoleSessionName", "s1")
	f.must(ctxFor("test"), &b, "AssumeRole", "RoleArn", "arn:aws:iam::111122223333:role/other", "RoleSessionName", "s2")
	ida, _, _ := strings.Cut(a.AssumedRoleUser.AssumedRoleId, ":")
	idb, _, _ := strings.Cut(b.AssumedRoleUser.AssumedRoleId, ":")
	if !strings.HasPrefix(ida, "AROA") || len(ida) != 21 || ida != idb {
		t.Errorf("derived role ids = %q, %q; want one stable AROA id", ida, idb)
	}
	if a.Credentials.Expiration != "2026-11-21T09:00:00Z" {
		t.Errorf("default Expiration = %q; want one hour", a.Credentials.Expiration)
	}
	if edge.AccountForKey(a.Credentials.AccessKeyId, "") != "111122223333" {
		t.Errorf("cross-account key %s does not map to 111122223333", a.Credentials.AccessKeyId)
	}
}

func TestAssumeRoleValidation(t *testing.T) {
	arn := "arn:aws:iam::123456789012:role/app/known"
	tests := []struct {
		name      string
		kv        []string
		code, msg string
	}{
		{"bad session name", []string{"RoleArn", arn, "RoleSessionName", "a b"}, "ValidationError",
			`1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"short session name", []string{"RoleArn", arn, "RoleSessionName", "a"}, "ValidationError",
			"1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"no session name", []string{"RoleArn", arn}, "ValidationError",
			"1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
		{"short duration", []string{"RoleArn", arn, "RoleSessionName", "ok", "DurationSeconds", "60"}, "ValidationError",
			"1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"long duration", []string{"RoleArn", arn, "RoleSessionName", "ok", "DurationSeconds", "43201"}, "ValidationError",
			"1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"over role max", []string{"RoleArn", arn, "RoleSessionName", "ok", "DurationSeconds", "7201"}, "ValidationError",
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"not a role arn", []string{"RoleArn", "arn:aws:iam::123456789012:user/alice", "RoleSessionName", "ok"}, "ValidationError", "Request ARN is invalid"},
		{"short arn", []string{"RoleArn", "role/x", "RoleSessionName", "ok"}, "ValidationError",
			"1 validation error detected: Value 'role/x' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"bad external id", []string{"RoleArn", arn, "RoleSessionName", "ok", "ExternalId", "x"}, "ValidationError",
			"1 validation error detected: Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"bad policy", []string{"RoleArn", arn, "RoleSessionName", "ok", "Policy", "{nope"}, "MalformedPolicyDocument", ""},
		{"bad token code", []string{"RoleArn", arn, "RoleSessionName", "ok", "SerialNumber", "arn:aws:iam::123456789012:mfa/u", "TokenCode", "12345x"}, "ValidationError",
			`1 validation error detected: Value '12345x' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\d]*`},
		{"bad tag", []string{"RoleArn", arn, "RoleSessionName", "ok", "Tags.member.1.Key", "a!", "Tags.member.1.Value", "v"}, "ValidationError",
			`1 validation error detected: Value 'a!' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			newFixture(t).fail(ctxFor("test"), tc.code, tc.msg, "AssumeRole", tc.kv...)
		})
	}
}

func TestGetSessionToken(t *testing.T) {
	f := newFixture(t)
	var res struct{ Credentials credentials }
	f.must(ctxFor("AKIA123456789012USER"), &res, "GetSessionToken", "DurationSeconds", "1800")
	if res.Credentials.Expiration != "2026-11-21T08:30:00Z" || !strings.HasPrefix(res.Credentials.AccessKeyId, "ASIA123456789012") {
		t.Errorf("GetSessionToken = %+v", res.Credentials)
	}
	var id callerIdentity
	f.must(ctxFor(res.Credentials.AccessKeyId), &id, "GetCallerIdentity")
	if id.Arn != "arn:aws:iam::123456789012:user/alice" {
		t.Errorf("GetCallerIdentity with session token keys = %+v; want alice", id)
	}
	f.must(ctxFor("test"), &res, "GetSessionToken")
	if res.Credentials.Expiration != "2026-11-21T09:00:00Z" {
		t.Errorf("root GetSessionToken Expiration = %q; want capped at one hour", res.Credentials.Expiration)
	}
	f.fail(ctxFor("test"), "ValidationError", "", "GetSessionToken", "DurationSeconds", "200000")
}

func TestGetFederationToken(t *testing.T) {
	f := newFixture(t)
	var res struct {
		Credentials   credentials
		FederatedUser struct{ FederatedUserId, Arn string }
	}
	f.must(ctxFor("123456789012"), &res, "GetFederationToken", "Name", "bob")
	if res.FederatedUser.Arn != "arn:aws:sts::123456789012:federated-user/bob" || res.FederatedUser.FederatedUserId != "123456789012:bob" {
		t.Errorf("FederatedUser = %+v", res.FederatedUser)
	}
	var id callerIdentity
	f.must(ctxFor(res.Credentials.AccessKeyId), &id, "GetCallerIdentity")
	if id != (callerIdentity{"123456789012:bob", "123456789012", "arn:aws:sts::123456789012:federated-user/bob"}) {
		t.Errorf("GetCallerIdentity with federation token = %+v", id)
	}
	f.fail(ctxFor("test"), "ValidationError", "", "GetFederationToken", "Name", "x")
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	f := newFixture(t)
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"repo:o/r:ref:refs/heads/main","iss":"https://token.actions.githubusercontent.com","aud":["sts.amazonaws.com"]}`))
	token := "eyJhbGciOiJSUzI1NiJ9." + payload + ".c2ln"
	var res struct {
		Credentials                 credentials
		SubjectFromWebIdentityToken string
		AssumedRoleUser             struct{ Arn string }
		Provider, Audience          string
	}
	f.must(context.Background(), &res, "AssumeRoleWithWebIdentity", "RoleArn", "arn:aws:iam::123456789012:role/app/known",
		"RoleSessionName", "gh", "WebIdentityToken", token)
	if res.SubjectFromWebIdentityToken != "repo:o/r:ref:refs/heads/main" || res.Provider != "token.actions.githubusercontent.com" ||
		res.Audience != "sts.amazonaws.com" || res.AssumedRoleUser.Arn != "arn:aws:sts::123456789012:assumed-role/known/gh" {
		t.Errorf("AssumeRoleWithWebIdentity = %+v", res)
	}
	f.fail(context.Background(), "InvalidIdentityToken", "", "AssumeRoleWithWebIdentity", "RoleArn", "arn:aws:iam::123456789012:role/app/known",
		"RoleSessionName", "gh", "WebIdentityToken", "not-a-jwt")
}

func TestRoleCredentials(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.RoleCredentials(context.Background(), "arn:aws:iam::123456789012:role/app/known", "my-function", 10*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Expiration.Equal(t0.Add(10*time.Hour)) || edge.AccountForKey(c.AccessKeyID, "") != "123456789012" {
		t.Errorf("RoleCredentials = %+v", c)
	}
	var id callerIdentity
	f.must(ctxFor(c.AccessKeyID), &id, "GetCallerIdentity")
	if id.Arn != "arn:aws:sts::123456789012:assumed-role/known/my-function" {
		t.Errorf("GetCallerIdentity with RoleCredentials = %+v", id)
	}
	if c, _ := f.svc.RoleCredentials(context.Background(), "arn:aws:iam::123456789012:role/x", "fn", time.Minute); !c.Expiration.Equal(t0.Add(15 * time.Minute)) {
		t.Errorf("short duration not clamped: %v", c.Expiration)
	}
	if _, err := f.svc.RoleCredentials(context.Background(), "arn:aws:iam::123456789012:role/x", "bad name", time.Hour); err == nil {
		t.Errorf("RoleCredentials accepted a bad session name")
	}
	if _, err := f.svc.RoleCredentials(context.Background(), "not-an-arn", "fn", time.Hour); err == nil {
		t.Errorf("RoleCredentials accepted a bad role ARN")
	}
}

func TestIssuedKeysAreUnique(t *testing.T) {
	// A reader of zeros makes every draw the same: the second issue must
	// find the key taken and fail rather than overwrite the first session.
	svc := sts.New(sts.Config{Store: store.NewMem(), Clock: clock.NewFake(t0), Rand: zeros{}})
	if _, err := svc.RoleCredentials(context.Background(), "arn:aws:iam::123456789012:role/a", "s1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RoleCredentials(context.Background(), "arn:aws:iam::123456789012:role/b", "s2", time.Hour); err == nil {
		t.Fatal("second issue with a colliding key succeeded")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestExpiredSessionsArePurged(t *testing.T) {
	f := newFixture(t)
	old, err := f.svc.RoleCredentials(context.Background(), "arn:aws:iam::123456789012:role/a", "old", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(48 * time.Hour)
	for range 300 {
		if _, err := f.svc.RoleCredentials(context.Background(), "arn:aws:iam::123456789012:role/a", "new", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// Forgotten keys read as long-term keys of their account again.
	var id callerIdentity
	f.must(ctxFor(old.AccessKeyID), &id, "GetCallerIdentity")
	if id.Arn != "arn:aws:iam::123456789012:root" {
		t.Errorf("GetCallerIdentity with a purged key = %+v; want root", id)
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	f := newFixture(t)
	var res struct{ Account string }
	f.must(ctxFor("test"), &res, "GetAccessKeyInfo", "AccessKeyId", "ASIA111122223333ABCD")
	if res.Account != "111122223333" {
		t.Errorf("GetAccessKeyInfo = %q; want 111122223333", res.Account)
	}
}

func BenchmarkGetCallerIdentity(b *testing.B) {
	svc := sts.New(sts.Config{Store: store.NewMem(), Clock: clock.NewFake(t0)})
	ctx := ctxFor("AKIAIOSFODNN7EXAMPLE")
	h := svc.Op("GetCallerIdentity")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}
