package pattern

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// tok is a JSON token kind, as a streaming JSON parser reports them.
type tok uint8

const (
	tokStartObject tok = iota + 1
	tokEndObject
	tokStartArray
	tokEndArray
	tokField
	tokString
	tokInt
	tokFloat
	tokTrue
	tokFalse
	tokNull
)

// isNumber reports whether t is a number token.
func (t tok) isNumber() bool { return t == tokInt || t == tokFloat }

// maxDepth bounds pattern nesting so a hostile pattern cannot exhaust the
// stack; it matches the default limit of the JSON parser behind AWS.
const maxDepth = 1000

// lexer reads a pattern one token at a time, so validation errors surface in
// the same order, and at the same positions, as in AWS's streaming parser.
// Syntax errors panic with a *Error that compile recovers.
type lexer struct {
	src   []byte
	pos   int    // next byte to read
	stack []byte // open containers: '{' or '['
	// need says what the next token may be: 'v' a value, 'a' a value or ']',
	// 'k' a key or '}', 'K' a key (after a comma), ',' a comma or closer,
	// 'e' nothing (done).
	need byte
	text string // text of the last token
	// loc is the position the JSON parser behind AWS reports after the last
	// token. It runs ahead of pos after a field name: that parser has by then
	// read the colon and the start of the value.
	loc int
	// lazy, when not -1, is the position to report instead of loc: the last
	// token is a string whose text has not been read (str), so the parser
	// has only consumed its opening quote.
	lazy int
	// strStart is the offset of the opening quote of the last string.
	strStart int
}

func newLexer(src []byte) *lexer { return &lexer{src: src, need: 'v', lazy: -1} }

// fail stops compilation with reason at the reported parser position.
func (l *lexer) fail(reason string) {
	off := l.loc
	if l.lazy >= 0 {
		off = l.lazy
	}
	panic(newError(l.src, off, reason))
}

// failAt stops compilation with a syntax error at offset off.
func (l *lexer) failAt(off int, reason string) { panic(newError(l.src, off, reason)) }

// syntax stops compilation with a syntax error at the scan position.
func (l *lexer) syntax(reason string) { l.failAt(l.pos, reason) }

// str returns the text of the last string token, marking it read.
func (l *lexer) str() string {
	l.lazy = -1
	return l.text
}

// next returns the next token and sets loc.
func (l *lexer) next() tok {
	l.lazy = -1
	t := l.scan()
	switch t {
	case tokField:
		l.loc = l.valueStart()
	case tokString:
		l.loc = l.pos
		l.lazy = l.strStart + 1
	default:
		l.loc = l.pos
	}
	return t
}

// valueStart is where the JSON parser behind AWS stands after a field name:
// past the opening character of the value, or past the whole value when it
// is a number or a literal.
func (l *lexer) valueStart() int {
	p := l.pos
	for p < len(l.src) && (l.src[p] == ' ' || l.src[p] == '\t' || l.src[p] == '\n' || l.src[p] == '\r') {
		p++
	}
	if p >= len(l.src) {
		return p
	}
	switch c := l.src[p]; {
	case c == '"' || c == '{' || c == '[':
		return p + 1
	case c == '-' || isIdentByte(c):
		for p < len(l.src) && (isIdentByte(l.src[p]) || l.src[p] == '-' || l.src[p] == '+' || l.src[p] == '.') {
			p++
		}
	}
	return p
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\n', '\r':
			l.pos++
		default:
			return
		}
	}
}

// charDesc describes the byte at off as the JSON parser's messages do.
func (l *lexer) charDesc(off int) string {
	l.pos = off + 1 // the parser has read the offending character
	r, _ := utf8.DecodeRune(l.src[off:])
	if r < 32 {
		return fmt.Sprintf("(CTRL-CHAR, code %d)", r)
	}
	return fmt.Sprintf("('%c' (code %d))", r, r)
}

// scan reads the next token.
func (l *lexer) scan() tok {
	l.skipSpace()
	if l.pos >= len(l.src) {
		if len(l.stack) == 0 {
			l.syntax("No content to map due to end-of-input")
		}
		kind := "OBJECT"
		if l.stack[len(l.stack)-1] == '[' {
			kind = "ARRAY"
		}
		l.syntax("Unexpected end-of-input: expected close marker for " + kind)
	}
	c := l.src[l.pos]
	switch l.need {
	case 'k', 'K':
		if c == '}' && l.need == 'k' {
			return l.closeContainer('{')
		}
		if c != '"' {
			l.syntax("Unexpected character " + l.charDesc(l.pos) + ": was expecting double-quote to start field name")
		}
		l.text = l.readString()
		l.skipSpace()
		if l.pos >= len(l.src) {
			l.syntax("Unexpected end-of-input: expected close marker for OBJECT")
		}
		if l.src[l.pos] != ':' {
			l.syntax("Unexpected character " + l.charDesc(l.pos) + ": was expecting a colon to separate field name and value")
		}
		l.pos++
		l.need = 'v'
		return tokField
	case ',':
		top := l.stack[len(l.stack)-1]
		switch {
		case c == ',':
			l.pos++
			if top == '{' {
				l.need = 'K'
				return l.scan()
			}
			l.need = 'v'
			return l.scan()
		case c == '}' || c == ']':
			return l.closeContainer(top)
		case top == '{':
			l.syntax("Unexpected character " + l.charDesc(l.pos) + ": was expecting comma to separate Object entries")
		default:
			l.syntax("Unexpected character " + l.charDesc(l.pos) + ": was expecting comma to separate Array entries")
		}
	case 'e':
		l.syntax("Unexpected content after the pattern")
	case 'a':
		if c == ']' {
			return l.closeContainer('[') // empty array
		}
	}
	// A value.
	switch {
	case c == '{' || c == '[':
		if len(l.stack) >= maxDepth {
			l.syntax(fmt.Sprintf("Document nesting depth (%d) exceeds the maximum allowed (%d)", len(l.stack)+1, maxDepth))
		}
		l.pos++
		l.stack = append(l.stack, c)
		l.text = string(c)
		if c == '{' {
			l.need = 'k'
			return tokStartObject
		}
		l.need = 'a'
		return tokStartArray
	case c == '"':
		l.strStart = l.pos
		l.text = l.readString()
		l.afterValue()
		return tokString
	case c == '-' || ('0' <= c && c <= '9'):
		t := l.readNumber()
		l.afterValue()
		return t
	case c == 't' || c == 'f' || c == 'n' || isIdentByte(c):
		start := l.pos
		for l.pos < len(l.src) && isIdentByte(l.src[l.pos]) {
			l.pos++
		}
		word := string(l.src[start:l.pos])
		var t tok
		switch word {
		case "true":
			t = tokTrue
		case "false":
			t = tokFalse
		case "null":
			t = tokNull
		default:
			l.syntax("Unrecognized token '" + word + "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
		}
		l.text = word
		l.afterValue()
		return t
	case c == ']' || c == '}':
		l.syntax(fmt.Sprintf("Unexpected close marker '%c': expected a value", c))
	}
	l.syntax("Unexpected character " + l.charDesc(l.pos) + ": expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
	return 0
}

func isIdentByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c >= utf8.RuneSelf
}

func (l *lexer) closeContainer(open byte) tok {
	c := l.src[l.pos]
	want := byte('}')
	if open == '[' {
		want = ']'
	}
	if c != want {
		l.syntax(fmt.Sprintf("Unexpected close marker '%c': expected '%c'", c, want))
	}
	l.pos++
	l.stack = l.stack[:len(l.stack)-1]
	l.text = string(c)
	l.afterValue()
	if open == '{' {
		return tokEndObject
	}
	return tokEndArray
}

func (l *lexer) afterValue() {
	if len(l.stack) == 0 {
		l.need = 'e'
		return
	}
	l.need = ','
}

// readString reads a quoted string starting at l.pos and returns its value.
func (l *lexer) readString() string {
	l.pos++ // opening quote
	start := l.pos
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '"' {
			s := string(l.src[start:l.pos])
			l.pos++
			return s
		}
		if c == '\\' || c < 0x20 {
			break
		}
		l.pos++
	}
	buf := append([]byte(nil), l.src[start:l.pos]...)
	for {
		if l.pos >= len(l.src) {
			l.syntax("Unexpected end-of-input: was expecting closing quote for a string value")
		}
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			return string(buf)
		case c < 0x20:
			l.syntax(fmt.Sprintf("Illegal unquoted character ((CTRL-CHAR, code %d)): has to be escaped using backslash to be included in string value", c))
		case c == '\\':
			l.pos++
			if l.pos >= len(l.src) {
				l.syntax("Unexpected end-of-input in character escape sequence")
			}
			e := l.src[l.pos]
			l.pos++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r := l.readHex4()
				if utf16.IsSurrogate(r) && l.pos+1 < len(l.src) && l.src[l.pos] == '\\' && l.src[l.pos+1] == 'u' {
					save := l.pos
					l.pos += 2
					r2 := l.readHex4()
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
					} else {
						l.pos = save
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				l.failAt(l.pos, fmt.Sprintf("Unrecognized character escape '%c' (code %d)", e, e))
			}
		default:
			buf = append(buf, c)
			l.pos++
		}
	}
}

func (l *lexer) readHex4() rune {
	if l.pos+4 > len(l.src) {
		l.syntax("Unexpected end-of-input in character escape sequence")
	}
	v, err := strconv.ParseUint(string(l.src[l.pos:l.pos+4]), 16, 32)
	if err != nil {
		l.syntax("Unexpected character in unicode escape: expected a hex-digit for character escape sequence")
	}
	l.pos += 4
	return rune(v)
}

// readNumber reads a JSON number and reports whether it is integral.
func (l *lexer) readNumber() tok {
	start := l.pos
	if l.src[l.pos] == '-' {
		l.pos++
	}
	digits := l.pos
	for l.pos < len(l.src) && '0' <= l.src[l.pos] && l.src[l.pos] <= '9' {
		l.pos++
	}
	switch {
	case l.pos == digits:
		if l.pos < len(l.src) {
			l.syntax("Unexpected character " + l.charDesc(l.pos) + " in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value")
		}
		l.syntax("Unexpected end-of-input in numeric value")
	case l.src[digits] == '0' && l.pos-digits > 1:
		l.syntax("Invalid numeric value: Leading zeroes not allowed")
	}
	t := tokInt
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		t = tokFloat
		l.pos++
		d := l.pos
		for l.pos < len(l.src) && '0' <= l.src[l.pos] && l.src[l.pos] <= '9' {
			l.pos++
		}
		if l.pos == d {
			l.syntax("Unexpected character in numeric value: Decimal point not followed by a digit")
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		t = tokFloat
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		d := l.pos
		for l.pos < len(l.src) && '0' <= l.src[l.pos] && l.src[l.pos] <= '9' {
			l.pos++
		}
		if l.pos == d {
			l.syntax("Unexpected character in numeric value: Exponent indicator not followed by a digit")
		}
	}
	if l.pos < len(l.src) && isIdentByte(l.src[l.pos]) {
		l.syntax("Unexpected character " + l.charDesc(l.pos) + " in numeric value")
	}
	l.text = string(l.src[start:l.pos])
	return t
}

// skipValue consumes the rest of the value whose first token was t.
func (l *lexer) skipValue(t tok) {
	if t != tokStartObject && t != tokStartArray {
		return
	}
	depth := 1
	for depth > 0 {
		switch l.next() {
		case tokStartObject, tokStartArray:
			depth++
		case tokEndObject, tokEndArray:
			depth--
		}
	}
}
