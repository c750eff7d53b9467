package iam

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"tenkai/internal/edge"
)

// lazyRegexp compiles pattern on first use: Unicode classes such as \pL make
// some of these costly to compile, and compiling them at package init
// delayed every server start.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// Constraints from the IAM API model. Each regexp is the model's pattern
// anchored; the string is the pattern as IAM prints it in messages.
var (
	reName        = lazyRegexp(`^[\w+=,.@-]+$`)
	patName       = `[\w+=,.@-]+`
	rePath        = lazyRegexp(`^(?:/|/[\x21-\x7E]+/)$`)
	patPath       = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	rePathPrefix  = lazyRegexp(`^/[\x21-\x7F]*$`)
	patPathPrefix = `\u002F[\u0021-\u007F]*`
	rePolicyPath  = lazyRegexp(`^(?:/[A-Za-z0-9.,+@=_-]+)*/$`)
	patPolicyPath = `((/[A-Za-z0-9\.,\+@=_-]+)*)/`
	reDocument    = lazyRegexp(`^[\t\n\r\x{20}-\x{FF}]+$`)
	patDocument   = `[\u0009\u000A\u000D\u0020-\u00FF]+`
	reRoleDesc    = lazyRegexp(`^[\t\n\r\x{20}-\x{7E}\x{A1}-\x{FF}]*$`)
	patRoleDesc   = `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`
	reTagKey      = lazyRegexp(`^[\pL\pZ\pN_.:/=+\-@]+$`)
	patTagKey     = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	reTagValue    = lazyRegexp(`^[\pL\pZ\pN_.:/=+\-@]*$`)
	patTagValue   = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	reVersionID   = lazyRegexp(`^v[1-9][0-9]*(?:\.[A-Za-z0-9-]*)?$`)
	patVersionID  = `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`
)

// checker collects constraint violations the way AWS reports them: every
// failure of a request in one ValidationError.
type checker struct{ errs []string }

func (c *checker) add(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// str checks a string member. A missing required member is reported as null;
// a missing optional member is skipped. It returns the value.
func (c *checker) str(form url.Values, member, field string, required bool, min, max int, re func() *regexp.Regexp, pattern string) string {
	vs, ok := form[member]
	if !ok {
		if required {
			c.add("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		}
		return ""
	}
	v := vs[0]
	c.check(v, field, min, max, re, pattern)
	return v
}

// check applies length and pattern constraints to a present value.
func (c *checker) check(v, field string, min, max int, re func() *regexp.Regexp, pattern string) {
	n := utf8.RuneCountInString(v)
	shown := quoteValue(v)
	if re != nil && !re().MatchString(v) && (n > 0 || min > 0) {
		c.add("Value %s at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", shown, field, pattern)
	}
	if n < min {
		c.add("Value %s at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", shown, field, min)
	}
	if max > 0 && n > max {
		c.add("Value %s at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", shown, field, max)
	}
}

// integer reads an optional integer member in [min, max]; def when absent.
func (c *checker) integer(form url.Values, member, field string, min, max, def int) int {
	vs, ok := form[member]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
	if err != nil {
		c.add("Value %s at '%s' failed to satisfy constraint: Member must be a number", quoteValue(vs[0]), field)
		return def
	}
	if n < min {
		c.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", n, field, min)
	}
	if n > max {
		c.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, field, max)
	}
	return n
}

// boolean reads an optional boolean member.
func (c *checker) boolean(form url.Values, member, field string) bool {
	vs, ok := form[member]
	if !ok {
		return false
	}
	switch strings.ToLower(vs[0]) {
	case "true":
		return true
	case "false":
		return false
	}
	c.add("Value %s at '%s' failed to satisfy constraint: Member must be a boolean", quoteValue(vs[0]), field)
	return false
}

// err returns the collected violations as one ValidationError, or nil.
func (c *checker) err() error {
	switch len(c.errs) {
	case 0:
		return nil
	case 1:
		return validationError("1 validation error detected: " + c.errs[0])
	}
	return validationError(fmt.Sprintf("%d validation errors detected: %s", len(c.errs), strings.Join(c.errs, "; ")))
}

// quoteValue shows a value in a message, cut short so a huge document does
// not come back whole.
func quoteValue(v string) string {
	const max = 256
	if len(v) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut] + "..."
	}
	return "'" + v + "'"
}

// IAM errors, with the HTTP statuses of the API model.
func validationError(msg string) *edge.Error { return edge.Errorf("ValidationError", "%s", msg) }

func noSuchEntity(format string, args ...any) *edge.Error {
	return edge.NewError(404, "NoSuchEntity", fmt.Sprintf(format, args...))
}

func alreadyExists(format string, args ...any) *edge.Error {
	return edge.NewError(409, "EntityAlreadyExists", fmt.Sprintf(format, args...))
}

func deleteConflict(msg string) *edge.Error { return edge.NewError(409, "DeleteConflict", msg) }

func limitExceeded(format string, args ...any) *edge.Error {
	return edge.NewError(409, "LimitExceeded", fmt.Sprintf(format, args...))
}

func invalidInput(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidInput", format, args...)
}

func accessDenied(format string, args ...any) *edge.Error {
	return edge.NewError(403, "AccessDenied", fmt.Sprintf(format, args...))
}

func malformedPolicy(msg string) *edge.Error {
	return edge.Errorf("MalformedPolicyDocument", "%s", msg)
}

// tagList reads Tags.member.N.Key/Value and checks IAM's tag rules.
func (c *checker) tags(form url.Values, prefix string) ([]Tag, error) {
	raw := edge.QueryStructList(form, prefix)
	if len(raw) > 50 {
		c.add("Value '%v' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50", len(raw))
	}
	out := make([]Tag, 0, len(raw))
	seen := map[string]bool{}
	for i, m := range raw {
		k, hasK := m["Key"]
		v, hasV := m["Value"]
		field := fmt.Sprintf("tags.%d.member", i+1)
		if !hasK {
			c.add("Value null at '%s.key' failed to satisfy constraint: Member must not be null", field)
		} else {
			c.check(k, field+".key", 1, 128, reTagKey, patTagKey)
		}
		if !hasV {
			c.add("Value null at '%s.value' failed to satisfy constraint: Member must not be null", field)
		} else {
			c.check(v, field+".value", 0, 256, reTagValue, patTagValue)
		}
		lk := strings.ToLower(k)
		if seen[lk] {
			return nil, invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[lk] = true
		out = append(out, Tag{Key: k, Value: v})
	}
	return out, nil
}

// mergeTags adds or replaces tags by case-insensitive key, as TagRole does.
func mergeTags(have, add []Tag) []Tag {
	out := append([]Tag(nil), have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// dropTags removes tags whose keys match any of keys, case-insensitively.
func dropTags(have []Tag, keys []string) []Tag {
	out := have[:0:0]
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}
