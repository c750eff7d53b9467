package ssm

import (
	"strconv"
	"strings"

	"tenkai/internal/edge"
)

// Limits from the Parameter Store documentation.
const (
	maxNameLen      = 2048 // the model's limit on a name or ARN in a request
	maxARNLen       = 1011 // a new parameter's name, counted with its ARN prefix
	maxDepth        = 15   // hierarchy levels
	maxStandardSize = 4096 // value bytes in the Standard tier
	maxAdvancedSize = 8192 // value bytes in the Advanced tier
	maxVersions     = 100  // versions kept per parameter
	maxLabels       = 10   // labels per version
	maxLabelLen     = 100
	maxTags         = 50
)

// Ref is a parameter reference as GetParameter accepts it: a name or ARN,
// optionally followed by ":version" or ":label".
type Ref struct {
	Name    string
	Version int64  // > 0 when the selector is a version
	Label   string // set when the selector is a label
	// Alt is the other name an ARN may mean: "parameter/a" is the ARN of
	// both "a" and "/a", so a lookup of Name that finds nothing tries Alt.
	Alt string
}

// Selector returns the selector as AWS echoes it (":3", ":prod"), or "".
func (r Ref) Selector() string {
	switch {
	case r.Version > 0:
		return ":" + strconv.FormatInt(r.Version, 10)
	case r.Label != "":
		return ":" + r.Label
	}
	return ""
}

// ParseRef splits a reference into name and selector and checks the name. An
// ARN ("arn:aws:ssm:REGION:ACCOUNT:parameter/NAME") names the parameter after
// "parameter"; a name with a slash in it begins with one, so "parameter/a/b"
// is "/a/b" and "parameter/a" is "a".
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	fromARN := false
	if len(s) > maxNameLen {
		return Ref{}, errLength(s, "name", 0, maxNameLen)
	}
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		if len(parts) < 6 || !strings.HasPrefix(parts[5], "parameter/") {
			return Ref{}, errName()
		}
		rest := strings.TrimPrefix(parts[5], "parameter/")
		oneLevel := !strings.Contains(strings.SplitN(rest, ":", 2)[0], "/")
		if !oneLevel {
			rest = "/" + rest
		}
		s = rest
		fromARN = oneLevel
	}
	var r Ref
	name, sel, hasSel := strings.Cut(s, ":")
	r.Name = name
	if fromARN && name != "" {
		r.Alt = "/" + name
	}
	if hasSel {
		if sel == "" || strings.Contains(sel, ":") {
			return Ref{}, errName()
		}
		if sel[0] >= '0' && sel[0] <= '9' {
			v, err := strconv.ParseInt(sel, 10, 64)
			if err != nil || v < 1 {
				return Ref{}, errName()
			}
			r.Version = v
		} else {
			r.Label = sel
		}
	}
	if err := checkName(r.Name); err != nil {
		return Ref{}, err
	}
	return r, nil
}

// checkName applies the naming rules every operation shares: letters,
// digits, ".", "-", "_" in sub-paths divided by "/", a leading "/" when there
// is a hierarchy, no empty sub-paths.
func checkName(name string) error {
	if name == "" {
		return errName()
	}
	if len(name) > maxNameLen {
		return errLength(name, "name", 0, maxNameLen)
	}
	if strings.Contains(name, "/") && name[0] != '/' {
		return errName()
	}
	segs := strings.Split(strings.TrimPrefix(name, "/"), "/")
	for _, seg := range segs {
		if seg == "" {
			return errName()
		}
		for i := 0; i < len(seg); i++ {
			if !nameChar(seg[i]) {
				return errName()
			}
		}
	}
	return nil
}

// cleanName drops the spaces AWS ignores around a name and checks the rest.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	return name, checkName(name)
}

// checkNewName adds the rules for creating a parameter: the reserved "aws"
// and "ssm" prefixes, the hierarchy depth, and the length AWS documents: at
// most 1011 characters counting the ARN before the name.
func checkNewName(account, region, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if n := len(ARN(account, region, name)); n > maxARNLen {
		return edge.Validation("Parameter name is too long: with its ARN prefix it has %d characters; the maximum is %d.", n, maxARNLen)
	}
	first := strings.ToLower(strings.SplitN(strings.TrimPrefix(name, "/"), "/", 2)[0])
	if strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm") {
		return errName()
	}
	if depth(name) > maxDepth {
		return errHierarchy()
	}
	return nil
}

// depth counts hierarchy levels: "/a/b/c" and "a" have 3 and 1.
func depth(name string) int { return strings.Count(strings.TrimPrefix(name, "/"), "/") + 1 }

func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
}

// checkPath checks a GetParametersByPath path: "/" or a hierarchy that
// begins with "/", with an optional trailing slash.
func checkPath(path string) (string, error) {
	if path == "" || path[0] != '/' {
		return "", errName()
	}
	if path == "/" {
		return path, nil
	}
	p := strings.TrimSuffix(path, "/")
	if err := checkName(p); err != nil {
		return "", err
	}
	return p, nil
}

// validLabel reports whether a label follows AWS's rules: up to 100
// letters, digits, ".", "-", "_", not starting with a digit or with "aws" or
// "ssm".
func validLabel(l string) bool {
	if l == "" || len(l) > maxLabelLen || l[0] >= '0' && l[0] <= '9' {
		return false
	}
	low := strings.ToLower(l)
	if strings.HasPrefix(low, "aws") || strings.HasPrefix(low, "ssm") {
		return false
	}
	for i := 0; i < len(l); i++ {
		if !nameChar(l[i]) {
			return false
		}
	}
	return true
}

// ARN returns a parameter's ARN. Names that begin with "/" do not double it.
func ARN(account, region, name string) string {
	return "arn:aws:ssm:" + region + ":" + account + ":parameter/" + strings.TrimPrefix(name, "/")
}
