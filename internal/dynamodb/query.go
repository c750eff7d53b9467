package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"slices"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/dynamodb/expr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// maxPage is the data DynamoDB reads for one Query or Scan page.
const maxPage = 1 << 20

type readInput struct {
	exprInput
	TableName              string    `json:"TableName"`
	IndexName              string    `json:"IndexName"`
	Select                 string    `json:"Select"`
	Limit                  *int      `json:"Limit"`
	ConsistentRead         bool      `json:"ConsistentRead"`
	ScanIndexForward       *bool     `json:"ScanIndexForward"`
	ExclusiveStartKey      attr.Item `json:"ExclusiveStartKey"`
	ReturnConsumedCapacity string    `json:"ReturnConsumedCapacity"`
	Segment                *int      `json:"Segment"`
	TotalSegments          *int      `json:"TotalSegments"`
}

// readPlan is a validated Query or Scan.
type readPlan struct {
	t      *table
	ix     *index // nil for the table itself
	ex     *parsedExprs
	sel    string
	limit  int  // 0: none
	full   bool // return base-table items (LSI fetches)
	count  bool
	consis bool
}

// check validates the parts Query and Scan share and returns the plan.
func (s *Service) planRead(sc scope, in *readInput, kind exprKind) (*readPlan, error) {
	name := tableName(in.TableName)
	if name == "" {
		return nil, edge.MissingMember("tableName")
	}
	if err := checkReturnConsumed(in.ReturnConsumedCapacity); err != nil {
		return nil, err
	}
	p := &readPlan{consis: in.ConsistentRead}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		p.limit = *in.Limit
	}
	switch in.Select {
	case "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", in.Select)
	}
	t, err := s.itemTable(sc, name)
	if err != nil {
		return nil, err
	}
	p.t = t
	hash, rng := t.hash, t.rng
	if in.IndexName != "" {
		ix := t.byName[in.IndexName]
		if ix == nil {
			return nil, validation("The table does not have the specified index: %s", in.IndexName)
		}
		if ix.global && in.ConsistentRead {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
		p.ix = ix
		hash, rng = ix.hash, ix.rng
	}
	ex, err := in.parse(kind, hash, rng)
	if err != nil {
		return nil, err
	}
	p.ex = ex
	projSet := in.ProjectionExpression != nil || len(in.AttributesToGet) > 0
	p.sel = in.Select
	switch in.Select {
	case "":
		switch {
		case projSet:
			p.sel = "SPECIFIC_ATTRIBUTES"
		case p.ix != nil:
			p.sel = "ALL_PROJECTED_ATTRIBUTES"
		default:
			p.sel = "ALL_ATTRIBUTES"
		}
	case "SPECIFIC_ATTRIBUTES":
		if !projSet {
			return nil, validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if p.ix == nil {
			return nil, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
		fallthrough
	default:
		if projSet {
			if in.ProjectionExpression != nil {
				return nil, validation("Cannot specify the ProjectionExpression when choosing to get %s", in.Select)
			}
			return nil, validation("Cannot specify the AttributesToGet when choosing to get %s", in.Select)
		}
	}
	p.count = p.sel == "COUNT"
	if p.ix != nil {
		if p.sel == "ALL_ATTRIBUTES" && p.ix.proj != "ALL" {
			if p.ix.global {
				return nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", p.ix.name)
			}
			p.full = true
		}
		if !p.ix.global && p.sel == "SPECIFIC_ATTRIBUTES" {
			p.full = true // a local index fetches unprojected attributes from the table
		}
	}
	return p, nil
}

// startKey turns ExclusiveStartKey into a storage key of the table or index
// being read.
func (p *readPlan) startKey(esk attr.Item, kind exprKind) ([]byte, error) {
	bad := func() error {
		if kind == kindQuery {
			return validation("The provided starting key is invalid")
		}
		return validation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	tk := p.t.keyItem(esk)
	for _, v := range tk {
		if v.IsZero() {
			return nil, bad()
		}
	}
	tkey, err := p.t.keyOf(tk)
	if err != nil {
		return nil, bad()
	}
	if p.ix == nil {
		if len(esk) != len(tk) {
			return nil, bad()
		}
		return tkey, nil
	}
	n := len(tk)
	for _, a := range []string{p.ix.hash, p.ix.rng} {
		if _, inTable := tk[a]; a != "" && !inTable {
			n++
		}
	}
	if len(esk) != n {
		return nil, bad()
	}
	k, ok := p.ix.entryKey(esk, tkey)
	if !ok {
		return nil, bad()
	}
	return k, nil
}

// readResult is one page of a Query or Scan.
type readResult struct {
	items   []byte // prefix (see run), then the items' JSON, comma-separated
	count   int
	scanned int
	bytes   int
	lek     attr.Item
	err     error
}

// run reads [from, to) of the table or index in order, applying the
// filter, projection, Limit and the 1 MB page size. inSegment (may be nil)
// selects Scan segments.
//
// The items are appended to prefix, so a caller can build its response in
// the same buffer: a 100-item page is then copied once.
func (p *readPlan) run(tx store.Tx, from, to []byte, reverse bool, inSegment func(k []byte) bool, prefix []byte) *readResult {
	r := &readResult{items: prefix}
	items := tx.Bucket(p.t.bucket)
	src := items
	if p.ix != nil {
		src = tx.Bucket(p.ix.bucket)
	}
	fast := p.ex.filter == nil && p.ex.proj == nil && (p.ix == nil || p.ix.proj == "ALL" || p.full)
	src.Scan(from, to, reverse, func(k, v []byte) bool {
		if inSegment != nil && !inSegment(k) {
			return true
		}
		raw := v
		if p.ix != nil {
			raw = items.Get(v)
			if raw == nil {
				return true
			}
		}
		r.scanned++
		r.bytes += storedSize(raw)
		if p.count && p.ex.filter == nil {
			r.count++
		} else if fast {
			if r.count > 0 {
				r.items = append(r.items, ',')
			} else if cap(r.items)-len(r.items) < len(raw)*16 {
				r.items = slices.Grow(r.items, len(raw)*pageGuess(p.limit))
			}
			r.items = append(r.items, storedJSON(raw)...)
			r.count++
		} else {
			it, err := decodeStored(raw)
			if err != nil {
				r.err = err
				return false
			}
			if p.ix != nil && !p.full {
				it = p.ix.project(p.t, it)
			}
			if p.ex.filter.Eval(it) {
				r.count++
				if !p.count {
					if r.count > 1 {
						r.items = append(r.items, ',')
					}
					r.items = attr.AppendItemJSON(r.items, p.ex.proj.Apply(it))
				}
			}
		}
		if (p.limit > 0 && r.scanned >= p.limit) || r.bytes >= maxPage {
			r.lek, r.err = p.lastKey(k)
			return false
		}
		return true
	})
	return r
}

// pageGuess is how many items a page is expected to hold, for sizing its
// buffer up front.
func pageGuess(limit int) int {
	if limit > 0 && limit < 128 {
		return limit + 1
	}
	return 128
}

// lastKey decodes a storage key into LastEvaluatedKey.
func (p *readPlan) lastKey(k []byte) (attr.Item, error) {
	if p.ix == nil {
		return p.t.decodeTableKey(k)
	}
	ik, tk, err := p.ix.decodeEntryKey(k)
	if err != nil {
		return nil, err
	}
	out, err := p.t.decodeTableKey(tk)
	if err != nil {
		return nil, err
	}
	for n, v := range ik {
		out[n] = v
	}
	return out, nil
}

// readPrefix starts a Query or Scan response; run appends the items.
func (p *readPlan) readPrefix() []byte {
	if p.count {
		return []byte("{")
	}
	return append(make([]byte, 0, 512), `{"Items":[`...)
}

// encode writes the page as a Query/Scan response.
// The page must have been read with readPrefix.
func (p *readPlan) encode(r *readResult, mode string) json.RawMessage {
	o := &jsonOut{b: r.items}
	if !p.count {
		o.b = append(o.b, ']')
	}
	o.int("Count", r.count)
	o.int("ScannedCount", r.scanned)
	if r.lek != nil {
		o.item("LastEvaluatedKey", r.lek)
	}
	c := &consumed{table: p.t.meta.Name, read: true}
	u := readUnits(r.bytes, p.consis)
	if p.ix != nil {
		c.addIndex(p.ix, u)
	} else {
		c.units = u
	}
	if cc := c.report(mode); cc != nil {
		o.any("ConsumedCapacity", cc)
	}
	return o.done()
}

func (s *Service) query(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in readInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	p, err := s.planRead(sc, &in, kindQuery)
	if err != nil {
		return nil, err
	}
	kc := p.ex.key
	hashT, rngT := p.t.hashT, p.t.rngT
	if p.ix != nil {
		hashT, rngT = p.ix.hashT, p.ix.rngT
	}
	if kc.HashValue.Type() != hashT {
		return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	if kc.Range != nil {
		for _, v := range kc.Range.Values {
			if v.Type() != rngT {
				return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
		if kc.Range.Op == expr.RangeBeginsWith && rngT == attr.TypeN {
			return nil, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
		}
	}
	if err := checkKeyValue(kc.HashKey, kc.HashValue, true); err != nil {
		return nil, err
	}
	if p.ex.filter != nil {
		keys := map[string]bool{kc.HashKey: true}
		if p.ix != nil {
			keys[p.ix.rng] = true
		} else {
			keys[p.t.rng] = true
		}
		for _, a := range p.ex.filter.Attributes() {
			if keys[a] && a != "" {
				return nil, validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", a)
			}
		}
	}
	prefix, _ := attr.AppendKey(nil, kc.HashValue)
	lo, hi, err := kc.Range.Bounds()
	if err != nil {
		return nil, err
	}
	from := append(append([]byte(nil), prefix...), lo...)
	var to []byte
	if hi != nil {
		to = append(append([]byte(nil), prefix...), hi...)
	} else {
		to = attr.PrefixEnd(prefix)
	}
	reverse := in.ScanIndexForward != nil && !*in.ScanIndexForward
	if in.ExclusiveStartKey != nil {
		esk, err := p.startKey(in.ExclusiveStartKey, kindQuery)
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(esk, prefix) {
			return nil, validation("The provided starting key is outside query boundaries based on provided condition")
		}
		if rk := p.t.rng; p.ix != nil {
			rk = p.ix.rng
			if rk != "" && !kc.Range.Match(in.ExclusiveStartKey[rk]) {
				return nil, validation("The provided starting key does not match the range key predicate")
			}
		} else if rk != "" && !kc.Range.Match(in.ExclusiveStartKey[rk]) {
			return nil, validation("The provided starting key does not match the range key predicate")
		}
		if reverse {
			if bytes.Compare(esk, to) < 0 {
				to = esk
			}
		} else if next := append(esk, 0); bytes.Compare(next, from) > 0 {
			from = next
		}
	}
	var r *readResult
	err = s.st.View(func(tx store.Tx) error {
		if bytes.Compare(from, to) >= 0 && to != nil {
			r = &readResult{items: p.readPrefix()}
			return nil
		}
		r = p.run(tx, from, to, reverse, nil, p.readPrefix())
		return r.err
	})
	if err != nil {
		return nil, err
	}
	return p.encode(r, in.ReturnConsumedCapacity), nil
}

func (s *Service) scan(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in readInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.TotalSegments != nil || in.Segment != nil {
		if in.TotalSegments == nil {
			return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
		}
		if in.Segment == nil {
			return nil, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
		}
		if *in.TotalSegments < 1 || *in.TotalSegments > 1000000 {
			return nil, validation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000", *in.TotalSegments)
		}
		if *in.Segment < 0 {
			return nil, validation("1 validation error detected: Value '%d' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0", *in.Segment)
		}
		if *in.Segment >= *in.TotalSegments {
			return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *in.Segment, *in.TotalSegments)
		}
	}
	if in.ScanIndexForward != nil {
		// Scan has no such member; DynamoDB ignores unknown members.
		in.ScanIndexForward = nil
	}
	p, err := s.planRead(sc, &in, kindScan)
	if err != nil {
		return nil, err
	}
	var inSeg func([]byte) bool
	if in.TotalSegments != nil && *in.TotalSegments > 1 {
		seg, total := uint32(*in.Segment), uint32(*in.TotalSegments)
		inSeg = func(k []byte) bool { return segmentOf(k, total) == seg }
	}
	var from []byte
	if in.ExclusiveStartKey != nil {
		esk, err := p.startKey(in.ExclusiveStartKey, kindScan)
		if err != nil {
			return nil, err
		}
		if inSeg != nil && !inSeg(esk) {
			return nil, validation("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d", *in.TotalSegments, *in.Segment)
		}
		from = append(esk, 0)
	}
	var r *readResult
	err = s.st.View(func(tx store.Tx) error {
		r = p.run(tx, from, nil, false, inSeg, p.readPrefix())
		return r.err
	})
	if err != nil {
		return nil, err
	}
	return p.encode(r, in.ReturnConsumedCapacity), nil
}

// segmentOf assigns a storage key to one of total parallel scan segments.
func segmentOf(k []byte, total uint32) uint32 {
	h := fnv.New32a()
	h.Write(k)
	return h.Sum32() % total
}
