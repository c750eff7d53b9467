package storage_test

import (
	"strings"
	"testing"

	"tenkai/internal/s3/storage"
)

// TestCachedRecordsFollowWrites checks that repeated reads, which decode
// from the engine's record cache, see every write and hand out copies.
func TestCachedRecordsFollowWrites(t *testing.T) {
	e := newEngine(t, nil)
	meta := storage.Meta{Metadata: map[string]string{"a": "1"}, Tags: []storage.Tag{{Key: "k", Value: "v"}}}
	if _, err := e.PutObject("bkt", "key", storage.BodyInput{Body: strings.NewReader("one"), Size: 3}, meta); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		o, _, err := e.GetObject("bkt", "key", "")
		if err != nil {
			t.Fatal(err)
		}
		if o.Size != 3 || o.Metadata["a"] != "1" || o.Tags[0].Value != "v" {
			t.Fatalf("GetObject #%d = size %d meta %v tags %v; want 3, a=1, k=v", i, o.Size, o.Metadata, o.Tags)
		}
		o.Metadata["a"] = "changed by caller"
		o.Tags[0].Value = "changed by caller"
	}
	put(t, e, "key", "second")
	o, _, err := e.GetObject("bkt", "key", "")
	if err != nil {
		t.Fatal(err)
	}
	if o.Size != 6 || o.Metadata != nil {
		t.Errorf("GetObject after overwrite = size %d meta %v; want 6, no metadata", o.Size, o.Metadata)
	}

	for _, want := range []string{storage.VersioningEnabled, storage.VersioningSuspended} {
		if err := e.SetVersioning("bkt", want); err != nil {
			t.Fatal(err)
		}
		b, err := e.Bucket("bkt")
		if err != nil {
			t.Fatal(err)
		}
		if b.Versioning != want {
			t.Errorf("Bucket().Versioning = %q; want %q", b.Versioning, want)
		}
	}
	if err := e.SetBucketTags("bkt", []storage.Tag{{Key: "t", Value: "1"}}); err != nil {
		t.Fatal(err)
	}
	b, _ := e.Bucket("bkt")
	b.Tags[0].Value = "changed by caller"
	if b, _ = e.Bucket("bkt"); len(b.Tags) != 1 || b.Tags[0].Value != "1" {
		t.Errorf("Bucket().Tags = %v; want [t=1]", b.Tags)
	}
	if err := e.DeleteBucket("bkt"); err == nil {
		t.Fatal("DeleteBucket of a non-empty bucket succeeded")
	}
}
