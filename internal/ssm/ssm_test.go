package ssm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/ssm"
	"tenkai/internal/store"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T, st store.Store) (*ssm.Service, *clock.Fake) {
	t.Helper()
	if st == nil {
		st = store.NewMem()
	}
	clk := clock.NewFake(t0)
	return ssm.New(ssm.Config{Store: st, Clock: clk}), clk
}

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

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

func put(t *testing.T, s *ssm.Service, name, typ, value string, overwrite bool) int64 {
	t.Helper()
	out, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: &name, Value: &value, Type: typ, Overwrite: overwrite})
	if err != nil {
		t.Fatalf("PutParameter(%s): %v", name, err)
	}
	return out.Version
}

func get(s *ssm.Service, name string, decrypt bool) (ssm.Parameter, error) {
	out, err := s.GetParameter(ctx, &ssm.GetParameterInput{Name: &name, WithDecryption: decrypt})
	if err != nil {
		return ssm.Parameter{}, err
	}
	return out.Parameter, nil
}

func TestVersionsAndSelectors(t *testing.T) {
	s, clk := newService(t, nil)
	if v := put(t, s, "/app/db/host", "String", "one", false); v != 1 {
		t.Fatalf("first version = %d; want 1", v)
	}
	_, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: ptr("/app/db/host"), Value: ptr("x"), Type: "String"})
	if c := code(t, err); c != "ParameterAlreadyExists" {
		t.Fatalf("put without overwrite = %v; want ParameterAlreadyExists", err)
	}
	clk.Advance(time.Minute)
	if v := put(t, s, "/app/db/host", "", "two", true); v != 2 {
		t.Fatalf("overwrite version = %d; want 2", v)
	}
	p, err := get(s, "/app/db/host", false)
	if err != nil || p.Value != "two" || p.Version != 2 || p.Type != "String" || p.Selector != "" ||
		p.ARN != "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host" || p.DataType != "text" ||
		!time.Time(p.LastModifiedDate).Equal(t0.Add(time.Minute)) {
		t.Fatalf("GetParameter = %+v, %v", p, err)
	}
	p, err = get(s, "/app/db/host:1", false)
	if err != nil || p.Value != "one" || p.Version != 1 || p.Selector != ":1" || p.Name != "/app/db/host" {
		t.Fatalf("GetParameter(:1) = %+v, %v", p, err)
	}
	if _, err := get(s, "/app/db/host:7", false); code(t, err) != "ParameterVersionNotFound" {
		t.Fatalf("GetParameter(:7) err = %v; want ParameterVersionNotFound", err)
	}
	if _, err := get(s, "/app/db/host:prod", false); code(t, err) != "ParameterVersionNotFound" {
		t.Fatalf("GetParameter(:prod) before labelling err = %v", err)
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: ptr("/app/db/host"), ParameterVersion: ptr(int64(1)), Labels: []string{"prod"}}); err != nil {
		t.Fatal(err)
	}
	p, err = get(s, "/app/db/host:prod", false)
	if err != nil || p.Value != "one" || p.Selector != ":prod" {
		t.Fatalf("GetParameter(:prod) = %+v, %v", p, err)
	}
	if _, err := get(s, "/app/missing", false); code(t, err) != "ParameterNotFound" {
		t.Fatalf("missing parameter err = %v; want ParameterNotFound", err)
	}
	p, err = get(s, "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host:1", false)
	if err != nil || p.Value != "one" {
		t.Fatalf("GetParameter by ARN = %+v, %v", p, err)
	}

	gp, err := s.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/db/host", "/nope", "/app/db/host:9", "/app/db/host:1"}})
	if err != nil || len(gp.Parameters) != 2 || gp.Parameters[1].Value != "one" ||
		strings.Join(gp.InvalidParameters, ",") != "/nope,/app/db/host:9" {
		t.Fatalf("GetParameters = %+v, %v", gp, err)
	}
	if _, err := s.GetParameters(ctx, &ssm.GetParametersInput{Names: make([]string, 11)}); code(t, err) != "ValidationException" {
		t.Fatalf("11 names err = %v", err)
	}

	h, err := s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: ptr("/app/db/host"), MaxResults: ptr(1)})
	if err != nil || len(h.Parameters) != 1 || h.Parameters[0].Version != 1 || h.Parameters[0].Labels[0] != "prod" || h.NextToken == "" {
		t.Fatalf("history page 1 = %+v, %v", h, err)
	}
	h, err = s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: ptr("/app/db/host"), NextToken: h.NextToken})
	if err != nil || len(h.Parameters) != 1 || h.Parameters[0].Value != "two" || h.NextToken != "" {
		t.Fatalf("history page 2 = %+v, %v", h, err)
	}

	if _, err := s.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: ptr("/app/db/host")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: ptr("/app/db/host")}); code(t, err) != "ParameterNotFound" {
		t.Fatalf("second delete err = %v", err)
	}
	// A deleted parameter starts again at version 1.
	if v := put(t, s, "/app/db/host", "String", "again", false); v != 1 {
		t.Fatalf("recreated version = %d", v)
	}
}

func TestNameRules(t *testing.T) {
	deep := strings.Repeat("/l", 15)
	room := 1011 - len("arn:aws:ssm:us-east-1:000000000000:parameter/")
	tests := []struct {
		name string
		want string // error code; "" for success
	}{
		{"plain", ""},
		{"/a/b-c/d_e.f", ""},
		{deep, ""},
		{deep + "/x", "HierarchyLevelLimitExceededException"},
		{"a/b", "ValidationException"},
		{"/a//b", "ValidationException"},
		{"/a/b/", "ValidationException"},
		{"has space", "ValidationException"},
		{"awsThing", "ValidationException"},
		{"/AWS/x", "ValidationException"},
		{"/ssm/x", "ValidationException"},
		{"SSM", "ValidationException"},
		{"/app/awsok", ""},
		{"bad@char", "ValidationException"},
		{strings.Repeat("n", 2049), "ValidationException"},
		{strings.Repeat("n", room), ""},
		{"/" + strings.Repeat("n", room), ""}, // the ARN does not double the slash
		{strings.Repeat("m", room+1), "ValidationException"},
		{"  trimmed  ", ""},
	}
	s, _ := newService(t, nil)
	for _, tc := range tests {
		_, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: ptr(tc.name), Value: ptr("v"), Type: "String"})
		if got := code(t, err); got != tc.want {
			t.Errorf("PutParameter(%.40q) = %q (%v); want %q", tc.name, got, err, tc.want)
		}
	}
	// AWS drops the spaces around a name.
	if p, err := get(s, " trimmed", false); err != nil || p.Name != "trimmed" {
		t.Errorf("GetParameter(\" trimmed\") = %+v, %v", p, err)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		name    string
		version int64
		label   string
		bad     bool
	}{
		{in: "a", name: "a"},
		{in: "/a/b:3", name: "/a/b", version: 3},
		{in: "/a/b:prod", name: "/a/b", label: "prod"},
		{in: "arn:aws:ssm:us-east-1:123456789012:parameter/a/b", name: "/a/b"},
		{in: "arn:aws:ssm:us-east-1:123456789012:parameter/a:2", name: "a", version: 2},
		{in: "/a:0", bad: true},
		{in: "/a:", bad: true},
		{in: "/a:1:2", bad: true},
		{in: "arn:aws:ssm:us-east-1:1:document/a", bad: true},
		{in: "", bad: true},
	}
	for _, tc := range tests {
		r, err := ssm.ParseRef(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseRef(%q) = %+v; want an error", tc.in, r)
			}
			continue
		}
		if err != nil || r.Name != tc.name || r.Version != tc.version || r.Label != tc.label {
			t.Errorf("ParseRef(%q) = %+v, %v; want {%s %d %s}", tc.in, r, err, tc.name, tc.version, tc.label)
		}
	}
}

// TestOneLevelARN: "parameter/a" is the ARN of both "a" and "/a", so it
// finds whichever exists (the plain name first).
func TestOneLevelARN(t *testing.T) {
	s, _ := newService(t, nil)
	put(t, s, "/slashed", "String", "s", false)
	put(t, s, "plain", "String", "p", false)
	for _, name := range []string{"/slashed", "plain"} {
		p, err := get(s, name, false)
		if err != nil {
			t.Fatal(err)
		}
		back, err := get(s, p.ARN, false)
		if err != nil || back.Name != name || back.Value != p.Value {
			t.Errorf("GetParameter(%s) = %+v, %v; want %s", p.ARN, back, err, name)
		}
	}
	if _, err := get(s, "arn:aws:ssm:us-east-1:123456789012:parameter/none", false); code(t, err) != "ParameterNotFound" {
		t.Errorf("missing one-level ARN: %v; want ParameterNotFound", err)
	}
}

func TestPutRules(t *testing.T) {
	s, _ := newService(t, nil)
	tests := []struct {
		name string
		in   ssm.PutParameterInput
		want string
	}{
		{"no type on create", ssm.PutParameterInput{Name: ptr("x1"), Value: ptr("v")}, "ValidationException"},
		{"bad type", ssm.PutParameterInput{Name: ptr("x2"), Value: ptr("v"), Type: "Number"}, "ValidationException"},
		{"empty value", ssm.PutParameterInput{Name: ptr("x3"), Value: ptr(""), Type: "String"}, "ValidationException"},
		{"missing value", ssm.PutParameterInput{Name: ptr("x3")}, "ValidationException"},
		{"pattern mismatch", ssm.PutParameterInput{Name: ptr("x4"), Value: ptr("abc"), Type: "String", AllowedPattern: ptr(`\d+`)}, "ParameterPatternMismatchException"},
		{"pattern match", ssm.PutParameterInput{Name: ptr("x5"), Value: ptr("123"), Type: "String", AllowedPattern: ptr(`\d+`)}, ""},
		{"bad pattern", ssm.PutParameterInput{Name: ptr("x6"), Value: ptr("1"), Type: "String", AllowedPattern: ptr(`(`)}, "InvalidAllowedPatternException"},
		{"standard too big", ssm.PutParameterInput{Name: ptr("x7"), Value: ptr(strings.Repeat("a", 4097)), Type: "String"}, "ValidationException"},
		{"advanced fits", ssm.PutParameterInput{Name: ptr("x8"), Value: ptr(strings.Repeat("a", 8192)), Type: "String", Tier: "Advanced"}, ""},
		{"advanced too big", ssm.PutParameterInput{Name: ptr("x9"), Value: ptr(strings.Repeat("a", 8193)), Type: "String", Tier: "Advanced"}, "ValidationException"},
		{"key id on String", ssm.PutParameterInput{Name: ptr("x10"), Value: ptr("v"), Type: "String", KeyId: "alias/k"}, "ValidationException"},
		{"nested parameter", ssm.PutParameterInput{Name: ptr("x13"), Value: ptr("a{{ssm:/other}}"), Type: "String"}, "ValidationException"},
		{"braces alone", ssm.PutParameterInput{Name: ptr("x14"), Value: ptr("}} then {{"), Type: "String"}, ""},
		{"bad data type", ssm.PutParameterInput{Name: ptr("x11"), Value: ptr("v"), Type: "String", DataType: "json"}, "ValidationException"},
		{"tags with overwrite", ssm.PutParameterInput{Name: ptr("x12"), Value: ptr("v"), Type: "String", Overwrite: true, Tags: []ssm.Tag{{Key: "k", Value: "v"}}}, "ValidationException"},
	}
	for _, tc := range tests {
		in := tc.in
		_, err := s.PutParameter(ctx, &in)
		if got := code(t, err); got != tc.want {
			t.Errorf("%s: PutParameter = %q (%v); want %q", tc.name, got, err, tc.want)
		}
	}
	// The pattern stays with the parameter: a later value must match it too.
	_, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: ptr("x5"), Value: ptr("nope"), Overwrite: true})
	if code(t, err) != "ParameterPatternMismatchException" {
		t.Errorf("overwrite against the kept pattern = %v", err)
	}
	// Intelligent-Tiering picks Advanced for a large value, and an Advanced
	// parameter is never downgraded.
	out, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: ptr("big"), Value: ptr(strings.Repeat("b", 5000)), Type: "String", Tier: "Intelligent-Tiering"})
	if err != nil || out.Tier != "Advanced" {
		t.Fatalf("intelligent tiering = %+v, %v", out, err)
	}
	_, err = s.PutParameter(ctx, &ssm.PutParameterInput{Name: ptr("big"), Value: ptr("small"), Overwrite: true, Tier: "Standard"})
	if code(t, err) != "ValidationException" {
		t.Errorf("downgrade err = %v", err)
	}
}

func TestSecureString(t *testing.T) {
	s, _ := newService(t, nil)
	put(t, s, "/app/secret", "SecureString", "hunter2", false)
	enc, err := get(s, "/app/secret", false)
	if err != nil || enc.Value == "hunter2" || strings.Contains(enc.Value, "hunter2") || enc.Type != "SecureString" {
		t.Fatalf("GetParameter without decryption = %+v, %v", enc, err)
	}
	again, _ := get(s, "/app/secret", false)
	if again.Value != enc.Value {
		t.Errorf("ciphertext changed between reads: %q then %q", enc.Value, again.Value)
	}
	dec, err := get(s, "/app/secret", true)
	if err != nil || dec.Value != "hunter2" {
		t.Fatalf("GetParameter with decryption = %+v, %v", dec, err)
	}
	d, err := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil || len(d.Parameters) != 1 || d.Parameters[0].KeyId != "alias/aws/ssm" {
		t.Fatalf("DescribeParameters = %+v, %v", d, err)
	}
	h, _ := s.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: ptr("/app/secret")})
	if h.Parameters[0].Value == "hunter2" {
		t.Errorf("history shows the plain SecureString value without WithDecryption")
	}
}

func TestByPath(t *testing.T) {
	s, _ := newService(t, nil)
	for i := range 23 {
		put(t, s, fmt.Sprintf("/svc/p%02d", i), "String", fmt.Sprint(i), false)
	}
	put(t, s, "/svc/deep/x", "SecureString", "sx", false)
	put(t, s, "/svc/deep/more/y", "StringList", "a,b", false)
	put(t, s, "/svcother", "String", "no", false)
	put(t, s, "plain", "String", "no", false)

	collect := func(in ssm.GetParametersByPathInput) []string {
		t.Helper()
		var names []string
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("pagination does not end")
			}
			out, err := s.GetParametersByPath(ctx, &in)
			if err != nil {
				t.Fatalf("GetParametersByPath(%s): %v", *in.Path, err)
			}
			if len(out.Parameters) > 10 {
				t.Fatalf("page of %d parameters; want at most 10", len(out.Parameters))
			}
			for _, p := range out.Parameters {
				names = append(names, p.Name)
			}
			if out.NextToken == "" {
				return names
			}
			in.NextToken = out.NextToken
		}
	}
	if got := collect(ssm.GetParametersByPathInput{Path: ptr("/svc")}); len(got) != 23 || got[0] != "/svc/p00" || got[22] != "/svc/p22" {
		t.Errorf("one level under /svc = %v", got)
	}
	if got := collect(ssm.GetParametersByPathInput{Path: ptr("/svc/"), Recursive: true}); len(got) != 25 {
		t.Errorf("recursive under /svc/ = %d names %v; want 25", len(got), got)
	}
	if got := collect(ssm.GetParametersByPathInput{Path: ptr("/svc"), Recursive: true, MaxResults: ptr(3),
		ParameterFilters: []ssm.Filter{{Key: ptr("Type"), Values: []string{"SecureString", "StringList"}}}}); strings.Join(got, ",") != "/svc/deep/more/y,/svc/deep/x" {
		t.Errorf("type filter = %v", got)
	}
	// A name without a slash is at the root too, as AWS lists it under "/".
	if got := collect(ssm.GetParametersByPathInput{Path: ptr("/")}); strings.Join(got, ",") != "/svcother,plain" {
		t.Errorf("one level under / = %v; want /svcother and plain", got)
	}
	if got := collect(ssm.GetParametersByPathInput{Path: ptr("/"), Recursive: true, MaxResults: ptr(4)}); len(got) != 27 {
		t.Errorf("everything under / = %d names %v; want 27", len(got), got)
	}
	for _, tc := range []struct {
		in   ssm.GetParametersByPathInput
		want string
	}{
		{ssm.GetParametersByPathInput{Path: ptr("svc")}, "ValidationException"},
		{ssm.GetParametersByPathInput{Path: ptr("/svc"), MaxResults: ptr(11)}, "ValidationException"},
		{ssm.GetParametersByPathInput{Path: ptr("/svc"), MaxResults: ptr(0)}, "ValidationException"},
		{ssm.GetParametersByPathInput{Path: ptr("/svc"), ParameterFilters: []ssm.Filter{{Key: ptr("Name"), Values: []string{"x"}}}}, "InvalidFilterKey"},
		{ssm.GetParametersByPathInput{Path: ptr("/svc"), NextToken: "!!"}, "InvalidNextToken"},
	} {
		in := tc.in
		if _, err := s.GetParametersByPath(ctx, &in); code(t, err) != tc.want {
			t.Errorf("GetParametersByPath(%+v) = %v; want %s", tc.in, err, tc.want)
		}
	}
}

func TestDescribeFilters(t *testing.T) {
	s, _ := newService(t, nil)
	for i := range 60 {
		put(t, s, fmt.Sprintf("/d/n%02d", i), "String", "v", false)
	}
	put(t, s, "/e/secret", "SecureString", "v", false)
	put(t, s, "/e/deeper/one", "String", "v", false)
	if _, err := s.AddTagsToResource(ctx, &ssm.TagsInput{ResourceType: ptr("Parameter"), ResourceId: ptr("/e/secret"), Tags: []ssm.Tag{{Key: "team", Value: "red"}}}); err != nil {
		t.Fatal(err)
	}
	names := func(in ssm.DescribeParametersInput) []string {
		t.Helper()
		var out []string
		for {
			d, err := s.DescribeParameters(ctx, &in)
			if err != nil {
				t.Fatalf("DescribeParameters: %v", err)
			}
			for _, p := range d.Parameters {
				out = append(out, p.Name)
			}
			if d.NextToken == "" {
				return out
			}
			in.NextToken = d.NextToken
		}
	}
	first, err := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil || len(first.Parameters) != 50 || first.NextToken == "" {
		t.Fatalf("first page: %d parameters, token %q, %v", len(first.Parameters), first.NextToken, err)
	}
	if got := names(ssm.DescribeParametersInput{}); len(got) != 62 {
		t.Errorf("all pages = %d names; want 62", len(got))
	}
	tests := []struct {
		name string
		in   ssm.DescribeParametersInput
		want string
	}{
		{"type", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Type"), Values: []string{"SecureString"}}}}, "/e/secret"},
		{"legacy type", ssm.DescribeParametersInput{Filters: []ssm.LegacyFilter{{Key: "Type", Values: []string{"SecureString"}}}}, "/e/secret"},
		{"key id", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("KeyId"), Values: []string{"alias/aws/ssm"}}}}, "/e/secret"},
		{"path one level", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Path"), Values: []string{"/e"}}}}, "/e/secret"},
		{"path recursive", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Path"), Option: "Recursive", Values: []string{"/e"}}}}, "/e/deeper/one,/e/secret"},
		{"name begins", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Name"), Option: "BeginsWith", Values: []string{"/d/n5"}}}}, "/d/n50,/d/n51,/d/n52,/d/n53,/d/n54,/d/n55,/d/n56,/d/n57,/d/n58,/d/n59"},
		{"name contains", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Name"), Option: "Contains", Values: []string{"deeper"}}}}, "/e/deeper/one"},
		{"name equals", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Name"), Values: []string{"/d/n07"}}}}, "/d/n07"},
		{"tag", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("tag:team"), Values: []string{"red"}}}}, "/e/secret"},
		{"tag key only", ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("tag:team")}}}, "/e/secret"},
	}
	for _, tc := range tests {
		if got := strings.Join(names(tc.in), ","); got != tc.want {
			t.Errorf("%s: DescribeParameters = %s; want %s", tc.name, got, tc.want)
		}
	}
	if _, err := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{MaxResults: ptr(51)}); code(t, err) != "ValidationException" {
		t.Errorf("MaxResults 51 err = %v", err)
	}
	if _, err := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Label"), Values: []string{"x"}}}}); code(t, err) != "InvalidFilterKey" {
		t.Errorf("Label filter err = %v", err)
	}
	if _, err := s.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []ssm.Filter{{Key: ptr("Type"), Option: "Contains", Values: []string{"x"}}}}); code(t, err) != "InvalidFilterOption" {
		t.Errorf("Contains on Type err = %v", err)
	}
}

func TestLabels(t *testing.T) {
	s, _ := newService(t, nil)
	put(t, s, "/l", "String", "1", false)
	put(t, s, "/l", "String", "2", true)
	out, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: ptr("/l"), ParameterVersion: ptr(int64(1)), Labels: []string{"live", "1bad", "awsx", "ok.too"}})
	if err != nil || out.ParameterVersion != 1 || strings.Join(out.InvalidLabels, ",") != "1bad,awsx" {
		t.Fatalf("LabelParameterVersion = %+v, %v", out, err)
	}
	// Without a version the label goes to the current one, moving from version 1.
	out, err = s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: ptr("/l"), Labels: []string{"live"}})
	if err != nil || out.ParameterVersion != 2 {
		t.Fatalf("relabel = %+v, %v", out, err)
	}
	if p, err := get(s, "/l:live", false); err != nil || p.Value != "2" {
		t.Fatalf("/l:live = %+v, %v", p, err)
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: ptr("/l"), ParameterVersion: ptr(int64(5)), Labels: []string{"x"}}); code(t, err) != "ParameterVersionNotFound" {
		t.Errorf("label version 5 err = %v", err)
	}
	labels := make([]string, 10)
	for i := range labels {
		labels[i] = fmt.Sprintf("l%d", i)
	}
	if _, err := s.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: ptr("/l"), ParameterVersion: ptr(int64(2)), Labels: labels}); code(t, err) != "ParameterVersionLabelLimitExceeded" {
		t.Errorf("eleventh label err = %v", err)
	}
	un, err := s.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: ptr("/l"), ParameterVersion: ptr(int64(2)), Labels: []string{"live", "ok.too"}})
	if err != nil || strings.Join(un.RemovedLabels, ",") != "live" || strings.Join(un.InvalidLabels, ",") != "ok.too" {
		t.Fatalf("UnlabelParameterVersion = %+v, %v", un, err)
	}
	if _, err := get(s, "/l:live", false); code(t, err) != "ParameterVersionNotFound" {
		t.Errorf("/l:live after unlabel err = %v", err)
	}
}

func TestTags(t *testing.T) {
	s, _ := newService(t, nil)
	_, err := s.PutParameter(ctx, &ssm.PutParameterInput{Name: ptr("/t"), Value: ptr("v"), Type: "String", Tags: []ssm.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	list := func() string {
		t.Helper()
		out, err := s.ListTagsForResource(ctx, &ssm.TagsInput{ResourceType: ptr("Parameter"), ResourceId: ptr("/t")})
		if err != nil {
			t.Fatal(err)
		}
		var kv []string
		for _, tg := range *out.TagList {
			kv = append(kv, tg.Key+"="+tg.Value)
		}
		return strings.Join(kv, ",")
	}
	if got := list(); got != "a=1,b=2" {
		t.Errorf("tags on create = %s", got)
	}
	if _, err := s.AddTagsToResource(ctx, &ssm.TagsInput{ResourceType: ptr("Parameter"), ResourceId: ptr("/t"), Tags: []ssm.Tag{{Key: "a", Value: "9"}, {Key: "c", Value: "3"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveTagsFromResource(ctx, &ssm.TagsInput{ResourceType: ptr("Parameter"), ResourceId: ptr("/t"), TagKeys: []string{"b", "zz"}}); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "a=9,c=3" {
		t.Errorf("tags after add and remove = %s", got)
	}
	put(t, s, "/t", "String", "w", true)
	if got := list(); got != "a=9,c=3" {
		t.Errorf("tags after overwrite = %s", got)
	}
	if _, err := s.ListTagsForResource(ctx, &ssm.TagsInput{ResourceType: ptr("Parameter"), ResourceId: ptr("/nope")}); code(t, err) != "InvalidResourceId" {
		t.Errorf("tags of a missing parameter err = %v", err)
	}
	if _, err := s.ListTagsForResource(ctx, &ssm.TagsInput{ResourceType: ptr("Document"), ResourceId: ptr("/t")}); code(t, err) != "InvalidResourceType" {
		t.Errorf("tags of a Document err = %v", err)
	}
}

func TestAccountsAndRegions(t *testing.T) {
	s, _ := newService(t, nil)
	west := edge.WithMeta(ctx, &edge.Meta{Account: "111111111111", Region: "us-west-2"})
	if _, err := s.PutParameter(west, &ssm.PutParameterInput{Name: ptr("/r"), Value: ptr("west"), Type: "String"}); err != nil {
		t.Fatal(err)
	}
	if _, err := get(s, "/r", false); code(t, err) != "ParameterNotFound" {
		t.Errorf("another account's parameter is visible: %v", err)
	}
	out, err := s.GetParameter(west, &ssm.GetParameterInput{Name: ptr("/r")})
	if err != nil || out.Parameter.ARN != "arn:aws:ssm:us-west-2:111111111111:parameter/r" {
		t.Fatalf("GetParameter in us-west-2 = %+v, %v", out, err)
	}
}

func TestDeleteParameters(t *testing.T) {
	s, _ := newService(t, nil)
	put(t, s, "a", "String", "1", false)
	put(t, s, "b", "String", "1", false)
	out, err := s.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: []string{"a", "nope", "b", "a"}})
	if err != nil || strings.Join(out.DeletedParameters, ",") != "a,b" || strings.Join(out.InvalidParameters, ",") != "nope" {
		t.Fatalf("DeleteParameters = %+v, %v", out, err)
	}
}

func TestDurable(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newService(t, st)
	put(t, s, "/keep", "SecureString", "v1", false)
	put(t, s, "/keep", "SecureString", "v2", true)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ = newService(t, st)
	p, err := get(s, "/keep:1", true)
	if err != nil || p.Value != "v1" || p.Type != "SecureString" {
		t.Fatalf("after reopen /keep:1 = %+v, %v", p, err)
	}
	if v := put(t, s, "/keep", "", "v3", true); v != 3 {
		t.Errorf("version after reopen = %d; want 3", v)
	}
}
