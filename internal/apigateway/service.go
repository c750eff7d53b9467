package apigateway

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Functions is what API Gateway needs from Lambda. The composition root
// adapts the Lambda service to it.
type Functions interface {
	// Invoke runs function (a name or ARN, qualifier inside) synchronously.
	// functionError is "" on success; err is for invocations Lambda refused.
	Invoke(ctx context.Context, account, region, function string, payload []byte) (out []byte, functionError string, err error)
	// AllowsInvoke reports whether the function's resource policy lets
	// principal invoke it on behalf of sourceARN.
	AllowsInvoke(ctx context.Context, account, region, function, principal, sourceARN string) bool
	// FunctionURL resolves a function URL id; ok is false when there is none.
	FunctionURL(ctx context.Context, urlID string) (u FunctionURL, ok bool)
}

// FunctionURL is a Lambda function URL's configuration as the data plane
// needs it.
type FunctionURL struct {
	Account, Region string
	FunctionARN     string // qualified when the URL belongs to an alias
	AuthType        string // NONE or AWS_IAM
	Cors            *Cors
	// Allowed reports whether the resource policy lets anyone invoke the
	// URL (lambda:InvokeFunctionUrl and lambda:InvokeFunction for principal *).
	Allowed bool
}

// Cors is a CORS configuration (HTTP APIs and function URLs).
type Cors struct {
	AllowCredentials bool
	AllowHeaders     []string
	AllowMethods     []string
	AllowOrigins     []string
	ExposeHeaders    []string
	MaxAge           int
}

// Config configures a Service. The zero value works without functions.
type Config struct {
	Store     store.Store   // nil means a new in-memory store
	Clock     clock.Clock   // nil means the wall clock
	Logger    *slog.Logger  // nil means slog.Default()
	Functions Functions     // nil answers integrations with 500
	NewID     func() string // resource ids; nil means 10 random [a-z0-9]
}

// Service is API Gateway (both API kinds) and the function URL data plane.
// It is safe for concurrent use.
type Service struct {
	cfg Config
	st  store.Store
	clk clock.Clock
	log *slog.Logger
	mux *http.ServeMux
}

// New returns a Service; it does no I/O.
func New(cfg Config) *Service {
	if cfg.Store == nil {
		cfg.Store = store.NewMem()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	s := &Service{cfg: cfg, st: cfg.Store, clk: cfg.Clock, log: cfg.Logger.With("service", "apigateway")}
	s.mux = http.NewServeMux()
	s.routesV2()
	s.routesV1()
	return s
}

// Name is the SigV4 signing name of both API Gateway APIs.
func (s *Service) Name() string { return "apigateway" }

// Protocol is restJson1.
func (s *Service) Protocol() edge.Protocol { return edge.ProtoRESTJSON }

// PathPrefixes route unsigned control-plane calls and path-style invocations.
func (s *Service) PathPrefixes() []string {
	return []string{"/v2/apis", "/restapis", "/_aws/execute-api/", "/v2/tags/"}
}

// MatchHost claims invoke hosts: {apiId}.execute-api.* and
// {urlId}.lambda-url.{region}.*.
func (s *Service) MatchHost(host string) bool {
	h := hostOnly(host)
	return strings.Contains(h, ".execute-api.") || strings.Contains(h, ".lambda-url.")
}

// ServeHTTP serves invocations (by host or /_aws/execute-api/) and the
// control planes.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := hostOnly(r.Host)
	switch {
	case strings.Contains(h, ".lambda-url."):
		s.serveFunctionURL(w, r, h)
	case strings.Contains(h, ".execute-api."):
		id, _, _ := strings.Cut(h, ".")
		s.serveExecute(w, r, id, r.URL.Path, r.URL.EscapedPath(), h)
	case strings.HasPrefix(r.URL.Path, "/_aws/execute-api/"):
		rest := strings.TrimPrefix(r.URL.Path, "/_aws/execute-api/")
		id, p, _ := strings.Cut(rest, "/")
		raw := strings.TrimPrefix(r.URL.EscapedPath(), "/_aws/execute-api/"+id)
		s.serveExecute(w, r, id, "/"+p, raw, id+".execute-api.localhost")
	default:
		s.mux.ServeHTTP(w, r)
	}
}

func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return strings.ToLower(h)
	}
	return strings.ToLower(host)
}

const idChars = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return string(b[:])
}

func (s *Service) now() time.Time { return s.clk.Now() }

// Bucket names.
func httpBucket(account, region string) string { return "apigateway/http/" + account + "/" + region }
func restBucket(account, region string) string { return "apigateway/rest/" + account + "/" + region }

const indexBucket = "apigateway/index"

func getDoc[T any](tx store.Tx, bucket, id string) (*T, error) {
	v := tx.Bucket(bucket).Get([]byte(id))
	if v == nil {
		return nil, nil
	}
	var doc T
	if err := json.Unmarshal(v, &doc); err != nil {
		return nil, fmt.Errorf("decode %s/%s: %w", bucket, id, err)
	}
	return &doc, nil
}

func putDoc(tx store.Tx, bucket, id string, doc any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", bucket, id, err)
	}
	return tx.Bucket(bucket).Put([]byte(id), b)
}

func putIndex(tx store.Tx, id string, ix apiIndex) error { return putDoc(tx, indexBucket, id, ix) }

func (s *Service) lookup(id string) (*apiIndex, error) {
	var ix *apiIndex
	err := s.st.View(func(tx store.Tx) error {
		var err error
		ix, err = getDoc[apiIndex](tx, indexBucket, id)
		return err
	})
	return ix, err
}

// endpoint is http://{id}.{service}.localhost:PORT for the host the caller
// used (the port of the request's Host header, 4566 when it has none).
func endpoint(ctx context.Context, id, label string) string {
	port := "4566"
	if _, p, err := net.SplitHostPort(edge.MetaFrom(ctx).Host); err == nil {
		port = p
	}
	return "http://" + id + "." + label + ".localhost:" + port
}

func isoTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z") }

// writeMessage answers an invocation with API Gateway's {"message": ...} body.
func writeMessage(w http.ResponseWriter, status int, msg, errType string) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if errType != "" {
		h.Set("x-amzn-ErrorType", errType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
