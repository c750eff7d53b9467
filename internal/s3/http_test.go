package s3_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tenkai/internal/s3"
)

type rawClient struct {
	t   *testing.T
	srv *httptest.Server
}

func (c rawClient) do(method, path string, h map[string]string, body string) (int, http.Header, string) {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range h {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (c rawClient) must(method, path string, h map[string]string, body string, want int) (http.Header, string) {
	c.t.Helper()
	st, hdr, b := c.do(method, path, h, body)
	if st != want {
		c.t.Fatalf("%s %s = %d %s; want %d", method, path, st, b, want)
	}
	return hdr, b
}

func TestHTTPBehaviour(t *testing.T) {
	_, srv := newServer(t, false)
	c := rawClient{t, srv}
	c.must("PUT", "/web", nil, "", 200)
	c.must("PUT", "/web/a.txt", map[string]string{"Content-Type": "text/plain", "x-amz-meta-Color": "blue"}, "hello", 200)

	// Responses carry the S3 namespace and errors name the resource.
	_, b := c.must("GET", "/web?list-type=2", nil, "", 200)
	if !strings.Contains(b, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) || !strings.Contains(b, "<KeyCount>1</KeyCount>") {
		t.Errorf("ListObjectsV2 body: %s", b)
	}
	_, b = c.must("GET", "/web/nope", nil, "", 404)
	if !strings.Contains(b, "<Code>NoSuchKey</Code>") || !strings.Contains(b, "<Key>nope</Key>") {
		t.Errorf("NoSuchKey body: %s", b)
	}

	// Conditional and ranged reads.
	h, _ := c.must("HEAD", "/web/a.txt", nil, "", 200)
	etag := h.Get("ETag")
	if h.Get("x-amz-meta-color") != "blue" || h.Get("Content-Length") != "5" || h.Get("Last-Modified") == "" {
		t.Errorf("HEAD headers: %v", h)
	}
	c.must("GET", "/web/a.txt", map[string]string{"If-None-Match": etag}, "", 304)
	c.must("GET", "/web/a.txt", map[string]string{"If-Modified-Since": h.Get("Last-Modified")}, "", 304)
	_, b = c.must("GET", "/web/a.txt", map[string]string{"If-Match": `"other"`}, "", 412)
	if !strings.Contains(b, "<Condition>If-Match</Condition>") {
		t.Errorf("412 body: %s", b)
	}
	h, b = c.must("GET", "/web/a.txt", map[string]string{"Range": "bytes=1-3"}, "", 206)
	if b != "ell" || h.Get("Content-Range") != "bytes 1-3/5" {
		t.Errorf("range = %q %q", b, h.Get("Content-Range"))
	}
	_, b = c.must("GET", "/web/a.txt", map[string]string{"Range": "bytes=9-"}, "", 416)
	if !strings.Contains(b, "<ActualObjectSize>5</ActualObjectSize>") {
		t.Errorf("416 body: %s", b)
	}
	h, _ = c.must("GET", "/web/a.txt?response-content-type=application/json", nil, "", 200)
	if h.Get("Content-Type") != "application/json" {
		t.Errorf("response-content-type override: %q", h.Get("Content-Type"))
	}

	// Digests.
	_, b = c.must("PUT", "/web/b", map[string]string{"x-amz-content-sha256": strings.Repeat("0", 64)}, "data", 400)
	if !strings.Contains(b, "XAmzContentSHA256Mismatch") {
		t.Errorf("sha256 mismatch body: %s", b)
	}
	_, b = c.must("PUT", "/web/b", map[string]string{"Content-MD5": "not-base64"}, "data", 400)
	if !strings.Contains(b, "InvalidDigest") {
		t.Errorf("invalid digest body: %s", b)
	}
	_, b = c.must("PUT", "/web/b", map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, "data", 400)
	if !strings.Contains(b, "BadDigest") {
		t.Errorf("crc32 mismatch body: %s", b)
	}

	// Copying onto itself without changes is refused; with REPLACE it is fine.
	_, b = c.must("PUT", "/web/a.txt", map[string]string{"x-amz-copy-source": "/web/a.txt"}, "", 400)
	if !strings.Contains(b, "InvalidRequest") {
		t.Errorf("self copy body: %s", b)
	}
	c.must("PUT", "/web/a.txt", map[string]string{"x-amz-copy-source": "/web/a.txt", "x-amz-metadata-directive": "REPLACE",
		"Content-Type": "text/html"}, "", 200)
	h, _ = c.must("HEAD", "/web/a.txt", nil, "", 200)
	if h.Get("Content-Type") != "text/html" || h.Get("x-amz-meta-color") != "" {
		t.Errorf("after REPLACE copy: %v", h)
	}

	// Server-side encryption is reported as requested.
	h, _ = c.must("PUT", "/web/kms.txt", map[string]string{"x-amz-server-side-encryption": "aws:kms"}, "secret", 200)
	if h.Get("x-amz-server-side-encryption") != "aws:kms" || !strings.HasPrefix(h.Get("x-amz-server-side-encryption-aws-kms-key-id"), "arn:aws:kms:us-east-1:000000000000:key/") {
		t.Errorf("PUT with SSE-KMS: %v", h)
	}
	if h, _ = c.must("HEAD", "/web/kms.txt", nil, "", 200); h.Get("x-amz-server-side-encryption") != "aws:kms" {
		t.Errorf("HEAD of SSE-KMS object: %v", h)
	}
	c.must("PUT", "/web/kms.txt", map[string]string{"x-amz-server-side-encryption": "rot13"}, "secret", 400)

	// Conditional writes.
	c.must("PUT", "/web/a.txt", map[string]string{"If-None-Match": "*"}, "x", 412)
	c.must("PUT", "/web/new.txt", map[string]string{"If-None-Match": "*"}, "x", 200)

	// Stored bucket subresources and S3's defaults.
	_, b = c.must("GET", "/web?policy", nil, "", 404)
	if !strings.Contains(b, "NoSuchBucketPolicy") {
		t.Errorf("GetBucketPolicy body: %s", b)
	}
	c.must("PUT", "/web?policy", nil, `{"Version":"2012-10-17","Statement":[]}`, 204)
	if _, b = c.must("GET", "/web?policy", nil, "", 200); !strings.Contains(b, "2012-10-17") {
		t.Errorf("policy = %s", b)
	}
	c.must("PUT", "/web?policy", nil, `not json`, 400)
	c.must("DELETE", "/web?policy", nil, "", 204)
	c.must("GET", "/web?policy", nil, "", 404)
	if _, b = c.must("GET", "/web?encryption", nil, "", 200); !strings.Contains(b, "AES256") {
		t.Errorf("default encryption = %s", b)
	}
	if _, b = c.must("GET", "/web?acl", nil, "", 200); !strings.Contains(b, "FULL_CONTROL") {
		t.Errorf("bucket acl = %s", b)
	}
	if _, b = c.must("GET", "/web/a.txt?acl", nil, "", 200); !strings.Contains(b, "FULL_CONTROL") {
		t.Errorf("object acl = %s", b)
	}
	c.must("PUT", "/web?cors", nil, `<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>`, 200)
	c.must("PUT", "/web?cors", nil, `<CORSConfiguration>`, 400)
	_, b = c.must("GET", "/web?inventory", nil, "", 501)
	if !strings.Contains(b, "NotImplemented") {
		t.Errorf("unsupported subresource body: %s", b)
	}

	// Tagging.
	c.must("PUT", "/web/a.txt?tagging", nil, `<Tagging><TagSet><Tag><Key>env</Key><Value>dev</Value></Tag></TagSet></Tagging>`, 200)
	if _, b = c.must("GET", "/web/a.txt?tagging", nil, "", 200); !strings.Contains(b, "<Key>env</Key><Value>dev</Value>") {
		t.Errorf("object tagging = %s", b)
	}
	if h, _ = c.must("HEAD", "/web/a.txt", nil, "", 200); h.Get("x-amz-tagging-count") != "1" {
		t.Errorf("tagging count = %q", h.Get("x-amz-tagging-count"))
	}
	c.must("GET", "/web?tagging", nil, "", 404)
	c.must("PUT", "/web?tagging", nil, `<Tagging><TagSet><Tag><Key>team</Key><Value>s3</Value></Tag></TagSet></Tagging>`, 204)
	if _, b = c.must("GET", "/web?tagging", nil, "", 200); !strings.Contains(b, "<Key>team</Key>") {
		t.Errorf("bucket tagging = %s", b)
	}

	// Versioned deletes leave markers that GET reports.
	c.must("PUT", "/web?versioning", nil, `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`, 200)
	h, _ = c.must("PUT", "/web/v", nil, "one", 200)
	v1 := h.Get("x-amz-version-id")
	h, _ = c.must("DELETE", "/web/v", nil, "", 204)
	if h.Get("x-amz-delete-marker") != "true" || h.Get("x-amz-version-id") == "" {
		t.Errorf("delete headers: %v", h)
	}
	marker := h.Get("x-amz-version-id")
	h, _ = c.must("GET", "/web/v", nil, "", 404)
	if h.Get("x-amz-delete-marker") != "true" {
		t.Errorf("GET deleted: %v", h)
	}
	c.must("GET", "/web/v?versionId="+marker, nil, "", 405)
	if _, b = c.must("GET", "/web/v?versionId="+v1, nil, "", 200); b != "one" {
		t.Errorf("old version = %q", b)
	}
	_, b = c.must("GET", "/web?versions", nil, "", 200)
	if strings.Index(b, "<DeleteMarker>") > strings.Index(b, "<Version>") {
		t.Errorf("versions order: %s", b)
	}
	c.must("DELETE", "/web/v?versionId="+marker, nil, "", 204)
	c.must("GET", "/web/v", nil, "", 200)
	c.must("PUT", "/web/v", nil, "two", 200)
	h, b = c.must("PUT", "/web/v-copy", map[string]string{"x-amz-copy-source": "web/v?versionId=" + v1}, "", 200)
	if h.Get("x-amz-copy-source-version-id") != v1 || !strings.Contains(b, "<CopyObjectResult") {
		t.Errorf("copy of a version: %v %s", h, b)
	}
	if _, b = c.must("GET", "/web/v-copy", nil, "", 200); b != "one" {
		t.Errorf("copied version = %q; want one", b)
	}

	// A SigV4 streaming upload with chunk signatures.
	sig := ";chunk-signature=" + strings.Repeat("f", 64)
	h, _ = c.must("PUT", "/web/signed", map[string]string{"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
		"Content-Encoding": "aws-chunked,gzip", "x-amz-decoded-content-length": "11"},
		"6"+sig+"\r\nhello \r\n5"+sig+"\r\nworld\r\n0"+sig+"\r\n\r\n", 200)
	h, b = c.must("GET", "/web/signed", map[string]string{"Accept-Encoding": "identity"}, "", 200)
	if b != "hello world" || h.Get("Content-Encoding") != "gzip" {
		t.Errorf("streaming upload stored %q with encoding %q", b, h.Get("Content-Encoding"))
	}
	c.must("PUT", "/web/signed", map[string]string{"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
		"x-amz-decoded-content-length": "11"}, "6"+sig+"\r\nhello \r\n", 400)

	// DeleteObjects with Content-MD5 checking.
	_, b = c.must("POST", "/web?delete", map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="},
		`<Delete><Object><Key>new.txt</Key></Object></Delete>`, 400)
	if !strings.Contains(b, "BadDigest") {
		t.Errorf("DeleteObjects bad md5: %s", b)
	}
	_, b = c.must("POST", "/web?delete", nil, `<Delete><Object><Key>new.txt</Key></Object><Object><Key>missing</Key></Object></Delete>`, 200)
	if strings.Count(b, "<Deleted>") != 2 {
		t.Errorf("DeleteObjects result: %s", b)
	}

	// Virtual-host style and a bucket in another region.
	if _, b = c.must("GET", "/a.txt", map[string]string{"Host": "web.s3.localhost"}, "", 200); b != "hello" {
		t.Errorf("virtual host GET = %q", b)
	}
	c.must("PUT", "/eu-bucket", nil, `<CreateBucketConfiguration><LocationConstraint>eu-central-1</LocationConstraint></CreateBucketConfiguration>`, 200)
	if h, _ = c.must("HEAD", "/eu-bucket", nil, "", 200); h.Get("x-amz-bucket-region") != "eu-central-1" {
		t.Errorf("bucket region header = %q", h.Get("x-amz-bucket-region"))
	}
	_, b = c.must("PUT", "/bad-lc", nil, `<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>`, 400)
	if !strings.Contains(b, "InvalidLocationConstraint") {
		t.Errorf("us-east-1 constraint: %s", b)
	}
}

func TestListEncoding(t *testing.T) {
	_, srv := newServer(t, false)
	c := rawClient{t, srv}
	c.must("PUT", "/enc", nil, "", 200)
	c.must("PUT", "/enc/a%20b/c+d", nil, "x", 200)
	_, b := c.must("GET", "/enc?encoding-type=url&delimiter=/", nil, "", 200)
	if !strings.Contains(b, "<Prefix>a+b/</Prefix>") || !strings.Contains(b, "<EncodingType>url</EncodingType>") {
		t.Errorf("encoded v1 listing: %s", b)
	}
	_, b = c.must("GET", "/enc?list-type=2&encoding-type=url", nil, "", 200)
	if !strings.Contains(b, "<Key>a+b/c%2Bd</Key>") {
		t.Errorf("encoded v2 listing: %s", b)
	}
	c.must("GET", "/enc?list-type=2&encoding-type=bogus", nil, "", 400)
	c.must("GET", "/enc?list-type=2&max-keys=x", nil, "", 400)
	c.must("GET", "/enc?list-type=2&continuation-token=!!!", nil, "", 400)
}

func TestListParams(t *testing.T) {
	_, srv := newServer(t, false)
	c := rawClient{t, srv}
	for _, b := range []string{"lp-a", "lp-b", "lp-c"} {
		c.must("PUT", "/"+b, nil, "", 200)
	}
	for _, k := range []string{"a", "b", "c", "d"} {
		c.must("PUT", "/lp-a/"+k, nil, k, 200)
	}
	_, b := c.must("GET", "/lp-a?list-type=2&start-after=b", nil, "", 200)
	if strings.Contains(b, "<Key>b</Key>") || !strings.Contains(b, "<Key>c</Key>") || !strings.Contains(b, "<StartAfter>b</StartAfter>") {
		t.Errorf("start-after: %s", b)
	}
	_, b = c.must("GET", "/lp-a?marker=c", nil, "", 200)
	if strings.Count(b, "<Key>") != 1 || !strings.Contains(b, "<Key>d</Key>") || !strings.Contains(b, "<Marker>c</Marker>") {
		t.Errorf("v1 marker: %s", b)
	}
	// ListBuckets pages.
	_, b = c.must("GET", "/?max-buckets=2", nil, "", 200)
	if strings.Count(b, "<Bucket>") != 2 || !strings.Contains(b, "<ContinuationToken>") {
		t.Fatalf("ListBuckets page 1: %s", b)
	}
	tok := b[strings.Index(b, "<ContinuationToken>")+len("<ContinuationToken>") : strings.Index(b, "</ContinuationToken>")]
	_, b = c.must("GET", "/?max-buckets=2&continuation-token="+tok, nil, "", 200)
	if strings.Count(b, "<Bucket>") != 1 || !strings.Contains(b, "<Name>lp-c</Name>") {
		t.Errorf("ListBuckets page 2: %s", b)
	}
	// ListMultipartUploads with a delimiter and paging.
	for _, k := range []string{"x/1", "x/2", "y"} {
		c.must("POST", "/lp-b/"+k+"?uploads", nil, "", 200)
	}
	_, b = c.must("GET", "/lp-b?uploads&delimiter=/", nil, "", 200)
	if strings.Count(b, "<Upload>") != 1 || !strings.Contains(b, "<Prefix>x/</Prefix>") {
		t.Errorf("ListMultipartUploads with delimiter: %s", b)
	}
	_, b = c.must("GET", "/lp-b?uploads&max-uploads=2", nil, "", 200)
	if strings.Count(b, "<Upload>") != 2 || !strings.Contains(b, "<IsTruncated>true</IsTruncated>") || !strings.Contains(b, "<NextKeyMarker>x/2</NextKeyMarker>") {
		t.Errorf("ListMultipartUploads page: %s", b)
	}
}

func TestCORS(t *testing.T) {
	_, srv := newServer(t, false)
	c := rawClient{t, srv}
	c.must("PUT", "/site", nil, "", 200)
	pre := map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-Id"}
	_, b := c.must("OPTIONS", "/site/upload.png", pre, "", 403)
	if !strings.Contains(b, "CORS is not enabled for this bucket") {
		t.Errorf("preflight without configuration: %s", b)
	}
	c.must("PUT", "/site?cors", nil, `<CORSConfiguration><CORSRule><AllowedOrigin>http://localhost:*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>content-type</AllowedHeader><AllowedHeader>x-amz-meta-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule></CORSConfiguration>`, 200)
	h, _ := c.must("OPTIONS", "/site/upload.png", pre, "", 200)
	if h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || h.Get("Access-Control-Allow-Methods") != "PUT, GET" ||
		h.Get("Access-Control-Allow-Headers") != "content-type, x-amz-meta-id" || h.Get("Access-Control-Max-Age") != "300" {
		t.Errorf("preflight headers: %v", h)
	}
	pre["Origin"] = "https://evil.example"
	c.must("OPTIONS", "/site/upload.png", pre, "", 403)
	pre["Origin"], pre["Access-Control-Request-Method"] = "http://localhost:3000", "DELETE"
	c.must("OPTIONS", "/site/upload.png", pre, "", 403)
	h, _ = c.must("PUT", "/site/upload.png", map[string]string{"Origin": "http://localhost:3000"}, "png", 200)
	if h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || h.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("actual request CORS headers: %v", h)
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "http://a", true}, {"http://*.example.com", "http://x.example.com", true},
		{"http://*.example.com", "https://x.example.com", false}, {"http://a", "http://a", true},
		{"http://a*", "http://", false}, {"x-amz-*", "x-amz-meta", true},
	}
	for _, tc := range tests {
		if got := s3.S3Wildcard(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v; want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
