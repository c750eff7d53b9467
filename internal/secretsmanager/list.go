package secretsmanager

import (
	"cmp"
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Description is a secret's metadata as DescribeSecret returns it, and, with
// SecretVersionsToStages instead of VersionIdsToStages, as ListSecrets does.
type Description struct {
	ARN                    string
	Name                   string
	Description            string `json:",omitempty"`
	KmsKeyId               string `json:",omitempty"`
	LastChangedDate        edge.Epoch
	DeletedDate            *edge.Epoch         `json:",omitempty"`
	Tags                   []Tag               `json:",omitempty"`
	VersionIdsToStages     map[string][]string `json:",omitempty"`
	SecretVersionsToStages map[string][]string `json:",omitempty"`
	CreatedDate            edge.Epoch
}

func describe(sec *secret) Description {
	d := Description{ARN: sec.ARN, Name: sec.Name, Description: sec.Description, KmsKeyId: sec.KmsKeyID,
		LastChangedDate: edge.Epoch(sec.Changed), Tags: sec.Tags, CreatedDate: edge.Epoch(sec.Created)}
	if sec.Deleted != nil {
		at := edge.Epoch(*sec.Deleted)
		d.DeletedDate = &at
	}
	return d
}

// DescribeSecret returns a secret's metadata, also while it is scheduled
// for deletion.
func (s *Service) DescribeSecret(ctx context.Context, in *SecretIDInput) (*Description, error) {
	m := edge.MetaFrom(ctx)
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	var out Description
	err := s.st.View(func(tx store.Tx) error {
		sec, err := lookup(tx, m.Account, m.Region, *in.SecretId, s.clk.Now())
		if err != nil {
			return err
		}
		out = describe(sec)
		out.VersionIdsToStages = sec.stagesMap()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Filter is a ListSecrets or BatchGetSecretValue filter.
type Filter struct {
	Key    string
	Values []string
}

// ListSecretsInput is the ListSecrets request.
type ListSecretsInput struct {
	IncludePlannedDeletion bool
	MaxResults             *int
	NextToken              string
	Filters                []Filter
	SortOrder              string
	SortBy                 string
}

// ListSecretsOutput is the ListSecrets answer.
type ListSecretsOutput struct {
	SecretList []Description
	NextToken  string `json:",omitempty"`
}

// ListSecrets lists secrets' metadata, newest first unless SortBy and
// SortOrder say otherwise, up to 100 a page. Secrets scheduled for deletion
// are left out unless IncludePlannedDeletion.
func (s *Service) ListSecrets(ctx context.Context, in *ListSecretsInput) (*ListSecretsOutput, error) {
	m := edge.MetaFrom(ctx)
	limit, err := pageSize(in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	start, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	match, err := compileFilters(in.Filters)
	if err != nil {
		return nil, err
	}
	var secs []*secret
	err = s.st.View(func(tx store.Tx) error {
		secs, err = all(tx, m.Account, m.Region, s.clk.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	secs = slices.DeleteFunc(secs, func(sec *secret) bool { return sec.Deleted != nil && !in.IncludePlannedDeletion || !match(sec) })
	if err := sortSecrets(secs, in.SortBy, in.SortOrder); err != nil {
		return nil, err
	}
	secs, next := page(secs, start, limit)
	out := ListSecretsOutput{SecretList: make([]Description, len(secs)), NextToken: next}
	for i, sec := range secs {
		out.SecretList[i] = describe(sec)
		out.SecretList[i].SecretVersionsToStages = sec.stagesMap()
	}
	return &out, nil
}

func sortSecrets(secs []*secret, by, order string) error {
	var key func(a, b *secret) int
	switch by {
	case "", "created-date", "last-accessed-date":
		key = func(a, b *secret) int { return a.Created.Compare(b.Created) }
	case "last-changed-date":
		key = func(a, b *secret) int { return a.Changed.Compare(b.Changed) }
	case "name":
		key = func(a, b *secret) int { return strings.Compare(a.Name, b.Name) }
	default:
		return errConstraint(by, "sortBy", "Member must satisfy enum value set: [name, last-changed-date, last-accessed-date, created-date]")
	}
	desc := false
	switch order {
	case "", "desc":
		desc = true
	case "asc":
	default:
		return errConstraint(order, "sortOrder", "Member must satisfy enum value set: [asc, desc]")
	}
	slices.SortStableFunc(secs, func(a, b *secret) int {
		c := cmp.Or(key(a, b), strings.Compare(a.Name, b.Name))
		if desc {
			return -c
		}
		return c
	})
	return nil
}

// compileFilters builds a matcher: every filter must match, a filter matches
// when any of its values does, and a value starting with "!" matches when
// its rest does not. Matching is by prefix, case-insensitive for
// description and all.
func compileFilters(fs []Filter) (func(*secret) bool, error) {
	type test func(*secret, string) bool
	prefixAny := func(fold bool, fields func(*secret) []string) test {
		return func(sec *secret, v string) bool {
			for _, f := range fields(sec) {
				if fold && strings.HasPrefix(strings.ToLower(f), strings.ToLower(v)) || !fold && strings.HasPrefix(f, v) {
					return true
				}
			}
			return false
		}
	}
	tagKeys := func(sec *secret) []string {
		var out []string
		for _, t := range sec.Tags {
			out = append(out, t.Key)
		}
		return out
	}
	tagValues := func(sec *secret) []string {
		var out []string
		for _, t := range sec.Tags {
			out = append(out, t.Value)
		}
		return out
	}
	var tests []func(*secret) bool
	for _, f := range fs {
		var t test
		switch f.Key {
		case "name":
			t = prefixAny(false, func(sec *secret) []string { return []string{sec.Name} })
		case "description":
			t = prefixAny(true, func(sec *secret) []string { return []string{sec.Description} })
		case "tag-key":
			t = prefixAny(false, tagKeys)
		case "tag-value":
			t = prefixAny(false, tagValues)
		case "primary-region", "owning-service":
			t = func(*secret, string) bool { return false } // no replicas or managed secrets here
		case "all":
			t = prefixAny(true, func(sec *secret) []string {
				return append(append(append(strings.Fields(sec.Name), strings.Fields(sec.Description)...), tagKeys(sec)...), tagValues(sec)...)
			})
		default:
			return nil, errConstraint(f.Key, "filters.member.key", "Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]")
		}
		if len(f.Values) < 1 || len(f.Values) > 10 {
			return nil, errParam("Invalid filter values for key %s.", f.Key)
		}
		vals := f.Values
		tests = append(tests, func(sec *secret) bool {
			for _, v := range vals {
				if neg, ok := strings.CutPrefix(v, "!"); ok {
					if !t(sec, neg) {
						return true
					}
				} else if t(sec, v) {
					return true
				}
			}
			return false
		})
	}
	return func(sec *secret) bool {
		for _, t := range tests {
			if !t(sec) {
				return false
			}
		}
		return true
	}, nil
}

// ListSecretVersionIdsInput is the ListSecretVersionIds request.
type ListSecretVersionIdsInput struct {
	SecretId          *string
	MaxResults        *int
	NextToken         string
	IncludeDeprecated bool
}

// VersionEntry is one version as ListSecretVersionIds lists it.
type VersionEntry struct {
	VersionId     string
	VersionStages []string
	CreatedDate   edge.Epoch
}

// ListSecretVersionIdsOutput is the ListSecretVersionIds answer.
type ListSecretVersionIdsOutput struct {
	Versions  []VersionEntry
	NextToken string `json:",omitempty"`
	ARN       string
	Name      string
}

// ListSecretVersionIds lists a secret's versions, newest first; versions
// without labels only with IncludeDeprecated.
func (s *Service) ListSecretVersionIds(ctx context.Context, in *ListSecretVersionIdsInput) (*ListSecretVersionIdsOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	limit, err := pageSize(in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	start, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	var sec *secret
	err = s.st.View(func(tx store.Tx) error {
		sec, err = lookup(tx, m.Account, m.Region, *in.SecretId, s.clk.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	vs := []VersionEntry{}
	for i := len(sec.Versions) - 1; i >= 0; i-- {
		v := sec.Versions[i]
		if len(v.Stages) > 0 || in.IncludeDeprecated {
			vs = append(vs, VersionEntry{VersionId: v.ID, VersionStages: v.Stages, CreatedDate: edge.Epoch(v.Created)})
		}
	}
	out := ListSecretVersionIdsOutput{ARN: sec.ARN, Name: sec.Name}
	out.Versions, out.NextToken = page(vs, start, limit)
	return &out, nil
}

// BatchGetSecretValueInput is the BatchGetSecretValue request.
type BatchGetSecretValueInput struct {
	SecretIdList []string
	Filters      []Filter
	MaxResults   *int
	NextToken    string
}

// BatchError is one secret BatchGetSecretValue could not read.
type BatchError struct {
	SecretId  string
	ErrorCode string
	Message   string
}

// BatchGetSecretValueOutput is the BatchGetSecretValue answer.
type BatchGetSecretValueOutput struct {
	SecretValues []SecretValue
	NextToken    string `json:",omitempty"`
	Errors       []BatchError
}

// BatchGetSecretValue returns the AWSCURRENT values of up to 20 secrets
// named in SecretIdList, or of the secrets Filters match, a page at a time.
// A secret it cannot read is reported in Errors, not as a failure.
func (s *Service) BatchGetSecretValue(ctx context.Context, in *BatchGetSecretValueInput) (*BatchGetSecretValueOutput, error) {
	m := edge.MetaFrom(ctx)
	if (in.SecretIdList == nil) == (in.Filters == nil) {
		return nil, errParam("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	}
	if len(in.SecretIdList) > 20 {
		return nil, errConstraint(in.SecretIdList, "secretIdList", "Member must have length less than or equal to 20")
	}
	if in.SecretIdList != nil && in.MaxResults != nil {
		return nil, errParam("'MaxResults' is only valid when 'Filters' is provided.")
	}
	out := BatchGetSecretValueOutput{SecretValues: []SecretValue{}, Errors: []BatchError{}}
	now := s.clk.Now()
	if in.SecretIdList != nil {
		err := s.st.View(func(tx store.Tx) error {
			for _, id := range in.SecretIdList {
				sec, err := lookup(tx, m.Account, m.Region, id, now)
				var v *SecretValue
				if err == nil {
					v, err = value(sec, nil, nil)
				}
				if err != nil {
					e, ok := err.(*edge.Error)
					if !ok {
						return err
					}
					out.Errors = append(out.Errors, BatchError{SecretId: id, ErrorCode: e.Code, Message: e.Message})
					continue
				}
				out.SecretValues = append(out.SecretValues, *v)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return &out, nil
	}
	limit, err := pageSize(in.MaxResults, 20, 20)
	if err != nil {
		return nil, err
	}
	list, err := s.ListSecrets(ctx, &ListSecretsInput{Filters: in.Filters, MaxResults: &limit, NextToken: in.NextToken, SortBy: "name", SortOrder: "asc"})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list.SecretList))
	for i, d := range list.SecretList {
		ids[i] = d.ARN
	}
	if len(ids) > 0 {
		got, err := s.BatchGetSecretValue(ctx, &BatchGetSecretValueInput{SecretIdList: ids})
		if err != nil {
			return nil, err
		}
		out = *got
	}
	out.NextToken = list.NextToken
	return &out, nil
}

// pageSize checks MaxResults against [1, max] and applies the default.
func pageSize(n *int, deflt, max int) (int, error) {
	if n == nil {
		return deflt, nil
	}
	if *n < 1 || *n > max {
		return 0, errConstraint(*n, "maxResults", "Member must have value less than or equal to "+strconv.Itoa(max))
	}
	return *n, nil
}

// page returns up to limit items from start, and the token of the next
// page when items remain.
func page[T any](items []T, start, limit int) ([]T, string) {
	start = min(start, len(items))
	end := min(start+limit, len(items))
	if end < len(items) {
		return items[start:end], encodeToken(end)
	}
	return items[start:end], ""
}

// Tokens carry the offset of the next entry; they are opaque to callers.
func encodeToken(n int) string { return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(n))) }

func decodeToken(t string) (int, error) {
	if t == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return 0, errNextToken()
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return 0, errNextToken()
	}
	return n, nil
}
