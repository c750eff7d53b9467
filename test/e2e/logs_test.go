package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// cwlSDK is s.SDK(), whose transport already works around smithy-go's
// request body race (see plainBodies in harness_test.go).
func cwlSDK(s *Server) aws.Config { return s.SDK() }

// cwlEvents renders log events as the --log-events JSON argument.
func cwlEvents(t *testing.T, events ...cwltypes.InputLogEvent) string {
	t.Helper()
	type ev struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	out := make([]ev, len(events))
	for i, e := range events {
		out[i] = ev{*e.Timestamp, *e.Message}
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cwlEvent(ts int64, msg string) cwltypes.InputLogEvent {
	return cwltypes.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
}

type cwlEventsOut struct {
	Events []struct {
		LogStreamName string `json:"logStreamName"`
		Timestamp     int64  `json:"timestamp"`
		Message       string `json:"message"`
		EventID       string `json:"eventId"`
	} `json:"events"`
	NextForwardToken  string `json:"nextForwardToken"`
	NextBackwardToken string `json:"nextBackwardToken"`
}

func (o cwlEventsOut) messages() string {
	var m []string
	for _, e := range o.Events {
		m = append(m, e.Message)
	}
	return strings.Join(m, ",")
}

func TestLogsCLI(t *testing.T) {
	s := startServer(t)
	now := time.Now().UnixMilli()

	s.MustCLI(t, "logs", "create-log-group", "--log-group-name", "/app/web", "--tags", "team=web")
	s.FailCLI(t, "ResourceAlreadyExistsException", "logs", "create-log-group", "--log-group-name", "/app/web")
	s.FailCLI(t, "InvalidParameterException", "logs", "create-log-group", "--log-group-name", "bad name!")
	s.MustCLI(t, "logs", "put-retention-policy", "--log-group-name", "/app/web", "--retention-in-days", "7")
	s.FailCLI(t, "InvalidParameterException", "logs", "put-retention-policy", "--log-group-name", "/app/web", "--retention-in-days", "2")

	var groups struct {
		LogGroups []struct {
			LogGroupName    string `json:"logGroupName"`
			Arn             string `json:"arn"`
			LogGroupArn     string `json:"logGroupArn"`
			CreationTime    int64  `json:"creationTime"`
			RetentionInDays int    `json:"retentionInDays"`
			StoredBytes     *int64 `json:"storedBytes"`
		} `json:"logGroups"`
	}
	s.MustCLI(t, "logs", "describe-log-groups", "--log-group-name-prefix", "/app/").JSON(t, &groups)
	if len(groups.LogGroups) != 1 {
		t.Fatalf("describe-log-groups = %+v; want /app/web", groups)
	}
	g := groups.LogGroups[0]
	if g.LogGroupName != "/app/web" || g.Arn != "arn:aws:logs:us-east-1:000000000000:log-group:/app/web:*" ||
		g.LogGroupArn != "arn:aws:logs:us-east-1:000000000000:log-group:/app/web" || g.RetentionInDays != 7 ||
		g.StoredBytes == nil || g.CreationTime < now-60000 || g.CreationTime > now+60000 {
		t.Errorf("log group = %+v", g)
	}
	var tags struct{ Tags map[string]string }
	s.MustCLI(t, "logs", "list-tags-for-resource", "--resource-arn", g.LogGroupArn).JSON(t, &tags)
	if tags.Tags["team"] != "web" {
		t.Errorf("tags = %v; want team=web", tags.Tags)
	}

	s.MustCLI(t, "logs", "create-log-stream", "--log-group-name", "/app/web", "--log-stream-name", "i-1")
	s.MustCLI(t, "logs", "create-log-stream", "--log-group-name", "/app/web", "--log-stream-name", "i-2")
	var put struct {
		NextSequenceToken string `json:"nextSequenceToken"`
	}
	s.MustCLI(t, "logs", "put-log-events", "--log-group-name", "/app/web", "--log-stream-name", "i-1", "--log-events",
		cwlEvents(t, cwlEvent(now-5000, "GET /a 200"), cwlEvent(now-4000, "ERROR db timeout"), cwlEvent(now-1000, `{"level":"ERROR","ms":900}`))).JSON(t, &put)
	if put.NextSequenceToken == "" {
		t.Error("put-log-events gave no nextSequenceToken")
	}
	s.MustCLI(t, "logs", "put-log-events", "--log-group-name", "/app/web", "--log-stream-name", "i-2", "--log-events",
		cwlEvents(t, cwlEvent(now-3000, "GET /b 404"), cwlEvent(now-2000, "ERROR disk full")))
	r := s.FailCLI(t, "InvalidParameterException", "logs", "put-log-events", "--log-group-name", "/app/web", "--log-stream-name", "i-2",
		"--log-events", cwlEvents(t, cwlEvent(now, "b"), cwlEvent(now-1, "a")))
	if !strings.Contains(r.Stderr, "Log events in a single PutLogEvents request must be in chronological order.") {
		t.Errorf("out-of-order stderr = %s", r.Stderr)
	}

	// get-log-events: forward from the head, then backward.
	var page cwlEventsOut
	s.MustCLI(t, "logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "i-1", "--start-from-head", "--limit", "2").JSON(t, &page)
	if page.messages() != "GET /a 200,ERROR db timeout" || !strings.HasPrefix(page.NextForwardToken, "f/") || !strings.HasPrefix(page.NextBackwardToken, "b/") {
		t.Fatalf("first page = %+v", page)
	}
	var next cwlEventsOut
	s.MustCLI(t, "logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "i-1", "--next-token", page.NextForwardToken).JSON(t, &next)
	if next.messages() != `{"level":"ERROR","ms":900}` {
		t.Errorf("forward page = %q", next.messages())
	}
	var back cwlEventsOut
	s.MustCLI(t, "logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "i-1", "--next-token", next.NextBackwardToken).JSON(t, &back)
	if back.messages() != "GET /a 200,ERROR db timeout" {
		t.Errorf("backward page = %q", back.messages())
	}

	// filter-log-events: terms, time range, stream names, JSON.
	var f cwlEventsOut
	s.MustCLI(t, "logs", "filter-log-events", "--log-group-name", "/app/web", "--filter-pattern", "ERROR",
		"--start-time", fmt.Sprint(now-4000), "--end-time", fmt.Sprint(now-2000)).JSON(t, &f)
	if f.messages() != "ERROR db timeout,ERROR disk full" || f.Events[1].LogStreamName != "i-2" || f.Events[0].EventID == "" {
		t.Errorf("filter ERROR in range = %+v", f)
	}
	f = cwlEventsOut{}
	s.MustCLI(t, "logs", "filter-log-events", "--log-group-name", "/app/web", "--log-stream-names", "i-2", "--filter-pattern=-ERROR").JSON(t, &f)
	if f.messages() != "GET /b 404" {
		t.Errorf("filter -ERROR in i-2 = %q", f.messages())
	}
	f = cwlEventsOut{}
	s.MustCLI(t, "logs", "filter-log-events", "--log-group-name", "/app/web", "--filter-pattern", `{ $.level = "ERROR" && $.ms > 500 }`).JSON(t, &f)
	if f.messages() != `{"level":"ERROR","ms":900}` {
		t.Errorf("JSON filter = %q", f.messages())
	}

	var streams struct {
		LogStreams []struct {
			LogStreamName      string `json:"logStreamName"`
			LastEventTimestamp int64  `json:"lastEventTimestamp"`
			Arn                string `json:"arn"`
		} `json:"logStreams"`
	}
	s.MustCLI(t, "logs", "describe-log-streams", "--log-group-name", "/app/web", "--order-by", "LastEventTime", "--descending").JSON(t, &streams)
	if len(streams.LogStreams) != 2 || streams.LogStreams[0].LogStreamName != "i-1" || streams.LogStreams[0].LastEventTimestamp != now-1000 ||
		streams.LogStreams[1].Arn != "arn:aws:logs:us-east-1:000000000000:log-group:/app/web:log-stream:i-2" {
		t.Errorf("describe-log-streams = %+v", streams)
	}

	var tm struct {
		Matches []struct {
			EventNumber     int               `json:"eventNumber"`
			ExtractedValues map[string]string `json:"extractedValues"`
		} `json:"matches"`
	}
	s.MustCLI(t, "logs", "test-metric-filter", "--filter-pattern", "[method, path, status=4*]",
		"--log-event-messages", "GET /a 200", "GET /b 404").JSON(t, &tm)
	if len(tm.Matches) != 1 || tm.Matches[0].EventNumber != 2 || tm.Matches[0].ExtractedValues["$path"] != "/b" {
		t.Errorf("test-metric-filter = %+v", tm)
	}

	var sq struct {
		QueryID string `json:"queryId"`
	}
	s.MustCLI(t, "logs", "start-query", "--log-group-name", "/app/web", "--start-time", fmt.Sprint(now/1000-60), "--end-time", fmt.Sprint(now/1000+60),
		"--query-string", "stats count(*) as n by @logStream | sort @logStream").JSON(t, &sq)
	var qr struct {
		Status  string `json:"status"`
		Results [][]struct {
			Field string `json:"field"`
			Value string `json:"value"`
		} `json:"results"`
	}
	s.MustCLI(t, "logs", "get-query-results", "--query-id", sq.QueryID).JSON(t, &qr)
	if qr.Status != "Complete" || len(qr.Results) != 2 || qr.Results[0][0].Value != "i-1" || qr.Results[0][1].Field != "n" || qr.Results[0][1].Value != "3" {
		t.Errorf("get-query-results = %+v", qr)
	}

	s.FailCLI(t, "ResourceNotFoundException", "logs", "get-log-events", "--log-group-name", "/nope", "--log-stream-name", "x")
	s.MustCLI(t, "logs", "delete-log-stream", "--log-group-name", "/app/web", "--log-stream-name", "i-2")
	s.MustCLI(t, "logs", "delete-log-group", "--log-group-name", "/app/web")
	r = s.FailCLI(t, "ResourceNotFoundException", "logs", "delete-log-group", "--log-group-name", "/app/web")
	if !strings.Contains(r.Stderr, "The specified log group does not exist.") {
		t.Errorf("delete of a deleted group: %s", r.Stderr)
	}

	// A malformed body is a SerializationException, not a crash.
	code, _, body := s.Do(t, "POST", "/", map[string]string{"X-Amz-Target": "Logs_20140328.PutLogEvents", "Content-Type": "application/x-amz-json-1.1"},
		strings.NewReader(`{"logGroupName": "/app/web", "logEvents": [`))
	if code != 400 || !strings.Contains(string(body), "SerializationException") {
		t.Errorf("malformed body = %d %s; want 400 SerializationException", code, body)
	}
}

func TestLogsSDKPaginators(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(cwlSDK(s))
	for i := range 120 {
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(fmt.Sprintf("/pg/g%03d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	groups, pages := 0, 0
	for p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/pg/")}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		groups += len(out.LogGroups)
		pages++
	}
	if groups != 120 || pages != 3 {
		t.Errorf("DescribeLogGroups paginator: %d groups in %d pages; want 120 in 3", groups, pages)
	}

	g := aws.String("/pg/g000")
	now := time.Now().UnixMilli()
	for st := range 3 {
		name := aws.String(fmt.Sprintf("s%d", st))
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: name}); err != nil {
			t.Fatal(err)
		}
		var evs []cwltypes.InputLogEvent
		for i := range 100 {
			evs = append(evs, cwlEvent(now-100000+int64(i*1000+st), fmt.Sprintf("s%d e%03d", st, i)))
		}
		if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: g, LogStreamName: name, LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}

	// FilterLogEvents across three streams, 70 a page: 300 events in time order, no repeats.
	seen := map[string]bool{}
	last := int64(0)
	pages = 0
	for p := cloudwatchlogs.NewFilterLogEventsPaginator(c, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: g, Limit: aws.Int32(70)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.Events {
			if seen[*e.EventId] || *e.Timestamp < last {
				t.Fatalf("event %s repeated or out of order", *e.Message)
			}
			seen[*e.EventId], last = true, *e.Timestamp
		}
	}
	if len(seen) != 300 || pages != 5 {
		t.Errorf("FilterLogEvents paginator: %d events in %d pages; want 300 in 5", len(seen), pages)
	}

	// GetLogEvents forward from the head stops when the token repeats.
	var msgs []string
	p := cloudwatchlogs.NewGetLogEventsPaginator(c, &cloudwatchlogs.GetLogEventsInput{LogGroupName: g, LogStreamName: aws.String("s1"), StartFromHead: aws.Bool(true), Limit: aws.Int32(40)},
		func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for i := 0; p.HasMorePages(); i++ {
		if i > 10 {
			t.Fatal("GetLogEvents paginator does not stop")
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			msgs = append(msgs, *e.Message)
		}
	}
	if len(msgs) != 100 || msgs[0] != "s1 e000" || msgs[99] != "s1 e099" {
		t.Errorf("GetLogEvents paginator gave %d events (%v ... )", len(msgs), msgs[:min(3, len(msgs))])
	}

	n := 0
	for sp := cloudwatchlogs.NewDescribeLogStreamsPaginator(c, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: g, Limit: aws.Int32(2)}); sp.HasMorePages(); {
		out, err := sp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.LogStreams)
	}
	if n != 3 {
		t.Errorf("DescribeLogStreams paginator: %d streams; want 3", n)
	}
}

func TestLogsPersistAndTail(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(cwlSDK(s))
	g, st := aws.String("/persist"), aws.String("s")
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: g}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: g, LogStreamName: st}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: g, LogStreamName: st,
		// Several events in one call: the durable store must keep each message
		// intact, not just the last one written in the transaction.
		LogEvents: []cwltypes.InputLogEvent{cwlEvent(now-1000, "hello from before"), cwlEvent(now-999, "second line, longer than the first"), cwlEvent(now-998, "3rd")}}); err != nil {
		t.Fatal(err)
	}
	s.Stop(t)

	s = startServer(t, "--data-dir", dir)
	c = cloudwatchlogs.NewFromConfig(cwlSDK(s))
	if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: g, LogStreamName: st,
		LogEvents: []cwltypes.InputLogEvent{cwlEvent(now, "hello after restart")}}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "logs", "tail", "/persist", "--endpoint", s.URL)
	cmd.Env = awsEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tenkai logs tail: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 || !strings.HasSuffix(lines[0], " s hello from before") || !strings.HasSuffix(lines[1], " s second line, longer than the first") ||
		!strings.HasSuffix(lines[2], " s 3rd") || !strings.HasSuffix(lines[3], " s hello after restart") {
		t.Errorf("tenkai logs tail =\n%s", out)
	}
}

func TestLogsSubscriptionToLambda(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	fns := lambda.NewFromConfig(cwlSDK(s))
	cl := cloudwatchlogs.NewFromConfig(cwlSDK(s))
	_, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("log-sink"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": "import base64, gzip, json\n" +
			"def handler(event, context):\n" +
			"    doc = json.loads(gzip.decompress(base64.b64decode(event['awslogs']['data'])))\n" +
			"    for e in doc['logEvents']:\n" +
			"        print('GOT', doc['logGroup'], doc['logStream'], doc['subscriptionFilters'][0], e['message'])\n"})},
	})
	if err != nil {
		t.Fatal(err)
	}
	group, fn := aws.String("/app/src"), "arn:aws:lambda:us-east-1:000000000000:function:log-sink"
	if _, err := cl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	sub := &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: group, FilterName: aws.String("errors"), FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(fn)}
	var ipe *cwltypes.InvalidParameterException
	if _, err := cl.PutSubscriptionFilter(ctx, sub); !errors.As(err, &ipe) {
		t.Fatalf("PutSubscriptionFilter without permission = %v; want InvalidParameterException", err)
	}
	if _, err := fns.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("log-sink"), StatementId: aws.String("logs"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("logs.amazonaws.com"),
		SourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/app/src:*")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutSubscriptionFilter(ctx, sub); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if _, err := cl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s"),
		LogEvents: []cwltypes.InputLogEvent{cwlEvent(now, "INFO all good"), cwlEvent(now+1, "ERROR disk on fire")}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logText(t, cl, "/aws/lambda/log-sink"), "GOT /app/src s errors ERROR disk on fire") {
		if time.Now().After(deadline) {
			t.Fatalf("the subscribed function did not log the event; its log:\n%s", logText(t, cl, "/aws/lambda/log-sink"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Contains(logText(t, cl, "/aws/lambda/log-sink"), "all good") {
		t.Errorf("an event the pattern excludes was delivered")
	}
}
