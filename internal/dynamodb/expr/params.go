package expr

import (
	"encoding/json"
	"slices"
	"strings"

	"tenkai/internal/dynamodb/attr"
)

// Params holds one request's ExpressionAttributeNames and
// ExpressionAttributeValues and records which of them the request's
// expressions use. DynamoDB rejects a request that defines a name or value
// none of its expressions use, so a service parses every expression of the
// request with the same Params and then calls CheckUnused.
//
// A Params is not safe for concurrent use; it belongs to one request.
type Params struct {
	names      map[string]string
	values     map[string]attr.Value
	usedNames  map[string]struct{}
	usedValues map[string]struct{}
}

// NewParams validates the two maps as DynamoDB does and returns Params for
// parsing. A nil map means the parameter was absent; an empty non-nil map
// means it was present and empty, which DynamoDB rejects.
func NewParams(names map[string]string, values map[string]attr.Value) (*Params, error) {
	if names != nil {
		if len(names) == 0 {
			return nil, validationf("ExpressionAttributeNames must not be empty")
		}
		for _, k := range sortedKeys(names) {
			if !validRefKey(k, '#') {
				return nil, validationf("ExpressionAttributeNames contains invalid key: Syntax error; key: %q", k)
			}
		}
	}
	if values != nil {
		if len(values) == 0 {
			return nil, validationf("ExpressionAttributeValues must not be empty")
		}
		for _, k := range sortedKeys(values) {
			if !validRefKey(k, ':') {
				return nil, validationf("ExpressionAttributeValues contains invalid key: Syntax error; key: %q", k)
			}
		}
	}
	return &Params{names: names, values: values}, nil
}

// MustParams is NewParams for tests and constants; it panics on error.
func MustParams(names map[string]string, values map[string]attr.Value) *Params {
	p, err := NewParams(names, values)
	if err != nil {
		panic(err)
	}
	return p
}

// DecodeValues decodes a raw ExpressionAttributeValues map, wrapping value
// errors as DynamoDB does ("ExpressionAttributeValues contains invalid
// value: <reason> for key :v"). Keys are checked in sorted order.
func DecodeValues(raw map[string]json.RawMessage) (map[string]attr.Value, error) {
	if raw == nil {
		return nil, nil
	}
	out := make(map[string]attr.Value, len(raw))
	for _, k := range sortedKeys(raw) {
		v, err := attr.Decode(raw[k])
		if err != nil {
			if ae, ok := err.(*attr.Error); ok && ae.Code == attr.CodeValidation {
				return nil, validationf("ExpressionAttributeValues contains invalid value: %s for key %s", ae.Message, k)
			}
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func validRefKey(k string, prefix byte) bool {
	if len(k) < 2 || k[0] != prefix {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isIdentPart(k[i]) {
			return false
		}
	}
	return true
}

// name resolves #n, recording its use.
func (p *Params) name(ref string) (string, bool) {
	if p == nil {
		return "", false
	}
	n, ok := p.names[ref]
	if ok {
		if p.usedNames == nil {
			p.usedNames = map[string]struct{}{}
		}
		p.usedNames[ref] = struct{}{}
	}
	return n, ok
}

// value resolves :v, recording its use.
func (p *Params) value(ref string) (attr.Value, bool) {
	if p == nil {
		return attr.Value{}, false
	}
	v, ok := p.values[ref]
	if ok {
		if p.usedValues == nil {
			p.usedValues = map[string]struct{}{}
		}
		p.usedValues[ref] = struct{}{}
	}
	return v, ok
}

// CheckUnused returns DynamoDB's error for names or values that no parsed
// expression used (names are checked first), or nil.
func (p *Params) CheckUnused() error {
	if p == nil {
		return nil
	}
	var unused []string
	for k := range p.names {
		if _, ok := p.usedNames[k]; !ok {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return validationf("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	for k := range p.values {
		if _, ok := p.usedValues[k]; !ok {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return validationf("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
