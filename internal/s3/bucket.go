package s3

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/s3/storage"
)

func (s *Service) listBuckets(w http.ResponseWriter, r *http.Request) error {
	m := edge.MetaFrom(r.Context())
	q := r.URL.Query()
	buckets, err := s.eng.ListBuckets(m.Account)
	if err != nil {
		return err
	}
	max := 10000
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return storage.ErrInvalidRequest("Provided max-buckets not an integer or within integer range")
		}
		max = n
	}
	after := ""
	if tok := q.Get("continuation-token"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return storage.ErrInvalidRequest("The continuation token provided is incorrect")
		}
		after = string(b)
	}
	prefix, region := q.Get("prefix"), q.Get("bucket-region")
	out := listAllMyBucketsResult{Owner: ownerOf(m.Account), Prefix: prefix}
	out.Buckets = []bucketItem{}
	for _, b := range buckets {
		if b.Name <= after || !strings.HasPrefix(b.Name, prefix) || region != "" && b.Region != region {
			continue
		}
		if len(out.Buckets) == max {
			out.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(out.Buckets[max-1].Name))
			break
		}
		out.Buckets = append(out.Buckets, bucketItem{Name: b.Name, CreationDate: isoTime(b.Created),
			BucketRegion: b.Region, BucketArn: "arn:aws:s3:::" + b.Name})
	}
	writeXML(w, http.StatusOK, out)
	return nil
}

func (s *Service) createBucket(w http.ResponseWriter, r *http.Request, name string) error {
	m := edge.MetaFrom(r.Context())
	var cfg createBucketConfiguration
	if _, err := readXML(r, &cfg, true); err != nil {
		return err
	}
	region := m.Region
	switch lc := cfg.LocationConstraint; {
	case lc == "":
		if region != "us-east-1" {
			return storage.ErrIllegalLocation("The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
	case lc == "us-east-1" || !validRegion(lc):
		return (&storage.Error{Code: "InvalidLocationConstraint", Status: 400,
			Message: "The specified location-constraint is not valid"}).With("LocationConstraint", lc)
	default:
		if lc == "EU" {
			lc = "eu-west-1"
		}
		if region != "us-east-1" && lc != region {
			return storage.ErrIllegalLocation("The " + lc + " location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
		region = lc
	}
	if _, err := s.eng.CreateBucket(m.Account, region, name); err != nil {
		return err
	}
	w.Header().Set("Location", "/"+name)
	w.WriteHeader(http.StatusOK)
	return nil
}

func validRegion(r string) bool {
	if r == "EU" {
		return true
	}
	if len(r) < 4 || len(r) > 32 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return strings.Count(r, "-") >= 2
}

func (s *Service) headBucket(w http.ResponseWriter, r *http.Request, name string) error {
	b, err := s.eng.Bucket(name)
	if err != nil {
		return err
	}
	w.Header().Set("x-amz-bucket-region", b.Region)
	w.Header().Set("x-amz-access-point-alias", "false")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) deleteBucket(w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.eng.DeleteBucket(name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) getLocation(w http.ResponseWriter, r *http.Request, name string) error {
	b, err := s.eng.Bucket(name)
	if err != nil {
		return err
	}
	lc := b.Region
	if lc == "us-east-1" {
		lc = "" // S3 reports us-east-1 as an empty constraint.
	}
	writeXML(w, http.StatusOK, locationConstraint{Value: lc})
	return nil
}

func (s *Service) putVersioning(w http.ResponseWriter, r *http.Request, name string) error {
	if _, err := s.eng.Bucket(name); err != nil {
		return err
	}
	var cfg versioningIn
	if _, err := readXML(r, &cfg, false); err != nil {
		return err
	}
	if err := s.eng.SetVersioning(name, cfg.Status); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) getVersioning(w http.ResponseWriter, r *http.Request, name string) error {
	b, err := s.eng.Bucket(name)
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, versioningConfiguration{Status: b.Versioning})
	return nil
}

func (s *Service) putBucketTagging(w http.ResponseWriter, r *http.Request, name string) error {
	if _, err := s.eng.Bucket(name); err != nil {
		return err
	}
	var t taggingIn
	if _, err := readXML(r, &t, false); err != nil {
		return err
	}
	if err := s.eng.SetBucketTags(name, fromXMLTags(t.TagSet)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) getBucketTagging(w http.ResponseWriter, r *http.Request, name string) error {
	b, err := s.eng.Bucket(name)
	if err != nil {
		return err
	}
	if len(b.Tags) == 0 {
		return (&storage.Error{Code: "NoSuchTagSet", Status: 404, Message: "The TagSet does not exist"}).With("BucketName", name)
	}
	writeXML(w, http.StatusOK, tagging{TagSet: toXMLTags(b.Tags)})
	return nil
}

func (s *Service) deleteBucketTagging(w http.ResponseWriter, r *http.Request, name string) error {
	if err := s.eng.SetBucketTags(name, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func fromXMLTags(in []xmlTag) []storage.Tag {
	out := make([]storage.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, storage.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func toXMLTags(in []storage.Tag) []xmlTag {
	out := make([]xmlTag, 0, len(in))
	for _, t := range in {
		out = append(out, xmlTag{Key: t.Key, Value: t.Value})
	}
	return out
}

// encodeKey applies encoding-type=url as S3 does (form encoding, '/' kept).
func encodeKey(s string, enc bool) string {
	if !enc {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

// maxKeysParam reads max-keys (default and cap 1000).
func maxKeysParam(q url.Values, name string) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, storage.ErrInvalidArgument("Provided "+name+" not an integer or within integer range", name, v)
	}
	return min(n, 1000), nil
}

func encodingParam(q url.Values) (bool, error) {
	switch v := q.Get("encoding-type"); v {
	case "":
		return false, nil
	case "url":
		return true, nil
	default:
		return false, storage.ErrInvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", v)
	}
}

func (s *Service) listObjects(w http.ResponseWriter, r *http.Request, bucket string, v2 bool) error {
	q := r.URL.Query()
	max, err := maxKeysParam(q, "max-keys")
	if err != nil {
		return err
	}
	enc, err := encodingParam(q)
	if err != nil {
		return err
	}
	p := storage.ListParams{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"), MaxKeys: max}
	out := listBucketResult{Name: bucket, MaxKeys: max, IsTruncated: false}
	if enc {
		out.EncodingType = "url"
	}
	if v2 {
		p.Marker = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			b, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || len(b) == 0 {
				return storage.ErrInvalidArgument("The continuation token provided is incorrect", "continuation-token", tok)
			}
			p.Marker = string(b[1:])
			out.ContinuationToken = tok
		}
		out.StartAfter = encodeKey(q.Get("start-after"), enc)
	} else {
		p.Marker = q.Get("marker")
		marker := encodeKey(p.Marker, enc)
		out.Marker = &marker
	}
	res, err := s.eng.ListObjects(bucket, p)
	if err != nil {
		return err
	}
	m := edge.MetaFrom(r.Context())
	var own *owner
	if !v2 || q.Get("fetch-owner") == "true" {
		b, err := s.eng.Bucket(bucket)
		if err == nil {
			own = ownerOf(b.Account)
		} else {
			own = ownerOf(m.Account)
		}
	}
	out.Prefix = encodeKey(p.Prefix, enc)
	out.Delimiter = encodeKey(p.Delimiter, enc)
	out.IsTruncated = res.Truncated
	for _, o := range res.Objects {
		out.Contents = append(out.Contents, contents{Key: encodeKey(o.Key, enc), LastModified: isoTime(o.LastModified),
			ETag: o.ETag, ChecksumAlgorithm: o.ChecksumAlgorithm, Size: o.Size, Owner: own, StorageClass: storageClass(o.StorageClass)})
	}
	for _, cp := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: encodeKey(cp, enc)})
	}
	if v2 {
		n := len(res.Objects) + len(res.CommonPrefixes)
		out.KeyCount = &n
		if res.Truncated {
			// A leading byte keeps the token non-empty when the marker is "".
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte("k" + res.NextMarker))
		}
	} else if res.Truncated && p.Delimiter != "" {
		out.NextMarker = encodeKey(res.NextMarker, enc)
	}
	writeXML(w, http.StatusOK, out)
	return nil
}

func storageClass(c string) string {
	if c == "" {
		return "STANDARD"
	}
	return c
}

func (s *Service) listVersions(w http.ResponseWriter, r *http.Request, bucket string) error {
	q := r.URL.Query()
	max, err := maxKeysParam(q, "max-keys")
	if err != nil {
		return err
	}
	enc, err := encodingParam(q)
	if err != nil {
		return err
	}
	p := storage.VersionParams{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		KeyMarker: q.Get("key-marker"), VersionIDMarker: q.Get("version-id-marker"), MaxKeys: max}
	if p.VersionIDMarker != "" && p.KeyMarker == "" {
		return storage.ErrInvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", p.VersionIDMarker)
	}
	res, err := s.eng.ListVersions(bucket, p)
	if err != nil {
		return err
	}
	b, err := s.eng.Bucket(bucket)
	if err != nil {
		return err
	}
	own := ownerOf(b.Account)
	out := listVersionsResult{Name: bucket, Prefix: encodeKey(p.Prefix, enc), KeyMarker: encodeKey(p.KeyMarker, enc),
		VersionIDMarker: p.VersionIDMarker, MaxKeys: max, Delimiter: encodeKey(p.Delimiter, enc),
		IsTruncated: res.Truncated, NextKeyMarker: encodeKey(res.NextKeyMarker, enc), NextVersionIDMarker: res.NextVersionIDMarker}
	if enc {
		out.EncodingType = "url"
	}
	for _, v := range res.Versions {
		it := versionItem{Key: encodeKey(v.Key, enc), VersionID: v.VersionID, IsLatest: v.IsLatest,
			LastModified: isoTime(v.LastModified), Owner: own}
		if v.DeleteMarker {
			it.XMLName.Local = "DeleteMarker"
		} else {
			it.XMLName.Local = "Version"
			size := v.Size
			it.ETag, it.Size, it.StorageClass, it.ChecksumAlgorithm = v.ETag, &size, storageClass(v.StorageClass), v.ChecksumAlgorithm
		}
		out.Entries = append(out.Entries, it)
	}
	for _, cp := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: encodeKey(cp, enc)})
	}
	writeXML(w, http.StatusOK, out)
	return nil
}
