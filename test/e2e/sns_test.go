package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// snsEnvelope is the JSON an SQS subscription without raw delivery receives.
type snsEnvelope struct {
	Type, MessageId, TopicArn, Subject, Message, Timestamp string
	SignatureVersion, Signature, SigningCertURL            string
	UnsubscribeURL, SequenceNumber                         string
	MessageAttributes                                      map[string]struct{ Type, Value string }
}

// receiveCLI receives one message from a queue with the aws CLI, waiting
// up to within for it.
func receiveCLI(t *testing.T, s *Server, queueURL string, within time.Duration) (body string, attrs map[string]struct{ DataType, StringValue string }) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var out sqsMessages
		r := s.MustCLI(t, "sqs", "receive-message", "--queue-url", queueURL, "--wait-time-seconds", "2", "--message-attribute-names", "All")
		if strings.TrimSpace(r.Stdout) == "" {
			continue
		}
		r.JSON(t, &out)
		if len(out.Messages) > 0 {
			m := out.Messages[0]
			s.MustCLI(t, "sqs", "delete-message", "--queue-url", queueURL, "--receipt-handle", m.ReceiptHandle)
			return m.Body, m.MessageAttributes
		}
	}
	t.Fatalf("no message on %s within %v", queueURL, within)
	return "", nil
}

// TestSNSCLI drives SNS with the aws CLI: a topic fanning out to SQS
// queues with the JSON envelope, raw delivery and filter policies, and
// AWS's errors.
func TestSNSCLI(t *testing.T) {
	s := startServer(t)
	var topic struct{ TopicArn string }
	s.MustCLI(t, "sns", "create-topic", "--name", "orders", "--attributes", "DisplayName=Orders", "--tags", "Key=team,Value=shop").JSON(t, &topic)
	if topic.TopicArn != "arn:aws:sns:us-east-1:000000000000:orders" {
		t.Fatalf("TopicArn = %q", topic.TopicArn)
	}
	queue := func(name string) (url, arn string) {
		var q struct{ QueueUrl string }
		s.MustCLI(t, "sqs", "create-queue", "--queue-name", name).JSON(t, &q)
		return q.QueueUrl, "arn:aws:sqs:us-east-1:000000000000:" + name
	}
	envURL, envARN := queue("enveloped")
	rawURL, rawARN := queue("raw")
	keepURL, keepARN := queue("filtered")
	var sub struct{ SubscriptionArn string }
	s.MustCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", envARN).JSON(t, &sub)
	if !strings.HasPrefix(sub.SubscriptionArn, topic.TopicArn+":") {
		t.Fatalf("SubscriptionArn = %q", sub.SubscriptionArn)
	}
	s.MustCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", rawARN,
		"--attributes", "RawMessageDelivery=true")
	s.MustCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", keepARN,
		"--attributes", `{"FilterPolicy":"{\"kind\":[\"keep\"],\"qty\":[{\"numeric\":[\">\",1]}]}"}`)

	var attrs struct{ Attributes map[string]string }
	s.MustCLI(t, "sns", "get-topic-attributes", "--topic-arn", topic.TopicArn).JSON(t, &attrs)
	if a := attrs.Attributes; a["SubscriptionsConfirmed"] != "3" || a["DisplayName"] != "Orders" || a["Owner"] != "000000000000" || a["Policy"] == "" {
		t.Fatalf("get-topic-attributes = %v", a)
	}

	// Dropped by the filter (kind), then passed by it.
	s.MustCLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "first",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"drop"},"qty":{"DataType":"Number","StringValue":"5"}}`)
	var pub struct{ MessageId string }
	s.MustCLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "second", "--subject", "news",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"keep"},"qty":{"DataType":"Number","StringValue":"5"}}`).JSON(t, &pub)

	body, _ := receiveCLI(t, s, envURL, 30*time.Second)
	var env snsEnvelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("enveloped body is not JSON: %v\n%s", err, body)
	}
	if env.Type != "Notification" || env.TopicArn != topic.TopicArn || env.Message != "first" || env.Subject != "" ||
		env.SignatureVersion != "1" || env.Signature == "" || env.SigningCertURL == "" || env.MessageId == "" {
		t.Errorf("first envelope = %+v", env)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", env.Timestamp); err != nil {
		t.Errorf("Timestamp %q: %v", env.Timestamp, err)
	}
	if a := env.MessageAttributes["qty"]; a.Type != "Number" || a.Value != "5" {
		t.Errorf("envelope attribute qty = %+v", a)
	}
	if !strings.Contains(env.UnsubscribeURL, "Action=Unsubscribe") || !strings.Contains(env.UnsubscribeURL, "SubscriptionArn=") {
		t.Errorf("UnsubscribeURL = %q", env.UnsubscribeURL)
	}
	body, _ = receiveCLI(t, s, envURL, 30*time.Second)
	_ = json.Unmarshal([]byte(body), &env)
	if env.Message != "second" || env.Subject != "news" || env.MessageId != pub.MessageId {
		t.Errorf("second envelope = %+v; want message second, subject news, id %s", env, pub.MessageId)
	}

	raw, rawAttrs := receiveCLI(t, s, rawURL, 30*time.Second)
	if raw != "first" || rawAttrs["kind"].StringValue != "drop" || rawAttrs["qty"].DataType != "Number" {
		t.Errorf("raw delivery = %q %+v", raw, rawAttrs)
	}

	kept, _ := receiveCLI(t, s, keepURL, 30*time.Second)
	if err := json.Unmarshal([]byte(kept), &env); err != nil || env.Message != "second" {
		t.Errorf("filtered queue got %s; want the second message", kept)
	}
	// The first message was published before the second and delivered
	// before Publish answered, so had the filter passed it, it would be here.
	var depth struct{ Attributes map[string]string }
	s.MustCLI(t, "sqs", "get-queue-attributes", "--queue-url", keepURL, "--attribute-names", "All").JSON(t, &depth)
	if n := depth.Attributes["ApproximateNumberOfMessages"]; n != "0" {
		t.Errorf("filtered queue still holds %s messages; the filter let the dropped one through", n)
	}

	var subs struct {
		Subscriptions []struct{ SubscriptionArn, Protocol, Endpoint, TopicArn string }
	}
	s.MustCLI(t, "sns", "list-subscriptions-by-topic", "--topic-arn", topic.TopicArn).JSON(t, &subs)
	if len(subs.Subscriptions) != 3 {
		t.Errorf("list-subscriptions-by-topic = %+v", subs)
	}
	var subAttrs struct{ Attributes map[string]string }
	s.MustCLI(t, "sns", "get-subscription-attributes", "--subscription-arn", sub.SubscriptionArn).JSON(t, &subAttrs)
	if a := subAttrs.Attributes; a["Endpoint"] != envARN || a["Protocol"] != "sqs" || a["PendingConfirmation"] != "false" {
		t.Errorf("get-subscription-attributes = %v", a)
	}
	var tags struct{ Tags []struct{ Key, Value string } }
	s.MustCLI(t, "sns", "list-tags-for-resource", "--resource-arn", topic.TopicArn).JSON(t, &tags)
	if len(tags.Tags) != 1 || tags.Tags[0].Key != "team" || tags.Tags[0].Value != "shop" {
		t.Errorf("tags = %+v", tags)
	}

	// Errors, as AWS names them.
	s.FailCLI(t, "NotFound", "sns", "publish", "--topic-arn", topic.TopicArn+"-missing", "--message", "x")
	s.FailCLI(t, "NotFound", "sns", "get-topic-attributes", "--topic-arn", topic.TopicArn+"-missing")
	r := s.FailCLI(t, "InvalidParameter", "sns", "create-topic", "--name", "no spaces")
	if !strings.Contains(r.Stderr, "Invalid parameter") {
		t.Errorf("stderr = %s", r.Stderr)
	}
	s.FailCLI(t, "InvalidParameter", "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "carrier-pigeon", "--notification-endpoint", "x")
	s.FailCLI(t, "InvalidParameter", "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", "not-an-arn")
	s.FailCLI(t, "InvalidParameter", "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint", envARN+"2",
		"--attributes", `{"FilterPolicy":"{\"kind\":\"keep\"}"}`)

	s.MustCLI(t, "sns", "unsubscribe", "--subscription-arn", sub.SubscriptionArn)
	s.FailCLI(t, "NotFound", "sns", "get-subscription-attributes", "--subscription-arn", sub.SubscriptionArn)
	s.MustCLI(t, "sns", "delete-topic", "--topic-arn", topic.TopicArn)
	var topics struct{ Topics []struct{ TopicArn string } }
	s.MustCLI(t, "sns", "list-topics").JSON(t, &topics)
	if len(topics.Topics) != 0 {
		t.Errorf("list-topics after delete = %+v", topics)
	}
}

// TestSNSSDK uses aws-sdk-go-v2: FIFO topics into a FIFO queue with
// deduplication, PublishBatch, and errors decoded into the SDK's types.
func TestSNSSDK(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := sns.NewFromConfig(s.SDK())
	q := sqs.NewFromConfig(s.SDK())

	_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:missing"), Message: aws.String("x")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Topic does not exist" {
		t.Fatalf("Publish to a missing topic = %v; want NotFoundException", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 404 {
		t.Errorf("status of NotFound = %v; want 404", err)
	}
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("plain"), Attributes: map[string]string{"FifoTopic": "true"}})
	var ip *snstypes.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Errorf("FIFO attribute on a plain name = %v; want InvalidParameterException", err)
	}

	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("jobs.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	qURL, qARN := createQueue(t, q, "jobs.fifo", map[string]string{"FifoQueue": "true"})
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("x"), MessageGroupId: aws.String("g")})
	if !errors.As(err, &ip) || !strings.Contains(ip.ErrorMessage(), "ContentBasedDeduplication") {
		t.Errorf("FIFO publish without a deduplication id = %v", err)
	}
	first, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("one"), MessageGroupId: aws.String("g"),
		MessageDeduplicationId: aws.String("d1")})
	if err != nil || aws.ToString(first.SequenceNumber) == "" {
		t.Fatalf("Publish = %+v, %v", first, err)
	}
	dup, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("one again"), MessageGroupId: aws.String("g"),
		MessageDeduplicationId: aws.String("d1")})
	if err != nil || aws.ToString(dup.MessageId) != aws.ToString(first.MessageId) {
		t.Errorf("duplicate Publish = %+v, %v; want the first message's id", dup, err)
	}
	batch, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: topic.TopicArn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("two"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d2"),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("7")}}},
		{Id: aws.String("b"), Message: aws.String("three"), MessageGroupId: aws.String("g")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Successful) != 1 || aws.ToString(batch.Successful[0].Id) != "a" || len(batch.Failed) != 1 ||
		aws.ToString(batch.Failed[0].Id) != "b" || aws.ToString(batch.Failed[0].Code) != "InvalidParameter" || !batch.Failed[0].SenderFault {
		t.Errorf("PublishBatch = %+v", batch)
	}

	m1 := receiveOne(t, q, qURL, 30*time.Second)
	if aws.ToString(m1.Body) != "one" || m1.Attributes["MessageGroupId"] != "g" || m1.Attributes["MessageDeduplicationId"] != "d1" {
		t.Errorf("first FIFO message = %q %v", aws.ToString(m1.Body), m1.Attributes)
	}
	if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(qURL), ReceiptHandle: m1.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	m2 := receiveOne(t, q, qURL, 30*time.Second)
	if aws.ToString(m2.Body) != "two" || aws.ToString(m2.MessageAttributes["n"].StringValue) != "7" {
		t.Errorf("second FIFO message = %q %v; want two with n=7 (the duplicate dropped)", aws.ToString(m2.Body), m2.MessageAttributes)
	}

	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: topic.TopicArn})
	if err != nil || attrs.Attributes["FifoTopic"] != "true" || attrs.Attributes["ContentBasedDeduplication"] != "false" {
		t.Errorf("GetTopicAttributes = %v, %v", attrs, err)
	}
	list, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(list.Topics) != 1 || aws.ToString(list.Topics[0].TopicArn) != aws.ToString(topic.TopicArn) {
		t.Errorf("ListTopics = %+v, %v", list, err)
	}

	// Health lists SNS; reset wipes its topics.
	if _, _, body := s.Do(t, "GET", "/_tenkai/health", nil, nil); !strings.Contains(string(body), `"sns":"running"`) {
		t.Errorf("health = %s; want sns running", body)
	}
	if status, _, _ := s.Do(t, "POST", "/_tenkai/reset", nil, nil); status != 200 {
		t.Fatalf("reset = %d", status)
	}
	list, err = c.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(list.Topics) != 0 {
		t.Errorf("ListTopics after reset = %+v, %v", list, err)
	}
}

const snsPyFn = `import json
def handler(event, context):
    for r in event["Records"]:
        s = r["Sns"]
        print("SNS " + json.dumps({"source": r["EventSource"], "version": r["EventVersion"], "sub": r["EventSubscriptionArn"],
            "type": s["Type"], "topic": s["TopicArn"], "message": s["Message"], "subject": s["Subject"], "attrs": s["MessageAttributes"]}))
    return {}
`

// TestSNSLambda subscribes a Python function; it logs what it gets, and the
// test reads that back from CloudWatch Logs.
func TestSNSLambda(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	fc := lambda.NewFromConfig(s.SDK())
	fn, err := fc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("snsfn"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": snsPyFn})},
	})
	if err != nil {
		t.Fatal(err)
	}
	var topic struct{ TopicArn string }
	s.MustCLI(t, "sns", "create-topic", "--name", "to-lambda").JSON(t, &topic)
	var sub struct{ SubscriptionArn string }
	s.MustCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "lambda", "--notification-endpoint", aws.ToString(fn.FunctionArn)).JSON(t, &sub)
	// Without a resource policy for SNS the function is not invoked, as in
	// AWS, and tenkai's log says what is missing.
	s.MustCLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "not allowed")
	waitFor(t, 10*time.Second, "tenkai's log to explain the missing permission", func() bool {
		return strings.Contains(s.Logs(), "--principal sns.amazonaws.com")
	})
	s.MustCLI(t, "lambda", "add-permission", "--function-name", "snsfn", "--statement-id", "sns", "--action", "lambda:InvokeFunction",
		"--principal", "sns.amazonaws.com", "--source-arn", topic.TopicArn)
	s.MustCLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "hello lambda", "--subject", "greeting",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"k1"}}`)

	logs := cloudwatchlogs.NewFromConfig(s.SDK())
	var line string
	waitFor(t, 90*time.Second, "the function to log the SNS record", func() bool {
		for _, l := range strings.Split(logText(t, logs, "/aws/lambda/snsfn"), "\n") {
			if i := strings.Index(l, "SNS {"); i >= 0 {
				line = l[i+4:]
				return true
			}
		}
		return false
	})
	var got struct {
		Source, Version, Sub, Type, Topic, Message, Subject string
		Attrs                                               map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("logged line %q: %v", line, err)
	}
	if got.Source != "aws:sns" || got.Version != "1.0" || got.Sub != sub.SubscriptionArn || got.Type != "Notification" ||
		got.Topic != topic.TopicArn || got.Message != "hello lambda" || got.Subject != "greeting" || got.Attrs["kind"].Value != "k1" {
		t.Errorf("function saw %+v", got)
	}
	if txt := logText(t, logs, "/aws/lambda/snsfn"); strings.Contains(txt, "not allowed") {
		t.Errorf("the function ran for the message published before the permission:\n%s", txt)
	}
}

// TestSNSHTTP subscribes an HTTP endpoint: it gets the confirmation, opens
// the SubscribeURL, then gets the notification with SNS's headers.
func TestSNSHTTP(t *testing.T) {
	s := startServer(t)
	type post struct {
		header http.Header
		body   []byte
	}
	posts := make(chan post, 8)
	ep := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case posts <- post{r.Header.Clone(), b}:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(ep.Close)
	next := func() post {
		t.Helper()
		select {
		case p := <-posts:
			return p
		case <-time.After(60 * time.Second):
			t.Fatal("nothing was posted to the endpoint")
			return post{}
		}
	}
	var topic struct{ TopicArn string }
	s.MustCLI(t, "sns", "create-topic", "--name", "hooks").JSON(t, &topic)
	var sub struct{ SubscriptionArn string }
	s.MustCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "http", "--notification-endpoint", ep.URL+"/in").JSON(t, &sub)
	if sub.SubscriptionArn != "pending confirmation" {
		t.Fatalf("SubscriptionArn = %q", sub.SubscriptionArn)
	}
	conf := next()
	var c struct{ Type, Token, TopicArn, SubscribeURL string }
	if err := json.Unmarshal(conf.body, &c); err != nil || c.Type != "SubscriptionConfirmation" || conf.header.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" {
		t.Fatalf("confirmation = %s %v", conf.body, conf.header)
	}
	if !strings.HasPrefix(c.SubscribeURL, s.URL+"/") {
		t.Errorf("SubscribeURL %q does not point at tenkai (%s)", c.SubscribeURL, s.URL)
	}
	resp, err := http.Get(c.SubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), topic.TopicArn+":") {
		t.Fatalf("GET SubscribeURL = %d %s", resp.StatusCode, b)
	}
	var subs struct {
		Subscriptions []struct{ SubscriptionArn string }
	}
	s.MustCLI(t, "sns", "list-subscriptions-by-topic", "--topic-arn", topic.TopicArn).JSON(t, &subs)
	if len(subs.Subscriptions) != 1 || !strings.HasPrefix(subs.Subscriptions[0].SubscriptionArn, topic.TopicArn+":") {
		t.Fatalf("subscription after confirming = %+v", subs)
	}
	var pub struct{ MessageId string }
	s.MustCLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "ping").JSON(t, &pub)
	n := next()
	var env snsEnvelope
	_ = json.Unmarshal(n.body, &env)
	if n.header.Get("x-amz-sns-message-type") != "Notification" || n.header.Get("x-amz-sns-message-id") != pub.MessageId ||
		n.header.Get("x-amz-sns-subscription-arn") != subs.Subscriptions[0].SubscriptionArn || env.Message != "ping" {
		t.Errorf("notification = %s %v", n.body, n.header)
	}
}

// TestSNSLambdaDestinations sends a failing function's asynchronous
// invocation record to an SNS destination and its event to an SNS
// dead-letter topic; SQS queues subscribed to them get both.
func TestSNSLambdaDestinations(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := sns.NewFromConfig(s.SDK())
	qc := sqs.NewFromConfig(s.SDK())
	lc := lambda.NewFromConfig(s.SDK())
	topic := func(name, queue string, raw bool) (topicARN, queueURL string) {
		out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		url, arn := createQueue(t, qc, queue, nil)
		in := &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(arn)}
		if raw {
			in.Attributes = map[string]string{"RawMessageDelivery": "true"}
		}
		if _, err := c.Subscribe(ctx, in); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TopicArn), url
	}
	destTopic, destURL := topic("fn-failures", "failures", true)
	dlqTopic, dlqURL := topic("fn-dlq", "dead-letters", false)
	_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("fails"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code:             &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": "def handler(event, context):\n    raise Exception(\"failed on purpose\")\n"})},
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String(dlqTopic)},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.MustCLI(t, "lambda", "put-function-event-invoke-config", "--function-name", "fails", "--maximum-retry-attempts", "0",
		"--destination-config", `{"OnFailure":{"Destination":"`+destTopic+`"}}`)
	event := `{"order":7}`
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fails"), InvocationType: types.InvocationTypeEvent, Payload: []byte(event)}); err != nil {
		t.Fatal(err)
	}

	rec := receiveOne(t, qc, destURL, 90*time.Second)
	var r struct {
		RequestContext struct {
			RequestID string `json:"requestId"`
			Condition string `json:"condition"`
		} `json:"requestContext"`
		RequestPayload json.RawMessage `json:"requestPayload"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(rec.Body)), &r); err != nil || r.RequestContext.Condition != "RetriesExhausted" || string(r.RequestPayload) != event {
		t.Errorf("destination record through SNS = %s (%v)", aws.ToString(rec.Body), err)
	}

	dl := receiveOne(t, qc, dlqURL, 60*time.Second)
	var env snsEnvelope
	if err := json.Unmarshal([]byte(aws.ToString(dl.Body)), &env); err != nil {
		t.Fatalf("dead-letter envelope: %v: %s", err, aws.ToString(dl.Body))
	}
	if env.Type != "Notification" || env.TopicArn != dlqTopic || env.Message != event || env.MessageAttributes["RequestID"].Value != r.RequestContext.RequestID ||
		env.MessageAttributes["ErrorCode"].Type != "Number" || env.MessageAttributes["ErrorMessage"].Value != "failed on purpose" {
		t.Errorf("dead-letter envelope = %+v", env)
	}
}

// TestSNSEventBridgeTarget routes an event to a topic through a rule; a
// queue subscribed to the topic gets the event as the message.
func TestSNSEventBridgeTarget(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := sns.NewFromConfig(s.SDK())
	qc := sqs.NewFromConfig(s.SDK())
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("from-rules")})
	if err != nil {
		t.Fatal(err)
	}
	qURL, qARN := createQueue(t, qc, "rule-events", nil)
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qARN)}); err != nil {
		t.Fatal(err)
	}
	s.MustCLI(t, "events", "put-rule", "--name", "to-sns", "--event-pattern", `{"source":["shop"]}`)
	s.MustCLI(t, "events", "put-targets", "--rule", "to-sns", "--targets", "Id=topic,Arn="+aws.ToString(topic.TopicArn))
	s.MustCLI(t, "events", "put-events", "--entries", `[{"Source":"shop","DetailType":"order","Detail":"{\"id\":42}"}]`)
	m := receiveOne(t, qc, qURL, 60*time.Second)
	var env snsEnvelope
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
		t.Fatalf("body: %v: %s", err, aws.ToString(m.Body))
	}
	var ev struct {
		Source string          `json:"source"`
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal([]byte(env.Message), &ev); err != nil || ev.Source != "shop" || string(ev.Detail) != `{"id":42}` || env.TopicArn != aws.ToString(topic.TopicArn) {
		t.Errorf("message through the rule = %+v (%v)", env, err)
	}
}

// TestSNSStepFunctions publishes from a Task state with the optimized
// sns:publish integration; a subscribed queue gets the message.
func TestSNSStepFunctions(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := sns.NewFromConfig(s.SDK())
	qc := sqs.NewFromConfig(s.SDK())
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("from-sfn")})
	if err != nil {
		t.Fatal(err)
	}
	qURL, qARN := createQueue(t, qc, "sfn-messages", nil)
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	sc := sfnClient(s)
	def := `{"StartAt":"P","States":{"P":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
		"Parameters":{"TopicArn":"` + aws.ToString(topic.TopicArn) + `","Message":{"order.$":"$.id"},"Subject":"from a state machine"},"End":true}}}`
	arn := createSM(t, sc, "notify", def, "")
	d := runSM(t, sc, arn, `{"id":42}`)
	if d.Status != "SUCCEEDED" || !strings.Contains(aws.ToString(d.Output), `"MessageId"`) {
		t.Fatalf("execution = %s %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	m := receiveOne(t, qc, qURL, 60*time.Second)
	if aws.ToString(m.Body) != `{"order":42}` {
		t.Errorf("queue got %q; want the state's message", aws.ToString(m.Body))
	}
}

// Topics and subscriptions survive kill -9 with --data-dir.
func TestSNSDurable(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	var topic struct{ TopicArn string }
	s.MustCLI(t, "sns", "create-topic", "--name", "kept").JSON(t, &topic)
	var q struct{ QueueUrl string }
	s.MustCLI(t, "sqs", "create-queue", "--queue-name", "kept-q").JSON(t, &q)
	s.MustCLI(t, "sns", "subscribe", "--topic-arn", topic.TopicArn, "--protocol", "sqs", "--notification-endpoint",
		"arn:aws:sqs:us-east-1:000000000000:kept-q", "--attributes", "RawMessageDelivery=true")
	s.Kill()

	s2 := startServer(t, "--data-dir", dir)
	s2.MustCLI(t, "sns", "publish", "--topic-arn", topic.TopicArn, "--message", "after restart")
	if body, _ := receiveCLI(t, s2, strings.Replace(q.QueueUrl, s.URL, s2.URL, 1), 30*time.Second); body != "after restart" {
		t.Errorf("queue got %q after restart", body)
	}
}

// A subscription whose queue was deleted sends to its dead-letter queue.
func TestSNSDeadLetter(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := sns.NewFromConfig(s.SDK())
	qc := sqs.NewFromConfig(s.SDK())
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("with-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	goneURL, goneARN := createQueue(t, qc, "deleted-later", nil)
	dlqURL, dlqARN := createQueue(t, qc, "sns-dlq", nil)
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(goneARN),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(goneURL)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("nowhere to go")}); err != nil {
		t.Fatal(err)
	}
	m := receiveOne(t, qc, dlqURL, 30*time.Second)
	var env snsEnvelope
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil || env.Message != "nowhere to go" || env.TopicArn != aws.ToString(topic.TopicArn) {
		t.Errorf("dead-letter queue got %s (%v)", aws.ToString(m.Body), err)
	}
}
