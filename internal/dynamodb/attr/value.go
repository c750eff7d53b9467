package attr

import (
	"slices"
	"strings"
)

// Type is a DynamoDB data type descriptor.
type Type uint8

// The DynamoDB data types. The zero Type means "no value" (an absent
// attribute).
const (
	TypeS Type = iota + 1
	TypeN
	TypeB
	TypeBOOL
	TypeNULL
	TypeM
	TypeL
	TypeSS
	TypeNS
	TypeBS
)

var typeNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

// String returns the descriptor as it appears on the wire ("S", "NS", ...),
// or "" for the zero Type.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return ""
}

// ParseType returns the Type named by a wire descriptor such as "SS".
func ParseType(s string) (Type, bool) {
	for i, n := range typeNames {
		if i > 0 && n == s {
			return Type(i), true
		}
	}
	return 0, false
}

// IsSet reports whether t is SS, NS or BS.
func (t Type) IsSet() bool { return t == TypeSS || t == TypeNS || t == TypeBS }

// Value is one DynamoDB attribute value. The zero Value is "absent" (Type()
// == 0). Values are immutable by convention: never modify the slices or maps
// returned by the accessors.
type Value struct {
	s   string           // S; N in canonical form; B as raw bytes
	l   []Value          // L
	m   map[string]Value // M
	set []string         // SS; NS canonical; BS raw bytes; in insertion order
	t   Type
	b   bool // BOOL
}

// Item is a DynamoDB item: attribute name to value.
type Item map[string]Value

// S returns a String value.
func S(s string) Value { return Value{t: TypeS, s: s} }

// N returns a Number value from its decimal text, normalised, or an *Error
// with DynamoDB's message when the text is not a valid DynamoDB number.
func N(s string) (Value, error) {
	c, err := ParseNumber(s)
	if err != nil {
		return Value{}, err
	}
	return Value{t: TypeN, s: c}, nil
}

// MustN is N for constants known to be valid; it panics otherwise.
func MustN(s string) Value {
	v, err := N(s)
	if err != nil {
		panic("attr.MustN(" + s + "): " + err.Error())
	}
	return v
}

// B returns a Binary value. The bytes are copied.
func B(b []byte) Value { return Value{t: TypeB, s: string(b)} }

// Bool returns a Boolean value.
func Bool(b bool) Value { return Value{t: TypeBOOL, b: b} }

// Null returns the NULL value.
func Null() Value { return Value{t: TypeNULL, b: true} }

// L returns a List value holding vs (not copied).
func L(vs ...Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{t: TypeL, l: vs}
}

// M returns a Map value holding m (not copied).
func M(m map[string]Value) Value {
	if m == nil {
		m = map[string]Value{}
	}
	return Value{t: TypeM, m: m}
}

// SS returns a String Set. It does not check for duplicates or emptiness;
// Validate does.
func SS(ss ...string) Value { return Value{t: TypeSS, set: ss} }

// NS returns a Number Set from decimal texts, each normalised.
func NS(ns ...string) (Value, error) {
	out := make([]string, len(ns))
	for i, n := range ns {
		c, err := ParseNumber(n)
		if err != nil {
			return Value{}, err
		}
		out[i] = c
	}
	return Value{t: TypeNS, set: out}, nil
}

// BS returns a Binary Set; the members are copied.
func BS(bs ...[]byte) Value {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return Value{t: TypeBS, set: out}
}

// setOf builds a set of type t from already-canonical members.
func setOf(t Type, members []string) Value { return Value{t: t, set: members} }

// Type returns the value's data type, or 0 for the zero Value.
func (v Value) Type() Type { return v.t }

// IsZero reports whether v is the zero (absent) Value.
func (v Value) IsZero() bool { return v.t == 0 }

// Str returns the string of an S value ("" otherwise).
func (v Value) Str() string {
	if v.t != TypeS {
		return ""
	}
	return v.s
}

// Num returns the canonical text of an N value ("" otherwise).
func (v Value) Num() string {
	if v.t != TypeN {
		return ""
	}
	return v.s
}

// Bytes returns the bytes of a B value (nil otherwise). The caller may keep
// but must not modify them.
func (v Value) Bytes() []byte {
	if v.t != TypeB {
		return nil
	}
	return []byte(v.s)
}

// BoolValue returns the boolean of a BOOL value (false otherwise).
func (v Value) BoolValue() bool { return v.t == TypeBOOL && v.b }

// List returns the elements of an L value (nil otherwise).
func (v Value) List() []Value {
	if v.t != TypeL {
		return nil
	}
	return v.l
}

// Map returns the members of an M value (nil otherwise).
func (v Value) Map() map[string]Value {
	if v.t != TypeM {
		return nil
	}
	return v.m
}

// Members returns the members of an SS or NS value (canonical numbers for
// NS) and nil otherwise.
func (v Value) Members() []string {
	if v.t != TypeSS && v.t != TypeNS {
		return nil
	}
	return v.set
}

// BinaryMembers returns the members of a BS value (nil otherwise).
func (v Value) BinaryMembers() [][]byte {
	if v.t != TypeBS {
		return nil
	}
	out := make([][]byte, len(v.set))
	for i, s := range v.set {
		out[i] = []byte(s)
	}
	return out
}

// Len returns the number of elements of a set, list or map, the byte length
// of S and B, and 0 otherwise.
func (v Value) Len() int {
	switch v.t {
	case TypeS, TypeB:
		return len(v.s)
	case TypeL:
		return len(v.l)
	case TypeM:
		return len(v.m)
	case TypeSS, TypeNS, TypeBS:
		return len(v.set)
	}
	return 0
}

// scalarKey is the comparable form of a scalar (S, N, B): the text or bytes.
// It is what set members are made of.
func (v Value) scalarKey() string { return v.s }

// Element returns the scalar type of a set's members (S for SS, ...).
func (t Type) Element() Type {
	switch t {
	case TypeSS:
		return TypeS
	case TypeNS:
		return TypeN
	case TypeBS:
		return TypeB
	}
	return 0
}

// SetOf returns the set type whose members have scalar type t.
func (t Type) SetOf() Type {
	switch t {
	case TypeS:
		return TypeSS
	case TypeN:
		return TypeNS
	case TypeB:
		return TypeBS
	}
	return 0
}

// HasMember reports whether the set v holds the scalar m of its element type.
func (v Value) HasMember(m Value) bool {
	if !v.t.IsSet() || m.t != v.t.Element() {
		return false
	}
	return slices.Contains(v.set, m.scalarKey())
}

// Union returns the set holding v's members followed by those of w that v
// lacks. Both must be sets of the same type.
func Union(v, w Value) Value {
	out := slices.Clone(v.set)
	seen := make(map[string]struct{}, len(v.set))
	for _, s := range v.set {
		seen[s] = struct{}{}
	}
	for _, s := range w.set {
		if _, ok := seen[s]; !ok {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return setOf(v.t, out)
}

// Difference returns v without the members of w. The result may be an
// empty set, which callers must treat as "remove the attribute".
func Difference(v, w Value) Value {
	drop := make(map[string]struct{}, len(w.set))
	for _, s := range w.set {
		drop[s] = struct{}{}
	}
	out := make([]string, 0, len(v.set))
	for _, s := range v.set {
		if _, ok := drop[s]; !ok {
			out = append(out, s)
		}
	}
	return setOf(v.t, out)
}

// String returns the wire JSON of v, for logs and test failures.
func (v Value) String() string {
	if v.t == 0 {
		return "<absent>"
	}
	var sb strings.Builder
	sb.Write(appendJSON(nil, v))
	return sb.String()
}

// Clone returns a deep copy of the item's top-level map; values are shared,
// which is safe because values are immutable.
func (it Item) Clone() Item {
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}
