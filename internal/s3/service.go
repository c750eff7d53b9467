package s3

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/s3/chunked"
	"tenkai/internal/s3/storage"
	"tenkai/internal/store"
)

// Config configures the service.
type Config struct {
	Store   store.Store  // required
	Clock   clock.Clock  // nil means the wall clock
	Logger  *slog.Logger // nil means slog.Default()
	DataDir string       // "" keeps object bodies in memory; else bodies live in <DataDir>/s3/blobs
	// Events receives "Object Created"/"Object Deleted" events of buckets
	// whose notification configuration enables EventBridge; nil means none.
	Events EventPublisher
	// Functions invokes the Lambda functions of buckets' notification
	// configurations; nil means they are not delivered.
	Functions FunctionInvoker
	// Queues and Topics receive the notifications of buckets' queue and
	// topic configurations; nil means such configurations are refused.
	Queues QueueSender
	Topics TopicPublisher
}

// Service is the S3 service. It is safe for concurrent use.
type Service struct {
	cfg   Config
	log   *slog.Logger
	eng   *storage.Engine
	blobs storage.Blobs
	dir   *storage.DirBlobs // nil without a data directory
	n     *notifier         // nil when there is nowhere to deliver notifications
}

// New returns the service; it does no I/O until Start.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, log: cfg.Logger.With("service", "s3")}
	if cfg.DataDir != "" {
		s.dir = storage.NewDirBlobs(filepath.Join(cfg.DataDir, "s3", "blobs"))
		s.blobs = s.dir
	} else {
		s.blobs = storage.NewMemBlobs()
	}
	s.eng = storage.New(storage.Config{Store: cfg.Store, Blobs: s.blobs, Clock: cfg.Clock})
	if cfg.Events != nil || cfg.Functions != nil || cfg.Queues != nil || cfg.Topics != nil {
		s.n = &notifier{events: cfg.Events, functions: cfg.Functions, queues: cfg.Queues, topics: cfg.Topics, eng: s.eng, svc: s}
		s.eng.Subscribe(s.n.handle)
	}
	return s
}

// Close waits for notifications in flight.
func (s *Service) Close(ctx context.Context) error {
	if s.n == nil {
		return nil
	}
	return s.n.wait(ctx)
}

// Name is S3's signing name.
func (s *Service) Name() string { return "s3" }

// Protocol is REST-XML.
func (s *Service) Protocol() edge.Protocol { return edge.ProtoRESTXML }

// PathPrefixes is empty: the edge sends S3 every unsigned request no other
// service claims.
func (s *Service) PathPrefixes() []string { return nil }

// MatchHost claims virtual-host requests to <bucket>.s3.<anything>, which no
// other service uses.
func (s *Service) MatchHost(host string) bool {
	h := strings.ToLower(stripPort(host))
	return strings.Contains(h, ".s3.") || strings.Contains(h, ".s3-")
}

// Start prepares the blob directory and removes bodies a crash orphaned.
func (s *Service) Start(ctx context.Context) error {
	if s.dir == nil {
		return nil
	}
	if err := s.dir.Prepare(); err != nil {
		return err
	}
	n, err := s.eng.Sweep()
	if err != nil {
		return fmt.Errorf("sweep s3 blobs: %w", err)
	}
	if n > 0 {
		s.log.Info("removed orphaned object bodies", "count", n)
	}
	return nil
}

// Reset removes every object body; the app resets the store.
func (s *Service) Reset(ctx context.Context) error {
	return s.eng.Reset()
}

// stripPort removes a :port suffix from a Host value.
func stripPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// bucketFromHost returns the bucket a virtual-host style Host names, or "".
// Hosts are <bucket>.s3[.<region>].<domain>, <bucket>.s3-<region>.<domain>
// and <bucket>.localhost; IP addresses and bare endpoints are path style.
func bucketFromHost(host string) string {
	h := strings.ToLower(stripPort(host))
	if net.ParseIP(h) != nil {
		return ""
	}
	for _, marker := range []string{".s3.", ".s3-"} {
		if i := strings.LastIndex(h, marker); i > 0 {
			return h[:i]
		}
	}
	for _, suffix := range []string{".localhost.localstack.cloud", ".localhost"} {
		if b, ok := strings.CutSuffix(h, suffix); ok && b != "" && b != "s3" && !strings.HasPrefix(b, "s3.") {
			return b
		}
	}
	return ""
}

// locate splits a request into bucket and key.
func locate(r *http.Request) (bucket, key string) {
	path := r.URL.Path
	if b := bucketFromHost(r.Host); b != "" {
		return b, strings.TrimPrefix(path, "/")
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// ServeHTTP routes an S3 request by bucket, key, method and subresource.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := edge.MetaFrom(r.Context())
	// Canonical names set directly: Header.Set would allocate them each time.
	id := []string{m.RequestID}
	w.Header()["X-Amz-Request-Id"] = id
	w.Header()["X-Amz-Id-2"] = id
	bucket, key := locate(r)
	q := r.URL.Query()
	var err error
	if r.Method == http.MethodOptions && bucket != "" {
		if err := s.preflight(w, r, bucket); err != nil {
			s.writeError(w, r, err)
		}
		return
	}
	s.setCORSHeaders(w, r, bucket)
	switch {
	case bucket == "":
		err = s.serveService(w, r)
	case key == "":
		err = s.serveBucket(w, r, bucket, q)
	default:
		err = s.serveObject(w, r, bucket, key, q)
	}
	if err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Service) serveService(w http.ResponseWriter, r *http.Request) error {
	if r.Method == http.MethodGet {
		edge.SetOperation(r, "ListBuckets")
		return s.listBuckets(w, r)
	}
	return storage.ErrMethodNotAllowed(r.Method, "SERVICE")
}

func (s *Service) serveBucket(w http.ResponseWriter, r *http.Request, bucket string, q map[string][]string) error {
	has := func(k string) bool { _, ok := q[k]; return ok }
	op := func(name string, fn func() error) error { edge.SetOperation(r, name); return fn() }
	if name, c, ok := configFor(q); ok && (r.Method == http.MethodPut || r.Method == http.MethodGet || r.Method == http.MethodDelete) {
		return s.serveConfig(w, r, bucket, name, c)
	}
	switch r.Method {
	case http.MethodPut:
		switch {
		case has("versioning"):
			return op("PutBucketVersioning", func() error { return s.putVersioning(w, r, bucket) })
		case has("tagging"):
			return op("PutBucketTagging", func() error { return s.putBucketTagging(w, r, bucket) })
		case !hasSubresource(q):
			return op("CreateBucket", func() error { return s.createBucket(w, r, bucket) })
		}
	case http.MethodGet:
		switch {
		case has("location"):
			return op("GetBucketLocation", func() error { return s.getLocation(w, r, bucket) })
		case has("versioning"):
			return op("GetBucketVersioning", func() error { return s.getVersioning(w, r, bucket) })
		case has("tagging"):
			return op("GetBucketTagging", func() error { return s.getBucketTagging(w, r, bucket) })
		case has("versions"):
			return op("ListObjectVersions", func() error { return s.listVersions(w, r, bucket) })
		case has("uploads"):
			return op("ListMultipartUploads", func() error { return s.listUploads(w, r, bucket) })
		case urlGet(q, "list-type") == "2":
			return op("ListObjectsV2", func() error { return s.listObjects(w, r, bucket, true) })
		case !hasSubresource(q):
			return op("ListObjects", func() error { return s.listObjects(w, r, bucket, false) })
		}
	case http.MethodHead:
		return op("HeadBucket", func() error { return s.headBucket(w, r, bucket) })
	case http.MethodDelete:
		switch {
		case has("tagging"):
			return op("DeleteBucketTagging", func() error { return s.deleteBucketTagging(w, r, bucket) })
		case !hasSubresource(q):
			return op("DeleteBucket", func() error { return s.deleteBucket(w, r, bucket) })
		}
	case http.MethodPost:
		if has("delete") {
			return op("DeleteObjects", func() error { return s.deleteObjects(w, r, bucket) })
		}
		if isFormPost(r) && !hasSubresource(q) {
			return s.postObject(w, r, bucket)
		}
	default:
		return storage.ErrMethodNotAllowed(r.Method, "BUCKET")
	}
	return notImplemented(r, q)
}

func (s *Service) serveObject(w http.ResponseWriter, r *http.Request, bucket, key string, q map[string][]string) error {
	has := func(k string) bool { _, ok := q[k]; return ok }
	op := func(name string, fn func() error) error { edge.SetOperation(r, name); return fn() }
	copySource := r.Header.Get("x-amz-copy-source")
	if has("acl") && (r.Method == http.MethodGet || r.Method == http.MethodPut) {
		return s.serveObjectACL(w, r, bucket, key)
	}
	switch r.Method {
	case http.MethodPut:
		switch {
		case has("tagging"):
			return op("PutObjectTagging", func() error { return s.putObjectTagging(w, r, bucket, key) })
		case has("uploadId") && copySource != "":
			return op("UploadPartCopy", func() error { return s.uploadPartCopy(w, r, bucket, key) })
		case has("uploadId"):
			return op("UploadPart", func() error { return s.uploadPart(w, r, bucket, key) })
		case copySource != "":
			return op("CopyObject", func() error { return s.copyObject(w, r, bucket, key) })
		case !hasSubresource(q):
			return op("PutObject", func() error { return s.putObject(w, r, bucket, key) })
		}
	case http.MethodGet:
		switch {
		case has("tagging"):
			return op("GetObjectTagging", func() error { return s.getObjectTagging(w, r, bucket, key) })
		case has("uploadId"):
			return op("ListParts", func() error { return s.listParts(w, r, bucket, key) })
		case has("attributes"):
			return op("GetObjectAttributes", func() error { return s.getObjectAttributes(w, r, bucket, key) })
		case !hasSubresource(q):
			return op("GetObject", func() error { return s.getObject(w, r, bucket, key, false) })
		}
	case http.MethodHead:
		return op("HeadObject", func() error { return s.getObject(w, r, bucket, key, true) })
	case http.MethodDelete:
		switch {
		case has("tagging"):
			return op("DeleteObjectTagging", func() error { return s.deleteObjectTagging(w, r, bucket, key) })
		case has("uploadId"):
			return op("AbortMultipartUpload", func() error { return s.abortUpload(w, r, bucket, key) })
		case !hasSubresource(q):
			return op("DeleteObject", func() error { return s.deleteObject(w, r, bucket, key) })
		}
	case http.MethodPost:
		switch {
		case has("uploads"):
			return op("CreateMultipartUpload", func() error { return s.createUpload(w, r, bucket, key) })
		case has("uploadId"):
			return op("CompleteMultipartUpload", func() error { return s.completeUpload(w, r, bucket, key) })
		}
	default:
		return storage.ErrMethodNotAllowed(r.Method, "OBJECT")
	}
	return notImplemented(r, q)
}

// Query parameters that are arguments, not subresources.
var plainParams = map[string]bool{
	"x-id": true, "versionId": true, "partNumber": true, "prefix": true, "delimiter": true,
	"max-keys": true, "marker": true, "encoding-type": true, "list-type": true, "continuation-token": true,
	"start-after": true, "fetch-owner": true, "response-content-type": true, "response-content-language": true,
	"response-expires": true, "response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "max-buckets": true, "bucket-region": true,
	"X-Amz-Algorithm": true, "X-Amz-Credential": true, "X-Amz-Date": true, "X-Amz-Expires": true,
	"X-Amz-SignedHeaders": true, "X-Amz-Signature": true, "X-Amz-Security-Token": true,
	"AWSAccessKeyId": true, "Signature": true, "Expires": true, "x-amz-checksum-mode": true,
}

func hasSubresource(q map[string][]string) bool {
	for k := range q {
		if !plainParams[k] {
			return true
		}
	}
	return false
}

func notImplemented(r *http.Request, q map[string][]string) error {
	var subs []string
	for k := range q {
		if !plainParams[k] {
			subs = append(subs, k)
		}
	}
	edge.SetOperation(r, "Unsupported:"+strings.Join(subs, ","))
	return &storage.Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
		Message: "A header you provided implies functionality that is not implemented"}
}

func urlGet(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// writeError sends err as S3 does, with the headers some faults carry.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	edge.WriteError(w, r, toEdgeError(w.Header(), err))
}

// toEdgeError converts engine faults to edge errors, setting their headers on h
// when h is not nil.
func toEdgeError(h http.Header, err error) error {
	var se *storage.Error
	var re *storage.ReadError
	switch {
	case errors.As(err, &se):
		e := edge.NewError(se.Status, se.Code, se.Message)
		for k, v := range se.Fields {
			e = e.With(k, v)
		}
		if h != nil {
			for k, v := range se.Headers {
				h.Set(k, v)
			}
		}
		return e
	case errors.As(err, &re):
		if errors.Is(err, chunked.ErrMalformed) {
			return edge.NewError(http.StatusBadRequest, "InvalidRequest", "Invalid aws-chunked encoding: "+re.Err.Error())
		}
		return edge.NewError(http.StatusBadRequest, "IncompleteBody", "The request body terminated unexpectedly")
	}
	return err
}

// writeXML sends an XML document.
func writeXML(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// maxXMLBody bounds request documents (DeleteObjects with 1000 long keys fits).
const maxXMLBody = 4 << 20

// readXML decodes a request document into v; an empty body is allowed when
// optional is true (it leaves v unchanged and reports false).
func readXML(r *http.Request, v any, optional bool) (bool, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxXMLBody+1))
	if err != nil {
		return false, &storage.ReadError{Err: err}
	}
	if len(body) > maxXMLBody {
		return false, storage.ErrMalformedXML()
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return false, nil
		}
		return false, storage.ErrMalformedXML()
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return false, storage.ErrMalformedXML()
	}
	return true, nil
}
