package e2e

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

var (
	goFnMu   sync.Mutex            // guards goFnZips
	goFnZips = map[string][]byte{} // by package path
)

// buildGoFunction builds a Go function under testdata into a provided.al2023
// package, once per test run.
func buildGoFunction(t *testing.T, pkg string) []byte {
	t.Helper()
	goFnMu.Lock()
	defer goFnMu.Unlock()
	if z := goFnZips[pkg]; z != nil {
		return z
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", filepath.Join(dir, "bootstrap"), pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	goFnZips[pkg] = zipFiles(t, map[string]string{"bootstrap": string(bin)})
	return goFnZips[pkg]
}

// esmFunctionZip builds testdata/esmfn.
func esmFunctionZip(t *testing.T) []byte { return buildGoFunction(t, "./testdata/esmfn") }

func createESMFunction(t *testing.T, c *lambda.Client, name string, env map[string]string) {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &types.FunctionCode{ZipFile: esmFunctionZip(t)}, Timeout: aws.Int32(10),
	}
	if env != nil {
		in.Environment = &types.Environment{Variables: env}
	}
	if _, err := c.CreateFunction(context.Background(), in); err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// createStreamTable creates a table keyed by id with a NEW_AND_OLD_IMAGES
// stream and returns the stream ARN.
func createStreamTable(t *testing.T, c *dynamodb.Client, name string) string {
	t.Helper()
	out, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TableDescription.LatestStreamArn)
	if arn == "" {
		t.Fatal("CreateTable returned no LatestStreamArn")
	}
	return arn
}

// streamRecord is a DynamoDB stream record as the function received it.
type streamRecord struct {
	EventID        string `json:"eventID"`
	EventName      string `json:"eventName"`
	EventVersion   string `json:"eventVersion"`
	EventSource    string `json:"eventSource"`
	AwsRegion      string `json:"awsRegion"`
	EventSourceARN string `json:"eventSourceARN"`
	Dynamodb       struct {
		ApproximateCreationDateTime float64                      `json:"ApproximateCreationDateTime"`
		Keys                        map[string]map[string]string `json:"Keys"`
		NewImage                    map[string]map[string]any    `json:"NewImage"`
		OldImage                    map[string]map[string]any    `json:"OldImage"`
		SequenceNumber              string                       `json:"SequenceNumber"`
		StreamViewType              string                       `json:"StreamViewType"`
	} `json:"dynamodb"`
}

func (r streamRecord) id() string { return r.Dynamodb.Keys["id"]["S"] }

// receivedRecords returns the records the function logged, in log order.
func receivedRecords(t *testing.T, cl *cloudwatchlogs.Client, group string) []streamRecord {
	t.Helper()
	var out []streamRecord
	for _, line := range strings.Split(logText(t, cl, group), "\n") {
		i := strings.Index(line, "ESM ")
		if i < 0 {
			continue
		}
		var r streamRecord
		if err := json.Unmarshal([]byte(line[i+4:]), &r); err != nil {
			t.Fatalf("logged record is not JSON: %v: %s", err, line)
		}
		out = append(out, r)
	}
	return out
}

// waitRecords waits until the function has logged at least n records, then
// a little longer to catch extra ones.
func waitRecords(t *testing.T, cl *cloudwatchlogs.Client, group string, n int) []streamRecord {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if recs := receivedRecords(t, cl, group); len(recs) >= n {
			time.Sleep(300 * time.Millisecond)
			return receivedRecords(t, cl, group)
		}
		if time.Now().After(deadline) {
			t.Fatalf("function logged %d records within 30s; want %d:\n%s", len(receivedRecords(t, cl, group)), n, logText(t, cl, group))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ids(recs []streamRecord) string {
	var out []string
	for _, r := range recs {
		out = append(out, r.EventName+":"+r.id())
	}
	return strings.Join(out, " ")
}

func putOrder(t *testing.T, c *dynamodb.Client, table, id string, extra map[string]ddbtypes.AttributeValue) {
	t.Helper()
	item := map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}}
	for k, v := range extra {
		item[k] = v
	}
	if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func num(n string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberN{Value: n} }

// TestEventSourceMappingDynamoDBStream maps a table's stream to a Go
// function with the aws CLI and checks the function sees every change, in
// order, with keys and images.
func TestEventSourceMappingDynamoDBStream(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	ddb := ddbClient(s)
	lc := lambda.NewFromConfig(s.SDK())
	logsClient := cloudwatchlogs.NewFromConfig(s.SDK())
	streamArn := createStreamTable(t, ddb, "orders")
	createESMFunction(t, lc, "orders-sink", nil)

	var m map[string]any
	s.MustCLI(t, "lambda", "create-event-source-mapping", "--function-name", "orders-sink", "--event-source-arn", streamArn,
		"--starting-position", "TRIM_HORIZON", "--batch-size", "10").JSON(t, &m)
	uuid, _ := m["UUID"].(string)
	for k, want := range map[string]any{"State": "Creating", "BatchSize": 10.0, "StartingPosition": "TRIM_HORIZON", "EventSourceArn": streamArn,
		"FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:orders-sink", "MaximumRetryAttempts": -1.0,
		"MaximumRecordAgeInSeconds": -1.0, "ParallelizationFactor": 1.0, "LastProcessingResult": "No records processed",
		"EventSourceMappingArn": "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + uuid} {
		if m[k] != want {
			t.Errorf("create-event-source-mapping %s = %v; want %v", k, m[k], want)
		}
	}

	putOrder(t, ddb, "orders", "a", map[string]ddbtypes.AttributeValue{"qty": num("1")})
	if _, err := ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"),
		Key:              map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "a"}},
		UpdateExpression: aws.String("SET qty = :q"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":q": num("2")}}); err != nil {
		t.Fatal(err)
	}
	putOrder(t, ddb, "orders", "b", map[string]ddbtypes.AttributeValue{"qty": num("5")})
	if _, err := ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("orders"),
		Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	recs := waitRecords(t, logsClient, "/aws/lambda/orders-sink", 4)
	if got, want := ids(recs), "INSERT:a MODIFY:a INSERT:b REMOVE:a"; got != want {
		t.Fatalf("function saw %q; want %q", got, want)
	}
	qty := func(img map[string]map[string]any) any {
		if img == nil {
			return nil
		}
		return img["qty"]["N"]
	}
	images := []struct{ old, new any }{{nil, "1"}, {"1", "2"}, {nil, "5"}, {"2", nil}}
	for i, r := range recs {
		if r.EventSource != "aws:dynamodb" || r.AwsRegion != "us-east-1" || r.EventSourceARN != streamArn || r.EventVersion == "" ||
			r.EventID == "" || r.Dynamodb.StreamViewType != "NEW_AND_OLD_IMAGES" || r.Dynamodb.ApproximateCreationDateTime == 0 {
			t.Errorf("record %d = %+v", i, r)
		}
		if qty(r.Dynamodb.OldImage) != images[i].old || qty(r.Dynamodb.NewImage) != images[i].new {
			t.Errorf("record %d images: old qty %v new qty %v; want %v %v", i, qty(r.Dynamodb.OldImage), qty(r.Dynamodb.NewImage), images[i].old, images[i].new)
		}
		if i > 0 && r.Dynamodb.SequenceNumber <= recs[i-1].Dynamodb.SequenceNumber {
			t.Errorf("sequence numbers out of order: %s after %s", r.Dynamodb.SequenceNumber, recs[i-1].Dynamodb.SequenceNumber)
		}
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		s.MustCLI(t, "lambda", "get-event-source-mapping", "--uuid", uuid).JSON(t, &m)
		if m["State"] == "Enabled" && m["LastProcessingResult"] == "OK" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("get-event-source-mapping = %v", m)
		}
		time.Sleep(100 * time.Millisecond)
	}
	list, err := lc.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("orders-sink")})
	if err != nil || len(list.EventSourceMappings) != 1 || aws.ToString(list.EventSourceMappings[0].UUID) != uuid {
		t.Fatalf("ListEventSourceMappings = %+v, %v", list, err)
	}

	// A new record reaches an idle mapping promptly.
	start := time.Now()
	putOrder(t, ddb, "orders", "c", nil)
	waitRecords(t, logsClient, "/aws/lambda/orders-sink", 5)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("record took %v to reach the function", d)
	}

	// Disabled, the mapping holds records back; enabled, it delivers them.
	up, err := lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)})
	if err != nil || aws.ToString(up.State) != "Disabling" {
		t.Fatalf("disable = %v, %v", up, err)
	}
	putOrder(t, ddb, "orders", "d", nil)
	time.Sleep(500 * time.Millisecond)
	if n := len(receivedRecords(t, logsClient, "/aws/lambda/orders-sink")); n != 5 {
		t.Fatalf("disabled mapping delivered: %d records", n)
	}
	s.MustCLI(t, "lambda", "update-event-source-mapping", "--uuid", uuid, "--enabled")
	if got := ids(waitRecords(t, logsClient, "/aws/lambda/orders-sink", 6)); got != "INSERT:a MODIFY:a INSERT:b REMOVE:a INSERT:c INSERT:d" {
		t.Fatalf("after enabling: %s", got)
	}

	del, err := lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("DeleteEventSourceMapping = %v, %v", del, err)
	}
	r := s.FailCLI(t, "ResourceNotFoundException", "lambda", "get-event-source-mapping", "--uuid", uuid)
	if !strings.Contains(r.Stderr, "The resource you requested does not exist.") {
		t.Errorf("get deleted mapping: %s", r.Stderr)
	}
}

// TestEventSourceMappingErrors checks the errors of CreateEventSourceMapping
// through the aws CLI.
func TestEventSourceMappingErrors(t *testing.T) {
	s := startServer(t)
	streamArn := createStreamTable(t, ddbClient(s), "things")
	createESMFunction(t, lambda.NewFromConfig(s.SDK()), "things-sink", nil)
	create := func(args ...string) []string {
		return append([]string{"lambda", "create-event-source-mapping"}, args...)
	}
	cases := []struct {
		code, msg string
		args      []string
	}{
		{"InvalidParameterValueException", "SQS Error Code: AWS.SimpleQueueService.NonExistentQueue",
			create("--function-name", "things-sink", "--event-source-arn", "arn:aws:sqs:us-east-1:000000000000:queue")},
		{"InvalidParameterValueException", "tenkai supports event source mappings for DynamoDB streams and SQS queues only",
			create("--function-name", "things-sink", "--event-source-arn", "arn:aws:kinesis:us-east-1:000000000000:stream/s", "--starting-position", "LATEST")},
		{"InvalidParameterValueException", "Stream not found: arn:aws:dynamodb:us-east-1:000000000000:table/ghost/stream/2026-01-01T00:00:00.000",
			create("--function-name", "things-sink", "--event-source-arn", "arn:aws:dynamodb:us-east-1:000000000000:table/ghost/stream/2026-01-01T00:00:00.000", "--starting-position", "LATEST")},
		{"InvalidParameterValueException", "Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
			create("--function-name", "things-sink", "--event-source-arn", streamArn)},
		{"InvalidParameterValueException", "Unsupported starting position for arn type: " + streamArn,
			create("--function-name", "things-sink", "--event-source-arn", streamArn, "--starting-position", "AT_TIMESTAMP", "--starting-position-timestamp", "2026-01-01T00:00:00Z")},
		{"ValidationException", "startingPosition",
			create("--function-name", "things-sink", "--event-source-arn", streamArn, "--starting-position", "OLDEST")},
		{"ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost",
			create("--function-name", "ghost", "--event-source-arn", streamArn, "--starting-position", "LATEST")},
		{"ValidationException", "batchSize",
			create("--function-name", "things-sink", "--event-source-arn", streamArn, "--starting-position", "LATEST", "--batch-size", "10001")},
		{"InvalidParameterValueException", "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800",
			create("--function-name", "things-sink", "--event-source-arn", streamArn, "--starting-position", "LATEST", "--maximum-record-age-in-seconds", "10")},
		{"InvalidParameterValueException", "Invalid filter pattern definition",
			create("--function-name", "things-sink", "--event-source-arn", streamArn, "--starting-position", "LATEST", "--filter-criteria", `{"Filters":[{"Pattern":"{\"eventName\":\"INSERT\"}"}]}`)},
	}
	for _, tc := range cases {
		r := s.FailCLI(t, tc.code, tc.args...)
		if !strings.Contains(r.Stderr, tc.msg) {
			t.Errorf("aws %s: stderr does not contain %q:\n%s", strings.Join(tc.args, " "), tc.msg, r.Stderr)
		}
	}
	s.MustCLI(t, create("--function-name", "things-sink", "--event-source-arn", streamArn, "--starting-position", "LATEST")...)
	r := s.FailCLI(t, "ResourceConflictException", create("--function-name", "things-sink", "--event-source-arn", streamArn, "--starting-position", "LATEST")...)
	if !strings.Contains(r.Stderr, "provided mapping already exists") {
		t.Errorf("duplicate mapping: %s", r.Stderr)
	}
	s.FailCLI(t, "ResourceNotFoundException", "lambda", "get-event-source-mapping", "--uuid", "2f7c0a5e-0000-4000-8000-000000000000")
	s.FailCLI(t, "ResourceNotFoundException", "lambda", "delete-event-source-mapping", "--uuid", "2f7c0a5e-0000-4000-8000-000000000000")
}

// TestEventSourceMappingFilterRetryRestart filters records, retries and
// discards a failing record to an S3 OnFailure destination, and resumes
// from its checkpoint after a restart and after kill -9 with --data-dir.
func TestEventSourceMappingFilterRetryRestart(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, "--data-dir", dataDir)
	ctx := context.Background()
	ddb := ddbClient(s)
	lc := lambda.NewFromConfig(s.SDK())
	s3c := s3.NewFromConfig(s.SDK(), func(o *s3.Options) { o.UsePathStyle = true })
	streamArn := createStreamTable(t, ddb, "jobs")
	createESMFunction(t, lc, "jobs-sink", map[string]string{"MODE": "report", "SEEN_TABLE": "seen"})
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("seen"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("seq"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("seq"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("esm-failures")}); err != nil {
		t.Fatal(err)
	}
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("jobs-sink"), EventSourceArn: aws.String(streamArn), StartingPosition: types.EventSourcePositionTrimHorizon,
		BatchSize:             aws.Int32(1),
		FilterCriteria:        &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"eventName": ["INSERT"]}`)}}},
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
		MaximumRetryAttempts:  aws.Int32(1),
		DestinationConfig:     &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:s3:::esm-failures")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	uuid := aws.ToString(m.UUID)
	putOrder(t, ddb, "jobs", "x1", nil)
	putOrder(t, ddb, "jobs", "x2", map[string]ddbtypes.AttributeValue{"fail": &ddbtypes.AttributeValueMemberBOOL{Value: true}})
	putOrder(t, ddb, "jobs", "x1", map[string]ddbtypes.AttributeValue{"v": num("2")}) // MODIFY: filtered out
	putOrder(t, ddb, "jobs", "x3", nil)
	if got := waitSeen(t, ddb, 3, "x3"); got != "INSERT:x1*1 INSERT:x2*2 INSERT:x3*1" {
		t.Fatalf("function saw %q; want x1, x2 twice (one retry), x3", got)
	}
	var key string
	deadline := time.Now().Add(10 * time.Second)
	for key == "" {
		objs, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("esm-failures")})
		if err != nil {
			t.Fatal(err)
		}
		if len(objs.Contents) > 0 {
			key = aws.ToString(objs.Contents[0].Key)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no failure record in the OnFailure bucket")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.HasPrefix(key, "aws/lambda/"+uuid+"/") {
		t.Errorf("failure record key = %s", key)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("esm-failures"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	var rec struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		BatchInfo struct {
			BatchSize int    `json:"batchSize"`
			StreamArn string `json:"streamArn"`
		} `json:"DDBStreamBatchInfo"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.RequestContext.ApproximateInvokeCount != 2 ||
		rec.BatchInfo.BatchSize != 1 || rec.BatchInfo.StreamArn != streamArn || !strings.Contains(string(rec.Payload), `"x2"`) {
		t.Errorf("failure record = %s", body)
	}

	// After a restart the mapping resumes from its checkpoint.
	s.Stop(t)
	s = startServer(t, "--data-dir", dataDir)
	ddb = ddbClient(s)
	putOrder(t, ddb, "jobs", "x4", nil)
	if got := waitSeen(t, ddb, 4, "x4"); got != "INSERT:x1*1 INSERT:x2*2 INSERT:x3*1 INSERT:x4*1" {
		t.Fatalf("after restart the function saw %q", got)
	}

	// The checkpoint is durable: after kill -9 nothing is delivered twice.
	s.Kill()
	s = startServer(t, "--data-dir", dataDir)
	ddb = ddbClient(s)
	putOrder(t, ddb, "jobs", "x5", nil)
	if got := waitSeen(t, ddb, 5, "x5"); got != "INSERT:x1*1 INSERT:x2*2 INSERT:x3*1 INSERT:x4*1 INSERT:x5*1" {
		t.Fatalf("after kill -9 the function saw %q", got)
	}
}

// waitSeen waits until the function has counted n records in the seen
// table, the last with key last, and returns them in stream order as
// eventName:id*count.
func waitSeen(t *testing.T, c *dynamodb.Client, n int, last string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("seen"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		type row struct{ seq, text, id string }
		var rows []row
		for _, it := range out.Items {
			s := func(k string) string {
				if v, ok := it[k].(*ddbtypes.AttributeValueMemberS); ok {
					return v.Value
				}
				if v, ok := it[k].(*ddbtypes.AttributeValueMemberN); ok {
					return v.Value
				}
				return ""
			}
			rows = append(rows, row{s("seq"), s("eventName") + ":" + s("id") + "*" + s("n"), s("id")})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].seq < rows[j].seq })
		var texts []string
		for _, r := range rows {
			texts = append(texts, r.text)
		}
		if len(rows) >= n && rows[len(rows)-1].id == last {
			time.Sleep(300 * time.Millisecond) // room for a wrong extra delivery to show
			if again, _ := c.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("seen")}); len(again.Items) == len(rows) {
				return strings.Join(texts, " ")
			}
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("seen table after 30s: %v", texts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
