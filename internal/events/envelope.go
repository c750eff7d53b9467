package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"
)

// errMalformedDetail is returned for a Detail that is not a JSON object.
var errMalformedDetail = errors.New("events: detail is not a JSON object")

// event is what appendEnvelope writes: an event as EventBridge delivers it.
type event struct {
	ID, DetailType, Source, Account, Region string
	Time                                    time.Time
	Resources                               []string
	Detail                                  []byte // a JSON object, not yet compacted
}

// appendEnvelope appends e in AWS's field order. The envelope is written by
// hand rather than with encoding/json: PutEvents builds one per entry, and
// json.Marshal would validate and compact the detail a second time and escape
// <, > and & in it, which EventBridge does not do. The detail is validated and
// compacted in one pass.
func appendEnvelope(buf *bytes.Buffer, e *event) error {
	buf.WriteString(`{"version":"0","id":`)
	appendString(buf, e.ID)
	buf.WriteString(`,"detail-type":`)
	appendString(buf, e.DetailType)
	buf.WriteString(`,"source":`)
	appendString(buf, e.Source)
	buf.WriteString(`,"account":`)
	appendString(buf, e.Account)
	buf.WriteString(`,"time":"`)
	buf.Write(e.Time.UTC().AppendFormat(buf.AvailableBuffer(), time.RFC3339))
	buf.WriteString(`","region":`)
	appendString(buf, e.Region)
	buf.WriteString(`,"resources":[`)
	for i, r := range e.Resources {
		if i > 0 {
			buf.WriteByte(',')
		}
		appendString(buf, r)
	}
	buf.WriteString(`],"detail":`)
	at := buf.Len()
	if err := json.Compact(buf, e.Detail); err != nil {
		return errMalformedDetail
	}
	if buf.Len() == at || buf.Bytes()[at] != '{' {
		return errMalformedDetail
	}
	buf.WriteByte('}')
	return nil
}

// envelopeSize is room for e's envelope when nothing in it needs escaping.
func envelopeSize(e *event) int {
	n := 192 + len(e.ID) + len(e.DetailType) + len(e.Source) + len(e.Account) + len(e.Region) + len(e.Detail)
	for _, r := range e.Resources {
		n += len(r) + 3
	}
	return n
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaping only what JSON requires
// and replacing invalid UTF-8 with U+FFFD as encoding/json does.
func appendString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
			i++
			start = i
			continue
		}
		i += size
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}
