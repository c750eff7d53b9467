package filter

import (
	"strings"
)

// term is one word or phrase of an unstructured pattern.
type term struct {
	text   string
	phrase bool // quoted: match anywhere
	negate bool // ?-TERM: satisfied by the term's absence
}

// termsExpr is an unstructured pattern: every required term present, no
// excluded term present, and at least one optional (?) term when there are any.
type termsExpr struct {
	required []term
	excluded []term
	optional []term
}

func parseTerms(src string) (*termsExpr, error) {
	t := &termsExpr{}
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			break
		}
		start := i
		optional, exclude := false, false
		if src[i] == '?' {
			optional = true
			i++
		}
		if i < len(src) && src[i] == '-' {
			exclude = true
			i++
		}
		if i >= len(src) || isSpace(src[i]) {
			return nil, &Error{Pattern: src, Pos: start, Reason: "an operator must be followed by a term"}
		}
		var tm term
		if src[i] == '"' {
			s, n, err := readQuoted(src, i)
			if err != nil {
				return nil, err
			}
			tm, i = term{text: s, phrase: true}, n
			if i < len(src) && !isSpace(src[i]) {
				return nil, &Error{Pattern: src, Pos: i, Reason: "a quoted term must be followed by a space"}
			}
		} else {
			j := i
			for j < len(src) && !isSpace(src[j]) {
				if src[j] == '"' {
					return nil, &Error{Pattern: src, Pos: j, Reason: "unexpected quote inside a term"}
				}
				j++
			}
			tm, i = term{text: src[i:j]}, j
		}
		if tm.text == "" {
			continue // "" alone is a no-op term
		}
		switch {
		case exclude && optional:
			// ?-TERM: any event lacking TERM satisfies the OR group.
			tm.negate = true
			t.optional = append(t.optional, tm)
		case exclude:
			t.excluded = append(t.excluded, tm)
		case optional:
			t.optional = append(t.optional, tm)
		default:
			t.required = append(t.required, tm)
		}
	}
	return t, nil
}

// readQuoted reads a double-quoted string starting at src[i] == '"', with
// backslash escapes, and returns its content and the index after the quote.
func readQuoted(src string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		switch c := src[j]; c {
		case '\\':
			if j+1 < len(src) {
				j++
				b.WriteByte(src[j])
			}
		case '"':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, &Error{Pattern: src, Pos: i, Reason: "unterminated quoted string"}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (t *termsExpr) match(msg string) bool {
	for _, tm := range t.required {
		if !tm.in(msg) {
			return false
		}
	}
	for _, tm := range t.excluded {
		if tm.in(msg) {
			return false
		}
	}
	if len(t.optional) == 0 {
		return true
	}
	for _, tm := range t.optional {
		if tm.in(msg) != tm.negate {
			return true
		}
	}
	return false
}

// in reports whether the term occurs in msg: a phrase anywhere, a word only
// where it is not glued to other word characters.
func (tm term) in(msg string) bool {
	if tm.phrase {
		return strings.Contains(msg, tm.text)
	}
	checkStart := isWord(tm.text[0])
	checkEnd := isWord(tm.text[len(tm.text)-1])
	for off := 0; off <= len(msg)-len(tm.text); {
		i := strings.Index(msg[off:], tm.text)
		if i < 0 {
			return false
		}
		i += off
		end := i + len(tm.text)
		if (!checkStart || i == 0 || !isWord(msg[i-1])) && (!checkEnd || end == len(msg) || !isWord(msg[end])) {
			return true
		}
		off = i + 1
	}
	return false
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
