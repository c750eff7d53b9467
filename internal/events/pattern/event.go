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
// It holds no pointers, so parsing does not pay for GC write barriers.
type leaf struct {
	hash    uint64 // hashString of the path
	micros  int64  // the number in millionths, when numOK
	p0, p1  int32  // path: Event.paths[p0:p1]
	v0, v1  int32  // text: Event.src[v0:v1], or Event.esc[v0:v1] when escaped
	t0, t1  int32  // the arrays this value sits in: Event.trail[t0:t1], outermost first
	next    int32  // next leaf with the same path hash bucket, -1 at the end
	kind    kind
	numOK   bool // a number within ±5.0e9
	escaped bool // the string had escapes: its value is in Event.esc
	// objArray is set when the value sits in an array that holds objects.
	// Only such values can conflict with values of other paths: EventBridge
	// requires the fields of one match to come from one array element.
	objArray bool
}

// arrayPos places a value in one array: the array's id and the element index.
type arrayPos struct{ id, idx int32 }

// Event is a parsed event, ready to be matched against many patterns. It is
// read-only once parsed and may be shared by concurrent matches.
type Event struct {
	bufs          // leaves, trail and parsing buffers, reused between Parse calls
	src   string  // the event text
	esc   string  // values of strings with escapes
	paths string  // all leaf paths, back to back
	heads []int32 // path hash table: first leaf of each bucket, -1 when empty
}

// bufs holds what parsing builds. The parser works on a copy on its stack,
// so appends do not pay for GC write barriers, and hands it back at the end.
type bufs struct {
	leaves []leaf
	trail  []arrayPos
	// objArrays is set when an object sits inside an array. Only then can
	// two fields of a pattern be satisfied from different array elements.
	objArrays bool

	path   []byte     // path of the current value
	stack  []arrayPos // arrays open around the current value
	hasObj []bool     // per array id: holds an object, directly or deeper
	arrays int32
	depth  int
	arena  []byte // leaf paths
	escBuf []byte // values of strings with escapes
}

// ErrEventNotObject is returned for an event that is not a JSON object.
var ErrEventNotObject = errors.New("pattern: event is not a JSON object")

// maxEventDepth bounds event nesting so parsing cannot exhaust the stack.
const maxEventDepth = 1000

// maxEventSize keeps offsets within int32; PutEvents caps entries far lower.
const maxEventSize = 1 << 30

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
	if len(b) > maxEventSize {
		return errors.New("pattern: event too large")
	}
	e.src = string(b)
	p := eventParser{s: e.src, b: e.bufs}
	p.b.reset()
	err := p.parse()
	e.bufs = p.b
	if err != nil {
		e.leaves = e.leaves[:0]
		return err
	}
	e.paths = string(e.arena)
	e.esc = string(e.escBuf)
	e.link()
	return nil
}

func (b *bufs) reset() {
	b.leaves = b.leaves[:0]
	b.trail = b.trail[:0]
	b.objArrays = false
	b.path = b.path[:0]
	b.stack = b.stack[:0]
	b.hasObj = b.hasObj[:0]
	b.arrays = 0
	b.depth = 0
	b.arena = b.arena[:0]
	b.escBuf = b.escBuf[:0]
}

func (p *eventParser) parse() error {
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
	return nil
}

// link fills the path hash table and the objArray flags.
func (e *Event) link() {
	size := 8
	for size < 2*len(e.leaves) {
		size *= 2
	}
	if cap(e.heads) >= size {
		e.heads = e.heads[:size]
	} else {
		e.heads = make([]int32, size)
	}
	for i := range e.heads {
		e.heads[i] = -1
	}
	mask := uint64(size - 1)
	for i := len(e.leaves) - 1; i >= 0; i-- {
		l := &e.leaves[i]
		b := l.hash & mask
		l.next = e.heads[b]
		e.heads[b] = int32(i)
		if e.objArrays {
			for _, a := range e.trail[l.t0:l.t1] {
				if e.hasObj[a.id] {
					l.objArray = true
					break
				}
			}
		}
	}
}

// pathOf returns the path of l.
func (e *Event) pathOf(l *leaf) string { return e.paths[l.p0:l.p1] }

// text returns the string value of l, or the literal text of a number,
// true, false or null.
func (e *Event) text(l *leaf) string {
	if l.escaped {
		return e.esc[l.v0:l.v1]
	}
	return e.src[l.v0:l.v1]
}

// first returns the first leaf whose path hash falls in the bucket of h.
func (e *Event) first(h uint64) int32 {
	if len(e.heads) == 0 {
		return -1
	}
	return e.heads[h&uint64(len(e.heads)-1)]
}

// Len reports how many scalar values the event holds.
func (e *Event) Len() int { return len(e.leaves) }

// eventParser is a small JSON reader that flattens an event into leaves as it
// goes. Strings without escapes are slices of the event, not copies.
type eventParser struct {
	s string
	i int
	b bufs
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
	e := &p.b
	e.depth++
	if e.depth > maxEventDepth {
		return p.errorf("nesting too deep")
	}
	if len(e.stack) > 0 {
		e.objArrays = true
		for _, a := range e.stack {
			e.hasObj[a.id] = true
		}
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
		if j < len(p.s) && p.s[j] == '"' {
			p.i = j + 1
			p.leaf(h, leaf{kind: kString, v0: int32(start), v1: int32(j)})
			break
		}
		e := &p.b
		v0 := len(e.escBuf)
		var err error
		if e.escBuf, err = p.appendString(e.escBuf); err != nil {
			return err
		}
		p.leaf(h, leaf{kind: kString, v0: int32(v0), v1: int32(len(e.escBuf)), escaped: true})
	case c == '-' || ('0' <= c && c <= '9'):
		start := p.i
		if err := p.number(); err != nil {
			return err
		}
		m, ok := parseMicros(p.s[start:p.i])
		p.leaf(h, leaf{kind: kNumber, v0: int32(start), v1: int32(p.i), micros: m, numOK: ok})
	case p.lit("true"):
		p.leaf(h, leaf{kind: kTrue, v0: int32(p.i - 4), v1: int32(p.i)})
	case p.lit("false"):
		p.leaf(h, leaf{kind: kFalse, v0: int32(p.i - 5), v1: int32(p.i)})
	case p.lit("null"):
		p.leaf(h, leaf{kind: kNull, v0: int32(p.i - 4), v1: int32(p.i)})
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
	e := &p.b
	e.depth++
	if e.depth > maxEventDepth {
		return p.errorf("nesting too deep")
	}
	p.i++ // '['
	id := e.arrays
	e.arrays++
	e.hasObj = append(e.hasObj, false)
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
	e := &p.b
	l.hash = h
	l.t0 = int32(len(e.trail))
	e.trail = append(e.trail, e.stack...)
	l.t1 = int32(len(e.trail))
	l.p0 = int32(len(e.arena))
	e.arena = append(e.arena, e.path...)
	l.p1 = int32(len(e.arena))
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
	// Fast path: copy the run before any quote, escape or control character.
	j := p.i
	for j < len(p.s) && p.s[j] != '"' && p.s[j] != '\\' && p.s[j] >= 0x20 {
		j++
	}
	dst = append(dst, p.s[p.i:j]...)
	p.i = j
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
