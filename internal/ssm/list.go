package ssm

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Filter is a ParameterStringFilter.
type Filter struct {
	Key    *string
	Option string
	Values []string
}

// LegacyFilter is DescribeParameters' older ParametersFilter.
type LegacyFilter struct {
	Key    string
	Values []string
}

// GetParametersByPathInput is the GetParametersByPath request.
type GetParametersByPathInput struct {
	Path             *string
	Recursive        bool
	ParameterFilters []Filter
	WithDecryption   bool
	MaxResults       *int
	NextToken        string
}

// GetParametersByPathOutput is the GetParametersByPath answer.
type GetParametersByPathOutput struct {
	Parameters []Parameter
	NextToken  string `json:",omitempty"`
}

// GetParametersByPath lists the parameters one level under a path, or the
// whole hierarchy with Recursive, in name order, up to 10 a page.
func (s *Service) GetParametersByPath(ctx context.Context, in *GetParametersByPathInput) (*GetParametersByPathOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Path == nil {
		return nil, edge.MissingMember("path")
	}
	path, err := checkPath(*in.Path)
	if err != nil {
		return nil, err
	}
	limit, err := pageSize(in.MaxResults, 10, 10)
	if err != nil {
		return nil, err
	}
	match, err := compileFilters(in.ParameterFilters, nil, true)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(path, "/") + "/"
	keys := prefix
	if prefix == "/" {
		keys = "" // names without a slash ("a") are at the root too
	}
	out := GetParametersByPathOutput{Parameters: []Parameter{}}
	err = s.st.View(func(tx store.Tx) error {
		var last string
		return scan(tx, m.Account, m.Region, keys, after, func(r *record) bool {
			if !underPath(r.Name, path, in.Recursive) {
				return true
			}
			v := match(r)
			if v == nil {
				return true
			}
			if len(out.Parameters) == limit {
				out.NextToken = encodeToken(last)
				return false
			}
			out.Parameters = append(out.Parameters, s.parameter(m.Account, m.Region, r, v, "", in.WithDecryption))
			last = r.Name
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DescribeParametersInput is the DescribeParameters request.
type DescribeParametersInput struct {
	Filters          []LegacyFilter
	ParameterFilters []Filter
	MaxResults       *int
	NextToken        string
	Shared           bool
}

// DescribeParametersOutput is the DescribeParameters answer.
type DescribeParametersOutput struct {
	Parameters []Metadata
	NextToken  string `json:",omitempty"`
}

// DescribeParameters lists parameter metadata (never values) in name order,
// up to 50 a page.
func (s *Service) DescribeParameters(ctx context.Context, in *DescribeParametersInput) (*DescribeParametersOutput, error) {
	m := edge.MetaFrom(ctx)
	limit, err := pageSize(in.MaxResults, 50, 50)
	if err != nil {
		return nil, err
	}
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, edge.Validation("You can use either Filters or ParameterFilters in a single request.")
	}
	match, err := compileFilters(in.ParameterFilters, in.Filters, false)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := DescribeParametersOutput{Parameters: []Metadata{}}
	if in.Shared {
		return &out, nil // no other account shares parameters here
	}
	err = s.st.View(func(tx store.Tx) error {
		var last string
		return scan(tx, m.Account, m.Region, "", after, func(r *record) bool {
			if match(r) == nil {
				return true
			}
			if len(out.Parameters) == limit {
				out.NextToken = encodeToken(last)
				return false
			}
			out.Parameters = append(out.Parameters, s.metadata(m.Account, m.Region, r))
			last = r.Name
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// compileFilters turns filters into a matcher that returns the version a
// parameter matches with (the current one unless a Label filter picks
// another), or nil. byPath applies GetParametersByPath's narrower key set.
func compileFilters(fs []Filter, legacy []LegacyFilter, byPath bool) (func(*record) *version, error) {
	var preds []func(r *record, v *version) bool
	label := ""
	for _, lf := range legacy {
		key := lf.Key
		opt := "Equals"
		if key == "Name" {
			opt = "BeginsWith"
		}
		fs = append(fs, Filter{Key: &key, Option: opt, Values: lf.Values})
	}
	for _, f := range fs {
		if f.Key == nil {
			return nil, edge.MissingMember("parameterFilters.member.key")
		}
		key, opt, vals := *f.Key, f.Option, f.Values
		allowed := []string{"Name", "Type", "KeyId", "Path", "Tier", "DataType"}
		if byPath {
			allowed = []string{"Type", "KeyId", "Label"}
		}
		if !slices.Contains(allowed, key) && (byPath || !strings.HasPrefix(key, "tag:")) {
			return nil, errFilterKey("The following filter key is not valid: %s. Valid filter keys include: [%s].", key, strings.Join(allowed, ", "))
		}
		if len(vals) == 0 && !strings.HasPrefix(key, "tag:") {
			return nil, errFilterValue("The following filter values are missing : null for filter key %s.", key)
		}
		if opt == "" {
			opt = "Equals"
			if key == "Path" {
				opt = "OneLevel"
			}
		}
		switch {
		case key == "Path" && opt != "OneLevel" && opt != "Recursive",
			key != "Path" && opt != "Equals" && opt != "BeginsWith" && !(key == "Name" && opt == "Contains"),
			key == "Label" && opt != "Equals":
			return nil, errFilterOption("The following filter option is not valid: %s. Valid options include: [Equals, BeginsWith].", opt)
		}
		switch key {
		case "Label":
			if len(vals) != 1 {
				return nil, errFilterValue("The Label filter takes one value.")
			}
			label = vals[0]
		case "Path":
			for _, p := range vals {
				if _, err := checkPath(p); err != nil {
					return nil, errFilterValue("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\".")
				}
			}
			recursive := opt == "Recursive"
			preds = append(preds, func(r *record, _ *version) bool {
				return slices.ContainsFunc(vals, func(p string) bool { return underPath(r.Name, p, recursive) })
			})
		default:
			get := fieldOf(key)
			preds = append(preds, func(r *record, v *version) bool {
				got, ok := get(r, v)
				return ok && slices.ContainsFunc(vals, func(want string) bool { return compare(got, want, opt, key) }) ||
					ok && len(vals) == 0
			})
		}
	}
	return func(r *record) *version {
		v := r.current()
		if label != "" {
			var err error
			if v, err = r.find(Ref{Label: label}); err != nil {
				return nil
			}
		}
		for _, p := range preds {
			if !p(r, v) {
				return nil
			}
		}
		return v
	}, nil
}

// fieldOf returns the reader of the field a filter key compares; ok is
// false when the parameter has no such field (a missing tag).
func fieldOf(key string) func(*record, *version) (string, bool) {
	switch key {
	case "Name":
		return func(r *record, _ *version) (string, bool) { return r.Name, true }
	case "Type":
		return func(_ *record, v *version) (string, bool) { return v.Type, true }
	case "KeyId":
		return func(_ *record, v *version) (string, bool) { return v.KeyID, v.KeyID != "" }
	case "Tier":
		return func(_ *record, v *version) (string, bool) { return v.Tier, true }
	case "DataType":
		return func(_ *record, v *version) (string, bool) { return v.DataType, true }
	}
	tag := strings.TrimPrefix(key, "tag:")
	return func(r *record, _ *version) (string, bool) {
		val, ok := r.Tags[tag]
		return val, ok
	}
}

// compare applies a filter option. Name values match with or without the
// leading slash, as AWS treats "/a" and "a" in a Name filter alike.
func compare(got, want, opt, key string) bool {
	if key == "Name" {
		got, want = strings.TrimPrefix(got, "/"), strings.TrimPrefix(want, "/")
	}
	switch opt {
	case "BeginsWith":
		return strings.HasPrefix(got, want)
	case "Contains":
		return strings.Contains(got, want)
	}
	return got == want
}

// underPath reports whether name lies one level under path, or anywhere
// under it when recursive.
func underPath(name, path string, recursive bool) bool {
	prefix := strings.TrimSuffix(path, "/") + "/"
	if !strings.HasPrefix(name, "/") {
		name = "/" + name // "a" is the root's, as "/a" is
	}
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	return recursive || !strings.Contains(name[len(prefix):], "/")
}

// pageSize checks MaxResults against [1, max] and applies the default.
func pageSize(n *int, deflt, max int) (int, error) {
	if n == nil {
		return deflt, nil
	}
	if *n < 1 {
		return 0, errConstraint(*n, "maxResults", "Member must have value greater than or equal to 1")
	}
	if *n > max {
		return 0, errConstraint(*n, "maxResults", "Member must have value less than or equal to "+strconv.Itoa(max))
	}
	return *n, nil
}

// Tokens carry the last name (or index) served; they are opaque to callers.
func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(t string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return "", errNextToken()
	}
	return string(b), nil
}
