package logs

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Response limits shared by GetLogEvents and FilterLogEvents.
const (
	maxResultEvents = 10000
	maxResultBytes  = 1048576
)

type getLogEventsInput struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              *int   `json:"limit"`
	StartFromHead      bool   `json:"startFromHead"`
	Unmask             bool   `json:"unmask"`
}

type outputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getLogEventsOutput struct {
	Events            []outputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

// A GetLogEvents token is "f/" or "b/" and 40 digits: the timestamp and the
// sequence number of a position, 20 digits each. f/P reads the events after
// P, b/P the events before P.
func formatToken(dir byte, p pos) string {
	b := make([]byte, 0, 42)
	b = append(b, dir, '/')
	b = appendPadded(b, uint64(p.TS), 20)
	return string(appendPadded(b, p.Seq, 20))
}

func appendPadded(b []byte, v uint64, width int) []byte {
	d := strconv.AppendUint(nil, v, 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

func parseToken(tok string) (byte, pos, error) {
	bad := errInvalid("The specified nextToken is invalid.")
	if len(tok) != 42 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' {
		return 0, pos{}, bad
	}
	ts, err1 := strconv.ParseUint(tok[2:22], 10, 64)
	seq, err2 := strconv.ParseUint(tok[22:], 10, 64)
	if err1 != nil || err2 != nil || ts > math.MaxInt64 {
		return 0, pos{}, bad
	}
	return tok[0], pos{TS: int64(ts), Seq: seq}, nil
}

// retentionCut is the oldest timestamp a group with this retention still shows.
func retentionCut(now int64, retention int32) int64 {
	if retention <= 0 {
		return 0
	}
	return now - int64(retention)*24*time.Hour.Milliseconds()
}

func (s *Service) getLogEvents(ctx context.Context, in *getLogEventsInput) (*getLogEventsOutput, error) {
	m := edge.MetaFrom(ctx)
	account, region, group, err := resolveGroup(m.Account, m.Region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.LogStreamName == "" {
		return nil, errMissing("logStreamName")
	}
	if err := checkStreamName("logStreamName", in.LogStreamName); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, maxResultEvents, maxResultEvents)
	if err != nil {
		return nil, err
	}
	dir, tokPos := byte(0), pos{}
	if in.NextToken != "" {
		if dir, tokPos, err = parseToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	now := s.nowMillis()
	out := &getLogEventsOutput{Events: []outputLogEvent{}}
	err = s.st.View(func(tx store.Tx) error {
		g, err := getGroup(tx, account, region, group)
		if err != nil {
			return err
		}
		v := tx.Bucket(streamsBucket(account, region, group)).Get([]byte(in.LogStreamName))
		if v == nil {
			return errStreamNotFound()
		}
		sm, err := decodeStream(v)
		if err != nil {
			return err
		}
		// The window [lo, hi) in positions.
		lo := pos{TS: max(retentionCut(now, g.Retention), 0)}
		if in.StartTime != nil && *in.StartTime > lo.TS {
			lo = pos{TS: *in.StartTime}
		}
		hi := pos{TS: math.MaxInt64}
		if in.EndTime != nil {
			hi = pos{TS: max(*in.EndTime, 0)}
		}
		forward := in.StartFromHead
		switch dir {
		case 'f':
			forward = true
			if after := (pos{tokPos.TS, tokPos.Seq + 1}); lo.less(after) {
				lo = after
			}
		case 'b':
			forward = false
			if tokPos.less(hi) {
				hi = tokPos
			}
		}
		evs := readStream(tx.Bucket(eventsBucket(account, region, group)), sm.ID, lo, hi, forward, limit)
		if len(evs) == 0 {
			// Nothing more: hand back the position asked for, so a client
			// paging forward sees the same token and stops. Without a token
			// the position is the start of the window, where new events land.
			p := tokPos
			if dir == 0 {
				p = pos{TS: lo.TS}
			}
			out.NextForwardToken, out.NextBackwardToken = formatToken('f', p), formatToken('b', p)
			return nil
		}
		out.Events = make([]outputLogEvent, len(evs))
		for i, e := range evs {
			out.Events[i] = outputLogEvent{Timestamp: e.pos.TS, Message: e.msg, IngestionTime: e.ingest}
		}
		out.NextForwardToken = formatToken('f', evs[len(evs)-1].pos)
		out.NextBackwardToken = formatToken('b', evs[0].pos)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// storedEvent is an event read back from the store.
type storedEvent struct {
	sid    uint32
	pos    pos
	ingest int64
	msg    string
}

func decodeEvent(k, v []byte) (storedEvent, error) {
	if len(k) != eventKeyLen || len(v) < 8 {
		return storedEvent{}, fmt.Errorf("decode log event: key %d bytes, value %d bytes", len(k), len(v))
	}
	sid, p := decodeKey(k)
	return storedEvent{sid: sid, pos: p, ingest: int64(binary.BigEndian.Uint64(v)), msg: string(v[8:])}, nil
}

// readStream reads up to limit events (and 1 MB) of one stream in [lo, hi),
// from the low end when forward, else from the high end; the result is in
// ascending order either way.
func readStream(b store.Bucket, sid uint32, lo, hi pos, forward bool, limit int) []storedEvent {
	if !lo.less(hi) {
		return nil
	}
	var evs []storedEvent
	size := 0
	b.Scan(eventKey(sid, lo), eventKey(sid, hi), !forward, func(k, v []byte) bool {
		e, err := decodeEvent(k, v)
		if err != nil {
			return true // skip a damaged record rather than fail the read
		}
		size += eventSize(e.msg)
		if size > maxResultBytes {
			return false
		}
		evs = append(evs, e)
		return len(evs) < limit
	})
	if !forward {
		for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
			evs[i], evs[j] = evs[j], evs[i]
		}
	}
	return evs
}
