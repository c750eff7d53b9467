package jsonata

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
)

func fnNumber(c callCtx, args []any) (any, error) {
	switch x := arg(args, 0).(type) {
	case undefinedT:
		return undef, nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if f, ok := parseJSNumber(x); ok {
			return f, nil
		}
		return nil, &Error{Code: "D3030", Position: -1, Value: x, Message: formatMessage("D3030", "", x, nil)}
	default:
		return nil, &Error{Code: "D3030", Position: -1, Value: x, Message: formatMessage("D3030", "", x, nil)}
	}
}

var jsonNumberRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$`)

func parseJSNumber(s string) (float64, bool) {
	if jsonNumberRE.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && !math.IsInf(f, 0) {
			return f, true
		}
		return 0, false
	}
	for _, p := range []struct {
		prefix string
		base   int
	}{{"0x", 16}, {"0X", 16}, {"0o", 8}, {"0O", 8}, {"0b", 2}, {"0B", 2}} {
		if strings.HasPrefix(s, p.prefix) && len(s) > 2 {
			n, err := strconv.ParseUint(s[2:], p.base, 64)
			if err != nil {
				return 0, false
			}
			return float64(n), true
		}
	}
	return 0, false
}

func numArg(args []any, i int) (float64, bool) {
	f, ok := arg(args, i).(float64)
	return f, ok
}

func fnAbs(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	return math.Abs(f), nil
}

func fnFloor(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	return math.Floor(f), nil
}

func fnCeil(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	return math.Ceil(f), nil
}

// jsRound is JavaScript's Math.round: halves go towards +Infinity.
func jsRound(x float64) float64 {
	r := math.Floor(x)
	if x-r >= 0.5 {
		r++
	}
	return r
}

// shiftDecimal multiplies by 10^p through the decimal string form, as the
// reference does, so 2.675 shifted by 2 is exactly 267.5.
func shiftDecimal(x float64, p int) float64 {
	s := formatNumber(x)
	mant, exp, found := strings.Cut(s, "e")
	e := 0
	if found {
		e, _ = strconv.Atoi(exp)
	}
	f, _ := strconv.ParseFloat(mant+"e"+strconv.Itoa(e+p), 64)
	return f
}

func roundHalfEven(x float64, precision int) float64 {
	if precision != 0 {
		x = shiftDecimal(x, precision)
	}
	r := jsRound(x)
	if math.Abs(r-x) == 0.5 && math.Abs(math.Mod(r, 2)) == 1 {
		r--
	}
	if precision != 0 {
		r = shiftDecimal(r, -precision)
	}
	if r == 0 {
		r = 0
	}
	return r
}

func fnRound(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	p, _ := numArg(args, 1)
	return roundHalfEven(f, int(p)), nil
}

func fnSqrt(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	if f < 0 {
		return nil, &Error{Code: "D3060", Position: -1, Value: f, Message: formatMessage("D3060", "", f, nil)}
	}
	return math.Sqrt(f), nil
}

func fnPower(c callCtx, args []any) (any, error) {
	b, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	e, _ := numArg(args, 1)
	r := math.Pow(b, e)
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return nil, &Error{Code: "D3061", Position: -1, Value: b, Message: "The power function has resulted in a value that cannot be represented as a JSON number: base=" + formatNumber(b) + ", exponent=" + formatNumber(e)}
	}
	return r, nil
}

func fnRandom(c callCtx, args []any) (any, error) {
	return rand.Float64(), nil
}

// eachNumber calls f for each number in v (a number or an array).
func eachNumber(v any, f func(float64)) bool {
	a, ok := asArray(v)
	if !ok {
		x, ok := v.(float64)
		if ok {
			f(x)
		}
		return ok
	}
	for _, x := range a {
		if n, ok := x.(float64); ok {
			f(n)
		}
	}
	return true
}

func fnSum(c callCtx, args []any) (any, error) {
	t := 0.0
	if !eachNumber(arg(args, 0), func(n float64) { t += n }) {
		return undef, nil
	}
	return t, nil
}

func fnMax(c callCtx, args []any) (any, error) {
	m, n := math.Inf(-1), 0
	if !eachNumber(arg(args, 0), func(x float64) { m = math.Max(m, x); n++ }) || n == 0 {
		return undef, nil
	}
	return m, nil
}

func fnMin(c callCtx, args []any) (any, error) {
	m, n := math.Inf(1), 0
	if !eachNumber(arg(args, 0), func(x float64) { m = math.Min(m, x); n++ }) || n == 0 {
		return undef, nil
	}
	return m, nil
}

func fnAverage(c callCtx, args []any) (any, error) {
	t, n := 0.0, 0
	if !eachNumber(arg(args, 0), func(x float64) { t += x; n++ }) || n == 0 {
		return undef, nil
	}
	return t / float64(n), nil
}

func fnCount(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return 0.0, nil
	}
	if a, ok := asArray(v); ok {
		return float64(len(a)), nil
	}
	return 1.0, nil
}

func fnBoolean(c callCtx, args []any) (any, error) {
	return toBoolean(arg(args, 0)), nil
}

func fnNot(c callCtx, args []any) (any, error) {
	b := toBoolean(arg(args, 0))
	if b == undef {
		return undef, nil
	}
	return !b.(bool), nil
}

func fnExists(c callCtx, args []any) (any, error) {
	return arg(args, 0) != undef, nil
}

func fnType(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	return typeName(v), nil
}

func fnAppend(c callCtx, args []any) (any, error) {
	a, _ := asArray(arg(args, 0))
	b, _ := asArray(arg(args, 1))
	if len(a)+len(b) > maxSeqLen {
		return nil, tooLarge(c.pos)
	}
	return appendValues(arg(args, 0), arg(args, 1)), nil
}

func fnReverse(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	a, ok := asArray(v)
	if !ok {
		return undef, nil
	}
	if len(a) <= 1 {
		return v, nil
	}
	out := make([]any, len(a))
	for i, x := range a {
		out[len(a)-1-i] = x
	}
	return &seqv{a: out}, nil
}

func fnShuffle(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	a, ok := asArray(v)
	if !ok {
		return undef, nil
	}
	if len(a) <= 1 {
		return v, nil
	}
	out := append([]any(nil), a...)
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return &seqv{a: out}, nil
}

func fnDistinct(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	a, ok := asArray(v)
	if !ok {
		return v, nil
	}
	if len(a) <= 1 {
		return v, nil
	}
	res := &seqv{sequence: isSequence(v)}
	for _, x := range a {
		dup := false
		for _, y := range res.a {
			if deepEqual(x, y) {
				dup = true
				break
			}
		}
		if !dup {
			res.a = append(res.a, x)
		}
	}
	return res, nil
}

func fnKeys(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	res := &seqv{sequence: true}
	if a, ok := asArray(v); ok {
		seen := map[string]bool{}
		for _, it := range a {
			for _, k := range objKeys(it) {
				if !seen[k] {
					seen[k] = true
					res.a = append(res.a, k)
				}
			}
		}
		return res, nil
	}
	for _, k := range objKeys(v) {
		res.a = append(res.a, k)
	}
	return res, nil
}

func fnLookup(c callCtx, args []any) (any, error) {
	k, _ := arg(args, 1).(string)
	return lookupField(arg(args, 0), k), nil
}

func fnSpread(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if a, ok := asArray(v); ok {
		var res any = undef
		for _, it := range a {
			s, _ := fnSpread(c, []any{it})
			res = appendValues(res, s)
		}
		return res, nil
	}
	if isObject(v) {
		res := &seqv{sequence: true}
		for _, k := range objKeys(v) {
			o := NewObject(1)
			x, _ := objGet(v, k)
			o.Set(k, x)
			res.a = append(res.a, o)
		}
		return res, nil
	}
	return v, nil
}

func fnMerge(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	a, ok := asArray(v)
	if !ok {
		a = []any{v}
	}
	res := NewObject(4)
	for _, it := range a {
		for _, k := range objKeys(it) {
			x, _ := objGet(it, k)
			res.Set(k, x)
		}
	}
	return res, nil
}

func fnError(c callCtx, args []any) (any, error) {
	msg, ok := arg(args, 0).(string)
	if !ok {
		msg = "$error() function evaluated"
	}
	return nil, &Error{Code: "D3137", Position: -1, Message: msg}
}

func fnAssert(c callCtx, args []any) (any, error) {
	b, _ := arg(args, 0).(bool)
	if !b {
		msg, ok := arg(args, 1).(string)
		if !ok {
			msg = "$assert() statement failed"
		}
		return nil, &Error{Code: "D3141", Position: -1, Message: msg}
	}
	return undef, nil
}

// deepClone copies a value into fresh ordered objects and arrays.
func deepClone(v any) any { return deepCloneN(v, 0) }

func deepCloneN(v any, depth int) any {
	if depth > maxNesting {
		return v
	}
	switch x := v.(type) {
	case *seqv, []any:
		a, _ := asArray(v)
		out := make([]any, len(a))
		for i, it := range a {
			out[i] = deepCloneN(it, depth+1)
		}
		return &seqv{a: out}
	case *Object, map[string]any:
		ks := objKeys(x)
		o := NewObject(len(ks))
		for _, k := range ks {
			it, _ := objGet(x, k)
			if it == undef {
				continue
			}
			o.Set(k, deepCloneN(it, depth+1))
		}
		return o
	}
	return v
}

func fnClone(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	return deepClone(v), nil
}

func fnFormatBase(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	radix := 10.0
	if r, ok := numArg(args, 1); ok {
		radix = r
	}
	if radix < 2 || radix > 36 {
		return nil, &Error{Code: "D3100", Position: -1, Value: radix, Message: formatMessage("D3100", "", radix, nil)}
	}
	f = roundHalfEven(f, 0)
	return strconv.FormatInt(int64(f), int(radix)), nil
}
