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

// BenchmarkMemPutBatch is the shape of a logs PutLogEvents call: ten
// ascending keys of ~40-byte values into a bucket that already holds many.
func BenchmarkMemPutBatch(b *testing.B) {
	b.ReportAllocs()
	s := store.NewMem()
	val := make([]byte, 40)
	var k [20]byte
	seq := uint64(0)
	for b.Loop() {
		err := s.Update(func(tx store.Tx) error {
			bk := tx.Bucket("logs/events/000000000000/us-east-1//bench")
			for j := 0; j < 10; j++ {
				seq++
				binary.BigEndian.PutUint32(k[:], uint32(seq%64))
				binary.BigEndian.PutUint64(k[4:], seq/64)
				binary.BigEndian.PutUint64(k[12:], seq)
				if err := bk.Put(k[:], val); err != nil {
					return err
				}
			}
			return tx.Bucket("logs/streams").Put([]byte("stream"), val)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemGet(b *testing.B) {
	b.ReportAllocs()
	s := store.NewMem()
	val := make([]byte, 256)
	var k [8]byte
	_ = s.Update(func(tx store.Tx) error {
		for i := 0; i < 10000; i++ {
			binary.BigEndian.PutUint64(k[:], uint64(i))
			if err := tx.Bucket("bench").Put(k[:], val); err != nil {
				return err
			}
		}
		return nil
	})
	for i := 0; b.Loop(); i++ {
		binary.BigEndian.PutUint64(k[:], uint64(i%10000))
		_ = s.View(func(tx store.Tx) error {
			if tx.Bucket("bench").Get(k[:]) == nil {
				b.Fatal("missing")
			}
			return nil
		})
	}
}
