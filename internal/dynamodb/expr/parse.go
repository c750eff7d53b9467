package expr

import (
	"strconv"
	"strings"

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

// ---- conditions ----

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

// ---- updates ----

// parseSetValue parses the right-hand side of a SET action:
// operand [(+|-) operand], optionally wrapped in one pair of parentheses.
// Function arguments are operands only, so if_not_exists(a, :x + :y) is a
// syntax error, as in DynamoDB.
func (p *parser) parseSetValue() operand {
	if p.peek().kind == tLParen {
		if close := p.matchingParen(p.i); close > 0 {
			if k := p.toks[close+1].kind; k != tPlus && k != tMinus {
				p.next()
				v := p.parseArith()
				if !p.ok() {
					return nil
				}
				if p.peek().kind != tRParen {
					p.fail(p.i)
					return nil
				}
				p.next()
				return v
			}
		}
	}
	return p.parseArith()
}

// parseArith parses operand [(+|-) operand].
func (p *parser) parseArith() operand {
	l := p.parseOperand()
	if !p.ok() {
		return nil
	}
	if k := p.peek().kind; k == tPlus || k == tMinus {
		p.next()
		r := p.parseOperand()
		if !p.ok() {
			return nil
		}
		name := "+"
		if k == tMinus {
			name = "-"
		}
		for _, o := range []operand{l, r} {
			if t := immediateType(o); t != 0 && t != attr.TypeN {
				p.note(cFuncType, "Incorrect operand type for operator or function; operator or function: "+name+", operand type: "+t.String())
			}
		}
		return arithOperand{minus: k == tMinus, l: l, r: r}
	}
	return l
}

// immediateType is the type of a :value operand, else 0.
func immediateType(o operand) attr.Type {
	if v, ok := o.(valueOperand); ok {
		return v.v.Type()
	}
	return 0
}

// checkUpdateFunction validates if_not_exists and list_append calls
// anywhere inside o.
func (p *parser) checkUpdateFunction(o operand) {
	switch o := o.(type) {
	case arithOperand:
		p.checkUpdateFunction(o.l)
		p.checkUpdateFunction(o.r)
	case funcOperand:
		for _, a := range o.args {
			p.checkUpdateFunction(a)
			// DynamoDB refuses list_append nested in another call.
			if f, ok := a.(funcOperand); ok && f.name == "list_append" {
				p.note(cMisusedFunc, "The function is not allowed to be used this way in an expression; function: list_append")
			}
		}
		n, known := functionArity(KindUpdate, o.name)
		if !known {
			return
		}
		if len(o.args) != n {
			p.note(cOperandCount, "Incorrect number of operands for operator or function; operator or function: "+o.name+", number of operands: "+strconv.Itoa(len(o.args)))
			return
		}
		switch o.name {
		case "if_not_exists":
			if _, ok := o.args[0].(pathOperand); !ok {
				p.note(cFuncType, "Operator or function requires a document path; operator or function: if_not_exists")
			}
		case "list_append":
			for _, a := range o.args {
				if t := immediateType(a); t != 0 && t != attr.TypeL {
					p.note(cFuncType, "Incorrect operand type for operator or function; operator or function: list_append, operand type: "+t.String())
					return
				}
			}
		}
	}
}

// addTarget records an update or projection path, checking it against
// earlier ones for overlap and conflict.
func (p *parser) addTarget(path Path) {
	for _, q := range p.paths {
		n := min(len(q), len(path))
		overlap := true
		for i := 0; i < n; i++ {
			if q[i].IsIndex != path[i].IsIndex {
				p.note(cConflict, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "+q.String()+", path two: "+path.String())
				overlap = false
				break
			}
			if q[i] != path[i] {
				overlap = false
				break
			}
		}
		if overlap {
			p.note(cOverlap, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "+q.String()+", path two: "+path.String())
		}
	}
	p.paths = append(p.paths, path)
}

// typeWord is how ADD/DELETE operand type errors name types.
var typeWord = map[attr.Type]string{
	attr.TypeS: "STRING", attr.TypeN: "NUMBER", attr.TypeB: "BINARY", attr.TypeNULL: "NULL",
	attr.TypeBOOL: "BOOLEAN", attr.TypeL: "LIST", attr.TypeM: "MAP",
}
