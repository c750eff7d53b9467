package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"tenkai/internal/store"
)

// recordCache remembers the decoded form of JSON records read from the
// store. An entry is used only when the bytes stored now are identical to the
// bytes it was decoded from, so it cannot serve a stale record whatever
// changed the store (a commit, a rolled-back update, a reset): it saves the
// decoding, never the read. Callers get their own copy to modify.
type recordCache[T any] struct {
	mu    sync.RWMutex
	m     map[string]*cachedRecord[T] // guarded by mu
	limit int                         // most entries kept
	clone func(*T) *T                 // a copy sharing no mutable memory
}

type cachedRecord[T any] struct {
	raw []byte
	v   *T // never modified once cached
}

func newRecordCache[T any](limit int, clone func(*T) *T) *recordCache[T] {
	return &recordCache[T]{m: map[string]*cachedRecord[T]{}, limit: limit, clone: clone}
}

// get reads name's record under key from b into a new value; found is false
// when the key is absent.
func (c *recordCache[T]) get(b store.Bucket, name string, key []byte) (v *T, found bool, err error) {
	raw := b.Get(key)
	if raw == nil {
		return nil, false, nil
	}
	c.mu.RLock()
	e := c.m[name]
	c.mu.RUnlock()
	if e != nil && bytes.Equal(e.raw, raw) {
		return c.clone(e.v), true, nil
	}
	v = new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, false, fmt.Errorf("decode %s: %w", key, err)
	}
	e = &cachedRecord[T]{raw: bytes.Clone(raw), v: c.clone(v)}
	c.mu.Lock()
	if _, ok := c.m[name]; !ok && len(c.m) >= c.limit {
		for k := range c.m { // evict an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[name] = e
	c.mu.Unlock()
	return v, true, nil
}

func cloneBucket(b *Bucket) *Bucket {
	c := *b
	c.Tags = slices.Clone(b.Tags)
	return &c
}

func cloneObject(o *Object) *Object {
	c := *o
	c.Segments = slices.Clone(o.Segments)
	c.Metadata = maps.Clone(o.Metadata)
	c.Tags = slices.Clone(o.Tags)
	return &c
}

// Cache sizes: buckets are few; object records are bounded so that a large
// working set costs at most a few MiB.
const (
	bucketCacheSize = 1024
	objectCacheSize = 4096
)
