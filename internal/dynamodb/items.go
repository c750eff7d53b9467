package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type itemInput struct {
	exprInput
	TableName                           string    `json:"TableName"`
	Item                                attr.Item `json:"Item"`
	Key                                 attr.Item `json:"Key"`
	ConsistentRead                      bool      `json:"ConsistentRead"`
	ReturnValues                        string    `json:"ReturnValues"`
	ReturnConsumedCapacity              string    `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics         string    `json:"ReturnItemCollectionMetrics"`
	ReturnValuesOnConditionCheckFailure string    `json:"ReturnValuesOnConditionCheckFailure"`
}

// write stores nw at key (nil deletes it) and keeps every index and the
// stream in step; old is the item being replaced (nil when there was none).
// It charges index writes to c when c is not nil.
func (t *table) write(tx store.Tx, key []byte, old, nw attr.Item, c *consumed) error {
	return t.writeBy(tx, key, old, nw, c, false)
}

// writeBy is write; byTTL marks a deletion by the TTL process, which its
// stream record says.
func (t *table) writeBy(tx store.Tx, key []byte, old, nw attr.Item, c *consumed, byTTL bool) error {
	stream := t.stream
	if t.svc.streamGen.Load() != t.streamGen {
		var err error
		if stream, old, err = t.currentStream(tx, key, old); err != nil {
			return err
		}
	}
	if stream != nil {
		// In the same transaction as the write: a record is never lost
		// or out of order.
		if err := stream.record(tx, old, nw, byTTL); err != nil {
			return err
		}
	}
	b := tx.Bucket(t.bucket)
	var size int
	if nw == nil {
		if err := b.Delete(key); err != nil {
			return err
		}
	} else {
		enc := encodeItem(nw)
		size = storedSize(enc)
		if err := b.Put(key, enc); err != nil {
			return err
		}
	}
	if t.ttlBucket != "" {
		oldK, hadOld := t.ttlKey(old, key)
		newK, hasNew := t.ttlKey(nw, key)
		if hadOld && (!hasNew || !bytes.Equal(oldK, newK)) {
			if err := tx.Bucket(t.ttlBucket).Delete(oldK); err != nil {
				return err
			}
		}
		if hasNew && (!hadOld || !bytes.Equal(oldK, newK)) {
			if err := tx.Bucket(t.ttlBucket).Put(newK, []byte{}); err != nil {
				return err
			}
		}
	}
	for _, ix := range t.indexes {
		oldK, hadOld := ix.entryKey(old, key)
		newK, hasNew := ix.entryKey(nw, key)
		if hadOld && (!hasNew || !bytes.Equal(oldK, newK)) {
			if err := tx.Bucket(ix.bucket).Delete(oldK); err != nil {
				return err
			}
		}
		if hasNew && (!hadOld || !bytes.Equal(oldK, newK)) {
			if err := tx.Bucket(ix.bucket).Put(newK, key); err != nil {
				return err
			}
		}
		if c != nil && (hadOld || hasNew) {
			sz := size
			if sz == 0 {
				sz = attr.ItemSize(old)
			}
			c.addIndex(ix, writeUnits(sz))
		}
	}
	return nil
}

// conditionFailed is DynamoDB's ConditionalCheckFailedException, with the
// item when ReturnValuesOnConditionCheckFailure is ALL_OLD.
func conditionFailed(old attr.Item, rv string) error {
	e := edge.Errorf("ConditionalCheckFailedException", "The conditional request failed")
	if rv == "ALL_OLD" && old != nil {
		return e.With("Item", old)
	}
	return e
}

func checkRVOnFailure(rv string) error {
	switch rv {
	case "", "NONE", "ALL_OLD":
		return nil
	}
	return validation("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", rv)
}

// writeResult is the outcome of one single-item write.
type writeResult struct {
	attrs attr.Item // ReturnValues attributes; nil for none
	cap   *consumed
	coll  attr.Item // item collection key, for tables with local indexes
}

// encodeWrite encodes a write operation's response.
func encodeWrite(r *writeResult, in *itemInput) json.RawMessage {
	o := newOut(64)
	if len(r.attrs) > 0 {
		o.item("Attributes", r.attrs)
	}
	if cc := r.cap.report(in.ReturnConsumedCapacity); cc != nil {
		o.any("ConsumedCapacity", cc)
	}
	if in.ReturnItemCollectionMetrics == "SIZE" && r.coll != nil {
		// An item collection (one partition of a table with local indexes)
		// is far below DynamoDB's 10 GB limit here; report the first range.
		o.any("ItemCollectionMetrics", map[string]any{"ItemCollectionKey": r.coll, "SizeEstimateRangeGB": []float64{0, 1}})
	}
	return o.done()
}

// collectionKey is the ItemCollectionKey of an item of t, or nil when t has
// no local secondary index.
func (t *table) collectionKey(key attr.Item) attr.Item {
	if len(t.meta.LSIs) == 0 {
		return nil
	}
	return attr.Item{t.hash: key[t.hash]}
}

func (s *Service) putItem(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in itemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	r, err := s.doPut(sc, &in)
	if err != nil {
		return nil, err
	}
	return encodeWrite(r, &in), nil
}

// checkItemInput runs the checks shared by the single-item operations.
func (s *Service) checkItemInput(sc scope, in *itemInput) (*table, error) {
	name := tableName(in.TableName)
	if name == "" {
		return nil, edge.MissingMember("tableName")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if err := checkRVOnFailure(in.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	switch in.ReturnItemCollectionMetrics {
	case "", "NONE", "SIZE":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]", in.ReturnItemCollectionMetrics)
	}
	return s.itemTable(sc, name)
}

// preparedPut is a validated PutItem, ready to run in a transaction.
type preparedPut struct {
	t    *table
	key  []byte
	item attr.Item
	ex   *parsedExprs
}

func (s *Service) preparePut(sc scope, in *itemInput) (*preparedPut, error) {
	if in.Item == nil {
		return nil, edge.MissingMember("item")
	}
	t, err := s.checkItemInput(sc, in)
	if err != nil {
		return nil, err
	}
	ex, err := in.parse(kindPut, "", "")
	if err != nil {
		return nil, err
	}
	key, err := t.itemKey(in.Item)
	if err != nil {
		return nil, err
	}
	if attr.ItemSize(in.Item) > attr.MaxItemSize {
		return nil, validation("Item size has exceeded the maximum allowed size")
	}
	if err := t.checkIndexKeys(in.Item); err != nil {
		return nil, err
	}
	return &preparedPut{t: t, key: key, item: in.Item, ex: ex}, nil
}

func (s *Service) doPut(sc scope, in *itemInput) (*writeResult, error) {
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return nil, validation("ReturnValues can only be ALL_OLD or NONE")
	}
	p, err := s.preparePut(sc, in)
	if err != nil {
		return nil, err
	}
	res := &writeResult{coll: p.t.collectionKey(p.item)}
	err = s.st.Update(func(tx store.Tx) error {
		res.cap = &consumed{table: p.t.meta.Name}
		raw := tx.Bucket(p.t.bucket).Get(p.key)
		var old attr.Item
		if raw != nil && (p.ex.cond != nil || in.ReturnValues == "ALL_OLD" || p.t.needsOld()) {
			var err error
			if old, err = decodeStored(raw); err != nil {
				return err
			}
		}
		if p.ex.cond != nil && !p.ex.cond.Eval(old) {
			return conditionFailed(old, in.ReturnValuesOnConditionCheckFailure)
		}
		size := attr.ItemSize(p.item)
		if raw != nil && storedSize(raw) > size {
			size = storedSize(raw)
		}
		res.cap.units = writeUnits(size)
		if in.ReturnValues == "ALL_OLD" {
			res.attrs = old
		}
		return p.t.write(tx, p.key, old, p.item, res.cap)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) getItem(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in itemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Key == nil {
		return nil, edge.MissingMember("key")
	}
	t, err := s.checkItemInput(sc, &in)
	if err != nil {
		return nil, err
	}
	ex, err := in.parse(kindGet, "", "")
	if err != nil {
		return nil, err
	}
	key, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	o := newOut(256)
	var size int
	err = s.st.View(func(tx store.Tx) error {
		raw := tx.Bucket(t.bucket).Get(key)
		if raw == nil {
			return nil
		}
		size = storedSize(raw)
		if ex.proj == nil {
			o.raw("Item", storedJSON(raw))
			return nil
		}
		it, err := decodeStored(raw)
		if err != nil {
			return err
		}
		o.item("Item", ex.proj.Apply(it))
		return nil
	})
	if err != nil {
		return nil, err
	}
	c := &consumed{table: t.meta.Name, read: true, units: readUnits(size, in.ConsistentRead)}
	if cc := c.report(in.ReturnConsumedCapacity); cc != nil {
		o.any("ConsumedCapacity", cc)
	}
	return o.done(), nil
}

func (s *Service) deleteItem(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in itemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	r, err := s.doDelete(sc, &in)
	if err != nil {
		return nil, err
	}
	return encodeWrite(r, &in), nil
}

// preparedKeyed is a validated DeleteItem, UpdateItem or ConditionCheck.
type preparedKeyed struct {
	t   *table
	key []byte
	in  *itemInput
	ex  *parsedExprs
}

func (s *Service) prepareKeyed(sc scope, in *itemInput, kind exprKind) (*preparedKeyed, error) {
	if in.Key == nil {
		return nil, edge.MissingMember("key")
	}
	t, err := s.checkItemInput(sc, in)
	if err != nil {
		return nil, err
	}
	ex, err := in.parse(kind, "", "")
	if err != nil {
		return nil, err
	}
	key, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	if ex.upd != nil {
		keys := []string{t.hash}
		if t.rng != "" {
			keys = append(keys, t.rng)
		}
		if err := ex.upd.CheckKeyAttributes(keys...); err != nil {
			return nil, err
		}
	}
	return &preparedKeyed{t: t, key: key, in: in, ex: ex}, nil
}

func (s *Service) doDelete(sc scope, in *itemInput) (*writeResult, error) {
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD":
	default:
		return nil, validation("ReturnValues can only be ALL_OLD or NONE")
	}
	p, err := s.prepareKeyed(sc, in, kindPut)
	if err != nil {
		return nil, err
	}
	res := &writeResult{coll: p.t.collectionKey(in.Key)}
	err = s.st.Update(func(tx store.Tx) error {
		res.cap, res.attrs = &consumed{table: p.t.meta.Name}, nil
		return s.applyDelete(tx, p, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) applyDelete(tx store.Tx, p *preparedKeyed, res *writeResult) error {
	raw := tx.Bucket(p.t.bucket).Get(p.key)
	old, err := decodeStored(raw)
	if err != nil {
		return err
	}
	if p.ex.cond != nil && !p.ex.cond.Eval(old) {
		return conditionFailed(old, p.in.ReturnValuesOnConditionCheckFailure)
	}
	res.cap.units = writeUnits(storedSize(raw))
	if old == nil {
		return nil
	}
	if p.in.ReturnValues == "ALL_OLD" {
		res.attrs = old
	}
	return p.t.write(tx, p.key, old, nil, res.cap)
}

func (s *Service) updateItem(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in itemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	r, err := s.doUpdate(sc, &in)
	if err != nil {
		return nil, err
	}
	return encodeWrite(r, &in), nil
}

func (s *Service) doUpdate(sc scope, in *itemInput) (*writeResult, error) {
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
	}
	p, err := s.prepareKeyed(sc, in, kindUpdate)
	if err != nil {
		return nil, err
	}
	res := &writeResult{coll: p.t.collectionKey(in.Key)}
	err = s.st.Update(func(tx store.Tx) error {
		res.cap, res.attrs = &consumed{table: p.t.meta.Name}, nil
		return s.applyUpdate(tx, p, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// applyUpdate runs a prepared UpdateItem inside tx: read, check, apply,
// write. Because store updates are serialised, concurrent updates of one
// item never lose each other's changes.
func (s *Service) applyUpdate(tx store.Tx, p *preparedKeyed, res *writeResult) error {
	raw := tx.Bucket(p.t.bucket).Get(p.key)
	old, err := decodeStored(raw)
	if err != nil {
		return err
	}
	if p.ex.cond != nil && !p.ex.cond.Eval(old) {
		return conditionFailed(old, p.in.ReturnValuesOnConditionCheckFailure)
	}
	nw, changed, err := updatedItem(p, old)
	if err != nil {
		return err
	}
	size := attr.ItemSize(nw)
	if storedSize(raw) > size {
		size = storedSize(raw)
	}
	res.cap.units = writeUnits(size)
	switch p.in.ReturnValues {
	case "ALL_OLD":
		res.attrs = old
	case "ALL_NEW":
		res.attrs = nw
	case "UPDATED_OLD":
		if old != nil {
			res.attrs = expr.ProjectPaths(old, changed)
		}
	case "UPDATED_NEW":
		res.attrs = expr.ProjectPaths(nw, changed)
	}
	return p.t.write(tx, p.key, old, nw, res.cap)
}
