package store

import (
	"bytes"
	"sort"
	"strings"
	"sync"

	"github.com/google/btree"
)

// item is one stored pair. Key and value share one allocation, kv[:n] and
// kv[n:]: one pointer for the collector to scan per item in large buckets.
type item struct {
	kv []byte
	n  int // key length
}

// probe is an item to search by key.
func probe(key []byte) item { return item{kv: key, n: len(key)} }

func (it item) key() []byte { return it.kv[:it.n:it.n] }
func (it item) val() []byte { return it.kv[it.n:] }

func less(a, b item) bool { return bytes.Compare(a.key(), b.key()) < 0 }

// Mem is an in-memory Store. Writes are copied in; nothing survives Close.
type Mem struct {
	mu      sync.RWMutex // writers hold it exclusively for the whole Update
	buckets map[string]*btree.BTreeG[item]
	closed  bool
	// undo is the undo log's storage, reused by each Update (guarded by mu,
	// held exclusively) so that a write does not grow a fresh slice.
	undo []undo
}

// NewMem returns an empty in-memory store.
func NewMem() *Mem { return &Mem{buckets: map[string]*btree.BTreeG[item]{}} }

// View runs fn under a read lock.
func (m *Mem) View(fn func(Tx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	return fn(&memTx{m: m})
}

// Update runs fn under the write lock and undoes its changes if it fails.
func (m *Mem) Update(fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m, writable: true, log: m.undo[:0]}
	err := fn(tx)
	if err != nil {
		tx.rollback()
	}
	// Keep the log's storage for the next Update, without its references;
	// a log grown by a very large transaction is dropped.
	clear(tx.log)
	if cap(tx.log) <= maxKeptUndo {
		m.undo = tx.log[:0]
	}
	return err
}

// maxKeptUndo bounds the undo log storage Mem keeps between updates.
const maxKeptUndo = 1024

// Reset drops every bucket.
func (m *Mem) Reset() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.buckets = map[string]*btree.BTreeG[item]{}
	return nil
}

// Close releases the data.
func (m *Mem) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.buckets = nil
	return nil
}

// undo records how to reverse one change.
type undo struct {
	bucket  string
	tree    *btree.BTreeG[item] // non-nil: restore this whole bucket (after DeleteBucket)
	created bool                // bucket did not exist before
	key     []byte              // the key changed
	old     item                // its previous pair, when hadKey
	hadKey  bool
}

type memTx struct {
	m        *Mem
	writable bool
	log      []undo
}

func (tx *memTx) rollback() {
	for i := len(tx.log) - 1; i >= 0; i-- {
		u := tx.log[i]
		switch {
		case u.tree != nil:
			tx.m.buckets[u.bucket] = u.tree
		case u.created:
			delete(tx.m.buckets, u.bucket)
		default:
			t := tx.m.buckets[u.bucket]
			if t == nil {
				continue
			}
			if u.hadKey {
				t.ReplaceOrInsert(u.old)
			} else {
				t.Delete(probe(u.key))
			}
		}
	}
}

func (tx *memTx) Bucket(name string) Bucket { return &memBucket{tx: tx, name: name} }

func (tx *memTx) DeleteBucket(name string) error {
	if !tx.writable {
		return ErrReadOnly
	}
	t, ok := tx.m.buckets[name]
	if !ok {
		return nil
	}
	delete(tx.m.buckets, name)
	tx.log = append(tx.log, undo{bucket: name, tree: t})
	return nil
}

func (tx *memTx) BucketNames(prefix string, fn func(string) bool) {
	names := make([]string, 0, len(tx.m.buckets))
	for n := range tx.m.buckets {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if !fn(n) {
			return
		}
	}
}

type memBucket struct {
	tx   *memTx
	name string
}

func (b *memBucket) tree(create bool) *btree.BTreeG[item] {
	t := b.tx.m.buckets[b.name]
	if t == nil && create {
		t = btree.NewG(16, less)
		b.tx.m.buckets[b.name] = t
		b.tx.log = append(b.tx.log, undo{bucket: b.name, created: true})
	}
	return t
}

func (b *memBucket) Get(key []byte) []byte {
	t := b.tree(false)
	if t == nil {
		return nil
	}
	it, ok := t.Get(probe(key))
	if !ok {
		return nil
	}
	return it.val()
}

func (b *memBucket) Put(key, value []byte) error {
	if !b.tx.writable {
		return ErrReadOnly
	}
	t := b.tree(true)
	// One allocation holds both copies: half the objects for the collector
	// to track in a large bucket.
	kv := make([]byte, len(key)+len(value))
	copy(kv[copy(kv, key):], value)
	it := item{kv: kv, n: len(key)}
	old, had := t.ReplaceOrInsert(it)
	b.tx.log = append(b.tx.log, undo{bucket: b.name, key: it.key(), old: old, hadKey: had})
	return nil
}

func (b *memBucket) Delete(key []byte) error {
	if !b.tx.writable {
		return ErrReadOnly
	}
	t := b.tree(false)
	if t == nil {
		return nil
	}
	old, had := t.Delete(probe(key))
	if had {
		b.tx.log = append(b.tx.log, undo{bucket: b.name, key: old.key(), old: old, hadKey: true})
	}
	return nil
}

func (b *memBucket) Scan(from, to []byte, reverse bool, fn func(k, v []byte) bool) {
	t := b.tree(false)
	if t == nil {
		return
	}
	visit := func(it item) bool { return fn(it.key(), it.val()) }
	if !reverse {
		switch {
		case from == nil && to == nil:
			t.Ascend(visit)
		case from == nil:
			t.AscendLessThan(probe(to), visit)
		case to == nil:
			t.AscendGreaterOrEqual(probe(from), visit)
		default:
			t.AscendRange(probe(from), probe(to), visit)
		}
		return
	}
	// Descending over [from, to): start below to, stop before from.
	stopBelow := func(it item) bool {
		if from != nil && bytes.Compare(it.key(), from) < 0 {
			return false
		}
		return fn(it.key(), it.val())
	}
	if to == nil {
		t.Descend(stopBelow)
		return
	}
	t.DescendLessOrEqual(probe(to), func(it item) bool {
		if bytes.Equal(it.key(), to) {
			return true
		}
		return stopBelow(it)
	})
}

func (b *memBucket) Len() int {
	t := b.tree(false)
	if t == nil {
		return 0
	}
	return t.Len()
}
