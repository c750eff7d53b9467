package insights

import (
	"fmt"
	"strings"
)

// Error is a query that does not parse; its text is sent with
// MalformedQueryException.
type Error struct {
	Pos    int
	Reason string
}

// Error returns the reason and the position in the query.
func (e *Error) Error() string { return fmt.Sprintf("%s at position %d", e.Reason, e.Pos) }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tString
	tRegex
	tOp // = != < <= > >= =~ + - * / % ( ) [ ] , |
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#': // comment to end of line
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, &Error{i, "unterminated string"}
			}
			toks = append(toks, token{tString, b.String(), i})
			i = j + 1
		case c == '`':
			j := strings.IndexByte(src[i+1:], '`')
			if j < 0 {
				return nil, &Error{i, "unterminated quoted field name"}
			}
			toks = append(toks, token{tIdent, src[i+1 : i+1+j], i})
			i += j + 2
		case c == '/' && regexAllowed(toks):
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != '/'; j++ {
				if src[j] == '\\' && j+1 < len(src) && src[j+1] == '/' {
					j++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, &Error{i, "unterminated regular expression"}
			}
			toks = append(toks, token{tRegex, b.String(), i})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			// A duration unit for bin(): 5m, 1h.
			for j < len(src) && (src[j] >= 'a' && src[j] <= 'z') {
				j++
			}
			toks = append(toks, token{tNumber, src[i:j], i})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "!=", "<=", ">=", "=~", "==":
				toks = append(toks, token{tOp, two, i})
				i += 2
				continue
			}
			if strings.IndexByte("=<>+-*/%()[],|", c) < 0 {
				return nil, &Error{i, fmt.Sprintf("unexpected character %q", c)}
			}
			toks = append(toks, token{tOp, string(c), i})
			i++
		}
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

// regexAllowed reports whether a / starts a regex here: after like, =~, an
// opening bracket, a comma, "as", or at the start of a parse pattern.
func regexAllowed(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[len(toks)-1]
	switch t.kind {
	case tOp:
		return t.text == "=~" || t.text == "(" || t.text == "," || t.text == "=" || t.text == "!="
	case tIdent:
		switch strings.ToLower(t.text) {
		case "like", "parse", "filter":
			return true
		}
		// parse @message /.../
		if len(toks) >= 2 && strings.EqualFold(toks[len(toks)-2].text, "parse") {
			return true
		}
	}
	return false
}

func isIdentStart(c byte) bool {
	return c == '@' || c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '.'
}
