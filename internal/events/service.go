package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/events/pattern"
	"tenkai/internal/store"
)

// FunctionInvoker invokes Lambda targets.
type FunctionInvoker interface {
	// InvokeAsync queues an Event invocation of functionARN (qualified or not).
	InvokeAsync(ctx context.Context, account, region, functionARN string, payload []byte) error
	// AllowsInvoke reports whether the function's resource policy lets principal
	// invoke it on behalf of sourceARN.
	AllowsInvoke(ctx context.Context, account, region, functionARN, principal, sourceARN string) bool
}

// ExecutionStarter starts Step Functions executions for targets.
type ExecutionStarter interface {
	StartExecution(ctx context.Context, account, region, stateMachineARN string, input []byte) error
}

// LogWriter writes to CloudWatch Logs for log-group targets, creating the stream.
type LogWriter interface {
	WriteLog(ctx context.Context, account, region, group, stream string, at time.Time, message string) error
}

// QueueSender sends messages to SQS queue targets.
type QueueSender interface {
	// SendToQueue enqueues body on the queue queueARN names; groupID is the
	// message group for FIFO queues ("" for none).
	SendToQueue(ctx context.Context, queueARN string, body []byte, groupID string) error
}

// TopicPublisher publishes messages to SNS topic targets.
type TopicPublisher interface {
	// PublishToTopic publishes body as the message of the topic topicARN
	// names.
	PublishToTopic(ctx context.Context, topicARN string, body []byte) error
}

// Config configures the service. Target interfaces left nil make deliveries
// to that kind of target fail (recorded, as in AWS when a target is unreachable).
type Config struct {
	Store      store.Store
	Clock      clock.Clock  // nil means the wall clock
	Logger     *slog.Logger // nil means slog.Default()
	Functions  FunctionInvoker
	Executions ExecutionStarter
	Logs       LogWriter
	Queues     QueueSender
	Topics     TopicPublisher
	HTTPClient *http.Client // for API destinations; nil means a client with a 5 s timeout
	NewID      func() string
	// Durable keeps pending deliveries in the store so they resume after a restart.
	Durable bool
	Workers int // delivery goroutines; 0 means 4
	// MaxQueued bounds deliveries waiting for a worker; beyond it new ones are
	// dropped and recorded. 0 means 100000.
	MaxQueued int
}

// Service is EventBridge.
type Service struct {
	cfg   Config
	st    store.Store
	clk   clock.Clock
	log   *slog.Logger
	ops   map[string]edge.JSONHandler
	mu    sync.RWMutex         // guards index
	index map[string]*busIndex // by account|region|bus
	gen   uint64               // guarded by mu; bumped by every rule change and Reset

	q     *queue
	sched *scheduler
	rec   *recorder
	rate  *rateLimiters
	stop  context.CancelFunc
	wg    sync.WaitGroup

	epoch  atomic.Uint64 // bumped by Reset and Close; retries from an earlier epoch are dropped
	bootID string        // distinguishes this process's delivery ids from resumed ones
	seq    atomic.Uint64 // last delivery id number
}

// busIndex is the compiled, enabled pattern rules of one bus.
type busIndex struct {
	set    *pattern.Set
	rules  map[string]*Rule
	exists bool // the bus itself exists
}

// New returns the service; Start begins delivery and schedules.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.NewID == nil {
		cfg.NewID = edge.NewUUID
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	if cfg.MaxQueued == 0 {
		cfg.MaxQueued = 100000
	}
	s := &Service{cfg: cfg, st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, index: map[string]*busIndex{},
		q: newQueue(), rec: newRecorder(200), rate: newRateLimiters(cfg.Clock)}
	s.sched = newScheduler(s)
	s.bootID = cfg.NewID()
	s.ops = map[string]edge.JSONHandler{
		"CreateEventBus":         edge.JSON(s.createEventBus),
		"DescribeEventBus":       edge.JSON(s.describeEventBus),
		"DeleteEventBus":         edge.JSON(s.deleteEventBus),
		"ListEventBuses":         edge.JSON(s.listEventBuses),
		"UpdateEventBus":         edge.JSON(s.updateEventBus),
		"PutRule":                edge.JSON(s.putRule),
		"DescribeRule":           edge.JSON(s.describeRule),
		"DeleteRule":             edge.JSON(s.deleteRule),
		"ListRules":              edge.JSON(s.listRules),
		"EnableRule":             edge.JSON(s.enableRule),
		"DisableRule":            edge.JSON(s.disableRule),
		"PutTargets":             edge.JSON(s.putTargets),
		"RemoveTargets":          edge.JSON(s.removeTargets),
		"ListTargetsByRule":      edge.JSON(s.listTargetsByRule),
		"ListRuleNamesByTarget":  edge.JSON(s.listRuleNamesByTarget),
		"PutEvents":              edge.JSON(s.putEvents),
		"TestEventPattern":       edge.JSON(s.testEventPattern),
		"TagResource":            edge.JSON(s.tagResource),
		"UntagResource":          edge.JSON(s.untagResource),
		"ListTagsForResource":    edge.JSON(s.listTagsForResource),
		"CreateConnection":       edge.JSON(s.createConnection),
		"DescribeConnection":     edge.JSON(s.describeConnection),
		"UpdateConnection":       edge.JSON(s.updateConnection),
		"DeleteConnection":       edge.JSON(s.deleteConnection),
		"ListConnections":        edge.JSON(s.listConnections),
		"CreateApiDestination":   edge.JSON(s.createAPIDestination),
		"DescribeApiDestination": edge.JSON(s.describeAPIDestination),
		"UpdateApiDestination":   edge.JSON(s.updateAPIDestination),
		"DeleteApiDestination":   edge.JSON(s.deleteAPIDestination),
		"ListApiDestinations":    edge.JSON(s.listAPIDestinations),
	}
	return s
}

// Name is the signing name.
func (s *Service) Name() string { return "events" }

// TargetPrefix is the X-Amz-Target prefix.
func (s *Service) TargetPrefix() string { return "AWSEvents" }

// JSONVersion is awsJson1_1.
func (s *Service) JSONVersion() string { return "1.1" }

// Op returns an operation's handler.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Start runs the delivery workers and arms the schedules of stored rules.
func (s *Service) Start(ctx context.Context) error {
	ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	for i := 0; i < s.cfg.Workers; i++ {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.work(ctx)
		}()
	}
	if err := s.resumePending(); err != nil {
		return fmt.Errorf("resume deliveries: %w", err)
	}
	return s.sched.loadAll()
}

// Close stops delivery and schedules.
func (s *Service) Close(ctx context.Context) error {
	s.epoch.Add(1)
	s.sched.stopAll()
	if s.stop != nil {
		s.stop()
	}
	s.q.close()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Reset forgets cached indexes, schedules, queued deliveries, pending retries
// and rate-limit reservations.
func (s *Service) Reset(ctx context.Context) error {
	s.epoch.Add(1)
	s.mu.Lock()
	s.index = map[string]*busIndex{}
	s.gen++
	s.mu.Unlock()
	s.sched.stopAll()
	s.q.drain()
	s.rec.reset()
	s.rate.reset()
	return nil
}

// Handler serves /_tenkai/events/deliveries: the recent delivery attempts.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"deliveries": s.rec.list()})
	})
}

// deliveryID names a delivery in the pending bucket. It is a counter rather
// than a UUID: deliveries are internal, and one is made per matched target.
func (s *Service) deliveryID() string {
	return s.bootID + "-" + strconv.FormatUint(s.seq.Add(1), 36)
}

// Storage layout.
func busBucket(acct, region string) string  { return "events/buses/" + acct + "/" + region }
func ruleBucket(acct, region string) string { return "events/rules/" + acct + "/" + region }
func connBucket(acct, region string) string { return "events/connections/" + acct + "/" + region }
func destBucket(acct, region string) string { return "events/apidestinations/" + acct + "/" + region }
func tagBucket(acct, region string) string  { return "events/tags/" + acct + "/" + region }
func ruleKey(bus, name string) []byte       { return []byte(bus + "\x00" + name) }

func busARN(region, acct, name string) string {
	return "arn:aws:events:" + region + ":" + acct + ":event-bus/" + name
}

func ruleARN(region, acct, bus, name string) string {
	if bus == "default" {
		return "arn:aws:events:" + region + ":" + acct + ":rule/" + name
	}
	return "arn:aws:events:" + region + ":" + acct + ":rule/" + bus + "/" + name
}

var (
	nameRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`) })
	busNameRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`) })
	targetIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`) })
)

// busName resolves an EventBusName member (name or ARN; empty is default).
func busName(v string) string {
	if v == "" {
		return "default"
	}
	if strings.HasPrefix(v, "arn:") {
		if i := strings.Index(v, ":event-bus/"); i >= 0 {
			return v[i+len(":event-bus/"):]
		}
	}
	return v
}

func notFoundBus(name string) error {
	return edge.Errorf("ResourceNotFoundException", "Event bus %s does not exist.", name)
}

func notFoundRule(name, bus string) error {
	return edge.Errorf("ResourceNotFoundException", "Rule %s does not exist on EventBus %s.", name, bus)
}

// busExists reports whether a bus exists; default always does.
func busExists(tx store.Tx, acct, region, name string) bool {
	return name == "default" || tx.Bucket(busBucket(acct, region)).Get([]byte(name)) != nil
}

func getJSON(b store.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func putJSON(b store.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// paginate returns the page of sorted names after token and the next token.
func paginate(names []string, token string, limit int) ([]string, string, error) {
	if err := checkLimit(limit); err != nil {
		return nil, "", err
	}
	sort.Strings(names)
	start := 0
	if token != "" {
		start = sort.SearchStrings(names, token)
		if start < len(names) && names[start] == token {
			start++
		}
	}
	if limit == 0 {
		limit = maxListLimit
	}
	end := start + limit
	if end >= len(names) {
		return names[start:], "", nil
	}
	return names[start:end], names[end-1], nil
}

// scanPage decodes one page of a bucket whose keys are base+name, in name
// order: the names that start with namePrefix and sort after token (the last
// name of the previous page). It reads only the page, not the whole bucket,
// and returns the next page's token, empty on the last page.
func scanPage[T any](tx store.Tx, bucket string, base []byte, namePrefix, token string, limit int) ([]T, string, error) {
	if err := checkLimit(limit); err != nil {
		return nil, "", err
	}
	if limit == 0 {
		limit = maxListLimit
	}
	prefix := append(append([]byte(nil), base...), namePrefix...)
	from := prefix
	if token != "" {
		if after := append(append(append([]byte(nil), base...), token...), 0); string(after) > string(from) {
			from = after
		}
	}
	items := []T{}
	var last []byte
	more := false
	var derr error
	tx.Bucket(bucket).Scan(from, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
		if len(items) == limit {
			more = true
			return false
		}
		var item T
		if derr = json.Unmarshal(v, &item); derr != nil {
			return false
		}
		items = append(items, item)
		last = k
		return true
	})
	if derr != nil || !more {
		return items, "", derr
	}
	return items, string(last[len(base):]), nil
}
