package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/events/pattern"
	"tenkai/internal/store"
)

// Poller pacing. The idle poll runs on the wall clock: it paces reads of the
// store, and an accelerated service clock must not turn it into a busy loop.
// Batching windows and retry back-off are behaviour, so they run on the
// service clock.
const (
	defaultStreamPoll = 50 * time.Millisecond
	problemWait       = time.Second // function or stream missing
	retryBase         = 500 * time.Millisecond
	retryCap          = 30 * time.Second
	readChunk         = 1000 // records per ReadStream call while filtering
	payloadRoom       = 1024 // space kept for {"Records":[...]} around the records
)

// esmRunner owns one poller goroutine per event source mapping.
type esmRunner struct {
	s    *Service
	poll time.Duration

	mu      sync.Mutex // guards everything below
	ctx     context.Context
	cancel  context.CancelFunc
	pollers map[string]*poller // by mapping key
	started bool
}

func newESMRunner(s *Service, poll time.Duration) *esmRunner {
	if poll <= 0 {
		poll = defaultStreamPoll
	}
	return &esmRunner{s: s, poll: poll, pollers: map[string]*poller{}}
}

// start launches a poller for every stored mapping; they resume from their
// stored checkpoints.
func (r *esmRunner) start(ctx context.Context) error {
	var keys [][]byte
	err := r.s.st.View(func(tx store.Tx) error {
		tx.Bucket(esmBucket).Scan(nil, nil, false, func(k, v []byte) bool {
			keys = append(keys, append([]byte(nil), k...))
			return true
		})
		return nil
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.started = true
	for _, k := range keys {
		r.spawnLocked(k)
	}
	return nil
}

func (r *esmRunner) spawnLocked(key []byte) {
	p := &poller{r: r, key: key, wakeCh: make(chan struct{}, 1), done: make(chan struct{})}
	r.pollers[string(key)] = p
	go p.run(r.ctx)
}

// wake tells the mapping's poller that its mapping changed, starting one for
// a new mapping.
func (r *esmRunner) wake(m *mapping) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started {
		return
	}
	p := r.pollers[string(m.key())]
	if p == nil {
		r.spawnLocked(m.key())
		return
	}
	select {
	case p.wakeCh <- struct{}{}:
	default:
	}
}

// halt cancels every poller and waits for them; in-flight invocations see a
// cancelled context and commit nothing.
func (r *esmRunner) halt(restart bool) {
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	old := r.pollers
	r.pollers = map[string]*poller{}
	if restart && r.started {
		r.ctx, r.cancel = context.WithCancel(context.WithoutCancel(r.ctx))
	} else {
		r.started = false
	}
	r.mu.Unlock()
	for _, p := range old {
		<-p.done
	}
}

// forget removes p once its mapping is gone.
func (r *esmRunner) forget(p *poller) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pollers[string(p.key)] == p {
		delete(r.pollers, string(p.key))
	}
}

// poller reads one mapping's stream and invokes its function. Everything
// below wakeCh is owned by its goroutine.
type poller struct {
	r      *esmRunner
	key    []byte
	wakeCh chan struct{}
	done   chan struct{}

	seen        time.Time          // LastModified of the configuration in use
	filters     []*pattern.Pattern // compiled FilterCriteria
	attempts    int                // failed attempts at the batch starting after the checkpoint
	limit       int                // batch size while bisecting; 0 = BatchSize
	bisectEnd   string             // last sequence of the batch being bisected
	notBefore   time.Time          // retry back-off, service clock
	windowStart time.Time          // when the batching window opened, service clock
	// held is the batch gathered so far in an open batching window, read
	// after heldFrom up to heldThrough; the next poll reads on from there.
	held                  []item
	heldFrom, heldThrough string

	slots    chan struct{}  // queue mappings: one token per batch in flight
	inflight sync.WaitGroup // queue batch goroutines

	resMu      sync.Mutex // guards lastResult, which batch goroutines write too
	lastResult string
}

// pause says how a poller waits before its next step.
type pause struct {
	idle  bool          // until woken
	wall  time.Duration // wall-clock pacing
	clock time.Duration // service-clock delay
}

func (p *poller) run(ctx context.Context) {
	defer close(p.done)
	defer p.r.forget(p)
	defer p.inflight.Wait()
	for ctx.Err() == nil {
		w, ok := p.safeStep(ctx)
		if !ok {
			return
		}
		if !p.wait(ctx, w) {
			return
		}
	}
}

// safeStep runs step; a panic stalls this mapping for a while instead of
// taking down the server and every other mapping.
func (p *poller) safeStep(ctx context.Context) (w pause, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			p.r.s.log.Error("event source mapping poller panicked", "key", string(p.key), "panic", v)
			w, ok = pause{clock: problemWait}, true
		}
	}()
	return p.step(ctx)
}

func (p *poller) wait(ctx context.Context, w pause) bool {
	var c <-chan time.Time
	switch {
	case w.idle:
	case w.clock > 0:
		t := p.r.s.clk.NewTimer(w.clock)
		defer t.Stop()
		c = t.C()
	case w.wall > 0:
		t := time.NewTimer(w.wall)
		defer t.Stop()
		c = t.C
	default:
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-p.wakeCh:
		return true
	case <-c:
		return true
	}
}

// item is a stream record in a batch.
type item struct {
	StreamRecord
	created time.Time // ApproximateCreationDateTime; zero when unknown
}

// step does one unit of work and says how long to wait; false means the
// mapping is gone.
func (p *poller) step(ctx context.Context) (pause, bool) {
	s := p.r.s
	var m *mapping
	var st mappingState
	if err := s.st.View(func(tx store.Tx) error {
		m, st = loadMapping(tx, p.key)
		return nil
	}); err != nil {
		return pause{clock: problemWait}, true
	}
	if m == nil {
		return pause{}, false
	}
	p.resMu.Lock()
	p.lastResult = st.LastResult
	p.resMu.Unlock()
	if !m.Enabled {
		p.clearRetry()
		return pause{idle: true}, true
	}
	if !m.LastModified.Equal(p.seen) {
		p.configure(m)
	}
	if m.isQueue() {
		return p.stepQueue(ctx, m, st)
	}
	if d := p.notBefore.Sub(s.clk.Now()); d > 0 {
		return pause{clock: d}, true
	}
	if s.cfg.Streams == nil {
		p.record(st, "", resultNoStream)
		return pause{idle: true}, true
	}
	limit := m.BatchSize
	if p.limit > 0 && p.limit < limit {
		limit = p.limit
	}
	var batch []item
	through := ""
	if p.held != nil && p.heldFrom == st.After {
		batch, through = p.held, p.heldThrough
	}
	p.held = nil
	batch, through, full, err := p.collect(ctx, m, st.After, limit, batch, through)
	if err != nil {
		if ctx.Err() != nil {
			return pause{}, false
		}
		var ae *edge.Error
		if errors.As(err, &ae) && ae.Code == "ResourceNotFoundException" {
			p.record(st, "", resultNoStream)
		} else {
			s.log.Warn("read stream", "mapping", m.UUID, "stream", m.EventSourceArn, "err", err)
		}
		return pause{clock: problemWait}, true
	}
	if len(batch) == 0 {
		if through != "" { // every record read was filtered out
			p.record(st, through, "")
		}
		return pause{wall: p.r.poll}, true
	}
	// A retry goes out after its back-off alone: the window was waited for
	// the first attempt.
	if w := time.Duration(m.BatchingWindow) * time.Second; w > 0 && !full && p.attempts == 0 {
		now := s.clk.Now()
		if p.windowStart.IsZero() {
			p.windowStart = now
		}
		if now.Sub(p.windowStart) < w {
			p.held, p.heldFrom, p.heldThrough = batch, st.After, through
			return pause{wall: p.r.poll}, true
		}
	}
	p.windowStart = time.Time{}
	if n := p.expired(m, batch); n > 0 {
		p.discard(ctx, m, batch[:n], "RecordAgeExceeded", nil, p.attempts)
		p.record(st, batch[n-1].Sequence, "")
		p.clearRetry()
		return pause{}, true
	}
	return p.deliver(ctx, m, st, batch, through), true
}

// configure adopts a changed configuration.
func (p *poller) configure(m *mapping) {
	p.seen = m.LastModified
	p.clearRetry()
	p.filters = p.filters[:0]
	for _, src := range m.Filters {
		if f, err := pattern.Compile([]byte(src)); err == nil {
			p.filters = append(p.filters, f)
		}
	}
}

func (p *poller) clearRetry() {
	p.attempts, p.limit, p.bisectEnd = 0, 0, ""
	p.notBefore, p.windowStart = time.Time{}, time.Time{}
	p.held = nil
}

// matches applies FilterCriteria: a record passes when any filter matches.
func (p *poller) matches(rec []byte) bool {
	if len(p.filters) == 0 {
		return true
	}
	for _, f := range p.filters {
		if f.Match(rec) {
			return true
		}
	}
	return false
}

// collect reads up to limit matching records after the checkpoint, adding
// to batch, which was read up to through. through is the last sequence the
// batch accounts for, filtered-out records included; full says the batch
// could not take another record.
func (p *poller) collect(ctx context.Context, m *mapping, after string, limit int, batch []item, through string) ([]item, string, bool, error) {
	size := payloadRoom
	for _, it := range batch {
		size += len(it.JSON) + len(m.EventSourceArn) + 24
	}
	cur := after
	if through != "" {
		cur = through
	}
	if len(batch) >= limit {
		return batch, through, true, nil
	}
	for {
		n := limit - len(batch)
		if len(p.filters) > 0 {
			n = max(n, readChunk)
		}
		recs, err := p.r.s.cfg.Streams.ReadStream(ctx, m.EventSourceArn, cur, n)
		if err != nil {
			return nil, "", false, err
		}
		for _, r := range recs {
			if p.matches(r.JSON) {
				size += len(r.JSON) + len(m.EventSourceArn) + 24
				if len(batch) > 0 && size > maxSyncPayload {
					return batch, through, true, nil
				}
				batch = append(batch, item{StreamRecord: r, created: createdAt(r.JSON)})
			}
			through = r.Sequence
			if len(batch) == limit {
				return batch, through, true, nil
			}
		}
		if len(recs) < n {
			return batch, through, false, nil
		}
		cur = recs[len(recs)-1].Sequence
	}
}

// createdAt reads dynamodb.ApproximateCreationDateTime (epoch seconds).
func createdAt(rec []byte) time.Time {
	var r struct {
		Dynamodb struct {
			ApproximateCreationDateTime float64 `json:"ApproximateCreationDateTime"`
		} `json:"dynamodb"`
	}
	if json.Unmarshal(rec, &r) != nil || r.Dynamodb.ApproximateCreationDateTime <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(r.Dynamodb.ApproximateCreationDateTime * 1000))
}

// expired counts the leading records older than MaximumRecordAgeInSeconds.
func (p *poller) expired(m *mapping, batch []item) int {
	if m.MaximumRecordAge < 0 {
		return 0
	}
	limit := time.Duration(m.MaximumRecordAge) * time.Second
	now := p.r.s.clk.Now()
	n := 0
	for _, it := range batch {
		if it.created.IsZero() || now.Sub(it.created) <= limit {
			break
		}
		n++
	}
	return n
}

// payload builds the function's event: each record with eventSourceARN added.
func payload(source string, batch []item) []byte {
	arn, _ := json.Marshal(source)
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i, it := range batch {
		if i > 0 {
			b.WriteByte(',')
		}
		rec := bytes.TrimSpace(it.JSON)
		if len(rec) < 2 || rec[len(rec)-1] != '}' {
			b.Write(rec)
			continue
		}
		body := bytes.TrimSpace(rec[:len(rec)-1])
		b.Write(body)
		if len(body) > 1 {
			b.WriteByte(',')
		}
		b.WriteString(`"eventSourceARN":`)
		b.Write(arn)
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// deliver invokes the function with batch and moves the checkpoint by the
// outcome.
func (p *poller) deliver(ctx context.Context, m *mapping, st mappingState, batch []item, through string) pause {
	s := p.r.s
	ref, err := ParseFunctionRef(m.FunctionArn, m.Account, m.Region)
	if err != nil {
		p.record(st, "", resultNoFunction)
		return pause{clock: problemWait}
	}
	res, err := s.invoke(ctx, &invokeRequest{Ref: ref, Type: invokeSync, Payload: payload(m.EventSourceArn, batch), RequestID: edge.NewUUID()})
	if ctx.Err() != nil {
		return pause{}
	}
	var ae *edge.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case "ResourceNotFoundException":
			// The mapping outlives its function, as in AWS; it waits for one.
			p.record(st, "", resultNoFunction)
			return pause{clock: problemWait}
		case "TooManyRequestsException":
			return pause{clock: retryBase}
		}
	}
	failedAt := -1 // index of the first failed record
	switch {
	case err != nil:
		s.log.Warn("event source mapping invoke", "mapping", m.UUID, "function", m.FunctionArn, "err", err)
		failedAt = 0
	case res.FunctionError != "":
		failedAt = 0
	case m.reportsItemFailures():
		failedAt = firstFailed(res.Payload, batch)
	}
	if failedAt < 0 {
		p.record(st, through, resultOK)
		p.attempts, p.notBefore = 0, time.Time{}
		if p.bisectEnd != "" && through >= p.bisectEnd {
			p.limit, p.bisectEnd = 0, ""
		}
		return pause{}
	}
	if failedAt > 0 { // the records before the first failure are done
		p.record(st, batch[failedAt-1].Sequence, resultFailed)
		batch = batch[failedAt:]
		p.attempts = 0
	} else {
		p.record(st, "", resultFailed)
	}
	// A failed invocation splits the batch; splitting is not a retry.
	if m.Bisect && len(batch) > 1 && (err != nil || res.FunctionError != "") {
		p.limit = (len(batch) + 1) / 2
		p.bisectEnd = batch[len(batch)-1].Sequence
		return pause{}
	}
	p.attempts++
	if m.MaximumRetryAttempts >= 0 && p.attempts > m.MaximumRetryAttempts {
		p.discard(ctx, m, batch, "RetryAttemptsExhausted", res, p.attempts)
		p.record(mappingState{After: st.After, LastResult: resultFailed}, through, "")
		p.attempts, p.notBefore = 0, time.Time{}
		return pause{}
	}
	d := min(retryBase<<min(p.attempts-1, 16), retryCap)
	p.notBefore = s.clk.Now().Add(d)
	return pause{clock: d}
}

// firstFailed reads a ReportBatchItemFailures response: -1 when the batch
// succeeded, else the index of the earliest failed record. Lambda treats an
// identifier that is missing, empty or unknown as a failure of the whole batch.
func firstFailed(resp []byte, batch []item) int {
	var r struct {
		Failures []struct {
			ID *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if len(bytes.TrimSpace(resp)) == 0 || json.Unmarshal(resp, &r) != nil || len(r.Failures) == 0 {
		return -1
	}
	first := len(batch)
	for _, f := range r.Failures {
		if f.ID == nil || *f.ID == "" {
			return 0
		}
		i := indexOfSequence(batch, *f.ID)
		if i < 0 {
			return 0
		}
		first = min(first, i)
	}
	return first
}

func indexOfSequence(batch []item, id string) int {
	want := strings.TrimLeft(id, "0")
	for i, it := range batch {
		if strings.TrimLeft(it.Sequence, "0") == want {
			return i
		}
	}
	return -1
}

// record writes the checkpoint (when after is not "") and the last
// processing result (when not ""), unless the mapping is gone.
func (p *poller) record(st mappingState, after, result string) {
	p.resMu.Lock()
	defer p.resMu.Unlock()
	if (after == "" || after == st.After) && (result == "" || result == p.lastResult) {
		return
	}
	err := p.r.s.st.Update(func(tx store.Tx) error {
		m, cur := loadMapping(tx, p.key)
		if m == nil {
			return nil
		}
		if after != "" {
			cur.After = after
		}
		if result != "" {
			cur.LastResult = result
		}
		b, _ := json.Marshal(cur)
		return tx.Bucket(esmStateBucket).Put(p.key, b)
	})
	if err != nil {
		p.r.s.log.Error("save event source mapping checkpoint", "key", string(p.key), "err", err)
		return
	}
	if result != "" {
		p.lastResult = result
	}
}

// discard drops records Lambda gives up on and sends a record of them to
// the mapping's OnFailure destination: S3 buckets get it with the
// invocation's event, SQS queues and SNS topics without, as Lambda does.
func (p *poller) discard(ctx context.Context, m *mapping, batch []item, condition string, res *InvokeResult, attempts int) {
	if len(batch) == 0 {
		return
	}
	s := p.r.s
	s.log.Warn("event source mapping discarded records", "mapping", m.UUID, "function", m.FunctionArn,
		"stream", m.EventSourceArn, "condition", condition, "startSequenceNumber", batch[0].Sequence,
		"endSequenceNumber", batch[len(batch)-1].Sequence, "batchSize", len(batch), "onFailure", m.OnFailure)
	parts := strings.SplitN(m.OnFailure, ":", 6)
	if len(parts) == 6 && (parts[2] == "sqs" || parts[2] == "sns") {
		// Queues and topics get the record without the invocation's event.
		body, _ := json.Marshal(failureRecord(m, batch, condition, res, attempts, s.clk.Now().UTC()))
		if err := s.sendMessage(ctx, parts[2], m.OnFailure, string(body), nil); err != nil {
			s.log.Warn("deliver discarded records", "mapping", m.UUID, "destination", m.OnFailure, "err", err)
		}
		return
	}
	if len(parts) < 6 || parts[2] != "s3" {
		return
	}
	if s.cfg.Objects == nil {
		s.log.Warn("no S3 to deliver discarded records to", "destination", m.OnFailure)
		return
	}
	now := s.clk.Now().UTC()
	rec := failureRecord(m, batch, condition, res, attempts, now)
	rec.Payload = json.RawMessage(payload(m.EventSourceArn, batch))
	body, _ := json.Marshal(rec)
	key := "aws/lambda/" + m.UUID + "/" + streamShard + "/" + now.Format("2006/01/02/2006-01-02T15.04.05") + "-" + edge.NewUUID()
	if err := s.cfg.Objects.PutObject(ctx, m.Account, m.Region, parts[5], key, body); err != nil {
		s.log.Warn("deliver discarded records", "mapping", m.UUID, "destination", m.OnFailure, "err", err)
	}
}

// streamShard names the single shard tenkai's streams have in failure records.
const streamShard = "shardId-00000000000000000000-00000000"

type streamFailure struct {
	RequestContext destReqContext  `json:"requestContext"`
	Response       *destRespCtx    `json:"responseContext,omitempty"`
	Version        string          `json:"version"`
	Timestamp      string          `json:"timestamp"`
	BatchInfo      ddbBatchInfo    `json:"DDBStreamBatchInfo"`
	Payload        json.RawMessage `json:"payload,omitempty"`
}

type ddbBatchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

// failureRecord describes a discarded batch in the shape Lambda sends to
// OnFailure destinations of stream mappings.
func failureRecord(m *mapping, batch []item, condition string, res *InvokeResult, attempts int, now time.Time) *streamFailure {
	arrival := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	rec := &streamFailure{
		RequestContext: destReqContext{RequestID: edge.NewUUID(), FunctionArn: m.FunctionArn, Condition: condition, ApproximateInvokeCount: attempts},
		Version:        "1.0",
		Timestamp:      now.Format("2006-01-02T15:04:05.000Z"),
		BatchInfo: ddbBatchInfo{ShardID: streamShard, StartSequenceNumber: batch[0].Sequence, EndSequenceNumber: batch[len(batch)-1].Sequence,
			ApproximateArrivalOfFirstRecord: arrival(batch[0].created), ApproximateArrivalOfLastRecord: arrival(batch[len(batch)-1].created),
			BatchSize: len(batch), StreamArn: m.EventSourceArn},
	}
	if res != nil {
		rec.RequestContext.RequestID = res.RequestID
		rec.Response = &destRespCtx{StatusCode: res.StatusCode, ExecutedVersion: res.ExecutedVersion, FunctionError: res.FunctionError}
	}
	return rec
}
