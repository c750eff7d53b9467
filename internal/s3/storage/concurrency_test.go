package storage_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"tenkai/internal/s3/storage"
	"tenkai/internal/store"
)

// TestConcurrentWriters overwrites, reads and deletes the same keys from
// many goroutines, then checks that no body leaked or went missing.
func TestConcurrentWriters(t *testing.T) {
	blobs := storage.NewDirBlobs(t.TempDir())
	st := store.NewMem()
	e := storage.New(storage.Config{Store: st, Blobs: blobs})
	for _, b := range []string{"plain", "versioned"} {
		if _, err := e.CreateBucket("000000000000", "us-east-1", b); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.SetVersioning("versioned", storage.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				bucket := []string{"plain", "versioned"}[i%2]
				key := fmt.Sprintf("k%d", i%3)
				body := fmt.Sprintf("g%d-i%d", g, i)
				if i%3 == 0 {
					body += strings.Repeat("-", storage.InlineMax) // a blob, not inline
				}
				switch i % 4 {
				case 0, 1:
					if _, err := e.PutObject(bucket, key, storage.BodyInput{Body: strings.NewReader(body), Size: int64(len(body))}, storage.Meta{}); err != nil {
						errs <- err
					}
				case 2:
					o, _, err := e.GetObject(bucket, key, "")
					if err == nil {
						_, err = e.ReadAll(o)
					}
					if err != nil && code(err) != "NoSuchKey" {
						errs <- err
					}
				case 3:
					if _, err := e.DeleteObject(bucket, key, ""); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every inline body belongs to a version record.
	refs := 0
	for _, b := range []string{"plain", "versioned"} {
		r, _ := e.ListVersions(b, storage.VersionParams{MaxKeys: 1000})
		for _, v := range r.Versions {
			for _, s := range v.Segments {
				if s.Inline {
					refs++
				}
			}
		}
	}
	var inline int
	_ = st.View(func(tx store.Tx) error { inline = tx.Bucket("s3/inline").Len(); return nil })
	if inline != refs {
		t.Errorf("%d inline bodies stored, %d referenced", inline, refs)
	}
	// Every blob on disk belongs to a version record, and vice versa.
	n, err := e.Sweep()
	if err != nil || n != 0 {
		t.Errorf("Sweep after concurrent writes removed %d blobs (%v); want 0", n, err)
	}
	for _, b := range []string{"plain", "versioned"} {
		r, err := e.ListVersions(b, storage.VersionParams{MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range r.Versions {
			if v.DeleteMarker {
				continue
			}
			if _, err := e.ReadAll(&v.Object); err != nil {
				t.Errorf("%s/%s@%s: %v", b, v.Key, v.VersionID, err)
			}
		}
	}
}

// TestConditionalPutIsAtomic races If-None-Match: * writers; exactly one wins,
// as S3 guarantees for lock files.
func TestConditionalPutIsAtomic(t *testing.T) {
	e := storage.New(storage.Config{Store: store.NewMem()})
	if _, err := e.CreateBucket("000000000000", "us-east-1", "locks"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, lost := 0, 0
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.PutObjectIf("locks", "state.tflock", storage.BodyInput{Body: strings.NewReader("me"), Size: 2}, storage.Meta{},
				storage.WriteCondition{IfNoneMatch: true})
			mu.Lock()
			defer mu.Unlock()
			switch code(err) {
			case "":
				wins++
			case "PreconditionFailed":
				lost++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || lost != 15 {
		t.Errorf("%d writers won and %d lost; want 1 and 15", wins, lost)
	}
	o, _, _ := e.GetObject("locks", "state.tflock", "")
	if _, err := e.PutObjectIf("locks", "state.tflock", storage.BodyInput{Body: strings.NewReader("x"), Size: 1}, storage.Meta{},
		storage.WriteCondition{IfMatch: `"nope"`}); code(err) != "PreconditionFailed" {
		t.Errorf("If-Match mismatch = %v", err)
	}
	if _, err := e.PutObjectIf("locks", "state.tflock", storage.BodyInput{Body: strings.NewReader("x"), Size: 1}, storage.Meta{},
		storage.WriteCondition{IfMatch: o.ETag}); err != nil {
		t.Errorf("If-Match with the current ETag: %v", err)
	}
}
