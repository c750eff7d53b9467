package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/events"
	"tenkai/internal/store"
)

// logLine is one WriteLog call.
type logLine struct{ Group, Stream, Message string }

// captureLogs is a LogWriter that keeps what it is given.
type captureLogs struct {
	fail  atomic.Bool // when set, WriteLog fails (after recording the attempt)
	mu    sync.Mutex
	lines []logLine
	ch    chan logLine
}

func newCaptureLogs() *captureLogs { return &captureLogs{ch: make(chan logLine, 100)} }

func (c *captureLogs) WriteLog(ctx context.Context, _, _, group, stream string, _ time.Time, msg string) error {
	l := logLine{group, stream, msg}
	c.mu.Lock()
	c.lines = append(c.lines, l)
	c.mu.Unlock()
	select { // a test that stopped reading must not block the service's Close
	case c.ch <- l:
	case <-ctx.Done():
		return ctx.Err()
	}
	if c.fail.Load() {
		return errors.New("log group is unavailable")
	}
	return nil
}

// next waits for the next delivered line.
func (c *captureLogs) next(t *testing.T) logLine {
	t.Helper()
	select {
	case l := <-c.ch:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery within 10 s")
	}
	return logLine{}
}

// fixture is a started service behind the edge with a capturing log target.
type fixture struct {
	svc  *events.Service
	edge *edge.Edge
	logs *captureLogs
	clk  *clock.Fake
}

func newFixture(t *testing.T, cfg events.Config, before ...func(*fixture)) *fixture {
	t.Helper()
	f := &fixture{logs: newCaptureLogs(), clk: clock.NewFake(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))}
	for _, fn := range before {
		fn(f)
	}
	if cfg.Store == nil {
		cfg.Store = store.NewMem()
	}
	if cfg.Clock == nil {
		cfg.Clock = f.clk
	}
	cfg.Logs = f.logs
	cfg.Logger = quietLogger()
	f.svc = events.New(cfg)
	if err := f.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.svc.Close(context.Background()) })
	f.edge = edge.New(edge.Config{Logger: quietLogger()})
	f.edge.Register(f.svc)
	return f
}

// ok calls op and decodes its 200 answer into out (when not nil).
func (f *fixture) ok(t *testing.T, op, body string, out any) {
	t.Helper()
	b := call(t, f.edge, op, body, 200)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s answer %s: %v", op, b, err)
		}
	}
}

// fail calls op and returns the error's __type and message.
func (f *fixture) fail(t *testing.T, op, body string) (code, msg string) {
	t.Helper()
	b := call(t, f.edge, op, body, 400)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s error %s: %v", op, b, err)
	}
	return e.Type, e.Message
}

const logTarget = "arn:aws:logs:us-east-1:000000000000:log-group:/t"

// logRule creates a rule with pattern p and a log-group target.
func (f *fixture) logRule(t *testing.T, name, p string) {
	t.Helper()
	f.ok(t, "PutRule", `{"Name":"`+name+`","EventPattern":`+quote(p)+`}`, nil)
	f.ok(t, "PutTargets", `{"Rule":"`+name+`","Targets":[{"Id":"log","Arn":"`+logTarget+`"}]}`, nil)
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestDeliveredEnvelope(t *testing.T) {
	f := newFixture(t, events.Config{NewID: func() string { return "11111111-2222-3333-4444-555555555555" }})
	f.logRule(t, "r", `{"source":["app"]}`)
	var out struct{ Entries []struct{ EventId string } }
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"Order <Placed>","Detail":"{ \"html\" : \"<b>&amp;</b>\", \"n\": [1, 2] }","Time":1763712000}]}`, &out)
	if len(out.Entries) != 1 || out.Entries[0].EventId == "" {
		t.Fatalf("PutEvents entries = %+v; want one EventId", out.Entries)
	}
	l := f.logs.next(t)
	want := `{"version":"0","id":"11111111-2222-3333-4444-555555555555","detail-type":"Order <Placed>","source":"app","account":"000000000000","time":"2025-11-21T08:00:00Z","region":"us-east-1","resources":[],"detail":{"html":"<b>&amp;</b>","n":[1,2]}}`
	if l.Message != want {
		t.Errorf("delivered event = %s; want %s", l.Message, want)
	}
	if l.Group != "/t" || l.Stream != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("log target = %s/%s; want /t and the event id as stream", l.Group, l.Stream)
	}
}

func TestPutEventsEntryErrors(t *testing.T) {
	f := newFixture(t, events.Config{})
	tests := []struct {
		name, entry, code string
	}{
		{"no source", `{"DetailType":"t","Detail":"{}"}`, "InvalidArgument"},
		{"no detail type", `{"Source":"a","Detail":"{}"}`, "InvalidArgument"},
		{"no detail", `{"Source":"a","DetailType":"t"}`, "InvalidArgument"},
		{"blank detail", `{"Source":"a","DetailType":"t","Detail":"   "}`, "MalformedDetail"},
		{"array detail", `{"Source":"a","DetailType":"t","Detail":"[1]"}`, "MalformedDetail"},
		{"broken detail", `{"Source":"a","DetailType":"t","Detail":"{\"a\":"}`, "MalformedDetail"},
		{"aws source", `{"Source":"aws.ec2","DetailType":"t","Detail":"{}"}`, "NotAuthorizedForSourceException"},
		{"unknown bus", `{"Source":"a","DetailType":"t","Detail":"{}","EventBusName":"nope"}`, "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out struct {
				FailedEntryCount int
				Entries          []struct{ EventId, ErrorCode string }
			}
			f.ok(t, "PutEvents", `{"Entries":[`+tc.entry+`]}`, &out)
			if out.FailedEntryCount != 1 || len(out.Entries) != 1 || out.Entries[0].ErrorCode != tc.code {
				t.Errorf("PutEvents(%s) = %+v; want one %s", tc.entry, out, tc.code)
			}
		})
	}
}

// seq returns ids "id-1", "id-2", ...
func seq() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return "id-" + strconv.Itoa(n)
	}
}

func TestLogStreamIsEventIDWithConstantInput(t *testing.T) {
	f := newFixture(t, events.Config{NewID: seq()})
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, nil)
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[{"Id":"log","Arn":"`+logTarget+`","Input":"{\"fixed\":true}"}]}`, nil)
	var out struct{ Entries []struct{ EventId string } }
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{}"}]}`, &out)
	l := f.logs.next(t)
	if l.Message != `{"fixed":true}` || l.Stream != out.Entries[0].EventId {
		t.Errorf("delivered %q to stream %q; want the constant input in stream %q", l.Message, l.Stream, out.Entries[0].EventId)
	}
}

func TestResetDropsScheduledRetries(t *testing.T) {
	f := newFixture(t, events.Config{})
	f.logs.fail.Store(true)
	f.logRule(t, "r", `{"source":["app"]}`)
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{}"}]}`, nil)
	f.logs.next(t) // first attempt fails; a retry waits on the clock
	if err := f.svc.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(10 * time.Minute)
	select {
	case l := <-f.logs.ch:
		t.Errorf("after Reset a retry was still delivered: %+v", l)
	case <-time.After(200 * time.Millisecond):
	}
}

// denyingFunctions is a FunctionInvoker whose resource policy never allows EventBridge.
type denyingFunctions struct{ checks atomic.Int32 }

func (d *denyingFunctions) InvokeAsync(context.Context, string, string, string, []byte) error {
	return errors.New("invoked without permission")
}

func (d *denyingFunctions) AllowsInvoke(context.Context, string, string, string, string, string) bool {
	d.checks.Add(1)
	return false
}

func TestLambdaWithoutPermissionIsNotRetried(t *testing.T) {
	fns := &denyingFunctions{}
	f := newFixture(t, events.Config{Functions: fns})
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, nil)
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[{"Id":"fn","Arn":"arn:aws:lambda:us-east-1:000000000000:function:f"}]}`, nil)
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{}"}]}`, nil)
	deadline := time.Now().Add(10 * time.Second)
	for fns.checks.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no delivery attempt within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < 10; i++ {
		f.clk.Advance(5 * time.Minute)
		time.Sleep(5 * time.Millisecond)
	}
	if n := fns.checks.Load(); n != 1 {
		t.Errorf("delivery attempts without permission = %d; want 1 (AWS does not retry missing permissions)", n)
	}
}

// blockingLogs is a LogWriter that holds every call until release is closed.
type blockingLogs struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingLogs) WriteLog(ctx context.Context, _, _, _, _ string, _ time.Time, _ string) error {
	b.started <- struct{}{}
	<-b.release
	return nil
}

func TestDeliveryQueueIsBounded(t *testing.T) {
	logs := &blockingLogs{started: make(chan struct{}, 100), release: make(chan struct{})}
	svc := events.New(events.Config{Store: store.NewMem(), Logs: logs, Logger: quietLogger(), Workers: 1, MaxQueued: 3})
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { close(logs.release); _ = svc.Close(context.Background()) }()
	e := edge.New(edge.Config{Logger: quietLogger()})
	e.Register(svc)
	call(t, e, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, 200)
	call(t, e, "PutTargets", `{"Rule":"r","Targets":[{"Id":"log","Arn":"`+logTarget+`"}]}`, 200)
	put := `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{}"}]}`
	call(t, e, "PutEvents", put, 200)
	<-logs.started // the only worker is now busy
	for i := 0; i < 10; i++ {
		call(t, e, "PutEvents", put, 200)
	}
	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	var out struct {
		Deliveries []struct{ Status, Error string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	dropped := 0
	for _, d := range out.Deliveries {
		if d.Status == "DROPPED" && d.Error == "delivery queue is full" {
			dropped++
		}
	}
	if dropped != 7 {
		t.Errorf("dropped deliveries = %d; want 7 of 10 with a queue of 3", dropped)
	}
}

func TestDurableDeliveryResumesAfterRestart(t *testing.T) {
	st := store.NewMem()
	f := newFixture(t, events.Config{Store: st, Durable: true})
	f.logs.fail.Store(true)
	f.logRule(t, "r", `{"source":["app"]}`)
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{\"n\":1}"}]}`, nil)
	f.logs.next(t) // fails; the delivery stays pending
	if err := f.svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	g := newFixture(t, events.Config{Store: st, Durable: true})
	l := g.logs.next(t)
	if !strings.Contains(l.Message, `"detail":{"n":1}`) {
		t.Errorf("resumed delivery = %s; want the pending event", l.Message)
	}
	// Delivered now, so a third start has nothing left to send.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := 0
		_ = st.View(func(tx store.Tx) error { n = tx.Bucket("events/pending").Len(); return nil })
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending after success", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// deliveries returns the statuses of the recorded delivery attempts.
func deliveries(t *testing.T, svc *events.Service) []string {
	t.Helper()
	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	var out struct{ Deliveries []struct{ Status string } }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, d := range out.Deliveries {
		s = append(s, d.Status)
	}
	return s
}

func TestDurableRetryBudgetSurvivesRestart(t *testing.T) {
	st := store.NewMem()
	f := newFixture(t, events.Config{Store: st, Durable: true})
	f.logs.fail.Store(true)
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, nil)
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[{"Id":"log","Arn":"`+logTarget+`","RetryPolicy":{"MaximumRetryAttempts":1}}]}`, nil)
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{}"}]}`, nil)
	f.logs.next(t)
	waitUntil(t, func() bool { return len(deliveries(t, f.svc)) == 1 })
	_ = f.svc.Close(context.Background())

	g := newFixture(t, events.Config{Store: st, Durable: true}, failLogs)
	g.logs.next(t) // the one retry the policy allows
	waitUntil(t, func() bool { return len(deliveries(t, g.svc)) == 1 })
	if got := deliveries(t, g.svc); got[0] != "DROPPED" {
		t.Errorf("second attempt after restart = %v; want DROPPED (MaximumRetryAttempts 1)", got)
	}
}

// failLogs makes the fixture's log target fail from the start.
func failLogs(f *fixture) { f.logs.fail.Store(true) }

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestRateLimitedDestinationDoesNotHoldOtherTargets(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	f := newFixture(t, events.Config{})
	var conn struct{ ConnectionArn string }
	f.ok(t, "CreateConnection", `{"Name":"c","AuthorizationType":"API_KEY","AuthParameters":{"ApiKeyAuthParameters":{"ApiKeyName":"k","ApiKeyValue":"v"}}}`, &conn)
	var dest struct{ ApiDestinationArn string }
	f.ok(t, "CreateApiDestination", `{"Name":"d","ConnectionArn":"`+conn.ConnectionArn+`","InvocationEndpoint":"`+srv.URL+`","HttpMethod":"POST","InvocationRateLimitPerSecond":1}`, &dest)
	f.ok(t, "PutRule", `{"Name":"api","EventPattern":"{\"source\":[\"api\"]}"}`, nil)
	f.ok(t, "PutTargets", `{"Rule":"api","Targets":[{"Id":"d","Arn":"`+dest.ApiDestinationArn+`"}]}`, nil)
	f.logRule(t, "log", `{"source":["log"]}`)

	entry := `{"Source":"api","DetailType":"t","Detail":"{}"}`
	f.ok(t, "PutEvents", `{"Entries":[`+strings.Repeat(entry+",", 5)+entry+`]}`, nil)
	f.ok(t, "PutEvents", `{"Entries":[{"Source":"log","DetailType":"t","Detail":"{}"}]}`, nil)
	f.logs.next(t) // delivered while the destination's calls wait their turn

	// Each call waits for its slot on the clock, and a slot's timer may be
	// armed only after an earlier advance: keep moving the clock until the
	// calls are in, rather than for a fixed number of steps.
	for deadline := time.Now().Add(10 * time.Second); hits.Load() < 6 && time.Now().Before(deadline); {
		f.clk.Advance(time.Second)
		time.Sleep(20 * time.Millisecond)
	}
	if n := hits.Load(); n != 6 {
		t.Errorf("API destination calls = %d; want 6", n)
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		f := newFixture(t, events.Config{Clock: clock.Real{}})
		f.ok(t, "PutRule", `{"Name":"tick","ScheduleExpression":"rate(1 minute)"}`, nil)
		f.logRule(t, "r", `{"source":["app"]}`)
		f.ok(t, "PutEvents", `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{}"}]}`, nil)
		f.logs.next(t)
		if err := f.svc.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines after Close = %d; want at most %d", n, before)
	}
}

// countingStore counts Update transactions.
type countingStore struct {
	store.Store
	updates atomic.Int32
}

func (c *countingStore) Update(fn func(store.Tx) error) error {
	c.updates.Add(1)
	return c.Store.Update(fn)
}

func TestDurablePutEventsCommitsOnce(t *testing.T) {
	st := &countingStore{Store: store.NewMem()}
	blocked := &blockingLogs{started: make(chan struct{}, 100), release: make(chan struct{})}
	svc := events.New(events.Config{Store: st, Logs: blocked, Logger: quietLogger(), Durable: true})
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { close(blocked.release); _ = svc.Close(context.Background()) }()
	e := edge.New(edge.Config{Logger: quietLogger()})
	e.Register(svc)
	call(t, e, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`, 200)
	call(t, e, "PutTargets", `{"Rule":"r","Targets":[{"Id":"a","Arn":"`+logTarget+`"},{"Id":"b","Arn":"`+logTarget+`"}]}`, 200)
	entry := `{"Source":"app","DetailType":"t","Detail":"{}"}`
	before := st.updates.Load()
	call(t, e, "PutEvents", `{"Entries":[`+strings.Repeat(entry+",", 9)+entry+`]}`, 200)
	if n := st.updates.Load() - before; n != 1 {
		t.Errorf("store commits for one PutEvents of 10 events x 2 targets = %d; want 1", n)
	}
}
