package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bolt is a Store in one bbolt file. Every Update is fsynced before it returns.
type Bolt struct {
	db *bolt.DB
}

// OpenBolt opens (creating if needed) the database file tenkai.db in dir.
func OpenBolt(dir string) (*Bolt, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	path := filepath.Join(dir, "tenkai.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &Bolt{db: db}, nil
}

// View runs fn in a bbolt read transaction.
func (s *Bolt) View(fn func(Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&boltTx{tx: btx}) })
}

// Update runs fn in a bbolt write transaction.
func (s *Bolt) Update(fn func(Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error { return fn(&boltTx{tx: btx}) })
}

// Reset deletes every bucket.
func (s *Bolt) Reset() error {
	return s.db.Update(func(btx *bolt.Tx) error {
		var names [][]byte
		if err := btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, append([]byte(nil), name...))
			return nil
		}); err != nil {
			return err
		}
		for _, n := range names {
			if err := btx.DeleteBucket(n); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close closes the file.
func (s *Bolt) Close() error { return s.db.Close() }

type boltTx struct{ tx *bolt.Tx }

func (t *boltTx) Bucket(name string) Bucket { return &boltBucket{tx: t.tx, name: []byte(name)} }

func (t *boltTx) DeleteBucket(name string) error {
	if !t.tx.Writable() {
		return ErrReadOnly
	}
	err := t.tx.DeleteBucket([]byte(name))
	if err == nil || err == bolt.ErrBucketNotFound {
		return nil
	}
	return err
}

func (t *boltTx) BucketNames(prefix string, fn func(string) bool) {
	c := t.tx.Cursor()
	for k, _ := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
		if !fn(string(k)) {
			return
		}
	}
}

type boltBucket struct {
	tx   *bolt.Tx
	name []byte
	b    *bolt.Bucket
}

func (b *boltBucket) get(create bool) (*bolt.Bucket, error) {
	if b.b != nil {
		return b.b, nil
	}
	if bk := b.tx.Bucket(b.name); bk != nil {
		b.b = bk
		return bk, nil
	}
	if !create {
		return nil, nil
	}
	bk, err := b.tx.CreateBucketIfNotExists(b.name)
	if err != nil {
		return nil, err
	}
	b.b = bk
	return bk, nil
}

func (b *boltBucket) Get(key []byte) []byte {
	bk, _ := b.get(false)
	if bk == nil {
		return nil
	}
	return bk.Get(key)
}

func (b *boltBucket) Put(key, value []byte) error {
	if !b.tx.Writable() {
		return ErrReadOnly
	}
	bk, err := b.get(true)
	if err != nil {
		return err
	}
	// bbolt keeps the slices it is given until the transaction commits; the
	// Store contract lets callers reuse theirs at once, so copy (one allocation).
	kv := make([]byte, len(key)+len(value))
	copy(kv[copy(kv, key):], value)
	return bk.Put(kv[:len(key):len(key)], kv[len(key):])
}

func (b *boltBucket) Delete(key []byte) error {
	if !b.tx.Writable() {
		return ErrReadOnly
	}
	bk, _ := b.get(false)
	if bk == nil {
		return nil
	}
	return bk.Delete(key)
}

func (b *boltBucket) Scan(from, to []byte, reverse bool, fn func(k, v []byte) bool) {
	bk, _ := b.get(false)
	if bk == nil {
		return
	}
	c := bk.Cursor()
	if !reverse {
		var k, v []byte
		if from == nil {
			k, v = c.First()
		} else {
			k, v = c.Seek(from)
		}
		for ; k != nil; k, v = c.Next() {
			if to != nil && bytes.Compare(k, to) >= 0 {
				return
			}
			if !fn(k, v) {
				return
			}
		}
		return
	}
	var k, v []byte
	if to == nil {
		k, v = c.Last()
	} else {
		k, v = c.Seek(to)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
		if from != nil && bytes.Compare(k, from) < 0 {
			return
		}
		if !fn(k, v) {
			return
		}
	}
}

func (b *boltBucket) Len() int {
	bk, _ := b.get(false)
	if bk == nil {
		return 0
	}
	return bk.Stats().KeyN
}
