package filter

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// literal is the right-hand side of a comparison.
type literal struct {
	text   string // string or bare text
	num    float64
	isNum  bool // bare text that parses as a number
	quoted bool
	re     *regexp.Regexp
}

// cond is one comparison of a field's value against a literal.
type cond struct {
	op  string // = != < > <= >=
	lit literal
}

func parseLiteral(l *lexer, t token) (literal, error) {
	switch t.kind {
	case tString:
		return literal{text: t.text, quoted: true}, nil
	case tRegex:
		re, err := compileRegex(t.text, l.src, t.pos)
		if err != nil {
			return literal{}, err
		}
		return literal{re: re}, nil
	case tWord:
		lit := literal{text: t.text}
		if f, err := strconv.ParseFloat(t.text, 64); err == nil && !strings.ContainsAny(t.text, "xXnN_") {
			lit.num, lit.isNum = f, true
		}
		return lit, nil
	}
	return literal{}, l.errf(t.pos, "expected a value")
}

func (c cond) check(l *lexer, pos int) error {
	switch c.op {
	case "<", ">", "<=", ">=":
		if !c.lit.isNum {
			return l.errf(pos, "the operator "+c.op+" needs a numeric value")
		}
	}
	return nil
}

// matchText compares a field given as text (a space-delimited field, or a
// JSON string).
func (c cond) matchText(s string) bool {
	switch c.op {
	case "=":
		return c.eqText(s)
	case "!=":
		return !c.eqText(s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false
	}
	return c.cmpNum(f)
}

func (c cond) eqText(s string) bool {
	if c.lit.re != nil {
		return c.lit.re.MatchString(s)
	}
	if c.lit.isNum {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f == c.lit.num
		}
	}
	return glob(c.lit.text, s)
}

func (c cond) cmpNum(f float64) bool {
	switch c.op {
	case "=":
		return f == c.lit.num
	case "!=":
		return f != c.lit.num
	case "<":
		return f < c.lit.num
	case ">":
		return f > c.lit.num
	case "<=":
		return f <= c.lit.num
	case ">=":
		return f >= c.lit.num
	}
	return false
}

// matchJSON compares a JSON value; a missing field, an object or an array
// never matches.
func (c cond) matchJSON(v any, present bool) bool {
	if !present {
		return false
	}
	switch x := v.(type) {
	case string:
		return c.matchText(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return false
		}
		if c.lit.re != nil {
			return c.lit.re.MatchString(x.String())
		}
		if c.lit.isNum {
			return c.cmpNum(f)
		}
		switch c.op {
		case "=":
			return glob(c.lit.text, x.String())
		case "!=":
			return !glob(c.lit.text, x.String())
		}
		return false
	case bool:
		s := strconv.FormatBool(x)
		switch c.op {
		case "=":
			return !c.lit.quoted && c.lit.text == s
		case "!=":
			return !(!c.lit.quoted && c.lit.text == s)
		}
		return false
	case nil:
		switch c.op {
		case "=":
			return !c.lit.quoted && c.lit.text == "null"
		case "!=":
			return !(!c.lit.quoted && c.lit.text == "null")
		}
	}
	return false
}
