package dynamodb

import (
	"context"
	"encoding/json"
	"sort"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Batch limits of DynamoDB.
const (
	maxBatchGet      = 100
	maxBatchWrite    = 25
	maxBatchResponse = 16 << 20
)

type keysAndAttributes struct {
	Keys                     []attr.Item       `json:"Keys"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
	ConsistentRead           bool              `json:"ConsistentRead,omitempty"`
}

type batchGetInput struct {
	RequestItems           map[string]*keysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                        `json:"ReturnConsumedCapacity"`
}

func sortedTables[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Service) batchGetItem(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in batchGetInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.RequestItems == nil {
		return nil, edge.MissingMember("requestItems")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	type plan struct {
		name string
		t    *table
		ex   *parsedExprs
		keys [][]byte
		ka   *keysAndAttributes
	}
	var plans []*plan
	total := 0
	for _, name := range sortedTables(in.RequestItems) {
		ka := in.RequestItems[name]
		if ka == nil || len(ka.Keys) == 0 {
			return nil, validation("1 validation error detected: Value null at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must not be null", name)
		}
		total += len(ka.Keys)
	}
	if total > maxBatchGet {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	for _, name := range sortedTables(in.RequestItems) {
		ka := in.RequestItems[name]
		t, err := s.itemTable(sc, tableName(name))
		if err != nil {
			return nil, err
		}
		ei := exprInput{ProjectionExpression: ka.ProjectionExpression, ExpressionAttributeNames: ka.ExpressionAttributeNames, AttributesToGet: ka.AttributesToGet}
		ex, err := ei.parse(kindGet, "", "")
		if err != nil {
			return nil, err
		}
		p := &plan{name: name, t: t, ex: ex, ka: ka}
		seen := map[string]bool{}
		for _, k := range ka.Keys {
			key, err := t.keyOf(k)
			if err != nil {
				return nil, err
			}
			if seen[string(key)] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[string(key)] = true
			p.keys = append(p.keys, key)
		}
		plans = append(plans, p)
	}
	o := newOut(1024)
	var caps []*consumedCapacity
	unprocessed := map[string]*keysAndAttributes{}
	err := s.st.View(func(tx store.Tx) error {
		o.key("Responses")
		o.b = append(o.b, '{')
		size := 0
		for i, p := range plans {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			o.b = appendJSONString(o.b, p.name)
			o.b = append(o.b, ':', '[')
			b := tx.Bucket(p.t.bucket)
			c := &consumed{table: p.t.meta.Name, read: true}
			n := 0
			for j, key := range p.keys {
				if size >= maxBatchResponse {
					u := unprocessed[p.name]
					if u == nil {
						cp := *p.ka
						cp.Keys = nil
						u = &cp
						unprocessed[p.name] = u
					}
					u.Keys = append(u.Keys, p.ka.Keys[j])
					continue
				}
				raw := b.Get(key)
				c.units += readUnits(storedSize(raw), p.ka.ConsistentRead)
				if raw == nil {
					continue
				}
				size += storedSize(raw)
				if n > 0 {
					o.b = append(o.b, ',')
				}
				n++
				if p.ex.proj == nil {
					o.b = append(o.b, storedJSON(raw)...)
					continue
				}
				it, err := decodeStored(raw)
				if err != nil {
					return err
				}
				o.b = attr.AppendItemJSON(o.b, p.ex.proj.Apply(it))
			}
			o.b = append(o.b, ']')
			if cc := c.report(in.ReturnConsumedCapacity); cc != nil {
				caps = append(caps, cc)
			}
		}
		o.b = append(o.b, '}')
		return nil
	})
	if err != nil {
		return nil, err
	}
	o.any("UnprocessedKeys", unprocessed)
	if caps != nil {
		o.any("ConsumedCapacity", caps)
	}
	return o.done(), nil
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(dst, b...)
}

type writeRequest struct {
	PutRequest *struct {
		Item attr.Item `json:"Item"`
	} `json:"PutRequest"`
	DeleteRequest *struct {
		Key attr.Item `json:"Key"`
	} `json:"DeleteRequest"`
}

type batchWriteInput struct {
	RequestItems                map[string][]writeRequest `json:"RequestItems"`
	ReturnConsumedCapacity      string                    `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics string                    `json:"ReturnItemCollectionMetrics"`
}

func (s *Service) batchWriteItem(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in batchWriteInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.RequestItems == nil {
		return nil, edge.MissingMember("requestItems")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	total := 0
	for _, name := range sortedTables(in.RequestItems) {
		if len(in.RequestItems[name]) == 0 {
			return nil, validation("1 validation error detected: Value '{%s=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]", name)
		}
		total += len(in.RequestItems[name])
	}
	if total > maxBatchWrite {
		return nil, validation("Too many items requested for the BatchWriteItem call")
	}
	if total == 0 {
		return nil, validation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	type op struct {
		t    *table
		key  []byte
		item attr.Item // nil: delete
	}
	var ops []op
	for _, name := range sortedTables(in.RequestItems) {
		t, err := s.itemTable(sc, tableName(name))
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, wr := range in.RequestItems[name] {
			var o op
			o.t = t
			switch {
			case wr.PutRequest != nil && wr.DeleteRequest == nil:
				if wr.PutRequest.Item == nil {
					return nil, edge.MissingMember("item")
				}
				if o.key, err = t.itemKey(wr.PutRequest.Item); err != nil {
					return nil, err
				}
				if attr.ItemSize(wr.PutRequest.Item) > attr.MaxItemSize {
					return nil, validation("Item size has exceeded the maximum allowed size")
				}
				if err := t.checkIndexKeys(wr.PutRequest.Item); err != nil {
					return nil, err
				}
				o.item = wr.PutRequest.Item
			case wr.DeleteRequest != nil && wr.PutRequest == nil:
				if wr.DeleteRequest.Key == nil {
					return nil, edge.MissingMember("key")
				}
				if o.key, err = t.keyOf(wr.DeleteRequest.Key); err != nil {
					return nil, err
				}
			default:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if seen[string(o.key)] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[string(o.key)] = true
			ops = append(ops, o)
		}
	}
	caps := map[string]*consumed{}
	err := s.st.Update(func(tx store.Tx) error {
		clear(caps)
		for _, o := range ops {
			c := caps[o.t.meta.Name]
			if c == nil {
				c = &consumed{table: o.t.meta.Name}
				caps[o.t.meta.Name] = c
			}
			raw := tx.Bucket(o.t.bucket).Get(o.key)
			var old attr.Item
			if raw != nil && o.t.needsOld() {
				var err error
				if old, err = decodeStored(raw); err != nil {
					return err
				}
			}
			size := storedSize(raw)
			if o.item != nil {
				size = max(size, attr.ItemSize(o.item))
			}
			c.units += writeUnits(size)
			if o.item == nil && raw == nil {
				continue
			}
			if err := o.t.write(tx, o.key, old, o.item, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	o := newOut(64)
	o.raw("UnprocessedItems", []byte("{}"))
	if in.ReturnConsumedCapacity == "TOTAL" || in.ReturnConsumedCapacity == "INDEXES" {
		var list []*consumedCapacity
		for _, n := range sortedTables(caps) {
			list = append(list, caps[n].report(in.ReturnConsumedCapacity))
		}
		o.any("ConsumedCapacity", list)
	}
	return o.done(), nil
}
