package jsonata

import (
	"math"
	"strings"
)

func (ev *evaluator) binary(n *node, input any, env *frame) (any, error) {
	lhs, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "and":
		if !truthy(lhs) {
			return false, nil
		}
		rhs, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		return truthy(rhs), nil
	case "or":
		if truthy(lhs) {
			return true, nil
		}
		rhs, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		return truthy(rhs), nil
	}
	rhs, err := ev.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "+", "-", "*", "/", "%":
		return arith(n, lhs, rhs)
	case "=":
		if lhs == undef || rhs == undef {
			return false, nil
		}
		return deepEqual(lhs, rhs), nil
	case "!=":
		if lhs == undef || rhs == undef {
			return false, nil
		}
		return !deepEqual(lhs, rhs), nil
	case "<", "<=", ">", ">=":
		return compare(n, lhs, rhs)
	case "&":
		var ls, rs string
		if lhs != undef {
			if ls, err = toJSString(lhs); err != nil {
				return nil, err
			}
		}
		if rhs != undef {
			if rs, err = toJSString(rhs); err != nil {
				return nil, err
			}
		}
		if len(ls)+len(rs) > maxStringLen {
			return nil, tooLarge(n.pos)
		}
		return ls + rs, nil
	case "in":
		if lhs == undef || rhs == undef {
			return false, nil
		}
		items, ok := asArray(rhs)
		if !ok {
			items = []any{rhs}
		}
		for _, it := range items {
			if deepEqual(it, lhs) {
				return true, nil
			}
		}
		return false, nil
	case "..":
		return rangeOp(n, lhs, rhs)
	}
	return nil, &Error{Code: "S0204", Position: n.pos, Token: n.op, Message: "Unknown operator: " + n.op}
}

func arith(n *node, lhs, rhs any) (any, error) {
	for _, v := range [2]any{lhs, rhs} {
		if f, ok := v.(float64); ok && math.IsInf(f, 0) {
			return nil, &Error{Code: "D1001", Position: n.pos, Token: n.op, Value: f, Message: formatMessage("D1001", n.op, f, nil)}
		}
	}
	if lhs != undef && !isNumeric(lhs) {
		return nil, &Error{Code: "T2001", Position: n.pos, Token: n.op, Value: lhs, Message: formatMessage("T2001", n.op, lhs, nil)}
	}
	if rhs != undef && !isNumeric(rhs) {
		return nil, &Error{Code: "T2002", Position: n.pos, Token: n.op, Value: rhs, Message: formatMessage("T2002", n.op, rhs, nil)}
	}
	if lhs == undef || rhs == undef {
		return undef, nil
	}
	a, b := lhs.(float64), rhs.(float64)
	var r float64
	switch n.op {
	case "+":
		r = a + b
	case "-":
		r = a - b
	case "*":
		r = a * b
	case "/":
		r = a / b
	case "%":
		r = math.Mod(a, b)
	}
	return r, nil
}

func compare(n *node, lhs, rhs any) (any, error) {
	lok := lhs == undef || isString(lhs) || isNumber(lhs)
	rok := rhs == undef || isString(rhs) || isNumber(rhs)
	if !lok || !rok {
		bad := lhs
		if lok {
			bad = rhs
		}
		return nil, &Error{Code: "T2010", Position: n.pos, Token: n.op, Value: bad, Message: formatMessage("T2010", n.op, bad, nil)}
	}
	if lhs == undef || rhs == undef {
		return undef, nil
	}
	if ls, ok := lhs.(string); ok {
		rs, ok := rhs.(string)
		if !ok {
			return nil, &Error{Code: "T2009", Position: n.pos, Token: n.op, Value: lhs, Value2: rhs, Message: formatMessage("T2009", n.op, lhs, rhs)}
		}
		c := compareUTF16(ls, rs)
		switch n.op {
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		}
		return c >= 0, nil
	}
	lf := lhs.(float64)
	rf, ok := rhs.(float64)
	if !ok {
		return nil, &Error{Code: "T2009", Position: n.pos, Token: n.op, Value: lhs, Value2: rhs, Message: formatMessage("T2009", n.op, lhs, rhs)}
	}
	switch n.op {
	case "<":
		return lf < rf, nil
	case "<=":
		return lf <= rf, nil
	case ">":
		return lf > rf, nil
	}
	return lf >= rf, nil
}

// compareUTF16 orders strings by UTF-16 code units, as JavaScript does.
func compareUTF16(a, b string) int {
	if isASCII(a) && isASCII(b) {
		return strings.Compare(a, b)
	}
	ua, ub := utf16Units(a), utf16Units(b)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}
	return 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

const maxRange = 1e7

// Caps that keep a hostile expression from exhausting memory faster than
// the time limit can stop it (string doubling, sequence doubling). The
// reference has no such caps; they are far above any realistic use.
const (
	maxStringLen = 64 << 20 // bytes in one string
	maxSeqLen    = 2e7      // items in one sequence or array
)

func tooLarge(pos int) *Error {
	return &Error{Code: "U1001", Position: pos, Message: "Resource limit exceeded: result too large"}
}

func rangeOp(n *node, lhs, rhs any) (any, error) {
	if lhs != undef && !isInteger(lhs) {
		return nil, &Error{Code: "T2003", Position: n.pos, Token: "..", Value: lhs, Message: messages["T2003"]}
	}
	if rhs != undef && !isInteger(rhs) {
		return nil, &Error{Code: "T2004", Position: n.pos, Token: "..", Value: rhs, Message: messages["T2004"]}
	}
	if lhs == undef || rhs == undef {
		return undef, nil
	}
	a, b := lhs.(float64), rhs.(float64)
	if a > b {
		return undef, nil
	}
	size := b - a + 1
	if size > maxRange {
		return nil, &Error{Code: "D2014", Position: n.pos, Token: "..", Value: size, Message: formatMessage("D2014", "..", size, nil)}
	}
	out := make([]any, int(size))
	for i := range out {
		out[i] = a + float64(i)
	}
	return &seqv{a: out}, nil
}

func isInteger(v any) bool {
	f, ok := v.(float64)
	return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// toJSString is $string without the prettify option.
func toJSString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case callable:
		return "", nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", &Error{Code: "D3001", Position: -1, Value: x, Message: messages["D3001"]}
		}
		if x == math.Trunc(x) {
			return formatNumber(x), nil
		}
		return formatNumber(precision15(x)), nil
	}
	return stringify(v, false)
}
