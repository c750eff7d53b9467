package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"tenkai/internal/store"
)

// DeleteResult says what DeleteObject did.
type DeleteResult struct {
	VersionID    string // the version removed or the delete marker created; "" in unversioned buckets
	DeleteMarker bool   // a delete marker was created or removed
}

func checkKey(key string) error {
	if key == "" {
		return newErr(400, "InvalidArgument", "Object key must not be empty")
	}
	if len(key) > MaxKeyLength {
		return errKeyTooLong(len(key))
	}
	return nil
}

// WriteCondition makes a write conditional on the key's current version,
// checked atomically with the commit (S3's conditional writes).
type WriteCondition struct {
	IfNoneMatch bool   // If-None-Match: * — the key must not exist
	IfMatch     string // If-Match — the current ETag must match ("*" matches any)
}

func (c WriteCondition) check(tx store.Tx, bucket, key string) error {
	if !c.IfNoneMatch && c.IfMatch == "" {
		return nil
	}
	var cur Object
	found, err := getJSON(tx.Bucket(curBucket(bucket)), []byte(key), &cur)
	if err != nil {
		return err
	}
	if c.IfNoneMatch && found {
		return ErrPreconditionFailed("If-None-Match")
	}
	if c.IfMatch != "" {
		if !found {
			return errNoSuchKey(key)
		}
		ok := false
		for _, t := range strings.Split(c.IfMatch, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || unquote(t) == unquote(cur.ETag) {
				ok = true
			}
		}
		if !ok {
			return ErrPreconditionFailed("If-Match")
		}
	}
	return nil
}

// PutObject stores a new version of key from body. The bucket is checked
// before the body is read.
func (e *Engine) PutObject(bucket, key string, body BodyInput, meta Meta) (*Object, error) {
	return e.PutObjectIf(bucket, key, body, meta, WriteCondition{})
}

// PutObjectIf is PutObject that commits only when cond holds.
func (e *Engine) PutObjectIf(bucket, key string, body BodyInput, meta Meta, cond WriteCondition) (*Object, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := validateTags(meta.Tags, 10); err != nil {
		return nil, err
	}
	if _, err := e.Bucket(bucket); err != nil {
		return nil, err
	}
	w, err := e.writeBody(&body, MaxObjectSize)
	if err != nil {
		return nil, err
	}
	obj := &Object{Key: key, Size: w.seg.Size, ETag: w.etag(), Segments: []Segment{w.seg}, Meta: meta}
	if body.Checksum.Algorithm != "" {
		obj.ChecksumAlgorithm, obj.Checksum = body.Checksum.Algorithm, w.checksum
	}
	if err := e.commitVersion(bucket, obj, "ObjectCreated:Put", cond); err != nil {
		e.removeBlobs(obj.Segments)
		return nil, err
	}
	return obj, nil
}

// commitVersion records obj as the newest version of its key and tells
// subscribers; the bodies it replaces are removed after the commit.
func (e *Engine) commitVersion(bucket string, obj *Object, event string, cond WriteCondition) error {
	var replaced []Segment
	var b *Bucket
	err := e.st.Update(func(tx store.Tx) error {
		var err error
		if b, err = e.bucket(tx, bucket); err != nil {
			return err
		}
		if err := cond.check(tx, bucket, obj.Key); err != nil {
			return err
		}
		obj.LastModified = e.now()
		replaced, err = insertVersion(tx, b, obj)
		return err
	})
	if err != nil {
		return err
	}
	e.removeBlobs(replaced)
	e.publish(e.event(event, b, obj))
	return nil
}

// insertVersion adds obj as key's newest version. Outside Enabled
// versioning it takes the version id "null", replacing any null version, and
// returns the replaced version's segments.
func insertVersion(tx store.Tx, b *Bucket, obj *Object) ([]Segment, error) {
	seq, err := nextSeq(tx)
	if err != nil {
		return nil, err
	}
	obj.Seq = seq
	if err := storeInline(tx, obj.Segments); err != nil {
		return nil, err
	}
	ver := tx.Bucket(verBucket(b.Name))
	var replaced []Segment
	if b.Versioning == VersioningEnabled {
		obj.VersionID = idFor(seq)
	} else {
		obj.VersionID = NullVersion
		old, k, err := findVersion(ver, obj.Key, NullVersion)
		if err != nil {
			return nil, err
		}
		if old != nil {
			if err := ver.Delete(k); err != nil {
				return nil, err
			}
			if err := dropInline(tx, old.Segments); err != nil {
				return nil, err
			}
			replaced = old.Segments
		}
	}
	// The version and the current record are the same bytes: encode once.
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	if err := ver.Put(verKey(obj.Key, seq), raw); err != nil {
		return nil, err
	}
	cur := tx.Bucket(curBucket(b.Name))
	if obj.DeleteMarker {
		return replaced, cur.Delete([]byte(obj.Key))
	}
	return replaced, cur.Put([]byte(obj.Key), raw)
}

// findVersion returns a version of key and its store key, or nil when absent.
// It fails with InvalidArgument for an id tenkai could not have made.
func findVersion(ver store.Bucket, key, vid string) (*Object, []byte, error) {
	if vid == NullVersion {
		var found *Object
		var fk []byte
		var derr error
		p := verPrefix(key)
		ver.Scan(p, store.PrefixEnd(p), false, func(k, v []byte) bool {
			var o Object
			if derr = json.Unmarshal(v, &o); derr != nil {
				return false
			}
			if o.VersionID == NullVersion {
				found, fk = &o, append([]byte(nil), k...)
				return false
			}
			return true
		})
		return found, fk, derr
	}
	seq, ok := seqOf(vid)
	if !ok {
		return nil, nil, errInvalidVersion(vid)
	}
	k := verKey(key, seq)
	var o Object
	found, err := getJSON(ver, k, &o)
	if err != nil || !found || o.VersionID != vid {
		return nil, nil, err
	}
	return &o, k, nil
}

// latestVersion returns key's newest version (possibly a delete marker), or nil.
func latestVersion(ver store.Bucket, key string) (*Object, error) {
	var o *Object
	var derr error
	p := verPrefix(key)
	ver.Scan(p, store.PrefixEnd(p), false, func(_, v []byte) bool {
		o = new(Object)
		derr = json.Unmarshal(v, o)
		return false
	})
	return o, derr
}

// GetObject returns the current version of key, or the version vid when it
// is not "". Faults carry the headers S3 sends with them (x-amz-delete-marker).
func (e *Engine) GetObject(bucket, key, vid string) (*Object, *Bucket, error) {
	var obj *Object
	var b *Bucket
	err := e.st.View(func(tx store.Tx) error {
		var err error
		if b, err = e.bucket(tx, bucket); err != nil {
			return err
		}
		if vid == "" {
			o, found, err := e.objects.get(tx.Bucket(curBucket(bucket)), bucket+"/"+key, []byte(key))
			if err != nil {
				return err
			}
			if found {
				obj = o
				return nil
			}
			nerr := errNoSuchKey(key)
			if latest, err := latestVersion(tx.Bucket(verBucket(bucket)), key); err == nil && latest != nil && latest.DeleteMarker {
				nerr.Headers = map[string]string{"x-amz-delete-marker": "true"}
				if b.Versioning != VersioningOff {
					nerr.Headers["x-amz-version-id"] = latest.VersionID
				}
			}
			return nerr
		}
		o, _, err := findVersion(tx.Bucket(verBucket(bucket)), key, vid)
		if err != nil {
			return err
		}
		if o == nil {
			return errNoSuchVersion(key, vid)
		}
		if o.DeleteMarker {
			merr := ErrMethodNotAllowed("GET", "DeleteMarker")
			merr.Headers = map[string]string{"x-amz-delete-marker": "true", "x-amz-version-id": o.VersionID,
				"Last-Modified": o.LastModified.UTC().Format(TimeFormat)}
			return merr
		}
		obj = o
		return nil
	})
	return obj, b, err
}

// DeleteObject deletes key (adding a delete marker in versioned buckets) or,
// when vid is not "", removes that version for good.
func (e *Engine) DeleteObject(bucket, key, vid string) (DeleteResult, error) {
	var res DeleteResult
	var removed []Segment
	var b *Bucket
	var marker *Object
	var gone *Object
	err := e.st.Update(func(tx store.Tx) error {
		var err error
		if b, err = e.bucket(tx, bucket); err != nil {
			return err
		}
		ver := tx.Bucket(verBucket(bucket))
		if vid == "" && b.Versioning != VersioningOff {
			marker = &Object{Key: key, DeleteMarker: true, LastModified: e.now()}
			removed, err = insertVersion(tx, b, marker)
			res = DeleteResult{VersionID: marker.VersionID, DeleteMarker: true}
			return err
		}
		if vid == "" {
			vid = NullVersion
		}
		o, k, err := findVersion(ver, key, vid)
		if err != nil || o == nil {
			if b.Versioning != VersioningOff {
				res.VersionID = vid
			}
			return err
		}
		latest, err := latestVersion(ver, key)
		if err != nil {
			return err
		}
		if err := ver.Delete(k); err != nil {
			return err
		}
		if err := dropInline(tx, o.Segments); err != nil {
			return err
		}
		removed, gone = o.Segments, o
		if b.Versioning != VersioningOff || vid != NullVersion {
			res.VersionID = o.VersionID
		}
		res.DeleteMarker = o.DeleteMarker
		if latest != nil && latest.Seq == o.Seq {
			return refreshCurrent(tx, bucket, key)
		}
		return nil
	})
	if err != nil {
		return DeleteResult{}, err
	}
	e.removeBlobs(removed)
	switch {
	case marker != nil:
		e.publish(e.event("ObjectRemoved:DeleteMarkerCreated", b, marker))
	case gone != nil:
		e.publish(e.event("ObjectRemoved:Delete", b, gone))
	}
	return res, nil
}

// refreshCurrent makes cur agree with key's newest version after a removal.
func refreshCurrent(tx store.Tx, bucket, key string) error {
	latest, err := latestVersion(tx.Bucket(verBucket(bucket)), key)
	if err != nil {
		return err
	}
	cur := tx.Bucket(curBucket(bucket))
	if latest == nil || latest.DeleteMarker {
		return cur.Delete([]byte(key))
	}
	return putJSON(cur, []byte(key), latest)
}

// CopyObject stores src's body as a new version of dstKey in dstBucket with
// meta. The body is shared, not read.
func (e *Engine) CopyObject(src *Object, dstBucket, dstKey string, meta Meta) (*Object, error) {
	if err := checkKey(dstKey); err != nil {
		return nil, err
	}
	if err := validateTags(meta.Tags, 10); err != nil {
		return nil, err
	}
	if _, err := e.Bucket(dstBucket); err != nil {
		return nil, err
	}
	segs := make([]Segment, 0, len(src.Segments))
	for _, s := range src.Segments {
		if s.Inline {
			data, err := e.inlineData(s.Blob)
			if err != nil {
				e.removeBlobs(segs)
				return nil, err
			}
			if data == nil {
				e.removeBlobs(segs)
				return nil, errNoSuchKey(src.Key)
			}
			segs = append(segs, Segment{Blob: newBlobID(), Size: s.Size, Inline: true, data: data})
			continue
		}
		id, err := e.blobs.Clone(s.Blob)
		if err != nil {
			e.removeBlobs(segs)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, errNoSuchKey(src.Key)
			}
			return nil, err
		}
		segs = append(segs, Segment{Blob: id, Size: s.Size})
	}
	obj := &Object{Key: dstKey, Size: src.Size, ETag: src.ETag, Segments: segs, Meta: meta}
	if meta.ChecksumAlgorithm == src.ChecksumAlgorithm {
		obj.Checksum = src.Checksum
	} else {
		obj.ChecksumAlgorithm = ""
	}
	if err := e.commitVersion(dstBucket, obj, "ObjectCreated:Copy", WriteCondition{}); err != nil {
		e.removeBlobs(segs)
		return nil, err
	}
	return obj, nil
}

// SetObjectTags replaces the tags of key's current version (or version vid)
// and returns the version id.
func (e *Engine) SetObjectTags(bucket, key, vid string, tags []Tag) (string, error) {
	if err := validateTags(tags, 10); err != nil {
		return "", err
	}
	var out string
	err := e.st.Update(func(tx store.Tx) error {
		b, err := e.bucket(tx, bucket)
		if err != nil {
			return err
		}
		ver := tx.Bucket(verBucket(bucket))
		var o *Object
		var k []byte
		if vid == "" {
			if o, err = latestVersion(ver, key); err != nil {
				return err
			}
			if o == nil || o.DeleteMarker {
				return errNoSuchKey(key)
			}
			k = verKey(key, o.Seq)
		} else {
			if o, k, err = findVersion(ver, key, vid); err != nil {
				return err
			}
			if o == nil {
				return errNoSuchVersion(key, vid)
			}
			if o.DeleteMarker {
				return ErrMethodNotAllowed("PUT", "DeleteMarker")
			}
		}
		o.Tags = tags
		if err := putJSON(ver, k, o); err != nil {
			return err
		}
		if b.Versioning != VersioningOff {
			out = o.VersionID
		}
		return refreshCurrent(tx, bucket, key)
	})
	return out, err
}

// Body reads an object's body across its segments.
type Body struct {
	parts []BlobReader
	offs  []int64 // start offset of each part
	size  int64
}

// Open opens obj's body. It fails with NoSuchKey when the body was removed
// by a concurrent write; callers may look the object up again.
func (e *Engine) Open(obj *Object) (*Body, error) {
	b := &Body{size: obj.Size}
	var off int64
	for _, s := range obj.Segments {
		var r BlobReader
		var err error
		if s.Inline {
			var data []byte
			if data, err = e.inlineData(s.Blob); err == nil && data == nil {
				err = fs.ErrNotExist
			}
			r = nopCloserAt{bytes.NewReader(data)}
		} else {
			r, err = e.blobs.Open(s.Blob)
		}
		if err != nil {
			b.Close()
			if errors.Is(err, fs.ErrNotExist) {
				return nil, errNoSuchKey(obj.Key)
			}
			return nil, err
		}
		b.parts = append(b.parts, r)
		b.offs = append(b.offs, off)
		off += s.Size
	}
	if off != obj.Size {
		b.Close()
		return nil, fmt.Errorf("object %q: segments hold %d bytes, record says %d", obj.Key, off, obj.Size)
	}
	return b, nil
}

// inlineData returns a copy of an inline body, or nil when it is gone.
func (e *Engine) inlineData(id string) ([]byte, error) {
	var out []byte
	err := e.st.View(func(tx store.Tx) error {
		if v := tx.Bucket(inlineBucket).Get([]byte(id)); v != nil {
			out = append(make([]byte, 0, len(v)), v...)
		}
		return nil
	})
	return out, err
}

// Size is the body's length.
func (b *Body) Size() int64 { return b.size }

// ReadAt implements io.ReaderAt across segments.
func (b *Body) ReadAt(p []byte, off int64) (int, error) {
	if off >= b.size {
		return 0, io.EOF
	}
	n := 0
	for i := range b.parts {
		end := b.size
		if i+1 < len(b.offs) {
			end = b.offs[i+1]
		}
		if off >= end || len(p) == 0 {
			continue
		}
		want := p
		if int64(len(want)) > end-off {
			want = want[:end-off]
		}
		m, err := b.parts[i].ReadAt(want, off-b.offs[i])
		n += m
		off += int64(m)
		p = p[m:]
		if m < len(want) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// Section returns a reader of length bytes from off.
func (b *Body) Section(off, length int64) io.Reader { return io.NewSectionReader(b, off, length) }

// Close closes every segment.
func (b *Body) Close() error {
	var errs []error
	for _, p := range b.parts {
		if err := p.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ReadAll returns a whole body; for callers that want bytes (small objects).
func (e *Engine) ReadAll(obj *Object) ([]byte, error) {
	b, err := e.Open(obj)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	out := make([]byte, obj.Size)
	if _, err := io.ReadFull(b.Section(0, obj.Size), out); err != nil {
		return nil, fmt.Errorf("read object %q: %w", obj.Key, err)
	}
	return out, nil
}
