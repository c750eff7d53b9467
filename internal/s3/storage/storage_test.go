package storage_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/s3/storage"
	"tenkai/internal/store"
)

func newEngine(t *testing.T, blobs storage.Blobs) *storage.Engine {
	t.Helper()
	e := storage.New(storage.Config{Store: store.NewMem(), Blobs: blobs,
		Clock: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))})
	if _, err := e.CreateBucket("000000000000", "us-east-1", "bkt"); err != nil {
		t.Fatal(err)
	}
	return e
}

func put(t *testing.T, e *storage.Engine, key, body string) *storage.Object {
	t.Helper()
	o, err := e.PutObject("bkt", key, storage.BodyInput{Body: strings.NewReader(body), Size: int64(len(body))}, storage.Meta{})
	if err != nil {
		t.Fatalf("put %q: %v", key, err)
	}
	return o
}

func get(t *testing.T, e *storage.Engine, key, vid string) (string, error) {
	t.Helper()
	o, _, err := e.GetObject("bkt", key, vid)
	if err != nil {
		return "", err
	}
	b, err := e.ReadAll(o)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

func code(err error) string {
	var se *storage.Error
	if errors.As(err, &se) {
		return se.Code
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

func TestBucketNames(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"abc", true}, {"my-bucket.data1", true}, {"ab", false}, {strings.Repeat("a", 64), false},
		{"Upper", false}, {"under_score", false}, {"-start", false}, {"end-", false}, {"a..b", false},
		{"192.168.1.1", false}, {"xn--abc", false}, {"foo-s3alias", false}, {"sthree-x", false},
	}
	for _, tc := range tests {
		if got := storage.ValidBucketName(tc.name); got != tc.want {
			t.Errorf("ValidBucketName(%q) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestCreateBucketRules(t *testing.T) {
	e := newEngine(t, nil)
	if _, err := e.CreateBucket("000000000000", "us-east-1", "bkt"); err != nil {
		t.Errorf("re-create in us-east-1 = %v; want success", err)
	}
	if _, err := e.CreateBucket("111111111111", "us-east-1", "bkt"); code(err) != "BucketAlreadyExists" {
		t.Errorf("other account = %v; want BucketAlreadyExists", err)
	}
	if _, err := e.CreateBucket("000000000000", "eu-west-1", "eu-bkt"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateBucket("000000000000", "eu-west-1", "eu-bkt"); code(err) != "BucketAlreadyOwnedByYou" {
		t.Errorf("re-create in eu-west-1 = %v; want BucketAlreadyOwnedByYou", err)
	}
	if _, err := e.CreateBucket("000000000000", "us-east-1", "Bad_Name"); code(err) != "InvalidBucketName" {
		t.Errorf("bad name = %v; want InvalidBucketName", err)
	}
	put(t, e, "k", "v")
	if err := e.DeleteBucket("bkt"); code(err) != "BucketNotEmpty" {
		t.Errorf("delete non-empty = %v; want BucketNotEmpty", err)
	}
	if _, err := e.DeleteObject("bkt", "k", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteBucket("bkt"); err != nil {
		t.Errorf("delete emptied bucket: %v", err)
	}
	if err := e.DeleteBucket("bkt"); code(err) != "NoSuchBucket" {
		t.Errorf("delete missing = %v; want NoSuchBucket", err)
	}
}

func TestListObjects(t *testing.T) {
	e := newEngine(t, nil)
	for _, k := range []string{"a", "b/1", "b/2", "b/c/1", "c", "d/1", "d/2", "e"} {
		put(t, e, k, k)
	}
	keys := func(r *storage.ListResult) string {
		var s []string
		for _, o := range r.Objects {
			s = append(s, o.Key)
		}
		for _, p := range r.CommonPrefixes {
			s = append(s, "["+p+"]")
		}
		return strings.Join(s, ",") + fmt.Sprintf(" trunc=%v next=%q", r.Truncated, r.NextMarker)
	}
	tests := []struct {
		name string
		p    storage.ListParams
		want string
	}{
		{"all", storage.ListParams{MaxKeys: 1000}, `a,b/1,b/2,b/c/1,c,d/1,d/2,e trunc=false next=""`},
		{"delimiter", storage.ListParams{Delimiter: "/", MaxKeys: 1000}, `a,c,e,[b/],[d/] trunc=false next=""`},
		{"prefix+delimiter", storage.ListParams{Prefix: "b/", Delimiter: "/", MaxKeys: 1000}, `b/1,b/2,[b/c/] trunc=false next=""`},
		{"page 1", storage.ListParams{Delimiter: "/", MaxKeys: 2}, `a,[b/] trunc=true next="b/"`},
		{"page 2", storage.ListParams{Delimiter: "/", MaxKeys: 2, Marker: "b/"}, `c,[d/] trunc=true next="d/"`},
		{"page 3", storage.ListParams{Delimiter: "/", MaxKeys: 2, Marker: "d/"}, `e trunc=false next=""`},
		{"exact page", storage.ListParams{MaxKeys: 8}, `a,b/1,b/2,b/c/1,c,d/1,d/2,e trunc=false next=""`},
		{"marker inside", storage.ListParams{Marker: "b/2", MaxKeys: 2}, `b/c/1,c trunc=true next="c"`},
		{"max 0", storage.ListParams{MaxKeys: 0}, ` trunc=false next=""`},
		{"prefix no match", storage.ListParams{Prefix: "zz", MaxKeys: 10}, ` trunc=false next=""`},
		{"marker before prefix", storage.ListParams{Prefix: "d", Marker: "a", MaxKeys: 10}, `d/1,d/2 trunc=false next=""`},
		{"marker after prefix", storage.ListParams{Prefix: "b/", Marker: "c", MaxKeys: 10}, ` trunc=false next=""`},
		{"marker past everything", storage.ListParams{Marker: "\xff", MaxKeys: 10}, ` trunc=false next=""`},
		{"multi-char delimiter", storage.ListParams{Delimiter: "/1", MaxKeys: 10}, `a,b/2,c,d/2,e,[b/1],[b/c/1],[d/1] trunc=false next=""`},
	}
	for _, tc := range tests {
		r, err := e.ListObjects("bkt", tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(r); got != tc.want {
			t.Errorf("%s: ListObjects(%+v) = %s; want %s", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestVersioning(t *testing.T) {
	e := newEngine(t, nil)
	put(t, e, "k", "null-1")
	if err := e.SetVersioning("bkt", storage.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	v1 := put(t, e, "k", "one")
	v2 := put(t, e, "k", "two")
	if v1.VersionID == v2.VersionID || v1.VersionID == "null" {
		t.Fatalf("version ids %q %q", v1.VersionID, v2.VersionID)
	}
	if got, _ := get(t, e, "k", ""); got != "two" {
		t.Errorf("current = %q; want two", got)
	}
	if got, _ := get(t, e, "k", v1.VersionID); got != "one" {
		t.Errorf("v1 = %q; want one", got)
	}
	if got, _ := get(t, e, "k", "null"); got != "null-1" {
		t.Errorf("null version = %q; want null-1", got)
	}
	del, err := e.DeleteObject("bkt", "k", "")
	if err != nil || !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("delete = %+v, %v; want a delete marker", del, err)
	}
	_, err = get(t, e, "k", "")
	var se *storage.Error
	if !errors.As(err, &se) || se.Code != "NoSuchKey" || se.Headers["x-amz-delete-marker"] != "true" {
		t.Fatalf("get after delete = %v; want NoSuchKey with delete marker header", err)
	}
	if _, err := get(t, e, "k", del.VersionID); code(err) != "MethodNotAllowed" {
		t.Errorf("get delete marker = %v; want MethodNotAllowed", err)
	}
	if _, err := get(t, e, "k", "0000000000000099aaaaaaaaaaaaaaaaaaaaaaaa"); code(err) != "NoSuchVersion" {
		t.Errorf("get missing version = %v; want NoSuchVersion", err)
	}
	if _, err := get(t, e, "k", "garbage"); code(err) != "InvalidArgument" {
		t.Errorf("get bad version = %v; want InvalidArgument", err)
	}
	r, err := e.ListVersions("bkt", storage.VersionParams{MaxKeys: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range r.Versions {
		got = append(got, fmt.Sprintf("%v/%v", v.DeleteMarker, v.IsLatest))
	}
	if strings.Join(got, " ") != "true/true false/false false/false false/false" {
		t.Errorf("versions = %v", got)
	}
	// Paging one at a time visits the same versions.
	var paged []string
	p := storage.VersionParams{MaxKeys: 1}
	for i := 0; i < 10; i++ {
		r, err := e.ListVersions("bkt", p)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range r.Versions {
			paged = append(paged, fmt.Sprintf("%v/%v", v.DeleteMarker, v.IsLatest))
		}
		if !r.Truncated {
			break
		}
		p.KeyMarker, p.VersionIDMarker = r.NextKeyMarker, r.NextVersionIDMarker
	}
	if strings.Join(paged, " ") != strings.Join(got, " ") {
		t.Errorf("paged versions = %v; want %v", paged, got)
	}
	// Removing the delete marker brings the object back.
	if _, err := e.DeleteObject("bkt", "k", del.VersionID); err != nil {
		t.Fatal(err)
	}
	if got, _ := get(t, e, "k", ""); got != "two" {
		t.Errorf("after removing marker = %q; want two", got)
	}
	// Suspended: a put replaces the null version.
	if err := e.SetVersioning("bkt", storage.VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	if o := put(t, e, "k", "null-2"); o.VersionID != "null" {
		t.Errorf("suspended put version = %q; want null", o.VersionID)
	}
	r, _ = e.ListVersions("bkt", storage.VersionParams{MaxKeys: 100})
	if len(r.Versions) != 3 {
		t.Errorf("after suspended put: %d versions; want 3", len(r.Versions))
	}
}

func TestOverwriteFreesBodies(t *testing.T) {
	blobs := storage.NewMemBlobs()
	st := store.NewMem()
	e := storage.New(storage.Config{Store: st, Blobs: blobs})
	if _, err := e.CreateBucket("000000000000", "us-east-1", "bkt"); err != nil {
		t.Fatal(err)
	}
	count := func() (files, inline int) {
		_ = blobs.Walk(func(string) { files++ })
		_ = st.View(func(tx store.Tx) error { inline = tx.Bucket("s3/inline").Len(); return nil })
		return files, inline
	}
	big := strings.Repeat("b", storage.InlineMax+1)
	for _, body := range []string{"1", big, "2", big} {
		put(t, e, "k", body)
	}
	if f, i := count(); f != 1 || i != 0 {
		t.Errorf("after overwrites: %d blobs, %d inline; want 1, 0", f, i)
	}
	put(t, e, "k", "small again")
	if f, i := count(); f != 0 || i != 1 {
		t.Errorf("after small overwrite: %d blobs, %d inline; want 0, 1", f, i)
	}
	if got, _ := get(t, e, "k", ""); got != "small again" {
		t.Errorf("get = %q", got)
	}
	src, _, _ := e.GetObject("bkt", "k", "")
	if _, err := e.CopyObject(src, "bkt", "k2", src.Meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DeleteObject("bkt", "k", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := get(t, e, "k2", ""); got != "small again" {
		t.Errorf("copy after source delete = %q", got)
	}
	if _, err := e.DeleteObject("bkt", "k2", ""); err != nil {
		t.Fatal(err)
	}
	if f, i := count(); f != 0 || i != 0 {
		t.Errorf("after deletes: %d blobs, %d inline; want 0, 0", f, i)
	}
	// Multipart: an inline last part becomes part of the object; an aborted
	// upload leaves nothing behind.
	u, _ := e.CreateUpload("bkt", "mp", storage.Meta{})
	p1, _ := e.UploadPart("bkt", "mp", u.ID, 1, storage.BodyInput{Body: strings.NewReader(strings.Repeat("a", storage.MinPartSize)), Size: storage.MinPartSize})
	p2, _ := e.UploadPart("bkt", "mp", u.ID, 2, storage.BodyInput{Body: strings.NewReader("tail"), Size: 4})
	p3, _ := e.UploadPart("bkt", "mp", u.ID, 3, storage.BodyInput{Body: strings.NewReader("unused"), Size: 6})
	_ = p3
	if _, err := e.CompleteUpload("bkt", "mp", u.ID, []storage.CompletedPart{{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := get(t, e, "mp", ""); got != strings.Repeat("a", storage.MinPartSize)+"tail" {
		t.Errorf("multipart body has %d bytes", len(got))
	}
	if f, i := count(); f != 1 || i != 1 {
		t.Errorf("after complete: %d blobs, %d inline; want 1, 1", f, i)
	}
	u2, _ := e.CreateUpload("bkt", "gone", storage.Meta{})
	_, _ = e.UploadPart("bkt", "gone", u2.ID, 1, storage.BodyInput{Body: strings.NewReader("x"), Size: 1})
	_, _ = e.UploadPart("bkt", "gone", u2.ID, 1, storage.BodyInput{Body: strings.NewReader("y"), Size: 1})
	if err := e.AbortUpload("bkt", "gone", u2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DeleteObject("bkt", "mp", ""); err != nil {
		t.Fatal(err)
	}
	if f, i := count(); f != 0 || i != 0 {
		t.Errorf("at the end: %d blobs, %d inline; want 0, 0", f, i)
	}
}

func TestDigests(t *testing.T) {
	e := newEngine(t, nil)
	sum := md5.Sum([]byte("hello"))
	good := base64.StdEncoding.EncodeToString(sum[:])
	tests := []struct {
		name string
		in   storage.BodyInput
		want string
	}{
		{"good md5", storage.BodyInput{ContentMD5: good}, ""},
		{"bad md5", storage.BodyInput{ContentMD5: base64.StdEncoding.EncodeToString(make([]byte, 16))}, "BadDigest"},
		{"invalid md5", storage.BodyInput{ContentMD5: "nope"}, "InvalidDigest"},
		{"good crc32", storage.BodyInput{Checksum: storage.Checksum{Algorithm: "CRC32", Value: "NhCmhg=="}}, ""},
		{"bad crc32", storage.BodyInput{Checksum: storage.Checksum{Algorithm: "CRC32", Value: "AAAAAA=="}}, "BadDigest"},
		{"trailer crc32c", storage.BodyInput{Checksum: storage.Checksum{Algorithm: "CRC32C", Trailer: func() string { return "mnG7TA==" }}}, ""},
		{"short body", storage.BodyInput{Size: 9}, "IncompleteBody"},
		{"too large", storage.BodyInput{Size: 6 << 30}, "EntityTooLarge"},
	}
	for _, tc := range tests {
		tc.in.Body = strings.NewReader("hello")
		if tc.in.Size == 0 {
			tc.in.Size = -1
		}
		_, err := e.PutObject("bkt", "k", tc.in, storage.Meta{})
		if got := code(err); got != tc.want {
			t.Errorf("%s: PutObject error = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestChecksums(t *testing.T) {
	// Check values of "123456789" for each algorithm.
	tests := map[string]string{
		"CRC32": "cbf43926", "CRC32C": "e3069283", "CRC64NVME": "ae8b14860a799888",
		"SHA1": "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
	}
	for algo, want := range tests {
		h := storage.NewChecksum(algo)
		h.Write([]byte("123456789"))
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
			t.Errorf("%s(123456789) = %s; want %s", algo, got, want)
		}
	}
}

func TestMultipart(t *testing.T) {
	e := newEngine(t, nil)
	u, err := e.CreateUpload("bkt", "big", storage.Meta{ContentType: "text/plain"})
	if err != nil {
		t.Fatal(err)
	}
	p1 := bytes.Repeat([]byte("a"), storage.MinPartSize)
	p2 := []byte("tail")
	var parts []storage.CompletedPart
	for i, b := range [][]byte{p1, p2} {
		p, err := e.UploadPart("bkt", "big", u.ID, i+1, storage.BodyInput{Body: bytes.NewReader(b), Size: int64(len(b))})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, storage.CompletedPart{Number: i + 1, ETag: p.ETag})
	}
	if _, err := e.CompleteUpload("bkt", "big", u.ID, []storage.CompletedPart{parts[1], parts[0]}); code(err) != "InvalidPartOrder" {
		t.Errorf("reversed parts = %v; want InvalidPartOrder", err)
	}
	if _, err := e.CompleteUpload("bkt", "big", u.ID, []storage.CompletedPart{{Number: 1, ETag: `"00"`}}); code(err) != "InvalidPart" {
		t.Errorf("wrong etag = %v; want InvalidPart", err)
	}
	if _, err := e.CompleteUpload("bkt", "big", u.ID, []storage.CompletedPart{parts[1], {Number: 3, ETag: parts[0].ETag}}); code(err) != "InvalidPart" {
		t.Errorf("missing part = %v; want InvalidPart", err)
	}
	l, err := e.ListParts("bkt", "big", u.ID, 0, 1)
	if err != nil || len(l.Parts) != 1 || !l.Truncated || l.NextMarker != 1 {
		t.Fatalf("ListParts = %+v, %v", l, err)
	}
	o, err := e.CompleteUpload("bkt", "big", u.ID, parts)
	if err != nil {
		t.Fatal(err)
	}
	m1, m2 := md5.Sum(p1), md5.Sum(p2)
	want := fmt.Sprintf(`"%x-2"`, md5.Sum(append(m1[:], m2[:]...)))
	if o.ETag != want || o.Size != int64(len(p1)+len(p2)) || o.ContentType != "text/plain" {
		t.Errorf("completed object etag=%s size=%d type=%q; want %s", o.ETag, o.Size, o.ContentType, want)
	}
	got, err := get(t, e, "big", "")
	if err != nil || got != string(p1)+string(p2) {
		t.Errorf("body differs (len %d, %v)", len(got), err)
	}
	// A range across the part boundary.
	obj, _, _ := e.GetObject("bkt", "big", "")
	b, _ := e.Open(obj)
	defer b.Close()
	buf := make([]byte, 6)
	if _, err := b.ReadAt(buf, int64(len(p1))-2); err != nil || string(buf) != "aatail" {
		t.Errorf("ReadAt across parts = %q, %v", buf, err)
	}
	if err := e.AbortUpload("bkt", "big", u.ID); code(err) != "NoSuchUpload" {
		t.Errorf("abort completed upload = %v; want NoSuchUpload", err)
	}
	// Small non-last part.
	u2, _ := e.CreateUpload("bkt", "small", storage.Meta{})
	var ps []storage.CompletedPart
	for i := 1; i <= 2; i++ {
		p, _ := e.UploadPart("bkt", "small", u2.ID, i, storage.BodyInput{Body: strings.NewReader("x"), Size: 1})
		ps = append(ps, storage.CompletedPart{Number: i, ETag: p.ETag})
	}
	if _, err := e.CompleteUpload("bkt", "small", u2.ID, ps); code(err) != "EntityTooSmall" {
		t.Errorf("small part = %v; want EntityTooSmall", err)
	}
	ul, err := e.ListUploads("bkt", storage.UploadParams{MaxUploads: 10})
	if err != nil || len(ul.Uploads) != 1 || ul.Uploads[0].ID != u2.ID {
		t.Errorf("ListUploads = %+v, %v", ul, err)
	}
	if err := e.AbortUpload("bkt", "small", u2.ID); err != nil {
		t.Errorf("abort: %v", err)
	}
}

func TestMultipartETag(t *testing.T) {
	got, err := storage.MultipartETag([]string{`"d41d8cd98f00b204e9800998ecf8427e"`})
	if err != nil || got != `"59adb24ef3cdbe0297f05b395827453f-1"` {
		t.Errorf("MultipartETag(empty md5) = %s, %v", got, err)
	}
	if _, err := storage.MultipartETag([]string{"zz"}); err == nil {
		t.Error("MultipartETag(zz) succeeded")
	}
}

func TestDirBlobsSurviveAndSweep(t *testing.T) {
	dir := t.TempDir()
	blobs := storage.NewDirBlobs(dir)
	if err := blobs.Prepare(); err != nil {
		t.Fatal(err)
	}
	st := store.NewMem()
	e := storage.New(storage.Config{Store: st, Blobs: blobs})
	if _, err := e.CreateBucket("000000000000", "us-east-1", "bkt"); err != nil {
		t.Fatal(err)
	}
	put(t, e, "k", "kept")
	// An orphan, as a crash between blob and metadata would leave.
	w, _ := blobs.Create()
	w.Write([]byte("orphan"))
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	blobs2 := storage.NewDirBlobs(dir)
	if err := blobs2.Prepare(); err != nil {
		t.Fatal(err)
	}
	e2 := storage.New(storage.Config{Store: st, Blobs: blobs2})
	n, err := e2.Sweep()
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 removed", n, err)
	}
	if got, err := get(t, e2, "k", ""); err != nil || got != "kept" {
		t.Errorf("after sweep get = %q, %v", got, err)
	}
	// Copy shares the body; deleting the source keeps the copy.
	src, _, _ := e2.GetObject("bkt", "k", "")
	if _, err := e2.CopyObject(src, "bkt", "k2", src.Meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.DeleteObject("bkt", "k", ""); err != nil {
		t.Fatal(err)
	}
	if got, err := get(t, e2, "k2", ""); err != nil || got != "kept" {
		t.Errorf("copy after source delete = %q, %v", got, err)
	}
}

func TestEvents(t *testing.T) {
	e := newEngine(t, nil)
	var got []string
	cancel := e.Subscribe(func(ev storage.Event) { got = append(got, ev.Name+":"+ev.Key) })
	put(t, e, "a", "1")
	_, _ = e.DeleteObject("bkt", "a", "")
	cancel()
	put(t, e, "b", "1")
	if strings.Join(got, " ") != "ObjectCreated:Put:a ObjectRemoved:Delete:a" {
		t.Errorf("events = %v", got)
	}
}

func TestKeysWithNUL(t *testing.T) {
	e := newEngine(t, nil)
	if err := e.SetVersioning("bkt", storage.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	put(t, e, "a", "plain")
	put(t, e, "a\x00b", "nul")
	if got, _ := get(t, e, "a", ""); got != "plain" {
		t.Errorf("a = %q", got)
	}
	r, _ := e.ListVersions("bkt", storage.VersionParams{Prefix: "a", MaxKeys: 10})
	if len(r.Versions) != 2 || r.Versions[0].Key != "a" || !r.Versions[1].IsLatest {
		t.Errorf("versions = %+v", r.Versions)
	}
}

// TestListObjectsBolt runs listing edge cases on the bbolt store, whose
// scans must agree with the in-memory one.
func TestListObjectsBolt(t *testing.T) {
	st, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := storage.New(storage.Config{Store: st})
	if _, err := e.CreateBucket("000000000000", "us-east-1", "bkt"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b/1", "b/2", "b/c/1", "c", "\xff\xff"} {
		put(t, e, k, k)
	}
	tests := []struct {
		p    storage.ListParams
		want int
	}{
		{storage.ListParams{Delimiter: "/", MaxKeys: 100}, 4},
		{storage.ListParams{Prefix: "b/", Marker: "c", MaxKeys: 10}, 0},
		{storage.ListParams{Marker: "\xff\xff", MaxKeys: 10}, 0},
		{storage.ListParams{Prefix: "\xff", MaxKeys: 10}, 1},
		{storage.ListParams{Prefix: "b/", Delimiter: "/", MaxKeys: 1, Marker: "b/2"}, 1},
	}
	for _, tc := range tests {
		r, err := e.ListObjects("bkt", tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(r.Objects) + len(r.CommonPrefixes); got != tc.want {
			t.Errorf("ListObjects(%+v) returned %d entries; want %d", tc.p, got, tc.want)
		}
	}
}
