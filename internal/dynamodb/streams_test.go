package dynamodb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/dynamodb"
	"tenkai/internal/edge"
)

// streamTable creates table name (hash id, range n) with a stream of view
// type view and returns the stream ARN DescribeTable reports.
func streamTable(t testing.TB, s *dynamodb.Service, name, view string) string {
	t.Helper()
	d := call(t, s, "CreateTable", `{"TableName":"`+name+`","BillingMode":"PAY_PER_REQUEST",
	  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"n","AttributeType":"N"}],
	  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"n","KeyType":"RANGE"}],
	  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"`+view+`"}}`)["TableDescription"].(map[string]any)
	return d["LatestStreamArn"].(string)
}

// record is a decoded stream record.
type record struct {
	EventID      string `json:"eventID"`
	EventName    string `json:"eventName"`
	EventVersion string `json:"eventVersion"`
	EventSource  string `json:"eventSource"`
	AwsRegion    string `json:"awsRegion"`
	Dynamodb     struct {
		ApproximateCreationDateTime json.Number
		Keys, NewImage, OldImage    map[string]map[string]any
		SequenceNumber              string
		SizeBytes                   int
		StreamViewType              string
	} `json:"dynamodb"`
	UserIdentity *struct{ PrincipalId, Type string } `json:"userIdentity"`
}

func readAll(t *testing.T, s *dynamodb.Service, arn string) []record {
	t.Helper()
	recs, err := s.ReadStream(context.Background(), arn, "", 1000)
	if err != nil {
		t.Fatalf("ReadStream: %v", err)
	}
	out := make([]record, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.JSON, &out[i]); err != nil {
			t.Fatalf("record %s: %v", r.JSON, err)
		}
		if out[i].Dynamodb.SequenceNumber != r.Sequence {
			t.Errorf("Sequence = %s; record says %s", r.Sequence, out[i].Dynamodb.SequenceNumber)
		}
	}
	return out
}

// summary is "EVENT id/n" per record, for compact comparisons.
func summary(recs []record) string {
	var b []string
	for _, r := range recs {
		b = append(b, fmt.Sprintf("%s %v/%v", r.EventName, r.Dynamodb.Keys["id"]["S"], r.Dynamodb.Keys["n"]["N"]))
	}
	return strings.Join(b, "; ")
}

var seqPattern = regexp.MustCompile(`^[0-9]{21}$`)

func TestStreamCaptureEveryWritePath(t *testing.T) {
	s, fc := newService(t)
	arn := streamTable(t, s, "cap", "NEW_AND_OLD_IMAGES")
	if !regexp.MustCompile(`^arn:aws:dynamodb:us-east-1:123456789012:table/cap/stream/2026-01-02T03:04:05\.000$`).MatchString(arn) {
		t.Fatalf("LatestStreamArn = %s", arn)
	}
	item := func(id string, n int, extra string) string {
		return fmt.Sprintf(`{"id":{"S":%q},"n":{"N":"%d"}%s}`, id, n, extra)
	}
	call(t, s, "PutItem", `{"TableName":"cap","Item":`+item("a", 1, `,"v":{"S":"x"}`)+`}`)
	call(t, s, "PutItem", `{"TableName":"cap","Item":`+item("a", 1, `,"v":{"S":"x"}`)+`}`) // identical: no record
	call(t, s, "PutItem", `{"TableName":"cap","Item":`+item("a", 1, `,"v":{"S":"y"}`)+`}`)
	call(t, s, "UpdateItem", `{"TableName":"cap","Key":`+item("a", 1, "")+`,"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"z"}}}`)
	call(t, s, "UpdateItem", `{"TableName":"cap","Key":`+item("a", 1, "")+`,"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"z"}}}`) // no change
	call(t, s, "DeleteItem", `{"TableName":"cap","Key":`+item("a", 1, "")+`}`)
	call(t, s, "DeleteItem", `{"TableName":"cap","Key":`+item("a", 1, "")+`}`) // nothing to delete
	fail(t, s, "PutItem", `{"TableName":"cap","Item":`+item("a", 1, "")+`,"ConditionExpression":"attribute_exists(id)"}`, "ConditionalCheckFailedException", "")
	call(t, s, "BatchWriteItem", `{"RequestItems":{"cap":[{"PutRequest":{"Item":`+item("b", 1, "")+`}},{"PutRequest":{"Item":`+item("b", 2, "")+`}},{"DeleteRequest":{"Key":`+item("zz", 9, "")+`}}]}}`)
	call(t, s, "TransactWriteItems", `{"TransactItems":[
	  {"Put":{"TableName":"cap","Item":`+item("c", 1, "")+`}},
	  {"Update":{"TableName":"cap","Key":`+item("b", 1, "")+`,"UpdateExpression":"SET w = :w","ExpressionAttributeValues":{":w":{"N":"5"}}}},
	  {"Delete":{"TableName":"cap","Key":`+item("b", 2, "")+`}},
	  {"ConditionCheck":{"TableName":"cap","Key":`+item("c", 9, "")+`,"ConditionExpression":"attribute_not_exists(id)"}}]}`)
	// A cancelled transaction leaves no record.
	fail(t, s, "TransactWriteItems", `{"TransactItems":[
	  {"Put":{"TableName":"cap","Item":`+item("d", 1, "")+`}},
	  {"ConditionCheck":{"TableName":"cap","Key":`+item("c", 1, "")+`,"ConditionExpression":"attribute_not_exists(id)"}}]}`, "TransactionCanceledException", "")
	call(t, s, "ExecuteStatement", `{"Statement":"INSERT INTO cap VALUE {'id':'p','n':1}"}`)
	call(t, s, "ExecuteStatement", `{"Statement":"UPDATE cap SET v = 'q' WHERE id = 'p' AND n = 1"}`)
	call(t, s, "BatchExecuteStatement", `{"Statements":[{"Statement":"DELETE FROM cap WHERE id = 'p' AND n = 1"},{"Statement":"INSERT INTO cap VALUE {'id':'p','n':2}"}]}`)
	// TTL expiry, done by the service.
	call(t, s, "UpdateTimeToLive", `{"TableName":"cap","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}`)
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"cap","Item":`+item("t", 1, `,"exp":{"N":"%d"}`)+`}`, fc.Now().Unix()-5))
	if err := s.ReapExpired(context.Background()); err != nil {
		t.Fatal(err)
	}

	recs := readAll(t, s, arn)
	want := "INSERT a/1; MODIFY a/1; MODIFY a/1; REMOVE a/1; INSERT b/1; INSERT b/2; INSERT c/1; MODIFY b/1; REMOVE b/2; " +
		"INSERT p/1; MODIFY p/1; REMOVE p/1; INSERT p/2; INSERT t/1; REMOVE t/1"
	if got := summary(recs); got != want {
		t.Fatalf("records:\n got %s\nwant %s", got, want)
	}
	ids := map[string]bool{}
	for i, r := range recs {
		if !seqPattern.MatchString(r.Dynamodb.SequenceNumber) || (i > 0 && r.Dynamodb.SequenceNumber <= recs[i-1].Dynamodb.SequenceNumber) {
			t.Errorf("record %d SequenceNumber %s (previous %s)", i, r.Dynamodb.SequenceNumber, recs[max(i-1, 0)].Dynamodb.SequenceNumber)
		}
		if ids[r.EventID] || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r.EventID) {
			t.Errorf("record %d eventID %q repeated or malformed", i, r.EventID)
		}
		ids[r.EventID] = true
		if r.EventVersion != "1.1" || r.EventSource != "aws:dynamodb" || r.AwsRegion != "us-east-1" || r.Dynamodb.StreamViewType != "NEW_AND_OLD_IMAGES" || r.Dynamodb.SizeBytes < 1 {
			t.Errorf("record %d = %+v", i, r)
		}
		if got, want := r.UserIdentity != nil, i == len(recs)-1; got != want {
			t.Errorf("record %d (%s) userIdentity = %v", i, r.EventName, r.UserIdentity)
		}
	}
	if u := recs[len(recs)-1].UserIdentity; u == nil || u.PrincipalId != "dynamodb.amazonaws.com" || u.Type != "Service" {
		t.Errorf("TTL delete userIdentity = %+v", u)
	}
	// The first record, exactly as GetRecords returns it.
	first, _ := s.ReadStream(context.Background(), arn, "", 1)
	got := regexp.MustCompile(`"eventID":"[0-9a-f]{32}"`).ReplaceAllString(string(first[0].JSON), `"eventID":"ID"`)
	wantJSON := `{"eventID":"ID","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",` +
		`"dynamodb":{"ApproximateCreationDateTime":1767323045,"Keys":{"id":{"S":"a"},"n":{"N":"1"}},"NewImage":{"id":{"S":"a"},"n":{"N":"1"},"v":{"S":"x"}},` +
		`"SequenceNumber":"000000000000000000001","SizeBytes":14,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`
	if got != wantJSON {
		t.Errorf("first record:\n got %s\nwant %s", got, wantJSON)
	}
	// MODIFY carries both images.
	if m := recs[1].Dynamodb; m.OldImage["v"]["S"] != "x" || m.NewImage["v"]["S"] != "y" {
		t.Errorf("MODIFY images = %v / %v", m.OldImage, m.NewImage)
	}
	if r := recs[3].Dynamodb; r.NewImage != nil || r.OldImage["v"]["S"] != "z" {
		t.Errorf("REMOVE images = %v / %v", r.OldImage, r.NewImage)
	}
}

func TestStreamViewTypes(t *testing.T) {
	for _, view := range []string{"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"} {
		t.Run(view, func(t *testing.T) {
			s, _ := newService(t)
			arn := streamTable(t, s, "views", view)
			call(t, s, "PutItem", `{"TableName":"views","Item":{"id":{"S":"a"},"n":{"N":"1"},"v":{"N":"1"}}}`)
			call(t, s, "PutItem", `{"TableName":"views","Item":{"id":{"S":"a"},"n":{"N":"1"},"v":{"N":"2"}}}`)
			call(t, s, "DeleteItem", `{"TableName":"views","Key":{"id":{"S":"a"},"n":{"N":"1"}}}`)
			recs := readAll(t, s, arn)
			if len(recs) != 3 {
				t.Fatalf("%d records; want 3", len(recs))
			}
			newImg := view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES"
			oldImg := view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES"
			for i, r := range recs {
				d := r.Dynamodb
				if d.StreamViewType != view || len(d.Keys) != 2 {
					t.Errorf("%s: view %s keys %v", r.EventName, d.StreamViewType, d.Keys)
				}
				wantNew := newImg && r.EventName != "REMOVE"
				wantOld := oldImg && r.EventName != "INSERT"
				if (d.NewImage != nil) != wantNew || (d.OldImage != nil) != wantOld {
					t.Errorf("record %d %s: NewImage %v OldImage %v", i, r.EventName, d.NewImage, d.OldImage)
				}
				if wantNew && d.NewImage["v"]["N"] != fmt.Sprint(i+1) {
					t.Errorf("record %d NewImage = %v", i, d.NewImage)
				}
			}
		})
	}
}

func TestStreamNoStreamNoRecords(t *testing.T) {
	s, _ := newService(t)
	call(t, s, "CreateTable", simpleTable("plain"))
	call(t, s, "PutItem", `{"TableName":"plain","Item":{"id":{"S":"a"}}}`)
	x := streamsAPI(t, s)
	if got := x.call(t, "ListStreams", `{}`); got != `{"Streams":[]}` {
		t.Errorf("ListStreams = %s", got)
	}
}

func TestStreamConcurrentWritesOrdered(t *testing.T) {
	s, _ := newService(t)
	arn := streamTable(t, s, "conc", "NEW_IMAGE")
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if _, err := s.Call(context.Background(), acct, region, "UpdateItem",
					[]byte(`{"TableName":"conc","Key":{"id":{"S":"ctr"},"n":{"N":"0"}},"UpdateExpression":"ADD c :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	recs := readAll(t, s, arn)
	if len(recs) != 200 {
		t.Fatalf("%d records; want 200", len(recs))
	}
	// In sequence order the counter counts 1, 2, 3, ...: records follow the
	// order the writes committed in.
	for i, r := range recs {
		if got := r.Dynamodb.NewImage["c"]["N"]; got != fmt.Sprint(i+1) {
			t.Fatalf("record %d: c = %v", i, got)
		}
		if want := fmt.Sprintf("%021d", i+1); r.Dynamodb.SequenceNumber != want {
			t.Fatalf("record %d: SequenceNumber %s; want %s", i, r.Dynamodb.SequenceNumber, want)
		}
	}
}

func TestStreamRetention(t *testing.T) {
	s, fc := newService(t)
	arn := streamTable(t, s, "ret", "KEYS_ONLY")
	x := streamsAPI(t, s)
	put := func(id string) {
		call(t, s, "PutItem", `{"TableName":"ret","Item":{"id":{"S":"`+id+`"},"n":{"N":"1"}}}`)
	}
	put("a")
	fc.Advance(23 * time.Hour)
	put("b")
	if got := summary(readAll(t, s, arn)); got != "INSERT a/1; INSERT b/1" {
		t.Fatalf("after 23h: %s", got)
	}
	shard := x.shardID(t, arn)
	fc.Advance(59 * time.Minute)
	old := x.iterator(t, arn, shard, "TRIM_HORIZON", "")
	fc.Advance(time.Minute) // a is 24 hours old: trimmed
	if got := summary(readAll(t, s, arn)); got != "INSERT b/1" {
		t.Fatalf("after 24h: %s", got)
	}
	x.fail(t, "GetRecords", `{"ShardIterator":"`+old+`"}`, "TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.")
	x.fail(t, "GetShardIterator", `{"StreamArn":"`+arn+`","ShardId":"`+shard+`","ShardIteratorType":"AT_SEQUENCE_NUMBER","SequenceNumber":"000000000000000000001"}`,
		"TrimmedDataAccessException", "")
	// TRIM_HORIZON now starts at b, before and after the reaper frees a.
	check := func() {
		t.Helper()
		it := x.iterator(t, arn, shard, "TRIM_HORIZON", "")
		if got := x.records(t, it, 0); len(got.Records) != 1 || got.Records[0].Dynamodb.SequenceNumber != "000000000000000000002" {
			t.Fatalf("TRIM_HORIZON read %+v", got.Records)
		}
		d := x.describe(t, arn)
		if got := jsonOf(d.Shards[0].SequenceNumberRange); got != `{"StartingSequenceNumber":"000000000000000000002"}` {
			t.Errorf("SequenceNumberRange = %s", got)
		}
	}
	check()
	if err := s.TrimStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	check()
	if seq, _ := s.LatestSequence(context.Background(), arn); seq != "000000000000000000002" {
		t.Errorf("LatestSequence = %q", seq)
	}
	fc.Advance(24 * time.Hour)
	if seq, err := s.LatestSequence(context.Background(), arn); seq != "" || err != nil {
		t.Errorf("LatestSequence with nothing retained = %q, %v", seq, err)
	}
	put("c")
	if got := summary(readAll(t, s, arn)); got != "INSERT c/1" {
		t.Errorf("after 48h: %s", got)
	}
}

func TestStreamDisableAndReenable(t *testing.T) {
	s, fc := newService(t)
	arn1 := streamTable(t, s, "dis", "NEW_IMAGE")
	x := streamsAPI(t, s)
	call(t, s, "PutItem", `{"TableName":"dis","Item":{"id":{"S":"a"},"n":{"N":"1"}}}`)
	call(t, s, "UpdateTable", `{"TableName":"dis","StreamSpecification":{"StreamEnabled":false}}`)
	call(t, s, "PutItem", `{"TableName":"dis","Item":{"id":{"S":"b"},"n":{"N":"1"}}}`) // not streamed
	if st, err := s.StreamStatus(context.Background(), arn1); st != "DISABLED" || err != nil {
		t.Errorf("StreamStatus = %s, %v", st, err)
	}
	d := x.describe(t, arn1)
	if d.StreamStatus != "DISABLED" || jsonOf(d.Shards[0].SequenceNumberRange) != `{"StartingSequenceNumber":"000000000000000000001","EndingSequenceNumber":"000000000000000000001"}` {
		t.Errorf("disabled stream = %+v", d)
	}
	// Still readable; a closed shard read to its end has no next iterator.
	it := x.iterator(t, arn1, d.Shards[0].ShardId, "TRIM_HORIZON", "")
	out := x.records(t, it, 0)
	if len(out.Records) != 1 || out.NextShardIterator != nil {
		t.Errorf("GetRecords on disabled stream = %d records, next %v", len(out.Records), out.NextShardIterator)
	}
	// Enabling again in the same millisecond still makes a new stream.
	td := call(t, s, "UpdateTable", `{"TableName":"dis","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}`)["TableDescription"].(map[string]any)
	arn2 := td["LatestStreamArn"].(string)
	if arn2 == arn1 || !strings.HasSuffix(arn2, "/stream/2026-01-02T03:04:05.001") || td["LatestStreamLabel"] != "2026-01-02T03:04:05.001" {
		t.Fatalf("re-enabled stream %s (label %v); first was %s", arn2, td["LatestStreamLabel"], arn1)
	}
	call(t, s, "PutItem", `{"TableName":"dis","Item":{"id":{"S":"c"},"n":{"N":"1"}}}`)
	if got := summary(readAll(t, s, arn2)); got != "INSERT c/1" {
		t.Errorf("new stream: %s", got)
	}
	if got := summary(readAll(t, s, arn1)); got != "INSERT a/1" {
		t.Errorf("old stream: %s", got)
	}
	if d := x.describe(t, arn2); d.StreamStatus != "ENABLED" || d.StreamViewType != "KEYS_ONLY" || d.Shards[0].SequenceNumberRange.EndingSequenceNumber != "" {
		t.Errorf("new stream = %+v", d)
	}
	if got := x.call(t, "ListStreams", `{"TableName":"dis"}`); !strings.Contains(got, arn1) || !strings.Contains(got, arn2) {
		t.Errorf("ListStreams = %s", got)
	}
	// 24 hours after being disabled, the old stream is gone.
	fc.Advance(24 * time.Hour)
	if _, err := s.StreamStatus(context.Background(), arn1); !isCode(err, "ResourceNotFoundException") {
		t.Errorf("StreamStatus of expired stream: %v", err)
	}
	if got := x.call(t, "ListStreams", `{}`); strings.Contains(got, arn1) || !strings.Contains(got, arn2) {
		t.Errorf("ListStreams after 24h = %s", got)
	}
	if err := s.TrimStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	x.fail(t, "DescribeStream", `{"StreamArn":"`+arn1+`"}`, "ResourceNotFoundException", "Requested resource not found: Stream: "+arn1+" not found")
}

func TestStreamDeleteTableDisables(t *testing.T) {
	s, _ := newService(t)
	arn := streamTable(t, s, "gone", "OLD_IMAGE")
	call(t, s, "PutItem", `{"TableName":"gone","Item":{"id":{"S":"a"},"n":{"N":"1"}}}`)
	call(t, s, "DeleteTable", `{"TableName":"gone"}`)
	if st, err := s.StreamStatus(context.Background(), arn); st != "DISABLED" || err != nil {
		t.Errorf("StreamStatus after DeleteTable = %s, %v", st, err)
	}
	if got := summary(readAll(t, s, arn)); got != "INSERT a/1" {
		t.Errorf("records after DeleteTable: %s", got)
	}
	// A new table of the same name gets a new stream.
	arn2 := streamTable(t, s, "gone", "OLD_IMAGE")
	if arn2 == arn {
		t.Errorf("recreated table reuses stream %s", arn)
	}
}

func TestStreamExportedAPIErrors(t *testing.T) {
	s, _ := newService(t)
	arn := streamTable(t, s, "exp", "KEYS_ONLY")
	ctx := context.Background()
	for _, bad := range []string{"", "nope", "arn:aws:dynamodb:us-east-1:123456789012:table/exp", arn + "x", strings.Replace(arn, "123456789012", "000000000000", 1)} {
		if _, err := s.StreamStatus(ctx, bad); !isCode(err, "ResourceNotFoundException") {
			t.Errorf("StreamStatus(%q) = %v", bad, err)
		}
		if _, err := s.ReadStream(ctx, bad, "", 10); !isCode(err, "ResourceNotFoundException") {
			t.Errorf("ReadStream(%q) = %v", bad, err)
		}
		if _, err := s.LatestSequence(ctx, bad); !isCode(err, "ResourceNotFoundException") {
			t.Errorf("LatestSequence(%q) = %v", bad, err)
		}
	}
	if _, err := s.ReadStream(ctx, arn, "12x", 10); !isCode(err, "ValidationException") {
		t.Errorf("ReadStream with a bad sequence number = %v", err)
	}
	for i := 0; i < 5; i++ {
		call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"exp","Item":{"id":{"S":"a"},"n":{"N":"%d"}}}`, i))
	}
	recs, err := s.ReadStream(ctx, arn, "000000000000000000002", 2)
	if err != nil || len(recs) != 2 || recs[0].Sequence != "000000000000000000003" || recs[1].Sequence != "000000000000000000004" {
		t.Errorf("ReadStream after 2, limit 2 = %v, %v", recs, err)
	}
	if seq, _ := s.LatestSequence(ctx, arn); seq != "000000000000000000005" {
		t.Errorf("LatestSequence = %s", seq)
	}
	if recs, _ := s.ReadStream(ctx, arn, "000000000000000000005", 10); len(recs) != 0 {
		t.Errorf("ReadStream after the newest = %d records", len(recs))
	}
}

func isCode(err error, code string) bool {
	var e *edge.Error
	return errors.As(err, &e) && e.Code == code
}
