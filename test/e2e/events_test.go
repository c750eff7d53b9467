package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// waitFor polls cond every 20 ms until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// logMessages returns every message in a log group.
func logMessages(t *testing.T, s *Server, group string) []string {
	t.Helper()
	c := cloudwatchlogs.NewFromConfig(s.SDK())
	out, err := c.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if err != nil {
		return nil
	}
	var msgs []string
	for _, e := range out.Events {
		msgs = append(msgs, aws.ToString(e.Message))
	}
	return msgs
}

func TestEventBridgeRulesCLI(t *testing.T) {
	s := startServer(t)
	var bus struct{ EventBusArn string }
	s.MustCLI(t, "events", "create-event-bus", "--name", "orders").JSON(t, &bus)
	if bus.EventBusArn != "arn:aws:events:us-east-1:000000000000:event-bus/orders" {
		t.Errorf("EventBusArn = %q", bus.EventBusArn)
	}
	s.FailCLI(t, "ResourceAlreadyExistsException", "events", "create-event-bus", "--name", "orders")

	pattern := `{"source":["shop"],"detail":{"amount":[{"numeric":[">",100]}]}}`
	var rule struct{ RuleArn string }
	s.MustCLI(t, "events", "put-rule", "--name", "big-orders", "--event-bus-name", "orders", "--event-pattern", pattern,
		"--description", "orders over 100").JSON(t, &rule)
	if rule.RuleArn != "arn:aws:events:us-east-1:000000000000:rule/orders/big-orders" {
		t.Errorf("RuleArn = %q", rule.RuleArn)
	}
	var desc map[string]any
	s.MustCLI(t, "events", "describe-rule", "--name", "big-orders", "--event-bus-name", "orders").JSON(t, &desc)
	if desc["EventPattern"] != pattern || desc["State"] != "ENABLED" || desc["EventBusName"] != "orders" || desc["Description"] != "orders over 100" {
		t.Errorf("describe-rule = %v", desc)
	}
	r := s.FailCLI(t, "ResourceNotFoundException", "events", "describe-rule", "--name", "nope")
	if !strings.Contains(r.Stderr, "Rule nope does not exist on EventBus default.") {
		t.Errorf("stderr = %s", r.Stderr)
	}
	r = s.FailCLI(t, "InvalidEventPatternException", "events", "put-rule", "--name", "bad", "--event-pattern", `{"source":"shop"}`)
	if !strings.Contains(r.Stderr, "Event pattern is not valid") {
		t.Errorf("bad pattern stderr = %s", r.Stderr)
	}
	s.FailCLI(t, "ValidationException", "events", "put-rule", "--name", "bad", "--schedule-expression", "rate(1 minutes)")
	s.FailCLI(t, "ValidationException", "events", "put-rule", "--name", "sched", "--event-bus-name", "orders", "--schedule-expression", "rate(5 minutes)")

	s.MustCLI(t, "logs", "create-log-group", "--log-group-name", "/events/orders")
	targets := `[{"Id":"log","Arn":"arn:aws:logs:us-east-1:000000000000:log-group:/events/orders"}]`
	var pt struct{ FailedEntryCount int }
	s.MustCLI(t, "events", "put-targets", "--rule", "big-orders", "--event-bus-name", "orders", "--targets", targets).JSON(t, &pt)
	if pt.FailedEntryCount != 0 {
		t.Errorf("put-targets FailedEntryCount = %d", pt.FailedEntryCount)
	}
	var lt struct{ Targets []map[string]any }
	s.MustCLI(t, "events", "list-targets-by-rule", "--rule", "big-orders", "--event-bus-name", "orders").JSON(t, &lt)
	if len(lt.Targets) != 1 || lt.Targets[0]["Id"] != "log" {
		t.Errorf("list-targets-by-rule = %v", lt)
	}
	var names struct{ RuleNames []string }
	s.MustCLI(t, "events", "list-rule-names-by-target", "--event-bus-name", "orders", "--target-arn", "arn:aws:logs:us-east-1:000000000000:log-group:/events/orders").JSON(t, &names)
	if len(names.RuleNames) != 1 || names.RuleNames[0] != "big-orders" {
		t.Errorf("list-rule-names-by-target = %v", names)
	}

	entries := `[{"Source":"shop","DetailType":"Order","Detail":"{\"amount\":250,\"id\":\"o-1\"}","EventBusName":"orders"},` +
		`{"Source":"shop","DetailType":"Order","Detail":"{\"amount\":5,\"id\":\"o-2\"}","EventBusName":"orders"},` +
		`{"Source":"shop","DetailType":"Order","Detail":"not json","EventBusName":"orders"},` +
		`{"Source":"shop","DetailType":"Order","Detail":"{}","EventBusName":"missing"}]`
	var pe struct {
		FailedEntryCount int
		Entries          []struct{ EventId, ErrorCode, ErrorMessage string }
	}
	s.MustCLI(t, "events", "put-events", "--entries", entries).JSON(t, &pe)
	if pe.FailedEntryCount != 2 || pe.Entries[0].EventId == "" || pe.Entries[2].ErrorCode != "MalformedDetail" || pe.Entries[3].ErrorCode != "ResourceNotFoundException" {
		t.Errorf("put-events = %+v", pe)
	}
	waitFor(t, 15*time.Second, "the big order in the log group", func() bool { return len(logMessages(t, s, "/events/orders")) >= 1 })
	time.Sleep(100 * time.Millisecond)
	msgs := logMessages(t, s, "/events/orders")
	if len(msgs) != 1 {
		t.Fatalf("log group has %d events; want 1 (only amount 250 matches): %v", len(msgs), msgs)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(msgs[0]), &ev); err != nil {
		t.Fatalf("delivered event is not JSON: %s", msgs[0])
	}
	if ev["id"] != pe.Entries[0].EventId || ev["detail-type"] != "Order" || ev["account"] != "000000000000" || ev["version"] != "0" {
		t.Errorf("delivered event = %v", ev)
	}

	r = s.FailCLI(t, "ValidationException", "events", "delete-rule", "--name", "big-orders", "--event-bus-name", "orders")
	if !strings.Contains(r.Stderr, "Rule can't be deleted since it has targets.") {
		t.Errorf("delete-rule stderr = %s", r.Stderr)
	}
	s.MustCLI(t, "events", "disable-rule", "--name", "big-orders", "--event-bus-name", "orders")
	s.MustCLI(t, "events", "describe-rule", "--name", "big-orders", "--event-bus-name", "orders").JSON(t, &desc)
	if desc["State"] != "DISABLED" {
		t.Errorf("State after disable = %v", desc["State"])
	}
	s.MustCLI(t, "events", "remove-targets", "--rule", "big-orders", "--event-bus-name", "orders", "--ids", "log")
	s.MustCLI(t, "events", "delete-rule", "--name", "big-orders", "--event-bus-name", "orders")
	var lr struct{ Rules []any }
	s.MustCLI(t, "events", "list-rules", "--event-bus-name", "orders").JSON(t, &lr)
	if len(lr.Rules) != 0 {
		t.Errorf("list-rules after delete = %v", lr.Rules)
	}
	s.MustCLI(t, "events", "delete-event-bus", "--name", "orders")
	s.FailCLI(t, "ResourceNotFoundException", "events", "describe-event-bus", "--name", "orders")
}

func TestEventBridgeTestEventPattern(t *testing.T) {
	s := startServer(t)
	event := `{"id":"1","account":"123456789012","source":"aws.states","time":"2026-01-01T00:00:00Z","region":"us-east-1","detail-type":"Step Functions Execution Status Change","resources":[],"detail":{"status":"FAILED","stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:seed"}}`
	tests := []struct {
		pattern string
		want    bool
	}{
		{`{"source":["aws.states"],"detail-type":["Step Functions Execution Status Change"],"detail":{"status":["FAILED","TIMED_OUT","ABORTED"]}}`, true},
		{`{"source":["aws.states"],"detail":{"status":["SUCCEEDED"]}}`, false},
		{`{"detail":{"stateMachineArn":[{"prefix":"arn:aws:states:us-east-1:123456789012:"}]}}`, true},
		{`{"detail":{"status":[{"anything-but":"FAILED"}]}}`, false},
	}
	c := eventbridge.NewFromConfig(s.SDK())
	for _, tc := range tests {
		var out struct{ Result bool }
		s.MustCLI(t, "events", "test-event-pattern", "--event-pattern", tc.pattern, "--event", event).JSON(t, &out)
		if out.Result != tc.want {
			t.Errorf("test-event-pattern %s = %v; want %v", tc.pattern, out.Result, tc.want)
		}
		res, err := c.TestEventPattern(context.Background(), &eventbridge.TestEventPatternInput{EventPattern: aws.String(tc.pattern), Event: aws.String(event)})
		if err != nil || res.Result != tc.want {
			t.Errorf("SDK TestEventPattern %s = %v, %v; want %v", tc.pattern, res, err, tc.want)
		}
	}
	s.FailCLI(t, "InvalidEventPatternException", "events", "test-event-pattern", "--event-pattern", `{"detail":{"n":[{"numeric":["<"]}]}}`, "--event", event)
}

func TestEventBridgeInputTransformerAndAPIDestination(t *testing.T) {
	var mu sync.Mutex
	var got []string
	var auth []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		auth = append(auth, r.Header.Get("x-api-key"))
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	defer sink.Close()
	s := startServer(t)
	ctx := context.Background()
	c := eventbridge.NewFromConfig(s.SDK())
	conn, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("slack"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("secret-1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dest, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("hook"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(sink.URL + "/hook"),
		HttpMethod: ebtypes.ApiDestinationHttpMethodPost, InvocationRateLimitPerSecond: aws.Int32(50),
	})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("slack")})
	if err != nil || dc.AuthParameters == nil || dc.AuthParameters.ApiKeyAuthParameters == nil || aws.ToString(dc.AuthParameters.ApiKeyAuthParameters.ApiKeyName) != "x-api-key" {
		t.Fatalf("DescribeConnection = %+v, %v", dc, err)
	}
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("deploys"), EventPattern: aws.String(`{"source":["ci"],"detail-type":[{"prefix":"Deploy"}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("deploys"), Targets: []ebtypes.Target{{
		Id: aws.String("hook"), Arn: dest.ApiDestinationArn,
		InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"svc": "$.detail.service", "ver": "$.detail.version"},
			InputTemplate: aws.String(`{"text": "deployed <svc> version <ver>", "service": <svc>, "rule": <aws.events.rule-name>}`),
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("ci"), DetailType: aws.String("Deploy Finished"), Detail: aws.String(`{"service":"api","version":"1.2.3"}`)},
		{Source: aws.String("ci"), DetailType: aws.String("Build Finished"), Detail: aws.String(`{"service":"web","version":"9"}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the webhook call", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 1 })
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("webhook got %d calls; want 1: %v", len(got), got)
	}
	if got[0] != `{"text": "deployed api version 1.2.3", "service": "api", "rule": "deploys"}` {
		t.Errorf("webhook body = %s", got[0])
	}
	if auth[0] != "secret-1" {
		t.Errorf("x-api-key = %q; want secret-1", auth[0])
	}
}

func TestEventBridgeSchedule(t *testing.T) {
	// With time running 600x faster, rate(1 minute) fires every 100 ms.
	s := startServer(t, "--time-scale", "600")
	s.MustCLI(t, "logs", "create-log-group", "--log-group-name", "/sched")
	s.MustCLI(t, "events", "put-rule", "--name", "tick", "--schedule-expression", "rate(1 minute)")
	s.MustCLI(t, "events", "put-targets", "--rule", "tick", "--targets", `[{"Id":"1","Arn":"arn:aws:logs:us-east-1:000000000000:log-group:/sched"}]`)
	waitFor(t, 10*time.Second, "three scheduled events", func() bool { return len(logMessages(t, s, "/sched")) >= 3 })
	var ev map[string]any
	if err := json.Unmarshal([]byte(logMessages(t, s, "/sched")[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["detail-type"] != "Scheduled Event" || ev["source"] != "aws.events" {
		t.Errorf("scheduled event = %v", ev)
	}
	res, _ := ev["resources"].([]any)
	if len(res) != 1 || res[0] != "arn:aws:events:us-east-1:000000000000:rule/tick" {
		t.Errorf("resources = %v", ev["resources"])
	}
	s.MustCLI(t, "events", "disable-rule", "--name", "tick")
	time.Sleep(150 * time.Millisecond)
	n := len(logMessages(t, s, "/sched"))
	time.Sleep(500 * time.Millisecond)
	if m := len(logMessages(t, s, "/sched")); m != n {
		t.Errorf("disabled schedule still fired: %d → %d events", n, m)
	}
}

func TestEventBridgeScheduleSurvivesRestart(t *testing.T) {
	// rate(1 minute) at 600x fires every 100 ms; after kill -9 and a restart on
	// the same data directory the stored rule is armed again and keeps firing.
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir, "--time-scale", "600")
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(s.SDK())
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/sched-restart")}); err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(s.SDK())
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(1 minute)")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("tick"), Targets: []ebtypes.Target{
		{Id: aws.String("1"), Arn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/sched-restart")}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "two scheduled events", func() bool { return len(logMessages(t, s, "/sched-restart")) >= 2 })
	s.Kill()

	s2 := startServer(t, "--data-dir", dir, "--time-scale", "600")
	n := len(logMessages(t, s2, "/sched-restart"))
	if n < 2 {
		t.Fatalf("after restart the log group holds %d events; want the 2 or more delivered before", n)
	}
	waitFor(t, 10*time.Second, "scheduled events after the restart", func() bool { return len(logMessages(t, s2, "/sched-restart")) >= n+2 })
	var ev map[string]any
	msgs := logMessages(t, s2, "/sched-restart")
	if err := json.Unmarshal([]byte(msgs[len(msgs)-1]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["detail-type"] != "Scheduled Event" || ev["source"] != "aws.events" {
		t.Errorf("scheduled event after restart = %v", ev)
	}
}

// TestEventBridgeRetriesFailedDelivery: an API destination that fails twice
// with 500 gets the event on the third attempt, after EventBridge's backoff
// (time runs 100x faster here), and the delivery record shows the retries.
func TestEventBridgeRetriesFailedDelivery(t *testing.T) {
	var calls atomic.Int32
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer sink.Close()
	s := startServer(t, "--time-scale", "100")
	ctx := context.Background()
	c := eventbridge.NewFromConfig(s.SDK())
	conn, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("c"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("x-key"), ApiKeyValue: aws.String("v")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dest, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("flaky"), ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(sink.URL),
		HttpMethod: ebtypes.ApiDestinationHttpMethodPost,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{
		Id: aws.String("flaky"), Arn: dest.ApiDestinationArn, RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(5)},
	}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("app"), DetailType: aws.String("t"), Detail: aws.String(`{"n":1}`),
	}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the third attempt", func() bool { return calls.Load() >= 3 })
	var recs struct {
		Deliveries []struct {
			Status  string
			Attempt int
		}
	}
	waitFor(t, 15*time.Second, "the success record", func() bool {
		_, _, body := s.Do(t, "GET", "/_tenkai/events/deliveries", nil, nil)
		if err := json.Unmarshal(body, &recs); err != nil {
			return false
		}
		n := len(recs.Deliveries)
		return n > 0 && recs.Deliveries[n-1].Status == "SUCCEEDED"
	})
	var got []string
	for _, d := range recs.Deliveries {
		got = append(got, fmt.Sprintf("%d:%s", d.Attempt, d.Status))
	}
	if strings.Join(got, ",") != "1:RETRYING,2:RETRYING,3:SUCCEEDED" {
		t.Errorf("delivery records = %v; want two retries then success", got)
	}
	time.Sleep(200 * time.Millisecond)
	if n := calls.Load(); n != 3 {
		t.Errorf("destination called %d times; want 3", n)
	}
}

// Rules forwarding between two buses in both directions: an event takes one
// bus-to-bus hop and no more, as in AWS, so it cannot circle forever.
func TestEventBridgeBusToBusTakesOneHop(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	busARN := func(n string) string { return "arn:aws:events:us-east-1:000000000000:event-bus/" + n }
	logARN := func(g string) string { return "arn:aws:logs:us-east-1:000000000000:log-group:" + g }
	for _, b := range []string{"a", "b"} {
		s.MustCLI(t, "events", "create-event-bus", "--name", b)
		s.MustCLI(t, "logs", "create-log-group", "--log-group-name", "/hop/"+b)
	}
	pattern := `{"source":["shop"]}`
	for _, r := range []struct{ bus, other string }{{"a", "b"}, {"b", "a"}} {
		s.MustCLI(t, "events", "put-rule", "--name", "fwd", "--event-bus-name", r.bus, "--event-pattern", pattern)
		s.MustCLI(t, "events", "put-targets", "--rule", "fwd", "--event-bus-name", r.bus, "--targets",
			`[{"Id":"bus","Arn":"`+busARN(r.other)+`"},{"Id":"log","Arn":"`+logARN("/hop/"+r.bus)+`"}]`)
	}
	var pe struct{ FailedEntryCount int }
	s.MustCLI(t, "events", "put-events", "--entries", `[{"Source":"shop","DetailType":"Order","Detail":"{\"id\":1}","EventBusName":"a"}]`).JSON(t, &pe)
	if pe.FailedEntryCount != 0 {
		t.Fatalf("put-events failed: %+v", pe)
	}
	// a logs it and forwards it to b; b logs it but does not send it back to a.
	waitFor(t, 15*time.Second, "the event in both log groups", func() bool {
		return len(logMessages(t, s, "/hop/a")) >= 1 && len(logMessages(t, s, "/hop/b")) >= 1
	})
	var recs struct {
		Deliveries []struct{ Rule, TargetArn, Status, Error string }
	}
	waitFor(t, 15*time.Second, "the dropped forward", func() bool {
		_, _, body := s.Do(t, "GET", "/_tenkai/events/deliveries", nil, nil)
		if err := json.Unmarshal(body, &recs); err != nil {
			return false
		}
		for _, d := range recs.Deliveries {
			if d.Status == "DROPPED" {
				return true
			}
		}
		return false
	})
	time.Sleep(300 * time.Millisecond)
	if a, b := logMessages(t, s, "/hop/a"), logMessages(t, s, "/hop/b"); len(a) != 1 || len(b) != 1 {
		t.Errorf("log groups hold %d and %d events; want 1 each (one hop, no loop)", len(a), len(b))
	}
	var dropped []string
	for _, d := range recs.Deliveries {
		if d.Status == "DROPPED" {
			dropped = append(dropped, d.Rule+" -> "+d.TargetArn+": "+d.Error)
		}
	}
	want := "arn:aws:events:us-east-1:000000000000:rule/b/fwd -> " + busARN("a")
	if len(dropped) != 1 || !strings.HasPrefix(dropped[0], want) || !strings.Contains(dropped[0], "another event bus") {
		t.Errorf("dropped deliveries = %v; want one, from b's rule to bus a", dropped)
	}
}
