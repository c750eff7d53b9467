package filter

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxLen is the longest pattern FilterLogEvents accepts (the model's FilterPattern max).
const MaxLen = 1024

// Error is a pattern that does not compile.
type Error struct {
	Pattern string
	Pos     int    // byte offset where parsing failed
	Reason  string // what was wrong
}

// Error returns the reason and position.
func (e *Error) Error() string {
	return fmt.Sprintf("Invalid filter pattern at position %d: %s", e.Pos, e.Reason)
}

// Pattern is a compiled filter pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src   string
	all   bool       // blank pattern: everything matches
	terms *termsExpr // unstructured terms
	re    *regexp.Regexp
	json  node
	delim *delimExpr
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.src }

// Compile parses a filter pattern.
func Compile(src string) (*Pattern, error) {
	p := &Pattern{src: src}
	if len(src) > MaxLen {
		return nil, &Error{Pattern: src, Pos: MaxLen, Reason: fmt.Sprintf("pattern is longer than %d characters", MaxLen)}
	}
	trim := strings.TrimSpace(src)
	switch {
	case trim == "" || trim == `""` || isBlankQuoted(trim):
		p.all = true
	case trim[0] == '{':
		n, err := parseJSON(src)
		if err != nil {
			return nil, err
		}
		p.json = n
	case trim[0] == '[':
		d, err := parseDelim(src)
		if err != nil {
			return nil, err
		}
		p.delim = d
	case trim[0] == '%' && len(trim) >= 2 && trim[len(trim)-1] == '%':
		re, err := compileRegex(trim[1:len(trim)-1], src, strings.Index(src, "%"))
		if err != nil {
			return nil, err
		}
		p.re = re
	default:
		t, err := parseTerms(src)
		if err != nil {
			return nil, err
		}
		p.terms = t
	}
	return p, nil
}

// isBlankQuoted reports whether s is a quoted string of spaces, `" "`, which
// AWS documents as "match everything".
func isBlankQuoted(s string) bool {
	return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && strings.TrimSpace(s[1:len(s)-1]) == ""
}

// Match reports whether a log event's message matches the pattern.
func (p *Pattern) Match(msg string) bool {
	switch {
	case p.all:
		return true
	case p.terms != nil:
		return p.terms.match(msg)
	case p.re != nil:
		return p.re.MatchString(msg)
	case p.json != nil:
		v, ok := parseMessageJSON(msg)
		if !ok {
			return false
		}
		return p.json.eval(v)
	case p.delim != nil:
		return p.delim.match(msg)
	}
	return false
}

// Extract matches msg like Match and returns the values a metric filter
// extracts: for a space-delimited pattern, each named field as "$name" →
// value (TestMetricFilter's extractedValues); other forms extract nothing.
func (p *Pattern) Extract(msg string) (map[string]string, bool) {
	if p.delim == nil {
		return map[string]string{}, p.Match(msg)
	}
	bound, ok := p.delim.bind(msg)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(bound))
	for i, s := range p.delim.slots {
		if !s.any {
			out["$"+s.name] = bound[i]
		}
	}
	return out, true
}

// compileRegex compiles a %...% expression. AWS allows only a subset of
// syntax (no groups); Go's RE2 accepts that subset, and groups are rejected
// as AWS does.
func compileRegex(expr, src string, pos int) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, &Error{Pattern: src, Pos: pos, Reason: "empty regular expression"}
	}
	if strings.ContainsAny(expr, "()") {
		return nil, &Error{Pattern: src, Pos: pos, Reason: "parentheses are not supported in regular expressions"}
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, &Error{Pattern: src, Pos: pos, Reason: "invalid regular expression: " + err.Error()}
	}
	return re, nil
}

// glob matches s against a value where * stands for any run of characters.
func glob(pat, s string) bool {
	if !strings.Contains(pat, "*") {
		return pat == s
	}
	parts := strings.Split(pat, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}
