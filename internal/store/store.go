// Package store is the key-value persistence behind every tenkai service: an
// in-memory store for ephemeral runs and a bbolt file for --data-dir.
//
// Buckets are flat, named by the service ("s3/objects/000000000000/us-east-1/b1");
// keys are ordered bytes so services can range-scan (DynamoDB sort keys, log
// events by time).
package store

import "errors"

// Store is a transactional ordered key-value store. Updates are serialised;
// views run concurrently with each other and see a consistent snapshot of
// committed data.
type Store interface {
	// View runs fn in a read-only transaction.
	View(fn func(Tx) error) error
	// Update runs fn in a read-write transaction; the changes commit when fn
	// returns nil and are discarded when it returns an error. Once Update
	// returns nil the write is durable (with a data directory, it survives kill -9).
	Update(fn func(Tx) error) error
	// Reset removes every bucket.
	Reset() error
	Close() error
}

// Tx is a transaction. It and the byte slices it returns are valid only until
// the function given to View or Update returns.
type Tx interface {
	// Bucket returns the named bucket. In a read-only transaction a missing
	// bucket reads as empty; in Update it is created on first write.
	Bucket(name string) Bucket
	// DeleteBucket removes a bucket and all its keys; a missing bucket is no error.
	DeleteBucket(name string) error
	// BucketNames calls fn for each bucket whose name starts with prefix, in order.
	BucketNames(prefix string, fn func(name string) bool)
}

// Bucket is an ordered map of keys to values.
type Bucket interface {
	// Get returns the value for key, or nil when absent. The caller must not
	// modify it.
	Get(key []byte) []byte
	// Put stores a copy of key and value.
	Put(key, value []byte) error
	// Delete removes key; a missing key is no error.
	Delete(key []byte) error
	// Scan calls fn for each key in [from, to) in ascending order, or in
	// descending order when reverse is true. A nil from or to is unbounded.
	// It stops when fn returns false.
	Scan(from, to []byte, reverse bool, fn func(k, v []byte) bool)
	// Len returns the number of keys.
	Len() int
}

// Errors.
var (
	// ErrReadOnly is returned when writing in a View transaction.
	ErrReadOnly = errors.New("store: read-only transaction")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("store: closed")
)

// PrefixEnd returns the smallest key greater than every key with the prefix,
// or nil if there is none (all 0xff).
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
