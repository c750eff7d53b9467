package sfn

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"tenkai/internal/sfn/engine"
)

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone, as AWS does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendDataDetails(b []byte, key string, d *engine.DataDetails) []byte {
	if d == nil {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, key...)
	if d.Truncated {
		return append(b, `":{"truncated":true}`...)
	}
	return append(b, `":{"truncated":false}`...)
}

// appendDetails encodes the event details the engine emits most often by
// hand and the rest with encoding/json.
func appendDetails(b []byte, details any) []byte {
	switch d := details.(type) {
	case *engine.StateEnteredEventDetails:
		b = append(b, `{"name":`...)
		b = appendString(b, d.Name)
		b = append(b, `,"input":`...)
		b = appendString(b, d.Input)
		b = appendDataDetails(b, "inputDetails", d.InputDetails)
		return append(b, '}')
	case *engine.StateExitedEventDetails:
		if d.AssignedVariables != nil {
			break
		}
		b = append(b, `{"name":`...)
		b = appendString(b, d.Name)
		b = append(b, `,"output":`...)
		b = appendString(b, d.Output)
		b = appendDataDetails(b, "outputDetails", d.OutputDetails)
		return append(b, '}')
	case *engine.ExecutionSucceededEventDetails:
		b = append(b, `{"output":`...)
		b = appendString(b, d.Output)
		b = appendDataDetails(b, "outputDetails", d.OutputDetails)
		return append(b, '}')
	case *engine.ExecutionStartedEventDetails:
		b = append(b, `{"input":`...)
		b = appendString(b, d.Input)
		b = appendDataDetails(b, "inputDetails", d.InputDetails)
		for _, f := range [...]struct{ k, v string }{{"roleArn", d.RoleArn}, {"stateMachineAliasArn", d.StateMachineAliasArn}, {"stateMachineVersionArn", d.StateMachineVersionArn}} {
			if f.v != "" {
				b = append(b, `,"`...)
				b = append(b, f.k...)
				b = append(b, `":`...)
				b = appendString(b, f.v)
			}
		}
		return append(b, '}')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(details); err != nil {
		return append(b, `{}`...)
	}
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...)
}
