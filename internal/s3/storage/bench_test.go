package storage_test

import (
	"bytes"
	"fmt"
	"testing"

	"tenkai/internal/s3/storage"
)

var benchBody = bytes.Repeat([]byte("tenkai-0"), 128)

func BenchmarkGetObject(b *testing.B) {
	b.ReportAllocs()
	e := newEngine(&testing.T{}, nil)
	meta := storage.Meta{ContentType: "text/plain", Metadata: map[string]string{"owner": "bench"}}
	for i := 0; i < 64; i++ {
		if _, err := e.PutObject("bkt", fmt.Sprintf("obj-%d", i), storage.BodyInput{Body: bytes.NewReader(benchBody), Size: int64(len(benchBody))}, meta); err != nil {
			b.Fatal(err)
		}
	}
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = fmt.Sprintf("obj-%d", i)
	}
	for i := 0; b.Loop(); i++ {
		o, _, err := e.GetObject("bkt", keys[i%64], "")
		if err != nil || o.Size != int64(len(benchBody)) {
			b.Fatalf("GetObject = %v, %v", o, err)
		}
	}
}

func BenchmarkPutObject(b *testing.B) {
	b.ReportAllocs()
	e := newEngine(&testing.T{}, nil)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprintf("w0/k%d", i)
	}
	r := bytes.NewReader(benchBody)
	for i := 0; b.Loop(); i++ {
		r.Reset(benchBody)
		if _, err := e.PutObject("bkt", keys[i%len(keys)], storage.BodyInput{Body: r, Size: int64(len(benchBody))}, storage.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBucketConfig(b *testing.B) {
	b.ReportAllocs()
	e := newEngine(&testing.T{}, nil)
	for b.Loop() {
		if _, err := e.BucketConfig("bkt", "notification"); err != nil {
			b.Fatal(err)
		}
	}
}
