package dynamodb

import (
	"encoding/json"
	"fmt"

	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Wire shapes shared by the table operations.

// KeySchemaElement is one key attribute of a table or index.
type KeySchemaElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"` // HASH or RANGE
}

// AttributeDefinition declares a key attribute's type.
type AttributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"` // S, N or B
}

// Projection says which attributes an index holds.
type Projection struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

// Throughput is a ProvisionedThroughput request member.
type Throughput struct {
	ReadCapacityUnits  *int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits *int64 `json:"WriteCapacityUnits"`
}

// StreamSpecification is a table's stream setting; while StreamEnabled,
// every item change is recorded (see streams.go).
type StreamSpecification struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// tableMeta is a table's stored definition (the meta bucket's value).
type tableMeta struct {
	Name               string                `json:"name"`
	ID                 string                `json:"id"`
	Created            float64               `json:"created"` // epoch seconds
	KeySchema          []KeySchemaElement    `json:"keySchema"`
	Attributes         []AttributeDefinition `json:"attributes"`
	BillingMode        string                `json:"billingMode"`
	BillingSet         bool                  `json:"billingSet,omitempty"` // BillingMode was given explicitly
	PayPerRequestSince float64               `json:"ppr,omitempty"`
	RCU                int64                 `json:"rcu"`
	WCU                int64                 `json:"wcu"`
	GSIs               []indexMeta           `json:"gsis,omitempty"`
	LSIs               []indexMeta           `json:"lsis,omitempty"`
	Stream             *StreamSpecification  `json:"stream,omitempty"`
	StreamLabel        string                `json:"streamLabel,omitempty"`
	TableClass         string                `json:"tableClass,omitempty"`
	DeletionProtection bool                  `json:"deletionProtection,omitempty"`
	TTLAttribute       string                `json:"ttlAttribute,omitempty"`
	TTLEnabled         bool                  `json:"ttlEnabled,omitempty"`
	Tags               []Tag                 `json:"tags,omitempty"`
	PITR               bool                  `json:"pitr,omitempty"` // point-in-time recovery enabled
	PITRSince          float64               `json:"pitrSince,omitempty"`
	PITRDays           int                   `json:"pitrDays,omitempty"`
}

// indexMeta is a stored secondary index definition.
type indexMeta struct {
	Name       string             `json:"name"`
	KeySchema  []KeySchemaElement `json:"keySchema"`
	Projection Projection         `json:"projection"`
	RCU        int64              `json:"rcu,omitempty"`
	WCU        int64              `json:"wcu,omitempty"`
}

// table is a parsed, immutable view of a tableMeta for the item paths. It
// is cached per scope and replaced (never modified) when the table changes.
type table struct {
	meta   tableMeta
	sc     scope
	arn    string
	hash   string
	rng    string // "" without a sort key
	hashT  attr.Type
	rngT   attr.Type
	bucket string // items
	// ttlBucket, when TTL is enabled, holds one key per item with a numeric
	// TTL attribute: the number's key encoding then the item's key, so
	// expired items are a range scan.
	ttlBucket string
	indexes   []*index
	byName    map[string]*index
	// stream, when the table's stream is enabled, appends a record for every
	// item change; nil otherwise, which keeps writes to other tables free of it.
	stream *capture
	// streamGen is the service's streamGen when meta was read; a write
	// seeing another value rereads the stream setting (see writeBy).
	streamGen uint64
	svc       *Service
}

// index is a parsed secondary index.
type index struct {
	name    string
	global  bool
	hash    string
	rng     string
	hashT   attr.Type
	rngT    attr.Type
	bucket  string
	proj    string              // ALL, KEYS_ONLY or INCLUDE
	include map[string]struct{} // INCLUDE's NonKeyAttributes
	arn     string
}

const metaBucketPrefix = "dynamodb/tables/"

func metaBucket(sc scope) string { return metaBucketPrefix + sc.key() }

func tableArn(sc scope, name string) string {
	return "arn:aws:dynamodb:" + sc.region + ":" + sc.account + ":table/" + name
}

// newTable parses meta into a table.
// Its streamGen is the current one; a caller that read meta earlier sets
// the value it saw before reading.
func (s *Service) newTable(sc scope, m tableMeta) *table {
	t := &table{meta: m, sc: sc, arn: tableArn(sc, m.Name), byName: map[string]*index{}, svc: s, streamGen: s.streamGen.Load()}
	if enabledLabel(&m) != "" {
		t.stream = newCapture(sc, m, s.clk)
	}
	types := map[string]attr.Type{}
	for _, a := range m.Attributes {
		types[a.AttributeName], _ = attr.ParseType(a.AttributeType)
	}
	t.hash, t.rng = splitKeySchema(m.KeySchema)
	t.hashT, t.rngT = types[t.hash], types[t.rng]
	t.bucket = "dynamodb/items/" + sc.key() + "/" + m.Name + "/" + m.ID
	if m.TTLEnabled {
		t.ttlBucket = ttlBucketName(sc, m)
	}
	add := func(im indexMeta, global bool) {
		ix := &index{name: im.Name, global: global, proj: im.Projection.ProjectionType,
			bucket: "dynamodb/index/" + sc.key() + "/" + m.Name + "/" + m.ID + "/" + im.Name,
			arn:    t.arn + "/index/" + im.Name}
		ix.hash, ix.rng = splitKeySchema(im.KeySchema)
		ix.hashT, ix.rngT = types[ix.hash], types[ix.rng]
		if ix.proj == "INCLUDE" {
			ix.include = map[string]struct{}{}
			for _, a := range im.Projection.NonKeyAttributes {
				ix.include[a] = struct{}{}
			}
		}
		t.indexes = append(t.indexes, ix)
		t.byName[ix.name] = ix
	}
	for _, im := range m.GSIs {
		add(im, true)
	}
	for _, im := range m.LSIs {
		add(im, false)
	}
	return t
}

func ttlBucketName(sc scope, m tableMeta) string {
	return "dynamodb/ttl/" + sc.key() + "/" + m.Name + "/" + m.ID
}

// needsOld reports whether a write must know the item it replaces (to keep
// indexes, the TTL bucket or the stream in step).
func (t *table) needsOld() bool { return len(t.indexes) > 0 || t.ttlBucket != "" || t.stream != nil }

// ttlKey is the TTL bucket key of an item; ok is false when the item has no
// numeric TTL attribute.
func (t *table) ttlKey(it attr.Item, key []byte) ([]byte, bool) {
	v, ok := it[t.meta.TTLAttribute]
	if !ok || v.Type() != attr.TypeN {
		return nil, false
	}
	k, _ := attr.AppendKey(make([]byte, 0, 16+len(key)), v)
	return append(k, key...), true
}

func splitKeySchema(ks []KeySchemaElement) (hash, rng string) {
	for _, k := range ks {
		switch k.KeyType {
		case "HASH":
			hash = k.AttributeName
		case "RANGE":
			rng = k.AttributeName
		}
	}
	return hash, rng
}

// Errors worded as DynamoDB words them.
func errNotFound() *edge.Error {
	return edge.Errorf("ResourceNotFoundException", "Requested resource not found")
}

func errTableNotFound(name string) *edge.Error {
	return edge.Errorf("ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
}

func validation(format string, args ...any) *edge.Error {
	return edge.Errorf("ValidationException", format, args...)
}

// lookup returns the table named name in sc, from the cache or the store,
// or nil when it does not exist.
func (s *Service) lookup(sc scope, name string) (*table, error) {
	ck := sc.key() + "/" + name
	s.mu.RLock()
	t, gen := s.tables[ck], s.gen
	s.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	var meta *tableMeta
	sg := s.viewGen() // before the read: a change during it makes t stale, not wrong
	err := s.st.View(func(tx store.Tx) error {
		v := tx.Bucket(metaBucket(sc)).Get([]byte(name))
		if v == nil {
			return nil
		}
		meta = new(tableMeta)
		return json.Unmarshal(v, meta)
	})
	if err != nil {
		return nil, fmt.Errorf("read table %s: %w", name, err)
	}
	if meta == nil {
		return nil, nil
	}
	t = s.newTable(sc, *meta)
	t.streamGen = sg
	s.mu.Lock()
	if s.gen == gen && sg != staleGen { // no table changed while we read
		s.tables[ck] = t
	}
	s.mu.Unlock()
	return t, nil
}

// itemTable returns the table for an item operation, or DynamoDB's
// ResourceNotFoundException.
func (s *Service) itemTable(sc scope, name string) (*table, error) {
	if name == "" {
		return nil, edge.MissingMember("tableName")
	}
	t, err := s.lookup(sc, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errNotFound()
	}
	return t, nil
}

// forget drops a cached schema; call it after changing a table's meta,
// inside or after the store transaction that changed it.
func (s *Service) forget(sc scope, name string) {
	s.mu.Lock()
	delete(s.tables, sc.key()+"/"+name)
	s.gen++
	s.mu.Unlock()
}

// forgetAll drops every cached schema.
func (s *Service) forgetAll() {
	s.mu.Lock()
	s.tables = map[string]*table{}
	s.gen++
	s.mu.Unlock()
}

// putMeta stores meta in tx.
func putMeta(tx store.Tx, sc scope, m *tableMeta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return tx.Bucket(metaBucket(sc)).Put([]byte(m.Name), b)
}

// getMeta reads a table's meta in tx; nil when absent.
func getMeta(tx store.Tx, sc scope, name string) (*tableMeta, error) {
	v := tx.Bucket(metaBucket(sc)).Get([]byte(name))
	if v == nil {
		return nil, nil
	}
	m := new(tableMeta)
	if err := json.Unmarshal(v, m); err != nil {
		return nil, fmt.Errorf("decode table %s: %w", name, err)
	}
	return m, nil
}
