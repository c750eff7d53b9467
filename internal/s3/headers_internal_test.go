package s3

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tenkai/internal/s3/storage"
)

func TestBucketFromHost(t *testing.T) {
	tests := []struct{ host, want string }{
		{"127.0.0.1:4566", ""},
		{"localhost:4566", ""},
		{"localhost", ""},
		{"s3.localhost:4566", ""},
		{"s3.amazonaws.com", ""},
		{"s3.us-east-1.amazonaws.com", ""},
		{"tenkai:4566", ""},
		{"[::1]:4566", ""},
		{"my-bucket.localhost:4566", "my-bucket"},
		{"my.dotted.bucket.localhost", "my.dotted.bucket"},
		{"my-bucket.s3.localhost:4566", "my-bucket"},
		{"my-bucket.s3.us-west-2.localhost", "my-bucket"},
		{"my-bucket.s3.amazonaws.com", "my-bucket"},
		{"My-Bucket.S3.us-east-1.amazonaws.com", "my-bucket"},
		{"my-bucket.s3-us-west-2.amazonaws.com", "my-bucket"},
		{"my-bucket.s3.localhost.localstack.cloud:4566", "my-bucket"},
		{"my-bucket.localhost.localstack.cloud", "my-bucket"},
	}
	for _, tc := range tests {
		if got := bucketFromHost(tc.host); got != tc.want {
			t.Errorf("bucketFromHost(%q) = %q; want %q", tc.host, got, tc.want)
		}
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in        string
		size      int64
		want      string // "start+length", "full" or "416"
		wantError bool
	}{
		{"bytes=0-4", 10, "0+5", false},
		{"bytes=5-", 10, "5+5", false},
		{"bytes=-3", 10, "7+3", false},
		{"bytes=-30", 10, "0+10", false},
		{"bytes=8-100", 10, "8+2", false},
		{"bytes=9-9", 10, "9+1", false},
		{"bytes=10-", 10, "416", true},
		{"bytes=-0", 10, "416", true},
		{"bytes=0-", 0, "416", true},
		{"bytes=4-2", 10, "full", false},
		{"bytes=0-1,3-4", 10, "full", false},
		{"items=0-1", 10, "full", false},
		{"bytes=abc", 10, "full", false},
		{"bytes=-", 10, "full", false},
	}
	for _, tc := range tests {
		start, length, ok, err := parseRange(tc.in, tc.size)
		got := "full"
		switch {
		case err != nil:
			got = "416"
		case ok:
			got = fmt.Sprintf("%d+%d", start, length)
		}
		if got != tc.want || (err != nil) != tc.wantError {
			t.Errorf("parseRange(%q, %d) = %s, %v; want %s", tc.in, tc.size, got, err, tc.want)
		}
	}
}

func TestCheckConditions(t *testing.T) {
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 600e6, time.UTC)
	etag := `"abc"`
	before := mtime.Add(-time.Hour).Format(http.TimeFormat)
	same := mtime.Format(http.TimeFormat)
	after := mtime.Add(time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name string
		h    map[string]string
		want int
	}{
		{"none", nil, 0},
		{"if-match hit", map[string]string{"If-Match": `"abc"`}, 0},
		{"if-match star", map[string]string{"If-Match": "*"}, 0},
		{"if-match list", map[string]string{"If-Match": `"x", "abc"`}, 0},
		{"if-match miss", map[string]string{"If-Match": `"x"`}, 412},
		{"if-none-match hit", map[string]string{"If-None-Match": `"abc"`}, 304},
		{"if-none-match miss", map[string]string{"If-None-Match": `"x"`}, 0},
		{"modified since before", map[string]string{"If-Modified-Since": before}, 0},
		{"modified since same second", map[string]string{"If-Modified-Since": same}, 304},
		{"modified since after", map[string]string{"If-Modified-Since": after}, 304},
		{"unmodified since before", map[string]string{"If-Unmodified-Since": before}, 412},
		{"unmodified since same", map[string]string{"If-Unmodified-Since": same}, 0},
		{"if-match wins over unmodified", map[string]string{"If-Match": etag, "If-Unmodified-Since": before}, 0},
		{"if-none-match miss with modified-since", map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": after}, 0},
		{"bad date ignored", map[string]string{"If-Modified-Since": "yesterday"}, 0},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.h {
			h.Set(k, v)
		}
		got, err := checkConditions(h, "", etag, mtime)
		if err != nil {
			got = 412
		}
		if got != tc.want {
			t.Errorf("%s: checkConditions(%v) = %d; want %d", tc.name, tc.h, got, tc.want)
		}
	}
}

func TestParseCopySource(t *testing.T) {
	tests := []struct{ in, bucket, key, vid string }{
		{"bkt/key", "bkt", "key", ""},
		{"/bkt/dir/key.txt", "bkt", "dir/key.txt", ""},
		{"bkt/a%20b%2Bc?versionId=v1", "bkt", "a b+c", "v1"},
		{"bkt/a+b", "bkt", "a+b", ""},
		{"bkt/%3F%3Dx", "bkt", "?=x", ""},
		{"bkt", "", "", ""},
		{"/bkt/", "", "", ""},
		{"bkt/%zz", "", "", ""},
	}
	for _, tc := range tests {
		b, k, v, err := parseCopySource(tc.in)
		if tc.bucket == "" {
			if err == nil {
				t.Errorf("parseCopySource(%q) = %q %q; want an error", tc.in, b, k)
			}
			continue
		}
		if err != nil || b != tc.bucket || k != tc.key || v != tc.vid {
			t.Errorf("parseCopySource(%q) = %q %q %q %v; want %q %q %q", tc.in, b, k, v, err, tc.bucket, tc.key, tc.vid)
		}
	}
}

func TestTagsHeader(t *testing.T) {
	tags, err := tagsHeader("a=1&b=two%20words&empty=")
	if err != nil || len(tags) != 3 || tags[1].Value != "two words" || tags[2].Value != "" {
		t.Errorf("tagsHeader = %+v, %v", tags, err)
	}
	if _, err := tagsHeader("a=1&a=2"); err == nil {
		t.Error("tagsHeader with a duplicate key succeeded")
	}
}

func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-4", int64(10))
	f.Add("bytes=-3", int64(10))
	f.Add("bytes=5-", int64(0))
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		start, length, ok, err := parseRange(v, size)
		if ok && (err != nil || start < 0 || length <= 0 || start+length > size) {
			t.Fatalf("parseRange(%q, %d) = %d+%d outside the object", v, size, start, length)
		}
	})
}

func FuzzParseCopySource(f *testing.F) {
	f.Add("/bkt/key?versionId=x")
	f.Add("bkt/a%20b")
	f.Fuzz(func(t *testing.T, v string) {
		b, k, _, err := parseCopySource(v)
		if err == nil && (b == "" || k == "") {
			t.Fatalf("parseCopySource(%q) = %q %q without error", v, b, k)
		}
	})
}

func FuzzTagsHeader(f *testing.F) {
	f.Add("a=1&b=2")
	f.Add("%zz=1")
	f.Fuzz(func(t *testing.T, v string) {
		tags, err := tagsHeader(v)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, tg := range tags {
			if seen[tg.Key] {
				t.Fatalf("tagsHeader(%q) kept duplicate %q", v, tg.Key)
			}
			seen[tg.Key] = true
		}
	})
}

func FuzzCheckPolicy(f *testing.F) {
	f.Add(`{"expiration":"2999-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key","u/"],["content-length-range",1,10]]}`, "u/x")
	f.Add(`{"expiration":"x","conditions":[]}`, "k")
	f.Add(`{"conditions":[["eq"]]}`, "")
	f.Fuzz(func(t *testing.T, doc, key string) {
		fields := map[string]string{"bucket": "b", "key": key, "policy": base64.StdEncoding.EncodeToString([]byte(doc))}
		min, max, err := checkPolicy(fields, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err == nil && min > max && max >= 0 && min < 0 {
			t.Fatalf("checkPolicy(%q) = %d..%d", doc, min, max)
		}
	})
}

func FuzzParseNotification(f *testing.F) {
	f.Add(`<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:1:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration><EventBridgeConfiguration/></NotificationConfiguration>`)
	f.Add(`<NotificationConfiguration/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := parseNotification([]byte(doc))
		if err != nil {
			return
		}
		for _, l := range c.Lambda {
			if len(l.Events) == 0 || !strings.HasPrefix(l.Function, "arn:") {
				t.Fatalf("accepted a function configuration without events or ARN: %q", doc)
			}
		}
	})
}

func TestCheckPolicy(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, doc string
		wantErr   string
		min, max  int64
	}{
		{"range", `{"expiration":"2026-02-01T00:00:00Z","conditions":[["content-length-range",5,"100"]]}`, "", 5, 100},
		{"expired", `{"expiration":"2025-12-31T23:59:59Z","conditions":[]}`, "AccessDenied", 0, 0},
		{"eq map", `{"expiration":"2026-02-01T00:00:00Z","conditions":[{"key":"k"}]}`, "", 0, 5 << 30},
		{"eq map fails", `{"expiration":"2026-02-01T00:00:00Z","conditions":[{"key":"z"}]}`, "AccessDenied", 0, 0},
		{"starts-with", `{"expiration":"2026-02-01T00:00:00Z","conditions":[["starts-with","$key",""]]}`, "", 0, 5 << 30},
		{"unknown op", `{"expiration":"2026-02-01T00:00:00Z","conditions":[["gt","$key","a"]]}`, "InvalidPolicyDocument", 0, 0},
		{"no expiration", `{"conditions":[]}`, "InvalidPolicyDocument", 0, 0},
	}
	for _, tc := range tests {
		min, max, err := checkPolicy(map[string]string{"key": "k", "policy": enc(tc.doc)}, now)
		got := ""
		if err != nil {
			got = err.(*storage.Error).Code
		}
		if got != tc.wantErr || err == nil && (min != tc.min || max != tc.max) {
			t.Errorf("%s: checkPolicy = %d..%d, %q; want %d..%d, %q", tc.name, min, max, got, tc.min, tc.max, tc.wantErr)
		}
	}
}
