package logs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Storage layout. Buckets are per (account, region), and per group for the
// group's streams and events:
//
//	logs/groups/ACCOUNT/REGION          group name → retention (4 bytes) + groupMeta (JSON)
//	logs/streams/ACCOUNT/REGION/GROUP   stream name → streamMeta (52 bytes)
//	logs/events/ACCOUNT/REGION/GROUP    eventKey → ingestion time (8 bytes) + message
//
// An event key is the stream's id (4 bytes), the event timestamp (8) and the
// stream's ingestion sequence number (8), all big-endian: one stream's
// events are contiguous and in time order, events with equal timestamps keep
// their arrival order, and a time range is one range scan.

func groupsBucket(account, region string) string { return "logs/groups/" + account + "/" + region }

func streamsBucket(account, region, group string) string {
	return "logs/streams/" + account + "/" + region + "/" + group
}

func eventsBucket(account, region, group string) string {
	return "logs/events/" + account + "/" + region + "/" + group
}

// groupMeta is a log group as stored.
type groupMeta struct {
	Created            int64             `json:"created"`
	Retention          int32             `json:"-"` // stored ahead of the JSON
	KmsKeyID           string            `json:"kmsKeyId,omitempty"`
	Class              string            `json:"class,omitempty"`
	DeletionProtection bool              `json:"deletionProtection,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	NextStreamID       uint32            `json:"nextStreamId"`
}

// The retention leads a group's value so PutLogEvents can read it without
// decoding the JSON.
func encodeGroup(g *groupMeta) ([]byte, error) {
	js, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encode log group: %w", err)
	}
	return append(binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(js)), uint32(g.Retention)), js...), nil
}

func decodeGroup(b []byte) (*groupMeta, error) {
	g := &groupMeta{}
	if len(b) < 4 {
		return nil, fmt.Errorf("decode log group: %d bytes", len(b))
	}
	if err := json.Unmarshal(b[4:], g); err != nil {
		return nil, fmt.Errorf("decode log group: %w", err)
	}
	g.Retention = groupRetention(b)
	return g, nil
}

// groupRetention reads a stored group's retention in days (0: none).
func groupRetention(b []byte) int32 {
	if len(b) < 4 {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

// streamMeta is a log stream as stored, in a fixed binary layout because
// every PutLogEvents rewrites it.
type streamMeta struct {
	ID          uint32
	Created     int64
	First       int64 // first event timestamp; meaningful when Seq > 0
	Last        int64 // last event timestamp
	LastIngest  int64
	StoredBytes int64
	Seq         uint64 // events ever ingested; the last event's sequence number
}

const streamMetaLen = 4 + 8*6

func (m *streamMeta) encode(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, m.ID)
	b = binary.BigEndian.AppendUint64(b, uint64(m.Created))
	b = binary.BigEndian.AppendUint64(b, uint64(m.First))
	b = binary.BigEndian.AppendUint64(b, uint64(m.Last))
	b = binary.BigEndian.AppendUint64(b, uint64(m.LastIngest))
	b = binary.BigEndian.AppendUint64(b, uint64(m.StoredBytes))
	return binary.BigEndian.AppendUint64(b, m.Seq)
}

func decodeStream(b []byte) (streamMeta, error) {
	if len(b) != streamMetaLen {
		return streamMeta{}, fmt.Errorf("decode log stream: %d bytes, want %d", len(b), streamMetaLen)
	}
	return streamMeta{
		ID:          binary.BigEndian.Uint32(b),
		Created:     int64(binary.BigEndian.Uint64(b[4:])),
		First:       int64(binary.BigEndian.Uint64(b[12:])),
		Last:        int64(binary.BigEndian.Uint64(b[20:])),
		LastIngest:  int64(binary.BigEndian.Uint64(b[28:])),
		StoredBytes: int64(binary.BigEndian.Uint64(b[36:])),
		Seq:         binary.BigEndian.Uint64(b[44:]),
	}, nil
}

const eventKeyLen = 20

// pos is an event's place in its stream: timestamp, then arrival.
type pos struct {
	TS  int64
	Seq uint64
}

func (p pos) less(q pos) bool { return p.TS < q.TS || p.TS == q.TS && p.Seq < q.Seq }

func eventKey(sid uint32, p pos) []byte {
	k := make([]byte, 0, eventKeyLen)
	k = binary.BigEndian.AppendUint32(k, sid)
	k = binary.BigEndian.AppendUint64(k, uint64(p.TS))
	return binary.BigEndian.AppendUint64(k, p.Seq)
}

// streamPrefix is the key prefix of a stream's events.
func streamPrefix(sid uint32) []byte { return binary.BigEndian.AppendUint32(nil, sid) }

func decodeKey(k []byte) (uint32, pos) {
	return binary.BigEndian.Uint32(k), pos{TS: int64(binary.BigEndian.Uint64(k[4:])), Seq: binary.BigEndian.Uint64(k[12:])}
}

// eventSize is what an event counts against the 1 MB limits: its UTF-8
// message plus 26 bytes.
func eventSize(msg string) int { return len(msg) + 26 }
