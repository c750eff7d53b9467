package s3

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tenkai/internal/s3/storage"
)

func headerObject() *storage.Object {
	return &storage.Object{Key: "k", VersionID: "v1", Size: 3, ETag: `"abc"`,
		LastModified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)),
		Meta: storage.Meta{ContentType: "text/plain", CacheControl: "no-cache", StorageClass: "STANDARD_IA",
			WebsiteRedirect: "/other", Metadata: map[string]string{"owner": "me"},
			Tags: []storage.Tag{{Key: "a", Value: "b"}}, SSE: "aws:kms", KMSKeyID: "key-1"}}
}

// TestSetObjectHeadersCanonical checks that headers written straight into the
// map are found by Header.Get, which needs their canonical names.
func TestSetObjectHeadersCanonical(t *testing.T) {
	h := http.Header{}
	setObjectHeaders(h, headerObject(), true)
	for k := range h {
		if !strings.HasPrefix(k, "x-amz-meta-") && k != http.CanonicalHeaderKey(k) {
			t.Errorf("header %q is not canonical (%q)", k, http.CanonicalHeaderKey(k))
		}
	}
	want := map[string]string{
		"Last-Modified": "Fri, 02 Jan 2026 02:04:05 GMT", "ETag": `"abc"`, "Content-Type": "text/plain",
		"Cache-Control": "no-cache", "x-amz-storage-class": "STANDARD_IA",
		"x-amz-website-redirect-location": "/other", "x-amz-version-id": "v1", "x-amz-tagging-count": "1",
		"Accept-Ranges": "bytes", "x-amz-server-side-encryption": "aws:kms",
		"x-amz-server-side-encryption-aws-kms-key-id": "key-1", "Content-Encoding": "",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("Get(%q) = %q; want %q", k, got, v)
		}
	}
	if got := h["x-amz-meta-owner"]; len(got) != 1 || got[0] != "me" {
		t.Errorf("x-amz-meta-owner = %v; want [me]", got)
	}
	h = http.Header{}
	setObjectHeaders(h, &storage.Object{}, false)
	if got := h.Get("x-amz-version-id") + h.Get("Content-Type") + h.Get("x-amz-server-side-encryption"); got != "binary/octet-streamAES256" {
		t.Errorf("defaults = %q; want no version id, binary/octet-stream, AES256", got)
	}
}

func BenchmarkSetObjectHeaders(b *testing.B) {
	b.ReportAllocs()
	o := headerObject()
	o.Metadata, o.Tags, o.SSE, o.KMSKeyID, o.CacheControl, o.WebsiteRedirect, o.StorageClass = nil, nil, "", "", "", "", ""
	h := http.Header{}
	for b.Loop() {
		clear(h)
		setObjectHeaders(h, o, false)
	}
}
