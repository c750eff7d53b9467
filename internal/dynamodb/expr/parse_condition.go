package expr

import (
	"strconv"
	"strings"

	"tenkai/internal/dynamodb/attr"
)

// parseConditionExpr parses a whole condition expression.
func (p *parser) parseConditionExpr() cond {
	c := p.parseOr()
	if !p.ok() {
		return nil
	}
	if _, bare := c.(operandCond); bare {
		p.fail(p.i)
		return nil
	}
	p.expectEOF()
	if !p.ok() {
		return nil
	}
	return c
}

func (p *parser) parseOr() cond {
	l := p.parseAnd()
	for p.ok() && p.peek().isKeyword("OR") {
		if _, bare := l.(operandCond); bare {
			p.fail(p.i)
			return nil
		}
		p.next()
		r := p.parseAnd()
		if !p.ok() {
			return nil
		}
		if _, bare := r.(operandCond); bare {
			p.fail(p.i)
			return nil
		}
		l = orCond{l: l, r: r}
	}
	return l
}

func (p *parser) parseAnd() cond {
	l := p.parseNot()
	for p.ok() && p.peek().isKeyword("AND") {
		if _, bare := l.(operandCond); bare {
			p.fail(p.i)
			return nil
		}
		p.next()
		r := p.parseNot()
		if !p.ok() {
			return nil
		}
		if _, bare := r.(operandCond); bare {
			p.fail(p.i)
			return nil
		}
		l = andCond{l: l, r: r}
	}
	return l
}

func (p *parser) parseNot() cond {
	if p.peek().isKeyword("NOT") {
		p.next()
		c := p.parseNot()
		if !p.ok() {
			return nil
		}
		if _, bare := c.(operandCond); bare {
			p.fail(p.i)
			return nil
		}
		p.checkMisusedSize(c)
		return notCond{c: c}
	}
	return p.parsePrimary()
}

// parsePrimary parses a parenthesised condition or an atomic one. A
// parenthesised group holding only an operand continues as a comparison.
func (p *parser) parsePrimary() cond {
	if p.peek().kind == tLParen {
		open := p.i
		p.next()
		inner := p.parseOr()
		if !p.ok() {
			return nil
		}
		if p.peek().kind != tRParen {
			p.fail(p.i)
			return nil
		}
		p.next()
		// "((a = :v))": the group's only content is another group.
		if p.toks[open+1].kind == tLParen && p.matchingParen(open+1) == p.i-2 {
			p.note(cParens, msgRedundantParens)
		}
		if oc, bare := inner.(operandCond); bare {
			return p.parseComparison(oc.op)
		}
		return inner
	}
	o := p.parseOperand()
	if !p.ok() {
		return nil
	}
	return p.parseComparison(o)
}

// parseComparison continues after a first operand: a comparator, BETWEEN,
// IN, or nothing (a boolean function, or a bare operand for the caller).
func (p *parser) parseComparison(l operand) cond {
	t := p.peek()
	switch {
	case t.kind >= tEq && t.kind <= tGe:
		p.next()
		r := p.parseOperand()
		if !p.ok() {
			return nil
		}
		p.checkMisused(l, r)
		p.checkDistinct(opText(t.kind), l, r)
		if t.kind != tEq && t.kind != tNe {
			p.checkOrderable(opText(t.kind), l, r)
		}
		return cmpCond{op: t.kind, l: l, r: r}
	case t.isKeyword("BETWEEN"):
		p.next()
		lo := p.parseOperand()
		if !p.ok() {
			return nil
		}
		if !p.peek().isKeyword("AND") {
			p.fail(p.i)
			return nil
		}
		p.next()
		hi := p.parseOperand()
		if !p.ok() {
			return nil
		}
		p.checkMisused(l, lo, hi)
		p.checkOrderable("BETWEEN", l, lo, hi)
		p.checkBetween(lo, hi)
		return betweenCond{x: l, lo: lo, hi: hi}
	case t.isKeyword("IN"):
		p.next()
		if p.peek().kind != tLParen {
			p.fail(p.i)
			return nil
		}
		p.next()
		var list []operand
		for {
			o := p.parseOperand()
			if !p.ok() {
				return nil
			}
			list = append(list, o)
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
		p.checkMisused(append([]operand{l}, list...)...)
		if len(list) > maxInOperands {
			p.note(cOperandCount, "The IN operator is provided with too many operands; number of operands: "+strconv.Itoa(len(list)))
		}
		return inCond{x: l, list: list}
	}
	if f, ok := l.(funcOperand); ok {
		p.checkFunction(f)
		if f.name == "size" {
			p.note(cMisusedFunc, "The function is not allowed to be used this way in an expression; function: size")
		}
		return funcCond{name: f.name, args: f.args}
	}
	return operandCond{op: l}
}

// maxInOperands is the most values IN accepts.
const maxInOperands = 100

// checkOrderable rejects constants that cannot be ordered (anything but S,
// N and B) as operands of <, <=, >, >= and BETWEEN.
func (p *parser) checkOrderable(op string, ops ...operand) {
	for _, o := range ops {
		switch t := immediateType(o); t {
		case 0, attr.TypeS, attr.TypeN, attr.TypeB:
		default:
			p.note(cFuncType, "Incorrect operand type for operator or function; operator or function: "+op+", operand type: "+t.String())
			return
		}
	}
}

// checkMisused flags functions other than size used as comparison
// operands, and checks size calls.
func (p *parser) checkMisused(ops ...operand) {
	for _, o := range ops {
		if f, ok := o.(funcOperand); ok {
			if f.name != "size" {
				if _, known := functionArity(p.kind, f.name); known {
					p.note(cMisusedFunc, "The function is not allowed to be used this way in an expression; function: "+f.name)
				}
				continue
			}
			p.checkFunction(f)
		}
	}
}

func (p *parser) checkMisusedSize(c cond) {
	if f, ok := c.(funcCond); ok && f.name == "size" {
		p.note(cMisusedFunc, "The function is not allowed to be used this way in an expression; function: size")
	}
}

// operandType returns the type an operand is known to have before
// evaluation: a value's type, N for size(), else 0.
func operandType(o operand) attr.Type {
	switch o := o.(type) {
	case valueOperand:
		return o.v.Type()
	case funcOperand:
		if o.name == "size" {
			return attr.TypeN
		}
	}
	return 0
}

// checkFunction validates a condition function call's operands.
func (p *parser) checkFunction(f funcOperand) {
	n, known := functionArity(p.kind, f.name)
	if !known {
		return
	}
	for _, a := range f.args {
		if g, ok := a.(funcOperand); ok && g.name != "size" {
			if _, k := functionArity(p.kind, g.name); k {
				p.note(cMisusedFunc, "The function is not allowed to be used this way in an expression; function: "+g.name)
			}
		}
	}
	if len(f.args) != n {
		p.note(cOperandCount, "Incorrect number of operands for operator or function; operator or function: "+f.name+", number of operands: "+strconv.Itoa(len(f.args)))
		return
	}
	if n == 2 {
		p.checkDistinct(f.name, f.args[0], f.args[1])
	}
	typeErr := func(t attr.Type) {
		p.note(cFuncType, "Incorrect operand type for operator or function; operator or function: "+f.name+", operand type: "+t.String())
	}
	switch f.name {
	case "attribute_exists", "attribute_not_exists":
		if _, ok := f.args[0].(pathOperand); !ok {
			p.note(cFuncType, "Operator or function requires a document path; operator or function: "+f.name)
		}
	case "begins_with":
		for _, a := range f.args {
			if t := operandType(a); t != 0 && t != attr.TypeS && t != attr.TypeB {
				typeErr(t)
				return
			}
		}
	case "attribute_type":
		t := operandType(f.args[1])
		if t != attr.TypeS {
			if t == 0 {
				p.note(cFuncType, "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
			} else {
				typeErr(t)
			}
			return
		}
		name := f.args[1].(valueOperand).v.Str()
		if _, ok := attr.ParseType(name); !ok {
			p.note(cFuncType, "Invalid attribute type name found; type: "+name+", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
		}
	case "size":
		if t := operandType(f.args[0]); t == attr.TypeN || t == attr.TypeBOOL || t == attr.TypeNULL {
			typeErr(t)
		}
	}
}

// checkDistinct rejects an operator whose two operands are the same path.
func (p *parser) checkDistinct(op string, a, b operand) {
	pa, ok1 := a.(pathOperand)
	pb, ok2 := b.(pathOperand)
	if !ok1 || !ok2 || !equalPaths(pa.path, pb.path) {
		return
	}
	p.note(cDistinct, "The first operand must be distinct from the remaining operands for this operator or function; operator: "+op+", first operand: "+pa.path.String())
}

func equalPaths(a, b Path) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkBetween checks constant bounds: same type, lower <= upper.
func (p *parser) checkBetween(lo, hi operand) {
	lv, ok1 := lo.(valueOperand)
	hv, ok2 := hi.(valueOperand)
	if !ok1 || !ok2 || lv.v.IsZero() || hv.v.IsZero() {
		return
	}
	bounds := "lower bound operand: AttributeValue: {" + showValue(lv.v) + "}, upper bound operand: AttributeValue: {" + showValue(hv.v) + "}"
	if lv.v.Type() != hv.v.Type() {
		p.note(cFuncType, "The BETWEEN operator requires same data type for lower and upper bounds; "+bounds)
		return
	}
	if c, ok := attr.Compare(lv.v, hv.v); ok && c > 0 {
		p.note(cFuncType, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "+bounds)
	}
}

// showValue renders a value as DynamoDB does inside messages: N:1, S:a.
func showValue(v attr.Value) string {
	switch v.Type() {
	case attr.TypeS:
		return "S:" + v.Str()
	case attr.TypeN:
		return "N:" + v.Num()
	}
	s := v.String()
	s = strings.TrimPrefix(s, "{\"")
	s = strings.TrimSuffix(s, "}")
	return strings.Replace(s, "\":", ":", 1)
}
