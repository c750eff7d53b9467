package sts

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

// Constraints from the STS API model, anchored; the strings are the patterns
// as STS prints them.
var (
	reSessionName  = lazyRegexp(`^[\w+=,.@-]*$`)
	patSessionName = `[\w+=,.@-]*`
	reExternalID   = lazyRegexp(`^[\w+=,.@:/-]*$`)
	patExternalID  = `[\w+=,.@:\/-]*`
	reKeyID        = lazyRegexp(`^\w*$`)
	rePolicy       = lazyRegexp(`^[\t\n\r\x{20}-\x{FF}]+$`)
	patPolicy      = `[\u0009\u000A\u000D\u0020-\u00FF]+`
	reSerial       = lazyRegexp(`^[\w+=/:,.@-]*$`)
	patSerial      = `[\w+=/:,.@-]*`
	reTokenCode    = lazyRegexp(`^\d*$`)
	patTokenCode   = `[\d]*`
	reTagKey       = lazyRegexp(`^[\pL\pZ\pN_.:/=+\-@]+$`)
	patTagKey      = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	reTagValue     = lazyRegexp(`^[\pL\pZ\pN_.:/=+\-@]*$`)
	patTagValue    = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	// reRoleARN is an IAM role ARN in any partition.
	reRoleARN = lazyRegexp(`^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[\x21-\x7E]*/)?([\w+=,.@-]+)$`)
)

// checker collects constraint violations into one ValidationError, as STS
// reports them.
type checker struct{ errs []string }

func (c *checker) add(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// str checks a string member and returns its value ("" when absent).
func (c *checker) str(form url.Values, member, field string, required bool, min, max int, re func() *regexp.Regexp, pattern string) string {
	vs, ok := form[member]
	if !ok {
		if required {
			c.add("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		}
		return ""
	}
	c.strValue(vs[0], field, min, max, re, pattern)
	return vs[0]
}

// integer reads an optional integer member in [min, max]; 0 when absent.
func (c *checker) integer(form url.Values, member, field string, min, max int) int {
	vs, ok := form[member]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
	if err != nil {
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must be a number", short(vs[0]), field)
		return 0
	}
	if n < min {
		c.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", n, field, min)
	}
	if n > max {
		c.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, field, max)
	}
	return n
}

// sessionTags checks session Tags (at most 50, IAM's key and value rules);
// tenkai accepts and ignores them.
func (c *checker) sessionTags(form url.Values) {
	tags := edge.QueryStructList(form, "Tags")
	if len(tags) > 50 {
		c.add("Value '%d' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50", len(tags))
	}
	for i, t := range tags {
		f := "tags." + strconv.Itoa(i+1) + ".member"
		c.strValue(t["Key"], f+".key", 1, 128, reTagKey, patTagKey)
		c.strValue(t["Value"], f+".value", 0, 256, reTagValue, patTagValue)
	}
}

// strValue checks a present value's length and pattern.
func (c *checker) strValue(v, field string, min, max int, re func() *regexp.Regexp, pattern string) {
	n := utf8.RuneCountInString(v)
	if re != nil && !re().MatchString(v) {
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", short(v), field, pattern)
	}
	if n < min {
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", short(v), field, min)
	}
	if max > 0 && n > max {
		c.add("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", short(v), field, max)
	}
}

func (c *checker) err() error {
	switch len(c.errs) {
	case 0:
		return nil
	case 1:
		return validationError("1 validation error detected: " + c.errs[0])
	}
	return validationError(fmt.Sprintf("%d validation errors detected: %s", len(c.errs), strings.Join(c.errs, "; ")))
}

// short cuts a value for a message so huge inputs do not come back whole.
func short(v string) string {
	const max = 256
	if len(v) <= max {
		return v
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "..."
}

func validationError(msg string) *edge.Error { return edge.Errorf("ValidationError", "%s", msg) }
