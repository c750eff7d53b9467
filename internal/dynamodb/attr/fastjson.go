package attr

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A hand-written decoder for well-formed, valid wire JSON: the common case
// of every request and of every item read back from storage. It gives up
// (ok == false) on anything unusual — invalid values, duplicate or unknown
// members, nulls, odd escapes — and the caller then runs the
// encoding/json-based decoder, which produces DynamoDB's exact errors.
// Whenever it succeeds its result equals that decoder's.

type fastDec struct {
	b []byte
	i int
}

// fastDecodeItem decodes a whole input holding one item.
func fastDecodeItem(b []byte) (Item, bool) {
	d := fastDec{b: b}
	it, ok := d.object(0)
	if !ok {
		return nil, false
	}
	d.ws()
	return it, d.i == len(d.b)
}

// fastDecodeValue decodes a whole input holding one attribute value.
func fastDecodeValue(b []byte) (Value, bool) {
	d := fastDec{b: b}
	v, ok := d.value(0)
	if !ok {
		return Value{}, false
	}
	d.ws()
	return v, d.i == len(d.b)
}

func (d *fastDec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c after optional whitespace.
func (d *fastDec) byte(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *fastDec) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// object decodes {"name": value, ...} into an Item (a map's members).
func (d *fastDec) object(depth int) (Item, bool) {
	if !d.byte('{') {
		return nil, false
	}
	out := Item{}
	if d.byte('}') {
		return out, true
	}
	for {
		k, ok := d.str()
		if !ok || !d.byte(':') {
			return nil, false
		}
		if _, dup := out[k]; dup {
			return nil, false
		}
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		out[k] = v
		if d.byte(',') {
			continue
		}
		if d.byte('}') {
			return out, true
		}
		return nil, false
	}
}

// value decodes {"T": member}.
func (d *fastDec) value(depth int) (Value, bool) {
	if !d.byte('{') {
		return Value{}, false
	}
	name, ok := d.str()
	if !ok || !d.byte(':') {
		return Value{}, false
	}
	var v Value
	switch name {
	case "S":
		s, ok := d.str()
		if !ok {
			return Value{}, false
		}
		v = S(s)
	case "N":
		s, ok := d.str()
		if !ok {
			return Value{}, false
		}
		c, err := ParseNumber(s)
		if err != nil {
			return Value{}, false
		}
		v = Value{t: TypeN, s: c}
	case "B":
		s, ok := d.str()
		if !ok {
			return Value{}, false
		}
		b, err := decodeBase64(s)
		if err != nil {
			return Value{}, false
		}
		v = Value{t: TypeB, s: b}
	case "BOOL":
		b, ok := d.boolean()
		if !ok {
			return Value{}, false
		}
		v = Bool(b)
	case "NULL":
		b, ok := d.boolean()
		if !ok || !b {
			return Value{}, false
		}
		v = Null()
	case "M":
		if depth >= MaxDepth {
			return Value{}, false
		}
		m, ok := d.object(depth + 1)
		if !ok {
			return Value{}, false
		}
		v = M(m)
	case "L":
		if depth >= MaxDepth || !d.byte('[') {
			return Value{}, false
		}
		l := []Value{}
		if !d.byte(']') {
			for {
				e, ok := d.value(depth + 1)
				if !ok {
					return Value{}, false
				}
				l = append(l, e)
				if d.byte(',') {
					continue
				}
				if d.byte(']') {
					break
				}
				return Value{}, false
			}
		}
		v = L(l...)
	case "SS", "NS", "BS":
		t, _ := ParseType(name)
		members, ok := d.strings()
		if !ok || len(members) == 0 {
			return Value{}, false
		}
		for i, m := range members {
			var err error
			switch t {
			case TypeNS:
				members[i], err = ParseNumber(m)
			case TypeBS:
				members[i], err = decodeBase64(m)
			}
			if err != nil {
				return Value{}, false
			}
		}
		if hasDuplicate(members) {
			return Value{}, false
		}
		v = setOf(t, members)
	default:
		return Value{}, false
	}
	if !d.byte('}') {
		return Value{}, false // a second member, or garbage
	}
	return v, true
}

func (d *fastDec) boolean() (bool, bool) {
	d.ws()
	rest := d.b[d.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

func (d *fastDec) strings() ([]string, bool) {
	if !d.byte('[') {
		return nil, false
	}
	var out []string
	if d.byte(']') {
		return out, true
	}
	for {
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if d.byte(',') {
			continue
		}
		if d.byte(']') {
			return out, true
		}
		return nil, false
	}
}

// str decodes a JSON string. It gives up on invalid UTF-8 and on escapes
// encoding/json would treat specially (lone surrogates).
func (d *fastDec) str() (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	d.i++
	start := d.i
	ascii := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		d.i++
	}
	return "", false
}

// escaped finishes a string that contains escapes; the string began at
// start and d.i is at the first backslash.
func (d *fastDec) escaped(start int) (string, bool) {
	var sb strings.Builder
	sb.Write(d.b[start:d.i])
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			s := sb.String()
			if !utf8.ValidString(s) {
				return "", false
			}
			return s, true
		case c < 0x20:
			return "", false
		case c != '\\':
			sb.WriteByte(c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.b) {
			return "", false
		}
		e := d.b[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			sb.WriteByte(e)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				if d.i+1 >= len(d.b) || d.b[d.i] != '\\' || d.b[d.i+1] != 'u' {
					return "", false
				}
				d.i += 2
				r2, ok := d.hex4()
				if !ok {
					return "", false
				}
				r = utf16.DecodeRune(r, r2)
				if r == utf8.RuneError {
					return "", false
				}
			}
			sb.WriteRune(r)
		default:
			return "", false
		}
	}
	return "", false
}

func (d *fastDec) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}
