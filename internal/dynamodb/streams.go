package dynamodb

// DynamoDB Streams: capture and storage.
//
// A stream is created each time a table's stream is enabled and lives until
// 24 hours after it is disabled (by UpdateTable or DeleteTable). Per scope,
// three buckets hold streams, keyed "TABLE/LABEL" (labels are ISO-8601
// times, so a table's streams sort oldest first):
//
//	dynamodb/streams/ACCT/REGION     the stream's description (JSON)
//	dynamodb/streamseq/ACCT/REGION   16 bytes: last sequence number, trimmed-through sequence number
//	dynamodb/streamrec/ACCT/REGION/TABLE/LABEL   records by 21-digit sequence number:
//	                                 8 bytes creation time (Unix ns) + the record's GetRecords JSON
//
// Records are appended by table.write in the transaction of the item write.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Retention and iterator lifetimes of DynamoDB Streams.
const (
	streamRetention = 24 * time.Hour
	iteratorTTL     = 15 * time.Minute
	seqDigits       = 21
	labelFormat     = "2006-01-02T15:04:05.000"
)

// streamMeta is a stream's stored description.
type streamMeta struct {
	Table     string             `json:"table"`
	TableID   string             `json:"tableId"`
	Label     string             `json:"label"`
	ViewType  string             `json:"viewType"`
	KeySchema []KeySchemaElement `json:"keySchema"`
	Created   int64              `json:"created"`            // Unix ms
	Disabled  int64              `json:"disabled,omitempty"` // Unix ms; 0 while enabled
	Shard     string             `json:"shard"`
}

func (m *streamMeta) status() string {
	if m.Disabled != 0 {
		return "DISABLED"
	}
	return "ENABLED"
}

// gone reports whether the stream's 24 hours after being disabled have
// passed at now.
func (m *streamMeta) gone(now time.Time) bool {
	return m.Disabled != 0 && !now.Before(time.UnixMilli(m.Disabled).Add(streamRetention))
}

func streamsBucket(sc scope) string { return "dynamodb/streams/" + sc.key() }
func seqBucket(sc scope) string     { return "dynamodb/streamseq/" + sc.key() }
func recBucket(sc scope, table, label string) string {
	return "dynamodb/streamrec/" + sc.key() + "/" + table + "/" + label
}
func streamKey(table, label string) []byte { return []byte(table + "/" + label) }

func streamArn(sc scope, table, label string) string {
	return tableArn(sc, table) + "/stream/" + label
}

// parseStreamArn splits arn:PARTITION:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL.
func parseStreamArn(arn string) (sc scope, table, label string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "dynamodb" || parts[3] == "" || parts[4] == "" {
		return scope{}, "", "", false
	}
	res, ok := strings.CutPrefix(parts[5], "table/")
	if !ok {
		return scope{}, "", "", false
	}
	table, label, ok = strings.Cut(res, "/stream/")
	if !ok || table == "" || label == "" || strings.Contains(table, "/") || strings.Contains(label, "/") {
		return scope{}, "", "", false
	}
	return scope{account: parts[4], region: parts[3]}, table, label, true
}

// formatSeq writes n as a 21-digit sequence number, so string order is
// numeric order.
func formatSeq(n uint64) string {
	var b [seqDigits]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

// parseSeq reads a sequence number given by a client: decimal digits that
// fit in 64 bits (leading zeros allowed, up to the API's 40 characters).
func parseSeq(s string) (uint64, bool) {
	if s == "" || len(s) > 40 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// seqState is a stream's counter value.
type seqState struct{ last, trimmed uint64 }

func getSeq(b store.Bucket, key []byte) seqState {
	v := b.Get(key)
	if len(v) != 16 {
		return seqState{}
	}
	return seqState{binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])}
}

func putSeq(b store.Bucket, key []byte, st seqState) error {
	var v [16]byte
	binary.BigEndian.PutUint64(v[:], st.last)
	binary.BigEndian.PutUint64(v[8:], st.trimmed)
	return b.Put(key, v[:])
}

// capture appends stream records for one table's enabled stream. It is part
// of the immutable table view.
type capture struct {
	view   string
	region string
	recs   string // records bucket
	seqs   string // counter bucket
	seqKey []byte
	clk    clock.Clock
	hash   string
	rng    string
}

func newCapture(sc scope, m tableMeta, clk clock.Clock) *capture {
	hash, rng := splitKeySchema(m.KeySchema)
	return &capture{view: m.Stream.StreamViewType, region: sc.region, recs: recBucket(sc, m.Name, m.StreamLabel),
		seqs: seqBucket(sc), seqKey: streamKey(m.Name, m.StreamLabel), clk: clk, hash: hash, rng: rng}
}

// record appends the record of one item change. A write that changes
// nothing (an identical PutItem, an UpdateItem setting the same values)
// writes no record, as the DynamoDB developer guide says of streams.
func (c *capture) record(tx store.Tx, old, nw attr.Item, byTTL bool) error {
	var event string
	switch {
	case old == nil && nw == nil:
		return nil
	case old == nil:
		event = "INSERT"
	case nw == nil:
		event = "REMOVE"
	default:
		if attr.EqualItems(old, nw) {
			return nil
		}
		event = "MODIFY"
	}
	sb := tx.Bucket(c.seqs)
	st := getSeq(sb, c.seqKey)
	st.last++
	if err := putSeq(sb, c.seqKey, st); err != nil {
		return err
	}
	seq := formatSeq(st.last)
	now := c.clk.Now()
	v := make([]byte, 8, 512)
	binary.BigEndian.PutUint64(v, uint64(now.UnixNano()))
	v = c.appendRecord(v, event, seq, now, old, nw, byTTL)
	return tx.Bucket(c.recs).Put([]byte(seq), v)
}

// appendRecord appends the record as GetRecords returns it.
func (c *capture) appendRecord(b []byte, event, seq string, now time.Time, old, nw attr.Item, byTTL bool) []byte {
	src := nw
	if src == nil {
		src = old
	}
	keys := attr.Item{c.hash: src[c.hash]}
	if c.rng != "" {
		keys[c.rng] = src[c.rng]
	}
	size := attr.ItemSize(keys)
	b = append(b, `{"eventID":"`...)
	b = appendEventID(b)
	b = append(b, `","eventName":"`...)
	b = append(b, event...)
	b = append(b, `","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":`...)
	b = appendJSONString(b, c.region)
	b = append(b, `,"dynamodb":{"ApproximateCreationDateTime":`...)
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, `,"Keys":`...)
	b = attr.AppendItemJSON(b, keys)
	if nw != nil && (c.view == "NEW_IMAGE" || c.view == "NEW_AND_OLD_IMAGES") {
		b = append(b, `,"NewImage":`...)
		b = attr.AppendItemJSON(b, nw)
		size += attr.ItemSize(nw)
	}
	if old != nil && (c.view == "OLD_IMAGE" || c.view == "NEW_AND_OLD_IMAGES") {
		b = append(b, `,"OldImage":`...)
		b = attr.AppendItemJSON(b, old)
		size += attr.ItemSize(old)
	}
	b = append(b, `,"SequenceNumber":"`...)
	b = append(b, seq...)
	b = append(b, `","SizeBytes":`...)
	b = strconv.AppendInt(b, int64(max(size, 1)), 10)
	b = append(b, `,"StreamViewType":"`...)
	b = append(b, c.view...)
	b = append(b, `"}`...)
	if byTTL {
		b = append(b, ',')
		b = append(b, ttlIdentity...)
	}
	return append(b, '}')
}

// appendEventID appends 32 random hex digits, the form of DynamoDB's event ids.
func appendEventID(b []byte) []byte {
	var r [16]byte
	binary.LittleEndian.PutUint64(r[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(r[8:], rand.Uint64())
	return hex.AppendEncode(b, r[:])
}

// syncStream keeps the stream descriptions in step with a table's meta
// inside the transaction that changes it: old is the meta before (nil for
// a new table), m the meta after (nil for a deleted table). A newly enabled
// stream gets a description (its label moved on by a millisecond if it
// would reuse one); a stream no longer enabled is marked DISABLED.
func (s *Service) syncStream(tx store.Tx, sc scope, old, m *tableMeta) error {
	oldLabel, newLabel := enabledLabel(old), enabledLabel(m)
	if oldLabel == newLabel {
		return nil
	}
	// Writers holding a view of this table from before notice in their
	// own transactions; every cached view is dropped so that views of other
	// tables do not keep rereading.
	s.streamGen.Add(1)
	s.forgetAll()
	sb := tx.Bucket(streamsBucket(sc))
	now := s.clk.Now()
	if oldLabel != "" {
		k := streamKey(old.Name, oldLabel)
		if v := sb.Get(k); v != nil {
			var d streamMeta
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode stream %s: %w", k, err)
			}
			d.Disabled = max(now.UnixMilli(), 1)
			if err := putJSON(sb, k, &d); err != nil {
				return err
			}
		}
	}
	if newLabel == "" {
		return nil
	}
	at, err := time.Parse(labelFormat, newLabel)
	if err != nil {
		return fmt.Errorf("stream label %q: %w", newLabel, err)
	}
	for sb.Get(streamKey(m.Name, m.StreamLabel)) != nil {
		at = at.Add(time.Millisecond)
		m.StreamLabel = at.Format(labelFormat)
	}
	arn := streamArn(sc, m.Name, m.StreamLabel)
	d := streamMeta{Table: m.Name, TableID: m.ID, Label: m.StreamLabel, ViewType: m.Stream.StreamViewType,
		KeySchema: m.KeySchema, Created: at.UnixMilli(),
		Shard: fmt.Sprintf("shardId-%020d-%08x", at.UnixMilli(), crc32.ChecksumIEEE([]byte(arn)))}
	if err := putSeq(tx.Bucket(seqBucket(sc)), streamKey(m.Name, m.StreamLabel), seqState{}); err != nil {
		return err
	}
	return putJSON(sb, streamKey(m.Name, m.StreamLabel), &d)
}

// currentStream rereads, inside a write's transaction, the stream setting
// of a table whose view predates a stream being enabled or disabled. The
// caller may not have read the old item (a table without a stream need not
// know it), so it is read here when missing.
func (t *table) currentStream(tx store.Tx, key []byte, old attr.Item) (*capture, attr.Item, error) {
	m, err := getMeta(tx, t.sc, t.meta.Name)
	if err != nil {
		return nil, old, err
	}
	if m == nil || m.ID != t.meta.ID || enabledLabel(m) == "" {
		return nil, old, nil
	}
	if old == nil {
		if old, err = decodeStored(tx.Bucket(t.bucket).Get(key)); err != nil {
			return nil, nil, err
		}
	}
	return newCapture(t.sc, *m, t.svc.clk), old, nil
}

// retained reports whether a stored record (its write time in Unix
// nanoseconds, then its JSON) was written after cutoff.
func retained(v []byte, cutoff int64) bool {
	return len(v) >= 8 && int64(binary.BigEndian.Uint64(v)) > cutoff
}

// oldestBefore reports whether the stream's oldest record is past cutoff.
func oldestBefore(tx store.Tx, r streamRef, cutoff int64) bool {
	old := false
	tx.Bucket(recBucket(r.sc, r.table, r.label)).Scan(nil, nil, false, func(_, v []byte) bool {
		old = !retained(v, cutoff)
		return false
	})
	return old
}

// staleGen marks a table view that writes must not trust for the stream
// setting; streamGen never reaches it.
const staleGen = ^uint64(0)

// viewGen is the streamGen to give a table view about to be read.
func (s *Service) viewGen() uint64 {
	sg := s.streamGen.Load()
	if s.metaChanging.Load() > 0 {
		return staleGen
	}
	return sg
}

// changingMeta brackets a transaction that may change a table's stream;
// call the function it returns once the transaction has ended.
func (s *Service) changingMeta() func() {
	s.metaChanging.Add(1)
	return func() {
		s.streamGen.Add(1) // views read during the transaction are stale now
		s.metaChanging.Add(-1)
	}
}

func enabledLabel(m *tableMeta) string {
	if m == nil || m.Stream == nil || !m.Stream.StreamEnabled {
		return ""
	}
	return m.StreamLabel
}

func putJSON(b store.Bucket, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// streamRef is a resolved stream ARN.
type streamRef struct {
	sc           scope
	table, label string
	arn          string
}

func (r streamRef) key() []byte { return streamKey(r.table, r.label) }

func errStreamNotFound(arn string) *edge.Error {
	return edge.Errorf("ResourceNotFoundException", "Requested resource not found: Stream: %s not found", arn)
}

// getStream reads a stream's description in tx; nil when the stream does
// not exist or its retention after being disabled has ended.
func (s *Service) getStream(tx store.Tx, r streamRef, now time.Time) (*streamMeta, error) {
	v := tx.Bucket(streamsBucket(r.sc)).Get(r.key())
	if v == nil {
		return nil, nil
	}
	d := new(streamMeta)
	if err := json.Unmarshal(v, d); err != nil {
		return nil, fmt.Errorf("decode stream %s: %w", r.arn, err)
	}
	if d.gone(now) {
		return nil, nil
	}
	return d, nil
}

// shardView is what a reader sees of a stream's one shard at a moment.
type shardView struct {
	meta    *streamMeta
	last    uint64 // newest sequence number ever assigned
	trimmed uint64 // newest sequence number no longer readable
	oldest  uint64 // oldest retained record, 0 when none
}

// view resolves a stream and its shard's retained range in tx.
func (s *Service) view(tx store.Tx, r streamRef, now time.Time) (*shardView, error) {
	d, err := s.getStream(tx, r, now)
	if err != nil || d == nil {
		return nil, err
	}
	st := getSeq(tx.Bucket(seqBucket(r.sc)), r.key())
	v := &shardView{meta: d, last: st.last, trimmed: st.trimmed}
	cutoff := now.Add(-streamRetention).UnixNano()
	var ferr error
	// Records past retention that the reaper has not deleted yet count as
	// trimmed; they sit at the front.
	tx.Bucket(recBucket(r.sc, r.table, r.label)).Scan(nil, nil, false, func(k, val []byte) bool {
		n, ok := parseSeq(string(k))
		if !ok || len(val) < 8 {
			ferr = fmt.Errorf("stream %s: bad record %q", r.arn, k)
			return false
		}
		if retained(val, cutoff) {
			v.oldest = n
			return false
		}
		v.trimmed = max(v.trimmed, n)
		return true
	})
	return v, ferr
}

// records returns up to limit retained records after sequence number
// after, and at most about maxBytes of JSON (at least one record).
func (s *Service) records(tx store.Tx, r streamRef, after uint64, limit, maxBytes int, now time.Time) []StreamRecord {
	cutoff := now.Add(-streamRetention).UnixNano()
	var out []StreamRecord
	size := 0
	if after == ^uint64(0) {
		return nil
	}
	from := []byte(formatSeq(after + 1))
	tx.Bucket(recBucket(r.sc, r.table, r.label)).Scan(from, nil, false, func(k, v []byte) bool {
		if !retained(v, cutoff) {
			return true
		}
		if len(out) > 0 && size+len(v)-8 > maxBytes {
			return false
		}
		out = append(out, StreamRecord{Sequence: string(k), JSON: append([]byte(nil), v[8:]...)})
		size += len(v) - 8
		return len(out) < limit
	})
	return out
}

// StreamRecord is one stream record as a Lambda event carries it.
type StreamRecord struct {
	Sequence string // SequenceNumber, 21 digits zero-padded
	JSON     []byte // the record object (no eventSourceARN): GetRecords' shape but for userIdentity's spelling
}

// The botocore model names a TTL delete's Identity members PrincipalId and
// Type, as GetRecords sends them; Lambda's event spells them principalId and
// type. Records are stored in the GetRecords form.
var (
	ttlIdentity       = []byte(`"userIdentity":{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}`)
	lambdaTTLIdentity = []byte(`"userIdentity":{"principalId":"dynamodb.amazonaws.com","type":"Service"}`)
)

// resolve parses a stream ARN given outside a request.
func resolve(arn string) (streamRef, error) {
	sc, table, label, ok := parseStreamArn(arn)
	if !ok {
		return streamRef{}, errStreamNotFound(arn)
	}
	return streamRef{sc: sc, table: table, label: label, arn: arn}, nil
}

// StreamStatus returns "ENABLED" or "DISABLED" for a stream ARN, or an
// *edge.Error ResourceNotFoundException. The account and region come from
// the ARN. It is safe for concurrent use.
func (s *Service) StreamStatus(ctx context.Context, arn string) (string, error) {
	var status string
	err := s.viewStream(arn, func(tx store.Tx, r streamRef, d *streamMeta, now time.Time) {
		status = d.status()
	})
	return status, err
}

// viewStream runs fn in a read transaction on the stream an ARN given
// outside a request names; a stream that does not exist (or no longer
// does) is ResourceNotFoundException.
func (s *Service) viewStream(arn string, fn func(tx store.Tx, r streamRef, d *streamMeta, now time.Time)) error {
	r, err := resolve(arn)
	if err != nil {
		return err
	}
	return s.st.View(func(tx store.Tx) error {
		now := s.clk.Now()
		d, err := s.getStream(tx, r, now)
		if err != nil {
			return err
		}
		if d == nil {
			return errStreamNotFound(arn)
		}
		fn(tx, r, d, now)
		return nil
	})
}

// ReadStream returns, for Lambda event source mappings, up to limit records with sequence number greater than
// after ("" = from the oldest retained record), oldest first. Records
// trimmed since after are skipped, not reported: a poller picks up at the
// oldest record still retained. The account and region come from the ARN.
func (s *Service) ReadStream(ctx context.Context, arn, after string, limit int) ([]StreamRecord, error) {
	var from uint64
	if after != "" {
		var ok bool
		if from, ok = parseSeq(after); !ok {
			return nil, validation("Invalid SequenceNumber: %s", after)
		}
	}
	var out []StreamRecord
	err := s.viewStream(arn, func(tx store.Tx, r streamRef, _ *streamMeta, now time.Time) {
		if limit > 0 {
			out = s.records(tx, r, from, limit, 6<<20, now)
		}
		for i := range out {
			if bytes.Contains(out[i].JSON, ttlIdentity) {
				out[i].JSON = bytes.Replace(out[i].JSON, ttlIdentity, lambdaTTLIdentity, 1)
			}
		}
	})
	return out, err
}

// LatestSequence returns the newest retained record's sequence number, ""
// if none. The account and region come from the ARN.
func (s *Service) LatestSequence(ctx context.Context, arn string) (string, error) {
	var seq string
	err := s.viewStream(arn, func(tx store.Tx, r streamRef, _ *streamMeta, now time.Time) {
		cutoff := now.Add(-streamRetention).UnixNano()
		tx.Bucket(recBucket(r.sc, r.table, r.label)).Scan(nil, nil, true, func(k, v []byte) bool {
			if retained(v, cutoff) {
				seq = string(k)
			}
			return false
		})
	})
	return seq, err
}

// TrimStreams deletes stream records past their 24 hours and streams whose
// 24 hours after being disabled have passed. Reads already hide both; this
// frees the space. The TTL reaper calls it each round.
func (s *Service) TrimStreams(ctx context.Context) error {
	now := s.clk.Now()
	type target struct {
		ref  streamRef
		gone bool
	}
	var targets []target
	cutoff := now.Add(-streamRetention).UnixNano()
	err := s.st.View(func(tx store.Tx) error {
		var names []string
		tx.BucketNames("dynamodb/streams/", func(name string) bool {
			names = append(names, name)
			return true
		})
		for _, bn := range names {
			acct, region, ok := strings.Cut(strings.TrimPrefix(bn, "dynamodb/streams/"), "/")
			if !ok {
				continue
			}
			sc := scope{acct, region}
			var ferr error
			tx.Bucket(bn).Scan(nil, nil, false, func(k, v []byte) bool {
				var d streamMeta
				if ferr = json.Unmarshal(v, &d); ferr != nil {
					return false
				}
				r := streamRef{sc: sc, table: d.Table, label: d.Label}
				gone := d.gone(now)
				if gone || oldestBefore(tx, r, cutoff) {
					// Only streams with something to drop get a write
					// transaction: with bbolt each one is an fsync.
					targets = append(targets, target{r, gone})
				}
				return true
			})
			if ferr != nil {
				return ferr
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, tg := range targets {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r := tg.ref
		err := s.st.Update(func(tx store.Tx) error {
			if tg.gone {
				if err := tx.DeleteBucket(recBucket(r.sc, r.table, r.label)); err != nil {
					return err
				}
				if err := tx.Bucket(seqBucket(r.sc)).Delete(r.key()); err != nil {
					return err
				}
				return tx.Bucket(streamsBucket(r.sc)).Delete(r.key())
			}
			rb := tx.Bucket(recBucket(r.sc, r.table, r.label))
			var old [][]byte
			var through uint64
			rb.Scan(nil, nil, false, func(k, v []byte) bool {
				if retained(v, cutoff) {
					return false
				}
				if n, ok := parseSeq(string(k)); ok {
					through = n
				}
				old = append(old, append([]byte(nil), k...))
				return len(old) < 10000 // the rest wait for the next round
			})
			if len(old) == 0 {
				return nil
			}
			for _, k := range old {
				if err := rb.Delete(k); err != nil {
					return err
				}
			}
			sb := tx.Bucket(seqBucket(r.sc))
			st := getSeq(sb, r.key())
			st.trimmed = max(st.trimmed, through)
			return putSeq(sb, r.key(), st)
		})
		if err != nil {
			return fmt.Errorf("trim stream %s/%s: %w", r.table, r.label, err)
		}
	}
	return nil
}
