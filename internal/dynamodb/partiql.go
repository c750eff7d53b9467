package dynamodb

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type statementInput struct {
	Statement                           string            `json:"Statement"`
	Parameters                          []json.RawMessage `json:"Parameters"`
	ConsistentRead                      bool              `json:"ConsistentRead"`
	NextToken                           string            `json:"NextToken"`
	Limit                               *int              `json:"Limit"`
	ReturnConsumedCapacity              string            `json:"ReturnConsumedCapacity"`
	ReturnValuesOnConditionCheckFailure string            `json:"ReturnValuesOnConditionCheckFailure"`
}

func (s *Service) executeStatement(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in statementInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	r, err := s.runStatement(sc, &in, false)
	if err != nil {
		return nil, err
	}
	o := newOut(len(r.items) + 64)
	o.key("Items")
	o.b = append(o.b, '[')
	o.b = append(o.b, r.items...)
	o.b = append(o.b, ']')
	if r.next != "" {
		o.any("NextToken", r.next)
		o.item("LastEvaluatedKey", r.lek)
	}
	if cc := r.cap.report(in.ReturnConsumedCapacity); cc != nil {
		o.any("ConsumedCapacity", cc)
	}
	return o.done(), nil
}

// stmtResult is the outcome of one statement.
type stmtResult struct {
	table string
	items []byte // comma-separated item JSON
	n     int
	lek   attr.Item
	next  string
	cap   *consumed
}

func rawValues(vals map[string]attr.Value) map[string]json.RawMessage {
	if len(vals) == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, len(vals))
	for k, v := range vals {
		out[k] = attr.AppendJSON(nil, v)
	}
	return out
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// runStatement executes one PartiQL statement. single requires a SELECT to
// address one item by its full key (BatchExecuteStatement).
func (s *Service) runStatement(sc scope, in *statementInput, single bool) (*stmtResult, error) {
	if in.Statement == "" {
		return nil, edge.MissingMember("statement")
	}
	if len(in.Statement) > 8192 {
		return nil, validation("1 validation error detected: Value at 'statement' failed to satisfy constraint: Member must have length less than or equal to 8192")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	var params []attr.Value
	for _, raw := range in.Parameters {
		v, err := attr.Decode(raw)
		if err != nil {
			return nil, err
		}
		params = append(params, v)
	}
	if in.Parameters != nil && len(in.Parameters) == 0 {
		return nil, validation("1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	st, err := parsePartiQL(in.Statement, params)
	if err != nil {
		return nil, err
	}
	t, err := s.itemTable(sc, st.table)
	if err != nil {
		return nil, err
	}
	res := &stmtResult{table: t.meta.Name, cap: &consumed{table: t.meta.Name}}
	fullKey := func() (attr.Item, error) {
		key := attr.Item{}
		for _, k := range []string{t.hash, t.rng} {
			if k == "" {
				continue
			}
			v, ok := st.eq[k]
			if !ok {
				return nil, validation("Where clause does not contain a mandatory equality on all key attributes")
			}
			key[k] = v
		}
		return key, nil
	}
	switch st.kind {
	case "INSERT":
		if st.index != "" {
			return nil, validation("Statement wasn't well formed, can't be processed: INSERT cannot address an index")
		}
		ii := &itemInput{TableName: t.meta.Name, Item: st.item}
		p, err := s.preparePut(sc, ii)
		if err != nil {
			return nil, err
		}
		err = s.st.Update(func(tx store.Tx) error {
			if tx.Bucket(t.bucket).Get(p.key) != nil {
				return edge.Errorf("DuplicateItemException", "Duplicate primary key exists in table")
			}
			res.cap.units = writeUnits(attr.ItemSize(p.item))
			return t.write(tx, p.key, nil, p.item, res.cap)
		})
		return res, err
	case "UPDATE", "DELETE":
		if st.index != "" {
			return nil, validation("Statement wasn't well formed, can't be processed: %s cannot address an index", st.kind)
		}
		key, err := fullKey()
		if err != nil {
			return nil, err
		}
		ii := &itemInput{TableName: t.meta.Name, Key: key, ReturnValuesOnConditionCheckFailure: in.ReturnValuesOnConditionCheckFailure}
		ii.ExpressionAttributeNames = nonEmpty(st.names)
		ii.ExpressionAttributeValues = rawValues(st.values)
		ii.ConditionExpression = &st.where
		var r *writeResult
		if st.kind == "UPDATE" {
			ii.UpdateExpression = &st.update
			r, err = s.doUpdate(sc, ii)
		} else {
			r, err = s.doDelete(sc, ii)
			var ee *edge.Error
			if errors.As(err, &ee) && ee.Code == "ConditionalCheckFailedException" && ee.Fields["Item"] == nil {
				if exists, gerr := s.exists(t, key); gerr == nil && !exists {
					err = nil // deleting a missing item is no error
					r = &writeResult{cap: res.cap}
				}
			}
		}
		if err != nil {
			return nil, err
		}
		res.cap = r.cap
		return res, nil
	}
	// SELECT
	if single {
		if _, err := fullKey(); err != nil || st.index != "" {
			return nil, validation("Batch statement does not support non-key lookups: Where clause does not contain a mandatory equality on all key attributes")
		}
	}
	p := &readPlan{t: t, consis: in.ConsistentRead, sel: "ALL_ATTRIBUTES"}
	hash, hashT := t.hash, t.hashT
	if st.index != "" {
		ix := t.byName[st.index]
		if ix == nil {
			return nil, validation("The table does not have the specified index: %s", st.index)
		}
		p.ix, p.sel = ix, "ALL_PROJECTED_ATTRIBUTES"
		hash, hashT = ix.hash, ix.hashT
	}
	vals := st.values
	if len(vals) == 0 {
		vals = nil
	}
	eparams, err := expr.NewParams(nonEmpty(st.names), vals)
	if err != nil {
		return nil, err
	}
	p.ex = &parsedExprs{}
	if st.where != "" {
		if p.ex.filter, err = expr.ParseFilter(st.where, eparams); err != nil {
			return nil, err
		}
	}
	if st.proj != "" {
		if p.ex.proj, err = expr.ParseProjection(st.proj, eparams); err != nil {
			return nil, err
		}
	}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		p.limit = *in.Limit
	}
	var from, to []byte
	if hv, ok := st.eq[hash]; ok && hv.Type() == hashT {
		from, _ = attr.AppendKey(nil, hv)
		to = attr.PrefixEnd(from)
	}
	if in.NextToken != "" {
		k, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || (from != nil && !strings.HasPrefix(string(k), string(from))) {
			return nil, validation("Invalid NextToken")
		}
		from = append(k, 0)
	}
	var r *readResult
	err = s.st.View(func(tx store.Tx) error {
		r = p.run(tx, from, to, false, nil, nil)
		return r.err
	})
	if err != nil {
		return nil, err
	}
	res.items, res.n, res.lek = r.items, r.count, r.lek
	res.cap = &consumed{table: t.meta.Name, read: true, units: readUnits(r.bytes, in.ConsistentRead)}
	if r.lek != nil {
		k, err := p.startKey(r.lek, kindScan)
		if err != nil {
			return nil, err
		}
		res.next = base64.RawURLEncoding.EncodeToString(k)
	}
	return res, nil
}

func (s *Service) exists(t *table, key attr.Item) (bool, error) {
	k, err := t.keyOf(key)
	if err != nil {
		return false, err
	}
	found := false
	err = s.st.View(func(tx store.Tx) error {
		found = tx.Bucket(t.bucket).Get(k) != nil
		return nil
	})
	return found, err
}

type batchStatementInput struct {
	Statements             []statementInput `json:"Statements"`
	ReturnConsumedCapacity string           `json:"ReturnConsumedCapacity"`
}

// batchErrorCodes maps exceptions to BatchStatementError codes.
var batchErrorCodes = map[string]string{
	"ConditionalCheckFailedException": "ConditionalCheckFailed",
	"DuplicateItemException":          "DuplicateItem",
	"ValidationException":             "ValidationError",
	"ResourceNotFoundException":       "ResourceNotFound",
}

func (s *Service) batchExecuteStatement(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in batchStatementInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Statements == nil {
		return nil, edge.MissingMember("statements")
	}
	if len(in.Statements) == 0 || len(in.Statements) > 25 {
		return nil, validation("1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25, Member must have length greater than or equal to 1")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	kinds := map[bool]bool{}
	for _, st := range in.Statements {
		w := strings.ToUpper(strings.Fields(st.Statement + " x")[0])
		kinds[w == "SELECT"] = true
	}
	if len(kinds) > 1 {
		return nil, validation("Unsupported operation: Batch must consist of only read statements or only write statements.")
	}
	o := newOut(256)
	o.key("Responses")
	o.b = append(o.b, '[')
	caps := map[string]*consumed{}
	for i := range in.Statements {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		st := &in.Statements[i]
		st.ReturnConsumedCapacity = ""
		r, err := s.runStatement(sc, st, true)
		if err != nil {
			var ee *edge.Error
			if !errors.As(apiError(err), &ee) || ee.Status >= 500 {
				return nil, err
			}
			code := batchErrorCodes[ee.Code]
			if code == "" {
				code = strings.TrimSuffix(ee.Code, "Exception")
			}
			e := map[string]any{"Code": code, "Message": ee.Message}
			if it, ok := ee.Fields["Item"]; ok {
				e["Item"] = it
			}
			b, _ := json.Marshal(map[string]any{"Error": e})
			o.b = append(o.b, b...)
			continue
		}
		if c := caps[r.table]; c == nil {
			caps[r.table] = r.cap
		} else {
			c.units += r.cap.units
		}
		o.b = append(o.b, `{"TableName":`...)
		o.b = appendJSONString(o.b, r.table)
		if r.n > 0 {
			o.b = append(o.b, `,"Item":`...)
			o.b = append(o.b, r.items...)
		}
		o.b = append(o.b, '}')
	}
	o.b = append(o.b, ']')
	if in.ReturnConsumedCapacity == "TOTAL" || in.ReturnConsumedCapacity == "INDEXES" {
		var list []*consumedCapacity
		for _, n := range sortedTables(caps) {
			list = append(list, caps[n].report(in.ReturnConsumedCapacity))
		}
		o.any("ConsumedCapacity", list)
	}
	return o.done(), nil
}
