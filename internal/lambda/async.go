package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Asynchronous invocation defaults of Lambda.
const (
	defaultRetries = 2
	defaultMaxAge  = 6 * time.Hour
	maxThrottleGap = 5 * time.Minute
)

const asyncBucket = "lambda/async"

// asyncEvent is one queued Event invocation. It stays in the store until it
// has run to a final outcome, so a restart with a data directory resumes it.
type asyncEvent struct {
	ID        string    `json:"id"` // the invocation's request id
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	Function  string    `json:"function"`
	Qualifier string    `json:"qualifier,omitempty"`
	Payload   []byte    `json:"payload"`
	Attempts  int       `json:"attempts"`  // invocations made so far
	Throttles int       `json:"throttles"` // consecutive throttles
	Enqueued  time.Time `json:"enqueued"`
	NotBefore time.Time `json:"notBefore"`
}

// retryDelay is Lambda's wait before retry n (1-based): one minute, then two.
func retryDelay(n int) time.Duration {
	return time.Duration(n) * time.Minute
}

// throttleDelay backs off throttled events exponentially up to five minutes.
func throttleDelay(n int) time.Duration {
	d := time.Second << min(n, 16)
	return min(d, maxThrottleGap)
}

// asyncQueue runs queued events on a worker pool.
type asyncQueue struct {
	s       *Service
	workers int

	mu      sync.Mutex // guards everything below
	pending []*asyncEvent
	timers  map[string]clock.Timer
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	notify  chan struct{}
	started bool
}

func newAsyncQueue(s *Service, workers int) *asyncQueue {
	return &asyncQueue{s: s, workers: workers, timers: map[string]clock.Timer{}, notify: make(chan struct{}, 1)}
}

// start loads queued events and starts the workers.
func (q *asyncQueue) start(ctx context.Context) error {
	var events []*asyncEvent
	err := q.s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(asyncBucket).Scan(nil, nil, false, func(k, v []byte) bool {
			var ev asyncEvent
			if derr = json.Unmarshal(v, &ev); derr != nil {
				return false
			}
			events = append(events, &ev)
			return true
		})
		return derr
	})
	if err != nil {
		return fmt.Errorf("load queued invocations: %w", err)
	}
	q.mu.Lock()
	q.ctx, q.cancel = context.WithCancel(context.WithoutCancel(ctx))
	q.started = true
	for i := 0; i < q.workers; i++ {
		q.wg.Add(1)
		go q.work(q.ctx)
	}
	q.mu.Unlock()
	for _, ev := range events {
		q.schedule(ev)
	}
	if len(events) > 0 {
		q.s.log.Info("resumed queued invocations", "count", len(events))
	}
	return nil
}

func (q *asyncQueue) stop() {
	q.mu.Lock()
	if q.cancel != nil {
		q.cancel()
	}
	for id, t := range q.timers {
		t.Stop()
		delete(q.timers, id)
	}
	q.pending = nil
	q.mu.Unlock()
	q.wg.Wait()
}

// reset drops in-memory work; the store has been wiped already.
func (q *asyncQueue) reset() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, t := range q.timers {
		t.Stop()
		delete(q.timers, id)
	}
	q.pending = nil
}

// enqueue records a new event and schedules it.
func (q *asyncQueue) enqueue(ref FuncRef, payload []byte, id string) error {
	now := q.s.clk.Now()
	ev := &asyncEvent{ID: id, Account: ref.Account, Region: ref.Region, Function: ref.Name, Qualifier: ref.Qualifier,
		Payload: payload, Enqueued: now, NotBefore: now}
	if ev.ID == "" {
		ev.ID = edge.NewUUID()
	}
	if err := q.save(ev); err != nil {
		return err
	}
	q.schedule(ev)
	return nil
}

func (q *asyncQueue) save(ev *asyncEvent) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return q.s.st.Update(func(tx store.Tx) error { return tx.Bucket(asyncBucket).Put([]byte(ev.ID), b) })
}

func (q *asyncQueue) remove(ev *asyncEvent) {
	if err := q.s.st.Update(func(tx store.Tx) error { return tx.Bucket(asyncBucket).Delete([]byte(ev.ID)) }); err != nil {
		q.s.log.Error("remove queued invocation", "id", ev.ID, "err", err)
	}
}

// schedule makes ev ready now or when its NotBefore comes.
func (q *asyncQueue) schedule(ev *asyncEvent) {
	d := ev.NotBefore.Sub(q.s.clk.Now())
	if d <= 0 {
		q.push(ev)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.timers[ev.ID] = q.s.clk.AfterFunc(d, func() {
		q.mu.Lock()
		delete(q.timers, ev.ID)
		q.mu.Unlock()
		q.push(ev)
	})
}

func (q *asyncQueue) push(ev *asyncEvent) {
	q.mu.Lock()
	q.pending = append(q.pending, ev)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

func (q *asyncQueue) next() *asyncEvent {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) == 0 {
		return nil
	}
	ev := q.pending[0]
	q.pending = q.pending[1:]
	if len(q.pending) > 0 {
		select { // wake another worker for the rest
		case q.notify <- struct{}{}:
		default:
		}
	}
	return ev
}

func (q *asyncQueue) work(ctx context.Context) {
	defer q.wg.Done()
	for {
		if ev := q.next(); ev != nil {
			q.process(ctx, ev)
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-q.notify:
		}
	}
}

// eventConfig returns the retry and destination settings for ev.
func (fn *function) eventConfig(qualifier string) (retries int, maxAge time.Duration, onSuccess, onFailure string) {
	retries, maxAge = defaultRetries, defaultMaxAge
	c := fn.EventConfigs[eventConfigKey(qualifier)]
	if c == nil {
		return
	}
	if c.MaximumRetryAttempts != nil {
		retries = *c.MaximumRetryAttempts
	}
	if c.MaximumEventAgeInSeconds != nil {
		maxAge = time.Duration(*c.MaximumEventAgeInSeconds) * time.Second
	}
	return retries, maxAge, c.OnSuccess, c.OnFailure
}

// process runs one attempt of ev and decides what follows: done, a retry,
// or a destination.
func (q *asyncQueue) process(ctx context.Context, ev *asyncEvent) {
	s := q.s
	ref := FuncRef{Account: ev.Account, Region: ev.Region, Name: ev.Function, Qualifier: ev.Qualifier}
	fn, err := s.view(ref)
	if err != nil {
		s.log.Warn("dropping queued invocation", "function", ref.ARN(), "request_id", ev.ID, "err", err)
		q.remove(ev)
		return
	}
	retries, maxAge, onSuccess, onFailure := fn.eventConfig(ev.Qualifier)
	if s.clk.Since(ev.Enqueued) > maxAge {
		q.finish(ctx, fn, ref, ev, nil, "", onFailure, "EventAgeExceeded")
		return
	}
	v, err := fn.pick(ref, s.random)
	var res *InvokeResult
	if err == nil {
		res, err = s.run(ctx, fn, ref, v, &invokeRequest{Ref: ref, Type: invokeEvent, Payload: ev.Payload, RequestID: ev.ID})
	}
	if ctx.Err() != nil {
		return // shutting down: the event stays in the store
	}
	var ae *edge.Error
	if errors.As(err, &ae) && ae.Code == "TooManyRequestsException" {
		ev.Throttles++
		ev.NotBefore = s.clk.Now().Add(throttleDelay(ev.Throttles))
		if ev.NotBefore.Sub(ev.Enqueued) > maxAge {
			q.finish(ctx, fn, ref, ev, nil, "", onFailure, "EventAgeExceeded")
			return
		}
		q.retry(ev)
		return
	}
	ev.Throttles = 0
	ev.Attempts++
	if err != nil {
		// Faults before the function ran count as function errors.
		msg, _ := json.Marshal(err.Error())
		res = &InvokeResult{StatusCode: 200, FunctionError: "Unhandled", ExecutedVersion: "$LATEST",
			Payload: []byte(`{"errorMessage":` + string(msg) + `,"errorType":"ServiceException"}`)}
		if v != nil {
			res.ExecutedVersion = v.Version
		}
	}
	if res.FunctionError == "" {
		q.finish(ctx, fn, ref, ev, res, "Success", onSuccess, "")
		return
	}
	if ev.Attempts <= retries {
		ev.NotBefore = s.clk.Now().Add(retryDelay(ev.Attempts))
		if ev.NotBefore.Sub(ev.Enqueued) <= maxAge {
			q.retry(ev)
			return
		}
	}
	q.finish(ctx, fn, ref, ev, res, "", onFailure, "RetriesExhausted")
}

func (q *asyncQueue) retry(ev *asyncEvent) {
	if err := q.save(ev); err != nil {
		q.s.log.Error("requeue invocation", "id", ev.ID, "err", err)
	}
	q.schedule(ev)
}

// finish removes ev and sends the outcome to its destination, if any.
func (q *asyncQueue) finish(ctx context.Context, fn *function, ref FuncRef, ev *asyncEvent, res *InvokeResult, success, dest, failure string) {
	q.remove(ev)
	condition := success
	if condition == "" {
		condition = failure
		q.s.log.Info("asynchronous invocation failed", "function", ref.ARN(), "request_id", ev.ID, "condition", condition, "attempts", ev.Attempts)
		q.s.deadLetter(ctx, fn, ref, ev, res)
	}
	if dest == "" {
		return
	}
	rec := q.s.destinationRecord(ref, ev, res, condition)
	if err := q.s.deliver(ctx, ref, dest, rec, success != ""); err != nil {
		q.s.log.Warn("deliver invocation record", "function", ref.ARN(), "destination", dest, "err", err)
	}
}

type destRecord struct {
	Version        string          `json:"version"`
	Timestamp      string          `json:"timestamp"`
	RequestContext destReqContext  `json:"requestContext"`
	RequestPayload json.RawMessage `json:"requestPayload"`
	Response       *destRespCtx    `json:"responseContext,omitempty"`
	ResponseBody   json.RawMessage `json:"responsePayload,omitempty"`
}

type destReqContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type destRespCtx struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

// asJSON keeps valid JSON as is and wraps anything else as a JSON string.
func asJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// destinationRecord builds the invocation record Lambda sends to destinations.
func (s *Service) destinationRecord(ref FuncRef, ev *asyncEvent, res *InvokeResult, condition string) []byte {
	q := ev.Qualifier
	if q == "" {
		q = "$LATEST"
	}
	rec := destRecord{
		Version:   "1.0",
		Timestamp: s.clk.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: destReqContext{RequestID: ev.ID, FunctionArn: functionARN(ref.Account, ref.Region, ref.Name) + ":" + q,
			Condition: condition, ApproximateInvokeCount: ev.Attempts},
		RequestPayload: asJSON(ev.Payload),
	}
	if res != nil {
		rec.Response = &destRespCtx{StatusCode: res.StatusCode, ExecutedVersion: res.ExecutedVersion, FunctionError: res.FunctionError}
		rec.ResponseBody = asJSON(res.Payload)
	}
	b, _ := json.Marshal(rec)
	return b
}

// maxDLQErrorMessage is how much of the error message Lambda puts in the
// ErrorMessage attribute of a dead-letter message.
const maxDLQErrorMessage = 1024

// deadLetter sends a failed event to the version's dead-letter queue or
// topic, as Lambda does: the body is the event, the attributes say why it
// failed.
func (s *Service) deadLetter(ctx context.Context, fn *function, ref FuncRef, ev *asyncEvent, res *InvokeResult) {
	v, err := fn.resolveVersion(ref)
	if err != nil || v.DeadLetterTarget == "" {
		return
	}
	target := v.DeadLetterTarget
	svc := arnService(target)
	if svc != "sqs" && svc != "sns" {
		s.log.Warn("dead-letter target not supported", "function", ref.ARN(), "target", target, "request_id", ev.ID)
		return
	}
	attrs := map[string]QueueAttribute{"RequestID": {DataType: "String", StringValue: ev.ID}}
	if res != nil {
		attrs["ErrorCode"] = QueueAttribute{DataType: "Number", StringValue: strconv.Itoa(res.StatusCode)}
		var e struct {
			Message string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &e)
		if e.Message != "" {
			if len(e.Message) > maxDLQErrorMessage {
				e.Message = e.Message[:maxDLQErrorMessage]
			}
			attrs["ErrorMessage"] = QueueAttribute{DataType: "String", StringValue: e.Message}
		}
	}
	if err := s.sendMessage(ctx, svc, target, string(ev.Payload), attrs); err != nil {
		s.log.Warn("send to dead-letter target", "function", ref.ARN(), "target", target, "err", err)
	}
}

// sendMessage sends body to an SQS queue (svc "sqs") or publishes it to an
// SNS topic (svc "sns"): the destinations, dead-letter targets and OnFailure
// destinations that are queues or topics.
func (s *Service) sendMessage(ctx context.Context, svc, arn, body string, attrs map[string]QueueAttribute) error {
	switch svc {
	case "sqs":
		if s.cfg.Queues == nil {
			return errors.New("no SQS is connected")
		}
		return s.cfg.Queues.Send(ctx, arn, body, attrs)
	case "sns":
		if s.cfg.Topics == nil {
			return errors.New("no SNS is connected")
		}
		return s.cfg.Topics.PublishToTopic(ctx, arn, body, attrs)
	}
	return fmt.Errorf("%s is not a queue or topic", arn)
}

// arnService is the service of an ARN ("sqs", "sns", ...), or "".
func arnService(arn string) string {
	p := strings.SplitN(arn, ":", 4)
	if len(p) < 4 || p[0] != "arn" {
		return ""
	}
	return p[2]
}

// deliver sends a record to a destination ARN: a function (invoked
// asynchronously), an SQS queue, an SNS topic or an event bus; other kinds
// are logged and skipped.
func (s *Service) deliver(ctx context.Context, from FuncRef, dest string, record []byte, success bool) error {
	parts := strings.SplitN(dest, ":", 6)
	if len(parts) < 6 {
		return fmt.Errorf("bad destination %q", dest)
	}
	switch parts[2] {
	case "lambda":
		ref, err := ParseFunctionRef(dest, from.Account, from.Region)
		if err != nil {
			return err
		}
		if _, err := s.view(ref); err != nil {
			return err
		}
		return s.async.enqueue(ref, record, edge.NewUUID())
	case "sqs", "sns":
		return s.sendMessage(ctx, parts[2], dest, string(record), nil)
	case "events":
		if s.cfg.Events == nil {
			return errors.New("no event bus is connected")
		}
		dt := "Lambda Function Invocation Result - Failure"
		if success {
			dt = "Lambda Function Invocation Result - Success"
		}
		return s.cfg.Events.PutEvent(ctx, parts[4], parts[3], dest, "lambda", dt, record,
			[]string{dest, functionARN(from.Account, from.Region, from.Name)})
	default:
		return edge.NewError(http.StatusNotImplemented, "UnsupportedDestination", parts[2]+" destinations are not supported")
	}
}
