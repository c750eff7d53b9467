package sqs

import (
	"context"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/store"
)

type receiveIn struct {
	QueueUrl                    *string  `json:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
	MessageAttributeNames       []string `json:"MessageAttributeNames"`
	MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int     `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
	ReceiveRequestAttemptId     *string  `json:"ReceiveRequestAttemptId"`
}

type messageOut struct {
	MessageId              string               `json:"MessageId"`
	ReceiptHandle          string               `json:"ReceiptHandle"`
	MD5OfBody              string               `json:"MD5OfBody"`
	Body                   string               `json:"Body"`
	Attributes             map[string]string    `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string               `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]attrValue `json:"MessageAttributes,omitempty"`
}

type receiveOut struct {
	Messages []messageOut `json:"Messages,omitempty"`
}

var sysAttrNames = map[string]bool{"All": true, "SenderId": true, "SentTimestamp": true, "ApproximateReceiveCount": true,
	"ApproximateFirstReceiveTimestamp": true, "SequenceNumber": true, "MessageDeduplicationId": true,
	"MessageGroupId": true, "AWSTraceHeader": true, "DeadLetterQueueSourceArn": true}

// receiveOpts is a validated ReceiveMessage request.
type receiveOpts struct {
	max      int
	vis      int64 // milliseconds; -1 means the queue's
	wait     int64 // milliseconds; -1 means the queue's
	sys      map[string]bool
	allUser  bool
	prefixes []string // from "prefix.*"
	names    map[string]bool
	attempt  string // FIFO ReceiveRequestAttemptId
}

func parseReceive(in *receiveIn) (*receiveOpts, error) {
	o := &receiveOpts{max: 1, vis: -1, wait: -1, sys: map[string]bool{}, names: map[string]bool{}}
	if in.MaxNumberOfMessages != nil {
		if n := *in.MaxNumberOfMessages; n < 1 || n > 10 {
			return nil, errValue(n, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
		}
		o.max = *in.MaxNumberOfMessages
	}
	if in.VisibilityTimeout != nil {
		if n := *in.VisibilityTimeout; n < 0 || n > maxVisibility {
			return nil, errValue(n, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.")
		}
		o.vis = int64(*in.VisibilityTimeout) * 1000
	}
	if in.WaitTimeSeconds != nil {
		if n := *in.WaitTimeSeconds; n < 0 || n > maxWait {
			return nil, errValue(n, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
		}
		o.wait = int64(*in.WaitTimeSeconds) * 1000
	}
	for _, list := range [][]string{in.AttributeNames, in.MessageSystemAttributeNames} {
		for _, n := range list {
			if !sysAttrNames[n] {
				return nil, errAttrName(n)
			}
			o.sys[n] = true
		}
	}
	if in.ReceiveRequestAttemptId != nil {
		if err := checkGroupish("ReceiveRequestAttemptId", *in.ReceiveRequestAttemptId); err != nil {
			return nil, err
		}
		o.attempt = *in.ReceiveRequestAttemptId
	}
	for _, n := range in.MessageAttributeNames {
		switch {
		case n == "All" || n == ".*":
			o.allUser = true
		case strings.HasSuffix(n, ".*"):
			o.prefixes = append(o.prefixes, strings.TrimSuffix(n, "*"))
		default:
			o.names[n] = true
		}
	}
	return o, nil
}

func (o *receiveOpts) wantUser(name string) bool {
	if o.allUser || o.names[name] {
		return true
	}
	for _, p := range o.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func (s *Service) receiveMessage(ctx context.Context, in *receiveIn) (*receiveOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	o, err := parseReceive(in)
	if err != nil {
		return nil, err
	}
	msgs, err := s.receive(ctx, q, o)
	if err != nil {
		return nil, err
	}
	return &receiveOut{Messages: msgs}, nil
}

// receive takes up to o.max messages, long polling for up to the wait time:
// it returns as soon as a message can be taken, and it waits on the queue's
// wake channel and a clock timer, never holding a lock.
func (s *Service) receive(ctx context.Context, q *queue, o *receiveOpts) ([]messageOut, error) {
	if out, ok := s.retryAttempt(q, o); ok {
		return out, nil
	}
	start := s.nowMillis()
	wait := o.wait
	for {
		dlq, maxRecv := s.deadLetterTarget(q)
		out, next, wake, err := s.take(q, dlq, maxRecv, o)
		if err != nil || len(out) > 0 {
			return out, err
		}
		if wait < 0 {
			q.mu.Lock()
			wait = int64(atoi(q.meta.Attrs["ReceiveMessageWaitTimeSeconds"])) * 1000
			q.mu.Unlock()
		}
		now := s.nowMillis()
		left := start + wait - now
		if left <= 0 || wake == nil {
			return nil, nil
		}
		if next > 0 && next-now < left {
			left = max(next-now, 1)
		}
		t := s.clk.NewTimer(time.Duration(left) * time.Millisecond)
		select {
		case <-wake:
		case <-t.C():
		case <-ctx.Done():
			t.Stop()
			return nil, nil
		case <-s.quit:
			t.Stop()
			return nil, nil
		}
		t.Stop()
	}
}

// retryAttempt answers a FIFO receive retried with the same
// ReceiveRequestAttemptId within 5 minutes: the same messages and receipt
// handles, their visibility timeout restarted, as long as none of them was
// deleted or changed since.
func (s *Service) retryAttempt(q *queue, o *receiveOpts) ([]messageOut, bool) {
	if o.attempt == "" {
		return nil, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	a, ok := q.attempts[o.attempt]
	now := s.nowMillis()
	if !q.fifo || !ok || a.expires <= now {
		return nil, false
	}
	for i, m := range a.msgs {
		if m.gone || m.Nonce != a.nonces[i] {
			delete(q.attempts, o.attempt)
			return nil, false
		}
	}
	vis := o.vis
	if vis < 0 {
		vis = int64(atoi(q.meta.Attrs["VisibilityTimeout"])) * 1000
	}
	out := make([]messageOut, 0, len(a.msgs))
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(msgsBucket(q.acct, q.region, q.name))
		for _, m := range a.msgs {
			c := *m
			c.VisibleAt = now + vis
			if err := putJSON(b, c.ID, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, false
	}
	for _, m := range a.msgs {
		m.VisibleAt = now + vis
		out = append(out, s.view(q, m, o))
	}
	return out, true
}

// deadLetterTarget returns the queue's dead-letter queue and maxReceiveCount,
// or nil. It is looked up before q.mu is taken: s.mu is never taken under a
// queue's lock.
func (s *Service) deadLetterTarget(q *queue) (*queue, int) {
	q.mu.Lock()
	p, ok := parseRedrive(q.meta.Attrs["RedrivePolicy"])
	q.mu.Unlock()
	if !ok {
		return nil, 0
	}
	dlq, _ := s.queueByARN(p.DeadLetterTargetArn)
	if dlq == nil || dlq == q {
		return nil, 0
	}
	return dlq, p.MaxReceiveCount
}

// take receives what it can now. When nothing is receivable it returns the
// earliest time (epoch ms) a message becomes visible, 0 if none, and the
// channel closed on the queue's next change (nil if the queue is gone).
func (s *Service) take(q *queue, dlq *queue, maxRecv int, o *receiveOpts) ([]messageOut, int64, <-chan struct{}, error) {
	q.mu.Lock()
	if q.deleted {
		q.mu.Unlock()
		return nil, 0, nil, nil
	}
	now := s.nowMillis()
	retention := int64(atoi(q.meta.Attrs["MessageRetentionPeriod"])) * 1000
	vis := o.vis
	if vis < 0 {
		vis = int64(atoi(q.meta.Attrs["VisibilityTimeout"])) * 1000
	}
	var taken, expired, moved []*message
	var next int64
	var blocked map[string]bool // FIFO groups with a message in flight or delayed
	for _, m := range q.order {
		if m.gone {
			continue
		}
		if m.Sent+retention <= now {
			expired = append(expired, m)
			continue
		}
		if m.VisibleAt > now {
			if q.fifo {
				if blocked == nil {
					blocked = map[string]bool{}
				}
				blocked[m.Group] = true
			}
			if next == 0 || m.VisibleAt < next {
				next = m.VisibleAt
			}
			continue
		}
		if q.fifo && blocked[m.Group] {
			continue
		}
		if dlq != nil && m.Received >= maxRecv {
			moved = append(moved, m)
			continue
		}
		if len(taken) == o.max {
			break
		}
		m.Received++
		if m.FirstRecv == 0 {
			m.FirstRecv = now
		}
		m.LastRecv = now
		m.VisibleAt = now + vis
		m.Nonce = s.nonce.Add(1)
		taken = append(taken, m)
	}
	var dlqMsgs []*message
	if len(taken)+len(expired)+len(moved) > 0 {
		for _, m := range moved {
			c := *m
			c.Seq, c.VisibleAt, c.Nonce, c.DLQSource, c.gone = s.seq.Add(1), now, 0, q.arn, false
			dlqMsgs = append(dlqMsgs, &c)
		}
		a, r, n := q.acct, q.region, q.name
		err := s.st.Update(func(tx store.Tx) error {
			b := tx.Bucket(msgsBucket(a, r, n))
			for _, m := range taken {
				if err := putJSON(b, m.ID, m); err != nil {
					return err
				}
			}
			for _, list := range [][]*message{expired, moved} {
				for _, m := range list {
					if err := b.Delete([]byte(m.ID)); err != nil {
						return err
					}
				}
			}
			if len(dlqMsgs) > 0 {
				db := tx.Bucket(msgsBucket(dlq.acct, dlq.region, dlq.name))
				for _, m := range dlqMsgs {
					if err := putJSON(db, m.ID, m); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			q.mu.Unlock()
			return nil, 0, nil, err
		}
		for _, list := range [][]*message{expired, moved} {
			for _, m := range list {
				q.removeLocked(m)
			}
		}
	}
	out := make([]messageOut, 0, len(taken))
	for _, m := range taken {
		out = append(out, s.view(q, m, o))
	}
	if q.fifo && o.attempt != "" && len(taken) > 0 {
		a := attempt{expires: now + dedupInterval, msgs: taken}
		for _, m := range taken {
			a.nonces = append(a.nonces, m.Nonce)
		}
		if q.attempts == nil {
			q.attempts = map[string]attempt{}
		}
		for k, x := range q.attempts {
			if x.expires <= now {
				delete(q.attempts, k)
			}
		}
		q.attempts[o.attempt] = a
	}
	wake := q.wake
	q.mu.Unlock()
	if len(dlqMsgs) > 0 {
		dlq.mu.Lock()
		if !dlq.deleted {
			for _, m := range dlqMsgs {
				dlq.insertLocked(m)
			}
			dlq.notifyLocked()
		}
		dlq.mu.Unlock()
	}
	return out, next, wake, nil
}

// view renders a received message with the attributes asked for. The
// attributes' MD5 covers the attributes returned, as SDKs check it.
func (s *Service) view(q *queue, m *message, o *receiveOpts) messageOut {
	v := messageOut{MessageId: m.ID, ReceiptHandle: encodeReceipt(q.name, m.ID, m.Nonce), MD5OfBody: m.MD5Body, Body: m.Body}
	all := o.sys["All"]
	add := func(name, value string) {
		if (all || o.sys[name]) && value != "" {
			if v.Attributes == nil {
				v.Attributes = map[string]string{}
			}
			v.Attributes[name] = value
		}
	}
	add("SenderId", m.Sender)
	add("SentTimestamp", strconv.FormatInt(m.Sent, 10))
	add("ApproximateReceiveCount", strconv.Itoa(m.Received))
	add("ApproximateFirstReceiveTimestamp", strconv.FormatInt(m.FirstRecv, 10))
	if q.fifo {
		add("SequenceNumber", seqString(m.Seq))
		add("MessageDeduplicationId", m.Dedup)
	}
	add("MessageGroupId", m.Group)
	if t, ok := m.Sys["AWSTraceHeader"]; ok && t.StringValue != nil {
		add("AWSTraceHeader", *t.StringValue)
	}
	add("DeadLetterQueueSourceArn", m.DLQSource)
	for name, a := range m.Attrs {
		if o.wantUser(name) {
			if v.MessageAttributes == nil {
				v.MessageAttributes = map[string]attrValue{}
			}
			v.MessageAttributes[name] = a
		}
	}
	if len(v.MessageAttributes) > 0 {
		v.MD5OfMessageAttributes = attrsMD5(v.MessageAttributes)
	}
	return v
}
