package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func md5Of(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }

type sqsMessages struct {
	Messages []struct {
		MessageId, ReceiptHandle, Body, MD5OfBody, MD5OfMessageAttributes string
		Attributes                                                        map[string]string
		MessageAttributes                                                 map[string]struct{ DataType, StringValue string }
	}
}

func TestSQSCLI(t *testing.T) {
	s := startServer(t)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "orders", "--attributes", "VisibilityTimeout=45,MaximumMessageSize=2048", "--tags", "team=shop").JSON(t, &q)
	if q.QueueUrl != s.URL+"/000000000000/orders" {
		t.Fatalf("QueueUrl = %q; want %s/000000000000/orders", q.QueueUrl, s.URL)
	}
	var got struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "get-queue-url", "--queue-name", "orders").JSON(t, &got)
	if got.QueueUrl != q.QueueUrl {
		t.Fatalf("get-queue-url = %q", got.QueueUrl)
	}

	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	s.MustCLI(t, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", `{"order":1}`,
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"new"},"qty":{"DataType":"Number","StringValue":"3"}}`).JSON(t, &sent)
	if sent.MD5OfMessageBody != md5Of(`{"order":1}`) || sent.MD5OfMessageAttributes == "" || sent.MessageId == "" {
		t.Fatalf("send-message = %+v", sent)
	}
	var attrs struct{ Attributes map[string]string }
	s.MustCLI(t, "sqs", "get-queue-attributes", "--queue-url", q.QueueUrl, "--attribute-names", "All").JSON(t, &attrs)
	if attrs.Attributes["ApproximateNumberOfMessages"] != "1" || attrs.Attributes["VisibilityTimeout"] != "45" ||
		attrs.Attributes["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:orders" {
		t.Fatalf("get-queue-attributes = %v", attrs.Attributes)
	}

	var rcv sqsMessages
	s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--attribute-names", "All",
		"--message-attribute-names", "All", "--max-number-of-messages", "10").JSON(t, &rcv)
	if len(rcv.Messages) != 1 {
		t.Fatalf("receive-message = %+v", rcv)
	}
	m := rcv.Messages[0]
	if m.Body != `{"order":1}` || m.MD5OfBody != sent.MD5OfMessageBody || m.MD5OfMessageAttributes != sent.MD5OfMessageAttributes ||
		m.Attributes["ApproximateReceiveCount"] != "1" || m.MessageAttributes["qty"].StringValue != "3" {
		t.Fatalf("received %+v", m)
	}
	s.MustCLI(t, "sqs", "change-message-visibility", "--queue-url", q.QueueUrl, "--receipt-handle", m.ReceiptHandle, "--visibility-timeout", "0")
	s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl).JSON(t, &rcv)
	s.MustCLI(t, "sqs", "delete-message", "--queue-url", q.QueueUrl, "--receipt-handle", rcv.Messages[0].ReceiptHandle)
	if out := s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl).Stdout; strings.TrimSpace(out) != "" {
		t.Fatalf("queue not empty after delete: %s", out)
	}

	var tags struct{ Tags map[string]string }
	s.MustCLI(t, "sqs", "list-queue-tags", "--queue-url", q.QueueUrl).JSON(t, &tags)
	if tags.Tags["team"] != "shop" {
		t.Fatalf("tags = %v", tags.Tags)
	}
	var list struct{ QueueUrls []string }
	s.MustCLI(t, "sqs", "list-queues", "--queue-name-prefix", "ord").JSON(t, &list)
	if len(list.QueueUrls) != 1 || list.QueueUrls[0] != q.QueueUrl {
		t.Fatalf("list-queues = %v", list.QueueUrls)
	}

	// Errors, with AWS's codes as the CLI reports them.
	s.FailCLI(t, "AWS.SimpleQueueService.NonExistentQueue", "sqs", "get-queue-url", "--queue-name", "missing")
	s.FailCLI(t, "AWS.SimpleQueueService.NonExistentQueue", "sqs", "send-message", "--queue-url", s.URL+"/000000000000/missing", "--message-body", "x")
	r := s.FailCLI(t, "InvalidAttributeValue", "sqs", "set-queue-attributes", "--queue-url", q.QueueUrl, "--attributes", "VisibilityTimeout=99999")
	if !strings.Contains(r.Stderr, "Invalid value for the parameter VisibilityTimeout.") {
		t.Fatalf("stderr: %s", r.Stderr)
	}
	r = s.FailCLI(t, "InvalidParameterValue", "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", strings.Repeat("x", 2049))
	if !strings.Contains(r.Stderr, "Message must be shorter than 2048 bytes.") {
		t.Fatalf("stderr: %s", r.Stderr)
	}
	s.FailCLI(t, "QueueAlreadyExists", "sqs", "create-queue", "--queue-name", "orders", "--attributes", "VisibilityTimeout=46")
	s.FailCLI(t, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "sqs", "send-message-batch", "--queue-url", q.QueueUrl, "--entries", batchEntries(11))
	s.MustCLI(t, "sqs", "purge-queue", "--queue-url", q.QueueUrl)
	s.FailCLI(t, "AWS.SimpleQueueService.PurgeQueueInProgress", "sqs", "purge-queue", "--queue-url", q.QueueUrl)
	s.MustCLI(t, "sqs", "delete-queue", "--queue-url", q.QueueUrl)
	s.FailCLI(t, "AWS.SimpleQueueService.NonExistentQueue", "sqs", "get-queue-attributes", "--queue-url", q.QueueUrl)
}

func batchEntries(n int) string {
	var es []string
	for i := 0; i < n; i++ {
		es = append(es, fmt.Sprintf(`{"Id":"e%d","MessageBody":"m%d"}`, i, i))
	}
	return "[" + strings.Join(es, ",") + "]"
}

func TestSQSCLIFIFO(t *testing.T) {
	s := startServer(t)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "jobs.fifo", "--attributes", "FifoQueue=true,ContentBasedDeduplication=true").JSON(t, &q)
	var first, dup struct{ MessageId, SequenceNumber string }
	s.MustCLI(t, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "a1", "--message-group-id", "a").JSON(t, &first)
	s.MustCLI(t, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "a1", "--message-group-id", "a").JSON(t, &dup)
	if first.SequenceNumber == "" || dup.MessageId != first.MessageId {
		t.Fatalf("dedup: %+v %+v", first, dup)
	}
	s.MustCLI(t, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "a2", "--message-group-id", "a")
	s.MustCLI(t, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "b1", "--message-group-id", "b")
	var rcv sqsMessages
	s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--max-number-of-messages", "1", "--attribute-names", "All").JSON(t, &rcv)
	if len(rcv.Messages) != 1 || rcv.Messages[0].Body != "a1" || rcv.Messages[0].Attributes["SequenceNumber"] != first.SequenceNumber {
		t.Fatalf("first receive %+v", rcv)
	}
	var rest sqsMessages
	s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--max-number-of-messages", "10").JSON(t, &rest)
	if len(rest.Messages) != 1 || rest.Messages[0].Body != "b1" {
		t.Fatalf("group a must be blocked while a1 is in flight: %+v", rest)
	}
	s.FailCLI(t, "MissingParameter", "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "x")
	s.FailCLI(t, "InvalidParameterValue", "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "x", "--message-group-id", "a", "--delay-seconds", "5")
}

func TestSQSSDK(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(s.SDK())
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sdk"), Attributes: map[string]string{"VisibilityTimeout": "120"}})
	if err != nil {
		t.Fatal(err)
	}
	url := created.QueueUrl
	// The SDK verifies MD5OfMessageBody on send and receive; a mismatch would fail these calls.
	out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("héllo"),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"bin": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
			"str": {DataType: aws.String("String.custom"), StringValue: aws.String("v")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.MD5OfMessageAttributes) == "" {
		t.Fatal("no MD5OfMessageAttributes")
	}
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("ok"), MessageBody: aws.String("second")},
		{Id: aws.String("bad"), MessageBody: aws.String("x"), DelaySeconds: 901},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Successful) != 1 || len(batch.Failed) != 1 || aws.ToString(batch.Failed[0].Code) != "InvalidParameterValue" || !batch.Failed[0].SenderFault {
		t.Fatalf("batch = %+v", batch)
	}
	rcv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rcv.Messages) != 2 || aws.ToString(rcv.Messages[0].Body) != "héllo" ||
		string(rcv.Messages[0].MessageAttributes["bin"].BinaryValue) != "\x00\x01\x02\xff" ||
		aws.ToString(rcv.Messages[0].MD5OfMessageAttributes) != aws.ToString(out.MD5OfMessageAttributes) {
		t.Fatalf("received %+v", rcv.Messages)
	}
	var del []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range rcv.Messages {
		del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: m.ReceiptHandle})
	}
	if d, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del}); err != nil || len(d.Successful) != 2 {
		t.Fatalf("DeleteMessageBatch = %+v, %v", d, err)
	}

	// Long polling returns as soon as a message arrives.
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, _ = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("late")})
	}()
	start := time.Now()
	rcv, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 10})
	if err != nil || len(rcv.Messages) != 1 || aws.ToString(rcv.Messages[0].Body) != "late" {
		t.Fatalf("long poll = %+v, %v", rcv, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("long poll took %v", d)
	}

	// Typed errors carry the awsQuery codes.
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	var missing *sqstypes.QueueDoesNotExist
	if !errors.As(err, &missing) || missing.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("GetQueueUrl(missing) = %v", err)
	}
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"DelaySeconds": "-1"}})
	var badValue *sqstypes.InvalidAttributeValue
	if !errors.As(err, &badValue) {
		t.Fatalf("SetQueueAttributes(DelaySeconds=-1) = %v", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(strings.Repeat("x", 1<<20+1))})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidParameterValue" || !strings.Contains(api.ErrorMessage(), "shorter than 1048576 bytes") {
		t.Fatalf("oversize SendMessage = %v", err)
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("x"), MessageBody: aws.String("1")}, {Id: aws.String("x"), MessageBody: aws.String("2")}}})
	var notDistinct *sqstypes.BatchEntryIdsNotDistinct
	if !errors.As(err, &notDistinct) {
		t.Fatalf("duplicate batch ids = %v", err)
	}
}

// Many receivers over HTTP each get distinct messages.
func TestSQSConcurrentReceivers(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(s.SDK())
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	url := created.QueueUrl
	const n = 200
	for i := 0; i < n; i += 10 {
		var es []sqstypes.SendMessageBatchRequestEntry
		for j := i; j < i+10; j++ {
			es = append(es, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", j)), MessageBody: aws.String(fmt.Sprint(j))})
		}
		if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: es}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 12; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 4})
				if err != nil || len(r.Messages) == 0 {
					return
				}
				mu.Lock()
				for _, m := range r.Messages {
					seen[aws.ToString(m.Body)]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("received %d distinct messages; want %d", len(seen), n)
	}
	for b, k := range seen {
		if k != 1 {
			t.Fatalf("message %s received %d times", b, k)
		}
	}
}

func TestSQSBoto3(t *testing.T) {
	s := startServer(t)
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	script := `
import boto3, json, sys
c = boto3.client("sqs", endpoint_url=sys.argv[1])
url = c.create_queue(QueueName="py")["QueueUrl"]
sent = c.send_message(QueueUrl=url, MessageBody="from python",
    MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}, "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
got = c.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=1)["Messages"][0]
c.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
try:
    c.get_queue_url(QueueName="missing")
    err = None
except c.exceptions.QueueDoesNotExist as e:
    err = e.response["Error"]["Code"]
print(json.dumps({"sent": sent["MD5OfMessageAttributes"], "got": got["MD5OfMessageAttributes"], "body": got["Body"],
    "bin": list(got["MessageAttributes"]["b"]["BinaryValue"]), "err": err}))
`
	dir := t.TempDir()
	file := filepath.Join(dir, "sqs.py")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, file, s.URL)
	cmd.Env = awsEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	var res struct {
		Sent, Got, Body, Err string
		Bin                  []int
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("boto3 output %s: %v", out, err)
	}
	if res.Sent == "" || res.Sent != res.Got || res.Body != "from python" || len(res.Bin) != 2 || res.Bin[1] != 255 || res.Err != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("boto3 round trip: %s", out)
	}
}

// A sent message survives kill -9 with --data-dir.
func TestSQSDurable(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "keep").JSON(t, &q)
	s.MustCLI(t, "sqs", "send-message", "--queue-url", q.QueueUrl, "--message-body", "survivor")
	s.Kill()
	s2 := startServer(t, "--data-dir", dir)
	var rcv sqsMessages
	// The old URL still resolves: any host is accepted.
	s2.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl, "--wait-time-seconds", "1").JSON(t, &rcv)
	if len(rcv.Messages) != 1 || rcv.Messages[0].Body != "survivor" {
		t.Fatalf("after kill -9: %+v", rcv)
	}
}

func TestEventBridgeToSQS(t *testing.T) {
	s := startServer(t)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "events").JSON(t, &q)
	var fq struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "events.fifo", "--attributes", "FifoQueue=true,ContentBasedDeduplication=true").JSON(t, &fq)
	s.MustCLI(t, "events", "put-rule", "--name", "to-sqs", "--event-pattern", `{"source":["shop"]}`)
	var failed struct{ FailedEntryCount int }
	s.MustCLI(t, "events", "put-targets", "--rule", "to-sqs", "--targets",
		`[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:000000000000:events"},{"Id":"f","Arn":"arn:aws:sqs:us-east-1:000000000000:events.fifo","SqsParameters":{"MessageGroupId":"orders"}}]`).JSON(t, &failed)
	if failed.FailedEntryCount != 0 {
		t.Fatalf("put-targets failed %d", failed.FailedEntryCount)
	}
	s.MustCLI(t, "events", "put-events", "--entries", `[{"Source":"shop","DetailType":"OrderPlaced","Detail":"{\"id\":42}"}]`)
	for _, tc := range []struct{ url, group string }{{q.QueueUrl, ""}, {fq.QueueUrl, "orders"}} {
		var rcv sqsMessages
		s.MustCLI(t, "sqs", "receive-message", "--queue-url", tc.url, "--wait-time-seconds", "10", "--attribute-names", "All").JSON(t, &rcv)
		if len(rcv.Messages) != 1 {
			t.Fatalf("%s: no event delivered", tc.url)
		}
		var ev struct {
			Source     string
			DetailType string `json:"detail-type"`
			Detail     struct{ ID int }
		}
		if err := json.Unmarshal([]byte(rcv.Messages[0].Body), &ev); err != nil || ev.Detail.ID != 42 || ev.Source != "shop" || ev.DetailType != "OrderPlaced" {
			t.Fatalf("%s: body %s", tc.url, rcv.Messages[0].Body)
		}
		if rcv.Messages[0].Attributes["MessageGroupId"] != tc.group {
			t.Fatalf("%s: MessageGroupId %q; want %q", tc.url, rcv.Messages[0].Attributes["MessageGroupId"], tc.group)
		}
	}
}

// SDKs from before SQS moved to awsJson speak awsQuery: a signed form POST,
// sent to the queue's URL, answered in XML.
func TestSQSQueryProtocol(t *testing.T) {
	s := startServer(t)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "legacy").JSON(t, &q)
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
		"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00"}
	form := url.Values{"Action": {"SendMessage"}, "Version": {"2012-11-05"}, "QueueUrl": {q.QueueUrl}, "MessageBody": {"from an old SDK"}}
	status, _, body := s.Do(t, "POST", "/000000000000/legacy", hdr, strings.NewReader(form.Encode()))
	if status != 200 || !strings.Contains(string(body), "<MD5OfMessageBody>"+md5Of("from an old SDK")+"</MD5OfMessageBody>") {
		t.Fatalf("SendMessage over awsQuery: %d %s", status, body)
	}
	var rcv sqsMessages
	s.MustCLI(t, "sqs", "receive-message", "--queue-url", q.QueueUrl).JSON(t, &rcv)
	if len(rcv.Messages) != 1 || rcv.Messages[0].Body != "from an old SDK" {
		t.Fatalf("received %+v", rcv)
	}
	form = url.Values{"Action": {"GetQueueUrl"}, "Version": {"2012-11-05"}, "QueueName": {"missing"}}
	status, _, body = s.Do(t, "POST", "/", hdr, strings.NewReader(form.Encode()))
	if status != 400 || !strings.Contains(string(body), "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") {
		t.Fatalf("GetQueueUrl(missing) over awsQuery: %d %s", status, body)
	}
}

// A long poll under way does not hold up the server's shutdown.
func TestSQSShutdownEndsLongPolls(t *testing.T) {
	s := startServer(t)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "idle").JSON(t, &q)
	// The CLI takes a second or more to start on a loaded machine, so a fixed
	// pause could stop the server before the long poll reaches it. With
	// --debug the CLI says when it connects to send its request; the pause
	// after that only covers a local connection and one request.
	cmd := exec.Command(awsPath, "--endpoint-url", s.URL, "--output", "json", "--debug",
		"sqs", "receive-message", "--queue-url", q.QueueUrl, "--wait-time-seconds", "20")
	cmd.Env = awsEnv()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	connecting := make(chan struct{})
	done := make(chan CLIResult, 1)
	go func() {
		var errText strings.Builder
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		seen := false
		for sc.Scan() {
			errText.WriteString(sc.Text() + "\n")
			if !seen && strings.Contains(sc.Text(), "Starting new HTTP connection") {
				seen = true
				close(connecting)
			}
		}
		_, _ = io.Copy(io.Discard, stderr) // a line too long for the scanner
		res := CLIResult{Stderr: errText.String()}
		if err := cmd.Wait(); err != nil {
			res.Code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				res.Code = ee.ExitCode()
			}
		}
		res.Stdout = stdout.String()
		done <- res
	}()
	select {
	case <-connecting:
	case r := <-done:
		t.Fatalf("the CLI ended before sending its long poll: exit %d\n%s", r.Code, tail(r.Stderr, 4000))
	case <-time.After(60 * time.Second):
		t.Fatal("the CLI did not send its long poll within 60s")
	}
	time.Sleep(time.Second) // the request reaches the server
	start := time.Now()
	s.Stop(t)
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("shutdown took %v with a long poll under way", d)
	}
	select {
	case r := <-done:
		if r.Code != 0 || strings.TrimSpace(r.Stdout) != "" {
			t.Fatalf("long poll during shutdown: exit %d, %s %s", r.Code, r.Stdout, tail(r.Stderr, 4000))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not return")
	}
}

// An SDK from before SQS's move to awsJson — Debian's boto3, when installed —
// works over awsQuery end to end.
func TestSQSQueryProtocolOldBoto3(t *testing.T) {
	const py = "/usr/bin/python3"
	out, err := exec.Command(py, "-c", `import boto3; print(boto3.client("sqs", region_name="us-east-1").meta.service_model.protocol)`).Output()
	if err != nil || strings.TrimSpace(string(out)) != "query" {
		t.Skip("no boto3 that speaks awsQuery to SQS under " + py)
	}
	s := startServer(t)
	script := `
import boto3, botocore, hashlib, sys
c = boto3.client("sqs", endpoint_url=sys.argv[1])
assert c.meta.service_model.protocol == "query"
u = c.create_queue(QueueName="old", Attributes={"VisibilityTimeout": "40"}, tags={"team": "a"})["QueueUrl"]
s = c.send_message(QueueUrl=u, MessageBody="hello <xml> & stuff",
    MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}, "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
assert s["MD5OfMessageBody"] == hashlib.md5(b"hello <xml> & stuff").hexdigest(), s
b = c.send_message_batch(QueueUrl=u, Entries=[{"Id": "a", "MessageBody": "2"}, {"Id": "b", "MessageBody": "3", "DelaySeconds": 1000}])
assert [e["Id"] for e in b["Successful"]] == ["a"] and b["Failed"][0]["Code"] == "InvalidParameterValue", b
r = c.receive_message(QueueUrl=u, AttributeNames=["All"], MessageAttributeNames=["All"], MaxNumberOfMessages=10)["Messages"]
m = [x for x in r if x["Body"] == "hello <xml> & stuff"][0]
assert m["MD5OfMessageAttributes"] == s["MD5OfMessageAttributes"] and m["MessageAttributes"]["b"]["BinaryValue"] == b"\x00\xff", m
assert m["Attributes"]["ApproximateReceiveCount"] == "1", m
d = c.delete_message_batch(QueueUrl=u, Entries=[{"Id": str(i), "ReceiptHandle": x["ReceiptHandle"]} for i, x in enumerate(r)])
assert len(d["Successful"]) == 2, d
assert c.get_queue_attributes(QueueUrl=u, AttributeNames=["All"])["Attributes"]["VisibilityTimeout"] == "40"
assert c.list_queue_tags(QueueUrl=u)["Tags"] == {"team": "a"}
assert c.list_queues(QueueNamePrefix="o")["QueueUrls"] == [u]
try:
    c.get_queue_url(QueueName="missing"); raise SystemExit("no error for a missing queue")
except c.exceptions.QueueDoesNotExist:
    pass
try:
    c.set_queue_attributes(QueueUrl=u, Attributes={"VisibilityTimeout": "99999"}); raise SystemExit("no error for a bad attribute")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidAttributeValue", e.response
c.delete_queue(QueueUrl=u)
print("ok")
`
	file := filepath.Join(t.TempDir(), "old.py")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, file, s.URL)
	cmd.Env = awsEnv()
	res, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(res)) != "ok" {
		t.Fatalf("old boto3 over awsQuery: %v\n%s", err, res)
	}
}
