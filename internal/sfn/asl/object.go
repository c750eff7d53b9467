package asl

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Object is a JSON object that keeps its keys in insertion order, as Step
// Functions renders objects: a payload template's fields in the order
// written, an input's keys in the order received, new ResultPath keys last.
// Objects flowing between states are never modified once built; Set is for
// building.
type Object struct {
	keys  []string
	vals  []any          // parallel to keys
	index map[string]int // key positions, once the object is large
}

// objectIndexAt is the size from which lookups use a map.
const objectIndexAt = 10

// NewObject returns an empty Object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// ObjectOf builds an Object from alternating keys and values, for literals
// such as the error output {"Error": e, "Cause": c}.
func ObjectOf(kv ...any) *Object {
	o := NewObject(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// MarshalJSON encodes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (o *Object) find(k string) int {
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i, x := range o.keys {
		if x == k {
			return i
		}
	}
	return -1
}

// Get returns the value under k.
func (o *Object) Get(k string) (any, bool) {
	if i := o.find(k); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// Set stores v under k; a new key goes last.
func (o *Object) Set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	switch {
	case o.index != nil:
		o.index[k] = len(o.keys) - 1
	case len(o.keys) >= objectIndexAt:
		o.index = make(map[string]int, len(o.keys)*2)
		for i, x := range o.keys {
			o.index[x] = i
		}
	}
}

// Keys returns the keys in order; the caller must not modify the slice.
func (o *Object) Keys() []string { return o.keys }

// Values returns the values in key order; the caller must not modify the slice.
func (o *Object) Values() []any { return o.vals }

// Len returns the number of keys.
func (o *Object) Len() int { return len(o.keys) }

// Clone returns a shallow copy with room for extra more keys.
func (o *Object) Clone(extra int) *Object {
	c := &Object{keys: make([]string, len(o.keys), len(o.keys)+extra), vals: make([]any, len(o.vals), len(o.vals)+extra)}
	copy(c.keys, o.keys)
	copy(c.vals, o.vals)
	if o.index != nil {
		c.index = make(map[string]int, len(o.index)+extra)
		for k, i := range o.index {
			c.index[k] = i
		}
	}
	return c
}

// Map returns the values by key in a new map.
func (o *Object) Map() map[string]any {
	m := make(map[string]any, len(o.keys))
	for i, k := range o.keys {
		m[k] = o.vals[i]
	}
	return m
}

// ToPlain converts Objects within v into map[string]any, for code that
// needs Go maps (JSONPath filters).
func ToPlain(v any) any {
	switch x := v.(type) {
	case *Object:
		m := make(map[string]any, len(x.keys))
		for i, k := range x.keys {
			m[k] = ToPlain(x.vals[i])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ToPlain(e)
		}
		return out
	}
	return v
}

// FromPlain converts Go maps within v into Objects (keys sorted, since a
// map has no order).
func FromPlain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		o := NewObject(len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			o.Set(k, FromPlain(x[k]))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = FromPlain(e)
		}
		return out
	case *Object:
		return x
	}
	return v
}

// Equal reports whether two JSON values are equal: objects regardless of
// key order, numbers by value.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			w, ok := y.Get(k)
			if !ok || !Equal(x.vals[i], w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	fa, okA := ToFloat(a)
	fb, okB := ToFloat(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	return a == b
}
