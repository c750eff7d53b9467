package expr

import "tenkai/internal/dynamodb/attr"

// operand is something that yields a value: a document path, an
// expression attribute value, a function call, or (in updates) arithmetic.
type operand interface{ isOperand() }

type pathOperand struct{ path Path }

type valueOperand struct {
	v   attr.Value
	ref string // ":v", for messages
}

// funcOperand is a function call: size in conditions; if_not_exists and
// list_append in updates. Boolean functions used as conditions are
// wrapped in funcCond.
type funcOperand struct {
	name string
	args []operand
}

type arithOperand struct {
	minus bool
	l, r  operand
}

func (pathOperand) isOperand()  {}
func (valueOperand) isOperand() {}
func (funcOperand) isOperand()  {}
func (arithOperand) isOperand() {}

// cond is a node of a condition tree.
type cond interface{ isCond() }

type cmpCond struct {
	op   tokKind // tEq, tNe, tLt, tLe, tGt, tGe
	l, r operand
}

type betweenCond struct{ x, lo, hi operand }

type inCond struct {
	x    operand
	list []operand
}

type andCond struct{ l, r cond }

type orCond struct{ l, r cond }

type notCond struct{ c cond }

// funcCond is a boolean function: attribute_exists, attribute_not_exists,
// attribute_type, begins_with, contains.
type funcCond struct {
	name string
	args []operand
}

// operandCond is a parser-internal placeholder for an operand standing
// where a condition may start, e.g. the (a) in "(a) = :v". It never
// survives a successful parse.
type operandCond struct{ op operand }

func (cmpCond) isCond()     {}
func (betweenCond) isCond() {}
func (inCond) isCond()      {}
func (andCond) isCond()     {}
func (orCond) isCond()      {}
func (notCond) isCond()     {}
func (funcCond) isCond()    {}
func (operandCond) isCond() {}

// opText is the operator as DynamoDB prints it in messages.
func opText(k tokKind) string {
	switch k {
	case tEq:
		return "="
	case tNe:
		return "<>"
	case tLt:
		return "<"
	case tLe:
		return "<="
	case tGt:
		return ">"
	case tGe:
		return ">="
	}
	return "?"
}
