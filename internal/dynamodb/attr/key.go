package attr

import (
	"errors"
	"fmt"
)

// Key encodings: AppendKey writes S, N and B values so that comparing the
// encodings with bytes.Compare gives the same order as Compare on the
// values, and so that an encoding is self-delimiting (a composite key can
// hold several in a row).
//
//   - S and B: the bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x01.
//   - N: 0x80 for zero. Positive: 0x81, the adjusted exponent + 130 as one
//     byte, the significant digits in pairs (each pair p as p+1, a lone last
//     digit padded with 0), then 0x00. Negative: 0x7F followed by the
//     positive form's exponent and digit bytes complemented, then 0xFF.

// ErrBadKey reports bytes that are not a valid key encoding.
var ErrBadKey = errors.New("attr: malformed key encoding")

const (
	numNeg  = 0x7F
	numZero = 0x80
	numPos  = 0x81
)

// AppendKey appends the order-preserving encoding of a key value (S, N or B)
// to dst.
func AppendKey(dst []byte, v Value) ([]byte, error) {
	switch v.t {
	case TypeS, TypeB:
		dst = appendEscaped(dst, v.s)
		return append(dst, 0x00, 0x01), nil
	case TypeN:
		return appendNumberKey(dst, v.s), nil
	}
	return dst, fmt.Errorf("attr: append key of type %q: only S, N and B can be keys", v.t.String())
}

// AppendKeyPrefix appends the encoding of an S or B value without its
// terminator: every key whose value begins with v starts with these bytes.
// Use with PrefixEnd to scan for begins_with.
func AppendKeyPrefix(dst []byte, v Value) ([]byte, error) {
	if v.t != TypeS && v.t != TypeB {
		return dst, fmt.Errorf("attr: key prefix of type %q: only S and B have prefixes", v.t.String())
	}
	return appendEscaped(dst, v.s), nil
}

// PrefixEnd returns the smallest byte string greater than every string that
// starts with p, or nil when there is none (p is empty or all 0xFF).
func PrefixEnd(p []byte) []byte {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0xFF {
			end := append([]byte(nil), p[:i+1]...)
			end[i]++
			return end
		}
	}
	return nil
}

func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			dst = append(dst, 0x00, 0xFF)
		} else {
			dst = append(dst, s[i])
		}
	}
	return dst
}

func appendNumberKey(dst []byte, c string) []byte {
	neg, hi, lo, adj := sigParts(c)
	n := len(hi) + len(lo)
	if n == 0 {
		return append(dst, numZero)
	}
	digit := func(i int) byte {
		if i < len(hi) {
			return hi[i] - '0'
		}
		return lo[i-len(hi)] - '0'
	}
	var flip byte
	if neg {
		dst = append(dst, numNeg)
		flip = 0xFF
	} else {
		dst = append(dst, numPos)
	}
	dst = append(dst, byte(adj-minExp)^flip)
	for i := 0; i < n; i += 2 {
		p := digit(i) * 10
		if i+1 < n {
			p += digit(i + 1)
		}
		dst = append(dst, (p+1)^flip)
	}
	return append(dst, flip) // 0x00 for positive, 0xFF for negative
}

// DecodeKey decodes one key value of type t (S, N or B) from the front of b
// and returns it with the remaining bytes.
func DecodeKey(t Type, b []byte) (Value, []byte, error) {
	switch t {
	case TypeS, TypeB:
		out := make([]byte, 0, len(b))
		for i := 0; i < len(b); i++ {
			if b[i] != 0 {
				out = append(out, b[i])
				continue
			}
			if i+1 >= len(b) {
				return Value{}, nil, ErrBadKey
			}
			switch b[i+1] {
			case 0xFF:
				out = append(out, 0)
				i++
			case 0x01:
				return Value{t: t, s: string(out)}, b[i+2:], nil
			default:
				return Value{}, nil, ErrBadKey
			}
		}
		return Value{}, nil, ErrBadKey
	case TypeN:
		return decodeNumberKey(b)
	}
	return Value{}, nil, fmt.Errorf("attr: decode key of type %q: only S, N and B can be keys", t.String())
}

func decodeNumberKey(b []byte) (Value, []byte, error) {
	if len(b) == 0 {
		return Value{}, nil, ErrBadKey
	}
	var flip byte
	switch b[0] {
	case numZero:
		return Value{t: TypeN, s: "0"}, b[1:], nil
	case numPos:
	case numNeg:
		flip = 0xFF
	default:
		return Value{}, nil, ErrBadKey
	}
	if len(b) < 2 {
		return Value{}, nil, ErrBadKey
	}
	d := decimal{neg: flip != 0, adj: int(b[1]^flip) + minExp}
	digits := make([]byte, 0, 2*len(b))
	for i := 2; i < len(b); i++ {
		p := b[i] ^ flip
		if p == 0 {
			// Canonical digits start and end with a non-zero digit and
			// number at most 38.
			if len(digits) == 0 || digits[0] == '0' || digits[len(digits)-1] == '0' || len(digits) > maxDigits {
				return Value{}, nil, ErrBadKey
			}
			d.digits = string(digits)
			return Value{t: TypeN, s: d.text()}, b[i+1:], nil
		}
		p--
		if p > 99 {
			return Value{}, nil, ErrBadKey
		}
		digits = append(digits, '0'+p/10)
		if p%10 != 0 || i+1 >= len(b) || b[i+1]^flip != 0 {
			digits = append(digits, '0'+p%10) // a 0 in the last pair is padding
		}
	}
	return Value{}, nil, ErrBadKey
}
