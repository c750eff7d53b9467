package expr

import (
	"strconv"

	"tenkai/internal/dynamodb/attr"
)

// category groups semantic errors. DynamoDB reports one error per request,
// choosing by category in a fixed order per expression kind, not by
// position; the parser records the first error of each category and
// picks at the end.
type category uint8

const (
	cParens       category = iota // redundant parentheses
	cUnknownFunc                  // invalid function name
	cMisusedFunc                  // function in the wrong place
	cReserved                     // reserved word as attribute name
	cSection                      // update section used twice
	cNameVal                      // first undefined #name or :value (conditions)
	cName                         // undefined #name
	cValue                        // undefined :value
	cOverlap                      // overlapping document paths
	cConflict                     // conflicting document paths
	cAddDelType                   // ADD/DELETE operand of the wrong type
	cOperandCount                 // wrong number of function operands
	cDistinct                     // a = a
	cFuncType                     // function operand or BETWEEN bound type
	nCategories
)

var (
	conditionOrder  = []category{cParens, cUnknownFunc, cMisusedFunc, cReserved, cNameVal, cOperandCount, cDistinct, cFuncType}
	updateOrder     = []category{cReserved, cUnknownFunc, cMisusedFunc, cSection, cName, cValue, cOverlap, cConflict, cAddDelType, cOperandCount, cFuncType}
	projectionOrder = []category{cReserved, cName, cOverlap, cConflict}
)

// parser is a recursive-descent parser over the token list. Syntax errors
// stop parsing (the first one wins); semantic errors are recorded by
// category and reported after the whole expression parsed.
type parser struct {
	src    string
	toks   []token
	i      int
	kind   Kind
	params *Params
	syntax *attr.Error
	errs   [nCategories]string
	paths  []Path // update/projection targets, for overlap checks
}

func newParser(kind Kind, src string, p *Params) *parser {
	return &parser{src: src, toks: lex(src), kind: kind, params: p}
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) ok() bool { return p.syntax == nil }

// fail records a syntax error at token index at, in DynamoDB's format: the
// offending token and the source from the token before it to the token
// after it.
func (p *parser) fail(at int) {
	if p.syntax != nil {
		return
	}
	t := p.toks[at]
	start := t.pos
	if at > 0 {
		start = p.toks[at-1].pos
	}
	end := t.end
	switch {
	case t.kind == tEOF && at > 0:
		end = p.toks[at-1].end
	case t.kind != tEOF && p.toks[at+1].kind != tEOF:
		end = p.toks[at+1].end
	}
	p.syntax = invalidf(p.kind, "Syntax error; token: \"%s\", near: \"%s\"", t.text, p.src[start:end])
}

// note records a semantic error unless its category already has one.
func (p *parser) note(c category, msg string) {
	if p.errs[c] == "" {
		p.errs[c] = msg
	}
}

// result returns the syntax error, or else the highest-priority semantic
// error in order, or nil.
func (p *parser) result(order []category) error {
	if p.syntax != nil {
		return p.syntax
	}
	for _, c := range order {
		if p.errs[c] != "" {
			return invalidf(p.kind, "%s", p.errs[c])
		}
	}
	return nil
}

// expectEOF fails unless all tokens were consumed.
func (p *parser) expectEOF() {
	if p.ok() && p.peek().kind != tEOF {
		p.fail(p.i)
	}
}

// isConditionKeyword reports tokens that cannot be attribute names in
// conditions.
func isConditionKeyword(t token) bool {
	return t.isKeyword("AND") || t.isKeyword("OR") || t.isKeyword("NOT") || t.isKeyword("BETWEEN") || t.isKeyword("IN")
}

func isUpdateKeyword(t token) bool {
	return t.isKeyword("SET") || t.isKeyword("REMOVE") || t.isKeyword("ADD") || t.isKeyword("DELETE")
}

func (p *parser) isKeyword(t token) bool {
	if p.kind == KindProjection {
		return false
	}
	if p.kind == KindUpdate {
		return isUpdateKeyword(t)
	}
	return isConditionKeyword(t)
}

// parsePath parses name ( .name | [index] )*; the current token is known
// to start a path (tIdent or tName).
func (p *parser) parsePath() Path {
	var path Path
	elem := func() bool {
		t := p.peek()
		switch {
		case t.kind == tIdent && !p.isKeyword(t):
			p.next()
			if IsReserved(t.text) {
				p.note(cReserved, "Attribute name is a reserved keyword; reserved keyword: "+t.text)
			}
			path = append(path, PathElem{Name: t.text})
			return true
		case t.kind == tName:
			p.next()
			name, ok := p.params.name(t.text)
			if !ok {
				msg := "An expression attribute name used in the document path is not defined; attribute name: " + t.text
				p.note(cName, msg)
				p.note(cNameVal, msg)
				name = t.text
			}
			path = append(path, PathElem{Name: name})
			return true
		}
		p.fail(p.i)
		return false
	}
	if !elem() {
		return nil
	}
	for p.ok() {
		switch p.peek().kind {
		case tDot:
			p.next()
			if !elem() {
				return nil
			}
		case tLBrack:
			p.next()
			t := p.peek()
			if t.kind != tNumber {
				p.fail(p.i)
				return nil
			}
			n, err := strconv.Atoi(t.text)
			if err != nil || n > 1<<31-1 {
				p.fail(p.i)
				return nil
			}
			p.next()
			if p.peek().kind != tRBrack {
				p.fail(p.i)
				return nil
			}
			p.next()
			path = append(path, PathElem{Index: n, IsIndex: true})
		default:
			return path
		}
	}
	return nil
}

// parseValueRef resolves the :value at the current token.
func (p *parser) parseValueRef() operand {
	t := p.next()
	v, ok := p.params.value(t.text)
	if !ok {
		msg := "An expression attribute value used in expression is not defined; attribute value: " + t.text
		p.note(cValue, msg)
		p.note(cNameVal, msg)
	}
	return valueOperand{v: v, ref: t.text}
}

// parseOperand parses a path, a :value, a function call or a
// parenthesised operand. In updates a parenthesised operand may hold
// arithmetic.
func (p *parser) parseOperand() operand {
	t := p.peek()
	switch {
	case t.kind == tValue:
		return p.parseValueRef()
	case t.kind == tIdent && p.toks[p.i+1].kind == tLParen && !p.isKeyword(t):
		return p.parseCall()
	case t.kind == tIdent || t.kind == tName:
		path := p.parsePath()
		if path == nil {
			return nil
		}
		return pathOperand{path: path}
	case t.kind == tLParen:
		p.next()
		if p.peek().kind == tLParen && p.kind != KindUpdate {
			// "((a))": DynamoDB rejects doubled parentheses.
			if close := p.matchingParen(p.i); close > 0 && p.toks[close+1].kind == tRParen {
				p.note(cParens, msgRedundantParens)
			}
		}
		o := p.parseOperand()
		if !p.ok() {
			return nil
		}
		if p.peek().kind != tRParen {
			p.fail(p.i)
			return nil
		}
		p.next()
		return o
	}
	p.fail(p.i)
	return nil
}

// matchingParen returns the index of the ) closing the ( at index i, or -1.
func (p *parser) matchingParen(i int) int {
	depth := 0
	for j := i; j < len(p.toks); j++ {
		switch p.toks[j].kind {
		case tLParen:
			depth++
		case tRParen:
			depth--
			if depth == 0 {
				return j
			}
		case tEOF:
			return -1
		}
	}
	return -1
}

// parseCall parses name(arg, ...), recording unknown names.
func (p *parser) parseCall() operand {
	name := p.next().text
	p.next() // (
	var args []operand
	for {
		a := p.parseOperand()
		if !p.ok() {
			return nil
		}
		args = append(args, a)
		if p.peek().kind == tComma {
			p.next()
			continue
		}
		break
	}
	if p.peek().kind != tRParen {
		p.fail(p.i)
		return nil
	}
	p.next()
	if _, known := functionArity(p.kind, name); !known {
		if _, other := functionArity(otherKind(p.kind), name); other {
			// A function of the other expression family: known to
			// DynamoDB, but not usable here.
			p.note(cMisusedFunc, "The function is not allowed to be used this way in an expression; function: "+name)
		} else {
			p.note(cUnknownFunc, "Invalid function name; function: "+name)
		}
	}
	return funcOperand{name: name, args: args}
}

// otherKind names the expression family whose functions are not valid in
// k: update functions for conditions and the reverse.
func otherKind(k Kind) Kind {
	if k == KindUpdate {
		return KindCondition
	}
	return KindUpdate
}

// functionArity returns the operand count of a function valid in
// expressions of kind k.
func functionArity(k Kind, name string) (int, bool) {
	if k == KindUpdate {
		switch name {
		case "if_not_exists", "list_append":
			return 2, true
		}
		return 0, false
	}
	switch name {
	case "attribute_exists", "attribute_not_exists", "size":
		return 1, true
	case "attribute_type", "begins_with", "contains":
		return 2, true
	}
	return 0, false
}
