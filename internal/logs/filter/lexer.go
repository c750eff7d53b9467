package filter

import "strings"

type tokKind int

const (
	tEOF    tokKind = iota
	tPunct          // { } ( ) [ ] ,
	tOp             // = != < > <= >=
	tAnd            // &&
	tOr             // ||
	tString         // "quoted"
	tRegex          // %regex%
	tWord           // bare word, number or selector
)

type token struct {
	kind tokKind
	text string // unquoted content for strings and regexes
	pos  int
}

// lexer splits JSON and space-delimited patterns into tokens.
type lexer struct {
	src  string
	pos  int
	peek *token
}

func (l *lexer) errf(pos int, reason string) error {
	return &Error{Pattern: l.src, Pos: pos, Reason: reason}
}

func (l *lexer) next() (token, error) {
	if l.peek != nil {
		t := *l.peek
		l.peek = nil
		return t, nil
	}
	return l.scan()
}

func (l *lexer) lookahead() (token, error) {
	if l.peek == nil {
		t, err := l.scan()
		if err != nil {
			return t, err
		}
		l.peek = &t
	}
	return *l.peek, nil
}

func (l *lexer) scan() (token, error) {
	s := l.src
	for l.pos < len(s) && isSpace(s[l.pos]) {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(s) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := s[l.pos]
	switch c {
	case '{', '}', '(', ')', '[', ']', ',':
		l.pos++
		return token{kind: tPunct, text: string(c), pos: start}, nil
	case '=':
		l.pos++
		return token{kind: tOp, text: "=", pos: start}, nil
	case '!', '<', '>':
		l.pos++
		if l.pos < len(s) && s[l.pos] == '=' {
			l.pos++
			return token{kind: tOp, text: string(c) + "=", pos: start}, nil
		}
		if c == '!' {
			return token{}, l.errf(start, "'!' must be followed by '='")
		}
		return token{kind: tOp, text: string(c), pos: start}, nil
	case '&', '|':
		if l.pos+1 < len(s) && s[l.pos+1] == c {
			l.pos += 2
			if c == '&' {
				return token{kind: tAnd, text: "&&", pos: start}, nil
			}
			return token{kind: tOr, text: "||", pos: start}, nil
		}
		return token{}, l.errf(start, "expected '"+string(c)+string(c)+"'")
	case '"':
		str, n, err := readQuoted(s, l.pos)
		if err != nil {
			return token{}, err
		}
		l.pos = n
		return token{kind: tString, text: str, pos: start}, nil
	case '%':
		end := strings.IndexByte(s[l.pos+1:], '%')
		if end < 0 {
			return token{}, l.errf(start, "unterminated regular expression")
		}
		l.pos += end + 2
		return token{kind: tRegex, text: s[start+1 : l.pos-1], pos: start}, nil
	}
	if c == '$' {
		// A selector keeps its brackets: $.a[0].b
		for l.pos < len(s) && !isSpace(s[l.pos]) && !strings.ContainsRune("{}(),=!<>&|\"", rune(s[l.pos])) {
			l.pos++
		}
		return token{kind: tWord, text: s[start:l.pos], pos: start}, nil
	}
	for l.pos < len(s) && !isSpace(s[l.pos]) && !strings.ContainsRune("{}()[],=!<>&|\"%", rune(s[l.pos])) {
		l.pos++
	}
	return token{kind: tWord, text: s[start:l.pos], pos: start}, nil
}
