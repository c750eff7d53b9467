package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func createSQSFunction(t *testing.T, c *lambda.Client, name string, env map[string]string) {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &types.FunctionCode{ZipFile: buildGoFunction(t, "./testdata/sqsfn")}, Timeout: aws.Int32(10),
	}
	if env != nil {
		in.Environment = &types.Environment{Variables: env}
	}
	if _, err := c.CreateFunction(context.Background(), in); err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// createQueue creates a queue and returns its URL and ARN.
func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) (string, string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl), a.Attributes["QueueArn"]
}

// sqsRecord is a record of Lambda's SQS event as the function logged it.
type sqsRecord struct {
	MessageID         string            `json:"messageId"`
	ReceiptHandle     string            `json:"receiptHandle"`
	Body              string            `json:"body"`
	Attributes        map[string]string `json:"attributes"`
	MessageAttributes map[string]struct {
		StringValue      *string  `json:"stringValue"`
		BinaryValue      *string  `json:"binaryValue"`
		StringListValues []string `json:"stringListValues"`
		BinaryListValues []string `json:"binaryListValues"`
		DataType         string   `json:"dataType"`
	} `json:"messageAttributes"`
	MD5OfMessageAttributes *string `json:"md5OfMessageAttributes"`
	MD5OfBody              string  `json:"md5OfBody"`
	EventSource            string  `json:"eventSource"`
	EventSourceARN         string  `json:"eventSourceARN"`
	AwsRegion              string  `json:"awsRegion"`
}

// waitSQSRecords waits until the function has logged at least n records,
// then a little longer to catch extra ones.
func waitSQSRecords(t *testing.T, cl *cloudwatchlogs.Client, group string, n int) []sqsRecord {
	t.Helper()
	read := func() []sqsRecord {
		var out []sqsRecord
		for _, line := range strings.Split(logText(t, cl, group), "\n") {
			i := strings.Index(line, "SQS ")
			if i < 0 {
				continue
			}
			var r sqsRecord
			if err := json.Unmarshal([]byte(line[i+4:]), &r); err != nil {
				t.Fatalf("logged record is not JSON: %v: %s", err, line)
			}
			out = append(out, r)
		}
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if recs := read(); len(recs) >= n {
			time.Sleep(500 * time.Millisecond)
			return read()
		}
		if time.Now().After(deadline) {
			t.Fatalf("function logged %d records within 60s; want %d:\n%s", len(read()), n, logText(t, cl, group))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// queueDepth returns visible plus in-flight messages.
func queueDepth(t *testing.T, c *sqs.Client, url string) int {
	t.Helper()
	a, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	var v, nv int
	fmt.Sscan(a.Attributes["ApproximateNumberOfMessages"], &v)
	fmt.Sscan(a.Attributes["ApproximateNumberOfMessagesNotVisible"], &nv)
	return v + nv
}

// receiveOne long polls a queue for one message with all its attributes.
func receiveOne(t *testing.T, c *sqs.Client, url string, within time.Duration) sqstypes.Message {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 2,
			MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			return out.Messages[0]
		}
	}
	t.Fatalf("no message on %s within %v", url, within)
	return sqstypes.Message{}
}

// TestEventSourceMappingSQS maps a queue to a Go function with the aws CLI:
// the function sees exactly the messages sent, in Lambda's SQS event shape,
// and they are deleted once it succeeds.
func TestEventSourceMappingSQS(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	qc := sqs.NewFromConfig(s.SDK())
	lc := lambda.NewFromConfig(s.SDK())
	logsClient := cloudwatchlogs.NewFromConfig(s.SDK())
	url, arn := createQueue(t, qc, "jobs", nil)
	createSQSFunction(t, lc, "jobs-sink", nil)

	var m map[string]any
	s.MustCLI(t, "lambda", "create-event-source-mapping", "--function-name", "jobs-sink", "--event-source-arn", arn).JSON(t, &m)
	for k, want := range map[string]any{"State": "Creating", "BatchSize": 10.0, "MaximumBatchingWindowInSeconds": 0.0, "EventSourceArn": arn,
		"FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:jobs-sink"} {
		if m[k] != want {
			t.Errorf("create-event-source-mapping %s = %v; want %v", k, m[k], want)
		}
	}
	for _, k := range []string{"StartingPosition", "ParallelizationFactor", "MaximumRetryAttempts"} {
		if _, ok := m[k]; ok {
			t.Errorf("SQS mapping reports %s: %v", k, m)
		}
	}

	sent := map[string]*sqs.SendMessageOutput{}
	for i, body := range []string{`{"order":1}`, "plain", `{"order":3}`} {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}
		if i == 0 {
			in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{
				"kind": {DataType: aws.String("String"), StringValue: aws.String("order")},
				"blob": {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
			}
		}
		out, err := qc.SendMessage(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		sent[aws.ToString(out.MessageId)] = out
	}
	recs := waitSQSRecords(t, logsClient, "/aws/lambda/jobs-sink", 3)
	if len(recs) != 3 {
		t.Fatalf("function saw %d records; want 3", len(recs))
	}
	var bodies []string
	for _, r := range recs {
		bodies = append(bodies, r.Body)
		out := sent[r.MessageID]
		if out == nil {
			t.Fatalf("record for a message never sent: %+v", r)
		}
		if r.ReceiptHandle == "" || r.MD5OfBody != aws.ToString(out.MD5OfMessageBody) || r.EventSource != "aws:sqs" ||
			r.EventSourceARN != arn || r.AwsRegion != "us-east-1" {
			t.Errorf("record = %+v", r)
		}
		for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
			if r.Attributes[k] == "" {
				t.Errorf("record attributes lack %s: %v", k, r.Attributes)
			}
		}
		if r.Attributes["ApproximateReceiveCount"] != "1" {
			t.Errorf("ApproximateReceiveCount = %s", r.Attributes["ApproximateReceiveCount"])
		}
		if r.Body != `{"order":1}` {
			if len(r.MessageAttributes) != 0 || r.MD5OfMessageAttributes != nil {
				t.Errorf("record without attributes = %+v", r)
			}
			continue
		}
		kind, blob := r.MessageAttributes["kind"], r.MessageAttributes["blob"]
		if kind.DataType != "String" || kind.StringValue == nil || *kind.StringValue != "order" || kind.StringListValues == nil ||
			blob.DataType != "Binary" || blob.BinaryValue == nil || *blob.BinaryValue != base64.StdEncoding.EncodeToString([]byte{1, 2, 3}) ||
			r.MD5OfMessageAttributes == nil || *r.MD5OfMessageAttributes != aws.ToString(out.MD5OfMessageAttributes) {
			t.Errorf("message attributes = %+v, md5 %v; sent md5 %s", r.MessageAttributes, r.MD5OfMessageAttributes, aws.ToString(out.MD5OfMessageAttributes))
		}
	}
	sort.Strings(bodies)
	if got := strings.Join(bodies, " "); got != `plain {"order":1} {"order":3}` {
		t.Errorf("bodies = %s", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for queueDepth(t, qc, url) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("queue still holds %d messages after the function succeeded", queueDepth(t, qc, url))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEventSourceMappingSQSRedrive: a failing function's message becomes
// visible again after each failure and reaches the dead-letter queue after
// maxReceiveCount receives; partial failures delete only the successes.
func TestEventSourceMappingSQSRedrive(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	qc := sqs.NewFromConfig(s.SDK())
	lc := lambda.NewFromConfig(s.SDK())
	dlqURL, dlqArn := createQueue(t, qc, "jobs-dlq", nil)
	url, arn := createQueue(t, qc, "jobs", map[string]string{"VisibilityTimeout": "3",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"2"}`})
	createSQSFunction(t, lc, "jobs-report", map[string]string{"MODE": "report"})
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("jobs-report"),
		EventSourceArn: aws.String(arn), FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
		BatchSize: aws.Int32(5)}); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("ok-1")}, {Id: aws.String("2"), MessageBody: aws.String("fail-2")},
		{Id: aws.String("3"), MessageBody: aws.String("ok-3")}}}); err != nil {
		t.Fatal(err)
	}
	msg := receiveOne(t, qc, dlqURL, 60*time.Second)
	if aws.ToString(msg.Body) != "fail-2" || msg.Attributes["ApproximateReceiveCount"] == "" {
		t.Errorf("dead-letter message = %s %v", aws.ToString(msg.Body), msg.Attributes)
	}
	if n := queueDepth(t, qc, url); n != 0 {
		t.Errorf("source queue holds %d messages; want 0", n)
	}
}

// TestLambdaAsyncSQSDestinations: an asynchronous invocation that fails
// sends its invocation record to an OnFailure queue, and its event to the
// function's dead-letter queue with RequestID, ErrorCode and ErrorMessage.
func TestLambdaAsyncSQSDestinations(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	qc := sqs.NewFromConfig(s.SDK())
	lc := lambda.NewFromConfig(s.SDK())
	destURL, destArn := createQueue(t, qc, "on-failure", nil)
	dlqURL, dlqArn := createQueue(t, qc, "fn-dlq", nil)
	createSQSFunction(t, lc, "fails", nil)
	s.MustCLI(t, "lambda", "update-function-configuration", "--function-name", "fails", "--dead-letter-config", "TargetArn="+dlqArn)
	s.MustCLI(t, "lambda", "put-function-event-invoke-config", "--function-name", "fails", "--maximum-retry-attempts", "0",
		"--destination-config", `{"OnFailure":{"Destination":"`+destArn+`"}}`)
	event := `{"Records":[{"messageId":"x","body":"fail now"}]}`
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fails"), InvocationType: types.InvocationTypeEvent, Payload: []byte(event)})
	if err != nil {
		t.Fatal(err)
	}
	reqID, _ := middleware.GetRequestIDMetadata(out.ResultMetadata)

	rec := receiveOne(t, qc, destURL, 60*time.Second)
	var r struct {
		Version        string `json:"version"`
		RequestContext struct {
			RequestID              string `json:"requestId"`
			FunctionArn            string `json:"functionArn"`
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		RequestPayload  json.RawMessage `json:"requestPayload"`
		ResponseContext struct {
			StatusCode    int    `json:"statusCode"`
			FunctionError string `json:"functionError"`
		} `json:"responseContext"`
		ResponsePayload struct {
			ErrorMessage string `json:"errorMessage"`
		} `json:"responsePayload"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(rec.Body)), &r); err != nil {
		t.Fatalf("destination message is not JSON: %v: %s", err, aws.ToString(rec.Body))
	}
	if r.Version != "1.0" || r.RequestContext.Condition != "RetriesExhausted" || r.RequestContext.ApproximateInvokeCount != 1 ||
		r.RequestContext.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:fails:$LATEST" ||
		string(r.RequestPayload) != event || r.ResponseContext.FunctionError != "Unhandled" || r.ResponseContext.StatusCode != 200 ||
		r.ResponsePayload.ErrorMessage != "message failed on purpose" {
		t.Errorf("destination record = %s", aws.ToString(rec.Body))
	}

	dl := receiveOne(t, qc, dlqURL, 30*time.Second)
	attr := func(k string) string { return aws.ToString(dl.MessageAttributes[k].StringValue) }
	if aws.ToString(dl.Body) != event || attr("RequestID") != r.RequestContext.RequestID || attr("ErrorCode") != "200" ||
		aws.ToString(dl.MessageAttributes["ErrorCode"].DataType) != "Number" || attr("ErrorMessage") != "message failed on purpose" {
		t.Errorf("dead-letter message = %s %+v", aws.ToString(dl.Body), dl.MessageAttributes)
	}
	if reqID != "" && reqID != r.RequestContext.RequestID {
		t.Errorf("record requestId = %s; Invoke answered %s", r.RequestContext.RequestID, reqID)
	}
}

// TestEventSourceMappingSQSErrors: what Lambda refuses for SQS sources.
func TestEventSourceMappingSQSErrors(t *testing.T) {
	s := startServer(t)
	qc := sqs.NewFromConfig(s.SDK())
	_, arn := createQueue(t, qc, "jobs", nil)
	_, fifoArn := createQueue(t, qc, "jobs.fifo", map[string]string{"FifoQueue": "true"})
	createSQSFunction(t, lambda.NewFromConfig(s.SDK()), "jobs-sink", nil)
	create := func(args ...string) []string {
		return append([]string{"lambda", "create-event-source-mapping", "--function-name", "jobs-sink"}, args...)
	}
	cases := []struct {
		code, msg string
		args      []string
	}{
		{"InvalidParameterValueException", "AWS.SimpleQueueService.NonExistentQueue",
			create("--event-source-arn", "arn:aws:sqs:us-east-1:000000000000:ghost")},
		{"InvalidParameterValueException", "Unsupported starting position for arn type: " + arn,
			create("--event-source-arn", arn, "--starting-position", "LATEST")},
		{"InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
			create("--event-source-arn", arn, "--batch-size", "50")},
		{"InvalidParameterValueException", "Batching window is not supported for FIFO queues",
			create("--event-source-arn", fifoArn, "--maximum-batching-window-in-seconds", "2")},
	}
	for _, tc := range cases {
		r := s.FailCLI(t, tc.code, tc.args...)
		if !strings.Contains(r.Stderr, tc.msg) {
			t.Errorf("aws %s: stderr lacks %q:\n%s", strings.Join(tc.args, " "), tc.msg, r.Stderr)
		}
	}
	var m map[string]any
	s.MustCLI(t, create("--event-source-arn", arn, "--batch-size", "50", "--maximum-batching-window-in-seconds", "1",
		"--scaling-config", "MaximumConcurrency=2")...).JSON(t, &m)
	if m["BatchSize"] != 50.0 || m["MaximumBatchingWindowInSeconds"] != 1.0 || fmt.Sprint(m["ScalingConfig"]) != "map[MaximumConcurrency:2]" {
		t.Errorf("mapping = %v", m)
	}
}

// TestEventSourceMappingSQSFIFO: a FIFO queue's records carry the group,
// sequence number and deduplication id, and each group arrives in order.
func TestEventSourceMappingSQSFIFO(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	qc := sqs.NewFromConfig(s.SDK())
	lc := lambda.NewFromConfig(s.SDK())
	url, arn := createQueue(t, qc, "jobs.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	createSQSFunction(t, lc, "fifo-sink", nil)
	for _, m := range []struct{ group, body string }{{"g1", "1a"}, {"g2", "2a"}, {"g1", "1b"}, {"g2", "2b"}, {"g1", "1c"}} {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(m.body),
			MessageGroupId: aws.String(m.group)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("fifo-sink"),
		EventSourceArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	recs := waitSQSRecords(t, cloudwatchlogs.NewFromConfig(s.SDK()), "/aws/lambda/fifo-sink", 5)
	groups := map[string][]string{}
	for _, r := range recs {
		g := r.Attributes["MessageGroupId"]
		groups[g] = append(groups[g], r.Body)
		if r.Attributes["SequenceNumber"] == "" || r.Attributes["MessageDeduplicationId"] == "" {
			t.Errorf("FIFO record attributes = %v", r.Attributes)
		}
	}
	if fmt.Sprint(groups["g1"]) != "[1a 1b 1c]" || fmt.Sprint(groups["g2"]) != "[2a 2b]" {
		t.Errorf("groups = %v", groups)
	}
}
