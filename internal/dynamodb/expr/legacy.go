package expr

import (
	"fmt"

	"tenkai/internal/dynamodb/attr"
)

// Legacy (pre-expression) parameters are converted to the same trees the
// expression parsers build, so one evaluator serves both.

// LegacyCondition is one entry of Expected, QueryFilter, ScanFilter or
// KeyConditions.
type LegacyCondition struct {
	ComparisonOperator string       // EQ, NE, LE, LT, GE, GT, NOT_NULL, NULL, CONTAINS, NOT_CONTAINS, BEGINS_WITH, IN, BETWEEN
	AttributeValueList []attr.Value // operands of ComparisonOperator
	Value              *attr.Value  // Expected only: value for the Exists form
	Exists             *bool        // Expected only
}

// LegacyUpdate is one entry of AttributeUpdates.
type LegacyUpdate struct {
	Action string      // PUT (the default when empty), ADD or DELETE
	Value  *attr.Value // may be nil for DELETE
}

// operandCounts gives the AttributeValueList length each operator takes;
// -1 means one or more.
var operandCounts = map[string]int{
	"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "CONTAINS": 1, "NOT_CONTAINS": 1,
	"BEGINS_WITH": 1, "NOT_NULL": 0, "NULL": 0, "IN": -1, "BETWEEN": 2,
}

// scalarOnly lists operators whose operands must be S, N or B.
var scalarOnly = map[string]bool{
	"LE": true, "LT": true, "GE": true, "GT": true, "CONTAINS": true, "NOT_CONTAINS": true, "IN": true, "BETWEEN": true,
}

const invalidParams = "One or more parameter values were invalid: "

// ConvertExpected converts UpdateItem/PutItem/DeleteItem's Expected and
// ConditionalOperator (AND when empty) into a Condition. An empty map
// yields nil, which Eval treats as true.
func ConvertExpected(expected map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	var root cond
	for _, name := range sortedKeys(expected) {
		lc := expected[name]
		var c cond
		switch {
		case lc.Value != nil && lc.AttributeValueList != nil:
			return nil, validationf(invalidParams+"Value and AttributeValueList cannot be used together for Attribute: %s", name)
		case lc.ComparisonOperator != "":
			if lc.Exists != nil {
				return nil, validationf(invalidParams+"Exists and ComparisonOperator cannot be used together for Attribute: %s", name)
			}
			list := lc.AttributeValueList
			if lc.Value != nil {
				list = []attr.Value{*lc.Value}
			} else if list == nil && lc.ComparisonOperator != "NULL" && lc.ComparisonOperator != "NOT_NULL" {
				return nil, validationf(invalidParams+"Value or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s", lc.ComparisonOperator, name)
			}
			var err error
			if c, err = legacyCond(name, lc.ComparisonOperator, list); err != nil {
				return nil, err
			}
		case lc.AttributeValueList != nil:
			return nil, validationf(invalidParams+"AttributeValueList can only be used with a ComparisonOperator for Attribute: %s", name)
		default:
			exists := lc.Exists == nil || *lc.Exists
			if exists && lc.Value == nil {
				state := "null"
				if lc.Exists != nil {
					state = "true"
				}
				return nil, validationf(invalidParams+"Value must be provided when Exists is %s for Attribute: %s", state, name)
			}
			if !exists && lc.Value != nil {
				return nil, validationf(invalidParams+"Value cannot be used when Exists is false for Attribute: %s", name)
			}
			path := pathOperand{path: Path{{Name: name}}}
			if exists {
				c = cmpCond{op: tEq, l: path, r: valueOperand{v: *lc.Value}}
			} else {
				c = funcCond{name: "attribute_not_exists", args: []operand{path}}
			}
		}
		root = combine(root, c, conditionalOperator)
	}
	if root == nil {
		return nil, nil
	}
	return &Condition{root: root}, nil
}

// ConvertFilter converts a QueryFilter or ScanFilter with its
// ConditionalOperator into a Condition (nil for an empty map).
func ConvertFilter(filter map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	var root cond
	for _, name := range sortedKeys(filter) {
		lc := filter[name]
		c, err := legacyCond(name, lc.ComparisonOperator, lc.AttributeValueList)
		if err != nil {
			return nil, err
		}
		root = combine(root, c, conditionalOperator)
	}
	if root == nil {
		return nil, nil
	}
	return &Condition{root: root}, nil
}

func combine(root, c cond, op string) cond {
	switch {
	case root == nil:
		return c
	case op == "OR":
		return orCond{l: root, r: c}
	}
	return andCond{l: root, r: c}
}

// checkLegacyOperands applies DynamoDB's checks on an AttributeValueList.
func checkLegacyOperands(op string, list []attr.Value) error {
	n, ok := operandCounts[op]
	if !ok {
		return validationf("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]", op)
	}
	if (n >= 0 && len(list) != n) || (n < 0 && len(list) == 0) {
		return validationf(invalidParams+"Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	for _, v := range list {
		if v.Type() != list[0].Type() {
			return validationf(invalidParams + "AttributeValues inside AttributeValueList must be of same type")
		}
	}
	for _, v := range list {
		t := v.Type()
		bad := scalarOnly[op] && t != attr.TypeS && t != attr.TypeN && t != attr.TypeB ||
			op == "BEGINS_WITH" && t != attr.TypeS && t != attr.TypeB
		if bad {
			return validationf(invalidParams+"ComparisonOperator %s is not valid for %s AttributeValue type", op, t)
		}
	}
	if op == "BETWEEN" {
		if c, ok := attr.Compare(list[0], list[1]); ok && c > 0 {
			return validationf("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	return nil
}

// legacyCond builds the condition tree for one attribute's comparison.
func legacyCond(name, op string, list []attr.Value) (cond, error) {
	if err := checkLegacyOperands(op, list); err != nil {
		return nil, err
	}
	path := pathOperand{path: Path{{Name: name}}}
	vals := make([]operand, len(list))
	for i, v := range list {
		vals[i] = valueOperand{v: v}
	}
	switch op {
	case "EQ":
		return cmpCond{op: tEq, l: path, r: vals[0]}, nil
	case "NE":
		return cmpCond{op: tNe, l: path, r: vals[0]}, nil
	case "LE":
		return cmpCond{op: tLe, l: path, r: vals[0]}, nil
	case "LT":
		return cmpCond{op: tLt, l: path, r: vals[0]}, nil
	case "GE":
		return cmpCond{op: tGe, l: path, r: vals[0]}, nil
	case "GT":
		return cmpCond{op: tGt, l: path, r: vals[0]}, nil
	case "NOT_NULL":
		return funcCond{name: "attribute_exists", args: []operand{path}}, nil
	case "NULL":
		return funcCond{name: "attribute_not_exists", args: []operand{path}}, nil
	case "CONTAINS":
		return funcCond{name: "contains", args: []operand{path, vals[0]}}, nil
	case "NOT_CONTAINS":
		// Unlike NOT contains(a, v), legacy NOT_CONTAINS fails when the
		// attribute is missing (while NE holds).
		return andCond{
			l: funcCond{name: "attribute_exists", args: []operand{path}},
			r: notCond{c: funcCond{name: "contains", args: []operand{path, vals[0]}}},
		}, nil
	case "BEGINS_WITH":
		return funcCond{name: "begins_with", args: []operand{path, vals[0]}}, nil
	case "IN":
		return inCond{x: path, list: vals}, nil
	case "BETWEEN":
		return betweenCond{x: path, lo: vals[0], hi: vals[1]}, nil
	}
	return nil, fmt.Errorf("expr: unhandled comparison operator %s", op)
}

// ConvertKeyConditions converts Query's legacy KeyConditions into a
// KeyCondition for the given key schema.
func ConvertKeyConditions(kc map[string]LegacyCondition, hashKey, rangeKey string) (*KeyCondition, error) {
	if len(kc) == 0 {
		return nil, validationf("Conditions can be of length 1 or 2 only")
	}
	var atoms []keyAtom
	for _, name := range sortedKeys(kc) {
		lc := kc[name]
		if err := checkLegacyOperands(lc.ComparisonOperator, lc.AttributeValueList); err != nil {
			return nil, err
		}
		ops := map[string]RangeOp{"EQ": RangeEQ, "LT": RangeLT, "LE": RangeLE, "GT": RangeGT, "GE": RangeGE, "BETWEEN": RangeBetween, "BEGINS_WITH": RangeBeginsWith}
		op, ok := ops[lc.ComparisonOperator]
		if !ok {
			return nil, validationf("Attempted conditional constraint is not an indexable operation")
		}
		atoms = append(atoms, keyAtom{name: name, op: op, values: lc.AttributeValueList})
	}
	if len(atoms) > 2 {
		return nil, validationf("Conditions can be of length 1 or 2 only")
	}
	return buildKeyCondition(atoms, hashKey, rangeKey)
}

// ConvertAttributeUpdates converts UpdateItem's legacy AttributeUpdates
// into an Update.
func ConvertAttributeUpdates(updates map[string]LegacyUpdate) (*Update, error) {
	u := &Update{legacy: true}
	for _, name := range sortedKeys(updates) {
		lu := updates[name]
		path := Path{{Name: name}}
		action := lu.Action
		if action == "" {
			action = "PUT"
		}
		if lu.Value == nil {
			if action != "DELETE" {
				return nil, validationf(invalidParams + "Only DELETE action is allowed when no attribute value is specified")
			}
			u.removes = append(u.removes, path)
			u.targets = append(u.targets, path)
			continue
		}
		v := *lu.Value
		switch action {
		case "PUT":
			u.sets = append(u.sets, setAction{path: path, val: valueOperand{v: v}})
		case "DELETE":
			if !v.Type().IsSet() {
				return nil, validationf(invalidParams+"DELETE action with value is not supported for the type %s", v.Type())
			}
			u.deletes = append(u.deletes, valueAction{path: path, v: v})
		case "ADD":
			switch {
			case v.Type() == attr.TypeL:
				// ADD on a list appends, creating the list when absent.
				u.sets = append(u.sets, setAction{path: path, val: funcOperand{name: "list_append", args: []operand{
					funcOperand{name: "if_not_exists", args: []operand{pathOperand{path: path}, valueOperand{v: attr.L()}}},
					valueOperand{v: v},
				}}})
			case v.Type() == attr.TypeN || v.Type().IsSet():
				u.adds = append(u.adds, valueAction{path: path, v: v})
			default:
				return nil, validationf(invalidParams+"ADD action is not supported for the type %s", v.Type())
			}
		default:
			return nil, validationf("1 validation error detected: Value '%s' at 'attributeUpdates.%s.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]", action, name)
		}
		u.targets = append(u.targets, path)
	}
	return u.plan(), nil
}
