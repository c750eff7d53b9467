package sqs

import (
	"context"
	"time"
)

// Message is a received message as other services (Lambda event source
// mappings) see it: what ReceiveMessage returns with every system and
// message attribute.
type Message struct {
	MessageID              string
	ReceiptHandle          string
	Body                   string
	MD5OfBody              string
	MD5OfMessageAttributes string // "" without message attributes
	Attributes             map[string]string
	MessageAttributes      map[string]MessageAttribute
}

// MessageAttribute is one message attribute; exactly one of StringValue and
// BinaryValue is set.
type MessageAttribute struct {
	DataType    string
	StringValue *string
	BinaryValue []byte
}

// Receive takes up to max (1 to 10) messages from the queue queueARN names,
// as ReceiveMessage does: they stay in flight for visibility (a negative
// value means the queue's timeout), and it long polls for up to wait (0
// returns at once). It is safe for concurrent use; each message goes to one
// caller per visibility timeout. Redrive to a dead-letter queue applies.
func (s *Service) Receive(ctx context.Context, queueARN string, max int, visibility, wait time.Duration) ([]Message, error) {
	q, err := s.queueByARN(queueARN)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, errNoQueue()
	}
	if max < 1 || max > 10 {
		return nil, errValue(max, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
	}
	o := &receiveOpts{max: max, vis: -1, wait: wait.Milliseconds(), sys: map[string]bool{"All": true}, allUser: true}
	if visibility >= 0 {
		o.vis = min(visibility.Milliseconds(), maxVisibility*1000)
	}
	if o.wait > maxWait*1000 {
		o.wait = maxWait * 1000
	}
	out, err := s.receive(ctx, q, o)
	if err != nil {
		return nil, err
	}
	msgs := make([]Message, len(out))
	for i, m := range out {
		msgs[i] = Message{MessageID: m.MessageId, ReceiptHandle: m.ReceiptHandle, Body: m.Body, MD5OfBody: m.MD5OfBody,
			MD5OfMessageAttributes: m.MD5OfMessageAttributes, Attributes: m.Attributes}
		if len(m.MessageAttributes) > 0 {
			msgs[i].MessageAttributes = map[string]MessageAttribute{}
			for k, a := range m.MessageAttributes {
				msgs[i].MessageAttributes[k] = MessageAttribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
			}
		}
	}
	return msgs, nil
}

// Delete deletes a received message by its receipt handle, as DeleteMessage.
func (s *Service) Delete(ctx context.Context, queueARN, receiptHandle string) error {
	q, err := s.queueByARN(queueARN)
	if err != nil {
		return err
	}
	if q == nil {
		return errNoQueue()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return s.deleteLocked(q, receiptHandle)
}

// ChangeVisibility restarts a received message's visibility timeout from
// now, as ChangeMessageVisibility; 0 makes it receivable at once.
func (s *Service) ChangeVisibility(ctx context.Context, queueARN, receiptHandle string, timeout time.Duration) error {
	q, err := s.queueByARN(queueARN)
	if err != nil {
		return err
	}
	if q == nil {
		return errNoQueue()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return s.changeVisLocked(q, receiptHandle, int(timeout/time.Second))
}
