package store_test

import (
	"errors"
	"testing"

	"tenkai/internal/store"
)

// TestMemUndoReuse checks that the undo log kept between updates never
// carries one transaction's changes into another's rollback.
func TestMemUndoReuse(t *testing.T) {
	m := store.NewMem()
	fail := errors.New("fail")
	steps := []struct {
		key, val string
		del, err bool
	}{
		{key: "a", val: "1"},
		{key: "b", val: "2", err: true},
		{key: "c", val: "3"},
		{key: "a", del: true, err: true},
		{key: "a", val: "4", err: true},
		{key: "c", val: "5"},
	}
	for _, s := range steps {
		_ = m.Update(func(tx store.Tx) error {
			b := tx.Bucket("x")
			if s.del {
				_ = b.Delete([]byte(s.key))
			} else {
				_ = b.Put([]byte(s.key), []byte(s.val))
			}
			if s.err {
				return fail
			}
			return nil
		})
	}
	want := map[string]string{"a": "1", "b": "", "c": "5"}
	_ = m.View(func(tx store.Tx) error {
		for k, v := range want {
			if got := string(tx.Bucket("x").Get([]byte(k))); got != v {
				t.Errorf("Get(%q) = %q; want %q", k, got, v)
			}
		}
		return nil
	})
}

// TestMemPutCopies checks that a stored key and value do not share memory
// with the caller's slices, nor with each other.
func TestMemPutCopies(t *testing.T) {
	m := store.NewMem()
	k, v := []byte("key"), []byte("value")
	_ = m.Update(func(tx store.Tx) error { return tx.Bucket("x").Put(k, v) })
	k[0], v[0] = 'X', 'X'
	_ = m.View(func(tx store.Tx) error {
		var gotK, gotV string
		tx.Bucket("x").Scan(nil, nil, false, func(k, v []byte) bool {
			gotK, gotV = string(k), string(v)
			return false
		})
		if gotK != "key" || gotV != "value" {
			t.Errorf("Scan = %q, %q; want key, value", gotK, gotV)
		}
		return nil
	})
}
