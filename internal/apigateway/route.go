package apigateway

import (
	"fmt"
	"strings"
)

// segment kinds, in the order API Gateway prefers them.
const (
	segLiteral = iota
	segParam
	segGreedy
)

type segment struct {
	kind int
	text string // literal text or parameter name
}

// Template is a parsed resource path ("/items/{id}", "/{proxy+}").
type Template struct {
	segs []segment
}

// ParseTemplate reads a route or resource path. A greedy {name+} must be
// last; parameter names are non-empty.
func ParseTemplate(path string) (Template, error) {
	if path == "" || path[0] != '/' {
		return Template{}, fmt.Errorf("path %q must start with /", path)
	}
	var t Template
	if path == "/" {
		return t, nil
	}
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			name := p[1 : len(p)-2]
			if name == "" || i != len(parts)-1 {
				return Template{}, fmt.Errorf("greedy path variable %q must be the last part of %q", p, path)
			}
			t.segs = append(t.segs, segment{segGreedy, name})
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			name := p[1 : len(p)-1]
			if name == "" || strings.ContainsAny(name, "{}") {
				return Template{}, fmt.Errorf("bad path variable %q in %q", p, path)
			}
			t.segs = append(t.segs, segment{segParam, name})
		case strings.ContainsAny(p, "{}"):
			return Template{}, fmt.Errorf("bad path part %q in %q", p, path)
		default:
			if p == "" && i != len(parts)-1 {
				return Template{}, fmt.Errorf("empty path part in %q", path)
			}
			t.segs = append(t.segs, segment{segLiteral, p})
		}
	}
	return t, nil
}

// Match reports whether path fits t and returns its parameters and a rank
// (lower is more specific) for choosing between matching templates.
func (t Template) Match(path string) (params map[string]string, rank []int, ok bool) {
	if path == "" || path[0] != '/' {
		return nil, nil, false
	}
	rest := path[1:]
	if len(t.segs) == 0 {
		return nil, nil, rest == ""
	}
	for i, s := range t.segs {
		if s.kind == segGreedy {
			if rest == "" {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.text] = rest
			rank = append(rank, segGreedy)
			return params, rank, true
		}
		part, more, found := strings.Cut(rest, "/")
		last := i == len(t.segs)-1
		switch s.kind {
		case segLiteral:
			if part != s.text {
				return nil, nil, false
			}
		case segParam:
			if part == "" {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.text] = part
		}
		rank = append(rank, s.kind)
		if last {
			// A trailing slash is its own (empty) part.
			return params, rank, !found
		}
		if !found {
			return nil, nil, false
		}
		rest = more
	}
	return params, rank, true
}

// lessRank reports whether rank a is more specific than b: compared part by
// part, a literal beats a parameter, which beats a greedy variable; a longer
// match beats a shorter one that is otherwise equal.
func lessRank(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) > len(b)
}

// RouteKey is a parsed HTTP API route key: "GET /items/{id}", "ANY /{proxy+}"
// or "$default".
type RouteKey struct {
	Method  string // "ANY" matches every method
	Path    Template
	Default bool
}

var routeMethods = map[string]bool{"ANY": true, "GET": true, "POST": true, "PUT": true, "DELETE": true,
	"PATCH": true, "HEAD": true, "OPTIONS": true}

// ParseRouteKey reads an HTTP API route key.
func ParseRouteKey(key string) (RouteKey, error) {
	if key == "$default" {
		return RouteKey{Default: true}, nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !routeMethods[method] {
		return RouteKey{}, fmt.Errorf("route key %q must be $default or METHOD /path", key)
	}
	t, err := ParseTemplate(path)
	if err != nil {
		return RouteKey{}, err
	}
	return RouteKey{Method: method, Path: t}, nil
}

// Candidate is one route or resource method to choose among.
type Candidate struct {
	ID     string // route id, or resource id
	Method string // "ANY" or a method
	Path   Template
	// Default marks the $default route: it matches what nothing else does.
	Default bool
}

// Choose returns the most specific candidate for method and path: full
// matches first, then parameters, then greedy variables, then $default; an
// exact method beats ANY. ok is false when nothing matches.
func Choose(cands []Candidate, method, path string) (best Candidate, params map[string]string, ok bool) {
	var bestRank []int
	bestAny := true
	var def *Candidate
	for i := range cands {
		c := &cands[i]
		if c.Default {
			def = c
			continue
		}
		if c.Method != "ANY" && c.Method != method {
			continue
		}
		p, rank, m := c.Path.Match(path)
		if !m {
			continue
		}
		isAny := c.Method == "ANY"
		if !ok || lessRank(rank, bestRank) || (!lessRank(bestRank, rank) && bestAny && !isAny) {
			best, params, bestRank, bestAny, ok = *c, p, rank, isAny, true
		}
	}
	if !ok && def != nil {
		return *def, nil, true
	}
	return best, params, ok
}
