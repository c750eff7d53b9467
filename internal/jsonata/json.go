package jsonata

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// ParseJSON decodes JSON text into evaluator input: objects become
// *Object (keeping key order), arrays []any, numbers float64. Unlike
// encoding/json it keeps lone UTF-16 surrogates from \u escapes, so
// functions that reject malformed text can see them.
func ParseJSON(data []byte) (any, error) {
	d := &jsonDecoder{s: string(data)}
	d.ws()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.i != len(d.s) {
		return nil, d.errf("unexpected trailing data")
	}
	return v, nil
}

type jsonDecoder struct {
	s string
	i int
}

const maxJSONDepth = 10000

func (d *jsonDecoder) errf(f string, a ...any) error {
	return fmt.Errorf("jsonata: parse json at offset %d: %s", d.i, fmt.Sprintf(f, a...))
}

func (d *jsonDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, d.errf("nesting too deep")
	}
	if d.i >= len(d.s) {
		return nil, d.errf("unexpected end of input")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		d.i++
		o := NewObject(4)
		d.ws()
		if d.i < len(d.s) && d.s[d.i] == '}' {
			d.i++
			return o, nil
		}
		for {
			d.ws()
			if d.i >= len(d.s) || d.s[d.i] != '"' {
				return nil, d.errf("expected object key")
			}
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			d.ws()
			if d.i >= len(d.s) || d.s[d.i] != ':' {
				return nil, d.errf("expected ':'")
			}
			d.i++
			d.ws()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			o.Set(k, v)
			d.ws()
			if d.i < len(d.s) && d.s[d.i] == ',' {
				d.i++
				continue
			}
			if d.i < len(d.s) && d.s[d.i] == '}' {
				d.i++
				return o, nil
			}
			return nil, d.errf("expected ',' or '}'")
		}
	case c == '[':
		d.i++
		a := []any{}
		d.ws()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			return a, nil
		}
		for {
			d.ws()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			d.ws()
			if d.i < len(d.s) && d.s[d.i] == ',' {
				d.i++
				continue
			}
			if d.i < len(d.s) && d.s[d.i] == ']' {
				d.i++
				return a, nil
			}
			return nil, d.errf("expected ',' or ']'")
		}
	case c == '"':
		return d.str()
	case c == 't' && strings.HasPrefix(d.s[d.i:], "true"):
		d.i += 4
		return true, nil
	case c == 'f' && strings.HasPrefix(d.s[d.i:], "false"):
		d.i += 5
		return false, nil
	case c == 'n' && strings.HasPrefix(d.s[d.i:], "null"):
		d.i += 4
		return nil, nil
	case c == '-' || (c >= '0' && c <= '9'):
		j := d.i
		for j < len(d.s) && strings.IndexByte("+-0123456789.eE", d.s[j]) >= 0 {
			j++
		}
		f, err := strconv.ParseFloat(d.s[d.i:j], 64)
		if err != nil {
			return nil, d.errf("bad number %q", d.s[d.i:j])
		}
		d.i = j
		return f, nil
	}
	return nil, d.errf("unexpected character %q", d.s[d.i])
}

var errBadString = errors.New("bad string")

func (d *jsonDecoder) str() (string, error) {
	d.i++ // opening quote
	var b strings.Builder
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return b.String(), nil
		case c == '\\':
			d.i++
			if d.i >= len(d.s) {
				return "", d.errf("unterminated string")
			}
			e := d.s[d.i]
			d.i++
			switch e {
			case '"', '\\', '/':
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
				r, ok := hex4(d.s, d.i)
				if !ok {
					return "", d.errf("bad \\u escape")
				}
				d.i += 4
				if r >= 0xD800 && r < 0xDC00 && strings.HasPrefix(d.s[d.i:], "\\u") {
					if r2, ok := hex4(d.s, d.i+2); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						b.WriteRune(utf16.DecodeRune(r, r2))
						d.i += 6
						continue
					}
				}
				if utf16.IsSurrogate(r) {
					writeSurrogate(&b, r)
				} else {
					b.WriteRune(r)
				}
			default:
				return "", d.errf("bad escape \\%c", e)
			}
		default:
			b.WriteByte(c)
			d.i++
		}
	}
	return "", d.errf("unterminated string")
}
