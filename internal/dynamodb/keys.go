package dynamodb

import (
	"encoding/binary"
	"fmt"

	"tenkai/internal/dynamodb/attr"
)

// Stored items: a 4-byte big-endian DynamoDB item size (attr.ItemSize)
// followed by the item's wire JSON, so reads that need neither filter nor
// projection copy the JSON straight into the response, and sizes (for
// capacity, 1 MB pages and TableSizeBytes) need no decoding.

func encodeItem(it attr.Item) []byte {
	b := make([]byte, 4, 64)
	binary.BigEndian.PutUint32(b, uint32(attr.ItemSize(it)))
	return attr.AppendItemJSON(b, it)
}

func storedSize(v []byte) int {
	if len(v) < 4 {
		return 0
	}
	return int(binary.BigEndian.Uint32(v))
}

func storedJSON(v []byte) []byte {
	if len(v) < 4 {
		return []byte("{}")
	}
	return v[4:]
}

// decodeStored decodes a stored item; nil v gives a nil item.
func decodeStored(v []byte) (attr.Item, error) {
	if v == nil {
		return nil, nil
	}
	it, err := attr.DecodeItem(storedJSON(v))
	if err != nil {
		return nil, fmt.Errorf("decode stored item: %w", err)
	}
	return it, nil
}

// Key size limits of DynamoDB, in bytes.
const (
	maxHashKeySize  = 2048
	maxRangeKeySize = 1024
)

// itemKey builds the storage key of an item being written (PutItem), with
// DynamoDB's messages for missing, mistyped, empty or oversized keys.
func (t *table) itemKey(it attr.Item) ([]byte, error) {
	var k []byte
	for _, p := range [2]struct {
		name string
		typ  attr.Type
	}{{t.hash, t.hashT}, {t.rng, t.rngT}} {
		if p.name == "" {
			continue
		}
		v, ok := it[p.name]
		if !ok {
			return nil, validation("One or more parameter values were invalid: Missing the key %s in the item", p.name)
		}
		if v.Type() != p.typ {
			return nil, validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", p.name, p.typ, v.Type())
		}
		if err := checkKeyValue(p.name, v, p.name == t.hash); err != nil {
			return nil, err
		}
		k, _ = attr.AppendKey(k, v)
	}
	return k, nil
}

func checkKeyValue(name string, v attr.Value, hash bool) error {
	if (v.Type() == attr.TypeS || v.Type() == attr.TypeB) && v.Len() == 0 {
		return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", emptyWord(v), name)
	}
	if hash && keySize(v) > maxHashKeySize {
		return validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if !hash && keySize(v) > maxRangeKeySize {
		return validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

func emptyWord(v attr.Value) string {
	if v.Type() == attr.TypeB {
		return "binary"
	}
	return "string"
}

func keySize(v attr.Value) int { return attr.Size(v) }

// keyOf builds the storage key from a Key request member, which must hold
// exactly the key attributes with the schema's types.
func (t *table) keyOf(key attr.Item) ([]byte, error) {
	n := 1
	if t.rng != "" {
		n = 2
	}
	if len(key) != n {
		return nil, validation("The provided key element does not match the schema")
	}
	var k []byte
	for _, p := range [2]struct {
		name string
		typ  attr.Type
	}{{t.hash, t.hashT}, {t.rng, t.rngT}} {
		if p.name == "" {
			continue
		}
		v, ok := key[p.name]
		if !ok || v.Type() != p.typ {
			return nil, validation("The provided key element does not match the schema")
		}
		if err := checkKeyValue(p.name, v, p.name == t.hash); err != nil {
			return nil, err
		}
		k, _ = attr.AppendKey(k, v)
	}
	return k, nil
}

// keyItem returns the key attributes of it.
func (t *table) keyItem(it attr.Item) attr.Item {
	out := attr.Item{t.hash: it[t.hash]}
	if t.rng != "" {
		out[t.rng] = it[t.rng]
	}
	return out
}

// decodeTableKey decodes a storage key into its key attributes.
func (t *table) decodeTableKey(k []byte) (attr.Item, error) {
	h, rest, err := attr.DecodeKey(t.hashT, k)
	if err != nil {
		return nil, err
	}
	out := attr.Item{t.hash: h}
	if t.rng != "" {
		r, _, err := attr.DecodeKey(t.rngT, rest)
		if err != nil {
			return nil, err
		}
		out[t.rng] = r
	}
	return out, nil
}

// checkIndexKeys applies DynamoDB's checks on index key attributes of an
// item being written: when present they must have the index's type and not
// be empty.
func (t *table) checkIndexKeys(it attr.Item) error {
	for _, ix := range t.indexes {
		for _, p := range [2]struct {
			name string
			typ  attr.Type
		}{{ix.hash, ix.hashT}, {ix.rng, ix.rngT}} {
			if p.name == "" || p.name == t.hash || p.name == t.rng {
				continue
			}
			v, ok := it[p.name]
			if !ok {
				continue
			}
			if v.Type() != p.typ {
				return validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", p.name, p.typ, v.Type(), ix.name)
			}
			if (v.Type() == attr.TypeS || v.Type() == attr.TypeB) && v.Len() == 0 {
				return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", emptyWord(v), ix.name, p.name)
			}
		}
	}
	return nil
}

// entryKey is the index storage key of an item: index partition key, index
// sort key, then the table key (which makes it unique). ok is false when
// the item lacks an index key attribute (sparse index).
func (ix *index) entryKey(it attr.Item, tableKey []byte) ([]byte, bool) {
	h, ok := it[ix.hash]
	if !ok || h.Type() != ix.hashT {
		return nil, false
	}
	k, _ := attr.AppendKey(make([]byte, 0, 32+len(tableKey)), h)
	if ix.rng != "" {
		r, ok := it[ix.rng]
		if !ok || r.Type() != ix.rngT {
			return nil, false
		}
		k, _ = attr.AppendKey(k, r)
	}
	return append(k, tableKey...), true
}

// decodeEntryKey splits an index storage key into the index key attributes
// and the table key bytes.
func (ix *index) decodeEntryKey(k []byte) (attr.Item, []byte, error) {
	h, rest, err := attr.DecodeKey(ix.hashT, k)
	if err != nil {
		return nil, nil, err
	}
	out := attr.Item{ix.hash: h}
	if ix.rng != "" {
		var r attr.Value
		r, rest, err = attr.DecodeKey(ix.rngT, rest)
		if err != nil {
			return nil, nil, err
		}
		out[ix.rng] = r
	}
	return out, rest, nil
}

// project returns the attributes of it the index holds.
func (ix *index) project(t *table, it attr.Item) attr.Item {
	if ix.proj == "ALL" || ix.proj == "" {
		return it
	}
	out := attr.Item{}
	for _, n := range []string{t.hash, t.rng, ix.hash, ix.rng} {
		if v, ok := it[n]; n != "" && ok {
			out[n] = v
		}
	}
	for n := range ix.include {
		if v, ok := it[n]; ok {
			out[n] = v
		}
	}
	return out
}

// projects reports whether the index holds attribute name.
func (ix *index) projects(t *table, name string) bool {
	if ix.proj == "ALL" || ix.proj == "" {
		return true
	}
	if name == t.hash || name == t.rng || name == ix.hash || name == ix.rng {
		return true
	}
	_, ok := ix.include[name]
	return ok
}
