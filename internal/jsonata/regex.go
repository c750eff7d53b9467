package jsonata

import (
	"time"

	"github.com/dlclark/regexp2"
)

// compileRegex compiles a JSONata regex literal with ECMAScript semantics.
func compileRegex(pattern, flags string) (*regexp2.Regexp, error) {
	opts := regexp2.RegexOptions(regexp2.ECMAScript)
	for _, f := range flags {
		switch f {
		case 'i':
			opts |= regexp2.IgnoreCase
		case 'm':
			opts |= regexp2.Multiline
		case 's':
			opts |= regexp2.Singleline
		}
	}
	re, err := regexp2.Compile(pattern, opts)
	if err != nil {
		// some ECMAScript constructs are only accepted in the default mode
		re, err = regexp2.Compile(pattern, opts&^regexp2.ECMAScript)
		if err != nil {
			return nil, err
		}
	}
	// bound catastrophic backtracking, which no context deadline can interrupt
	re.MatchTimeout = 5 * time.Second
	return re, nil
}

// findAt returns the first match at or after rune offset start.
func findAt(re *regexp2.Regexp, s string, start int) (*regexp2.Match, error) {
	runes := []rune(s)
	if start > len(runes) {
		return nil, nil
	}
	return re.FindRunesMatchStartingAt(runes, start)
}

// regexMatchObject builds the {match, start, end, groups, next} object a
// regex value returns when invoked.
func regexMatchObject(re *regexp2.Regexp, s string, start int) (any, error) {
	m, err := findAt(re, s, start)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return undef, nil
	}
	o := NewObject(5)
	o.Set("match", m.String())
	o.Set("start", float64(m.Index))
	o.Set("end", float64(m.Index+m.Length))
	groups := &seqv{}
	gs := m.Groups()
	for _, g := range gs[1:] {
		if len(g.Captures) == 0 {
			groups.a = append(groups.a, undef)
		} else {
			groups.a = append(groups.a, g.String())
		}
	}
	o.Set("groups", groups)
	next := m.Index + m.Length
	if m.Length == 0 {
		next++
	}
	o.Set("next", &matchNextFn{re: re, str: s, start: next})
	return o, nil
}

// allMatches returns every non-overlapping match, at most limit (<0: all).
func allMatches(re *regexp2.Regexp, s string, limit int) ([]*regexp2.Match, error) {
	var out []*regexp2.Match
	runes := []rune(s)
	m, err := re.FindRunesMatchStartingAt(runes, 0)
	for err == nil && m != nil {
		if limit >= 0 && len(out) >= limit {
			break
		}
		if m.Length == 0 {
			return nil, &Error{Code: "D1004", Position: -1, Value: re.String(), Message: messages["D1004"]}
		}
		out = append(out, m)
		m, err = re.FindNextMatch(m)
	}
	return out, err
}
