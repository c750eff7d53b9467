// Package logs is tenkai's CloudWatch Logs over awsJson1_1: log groups and
// streams, PutLogEvents, GetLogEvents and FilterLogEvents (with the filter
// pattern language of package filter), retention enforced on the clock,
// tags, deletion protection, metric filters (kept and testable, no metrics
// emitted), subscription filters delivering to Lambda, resource policies
// (kept, not enforced) and Logs Insights queries (package insights).
//
// Other services write logs with Append, which creates the group and the
// stream as Lambda's logging does.
package logs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Config configures the service. The zero value works.
type Config struct {
	Store  store.Store  // nil means a fresh in-memory store
	Clock  clock.Clock  // nil means the wall clock
	Logger *slog.Logger // nil means slog.Default()
	// Functions delivers subscription filter events to Lambda; nil leaves
	// subscriptions undelivered.
	Functions FunctionInvoker
	// SweepEvery is how often events past their group's retention are
	// deleted from the store; 0 means 10 minutes. Reads hide them at once.
	SweepEvery time.Duration
}

// Service serves the CloudWatch Logs API. It is safe for concurrent use.
type Service struct {
	st    store.Store
	clk   clock.Clock
	log   *slog.Logger
	sweep time.Duration
	ops   map[string]edge.JSONHandler
	fn    FunctionInvoker // may be nil

	patterns sync.Map      // filter pattern source → *filter.Pattern, for subscriptions
	slots    chan struct{} // one token per subscription delivery under way

	mu     sync.Mutex // guards cancel
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
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = 10 * time.Minute
	}
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, sweep: cfg.SweepEvery, fn: cfg.Functions,
		slots: make(chan struct{}, maxDeliveries)}
	s.ops = map[string]edge.JSONHandler{
		"CreateLogGroup":                edge.JSON(s.createLogGroup),
		"DescribeLogGroups":             edge.JSON(s.describeLogGroups),
		"ListLogGroups":                 edge.JSON(s.listLogGroups),
		"DeleteLogGroup":                edge.JSON(s.deleteLogGroup),
		"PutLogGroupDeletionProtection": edge.JSON(s.putLogGroupDeletionProtection),
		"PutRetentionPolicy":            edge.JSON(s.putRetentionPolicy),
		"DeleteRetentionPolicy":         edge.JSON(s.deleteRetentionPolicy),
		"CreateLogStream":               edge.JSON(s.createLogStream),
		"DeleteLogStream":               edge.JSON(s.deleteLogStream),
		"DescribeLogStreams":            edge.JSON(s.describeLogStreams),
		"PutLogEvents":                  s.putLogEventsHandler,
		"GetLogEvents":                  edge.JSON(s.getLogEvents),
		"FilterLogEvents":               edge.JSON(s.filterLogEvents),
		"PutMetricFilter":               edge.JSON(s.putMetricFilter),
		"DescribeMetricFilters":         edge.JSON(s.describeMetricFilters),
		"DeleteMetricFilter":            edge.JSON(s.deleteMetricFilter),
		"TestMetricFilter":              edge.JSON(s.testMetricFilter),
		"PutSubscriptionFilter":         edge.JSON(s.putSubscriptionFilter),
		"DescribeSubscriptionFilters":   edge.JSON(s.describeSubscriptionFilters),
		"DeleteSubscriptionFilter":      edge.JSON(s.deleteSubscriptionFilter),
		"PutResourcePolicy":             edge.JSON(s.putResourcePolicy),
		"DescribeResourcePolicies":      edge.JSON(s.describeResourcePolicies),
		"DeleteResourcePolicy":          edge.JSON(s.deleteResourcePolicy),
		"StartQuery":                    edge.JSON(s.startQuery),
		"GetQueryResults":               edge.JSON(s.getQueryResults),
		"StopQuery":                     edge.JSON(s.stopQuery),
		"DescribeQueries":               edge.JSON(s.describeQueries),
		"GetLogRecord":                  edge.JSON(s.getLogRecord),
		"TagResource":                   edge.JSON(s.tagResource),
		"UntagResource":                 edge.JSON(s.untagResource),
		"ListTagsForResource":           edge.JSON(s.listTagsForResource),
		"TagLogGroup":                   edge.JSON(s.tagLogGroup),
		"UntagLogGroup":                 edge.JSON(s.untagLogGroup),
		"ListTagsLogGroup":              edge.JSON(s.listTagsLogGroup),
	}
	return s
}

// Name is the SigV4 signing name.
func (s *Service) Name() string { return "logs" }

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs.
func (s *Service) TargetPrefix() string { return "Logs_20140328" }

// JSONVersion is awsJson1_1.
func (s *Service) JSONVersion() string { return "1.1" }

// Op returns the handler for an operation, or nil.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Start begins the retention sweeper.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return nil
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.done = make(chan struct{})
	go s.sweeper(ctx, s.done)
	return nil
}

// Close stops the sweeper and waits for subscription deliveries under way.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Holding every slot means no delivery is under way.
	for i := 0; i < cap(s.slots); i++ {
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			for ; i > 0; i-- {
				<-s.slots
			}
			return ctx.Err()
		}
	}
	for i := 0; i < cap(s.slots); i++ {
		<-s.slots
	}
	return nil
}

func (s *Service) sweeper(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		if err := clock.Sleep(ctx, s.clk, s.sweep); err != nil {
			return
		}
		if err := s.PurgeExpired(ctx); err != nil {
			s.log.Warn("logs: purge expired events", "err", err)
		}
	}
}

// nowMillis is the clock's time in epoch milliseconds, the unit of every
// CloudWatch Logs timestamp.
func (s *Service) nowMillis() int64 { return s.clk.Now().UnixMilli() }

// Errors with AWS's texts.
func errInvalid(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidParameterException", format, args...)
}

func errGroupNotFound() *edge.Error {
	return edge.Errorf("ResourceNotFoundException", "The specified log group does not exist.")
}

func errStreamNotFound() *edge.Error {
	return edge.Errorf("ResourceNotFoundException", "The specified log stream does not exist.")
}

func errMissing(member string) *edge.Error {
	return errInvalid("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}
