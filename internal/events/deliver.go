package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Defaults of a target's RetryPolicy, as in AWS.
const (
	defaultMaxRetries = 185
	defaultMaxAge     = 24 * time.Hour
	pendingBucket     = "events/pending"
)

// delivery is one event on its way to one target.
type delivery struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	RuleARN   string    `json:"rule"`
	Target    Target    `json:"target"`
	EventID   string    `json:"eventId,omitempty"`
	Input     []byte    `json:"input"`
	EventTime time.Time `json:"eventTime"`
	Attempts  int       `json:"attempts"`

	epoch uint64 // Service.epoch when queued; a retry from an older epoch is dropped
	slot  bool   // an API destination rate-limit slot is reserved for this delivery
}

// errPermanent marks failures a retry cannot fix.
type errPermanent struct{ error }

// errNotYet asks for the delivery to be sent again after wait, without
// counting an attempt (an API destination's rate limit).
type errNotYet struct{ wait time.Duration }

func (e errNotYet) Error() string { return "rate limited for " + e.wait.String() }

// enqueue queues the deliveries one PutEvents call (or one forwarded or
// scheduled event) produced. With Durable they are stored in one transaction:
// one commit per request rather than per matched target.
func (s *Service) enqueue(ds []*delivery) {
	if len(ds) == 0 {
		return
	}
	if n := s.q.len(); n+len(ds) > s.cfg.MaxQueued {
		// A target slower than the events sent to it must not grow memory
		// without bound; the overflow is dropped and shows in the records.
		keep := max(s.cfg.MaxQueued-n, 0)
		for _, d := range ds[keep:] {
			s.rec.add(record{Time: s.clk.Now(), Rule: d.RuleARN, Target: d.Target.Arn, TargetID: d.Target.Id, Status: "DROPPED", Error: "delivery queue is full"})
			s.log.Warn("event delivery dropped: queue is full", "rule", d.RuleARN, "target", d.Target.Id, "queued", n)
		}
		ds = ds[:keep]
	}
	if s.cfg.Durable {
		s.persist(ds...)
	}
	epoch := s.epoch.Load()
	for _, d := range ds {
		d.epoch = epoch
		s.q.push(d)
	}
}

func (s *Service) persist(ds ...*delivery) {
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(pendingBucket)
		for _, d := range ds {
			if err := putJSON(b, []byte(d.ID), d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Error("persist deliveries", "err", err)
	}
}

func (s *Service) resumePending() error {
	if !s.cfg.Durable {
		return nil
	}
	var ds []*delivery
	err := s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(pendingBucket).Scan(nil, nil, false, func(_, v []byte) bool {
			d := new(delivery)
			if derr = json.Unmarshal(v, d); derr != nil {
				return false
			}
			ds = append(ds, d)
			return true
		})
		return derr
	})
	for _, d := range ds {
		d.epoch = s.epoch.Load()
		s.q.push(d)
	}
	return err
}

func (s *Service) finish(d *delivery) {
	if s.cfg.Durable {
		_ = s.st.Update(func(tx store.Tx) error { return tx.Bucket(pendingBucket).Delete([]byte(d.ID)) })
	}
}

func (s *Service) work(ctx context.Context) {
	for {
		d, ok := s.q.pop(ctx)
		if !ok {
			return
		}
		s.attempt(ctx, d)
	}
}

func (s *Service) attempt(ctx context.Context, d *delivery) {
	err := s.send(ctx, d)
	var later errNotYet
	if errors.As(err, &later) {
		s.requeue(d, later.wait)
		return
	}
	d.Attempts++
	rec := record{Time: s.clk.Now(), Rule: d.RuleARN, Target: d.Target.Arn, TargetID: d.Target.Id, Attempt: d.Attempts, Status: "SUCCEEDED"}
	if err == nil {
		s.rec.add(rec)
		s.finish(d)
		return
	}
	rec.Status, rec.Error = "FAILED", err.Error()
	maxRetries, maxAge := defaultMaxRetries, defaultMaxAge
	if p := d.Target.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			maxRetries = *p.MaximumRetryAttempts
		}
		if p.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
		}
	}
	var perm errPermanent
	delay := backoff(d.Attempts)
	if errors.As(err, &perm) || d.Attempts > maxRetries || s.clk.Now().Add(delay).Sub(d.EventTime) > maxAge {
		rec.Status = "DROPPED"
		s.rec.add(rec)
		s.log.Warn("event delivery failed; giving up", "rule", d.RuleARN, "target", d.Target.Id, "arn", d.Target.Arn, "attempts", d.Attempts, "err", err)
		s.finish(d)
		return
	}
	rec.Status = "RETRYING"
	s.rec.add(rec)
	if s.cfg.Durable { // so the retry budget survives a restart
		s.persist(d)
	}
	s.log.Warn("event delivery failed; will retry", "rule", d.RuleARN, "target", d.Target.Id, "attempt", d.Attempts, "in", delay, "err", err)
	s.requeue(d, delay)
}

// requeue queues d again after delay, unless Reset or Close came first.
func (s *Service) requeue(d *delivery, delay time.Duration) {
	s.clk.AfterFunc(delay, func() {
		if d.epoch == s.epoch.Load() {
			s.q.push(d)
		}
	})
}

// backoff is exponential with jitter, from 1 s up to 3 minutes.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 8)
	if d > 3*time.Minute {
		d = 3 * time.Minute
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// send delivers to the target named by its ARN.
func (s *Service) send(ctx context.Context, d *delivery) error {
	arn := d.Target.Arn
	svc, region, acct, res, ok := splitARN(arn)
	if !ok {
		return errPermanent{fmt.Errorf("target ARN %q is not valid", arn)}
	}
	switch {
	case svc == "lambda":
		if s.cfg.Functions == nil {
			return errPermanent{errors.New("Lambda is not available")}
		}
		if acct == d.Account && !s.cfg.Functions.AllowsInvoke(ctx, acct, region, arn, "events.amazonaws.com", d.RuleARN) {
			// AWS does not retry a delivery that lacks permission to its target.
			return errPermanent{fmt.Errorf("EventBridge is not authorized to invoke %s: add a resource-based policy (aws lambda add-permission --principal events.amazonaws.com --source-arn %s)", arn, d.RuleARN)}
		}
		return s.cfg.Functions.InvokeAsync(ctx, acct, region, arn, d.Input)
	case svc == "states":
		if s.cfg.Executions == nil {
			return errPermanent{errors.New("Step Functions is not available")}
		}
		return s.cfg.Executions.StartExecution(ctx, acct, region, arn, d.Input)
	case svc == "logs":
		if s.cfg.Logs == nil {
			return errPermanent{errors.New("CloudWatch Logs is not available")}
		}
		group := strings.TrimPrefix(res, "log-group:")
		group = strings.TrimSuffix(group, ":*")
		// AWS names the log stream after the event id.
		stream := d.EventID
		if stream == "" {
			stream = d.ID
		}
		return s.cfg.Logs.WriteLog(ctx, acct, region, group, stream, d.EventTime, string(d.Input))
	case svc == "sqs":
		if s.cfg.Queues == nil {
			return errPermanent{errors.New("SQS is not available")}
		}
		group := ""
		if p := d.Target.SqsParameters; p != nil {
			group = p.MessageGroupId
		}
		err := s.cfg.Queues.SendToQueue(ctx, arn, d.Input, group)
		if ae := (*edge.Error)(nil); errors.As(err, &ae) && ae.HTTPStatus() < 500 {
			// A missing queue or a message the queue refuses is not retried.
			return errPermanent{err}
		}
		return err
	case svc == "sns":
		if s.cfg.Topics == nil {
			return errPermanent{errors.New("SNS is not available")}
		}
		err := s.cfg.Topics.PublishToTopic(ctx, arn, d.Input)
		if ae := (*edge.Error)(nil); errors.As(err, &ae) && ae.HTTPStatus() < 500 {
			// A missing topic or a message the topic refuses is not retried.
			return errPermanent{err}
		}
		return err
	case svc == "events" && strings.HasPrefix(res, "event-bus/"):
		return s.forward(ctx, acct, region, strings.TrimPrefix(res, "event-bus/"), d)
	case svc == "events" && strings.HasPrefix(res, "api-destination/"):
		return s.callAPIDestination(ctx, acct, region, res, d)
	}
	return errPermanent{fmt.Errorf("targets of type %s are not supported by tenkai", svc)}
}

// isBusARN reports whether arn names an event bus.
func isBusARN(arn string) bool {
	svc, _, _, res, ok := splitARN(arn)
	return ok && svc == "events" && strings.HasPrefix(res, "event-bus/")
}

// splitARN returns the service, region, account and resource of an ARN
// (arn:partition:service:region:account:resource).
func splitARN(arn string) (svc, region, acct, res string, ok bool) {
	var parts [5]string
	rest := arn
	for i := range parts {
		if parts[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return "", "", "", "", false
		}
	}
	return parts[2], parts[3], parts[4], rest, true
}

// forward puts an event on another bus, as cross-bus targets do.
func (s *Service) forward(ctx context.Context, acct, region, bus string, d *delivery) error {
	idx, err := s.busIndexFor(acct, region, bus)
	if err != nil {
		return err
	}
	if !idx.exists {
		return errPermanent{fmt.Errorf("event bus %s does not exist", bus)}
	}
	var b batch
	s.route(&b, acct, region, idx, d.EventID, d.Input, s.clk.Now(), true)
	s.enqueue(b)
	return nil
}

// queue is a FIFO of deliveries, so PutEvents never blocks on slow targets;
// enqueue bounds it by Config.MaxQueued.
type queue struct {
	mu     sync.Mutex
	items  []*delivery
	wake   chan struct{}
	closed bool
}

func newQueue() *queue { return &queue{wake: make(chan struct{}, 1)} }

func (q *queue) push(d *delivery) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, d)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *queue) pop(ctx context.Context) (*delivery, bool) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, false
		}
		if len(q.items) > 0 {
			d := q.items[0]
			q.items[0] = nil
			q.items = q.items[1:]
			more := len(q.items) > 0
			q.mu.Unlock()
			if more {
				select {
				case q.wake <- struct{}{}:
				default:
				}
			}
			return d, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, false
		case <-q.wake:
		}
	}
}

func (q *queue) drain() {
	q.mu.Lock()
	q.items = nil
	q.mu.Unlock()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.items = nil
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// record is one delivery attempt, kept for /_tenkai/events/deliveries.
type record struct {
	Time     time.Time `json:"time"`
	Rule     string    `json:"rule"`
	Target   string    `json:"targetArn"`
	TargetID string    `json:"targetId"`
	Attempt  int       `json:"attempt"`
	Status   string    `json:"status"` // SUCCEEDED, RETRYING, DROPPED, FAILED
	Error    string    `json:"error,omitempty"`
}

// recorder keeps the most recent delivery records in a ring.
type recorder struct {
	mu   sync.Mutex
	ring []record
	next int
	full bool
	n    int
}

func newRecorder(n int) *recorder { return &recorder{ring: make([]record, n), n: n} }

func (r *recorder) add(x record) {
	r.mu.Lock()
	r.ring[r.next] = x
	r.next = (r.next + 1) % r.n
	if r.next == 0 {
		r.full = true
	}
	r.mu.Unlock()
}

func (r *recorder) list() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []record
	if r.full {
		out = append(out, r.ring[r.next:]...)
	}
	return append(out, r.ring[:r.next]...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.next, r.full = 0, false
	r.mu.Unlock()
}
