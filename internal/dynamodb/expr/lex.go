package expr

import (
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF     tokKind = iota
	tIdent           // attribute name, keyword or function name
	tName            // #name
	tValue           // :value
	tNumber          // digits (list index)
	tLParen          // (
	tRParen          // )
	tLBrack          // [
	tRBrack          // ]
	tDot             // .
	tComma           // ,
	tEq              // =
	tNe              // <>
	tLt              // <
	tLe              // <=
	tGt              // >
	tGe              // >=
	tPlus            // +
	tMinus           // -
	tInvalid         // anything else, including a lone # or :
)

// token is one lexeme; pos and end are byte offsets into the source.
type token struct {
	kind     tokKind
	text     string
	pos, end int
}

// isIdentStart: DynamoDB names start with a letter; "_x" is a syntax
// error at "_".
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c == '_' || c >= '0' && c <= '9' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lex splits src into tokens, ending with tEOF. It never fails: characters
// the grammar does not know become tInvalid tokens, which the parser reports
// as syntax errors in DynamoDB's format.
func lex(src string) []token {
	toks := make([]token, 0, len(src)/3+2)
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			toks = append(toks, token{kind: tEOF, text: "<EOF>", pos: len(src), end: len(src)})
			return toks
		}
		start := i
		c := src[i]
		kind := tInvalid
		switch {
		case isIdentStart(c):
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			kind = tIdent
		case c >= '0' && c <= '9':
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
			kind = tNumber
		case c == '#' || c == ':':
			i++
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			if i > start+1 {
				kind = tName
				if c == ':' {
					kind = tValue
				}
			}
		case c == '<':
			i++
			kind = tLt
			if i < len(src) && src[i] == '=' {
				i++
				kind = tLe
			} else if i < len(src) && src[i] == '>' {
				i++
				kind = tNe
			}
		case c == '>':
			i++
			kind = tGt
			if i < len(src) && src[i] == '=' {
				i++
				kind = tGe
			}
		default:
			i++
			switch c {
			case '(':
				kind = tLParen
			case ')':
				kind = tRParen
			case '[':
				kind = tLBrack
			case ']':
				kind = tRBrack
			case '.':
				kind = tDot
			case ',':
				kind = tComma
			case '=':
				kind = tEq
			case '+':
				kind = tPlus
			case '-':
				kind = tMinus
			default:
				if c >= utf8.RuneSelf {
					_, size := utf8.DecodeRuneInString(src[start:])
					i = start + size
				}
			}
		}
		toks = append(toks, token{kind: kind, text: src[start:i], pos: start, end: i})
	}
}

// isKeyword reports whether an identifier token is the given keyword,
// ignoring case.
func (t token) isKeyword(kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}
