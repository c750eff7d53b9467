package asl

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Call is a parsed intrinsic function call such as States.Format('{}', $.a).
type Call struct {
	Name string // e.g. "States.Format"
	Args []Arg
}

// Arg is one intrinsic argument: a literal, a path or a nested call.
type Arg struct {
	Literal any   // string, int64, float64, bool or nil when Path and Call are nil
	Path    *Path // $..., $$... or $var...
	Call    *Call
}

// intrinsicArity gives the allowed argument counts (min, max; max -1 = any).
var intrinsicArity = map[string][2]int{
	"States.Format":         {1, -1},
	"States.StringToJson":   {1, 1},
	"States.JsonToString":   {1, 1},
	"States.Array":          {0, -1},
	"States.ArrayPartition": {2, 2},
	"States.ArrayContains":  {2, 2},
	"States.ArrayRange":     {3, 3},
	"States.ArrayGetItem":   {2, 2},
	"States.ArrayLength":    {1, 1},
	"States.ArrayUnique":    {1, 1},
	"States.Base64Encode":   {1, 1},
	"States.Base64Decode":   {1, 1},
	"States.Hash":           {2, 2},
	"States.JsonMerge":      {3, 3},
	"States.MathRandom":     {2, 3},
	"States.MathAdd":        {2, 2},
	"States.StringSplit":    {2, 2},
	"States.UUID":           {0, 0},
}

// IsIntrinsic reports whether s looks like an intrinsic function call.
func IsIntrinsic(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "States.") }

// ParseIntrinsic parses an intrinsic function call.
func ParseIntrinsic(src string) (*Call, error) {
	p := &iparser{s: src}
	p.ws()
	c, err := p.call(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after intrinsic function call", p.s[p.i:])
	}
	return c, nil
}

type iparser struct {
	s string
	i int
}

func (p *iparser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *iparser) call(depth int) (*Call, error) {
	if depth > 50 {
		return nil, fmt.Errorf("intrinsic functions nested too deeply")
	}
	start := p.i
	for p.i < len(p.s) && (isIdentPart(p.s[p.i]) || p.s[p.i] == '.') {
		p.i++
	}
	name := p.s[start:p.i]
	ar, ok := intrinsicArity[name]
	if !ok {
		return nil, fmt.Errorf("unknown intrinsic function %q", name)
	}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil, fmt.Errorf("expected ( after %s", name)
	}
	p.i++
	c := &Call{Name: name}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
	} else {
		for {
			p.ws()
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, a)
			p.ws()
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("unterminated call to %s", name)
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == ')' {
				p.i++
				break
			}
			return nil, fmt.Errorf("unexpected %q in call to %s", p.s[p.i], name)
		}
	}
	if len(c.Args) < ar[0] || ar[1] >= 0 && len(c.Args) > ar[1] {
		return nil, fmt.Errorf("wrong number of arguments for %s: %d", name, len(c.Args))
	}
	return c, nil
}

func (p *iparser) arg(depth int) (Arg, error) {
	if p.i >= len(p.s) {
		return Arg{}, fmt.Errorf("missing argument")
	}
	switch c := p.s[p.i]; {
	case c == '\'':
		p.i++
		var b strings.Builder
		for {
			if p.i >= len(p.s) {
				return Arg{}, fmt.Errorf("unterminated string")
			}
			ch := p.s[p.i]
			if ch == '\\' && p.i+1 < len(p.s) {
				b.WriteByte('\\')
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			if ch == '\'' {
				p.i++
				break
			}
			b.WriteByte(ch)
			p.i++
		}
		// Escapes stay encoded: States.Format needs to tell \{ from {.
		return Arg{Literal: rawString(b.String())}, nil
	case c == '$':
		start := p.i
		depthB := 0
		var quote byte
		for p.i < len(p.s) {
			ch := p.s[p.i]
			if quote != 0 {
				if ch == quote {
					quote = 0
				}
				p.i++
				continue
			}
			if ch == '\'' || ch == '"' {
				quote = ch
			} else if ch == '[' || ch == '(' {
				depthB++
			} else if ch == ']' || ch == ')' {
				if depthB == 0 {
					break
				}
				depthB--
			} else if ch == ',' && depthB == 0 {
				break
			}
			p.i++
		}
		src := strings.TrimSpace(p.s[start:p.i])
		path, err := CompilePath(src)
		if err != nil {
			return Arg{}, err
		}
		return Arg{Path: path}, nil
	case c == 'S':
		call, err := p.call(depth + 1)
		if err != nil {
			return Arg{}, err
		}
		return Arg{Call: call}, nil
	default:
		start := p.i
		for p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ')' {
			p.i++
		}
		tok := strings.TrimSpace(p.s[start:p.i])
		switch tok {
		case "true":
			return Arg{Literal: true}, nil
		case "false":
			return Arg{Literal: false}, nil
		case "null":
			return Arg{Literal: nil}, nil
		}
		var n json.Number
		if err := json.Unmarshal([]byte(tok), &n); err != nil || tok == "" {
			return Arg{}, fmt.Errorf("invalid argument %q", tok)
		}
		return Arg{Literal: Number(n)}, nil
	}
}

// rawString is a string literal as written between quotes, escapes kept.
type rawString string

// Unescape returns the string value of a literal: \' \{ \} \\ lose their backslash.
func (r rawString) Unescape() string {
	if !strings.Contains(string(r), `\`) {
		return string(r)
	}
	var b strings.Builder
	s := string(r)
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// LiteralString returns an argument's literal as a string and whether it is one.
// Escapes are resolved.
func (a Arg) LiteralString() (string, bool) {
	r, ok := a.Literal.(rawString)
	if !ok {
		return "", false
	}
	return r.Unescape(), true
}

// FormatTemplate returns the raw (escapes kept) text of a string literal, for States.Format.
func (a Arg) FormatTemplate() (string, bool) {
	r, ok := a.Literal.(rawString)
	return string(r), ok
}
