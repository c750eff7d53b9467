package s3

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/s3/chunked"
	"tenkai/internal/s3/storage"
)

// maxUserMeta is S3's limit on the total size of x-amz-meta-* names and values.
const maxUserMeta = 2 << 10

var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true,
	"GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true,
}

// bodyFrom prepares a request body for the engine: it decodes aws-chunked
// streams and collects the digests the client sent, in headers or trailers.
func bodyFrom(r *http.Request) (storage.BodyInput, error) {
	in := storage.BodyInput{Body: r.Body, Size: r.ContentLength, ContentMD5: r.Header.Get("Content-MD5")}
	sha := r.Header.Get("x-amz-content-sha256")
	var cr *chunked.Reader
	if strings.HasPrefix(sha, "STREAMING-") || hasToken(r.Header.Get("Content-Encoding"), "aws-chunked") {
		cr = chunked.NewReader(r.Body)
		in.Body = cr
		in.Size = -1
		if v := r.Header.Get("x-amz-decoded-content-length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return in, storage.ErrInvalidArgument("x-amz-decoded-content-length is not a valid length", "x-amz-decoded-content-length", v)
			}
			in.Size = n
		}
	}
	if cr == nil && len(sha) == 64 {
		if _, err := hex.DecodeString(sha); err == nil {
			in.SHA256 = sha
		}
	}
	if in.Size < 0 && cr == nil {
		return in, &storage.Error{Code: "MissingContentLength", Status: http.StatusLengthRequired,
			Message: "You must provide the Content-Length HTTP header."}
	}
	for _, algo := range storage.ChecksumAlgorithms() {
		name := "x-amz-checksum-" + strings.ToLower(algo)
		if v := r.Header.Get(name); v != "" {
			in.Checksum = storage.Checksum{Algorithm: algo, Value: v}
			break
		}
		if cr != nil && hasToken(r.Header.Get("x-amz-trailer"), name) {
			in.Checksum = storage.Checksum{Algorithm: algo, Trailer: func() string { return cr.Trailer(name) }}
			break
		}
	}
	if in.Checksum.Algorithm == "" {
		if a := r.Header.Get("x-amz-sdk-checksum-algorithm"); a != "" {
			if storage.NewChecksum(a) == nil {
				return in, storage.ErrInvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
			}
			in.Checksum.Algorithm = strings.ToUpper(a)
		}
	}
	return in, nil
}

// hasToken reports whether a comma-separated header value contains tok.
func hasToken(v, tok string) bool {
	for _, p := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(p), tok) {
			return true
		}
	}
	return false
}

// metaFrom reads what a PUT, POST ?uploads or CopyObject REPLACE says about
// an object: content headers, x-amz-meta-*, storage class and tags.
func metaFrom(h http.Header) (storage.Meta, error) {
	m := storage.Meta{
		ContentType:        h.Get("Content-Type"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
		WebsiteRedirect:    h.Get("x-amz-website-redirect-location"),
	}
	// aws-chunked is a transfer detail; S3 stores the encodings after it.
	var enc []string
	for _, p := range strings.Split(h.Get("Content-Encoding"), ",") {
		if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(p, "aws-chunked") {
			enc = append(enc, p)
		}
	}
	m.ContentEncoding = strings.Join(enc, ",")
	if sc := h.Get("x-amz-storage-class"); sc != "" {
		if !storageClasses[sc] {
			return m, &storage.Error{Code: "InvalidStorageClass", Status: 400, Message: "The storage class you specified is not valid",
				Fields: map[string]string{"StorageClassRequested": sc}}
		}
		if sc != "STANDARD" {
			m.StorageClass = sc
		}
	}
	size := 0
	for k, vs := range h {
		lk := strings.ToLower(k)
		name, ok := strings.CutPrefix(lk, "x-amz-meta-")
		if !ok || name == "" {
			continue
		}
		if m.Metadata == nil {
			m.Metadata = map[string]string{}
		}
		v := strings.Join(vs, ",")
		m.Metadata[name] = v
		size += len(name) + len(v)
	}
	if size > maxUserMeta {
		return m, &storage.Error{Code: "MetadataTooLarge", Status: 400, Message: "Your metadata headers exceed the maximum allowed metadata size.",
			Fields: map[string]string{"Size": strconv.Itoa(size), "MaxSizeAllowed": strconv.Itoa(maxUserMeta)}}
	}
	if a := h.Get("x-amz-checksum-algorithm"); a != "" {
		if storage.NewChecksum(a) == nil {
			return m, storage.ErrInvalidRequest("Value for x-amz-checksum-algorithm header is invalid.")
		}
		m.ChecksumAlgorithm = strings.ToUpper(a)
	}
	switch sse := h.Get("x-amz-server-side-encryption"); sse {
	case "", "AES256":
	case "aws:kms", "aws:kms:dsse":
		m.SSE, m.KMSKeyID = sse, h.Get("x-amz-server-side-encryption-aws-kms-key-id")
	default:
		return m, storage.ErrInvalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", sse)
	}
	tags, err := tagsHeader(h.Get("x-amz-tagging"))
	if err != nil {
		return m, err
	}
	m.Tags = tags
	return m, nil
}

// tagsHeader parses x-amz-tagging (URL query encoding).
func tagsHeader(v string) ([]storage.Tag, error) {
	if v == "" {
		return nil, nil
	}
	bad := storage.ErrInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", v)
	var tags []storage.Tag
	seen := map[string]bool{}
	for _, pair := range strings.Split(v, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil || seen[k] {
			return nil, bad
		}
		seen[k] = true
		tags = append(tags, storage.Tag{Key: k, Value: val})
	}
	return tags, nil
}

// setObjectHeaders writes the headers GetObject and HeadObject return.
func setObjectHeaders(h http.Header, o *storage.Object, versioned bool) {
	// Names are written in canonical form straight into the map: Header.Set
	// allocates a canonical copy of a name on each call.
	var lm [len(http.TimeFormat)]byte
	h["Last-Modified"] = []string{string(o.LastModified.UTC().AppendFormat(lm[:0], http.TimeFormat))}
	h["Etag"] = []string{o.ETag}
	ct := o.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	h["Content-Type"] = []string{ct}
	for _, f := range [...]struct{ name, v string }{
		{"Content-Encoding", o.ContentEncoding}, {"Content-Disposition", o.ContentDisposition},
		{"Content-Language", o.ContentLanguage}, {"Cache-Control", o.CacheControl}, {"Expires", o.Expires},
		{"X-Amz-Website-Redirect-Location", o.WebsiteRedirect}, {"X-Amz-Storage-Class", o.StorageClass},
	} {
		if f.v != "" {
			h[f.name] = []string{f.v}
		}
	}
	for k, v := range o.Metadata {
		h["x-amz-meta-"+k] = []string{v}
	}
	if versioned {
		h["X-Amz-Version-Id"] = []string{o.VersionID}
	}
	if len(o.Tags) > 0 {
		h["X-Amz-Tagging-Count"] = []string{strconv.Itoa(len(o.Tags))}
	}
	h["Accept-Ranges"] = acceptBytes
	setSSE(h, o.Meta)
}

// Shared header values; header values are replaced, never modified in place.
var (
	acceptBytes = []string{"bytes"}
	sseAES256   = []string{"AES256"}
)

// setSSE reports an object's server-side encryption; S3 encrypts every
// object, with SSE-S3 (AES256) unless the writer asked for KMS.
func setSSE(h http.Header, m storage.Meta) {
	if m.SSE == "" {
		h["X-Amz-Server-Side-Encryption"] = sseAES256
		return
	}
	h.Set("x-amz-server-side-encryption", m.SSE)
	if m.KMSKeyID != "" {
		h.Set("x-amz-server-side-encryption-aws-kms-key-id", m.KMSKeyID)
	}
}

// kmsDefaults names the account's aws/s3 key for KMS writes that name none.
func kmsDefaults(r *http.Request, m *storage.Meta) {
	if strings.HasPrefix(m.SSE, "aws:kms") && m.KMSKeyID == "" {
		meta := edge.MetaFrom(r.Context())
		sum := sha256.Sum256([]byte("aws/s3/" + meta.Account + "/" + meta.Region))
		x := hex.EncodeToString(sum[:16])
		m.KMSKeyID = "arn:aws:kms:" + meta.Region + ":" + meta.Account + ":key/" + x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
	}
}

// responseOverrides applies the response-* query parameters of GetObject.
func responseOverrides(h http.Header, q url.Values) {
	for param, header := range map[string]string{
		"response-content-type": "Content-Type", "response-content-language": "Content-Language",
		"response-expires": "Expires", "response-cache-control": "Cache-Control",
		"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding",
	} {
		if v := q.Get(param); v != "" {
			h.Set(header, v)
		}
	}
}

// etagMatches reports whether an If-Match/If-None-Match list names etag.
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || strings.Trim(t, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

func parseHTTPTime(v string) (time.Time, bool) {
	t, err := http.ParseTime(v)
	return t, err == nil
}

// checkConditions evaluates conditional headers (with a prefix such as
// "x-amz-copy-source-" for copies) in RFC 7232 order. It returns 0 when the
// request proceeds, 304 or a 412 fault.
func checkConditions(h http.Header, prefix, etag string, mtime time.Time) (int, error) {
	mt := mtime.Truncate(time.Second)
	if v := h.Get(prefix + "If-Match"); v != "" {
		if !etagMatches(v, etag) {
			return 412, storage.ErrPreconditionFailed(prefix + "If-Match")
		}
	} else if v := h.Get(prefix + "If-Unmodified-Since"); v != "" {
		if t, ok := parseHTTPTime(v); ok && mt.After(t) {
			return 412, storage.ErrPreconditionFailed(prefix + "If-Unmodified-Since")
		}
	}
	if v := h.Get(prefix + "If-None-Match"); v != "" {
		if etagMatches(v, etag) {
			return 304, nil
		}
	} else if v := h.Get(prefix + "If-Modified-Since"); v != "" {
		if t, ok := parseHTTPTime(v); ok && !mt.After(t) {
			return 304, nil
		}
	}
	return 0, nil
}

// parseRange reads a single "bytes=" range against an object of size bytes.
// ok is false when the header is absent or not something S3 honours (it then
// serves the whole object); err is InvalidRange when it cannot be satisfied.
func parseRange(v string, size int64) (start, length int64, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, nil
	}
	if a == "" {
		n, perr := strconv.ParseInt(b, 10, 64)
		if perr != nil || n < 0 {
			return 0, 0, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, storage.ErrInvalidRange(v, size)
		}
		n = min(n, size)
		return size - n, n, true, nil
	}
	first, perr := strconv.ParseInt(a, 10, 64)
	if perr != nil || first < 0 {
		return 0, 0, false, nil
	}
	last := size - 1
	if b != "" {
		l, perr := strconv.ParseInt(b, 10, 64)
		if perr != nil || l < first {
			return 0, 0, false, nil
		}
		last = min(l, size-1)
	}
	if first >= size {
		return 0, 0, false, storage.ErrInvalidRange(v, size)
	}
	return first, last - first + 1, true, nil
}

// parseCopySource splits x-amz-copy-source ("/bucket/key?versionId=v", URL-encoded).
func parseCopySource(v string) (bucket, key, vid string, err error) {
	bad := storage.ErrInvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", v)
	path, query, _ := strings.Cut(v, "?")
	if query != "" {
		q, perr := url.ParseQuery(query)
		if perr != nil {
			return "", "", "", bad
		}
		vid = q.Get("versionId")
	}
	path, perr := url.PathUnescape(path)
	if perr != nil {
		return "", "", "", bad
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	if bucket == "" || key == "" {
		return "", "", "", bad
	}
	return bucket, key, vid, nil
}

// isNotFound reports whether err is a NoSuchKey fault.
func isNotFound(err error) bool {
	var se *storage.Error
	return errors.As(err, &se) && se.Code == "NoSuchKey"
}
