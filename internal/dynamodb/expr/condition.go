package expr

import (
	"strings"

	"tenkai/internal/dynamodb/attr"
)

// Condition is a parsed ConditionExpression or FilterExpression. It is
// immutable and safe for concurrent use.
type Condition struct {
	root cond
}

// ParseCondition parses a ConditionExpression, resolving #names and
// :values from p (which may be nil when the request has neither).
func ParseCondition(s string, p *Params) (*Condition, error) {
	return parseCondition(KindCondition, s, p)
}

// ParseFilter parses a FilterExpression; it differs from ParseCondition
// only in the parameter name its errors carry.
func ParseFilter(s string, p *Params) (*Condition, error) {
	return parseCondition(KindFilter, s, p)
}

func parseCondition(k Kind, s string, params *Params) (*Condition, error) {
	if err := checkText(k, s); err != nil {
		return nil, err
	}
	p := newParser(k, s, params)
	root := p.parseConditionExpr()
	if err := p.result(conditionOrder); err != nil {
		return nil, err
	}
	return &Condition{root: root}, nil
}

// Eval reports whether item it satisfies the condition. A missing item is
// an empty one: attribute_not_exists holds, comparisons fail. Evaluation
// cannot fail: type mismatches make a comparison false, as in DynamoDB.
func (c *Condition) Eval(it attr.Item) bool {
	if c == nil {
		return true
	}
	return evalCond(c.root, it)
}

// Attributes returns the top-level attribute names the condition refers
// to, each once, in order of appearance. Query uses it to refuse filters on
// key attributes ("Filter Expression can only contain non-primary key
// attributes: Primary key attribute: sk").
func (c *Condition) Attributes() []string {
	if c == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	var walkOp func(o operand)
	walkOp = func(o operand) {
		switch o := o.(type) {
		case pathOperand:
			if n := o.path.Top(); !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		case funcOperand:
			for _, a := range o.args {
				walkOp(a)
			}
		}
	}
	var walk func(c cond)
	walk = func(c cond) {
		switch c := c.(type) {
		case andCond:
			walk(c.l)
			walk(c.r)
		case orCond:
			walk(c.l)
			walk(c.r)
		case notCond:
			walk(c.c)
		case cmpCond:
			walkOp(c.l)
			walkOp(c.r)
		case betweenCond:
			walkOp(c.x)
			walkOp(c.lo)
			walkOp(c.hi)
		case inCond:
			walkOp(c.x)
			for _, o := range c.list {
				walkOp(o)
			}
		case funcCond:
			for _, a := range c.args {
				walkOp(a)
			}
		}
	}
	walk(c.root)
	return out
}

// And returns a condition true when both are; either may be nil.
func And(a, b *Condition) *Condition {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &Condition{root: andCond{l: a.root, r: b.root}}
}

func evalCond(c cond, it attr.Item) bool {
	switch c := c.(type) {
	case andCond:
		return evalCond(c.l, it) && evalCond(c.r, it)
	case orCond:
		return evalCond(c.l, it) || evalCond(c.r, it)
	case notCond:
		return !evalCond(c.c, it)
	case cmpCond:
		l, lok := evalOperand(c.l, it)
		r, rok := evalOperand(c.r, it)
		return compare(c.op, l, lok, r, rok)
	case betweenCond:
		x, ok1 := evalOperand(c.x, it)
		lo, ok2 := evalOperand(c.lo, it)
		hi, ok3 := evalOperand(c.hi, it)
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		a, okA := attr.Compare(lo, x)
		b, okB := attr.Compare(x, hi)
		return okA && okB && a <= 0 && b <= 0
	case inCond:
		x, ok := evalOperand(c.x, it)
		if !ok {
			return false
		}
		for _, o := range c.list {
			if v, ok := evalOperand(o, it); ok && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case funcCond:
		return evalFunc(c.name, c.args, it)
	}
	return false
}

// compare applies a comparator. "<>" holds when either side is missing or
// the values differ; the others need both sides present.
func compare(op tokKind, l attr.Value, lok bool, r attr.Value, rok bool) bool {
	if op == tNe {
		return !lok || !rok || !attr.Equal(l, r)
	}
	if !lok || !rok {
		return false
	}
	if op == tEq {
		return attr.Equal(l, r)
	}
	c, ok := attr.Compare(l, r)
	if !ok {
		return false
	}
	switch op {
	case tLt:
		return c < 0
	case tLe:
		return c <= 0
	case tGt:
		return c > 0
	case tGe:
		return c >= 0
	}
	return false
}

func evalFunc(name string, args []operand, it attr.Item) bool {
	switch name {
	case "attribute_exists":
		_, ok := evalOperand(args[0], it)
		return ok
	case "attribute_not_exists":
		_, ok := evalOperand(args[0], it)
		return !ok
	case "attribute_type":
		v, ok := evalOperand(args[0], it)
		t, tok := evalOperand(args[1], it)
		return ok && tok && v.Type().String() == t.Str()
	case "begins_with":
		v, ok := evalOperand(args[0], it)
		pre, pok := evalOperand(args[1], it)
		if !ok || !pok || v.Type() != pre.Type() {
			return false
		}
		switch v.Type() {
		case attr.TypeS:
			return strings.HasPrefix(v.Str(), pre.Str())
		case attr.TypeB:
			return strings.HasPrefix(string(v.Bytes()), string(pre.Bytes()))
		}
		return false
	case "contains":
		v, ok := evalOperand(args[0], it)
		x, xok := evalOperand(args[1], it)
		if !ok || !xok {
			return false
		}
		return Contains(v, x)
	}
	return false
}

// Contains implements contains(a, b): substring for S (and B), membership
// for sets and lists.
func Contains(a, b attr.Value) bool {
	switch a.Type() {
	case attr.TypeS:
		return b.Type() == attr.TypeS && strings.Contains(a.Str(), b.Str())
	case attr.TypeB:
		return b.Type() == attr.TypeB && strings.Contains(string(a.Bytes()), string(b.Bytes()))
	case attr.TypeSS, attr.TypeNS, attr.TypeBS:
		return a.HasMember(b)
	case attr.TypeL:
		for _, e := range a.List() {
			if attr.Equal(e, b) {
				return true
			}
		}
	}
	return false
}

// evalOperand evaluates a condition operand; ok is false when it refers to
// something missing (or size of a type without a size).
func evalOperand(o operand, it attr.Item) (attr.Value, bool) {
	switch o := o.(type) {
	case pathOperand:
		return Get(it, o.path)
	case valueOperand:
		return o.v, !o.v.IsZero()
	case funcOperand:
		if o.name != "size" || len(o.args) != 1 {
			return attr.Value{}, false
		}
		v, ok := evalOperand(o.args[0], it)
		if !ok {
			return attr.Value{}, false
		}
		n, ok := Size(v)
		if !ok {
			return attr.Value{}, false
		}
		return n, true
	}
	return attr.Value{}, false
}

// Size implements size(): the byte length of S and B, the element count of
// sets, lists and maps. ok is false for N, BOOL and NULL.
func Size(v attr.Value) (attr.Value, bool) {
	switch v.Type() {
	case attr.TypeS, attr.TypeB, attr.TypeSS, attr.TypeNS, attr.TypeBS, attr.TypeL, attr.TypeM:
		return attr.MustN(itoa(v.Len())), true
	}
	return attr.Value{}, false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
