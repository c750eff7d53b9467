package sqs

import (
	"context"
	"encoding/base64"
	"sync"

	"tenkai/internal/store"
)

// Message move tasks redrive a dead-letter queue's messages back to their
// source queues (or to DestinationArn). tenkai moves them at once, so a task
// is COMPLETED when StartMessageMoveTask returns; tasks are kept in memory.

type moveTask struct {
	TaskHandle                        string `json:"TaskHandle,omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove *int64 `json:"ApproximateNumberOfMessagesToMove,omitempty"`
	FailureReason                     string `json:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

type moveTasks struct {
	mu    sync.Mutex
	bySrc map[string][]moveTask // newest first, at most 10
}

func errNoResource(param string) error {
	e := sqsError("ResourceNotFoundException", "ResourceNotFoundException", "The resource that you specified for the %s parameter doesn't exist.", param)
	e.Status = 404
	return e
}

type startMoveIn struct {
	SourceArn                    *string `json:"SourceArn"`
	DestinationArn               *string `json:"DestinationArn"`
	MaxNumberOfMessagesPerSecond *int    `json:"MaxNumberOfMessagesPerSecond"`
}

type startMoveOut struct {
	TaskHandle string `json:"TaskHandle"`
}

func (s *Service) startMessageMoveTask(ctx context.Context, in *startMoveIn) (*startMoveOut, error) {
	if in.SourceArn == nil {
		return nil, errMissing("SourceArn")
	}
	if r := in.MaxNumberOfMessagesPerSecond; r != nil && (*r < 1 || *r > 500) {
		return nil, errValue(*r, "MaxNumberOfMessagesPerSecond", "Must be between 1 and 500, if provided.")
	}
	src, err := s.queueByARN(*in.SourceArn)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errNoResource("SourceArn")
	}
	var dest *queue
	if in.DestinationArn != nil {
		if dest, err = s.queueByARN(*in.DestinationArn); err != nil {
			return nil, err
		}
		if dest == nil {
			return nil, errNoResource("DestinationArn")
		}
	}
	// The source must be some queue's dead-letter queue.
	targets := map[string]*queue{}
	isDLQ := false
	s.mu.RLock()
	for _, q := range s.queues {
		q.mu.Lock()
		p, ok := parseRedrive(q.meta.Attrs["RedrivePolicy"])
		q.mu.Unlock()
		if ok && p.DeadLetterTargetArn == src.arn {
			isDLQ = true
		}
		targets[q.arn] = q
	}
	s.mu.RUnlock()
	if !isDLQ {
		return nil, errParam("Source queue must be configured as a Dead Letter Queue.")
	}
	moved, err := s.moveAll(src, dest, targets)
	if err != nil {
		return nil, err
	}
	now := s.nowMillis()
	handle := base64.StdEncoding.EncodeToString([]byte(src.arn + "\n" + seqString(s.seq.Add(1))))
	t := moveTask{Status: "COMPLETED", SourceArn: src.arn, MaxNumberOfMessagesPerSecond: in.MaxNumberOfMessagesPerSecond,
		ApproximateNumberOfMessagesMoved: moved, ApproximateNumberOfMessagesToMove: &moved, StartedTimestamp: now}
	if dest != nil {
		t.DestinationArn = dest.arn
	}
	s.tasks.mu.Lock()
	if s.tasks.bySrc == nil {
		s.tasks.bySrc = map[string][]moveTask{}
	}
	list := append([]moveTask{t}, s.tasks.bySrc[src.arn]...)
	if len(list) > 10 {
		list = list[:10]
	}
	s.tasks.bySrc[src.arn] = list
	s.tasks.mu.Unlock()
	return &startMoveOut{TaskHandle: handle}, nil
}

// moveAll moves the source's messages that are not in flight to dest, or to
// the queue each came from. A message whose source queue is gone stays.
func (s *Service) moveAll(src, dest *queue, byARN map[string]*queue) (int64, error) {
	src.mu.Lock()
	now := s.nowMillis()
	moves := map[*queue][]*message{}
	var taken []*message
	for _, m := range src.order {
		if m.gone || m.VisibleAt > now && m.Received > 0 {
			continue
		}
		to := dest
		if to == nil {
			to = byARN[m.DLQSource]
		}
		if to == nil || to == src {
			continue
		}
		c := *m
		c.Seq, c.Sent, c.VisibleAt, c.Received, c.FirstRecv, c.Nonce, c.DLQSource = s.seq.Add(1), now, now, 0, 0, 0, ""
		moves[to] = append(moves[to], &c)
		taken = append(taken, m)
	}
	if len(taken) == 0 {
		src.mu.Unlock()
		return 0, nil
	}
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(msgsBucket(src.acct, src.region, src.name))
		for _, m := range taken {
			if err := b.Delete([]byte(m.ID)); err != nil {
				return err
			}
		}
		for q, ms := range moves {
			db := tx.Bucket(msgsBucket(q.acct, q.region, q.name))
			for _, m := range ms {
				if err := putJSON(db, m.ID, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		src.mu.Unlock()
		return 0, err
	}
	for _, m := range taken {
		src.removeLocked(m)
	}
	src.mu.Unlock()
	for q, ms := range moves {
		q.mu.Lock()
		if !q.deleted {
			for _, m := range ms {
				q.insertLocked(m)
			}
			q.notifyLocked()
		}
		q.mu.Unlock()
	}
	return int64(len(taken)), nil
}

type listMovesIn struct {
	SourceArn  *string `json:"SourceArn"`
	MaxResults *int    `json:"MaxResults"`
}

type listMovesOut struct {
	Results []moveTask `json:"Results"`
}

func (s *Service) listMessageMoveTasks(ctx context.Context, in *listMovesIn) (*listMovesOut, error) {
	if in.SourceArn == nil {
		return nil, errMissing("SourceArn")
	}
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return nil, errValue(*in.MaxResults, "MaxResults", "Must be between 1 and 10, if provided.")
		}
		limit = *in.MaxResults
	}
	q, err := s.queueByARN(*in.SourceArn)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, errNoResource("SourceArn")
	}
	s.tasks.mu.Lock()
	list := s.tasks.bySrc[q.arn]
	if len(list) > limit {
		list = list[:limit]
	}
	out := &listMovesOut{Results: append([]moveTask{}, list...)}
	s.tasks.mu.Unlock()
	return out, nil
}

type cancelMoveIn struct {
	TaskHandle *string `json:"TaskHandle"`
}

type cancelMoveOut struct {
	ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved"`
}

// cancelMessageMoveTask: tasks finish before they can be cancelled, and AWS
// cancels only RUNNING tasks.
func (s *Service) cancelMessageMoveTask(ctx context.Context, in *cancelMoveIn) (*cancelMoveOut, error) {
	if in.TaskHandle == nil {
		return nil, errMissing("TaskHandle")
	}
	return nil, errNoResource("TaskHandle")
}
