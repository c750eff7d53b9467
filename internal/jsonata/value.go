package jsonata

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// undefinedT is the type of Undefined.
type undefinedT struct{}

// Undefined is the result of an expression that produces no value (for
// example a path that matches nothing). It is distinct from nil, which is
// JSON null.
var Undefined = undefinedT{}

// undef is the internal spelling of Undefined.
var undef any = Undefined

// IsUndefined reports whether v is the Undefined result.
func IsUndefined(v any) bool { return v == undef }

// seqv is an array carrying the reference implementation's flags. Input
// arrays are plain []any; arrays built during evaluation are *seqv.
type seqv struct {
	a             []any
	sequence      bool   // a result sequence: collapses to its single item
	cons          bool   // built by an array constructor: not flattened by paths
	keepSingleton bool   // [] was applied: do not collapse a single item
	outerWrapper  bool   // wraps a top-level array input
	tupleStream   bool   // items are tuple values
	one           [1]any // inline storage for single-item sequences
}

func newSeq(items ...any) *seqv { return &seqv{a: items, sequence: true} }

// tuple is one binding set in a tuple stream; "@" holds the context.
type tuple map[string]any

// asArray returns the items of an array value.
func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case *seqv:
		return a.a, true
	case []any:
		// caller arrays may hold ints or other Go types: convert on read
		for i, x := range a {
			if !isCanon(x) {
				out := make([]any, len(a))
				copy(out, a[:i])
				for j := i; j < len(a); j++ {
					out[j] = canon(a[j])
				}
				return out, true
			}
		}
		return a, true
	}
	return nil, false
}

func isSequence(v any) bool {
	s, ok := v.(*seqv)
	return ok && s.sequence
}

func isCons(v any) bool {
	s, ok := v.(*seqv)
	return ok && s.cons
}

func isTupleStream(v any) bool {
	s, ok := v.(*seqv)
	return ok && s.tupleStream
}

// Object is a JSON object that keeps its keys in the order a JavaScript
// engine would: integer-like keys ascending, then insertion order. Eval
// returns objects built by an expression as map[string]any unless
// EvalOptions.OrderedObjects is set; ParseJSON returns *Object so inputs keep
// their key order.
type Object struct {
	keys  []string
	vals  []any          // parallel to keys
	index map[string]int // key positions; built once the object is large
}

// objectIndexAt is the size from which lookups use a map.
const objectIndexAt = 12

// NewObject returns an empty Object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// Keys returns the keys in order. The caller must not modify the slice.
func (o *Object) Keys() []string { return o.keys }

// Len returns the number of keys.
func (o *Object) Len() int { return len(o.keys) }

func (o *Object) find(k string) int {
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i, x := range o.keys {
		if x == k {
			return i
		}
	}
	return -1
}

func (o *Object) reindex() {
	if len(o.keys) < objectIndexAt {
		o.index = nil
		return
	}
	if o.index == nil {
		o.index = make(map[string]int, len(o.keys))
	}
	clear(o.index)
	for i, k := range o.keys {
		o.index[k] = i
	}
}

// Get returns the value stored under k.
func (o *Object) Get(k string) (any, bool) {
	if i := o.find(k); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// Set stores v under k, keeping k's position if present.
func (o *Object) Set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.vals[i] = v
		return
	}
	pos := len(o.keys)
	if idx, isIdx := arrayIndexKey(k); isIdx {
		// integer-like keys sort ahead of others, ascending
		pos = 0
		for pos < len(o.keys) {
			j, ok := arrayIndexKey(o.keys[pos])
			if !ok || j > idx {
				break
			}
			pos++
		}
	}
	if pos == len(o.keys) {
		o.keys = append(o.keys, k)
		o.vals = append(o.vals, v)
		if o.index != nil {
			o.index[k] = pos
		} else if len(o.keys) >= objectIndexAt {
			o.reindex()
		}
		return
	}
	o.keys = append(o.keys, "")
	copy(o.keys[pos+1:], o.keys[pos:])
	o.keys[pos] = k
	o.vals = append(o.vals, nil)
	copy(o.vals[pos+1:], o.vals[pos:])
	o.vals[pos] = v
	o.reindex()
}

// Delete removes k.
func (o *Object) Delete(k string) {
	i := o.find(k)
	if i < 0 {
		return
	}
	o.keys = append(o.keys[:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i], o.vals[i+1:]...)
	o.reindex()
}

// MarshalJSON encodes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	s, err := stringify(o, false)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

func arrayIndexKey(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n >= 1<<32-1 {
		return 0, false
	}
	return n, true
}

// isObject reports whether v is a JSON object.
func isObject(v any) bool {
	switch v.(type) {
	case *Object, map[string]any:
		return true
	}
	return false
}

// objKeys returns an object's keys in iteration order (sorted for Go maps,
// which carry no order).
func objKeys(v any) []string {
	switch o := v.(type) {
	case *Object:
		return o.keys
	case map[string]any:
		ks := make([]string, 0, len(o))
		for k := range o {
			ks = append(ks, k)
		}
		sortJSKeys(ks)
		return ks
	}
	return nil
}

// sortJSKeys orders keys as a JavaScript engine enumerates a parsed object:
// integer-like keys first ascending, then the rest (alphabetically here,
// since Go maps have no insertion order).
func sortJSKeys(ks []string) {
	sort.Slice(ks, func(i, j int) bool {
		a, aok := arrayIndexKey(ks[i])
		b, bok := arrayIndexKey(ks[j])
		switch {
		case aok && bok:
			return a < b
		case aok != bok:
			return aok
		}
		return ks[i] < ks[j]
	})
}

func objGet(v any, k string) (any, bool) {
	switch o := v.(type) {
	case *Object:
		x, ok := o.Get(k)
		return canon(x), ok
	case map[string]any:
		x, ok := o[k]
		return canon(x), ok
	}
	return nil, false
}

func objLen(v any) int {
	switch o := v.(type) {
	case *Object:
		return len(o.keys)
	case map[string]any:
		return len(o)
	}
	return 0
}

// isFunction reports whether v can be invoked.
func isFunction(v any) bool {
	_, ok := v.(callable)
	return ok
}

func isNumber(v any) bool {
	_, ok := v.(float64)
	return ok
}

// isNumeric is a number that is not NaN.
func isNumeric(v any) bool {
	f, ok := v.(float64)
	return ok && !math.IsNaN(f)
}

func isArrayOfNumbers(v any) bool {
	a, ok := asArray(v)
	if !ok {
		return false
	}
	for _, x := range a {
		if _, ok := x.(float64); !ok {
			return false
		}
	}
	return true
}

func isArrayOfStrings(v any) bool {
	a, ok := asArray(v)
	if !ok {
		return false
	}
	for _, x := range a {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

// toBoolean implements the $boolean casting rules; undefined stays
// undefined.
func toBoolean(v any) any {
	switch x := v.(type) {
	case undefinedT:
		return undef
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	case *seqv, []any:
		a, _ := asArray(v)
		if len(a) == 0 {
			return false
		}
		if len(a) == 1 {
			return toBoolean(a[0])
		}
		for _, it := range a {
			if b, _ := toBoolean(it).(bool); b {
				return true
			}
		}
		return false
	case *Object, map[string]any:
		return objLen(x) > 0
	}
	return false
}

// truthy is toBoolean with undefined treated as false.
func truthy(v any) bool {
	b, _ := toBoolean(v).(bool)
	return b
}

// maxNesting bounds recursion over values, so a value an expression nested
// absurdly deep cannot overflow the goroutine stack.
const maxNesting = 100000

// deepEqual compares two JSON values structurally.
func deepEqual(a, b any) bool { return deepEqualN(a, b, 0) }

func deepEqualN(a, b any, depth int) bool {
	if depth > maxNesting {
		return false
	}
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case undefinedT:
		return b == undef
	case *seqv, []any:
		xa, _ := asArray(a)
		ya, ok := asArray(b)
		if !ok || len(xa) != len(ya) {
			return false
		}
		for i := range xa {
			if !deepEqualN(xa[i], ya[i], depth+1) {
				return false
			}
		}
		return true
	case *Object, map[string]any:
		if !isObject(b) || objLen(a) != objLen(b) {
			return false
		}
		for _, k := range objKeys(a) {
			av, _ := objGet(a, k)
			bv, ok := objGet(b, k)
			if !ok || !deepEqualN(av, bv, depth+1) {
				return false
			}
		}
		return true
	}
	return a == b
}

// formatNumber renders f as JavaScript's Number.prototype.toString does.
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	neg := f < 0
	if neg {
		f = -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±xx
	mant, expStr, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expStr)
	n := exp + 1
	k := len(digits)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case k <= n && n <= 21:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", n-k))
	case 0 < n && n <= 21:
		b.WriteString(digits[:n])
		b.WriteByte('.')
		b.WriteString(digits[n:])
	case -6 < n && n <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n))
		b.WriteString(digits)
	default:
		b.WriteByte(digits[0])
		if k > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if n-1 >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(n - 1))
	}
	return b.String()
}

// precision15 rounds to 15 significant digits, as $string does to hide
// binary floating-point noise.
func precision15(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// stringify renders v as JSON the way $string does: numbers at 15
// significant digits, functions as "", undefined members omitted.
func stringify(v any, pretty bool) (string, error) {
	var b strings.Builder
	if err := writeJSON(&b, v, pretty, 0, true); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeJSON(b *strings.Builder, v any, pretty bool, indent int, round bool) error {
	if indent > maxNesting {
		return &Error{Code: "U1001", Position: -1, Message: "Resource limit exceeded: value nested too deeply"}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case undefinedT:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		if math.IsInf(x, 0) {
			return &Error{Code: "D1001", Position: -1, Value: x, Message: formatMessage("D1001", "", x, nil)}
		}
		if math.IsNaN(x) {
			b.WriteString("null")
			return nil
		}
		if round && x != math.Trunc(x) {
			x = precision15(x)
		}
		b.WriteString(formatNumber(x))
	case string:
		writeJSONString(b, x)
	case *seqv, []any:
		a, _ := asArray(v)
		b.WriteByte('[')
		if len(a) == 0 {
			b.WriteByte(']')
			return nil
		}
		for i, it := range a {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, pretty, indent+1)
			if err := writeJSON(b, it, pretty, indent+1, round); err != nil {
				return err
			}
		}
		newline(b, pretty, indent)
		b.WriteByte(']')
	case *Object, map[string]any, tuple:
		var keys []string
		if t, ok := x.(tuple); ok {
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		} else {
			keys = objKeys(v)
		}
		b.WriteByte('{')
		n := 0
		for _, k := range keys {
			var val any
			if t, ok := x.(tuple); ok {
				val = t[k]
			} else {
				val, _ = objGet(v, k)
			}
			if val == undef {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			newline(b, pretty, indent+1)
			writeJSONString(b, k)
			b.WriteByte(':')
			if pretty {
				b.WriteByte(' ')
			}
			if err := writeJSON(b, val, pretty, indent+1, round); err != nil {
				return err
			}
		}
		if n > 0 {
			newline(b, pretty, indent)
		}
		b.WriteByte('}')
	case callable:
		b.WriteString(`""`)
	default:
		b.WriteString("null")
	}
	return nil
}

func newline(b *strings.Builder, pretty bool, indent int) {
	if !pretty {
		return
	}
	b.WriteByte('\n')
	for i := 0; i < indent; i++ {
		b.WriteString("  ")
	}
}

func writeJSONString(b *strings.Builder, s string) {
	const hexd = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				if c < 0x20 {
					b.WriteString(`\u00`)
					b.WriteByte(hexd[c>>4])
					b.WriteByte(hexd[c&0xF])
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		// lone surrogates stored as 3-byte sequences are escaped as JSON does
		if c == 0xED && i+2 < len(s) && s[i+1] >= 0xA0 {
			r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(r), 16))
			i += 3
			continue
		}
		b.WriteByte(c)
		i++
	}
	b.WriteByte('"')
}

// typeName is the $type name of v.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case *seqv, []any:
		return "array"
	case *Object, map[string]any:
		return "object"
	case callable:
		return "function"
	}
	return "undefined"
}
