package asl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/jp"
)

// RootKind says what a path starts from.
type RootKind int

// Path roots.
const (
	RootInput   RootKind = iota // $
	RootContext                 // $$
	RootVar                     // $name (a workflow variable)
)

// Path is a compiled JSONPath as Step Functions uses it: relative to the
// state input ($), the context object ($$) or a variable ($name).
type Path struct {
	Src  string
	Root RootKind
	Var  string // variable name when Root is RootVar
	segs []seg  // the whole path when simple
	expr jp.Expr
	// Definite is true when the path selects at most one value without
	// wildcards, filters, slices or descent; such paths fail when nothing matches.
	Definite bool
}

type seg struct {
	name  string
	index int
	isIdx bool
}

// ErrPathNotFound reports that a definite path selected nothing.
var ErrPathNotFound = errors.New("asl: no results for path")

// CompilePath compiles a JSONPath ($, $$ or $var rooted).
func CompilePath(src string) (*Path, error) {
	if !strings.HasPrefix(src, "$") {
		return nil, fmt.Errorf("path %q does not start with $", src)
	}
	p := &Path{Src: src}
	rest := src[1:]
	switch {
	case strings.HasPrefix(rest, "$"):
		p.Root = RootContext
		rest = rest[1:]
	case rest != "" && isIdentStart(rest[0]):
		i := 0
		for i < len(rest) && isIdentPart(rest[i]) {
			i++
		}
		p.Root, p.Var, rest = RootVar, rest[:i], rest[i:]
	}
	if segs, ok := parseSimple(rest); ok {
		p.segs, p.Definite = segs, true
		return p, nil
	}
	x, err := jp.ParseString("$" + rest)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %w", src, err)
	}
	p.expr = x
	return p, nil
}

// CompileReferencePath compiles a reference path (only names and indices, $-rooted),
// as ResultPath requires.
func CompileReferencePath(src string) (*Path, error) {
	p, err := CompilePath(src)
	if err != nil {
		return nil, err
	}
	if p.Root != RootInput || !p.Definite {
		return nil, fmt.Errorf("%q is not a valid reference path", src)
	}
	return p, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// parseSimple parses a chain of .name, ['name'] and [n] segments.
func parseSimple(s string) ([]seg, bool) {
	var segs []seg
	for len(s) > 0 {
		switch s[0] {
		case '.':
			s = s[1:]
			i := 0
			for i < len(s) && s[i] != '.' && s[i] != '[' {
				if strings.ContainsRune("*@()?,:'\" ", rune(s[i])) {
					return nil, false
				}
				i++
			}
			if i == 0 {
				return nil, false
			}
			segs = append(segs, seg{name: s[:i]})
			s = s[i:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, false
			}
			in := s[1:end]
			if len(in) >= 2 && (in[0] == '\'' && in[len(in)-1] == '\'' || in[0] == '"' && in[len(in)-1] == '"') {
				name := in[1 : len(in)-1]
				if strings.ContainsAny(name, "'\"\\") {
					return nil, false
				}
				segs = append(segs, seg{name: name})
			} else {
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 || strings.HasPrefix(in, "+") {
					return nil, false
				}
				segs = append(segs, seg{index: n, isIdx: true})
			}
			s = s[end+1:]
		default:
			return nil, false
		}
	}
	return segs, true
}

// Get applies the path to root (the value the path's root refers to). A
// definite path that selects nothing returns ErrPathNotFound; an indefinite
// one returns a (possibly empty) array of matches.
func (p *Path) Get(root any) (any, error) {
	if p.segs != nil || p.expr == nil {
		cur := root
		for _, s := range p.segs {
			if s.isIdx {
				a, ok := cur.([]any)
				if !ok || s.index >= len(a) {
					return nil, ErrPathNotFound
				}
				cur = a[s.index]
				continue
			}
			var ok bool
			switch m := cur.(type) {
			case *Object:
				cur, ok = m.Get(s.name)
			case map[string]any:
				cur, ok = m[s.name]
			}
			if !ok {
				return nil, ErrPathNotFound
			}
		}
		return cur, nil
	}
	// Filters and wildcards run on Go maps; matches come back as Objects.
	res := p.expr.Get(ToPlain(root))
	out := make([]any, len(res))
	for i, r := range res {
		out[i] = FromPlain(r)
	}
	return out, nil
}

// Normalized returns the path in the bracket form AWS quotes in error
// causes, e.g. $['foo']['bar'].
func (p *Path) Normalized() string {
	if p.expr != nil {
		return p.expr.String()
	}
	var b strings.Builder
	b.WriteString("$")
	for _, s := range p.segs {
		if s.isIdx {
			fmt.Fprintf(&b, "[%d]", s.index)
		} else {
			fmt.Fprintf(&b, "['%s']", s.name)
		}
	}
	return b.String()
}

// IsRoot reports whether the path is exactly $.
func (p *Path) IsRoot() bool { return p.Root == RootInput && p.expr == nil && len(p.segs) == 0 }

// Set returns root with value placed at the reference path, copying the
// objects on the way so root itself is not modified. Missing objects are
// created; a non-object on the way is an error.
func (p *Path) Set(root, value any) (any, error) {
	return setAt(root, p.segs, value)
}

func setAt(cur any, segs []seg, value any) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	s := segs[0]
	if s.isIdx {
		a, ok := cur.([]any)
		if !ok || s.index >= len(a) {
			return nil, fmt.Errorf("index %d not found", s.index)
		}
		v, err := setAt(a[s.index], segs[1:], value)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(a))
		copy(out, a)
		out[s.index] = v
		return out, nil
	}
	var out *Object
	switch c := cur.(type) {
	case *Object:
		out = c.Clone(1)
	case map[string]any:
		out = FromPlain(c).(*Object)
	case nil:
		// A missing object on the way is created.
		out = NewObject(1)
	default:
		return nil, fmt.Errorf("cannot set field %q on a non-object", s.name)
	}
	child, _ := out.Get(s.name)
	v, err := setAt(child, segs[1:], value)
	if err != nil {
		return nil, err
	}
	out.Set(s.name, v)
	return out, nil
}
