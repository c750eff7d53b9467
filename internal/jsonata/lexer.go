package jsonata

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

type tokKind int

const (
	tokEnd tokKind = iota
	tokOp
	tokString
	tokNumber
	tokValue // true, false, null
	tokName
	tokVariable
	tokRegex
)

// token is one lexical unit. pos is the offset just past its last character,
// as the reference implementation reports positions.
type token struct {
	kind  tokKind
	str   string  // operator, name, variable name, string value, regex source
	num   float64 // number value
	val   any     // true/false/null value
	flags string  // regex flags
	pos   int
}

// lexer splits an expression into tokens on demand; the parser tells it
// whether a '/' may start a regular expression.
type lexer struct {
	src string
	pos int
}

// operators recognised by the lexer, longest first where prefixes overlap.
var twoCharOps = []string{"..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"}

const singleOps = ".[]{}(),@#;:?+-*/%|=<>^&!~"

func (l *lexer) errAt(code string, pos int, tok string) *Error {
	return newErr(code, pos, tok, nil)
}

// next returns the next token. prefix is true when the parser expects an
// operand, so '/' begins a regex literal.
func (l *lexer) next(prefix bool) (token, error) {
	src := l.src
	// skip whitespace and comments
	for l.pos < len(src) {
		c := src[l.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
			l.pos++
			continue
		}
		if c == '/' && l.pos+1 < len(src) && src[l.pos+1] == '*' {
			end := strings.Index(src[l.pos+2:], "*/")
			if end < 0 {
				l.pos = len(src)
				return token{}, l.errAt("S0106", l.pos, "")
			}
			l.pos += end + 4
			continue
		}
		break
	}
	if l.pos >= len(src) {
		return token{kind: tokEnd, pos: l.pos}, nil
	}
	c := src[l.pos]
	if prefix && c == '/' {
		return l.regex()
	}
	for _, op := range twoCharOps {
		if strings.HasPrefix(src[l.pos:], op) {
			l.pos += 2
			return token{kind: tokOp, str: op, pos: l.pos}, nil
		}
	}
	if strings.IndexByte(singleOps, c) >= 0 {
		l.pos++
		return token{kind: tokOp, str: string(c), pos: l.pos}, nil
	}
	if c == '"' || c == '\'' {
		return l.stringLit(c)
	}
	if c >= '0' && c <= '9' {
		return l.number()
	}
	if c == '`' {
		end := strings.IndexByte(src[l.pos+1:], '`')
		if end < 0 {
			l.pos = len(src)
			return token{}, l.errAt("S0105", l.pos, "")
		}
		name := src[l.pos+1 : l.pos+1+end]
		l.pos += end + 2
		return token{kind: tokName, str: name, pos: l.pos}, nil
	}
	// names and variables run to the next delimiter
	start := l.pos
	i := l.pos
	if c == '$' {
		i++
	}
	for i < len(src) {
		r, sz := utf8.DecodeRuneInString(src[i:])
		if isDelimiter(r) {
			break
		}
		i += sz
	}
	l.pos = i
	word := src[start:i]
	if c == '$' {
		return token{kind: tokVariable, str: word[1:], pos: l.pos}, nil
	}
	switch word {
	case "and", "or", "in":
		return token{kind: tokOp, str: word, pos: l.pos}, nil
	case "true":
		return token{kind: tokValue, val: true, pos: l.pos}, nil
	case "false":
		return token{kind: tokValue, val: false, pos: l.pos}, nil
	case "null":
		return token{kind: tokValue, val: nil, pos: l.pos}, nil
	}
	if word == "" {
		// a character that starts no token
		r, sz := utf8.DecodeRuneInString(src[i:])
		l.pos += sz
		return token{kind: tokName, str: string(r), pos: l.pos}, nil
	}
	return token{kind: tokName, str: word, pos: l.pos}, nil
}

func isDelimiter(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\ufeff':
		return true
	}
	if r < 128 && strings.IndexRune(singleOps, r) >= 0 {
		return true
	}
	return r == '"' || r == '\'' || r == '`'
}

func (l *lexer) number() (token, error) {
	src := l.src
	i := l.pos
	digits := func() {
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	if src[i] == '0' {
		i++
	} else {
		digits()
	}
	if i+1 < len(src) && src[i] == '.' && src[i+1] >= '0' && src[i+1] <= '9' {
		i++
		digits()
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && src[j] >= '0' && src[j] <= '9' {
			i = j
			digits()
		}
	}
	text := src[l.pos:i]
	l.pos = i
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return token{}, l.errAt("S0102", l.pos, text)
	}
	return token{kind: tokNumber, num: f, pos: l.pos}, nil
}

func (l *lexer) stringLit(q byte) (token, error) {
	src := l.src
	var b strings.Builder
	i := l.pos + 1
	for i < len(src) {
		c := src[i]
		if c == q {
			l.pos = i + 1
			return token{kind: tokString, str: b.String(), pos: l.pos}, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		i++
		if i >= len(src) {
			break
		}
		e := src[i]
		switch e {
		case '"', '\\', '/', '\'':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(src, i+1)
			if !ok {
				l.pos = i
				return token{}, l.errAt("S0104", i, "")
			}
			i += 4
			if utf16.IsSurrogate(r) && r < 0xdc00 && i+6 < len(src) && src[i+1] == '\\' && src[i+2] == 'u' {
				if r2, ok := hex4(src, i+3); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
					b.WriteRune(utf16.DecodeRune(r, r2))
					i += 6
					break
				}
			}
			if utf16.IsSurrogate(r) {
				writeSurrogate(&b, r)
				break
			}
			b.WriteRune(r)
		default:
			l.pos = i
			return token{}, l.errAt("S0103", i, string(e))
		}
		i++
	}
	l.pos = len(src)
	return token{}, l.errAt("S0101", l.pos, "")
}

// writeSurrogate stores a lone UTF-16 surrogate as its (invalid) 3-byte
// UTF-8 form, so functions that reject malformed text can detect it.
func writeSurrogate(b *strings.Builder, r rune) {
	b.WriteByte(byte(0xE0 | (r >> 12)))
	b.WriteByte(byte(0x80 | ((r >> 6) & 0x3F)))
	b.WriteByte(byte(0x80 | (r & 0x3F)))
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

func (l *lexer) regex() (token, error) {
	src := l.src
	start := l.pos + 1
	i := start
	depth := 0 // inside [...]
	for i < len(src) {
		c := src[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '[' {
			depth = 1
		} else if c == ']' {
			depth = 0
		} else if c == '/' && depth == 0 {
			pattern := src[start:i]
			if pattern == "" {
				l.pos = i + 1
				return token{}, l.errAt("S0301", l.pos, "")
			}
			i++
			fs := i
			for i < len(src) && (src[i] == 'i' || src[i] == 'm' || src[i] == 'g' || src[i] == 's' || src[i] == 'u' || src[i] == 'y') {
				i++
			}
			l.pos = i
			return token{kind: tokRegex, str: pattern, flags: src[fs:i], pos: l.pos}, nil
		}
		i++
	}
	l.pos = len(src)
	return token{}, l.errAt("S0302", l.pos, "")
}

// signature reads a raw function signature starting at '<' up to its
// matching '>'.
func (l *lexer) signature() (string, bool) {
	src := l.src
	i := l.pos
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	if i >= len(src) || src[i] != '<' {
		return "", false
	}
	depth := 0
	for j := i; j < len(src); j++ {
		switch src[j] {
		case '<':
			depth++
		case '>':
			depth--
			if depth == 0 {
				l.pos = j + 1
				return src[i : j+1], true
			}
		}
	}
	return "", false
}
