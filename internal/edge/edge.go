// Package edge is tenkai's front door: it resolves each HTTP request to a
// service and operation (X-Amz-Target, REST path, query Action), reads the
// caller's account and region, assigns request ids, enforces size limits and
// encodes AWS errors in the protocol of the request.
package edge

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// Protocol is an AWS wire protocol.
type Protocol int

// The protocols the edge speaks.
const (
	ProtoJSON     Protocol = iota + 1 // awsJson1_0 / awsJson1_1
	ProtoQuery                        // awsQuery
	ProtoRESTJSON                     // restJson1
	ProtoRESTXML                      // REST-XML (S3)
)

// Service is one AWS service served by the edge. A service also implements
// exactly one of JSONService, QueryService or RESTService.
type Service interface {
	// Name is the service's SigV4 signing name: "s3", "logs", "lambda", ...
	Name() string
}

// Resetter is implemented by services that keep state outside the store.
type Resetter interface {
	Reset(ctx context.Context) error
}

// Meta describes the request being served; handlers read it with MetaFrom.
type Meta struct {
	RequestID string
	Account   string
	Region    string
	AccessKey string
	Service   string
	Operation string
	Protocol  Protocol
	// Host is the Host header the client used, for URLs that point back at tenkai.
	Host string

	jsonVersion string       // awsJson requests: "1.0" or "1.1", for the error Content-Type
	log         *slog.Logger // where writeError reports internal failures; nil outside the edge
}

type metaKey struct{}

// MetaFrom returns the request's metadata. Outside a request it returns a Meta
// for the default account in us-east-1.
func MetaFrom(ctx context.Context) *Meta {
	if m, ok := ctx.Value(metaKey{}).(*Meta); ok {
		return m
	}
	return &Meta{Account: DefaultAccount, Region: DefaultRegion}
}

// WithMeta returns ctx carrying m, for calls made on a request's behalf.
func WithMeta(ctx context.Context, m *Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// Defaults for unsigned requests.
const (
	DefaultAccount = "000000000000"
	DefaultRegion  = "us-east-1"
)

// Config configures an Edge. The zero value works.
type Config struct {
	Logger         *slog.Logger  // nil means slog.Default()
	DefaultAccount string        // "" means 000000000000
	MaxBody        int64         // limit for awsJson and awsQuery bodies; 0 means 20 MiB
	NewID          func() string // request ids; nil means random UUIDs
	// Reset wipes all state; it answers POST /_tenkai/reset and /moto-api/reset.
	Reset   func(ctx context.Context) error
	Version string
}

// Edge routes requests to services. Register every service before serving.
type Edge struct {
	cfg     Config
	log     *slog.Logger
	json    map[string]JSONService  // by X-Amz-Target prefix
	query   map[string]QueryService // by signing name
	rest    map[string]RESTService  // by signing name
	byName  map[string]Service
	prefix  []pathRoute // REST path prefixes, longest first
	hosts   []RESTService
	deflt   RESTService // S3: what an unsigned request with no other match is for
	admin   *http.ServeMux
	unknown sync.Map // "service.op" logged once
}

type pathRoute struct {
	prefix string
	svc    RESTService
}

// New returns an Edge with no services.
func New(cfg Config) *Edge {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DefaultAccount == "" {
		cfg.DefaultAccount = DefaultAccount
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 20 << 20
	}
	if cfg.NewID == nil {
		cfg.NewID = NewUUID
	}
	e := &Edge{
		cfg: cfg, log: cfg.Logger,
		json: map[string]JSONService{}, query: map[string]QueryService{},
		rest: map[string]RESTService{}, byName: map[string]Service{},
		admin: http.NewServeMux(),
	}
	e.admin.HandleFunc("GET /_tenkai/health", e.health)
	e.admin.HandleFunc("POST /_tenkai/reset", e.reset)
	e.admin.HandleFunc("POST /moto-api/reset", e.reset)
	return e
}

// Register adds a service. It panics on a service of no known kind, which is a
// wiring mistake caught at startup.
func (e *Edge) Register(s Service) {
	// Services may share a signing name (DynamoDB and DynamoDB Streams);
	// the first registered answers for the name in health.
	if _, dup := e.byName[s.Name()]; !dup {
		e.byName[s.Name()] = s
	}
	switch v := s.(type) {
	case JSONService:
		e.json[v.TargetPrefix()] = v
	case QueryService:
		e.query[v.Name()] = v
	case RESTService:
		e.rest[v.Name()] = v
		for _, p := range v.PathPrefixes() {
			e.prefix = append(e.prefix, pathRoute{p, v})
		}
		sort.Slice(e.prefix, func(i, j int) bool { return len(e.prefix[i].prefix) > len(e.prefix[j].prefix) })
		if _, ok := v.(HostMatcher); ok {
			e.hosts = append(e.hosts, v)
		}
		if v.Name() == "s3" {
			e.deflt = v
		}
	default:
		panic("edge: service " + s.Name() + " implements no protocol")
	}
}

// HandleAdmin serves an extra tenkai endpoint (pattern as http.ServeMux, under /_tenkai/).
func (e *Edge) HandleAdmin(pattern string, h http.Handler) { e.admin.Handle(pattern, h) }

// Services returns the registered service names, sorted.
func (e *Edge) Services() []string {
	names := make([]string, 0, len(e.byName))
	for n := range e.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// request is the per-request state the edge keeps: one allocation for the
// metadata and the status-recording writer.
type request struct {
	m  Meta
	sw statusWriter
}

// ServeHTTP routes one request. No panic escapes it.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	debugLog := e.log.Enabled(r.Context(), slog.LevelDebug)
	var start time.Time
	if debugLog {
		start = time.Now()
	}
	rq := &request{m: Meta{RequestID: e.cfg.NewID(), Host: r.Host, log: e.log}, sw: statusWriter{ResponseWriter: w}}
	m, sw := &rq.m, &rq.sw
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("panic serving request", "service", m.Service, "operation", m.Operation,
				"request_id", m.RequestID, "panic", p, "stack", string(debug.Stack()))
			if !sw.wrote {
				writeError(sw, r, m, &Error{Code: "InternalFailure", Message: "An internal error occurred.", Status: 500, Receiver: true})
			}
		}
		if debugLog {
			e.log.Debug("request", "service", m.Service, "operation", m.Operation, "status", sw.status,
				"account", m.Account, "region", m.Region, "ms", float64(time.Since(start).Microseconds())/1000, "request_id", m.RequestID)
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/_tenkai/") || r.URL.Path == "/moto-api/reset" {
		if h, pat := e.admin.Handler(r); pat != "" {
			h.ServeHTTP(sw, r)
			return
		}
	}
	id, aerr := parseIdentity(r, e.cfg.DefaultAccount)
	m.Account, m.Region, m.AccessKey, m.Service = id.Account, id.Region, id.AccessKey, id.Service
	if m.Region == "" {
		m.Region = DefaultRegion
	}
	ctx := WithMeta(r.Context(), m)
	r = r.WithContext(ctx)

	// Host-addressed endpoints (API Gateway invoke URLs, function URLs) come
	// first: browsers and curl send them unsigned.
	for _, s := range e.hosts {
		if s.(HostMatcher).MatchHost(r.Host) {
			m.Service, m.Protocol = s.Name(), s.Protocol()
			s.ServeHTTP(sw, r)
			return
		}
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		m.Protocol = ProtoJSON
		if aerr != nil {
			writeError(sw, r, m, aerr)
			return
		}
		e.serveJSON(sw, r, m, target)
		return
	}
	if s, ok := e.restFor(r, id.Service); ok {
		m.Service, m.Protocol = s.Name(), s.Protocol()
		if aerr != nil {
			writeError(sw, r, m, aerr)
			return
		}
		s.ServeHTTP(sw, r)
		return
	}
	if q, ok := e.queryFor(r, id.Service); ok {
		m.Service, m.Protocol = q.Name(), ProtoQuery
		if aerr != nil {
			writeError(sw, r, m, aerr)
			return
		}
		e.serveQuery(sw, r, m, q)
		return
	}
	m.Protocol = ProtoRESTJSON
	if aerr != nil {
		writeError(sw, r, m, aerr)
		return
	}
	writeError(sw, r, m, NewError(http.StatusNotFound, "UnknownOperationException",
		"No service handles "+r.Method+" "+truncate(r.URL.Path, 200)))
}

// restFor picks the REST service for a request: by signing name, then by path
// prefix, then S3 for anything that is not a query-protocol call.
func (e *Edge) restFor(r *http.Request, signing string) (RESTService, bool) {
	if s, ok := e.rest[signing]; ok {
		return s, true
	}
	if _, ok := e.query[signing]; ok {
		return nil, false
	}
	for _, p := range e.prefix {
		if strings.HasPrefix(r.URL.Path, p.prefix) {
			return p.svc, true
		}
	}
	if isQueryCall(r) {
		return nil, false
	}
	if e.deflt != nil {
		return e.deflt, true
	}
	return nil, false
}

func isQueryCall(r *http.Request) bool {
	if r.URL.Query().Get("Action") != "" {
		return true
	}
	ct := r.Header.Get("Content-Type")
	return r.Method == http.MethodPost && r.URL.Path == "/" && strings.HasPrefix(ct, "application/x-www-form-urlencoded")
}

func (e *Edge) health(w http.ResponseWriter, r *http.Request) {
	services := map[string]string{}
	for _, n := range e.Services() {
		state := "running"
		if st, ok := e.byName[n].(interface{ State() string }); ok {
			state = st.State()
		}
		services[n] = state
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "running", "version": e.cfg.Version, "services": services})
}

func (e *Edge) reset(w http.ResponseWriter, r *http.Request) {
	if e.cfg.Reset != nil {
		if err := e.cfg.Reset(r.Context()); err != nil {
			e.log.Error("reset failed", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]any{"reset": false, "error": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reset": true})
}

// logUnknown logs an unimplemented operation once, so gaps are visible.
func (e *Edge) logUnknown(service, op string) {
	if _, seen := e.unknown.LoadOrStore(service+"."+op, true); !seen {
		e.log.Warn("unsupported operation", "service", service, "operation", op)
	}
}

// NewUUID returns a random RFC 4122 version 4 UUID. Request ids need to be
// unique, not secret, so it draws from the runtime's per-thread ChaCha8
// generator rather than the kernel's: no system call on the request path.
func NewUUID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming handlers (log tail, webhooks tail) flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
