package edge_test

import (
	"net/http"
	"strings"
	"testing"

	"tenkai/internal/edge"
)

// discard is a ResponseWriter that keeps only headers, so benchmarks measure
// the edge rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// body is a request body that can be rewound between iterations.
type body struct{ strings.Reader }

func (*body) Close() error { return nil }

const benchAuth = "AWS4-HMAC-SHA256 Credential=test/20240101/eu-west-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef0123456789"

func benchServe(b *testing.B, e http.Handler, r *http.Request, payload string) {
	b.ReportAllocs()
	rb := &body{}
	r.Body = rb
	w := &discard{h: http.Header{}}
	for b.Loop() {
		rb.Reset(payload)
		clear(w.h)
		e.ServeHTTP(w, r)
	}
}

func BenchmarkServeJSON(b *testing.B) {
	e := edge.New(edge.Config{})
	e.Register(jsonSvc{})
	r, _ := http.NewRequest("POST", "http://127.0.0.1:4566/", nil)
	r.Header.Set("X-Amz-Target", "Echo_20200101.Echo")
	r.Header.Set("Authorization", benchAuth)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	benchServe(b, e, r, `{"name":"bench","count":3}`)
}

func BenchmarkServeREST(b *testing.B) {
	e := edge.New(edge.Config{})
	e.Register(okREST{})
	r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/bucket/key", nil)
	r.Header.Set("Authorization", strings.Replace(benchAuth, "/logs/", "/s3/", 1))
	benchServe(b, e, r, "")
}

func BenchmarkNewUUID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = edge.NewUUID()
	}
}

type okREST struct{}

func (okREST) Name() string            { return "s3" }
func (okREST) Protocol() edge.Protocol { return edge.ProtoRESTXML }
func (okREST) PathPrefixes() []string  { return nil }
func (okREST) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "2")
	_, _ = w.Write([]byte("ok"))
}
