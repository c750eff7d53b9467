package pattern

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the JSON type of an event value.
type kind uint8

const (
	kString kind = iota + 1
	kNumber
	kTrue
	kFalse
	kNull
)

// leaf is one scalar value of an event with the dotted path of keys leading
// to it. Arrays do not add to the path: each element is a leaf of the path.
type leaf struct {
	path   string
	hash   uint64 // hashString(path)
	val    string // the string, or the literal text of a number, true, false or null
	micros int64  // the number in millionths, when numOK
	kind   kind
	numOK  bool  // a number within ±5.0e9
	t0, t1 int32 // the arrays this value sits in: Event.trail[t0:t1], outermost first
}

// arrayPos places a value in one array: the array's id and the element index.
type arrayPos struct{ id, idx int32 }

// Event is a parsed event, ready to be matched against many patterns. It is
// read-only once parsed and may be shared by concurrent matches.
type Event struct {
	leaves []leaf
	trail  []arrayPos
	// objArrays is set when an object sits inside an array. Only then can two
	// fields of a pattern be satisfied from different array elements, which
	// EventBridge does not accept; otherwise that check is skipped.
	objArrays bool

	// Parsing state, reused between Parse calls.
	src    string
	path   []byte
	hashes []uint64 // hash of path at each open object level
	stack  []arrayPos
	arrays int32
	depth  int
	arena  []byte
	spans  []int32 // per leaf: end of its path in arena
}

// ErrEventNotObject is returned for an event that is not a JSON object.
var ErrEventNotObject = errors.New("pattern: event is not a JSON object")

// maxEventDepth bounds event nesting so parsing cannot exhaust the stack.
const maxEventDepth = 1000

// ParseEvent parses a JSON event.
func ParseEvent(b []byte) (*Event, error) {
	e := &Event{}
	if err := e.Parse(b); err != nil {
		return nil, err
	}
	return e, nil
}

// Parse replaces the content of e with the event in b, reusing e's memory.
// It must not be called while e is being matched.
func (e *Event) Parse(b []byte) error {
	e.leaves = e.leaves[:0]
	e.trail = e.trail[:0]
	e.objArrays = false
	e.path = e.path[:0]
	e.hashes = e.hashes[:0]
	e.stack = e.stack[:0]
	e.arrays = 0
	e.depth = 0
	e.arena = e.arena[:0]
	e.spans = e.spans[:0]
	e.src = string(b)
	p := eventParser{e: e, s: e.src}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return ErrEventNotObject
	}
	if err := p.object(offsetBasis); err != nil {
		return err
	}
	p.ws()
	if p.i != len(p.s) {
		return p.errorf("unexpected data after the event")
	}
	// Paths live in one string; each leaf's path is a slice of it.
	all := string(e.arena)
	start := int32(0)
	for i := range e.leaves {
		end := e.spans[i]
		e.leaves[i].path = all[start:end]
		start = end
	}
	return nil
}

// Len reports how many scalar values the event holds.
func (e *Event) Len() int { return len(e.leaves) }

// eventParser is a small JSON reader that flattens an event into leaves as it
// goes. Strings without escapes are slices of the event, not copies.
type eventParser struct {
	e *Event
	s string
	i int
}

func (p *eventParser) errorf(format string, args ...any) error {
	return fmt.Errorf("pattern: invalid event JSON at offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *eventParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// object reads an object at p.i; h is the hash of the current path.
func (p *eventParser) object(h uint64) error {
	e := p.e
	e.depth++
	if e.depth > maxEventDepth {
		return p.errorf("nesting too deep")
	}
	if len(e.stack) > 0 {
		e.objArrays = true
	}
	p.i++ // '{'
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		e.depth--
		return nil
	}
	base := len(e.path)
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return p.errorf("expected a field name")
		}
		e.path = e.path[:base]
		kh := h
		if base > 0 {
			e.path = append(e.path, '.')
			kh = hashByte(kh, '.')
		}
		keyStart := len(e.path)
		var err error
		if e.path, err = p.appendString(e.path); err != nil {
			return err
		}
		kh = hashBytes(kh, e.path[keyStart:])
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return p.errorf("expected ':'")
		}
		p.i++
		p.ws()
		if err := p.value(kh); err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.s) {
			return p.errorf("unexpected end of event")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == '}' {
			p.i++
			e.path = e.path[:base]
			e.depth--
			return nil
		}
		return p.errorf("expected ',' or '}'")
	}
}

// value reads any value for the current path, whose hash is h.
func (p *eventParser) value(h uint64) error {
	if p.i >= len(p.s) {
		return p.errorf("unexpected end of event")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(h)
	case c == '[':
		return p.array(h)
	case c == '"':
		start := p.i + 1
		// Fast path: no escapes, the value is a slice of the event.
		j := start
		for j < len(p.s) && p.s[j] != '"' && p.s[j] != '\\' && p.s[j] >= 0x20 {
			j++
		}
		var v string
		if j < len(p.s) && p.s[j] == '"' {
			v = p.s[start:j]
			p.i = j + 1
		} else {
			buf, err := p.appendString(nil)
			if err != nil {
				return err
			}
			v = string(buf)
		}
		p.leaf(h, leaf{kind: kString, val: v})
	case c == '-' || ('0' <= c && c <= '9'):
		start := p.i
		if err := p.number(); err != nil {
			return err
		}
		lit := p.s[start:p.i]
		m, ok := parseMicros(lit)
		p.leaf(h, leaf{kind: kNumber, val: lit, micros: m, numOK: ok})
	case p.lit("true"):
		p.leaf(h, leaf{kind: kTrue, val: "true"})
	case p.lit("false"):
		p.leaf(h, leaf{kind: kFalse, val: "false"})
	case p.lit("null"):
		p.leaf(h, leaf{kind: kNull, val: "null"})
	default:
		return p.errorf("unexpected character %q", c)
	}
	return nil
}

func (p *eventParser) lit(w string) bool {
	if len(p.s)-p.i >= len(w) && p.s[p.i:p.i+len(w)] == w {
		p.i += len(w)
		return true
	}
	return false
}

// array reads an array; its elements all belong to the current path.
func (p *eventParser) array(h uint64) error {
	e := p.e
	e.depth++
	if e.depth > maxEventDepth {
		return p.errorf("nesting too deep")
	}
	p.i++ // '['
	id := e.arrays
	e.arrays++
	e.stack = append(e.stack, arrayPos{id: id})
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		e.stack = e.stack[:len(e.stack)-1]
		e.depth--
		return nil
	}
	base := len(e.path)
	for idx := int32(0); ; idx++ {
		e.stack[len(e.stack)-1].idx = idx
		p.ws()
		if err := p.value(h); err != nil {
			return err
		}
		e.path = e.path[:base]
		p.ws()
		if p.i >= len(p.s) {
			return p.errorf("unexpected end of event")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == ']' {
			p.i++
			e.stack = e.stack[:len(e.stack)-1]
			e.depth--
			return nil
		}
		return p.errorf("expected ',' or ']'")
	}
}

// leaf records a scalar value at the current path.
func (p *eventParser) leaf(h uint64, l leaf) {
	e := p.e
	l.hash = h
	l.t0 = int32(len(e.trail))
	e.trail = append(e.trail, e.stack...)
	l.t1 = int32(len(e.trail))
	e.arena = append(e.arena, e.path...)
	e.spans = append(e.spans, int32(len(e.arena)))
	e.leaves = append(e.leaves, l)
}

// number validates a JSON number at p.i and moves past it.
func (p *eventParser) number() error {
	s, i := p.s, p.i
	if s[i] == '-' {
		i++
	}
	d := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == d || (s[d] == '0' && i-d > 1) {
		return p.errorf("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		d = i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return p.errorf("invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d = i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == d {
			return p.errorf("invalid number")
		}
	}
	p.i = i
	return nil
}

// appendString reads a quoted string at p.i and appends its value to dst.
func (p *eventParser) appendString(dst []byte) ([]byte, error) {
	p.i++ // opening quote
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return dst, nil
		case c < 0x20:
			return dst, p.errorf("control character in string")
		case c != '\\':
			dst = append(dst, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			break
		}
		esc := p.s[p.i]
		p.i++
		switch esc {
		case '"', '\\', '/':
			dst = append(dst, esc)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return dst, p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) && len(p.s)-p.i >= 6 && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
					r = utf16.DecodeRune(r, r2)
				} else {
					p.i = save
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, p.errorf("invalid escape")
		}
	}
	return dst, p.errorf("unterminated string")
}

func (p *eventParser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

// FNV-1a, computed as paths are built so a Set can find a field's index
// without hashing the path again.
const (
	offsetBasis = 14695981039346656037
	prime64     = 1099511628211
)

func hashByte(h uint64, c byte) uint64 { return (h ^ uint64(c)) * prime64 }

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * prime64
	}
	return h
}

func hashString(s string) uint64 {
	h := uint64(offsetBasis)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * prime64
	}
	return h
}
