package sqs

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"tenkai/internal/store"
)

// A receipt handle names the queue, the message and the receive it came
// from (the nonce), so a handle from an earlier receive can be told apart.
func encodeReceipt(queue, id string, nonce uint64) string {
	return base64.StdEncoding.EncodeToString([]byte(queue + "\n" + id + "\n" + strconv.FormatUint(nonce, 10)))
}

func decodeReceipt(h string) (queue, id string, nonce uint64, ok bool) {
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return "", "", 0, false
	}
	parts := strings.Split(string(b), "\n")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "", "", 0, false
	}
	n, err := strconv.ParseUint(parts[2], 10, 64)
	if err != nil {
		return "", "", 0, false
	}
	return parts[0], parts[1], n, true
}

type deleteIn struct {
	QueueUrl      *string `json:"QueueUrl"`
	ReceiptHandle *string `json:"ReceiptHandle"`
}

func (s *Service) deleteMessage(ctx context.Context, in *deleteIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == nil {
		return nil, errMissing("ReceiptHandle")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return nil, s.deleteLocked(q, *in.ReceiptHandle)
}

// deleteLocked deletes by receipt handle. A handle of a message already gone
// succeeds, as in AWS. On standard queues an older handle of the message
// still deletes it; FIFO queues require the latest, still in flight.
func (s *Service) deleteLocked(q *queue, handle string) error {
	name, id, nonce, ok := decodeReceipt(handle)
	if !ok || name != q.name {
		return errReceipt(handle)
	}
	m := q.byID[id]
	if m == nil {
		return nil
	}
	if q.fifo && (m.Nonce != nonce || m.VisibleAt <= s.nowMillis()) {
		return errReceiptExpired()
	}
	err := s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(msgsBucket(q.acct, q.region, q.name)).Delete([]byte(id))
	})
	if err != nil {
		return err
	}
	q.removeLocked(m)
	if q.fifo {
		q.notifyLocked() // the message's group may be unblocked
	}
	return nil
}

type changeVisIn struct {
	QueueUrl          *string `json:"QueueUrl"`
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int    `json:"VisibilityTimeout"`
}

func (s *Service) changeMessageVisibility(ctx context.Context, in *changeVisIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == nil {
		return nil, errMissing("ReceiptHandle")
	}
	if in.VisibilityTimeout == nil {
		return nil, errMissing("VisibilityTimeout")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return nil, s.changeVisLocked(q, *in.ReceiptHandle, *in.VisibilityTimeout)
}

// changeVisLocked restarts an in-flight message's visibility timeout from now.
func (s *Service) changeVisLocked(q *queue, handle string, timeout int) error {
	if timeout < 0 || timeout > maxVisibility {
		return errValue(timeout, "VisibilityTimeout", "VisibilityTimeout must be an integer between 0 and 43200.")
	}
	name, id, nonce, ok := decodeReceipt(handle)
	if !ok || name != q.name {
		return errReceipt(handle)
	}
	m := q.byID[id]
	if m == nil {
		return errValue(handle, "ReceiptHandle", "Message does not exist or is not available for visibility timeout change.")
	}
	now := s.nowMillis()
	if m.Received == 0 || m.VisibleAt <= now {
		return errNotInflight()
	}
	if q.fifo && m.Nonce != nonce {
		return errReceiptExpired()
	}
	// A message stays in flight at most 12 hours from the receive that took it.
	if m.LastRecv > 0 && now+int64(timeout)*1000-m.LastRecv > maxVisibility*1000 {
		return errValue(timeout, "VisibilityTimeout", "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
	}
	c := *m
	c.VisibleAt = now + int64(timeout)*1000
	err := s.st.Update(func(tx store.Tx) error {
		return putJSON(tx.Bucket(msgsBucket(q.acct, q.region, q.name)), id, &c)
	})
	if err != nil {
		return err
	}
	m.VisibleAt = c.VisibleAt
	if timeout == 0 {
		q.notifyLocked()
	}
	return nil
}

func (e deleteBatchEntry) batchID() *string    { return e.Id }
func (e changeVisBatchEntry) batchID() *string { return e.Id }

type deleteBatchEntry struct {
	Id            *string `json:"Id"`
	ReceiptHandle *string `json:"ReceiptHandle"`
}

type deleteBatchIn struct {
	QueueUrl *string            `json:"QueueUrl"`
	Entries  []deleteBatchEntry `json:"Entries"`
}

type batchOK struct {
	Id string `json:"Id"`
}

type batchOut struct {
	Successful []batchOK    `json:"Successful"`
	Failed     []batchError `json:"Failed"`
}

func (s *Service) deleteMessageBatch(ctx context.Context, in *deleteBatchIn) (*batchOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatchIDs(in.Entries, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &batchOut{Successful: []batchOK{}, Failed: []batchError{}}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, e := range in.Entries {
		var err error
		if e.ReceiptHandle == nil {
			err = errMissing("ReceiptHandle")
		} else {
			err = s.deleteLocked(q, *e.ReceiptHandle)
		}
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(*e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, batchOK{Id: *e.Id})
	}
	return out, nil
}

type changeVisBatchEntry struct {
	Id                *string `json:"Id"`
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int    `json:"VisibilityTimeout"`
}

type changeVisBatchIn struct {
	QueueUrl *string               `json:"QueueUrl"`
	Entries  []changeVisBatchEntry `json:"Entries"`
}

func (s *Service) changeMessageVisibilityBatch(ctx context.Context, in *changeVisBatchIn) (*batchOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := checkBatchIDs(in.Entries, "ChangeMessageVisibilityBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &batchOut{Successful: []batchOK{}, Failed: []batchError{}}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, e := range in.Entries {
		var err error
		switch {
		case e.ReceiptHandle == nil:
			err = errMissing("ReceiptHandle")
		default:
			// A missing timeout is 0 in the batch form: the model leaves it optional.
			t := 0
			if e.VisibilityTimeout != nil {
				t = *e.VisibilityTimeout
			}
			err = s.changeVisLocked(q, *e.ReceiptHandle, t)
		}
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(*e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, batchOK{Id: *e.Id})
	}
	return out, nil
}
