package store_test

import (
	"encoding/binary"
	"testing"

	"tenkai/internal/store"
)

func benchPut(b *testing.B, s store.Store) {
	b.ReportAllocs()
	val := make([]byte, 256)
	var k [8]byte
	for i := 0; b.Loop(); i++ {
		binary.BigEndian.PutUint64(k[:], uint64(i))
		if err := s.Update(func(tx store.Tx) error { return tx.Bucket("bench").Put(k[:], val) }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemPut(b *testing.B) { benchPut(b, store.NewMem()) }

func BenchmarkBoltPut(b *testing.B) {
	s, err := store.OpenBolt(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchPut(b, s)
}
