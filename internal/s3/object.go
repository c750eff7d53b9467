package s3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"tenkai/internal/s3/storage"
)

// versioned reports whether a bucket has ever had versioning turned on, in
// which case S3 sends x-amz-version-id.
func (s *Service) versioned(bucket string) bool {
	b, err := s.eng.Bucket(bucket)
	return err == nil && b.Versioning != storage.VersioningOff
}

func (s *Service) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := s.checkWriteConditions(r, bucket, key); err != nil {
		return err
	}
	in, err := bodyFrom(r)
	if err != nil {
		return err
	}
	meta, err := metaFrom(r.Header)
	if err != nil {
		return err
	}
	kmsDefaults(r, &meta)
	cond := storage.WriteCondition{IfNoneMatch: r.Header.Get("If-None-Match") == "*", IfMatch: r.Header.Get("If-Match")}
	obj, err := s.eng.PutObjectIf(bucket, key, in, meta, cond)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", obj.ETag)
	if obj.Checksum != "" {
		h.Set("x-amz-checksum-"+strings.ToLower(obj.ChecksumAlgorithm), obj.Checksum)
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	if s.versioned(bucket) {
		h.Set("x-amz-version-id", obj.VersionID)
	}
	setSSE(h, obj.Meta)
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkWriteConditions applies If-None-Match: * and If-Match on writes
// (S3's conditional writes) before the body is read; the engine checks them
// again, atomically, when it commits.
func (s *Service) checkWriteConditions(r *http.Request, bucket, key string) error {
	inm, im := r.Header.Get("If-None-Match"), r.Header.Get("If-Match")
	if inm == "" && im == "" {
		return nil
	}
	cur, _, err := s.eng.GetObject(bucket, key, "")
	if err != nil && !isNotFound(err) {
		return err
	}
	if inm != "" {
		if inm != "*" {
			return storage.ErrInvalidArgument("If-None-Match only supports *", "If-None-Match", inm)
		}
		if cur != nil {
			return storage.ErrPreconditionFailed("If-None-Match")
		}
	}
	if im != "" {
		if cur == nil {
			return errNoSuchKeyFor(key)
		}
		if !etagMatches(im, cur.ETag) {
			return storage.ErrPreconditionFailed("If-Match")
		}
	}
	return nil
}

func errNoSuchKeyFor(key string) error {
	return (&storage.Error{Code: "NoSuchKey", Status: 404, Message: "The specified key does not exist."}).With("Key", key)
}

// lookup finds an object and opens its body, retrying once when a
// concurrent write removed the body between the two steps.
func (s *Service) lookup(bucket, key, vid string) (*storage.Object, *storage.Bucket, *storage.Body, error) {
	for attempt := 0; ; attempt++ {
		obj, b, err := s.eng.GetObject(bucket, key, vid)
		if err != nil {
			return nil, nil, nil, err
		}
		body, err := s.eng.Open(obj)
		if err == nil {
			return obj, b, body, nil
		}
		if attempt > 0 || !isNotFound(err) {
			return nil, nil, nil, err
		}
	}
}

func (s *Service) getObject(w http.ResponseWriter, r *http.Request, bucket, key string, head bool) error {
	q := r.URL.Query()
	vid := q.Get("versionId")
	partNumber := 0
	if v := q.Get("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return storage.ErrInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
		}
		if err := storage.CheckPartNumber(n); err != nil {
			return err
		}
		partNumber = n
	}
	obj, b, body, err := s.lookup(bucket, key, vid)
	if err != nil {
		return err
	}
	defer body.Close()
	h := w.Header()
	status, err := checkConditions(r.Header, "", obj.ETag, obj.LastModified)
	if err != nil {
		return err
	}
	if status == http.StatusNotModified {
		h.Set("ETag", obj.ETag)
		h.Set("Last-Modified", obj.LastModified.UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	start, length := int64(0), obj.Size
	status = http.StatusOK
	if partNumber > 0 {
		n := max(len(obj.Segments), 1)
		if partNumber > n {
			return &storage.Error{Code: "InvalidPartNumber", Status: http.StatusRequestedRangeNotSatisfiable,
				Message: "The requested partnumber is not satisfiable", Fields: map[string]string{"PartNumberRequested": strconv.Itoa(partNumber), "ActualPartCount": strconv.Itoa(n)}}
		}
		if len(obj.Segments) > 1 {
			for _, seg := range obj.Segments[:partNumber-1] {
				start += seg.Size
			}
			length = obj.Segments[partNumber-1].Size
			status = http.StatusPartialContent
		}
		h.Set("x-amz-mp-parts-count", strconv.Itoa(n))
	} else if rg := r.Header.Get("Range"); rg != "" {
		st, ln, ok, err := parseRange(rg, obj.Size)
		if err != nil {
			return err
		}
		if ok {
			start, length, status = st, ln, http.StatusPartialContent
		}
	}
	setObjectHeaders(h, obj, b.Versioning != storage.VersioningOff)
	responseOverrides(h, q)
	if status == http.StatusPartialContent {
		h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(start+length-1, 10)+"/"+strconv.FormatInt(obj.Size, 10))
	} else if obj.Checksum != "" && strings.EqualFold(r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		h.Set("x-amz-checksum-"+strings.ToLower(obj.ChecksumAlgorithm), obj.Checksum)
		h.Set("x-amz-checksum-type", "FULL_OBJECT")
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if head || length == 0 {
		return nil
	}
	buf := storage.GetBuffer()
	defer storage.PutBuffer(buf)
	if _, err := io.CopyBuffer(w, body.Section(start, length), *buf); err != nil {
		s.log.Debug("GetObject body copy ended early", "bucket", bucket, "key", key, "err", err)
	}
	return nil
}

func (s *Service) deleteObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	res, err := s.eng.DeleteObject(bucket, key, r.URL.Query().Get("versionId"))
	if err != nil {
		return err
	}
	if res.DeleteMarker {
		w.Header().Set("x-amz-delete-marker", "true")
	}
	if res.VersionID != "" {
		w.Header().Set("x-amz-version-id", res.VersionID)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) deleteObjects(w http.ResponseWriter, r *http.Request, bucket string) error {
	if _, err := s.eng.Bucket(bucket); err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxXMLBody+1))
	if err != nil {
		return &storage.ReadError{Err: err}
	}
	if v := r.Header.Get("Content-MD5"); v != "" {
		sum := md5.Sum(raw)
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != v {
			return (&storage.Error{Code: "BadDigest", Status: 400, Message: "The Content-MD5 you specified did not match what we received."}).
				With("ExpectedDigest", v).With("CalculatedDigest", got)
		}
	}
	var req deleteRequest
	if len(raw) > maxXMLBody || xml.Unmarshal(raw, &req) != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return storage.ErrMalformedXML()
	}
	out := deleteResult{}
	for _, o := range req.Objects {
		res, err := s.eng.DeleteObject(bucket, o.Key, o.VersionID)
		if err != nil {
			code, msg := "InternalError", "We encountered an internal error. Please try again."
			var se *storage.Error
			if errors.As(err, &se) {
				code, msg = se.Code, se.Message
			} else {
				s.log.Error("DeleteObjects", "bucket", bucket, "key", o.Key, "err", err)
			}
			out.Errors = append(out.Errors, deleteError{Key: o.Key, VersionID: o.VersionID, Code: code, Message: msg})
			continue
		}
		if req.Quiet {
			continue
		}
		d := deletedItem{Key: o.Key}
		if o.VersionID != "" {
			d.VersionID = o.VersionID
			if res.DeleteMarker {
				d.DeleteMarker, d.DeleteMarkerVersionID = true, o.VersionID
			}
		} else if res.DeleteMarker {
			d.DeleteMarker, d.DeleteMarkerVersionID = true, res.VersionID
		}
		out.Deleted = append(out.Deleted, d)
	}
	writeXML(w, http.StatusOK, out)
	return nil
}

func (s *Service) copyObject(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	srcBucket, srcKey, srcVid, err := parseCopySource(r.Header.Get("x-amz-copy-source"))
	if err != nil {
		return err
	}
	directive := r.Header.Get("x-amz-metadata-directive")
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return storage.ErrInvalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
	}
	tagDirective := r.Header.Get("x-amz-tagging-directive")
	if tagDirective != "" && tagDirective != "COPY" && tagDirective != "REPLACE" {
		return storage.ErrInvalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", tagDirective)
	}
	if _, err := s.eng.Bucket(bucket); err != nil {
		return err
	}
	src, srcB, err := s.eng.GetObject(srcBucket, srcKey, srcVid)
	if err != nil {
		return err
	}
	if st, err := checkConditions(r.Header, "x-amz-copy-source-", src.ETag, src.LastModified); err != nil {
		return err
	} else if st == http.StatusNotModified {
		cond := "x-amz-copy-source-If-None-Match"
		if r.Header.Get("x-amz-copy-source-If-None-Match") == "" {
			cond = "x-amz-copy-source-If-Modified-Since"
		}
		return storage.ErrPreconditionFailed(cond)
	}
	if src.Size > storage.MaxObjectSize {
		return storage.ErrInvalidRequest("The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}
	newMeta, err := metaFrom(r.Header)
	if err != nil {
		return err
	}
	meta := src.Meta
	if directive == "REPLACE" {
		meta = newMeta
		meta.Tags = src.Tags
	}
	if tagDirective == "REPLACE" {
		meta.Tags = newMeta.Tags
	} else {
		meta.Tags = src.Tags
	}
	if sc := r.Header.Get("x-amz-storage-class"); sc != "" {
		meta.StorageClass = newMeta.StorageClass
	}
	if wr := newMeta.WebsiteRedirect; wr != "" {
		meta.WebsiteRedirect = wr
	}
	// The copy is encrypted as the request says, not as the source was.
	meta.SSE, meta.KMSKeyID = newMeta.SSE, newMeta.KMSKeyID
	kmsDefaults(r, &meta)
	if srcBucket == bucket && srcKey == key && directive != "REPLACE" && r.Header.Get("x-amz-storage-class") == "" &&
		r.Header.Get("x-amz-website-redirect-location") == "" && r.Header.Get("x-amz-server-side-encryption") == "" {
		return storage.ErrInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	obj, err := s.eng.CopyObject(src, bucket, key, meta)
	if err != nil {
		return err
	}
	h := w.Header()
	if srcB.Versioning != storage.VersioningOff {
		h.Set("x-amz-copy-source-version-id", src.VersionID)
	}
	if s.versioned(bucket) {
		h.Set("x-amz-version-id", obj.VersionID)
	}
	setSSE(h, obj.Meta)
	writeXML(w, http.StatusOK, copyObjectResult{LastModified: isoTime(obj.LastModified), ETag: obj.ETag})
	return nil
}

func (s *Service) putObjectTagging(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if _, err := s.eng.Bucket(bucket); err != nil {
		return err
	}
	var t taggingIn
	if _, err := readXML(r, &t, false); err != nil {
		return err
	}
	vid, err := s.eng.SetObjectTags(bucket, key, r.URL.Query().Get("versionId"), fromXMLTags(t.TagSet))
	if err != nil {
		return err
	}
	if vid != "" {
		w.Header().Set("x-amz-version-id", vid)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) getObjectTagging(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	obj, b, err := s.eng.GetObject(bucket, key, r.URL.Query().Get("versionId"))
	if err != nil {
		return err
	}
	if b.Versioning != storage.VersioningOff {
		w.Header().Set("x-amz-version-id", obj.VersionID)
	}
	writeXML(w, http.StatusOK, tagging{TagSet: toXMLTags(obj.Tags)})
	return nil
}

func (s *Service) deleteObjectTagging(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	vid, err := s.eng.SetObjectTags(bucket, key, r.URL.Query().Get("versionId"), nil)
	if err != nil {
		return err
	}
	if vid != "" {
		w.Header().Set("x-amz-version-id", vid)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) getObjectAttributes(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	var attrs []string
	for _, v := range r.Header.Values("x-amz-object-attributes") {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				attrs = append(attrs, a)
			}
		}
	}
	if len(attrs) == 0 {
		return storage.ErrInvalidRequest("x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	obj, b, err := s.eng.GetObject(bucket, key, r.URL.Query().Get("versionId"))
	if err != nil {
		return err
	}
	out := getObjectAttributesResponse{}
	for _, a := range attrs {
		switch a {
		case "ETag":
			out.ETag = strings.Trim(obj.ETag, `"`)
		case "Checksum":
			if obj.Checksum != "" {
				c := &checksumXML{Type: "FULL_OBJECT"}
				switch obj.ChecksumAlgorithm {
				case "CRC32":
					c.CRC32 = obj.Checksum
				case "CRC32C":
					c.CRC32C = obj.Checksum
				case "CRC64NVME":
					c.CRC64NVME = obj.Checksum
				case "SHA1":
					c.SHA1 = obj.Checksum
				case "SHA256":
					c.SHA256 = obj.Checksum
				}
				out.Checksum = c
			}
		case "ObjectParts":
			if strings.Contains(obj.ETag, "-") {
				out.ObjectParts = &objectPartsXML{PartsCount: len(obj.Segments), MaxParts: 1000}
			}
		case "StorageClass":
			out.StorageClass = storageClass(obj.StorageClass)
		case "ObjectSize":
			size := obj.Size
			out.ObjectSize = &size
		default:
			return storage.ErrInvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", a)
		}
	}
	w.Header().Set("Last-Modified", obj.LastModified.UTC().Format(http.TimeFormat))
	if b.Versioning != storage.VersioningOff {
		w.Header().Set("x-amz-version-id", obj.VersionID)
	}
	writeXML(w, http.StatusOK, out)
	return nil
}
