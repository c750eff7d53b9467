package dynamodb_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenkai/internal/dynamodb"
	"tenkai/internal/edge"
)

// streamsClient calls the DynamoDB Streams API through an edge serving
// both DynamoDB and DynamoDB Streams, as the server does.
type streamsClient struct{ e *edge.Edge }

func streamsAPI(t testing.TB, s *dynamodb.Service) *streamsClient {
	e := edge.New(edge.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.Register(s)
	e.Register(s.Streams())
	return &streamsClient{e}
}

// send returns the HTTP status and body of one call.
func (c *streamsClient) send(op, body string) (int, string) {
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDBStreams_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+acct+"/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
	w := httptest.NewRecorder()
	c.e.ServeHTTP(w, req)
	return w.Code, strings.TrimSpace(w.Body.String())
}

func (c *streamsClient) call(t testing.TB, op, body string) string {
	t.Helper()
	code, out := c.send(op, body)
	if code != 200 {
		t.Fatalf("%s(%s): %d %s", op, body, code, out)
	}
	return out
}

func (c *streamsClient) fail(t testing.TB, op, body, code, msg string) {
	t.Helper()
	status, out := c.send(op, body)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal([]byte(out), &e)
	if status != 400 || !strings.HasSuffix(e.Type, code) || !strings.Contains(e.Message, msg) {
		t.Fatalf("%s(%s) = %d %s; want %s containing %q", op, body, status, out, code, msg)
	}
}

type streamDesc struct {
	StreamArn, StreamLabel, StreamStatus, StreamViewType, TableName string
	CreationRequestDateTime                                         float64
	KeySchema                                                       []map[string]string
	Shards                                                          []struct {
		ShardId             string
		SequenceNumberRange struct {
			StartingSequenceNumber string `json:",omitempty"`
			EndingSequenceNumber   string `json:",omitempty"`
		}
	}
}

func (c *streamsClient) describe(t testing.TB, arn string) streamDesc {
	t.Helper()
	var out struct{ StreamDescription streamDesc }
	if err := json.Unmarshal([]byte(c.call(t, "DescribeStream", `{"StreamArn":"`+arn+`"}`)), &out); err != nil {
		t.Fatal(err)
	}
	return out.StreamDescription
}

func (c *streamsClient) shardID(t testing.TB, arn string) string {
	t.Helper()
	d := c.describe(t, arn)
	if len(d.Shards) != 1 {
		t.Fatalf("stream %s has %d shards", arn, len(d.Shards))
	}
	return d.Shards[0].ShardId
}

func (c *streamsClient) iterator(t testing.TB, arn, shard, typ, seq string) string {
	t.Helper()
	in := fmt.Sprintf(`{"StreamArn":%q,"ShardId":%q,"ShardIteratorType":%q`, arn, shard, typ)
	if seq != "" {
		in += fmt.Sprintf(`,"SequenceNumber":%q`, seq)
	}
	var out struct{ ShardIterator string }
	if err := json.Unmarshal([]byte(c.call(t, "GetShardIterator", in+"}")), &out); err != nil || out.ShardIterator == "" {
		t.Fatalf("GetShardIterator: %v %+v", err, out)
	}
	return out.ShardIterator
}

type recordsOut struct {
	Records           []record
	NextShardIterator *string
}

func (c *streamsClient) records(t testing.TB, it string, limit int) recordsOut {
	t.Helper()
	in := fmt.Sprintf(`{"ShardIterator":%q`, it)
	if limit > 0 {
		in += fmt.Sprintf(`,"Limit":%d`, limit)
	}
	var out recordsOut
	raw := c.call(t, "GetRecords", in+"}")
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("GetRecords: %v\n%s", err, raw)
	}
	return out
}

func seqs(recs []record) string {
	var b []string
	for _, r := range recs {
		b = append(b, strings.TrimLeft(r.Dynamodb.SequenceNumber, "0"))
	}
	return strings.Join(b, ",")
}

func TestStreamsDescribeAndList(t *testing.T) {
	s, fc := newService(t)
	x := streamsAPI(t, s)
	arnA := streamTable(t, s, "alpha", "NEW_AND_OLD_IMAGES")
	fc.Advance(time.Second)
	arnB := streamTable(t, s, "beta", "KEYS_ONLY")
	fc.Advance(time.Second)
	call(t, s, "UpdateTable", `{"TableName":"beta","StreamSpecification":{"StreamEnabled":false}}`)
	arnB2 := call(t, s, "UpdateTable", `{"TableName":"beta","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}`)["TableDescription"].(map[string]any)["LatestStreamArn"].(string)

	d := x.describe(t, arnA)
	if d.StreamArn != arnA || d.StreamLabel != "2026-01-02T03:04:05.000" || d.StreamStatus != "ENABLED" || d.StreamViewType != "NEW_AND_OLD_IMAGES" ||
		d.TableName != "alpha" || d.CreationRequestDateTime != 1767323045 || jsonOf(d.KeySchema) != `[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"n","KeyType":"RANGE"}]` {
		t.Errorf("DescribeStream = %+v", d)
	}
	if len(d.Shards) != 1 || !regexpShard.MatchString(d.Shards[0].ShardId) || d.Shards[0].SequenceNumberRange.StartingSequenceNumber != "000000000000000000001" {
		t.Errorf("Shards = %+v", d.Shards)
	}
	// Pages of the single shard and the (empty) child shards.
	if got := x.call(t, "DescribeStream", `{"StreamArn":"`+arnA+`","ExclusiveStartShardId":"`+d.Shards[0].ShardId+`"}`); !strings.Contains(got, `"Shards":[]`) {
		t.Errorf("DescribeStream after the last shard = %s", got)
	}
	if got := x.call(t, "DescribeStream", `{"StreamArn":"`+arnA+`","ShardFilter":{"Type":"CHILD_SHARDS","ShardId":"`+d.Shards[0].ShardId+`"}}`); !strings.Contains(got, `"Shards":[]`) {
		t.Errorf("DescribeStream CHILD_SHARDS = %s", got)
	}

	want := fmt.Sprintf(`{"Streams":[{"StreamArn":%q,"TableName":"alpha","StreamLabel":"2026-01-02T03:04:05.000"},`+
		`{"StreamArn":%q,"TableName":"beta","StreamLabel":"2026-01-02T03:04:06.000"},{"StreamArn":%q,"TableName":"beta","StreamLabel":"2026-01-02T03:04:07.000"}]}`, arnA, arnB, arnB2)
	if got := x.call(t, "ListStreams", `{}`); got != want {
		t.Errorf("ListStreams =\n %s\nwant\n %s", got, want)
	}
	// Pages of one.
	var arns []string
	start := ""
	for i := 0; i < 5; i++ {
		in := `{"Limit":1`
		if start != "" {
			in += `,"ExclusiveStartStreamArn":"` + start + `"`
		}
		var out struct {
			Streams                []struct{ StreamArn string }
			LastEvaluatedStreamArn string
		}
		_ = json.Unmarshal([]byte(x.call(t, "ListStreams", in+"}")), &out)
		for _, st := range out.Streams {
			arns = append(arns, st.StreamArn)
		}
		if start = out.LastEvaluatedStreamArn; start == "" {
			break
		}
	}
	if got := strings.Join(arns, " "); got != arnA+" "+arnB+" "+arnB2 {
		t.Errorf("paged ListStreams = %s", got)
	}
	if got := x.call(t, "ListStreams", `{"TableName":"beta","Limit":1}`); got != fmt.Sprintf(`{"Streams":[{"StreamArn":%q,"TableName":"beta","StreamLabel":"2026-01-02T03:04:06.000"}],"LastEvaluatedStreamArn":%q}`, arnB, arnB) {
		t.Errorf("ListStreams beta = %s", got)
	}
	if got := x.call(t, "ListStreams", `{"TableName":"nosuch"}`); got != `{"Streams":[]}` {
		t.Errorf("ListStreams nosuch = %s", got)
	}

	// Errors.
	x.fail(t, "ListStreams", `{"Limit":0}`, "ValidationException", "Member must have value greater than or equal to 1")
	x.fail(t, "ListStreams", `{"TableName":"x"}`, "ValidationException", "Member must have length greater than or equal to 3")
	x.fail(t, "DescribeStream", `{}`, "ValidationException", "Value null at 'streamArn'")
	missing := strings.Replace(arnA, "alpha", "gamma", 1)
	x.fail(t, "DescribeStream", `{"StreamArn":"`+missing+`"}`, "ResourceNotFoundException", "Requested resource not found: Stream: "+missing+" not found")
	x.fail(t, "DescribeStream", `{"StreamArn":"arn:aws:dynamodb:us-east-1:123456789012:table/alpha"}`, "ValidationException", "Invalid StreamArn")
	other := strings.Replace(arnA, "us-east-1", "eu-west-1", 1)
	x.fail(t, "DescribeStream", `{"StreamArn":"`+other+`"}`, "ResourceNotFoundException", "")
	x.fail(t, "NoSuchOp", `{}`, "UnknownOperationException", "")
}

func TestStreamsIterators(t *testing.T) {
	s, fc := newService(t)
	x := streamsAPI(t, s)
	arn := streamTable(t, s, "its", "NEW_IMAGE")
	shard := x.shardID(t, arn)
	put := func(n int) {
		call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"its","Item":{"id":{"S":"a"},"n":{"N":"%d"}}}`, n))
	}
	latest0 := x.iterator(t, arn, shard, "LATEST", "")
	trim0 := x.iterator(t, arn, shard, "TRIM_HORIZON", "")
	if out := x.records(t, trim0, 0); len(out.Records) != 0 || out.NextShardIterator == nil {
		t.Fatalf("empty stream: %+v", out)
	}
	for i := 1; i <= 5; i++ {
		put(i)
	}
	latest5 := x.iterator(t, arn, shard, "LATEST", "")
	for _, c := range []struct {
		name, it string
		limit    int
		want     string
	}{
		{"TRIM_HORIZON", trim0, 0, "1,2,3,4,5"},
		{"LATEST before the writes", latest0, 0, "1,2,3,4,5"},
		{"LATEST after the writes", latest5, 0, ""},
		{"AT_SEQUENCE_NUMBER 3", x.iterator(t, arn, shard, "AT_SEQUENCE_NUMBER", "000000000000000000003"), 0, "3,4,5"},
		{"AFTER_SEQUENCE_NUMBER 3", x.iterator(t, arn, shard, "AFTER_SEQUENCE_NUMBER", "000000000000000000003"), 0, "4,5"},
		{"AFTER_SEQUENCE_NUMBER short form", x.iterator(t, arn, shard, "AFTER_SEQUENCE_NUMBER", "4"), 0, "5"},
		{"Limit 2", trim0, 2, "1,2"},
	} {
		if got := seqs(x.records(t, c.it, c.limit).Records); got != c.want {
			t.Errorf("%s: read %q; want %q", c.name, got, c.want)
		}
	}
	// Following NextShardIterator two at a time reads everything once.
	var got []string
	it := trim0
	for i := 0; i < 5; i++ {
		out := x.records(t, it, 2)
		if r := seqs(out.Records); r != "" {
			got = append(got, r)
		}
		it = *out.NextShardIterator
	}
	if strings.Join(got, ";") != "1,2;3,4;5" {
		t.Errorf("paged reads = %v", got)
	}
	put(6)
	if r := seqs(x.records(t, it, 0).Records); r != "6" {
		t.Errorf("next iterator after a new write read %q", r)
	}

	// Iterators expire 15 minutes after they are handed out.
	fresh := x.iterator(t, arn, shard, "TRIM_HORIZON", "")
	fc.Advance(15 * time.Minute)
	x.records(t, fresh, 1)
	fc.Advance(time.Millisecond)
	x.fail(t, "GetRecords", `{"ShardIterator":"`+fresh+`"}`, "ExpiredIteratorException", "The shard iterator has expired")

	// Errors.
	gsi := func(typ, seq string) string {
		return fmt.Sprintf(`{"StreamArn":%q,"ShardId":%q,"ShardIteratorType":%q,"SequenceNumber":%q}`, arn, shard, typ, seq)
	}
	x.fail(t, "GetShardIterator", gsi("SIDEWAYS", ""), "ValidationException", "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]")
	x.fail(t, "GetShardIterator", gsi("AT_SEQUENCE_NUMBER", ""), "ValidationException", "")
	x.fail(t, "GetShardIterator", gsi("AT_SEQUENCE_NUMBER", "abc"), "ValidationException", "Invalid SequenceNumber")
	x.fail(t, "GetShardIterator", gsi("AT_SEQUENCE_NUMBER", "000000000000000000099"), "ValidationException", "")
	x.fail(t, "GetShardIterator", fmt.Sprintf(`{"StreamArn":%q,"ShardId":"shardId-00000000000000000000-00000000","ShardIteratorType":"LATEST"}`, arn),
		"ResourceNotFoundException", "Shard: shardId-00000000000000000000-00000000")
	x.fail(t, "GetShardIterator", `{"StreamArn":"`+arn+`","ShardIteratorType":"LATEST"}`, "ValidationException", "Value null at 'shardId'")
	x.fail(t, "GetShardIterator", fmt.Sprintf(`{"StreamArn":%q,"ShardId":%q,"ShardIteratorType":"LATEST"}`, strings.Replace(arn, "its", "nope", 1), shard), "ResourceNotFoundException", "")
	cur := x.iterator(t, arn, shard, "LATEST", "")
	x.fail(t, "GetRecords", `{}`, "ValidationException", "Value null at 'shardIterator'")
	x.fail(t, "GetRecords", `{"ShardIterator":"garbage"}`, "ValidationException", "Invalid ShardIterator")
	x.fail(t, "GetRecords", `{"ShardIterator":"`+cur[:len(cur)-2]+`AA"}`, "ValidationException", "Invalid ShardIterator")
	x.fail(t, "GetRecords", `{"ShardIterator":"`+cur+`","Limit":1001}`, "LimitExceededException", "")
	x.fail(t, "GetRecords", `{"ShardIterator":"`+cur+`","Limit":0}`, "ValidationException", "greater than or equal to 1")
	call(t, s, "DeleteTable", `{"TableName":"its"}`)
	fc.Advance(24 * time.Hour)
	x.fail(t, "GetShardIterator", gsi("LATEST", ""), "ResourceNotFoundException", "Requested resource not found: Stream: "+arn+" not found")
}

func TestStreamsGetRecordsLimit(t *testing.T) {
	s, _ := newService(t)
	x := streamsAPI(t, s)
	arn := streamTable(t, s, "many", "KEYS_ONLY")
	var reqs []string
	for i := 0; i < 25; i++ {
		reqs = append(reqs, fmt.Sprintf(`{"PutRequest":{"Item":{"id":{"S":"a"},"n":{"N":"%d"}}}}`, i))
	}
	for b := 0; b < 44; b++ { // 1100 records
		for i := range reqs {
			reqs[i] = strings.Replace(reqs[i], `"S":"a`, `"S":"a`+fmt.Sprint(b%10), 1)
		}
		call(t, s, "BatchWriteItem", `{"RequestItems":{"many":[`+strings.Join(reqs, ",")+`]}}`)
	}
	it := x.iterator(t, arn, x.shardID(t, arn), "TRIM_HORIZON", "")
	out := x.records(t, it, 0)
	if len(out.Records) != 1000 {
		t.Fatalf("GetRecords without Limit returned %d records; want 1000", len(out.Records))
	}
	if rest := x.records(t, *out.NextShardIterator, 1000); len(rest.Records) != 100 {
		t.Errorf("second page has %d records; want 100", len(rest.Records))
	}
}

var regexpShard = regexp.MustCompile(`^shardId-[0-9]{20}-[0-9a-f]{8}$`)

// FuzzStreamsRequest sends arbitrary bodies to the Streams operations:
// every answer is a result or a client error, never a server fault.
func FuzzStreamsRequest(f *testing.F) {
	ops := []string{"ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"}
	s, _ := newService(f)
	arn := streamTable(f, s, "fuzz", "NEW_AND_OLD_IMAGES")
	call(f, s, "PutItem", `{"TableName":"fuzz","Item":{"id":{"S":"a"},"n":{"N":"1"}}}`)
	x := streamsAPI(f, s)
	shard := x.shardID(f, arn)
	it := x.iterator(f, arn, shard, "TRIM_HORIZON", "")
	f.Add(0, `{"TableName":"fuzz","Limit":1,"ExclusiveStartStreamArn":"`+arn+`"}`)
	f.Add(1, `{"StreamArn":"`+arn+`","Limit":1,"ExclusiveStartShardId":"`+shard+`"}`)
	f.Add(2, `{"StreamArn":"`+arn+`","ShardId":"`+shard+`","ShardIteratorType":"AT_SEQUENCE_NUMBER","SequenceNumber":"1"}`)
	f.Add(3, `{"ShardIterator":"`+it+`","Limit":1}`)
	f.Fuzz(func(t *testing.T, op int, body string) {
		if op < 0 {
			op = -op
		}
		if code, out := x.send(ops[op%len(ops)], body); code != 200 && code != 400 {
			t.Fatalf("%s(%s) = %d %s", ops[op%len(ops)], body, code, out)
		}
	})
}
