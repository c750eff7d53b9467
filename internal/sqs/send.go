package sqs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type sendEntry struct {
	Id                      *string              `json:"Id"` // batches only
	MessageBody             *string              `json:"MessageBody"`
	DelaySeconds            *int                 `json:"DelaySeconds"`
	MessageAttributes       map[string]attrValue `json:"MessageAttributes"`
	MessageSystemAttributes map[string]attrValue `json:"MessageSystemAttributes"`
	MessageDeduplicationId  *string              `json:"MessageDeduplicationId"`
	MessageGroupId          *string              `json:"MessageGroupId"`
}

type sendIn struct {
	QueueUrl *string `json:"QueueUrl"`
	sendEntry
}

type sendOut struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageId                    string `json:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

// outgoing is a validated message waiting to be enqueued.
type outgoing struct {
	m        *message
	delay    int64  // milliseconds
	dedupKey string // FIFO only
	out      *sendOut
	size     int
}

// prepareLocked validates one message for q and builds it, without enqueuing.
// The caller holds q.mu (for the attributes).
func (s *Service) prepareLocked(q *queue, e *sendEntry, sender string) (*outgoing, error) {
	if e.MessageBody == nil || *e.MessageBody == "" {
		return nil, errMissing("MessageBody")
	}
	body := *e.MessageBody
	delay := atoi(q.meta.Attrs["DelaySeconds"])
	if e.DelaySeconds != nil {
		if q.fifo {
			return nil, errValue(*e.DelaySeconds, "DelaySeconds", "The request include parameter that is not valid for this queue type.")
		}
		if *e.DelaySeconds < 0 || *e.DelaySeconds > maxDelay {
			return nil, errValue(*e.DelaySeconds, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")
		}
		delay = *e.DelaySeconds
	}
	m := &message{Body: body, Sender: sender}
	if e.MessageGroupId != nil {
		if err := checkGroupish("MessageGroupId", *e.MessageGroupId); err != nil {
			return nil, err
		}
		m.Group = *e.MessageGroupId
	}
	if q.fifo {
		if e.MessageGroupId == nil {
			return nil, errMissing("MessageGroupId")
		}
		switch {
		case e.MessageDeduplicationId != nil:
			if err := checkGroupish("MessageDeduplicationId", *e.MessageDeduplicationId); err != nil {
				return nil, err
			}
			m.Dedup = *e.MessageDeduplicationId
		case q.meta.Attrs["ContentBasedDeduplication"] == "true":
			sum := sha256.Sum256([]byte(body))
			m.Dedup = hex.EncodeToString(sum[:])
		default:
			return nil, errParam("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
	} else if e.MessageDeduplicationId != nil {
		return nil, errValue(*e.MessageDeduplicationId, "MessageDeduplicationId", "The request include parameter that is not valid for this queue type.")
	}
	if err := checkUserAttrs(e.MessageAttributes); err != nil {
		return nil, err
	}
	if err := checkSysAttrs(e.MessageSystemAttributes); err != nil {
		return nil, err
	}
	size := len(body) + attrsSize(e.MessageAttributes)
	if limit := atoi(q.meta.Attrs["MaximumMessageSize"]); size > limit {
		return nil, errParam("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", limit)
	}
	if err := checkContents(body, "message body"); err != nil {
		return nil, err
	}
	if len(e.MessageAttributes) > 0 {
		m.Attrs = e.MessageAttributes
		m.MD5Attrs = attrsMD5(m.Attrs)
	}
	if len(e.MessageSystemAttributes) > 0 {
		m.Sys = e.MessageSystemAttributes
		m.MD5Sys = attrsMD5(m.Sys)
	}
	m.MD5Body = md5Hex(body)
	o := &outgoing{m: m, delay: int64(delay) * 1000, size: size,
		out: &sendOut{MD5OfMessageBody: m.MD5Body, MD5OfMessageAttributes: m.MD5Attrs, MD5OfMessageSystemAttributes: m.MD5Sys}}
	if q.fifo {
		o.dedupKey = m.Dedup
		if q.meta.Attrs["DeduplicationScope"] == "messageGroup" {
			o.dedupKey = m.Group + "\x00" + m.Dedup
		}
	}
	return o, nil
}

// enqueueLocked stores the prepared messages in one transaction and makes
// them receivable. A FIFO message whose deduplication id was seen in the last
// 5 minutes is accepted but not enqueued again; its answer names the first.
func (s *Service) enqueueLocked(q *queue, outs []*outgoing) error {
	now := s.nowMillis()
	var stale []string
	for k, d := range q.dedup {
		if d.Expires <= now {
			stale = append(stale, k)
		}
	}
	var fresh []*outgoing
	var newDedup []string
	for _, o := range outs {
		if q.fifo {
			if d, ok := q.dedup[o.dedupKey]; ok && d.Expires > now {
				o.out.MessageId, o.out.SequenceNumber = d.ID, seqString(d.Seq)
				continue
			}
		}
		m := o.m
		m.ID = s.newID()
		m.Seq = s.seq.Add(1)
		m.Sent = now
		m.VisibleAt = now + o.delay
		o.out.MessageId = m.ID
		if q.fifo {
			o.out.SequenceNumber = seqString(m.Seq)
			q.dedup[o.dedupKey] = dedupEntry{ID: m.ID, Seq: m.Seq, Expires: now + dedupInterval}
			newDedup = append(newDedup, o.dedupKey)
		}
		fresh = append(fresh, o)
	}
	if len(fresh) == 0 {
		return nil
	}
	a, r, n := q.acct, q.region, q.name
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(msgsBucket(a, r, n))
		for _, o := range fresh {
			if err := putJSON(b, o.m.ID, o.m); err != nil {
				return err
			}
		}
		if len(newDedup) > 0 {
			db := tx.Bucket(dedupBucket(a, r, n))
			for _, k := range stale {
				if err := db.Delete([]byte(k)); err != nil {
					return err
				}
			}
			for _, k := range newDedup {
				if err := putJSON(db, k, q.dedup[k]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		for _, k := range newDedup {
			delete(q.dedup, k)
		}
		return err
	}
	if len(newDedup) > 0 {
		for _, k := range stale {
			if q.dedup[k].Expires <= now { // not just replaced by a new entry
				delete(q.dedup, k)
			}
		}
	}
	for _, o := range fresh {
		q.insertLocked(o.m)
	}
	q.notifyLocked()
	return nil
}

// AWS sequence numbers are 128-bit decimals; ours are 20 digits.
func seqString(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for len(s) < 20 {
		s = "0" + s
	}
	return s
}

func (s *Service) sendMessage(ctx context.Context, in *sendIn) (*sendOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return s.send(q, &in.sendEntry, edge.MetaFrom(ctx).Account)
}

func (s *Service) send(q *queue, e *sendEntry, sender string) (*sendOut, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return nil, errNoQueue()
	}
	o, err := s.prepareLocked(q, e, sender)
	if err != nil {
		return nil, err
	}
	if err := s.enqueueLocked(q, []*outgoing{o}); err != nil {
		return nil, err
	}
	return o.out, nil
}

type sendBatchIn struct {
	QueueUrl *string     `json:"QueueUrl"`
	Entries  []sendEntry `json:"Entries"`
}

type sendBatchResult struct {
	Id string `json:"Id"`
	sendOut
}

type batchError struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

type sendBatchOut struct {
	Successful []sendBatchResult `json:"Successful"`
	Failed     []batchError      `json:"Failed"`
}

func batchFailure(id string, err error) batchError {
	msg := err.Error()
	if e, ok := err.(*edge.Error); ok {
		msg = e.Message
	}
	return batchError{Id: id, SenderFault: true, Code: code(err), Message: msg}
}

func (e sendEntry) batchID() *string { return e.Id }

func (s *Service) sendMessageBatch(ctx context.Context, in *sendBatchIn) (*sendBatchOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatchIDs(in.Entries, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	total := 0
	for _, e := range in.Entries {
		if e.MessageBody != nil {
			total += len(*e.MessageBody)
		}
		total += attrsSize(e.MessageAttributes)
	}
	if total > maxBatchBytes {
		return nil, errBatchTooLong(total)
	}
	sender := edge.MetaFrom(ctx).Account
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return nil, errNoQueue()
	}
	out := &sendBatchOut{Successful: []sendBatchResult{}, Failed: []batchError{}}
	var ok []*outgoing
	var okIDs []string
	for i := range in.Entries {
		e := &in.Entries[i]
		o, err := s.prepareLocked(q, e, sender)
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(*e.Id, err))
			continue
		}
		ok = append(ok, o)
		okIDs = append(okIDs, *e.Id)
	}
	if err := s.enqueueLocked(q, ok); err != nil {
		return nil, err
	}
	for i, o := range ok {
		out.Successful = append(out.Successful, sendBatchResult{Id: okIDs[i], sendOut: *o.out})
	}
	return out, nil
}

// Send enqueues body on the queue queueARN names, for other services
// (EventBridge targets). groupID and dedupID are for FIFO queues; an empty
// dedupID on a FIFO queue without content-based deduplication is an error,
// as in AWS. It returns the message id.
func (s *Service) Send(ctx context.Context, queueARN, body, groupID, dedupID string) (string, error) {
	q, err := s.queueByARN(queueARN)
	if err != nil {
		return "", err
	}
	if q == nil {
		return "", errNoQueue()
	}
	e := &sendEntry{MessageBody: &body}
	if groupID != "" {
		e.MessageGroupId = &groupID
	}
	if dedupID != "" && q.fifo {
		e.MessageDeduplicationId = &dedupID
	}
	out, err := s.send(q, e, edge.MetaFrom(ctx).Account)
	if err != nil {
		return "", err
	}
	return out.MessageId, nil
}
