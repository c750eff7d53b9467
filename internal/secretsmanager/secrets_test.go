package secretsmanager_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/secretsmanager"
	"tenkai/internal/store"
)

var (
	t0  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ctx = context.Background()
)

func ptr[T any](v T) *T { return &v }

func newService(t *testing.T, st store.Store) (*secretsmanager.Service, *clock.Fake) {
	t.Helper()
	if st == nil {
		st = store.NewMem()
	}
	clk := clock.NewFake(t0)
	n := 0
	ids := func() string { n++; return fmt.Sprintf("00000000-0000-0000-0000-%012d", n) }
	return secretsmanager.New(secretsmanager.Config{Store: st, Clock: clk, NewID: ids}), clk
}

// code returns the AWS error code of err, or "" for nil.
func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *edge.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *edge.Error", err)
	}
	return e.Code
}

func message(err error) string {
	var e *edge.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

func create(t *testing.T, s *secretsmanager.Service, name, value string) *secretsmanager.SecretOutput {
	t.Helper()
	out, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value})
	if err != nil {
		t.Fatalf("CreateSecret(%s): %v", name, err)
	}
	return out
}

func getValue(s *secretsmanager.Service, id string) (*secretsmanager.SecretValue, error) {
	return s.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
}

func TestCreateAndGet(t *testing.T) {
	s, _ := newService(t, nil)
	out := create(t, s, "prod/db", `{"user":"app"}`)
	if !regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-[A-Za-z0-9]{6}$`).MatchString(out.ARN) || out.VersionId == "" {
		t.Fatalf("CreateSecret = %+v", out)
	}
	partial := strings.TrimSuffix(out.ARN, out.ARN[len(out.ARN)-7:])
	for _, id := range []string{"prod/db", out.ARN, partial} {
		v, err := getValue(s, id)
		if err != nil || *v.SecretString != `{"user":"app"}` || v.ARN != out.ARN || v.Name != "prod/db" || v.VersionId != out.VersionId ||
			!slices.Equal(v.VersionStages, []string{"AWSCURRENT"}) || !time.Time(v.CreatedDate).Equal(t0) {
			t.Errorf("GetSecretValue(%s) = %+v, %v", id, v, err)
		}
	}
	_, err := getValue(s, "prod/nope")
	if code(t, err) != "ResourceNotFoundException" || message(err) != "Secrets Manager can't find the specified secret." {
		t.Errorf("missing secret err = %v", err)
	}
	if _, err := getValue(s, out.ARN[:len(out.ARN)-6]+"000000"); code(t, err) != "ResourceNotFoundException" {
		t.Errorf("wrong ARN suffix err = %v", err)
	}
	if _, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("prod/db"), SecretString: ptr("x")}); code(t, err) != "ResourceExistsException" {
		t.Errorf("second CreateSecret err = %v", err)
	}
	tests := []struct {
		name string
		in   secretsmanager.CreateSecretInput
		want string
	}{
		{"both values", secretsmanager.CreateSecretInput{Name: ptr("b"), SecretString: ptr("x"), SecretBinary: []byte{1}}, "InvalidParameterException"},
		{"bad name", secretsmanager.CreateSecretInput{Name: ptr("has space")}, "InvalidParameterException"},
		{"long name", secretsmanager.CreateSecretInput{Name: ptr(strings.Repeat("n", 513))}, "ValidationException"},
		{"short token", secretsmanager.CreateSecretInput{Name: ptr("t"), ClientRequestToken: ptr("short"), SecretString: ptr("x")}, "ValidationException"},
		{"no name", secretsmanager.CreateSecretInput{}, "ValidationException"},
	}
	for _, tc := range tests {
		in := tc.in
		if _, err := s.CreateSecret(ctx, &in); code(t, err) != tc.want {
			t.Errorf("%s: CreateSecret err = %v; want %s", tc.name, err, tc.want)
		}
	}

	// A secret without a value has no AWSCURRENT version to read.
	if _, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("empty")}); err != nil {
		t.Fatal(err)
	}
	if _, err := getValue(s, "empty"); code(t, err) != "ResourceNotFoundException" {
		t.Errorf("empty secret err = %v", err)
	}
	bin, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("bin"), SecretBinary: []byte{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := getValue(s, bin.ARN); err != nil || string(v.SecretBinary) != "\x00\x01\x02" || v.SecretString != nil {
		t.Errorf("binary secret = %+v, %v", v, err)
	}
}

func TestCreateIdempotent(t *testing.T) {
	s, _ := newService(t, nil)
	tok := "11111111-2222-3333-4444-555555555555"
	first, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("idem"), ClientRequestToken: &tok, SecretString: ptr("v")})
	if err != nil || first.VersionId != tok {
		t.Fatalf("CreateSecret = %+v, %v", first, err)
	}
	again, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("idem"), ClientRequestToken: &tok, SecretString: ptr("v")})
	if err != nil || again.ARN != first.ARN || again.VersionId != first.VersionId {
		t.Fatalf("retried CreateSecret = %+v, %v; want %+v", again, err, first)
	}
	if _, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("idem"), ClientRequestToken: &tok, SecretString: ptr("other")}); code(t, err) != "ResourceExistsException" {
		t.Errorf("token reused with another value err = %v", err)
	}
}

func TestVersionStages(t *testing.T) {
	s, clk := newService(t, nil)
	v1 := create(t, s, "rot", "one").VersionId
	clk.Advance(time.Hour)
	p2, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("rot"), SecretString: ptr("two")})
	if err != nil || !slices.Equal(p2.VersionStages, []string{"AWSCURRENT"}) || p2.VersionId == v1 {
		t.Fatalf("PutSecretValue = %+v, %v", p2, err)
	}
	stages := func() map[string][]string {
		t.Helper()
		d, err := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("rot")})
		if err != nil {
			t.Fatal(err)
		}
		return d.VersionIdsToStages
	}
	if got := stages(); len(got) != 2 || !slices.Equal(got[v1], []string{"AWSPREVIOUS"}) || !slices.Equal(got[p2.VersionId], []string{"AWSCURRENT"}) {
		t.Fatalf("stages after put = %v", got)
	}
	prev, err := s.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: ptr("rot"), VersionStage: ptr("AWSPREVIOUS")})
	if err != nil || *prev.SecretString != "one" {
		t.Fatalf("AWSPREVIOUS = %+v, %v", prev, err)
	}
	// A pending version does not move AWSCURRENT.
	tok := "pending-pending-pending-pending-01"
	if _, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("rot"), ClientRequestToken: &tok, SecretString: ptr("three"), VersionStages: []string{"AWSPENDING"}}); err != nil {
		t.Fatal(err)
	}
	if cur, _ := getValue(s, "rot"); *cur.SecretString != "two" {
		t.Errorf("AWSCURRENT after a pending put = %q", *cur.SecretString)
	}
	// Repeating the token with the same value is a no-op; another value is refused.
	if _, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("rot"), ClientRequestToken: &tok, SecretString: ptr("three"), VersionStages: []string{"AWSPENDING"}}); err != nil {
		t.Errorf("repeated put: %v", err)
	}
	if _, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("rot"), ClientRequestToken: &tok, SecretString: ptr("changed")}); code(t, err) != "ResourceExistsException" {
		t.Errorf("changing a version err = %v", err)
	}
	byID, err := s.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: ptr("rot"), VersionId: &tok})
	if err != nil || *byID.SecretString != "three" {
		t.Fatalf("by VersionId = %+v, %v", byID, err)
	}
	if _, err := s.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: ptr("rot"), VersionId: &tok, VersionStage: ptr("AWSCURRENT")}); code(t, err) != "ResourceNotFoundException" {
		t.Errorf("VersionId with a stage it lacks err = %v", err)
	}
	// UpdateSecret with a value makes a third AWSCURRENT: version 1 loses its label.
	up, err := s.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: ptr("rot"), SecretString: ptr("four"), Description: ptr("rotated")})
	if err != nil || up.VersionId == "" {
		t.Fatalf("UpdateSecret = %+v, %v", up, err)
	}
	got := stages()
	if !slices.Equal(got[up.VersionId], []string{"AWSCURRENT"}) || !slices.Equal(got[p2.VersionId], []string{"AWSPREVIOUS"}) ||
		!slices.Equal(got[tok], []string{"AWSPENDING"}) || got[v1] != nil {
		t.Fatalf("stages after update = %v", got)
	}
	ids, err := s.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: ptr("rot")})
	if err != nil || len(ids.Versions) != 3 || ids.Versions[0].VersionId != up.VersionId {
		t.Fatalf("ListSecretVersionIds = %+v, %v", ids, err)
	}
	ids, err = s.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: ptr("rot"), IncludeDeprecated: true, MaxResults: ptr(3)})
	if err != nil || len(ids.Versions) != 3 || ids.NextToken == "" {
		t.Fatalf("ListSecretVersionIds page 1 = %+v, %v", ids, err)
	}
	ids, err = s.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: ptr("rot"), IncludeDeprecated: true, NextToken: ids.NextToken})
	if err != nil || len(ids.Versions) != 1 || ids.Versions[0].VersionId != v1 || len(ids.Versions[0].VersionStages) != 0 {
		t.Fatalf("ListSecretVersionIds page 2 = %+v, %v", ids, err)
	}
	d, _ := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("rot")})
	if d.Description != "rotated" || !time.Time(d.CreatedDate).Equal(t0) || !time.Time(d.LastChangedDate).Equal(t0.Add(time.Hour)) {
		t.Errorf("DescribeSecret = %+v", d)
	}
}

func TestDeletionWindow(t *testing.T) {
	s, clk := newService(t, nil)
	arn := create(t, s, "gone", "v").ARN
	for _, tc := range []struct {
		in   secretsmanager.DeleteSecretInput
		want string
	}{
		{secretsmanager.DeleteSecretInput{SecretId: ptr("gone"), RecoveryWindowInDays: ptr(int64(6))}, "InvalidParameterException"},
		{secretsmanager.DeleteSecretInput{SecretId: ptr("gone"), RecoveryWindowInDays: ptr(int64(31))}, "InvalidParameterException"},
		{secretsmanager.DeleteSecretInput{SecretId: ptr("gone"), RecoveryWindowInDays: ptr(int64(7)), ForceDeleteWithoutRecovery: true}, "InvalidParameterException"},
		{secretsmanager.DeleteSecretInput{SecretId: ptr("nope")}, "ResourceNotFoundException"},
	} {
		in := tc.in
		if _, err := s.DeleteSecret(ctx, &in); code(t, err) != tc.want {
			t.Errorf("DeleteSecret(%+v) err = %v; want %s", tc.in, err, tc.want)
		}
	}
	del, err := s.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: ptr("gone"), RecoveryWindowInDays: ptr(int64(7))})
	if err != nil || del.ARN != arn || !time.Time(*del.DeletionDate).Equal(t0.Add(7*24*time.Hour)) {
		t.Fatalf("DeleteSecret = %+v, %v", del, err)
	}
	_, err = getValue(s, "gone")
	if code(t, err) != "InvalidRequestException" || message(err) != "You can't perform this operation on the secret because it was marked for deletion." {
		t.Errorf("GetSecretValue on a deleted secret err = %v", err)
	}
	if _, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("gone"), SecretString: ptr("x")}); code(t, err) != "InvalidRequestException" {
		t.Errorf("PutSecretValue on a deleted secret err = %v", err)
	}
	if _, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("gone")}); code(t, err) != "InvalidRequestException" {
		t.Errorf("CreateSecret over a deleted secret err = %v", err)
	}
	d, err := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("gone")})
	if err != nil || d.DeletedDate == nil || !time.Time(*d.DeletedDate).Equal(t0) {
		t.Fatalf("DescribeSecret of a deleted secret = %+v, %v", d, err)
	}
	list, _ := s.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	if len(list.SecretList) != 0 {
		t.Errorf("ListSecrets shows a deleted secret: %+v", list.SecretList)
	}
	list, _ = s.ListSecrets(ctx, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: true})
	if len(list.SecretList) != 1 || list.SecretList[0].DeletedDate == nil {
		t.Errorf("ListSecrets with IncludePlannedDeletion = %+v", list.SecretList)
	}
	// Restore, delete again, and let the window pass.
	if _, err := s.RestoreSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("gone")}); err != nil {
		t.Fatal(err)
	}
	if v, err := getValue(s, "gone"); err != nil || *v.SecretString != "v" {
		t.Fatalf("after restore = %+v, %v", v, err)
	}
	if _, err := s.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: ptr("gone")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(30*24*time.Hour - time.Second)
	if _, err := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("gone")}); err != nil {
		t.Fatalf("a second before the 30-day window ends: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("gone")}); code(t, err) != "ResourceNotFoundException" {
		t.Fatalf("after the window err = %v", err)
	}
	// The name is free again and the new secret has a new ARN.
	again := create(t, s, "gone", "new")
	if again.ARN == arn {
		t.Errorf("recreated secret kept the ARN %s", arn)
	}
	if _, err := getValue(s, arn); code(t, err) != "ResourceNotFoundException" {
		t.Errorf("old ARN reaches the new secret: %v", err)
	}
	// Forced deletion is immediate, also for a secret already scheduled.
	if _, err := s.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: ptr("gone")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: ptr("gone")}); code(t, err) != "InvalidRequestException" {
		t.Errorf("second scheduled delete err = %v", err)
	}
	if _, err := s.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: ptr("gone"), ForceDeleteWithoutRecovery: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("gone")}); code(t, err) != "ResourceNotFoundException" {
		t.Errorf("after forced delete err = %v", err)
	}
}

func TestSweep(t *testing.T) {
	st := store.NewMem()
	s, clk := newService(t, st)
	create(t, s, "a", "v")
	create(t, s, "b", "v")
	if _, err := s.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: ptr("a"), RecoveryWindowInDays: ptr(int64(7))}); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n := 0
		_ = st.View(func(tx store.Tx) error {
			n = tx.Bucket("secretsmanager/secrets/000000000000/us-east-1").Len()
			return nil
		})
		return n
	}
	if err := s.Sweep(); err != nil || count() != 2 {
		t.Fatalf("sweep inside the window: %v, %d secrets stored", err, count())
	}
	clk.Advance(7 * 24 * time.Hour)
	if err := s.Sweep(); err != nil || count() != 1 {
		t.Fatalf("sweep after the window: %v, %d secrets stored; want 1", err, count())
	}
}

func TestListSecrets(t *testing.T) {
	s, clk := newService(t, nil)
	for i := range 5 {
		clk.Advance(time.Minute)
		name := fmt.Sprintf("app/s%d", i)
		_, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: ptr("v"), Description: ptr(fmt.Sprintf("Secret number %d", i)),
			Tags: []secretsmanager.Tag{{Key: "env", Value: []string{"prod", "dev"}[i%2]}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	create(t, s, "other", "v")
	names := func(in secretsmanager.ListSecretsInput) string {
		t.Helper()
		var out []string
		for pages := 0; pages < 20; pages++ {
			l, err := s.ListSecrets(ctx, &in)
			if err != nil {
				t.Fatalf("ListSecrets: %v", err)
			}
			for _, e := range l.SecretList {
				out = append(out, e.Name)
			}
			if l.NextToken == "" {
				break
			}
			in.NextToken = l.NextToken
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name string
		in   secretsmanager.ListSecretsInput
		want string
	}{
		{"newest first, paged", secretsmanager.ListSecretsInput{MaxResults: ptr(2)}, "other,app/s4,app/s3,app/s2,app/s1,app/s0"},
		{"by name asc", secretsmanager.ListSecretsInput{SortBy: "name", SortOrder: "asc"}, "app/s0,app/s1,app/s2,app/s3,app/s4,other"},
		{"name prefix", secretsmanager.ListSecretsInput{Filters: []secretsmanager.Filter{{Key: "name", Values: []string{"app/s1", "app/s3"}}}}, "app/s3,app/s1"},
		{"name negated", secretsmanager.ListSecretsInput{Filters: []secretsmanager.Filter{{Key: "name", Values: []string{"!app"}}}}, "other"},
		{"tag value", secretsmanager.ListSecretsInput{SortOrder: "asc", Filters: []secretsmanager.Filter{{Key: "tag-key", Values: []string{"env"}}, {Key: "tag-value", Values: []string{"dev"}}}}, "app/s1,app/s3"},
		{"description folds case", secretsmanager.ListSecretsInput{Filters: []secretsmanager.Filter{{Key: "description", Values: []string{"secret number 2"}}}}, "app/s2"},
		{"all", secretsmanager.ListSecretsInput{Filters: []secretsmanager.Filter{{Key: "all", Values: []string{"PROD"}}}}, "app/s4,app/s2,app/s0"},
	}
	for _, tc := range tests {
		if got := names(tc.in); got != tc.want {
			t.Errorf("%s: ListSecrets = %s; want %s", tc.name, got, tc.want)
		}
	}
	if _, err := s.ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: ptr(101)}); code(t, err) != "ValidationException" {
		t.Errorf("MaxResults 101 err = %v", err)
	}
	if _, err := s.ListSecrets(ctx, &secretsmanager.ListSecretsInput{NextToken: "%%"}); code(t, err) != "InvalidNextTokenException" {
		t.Errorf("bad token err = %v", err)
	}
	l, _ := s.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []secretsmanager.Filter{{Key: "name", Values: []string{"other"}}}})
	if len(l.SecretList) != 1 || len(l.SecretList[0].SecretVersionsToStages) != 1 {
		t.Errorf("list entry = %+v", l.SecretList)
	}
}

func TestTagsAndBatch(t *testing.T) {
	s, _ := newService(t, nil)
	a := create(t, s, "a", "va")
	create(t, s, "b", "vb")
	if _, err := s.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: &a.ARN, Tags: []secretsmanager.Tag{{Key: "k1", Value: "1"}, {Key: "k2", Value: "2"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: ptr("a"), Tags: []secretsmanager.Tag{{Key: "k1", Value: "one"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: ptr("a"), TagKeys: []string{"k2", "absent"}}); err != nil {
		t.Fatal(err)
	}
	d, _ := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("a")})
	if len(d.Tags) != 1 || d.Tags[0] != (secretsmanager.Tag{Key: "k1", Value: "one"}) {
		t.Errorf("tags = %+v", d.Tags)
	}
	if _, err := s.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: ptr("zz"), Tags: []secretsmanager.Tag{}}); code(t, err) != "ResourceNotFoundException" {
		t.Errorf("tag a missing secret err = %v", err)
	}

	out, err := s.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"a", "missing", "b"}})
	if err != nil || len(out.SecretValues) != 2 || *out.SecretValues[1].SecretString != "vb" || len(out.Errors) != 1 ||
		out.Errors[0].SecretId != "missing" || out.Errors[0].ErrorCode != "ResourceNotFoundException" {
		t.Fatalf("BatchGetSecretValue by id = %+v, %v", out, err)
	}
	out, err = s.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{Filters: []secretsmanager.Filter{{Key: "tag-key", Values: []string{"k1"}}}})
	if err != nil || len(out.SecretValues) != 1 || out.SecretValues[0].Name != "a" {
		t.Fatalf("BatchGetSecretValue by filter = %+v, %v", out, err)
	}
	if _, err := s.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{}); code(t, err) != "InvalidParameterException" {
		t.Errorf("batch with neither list nor filters err = %v", err)
	}
}

func TestRandomPassword(t *testing.T) {
	s, _ := newService(t, nil)
	p, err := s.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
	if err != nil || len(p.RandomPassword) != 32 || strings.Contains(p.RandomPassword, " ") {
		t.Fatalf("default password = %q, %v", p.RandomPassword, err)
	}
	p, err = s.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: ptr(int64(40)), ExcludePunctuation: true, ExcludeCharacters: "aA0"})
	if err != nil || !regexp.MustCompile(`^[b-zB-Z1-9]{40}$`).MatchString(p.RandomPassword) ||
		!regexp.MustCompile(`[a-z]`).MatchString(p.RandomPassword) || !regexp.MustCompile(`[0-9]`).MatchString(p.RandomPassword) {
		t.Fatalf("restricted password = %q, %v", p.RandomPassword, err)
	}
	if _, err := s.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: ptr(int64(4097))}); code(t, err) != "ValidationException" {
		t.Errorf("length 4097 err = %v", err)
	}
	if _, err := s.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true}); code(t, err) != "InvalidParameterException" {
		t.Errorf("nothing included err = %v", err)
	}
}

func TestDurable(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newService(t, st)
	out := create(t, s, "keep", "v1")
	if _, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("keep"), SecretString: ptr("v2")}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ = newService(t, st)
	v, err := getValue(s, out.ARN)
	if err != nil || *v.SecretString != "v2" {
		t.Fatalf("after reopen = %+v, %v", v, err)
	}
	prev, err := s.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: ptr("keep"), VersionStage: ptr("AWSPREVIOUS")})
	if err != nil || *prev.SecretString != "v1" {
		t.Fatalf("AWSPREVIOUS after reopen = %+v, %v", prev, err)
	}
}

func TestSweeperStops(t *testing.T) {
	s, _ := newService(t, nil)
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.Close(c); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestFirstVersionIsCurrent(t *testing.T) {
	s, _ := newService(t, nil)
	if _, err := s.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: ptr("later")}); err != nil {
		t.Fatal(err)
	}
	out, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("later"), SecretString: ptr("v"), VersionStages: []string{"AWSPENDING"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(out.VersionStages, "AWSCURRENT") || !slices.Contains(out.VersionStages, "AWSPENDING") {
		t.Errorf("PutSecretValue answered stages %v; want the stored AWSPENDING and AWSCURRENT", out.VersionStages)
	}
	v, err := getValue(s, "later")
	if err != nil || *v.SecretString != "v" || !slices.Contains(v.VersionStages, "AWSPENDING") || v.VersionId != out.VersionId {
		t.Fatalf("first version put as AWSPENDING: GetSecretValue = %+v, %v; want it AWSCURRENT too", v, err)
	}
}

func TestForceDeleteMissing(t *testing.T) {
	s, _ := newService(t, nil)
	out, err := s.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: ptr("never"), ForceDeleteWithoutRecovery: true})
	if err != nil || out.Name != "never" || !strings.HasPrefix(out.ARN, "arn:aws:secretsmanager:us-east-1:000000000000:secret:never-") {
		t.Fatalf("forced delete of a missing secret = %+v, %v; want success", out, err)
	}
}

func TestVersionRetention(t *testing.T) {
	s, clk := newService(t, nil)
	create(t, s, "busy", "v0")
	for i := 1; i <= 110; i++ {
		if _, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("busy"), SecretString: ptr(fmt.Sprint("v", i))}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		t.Helper()
		n := 0
		in := secretsmanager.ListSecretVersionIdsInput{SecretId: ptr("busy"), IncludeDeprecated: true}
		for {
			out, err := s.ListSecretVersionIds(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.Versions)
			if out.NextToken == "" {
				return n
			}
			in.NextToken = out.NextToken
		}
	}
	if n := count(); n != 111 {
		t.Fatalf("versions created within a day = %d; want all 111 kept", n)
	}
	clk.Advance(25 * time.Hour)
	if _, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("busy"), SecretString: ptr("late")}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 100 {
		t.Fatalf("versions a day later = %d; want 100", n)
	}
	if v, err := getValue(s, "busy"); err != nil || *v.SecretString != "late" {
		t.Fatalf("current = %+v, %v", v, err)
	}
}

// A rotation: the new value goes in as AWSPENDING, then AWSCURRENT moves to it.
func TestUpdateSecretVersionStage(t *testing.T) {
	s, _ := newService(t, nil)
	v1 := create(t, s, "rotating", "old").VersionId
	pending, err := s.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: ptr("rotating"), SecretString: ptr("new"), VersionStages: []string{"AWSPENDING"}})
	if err != nil {
		t.Fatal(err)
	}
	move := func(stage string, from, to *string) error {
		_, err := s.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: ptr("rotating"), VersionStage: &stage, RemoveFromVersionId: from, MoveToVersionId: to})
		return err
	}
	if err := move("AWSCURRENT", nil, &pending.VersionId); code(t, err) != "InvalidParameterException" {
		t.Fatalf("moving AWSCURRENT without RemoveFromVersionId err = %v", err)
	}
	if err := move("AWSCURRENT", &pending.VersionId, &pending.VersionId); code(t, err) != "InvalidParameterException" {
		t.Fatalf("RemoveFromVersionId naming the wrong version err = %v", err)
	}
	if err := move("AWSCURRENT", &v1, &pending.VersionId); err != nil {
		t.Fatal(err)
	}
	if err := move("AWSPENDING", &pending.VersionId, nil); err != nil {
		t.Fatal(err)
	}
	d, err := s.DescribeSecret(ctx, &secretsmanager.SecretIDInput{SecretId: ptr("rotating")})
	if err != nil || strings.Join(d.VersionIdsToStages[pending.VersionId], ",") != "AWSCURRENT" || strings.Join(d.VersionIdsToStages[v1], ",") != "AWSPREVIOUS" {
		t.Fatalf("stages after rotation = %v, %v", d.VersionIdsToStages, err)
	}
	if v, _ := getValue(s, "rotating"); *v.SecretString != "new" {
		t.Errorf("AWSCURRENT = %q; want new", *v.SecretString)
	}
	if err := move("AWSCURRENT", &pending.VersionId, nil); code(t, err) != "InvalidParameterException" {
		t.Errorf("removing AWSCURRENT err = %v", err)
	}
	missing := "nope-nope-nope-nope-nope-nope-nope"
	if err := move("X", nil, &missing); code(t, err) != "ResourceNotFoundException" {
		t.Errorf("moving to a missing version err = %v", err)
	}
}
