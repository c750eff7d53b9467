package engine

import (
	"context"
	"strings"

	"tenkai/internal/sfn/asl"
)

// evalRule evaluates a JSONPath-mode Choice rule against input.
func (v *env) evalRule(r *asl.Rule, input any) (bool, *failure) {
	switch r.Operator {
	case "And":
		for _, s := range r.And {
			ok, f := v.evalRule(s, input)
			if f != nil || !ok {
				return false, f
			}
		}
		return true, nil
	case "Or":
		for _, s := range r.Or {
			ok, f := v.evalRule(s, input)
			if f != nil {
				return false, f
			}
			if ok {
				return true, nil
			}
		}
		return false, nil
	case "Not":
		ok, f := v.evalRule(r.Not, input)
		return !ok && f == nil, f
	}
	val, err := v.get(r.Variable, input)
	present := err == nil
	if r.Operator == "IsPresent" {
		return present == r.Value.(bool), nil
	}
	if !present {
		return false, v.runtime("Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable.Src)
	}
	want := r.Value
	op := r.Operator
	if r.ValuePath != nil {
		w, err := v.get(r.ValuePath, input)
		if err != nil {
			return false, v.runtime("Invalid path '%s': The choice state's condition path references an invalid value.", r.ValuePath.Src)
		}
		want = w
		op = strings.TrimSuffix(op, "Path")
	}
	return compare(op, val, want), nil
}

// compare applies a comparison operator; mismatched types compare false.
func compare(op string, val, want any) bool {
	switch op {
	case "IsNull":
		return (val == nil) == want.(bool)
	case "IsNumeric":
		_, ok := asl.ToFloat(val)
		return ok == want.(bool)
	case "IsString":
		_, ok := val.(string)
		return ok == want.(bool)
	case "IsBoolean":
		_, ok := val.(bool)
		return ok == want.(bool)
	case "IsTimestamp":
		s, ok := val.(string)
		if ok {
			_, err := asl.ParseTimestamp(s)
			ok = err == nil
		}
		return ok == want.(bool)
	case "BooleanEquals":
		a, ok1 := val.(bool)
		b, ok2 := want.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := val.(string)
		b, ok2 := want.(string)
		return ok1 && ok2 && wildcardMatch(b, a)
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := val.(string)
		b, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false
		}
		return cmpOp(strings.TrimPrefix(op, "String"), strings.Compare(a, b))
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := asl.ToFloat(val)
		b, ok2 := asl.ToFloat(want)
		if !ok1 || !ok2 {
			return false
		}
		c := 0
		if ai, ok := val.(int64); ok {
			if bi, ok := want.(int64); ok {
				c = cmpInt(ai, bi)
				return cmpOp(strings.TrimPrefix(op, "Numeric"), c)
			}
		}
		switch {
		case a < b:
			c = -1
		case a > b:
			c = 1
		}
		return cmpOp(strings.TrimPrefix(op, "Numeric"), c)
	case strings.HasPrefix(op, "Timestamp"):
		as, ok1 := val.(string)
		bs, ok2 := want.(string)
		if !ok1 || !ok2 {
			return false
		}
		a, err1 := asl.ParseTimestamp(as)
		b, err2 := asl.ParseTimestamp(bs)
		if err1 != nil || err2 != nil {
			return false
		}
		return cmpOp(strings.TrimPrefix(op, "Timestamp"), a.Compare(b))
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpOp(suffix string, c int) bool {
	switch suffix {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// wildcardMatch matches s against a StringMatches pattern: * matches any
// run of characters, \* a literal star and \\ a backslash. It runs in
// linear time: literal pieces between stars are found leftmost in order.
func wildcardMatch(pattern, s string) bool {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '\\' && i+1 < len(pattern) {
			i++
			cur.WriteByte(pattern[i])
			continue
		}
		if c == '*' {
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	parts = append(parts, cur.String())
	if len(parts) == 1 {
		return s == parts[0]
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(mid, p)
		if i < 0 {
			return false
		}
		mid = mid[i+len(p):]
	}
	return true
}

// evalCondition evaluates a JSONata Condition.
func (v *env) evalCondition(ctx context.Context, r *asl.Rule, states map[string]any) (bool, *failure) {
	out, f := v.jeval(ctx, r.Condition, states, "Condition")
	if f != nil {
		return false, f
	}
	b, ok := out.(bool)
	if !ok {
		return false, &failure{name: "States.QueryEvaluationError", cause: v.prefix() + " The Condition field's JSONata expression must evaluate to a boolean but returned " + encode(out)}
	}
	return b, nil
}
