package logs

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// PutLogEvents limits, from the API reference.
const (
	maxBatchEvents = 10000
	maxBatchBytes  = 1048576
	maxEventBytes  = 1048576 // per event, message plus 26 bytes
	maxBatchSpan   = 24 * time.Hour
	maxFuture      = 2 * time.Hour
	maxPast        = 14 * 24 * time.Hour
)

// Event is one log event for Append.
type Event struct {
	Time    time.Time
	Message string
}

// inputLogEvent is one event of a PutLogEvents request. Values, not
// pointers, keep the hot path free of per-member allocations; the flags say
// which members were present.
type inputLogEvent struct {
	Timestamp int64
	Message   string
	hasTS     bool
	hasMsg    bool
}

// UnmarshalJSON decodes {"timestamp": n, "message": "..."}, noting absent or null members.
func (e *inputLogEvent) UnmarshalJSON(b []byte) error {
	var raw struct {
		Timestamp *int64  `json:"timestamp"`
		Message   *string `json:"message"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*e = inputLogEvent{}
	if raw.Timestamp != nil {
		e.Timestamp, e.hasTS = *raw.Timestamp, true
	}
	if raw.Message != nil {
		e.Message, e.hasMsg = *raw.Message, true
	}
	return nil
}

type putLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []inputLogEvent `json:"logEvents"`
	SequenceToken string          `json:"sequenceToken"`
}

type rejectedInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putLogEventsOutput struct {
	NextSequenceToken     string        `json:"nextSequenceToken"`
	RejectedLogEventsInfo *rejectedInfo `json:"rejectedLogEventsInfo,omitempty"`
}

// rawEvent is an event on its way into the store.
type rawEvent struct {
	ts  int64
	msg string
}

func (s *Service) putLogEventsHandler(ctx context.Context, body []byte) (any, error) {
	in, err := decodePut(body)
	if err != nil {
		return nil, err
	}
	out, err := s.putLogEvents(ctx, in)
	if err != nil {
		return nil, err
	}
	if out.RejectedLogEventsInfo != nil {
		return out, nil
	}
	// The common answer, without reflection.
	b := make([]byte, 0, 96)
	b = append(b, `{"nextSequenceToken":"`...)
	b = append(b, out.NextSequenceToken...)
	return json.RawMessage(append(b, `"}`...)), nil
}

func (s *Service) putLogEvents(ctx context.Context, in *putLogEventsInput) (*putLogEventsOutput, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if err := checkStreamName("logStreamName", in.LogStreamName); err != nil {
		return nil, err
	}
	if in.LogEvents == nil {
		return nil, errMissing("logEvents")
	}
	n := len(in.LogEvents)
	if n == 0 {
		return nil, errInvalid("1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if n > maxBatchEvents {
		return nil, errInvalid("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to %d", maxBatchEvents)
	}
	events := make([]rawEvent, n)
	size := 0
	for i, e := range in.LogEvents {
		if !e.hasTS {
			return nil, errMissing(fmt.Sprintf("logEvents.%d.member.timestamp", i+1))
		}
		if !e.hasMsg {
			return nil, errMissing(fmt.Sprintf("logEvents.%d.member.message", i+1))
		}
		if e.Timestamp < 0 {
			return nil, errInvalid("1 validation error detected: Value '%d' at 'logEvents.%d.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0", e.Timestamp, i+1)
		}
		if e.Message == "" {
			return nil, errInvalid("1 validation error detected: Value '' at 'logEvents.%d.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		}
		if i > 0 && e.Timestamp < events[i-1].ts {
			return nil, errInvalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
		sz := eventSize(e.Message)
		if sz > maxEventBytes {
			return nil, errInvalid("Log event too large: %d bytes exceeds limit of %d", sz, maxEventBytes)
		}
		size += sz
		events[i] = rawEvent{ts: e.Timestamp, msg: e.Message}
	}
	if size > maxBatchBytes {
		return nil, errInvalid("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	if time.Duration(events[n-1].ts-events[0].ts)*time.Millisecond > maxBatchSpan {
		return nil, errInvalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	now := s.nowMillis()
	out := &putLogEventsOutput{}
	var seq uint64
	var d delivery
	err := s.st.Update(func(tx store.Tx) error {
		gv := tx.Bucket(groupsBucket(m.Account, m.Region)).Get([]byte(in.LogGroupName))
		if gv == nil {
			return errGroupNotFound()
		}
		sb := tx.Bucket(streamsBucket(m.Account, m.Region, in.LogGroupName))
		v := sb.Get([]byte(in.LogStreamName))
		if v == nil {
			return errStreamNotFound()
		}
		sm, err := decodeStream(v)
		if err != nil {
			return err
		}
		lo, hi, info := rejections(events, now, groupRetention(gv))
		out.RejectedLogEventsInfo = info
		if err := appendEvents(tx, m.Account, m.Region, in.LogGroupName, in.LogStreamName, &sm, events[lo:hi], now); err != nil {
			return err
		}
		seq = sm.Seq
		if subs := groupSubscriptions(tx, m.Account, m.Region, in.LogGroupName); len(subs) > 0 && hi > lo {
			d = delivery{account: m.Account, region: m.Region, group: in.LogGroupName, stream: in.LogStreamName,
				sid: sm.ID, firstSeq: sm.Seq - uint64(hi-lo) + 1, events: events[lo:hi], subs: subs}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.subs != nil {
		s.deliver(d)
	}
	out.NextSequenceToken = sequenceToken(seq)
	return out, nil
}

// rejections finds the accepted run [lo, hi) of a sorted batch: events more
// than 2 hours ahead are too new, more than 14 days old too old, and older
// than the group's retention expired.
func rejections(events []rawEvent, now int64, retention int32) (lo, hi int, info *rejectedInfo) {
	newCut := now + maxFuture.Milliseconds()
	oldCut := now - maxPast.Milliseconds()
	hi = len(events)
	for hi > 0 && events[hi-1].ts > newCut {
		hi--
	}
	for lo < hi && events[lo].ts < oldCut {
		lo++
	}
	tooOld := lo - 1
	expired := -1
	if retention > 0 {
		expCut := now - int64(retention)*24*time.Hour.Milliseconds()
		for lo < hi && events[lo].ts < expCut {
			lo++
		}
		for i := 0; i < len(events) && events[i].ts < expCut; i++ {
			expired = i
		}
	}
	if hi == len(events) && tooOld < 0 && expired < 0 {
		return lo, hi, nil
	}
	info = &rejectedInfo{}
	if hi < len(events) {
		info.TooNewLogEventStartIndex = &hi
	}
	if tooOld >= 0 {
		info.TooOldLogEventEndIndex = &tooOld
	}
	if expired >= 0 {
		info.ExpiredLogEventEndIndex = &expired
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi, info
}

// appendEvents stores sorted events in a stream and updates its metadata.
func appendEvents(tx store.Tx, account, region, group, stream string, sm *streamMeta, events []rawEvent, now int64) error {
	if len(events) > 0 {
		eb := tx.Bucket(eventsBucket(account, region, group))
		key := make([]byte, eventKeyLen)
		binary.BigEndian.PutUint32(key, sm.ID)
		var val []byte
		for _, e := range events {
			sm.Seq++
			binary.BigEndian.PutUint64(key[4:], uint64(e.ts))
			binary.BigEndian.PutUint64(key[12:], sm.Seq)
			val = binary.BigEndian.AppendUint64(val[:0], uint64(now))
			val = append(val, e.msg...)
			if err := eb.Put(key, val); err != nil {
				return err
			}
			sm.StoredBytes += int64(eventSize(e.msg))
		}
		first, last := events[0].ts, events[len(events)-1].ts
		if sm.Seq == uint64(len(events)) || first < sm.First {
			sm.First = first
		}
		if sm.Seq == uint64(len(events)) || last > sm.Last {
			sm.Last = last
		}
		sm.LastIngest = now
	}
	var buf [streamMetaLen]byte
	return tx.Bucket(streamsBucket(account, region, group)).Put([]byte(stream), sm.encode(buf[:0]))
}

// Append writes events to a stream, creating the group and the stream when
// they do not exist, as Lambda's logging does. Events need not be sorted;
// timestamps before 1970 are stored as 0. It is safe for concurrent use.
func (s *Service) Append(ctx context.Context, account, region, group, stream string, events []Event) error {
	if err := checkGroupName("logGroupName", group); err != nil {
		return err
	}
	if err := checkStreamName("logStreamName", stream); err != nil {
		return err
	}
	raw := make([]rawEvent, len(events))
	for i, e := range events {
		ts := e.Time.UnixMilli()
		if ts < 0 {
			ts = 0
		}
		raw[i] = rawEvent{ts: ts, msg: e.Message}
	}
	sort.SliceStable(raw, func(i, j int) bool { return raw[i].ts < raw[j].ts })
	now := s.nowMillis()
	var d delivery
	err := s.st.Update(func(tx store.Tx) error {
		var sm streamMeta
		if v := tx.Bucket(streamsBucket(account, region, group)).Get([]byte(stream)); v != nil {
			var err error
			if sm, err = decodeStream(v); err != nil {
				return err
			}
		} else {
			gb := tx.Bucket(groupsBucket(account, region))
			g := &groupMeta{Created: now, Class: "STANDARD"}
			if v := gb.Get([]byte(group)); v != nil {
				var err error
				if g, err = decodeGroup(v); err != nil {
					return err
				}
			}
			var err error
			if sm, err = createStream(tx, account, region, group, stream, g, now); err != nil {
				return err
			}
		}
		if err := appendEvents(tx, account, region, group, stream, &sm, raw, now); err != nil {
			return err
		}
		if subs := groupSubscriptions(tx, account, region, group); len(subs) > 0 && len(raw) > 0 {
			d = delivery{account: account, region: region, group: group, stream: stream,
				sid: sm.ID, firstSeq: sm.Seq - uint64(len(raw)) + 1, events: raw, subs: subs}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("append to log stream %s/%s: %w", group, stream, err)
	}
	if d.subs != nil {
		s.deliver(d)
	}
	return nil
}
