package s3

import (
	"net/http"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/s3/storage"
)

func (s *Service) createUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	meta, err := metaFrom(r.Header)
	if err != nil {
		return err
	}
	kmsDefaults(r, &meta)
	u, err := s.eng.CreateUpload(bucket, key, meta)
	if err != nil {
		return err
	}
	if meta.ChecksumAlgorithm != "" {
		w.Header().Set("x-amz-checksum-algorithm", meta.ChecksumAlgorithm)
	}
	setSSE(w.Header(), meta)
	writeXML(w, http.StatusOK, initiateMultipartUploadResult{Bucket: bucket, Key: key, UploadID: u.ID})
	return nil
}

func partNumberParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, storage.ErrInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return n, storage.CheckPartNumber(n)
}

func (s *Service) uploadPart(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	n, err := partNumberParam(r)
	if err != nil {
		return err
	}
	in, err := bodyFrom(r)
	if err != nil {
		return err
	}
	p, err := s.eng.UploadPart(bucket, key, r.URL.Query().Get("uploadId"), n, in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", p.ETag)
	if p.Checksum != "" {
		w.Header().Set("x-amz-checksum-"+strings.ToLower(in.Checksum.Algorithm), p.Checksum)
	}
	if u, err := s.eng.Upload(bucket, key, r.URL.Query().Get("uploadId")); err == nil {
		setSSE(w.Header(), u.Meta)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) uploadPartCopy(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	n, err := partNumberParam(r)
	if err != nil {
		return err
	}
	srcBucket, srcKey, srcVid, err := parseCopySource(r.Header.Get("x-amz-copy-source"))
	if err != nil {
		return err
	}
	uploadID := r.URL.Query().Get("uploadId")
	if _, err := s.eng.Upload(bucket, key, uploadID); err != nil {
		return err
	}
	src, srcB, err := s.eng.GetObject(srcBucket, srcKey, srcVid)
	if err != nil {
		return err
	}
	if st, err := checkConditions(r.Header, "x-amz-copy-source-", src.ETag, src.LastModified); err != nil {
		return err
	} else if st == http.StatusNotModified {
		return storage.ErrPreconditionFailed("x-amz-copy-source-If-None-Match")
	}
	off, length := int64(0), src.Size
	if rg := r.Header.Get("x-amz-copy-source-range"); rg != "" {
		first, last, ok := parseCopyRange(rg)
		if !ok {
			return storage.ErrInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
				"x-amz-copy-source-range", rg)
		}
		if last >= src.Size {
			return storage.ErrInvalidArgument("Range specified is not valid for source object of size: "+strconv.FormatInt(src.Size, 10),
				"x-amz-copy-source-range", rg)
		}
		off, length = first, last-first+1
	}
	p, err := s.eng.UploadPartCopy(bucket, key, uploadID, n, src, off, length)
	if err != nil {
		return err
	}
	if srcB.Versioning != storage.VersioningOff {
		w.Header().Set("x-amz-copy-source-version-id", src.VersionID)
	}
	writeXML(w, http.StatusOK, copyPartResult{LastModified: isoTime(p.LastModified), ETag: p.ETag})
	return nil
}

// parseCopyRange reads "bytes=first-last" (both required).
func parseCopyRange(v string) (first, last int64, ok bool) {
	spec, found := strings.CutPrefix(v, "bytes=")
	a, b, found2 := strings.Cut(spec, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, false
	}
	return first, last, true
}

func (s *Service) completeUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	id := r.URL.Query().Get("uploadId")
	if _, err := s.eng.Upload(bucket, key, id); err != nil {
		return err
	}
	var req completeMultipartUpload
	if _, err := readXML(r, &req, false); err != nil {
		return err
	}
	parts := make([]storage.CompletedPart, 0, len(req.Parts))
	for _, p := range req.Parts {
		parts = append(parts, storage.CompletedPart{Number: p.PartNumber, ETag: p.ETag})
	}
	obj, err := s.eng.CompleteUpload(bucket, key, id, parts)
	if err != nil {
		return err
	}
	if s.versioned(bucket) {
		w.Header().Set("x-amz-version-id", obj.VersionID)
	}
	setSSE(w.Header(), obj.Meta)
	host := edge.MetaFrom(r.Context()).Host
	writeXML(w, http.StatusOK, completeMultipartUploadResult{
		Location: "http://" + host + "/" + bucket + "/" + key, Bucket: bucket, Key: key, ETag: obj.ETag})
	return nil
}

func (s *Service) abortUpload(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	if err := s.eng.AbortUpload(bucket, key, r.URL.Query().Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) listParts(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	q := r.URL.Query()
	max, err := maxKeysParam(q, "max-parts")
	if err != nil {
		return err
	}
	marker := 0
	if v := q.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return storage.ErrInvalidArgument("Provided part-number-marker not an integer or within integer range", "part-number-marker", v)
		}
	}
	id := q.Get("uploadId")
	res, err := s.eng.ListParts(bucket, key, id, marker, max)
	if err != nil {
		return err
	}
	b, err := s.eng.Bucket(bucket)
	if err != nil {
		return err
	}
	own := ownerOf(b.Account)
	out := listPartsResult{Bucket: bucket, Key: key, UploadID: id, Initiator: own, Owner: own,
		StorageClass: storageClass(res.Upload.Meta.StorageClass), PartNumberMarker: marker,
		NextPartNumberMarker: res.NextMarker, MaxParts: max, IsTruncated: res.Truncated}
	for _, p := range res.Parts {
		out.Parts = append(out.Parts, partItem{PartNumber: p.Number, LastModified: isoTime(p.LastModified), ETag: p.ETag, Size: p.Size})
	}
	writeXML(w, http.StatusOK, out)
	return nil
}

func (s *Service) listUploads(w http.ResponseWriter, r *http.Request, bucket string) error {
	q := r.URL.Query()
	max, err := maxKeysParam(q, "max-uploads")
	if err != nil {
		return err
	}
	enc, err := encodingParam(q)
	if err != nil {
		return err
	}
	p := storage.UploadParams{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		KeyMarker: q.Get("key-marker"), UploadIDMarker: q.Get("upload-id-marker"), MaxUploads: max}
	res, err := s.eng.ListUploads(bucket, p)
	if err != nil {
		return err
	}
	b, err := s.eng.Bucket(bucket)
	if err != nil {
		return err
	}
	own := ownerOf(b.Account)
	out := listMultipartUploadsResult{Bucket: bucket, KeyMarker: encodeKey(p.KeyMarker, enc), UploadIDMarker: p.UploadIDMarker,
		NextKeyMarker: encodeKey(res.NextKeyMarker, enc), NextUploadIDMarker: res.NextUploadIDMarker,
		Prefix: encodeKey(p.Prefix, enc), Delimiter: encodeKey(p.Delimiter, enc), MaxUploads: max, IsTruncated: res.Truncated}
	if enc {
		out.EncodingType = "url"
	}
	for _, u := range res.Uploads {
		out.Uploads = append(out.Uploads, uploadItem{Key: encodeKey(u.Key, enc), UploadID: u.ID, Initiator: own, Owner: own,
			StorageClass: storageClass(u.Meta.StorageClass), Initiated: isoTime(u.Initiated)})
	}
	for _, cp := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: encodeKey(cp, enc)})
	}
	writeXML(w, http.StatusOK, out)
	return nil
}
