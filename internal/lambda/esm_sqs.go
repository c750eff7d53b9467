package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"tenkai/internal/edge"
)

// QueueMessage is one received SQS message as an event source mapping sees it.
type QueueMessage struct {
	MessageID              string
	ReceiptHandle          string
	Body                   string
	MD5OfBody              string
	MD5OfMessageAttributes string // "" without message attributes
	Attributes             map[string]string
	MessageAttributes      map[string]QueueAttribute
}

// QueueAttribute is a message attribute; StringValue or BinaryValue is set
// as DataType says.
type QueueAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// ErrNoQueue is what a QueueClient returns for a queue that does not exist.
var ErrNoQueue = errors.New("lambda: queue does not exist")

// QueueClient is the SQS that event source mappings read and that
// destinations and dead-letter queues write. The composition root adapts
// the SQS service to it. Methods are called concurrently.
type QueueClient interface {
	// QueueFIFO says whether the queue is a FIFO queue; ErrNoQueue when absent.
	QueueFIFO(ctx context.Context, queueARN string) (bool, error)
	// Receive takes up to max (1 to 10) messages with all their attributes,
	// in flight for the queue's visibility timeout, long polling up to wait.
	Receive(ctx context.Context, queueARN string, max int, wait time.Duration) ([]QueueMessage, error)
	// Delete deletes a received message.
	Delete(ctx context.Context, queueARN, receiptHandle string) error
	// Release makes a received message visible again at once.
	Release(ctx context.Context, queueARN, receiptHandle string) error
	// Send sends a message with optional message attributes.
	Send(ctx context.Context, queueARN, body string, attrs map[string]QueueAttribute) error
}

// SQS event source limits, from "Lambda parameters for Amazon SQS event
// source mappings" and the ScalingConfig shape of the API model.
const (
	sqsDefaultBatch       = 10
	sqsFIFOMaxBatch       = 10
	sqsReceiveMax         = 10 // ReceiveMessage's MaxNumberOfMessages
	sqsMinConcurrency     = 2
	sqsMaxConcurrency     = 1000
	sqsDefaultConcurrency = 5 // Lambda starts with five pollers; tenkai does not scale past them
	sqsLongPoll           = 2 * time.Second
	sqsMaxWait            = 20 * time.Second
	resultNoQueue         = "PROBLEM: Queue not found"
)

var reQueueARN = lazyRegexp(`^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_-]{1,80}(\.fifo)?$`)

func isQueueARN(arn string) bool { return strings.SplitN(arn, ":", 4)[2] == "sqs" }

func (m *mapping) isQueue() bool { return isQueueARN(m.EventSourceArn) }

type scalingConfig struct {
	MaximumConcurrency *int `json:"MaximumConcurrency,omitempty"`
}

// checkQueue validates an SQS source: the queue must exist. AWS answers a
// missing queue with the SQS error it met while polling.
func (s *Service) checkQueue(ctx context.Context, arn string) (fifo bool, err error) {
	if !reQueueARN().MatchString(arn) || s.cfg.Queues == nil {
		return false, errNoSourceQueue()
	}
	fifo, err = s.cfg.Queues.QueueFIFO(ctx, arn)
	if errors.Is(err, ErrNoQueue) {
		return false, errNoSourceQueue()
	}
	return fifo, err
}

func errNoSourceQueue() error {
	return invalidParam("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version.")
}

// refuseStreamSettings rejects settings that only stream sources take.
func (in *esmInput) refuseStreamSettings() error {
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"ParallelizationFactor", in.ParallelizationFactor != nil}, {"MaximumRecordAgeInSeconds", in.MaximumRecordAgeInSeconds != nil},
		{"BisectBatchOnFunctionError", in.BisectBatchOnFunctionError != nil}, {"MaximumRetryAttempts", in.MaximumRetryAttempts != nil},
		{"TumblingWindowInSeconds", in.TumblingWindowInSeconds != nil},
		{"DestinationConfig", in.DestinationConfig != nil && (in.DestinationConfig.OnFailure != nil && in.DestinationConfig.OnFailure.Destination != "" ||
			in.DestinationConfig.OnSuccess != nil && in.DestinationConfig.OnSuccess.Destination != "")},
	} {
		if f.set {
			return invalidParam("Unsupported %s parameter for given event source mapping type.", f.name)
		}
	}
	return nil
}

// applyQueue validates and writes the SQS-only settings, then checks the
// combination as Lambda does.
func (in *esmInput) applyQueue(m *mapping) error {
	if c := in.ScalingConfig; c != nil {
		m.MaxConcurrency = 0
		if c.MaximumConcurrency != nil {
			if err := rangeErr(*c.MaximumConcurrency, "scalingConfig.maximumConcurrency", sqsMinConcurrency, sqsMaxConcurrency); err != nil {
				return err
			}
			m.MaxConcurrency = *c.MaximumConcurrency
		}
	}
	if m.FIFO && m.BatchSize > sqsFIFOMaxBatch {
		return invalidParam("Batch size must be between 1 and 10 inclusive for FIFO queues.")
	}
	if m.FIFO && m.BatchingWindow > 0 {
		return invalidParam("Batching window is not supported for FIFO queues.")
	}
	if m.BatchSize > sqsReceiveMax && m.BatchingWindow < 1 {
		return invalidParam("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	return nil
}

// slotsFor returns the semaphore that caps a queue mapping's concurrent
// batches, made anew when MaximumConcurrency changes.
func (p *poller) slotsFor(m *mapping) chan struct{} {
	n := m.MaxConcurrency
	if n == 0 {
		n = sqsDefaultConcurrency
	}
	if p.slots == nil || cap(p.slots) != n {
		p.slots = make(chan struct{}, n)
	}
	return p.slots
}

// stepQueue receives one batch from the mapping's queue and hands it to a
// goroutine that invokes the function, so that up to MaximumConcurrency
// batches run at once.
func (p *poller) stepQueue(ctx context.Context, m *mapping, st mappingState) (pause, bool) {
	s := p.r.s
	if s.cfg.Queues == nil {
		p.record(st, "", resultNoQueue)
		return pause{idle: true}, true
	}
	slots := p.slotsFor(m)
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return pause{}, false
	case <-p.wakeCh: // the mapping changed: read it again first
		return pause{}, true
	}
	batch, err := p.gather(ctx, m)
	if err != nil {
		<-slots
		if ctx.Err() != nil {
			return pause{}, false
		}
		if errors.Is(err, ErrNoQueue) {
			p.record(st, "", resultNoQueue)
		} else {
			s.log.Warn("receive from queue", "mapping", m.UUID, "queue", m.EventSourceArn, "err", err)
		}
		return pause{clock: problemWait}, true
	}
	if len(batch) == 0 {
		<-slots
		// A long poll that returns empty at once (SQS shutting down) must
		// not turn into a busy loop.
		return pause{wall: p.r.poll}, true
	}
	p.inflight.Add(1)
	go func() {
		defer p.inflight.Done()
		defer func() { <-slots }()
		// Groups are independent; each keeps its own order.
		for _, b := range groups(m, batch) {
			p.deliverQueue(ctx, m, b)
		}
	}()
	return pause{}, true
}

// gather receives up to BatchSize matching messages: it returns with the
// first messages when there is no batching window, else keeps polling until
// the window closes, the batch is full or the payload would pass 6 MB.
// Messages that no filter matches are deleted, as Lambda does for SQS.
func (p *poller) gather(ctx context.Context, m *mapping) ([]sqsItem, error) {
	s := p.r.s
	q := s.cfg.Queues
	window := time.Duration(m.BatchingWindow) * time.Second
	var batch []sqsItem
	var deadline time.Time
	size := payloadRoom
	for len(batch) < m.BatchSize && ctx.Err() == nil {
		wait := sqsLongPoll
		if len(batch) > 0 {
			left := deadline.Sub(s.clk.Now())
			if window == 0 || left <= 0 {
				break
			}
			wait = min(left, sqsMaxWait)
		}
		msgs, err := q.Receive(ctx, m.EventSourceArn, min(sqsReceiveMax, m.BatchSize-len(batch)), wait)
		if err != nil {
			if len(batch) > 0 && ctx.Err() == nil {
				break // deliver what was gathered; the error comes back next poll
			}
			return nil, err
		}
		if len(msgs) == 0 {
			if len(batch) > 0 {
				break // the long poll ran to the end of the window
			}
			return nil, nil
		}
		if len(batch) == 0 {
			deadline = s.clk.Now().Add(window)
		}
		grew := false // a message not already in the batch came
		for i, msg := range msgs {
			rec := sqsRecord(m, msg)
			if j := indexOfMessage(batch, msg.MessageID); j >= 0 {
				// Its visibility timeout ran out inside the window and it came
				// back: keep one copy, with the newer receipt handle.
				batch[j] = sqsItem{msg: msg, json: rec}
				continue
			}
			grew = true
			// filterView re-encodes the record; only filters need it.
			if len(p.filters) > 0 && !p.matches(filterView(rec, msg.Body)) {
				if err := q.Delete(ctx, m.EventSourceArn, msg.ReceiptHandle); err != nil {
					s.log.Warn("delete filtered message", "mapping", m.UUID, "err", err)
				}
				continue
			}
			size += len(rec) + 1
			if len(batch) > 0 && size > maxSyncPayload {
				for _, rest := range msgs[i:] {
					_ = q.Release(ctx, m.EventSourceArn, rest.ReceiptHandle)
				}
				return batch, nil
			}
			batch = append(batch, sqsItem{msg: msg, json: rec})
		}
		if !grew && len(batch) > 0 {
			break // only messages already held came back: nothing new is waiting
		}
	}
	return batch, nil
}

func indexOfMessage(batch []sqsItem, id string) int {
	for i, it := range batch {
		if it.msg.MessageID == id {
			return i
		}
	}
	return -1
}

// sqsItem is a message in a batch with its event record.
type sqsItem struct {
	msg  QueueMessage
	json []byte
}

// groups splits a FIFO batch by message group, keeping each group's order;
// Lambda invokes a function with one group at a time.
func groups(m *mapping, batch []sqsItem) [][]sqsItem {
	if !m.FIFO {
		return [][]sqsItem{batch}
	}
	var out [][]sqsItem
	at := map[string]int{}
	for _, it := range batch {
		g := it.msg.Attributes["MessageGroupId"]
		i, ok := at[g]
		if !ok {
			i = len(out)
			at[g] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], it)
	}
	return out
}

// deliverQueue invokes the function with one batch and deletes the
// messages it handled; the rest become visible again when their visibility
// timeout ends, and the queue's redrive policy applies. It reports whether
// every message succeeded.
func (p *poller) deliverQueue(ctx context.Context, m *mapping, batch []sqsItem) bool {
	s := p.r.s
	ref, err := ParseFunctionRef(m.FunctionArn, m.Account, m.Region)
	if err != nil {
		p.recordResult(resultNoFunction)
		return false
	}
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i, it := range batch {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it.json)
	}
	b.WriteString(`]}`)
	res, err := s.invoke(ctx, &invokeRequest{Ref: ref, Type: invokeSync, Payload: b.Bytes(), RequestID: edge.NewUUID()})
	if ctx.Err() != nil {
		return false
	}
	var ae *edge.Error
	if errors.As(err, &ae) && ae.Code == "ResourceNotFoundException" {
		p.recordResult(resultNoFunction)
		return false
	}
	failed := map[int]bool{}
	switch {
	case err != nil:
		s.log.Warn("event source mapping invoke", "mapping", m.UUID, "function", m.FunctionArn, "err", err)
		return false
	case res.FunctionError != "":
		p.recordResult(resultFailed)
		return false
	case m.reportsItemFailures():
		var all bool
		if failed, all = failedMessages(res.Payload, batch); all {
			p.recordResult(resultFailed)
			return false
		}
	}
	for i, it := range batch {
		if failed[i] {
			if m.FIFO {
				break // a group's later messages wait behind its failed one
			}
			continue
		}
		if err := s.cfg.Queues.Delete(ctx, m.EventSourceArn, it.msg.ReceiptHandle); err != nil {
			s.log.Warn("delete handled message", "mapping", m.UUID, "queue", m.EventSourceArn, "err", err)
		}
	}
	if len(failed) > 0 {
		p.recordResult(resultFailed)
		return false
	}
	p.recordResult(resultOK)
	return true
}

// failedMessages reads a ReportBatchItemFailures response; itemIdentifier
// is a messageId. An identifier that is missing, empty or not in the batch
// fails the whole batch, as in Lambda; a response that is not such an
// object is a success.
func failedMessages(resp []byte, batch []sqsItem) (map[int]bool, bool) {
	var r struct {
		Failures []struct {
			ID *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	failed := map[int]bool{}
	if len(bytes.TrimSpace(resp)) == 0 || json.Unmarshal(resp, &r) != nil {
		return failed, false
	}
	for _, f := range r.Failures {
		if f.ID == nil || *f.ID == "" {
			return nil, true
		}
		i := indexOfMessage(batch, *f.ID)
		if i < 0 {
			return nil, true
		}
		failed[i] = true
	}
	return failed, false
}

// recordResult writes LastProcessingResult from a batch goroutine.
func (p *poller) recordResult(result string) {
	p.record(mappingState{}, "", result)
}

// sqsSystemAttributes are the attributes Lambda's SQS event carries.
var sqsSystemAttributes = []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
	"SequenceNumber", "MessageGroupId", "MessageDeduplicationId", "AWSTraceHeader", "DeadLetterQueueSourceArn"}

type sqsEventAttr struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

type sqsEventRecord struct {
	MessageID              string                  `json:"messageId"`
	ReceiptHandle          string                  `json:"receiptHandle"`
	Body                   string                  `json:"body"`
	Attributes             map[string]string       `json:"attributes"`
	MessageAttributes      map[string]sqsEventAttr `json:"messageAttributes"`
	MD5OfMessageAttributes string                  `json:"md5OfMessageAttributes,omitempty"`
	MD5OfBody              string                  `json:"md5OfBody"`
	EventSource            string                  `json:"eventSource"`
	EventSourceARN         string                  `json:"eventSourceARN"`
	AWSRegion              string                  `json:"awsRegion"`
}

// sqsRecord renders a message as a record of Lambda's SQS event.
func sqsRecord(m *mapping, msg QueueMessage) []byte {
	rec := sqsEventRecord{MessageID: msg.MessageID, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body,
		Attributes: map[string]string{}, MessageAttributes: map[string]sqsEventAttr{},
		MD5OfMessageAttributes: msg.MD5OfMessageAttributes, MD5OfBody: msg.MD5OfBody,
		EventSource: "aws:sqs", EventSourceARN: m.EventSourceArn, AWSRegion: strings.SplitN(m.EventSourceArn, ":", 5)[3]}
	for _, k := range sqsSystemAttributes {
		if v, ok := msg.Attributes[k]; ok {
			rec.Attributes[k] = v
		}
	}
	for k, a := range msg.MessageAttributes {
		ea := sqsEventAttr{DataType: a.DataType, StringListValues: []string{}, BinaryListValues: [][]byte{}}
		if a.BinaryValue != nil {
			ea.BinaryValue = a.BinaryValue
		} else {
			v := a.StringValue
			ea.StringValue = &v
		}
		rec.MessageAttributes[k] = ea
	}
	b, _ := json.Marshal(rec)
	return b
}

// filterView is the record filters see: the body as JSON when it parses,
// else as the string it is, following Lambda's SQS filtering rules.
func filterView(rec []byte, body string) []byte {
	if !json.Valid([]byte(body)) {
		return rec
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(rec, &obj) != nil {
		return rec
	}
	obj["body"] = json.RawMessage(body)
	b, err := json.Marshal(obj)
	if err != nil {
		return rec
	}
	return b
}
