package logs

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type streamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

func (in *streamInput) check() error {
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return err
	}
	return checkStreamName("logStreamName", in.LogStreamName)
}

func (s *Service) createLogStream(ctx context.Context, in *streamInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := in.check(); err != nil {
		return nil, err
	}
	now := s.nowMillis()
	return nil, s.st.Update(func(tx store.Tx) error {
		g, err := getGroup(tx, m.Account, m.Region, in.LogGroupName)
		if err != nil {
			return err
		}
		b := tx.Bucket(streamsBucket(m.Account, m.Region, in.LogGroupName))
		if b.Get([]byte(in.LogStreamName)) != nil {
			return edge.Errorf("ResourceAlreadyExistsException", "The specified log stream already exists")
		}
		_, err = createStream(tx, m.Account, m.Region, in.LogGroupName, in.LogStreamName, g, now)
		return err
	})
}

// createStream adds a stream to g, giving it the group's next stream id.
func createStream(tx store.Tx, account, region, group, stream string, g *groupMeta, now int64) (streamMeta, error) {
	g.NextStreamID++
	if err := putGroup(tx.Bucket(groupsBucket(account, region)), group, g); err != nil {
		return streamMeta{}, err
	}
	sm := streamMeta{ID: g.NextStreamID, Created: now}
	return sm, tx.Bucket(streamsBucket(account, region, group)).Put([]byte(stream), sm.encode(nil))
}

func (s *Service) deleteLogStream(ctx context.Context, in *streamInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := in.check(); err != nil {
		return nil, err
	}
	return nil, s.st.Update(func(tx store.Tx) error {
		g, err := getGroup(tx, m.Account, m.Region, in.LogGroupName)
		if err != nil {
			return err
		}
		if g.DeletionProtection {
			return errDeletionProtected()
		}
		b := tx.Bucket(streamsBucket(m.Account, m.Region, in.LogGroupName))
		v := b.Get([]byte(in.LogStreamName))
		if v == nil {
			return errStreamNotFound()
		}
		sm, err := decodeStream(v)
		if err != nil {
			return err
		}
		if err := b.Delete([]byte(in.LogStreamName)); err != nil {
			return err
		}
		return deleteRange(tx.Bucket(eventsBucket(m.Account, m.Region, in.LogGroupName)), streamPrefix(sm.ID), store.PrefixEnd(streamPrefix(sm.ID)))
	})
}

// deleteRange removes the keys in [from, to).
func deleteRange(b store.Bucket, from, to []byte) error {
	var keys [][]byte
	b.Scan(from, to, false, func(k, _ []byte) bool {
		keys = append(keys, append([]byte(nil), k...))
		return true
	})
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

type describeLogStreamsInput struct {
	LogGroupName        string `json:"logGroupName"`
	LogGroupIdentifier  string `json:"logGroupIdentifier"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	NextToken           string `json:"nextToken"`
	Limit               *int   `json:"limit"`
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeLogStreamsOutput struct {
	LogStreams []logStreamOut `json:"logStreams"`
	NextToken  string         `json:"nextToken,omitempty"`
}

// namedStream is a stream with its name, for listings.
type namedStream struct {
	name string
	streamMeta
}

// sequenceToken renders a stream's upload sequence token: AWS tokens are
// long digit strings, and since 2023 PutLogEvents accepts any token.
func sequenceToken(seq uint64) string {
	s := strconv.FormatUint(seq+1, 10)
	return "4960" + strings.Repeat("0", 52-len(s)) + s
}

func (s *Service) streamOut(account, region, group string, ns namedStream) logStreamOut {
	o := logStreamOut{
		LogStreamName: ns.name, CreationTime: ns.Created,
		UploadSequenceToken: sequenceToken(ns.Seq),
		Arn:                 streamARN(account, region, group, ns.name),
		StoredBytes:         0, // AWS stopped reporting per-stream bytes in 2019
	}
	if ns.Seq > 0 {
		first, last, ing := ns.First, ns.Last, ns.LastIngest
		o.FirstEventTimestamp, o.LastEventTimestamp, o.LastIngestionTime = &first, &last, &ing
	}
	return o
}

func (s *Service) describeLogStreams(ctx context.Context, in *describeLogStreamsInput) (*describeLogStreamsOutput, error) {
	m := edge.MetaFrom(ctx)
	account, region, group, err := resolveGroup(m.Account, m.Region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, errInvalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, errInvalid("1 validation error detected: Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", in.OrderBy)
	}
	if in.LogStreamNamePrefix != "" {
		if err := checkStreamName("logStreamNamePrefix", in.LogStreamNamePrefix); err != nil {
			return nil, err
		}
	}
	var all []namedStream
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getGroup(tx, account, region, group); err != nil {
			return err
		}
		var to []byte
		if in.LogStreamNamePrefix != "" {
			to = store.PrefixEnd([]byte(in.LogStreamNamePrefix))
		}
		var scanErr error
		tx.Bucket(streamsBucket(account, region, group)).Scan([]byte(in.LogStreamNamePrefix), to, false, func(k, v []byte) bool {
			sm, err := decodeStream(v)
			if err != nil {
				scanErr = err
				return false
			}
			all = append(all, namedStream{string(k), sm})
			return true
		})
		return scanErr
	})
	if err != nil {
		return nil, err
	}
	byTime := in.OrderBy == "LastEventTime"
	key := func(ns namedStream) string {
		if byTime {
			return streamTimeKey(ns)
		}
		return ns.name
	}
	sort.SliceStable(all, func(i, j int) bool {
		if in.Descending {
			return key(all[i]) > key(all[j])
		}
		return key(all[i]) < key(all[j])
	})
	start := 0
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "s:") {
			return nil, errInvalid("The specified nextToken is invalid.")
		}
		after := string(b[2:])
		start = sort.Search(len(all), func(i int) bool {
			if in.Descending {
				return key(all[i]) < after
			}
			return key(all[i]) > after
		})
	}
	out := &describeLogStreamsOutput{LogStreams: []logStreamOut{}}
	for i := start; i < len(all); i++ {
		if len(out.LogStreams) == limit {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("s:" + key(all[i-1])))
			break
		}
		out.LogStreams = append(out.LogStreams, s.streamOut(account, region, group, all[i]))
	}
	return out, nil
}

// streamTimeKey orders streams by last event time, then name; streams with
// no events come first.
func streamTimeKey(ns namedStream) string {
	last := int64(-1)
	if ns.Seq > 0 {
		last = ns.Last
	}
	n := strconv.FormatInt(last+1, 10)
	return strings.Repeat("0", 20-len(n)) + n + "/" + ns.name
}
