package attr

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"
)

// MarshalJSON encodes v in the DynamoDB wire format, e.g. {"S":"x"},
// {"B":"<base64>"}, {"NS":["1","2"]}. The zero Value encodes as null.
func (v Value) MarshalJSON() ([]byte, error) { return appendJSON(nil, v), nil }

// AppendJSON appends the wire JSON of v to dst.
func AppendJSON(dst []byte, v Value) []byte { return appendJSON(dst, v) }

// AppendItemJSON appends the wire JSON of an item (keys sorted) to dst.
func AppendItemJSON(dst []byte, it Item) []byte { return appendMap(dst, it) }

func appendJSON(dst []byte, v Value) []byte {
	switch v.t {
	case TypeS:
		dst = append(dst, `{"S":`...)
		dst = appendString(dst, v.s)
	case TypeN:
		dst = append(dst, `{"N":"`...)
		dst = append(dst, v.s...)
		dst = append(dst, '"')
	case TypeB:
		dst = append(dst, `{"B":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, []byte(v.s))
		dst = append(dst, '"')
	case TypeBOOL:
		if v.b {
			dst = append(dst, `{"BOOL":true`...)
		} else {
			dst = append(dst, `{"BOOL":false`...)
		}
	case TypeNULL:
		dst = append(dst, `{"NULL":true`...)
	case TypeM:
		dst = append(dst, `{"M":`...)
		dst = appendMap(dst, v.m)
	case TypeL:
		dst = append(dst, `{"L":[`...)
		for i, e := range v.l {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, e)
		}
		dst = append(dst, ']')
	case TypeSS, TypeNS, TypeBS:
		dst = append(dst, `{"`...)
		dst = append(dst, v.t.String()...)
		dst = append(dst, `":[`...)
		for i, s := range v.set {
			if i > 0 {
				dst = append(dst, ',')
			}
			switch v.t {
			case TypeSS:
				dst = appendString(dst, s)
			case TypeNS:
				dst = append(dst, '"')
				dst = append(dst, s...)
				dst = append(dst, '"')
			default:
				dst = append(dst, '"')
				dst = base64.StdEncoding.AppendEncode(dst, []byte(s))
				dst = append(dst, '"')
			}
		}
		dst = append(dst, ']')
	default:
		return append(dst, "null"...)
	}
	return append(dst, '}')
}

func appendMap(dst []byte, m map[string]Value) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendJSON(dst, m[k])
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// UnmarshalJSON decodes the wire format and validates it as DynamoDB does.
// Errors are *Error values with DynamoDB's code and message. JSON null
// leaves v unchanged (absent).
func (v *Value) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	d, err := Decode(data)
	if err != nil {
		return err
	}
	*v = d
	return nil
}

// UnmarshalJSON decodes an item, validating every value. An attribute
// given as JSON null is rejected as an empty AttributeValue.
func (it *Item) UnmarshalJSON(data []byte) error {
	out, err := DecodeItem(data)
	if err != nil {
		return err
	}
	*it = out
	return nil
}

// DecodeItem decodes and validates a wire-format item (a JSON object of
// attribute values).
func DecodeItem(data []byte) (Item, error) {
	if it, ok := fastDecodeItem(data); ok {
		return it, nil
	}
	return decodeItemSlow(data)
}

// decodeItemSlow is DecodeItem through encoding/json, which also words
// every error as DynamoDB does.
func decodeItemSlow(data []byte) (Item, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, structureError(data, "map")
	}
	out := make(Item, len(raw))
	for k, r := range raw {
		if string(bytes.TrimSpace(r)) == "null" {
			return nil, validationf("%s", msgEmptyValue)
		}
		v, err := Decode(r)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// MaxDepth is how deeply DynamoDB lets lists and maps nest.
const MaxDepth = 32

// Decode decodes and validates one wire-format attribute value.
func Decode(data []byte) (Value, error) {
	if v, ok := fastDecodeValue(data); ok {
		return v, nil
	}
	return decode(data, 0)
}

func decode(data []byte, depth int) (Value, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Value{}, structureError(data, "structure")
	}
	// Members set to null count as absent, as in the service.
	present := 0
	for _, n := range typeNames[1:] {
		if r, ok := raw[n]; ok && string(bytes.TrimSpace(r)) != "null" {
			present++
		}
	}
	if present == 0 {
		return Value{}, validationf("%s", msgEmptyValue)
	}
	var out Value
	for i, n := range typeNames[1:] {
		r, ok := raw[n]
		if !ok || string(bytes.TrimSpace(r)) == "null" {
			continue
		}
		v, err := decodeMember(Type(i+1), r, depth)
		if err != nil {
			return Value{}, err
		}
		out = v
	}
	if present > 1 {
		return Value{}, validationf("%s", msgManyTypes)
	}
	return out, nil
}

func decodeMember(t Type, r json.RawMessage, depth int) (Value, error) {
	if (t == TypeM || t == TypeL) && depth >= MaxDepth {
		return Value{}, validationf("Nesting Levels have exceeded supported limits")
	}
	switch t {
	case TypeS:
		s, err := decodeString(r, "String")
		if err != nil {
			return Value{}, err
		}
		return S(s), nil
	case TypeN:
		s, err := decodeString(r, "String")
		if err != nil {
			return Value{}, err
		}
		return N(s)
	case TypeB:
		s, err := decodeString(r, "Blob")
		if err != nil {
			return Value{}, err
		}
		b, err := decodeBase64(s)
		if err != nil {
			return Value{}, err
		}
		return Value{t: TypeB, s: b}, nil
	case TypeBOOL, TypeNULL:
		var b bool
		if err := json.Unmarshal(r, &b); err != nil {
			return Value{}, serializationf("%s cannot be converted to Boolean", jsonToken(r))
		}
		if t == TypeBOOL {
			return Bool(b), nil
		}
		if !b {
			return Value{}, validationf("%s", msgNullFalse)
		}
		return Null(), nil
	case TypeM:
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(r, &raw); err != nil {
			return Value{}, structureError(r, "map")
		}
		m := make(map[string]Value, len(raw))
		for k, e := range raw {
			v, err := decode(e, depth+1)
			if err != nil {
				return Value{}, err
			}
			m[k] = v
		}
		return M(m), nil
	case TypeL:
		var raw []json.RawMessage
		if err := json.Unmarshal(r, &raw); err != nil {
			return Value{}, structureError(r, "list")
		}
		l := make([]Value, len(raw))
		for i, e := range raw {
			v, err := decode(e, depth+1)
			if err != nil {
				return Value{}, err
			}
			l[i] = v
		}
		return L(l...), nil
	}
	// Sets.
	var raw []json.RawMessage
	if err := json.Unmarshal(r, &raw); err != nil {
		return Value{}, structureError(r, "list")
	}
	members := make([]string, len(raw))
	for i, e := range raw {
		kind := "String"
		if t == TypeBS {
			kind = "Blob"
		}
		s, err := decodeString(e, kind)
		if err != nil {
			return Value{}, err
		}
		members[i] = s
	}
	if len(members) == 0 {
		switch t {
		case TypeSS:
			return Value{}, validationf("%s", msgEmptySS)
		case TypeNS:
			return Value{}, validationf("%s", msgEmptyNS)
		default:
			return Value{}, validationf("%s", msgEmptyBS)
		}
	}
	given := members
	switch t {
	case TypeNS:
		canon := make([]string, len(members))
		for i, m := range members {
			c, err := ParseNumber(m)
			if err != nil {
				return Value{}, err
			}
			canon[i] = c
		}
		members = canon
	case TypeBS:
		dec := make([]string, len(members))
		for i, m := range members {
			b, err := decodeBase64(m)
			if err != nil {
				return Value{}, err
			}
			dec[i] = b
		}
		members = dec
	}
	if hasDuplicate(members) {
		switch t {
		case TypeSS:
			return Value{}, validationf(msgSSDuplicatesFm, "["+strings.Join(given, ", ")+"]")
		case TypeNS:
			return Value{}, validationf("%s", msgNSDuplicates)
		default:
			return Value{}, validationf(msgBSDuplicatesFm, "["+strings.Join(given, ", ")+"]")
		}
	}
	return setOf(t, members), nil
}

func decodeString(r json.RawMessage, kind string) (string, error) {
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", serializationf("%s cannot be converted to %s", jsonToken(r), kind)
	}
	return s, nil
}

// decodeBase64 decodes standard padded base64 as the service does.
func decodeBase64(s string) (string, error) {
	if len(s)%4 != 0 {
		return "", serializationf("'%s' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: %d", s, len(s))
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		for _, c := range s {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
				return "", serializationf("'%s' can not be converted to a Blob: Invalid Base64 character: '%c'", s, c)
			}
		}
		return "", serializationf("'%s' can not be converted to a Blob: Invalid last non-pad Base64 character dectected", s)
	}
	return string(b), nil
}

// jsonToken names the JSON token kind the way the service's parser does.
func jsonToken(r json.RawMessage) string {
	r = bytes.TrimSpace(r)
	if len(r) == 0 {
		return "NOT_AVAILABLE"
	}
	switch r[0] {
	case '"':
		return "STRING_VALUE"
	case '{':
		return "START_OBJECT"
	case '[':
		return "START_ARRAY"
	case 't':
		return "VALUE_TRUE"
	case 'f':
		return "VALUE_FALSE"
	case 'n':
		return "VALUE_NULL"
	}
	return "NUMBER_VALUE"
}

// structureError reports JSON of the wrong shape where a structure, map or
// list was expected.
func structureError(r []byte, want string) *Error {
	r = bytes.TrimSpace(r)
	if len(r) > 0 {
		switch r[0] {
		case '[':
			if want != "list" {
				return serializationf("Start of list found where not expected")
			}
		case '{':
			if want == "list" {
				return serializationf("Start of structure or map found where not expected.")
			}
		default:
			if want == "list" {
				return serializationf("Expected list or null")
			}
			if want == "map" {
				return serializationf("Expected map or null")
			}
			return serializationf("Expected null")
		}
	}
	return serializationf("Unexpected end-of-input")
}

func hasDuplicate(ss []string) bool {
	if len(ss) < 2 {
		return false
	}
	if len(ss) < 16 {
		for i := range ss {
			for j := i + 1; j < len(ss); j++ {
				if ss[i] == ss[j] {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		if _, ok := seen[s]; ok {
			return true
		}
		seen[s] = struct{}{}
	}
	return false
}

// Validate checks a constructed value the way the service checks decoded
// ones: sets are non-empty and duplicate-free, at any depth.
func (v Value) Validate() error {
	switch v.t {
	case 0:
		return validationf("%s", msgEmptyValue)
	case TypeSS, TypeNS, TypeBS:
		if len(v.set) == 0 {
			switch v.t {
			case TypeSS:
				return validationf("%s", msgEmptySS)
			case TypeNS:
				return validationf("%s", msgEmptyNS)
			}
			return validationf("%s", msgEmptyBS)
		}
		if hasDuplicate(v.set) {
			switch v.t {
			case TypeSS:
				return validationf(msgSSDuplicatesFm, "["+strings.Join(v.set, ", ")+"]")
			case TypeNS:
				return validationf("%s", msgNSDuplicates)
			default:
				enc := make([]string, len(v.set))
				for i, s := range v.set {
					enc[i] = base64.StdEncoding.EncodeToString([]byte(s))
				}
				return validationf(msgBSDuplicatesFm, "["+strings.Join(enc, ", ")+"]")
			}
		}
	case TypeL:
		for _, e := range v.l {
			if err := e.Validate(); err != nil {
				return err
			}
		}
	case TypeM:
		for _, e := range v.m {
			if err := e.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}
