package logs

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"tenkai/internal/edge"
)

// decodePut decodes a PutLogEvents body. PutLogEvents is the hot path of the
// service, so a small scanner reads the common shape without reflection;
// anything it does not expect (nulls, exotic numbers, invalid JSON) goes to
// the standard decoder, which also produces the error messages.
func decodePut(body []byte) (*putLogEventsInput, error) {
	if in, ok := scanPut(body); ok {
		return in, nil
	}
	in := &putLogEventsInput{}
	if err := edge.DecodeJSON(body, in); err != nil {
		return nil, err
	}
	return in, nil
}

// putScanner reads one JSON document; any surprise sets ok to false.
type putScanner struct {
	b  []byte
	i  int
	ok bool
}

func scanPut(body []byte) (*putLogEventsInput, bool) {
	s := &putScanner{b: body, ok: true}
	in := &putLogEventsInput{}
	s.ws()
	if !s.eat('{') {
		return nil, false
	}
	s.ws()
	if s.peek() == '}' {
		s.i++
	} else {
		for s.ok {
			key := s.str()
			s.ws()
			s.expect(':')
			s.ws()
			switch key {
			case "logGroupName":
				in.LogGroupName = s.str()
			case "logStreamName":
				in.LogStreamName = s.str()
			case "sequenceToken":
				in.SequenceToken = s.str()
			case "logEvents":
				in.LogEvents = s.events()
			default:
				if foldKnown(key, "logGroupName", "logStreamName", "sequenceToken", "logEvents") {
					return nil, false // encoding/json matches member names case-insensitively
				}
				s.skip()
			}
			s.ws()
			if s.eat(',') {
				s.ws()
				continue
			}
			s.expect('}')
			break
		}
	}
	s.ws()
	if !s.ok || s.i != len(s.b) {
		return nil, false
	}
	return in, true
}

func (s *putScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *putScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *putScanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

func (s *putScanner) expect(c byte) {
	if !s.eat(c) {
		s.ok = false
	}
}

// str reads a JSON string; escapes and non-ASCII take the standard path for
// that one string.
func (s *putScanner) str() string {
	if !s.ok || !s.eat('"') {
		s.ok = false
		return ""
	}
	start := s.i
	simple := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if simple {
				return string(raw)
			}
			if !utf8.Valid(raw) && !hasEscape(raw) {
				return string([]rune(string(raw))) // invalid bytes become U+FFFD, as encoding/json does
			}
			var out string
			if err := json.Unmarshal(s.b[start-1:s.i], &out); err != nil {
				s.ok = false
			}
			return out
		case c == '\\':
			simple = false
			s.i += 2
			continue
		case c < 0x20:
			s.ok = false
			return ""
		case c >= 0x80:
			simple = false
		}
		s.i++
	}
	s.ok = false
	return ""
}

func foldKnown(key string, names ...string) bool {
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}

func hasEscape(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// events reads the logEvents array.
func (s *putScanner) events() []inputLogEvent {
	if !s.eat('[') {
		s.ok = false
		return nil
	}
	evs := make([]inputLogEvent, 0, 16)
	s.ws()
	if s.eat(']') {
		return evs
	}
	for s.ok {
		s.ws()
		if !s.eat('{') {
			s.ok = false
			return nil
		}
		var e inputLogEvent
		s.ws()
		if !s.eat('}') {
			for s.ok {
				key := s.str()
				s.ws()
				s.expect(':')
				s.ws()
				switch key {
				case "timestamp":
					ts, ok := s.int()
					if !ok {
						s.ok = false
						return nil
					}
					e.Timestamp, e.hasTS = ts, true
				case "message":
					e.Message, e.hasMsg = s.str(), true
				default:
					if foldKnown(key, "timestamp", "message") {
						s.ok = false
						return nil
					}
					s.skip()
				}
				s.ws()
				if s.eat(',') {
					s.ws()
					continue
				}
				s.expect('}')
				break
			}
		}
		evs = append(evs, e)
		s.ws()
		if s.eat(',') {
			continue
		}
		s.expect(']')
		break
	}
	return evs
}

// number reads a JSON number and reports whether it is a plain integer.
func (s *putScanner) number() (raw []byte, isInt bool) {
	start := s.i
	s.eat('-')
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		s.ok = false
		return nil, false
	}
	isInt = true
	if s.eat('.') {
		isInt = false
		if !s.digits() {
			s.ok = false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		isInt = false
		s.i++
		if !s.eat('+') {
			s.eat('-')
		}
		if !s.digits() {
			s.ok = false
		}
	}
	return s.b[start:s.i], isInt
}

func (s *putScanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// int reads a plain integer.
func (s *putScanner) int() (int64, bool) {
	raw, isInt := s.number()
	if !s.ok || !isInt {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// skip passes over any value of a member this scanner does not use. Only
// strings, numbers and booleans are skipped; anything nested takes the
// standard path.
func (s *putScanner) skip() {
	switch c := s.peek(); {
	case c == '"':
		s.str()
	case c == '-' || c >= '0' && c <= '9':
		s.number()
	case c == 't' && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true":
		s.i += 4
	case c == 'f' && len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false":
		s.i += 5
	default:
		s.ok = false
	}
}
