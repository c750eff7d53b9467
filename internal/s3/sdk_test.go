package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"tenkai/internal/edge"
	"tenkai/internal/s3"
	"tenkai/internal/store"
)

// newServer serves the S3 service behind the edge. With tls the SDK sends
// aws-chunked bodies with trailing checksums, as it does against AWS.
func newServer(t testing.TB, tls bool) (*s3.Service, *httptest.Server) {
	t.Helper()
	svc := s3.New(s3.Config{Store: store.NewMem(), Logger: slog.New(slog.DiscardHandler)})
	e := edge.New(edge.Config{Logger: slog.New(slog.DiscardHandler)})
	e.Register(svc)
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(e)
	} else {
		srv = httptest.NewServer(e)
	}
	t.Cleanup(srv.Close)
	return svc, srv
}

func client(srv *httptest.Server, opts ...func(*awss3.Options)) *awss3.Client {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	return awss3.NewFromConfig(cfg, append([]func(*awss3.Options){func(o *awss3.Options) { o.UsePathStyle = true }}, opts...)...)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

// nonSeeker hides Seek so the SDK must stream the body.
type nonSeeker struct{ io.Reader }

func TestSDKChunkedUploads(t *testing.T) {
	ctx := context.Background()
	_, srv := newServer(t, true)
	c := client(srv)
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("chunky")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("0123456789abcdefghij"), 300_000) // 6 MB: many chunks
	algos := []types.ChecksumAlgorithm{"", types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
		types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmCrc64nvme}
	for _, algo := range algos {
		for _, seekable := range []bool{true, false} {
			key := fmt.Sprintf("obj-%s-%v", algo, seekable)
			var r io.Reader = bytes.NewReader(body)
			if !seekable {
				r = nonSeeker{r}
			}
			out, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("chunky"), Key: aws.String(key),
				Body: r, ContentLength: aws.Int64(int64(len(body))), ChecksumAlgorithm: algo, ContentType: aws.String("text/plain")})
			if err != nil {
				t.Fatalf("PutObject %s: %v", key, err)
			}
			want := fmt.Sprintf(`"%x"`, md5.Sum(body))
			if aws.ToString(out.ETag) != want {
				t.Errorf("PutObject %s ETag = %s; want %s", key, aws.ToString(out.ETag), want)
			}
			got, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("chunky"), Key: aws.String(key),
				ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("GetObject %s: %v", key, err)
			}
			b, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil {
				t.Fatalf("read %s: %v", key, err)
			}
			if !bytes.Equal(b, body) {
				t.Fatalf("GetObject %s: body differs (got %d bytes, want %d)", key, len(b), len(body))
			}
			if aws.ToString(got.ContentType) != "text/plain" || aws.ToString(got.ContentEncoding) != "" {
				t.Errorf("GetObject %s: content type %q encoding %q", key, aws.ToString(got.ContentType), aws.ToString(got.ContentEncoding))
			}
		}
	}
}

func TestSDKBadTrailerChecksum(t *testing.T) {
	_, srv := newServer(t, false)
	if _, err := client(srv).CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	body := "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	req, _ := http.NewRequest("PUT", srv.URL+"/bkt/k", strings.NewReader(body))
	req.Header.Set("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("x-amz-decoded-content-length", "5")
	req.Header.Set("x-amz-trailer", "x-amz-checksum-crc32")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>BadDigest</Code>") {
		t.Fatalf("bad trailer checksum: %d %s; want 400 BadDigest", resp.StatusCode, b)
	}
	// The right checksum is accepted and the stored body is the decoded payload.
	body = strings.Replace(body, "AAAAAA==", "NhCmhg==", 1)
	req, _ = http.NewRequest("PUT", srv.URL+"/bkt/k", strings.NewReader(body))
	req.Header = http.Header{"X-Amz-Content-Sha256": {"STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, "Content-Encoding": {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {"5"}, "X-Amz-Trailer": {"x-amz-checksum-crc32"}}
	resp, err = srv.Client().Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("good trailer checksum: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	resp, _ = srv.Client().Get(srv.URL + "/bkt/k")
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" {
		t.Fatalf("stored body = %q; want hello", b)
	}
}

func TestSDKMultipartAndList(t *testing.T) {
	ctx := context.Background()
	_, srv := newServer(t, true)
	c := client(srv)
	bkt := aws.String("multi")
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: bkt}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: bkt, Key: aws.String("big"),
		Metadata: map[string]string{"stage": "build"}})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte{'a'}, 5<<20), bytes.Repeat([]byte{'b'}, 5<<20), []byte("end")}
	var done []types.CompletedPart
	var md5s []byte
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: bkt, Key: aws.String("big"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		sum := md5.Sum(p)
		md5s = append(md5s, sum[:]...)
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	lp, err := c.ListParts(ctx, &awss3.ListPartsInput{Bucket: bkt, Key: aws.String("big"), UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 3 {
		t.Fatalf("ListParts = %v parts, %v", len(lp.Parts), err)
	}
	comp, err := c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: bkt, Key: aws.String("big"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`"%x-3"`, md5.Sum(md5s)); aws.ToString(comp.ETag) != want {
		t.Errorf("multipart ETag = %s; want %s", aws.ToString(comp.ETag), want)
	}
	head, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: bkt, Key: aws.String("big")})
	if err != nil || aws.ToInt64(head.ContentLength) != 10<<20+3 || head.Metadata["stage"] != "build" {
		t.Fatalf("HeadObject = %+v, %v", head, err)
	}
	attrs, err := c.GetObjectAttributes(ctx, &awss3.GetObjectAttributesInput{Bucket: bkt, Key: aws.String("big"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectParts, types.ObjectAttributesObjectSize, types.ObjectAttributesStorageClass}})
	if err != nil {
		t.Fatal(err)
	}
	if "\""+aws.ToString(attrs.ETag)+"\"" != aws.ToString(comp.ETag) || aws.ToInt64(attrs.ObjectSize) != 10<<20+3 ||
		attrs.ObjectParts == nil || aws.ToInt32(attrs.ObjectParts.TotalPartsCount) != 3 || attrs.StorageClass != types.StorageClassStandard {
		t.Errorf("GetObjectAttributes = %+v", attrs)
	}
	rng, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bkt, Key: aws.String("big"), Range: aws.String(fmt.Sprintf("bytes=%d-", 10<<20-1))})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rng.Body)
	rng.Body.Close()
	if string(b) != "bend" || aws.ToString(rng.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", 10<<20-1, 10<<20+2, 10<<20+3) {
		t.Errorf("range read = %q, %s", b, aws.ToString(rng.ContentRange))
	}

	// UploadPartCopy assembles a new object from byte ranges of the first.
	up3, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: bkt, Key: aws.String("copied")})
	if err != nil {
		t.Fatal(err)
	}
	var cparts []types.CompletedPart
	for i, rg := range []string{"bytes=0-5242879", "bytes=10485759-10485762"} {
		out, err := c.UploadPartCopy(ctx, &awss3.UploadPartCopyInput{Bucket: bkt, Key: aws.String("copied"), UploadId: up3.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("multi/big"), CopySourceRange: aws.String(rg)})
		if err != nil {
			t.Fatalf("UploadPartCopy %s: %v", rg, err)
		}
		cparts = append(cparts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: bkt, Key: aws.String("copied"),
		UploadId: up3.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: cparts}}); err != nil {
		t.Fatal(err)
	}
	cg, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bkt, Key: aws.String("copied")})
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := io.ReadAll(cg.Body)
	cg.Body.Close()
	if len(cb) != 5<<20+4 || cb[0] != 'a' || string(cb[5<<20:]) != "bend" {
		t.Errorf("UploadPartCopy object: %d bytes, tail %q", len(cb), cb[len(cb)-4:])
	}

	// A part below 5 MiB that is not the last fails the completion.
	up2, _ := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: bkt, Key: aws.String("small")})
	var small []types.CompletedPart
	for i := 1; i <= 2; i++ {
		out, err := c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: bkt, Key: aws.String("small"), UploadId: up2.UploadId,
			PartNumber: aws.Int32(int32(i)), Body: strings.NewReader("tiny")})
		if err != nil {
			t.Fatal(err)
		}
		small = append(small, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: bkt, Key: aws.String("small"),
		UploadId: up2.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: small}})
	if apiCode(err) != "EntityTooSmall" {
		t.Errorf("small parts: %v; want EntityTooSmall", err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: bkt, Key: aws.String("small"), UploadId: up2.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListParts(ctx, &awss3.ListPartsInput{Bucket: bkt, Key: aws.String("small"), UploadId: up2.UploadId})
	if apiCode(err) != "NoSuchUpload" {
		t.Errorf("ListParts after abort: %v; want NoSuchUpload", err)
	}

	// The ListObjectsV2 paginator visits every key once, across pages.
	for i := 0; i < 25; i++ {
		key := fmt.Sprintf("logs/%02d.txt", i)
		if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: bkt, Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
			t.Fatal(err)
		}
	}
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: bkt, Prefix: aws.String("logs/"), MaxKeys: aws.Int32(7)})
	var keys []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if len(keys) != 25 || pages != 4 || keys[0] != "logs/00.txt" || keys[24] != "logs/24.txt" {
		t.Errorf("paginator: %d keys in %d pages (%v)", len(keys), pages, keys)
	}

	// DeleteObjects removes a batch and reports each key.
	var ids []types.ObjectIdentifier
	for _, k := range keys[:10] {
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
	}
	del, err := c.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: bkt, Delete: &types.Delete{Objects: ids}})
	if err != nil || len(del.Deleted) != 10 || len(del.Errors) != 0 {
		t.Fatalf("DeleteObjects = %+v, %v", del, err)
	}
	l, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: bkt, Prefix: aws.String("logs/")})
	if err != nil || aws.ToInt32(l.KeyCount) != 15 {
		t.Fatalf("after DeleteObjects KeyCount = %v, %v", aws.ToInt32(l.KeyCount), err)
	}
}

func TestSDKErrors(t *testing.T) {
	ctx := context.Background()
	_, srv := newServer(t, false)
	c := client(srv)
	_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
	if apiCode(err) != "NoSuchBucket" {
		t.Errorf("GetObject on missing bucket: %v; want NoSuchBucket", err)
	}
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("errs")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("errs"), Key: aws.String("k")})
	var nk *types.NoSuchKey
	if !errors.As(err, &nk) {
		t.Errorf("GetObject on missing key: %v; want NoSuchKey", err)
	}
	_, err = c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("errs"), Key: aws.String("k")})
	var hn *types.NotFound
	if !errors.As(err, &hn) {
		t.Errorf("HeadObject on missing key: %v; want NotFound", err)
	}
	if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("errs"), Key: aws.String("k"), Body: strings.NewReader("0123456789")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("errs"), Key: aws.String("k"), Range: aws.String("bytes=20-30")})
	if apiCode(err) != "InvalidRange" {
		t.Errorf("range past end: %v; want InvalidRange", err)
	}
	_, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("errs"), Key: aws.String("k"), IfMatch: aws.String(`"nope"`)})
	if apiCode(err) != "PreconditionFailed" {
		t.Errorf("If-Match mismatch: %v; want PreconditionFailed", err)
	}
	_, err = c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("errs")})
	if apiCode(err) != "BucketNotEmpty" {
		t.Errorf("DeleteBucket non-empty: %v; want BucketNotEmpty", err)
	}
	_, err = c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("Not_Valid")})
	if apiCode(err) != "InvalidBucketName" {
		t.Errorf("CreateBucket bad name: %v; want InvalidBucketName", err)
	}
}

func TestGoAPI(t *testing.T) {
	ctx := context.Background()
	svc, _ := newServer(t, false)
	var events []string
	cancel := svc.Subscribe(func(ev s3.Event) { events = append(events, ev.Name+" "+ev.Bucket+"/"+ev.Key) })
	defer cancel()
	if err := svc.CreateBucket(ctx, "000000000000", "us-east-1", "artifacts"); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateBucket(ctx, "000000000000", "us-east-1", "artifacts"); err != nil {
		t.Errorf("CreateBucket again: %v", err)
	}
	oi, err := svc.PutObject(ctx, "000000000000", "us-east-1", "artifacts", "src.zip", []byte("PK..."), "application/zip")
	if err != nil {
		t.Fatal(err)
	}
	b, got, err := svc.GetObjectBytes(ctx, "000000000000", "us-east-1", "artifacts", "src.zip", "")
	if err != nil || string(b) != "PK..." || got.ETag != oi.ETag || got.ContentType != "application/zip" {
		t.Fatalf("GetObjectBytes = %q %+v %v", b, got, err)
	}
	_, _, err = svc.GetObject(ctx, "000000000000", "us-east-1", "artifacts", "missing", "")
	var ee *edge.Error
	if !errors.As(err, &ee) || ee.Code != "NoSuchKey" || ee.HTTPStatus() != 404 {
		t.Errorf("GetObject missing = %v; want NoSuchKey", err)
	}
	if len(events) != 1 || events[0] != "ObjectCreated:Put artifacts/src.zip" {
		t.Errorf("events = %v", events)
	}
}

func BenchmarkPutObject(b *testing.B) {
	svc := s3.New(s3.Config{Store: store.NewMem(), Logger: slog.New(slog.DiscardHandler)})
	if err := svc.CreateBucket(context.Background(), "000000000000", "us-east-1", "bench"); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1024)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("PUT", fmt.Sprintf("/bench/obj-%d", i%1000), bytes.NewReader(body))
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("PutObject: %d %s", w.Code, w.Body)
		}
		i++
	}
}

func BenchmarkGetObject(b *testing.B) {
	svc := s3.New(s3.Config{Store: store.NewMem(), Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	if err := svc.CreateBucket(ctx, "000000000000", "us-east-1", "bench"); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1024)
	for i := 0; i < 100; i++ {
		if _, err := svc.PutObject(ctx, "000000000000", "us-east-1", "bench", fmt.Sprintf("obj-%d", i), body, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("GET", fmt.Sprintf("/bench/obj-%d", i%100), nil)
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code != 200 || w.Body.Len() != 1024 {
			b.Fatalf("GetObject: %d", w.Code)
		}
		i++
	}
}

// BenchmarkPutObjectDataDir measures durable writes: a fsynced body file
// and a bbolt commit per object.
func BenchmarkPutObjectDataDir(b *testing.B) {
	dir := b.TempDir()
	st, err := store.OpenBolt(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := s3.New(s3.Config{Store: st, DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err := svc.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	if err := svc.CreateBucket(context.Background(), "000000000000", "us-east-1", "bench"); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1024)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("PUT", fmt.Sprintf("/bench/obj-%d", i%1000), bytes.NewReader(body))
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("PutObject: %d %s", w.Code, w.Body)
		}
		i++
	}
}
