package dynamodb

import (
	"context"
	"encoding/json"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Streams serves the DynamoDB Streams API (awsJson1_0, X-Amz-Target prefix
// DynamoDBStreams_20120810) over the records its Service captures. AWS
// signs it with the name "dynamodb" too; the edge tells the two apart by
// target prefix.
type Streams struct {
	s   *Service
	ops map[string]edge.JSONHandler
}

// Streams returns the DynamoDB Streams API of s.
func (s *Service) Streams() *Streams {
	x := &Streams{s: s}
	x.ops = map[string]edge.JSONHandler{
		"ListStreams":      op(x.listStreams),
		"DescribeStream":   op(x.describeStream),
		"GetShardIterator": op(x.getShardIterator),
		"GetRecords":       op(x.getRecords),
	}
	return x
}

// Name is the SigV4 signing name, which DynamoDB Streams shares with DynamoDB.
func (x *Streams) Name() string { return "dynamodb" }

// TargetPrefix is DynamoDB Streams' X-Amz-Target prefix.
func (x *Streams) TargetPrefix() string { return "DynamoDBStreams_20120810" }

// JSONVersion is awsJson1_0.
func (x *Streams) JSONVersion() string { return "1.0" }

// Op returns the handler for an operation, or nil.
func (x *Streams) Op(name string) edge.JSONHandler { return x.ops[name] }

// ref resolves a StreamArn member in the caller's scope; an ARN of another
// account or region names no stream the caller can see.
func (x *Streams) ref(sc scope, arn string) (streamRef, error) {
	if arn == "" {
		return streamRef{}, edge.MissingMember("streamArn")
	}
	if len(arn) < 37 || len(arn) > 1024 {
		return streamRef{}, validation("1 validation error detected: Value '%s' at 'streamArn' failed to satisfy constraint: Member must have length %s", arn,
			map[bool]string{true: "greater than or equal to 37", false: "less than or equal to 1024"}[len(arn) < 37])
	}
	r, err := resolve(arn)
	if err != nil {
		return streamRef{}, validation("Invalid StreamArn")
	}
	if r.sc != sc {
		return streamRef{}, errStreamNotFound(arn)
	}
	return r, nil
}

func checkLimit(limit *int, max int) (int, error) {
	if limit == nil {
		return max, nil
	}
	if *limit < 1 {
		return 0, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
	}
	return min(*limit, max), nil
}

type listStreamsInput struct {
	TableName               string `json:"TableName"`
	Limit                   *int   `json:"Limit"`
	ExclusiveStartStreamArn string `json:"ExclusiveStartStreamArn"`
}

type streamSummary struct {
	StreamArn   string `json:"StreamArn"`
	TableName   string `json:"TableName"`
	StreamLabel string `json:"StreamLabel"`
}

type listStreamsOutput struct {
	Streams                []streamSummary `json:"Streams"`
	LastEvaluatedStreamArn string          `json:"LastEvaluatedStreamArn,omitempty"`
}

func (x *Streams) listStreams(ctx context.Context, sc scope, body []byte) (*listStreamsOutput, error) {
	var in listStreamsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.TableName != "" {
		if err := checkTableName(in.TableName, "tableName"); err != nil {
			return nil, err
		}
	}
	// AWS caps a page at 100 streams.
	limit, err := checkLimit(in.Limit, 100)
	if err != nil {
		return nil, err
	}
	var from []byte
	if in.ExclusiveStartStreamArn != "" {
		r, err := x.ref(sc, in.ExclusiveStartStreamArn)
		if err != nil {
			return nil, err
		}
		from = append(r.key(), 0)
	}
	out := &listStreamsOutput{Streams: []streamSummary{}}
	now := x.s.clk.Now()
	err = x.s.st.View(func(tx store.Tx) error {
		var ferr error
		tx.Bucket(streamsBucket(sc)).Scan(from, nil, false, func(k, v []byte) bool {
			var d streamMeta
			if ferr = json.Unmarshal(v, &d); ferr != nil {
				return false
			}
			if in.TableName != "" && d.Table != in.TableName {
				return true
			}
			if d.Disabled != 0 && !now.Before(time.UnixMilli(d.Disabled).Add(streamRetention)) {
				return true
			}
			if len(out.Streams) == limit {
				out.LastEvaluatedStreamArn = out.Streams[limit-1].StreamArn
				return false
			}
			out.Streams = append(out.Streams, streamSummary{StreamArn: streamArn(sc, d.Table, d.Label), TableName: d.Table, StreamLabel: d.Label})
			return true
		})
		return ferr
	})
	return out, err
}

type describeStreamInput struct {
	StreamArn             string `json:"StreamArn"`
	Limit                 *int   `json:"Limit"`
	ExclusiveStartShardId string `json:"ExclusiveStartShardId"`
	ShardFilter           *struct {
		Type    string `json:"Type"`
		ShardId string `json:"ShardId"`
	} `json:"ShardFilter"`
}

type seqRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber,omitempty"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

type shardDesc struct {
	ShardId             string   `json:"ShardId"`
	SequenceNumberRange seqRange `json:"SequenceNumberRange"`
}

type streamDescription struct {
	StreamArn               string             `json:"StreamArn"`
	StreamLabel             string             `json:"StreamLabel"`
	StreamStatus            string             `json:"StreamStatus"`
	StreamViewType          string             `json:"StreamViewType"`
	CreationRequestDateTime edge.Epoch         `json:"CreationRequestDateTime"`
	TableName               string             `json:"TableName"`
	KeySchema               []KeySchemaElement `json:"KeySchema"`
	Shards                  []shardDesc        `json:"Shards"`
}

func (x *Streams) describeStream(ctx context.Context, sc scope, body []byte) (map[string]*streamDescription, error) {
	var in describeStreamInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	r, err := x.ref(sc, in.StreamArn)
	if err != nil {
		return nil, err
	}
	if _, err := checkLimit(in.Limit, 100); err != nil {
		return nil, err
	}
	if in.ShardFilter != nil && in.ShardFilter.Type != "CHILD_SHARDS" {
		return nil, validation("1 validation error detected: Value '%s' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]", in.ShardFilter.Type)
	}
	var v *shardView
	err = x.s.st.View(func(tx store.Tx) error {
		var err error
		v, err = x.s.view(tx, r, x.s.clk.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errStreamNotFound(r.arn)
	}
	d := v.meta
	out := &streamDescription{StreamArn: r.arn, StreamLabel: d.Label, StreamStatus: d.status(), StreamViewType: d.ViewType,
		CreationRequestDateTime: edge.Epoch(time.UnixMilli(d.Created)), TableName: d.Table, KeySchema: d.KeySchema, Shards: []shardDesc{}}
	// One shard per stream, which never splits: it has no children, and a
	// page starting after it is empty.
	if in.ShardFilter == nil && in.ExclusiveStartShardId != d.Shard {
		sh := shardDesc{ShardId: d.Shard}
		start := v.oldest
		if start == 0 {
			start = v.last + 1 // nothing retained: the shard starts at the next record
		}
		sh.SequenceNumberRange.StartingSequenceNumber = formatSeq(start)
		if d.Disabled != 0 {
			// A closed shard reports where it ended.
			sh.SequenceNumberRange.EndingSequenceNumber = formatSeq(max(v.last, start))
		}
		out.Shards = append(out.Shards, sh)
	}
	return map[string]*streamDescription{"StreamDescription": out}, nil
}

type getShardIteratorInput struct {
	StreamArn         string `json:"StreamArn"`
	ShardId           string `json:"ShardId"`
	ShardIteratorType string `json:"ShardIteratorType"`
	SequenceNumber    string `json:"SequenceNumber"`
}

func (x *Streams) getShardIterator(ctx context.Context, sc scope, body []byte) (map[string]string, error) {
	var in getShardIteratorInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	r, err := x.ref(sc, in.StreamArn)
	if err != nil {
		return nil, err
	}
	if in.ShardId == "" {
		return nil, edge.MissingMember("shardId")
	}
	switch in.ShardIteratorType {
	case "":
		return nil, edge.MissingMember("shardIteratorType")
	case "TRIM_HORIZON", "LATEST":
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if in.SequenceNumber == "" {
			return nil, validation("Must specify a sequence number with ShardIteratorType %s", in.ShardIteratorType)
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]", in.ShardIteratorType)
	}
	now := x.s.clk.Now()
	var v *shardView
	err = x.s.st.View(func(tx store.Tx) error {
		var err error
		v, err = x.s.view(tx, r, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errStreamNotFound(r.arn)
	}
	if in.ShardId != v.meta.Shard {
		return nil, edge.Errorf("ResourceNotFoundException", "Requested resource not found: Shard: %s in Stream: %s not found", in.ShardId, r.arn)
	}
	var after uint64
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
		after = v.trimmed
	case "LATEST":
		after = v.last
	default:
		n, ok := parseSeq(in.SequenceNumber)
		if !ok {
			return nil, validation("Invalid SequenceNumber: %s", in.SequenceNumber)
		}
		if n == 0 || n > v.last {
			return nil, validation("Invalid SequenceNumber for ShardIteratorType %s: %s is not in shard %s", in.ShardIteratorType, in.SequenceNumber, in.ShardId)
		}
		if n <= v.trimmed {
			return nil, errTrimmed()
		}
		after = n - 1
		if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			after = n
		}
	}
	it := iterator{arn: r.arn, shard: v.meta.Shard, issued: now.UnixMilli(), after: after}
	return map[string]string{"ShardIterator": it.encode()}, nil
}

func errTrimmed() *edge.Error {
	return edge.Errorf("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.")
}

type getRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int   `json:"Limit"`
}

// maxGetRecordsBytes is GetRecords' 1 MB response limit.
const maxGetRecordsBytes = 1 << 20

func (x *Streams) getRecords(ctx context.Context, sc scope, body []byte) (json.RawMessage, error) {
	var in getRecordsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.ShardIterator == "" {
		return nil, edge.MissingMember("shardIterator")
	}
	if len(in.ShardIterator) > 2048 {
		return nil, validation("1 validation error detected: Value at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	if in.Limit != nil && *in.Limit > 1000 {
		// The model documents LimitExceededException for a Limit over 1000.
		return nil, edge.Errorf("LimitExceededException", "Limit must be less than or equal to 1000")
	}
	limit, err := checkLimit(in.Limit, 1000)
	if err != nil {
		return nil, err
	}
	it, err := decodeIterator(in.ShardIterator)
	if err != nil {
		return nil, validation("Invalid ShardIterator")
	}
	r, err := x.ref(sc, it.arn)
	if err != nil {
		return nil, err
	}
	now := x.s.clk.Now()
	if now.Sub(time.UnixMilli(it.issued)) > iteratorTTL {
		return nil, edge.Errorf("ExpiredIteratorException", "The shard iterator has expired and can no longer be used to retrieve stream records.")
	}
	var recs []StreamRecord
	var v *shardView
	err = x.s.st.View(func(tx store.Tx) error {
		var err error
		if v, err = x.s.view(tx, r, now); err != nil || v == nil {
			return err
		}
		if it.shard != v.meta.Shard {
			return nil
		}
		if it.after < v.trimmed {
			return errTrimmed()
		}
		recs = x.s.records(tx, r, it.after, limit, maxGetRecordsBytes, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if v == nil || it.shard != v.meta.Shard {
		return nil, errStreamNotFound(r.arn)
	}
	next := it.after
	if len(recs) > 0 {
		next, _ = parseSeq(recs[len(recs)-1].Sequence)
	}
	o := newOut(64 + len(recs)*256)
	o.key("Records")
	o.b = append(o.b, '[')
	for i, rec := range recs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, rec.JSON...)
	}
	o.b = append(o.b, ']')
	// A closed shard read to its end has no next iterator.
	if v.meta.Disabled == 0 || next < v.last {
		o.any("NextShardIterator", iterator{arn: r.arn, shard: it.shard, issued: now.UnixMilli(), after: next}.encode())
	}
	return o.done(), nil
}
