package sqs

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"tenkai/internal/store"
)

// Storage layout, per (account, region):
//
//	sqs/queues/ACCOUNT/REGION        queue name → queueMeta (JSON)
//	sqs/msgs/ACCOUNT/REGION/NAME     message id → message (JSON)
//	sqs/dedup/ACCOUNT/REGION/NAME    deduplication key → dedupEntry (JSON)
//
// The store is the record; each queue keeps its messages in memory too,
// ordered by sequence number, so a receive does not decode every message.

func queuesBucket(account, region string) string { return "sqs/queues/" + account + "/" + region }

func msgsBucket(account, region, name string) string {
	return "sqs/msgs/" + account + "/" + region + "/" + name
}

func dedupBucket(account, region, name string) string {
	return "sqs/dedup/" + account + "/" + region + "/" + name
}

// queueMeta is a queue as stored.
type queueMeta struct {
	Account  string            `json:"account"`
	Region   string            `json:"region"`
	Name     string            `json:"name"`
	Attrs    map[string]string `json:"attrs"` // settable attributes, canonical values
	Tags     map[string]string `json:"tags,omitempty"`
	Created  int64             `json:"created"`          // epoch seconds
	Modified int64             `json:"modified"`         // epoch seconds
	Purged   int64             `json:"purged,omitempty"` // epoch milliseconds of the last PurgeQueue
}

// attrValue is a message attribute, user or system.
type attrValue struct {
	DataType    string  `json:"DataType"`
	StringValue *string `json:"StringValue,omitempty"`
	BinaryValue []byte  `json:"BinaryValue,omitempty"`
	// The list members are reserved by AWS; kept only so requests that send
	// them decode.
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

// message is one message as stored. Times are epoch milliseconds.
type message struct {
	ID        string               `json:"id"`
	Body      string               `json:"body"`
	MD5Body   string               `json:"md5"`
	Attrs     map[string]attrValue `json:"attrs,omitempty"`
	MD5Attrs  string               `json:"md5Attrs,omitempty"`
	Sys       map[string]attrValue `json:"sys,omitempty"`
	MD5Sys    string               `json:"md5Sys,omitempty"`
	Sender    string               `json:"sender"`
	Sent      int64                `json:"sent"`
	Seq       uint64               `json:"seq"`
	VisibleAt int64                `json:"visibleAt"` // delayed or in flight until then
	Received  int                  `json:"received"`
	FirstRecv int64                `json:"firstRecv,omitempty"`
	LastRecv  int64                `json:"lastRecv,omitempty"` // bounds the total visibility timeout
	Group     string               `json:"group,omitempty"`
	Dedup     string               `json:"dedup,omitempty"`
	Nonce     uint64               `json:"nonce,omitempty"` // names the latest receipt
	DLQSource string               `json:"dlqSource,omitempty"`

	gone bool // deleted, moved or expired; dropped from queue.order on compaction
}

// dedupEntry remembers a FIFO message for the 5-minute deduplication interval.
type dedupEntry struct {
	ID      string `json:"id"`
	Seq     uint64 `json:"seq"`
	Expires int64  `json:"expires"` // epoch milliseconds
}

// attempt is one FIFO receive, by ReceiveRequestAttemptId.
type attempt struct {
	expires int64 // epoch milliseconds
	msgs    []*message
	nonces  []uint64
}

// queue is a queue's state in memory.
type queue struct {
	// acct, region, name, arn and fifo never change; they are read without mu.
	acct, region, name string
	arn                string
	fifo               bool

	mu    sync.Mutex // guards everything below
	meta  queueMeta
	order []*message // by Seq; may hold gone messages
	byID  map[string]*message
	ngone int
	dedup map[string]dedupEntry
	// attempts maps a FIFO ReceiveRequestAttemptId to what it received, so a
	// retried receive gets the same messages (kept in memory only).
	attempts map[string]attempt
	wake     chan struct{} // closed when a message may have become receivable
	deleted  bool
}

func newQueue(meta queueMeta) *queue {
	return &queue{acct: meta.Account, region: meta.Region, name: meta.Name, meta: meta,
		arn: queueARN(meta.Region, meta.Account, meta.Name), fifo: meta.Attrs["FifoQueue"] == "true",
		byID: map[string]*message{}, dedup: map[string]dedupEntry{}, wake: make(chan struct{})}
}

func queueARN(region, account, name string) string {
	return "arn:aws:sqs:" + region + ":" + account + ":" + name
}

// notifyLocked wakes long polls waiting on the queue.
func (q *queue) notifyLocked() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// insertLocked adds m in sequence order; m almost always goes last.
func (q *queue) insertLocked(m *message) {
	q.byID[m.ID] = m
	i := len(q.order)
	for i > 0 && q.order[i-1].Seq > m.Seq {
		i--
	}
	q.order = append(q.order, nil)
	copy(q.order[i+1:], q.order[i:])
	q.order[i] = m
}

// removeLocked forgets m; the order slice is compacted once half of it is gone.
func (q *queue) removeLocked(m *message) {
	if m.gone {
		return
	}
	m.gone = true
	delete(q.byID, m.ID)
	q.ngone++
	if q.ngone > 32 && q.ngone > len(q.order)/2 {
		live := q.order[:0]
		for _, x := range q.order {
			if !x.gone {
				live = append(live, x)
			}
		}
		clear(q.order[len(live):])
		q.order = live
		q.ngone = 0
	}
}

func (q *queue) clearLocked() {
	for _, m := range q.order {
		m.gone = true
	}
	q.order, q.byID, q.ngone = nil, map[string]*message{}, 0
}

func putJSON(b store.Bucket, key string, v any) error {
	js, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put([]byte(key), js)
}

// loadQueues reads every queue of the store with its messages.
func loadQueues(tx store.Tx) ([]*queue, error) {
	var out []*queue
	var names []string
	tx.BucketNames("sqs/queues/", func(name string) bool {
		names = append(names, name)
		return true
	})
	for _, bn := range names {
		var err error
		tx.Bucket(bn).Scan(nil, nil, false, func(_, v []byte) bool {
			var meta queueMeta
			if err = json.Unmarshal(v, &meta); err != nil {
				return false
			}
			q := newQueue(meta)
			if err = loadMessages(tx, q); err != nil {
				return false
			}
			out = append(out, q)
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("load queues: %w", err)
		}
	}
	return out, nil
}

func loadMessages(tx store.Tx, q *queue) error {
	var err error
	tx.Bucket(msgsBucket(q.acct, q.region, q.name)).Scan(nil, nil, false, func(_, v []byte) bool {
		m := new(message)
		if err = json.Unmarshal(v, m); err != nil {
			return false
		}
		q.order = append(q.order, m)
		q.byID[m.ID] = m
		return true
	})
	if err != nil {
		return err
	}
	sort.Slice(q.order, func(i, j int) bool { return q.order[i].Seq < q.order[j].Seq })
	tx.Bucket(dedupBucket(q.acct, q.region, q.name)).Scan(nil, nil, false, func(k, v []byte) bool {
		var d dedupEntry
		if err = json.Unmarshal(v, &d); err != nil {
			return false
		}
		q.dedup[string(k)] = d
		return true
	})
	return err
}
