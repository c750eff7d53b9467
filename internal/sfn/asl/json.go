package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// object is a decoded JSON object that remembers key order, so diagnostics
// come out in definition order as AWS reports them.
type object struct {
	keys []string
	vals map[string]any
	dups []string // keys seen twice
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// decodeOrdered decodes JSON into object / []any / string / json.Number / bool / nil.
func decodeOrdered(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the top-level value")
	}
	return v, nil
}

const maxNesting = 1000

func decodeValue(d *json.Decoder, depth int) (any, error) {
	if depth > maxNesting {
		return nil, errors.New("JSON nesting too deep")
	}
	t, err := d.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("invalid object key %v", kt)
				}
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				if _, seen := o.vals[k]; seen {
					o.dups = append(o.dups, k)
				} else {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = v
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for d.More() {
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// plain converts a decoded tree into engine values (*Object, normalised numbers).
func plain(v any) any {
	switch v := v.(type) {
	case *object:
		m := NewObject(len(v.keys))
		for _, k := range v.keys {
			m.Set(k, plain(v.vals[k]))
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plain(e)
		}
		return out
	case json.Number:
		return Number(v)
	default:
		return v
	}
}

// Number converts a JSON number to int64 when it is an integer that fits,
// float64 otherwise.
func Number(n json.Number) any {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return math.Inf(1)
	}
	return f
}

// DecodeJSON decodes data into engine values: *Object (keys in order),
// []any, string, bool, nil, and numbers normalised (int64 when integral and
// in range, float64 otherwise). A key given twice keeps its last value.
func DecodeJSON(data []byte) (any, error) {
	v, err := decodeOrdered(data)
	if err != nil {
		return nil, err
	}
	return plain(v), nil
}

// ToFloat reports v as a float64 if it is a JSON number.
func ToFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// FromGo converts Go JSON data (maps, json.Number, float64 integers) into
// engine values.
func FromGo(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return FromPlain(x)
	case json.Number:
		return Number(x)
	}
	return v
}
