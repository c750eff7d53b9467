package logs

import (
	"context"
	"regexp"
	"strings"
	"sync"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// listPatternShape is the model's LogGroupNameRegexPattern: up to five
// alternatives of 3 to 24 name characters, each optionally anchored with ^.
// Its bounded repetitions compile to a large program, so it is compiled on
// first use rather than at every server start.
var listPatternShape = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\^?[\.\-_\/#A-Za-z0-9]{3,24})(\|\^?[\.\-_\/#A-Za-z0-9]{3,24}){0,4}$`)
})

type tagFilter struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

type listLogGroupsInput struct {
	LogGroupNamePattern string      `json:"logGroupNamePattern"`
	LogGroupClass       string      `json:"logGroupClass"`
	LogGroupTags        []tagFilter `json:"logGroupTags"`
	NextToken           string      `json:"nextToken"`
	Limit               *int        `json:"limit"`
}

type logGroupSummary struct {
	LogGroupName  string `json:"logGroupName"`
	LogGroupArn   string `json:"logGroupArn"`
	LogGroupClass string `json:"logGroupClass"`
}

type listLogGroupsOutput struct {
	LogGroups []logGroupSummary `json:"logGroups"`
	NextToken string            `json:"nextToken,omitempty"`
}

// matchTagFilter applies one logGroupTags filter: values are alternatives,
// * is a case-insensitive wildcard, a leading ! negates.
func matchTagFilter(tags map[string]string, f tagFilter) bool {
	v, ok := tags[f.Key]
	if !ok {
		return false
	}
	if len(f.Values) == 0 {
		return true
	}
	for _, want := range f.Values {
		switch {
		case strings.HasPrefix(want, "!"):
			if v != want[1:] {
				return true
			}
		case strings.Contains(want, "*"):
			if wildcard(strings.ToLower(want), strings.ToLower(v)) {
				return true
			}
		case v == want:
			return true
		}
	}
	return false
}

// wildcard matches s against pat where * is any run of characters.
func wildcard(pat, s string) bool {
	parts := strings.Split(pat, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func (s *Service) listLogGroups(ctx context.Context, in *listLogGroupsInput) (*listLogGroupsOutput, error) {
	m := edge.MetaFrom(ctx)
	limit, err := checkLimit(in.Limit, 1000, 50)
	if err != nil {
		return nil, err
	}
	var re *regexp.Regexp
	if in.LogGroupNamePattern != "" {
		if !listPatternShape().MatchString(in.LogGroupNamePattern) {
			return nil, errInvalid("1 validation error detected: Value '%s' at 'logGroupNamePattern' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24})(\\|\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24}){0,4}", in.LogGroupNamePattern)
		}
		if re, err = regexp.Compile(in.LogGroupNamePattern); err != nil {
			return nil, errInvalid("Invalid logGroupNamePattern: %s", err.Error())
		}
	}
	var from []byte
	if in.NextToken != "" {
		after, err := parseNameToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		from = append([]byte(after), 0)
	}
	out := &listLogGroupsOutput{LogGroups: []logGroupSummary{}}
	err = s.st.View(func(tx store.Tx) error {
		var scanErr error
		tx.Bucket(groupsBucket(m.Account, m.Region)).Scan(from, nil, false, func(k, v []byte) bool {
			name := string(k)
			if re != nil && !re.MatchString(name) {
				return true
			}
			g, err := decodeGroup(v)
			if err != nil {
				scanErr = err
				return false
			}
			if in.LogGroupClass != "" && g.Class != in.LogGroupClass {
				return true
			}
			for _, f := range in.LogGroupTags {
				if !matchTagFilter(g.Tags, f) {
					return true
				}
			}
			if len(out.LogGroups) == limit {
				out.NextToken = nameToken(out.LogGroups[limit-1].LogGroupName)
				return false
			}
			out.LogGroups = append(out.LogGroups, logGroupSummary{LogGroupName: name,
				LogGroupArn: groupARNBare(m.Account, m.Region, name), LogGroupClass: g.Class})
			return true
		})
		return scanErr
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
