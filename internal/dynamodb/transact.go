package dynamodb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// maxTransactItems is DynamoDB's limit on actions per transaction.
const maxTransactItems = 100

// tokenTTL is how long a ClientRequestToken makes TransactWriteItems
// idempotent.
const tokenTTL = 10 * time.Minute

// tokenBucket keeps TransactWriteItems' client request tokens, keyed by
// scope and token, in the store: a retry after a restart, or one racing the
// first request, is answered from the record instead of writing twice.
const tokenBucket = "dynamodb/tokens"

type idempotentTok struct {
	Sum     [32]byte        `json:"s"`
	Expires int64           `json:"e"` // unix nanoseconds
	Resp    json.RawMessage `json:"r"`
}

type transactWriteItem struct {
	ConditionCheck *itemInput `json:"ConditionCheck"`
	Put            *itemInput `json:"Put"`
	Delete         *itemInput `json:"Delete"`
	Update         *itemInput `json:"Update"`
}

type transactWriteInput struct {
	TransactItems               []transactWriteItem `json:"TransactItems"`
	ClientRequestToken          string              `json:"ClientRequestToken"`
	ReturnConsumedCapacity      string              `json:"ReturnConsumedCapacity"`
	ReturnItemCollectionMetrics string              `json:"ReturnItemCollectionMetrics"`
}

// transactAction is one prepared action of a transaction.
type transactAction struct {
	kind string // ConditionCheck, Put, Delete, Update
	put  *preparedPut
	kp   *preparedKeyed
	t    *table
	key  []byte
	rv   string // ReturnValuesOnConditionCheckFailure
}

func (s *Service) transactWriteItems(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in transactWriteInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.TransactItems == nil {
		return nil, edge.MissingMember("transactItems")
	}
	if len(in.TransactItems) == 0 || len(in.TransactItems) > maxTransactItems {
		return nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	if len(in.ClientRequestToken) > 36 {
		return nil, validation("1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36", in.ClientRequestToken)
	}
	acts := make([]*transactAction, len(in.TransactItems))
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		n := 0
		for _, x := range []*itemInput{ti.ConditionCheck, ti.Put, ti.Delete, ti.Update} {
			if x != nil {
				n++
			}
		}
		if n != 1 {
			return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		a := &transactAction{}
		var err error
		switch {
		case ti.Put != nil:
			a.kind, a.rv = "Put", ti.Put.ReturnValuesOnConditionCheckFailure
			if a.put, err = s.preparePut(sc, ti.Put); err == nil {
				a.t, a.key = a.put.t, a.put.key
			}
		case ti.Delete != nil:
			a.kind, a.rv = "Delete", ti.Delete.ReturnValuesOnConditionCheckFailure
			a.kp, err = s.prepareKeyed(sc, ti.Delete, kindPut)
		case ti.Update != nil:
			a.kind, a.rv = "Update", ti.Update.ReturnValuesOnConditionCheckFailure
			if ti.Update.UpdateExpression == nil {
				return nil, edge.MissingMember("transactItems." + itoa(i+1) + ".member.update.updateExpression")
			}
			a.kp, err = s.prepareKeyed(sc, ti.Update, kindUpdate)
		default:
			a.kind, a.rv = "ConditionCheck", ti.ConditionCheck.ReturnValuesOnConditionCheckFailure
			if ti.ConditionCheck.ConditionExpression == nil {
				return nil, edge.MissingMember("transactItems." + itoa(i+1) + ".member.conditionCheck.conditionExpression")
			}
			a.kp, err = s.prepareKeyed(sc, ti.ConditionCheck, kindPut)
		}
		if err != nil {
			return nil, err
		}
		if a.kp != nil {
			a.t, a.key = a.kp.t, a.kp.key
		}
		id := a.t.bucket + "\x00" + string(a.key)
		if seen[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
		acts[i] = a
	}
	var sum [32]byte
	var tokKey []byte
	if in.ClientRequestToken != "" {
		sum = sha256.Sum256(body)
		tokKey = []byte(sc.key() + "/" + in.ClientRequestToken)
	}
	var resp json.RawMessage // built in the transaction, or the stored one a token replays
	caps := map[string]*consumed{}
	err := s.st.Update(func(tx store.Tx) error {
		clear(caps)
		resp = nil
		if tokKey != nil {
			// Checked in the write transaction, so that two requests with
			// one token cannot both apply.
			if raw := tx.Bucket(tokenBucket).Get(tokKey); raw != nil {
				var tok idempotentTok
				if err := json.Unmarshal(raw, &tok); err == nil && s.clk.Now().UnixNano() < tok.Expires {
					if tok.Sum != sum {
						return edge.Errorf("IdempotentParameterMismatchException", "Specified idempotency token was used with different request parameters within the ten minute window")
					}
					resp = tok.Resp
					return nil
				}
			}
		}
		news := make([]attr.Item, len(acts))
		olds := make([]attr.Item, len(acts))
		reasons := make([]map[string]any, len(acts))
		failed := false
		for i, a := range acts {
			reasons[i] = map[string]any{"Code": "None"}
			c := caps[a.t.meta.Name]
			if c == nil {
				c = &consumed{table: a.t.meta.Name}
				caps[a.t.meta.Name] = c
			}
			raw := tx.Bucket(a.t.bucket).Get(a.key)
			old, err := decodeStored(raw)
			if err != nil {
				return err
			}
			olds[i] = old
			cond := a.condition()
			c.units += 2 * writeUnits(storedSize(raw))
			if cond != nil && !cond.Eval(old) {
				failed = true
				reasons[i] = map[string]any{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
				if a.rv == "ALL_OLD" && old != nil {
					reasons[i]["Item"] = old
				}
				continue
			}
			switch a.kind {
			case "Put":
				news[i] = a.put.item
			case "Update":
				nw, _, err := updatedItem(a.kp, old)
				if err != nil {
					var ee *edge.Error
					if errors.As(apiError(err), &ee) && ee.Code == "ValidationException" {
						failed = true
						reasons[i] = map[string]any{"Code": "ValidationError", "Message": ee.Message}
						continue
					}
					return err
				}
				news[i] = nw
			}
		}
		if failed {
			codes := make([]string, len(reasons))
			for i, r := range reasons {
				codes[i] = r["Code"].(string)
			}
			return edge.Errorf("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", ")).
				With("CancellationReasons", reasons)
		}
		for i, a := range acts {
			c := caps[a.t.meta.Name]
			switch a.kind {
			case "Put", "Update":
				if err := a.t.write(tx, a.key, olds[i], news[i], c); err != nil {
					return err
				}
			case "Delete":
				if olds[i] != nil {
					if err := a.t.write(tx, a.key, olds[i], nil, c); err != nil {
						return err
					}
				}
			}
		}
		o := newOut(64)
		if in.ReturnConsumedCapacity == "TOTAL" || in.ReturnConsumedCapacity == "INDEXES" {
			var list []*consumedCapacity
			for _, n := range sortedTables(caps) {
				list = append(list, caps[n].report(in.ReturnConsumedCapacity))
			}
			o.any("ConsumedCapacity", list)
		}
		resp = o.done()
		if tokKey == nil {
			return nil
		}
		rec, err := json.Marshal(idempotentTok{Sum: sum, Expires: s.clk.Now().Add(tokenTTL).UnixNano(), Resp: resp})
		if err != nil {
			return err
		}
		return tx.Bucket(tokenBucket).Put(tokKey, rec)
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// ExpireTokens deletes the client request tokens past their ten minutes.
func (s *Service) ExpireTokens(ctx context.Context) error {
	now := s.clk.Now().UnixNano()
	var old [][]byte
	err := s.st.View(func(tx store.Tx) error {
		tx.Bucket(tokenBucket).Scan(nil, nil, false, func(k, v []byte) bool {
			var tok idempotentTok
			if json.Unmarshal(v, &tok) != nil || tok.Expires <= now {
				old = append(old, bytes.Clone(k))
			}
			return ctx.Err() == nil
		})
		return nil
	})
	if err != nil || len(old) == 0 {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(tokenBucket)
		for _, k := range old {
			var tok idempotentTok
			// A token renewed since the scan stays.
			if raw := b.Get(k); raw != nil && (json.Unmarshal(raw, &tok) != nil || tok.Expires <= now) {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (a *transactAction) condition() interface{ Eval(attr.Item) bool } {
	if a.put != nil {
		if a.put.ex.cond == nil {
			return nil
		}
		return a.put.ex.cond
	}
	if a.kp.ex.cond == nil {
		return nil
	}
	return a.kp.ex.cond
}

// updatedItem computes the item an update produces from old (nil when
// absent) and the paths it wrote, with the checks UpdateItem makes.
func updatedItem(p *preparedKeyed, old attr.Item) (attr.Item, []expr.Path, error) {
	var nw attr.Item
	var changed []expr.Path
	if p.ex.upd != nil {
		r, err := p.ex.upd.Apply(old)
		if err != nil {
			return nil, nil, err
		}
		nw, changed = r.Item, r.Changed
	} else {
		nw = old.Clone()
	}
	for k, v := range p.in.Key {
		nw[k] = v
	}
	if attr.ItemSize(nw) > attr.MaxItemSize {
		return nil, nil, validation("Item size to update has exceeded the maximum allowed size")
	}
	if err := p.t.checkIndexKeys(nw); err != nil {
		return nil, nil, err
	}
	return nw, changed, nil
}

type transactGetInput struct {
	TransactItems []struct {
		Get *itemInput `json:"Get"`
	} `json:"TransactItems"`
	ReturnConsumedCapacity string `json:"ReturnConsumedCapacity"`
}

func (s *Service) transactGetItems(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in transactGetInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.TransactItems == nil {
		return nil, edge.MissingMember("transactItems")
	}
	if len(in.TransactItems) == 0 || len(in.TransactItems) > maxTransactItems {
		return nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	type get struct {
		t   *table
		key []byte
		ex  *parsedExprs
	}
	gets := make([]get, len(in.TransactItems))
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		if ti.Get == nil {
			return nil, edge.MissingMember("transactItems." + itoa(i+1) + ".member.get")
		}
		if ti.Get.Key == nil {
			return nil, edge.MissingMember("key")
		}
		t, err := s.checkItemInput(sc, ti.Get)
		if err != nil {
			return nil, err
		}
		ex, err := ti.Get.parse(kindGet, "", "")
		if err != nil {
			return nil, err
		}
		key, err := t.keyOf(ti.Get.Key)
		if err != nil {
			return nil, err
		}
		if seen[t.bucket+"\x00"+string(key)] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[t.bucket+"\x00"+string(key)] = true
		gets[i] = get{t, key, ex}
	}
	o := newOut(512)
	caps := map[string]*consumed{}
	err := s.st.View(func(tx store.Tx) error {
		o.key("Responses")
		o.b = append(o.b, '[')
		for i, g := range gets {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			raw := tx.Bucket(g.t.bucket).Get(g.key)
			c := caps[g.t.meta.Name]
			if c == nil {
				c = &consumed{table: g.t.meta.Name, read: true}
				caps[g.t.meta.Name] = c
			}
			c.units += 2 * readUnits(storedSize(raw), true)
			if raw == nil {
				o.b = append(o.b, '{', '}')
				continue
			}
			o.b = append(o.b, `{"Item":`...)
			if g.ex.proj == nil {
				o.b = append(o.b, storedJSON(raw)...)
			} else {
				it, err := decodeStored(raw)
				if err != nil {
					return err
				}
				o.b = attr.AppendItemJSON(o.b, g.ex.proj.Apply(it))
			}
			o.b = append(o.b, '}')
		}
		o.b = append(o.b, ']')
		return nil
	})
	if err != nil {
		return nil, err
	}
	if in.ReturnConsumedCapacity == "TOTAL" || in.ReturnConsumedCapacity == "INDEXES" {
		var list []*consumedCapacity
		for _, n := range sortedTables(caps) {
			list = append(list, caps[n].report(in.ReturnConsumedCapacity))
		}
		o.any("ConsumedCapacity", list)
	}
	return o.done(), nil
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
