// Package sns is tenkai's Amazon SNS over awsQuery: standard and FIFO topics
// with their attributes and tags, subscriptions (sqs, lambda, http, https;
// email and sms ones are confirmed through a link in the log, and their
// messages logged, not sent), filter policies on the message attributes or
// body, Publish and PublishBatch with FIFO deduplication, and delivery to
// the subscribed endpoints, all kept in the store.
//
// SQS and Lambda endpoints are reached through the QueueSender and
// FunctionInvoker interfaces, adapted by the composition root; deliveries to
// them happen before Publish returns (both only enqueue). HTTP endpoints are
// posted to in the background, with retries; deliveries not done yet are
// kept in the store and resume after a restart. What a subscription cannot
// take goes to the SQS queue its RedrivePolicy names.
package sns

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// QueueSender sends a message to an SQS queue. It is called concurrently.
type QueueSender interface {
	// SendToQueue enqueues msg on the queue queueARN names.
	SendToQueue(ctx context.Context, queueARN string, msg QueueMessage) error
}

// QueueMessage is what a topic sends to a queue subscription.
type QueueMessage struct {
	Body       string
	Attributes map[string]MessageAttribute // raw delivery only; nil otherwise
	GroupID    string                      // FIFO topics
	DedupID    string                      // FIFO topics
}

// FunctionInvoker invokes Lambda functions. It is called concurrently.
type FunctionInvoker interface {
	// InvokeAsync invokes a function asynchronously (InvocationType Event).
	InvokeAsync(ctx context.Context, account, region, functionARN string, payload []byte) error
	// AllowsInvoke reports whether the function's resource policy lets
	// principal invoke it on behalf of sourceARN.
	AllowsInvoke(ctx context.Context, account, region, functionARN, principal, sourceARN string) bool
}

// Config configures the service. The zero value works.
type Config struct {
	Store     store.Store     // nil means a fresh in-memory store
	Clock     clock.Clock     // nil means the wall clock
	Logger    *slog.Logger    // nil means slog.Default()
	NewID     func() string   // message and subscription ids; nil means random UUIDs
	Queues    QueueSender     // nil logs and drops deliveries to sqs subscriptions
	Functions FunctionInvoker // nil logs and drops deliveries to lambda subscriptions
	// HTTP posts to http and https subscriptions; nil means a client with a
	// 15 second timeout.
	HTTP *http.Client
	// Endpoint is the URL tenkai serves on, for SubscribeURL and
	// UnsubscribeURL; nil or "" means AWS's regional SNS endpoint.
	Endpoint func() string
	// RetryDelay is the wait between HTTP delivery attempts; 0 means 20
	// seconds, AWS's default delivery policy.
	RetryDelay time.Duration
}

// Service serves the SNS API. It is safe for concurrent use.
type Service struct {
	st    store.Store
	clk   clock.Clock
	log   *slog.Logger
	newID func() string
	cfg   Config
	ops   map[string]edge.QueryHandler

	filters sync.Map // policy scope + "\x00" + policy text → *Filter, compiled once
	// order holds a *sync.Mutex per FIFO topic ARN, held from sequence
	// number assignment through delivery so queues get messages in
	// sequence order. Standard topics take none.
	order sync.Map

	runMu   sync.Mutex         // guards ctx, cancel, started, closed and running
	started bool               // Start has run (and resumed deliveries)
	closed  bool               // Close has run and no Start since
	ctx     context.Context    // ends HTTP deliveries on Close
	cancel  context.CancelFunc // nil before Start and after Close
	running map[string]bool    // ids of the HTTP deliveries with a goroutine
	wg      sync.WaitGroup     // HTTP deliveries under way
}

// New returns the service. It does no I/O.
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
		cfg.NewID = edge.NewUUID
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 20 * time.Second
	}
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, newID: cfg.NewID, cfg: cfg}
	s.ops = map[string]edge.QueryHandler{
		"CreateTopic":               s.createTopic,
		"DeleteTopic":               s.deleteTopic,
		"ListTopics":                s.listTopics,
		"GetTopicAttributes":        s.getTopicAttributes,
		"SetTopicAttributes":        s.setTopicAttributes,
		"Subscribe":                 s.subscribe,
		"ConfirmSubscription":       s.confirmSubscription,
		"Unsubscribe":               s.unsubscribe,
		"ListSubscriptions":         s.listSubscriptions,
		"ListSubscriptionsByTopic":  s.listSubscriptionsByTopic,
		"GetSubscriptionAttributes": s.getSubscriptionAttributes,
		"SetSubscriptionAttributes": s.setSubscriptionAttributes,
		"Publish":                   s.publishAction,
		"PublishBatch":              s.publishBatch,
		"TagResource":               s.tagResource,
		"UntagResource":             s.untagResource,
		"ListTagsForResource":       s.listTagsForResource,
	}
	return s
}

// Name is the SigV4 signing name.
func (s *Service) Name() string { return "sns" }

// XMLNamespace is the xmlns of SNS's XML answers.
func (s *Service) XMLNamespace() string { return "http://sns.amazonaws.com/doc/2010-03-31/" }

// Actions lists the operations, sorted, for unsigned requests (a
// SubscribeURL opened in a browser).
func (s *Service) Actions() []string {
	out := make([]string, 0, len(s.ops))
	for a := range s.ops {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Op returns the handler for an action, or nil.
func (s *Service) Op(action string) edge.QueryHandler { return s.ops[action] }

// Start resumes the HTTP deliveries a previous run left unfinished and
// lets deliveries run until Close. Only the first call resumes. Other
// services may publish before Start; deliveries already under way then are
// not started again.
func (s *Service) Start(ctx context.Context) error {
	s.runMu.Lock()
	if s.cancel == nil {
		s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	}
	s.closed = false
	first := !s.started
	s.started = true
	s.runMu.Unlock()
	if !first {
		return nil
	}
	return s.resume()
}

// Reset drops the HTTP deliveries under way; the store has been wiped
// already, so their subscriptions are gone.
func (s *Service) Reset(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	return nil
}

// testHookCloseUnlocked, when set by a test, runs in Close after it
// releases runMu and before it waits for the deliveries.
var testHookCloseUnlocked func()

// Close ends the HTTP deliveries under way (their retries are dropped) and
// waits for them.
func (s *Service) Close(ctx context.Context) error {
	// Marking closed and cancelling under runMu means no claim, and so no
	// wg.Add, can follow; Wait below then sees every delivery.
	s.runMu.Lock()
	s.closed = true
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.runMu.Unlock()
	if testHookCloseUnlocked != nil {
		testHookCloseUnlocked()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// claimLocked returns the context HTTP delivery id runs under, marks it
// running and registers it with wg. It returns false once the service is
// closed or while another goroutine runs the delivery. Before Start (a
// service publishing first, or a test that never starts this one)
// deliveries run under a context of their own. runMu must be held.
func (s *Service) claimLocked(id string) (context.Context, bool) {
	if s.closed {
		return nil, false
	}
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	if s.ctx.Err() != nil || s.running[id] {
		return nil, false
	}
	if s.running == nil {
		s.running = map[string]bool{}
	}
	s.running[id] = true
	s.wg.Add(1)
	return s.ctx, true
}

// release ends a claim of claimLocked.
func (s *Service) release(id string) {
	s.runMu.Lock()
	delete(s.running, id)
	s.runMu.Unlock()
	s.wg.Done()
}

// endpoint is the base URL of SubscribeURL and UnsubscribeURL.
func (s *Service) endpoint(region string) string {
	if s.cfg.Endpoint != nil {
		if e := s.cfg.Endpoint(); e != "" {
			return e
		}
	}
	return "https://sns." + region + ".amazonaws.com"
}

// actionURL is a GET link to an action on this server.
func (s *Service) actionURL(region, action string, params url.Values) string {
	params.Set("Action", action)
	return s.endpoint(region) + "/?" + params.Encode()
}
