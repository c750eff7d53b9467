package expr

import (
	"tenkai/internal/dynamodb/attr"
)

// RangeOp is a sort key comparison allowed in a key condition.
type RangeOp uint8

// The sort key operators of KeyConditionExpression (and of legacy
// KeyConditions: EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH).
const (
	RangeEQ RangeOp = iota + 1
	RangeLT
	RangeLE
	RangeGT
	RangeGE
	RangeBetween
	RangeBeginsWith
)

// KeyCondition is a validated key condition: equality on the partition key
// and at most one condition on the sort key. The table layer reads
// HashValue to find the partition and scans Range's bounds within it.
type KeyCondition struct {
	HashKey   string
	HashValue attr.Value
	Range     *RangeCondition // nil when the sort key is unconstrained
}

// RangeCondition constrains the sort key.
type RangeCondition struct {
	Name   string
	Op     RangeOp
	Values []attr.Value // one value, or two (low, high) for RangeBetween
}

// keyAtom is one comparison of a key condition before schema checks.
type keyAtom struct {
	name   string
	op     RangeOp
	values []attr.Value
}

// ParseKeyCondition parses a KeyConditionExpression and checks it against
// the key schema of the table or index being queried (rangeKey is "" for a
// partition-key-only schema). Value types are not checked against the
// schema's attribute types; the caller does that.
func ParseKeyCondition(s string, params *Params, hashKey, rangeKey string) (*KeyCondition, error) {
	if err := checkText(KindKeyCondition, s); err != nil {
		return nil, err
	}
	p := newParser(KindKeyCondition, s, params)
	root := p.parseConditionExpr()
	if err := p.result(conditionOrder); err != nil {
		return nil, err
	}
	var atoms []keyAtom
	if err := collectKeyAtoms(root, &atoms); err != nil {
		return nil, err
	}
	return buildKeyCondition(atoms, hashKey, rangeKey)
}

func collectKeyAtoms(c cond, atoms *[]keyAtom) error {
	switch c := c.(type) {
	case andCond:
		if err := collectKeyAtoms(c.l, atoms); err != nil {
			return err
		}
		return collectKeyAtoms(c.r, atoms)
	case orCond:
		return validationf("Invalid operator used in KeyConditionExpression: OR")
	case notCond:
		return validationf("Invalid operator used in KeyConditionExpression: NOT")
	case inCond:
		return validationf("Invalid operator used in KeyConditionExpression: IN")
	case cmpCond:
		if c.op == tNe {
			return validationf("Invalid operator used in KeyConditionExpression: <>")
		}
		ops := map[tokKind]RangeOp{tEq: RangeEQ, tLt: RangeLT, tLe: RangeLE, tGt: RangeGT, tGe: RangeGE}
		flipped := map[tokKind]RangeOp{tEq: RangeEQ, tLt: RangeGT, tLe: RangeGE, tGt: RangeLT, tGe: RangeLE}
		name, vals, first, err := keyOperands(c.l, c.r)
		if err != nil {
			return err
		}
		op := ops[c.op]
		if first != 0 {
			op = flipped[c.op]
		}
		return addAtom(atoms, keyAtom{name: name, op: op, values: vals})
	case betweenCond:
		if _, ok := c.x.(pathOperand); !ok {
			if _, isFn := c.x.(funcOperand); isFn {
				return validationf("KeyConditionExpressions cannot contain nested operations")
			}
			return validationf("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
		}
		name, vals, _, err := keyOperands(c.x, c.lo, c.hi)
		if err != nil {
			return err
		}
		return addAtom(atoms, keyAtom{name: name, op: RangeBetween, values: vals})
	case funcCond:
		if c.name != "begins_with" {
			return validationf("Invalid operator used in KeyConditionExpression: %s", c.name)
		}
		if _, ok := c.args[0].(pathOperand); !ok {
			return validationf("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand")
		}
		name, vals, _, err := keyOperands(c.args...)
		if err != nil {
			return err
		}
		return addAtom(atoms, keyAtom{name: name, op: RangeBeginsWith, values: vals})
	}
	return validationf("Invalid condition in KeyConditionExpression: No key attribute specified")
}

// keyOperands splits the operands of one key comparison into the single
// top-level attribute name and the values; first is the name's position.
func keyOperands(ops ...operand) (name string, vals []attr.Value, first int, err error) {
	found := false
	for i, o := range ops {
		switch o := o.(type) {
		case pathOperand:
			if found {
				return "", nil, 0, validationf("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
			}
			if len(o.path) > 1 {
				return "", nil, 0, validationf("KeyConditionExpressions cannot have conditions on nested attributes")
			}
			name, first, found = o.path[0].Name, i, true
		case valueOperand:
			vals = append(vals, o.v)
		default:
			return "", nil, 0, validationf("KeyConditionExpressions cannot contain nested operations")
		}
	}
	if !found {
		return "", nil, 0, validationf("Invalid condition in KeyConditionExpression: No key attribute specified")
	}
	return name, vals, first, nil
}

func addAtom(atoms *[]keyAtom, a keyAtom) error {
	for _, b := range *atoms {
		if b.name == a.name {
			return validationf("KeyConditionExpressions must only contain one condition per key")
		}
	}
	*atoms = append(*atoms, a)
	return nil
}

// buildKeyCondition checks atoms against the key schema.
func buildKeyCondition(atoms []keyAtom, hashKey, rangeKey string) (*KeyCondition, error) {
	kc := &KeyCondition{HashKey: hashKey}
	found := false
	for _, a := range atoms {
		switch a.name {
		case hashKey:
			found = true
			if a.op != RangeEQ {
				return nil, validationf("Query key condition not supported")
			}
			kc.HashValue = a.values[0]
		case rangeKey:
			kc.Range = &RangeCondition{Name: a.name, Op: a.op, Values: a.values}
		default:
			missing := rangeKey
			if missing == "" {
				missing = hashKey
			}
			return nil, validationf("Query condition missed key schema element: %s", missing)
		}
	}
	if !found {
		return nil, validationf("Query condition missed key schema element: %s", hashKey)
	}
	return kc, nil
}

// Match reports whether a sort key value satisfies the condition. A nil
// RangeCondition matches everything.
func (r *RangeCondition) Match(v attr.Value) bool {
	if r == nil {
		return true
	}
	c, ok := attr.Compare(v, r.Values[0])
	switch r.Op {
	case RangeEQ:
		return ok && c == 0
	case RangeLT:
		return ok && c < 0
	case RangeLE:
		return ok && c <= 0
	case RangeGT:
		return ok && c > 0
	case RangeGE:
		return ok && c >= 0
	case RangeBetween:
		h, ok2 := attr.Compare(v, r.Values[1])
		return ok && ok2 && c >= 0 && h <= 0
	case RangeBeginsWith:
		return evalFunc("begins_with", []operand{valueOperand{v: v}, valueOperand{v: r.Values[0]}}, nil)
	}
	return false
}

// Bounds returns the half-open range [start, end) of sort key encodings
// (attr.AppendKey) that can satisfy the condition; nil means unbounded on
// that side. The bounds cover the sort key part only: the table layer
// prefixes both with its partition prefix (a nil bound then becomes the
// partition's own start or end). A nil RangeCondition is unbounded.
func (r *RangeCondition) Bounds() (start, end []byte, err error) {
	if r == nil {
		return nil, nil, nil
	}
	enc := func(v attr.Value) ([]byte, error) { return attr.AppendKey(nil, v) }
	after := func(v attr.Value) ([]byte, error) {
		k, err := enc(v)
		return attr.PrefixEnd(k), err
	}
	switch r.Op {
	case RangeEQ:
		if start, err = enc(r.Values[0]); err != nil {
			return nil, nil, err
		}
		return start, attr.PrefixEnd(start), nil
	case RangeLT:
		end, err = enc(r.Values[0])
		return nil, end, err
	case RangeLE:
		end, err = after(r.Values[0])
		return nil, end, err
	case RangeGT:
		start, err = after(r.Values[0])
		return start, nil, err
	case RangeGE:
		start, err = enc(r.Values[0])
		return start, nil, err
	case RangeBetween:
		if start, err = enc(r.Values[0]); err != nil {
			return nil, nil, err
		}
		end, err = after(r.Values[1])
		return start, end, err
	case RangeBeginsWith:
		if start, err = attr.AppendKeyPrefix(nil, r.Values[0]); err != nil {
			return nil, nil, err
		}
		return start, attr.PrefixEnd(start), nil
	}
	return nil, nil, nil
}
