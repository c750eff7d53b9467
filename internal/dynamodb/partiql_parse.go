package dynamodb

import (
	"fmt"
	"strconv"
	"strings"

	"tenkai/internal/dynamodb/attr"
)

// The PartiQL subset DynamoDB users write most:
//
//	SELECT * | path, ... FROM "table"["index"] [WHERE cond]
//	INSERT INTO "table" VALUE {'k': v, ...}
//	UPDATE "table" SET path = v [, ...] [REMOVE path, ...] WHERE cond
//	DELETE FROM "table" WHERE cond
//
// A WHERE clause is translated into a ConditionExpression with generated
// #names and :values, so the expr package evaluates it.

// pqStatement is a parsed statement with its parameters bound.
type pqStatement struct {
	kind   string // SELECT, INSERT, UPDATE, DELETE
	table  string
	index  string
	proj   string // ProjectionExpression; "" for *
	where  string // ConditionExpression; "" when absent
	update string // UpdateExpression (UPDATE)
	item   attr.Item
	names  map[string]string
	values map[string]attr.Value
	eq     map[string]attr.Value // top-level equalities on attributes: key lookups
}

type pqTok struct {
	kind byte // 'i' ident, 'q' quoted ident, 's' string, 'n' number, 'p' punct, 0 EOF
	text string
	pos  int
}

func pqLex(s string) ([]pqTok, error) {
	var out []pqTok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			j := i + 1
			var sb strings.Builder
			for {
				if j >= len(s) {
					return nil, pqErr("unterminated quoted text at %d", i)
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c { // doubled quote escapes itself
						sb.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(s[j])
				j++
			}
			kind := byte('s')
			if c == '"' {
				kind = 'q'
			}
			out = append(out, pqTok{kind, sb.String(), i})
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			out = append(out, pqTok{'i', s[i:j], i})
			i = j
		case c >= '0' && c <= '9' || (c == '-' || c == '.') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			out = append(out, pqTok{'n', s[i:j], i})
			i = j
		default:
			for _, p := range []string{"<>", "!=", "<=", ">=", "<<", ">>"} {
				if strings.HasPrefix(s[i:], p) {
					out = append(out, pqTok{'p', p, i})
					i += 2
					goto next
				}
			}
			if strings.IndexByte("=<>.,[](){}:?*", c) < 0 {
				return nil, pqErr("unexpected character %q at %d", c, i)
			}
			out = append(out, pqTok{'p', string(c), i})
			i++
		next:
		}
	}
	return append(out, pqTok{pos: len(s)}), nil
}

func pqErr(format string, args ...any) error {
	return validation("Statement wasn't well formed, can't be processed: %s", fmt.Sprintf(format, args...))
}

type pqParser struct {
	toks   []pqTok
	i      int
	params []attr.Value
	used   int // parameters consumed
	st     *pqStatement
	err    error
}

func (p *pqParser) peek() pqTok { return p.toks[p.i] }
func (p *pqParser) next() pqTok {
	t := p.toks[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}

func (p *pqParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = pqErr(format, args...)
	}
}

// kw reports whether the next token is keyword k, consuming it if so.
func (p *pqParser) kw(k string) bool {
	t := p.peek()
	if t.kind == 'i' && strings.EqualFold(t.text, k) {
		p.i++
		return true
	}
	return false
}

func (p *pqParser) expectKw(k string) {
	if !p.kw(k) {
		p.fail("expected %s at %d", k, p.peek().pos)
	}
}

func (p *pqParser) punct(s string) bool {
	t := p.peek()
	if t.kind == 'p' && t.text == s {
		p.i++
		return true
	}
	return false
}

func (p *pqParser) expect(s string) {
	if !p.punct(s) {
		p.fail("expected %q at %d", s, p.peek().pos)
	}
}

// parsePartiQL parses a statement and binds its ? parameters.
func parsePartiQL(s string, params []attr.Value) (*pqStatement, error) {
	toks, err := pqLex(s)
	if err != nil {
		return nil, err
	}
	p := &pqParser{toks: toks, params: params, st: &pqStatement{names: map[string]string{}, values: map[string]attr.Value{}, eq: map[string]attr.Value{}}}
	switch {
	case p.kw("SELECT"):
		p.st.kind = "SELECT"
		p.parseSelect()
	case p.kw("INSERT"):
		p.st.kind = "INSERT"
		p.expectKw("INTO")
		p.parseTable()
		p.expectKw("VALUE")
		v := p.value()
		if p.err == nil && v.Type() != attr.TypeM {
			p.fail("INSERT VALUE must be a tuple")
		}
		p.st.item = attr.Item(v.Map())
	case p.kw("UPDATE"):
		p.st.kind = "UPDATE"
		p.parseTable()
		p.parseUpdate()
		p.parseWhere(true)
	case p.kw("DELETE"):
		p.st.kind = "DELETE"
		p.expectKw("FROM")
		p.parseTable()
		p.parseWhere(true)
	default:
		p.fail("unsupported statement at %d", p.peek().pos)
	}
	if p.err == nil && p.peek().kind != 0 {
		p.fail("unexpected %q at %d", p.peek().text, p.peek().pos)
	}
	if p.err != nil {
		return nil, p.err
	}
	if p.used != len(params) {
		return nil, validation("Number of parameters in request and statement don't match.")
	}
	return p.st, nil
}

func (p *pqParser) ident() string {
	t := p.next()
	if t.kind != 'i' && t.kind != 'q' {
		p.fail("expected an identifier at %d", t.pos)
		return ""
	}
	return t.text
}

func (p *pqParser) parseTable() {
	p.st.table = p.ident()
	if p.punct(".") {
		p.st.index = p.ident()
	}
}

func (p *pqParser) parseSelect() {
	if !p.punct("*") {
		var paths []string
		for p.err == nil {
			paths = append(paths, p.path())
			if !p.punct(",") {
				break
			}
		}
		p.st.proj = strings.Join(paths, ", ")
	}
	p.expectKw("FROM")
	p.parseTable()
	p.parseWhere(false)
}

func (p *pqParser) parseUpdate() {
	var sets, removes []string
	for p.err == nil {
		switch {
		case p.kw("SET"):
			for p.err == nil {
				path := p.path()
				p.expect("=")
				sets = append(sets, path+" = "+p.valueRef())
				if !p.punct(",") {
					break
				}
			}
		case p.kw("REMOVE"):
			for p.err == nil {
				removes = append(removes, p.path())
				if !p.punct(",") {
					break
				}
			}
		default:
			if len(sets)+len(removes) == 0 {
				p.fail("expected SET or REMOVE at %d", p.peek().pos)
			}
			var parts []string
			if len(sets) > 0 {
				parts = append(parts, "SET "+strings.Join(sets, ", "))
			}
			if len(removes) > 0 {
				parts = append(parts, "REMOVE "+strings.Join(removes, ", "))
			}
			p.st.update = strings.Join(parts, " ")
			return
		}
	}
}

func (p *pqParser) parseWhere(required bool) {
	if !p.kw("WHERE") {
		if required {
			p.fail("Where clause is required at %d", p.peek().pos)
		}
		return
	}
	p.st.where = p.or(true)
}

// name registers an attribute name and returns its placeholder.
func (p *pqParser) name(n string) string {
	ph := "#n" + strconv.Itoa(len(p.st.names))
	p.st.names[ph] = n
	return ph
}

func (p *pqParser) valueRefOf(v attr.Value) string {
	ph := ":v" + strconv.Itoa(len(p.st.values))
	p.st.values[ph] = v
	return ph
}

func (p *pqParser) valueRef() string { return p.valueRefOf(p.value()) }

// path parses a document path and returns it with name placeholders.
func (p *pqParser) path() string {
	var sb strings.Builder
	sb.WriteString(p.name(p.ident()))
	for p.err == nil {
		switch {
		case p.punct("."):
			sb.WriteString("." + p.name(p.ident()))
		case p.punct("["):
			t := p.next()
			if t.kind != 'n' {
				p.fail("expected a list index at %d", t.pos)
			}
			sb.WriteString("[" + t.text + "]")
			p.expect("]")
		default:
			return sb.String()
		}
	}
	return sb.String()
}

// value parses a literal or ? parameter.
func (p *pqParser) value() attr.Value {
	t := p.next()
	switch t.kind {
	case 's':
		return attr.S(t.text)
	case 'n':
		v, err := attr.N(t.text)
		if err != nil {
			p.err = err
		}
		return v
	case 'i':
		switch strings.ToLower(t.text) {
		case "true":
			return attr.Bool(true)
		case "false":
			return attr.Bool(false)
		case "null":
			return attr.Null()
		}
	case 'p':
		switch t.text {
		case "?":
			if p.used >= len(p.params) {
				p.fail("Number of parameters in request and statement don't match.")
				p.err = validation("Number of parameters in request and statement don't match.")
				return attr.Null()
			}
			p.used++
			return p.params[p.used-1]
		case "{":
			m := map[string]attr.Value{}
			for p.err == nil && !p.punct("}") {
				if len(m) > 0 {
					p.expect(",")
				}
				k := p.next()
				if k.kind != 's' && k.kind != 'q' {
					p.fail("expected a quoted attribute name at %d", k.pos)
					break
				}
				p.expect(":")
				m[k.text] = p.value()
			}
			return attr.M(m)
		case "[":
			var l []attr.Value
			for p.err == nil && !p.punct("]") {
				if len(l) > 0 {
					p.expect(",")
				}
				l = append(l, p.value())
			}
			return attr.L(l...)
		case "<<":
			var members []attr.Value
			for p.err == nil && !p.punct(">>") {
				if len(members) > 0 {
					p.expect(",")
				}
				members = append(members, p.value())
			}
			return p.set(members)
		}
	}
	p.fail("unexpected %q at %d", t.text, t.pos)
	return attr.Null()
}

func (p *pqParser) set(members []attr.Value) attr.Value {
	if len(members) == 0 {
		p.fail("empty set")
		return attr.Null()
	}
	var ss []string
	var bs [][]byte
	for _, m := range members {
		if m.Type() != members[0].Type() {
			p.fail("set members must share one type")
			return attr.Null()
		}
		switch m.Type() {
		case attr.TypeS:
			ss = append(ss, m.Str())
		case attr.TypeN:
			ss = append(ss, m.Num())
		case attr.TypeB:
			bs = append(bs, m.Bytes())
		default:
			p.fail("sets hold strings, numbers or binaries")
			return attr.Null()
		}
	}
	switch members[0].Type() {
	case attr.TypeS:
		return attr.SS(ss...)
	case attr.TypeN:
		v, _ := attr.NS(ss...)
		return v
	}
	return attr.BS(bs...)
}

// or parses a condition and returns its ConditionExpression text. top
// marks the top-level AND chain, whose equalities may address keys.
func (p *pqParser) or(top bool) string {
	parts := []string{p.and(top)}
	for p.err == nil && p.kw("OR") {
		parts = append(parts, p.and(false))
	}
	if len(parts) > 1 && top {
		clear(p.st.eq) // equalities under OR do not pin a key
	}
	return strings.Join(parts, " OR ")
}

func (p *pqParser) and(top bool) string {
	parts := []string{p.not(top)}
	for p.err == nil && p.kw("AND") {
		parts = append(parts, p.not(top))
	}
	return strings.Join(parts, " AND ")
}

func (p *pqParser) not(top bool) string {
	if p.kw("NOT") {
		return "NOT " + p.not(false)
	}
	return p.primary(top)
}

var pqFuncs = map[string]int{"begins_with": 2, "contains": 2, "attribute_type": 2, "attribute_exists": 1, "attribute_not_exists": 1}

func (p *pqParser) primary(top bool) string {
	if p.punct("(") {
		s := p.or(false)
		p.expect(")")
		return "(" + s + ")"
	}
	t := p.peek()
	if t.kind == 'i' && p.toks[p.i+1].kind == 'p' && p.toks[p.i+1].text == "(" {
		fn := strings.ToLower(t.text)
		n, ok := pqFuncs[fn]
		if !ok {
			p.fail("unsupported function %s", t.text)
			return ""
		}
		p.i += 2
		args := []string{p.path()}
		for i := 1; i < n; i++ {
			p.expect(",")
			args = append(args, p.valueRef())
		}
		p.expect(")")
		return fn + "(" + strings.Join(args, ", ") + ")"
	}
	startName := ""
	if t.kind == 'i' || t.kind == 'q' {
		startName = t.text
	}
	left, isPath := p.operand()
	switch {
	case p.kw("IS"):
		neg := p.kw("NOT")
		if !isPath {
			p.fail("IS needs an attribute path")
		}
		switch {
		case p.kw("MISSING"):
			if neg {
				return "attribute_exists(" + left + ")"
			}
			return "attribute_not_exists(" + left + ")"
		case p.kw("NULL"):
			c := "attribute_type(" + left + ", " + p.valueRefOf(attr.S("NULL")) + ")"
			if neg {
				return "NOT " + c
			}
			return c
		}
		p.fail("expected MISSING or NULL at %d", p.peek().pos)
		return ""
	case p.kw("BETWEEN"):
		lo, _ := p.operand()
		p.expectKw("AND")
		hi, _ := p.operand()
		return left + " BETWEEN " + lo + " AND " + hi
	case p.kw("IN"):
		closeTok := "]"
		if !p.punct("[") {
			p.expect("(")
			closeTok = ")"
		}
		var list []string
		for p.err == nil && !p.punct(closeTok) {
			if len(list) > 0 {
				p.expect(",")
			}
			list = append(list, p.valueRef())
		}
		return left + " IN (" + strings.Join(list, ", ") + ")"
	}
	op := p.next()
	switch op.text {
	case "=", "<>", "<", "<=", ">", ">=", "!=":
	default:
		p.fail("unexpected %q at %d", op.text, op.pos)
		return ""
	}
	if op.text == "!=" {
		op.text = "<>"
	}
	right, rightPath := p.operand()
	if top && op.text == "=" && isPath && !rightPath && !strings.ContainsAny(left, ".[") && startName != "" {
		p.st.eq[startName] = p.st.values[right]
	}
	return left + " " + op.text + " " + right
}

// operand parses a path or a value; isPath says which.
func (p *pqParser) operand() (string, bool) {
	t := p.peek()
	if t.kind == 'q' || t.kind == 'i' && !isPQLiteral(t.text) {
		return p.path(), true
	}
	return p.valueRef(), false
}

func isPQLiteral(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "null":
		return true
	}
	return false
}
