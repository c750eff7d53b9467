package lambda

import (
	"regexp"
	"strings"
	"sync"

	"tenkai/internal/edge"
)

// lazyRegexp compiles pattern on first use. Bounded repetitions such as
// {1,128} compile to large programs: compiling these at package init cost
// every start of the server about a millisecond.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// Patterns from the Lambda API reference, compiled on first use.
var (
	reFunctionName = lazyRegexp(`^[a-zA-Z0-9\-_]{1,64}$`)
	reQualifier    = lazyRegexp(`^(\$LATEST|[a-zA-Z0-9\-_]{1,128})$`)
	reVersion      = lazyRegexp(`^[0-9]+$`)
	reAlias        = lazyRegexp(`^[a-zA-Z0-9\-_]{1,128}$`)
	reAccount      = lazyRegexp(`^\d{12}$`)
	reRegion       = lazyRegexp(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$`)
	reRole         = lazyRegexp(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	reLayerName    = lazyRegexp(`^[a-zA-Z0-9\-_]{1,140}$`)
	reStatementID  = lazyRegexp(`^[a-zA-Z0-9\-_]{1,100}$`)
	reAction       = lazyRegexp(`^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`)
	reEnvName      = lazyRegexp(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	reLayerVersion = lazyRegexp(`^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9\-_]+):([0-9]+)$`)
	reLayerARN     = lazyRegexp(`^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9\-_]+)$`)
)

const functionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

// FuncRef is a function reference as a caller wrote it, resolved against the
// request's account and region.
type FuncRef struct {
	Account, Region string
	Name            string
	Qualifier       string // "" when none was given
}

// ParseFunctionRef reads a function name, partial ARN
// (123456789012:function:name[:qualifier]) or full ARN
// (arn:aws:lambda:region:account:function:name[:qualifier]), or name:qualifier.
// account and region fill in what the reference leaves out.
func ParseFunctionRef(s, account, region string) (FuncRef, error) {
	ref := FuncRef{Account: account, Region: region}
	bad := func() (FuncRef, error) {
		return FuncRef{}, edge.Validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", s, functionNamePattern)
	}
	if s == "" || len(s) > 256 {
		return bad()
	}
	parts := strings.Split(s, ":")
	hasQ := false
	switch {
	case parts[0] == "arn":
		// arn:partition:lambda:region:account:function:name[:qualifier]
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" ||
			!strings.HasPrefix(parts[1], "aws") || !reRegion().MatchString(parts[3]) || !reAccount().MatchString(parts[4]) {
			return bad()
		}
		ref.Region, ref.Account, ref.Name = parts[3], parts[4], parts[6]
		if len(parts) == 8 {
			ref.Qualifier, hasQ = parts[7], true
		}
	case len(parts) >= 3 && reAccount().MatchString(parts[0]) && parts[1] == "function":
		if len(parts) > 4 {
			return bad()
		}
		ref.Account, ref.Name = parts[0], parts[2]
		if len(parts) == 4 {
			ref.Qualifier, hasQ = parts[3], true
		}
	case len(parts) <= 2:
		ref.Name = parts[0]
		if len(parts) == 2 {
			ref.Qualifier, hasQ = parts[1], true
		}
	default:
		return bad()
	}
	if !reFunctionName().MatchString(ref.Name) {
		return bad()
	}
	if hasQ && !reQualifier().MatchString(ref.Qualifier) {
		return bad()
	}
	return ref, nil
}

// withQualifier merges a ?Qualifier= parameter into ref. AWS rejects a
// qualifier that contradicts the one in the name.
func (r FuncRef) withQualifier(q string) (FuncRef, error) {
	if q == "" {
		return r, nil
	}
	if !reQualifier().MatchString(q) {
		return r, edge.Validation("1 validation error detected: Value '%s' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)", q)
	}
	if r.Qualifier != "" && r.Qualifier != q {
		return r, edge.Errorf("InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.")
	}
	r.Qualifier = q
	return r, nil
}

// ARN returns the function ARN, qualified when the reference has a qualifier.
func (r FuncRef) ARN() string {
	a := functionARN(r.Account, r.Region, r.Name)
	if r.Qualifier != "" {
		a += ":" + r.Qualifier
	}
	return a
}

func functionARN(account, region, name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

func layerARN(account, region, name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":layer:" + name
}

// LayerVersionRef is a parsed layer version ARN.
type LayerVersionRef struct {
	Account, Region, Name string
	Version               int64
}

// ParseLayerVersionARN reads arn:aws:lambda:region:account:layer:name:version.
func ParseLayerVersionARN(s string) (LayerVersionRef, bool) {
	m := reLayerVersion().FindStringSubmatch(s)
	if m == nil {
		return LayerVersionRef{}, false
	}
	v, ok := parseVersionNumber(m[4])
	if !ok || v < 1 {
		return LayerVersionRef{}, false
	}
	return LayerVersionRef{Region: m[1], Account: m[2], Name: m[3], Version: v}, true
}

// parseLayerName accepts a layer name or a layer ARN (without version).
func parseLayerName(s, account, region string) (acct, reg, name string, err error) {
	if m := reLayerARN().FindStringSubmatch(s); m != nil {
		return m[2], m[1], m[3], nil
	}
	if reLayerName().MatchString(s) {
		return account, region, s, nil
	}
	return "", "", "", edge.Validation("1 validation error detected: Value '%s' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+", s)
}

func parseVersionNumber(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
