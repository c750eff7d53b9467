package storage

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/store"
)

// Upload is a multipart upload in progress.
type Upload struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"`
	Seq       uint64    `json:"seq"`
	Initiated time.Time `json:"initiated"`
	Meta      Meta      `json:"meta"`
}

// Part is an uploaded part.
type Part struct {
	Number       int       `json:"n"`
	ETag         string    `json:"etag"`
	Size         int64     `json:"size"`
	Blob         string    `json:"blob"`
	Inline       bool      `json:"i,omitempty"`
	data         []byte    // an inline body not yet stored
	LastModified time.Time `json:"mtime"`
	Checksum     string    `json:"cs,omitempty"`
}

// CompletedPart names a part in CompleteMultipartUpload.
type CompletedPart struct {
	Number int
	ETag   string
}

func partKey(n int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }

// CreateUpload starts a multipart upload of key.
func (e *Engine) CreateUpload(bucket, key string, meta Meta) (*Upload, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := validateTags(meta.Tags, 10); err != nil {
		return nil, err
	}
	var u *Upload
	err := e.st.Update(func(tx store.Tx) error {
		if _, err := e.bucket(tx, bucket); err != nil {
			return err
		}
		seq, err := nextSeq(tx)
		if err != nil {
			return err
		}
		u = &Upload{ID: idFor(seq), Key: key, Seq: seq, Initiated: e.now(), Meta: meta}
		return putJSON(tx.Bucket(uploadBucket(bucket)), []byte(u.ID), u)
	})
	return u, err
}

func getUpload(tx store.Tx, bucket, key, id string) (*Upload, error) {
	if _, err := getBucket(tx, bucket); err != nil {
		return nil, err
	}
	var u Upload
	found, err := getJSON(tx.Bucket(uploadBucket(bucket)), []byte(id), &u)
	if err != nil {
		return nil, err
	}
	if !found || u.Key != key {
		return nil, errNoSuchUpload(id)
	}
	return &u, nil
}

// Upload returns an upload in progress.
func (e *Engine) Upload(bucket, key, id string) (*Upload, error) {
	var u *Upload
	err := e.st.View(func(tx store.Tx) error {
		var err error
		u, err = getUpload(tx, bucket, key, id)
		return err
	})
	return u, err
}

// CheckPartNumber returns S3's fault for a part number outside 1..10000.
func CheckPartNumber(n int) error {
	if n < 1 || n > MaxParts {
		return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", strconv.Itoa(n))
	}
	return nil
}

// UploadPart stores part n of an upload from body, replacing an earlier part n.
func (e *Engine) UploadPart(bucket, key, id string, n int, body BodyInput) (*Part, error) {
	if err := CheckPartNumber(n); err != nil {
		return nil, err
	}
	if _, err := e.Upload(bucket, key, id); err != nil {
		return nil, err
	}
	w, err := e.writeBody(&body, MaxObjectSize)
	if err != nil {
		return nil, err
	}
	p := &Part{Number: n, ETag: w.etag(), Size: w.seg.Size, Blob: w.seg.Blob, Inline: w.seg.Inline, data: w.seg.data, Checksum: w.checksum}
	if err := e.commitPart(bucket, key, id, p); err != nil {
		e.removeBlobs([]Segment{w.seg})
		return nil, err
	}
	return p, nil
}

func (e *Engine) commitPart(bucket, key, id string, p *Part) error {
	var old Part
	var replaced bool
	err := e.st.Update(func(tx store.Tx) error {
		if _, err := getUpload(tx, bucket, key, id); err != nil {
			return err
		}
		parts := tx.Bucket(partBucket(id))
		var err error
		if replaced, err = getJSON(parts, partKey(p.Number), &old); err != nil {
			return err
		}
		if replaced {
			if err := dropInline(tx, []Segment{old.segment()}); err != nil {
				return err
			}
		}
		if err := storeInline(tx, []Segment{{Blob: p.Blob, Size: p.Size, Inline: p.Inline, data: p.data}}); err != nil {
			return err
		}
		p.LastModified = e.now()
		return putJSON(parts, partKey(p.Number), p)
	})
	if err == nil && replaced {
		e.removeBlobs([]Segment{old.segment()})
	}
	return err
}

// UploadPartCopy stores part n of an upload from length bytes of src at off.
func (e *Engine) UploadPartCopy(bucket, key, id string, n int, src *Object, off, length int64) (*Part, error) {
	if err := CheckPartNumber(n); err != nil {
		return nil, err
	}
	if _, err := e.Upload(bucket, key, id); err != nil {
		return nil, err
	}
	body, err := e.Open(src)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	w, err := e.writeBody(&BodyInput{Body: body.Section(off, length), Size: length}, MaxObjectSize)
	if err != nil {
		return nil, err
	}
	p := &Part{Number: n, ETag: w.etag(), Size: w.seg.Size, Blob: w.seg.Blob, Inline: w.seg.Inline, data: w.seg.data}
	if err := e.commitPart(bucket, key, id, p); err != nil {
		e.removeBlobs([]Segment{w.seg})
		return nil, err
	}
	return p, nil
}

func (p *Part) segment() Segment { return Segment{Blob: p.Blob, Size: p.Size, Inline: p.Inline} }

// dropParts removes an upload's part records and returns their bodies.
func dropParts(tx store.Tx, id string) ([]Segment, error) {
	var segs []Segment
	var derr error
	tx.Bucket(partBucket(id)).Scan(nil, nil, false, func(_, v []byte) bool {
		var p Part
		if derr = json.Unmarshal(v, &p); derr != nil {
			return false
		}
		segs = append(segs, p.segment())
		return true
	})
	if derr != nil {
		return nil, derr
	}
	return segs, tx.DeleteBucket(partBucket(id))
}

// MultipartETag is S3's ETag of a multipart object: the MD5 of the parts'
// binary MD5s, a dash and the part count.
func MultipartETag(partETags []string) (string, error) {
	h := md5.New()
	for _, t := range partETags {
		b, err := hex.DecodeString(unquote(t))
		if err != nil || len(b) != md5.Size {
			return "", fmt.Errorf("part etag %q is not an MD5", t)
		}
		h.Write(b)
	}
	return fmt.Sprintf(`"%x-%d"`, h.Sum(nil), len(partETags)), nil
}

// CompleteUpload assembles the listed parts into a new version of the key.
// The parts' bodies become the object's segments; unlisted parts are dropped.
func (e *Engine) CompleteUpload(bucket, key, id string, list []CompletedPart) (*Object, error) {
	if len(list) == 0 {
		return nil, ErrMalformedXML()
	}
	var obj *Object
	var b *Bucket
	var unused []Segment
	err := e.st.Update(func(tx store.Tx) error {
		u, err := getUpload(tx, bucket, key, id)
		if err != nil {
			return err
		}
		if b, err = e.bucket(tx, bucket); err != nil {
			return err
		}
		parts := tx.Bucket(partBucket(id))
		used := map[string]bool{}
		var segs []Segment
		var etags []string
		var size int64
		for i, cp := range list {
			if i > 0 && cp.Number <= list[i-1].Number {
				return errInvalidPartOrder(id)
			}
		}
		found := make([]Part, len(list))
		for i, cp := range list {
			ok, err := getJSON(parts, partKey(cp.Number), &found[i])
			if err != nil {
				return err
			}
			if !ok || unquote(strings.TrimSpace(cp.ETag)) != unquote(found[i].ETag) {
				return errInvalidPart(id, cp.Number, cp.ETag)
			}
		}
		for i, p := range found {
			if i < len(list)-1 && p.Size < MinPartSize {
				return errEntityTooSmall(p.Size, p.Number, p.ETag)
			}
			segs = append(segs, p.segment())
			etags = append(etags, p.ETag)
			used[p.Blob] = true
			size += p.Size
		}
		etag, err := MultipartETag(etags)
		if err != nil {
			return err
		}
		all, err := dropParts(tx, id)
		if err != nil {
			return err
		}
		for _, s := range all {
			if !used[s.Blob] {
				unused = append(unused, s)
			}
		}
		if err := dropInline(tx, unused); err != nil {
			return err
		}
		if err := tx.Bucket(uploadBucket(bucket)).Delete([]byte(id)); err != nil {
			return err
		}
		meta := u.Meta
		meta.ChecksumAlgorithm = ""
		obj = &Object{Key: key, Size: size, ETag: etag, Segments: segs, Meta: meta, LastModified: e.now()}
		replaced, err := insertVersion(tx, b, obj)
		unused = append(unused, replaced...)
		return err
	})
	if err != nil {
		return nil, err
	}
	e.removeBlobs(unused)
	e.publish(e.event("ObjectCreated:CompleteMultipartUpload", b, obj))
	return obj, nil
}

// AbortUpload discards an upload and its parts.
func (e *Engine) AbortUpload(bucket, key, id string) error {
	var segs []Segment
	err := e.st.Update(func(tx store.Tx) error {
		if _, err := getUpload(tx, bucket, key, id); err != nil {
			return err
		}
		var err error
		if segs, err = dropParts(tx, id); err != nil {
			return err
		}
		if err := dropInline(tx, segs); err != nil {
			return err
		}
		return tx.Bucket(uploadBucket(bucket)).Delete([]byte(id))
	})
	if err == nil {
		e.removeBlobs(segs)
	}
	return err
}

// PartList is one page of an upload's parts.
type PartList struct {
	Upload     *Upload
	Parts      []Part
	Truncated  bool
	NextMarker int
}

// ListParts lists an upload's parts after part number marker.
func (e *Engine) ListParts(bucket, key, id string, marker, max int) (*PartList, error) {
	out := &PartList{}
	err := e.st.View(func(tx store.Tx) error {
		u, err := getUpload(tx, bucket, key, id)
		if err != nil {
			return err
		}
		out.Upload = u
		var derr error
		tx.Bucket(partBucket(id)).Scan(partKey(marker+1), nil, false, func(_, v []byte) bool {
			if len(out.Parts) == max {
				out.Truncated = true
				return false
			}
			var p Part
			if derr = json.Unmarshal(v, &p); derr != nil {
				return false
			}
			out.Parts = append(out.Parts, p)
			return true
		})
		return derr
	})
	if err != nil {
		return nil, err
	}
	if out.Truncated && len(out.Parts) > 0 {
		out.NextMarker = out.Parts[len(out.Parts)-1].Number
	}
	return out, nil
}

// UploadParams select the uploads ListUploads returns.
type UploadParams struct {
	Prefix, Delimiter         string
	KeyMarker, UploadIDMarker string
	MaxUploads                int
}

// UploadList is one page of uploads in progress, by key and then age.
type UploadList struct {
	Uploads            []Upload
	CommonPrefixes     []string
	Truncated          bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// ListUploads lists a bucket's multipart uploads in progress.
func (e *Engine) ListUploads(bucket string, p UploadParams) (*UploadList, error) {
	var all []Upload
	err := e.st.View(func(tx store.Tx) error {
		if _, err := e.bucket(tx, bucket); err != nil {
			return err
		}
		var derr error
		tx.Bucket(uploadBucket(bucket)).Scan(nil, nil, false, func(_, v []byte) bool {
			var u Upload
			if derr = json.Unmarshal(v, &u); derr != nil {
				return false
			}
			if strings.HasPrefix(u.Key, p.Prefix) {
				all = append(all, u)
			}
			return true
		})
		return derr
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Key != all[j].Key {
			return all[i].Key < all[j].Key
		}
		return all[i].Seq < all[j].Seq
	})
	markerSeq, _ := seqOf(p.UploadIDMarker)
	out := &UploadList{}
	count := 0
	lastCP := ""
	for _, u := range all {
		if p.KeyMarker != "" {
			if u.Key < p.KeyMarker || u.Key == p.KeyMarker && (p.UploadIDMarker == "" || u.Seq <= markerSeq) {
				continue
			}
		}
		if p.Delimiter != "" {
			if i := strings.Index(u.Key[len(p.Prefix):], p.Delimiter); i >= 0 {
				cp := u.Key[:len(p.Prefix)+i+len(p.Delimiter)]
				if cp == lastCP || cp <= p.KeyMarker {
					continue
				}
				if count == p.MaxUploads {
					out.Truncated = true
					break
				}
				out.CommonPrefixes = append(out.CommonPrefixes, cp)
				lastCP = cp
				out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
				count++
				continue
			}
		}
		if count == p.MaxUploads {
			out.Truncated = true
			break
		}
		out.Uploads = append(out.Uploads, u)
		out.NextKeyMarker, out.NextUploadIDMarker = u.Key, u.ID
		count++
	}
	if !out.Truncated {
		out.NextKeyMarker, out.NextUploadIDMarker = "", ""
	}
	return out, nil
}
