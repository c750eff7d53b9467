// Package sqs is tenkai's Amazon SQS over awsJson1_0 (and awsQuery, through
// QueryAPI, for older SDKs): standard and FIFO queues with their attributes
// and tags, messages with attributes and the MD5 digests the SDKs verify,
// visibility timeouts, long polling, delays, retention, dead-letter redrive
// and move tasks, FIFO ordering and deduplication, all on the injected clock
// and kept in the store.
//
// Other services use the Service directly: Send (EventBridge targets), and
// Receive, Delete and ChangeVisibility (a consumer such as a Lambda event
// source mapping).
package sqs

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Config configures the service. The zero value works.
type Config struct {
	Store  store.Store   // nil means a fresh in-memory store
	Clock  clock.Clock   // nil means the wall clock
	Logger *slog.Logger  // nil means slog.Default()
	NewID  func() string // message ids; nil means random UUIDs
	// SweepEvery is how often messages past their queue's retention and
	// expired deduplication ids are dropped from the store; 0 means 1 minute.
	// Reads hide expired messages at once.
	SweepEvery time.Duration
}

// Service serves the SQS API. It is safe for concurrent use.
type Service struct {
	st    store.Store
	clk   clock.Clock
	log   *slog.Logger
	newID func() string
	ops   map[string]edge.JSONHandler

	seq   atomic.Uint64 // last sequence number handed out, across queues
	nonce atomic.Uint64 // last receipt nonce

	mu      sync.RWMutex      // guards queues, deleted, loaded
	queues  map[string]*queue // by account/region/name
	deleted map[string]time.Time
	loaded  bool
	tasks   moveTasks

	sweep    time.Duration
	quit     chan struct{} // closed by OnShutdown: long polls return
	quitOnce sync.Once
	runMu    sync.Mutex // guards cancel, done
	cancel   context.CancelFunc
	done     chan struct{}
}

// New returns the service; it reads the store on first use.
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
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = time.Minute
	}
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, newID: cfg.NewID, sweep: cfg.SweepEvery, quit: make(chan struct{}),
		queues: map[string]*queue{}, deleted: map[string]time.Time{}}
	s.ops = map[string]edge.JSONHandler{
		"CreateQueue":                  edge.JSON(s.createQueue),
		"GetQueueUrl":                  edge.JSON(s.getQueueURL),
		"ListQueues":                   edge.JSON(s.listQueues),
		"DeleteQueue":                  edge.JSON(s.deleteQueue),
		"GetQueueAttributes":           edge.JSON(s.getQueueAttributes),
		"SetQueueAttributes":           edge.JSON(s.setQueueAttributes),
		"PurgeQueue":                   edge.JSON(s.purgeQueue),
		"TagQueue":                     edge.JSON(s.tagQueue),
		"UntagQueue":                   edge.JSON(s.untagQueue),
		"ListQueueTags":                edge.JSON(s.listQueueTags),
		"ListDeadLetterSourceQueues":   edge.JSON(s.listDeadLetterSourceQueues),
		"SendMessage":                  edge.JSON(s.sendMessage),
		"SendMessageBatch":             edge.JSON(s.sendMessageBatch),
		"ReceiveMessage":               edge.JSON(s.receiveMessage),
		"DeleteMessage":                edge.JSON(s.deleteMessage),
		"DeleteMessageBatch":           edge.JSON(s.deleteMessageBatch),
		"ChangeMessageVisibility":      edge.JSON(s.changeMessageVisibility),
		"ChangeMessageVisibilityBatch": edge.JSON(s.changeMessageVisibilityBatch),
		"AddPermission":                edge.JSON(s.addPermission),
		"RemovePermission":             edge.JSON(s.removePermission),
		"StartMessageMoveTask":         edge.JSON(s.startMessageMoveTask),
		"ListMessageMoveTasks":         edge.JSON(s.listMessageMoveTasks),
		"CancelMessageMoveTask":        edge.JSON(s.cancelMessageMoveTask),
	}
	return s
}

// Name is the SigV4 signing name.
func (s *Service) Name() string { return "sqs" }

// TargetPrefix is the X-Amz-Target prefix of SQS.
func (s *Service) TargetPrefix() string { return "AmazonSQS" }

// JSONVersion is awsJson1_0.
func (s *Service) JSONVersion() string { return "1.0" }

// Op returns the handler for an operation, or nil.
func (s *Service) Op(name string) edge.JSONHandler { return s.ops[name] }

// Start loads the queues from the store and begins the retention sweeper.
func (s *Service) Start(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.cancel != nil {
		return nil
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.done = make(chan struct{})
	go s.sweeper(ctx, s.done)
	return nil
}

// OnShutdown ends the long polls under way (they answer with no messages)
// and makes later ones return at once, so the server drains quickly.
func (s *Service) OnShutdown() { s.quitOnce.Do(func() { close(s.quit) }) }

// Close stops the sweeper.
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

func (s *Service) sweeper(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		if err := clock.Sleep(ctx, s.clk, s.sweep); err != nil {
			return
		}
		if err := s.Sweep(); err != nil {
			s.log.Warn("sqs: sweep expired messages", "err", err)
		}
	}
}

// Sweep drops messages past their queue's retention period and expired
// deduplication ids, from memory and the store.
func (s *Service) Sweep() error {
	if err := s.load(); err != nil {
		return err
	}
	s.mu.RLock()
	qs := make([]*queue, 0, len(s.queues))
	for _, q := range s.queues {
		qs = append(qs, q)
	}
	s.mu.RUnlock()
	for _, q := range qs {
		if err := s.sweepQueue(q); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) sweepQueue(q *queue) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return nil
	}
	now := s.nowMillis()
	retention := int64(atoi(q.meta.Attrs["MessageRetentionPeriod"])) * 1000
	var expired []*message
	for _, m := range q.order {
		if !m.gone && m.Sent+retention <= now {
			expired = append(expired, m)
		}
	}
	var dedup []string
	for k, d := range q.dedup {
		if d.Expires <= now {
			dedup = append(dedup, k)
		}
	}
	if len(expired)+len(dedup) == 0 {
		return nil
	}
	a, r, n := q.acct, q.region, q.name
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(msgsBucket(a, r, n))
		for _, m := range expired {
			if err := b.Delete([]byte(m.ID)); err != nil {
				return err
			}
		}
		db := tx.Bucket(dedupBucket(a, r, n))
		for _, k := range dedup {
			if err := db.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range expired {
		q.removeLocked(m)
	}
	for _, k := range dedup {
		delete(q.dedup, k)
	}
	return nil
}

// Reset forgets the queues held in memory; the store has been wiped already.
// Long polls under way return empty.
func (s *Service) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.queues {
		q.mu.Lock()
		q.deleted = true
		q.clearLocked()
		q.notifyLocked()
		q.mu.Unlock()
	}
	s.queues, s.deleted, s.loaded = map[string]*queue{}, map[string]time.Time{}, false
	s.tasks.mu.Lock()
	s.tasks.bySrc = nil
	s.tasks.mu.Unlock()
	return nil
}

func (s *Service) load() error {
	s.mu.RLock()
	loaded := s.loaded
	s.mu.RUnlock()
	if loaded {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded {
		return nil
	}
	var qs []*queue
	err := s.st.View(func(tx store.Tx) error {
		var err error
		qs, err = loadQueues(tx)
		return err
	})
	if err != nil {
		return err
	}
	// Sequence numbers keep growing across restarts: they start at the clock
	// in nanoseconds, past any number handed out before.
	top := uint64(s.clk.Now().UnixNano())
	for _, q := range qs {
		s.queues[key(q.acct, q.region, q.name)] = q
		for _, m := range q.order {
			top = max(top, m.Seq, m.Nonce)
		}
	}
	if top > s.seq.Load() {
		s.seq.Store(top)
		s.nonce.Store(top)
	}
	s.loaded = true
	return nil
}

func key(account, region, name string) string { return account + "/" + region + "/" + name }

// queue returns a queue by account, region and name, or nil.
func (s *Service) queue(account, region, name string) (*queue, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.queues[key(account, region, name)], nil
}

// queueByARN returns the queue an ARN names, or nil.
func (s *Service) queueByARN(arn string) (*queue, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
		return nil, nil
	}
	return s.queue(parts[4], parts[3], parts[5])
}

// resolve finds the queue a request's QueueUrl names. Any host is accepted:
// the URL's last two path segments are the account and the queue name. The
// region is the request's, or the one in an AWS-style host
// (sqs.REGION.amazonaws.com).
func (s *Service) resolve(ctx context.Context, queueURL *string) (*queue, error) {
	if queueURL == nil || *queueURL == "" {
		return nil, errMissing("QueueUrl")
	}
	account, region, name, ok := parseQueueURL(*queueURL)
	if !ok {
		return nil, errInvalidAddress(*queueURL)
	}
	if region == "" {
		region = edge.MetaFrom(ctx).Region
	}
	q, err := s.queue(account, region, name)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, errNoQueue()
	}
	return q, nil
}

func parseQueueURL(raw string) (account, region, name string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) < 2 {
		return "", "", "", false
	}
	account, name = segs[len(segs)-2], segs[len(segs)-1]
	if !isAccount(account) || name == "" {
		return "", "", "", false
	}
	host := u.Hostname()
	labels := strings.Split(host, ".")
	switch {
	case len(labels) > 2 && labels[0] == "sqs" && isRegion(labels[1]):
		region = labels[1]
	case len(labels) > 2 && labels[1] == "queue" && isRegion(labels[0]):
		region = labels[0]
	}
	return account, region, name, true
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isRegion is a loose check: "us-east-1", "eu-central-2", "us-gov-west-1".
func isRegion(s string) bool {
	return strings.Count(s, "-") >= 2 && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

// queueURL is the URL clients should use: the host they reached tenkai by,
// or AWS's when there is no request (calls from other services).
func queueURL(ctx context.Context, account, name string) string {
	m := edge.MetaFrom(ctx)
	if m.Host == "" {
		return "https://sqs." + m.Region + ".amazonaws.com/" + account + "/" + name
	}
	return "http://" + m.Host + "/" + account + "/" + name
}

func (s *Service) nowMillis() int64 { return s.clk.Now().UnixMilli() }
