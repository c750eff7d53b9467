package expr

import (
	"strconv"

	"tenkai/internal/dynamodb/attr"
)

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
