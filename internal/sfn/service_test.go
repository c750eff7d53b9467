package sfn

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/sfn/engine"
	"tenkai/internal/store"
)

const testRole = "arn:aws:iam::000000000000:role/r"

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type published struct {
	source, detailType string
	detail             map[string]any
	resources          []string
}

type fakeEvents struct {
	mu  sync.Mutex
	evs []published
}

func (f *fakeEvents) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	var d map[string]any
	if err := json.Unmarshal(detail, &d); err != nil {
		return err
	}
	f.mu.Lock()
	f.evs = append(f.evs, published{source, detailType, d, resources})
	f.mu.Unlock()
	return nil
}

func (f *fakeEvents) statuses() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, e := range f.evs {
		s = append(s, e.detail["status"].(string))
	}
	return s
}

type fakeFunctions struct {
	fn func(function string, payload []byte) *InvokeResult
}

func (f fakeFunctions) Invoke(ctx context.Context, account, region, function, qualifier string, payload []byte, async bool) (*InvokeResult, error) {
	if strings.HasSuffix(function, "missing") {
		return nil, edge.Errorf("ResourceNotFoundException", "Function not found: %s", function)
	}
	return f.fn(function, payload), nil
}

func testCtx() context.Context {
	return edge.WithMeta(context.Background(), &edge.Meta{Account: "000000000000", Region: "us-east-1"})
}

func newTestService(t *testing.T, st store.Store, clk clock.Clock, cfg Config) *Service {
	t.Helper()
	cfg.Store, cfg.Clock = st, clk
	s := New(cfg)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// waitPending waits until the fake clock has n timers.
func waitPending(t *testing.T, clk *clock.Fake, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for clk.Pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d timers pending; want %d", clk.Pending(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func mustCreate(t *testing.T, s *Service, name, def, typ string) string {
	t.Helper()
	out, err := s.createStateMachine(testCtx(), &createStateMachineIn{Name: name, Definition: def, RoleArn: testRole, Type: typ})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return out.StateMachineArn
}

func waitDone(t *testing.T, s *Service, arn string) *describeExecutionOut {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		d, err := s.describeExecution(testCtx(), &executionArnIn{ExecutionArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != engine.StatusRunning {
			return d
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("execution %s did not end", arn)
	return nil
}

func historyTypes(t *testing.T, s *Service, arn string) string {
	t.Helper()
	out, err := s.getExecutionHistory(testCtx(), &historyIn{ExecutionArn: arn, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, raw := range out.Events {
		var ev struct {
			Type            string
			ID              int64 `json:"id"`
			PreviousEventID int64 `json:"previousEventId"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("event %s: %v", raw, err)
		}
		if ev.ID != int64(i+1) {
			t.Errorf("event %d has id %d", i, ev.ID)
		}
		types = append(types, ev.Type)
	}
	return strings.Join(types, ",")
}

func TestParseARN(t *testing.T) {
	tests := []struct {
		arn  string
		want resource
		ok   bool
	}{
		{"arn:aws:states:us-east-1:000000000000:stateMachine:m", resource{Region: "us-east-1", Account: "000000000000", Kind: "stateMachine", Machine: "m"}, true},
		{"arn:aws:states:us-east-1:000000000000:stateMachine:m:12", resource{Region: "us-east-1", Account: "000000000000", Kind: "stateMachine", Machine: "m", Version: 12}, true},
		{"arn:aws:states:us-east-1:000000000000:stateMachine:m:prod", resource{Region: "us-east-1", Account: "000000000000", Kind: "stateMachine", Machine: "m", Alias: "prod"}, true},
		{"arn:aws:states:eu-west-1:1:execution:m:e", resource{Region: "eu-west-1", Account: "1", Kind: "execution", Machine: "m", Exec: "e"}, true},
		{"arn:aws:states:eu-west-1:1:express:m:e:id", resource{Region: "eu-west-1", Account: "1", Kind: "express", Machine: "m", Exec: "e", ExpressID: "id"}, true},
		{"arn:aws:states:us-east-1:000000000000:stateMachine:m:012", resource{}, false},
		{"arn:aws:lambda:us-east-1:000000000000:function:f", resource{}, false},
		{"arn:aws:states:us-east-1:000000000000:activity:a", resource{}, false},
		{"arn:aws:states:us-east-1:000000000000:execution:m", resource{}, false},
		{"nope", resource{}, false},
		{"", resource{}, false},
	}
	for _, tc := range tests {
		got, err := parseARN(tc.arn)
		if (err == nil) != tc.ok {
			t.Errorf("parseARN(%q) error = %v; want ok %v", tc.arn, err, tc.ok)
			continue
		}
		if tc.ok && *got != tc.want {
			t.Errorf("parseARN(%q) = %+v; want %+v", tc.arn, *got, tc.want)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"ok-name_1", true}, {"日本", true}, {"", false}, {"a b", false}, {"a:b", false}, {"a/b", false},
		{"a{b", false}, {"a\x01", false}, {"a\u0085", false}, {strings.Repeat("x", 80), true}, {strings.Repeat("x", 81), false},
	}
	for _, tc := range tests {
		if got := validName(tc.name); got != tc.want {
			t.Errorf("validName(%q) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// The hand-written encoders agree with encoding/json.
func TestAppendDetailsMatchesJSON(t *testing.T) {
	tricky := "a\"b\\c\n\t\x01<>&\u2028é\xff"
	for _, d := range []any{
		&engine.StateEnteredEventDetails{Name: tricky, Input: `{"a":1}`, InputDetails: &engine.DataDetails{}},
		&engine.StateExitedEventDetails{Name: "n", Output: tricky, OutputDetails: &engine.DataDetails{Truncated: true}},
		&engine.ExecutionSucceededEventDetails{Output: tricky},
		&engine.ExecutionStartedEventDetails{Input: "{}", InputDetails: &engine.DataDetails{}, RoleArn: testRole, StateMachineVersionArn: "v"},
	} {
		got := appendDetails(nil, d)
		want, _ := json.Marshal(d)
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("appendDetails(%T) = %s: %v", d, got, err)
		}
		json.Unmarshal(want, &w)
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if string(gb) != string(wb) {
			t.Errorf("appendDetails(%T) = %s; want %s", d, got, want)
		}
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(appendBatch(nil, []pendingEvent{{1, []byte(`{"a":1}`)}, {2, []byte(`{}`)}}))
	f.Add([]byte{0x01})
	f.Add([]byte{0x01, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		var evs []pendingEvent
		if err := decodeBatch(b, func(id int64, raw []byte) { evs = append(evs, pendingEvent{id, raw}) }); err != nil {
			return
		}
		if again := appendBatch(nil, evs); len(again) > len(b) {
			t.Errorf("re-encoding %x grew to %x", b, again)
		}
	})
}

func FuzzParseARN(f *testing.F) {
	for _, s := range []string{"arn:aws:states:us-east-1:000000000000:stateMachine:m:1", "arn:aws:states:r:a:express:m:e:i", "arn::::::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseARN(s)
		if err != nil {
			return
		}
		if r.Machine == "" || r.Region == "" || r.Account == "" {
			t.Errorf("parseARN(%q) = %+v with empty parts", s, r)
		}
	})
}

// A STANDARD execution waits on the clock, records its history and
// publishes its status changes with AWS's detail.
func TestStandardExecutionLifecycle(t *testing.T) {
	clk := clock.NewFake(t0)
	ev := &fakeEvents{}
	s := newTestService(t, store.NewMem(), clk, Config{Events: ev})
	arn := mustCreate(t, s, "m", `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"r":1},"Next":"W"},"W":{"Type":"Wait","Seconds":10,"Next":"B"},"B":{"Type":"Succeed"}}}`, "")
	in := `{"x":1}`
	rec, _, err := s.start(testCtx(), arn, "e1", &in, "")
	if err != nil {
		t.Fatal(err)
	}
	// Same name and input while running: the same execution.
	again, _, err := s.start(testCtx(), arn, "e1", &in, "")
	if err != nil || again.ARN != rec.ARN {
		t.Fatalf("idempotent start = %v, %v", again, err)
	}
	other := `{"x":2}`
	if _, _, err := s.start(testCtx(), arn, "e1", &other, ""); err == nil || !strings.Contains(err.Error(), "ExecutionAlreadyExists") {
		t.Fatalf("start with other input: %v", err)
	}
	waitPending(t, clk, 1)
	clk.Advance(10 * time.Second)
	d := waitDone(t, s, rec.ARN)
	if d.Status != "SUCCEEDED" || d.Output == nil || *d.Output != `{"r":1}` || time.Time(*d.StopDate).Sub(time.Time(d.StartDate)) != 10*time.Second {
		t.Fatalf("describe = %+v", d)
	}
	if got, want := historyTypes(t, s, rec.ARN), "ExecutionStarted,PassStateEntered,PassStateExited,WaitStateEntered,WaitStateExited,SucceedStateEntered,SucceedStateExited,ExecutionSucceeded"; got != want {
		t.Errorf("history = %s; want %s", got, want)
	}
	if got := strings.Join(ev.statuses(), ","); got != "RUNNING,SUCCEEDED" {
		t.Fatalf("published statuses = %s", got)
	}
	last := ev.evs[1]
	if last.source != "aws.states" || last.detailType != "Step Functions Execution Status Change" || len(last.resources) != 1 || last.resources[0] != rec.ARN ||
		last.detail["output"] != `{"r":1}` || last.detail["input"] != in || last.detail["startDate"].(float64) != float64(t0.UnixMilli()) ||
		last.detail["stopDate"].(float64) != float64(t0.Add(10*time.Second).UnixMilli()) || last.detail["error"] != nil {
		t.Errorf("SUCCEEDED detail = %+v", last)
	}
	if first := ev.evs[0].detail; first["stopDate"] != nil || first["output"] != nil {
		t.Errorf("RUNNING detail = %+v", first)
	}
}

// lambda:invoke wraps the payload; a function error is named by its
// errorType; Lambda's own errors are prefixed "Lambda.".
func TestLambdaIntegration(t *testing.T) {
	fns := fakeFunctions{fn: func(function string, payload []byte) *InvokeResult {
		if strings.HasSuffix(function, "fails") {
			return &InvokeResult{Payload: []byte(`{"errorMessage":"bad","errorType":"ValueError"}`), FunctionError: "Unhandled", StatusCode: 200}
		}
		return &InvokeResult{Payload: payload, ExecutedVersion: "$LATEST", StatusCode: 200, RequestID: "req-1"}
	}}
	s := newTestService(t, store.NewMem(), clock.NewFake(t0), Config{Functions: fns})
	tests := []struct {
		name, resource, params, wantStatus, want string
	}{
		{"invoke", "arn:aws:states:::lambda:invoke", `{"FunctionName":"f","Payload":{"a":1}}`, "SUCCEEDED", `"Payload":{"a":1}`},
		{"plain", "arn:aws:lambda:us-east-1:000000000000:function:f", `{"a":1}`, "SUCCEEDED", `{"a":1}`},
		{"error", "arn:aws:states:::lambda:invoke", `{"FunctionName":"fails"}`, "FAILED", "ValueError"},
		{"missing", "arn:aws:states:::lambda:invoke", `{"FunctionName":"missing"}`, "FAILED", "Lambda.ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + tc.resource + `","Parameters":` + tc.params + `,"End":true}}}`
			arn := mustCreate(t, s, tc.name, def, "")
			rec, _, err := s.start(testCtx(), arn, "", nil, "")
			if err != nil {
				t.Fatal(err)
			}
			d := waitDone(t, s, rec.ARN)
			got := d.Error
			if d.Output != nil {
				got = *d.Output
			}
			if d.Status != tc.wantStatus || !strings.Contains(got, tc.want) {
				t.Errorf("%s: status %s, %s (cause %s); want %s containing %s", tc.name, d.Status, got, d.Cause, tc.wantStatus, tc.want)
			}
		})
	}
}

// A running execution and its waiting task token survive a restart on the
// same store.
func TestResumeAfterRestart(t *testing.T) {
	st := store.NewMem()
	clk := clock.NewFake(t0)
	s1 := New(Config{Store: st, Clock: clk})
	if err := s1.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	arn := mustCreate(t, s1, "w", `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":60,"Next":"T"},
	"T":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents.waitForTaskToken","Parameters":{"Entries":[]},"End":true}}}`, "")
	rec, _, err := s1.start(testCtx(), arn, "e", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	waitPending(t, clk, 1)
	time.Sleep(3 * flushDelay)
	s1.Close(context.Background())
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers left after Close", n)
	}

	s2 := newTestService(t, st, clk, Config{APIs: apiFunc(func(service, op string, in []byte) ([]byte, error) {
		return []byte(`{"Entries":[],"FailedEntryCount":0}`), nil
	})})
	waitPending(t, clk, 1)
	clk.Advance(time.Minute)
	var token []byte
	deadline := time.Now().Add(5 * time.Second)
	for token == nil && time.Now().Before(deadline) {
		st.View(func(tx store.Tx) error {
			token = append([]byte(nil), tx.Bucket(tokensBucket).Get([]byte(rec.ARN+"\x00T"))...)
			if len(token) == 0 {
				token = nil
			}
			return nil
		})
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	s2.Close(context.Background())

	// A second restart while the token waits: the same token completes it.
	s3 := newTestService(t, st, clk, Config{APIs: apiFunc(func(service, op string, in []byte) ([]byte, error) {
		t.Errorf("the task was dispatched again after the restart")
		return nil, nil
	})})
	deadline = time.Now().Add(5 * time.Second)
	for {
		_, err := s3.sendTaskSuccess(testCtx(), &taskTokenIn{TaskToken: string(token), Output: ptr(`{"done":true}`)})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SendTaskSuccess after restart: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	d := waitDone(t, s3, rec.ARN)
	if d.Status != "SUCCEEDED" || *d.Output != `{"done":true}` {
		t.Errorf("after restarts: %+v", d)
	}
	types := historyTypes(t, s3, rec.ARN)
	if !strings.HasPrefix(types, "ExecutionStarted,PassStateEntered,PassStateExited,WaitStateEntered,WaitStateExited,TaskStateEntered") || !strings.HasSuffix(types, "TaskSucceeded,TaskStateExited,ExecutionSucceeded") {
		t.Errorf("history = %s", types)
	}
}

func ptr(s string) *string { return &s }

type apiFunc func(service, op string, in []byte) ([]byte, error)

func (f apiFunc) Call(ctx context.Context, account, region, service, operation string, input []byte) ([]byte, error) {
	return f(service, operation, input)
}

// The aws-sdk integration renames parameters for camelCase services and
// names errors Service.NameException.
func TestSDKIntegration(t *testing.T) {
	var gotIn string
	api := apiFunc(func(service, op string, in []byte) ([]byte, error) {
		gotIn = service + " " + op + " " + string(in)
		if service == "dynamodb" {
			return nil, edge.Errorf("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "The conditional request failed")
		}
		return []byte(`{"stateMachines":[{"name":"x"}]}`), nil
	})
	s := newTestService(t, store.NewMem(), clock.NewFake(t0), Config{APIs: api})
	arn := mustCreate(t, s, "sdk", `{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sfn:listStateMachines","Parameters":{"MaxResults":5},"Next":"D"},
	"D":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:putItem","Parameters":{"TableName":"t"},"Catch":[{"ErrorEquals":["DynamoDb.ConditionalCheckFailedException"],"Next":"Caught"}],"End":true},
	"Caught":{"Type":"Pass","End":true}}}`, "")
	rec, _, _ := s.start(testCtx(), arn, "", nil, "")
	d := waitDone(t, s, rec.ARN)
	if d.Status != "SUCCEEDED" || !strings.Contains(*d.Output, `"Error":"DynamoDb.ConditionalCheckFailedException"`) {
		t.Errorf("execution = %s %v %s %s", d.Status, d.Output, d.Error, d.Cause)
	}
	if gotIn != `dynamodb PutItem {"TableName":"t"}` {
		t.Errorf("last call = %s", gotIn)
	}
	evs, _ := s.getExecutionHistory(testCtx(), &historyIn{ExecutionArn: rec.ARN})
	found := false
	for _, e := range evs.Events {
		found = found || strings.Contains(string(e), `{\"StateMachines\":[{\"Name\":\"x\"}]}`)
	}
	if !found {
		t.Errorf("sfn response keys were not PascalCase")
	}
}

// states:startExecution.sync:2 waits for an EXPRESS child too.
func TestNestedExpressSync(t *testing.T) {
	s := newTestService(t, store.NewMem(), clock.NewFake(t0), Config{})
	child := mustCreate(t, s, "child", `{"StartAt":"C","States":{"C":{"Type":"Pass","Parameters":{"v.$":"$.v"},"End":true}}}`, typeExpress)
	parent := mustCreate(t, s, "parent", `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
	"Parameters":{"StateMachineArn":"`+child+`","Input":{"v":7}},"OutputPath":"$.Output","End":true}}}`, "")
	rec, _, err := s.start(testCtx(), parent, "", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, s, rec.ARN)
	if d.Status != "SUCCEEDED" || *d.Output != `{"v":7}` {
		t.Errorf("parent = %s %v %s %s", d.Status, d.Output, d.Error, d.Cause)
	}
}

// Reset stops running executions without writing them back.
func TestResetDropsRuns(t *testing.T) {
	st := store.NewMem()
	clk := clock.NewFake(t0)
	s := newTestService(t, st, clk, Config{})
	arn := mustCreate(t, s, "w", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`, "")
	rec, _, err := s.start(testCtx(), arn, "e", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	waitPending(t, clk, 1)
	rn := s.liveRun(rec.ARN)
	if err := st.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-rn.done
	r, _ := parseARN(rec.ARN)
	if _, err := s.loadExecution(r, rec.ARN); err == nil || !strings.Contains(err.Error(), "ExecutionDoesNotExist") {
		t.Errorf("after Reset the execution is still stored: %v", err)
	}
	if _, err := s.describeStateMachine(testCtx(), &describeStateMachineIn{StateMachineArn: arn}); err == nil {
		t.Errorf("after Reset the state machine is still cached")
	}
}

type fakeLogs struct {
	mu   sync.Mutex
	msgs []string
	at   []string // group/stream
}

func (f *fakeLogs) WriteLog(ctx context.Context, account, region, group, stream string, at time.Time, message string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, message)
	f.at = append(f.at, group+" "+stream)
	return nil
}

// Execution logs follow the level and includeExecutionData.
func TestExecutionLogging(t *testing.T) {
	lg := &fakeLogs{}
	s := newTestService(t, store.NewMem(), clock.NewFake(t0), Config{Logs: lg})
	dest := []logDestination{{CloudWatchLogsLogGroup: &struct {
		LogGroupArn string `json:"logGroupArn,omitempty"`
	}{"arn:aws:logs:us-east-1:000000000000:log-group:/sfn/x:*"}}}
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"F"},"F":{"Type":"Fail","Error":"Oops","Cause":"c"}}}`
	out, err := s.createStateMachine(testCtx(), &createStateMachineIn{Name: "logged", Definition: def, RoleArn: testRole, Type: typeExpress,
		LoggingConfiguration: &loggingConfig{Level: "ERROR", IncludeExecutionData: false, Destinations: dest}})
	if err != nil {
		t.Fatal(err)
	}
	in := `{"secret":1}`
	res, err := s.startSyncExecution(testCtx(), &startExecutionIn{StateMachineArn: out.StateMachineArn, Input: &in})
	if err != nil || res.Status != "FAILED" || res.Error != "Oops" {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if len(lg.msgs) != 1 {
		t.Fatalf("logged %d records: %v; want only ExecutionFailed", len(lg.msgs), lg.msgs)
	}
	var rec struct {
		ID, Type, PreviousEventID, EventTimestamp, ExecutionARN string
		Details                                                 map[string]any
	}
	rec.PreviousEventID = "x"
	if err := json.Unmarshal([]byte(lg.msgs[0]), &rec); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	json.Unmarshal([]byte(lg.msgs[0]), &raw)
	if rec.Type != "ExecutionFailed" || raw["execution_arn"] != res.ExecutionArn || raw["event_timestamp"] != "1767323045000" || rec.Details["error"] != "Oops" {
		t.Errorf("record = %s", lg.msgs[0])
	}
	if !strings.HasPrefix(lg.at[0], "/sfn/x states/logged/") {
		t.Errorf("written to %s", lg.at[0])
	}
	if _, err := s.createStateMachine(testCtx(), &createStateMachineIn{Name: "bad", Definition: def, RoleArn: testRole,
		LoggingConfiguration: &loggingConfig{Level: "ALL"}}); err == nil || !strings.Contains(err.Error(), "InvalidLoggingConfiguration") {
		t.Errorf("ALL without a destination: %v", err)
	}
}

// An activity task waits for a worker, which completes it with its token.
func TestActivity(t *testing.T) {
	s := newTestService(t, store.NewMem(), clock.NewFake(t0), Config{})
	a, err := s.createActivity(testCtx(), &activityIn{Name: "approve"})
	if err != nil || a.ActivityArn != "arn:aws:states:us-east-1:000000000000:activity:approve" {
		t.Fatalf("create activity = %+v, %v", a, err)
	}
	arn := mustCreate(t, s, "act", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"`+a.ActivityArn+`","HeartbeatSeconds":30,"End":true}}}`, "")
	in := `{"q":1}`
	rec, _, err := s.start(testCtx(), arn, "", &in, "")
	if err != nil {
		t.Fatal(err)
	}
	task, err := s.getActivityTask(testCtx(), &activityIn{ActivityArn: a.ActivityArn, WorkerName: "w1"})
	if err != nil || task.TaskToken == "" || task.Input != in {
		t.Fatalf("GetActivityTask = %+v, %v", task, err)
	}
	if _, err := s.sendTaskSuccess(testCtx(), &taskTokenIn{TaskToken: task.TaskToken, Output: ptr(`{"ok":true}`)}); err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, s, rec.ARN)
	if d.Status != "SUCCEEDED" || *d.Output != `{"ok":true}` {
		t.Errorf("execution = %+v", d)
	}
	if got, want := historyTypes(t, s, rec.ARN), "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded"; got != want {
		t.Errorf("history = %s; want %s", got, want)
	}
	if _, err := s.describeActivity(testCtx(), &activityIn{ActivityArn: a.ActivityArn + "x"}); err == nil || !strings.Contains(err.Error(), "ActivityDoesNotExist") {
		t.Errorf("describe missing activity: %v", err)
	}
}

// ValidateStateMachineDefinition with type EXPRESS reports what EXPRESS
// cannot run.
func TestValidateExpress(t *testing.T) {
	s := newTestService(t, store.NewMem(), clock.NewFake(t0), Config{})
	def := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f"},"End":true}}}`
	tests := []struct {
		typ, want string
	}{{"STANDARD", "OK"}, {"EXPRESS", "FAIL"}}
	for _, tc := range tests {
		out, err := s.validateDefinition(testCtx(), &validateIn{Definition: def, Type: tc.typ})
		if err != nil || out.Result != tc.want {
			t.Errorf("validate(%s) = %+v, %v; want %s", tc.typ, out, err, tc.want)
		}
		if tc.want == "FAIL" && (len(out.Diagnostics) != 1 || out.Diagnostics[0].Location != "/States/A/Resource") {
			t.Errorf("validate(%s) diagnostics = %+v", tc.typ, out.Diagnostics)
		}
	}
}

// lambda:invoke.waitForTaskToken hands the token to the function, which
// completes the task.
func TestLambdaWaitForTaskToken(t *testing.T) {
	var s *Service
	fns := fakeFunctions{fn: func(function string, payload []byte) *InvokeResult {
		var p struct{ Token string }
		json.Unmarshal(payload, &p)
		go s.sendTaskSuccess(testCtx(), &taskTokenIn{TaskToken: p.Token, Output: ptr(`{"by":"callback"}`)})
		return &InvokeResult{Payload: []byte(`null`), StatusCode: 200}
	}}
	s = newTestService(t, store.NewMem(), clock.NewFake(t0), Config{Functions: fns})
	arn := mustCreate(t, s, "cb", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
	"Parameters":{"FunctionName":"f","Payload":{"Token.$":"$$.Task.Token"}},"End":true}}}`, "")
	rec, _, err := s.start(testCtx(), arn, "", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, s, rec.ARN)
	if d.Status != "SUCCEEDED" || *d.Output != `{"by":"callback"}` {
		t.Errorf("execution = %s %v %s", d.Status, d.Output, d.Cause)
	}
	if got := historyTypes(t, s, rec.ARN); !strings.Contains(got, "TaskStarted,TaskSubmitted,TaskSucceeded") {
		t.Errorf("history = %s", got)
	}
}
