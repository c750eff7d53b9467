package s3

import (
	"bytes"
	"context"
	"io"
	"time"

	"tenkai/internal/s3/storage"
)

// ObjectInfo describes one object version, for other services.
type ObjectInfo struct {
	Bucket       string
	Key          string
	VersionID    string // "" in buckets that never had versioning
	ETag         string // quoted, as S3 sends it
	Size         int64
	LastModified time.Time
	ContentType  string
	Metadata     map[string]string // x-amz-meta-* by lower-case name, without the prefix
}

// Event tells a subscriber about a committed object change.
type Event = storage.Event

func info(bucket string, versioned bool, o *storage.Object) ObjectInfo {
	vid := o.VersionID
	if !versioned {
		vid = ""
	}
	ct := o.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	return ObjectInfo{Bucket: bucket, Key: o.Key, VersionID: vid, ETag: o.ETag, Size: o.Size,
		LastModified: o.LastModified, ContentType: ct, Metadata: o.Metadata}
}

type bodyReader struct {
	io.Reader
	body *storage.Body
}

func (b *bodyReader) Close() error { return b.body.Close() }

// GetObject returns an object's body and description; versionID "" means the
// current version. account and region are the caller's (S3 bucket names are
// global, so they do not select the bucket). The caller must close the body.
// Faults are *edge.Error values with S3's codes (NoSuchBucket, NoSuchKey,
// NoSuchVersion), so callers can quote them as AWS services do.
func (s *Service) GetObject(ctx context.Context, account, region, bucket, key, versionID string) (io.ReadCloser, ObjectInfo, error) {
	obj, b, body, err := s.lookup(bucket, key, versionID)
	if err != nil {
		return nil, ObjectInfo{}, toEdgeError(nil, err)
	}
	return &bodyReader{Reader: body.Section(0, obj.Size), body: body},
		info(bucket, b.Versioning != storage.VersioningOff, obj), nil
}

// GetObjectBytes is GetObject for small objects (function code, artifacts).
func (s *Service) GetObjectBytes(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, ObjectInfo, error) {
	rc, oi, err := s.GetObject(ctx, account, region, bucket, key, versionID)
	if err != nil {
		return nil, oi, err
	}
	defer rc.Close()
	b := make([]byte, oi.Size)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, oi, err
	}
	return b, oi, nil
}

// HeadObject describes an object version without reading it.
func (s *Service) HeadObject(ctx context.Context, account, region, bucket, key, versionID string) (ObjectInfo, error) {
	obj, b, err := s.eng.GetObject(bucket, key, versionID)
	if err != nil {
		return ObjectInfo{}, toEdgeError(nil, err)
	}
	return info(bucket, b.Versioning != storage.VersioningOff, obj), nil
}

// PutObject stores body as a new version of key, as a PutObject call by
// account would; contentType "" means binary/octet-stream. Subscribers hear of it.
func (s *Service) PutObject(ctx context.Context, account, region, bucket, key string, body []byte, contentType string) (ObjectInfo, error) {
	obj, err := s.eng.PutObject(bucket, key, storage.BodyInput{Body: bytes.NewReader(body), Size: int64(len(body))},
		storage.Meta{ContentType: contentType})
	if err != nil {
		return ObjectInfo{}, toEdgeError(nil, err)
	}
	return info(bucket, s.versioned(bucket), obj), nil
}

// CreateBucket creates a bucket owned by account in region; a bucket the
// account already owns is not an error.
func (s *Service) CreateBucket(ctx context.Context, account, region, bucket string) error {
	b, err := s.eng.Bucket(bucket)
	if err == nil && b.Account == account {
		return nil
	}
	if _, err := s.eng.CreateBucket(account, region, bucket); err != nil {
		return toEdgeError(nil, err)
	}
	return nil
}

// BucketExists reports whether a bucket exists and, if so, its owner and region.
func (s *Service) BucketExists(ctx context.Context, bucket string) (owner, region string, ok bool) {
	b, err := s.eng.Bucket(bucket)
	if err != nil {
		return "", "", false
	}
	return b.Account, b.Region, true
}

// Subscribe calls fn after every committed object change (puts, copies,
// completed multipart uploads, deletes), for change detection such as
// CodePipeline's S3 source polling or S3 event notifications. fn runs on the
// writer's goroutine and must return quickly; the returned func unsubscribes.
func (s *Service) Subscribe(fn func(Event)) (cancel func()) { return s.eng.Subscribe(fn) }
