package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/lambda/runtime"
	"tenkai/internal/store"
)

// Executor runs invocations in execution environments. *runtime.Manager
// implements it; tests use fakes.
type Executor interface {
	// Invoke runs req on an environment for spec. Function errors come back
	// in the Result; the error is for runtime faults (runtime.ErrTooManyRequests,
	// runtime.ErrRuntimeUnavailable, context errors).
	Invoke(ctx context.Context, spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error)
	// Retire stops the function's environments whose Key differs from keep;
	// keep "" stops them all.
	Retire(account, region, functionName, keep string)
}

// CodeSource fetches deployment packages named by S3Bucket/S3Key. The
// composition root adapts the S3 service to it.
type CodeSource interface {
	GetObject(ctx context.Context, account, region, bucket, key, version string) ([]byte, error)
}

// ObjectWriter stores an S3 object. The composition root adapts the S3
// service to it.
type ObjectWriter interface {
	PutObject(ctx context.Context, account, region, bucket, key string, body []byte) error
}

// EventPublisher puts one event on an event bus (EventBridge). Destinations
// of asynchronous invocations use it.
type EventPublisher interface {
	// PutEvent publishes an event with the given source, detail-type and JSON
	// detail to the bus named by busARN.
	PutEvent(ctx context.Context, account, region, busARN, source, detailType string, detail []byte, resources []string) error
}

// TopicPublisher publishes to SNS topics: asynchronous invocation
// destinations, dead-letter targets and OnFailure destinations of event
// source mappings that are topics. The composition root adapts the SNS
// service to it. It is called concurrently.
type TopicPublisher interface {
	// PublishToTopic publishes message, with message attributes, to the
	// topic topicARN names.
	PublishToTopic(ctx context.Context, topicARN, message string, attrs map[string]QueueAttribute) error
}

// Config configures a Service. The zero value works with an in-memory store
// and no executor (invocations then fail with ServiceException).
type Config struct {
	Store    store.Store    // nil means a new in-memory store
	Clock    clock.Clock    // nil means the wall clock
	Logger   *slog.Logger   // nil means slog.Default()
	Executor Executor       // runs functions; nil refuses invocations
	Code     CodeSource     // S3 code; nil refuses S3Bucket/S3Key other than hot-reload
	Events   EventPublisher // event-bus destinations; nil drops them with a log line
	DataDir  string         // "" keeps zip packages in the store; else under DataDir/lambda/code
	WorkDir  string         // unpacked code; "" means os.TempDir()/tenkai-lambda-code-<pid>
	// Rand returns a number in [0, 1) for alias weighted routing; nil means math/rand/v2.
	Rand func() float64
	// Workers is the size of the asynchronous invocation pool; 0 means 4.
	Workers int
	// Streams reads DynamoDB streams for event source mappings; nil refuses
	// mappings (their streams are not found).
	Streams StreamReader
	// Queues is SQS: queue event sources, SQS destinations and dead-letter
	// queues; nil refuses queue mappings and logs what was meant for queues.
	Queues QueueClient
	// Objects writes the records of discarded batches to S3 OnFailure
	// destinations of event source mappings; nil logs them instead.
	Objects ObjectWriter
	// Topics is SNS: topic destinations and dead-letter topics; nil logs
	// what was meant for topics.
	Topics TopicPublisher
	// StreamPoll is how often an idle mapping reads its stream, on the wall
	// clock; 0 means 50ms.
	StreamPoll time.Duration
}

// Service is the Lambda API. It is safe for concurrent use.
type Service struct {
	cfg   Config
	st    store.Store
	clk   clock.Clock
	log   *slog.Logger
	exec  Executor
	mux   *http.ServeMux
	blobs *blobs
	unz   *unpacker
	hot   *hotDir
	async *asyncQueue
	esm   *esmRunner
	// tempWork is set when WorkDir was defaulted: Close removes it.
	tempWork bool

	randMu sync.Mutex // guards calls to cfg.Rand

	hotMu   sync.Mutex        // guards hotKeys
	hotKeys map[string]string // last Key of each hot-reloaded version
}

// New returns a Service; it does no I/O until Start.
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
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	tempWork := cfg.WorkDir == ""
	if tempWork {
		cfg.WorkDir = filepath.Join(os.TempDir(), fmt.Sprintf("tenkai-lambda-code-%d", os.Getpid()))
	}
	s := &Service{cfg: cfg, st: cfg.Store, clk: cfg.Clock, log: cfg.Logger.With("service", "lambda"), exec: cfg.Executor, tempWork: tempWork}
	s.blobs = &blobs{st: cfg.Store}
	if cfg.DataDir != "" {
		s.blobs.dir = filepath.Join(cfg.DataDir, "lambda", "code")
	}
	s.unz = &unpacker{dir: cfg.WorkDir, blobs: s.blobs}
	s.hot = &hotDir{interval: 500 * time.Millisecond}
	s.async = newAsyncQueue(s, cfg.Workers)
	s.esm = newESMRunner(s, cfg.StreamPoll)
	s.routes()
	return s
}

// Name is the SigV4 signing name.
func (s *Service) Name() string { return "lambda" }

// Protocol is restJson1.
func (s *Service) Protocol() edge.Protocol { return edge.ProtoRESTJSON }

// PathPrefixes route unsigned requests to Lambda.
func (s *Service) PathPrefixes() []string {
	return []string{"/2015-03-31/", "/2018-10-31/layers", "/2017-10-31/functions", "/2019-09-25/functions",
		"/2019-09-30/functions", "/2016-08-19/account-settings", "/2017-03-31/tags/", "/2014-11-13/functions",
		"/2020-06-30/functions", "/2021-07-20/functions", "/2021-10-31/functions", "/2024-08-31/functions"}
}

// ServeHTTP serves the Lambda REST API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Start resumes queued asynchronous invocations and the pollers of event
// source mappings.
func (s *Service) Start(ctx context.Context) error {
	if err := s.async.start(ctx); err != nil {
		return err
	}
	if err := s.esm.start(ctx); err != nil {
		return fmt.Errorf("load event source mappings: %w", err)
	}
	return nil
}

// Close stops the mapping pollers and the asynchronous workers (queued
// events and checkpoints stay in the store), then the executor when it has
// a Close method, and removes unpacked code when WorkDir was not configured.
func (s *Service) Close(ctx context.Context) error {
	s.esm.halt(false)
	s.async.stop()
	var err error
	if c, ok := s.exec.(interface{ Close(context.Context) error }); ok {
		err = c.Close(ctx)
	}
	if s.tempWork {
		os.RemoveAll(s.cfg.WorkDir)
	}
	return err
}

// Reset forgets in-memory state after the store was wiped and stops every
// execution environment (when the executor has a Reset method).
func (s *Service) Reset(ctx context.Context) error {
	s.esm.halt(true)
	s.async.reset()
	if r, ok := s.exec.(interface{ Reset(context.Context) error }); ok {
		return r.Reset(ctx)
	}
	return nil
}

func (s *Service) random() float64 {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.cfg.Rand()
}

func fnBucket(account, region string) string { return "lambda/functions/" + account + "/" + region }

func layerBucket(account, region string) string { return "lambda/layers/" + account + "/" + region }

func notFound(ref FuncRef) *edge.Error {
	return edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+ref.ARN())
}

// loadFunction reads a function document; it returns ResourceNotFoundException
// (naming ref) when absent.
func loadFunction(tx store.Tx, ref FuncRef) (*function, error) {
	v := tx.Bucket(fnBucket(ref.Account, ref.Region)).Get([]byte(ref.Name))
	if v == nil {
		return nil, notFound(ref)
	}
	var fn function
	if err := json.Unmarshal(v, &fn); err != nil {
		return nil, fmt.Errorf("decode function %s: %w", ref.Name, err)
	}
	return &fn, nil
}

func saveFunction(tx store.Tx, account, region string, fn *function) error {
	b, err := json.Marshal(fn)
	if err != nil {
		return fmt.Errorf("encode function %s: %w", fn.Name, err)
	}
	return tx.Bucket(fnBucket(account, region)).Put([]byte(fn.Name), b)
}

// view loads a function in a read transaction.
func (s *Service) view(ref FuncRef) (*function, error) {
	var fn *function
	err := s.st.View(func(tx store.Tx) error {
		var err error
		fn, err = loadFunction(tx, ref)
		return err
	})
	return fn, err
}

// modify loads, changes and saves a function in one transaction.
func (s *Service) modify(ref FuncRef, change func(fn *function) error) (*function, error) {
	var fn *function
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		if fn, err = loadFunction(tx, ref); err != nil {
			return err
		}
		if err := change(fn); err != nil {
			return err
		}
		return saveFunction(tx, ref.Account, ref.Region, fn)
	})
	return fn, err
}

// resolveVersion returns the version a qualifier names: "" or $LATEST, a
// version number, or an alias (its primary version).
func (fn *function) resolveVersion(ref FuncRef) (*version, error) {
	switch q := ref.Qualifier; {
	case q == "" || q == "$LATEST":
		return fn.Latest, nil
	case reVersion().MatchString(q):
		if v := fn.Versions[q]; v != nil {
			return v, nil
		}
	default:
		if a := fn.Aliases[q]; a != nil {
			if a.FunctionVersion == "$LATEST" {
				return fn.Latest, nil
			}
			if v := fn.Versions[a.FunctionVersion]; v != nil {
				return v, nil
			}
		}
	}
	return nil, notFound(ref)
}
