package pattern

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrorCode is the AWS error code for an invalid pattern.
const ErrorCode = "InvalidEventPatternException"

// Error is a pattern that failed to compile. Its message is the text AWS
// returns with InvalidEventPatternException, for example:
//
//	Event pattern is not valid. Reason: Empty arrays are not allowed
//	 at [Source: (String)"{"a": []}"; line: 1, column: 9]
type Error struct {
	Reason string // the engine's reason, e.g. "Empty arrays are not allowed"
	Line   int    // 1-based line of the parser position when it failed
	Column int    // 1-based column of that position
	source string // the pattern as echoed in the message, quotes included
	bare   bool   // AWS gives this reason without the parser position
}

// Error returns the full InvalidEventPatternException message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("Event pattern is not valid. Reason: ")
	b.WriteString(e.Reason)
	if e.bare {
		return b.String()
	}
	b.WriteString("\n at [Source: (String)")
	b.WriteString(e.source)
	b.WriteString("; line: ")
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(", column: ")
	b.WriteString(strconv.Itoa(e.Column))
	b.WriteString("]")
	return b.String()
}

// maxEchoed is how many characters of the pattern the message repeats, as
// the JSON parser behind AWS does before it notes how many it left out.
const maxEchoed = 500

// newError builds an Error for a failure with the parser at offset off.
func newError(src []byte, off int, reason string) *Error {
	if off > len(src) {
		off = len(src)
	}
	line, col := 1, 1
	for i := 0; i < off; {
		r, size := utf8.DecodeRune(src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	echo := `"` + string(src) + `"`
	if n := utf8.RuneCount(src); n > maxEchoed {
		cut := 0
		for i := 0; i < maxEchoed; i++ {
			_, size := utf8.DecodeRune(src[cut:])
			cut += size
		}
		echo = `"` + string(src[:cut]) + `"[truncated ` + strconv.Itoa(n-maxEchoed) + " chars]"
	}
	return &Error{Reason: reason, Line: line, Column: col, source: echo}
}
