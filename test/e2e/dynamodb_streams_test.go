package e2e

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	dstypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

var (
	seqRE   = regexp.MustCompile(`^[0-9]{21}$`)
	shardRE = regexp.MustCompile(`^shardId-[0-9]{20}-[0-9a-f]{8}$`)
)

type cliStreamRecord struct {
	EventID, EventName, EventVersion, EventSource, AwsRegion string
	Dynamodb                                                 struct {
		ApproximateCreationDateTime any
		Keys, NewImage, OldImage    map[string]map[string]string
		SequenceNumber              string
		SizeBytes                   int
		StreamViewType              string
	}
}

// TestDynamoDBStreamsCLI drives the four DynamoDB Streams operations with
// the aws CLI.
func TestDynamoDBStreamsCLI(t *testing.T) {
	s := startServer(t)
	var created struct {
		TableDescription struct{ LatestStreamArn, LatestStreamLabel string }
	}
	s.MustCLI(t, "dynamodb", "create-table", "--table-name", "feed", "--billing-mode", "PAY_PER_REQUEST",
		"--attribute-definitions", "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH",
		"--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES").JSON(t, &created)
	arn := created.TableDescription.LatestStreamArn
	if !strings.HasPrefix(arn, "arn:aws:dynamodb:us-east-1:000000000000:table/feed/stream/") ||
		!strings.HasSuffix(arn, "/stream/"+created.TableDescription.LatestStreamLabel) {
		t.Fatalf("create-table stream = %+v", created.TableDescription)
	}
	s.MustCLI(t, "dynamodb", "put-item", "--table-name", "feed", "--item", `{"pk":{"S":"a"},"v":{"N":"1"}}`)
	s.MustCLI(t, "dynamodb", "put-item", "--table-name", "feed", "--item", `{"pk":{"S":"a"},"v":{"N":"1"}}`) // no change, no record
	s.MustCLI(t, "dynamodb", "update-item", "--table-name", "feed", "--key", `{"pk":{"S":"a"}}`,
		"--update-expression", "SET v = v + :one", "--expression-attribute-values", `{":one":{"N":"1"}}`)
	s.MustCLI(t, "dynamodb", "delete-item", "--table-name", "feed", "--key", `{"pk":{"S":"a"}}`)

	var ls struct {
		Streams []struct{ StreamArn, TableName, StreamLabel string }
	}
	s.MustCLI(t, "dynamodbstreams", "list-streams", "--table-name", "feed").JSON(t, &ls)
	if len(ls.Streams) != 1 || ls.Streams[0].StreamArn != arn || ls.Streams[0].TableName != "feed" || ls.Streams[0].StreamLabel != created.TableDescription.LatestStreamLabel {
		t.Fatalf("list-streams = %+v", ls)
	}
	var ds struct {
		StreamDescription struct {
			StreamArn, StreamLabel, StreamStatus, StreamViewType, TableName string
			KeySchema                                                       []struct{ AttributeName, KeyType string }
			Shards                                                          []struct {
				ShardId             string
				SequenceNumberRange struct{ StartingSequenceNumber, EndingSequenceNumber string }
			}
		}
	}
	s.MustCLI(t, "dynamodbstreams", "describe-stream", "--stream-arn", arn).JSON(t, &ds)
	d := ds.StreamDescription
	if d.StreamArn != arn || d.StreamStatus != "ENABLED" || d.StreamViewType != "NEW_AND_OLD_IMAGES" || d.TableName != "feed" ||
		len(d.KeySchema) != 1 || d.KeySchema[0].AttributeName != "pk" || len(d.Shards) != 1 || !shardRE.MatchString(d.Shards[0].ShardId) ||
		d.Shards[0].SequenceNumberRange.StartingSequenceNumber != "000000000000000000001" || d.Shards[0].SequenceNumberRange.EndingSequenceNumber != "" {
		t.Fatalf("describe-stream = %+v", d)
	}
	shard := d.Shards[0].ShardId

	iter := func(args ...string) string {
		t.Helper()
		var out struct{ ShardIterator string }
		s.MustCLI(t, append([]string{"dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard}, args...)...).JSON(t, &out)
		return out.ShardIterator
	}
	type recordsOut struct {
		Records           []cliStreamRecord
		NextShardIterator string
	}
	var recs recordsOut
	s.MustCLI(t, "dynamodbstreams", "get-records", "--shard-iterator", iter("--shard-iterator-type", "TRIM_HORIZON")).JSON(t, &recs)
	if len(recs.Records) != 3 || recs.NextShardIterator == "" {
		t.Fatalf("get-records = %+v", recs)
	}
	for i, want := range []string{"INSERT", "MODIFY", "REMOVE"} {
		r := recs.Records[i]
		if r.EventName != want || r.EventVersion != "1.1" || r.EventSource != "aws:dynamodb" || r.AwsRegion != "us-east-1" || len(r.EventID) != 32 ||
			r.Dynamodb.Keys["pk"]["S"] != "a" || r.Dynamodb.StreamViewType != "NEW_AND_OLD_IMAGES" || r.Dynamodb.SizeBytes < 1 ||
			!seqRE.MatchString(r.Dynamodb.SequenceNumber) || r.Dynamodb.ApproximateCreationDateTime == nil {
			t.Errorf("record %d = %+v", i, r)
		}
		if i > 0 && r.Dynamodb.SequenceNumber <= recs.Records[i-1].Dynamodb.SequenceNumber {
			t.Errorf("record %d sequence %s not after %s", i, r.Dynamodb.SequenceNumber, recs.Records[i-1].Dynamodb.SequenceNumber)
		}
	}
	if m := recs.Records[1].Dynamodb; m.OldImage["v"]["N"] != "1" || m.NewImage["v"]["N"] != "2" {
		t.Errorf("MODIFY images: old %v new %v", m.OldImage, m.NewImage)
	}
	if r := recs.Records[2].Dynamodb; r.NewImage != nil || r.OldImage["v"]["N"] != "2" {
		t.Errorf("REMOVE images: old %v new %v", r.OldImage, r.NewImage)
	}

	// Positions: after the first record, at the last, and the end (LATEST).
	first, last := recs.Records[0].Dynamodb.SequenceNumber, recs.Records[2].Dynamodb.SequenceNumber
	var after recordsOut
	s.MustCLI(t, "dynamodbstreams", "get-records", "--limit", "1", "--shard-iterator",
		iter("--shard-iterator-type", "AFTER_SEQUENCE_NUMBER", "--sequence-number", first)).JSON(t, &after)
	if len(after.Records) != 1 || after.Records[0].EventName != "MODIFY" {
		t.Errorf("AFTER_SEQUENCE_NUMBER, limit 1 = %+v", after.Records)
	}
	s.MustCLI(t, "dynamodbstreams", "get-records", "--shard-iterator", after.NextShardIterator).JSON(t, &after)
	if len(after.Records) != 1 || after.Records[0].EventName != "REMOVE" {
		t.Errorf("next iterator = %+v", after.Records)
	}
	s.MustCLI(t, "dynamodbstreams", "get-records", "--shard-iterator",
		iter("--shard-iterator-type", "AT_SEQUENCE_NUMBER", "--sequence-number", last)).JSON(t, &after)
	if len(after.Records) != 1 || after.Records[0].Dynamodb.SequenceNumber != last {
		t.Errorf("AT_SEQUENCE_NUMBER last = %+v", after.Records)
	}
	latest := iter("--shard-iterator-type", "LATEST")
	s.MustCLI(t, "dynamodb", "put-item", "--table-name", "feed", "--item", `{"pk":{"S":"b"}}`)
	s.MustCLI(t, "dynamodbstreams", "get-records", "--shard-iterator", latest).JSON(t, &after)
	if len(after.Records) != 1 || after.Records[0].EventName != "INSERT" || after.Records[0].Dynamodb.Keys["pk"]["S"] != "b" {
		t.Errorf("LATEST = %+v", after.Records)
	}

	// Errors.
	missing := strings.Replace(arn, "table/feed/", "table/nope/", 1)
	r := s.FailCLI(t, "ResourceNotFoundException", "dynamodbstreams", "describe-stream", "--stream-arn", missing)
	if !strings.Contains(r.Stderr, "Requested resource not found: Stream: "+missing+" not found") {
		t.Errorf("describe-stream of a missing stream: %s", r.Stderr)
	}
	s.FailCLI(t, "ResourceNotFoundException", "dynamodbstreams", "get-shard-iterator", "--stream-arn", arn,
		"--shard-id", "shardId-00000000000000000000-00000000", "--shard-iterator-type", "LATEST")
	s.FailCLI(t, "ValidationException", "dynamodbstreams", "get-shard-iterator", "--stream-arn", arn,
		"--shard-id", shard, "--shard-iterator-type", "AT_SEQUENCE_NUMBER", "--sequence-number", "999999999999999999999")
	r = s.FailCLI(t, "ValidationException", "dynamodbstreams", "get-records", "--shard-iterator", "not-an-iterator")
	if !strings.Contains(r.Stderr, "Invalid ShardIterator") {
		t.Errorf("get-records with a bad iterator: %s", r.Stderr)
	}
	s.FailCLI(t, "LimitExceededException", "dynamodbstreams", "get-records", "--shard-iterator", latest, "--limit", "1001")

	// Disabling closes the stream; enabling again makes a new one.
	s.MustCLI(t, "dynamodb", "update-table", "--table-name", "feed", "--stream-specification", "StreamEnabled=false")
	s.MustCLI(t, "dynamodbstreams", "describe-stream", "--stream-arn", arn).JSON(t, &ds)
	if d := ds.StreamDescription; d.StreamStatus != "DISABLED" || d.Shards[0].SequenceNumberRange.EndingSequenceNumber != "000000000000000000004" {
		t.Errorf("disabled stream = %+v", d)
	}
	var tail recordsOut
	s.MustCLI(t, "dynamodbstreams", "get-records", "--shard-iterator",
		iter("--shard-iterator-type", "AFTER_SEQUENCE_NUMBER", "--sequence-number", last)).JSON(t, &tail)
	if len(tail.Records) != 1 || tail.NextShardIterator != "" {
		t.Errorf("read to the end of a closed shard = %+v", tail)
	}
	time.Sleep(2 * time.Millisecond) // a new label
	var updated struct {
		TableDescription struct{ LatestStreamArn string }
	}
	s.MustCLI(t, "dynamodb", "update-table", "--table-name", "feed", "--stream-specification", "StreamEnabled=true,StreamViewType=KEYS_ONLY").JSON(t, &updated)
	if updated.TableDescription.LatestStreamArn == arn {
		t.Errorf("re-enabled stream kept ARN %s", arn)
	}
	s.MustCLI(t, "dynamodbstreams", "list-streams").JSON(t, &ls)
	if len(ls.Streams) != 2 || ls.Streams[0].StreamArn != arn || ls.Streams[1].StreamArn != updated.TableDescription.LatestStreamArn {
		t.Errorf("list-streams after re-enabling = %+v", ls.Streams)
	}
}

// TestDynamoDBStreamsSDK reads a stream with aws-sdk-go-v2 while the table
// is written by batches, transactions and PartiQL.
func TestDynamoDBStreamsSDK(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	db := ddbClient(s)
	st := dynamodbstreams.NewFromConfig(s.SDK())
	ddbCreateSimple(t, db, "ledger", true)
	upd, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ledger"),
		StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(upd.TableDescription.LatestStreamArn)
	desc, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	sd := desc.StreamDescription
	if sd.StreamStatus != dstypes.StreamStatusEnabled || sd.StreamViewType != dstypes.StreamViewTypeNewImage || aws.ToString(sd.TableName) != "ledger" ||
		sd.CreationRequestDateTime == nil || time.Since(*sd.CreationRequestDateTime) > time.Minute || len(sd.Shards) != 1 || len(sd.KeySchema) != 2 {
		t.Fatalf("DescribeStream = %+v", sd)
	}
	gi, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn),
		ShardId: sd.Shards[0].ShardId, ShardIteratorType: dstypes.ShardIteratorTypeLatest})
	if err != nil {
		t.Fatal(err)
	}

	key := func(pk string, sk int) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "sk": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(sk)}}
	}
	var writes []ddbtypes.WriteRequest
	for i := 0; i < 3; i++ {
		writes = append(writes, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: key("b", i)}})
	}
	if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"ledger": writes}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		{Put: &ddbtypes.Put{TableName: aws.String("ledger"), Item: key("t", 1)}},
		{Delete: &ddbtypes.Delete{TableName: aws.String("ledger"), Key: key("b", 0)}},
		{Update: &ddbtypes.Update{TableName: aws.String("ledger"), Key: key("b", 1), UpdateExpression: aws.String("SET amount = :a"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":a": &ddbtypes.AttributeValueMemberN{Value: "42"}}}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(`INSERT INTO ledger VALUE {'pk': 'p', 'sk': 7}`)}); err != nil {
		t.Fatal(err)
	}

	var got []dstypes.Record
	it := gi.ShardIterator
	for i := 0; i < 5 && len(got) < 7; i++ {
		out, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(4)})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.Records...)
		it = out.NextShardIterator
	}
	var summary []string
	for _, r := range got {
		k := r.Dynamodb.Keys
		summary = append(summary, string(r.EventName)+" "+k["pk"].(*dstypes.AttributeValueMemberS).Value+"/"+k["sk"].(*dstypes.AttributeValueMemberN).Value)
		if !seqRE.MatchString(aws.ToString(r.Dynamodb.SequenceNumber)) || r.Dynamodb.StreamViewType != dstypes.StreamViewTypeNewImage ||
			r.Dynamodb.ApproximateCreationDateTime == nil || aws.ToInt64(r.Dynamodb.SizeBytes) < 1 || r.Dynamodb.OldImage != nil || r.UserIdentity != nil {
			t.Errorf("record %+v / %+v", r, r.Dynamodb)
		}
	}
	want := "INSERT b/0 INSERT b/1 INSERT b/2 INSERT t/1 REMOVE b/0 MODIFY b/1 INSERT p/7"
	if strings.Join(summary, " ") != want {
		t.Fatalf("records = %s; want %s", strings.Join(summary, " "), want)
	}
	if n := got[5].Dynamodb.NewImage["amount"]; n == nil || n.(*dstypes.AttributeValueMemberN).Value != "42" {
		t.Errorf("MODIFY NewImage = %v", got[5].Dynamodb.NewImage)
	}

	// ListStreams pages by LastEvaluatedStreamArn.
	ddbCreateSimple(t, db, "ledger2", false)
	if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ledger2"),
		StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeKeysOnly}}); err != nil {
		t.Fatal(err)
	}
	var tables []string
	var start *string
	for i := 0; i < 4; i++ {
		ls, err := st.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{Limit: aws.Int32(1), ExclusiveStartStreamArn: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ls.Streams {
			tables = append(tables, aws.ToString(x.TableName))
		}
		if start = ls.LastEvaluatedStreamArn; start == nil {
			break
		}
	}
	if strings.Join(tables, ",") != "ledger,ledger2" {
		t.Errorf("paged ListStreams = %v", tables)
	}

	// Typed errors.
	_, err = st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(strings.Replace(arn, "ledger", "nope", 1))})
	var nf *dstypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("DescribeStream of a missing stream: %v", err)
	}
	_, err = st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(5000)})
	var le *dstypes.LimitExceededException
	if !errors.As(err, &le) {
		t.Errorf("GetRecords Limit 5000: %v", err)
	}
	if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("ledger")}); err != nil {
		t.Fatal(err)
	}
	desc, err = st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil || desc.StreamDescription.StreamStatus != dstypes.StreamStatusDisabled {
		t.Errorf("stream of a deleted table: %v %+v", err, desc)
	}
}

// TestDynamoDBStreamsTimeScaled runs time fast: TTL deletes are recorded as
// the service's, iterators expire after 15 minutes and records after 24
// hours.
func TestDynamoDBStreamsTimeScaled(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, scale string) (*dynamodb.Client, *dynamodbstreams.Client, string, string) {
		s := startServer(t, "--time-scale", scale)
		db, st := ddbClient(s), dynamodbstreams.NewFromConfig(s.SDK())
		ddbCreateSimple(t, db, "ttl", false)
		upd, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ttl"),
			StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeOldImage}})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(upd.TableDescription.LatestStreamArn)
		d, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return db, st, arn, aws.ToString(d.StreamDescription.Shards[0].ShardId)
	}

	t.Run("TTL and expired iterators", func(t *testing.T) {
		db, st, arn, shard := setup(t, "1000")
		if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("ttl"),
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ttl"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "old"}, "exp": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Unix()-10, 10)}}}); err != nil {
			t.Fatal(err)
		}
		var recs []dstypes.Record
		deadline := time.Now().Add(20 * time.Second)
		for len(recs) < 2 && time.Now().Before(deadline) {
			gi, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard),
				ShardIteratorType: dstypes.ShardIteratorTypeTrimHorizon})
			if err != nil {
				t.Fatal(err)
			}
			out, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: gi.ShardIterator})
			if err != nil {
				t.Fatal(err)
			}
			recs = out.Records
			time.Sleep(100 * time.Millisecond)
		}
		if len(recs) != 2 || recs[0].EventName != dstypes.OperationTypeInsert || recs[1].EventName != dstypes.OperationTypeRemove {
			t.Fatalf("records = %+v", recs)
		}
		if u := recs[1].UserIdentity; u == nil || aws.ToString(u.Type) != "Service" || aws.ToString(u.PrincipalId) != "dynamodb.amazonaws.com" {
			t.Errorf("TTL delete userIdentity = %+v", u)
		}
		if recs[1].Dynamodb.OldImage["exp"] == nil || recs[0].UserIdentity != nil {
			t.Errorf("TTL records = %+v / %+v", recs[0], recs[1].Dynamodb)
		}
		// 15 minutes pass in 0.9 s here.
		gi, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard),
			ShardIteratorType: dstypes.ShardIteratorTypeLatest})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		_, err = st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: gi.ShardIterator})
		var ee *dstypes.ExpiredIteratorException
		if !errors.As(err, &ee) {
			t.Errorf("GetRecords with an iterator 25 minutes old: %v", err)
		}
	})

	t.Run("trimmed records and expired streams", func(t *testing.T) {
		db, st, arn, shard := setup(t, "20000") // 24 hours in 4.3 s
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ttl"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "x"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ttl"),
			StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		_, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard),
			ShardIteratorType: dstypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String("000000000000000000001")})
		var nf *dstypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("GetShardIterator on a stream disabled 27 hours ago: %v", err)
		}
		// An enabled stream keeps its newer records and trims the old.
		upd, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ttl"),
			StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeKeysOnly}})
		if err != nil {
			t.Fatal(err)
		}
		arn2 := aws.ToString(upd.TableDescription.LatestStreamArn)
		d, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn2)})
		if err != nil {
			t.Fatal(err)
		}
		shard2 := d.StreamDescription.Shards[0].ShardId
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("ttl"), Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "x"}}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		_, err = st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn2), ShardId: shard2,
			ShardIteratorType: dstypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String("000000000000000000001")})
		var te *dstypes.TrimmedDataAccessException
		if !errors.As(err, &te) {
			t.Errorf("GetShardIterator at a trimmed record: %v", err)
		}
	})
}

// TestDynamoDBStreamsDurable checks that with --data-dir a stream's records
// and sequence survive kill -9.
func TestDynamoDBStreamsDurable(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	ctx := context.Background()
	db := ddbClient(s)
	ddbCreateSimple(t, db, "kept", false)
	upd, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("kept"),
		StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeKeysOnly}})
	if err != nil {
		t.Fatal(err)
	}
	arn := upd.TableDescription.LatestStreamArn
	put := func(db *dynamodb.Client, pk string) {
		t.Helper()
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("kept"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatal(err)
		}
	}
	put(db, "a")
	put(db, "b")
	s.Kill()
	s = startServer(t, "--data-dir", dir)
	put(ddbClient(s), "c")
	st := dynamodbstreams.NewFromConfig(s.SDK())
	d, err := st.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	gi, err := st.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: d.StreamDescription.Shards[0].ShardId,
		ShardIteratorType: dstypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	out, err := st.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: gi.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Records {
		got = append(got, r.Dynamodb.Keys["pk"].(*dstypes.AttributeValueMemberS).Value+":"+strings.TrimLeft(aws.ToString(r.Dynamodb.SequenceNumber), "0"))
	}
	if strings.Join(got, " ") != "a:1 b:2 c:3" {
		t.Errorf("records after restart = %v", got)
	}
}
