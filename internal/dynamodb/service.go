// Package dynamodb is tenkai's Amazon DynamoDB: tables with global and local
// secondary indexes, items, Query and Scan, batches, transactions, TTL,
// tags and a subset of PartiQL, served over awsJson1_0, and DynamoDB
// Streams (Service.Streams), whose records are written with the item
// changes they describe.
//
// Items live in the store, one bucket per table and one per index, keyed by
// the order-preserving encodings of attr.AppendKey (partition key, then sort
// key), so a Query is a range scan. Every write, including the index
// entries it implies, is one store transaction: concurrent writers to the
// same item serialise and never lose an update.
//
// Other services call operations through Call with the operation's wire
// JSON, as Step Functions' optimised DynamoDB integrations do.
package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Config configures the service. The zero value works.
type Config struct {
	Store  store.Store  // nil means a fresh in-memory store
	Clock  clock.Clock  // nil means the wall clock
	Logger *slog.Logger // nil means slog.Default()
	// ReapEvery is how often (in clock time) items whose TTL has passed are
	// deleted; 0 means 10 seconds.
	ReapEvery time.Duration
}

// Service serves the DynamoDB API. It is safe for concurrent use.
type Service struct {
	st   store.Store
	clk  clock.Clock
	log  *slog.Logger
	reap time.Duration
	ops  map[string]edge.JSONHandler

	mu     sync.RWMutex      // guards tables
	tables map[string]*table // parsed schemas by scope key; a cache of the meta bucket
	gen    uint64            // counts schema changes, so a slow lookup never caches a stale schema

	// streamGen counts stream enables and disables. It is bumped inside the
	// transaction that makes one, so a write whose table view is older
	// notices in its own transaction and rereads the stream setting.
	streamGen atomic.Uint64
	// metaChanging counts UpdateTable/DeleteTable transactions under way.
	// With bbolt a reader does not wait for a writer, so a view read while
	// one runs may predate its stream change although streamGen already
	// counts it; such views carry staleGen and writes through them reread
	// the stream setting in their own transaction.
	metaChanging atomic.Int64

	runMu  sync.Mutex // guards cancel and done
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns the service; it does no I/O until Start.
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
	if cfg.ReapEvery <= 0 {
		cfg.ReapEvery = 10 * time.Second
	}
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, reap: cfg.ReapEvery,
		tables: map[string]*table{}}
	s.ops = map[string]edge.JSONHandler{
		"CreateTable":           op(s.createTable),
		"DescribeTable":         op(s.describeTable),
		"UpdateTable":           op(s.updateTable),
		"DeleteTable":           op(s.deleteTable),
		"ListTables":            op(s.listTables),
		"UpdateTimeToLive":      op(s.updateTimeToLive),
		"DescribeTimeToLive":    op(s.describeTimeToLive),
		"PutItem":               op(s.putItem),
		"GetItem":               op(s.getItem),
		"UpdateItem":            op(s.updateItem),
		"DeleteItem":            op(s.deleteItem),
		"Query":                 op(s.query),
		"Scan":                  op(s.scan),
		"BatchGetItem":          op(s.batchGetItem),
		"BatchWriteItem":        op(s.batchWriteItem),
		"TransactWriteItems":    op(s.transactWriteItems),
		"TransactGetItems":      op(s.transactGetItems),
		"ExecuteStatement":      op(s.executeStatement),
		"BatchExecuteStatement": op(s.batchExecuteStatement),
		"TagResource":           op(s.tagResource),
		"UntagResource":         op(s.untagResource),
		"ListTagsOfResource":    op(s.listTagsOfResource),
		"DescribeEndpoints":     op(s.describeEndpoints),
		"DescribeLimits":        op(s.describeLimits),

		"DescribeContinuousBackups":           op(s.describeContinuousBackups),
		"UpdateContinuousBackups":             op(s.updateContinuousBackups),
		"ListBackups":                         op(s.listBackups),
		"ListGlobalTables":                    op(s.listGlobalTables),
		"DescribeContributorInsights":         op(s.describeContributorInsights),
		"DescribeKinesisStreamingDestination": op(s.describeKinesisStreamingDestination),
	}
	return s
}

// Name is the SigV4 signing name.
func (s *Service) Name() string { return "dynamodb" }

// TargetPrefix is DynamoDB's X-Amz-Target prefix.
func (s *Service) TargetPrefix() string { return "DynamoDB_20120810" }

// JSONVersion is awsJson1_0.
func (s *Service) JSONVersion() string { return "1.0" }

// Op returns the handler for an operation, or nil.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Call runs one operation for (account, region) with its request wire JSON
// and returns the response wire JSON, exactly as the HTTP API would. Errors
// are *edge.Error values carrying DynamoDB's error code and message (and
// extra members such as CancellationReasons or Item). Step Functions uses it
// for the dynamodb:putItem, getItem, updateItem and deleteItem integrations.
// It is safe for concurrent use.
func (s *Service) Call(ctx context.Context, account, region, operation string, input []byte) ([]byte, error) {
	h := s.ops[operation]
	if h == nil {
		return nil, edge.Errorf("UnknownOperationException", "Unknown operation %s", operation)
	}
	m := &edge.Meta{Account: account, Region: region, Service: s.Name(), Operation: operation}
	out, err := h(edge.WithMeta(ctx, m), input)
	if err != nil {
		var e *edge.Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, edge.NewError(500, "InternalServerError", err.Error())
	}
	if raw, ok := out.(json.RawMessage); ok {
		return raw, nil
	}
	if out == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(out)
}

// Start begins the TTL reaper, which also trims stream records.
func (s *Service) Start(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.cancel != nil {
		return nil
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.done = make(chan struct{})
	go s.reaper(ctx, s.done)
	return nil
}

// Close stops the TTL reaper.
func (s *Service) Close(ctx context.Context) error {
	s.runMu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.runMu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Reset forgets cached schemas; the app resets the store itself.
func (s *Service) Reset(ctx context.Context) error {
	s.forgetAll()
	return nil
}

// op adapts a core function taking the raw body to a JSON handler, turning
// attr/expr errors into DynamoDB's error bodies.
func op[Out any](f func(ctx context.Context, sc scope, body []byte) (Out, error)) edge.JSONHandler {
	return func(ctx context.Context, body []byte) (any, error) {
		m := edge.MetaFrom(ctx)
		sc := scope{account: edge.DefaultAccount, region: edge.DefaultRegion}
		if m != nil {
			if m.Account != "" {
				sc.account = m.Account
			}
			if m.Region != "" {
				sc.region = m.Region
			}
		}
		out, err := f(ctx, sc, body)
		if err != nil {
			return nil, apiError(err)
		}
		return out, nil
	}
}

// apiError converts attr/expr errors to edge errors.
func apiError(err error) error {
	var ae *attr.Error
	if errors.As(err, &ae) {
		return edge.Errorf(ae.Code, "%s", ae.Message)
	}
	return err
}

// scope is the (account, region) a request acts in.
type scope struct{ account, region string }

func (sc scope) key() string { return sc.account + "/" + sc.region }

// decode decodes a request body like edge.DecodeJSON, but passes on the
// *attr.Error of an invalid attribute value (a ValidationException) instead
// of calling it malformed JSON.
func decode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return edge.Errorf("SerializationException", "Start of structure or map found where not expected.")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var ae *attr.Error
	if errors.As(err, &ae) {
		return edge.Errorf(ae.Code, "%s", ae.Message)
	}
	return edge.DecodeJSON(body, v)
}
