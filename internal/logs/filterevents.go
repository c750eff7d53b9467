package logs

import (
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/hex"
	"math"
	"sort"

	"tenkai/internal/edge"
	"tenkai/internal/logs/filter"
	"tenkai/internal/store"
)

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       *string  `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               *int     `json:"limit"`
	Interleaved         bool     `json:"interleaved"`
	Unmask              bool     `json:"unmask"`
}

type filteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type searchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

type filterLogEventsOutput struct {
	Events             []filteredLogEvent  `json:"events"`
	SearchedLogStreams []searchedLogStream `json:"searchedLogStreams"`
	NextToken          string              `json:"nextToken,omitempty"`
}

// eventID renders an event's id: digits of its timestamp, stream id and
// sequence number, unique in the group and stable across calls.
func eventID(e storedEvent) string {
	b := make([]byte, 0, 50)
	b = appendPadded(b, uint64(e.pos.TS), 20)
	b = appendPadded(b, uint64(e.sid), 10)
	return string(appendPadded(b, e.pos.Seq, 20))
}

// A FilterLogEvents token is the hex of the last event returned: stream id,
// timestamp, sequence number. The next page starts after it in
// (timestamp, stream id, sequence) order.
type filterCursor struct {
	sid uint32
	pos pos
}

func (c filterCursor) token() string { return "1" + hex.EncodeToString(eventKey(c.sid, c.pos)) }

func parseFilterToken(tok string) (filterCursor, error) {
	b, err := hex.DecodeString(tok[min(1, len(tok)):])
	if err != nil || len(tok) == 0 || tok[0] != '1' || len(b) != eventKeyLen {
		return filterCursor{}, errInvalid("The specified nextToken is invalid.")
	}
	sid, p := decodeKey(b)
	return filterCursor{sid: sid, pos: p}, nil
}

// order is the merge order of events across streams.
func eventLess(a, b storedEvent) bool {
	if a.pos.TS != b.pos.TS {
		return a.pos.TS < b.pos.TS
	}
	if a.sid != b.sid {
		return a.sid < b.sid
	}
	return a.pos.Seq < b.pos.Seq
}

// bestHeap keeps the smallest events seen, largest on top, and their size.
type bestHeap struct {
	events []storedEvent
	bytes  int // sum of eventSize
}

func (h *bestHeap) Len() int           { return len(h.events) }
func (h *bestHeap) Less(i, j int) bool { return eventLess(h.events[j], h.events[i]) }
func (h *bestHeap) Swap(i, j int)      { h.events[i], h.events[j] = h.events[j], h.events[i] }
func (h *bestHeap) Push(x any) {
	e := x.(storedEvent)
	h.events = append(h.events, e)
	h.bytes += eventSize(e.msg)
}
func (h *bestHeap) Pop() any {
	old := h.events
	x := old[len(old)-1]
	h.events = old[:len(old)-1]
	h.bytes -= eventSize(x.msg)
	return x
}

func (s *Service) filterLogEvents(ctx context.Context, in *filterLogEventsInput) (*filterLogEventsOutput, error) {
	m := edge.MetaFrom(ctx)
	account, region, group, err := resolveGroup(m.Account, m.Region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, errInvalid("Cannot specify both LogStreamNames and LogStreamNamePrefix.")
	}
	if in.LogStreamNames != nil && len(in.LogStreamNames) == 0 {
		return nil, errInvalid("1 validation error detected: Value '[]' at 'logStreamNames' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(in.LogStreamNames) > 100 {
		return nil, errInvalid("1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	limit, err := checkLimit(in.Limit, maxResultEvents, maxResultEvents)
	if err != nil {
		return nil, err
	}
	if in.StartTime != nil && in.EndTime != nil && *in.EndTime < *in.StartTime {
		return nil, errInvalid("End time must be greater than or equal to start time.")
	}
	pat := (*filter.Pattern)(nil)
	if in.FilterPattern != nil {
		if pat, err = filter.Compile(*in.FilterPattern); err != nil {
			return nil, errInvalid("%s", err.Error())
		}
	}
	var cursor *filterCursor
	if in.NextToken != "" {
		c, err := parseFilterToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		cursor = &c
	}
	now := s.nowMillis()
	out := &filterLogEventsOutput{Events: []filteredLogEvent{}, SearchedLogStreams: []searchedLogStream{}}
	err = s.st.View(func(tx store.Tx) error {
		g, err := getGroup(tx, account, region, group)
		if err != nil {
			return err
		}
		streams, err := selectStreams(tx.Bucket(streamsBucket(account, region, group)), in.LogStreamNames, in.LogStreamNamePrefix)
		if err != nil {
			return err
		}
		lo := max(retentionCut(now, g.Retention), 0)
		if in.StartTime != nil && *in.StartTime > lo {
			lo = *in.StartTime
		}
		hi := int64(math.MaxInt64) // inclusive
		if in.EndTime != nil {
			hi = *in.EndTime
		}
		names := map[uint32]string{}
		eb := tx.Bucket(eventsBucket(account, region, group))
		best := &bestHeap{}
		more := false
		// searchedLogStreams stays empty: AWS stopped filling it in May 2020.
		for _, st := range streams {
			names[st.ID] = st.name
			if !scanFiltered(eb, st.ID, lo, hi, cursor, pat, best, limit) {
				more = true
			}
		}
		evs := best.events
		sort.Slice(evs, func(i, j int) bool { return eventLess(evs[i], evs[j]) })
		size := 0
		for i, e := range evs {
			size += eventSize(e.msg)
			if size > maxResultBytes {
				evs, more = evs[:i], true
				break
			}
		}
		if len(evs) == limit {
			more = true
		}
		for _, e := range evs {
			out.Events = append(out.Events, filteredLogEvent{
				LogStreamName: names[e.sid], Timestamp: e.pos.TS, Message: e.msg,
				IngestionTime: e.ingest, EventID: eventID(e),
			})
		}
		if more && len(evs) > 0 {
			last := evs[len(evs)-1]
			out.NextToken = filterCursor{sid: last.sid, pos: last.pos}.token()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// selectStreams lists the streams to search, by name order.
func selectStreams(b store.Bucket, names []string, prefix string) ([]namedStream, error) {
	var out []namedStream
	if len(names) > 0 {
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			if err := checkStreamName("logStreamNames", n); err != nil {
				return nil, err
			}
			if v := b.Get([]byte(n)); v != nil {
				sm, err := decodeStream(v)
				if err != nil {
					return nil, err
				}
				out = append(out, namedStream{n, sm})
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
		return out, nil
	}
	var to []byte
	if prefix != "" {
		to = store.PrefixEnd([]byte(prefix))
	}
	var scanErr error
	b.Scan([]byte(prefix), to, false, func(k, v []byte) bool {
		sm, err := decodeStream(v)
		if err != nil {
			scanErr = err
			return false
		}
		out = append(out, namedStream{string(k), sm})
		return true
	})
	return out, scanErr
}

// scanFiltered adds one stream's matching events in [lo, hi] after the cursor
// to best, keeping only the limit smallest. It reports whether the stream was
// read to the end of the window.
func scanFiltered(b store.Bucket, sid uint32, lo, hi int64, cursor *filterCursor, pat *filter.Pattern, best *bestHeap, limit int) bool {
	if lo > hi {
		return true
	}
	from := pos{TS: lo}
	if cursor != nil {
		var after pos
		switch {
		case sid > cursor.sid:
			after = pos{TS: cursor.pos.TS}
		case sid == cursor.sid:
			after = pos{TS: cursor.pos.TS, Seq: cursor.pos.Seq + 1}
		default:
			after = pos{TS: cursor.pos.TS + 1}
		}
		if from.less(after) {
			from = after
		}
	}
	to := store.PrefixEnd(streamPrefix(sid))
	if hi < math.MaxInt64 {
		to = eventKey(sid, pos{TS: hi + 1})
	}
	complete := true
	b.Scan(eventKey(sid, from), to, false, func(k, v []byte) bool {
		if len(k) != eventKeyLen || len(v) < 8 {
			return true
		}
		msg := v[8:]
		if best.Len() > 0 && (best.Len() >= limit || best.bytes+len(msg)+26 > maxResultBytes) {
			// Full: stop once this stream is past the largest kept event,
			// which anything later would not displace.
			_, p := decodeKey(k)
			if eventLess(best.events[0], storedEvent{sid: sid, pos: p}) {
				complete = false
				return false
			}
		}
		if pat != nil && !pat.Match(string(msg)) {
			return true
		}
		_, p := decodeKey(k)
		heap.Push(best, storedEvent{sid: sid, pos: p, ingest: int64(binary.BigEndian.Uint64(v)), msg: string(msg)})
		// Keep the smallest events that fit the page: at most limit of
		// them and 1 MB, so memory stays bounded whatever the group holds.
		for best.Len() > limit || best.Len() > 1 && best.bytes > maxResultBytes {
			heap.Pop(best)
			complete = false
		}
		return true
	})
	return complete
}
