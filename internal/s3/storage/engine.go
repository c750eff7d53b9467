// Package storage is the S3 engine: buckets, object versions, multipart
// uploads and listings over a store.Store for metadata and a Blobs for bodies.
// It knows S3's rules and faults but nothing of HTTP.
//
// Layout in the store (bucket names are global in S3, so they are not scoped
// by account and region; each bucket record says its owner and region):
//
//	s3/meta              "seq" → the last sequence number (versions, uploads)
//	s3/buckets           name → Bucket
//	s3/cur/<bucket>      key → Object, the current version of each live key
//	s3/ver/<bucket>      esc(key) 0x00 0x01 ^seq → Object, every version, newest first
//	s3/mpu/<bucket>      upload id → Upload
//	s3/parts/<upload id> part number (4 bytes) → Part
//	s3/inline            blob id → body of up to InlineMax bytes
//
// A body is written (and with a data directory fsynced) before the metadata
// that refers to it commits, so an acknowledged write survives a crash; blobs
// that a crash orphans are removed by Sweep.
package storage

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/store"
)

// Limits S3 enforces.
const (
	MaxObjectSize = 5 << 30 // a single PUT or a part
	MinPartSize   = 5 << 20 // every part but the last
	MaxParts      = 10000
	MaxKeyLength  = 1024
)

// Versioning states of a bucket.
const (
	VersioningOff       = ""
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// NullVersion is the version id of objects written while versioning is off or suspended.
const NullVersion = "null"

// Tag is an object or bucket tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Bucket is a bucket's record.
type Bucket struct {
	Name       string    `json:"name"`
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	Created    time.Time `json:"created"`
	Versioning string    `json:"versioning,omitempty"`
	Tags       []Tag     `json:"tags,omitempty"`
}

// Segment is one stored piece of a body; multipart objects have one per part.
// Small pieces are kept inline in the store (s3/inline), written in the same
// transaction as the record that refers to them; others are blobs.
type Segment struct {
	Blob   string `json:"b"`
	Size   int64  `json:"n"`
	Inline bool   `json:"i,omitempty"`
	data   []byte // an inline body not yet stored
}

// InlineMax is the largest body kept in the store rather than as a blob:
// one commit instead of a file, its fsync and a directory fsync.
const InlineMax = 64 << 10

const inlineBucket = "s3/inline"

// storeInline writes the bodies of new inline segments.
func storeInline(tx store.Tx, segs []Segment) error {
	b := tx.Bucket(inlineBucket)
	for _, s := range segs {
		if s.Inline && s.data != nil {
			if err := b.Put([]byte(s.Blob), s.data); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropInline deletes the bodies of inline segments no longer referred to;
// blob segments are removed after the commit by removeBlobs.
func dropInline(tx store.Tx, segs []Segment) error {
	b := tx.Bucket(inlineBucket)
	for _, s := range segs {
		if s.Inline {
			if err := b.Delete([]byte(s.Blob)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Meta is what a writer says about an object besides its body.
type Meta struct {
	ContentType        string            `json:"ct,omitempty"`
	ContentEncoding    string            `json:"ce,omitempty"`
	ContentDisposition string            `json:"cd,omitempty"`
	ContentLanguage    string            `json:"cl,omitempty"`
	CacheControl       string            `json:"cc,omitempty"`
	Expires            string            `json:"ex,omitempty"`
	WebsiteRedirect    string            `json:"wr,omitempty"`
	StorageClass       string            `json:"sc,omitempty"`
	Metadata           map[string]string `json:"md,omitempty"` // x-amz-meta-* by lower-case name without the prefix
	Tags               []Tag             `json:"tags,omitempty"`
	ChecksumAlgorithm  string            `json:"ca,omitempty"`  // for multipart uploads: the algorithm parts use
	SSE                string            `json:"sse,omitempty"` // x-amz-server-side-encryption; "" means AES256
	KMSKeyID           string            `json:"kms,omitempty"` // with aws:kms
}

// Object is one version of an object (or a delete marker).
type Object struct {
	Key          string    `json:"key"`
	VersionID    string    `json:"vid"`
	Seq          uint64    `json:"seq"`
	DeleteMarker bool      `json:"dm,omitempty"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag,omitempty"` // quoted
	LastModified time.Time `json:"mtime"`
	Segments     []Segment `json:"segs,omitempty"`
	Checksum     string    `json:"cs,omitempty"` // base64 value of Meta.ChecksumAlgorithm's sum
	Meta
}

// Event tells subscribers about a committed change to an object.
type Event struct {
	Name      string // "ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"
	Bucket    string
	Owner     string // the bucket owner's account
	Region    string // the bucket's region
	Key       string
	VersionID string // "" for unversioned buckets
	ETag      string // unquoted
	Size      int64
	Time      time.Time
	Sequencer string // orders events on the same key
}

// Config configures an Engine.
type Config struct {
	Store store.Store // required
	Blobs Blobs       // nil means in memory
	Clock clock.Clock // nil means the wall clock
}

// Engine implements S3's data operations. It is safe for concurrent use.
type Engine struct {
	st    store.Store
	blobs Blobs
	clk   clock.Clock

	// Decoded records of buckets (by name) and of current object versions
	// (by bucket and key), checked against the stored bytes on each read.
	buckets *recordCache[Bucket]
	objects *recordCache[Object]

	mu   sync.RWMutex
	subs map[int]func(Event) // guarded by mu
	next int                 // guarded by mu
}

// New returns an Engine.
func New(cfg Config) *Engine {
	if cfg.Blobs == nil {
		cfg.Blobs = NewMemBlobs()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	return &Engine{st: cfg.Store, blobs: cfg.Blobs, clk: cfg.Clock, subs: map[int]func(Event){},
		buckets: newRecordCache(bucketCacheSize, cloneBucket),
		objects: newRecordCache(objectCacheSize, cloneObject)}
}

// Subscribe registers fn to be called after each committed object change. fn
// runs on the writer's goroutine and must not block; the returned func
// unsubscribes.
func (e *Engine) Subscribe(fn func(Event)) (cancel func()) {
	e.mu.Lock()
	id := e.next
	e.next++
	e.subs[id] = fn
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		delete(e.subs, id)
		e.mu.Unlock()
	}
}

func (e *Engine) publish(ev Event) {
	e.mu.RLock()
	fns := make([]func(Event), 0, len(e.subs))
	for _, fn := range e.subs {
		fns = append(fns, fn)
	}
	e.mu.RUnlock()
	for _, fn := range fns {
		fn(ev)
	}
}

func (e *Engine) event(name string, b *Bucket, o *Object) Event {
	vid := o.VersionID
	if b.Versioning == VersioningOff {
		vid = ""
	}
	return Event{Name: name, Bucket: b.Name, Owner: b.Account, Region: b.Region, Key: o.Key,
		VersionID: vid, ETag: unquote(o.ETag), Size: o.Size, Time: o.LastModified,
		Sequencer: fmt.Sprintf("%016X", o.Seq)}
}

// now is the clock's time at millisecond precision, as S3 reports it.
func (e *Engine) now() time.Time { return e.clk.Now().UTC().Truncate(time.Millisecond) }

// Store bucket names.
const (
	metaBucket    = "s3/meta"
	bucketsBucket = "s3/buckets"
)

func curBucket(b string) string    { return "s3/cur/" + b }
func verBucket(b string) string    { return "s3/ver/" + b }
func uploadBucket(b string) string { return "s3/mpu/" + b }
func partBucket(id string) string  { return "s3/parts/" + id }

// nextSeq returns a new sequence number, unique across the store.
func nextSeq(tx store.Tx) (uint64, error) {
	b := tx.Bucket(metaBucket)
	var n uint64
	if v := b.Get([]byte("seq")); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	if err := b.Put([]byte("seq"), binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return 0, err
	}
	return n, nil
}

// idFor makes a version or upload id: the sequence number (so ids sort by
// age and lead to their record) and random bits (so ids are not guessable).
func idFor(seq uint64) string {
	var r [12]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%016x", seq) + hex.EncodeToString(r[:])
}

// seqOf returns the sequence number in an id made by idFor.
func seqOf(id string) (uint64, bool) {
	if len(id) != 40 {
		return 0, false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(id[:16], 16, 64)
	return n, err == nil
}

// escKey encodes an object key so that a terminator can follow it without
// breaking byte order: 0x00 becomes 0x00 0xff.
func escKey(key string) []byte {
	out := make([]byte, 0, len(key)+10)
	for i := 0; i < len(key); i++ {
		out = append(out, key[i])
		if key[i] == 0 {
			out = append(out, 0xff)
		}
	}
	return out
}

// verPrefix is the common prefix of every version record of key.
func verPrefix(key string) []byte { return append(escKey(key), 0x00, 0x01) }

// verKey orders a key's versions newest first.
func verKey(key string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(verPrefix(key), ^seq)
}

func getJSON(b store.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func putJSON(b store.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// removeBlobs deletes bodies no longer referenced after a commit.
func (e *Engine) removeBlobs(segs []Segment) {
	for _, s := range segs {
		if !s.Inline {
			_ = e.blobs.Remove(s.Blob)
		}
	}
}

// Sweep removes blobs that no record refers to, which a crash between
// writing a body and committing its record leaves behind. Call it before
// serving.
func (e *Engine) Sweep() (removed int, err error) {
	used := map[string]bool{}
	err = e.st.View(func(tx store.Tx) error {
		var names []string
		tx.BucketNames("s3/ver/", func(n string) bool { names = append(names, n); return true })
		tx.BucketNames("s3/parts/", func(n string) bool { names = append(names, n); return true })
		for _, n := range names {
			var derr error
			tx.Bucket(n).Scan(nil, nil, false, func(_, v []byte) bool {
				var rec struct {
					Segs []Segment `json:"segs"`
					Blob string    `json:"blob"`
				}
				if derr = json.Unmarshal(v, &rec); derr != nil {
					return false
				}
				for _, s := range rec.Segs {
					used[s.Blob] = true
				}
				if rec.Blob != "" {
					used[rec.Blob] = true
				}
				return true
			})
			if derr != nil {
				return fmt.Errorf("sweep %s: %w", n, derr)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	var stale []string
	if err := e.blobs.Walk(func(id string) {
		if !used[id] {
			stale = append(stale, id)
		}
	}); err != nil {
		return 0, err
	}
	for _, id := range stale {
		if err := e.blobs.Remove(id); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}

// Reset forgets every blob; the store is reset by its owner.
func (e *Engine) Reset() error { return e.blobs.Reset() }
