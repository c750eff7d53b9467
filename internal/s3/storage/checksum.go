package storage

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"strings"
	"sync"
)

// crc64NVME is the CRC-64/NVME table (reflected polynomial 0x9a6c9329ac4bc9b5),
// the default checksum of newer SDKs. The tables are built on first use:
// building them at package init delayed every server start.
var crc64NVME = sync.OnceValue(func() *crc64.Table { return crc64.MakeTable(0x9a6c9329ac4bc9b5) })

var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Checksum algorithms S3 accepts in x-amz-checksum-*.
var checksumAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

// NewChecksum returns the hash for an algorithm name (case-insensitive), or
// nil when the algorithm is unknown.
func NewChecksum(algo string) hash.Hash {
	switch strings.ToUpper(algo) {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(castagnoli())
	case "CRC64NVME":
		return crc64.New(crc64NVME())
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// ChecksumAlgorithms lists the algorithms S3 accepts, upper case.
func ChecksumAlgorithms() []string { return append([]string(nil), checksumAlgorithms...) }

// Checksum is what a writer claims about a body's checksum.
type Checksum struct {
	Algorithm string // upper case; "" means none
	// Value is the base64 sum sent in a header; "" when it comes in a trailer.
	Value string
	// Trailer returns the value sent after the body (aws-chunked trailers);
	// it is called once the body is fully read. nil means none.
	Trailer func() string
}

// BodyInput describes a body being written.
type BodyInput struct {
	Body       io.Reader
	Size       int64  // the declared size; -1 when unknown
	ContentMD5 string // base64 MD5 as sent; "" means none
	Checksum   Checksum
	// SHA256 is the hex payload hash a SigV4 client signed (x-amz-content-sha256); "" means none.
	SHA256 string
}

// written is the outcome of storing a body.
type written struct {
	seg      Segment
	md5      []byte
	checksum string // base64, when an algorithm was asked for
}

func (w written) etag() string { return `"` + hex.EncodeToString(w.md5) + `"` }

// checkBodyInput validates digests before the body is read.
func checkBodyInput(in *BodyInput, max int64) error {
	if in.ContentMD5 != "" {
		b, err := base64.StdEncoding.DecodeString(in.ContentMD5)
		if err != nil || len(b) != md5.Size {
			return newErr(400, "InvalidDigest", "The Content-MD5 you specified is not valid.").With("Content-MD5", in.ContentMD5)
		}
	}
	if a := in.Checksum.Algorithm; a != "" {
		h := NewChecksum(a)
		if h == nil {
			return ErrInvalidRequest("Value for x-amz-checksum-algorithm header is invalid.")
		}
		if v := in.Checksum.Value; v != "" {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil || len(b) != h.Size() {
				return ErrInvalidRequest(fmt.Sprintf("Value for x-amz-checksum-%s header is invalid.", strings.ToLower(a)))
			}
		}
	}
	if in.Size > max {
		return errEntityTooLarge(in.Size, max)
	}
	return nil
}

// writeBody stores a body as a blob, checking its size and digests. The
// blob is committed only when every check passes.
func (e *Engine) writeBody(in *BodyInput, max int64) (written, error) {
	if err := checkBodyInput(in, max); err != nil {
		return written{}, err
	}
	var w BlobWriter
	var inline *bytes.Buffer
	if in.Size >= 0 && in.Size <= InlineMax {
		inline = bytes.NewBuffer(make([]byte, 0, in.Size))
	} else {
		var err error
		if w, err = e.blobs.Create(); err != nil {
			return written{}, err
		}
	}
	committed := false
	defer func() {
		if !committed && w != nil {
			w.Abort()
		}
	}()
	m := md5.New()
	dst := []io.Writer{m}
	if inline != nil {
		dst = append(dst, inline)
	} else {
		dst = append(dst, w)
	}
	var ck hash.Hash
	if in.Checksum.Algorithm != "" {
		ck = NewChecksum(in.Checksum.Algorithm)
		dst = append(dst, ck)
	}
	if g, ok := w.(interface{ Grow(int) }); ok && in.Size > 0 && in.Size <= 64<<20 {
		g.Grow(int(in.Size))
	}
	var payload hash.Hash
	if in.SHA256 != "" {
		payload = sha256.New()
		dst = append(dst, payload)
	}
	buf := GetBuffer()
	n, err := io.CopyBuffer(io.MultiWriter(dst...), io.LimitReader(in.Body, max+1), *buf)
	PutBuffer(buf)
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return written{}, se
		}
		return written{}, &ReadError{Err: err}
	}
	if n > max {
		return written{}, errEntityTooLarge(n, max)
	}
	if in.Size >= 0 && n != in.Size {
		return written{}, errIncompleteBody()
	}
	if payload != nil {
		if got := hex.EncodeToString(payload.Sum(nil)); !strings.EqualFold(got, in.SHA256) {
			return written{}, newErr(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.").
				With("ClientComputedContentSHA256", in.SHA256).With("S3ComputedContentSHA256", got)
		}
	}
	out := written{md5: m.Sum(nil)}
	if in.ContentMD5 != "" {
		if got := base64.StdEncoding.EncodeToString(out.md5); got != in.ContentMD5 {
			return written{}, errBadDigest(in.ContentMD5, got)
		}
	}
	if ck != nil {
		out.checksum = base64.StdEncoding.EncodeToString(ck.Sum(nil))
		want := in.Checksum.Value
		if want == "" && in.Checksum.Trailer != nil {
			want = in.Checksum.Trailer()
		}
		if want != "" && want != out.checksum {
			return written{}, errBadChecksum(in.Checksum.Algorithm)
		}
	}
	if inline != nil {
		out.seg = Segment{Blob: newBlobID(), Size: n, Inline: true, data: inline.Bytes()}
		return out, nil
	}
	id, err := w.Commit()
	if err != nil {
		return written{}, err
	}
	committed = true
	out.seg = Segment{Blob: id, Size: n}
	return out, nil
}

// ReadError is a failure to read a request body (the client went away or
// sent a malformed stream).
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "read body: " + e.Err.Error() }

// Unwrap returns the read error.
func (e *ReadError) Unwrap() error { return e.Err }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// GetBuffer returns a 64 KiB copy buffer from a pool; give it back with PutBuffer.
func GetBuffer() *[]byte { return bufPool.Get().(*[]byte) }

// PutBuffer returns a buffer to the pool.
func PutBuffer(b *[]byte) { bufPool.Put(b) }
