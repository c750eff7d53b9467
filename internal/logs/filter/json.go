package filter

import (
	"encoding/json"
	"strconv"
	"strings"
)

// node is a JSON pattern expression.
type node interface {
	eval(doc any) bool
}

type andNode struct{ l, r node }
type orNode struct{ l, r node }

func (n andNode) eval(d any) bool { return n.l.eval(d) && n.r.eval(d) }
func (n orNode) eval(d any) bool  { return n.l.eval(d) || n.r.eval(d) }

// step is one selector step: a member name, or an index when name is "".
type step struct {
	name  string
	index int
}

type selector []step

// compareNode tests one selected value.
type compareNode struct {
	sel  selector
	cond cond
	test string // "" for a comparison, else "IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS", "EXISTS"
}

func (n compareNode) eval(d any) bool {
	v, ok := n.sel.get(d)
	switch n.test {
	case "NOT EXISTS":
		return !ok
	case "EXISTS":
		return ok
	case "IS NULL":
		return ok && v == nil
	case "IS TRUE":
		b, isBool := v.(bool)
		return ok && isBool && b
	case "IS FALSE":
		b, isBool := v.(bool)
		return ok && isBool && !b
	}
	return n.cond.matchJSON(v, ok)
}

func (s selector) get(d any) (any, bool) {
	for _, st := range s {
		if st.name == "" {
			arr, ok := d.([]any)
			if !ok || st.index < 0 || st.index >= len(arr) {
				return nil, false
			}
			d = arr[st.index]
			continue
		}
		obj, ok := d.(map[string]any)
		if !ok {
			return nil, false
		}
		d, ok = obj[st.name]
		if !ok {
			return nil, false
		}
	}
	return d, true
}

// parseMessageJSON decodes an event message as a JSON object, keeping numbers exact.
func parseMessageJSON(msg string) (any, bool) {
	t := strings.TrimSpace(msg)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

func parseJSON(src string) (node, error) {
	l := &lexer{src: src}
	t, err := l.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tPunct || t.text != "{" {
		return nil, l.errf(t.pos, "expected '{'")
	}
	n, err := parseOr(l, 0)
	if err != nil {
		return nil, err
	}
	t, err = l.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tPunct || t.text != "}" {
		return nil, l.errf(t.pos, "expected '}'")
	}
	t, err = l.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tEOF {
		return nil, l.errf(t.pos, "unexpected text after '}'")
	}
	return n, nil
}

// maxDepth bounds parenthesis nesting so hostile patterns cannot exhaust the stack.
const maxDepth = 50

func parseOr(l *lexer, depth int) (node, error) {
	n, err := parseAnd(l, depth)
	if err != nil {
		return nil, err
	}
	for {
		t, err := l.lookahead()
		if err != nil {
			return nil, err
		}
		if t.kind != tOr {
			return n, nil
		}
		l.next()
		r, err := parseAnd(l, depth)
		if err != nil {
			return nil, err
		}
		n = orNode{n, r}
	}
}

func parseAnd(l *lexer, depth int) (node, error) {
	n, err := parseUnary(l, depth)
	if err != nil {
		return nil, err
	}
	for {
		t, err := l.lookahead()
		if err != nil {
			return nil, err
		}
		if t.kind != tAnd {
			return n, nil
		}
		l.next()
		r, err := parseUnary(l, depth)
		if err != nil {
			return nil, err
		}
		n = andNode{n, r}
	}
}

func parseUnary(l *lexer, depth int) (node, error) {
	t, err := l.next()
	if err != nil {
		return nil, err
	}
	if t.kind == tPunct && t.text == "(" {
		if depth >= maxDepth {
			return nil, l.errf(t.pos, "too many nested parentheses")
		}
		n, err := parseOr(l, depth+1)
		if err != nil {
			return nil, err
		}
		c, err := l.next()
		if err != nil {
			return nil, err
		}
		if c.kind != tPunct || c.text != ")" {
			return nil, l.errf(c.pos, "expected ')'")
		}
		return n, nil
	}
	if t.kind != tWord || !strings.HasPrefix(t.text, "$") {
		return nil, l.errf(t.pos, "expected a selector starting with '$'")
	}
	sel, err := parseSelector(l, t)
	if err != nil {
		return nil, err
	}
	op, err := l.next()
	if err != nil {
		return nil, err
	}
	if op.kind == tWord {
		return parseTest(l, sel, op)
	}
	if op.kind != tOp {
		return nil, l.errf(op.pos, "expected a comparison operator after "+t.text)
	}
	vt, err := l.next()
	if err != nil {
		return nil, err
	}
	lit, err := parseLiteral(l, vt)
	if err != nil {
		return nil, err
	}
	c := cond{op: op.text, lit: lit}
	if err := c.check(l, op.pos); err != nil {
		return nil, err
	}
	return compareNode{sel: sel, cond: c}, nil
}

// parseTest reads IS NULL, IS TRUE, IS FALSE, NOT EXISTS.
func parseTest(l *lexer, sel selector, first token) (node, error) {
	second, err := l.next()
	if err != nil {
		return nil, err
	}
	kw := strings.ToUpper(first.text) + " " + strings.ToUpper(second.text)
	switch kw {
	case "IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS":
		return compareNode{sel: sel, test: kw}, nil
	}
	return nil, l.errf(first.pos, "expected an operator, IS NULL, IS TRUE, IS FALSE or NOT EXISTS")
}

func parseSelector(l *lexer, t token) (selector, error) {
	s := t.text[1:]
	var sel selector
	for s != "" {
		switch s[0] {
		case '.':
			s = s[1:]
			i := strings.IndexAny(s, ".[")
			if i < 0 {
				i = len(s)
			}
			if i == 0 {
				return nil, l.errf(t.pos, "empty member name in selector "+t.text)
			}
			sel = append(sel, step{name: s[:i]})
			s = s[i:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, l.errf(t.pos, "unterminated index in selector "+t.text)
			}
			n, err := strconv.Atoi(s[1:end])
			if err != nil || n < 0 {
				return nil, l.errf(t.pos, "index must be a non-negative integer in selector "+t.text)
			}
			sel = append(sel, step{index: n})
			s = s[end+1:]
		default:
			return nil, l.errf(t.pos, "invalid selector "+t.text)
		}
	}
	return sel, nil
}
