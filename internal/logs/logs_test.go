package logs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/logs"
	"tenkai/internal/store"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type harness struct {
	t   testing.TB
	svc *logs.Service
	clk *clock.Fake
	srv *httptest.Server
	st  store.Store
}

func newHarness(t testing.TB, st store.Store) *harness {
	if st == nil {
		st = store.NewMem()
	}
	clk := clock.NewFake(t0)
	svc := logs.New(logs.Config{Store: st, Clock: clk})
	e := edge.New(edge.Config{})
	e.Register(svc)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &harness{t: t, svc: svc, clk: clk, srv: srv, st: st}
}

// call sends one operation and returns the status and the decoded body.
func (h *harness) call(op string, body any) (int, map[string]any) {
	h.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			h.t.Fatal(err)
		}
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/", bytes.NewReader(raw))
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		h.t.Fatalf("%s: response is not JSON: %s", op, data)
	}
	return resp.StatusCode, out
}

// ok calls op and fails the test on an error response.
func (h *harness) ok(op string, body any) map[string]any {
	h.t.Helper()
	code, out := h.call(op, body)
	if code != 200 {
		h.t.Fatalf("%s(%v) = %d %v; want 200", op, body, code, out)
	}
	return out
}

// fail calls op and checks the error code and, when msg is not empty, the message.
func (h *harness) fail(op string, body any, code, msg string) {
	h.t.Helper()
	status, out := h.call(op, body)
	if status != 400 || out["__type"] != code {
		h.t.Fatalf("%s(%v) = %d %v; want 400 %s", op, body, status, out, code)
	}
	if msg != "" && out["message"] != msg {
		h.t.Fatalf("%s(%v) message = %q; want %q", op, body, out["message"], msg)
	}
}

type ev struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func (h *harness) put(group, stream string, events ...ev) map[string]any {
	h.t.Helper()
	return h.ok("PutLogEvents", map[string]any{"logGroupName": group, "logStreamName": stream, "logEvents": events})
}

func messages(out map[string]any) []string {
	var msgs []string
	for _, e := range out["events"].([]any) {
		msgs = append(msgs, e.(map[string]any)["message"].(string))
	}
	return msgs
}

func TestLogGroups(t *testing.T) {
	h := newHarness(t, nil)
	for _, n := range []string{"/aws/lambda/b", "/aws/lambda/a", "app-1", "App#2"} {
		h.ok("CreateLogGroup", map[string]any{"logGroupName": n})
	}
	h.fail("CreateLogGroup", map[string]any{"logGroupName": "app-1"}, "ResourceAlreadyExistsException", "The specified log group already exists")
	h.fail("CreateLogGroup", map[string]any{"logGroupName": "bad name"}, "InvalidParameterException",
		`1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	h.fail("CreateLogGroup", map[string]any{"logGroupName": strings.Repeat("a", 513)}, "InvalidParameterException", "")
	h.fail("CreateLogGroup", map[string]any{}, "InvalidParameterException", "")

	out := h.ok("DescribeLogGroups", map[string]any{})
	var names []string
	for _, g := range out["logGroups"].([]any) {
		names = append(names, g.(map[string]any)["logGroupName"].(string))
	}
	if got, want := strings.Join(names, ","), "/aws/lambda/a,/aws/lambda/b,App#2,app-1"; got != want {
		t.Errorf("DescribeLogGroups names = %s; want %s", got, want)
	}
	g := out["logGroups"].([]any)[0].(map[string]any)
	if g["arn"] != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*" ||
		g["logGroupArn"] != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a" ||
		g["creationTime"] != float64(ms(t0)) || g["storedBytes"] != float64(0) || g["metricFilterCount"] != float64(0) {
		t.Errorf("DescribeLogGroups group = %v", g)
	}
	if _, ok := g["retentionInDays"]; ok {
		t.Errorf("retentionInDays present without a policy: %v", g)
	}

	out = h.ok("DescribeLogGroups", map[string]any{"logGroupNamePrefix": "/aws/"})
	if n := len(out["logGroups"].([]any)); n != 2 {
		t.Errorf("prefix /aws/ gives %d groups; want 2", n)
	}
	out = h.ok("DescribeLogGroups", map[string]any{"logGroupNamePattern": "APP"})
	if n := len(out["logGroups"].([]any)); n != 2 {
		t.Errorf("pattern APP gives %d groups; want 2 (case-insensitive)", n)
	}
	h.fail("DescribeLogGroups", map[string]any{"logGroupNamePattern": "a", "logGroupNamePrefix": "a"}, "InvalidParameterException", "")

	// Paging with limit 3.
	out = h.ok("DescribeLogGroups", map[string]any{"limit": 3})
	tok, _ := out["nextToken"].(string)
	if len(out["logGroups"].([]any)) != 3 || tok == "" {
		t.Fatalf("limit 3 page = %v; want 3 groups and a token", out)
	}
	out = h.ok("DescribeLogGroups", map[string]any{"limit": 3, "nextToken": tok})
	if len(out["logGroups"].([]any)) != 1 || out["nextToken"] != nil {
		t.Fatalf("second page = %v; want 1 group, no token", out)
	}
	h.fail("DescribeLogGroups", map[string]any{"limit": 51}, "InvalidParameterException", "")

	h.ok("DeleteLogGroup", map[string]any{"logGroupName": "app-1"})
	h.fail("DeleteLogGroup", map[string]any{"logGroupName": "app-1"}, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestRetentionPolicy(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"})
	h.fail("PutRetentionPolicy", map[string]any{"logGroupName": "g", "retentionInDays": 2}, "InvalidParameterException",
		"1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	h.fail("PutRetentionPolicy", map[string]any{"logGroupName": "nope", "retentionInDays": 1}, "ResourceNotFoundException", "")
	h.ok("PutRetentionPolicy", map[string]any{"logGroupName": "g", "retentionInDays": 1})
	g := h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)[0].(map[string]any)
	if g["retentionInDays"] != float64(1) {
		t.Fatalf("retentionInDays = %v; want 1", g["retentionInDays"])
	}

	// Two days ago is past a 1-day retention: rejected as expired (and not too old).
	out := h.put("g", "s", ev{ms(t0.Add(-25 * time.Hour)), "expired"}, ev{ms(t0.Add(-time.Hour)), "kept"})
	h.put("g", "s", ev{ms(t0), "now"})
	info, _ := out["rejectedLogEventsInfo"].(map[string]any)
	if info["expiredLogEventEndIndex"] != float64(0) || info["tooOldLogEventEndIndex"] != nil {
		t.Errorf("rejectedLogEventsInfo = %v; want expiredLogEventEndIndex 0 only", info)
	}
	get := map[string]any{"logGroupName": "g", "logStreamName": "s", "startFromHead": true}
	if got := messages(h.ok("GetLogEvents", get)); strings.Join(got, ",") != "kept,now" {
		t.Fatalf("events = %v; want kept,now", got)
	}
	// 23.5 hours later "kept" has passed the retention and is gone.
	h.clk.Advance(23*time.Hour + 30*time.Minute)
	if got := messages(h.ok("GetLogEvents", get)); strings.Join(got, ",") != "now" {
		t.Errorf("after 23.5h events = %v; want now", got)
	}
	filtered := h.ok("FilterLogEvents", map[string]any{"logGroupName": "g"})
	if got := messages(filtered); strings.Join(got, ",") != "now" {
		t.Errorf("after 23.5h filter = %v; want now", got)
	}
	before := h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)[0].(map[string]any)["storedBytes"].(float64)
	if err := h.svc.PurgeExpired(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)[0].(map[string]any)["storedBytes"].(float64)
	if before != float64(len("kept")+26+len("now")+26) || after != float64(len("now")+26) {
		t.Errorf("storedBytes before/after purge = %v/%v; want %d/%d", before, after, len("kept")+26+len("now")+26, len("now")+26)
	}
	st := h.ok("DescribeLogStreams", map[string]any{"logGroupName": "g"})["logStreams"].([]any)[0].(map[string]any)
	if st["firstEventTimestamp"] != float64(ms(t0)) {
		t.Errorf("firstEventTimestamp after purge = %v; want %d", st["firstEventTimestamp"], ms(t0))
	}

	h.ok("DeleteRetentionPolicy", map[string]any{"logGroupName": "g"})
	g = h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)[0].(map[string]any)
	if _, ok := g["retentionInDays"]; ok {
		t.Errorf("retentionInDays after DeleteRetentionPolicy = %v", g["retentionInDays"])
	}
}

func TestLogStreams(t *testing.T) {
	h := newHarness(t, nil)
	h.fail("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"}, "ResourceNotFoundException", "The specified log group does not exist.")
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	for _, n := range []string{"c", "a", "b", "ab"} {
		h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": n})
	}
	h.fail("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "a"}, "ResourceAlreadyExistsException", "The specified log stream already exists")
	h.fail("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "a:b"}, "InvalidParameterException", "")
	// Last event times: b oldest, then c, then a; ab has none.
	h.put("g", "b", ev{ms(t0.Add(-3 * time.Minute)), "x"})
	h.put("g", "c", ev{ms(t0.Add(-2 * time.Minute)), "x"})
	h.put("g", "a", ev{ms(t0.Add(-5 * time.Minute)), "x"}, ev{ms(t0.Add(-time.Minute)), "y"})

	names := func(in map[string]any) string {
		out := h.ok("DescribeLogStreams", in)
		var n []string
		for _, s := range out["logStreams"].([]any) {
			n = append(n, s.(map[string]any)["logStreamName"].(string))
		}
		if tok, ok := out["nextToken"].(string); ok {
			n = append(n, "+"+tok[:1])
		}
		return strings.Join(n, ",")
	}
	tests := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"logGroupName": "g"}, "a,ab,b,c"},
		{map[string]any{"logGroupName": "g", "descending": true}, "c,b,ab,a"},
		{map[string]any{"logGroupName": "g", "logStreamNamePrefix": "a"}, "a,ab"},
		{map[string]any{"logGroupName": "g", "orderBy": "LastEventTime"}, "ab,b,c,a"},
		{map[string]any{"logGroupName": "g", "orderBy": "LastEventTime", "descending": true}, "a,c,b,ab"},
		{map[string]any{"logGroupIdentifier": "arn:aws:logs:us-east-1:000000000000:log-group:g", "limit": 1}, "a,+c"},
	}
	for _, tc := range tests {
		if got := names(tc.in); !strings.HasPrefix(got, tc.want) {
			t.Errorf("DescribeLogStreams(%v) = %s; want %s", tc.in, got, tc.want)
		}
	}
	// Paging by LastEventTime descending, one at a time, visits all four in order.
	var seen []string
	tok := ""
	for range 10 {
		in := map[string]any{"logGroupName": "g", "orderBy": "LastEventTime", "descending": true, "limit": 1}
		if tok != "" {
			in["nextToken"] = tok
		}
		out := h.ok("DescribeLogStreams", in)
		for _, s := range out["logStreams"].([]any) {
			seen = append(seen, s.(map[string]any)["logStreamName"].(string))
		}
		tok, _ = out["nextToken"].(string)
		if tok == "" {
			break
		}
	}
	if got := strings.Join(seen, ","); got != "a,c,b,ab" {
		t.Errorf("paged LastEventTime descending = %s; want a,c,b,ab", got)
	}
	h.fail("DescribeLogStreams", map[string]any{"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "a"}, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	h.fail("DescribeLogStreams", map[string]any{"logGroupName": "nope"}, "ResourceNotFoundException", "The specified log group does not exist.")

	s := h.ok("DescribeLogStreams", map[string]any{"logGroupName": "g", "logStreamNamePrefix": "a", "limit": 1})["logStreams"].([]any)[0].(map[string]any)
	if s["firstEventTimestamp"] != float64(ms(t0.Add(-5*time.Minute))) || s["lastEventTimestamp"] != float64(ms(t0.Add(-time.Minute))) ||
		s["lastIngestionTime"] != float64(ms(t0)) || s["arn"] != "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:a" ||
		s["uploadSequenceToken"] == "" {
		t.Errorf("stream a = %v", s)
	}
	h.ok("DeleteLogStream", map[string]any{"logGroupName": "g", "logStreamName": "a"})
	h.fail("DeleteLogStream", map[string]any{"logGroupName": "g", "logStreamName": "a"}, "ResourceNotFoundException", "The specified log stream does not exist.")
	if got := messages(h.ok("FilterLogEvents", map[string]any{"logGroupName": "g"})); len(got) != 2 {
		t.Errorf("after deleting stream a, the group has events %v; want 2", got)
	}
}

func TestPutLogEventsLimits(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"})
	now := ms(t0)
	put := func(events ...ev) map[string]any {
		return map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": events}
	}
	h.fail("PutLogEvents", put(ev{now, "b"}, ev{now - 1, "a"}), "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
	h.fail("PutLogEvents", put(ev{now - 25*3600*1000, "a"}, ev{now, "b"}), "InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	h.fail("PutLogEvents", put(), "InvalidParameterException", "")
	h.fail("PutLogEvents", put(ev{now, ""}), "InvalidParameterException", "")
	big := strings.Repeat("x", 600000)
	h.fail("PutLogEvents", put(ev{now, big}, ev{now, big}), "InvalidParameterException", "")
	many := make([]ev, 10001)
	for i := range many {
		many[i] = ev{now, "m"}
	}
	h.fail("PutLogEvents", put(many...), "InvalidParameterException", "")
	h.fail("PutLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "nope", "logEvents": []ev{{now, "a"}}}, "ResourceNotFoundException", "The specified log stream does not exist.")
	h.fail("PutLogEvents", map[string]any{"logGroupName": "nope", "logStreamName": "s", "logEvents": []ev{{now, "a"}}}, "ResourceNotFoundException", "The specified log group does not exist.")
	h.fail("PutLogEvents", `{"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": "x", "message": "a"}]}`, "SerializationException", "")
	h.fail("PutLogEvents", `{"logGroupName": `, "SerializationException", "")

	// Too old (15 days): all rejected.
	old := now - 15*24*3600*1000
	out := h.ok("PutLogEvents", put(ev{old, "old"}, ev{old + 1, "old"}))
	info := out["rejectedLogEventsInfo"].(map[string]any)
	if info["tooOldLogEventEndIndex"] != float64(1) || len(info) != 1 {
		t.Errorf("rejectedLogEventsInfo = %v; want tooOld 1", info)
	}
	// Fine, then too new (3 hours ahead): one accepted.
	out = h.ok("PutLogEvents", put(ev{now, "ok"}, ev{now + 3*3600*1000, "new"}))
	info = out["rejectedLogEventsInfo"].(map[string]any)
	if info["tooNewLogEventStartIndex"] != float64(1) || len(info) != 1 {
		t.Errorf("rejectedLogEventsInfo = %v; want tooNew 1", info)
	}
	if tok, _ := out["nextSequenceToken"].(string); tok == "" {
		t.Errorf("no nextSequenceToken in %v", out)
	}
	// Sequence tokens are accepted and ignored.
	in := put(ev{now + 1, "ok2"})
	in["sequenceToken"] = "bogus"
	out2 := h.ok("PutLogEvents", in)
	if out2["nextSequenceToken"] == out["nextSequenceToken"] {
		t.Errorf("nextSequenceToken did not advance: %v", out2)
	}
	if _, ok := out2["rejectedLogEventsInfo"]; ok {
		t.Errorf("rejectedLogEventsInfo present with nothing rejected: %v", out2)
	}
	if got := messages(h.ok("GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "s"})); strings.Join(got, ",") != "ok,ok2" {
		t.Errorf("stored = %v; want ok,ok2", got)
	}
}

func TestGetLogEventsTokens(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"})
	base := ms(t0) - 100000
	var evs []ev
	for i := range 10 {
		evs = append(evs, ev{base + int64(i/2)*1000, fmt.Sprintf("e%d", i)}) // pairs share a timestamp
	}
	h.put("g", "s", evs...)
	get := func(extra map[string]any) map[string]any {
		in := map[string]any{"logGroupName": "g", "logStreamName": "s"}
		for k, v := range extra {
			in[k] = v
		}
		return h.ok("GetLogEvents", in)
	}
	join := func(out map[string]any) string { return strings.Join(messages(out), ",") }

	// Default: the newest events.
	last := get(map[string]any{"limit": 3})
	if join(last) != "e7,e8,e9" {
		t.Fatalf("tail = %s; want e7,e8,e9", join(last))
	}
	// Backward from there.
	prev := get(map[string]any{"limit": 3, "nextToken": last["nextBackwardToken"]})
	if join(prev) != "e4,e5,e6" {
		t.Errorf("backward page = %s; want e4,e5,e6", join(prev))
	}
	// Forward from the head, page by page, until the token repeats.
	var all []string
	tok := ""
	for i := 0; i < 10; i++ {
		in := map[string]any{"limit": 4, "startFromHead": true}
		if tok != "" {
			in["nextToken"] = tok
		}
		out := get(in)
		all = append(all, messages(out)...)
		next := out["nextForwardToken"].(string)
		if !strings.HasPrefix(next, "f/") || !strings.HasPrefix(out["nextBackwardToken"].(string), "b/") {
			t.Fatalf("tokens = %v %v; want f/ and b/", next, out["nextBackwardToken"])
		}
		if next == tok {
			if len(messages(out)) != 0 {
				t.Errorf("repeated token with events %v", messages(out))
			}
			break
		}
		tok = next
	}
	if got := strings.Join(all, ","); got != "e0,e1,e2,e3,e4,e5,e6,e7,e8,e9" {
		t.Errorf("forward paging = %s", got)
	}
	// New events show up on the last forward token.
	h.put("g", "s", ev{base + 9000, "e10"})
	if got := join(get(map[string]any{"nextToken": tok})); got != "e10" {
		t.Errorf("after new event, forward token gives %s; want e10", got)
	}
	// Time window: [start, end).
	if got := join(get(map[string]any{"startTime": base + 1000, "endTime": base + 3000, "startFromHead": true})); got != "e2,e3,e4,e5" {
		t.Errorf("window = %s; want e2,e3,e4,e5", got)
	}
	// An empty stream still gives both tokens, and the forward one repeats.
	h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "empty"})
	e1 := h.ok("GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "empty"})
	e2 := h.ok("GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "empty", "nextToken": e1["nextForwardToken"]})
	if len(messages(e1)) != 0 || e2["nextForwardToken"] != e1["nextForwardToken"] {
		t.Errorf("empty stream tokens %v then %v; want the same forward token", e1, e2)
	}
	h.fail("GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "s", "nextToken": "f/zz"}, "InvalidParameterException", "The specified nextToken is invalid.")
	h.fail("GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "nope"}, "ResourceNotFoundException", "The specified log stream does not exist.")
	h.fail("GetLogEvents", map[string]any{"logGroupName": "nope", "logStreamName": "s"}, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestFilterLogEvents(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	for _, s := range []string{"web-1", "web-2", "worker"} {
		h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": s})
	}
	base := ms(t0) - 60000
	h.put("g", "web-1", ev{base, "[ERROR 400] BAD REQUEST"}, ev{base + 3000, `{"level": "INFO", "latency": 12}`})
	h.put("g", "web-2", ev{base + 1000, "[ERROR 500] INTERNAL SERVER ERROR"}, ev{base + 3000, `{"level": "ERROR", "latency": 250}`})
	h.put("g", "worker", ev{base + 2000, "job done"}, ev{base + 4000, "[WARN] slow job"})

	filter := func(in map[string]any) []string {
		in["logGroupName"] = "g"
		return messages(h.ok("FilterLogEvents", in))
	}
	tests := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{}, `[ERROR 400] BAD REQUEST|[ERROR 500] INTERNAL SERVER ERROR|job done|{"level": "INFO", "latency": 12}|{"level": "ERROR", "latency": 250}|[WARN] slow job`},
		{map[string]any{"filterPattern": "ERROR"}, `[ERROR 400] BAD REQUEST|[ERROR 500] INTERNAL SERVER ERROR|{"level": "ERROR", "latency": 250}`},
		{map[string]any{"filterPattern": "ERROR -INTERNAL"}, `[ERROR 400] BAD REQUEST|{"level": "ERROR", "latency": 250}`},
		{map[string]any{"filterPattern": "?WARN ?job"}, `job done|[WARN] slow job`},
		{map[string]any{"filterPattern": `"SERVER ERROR"`}, `[ERROR 500] INTERNAL SERVER ERROR`},
		{map[string]any{"filterPattern": `{ $.latency > 100 }`}, `{"level": "ERROR", "latency": 250}`},
		{map[string]any{"filterPattern": `{ $.level = "INFO" || $.latency >= 250 }`}, `{"level": "INFO", "latency": 12}|{"level": "ERROR", "latency": 250}`},
		{map[string]any{"logStreamNames": []string{"worker", "web-1"}}, `[ERROR 400] BAD REQUEST|job done|{"level": "INFO", "latency": 12}|[WARN] slow job`},
		{map[string]any{"logStreamNamePrefix": "web-"}, `[ERROR 400] BAD REQUEST|[ERROR 500] INTERNAL SERVER ERROR|{"level": "INFO", "latency": 12}|{"level": "ERROR", "latency": 250}`},
		{map[string]any{"startTime": base + 1000, "endTime": base + 3000}, `[ERROR 500] INTERNAL SERVER ERROR|job done|{"level": "INFO", "latency": 12}|{"level": "ERROR", "latency": 250}`},
		{map[string]any{"logStreamNames": []string{"missing"}}, ``},
	}
	for _, tc := range tests {
		if got := strings.Join(filter(tc.in), "|"); got != tc.want {
			t.Errorf("FilterLogEvents(%v) =\n %s\nwant\n %s", tc.in, got, tc.want)
		}
	}
	// Paging with limit 2 returns everything once, in order, with distinct ids.
	var got []string
	ids := map[string]bool{}
	tok := ""
	for i := 0; i < 10; i++ {
		in := map[string]any{"logGroupName": "g", "limit": 2}
		if tok != "" {
			in["nextToken"] = tok
		}
		out := h.ok("FilterLogEvents", in)
		for _, e := range out["events"].([]any) {
			m := e.(map[string]any)
			got = append(got, m["logStreamName"].(string))
			ids[m["eventId"].(string)] = true
		}
		if s, ok := out["searchedLogStreams"].([]any); !ok || len(s) != 0 {
			t.Errorf("searchedLogStreams = %v; want [] as AWS answers since 2020", out["searchedLogStreams"])
		}
		tok, _ = out["nextToken"].(string)
		if tok == "" {
			break
		}
	}
	if strings.Join(got, ",") != "web-1,web-2,worker,web-1,web-2,worker" || len(ids) != 6 {
		t.Errorf("paged streams = %v (%d ids); want web-1,web-2,worker,web-1,web-2,worker and 6 ids", got, len(ids))
	}
	h.fail("FilterLogEvents", map[string]any{"logGroupName": "g", "filterPattern": `{ $.a = }`}, "InvalidParameterException", "")
	h.fail("FilterLogEvents", map[string]any{"logGroupName": "nope"}, "ResourceNotFoundException", "The specified log group does not exist.")
	h.fail("FilterLogEvents", map[string]any{"logGroupName": "g", "logStreamNames": []string{"a"}, "logStreamNamePrefix": "a"}, "InvalidParameterException", "")
	h.fail("FilterLogEvents", map[string]any{"logGroupName": "g", "logGroupIdentifier": "g"}, "InvalidParameterException", "")
	if n := len(messages(h.ok("FilterLogEvents", map[string]any{"logGroupIdentifier": "arn:aws:logs:us-east-1:000000000000:log-group:g:*"}))); n != 6 {
		t.Errorf("by ARN identifier: %d events; want 6", n)
	}
}

func TestTags(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g", "tags": map[string]string{"team": "a"}})
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:g"
	h.ok("TagResource", map[string]any{"resourceArn": arn, "tags": map[string]string{"env": "dev"}})
	h.ok("TagLogGroup", map[string]any{"logGroupName": "g", "tags": map[string]string{"cost": "1"}})
	tags := h.ok("ListTagsForResource", map[string]any{"resourceArn": arn + ":*"})["tags"].(map[string]any)
	if len(tags) != 3 || tags["team"] != "a" || tags["env"] != "dev" || tags["cost"] != "1" {
		t.Errorf("tags = %v", tags)
	}
	h.ok("UntagResource", map[string]any{"resourceArn": arn, "tagKeys": []string{"team"}})
	h.ok("UntagLogGroup", map[string]any{"logGroupName": "g", "tags": []string{"cost"}})
	tags = h.ok("ListTagsLogGroup", map[string]any{"logGroupName": "g"})["tags"].(map[string]any)
	if len(tags) != 1 || tags["env"] != "dev" {
		t.Errorf("tags after untag = %v", tags)
	}
	h.fail("ListTagsForResource", map[string]any{"resourceArn": "arn:aws:logs:us-east-1:000000000000:log-group:nope"}, "ResourceNotFoundException", "")
	h.fail("TagResource", map[string]any{"resourceArn": "not-an-arn", "tags": map[string]string{"a": "b"}}, "InvalidParameterException", "")
	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprint("k", i)] = "v"
	}
	h.fail("TagResource", map[string]any{"resourceArn": arn, "tags": many}, "TooManyTagsException", "")
}

func TestAppendCreatesGroupAndStream(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	err := h.svc.Append(ctx, "000000000000", "us-east-1", "/aws/lambda/fn", "2026/03/01/[$LATEST]abc", []logs.Event{
		{Time: t0.Add(time.Second), Message: "second"},
		{Time: t0, Message: "first"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Append(ctx, "000000000000", "us-east-1", "/aws/lambda/fn", "2026/03/01/[$LATEST]abc", []logs.Event{{Time: t0.Add(2 * time.Second), Message: "third"}}); err != nil {
		t.Fatal(err)
	}
	out := h.ok("GetLogEvents", map[string]any{"logGroupName": "/aws/lambda/fn", "logStreamName": "2026/03/01/[$LATEST]abc", "startFromHead": true})
	if got := strings.Join(messages(out), ","); got != "first,second,third" {
		t.Errorf("events = %s; want first,second,third", got)
	}
	// Another region is another place.
	if err := h.svc.Append(ctx, "000000000000", "eu-west-1", "/aws/lambda/fn", "s", []logs.Event{{Time: t0, Message: "x"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)); n != 1 {
		t.Errorf("us-east-1 has %d groups; want 1", n)
	}
	if err := h.svc.Append(ctx, "000000000000", "us-east-1", "bad name", "s", nil); err == nil {
		t.Error("Append with a bad group name succeeded")
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"})
	h.put("g", "s", ev{ms(t0), "kept across restarts"})
	h.srv.Close()
	st.Close()

	st2, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	h2 := newHarness(t, st2)
	h2.put("g", "s", ev{ms(t0) + 1, "after"})
	got := messages(h2.ok("GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "s"}))
	if strings.Join(got, ",") != "kept across restarts,after" {
		t.Errorf("after reopen = %v", got)
	}
}

func TestFilterLogEventsPageBytes(t *testing.T) {
	h := newHarness(t, nil)
	big := strings.Repeat("x", 300000)
	for s := range 2 {
		var evs []logs.Event
		for i := range 3 {
			evs = append(evs, logs.Event{Time: t0.Add(time.Duration(i*2+s) * time.Second), Message: fmt.Sprintf("%d%d%s", s, i, big)})
		}
		if err := h.svc.Append(context.Background(), "000000000000", "us-east-1", "g", fmt.Sprint("s", s), evs); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int
	tok := ""
	for range 10 {
		in := map[string]any{"logGroupName": "g"}
		if tok != "" {
			in["nextToken"] = tok
		}
		out := h.ok("FilterLogEvents", in)
		sizes = append(sizes, len(out["events"].([]any)))
		tok, _ = out["nextToken"].(string)
		if tok == "" {
			break
		}
	}
	if fmt.Sprint(sizes) != "[3 3]" {
		t.Errorf("page sizes = %v; want [3 3] (1 MB a page)", sizes)
	}
	get := h.ok("GetLogEvents", map[string]any{"logGroupName": "g", "logStreamName": "s0", "startFromHead": true})
	if n := len(get["events"].([]any)); n != 3 {
		t.Errorf("GetLogEvents gave %d events; want 3", n)
	}
}

func TestDeletionProtection(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g", "deletionProtectionEnabled": true})
	h.ok("CreateLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"})
	const msg = "Cannot delete log group with deletion protection enabled. Disable deletion protection first."
	h.fail("DeleteLogGroup", map[string]any{"logGroupName": "g"}, "ValidationException", msg)
	h.fail("DeleteLogStream", map[string]any{"logGroupName": "g", "logStreamName": "s"}, "ValidationException", msg)
	g := h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)[0].(map[string]any)
	if g["deletionProtectionEnabled"] != true {
		t.Errorf("deletionProtectionEnabled = %v; want true", g["deletionProtectionEnabled"])
	}
	h.ok("PutLogGroupDeletionProtection", map[string]any{"logGroupIdentifier": "g", "deletionProtectionEnabled": false})
	h.ok("DeleteLogGroup", map[string]any{"logGroupName": "g"})
}

func TestSweeperPurgesOnTheClock(t *testing.T) {
	clk := clock.NewFake(t0)
	st := store.NewMem()
	svc := logs.New(logs.Config{Store: st, Clock: clk, SweepEvery: time.Minute})
	ctx := context.Background()
	if err := svc.Append(ctx, "000000000000", "us-east-1", "g", "s", []logs.Event{{Time: t0, Message: "old"}, {Time: t0.Add(12 * time.Hour), Message: "new"}}); err != nil {
		t.Fatal(err)
	}
	e := edge.New(edge.Config{})
	e.Register(svc)
	srv := httptest.NewServer(e)
	defer srv.Close()
	h := &harness{t: t, svc: svc, clk: clk, srv: srv, st: st}
	h.ok("PutRetentionPolicy", map[string]any{"logGroupName": "g", "retentionInDays": 1})
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer svc.Close(ctx)
	stored := func() float64 {
		return h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)[0].(map[string]any)["storedBytes"].(float64)
	}
	if got := stored(); got != 2*(3+26) {
		t.Fatalf("storedBytes = %v; want %d", got, 2*(3+26))
	}
	// The clock moves only while the sweeper waits on it, and the next step
	// waits for that sweep to end: a sweeper slow to wake must not read a
	// clock already past the retention of "new" too.
	armed := func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for clk.Pending() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the sweeper is not waiting on the clock")
			}
			time.Sleep(time.Millisecond)
		}
	}
	for stored() != 3+26 {
		armed()
		clk.Advance(25 * time.Hour / 24) // past the retention for "old" only, a sweep interval at a time
		armed()                          // the sweep has run
		if clk.Now().After(t0.Add(35 * time.Hour)) {
			t.Fatalf("swept too late or not at all; storedBytes = %v", stored())
		}
	}
	if got := messages(h.ok("FilterLogEvents", map[string]any{"logGroupName": "g"})); strings.Join(got, ",") != "new" {
		t.Errorf("events after sweep = %v; want new", got)
	}
}

func TestMetricFilters(t *testing.T) {
	h := newHarness(t, nil)
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	tr := []map[string]any{{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}}
	h.fail("PutMetricFilter", map[string]any{"logGroupName": "nope", "filterName": "f", "filterPattern": "ERROR", "metricTransformations": tr}, "ResourceNotFoundException", "")
	h.fail("PutMetricFilter", map[string]any{"logGroupName": "g", "filterName": "f", "filterPattern": "{ $.a = ", "metricTransformations": tr}, "InvalidParameterException", "")
	h.ok("PutMetricFilter", map[string]any{"logGroupName": "g", "filterName": "errors", "filterPattern": "ERROR", "metricTransformations": tr})
	h.ok("PutMetricFilter", map[string]any{"logGroupName": "g", "filterName": "latency", "filterPattern": "{ $.ms > 0 }",
		"metricTransformations": []map[string]any{{"metricName": "Latency", "metricNamespace": "App", "metricValue": "$.ms"}}})
	g := h.ok("DescribeLogGroups", map[string]any{})["logGroups"].([]any)[0].(map[string]any)
	if g["metricFilterCount"] != float64(2) {
		t.Errorf("metricFilterCount = %v; want 2", g["metricFilterCount"])
	}
	out := h.ok("DescribeMetricFilters", map[string]any{"logGroupName": "g", "limit": 1})
	mfs := out["metricFilters"].([]any)
	if len(mfs) != 1 || mfs[0].(map[string]any)["filterName"] != "errors" || out["nextToken"] == nil {
		t.Fatalf("first page = %v", out)
	}
	out = h.ok("DescribeMetricFilters", map[string]any{"logGroupName": "g", "limit": 1, "nextToken": out["nextToken"]})
	if mfs := out["metricFilters"].([]any); len(mfs) != 1 || mfs[0].(map[string]any)["filterName"] != "latency" || out["nextToken"] != nil {
		t.Fatalf("second page = %v", out)
	}
	out = h.ok("DescribeMetricFilters", map[string]any{"metricName": "Latency", "metricNamespace": "App"})
	if mfs := out["metricFilters"].([]any); len(mfs) != 1 || mfs[0].(map[string]any)["logGroupName"] != "g" {
		t.Errorf("by metric = %v", out)
	}
	h.ok("DeleteMetricFilter", map[string]any{"logGroupName": "g", "filterName": "errors"})
	h.fail("DeleteMetricFilter", map[string]any{"logGroupName": "g", "filterName": "errors"}, "ResourceNotFoundException", "The specified metric filter does not exist.")
	h.ok("DeleteLogGroup", map[string]any{"logGroupName": "g"})
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	if out := h.ok("DescribeMetricFilters", map[string]any{"logGroupName": "g"}); len(out["metricFilters"].([]any)) != 0 {
		t.Errorf("filters survived their group: %v", out)
	}

	out = h.ok("TestMetricFilter", map[string]any{"filterPattern": "[ip, user, ..., status = 4*, bytes]", "logEventMessages": []string{
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 200 1534`,
	}})
	matches := out["matches"].([]any)
	if len(matches) != 1 {
		t.Fatalf("TestMetricFilter matches = %v; want 1", matches)
	}
	m := matches[0].(map[string]any)
	vals := m["extractedValues"].(map[string]any)
	if m["eventNumber"] != float64(1) || vals["$status"] != "404" || vals["$bytes"] != "1534" || vals["$ip"] != "127.0.0.1" {
		t.Errorf("TestMetricFilter match = %v", m)
	}
	h.fail("TestMetricFilter", map[string]any{"filterPattern": "x", "logEventMessages": []string{}}, "InvalidParameterException", "")
}

func TestListLogGroups(t *testing.T) {
	h := newHarness(t, nil)
	for _, g := range []struct {
		name string
		tags map[string]string
	}{
		{"/aws/lambda/api", map[string]string{"env": "prod"}},
		{"/aws/lambda/worker", map[string]string{"env": "Production"}},
		{"/app/discovery", map[string]string{"env": "dev"}},
		{"/app/other", nil},
	} {
		in := map[string]any{"logGroupName": g.name}
		if g.tags != nil {
			in["tags"] = g.tags
		}
		h.ok("CreateLogGroup", in)
	}
	names := func(in map[string]any) string {
		var n []string
		for _, g := range h.ok("ListLogGroups", in)["logGroups"].([]any) {
			n = append(n, g.(map[string]any)["logGroupName"].(string))
		}
		return strings.Join(n, ",")
	}
	tests := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{}, "/app/discovery,/app/other,/aws/lambda/api,/aws/lambda/worker"},
		{map[string]any{"logGroupNamePattern": "^/aws/lambda|discovery"}, "/app/discovery,/aws/lambda/api,/aws/lambda/worker"},
		{map[string]any{"logGroupNamePattern": "work"}, "/aws/lambda/worker"},
		{map[string]any{"logGroupTags": []map[string]any{{"key": "env", "values": []string{"prod*"}}}}, "/aws/lambda/api,/aws/lambda/worker"},
		{map[string]any{"logGroupTags": []map[string]any{{"key": "env", "values": []string{"!prod"}}}}, "/app/discovery,/aws/lambda/worker"},
		{map[string]any{"logGroupTags": []map[string]any{{"key": "env"}}}, "/app/discovery,/aws/lambda/api,/aws/lambda/worker"},
	}
	for _, tc := range tests {
		if got := names(tc.in); got != tc.want {
			t.Errorf("ListLogGroups(%v) = %s; want %s", tc.in, got, tc.want)
		}
	}
	out := h.ok("ListLogGroups", map[string]any{"limit": 3})
	if len(out["logGroups"].([]any)) != 3 || out["nextToken"] == nil {
		t.Fatalf("limit 3 = %v", out)
	}
	if got := names(map[string]any{"nextToken": out["nextToken"]}); got != "/aws/lambda/worker" {
		t.Errorf("second page = %s", got)
	}
	g := h.ok("ListLogGroups", map[string]any{"logGroupNamePattern": "other"})["logGroups"].([]any)[0].(map[string]any)
	if g["logGroupArn"] != "arn:aws:logs:us-east-1:000000000000:log-group:/app/other" || g["logGroupClass"] != "STANDARD" {
		t.Errorf("summary = %v", g)
	}
	h.fail("ListLogGroups", map[string]any{"logGroupNamePattern": "ab"}, "InvalidParameterException", "")
}

func TestResourcePolicies(t *testing.T) {
	h := newHarness(t, nil)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`
	out := h.ok("PutResourcePolicy", map[string]any{"policyName": "events", "policyDocument": doc})
	rp := out["resourcePolicy"].(map[string]any)
	if rp["policyName"] != "events" || rp["policyScope"] != "ACCOUNT" || rp["policyDocument"] != doc || out["revisionId"] != "1" {
		t.Errorf("PutResourcePolicy = %v", out)
	}
	if out := h.ok("PutResourcePolicy", map[string]any{"policyName": "events", "policyDocument": doc}); out["revisionId"] != "2" {
		t.Errorf("second put revision = %v; want 2", out["revisionId"])
	}
	h.fail("PutResourcePolicy", map[string]any{"policyName": "bad", "policyDocument": "{not json"}, "InvalidParameterException", "")
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:g"
	h.fail("PutResourcePolicy", map[string]any{"resourceArn": arn, "policyDocument": doc}, "ResourceNotFoundException", "")
	h.ok("CreateLogGroup", map[string]any{"logGroupName": "g"})
	h.ok("PutResourcePolicy", map[string]any{"resourceArn": arn, "policyDocument": doc})
	pols := h.ok("DescribeResourcePolicies", map[string]any{})["resourcePolicies"].([]any)
	if len(pols) != 1 || pols[0].(map[string]any)["policyName"] != "events" {
		t.Errorf("account policies = %v", pols)
	}
	pols = h.ok("DescribeResourcePolicies", map[string]any{"resourceArn": arn})["resourcePolicies"].([]any)
	if len(pols) != 1 || pols[0].(map[string]any)["policyScope"] != "RESOURCE" || pols[0].(map[string]any)["resourceArn"] != arn {
		t.Errorf("group policies = %v", pols)
	}
	h.ok("DeleteResourcePolicy", map[string]any{"policyName": "events"})
	h.fail("DeleteResourcePolicy", map[string]any{"policyName": "events"}, "ResourceNotFoundException", "")
	for i := range 10 {
		h.ok("PutResourcePolicy", map[string]any{"policyName": fmt.Sprint("p", i), "policyDocument": doc})
	}
	h.fail("PutResourcePolicy", map[string]any{"policyName": "p10", "policyDocument": doc}, "LimitExceededException", "")
}

func TestInsightsQueries(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	base := t0.Add(-10 * time.Minute)
	if err := h.svc.Append(ctx, "000000000000", "us-east-1", "/app/api", "web", []logs.Event{
		{Time: base, Message: `{"level":"INFO","path":"/a","ms":12}`},
		{Time: base.Add(time.Second), Message: `{"level":"ERROR","path":"/b","ms":250,"user":{"id":7}}`},
		{Time: base.Add(2 * time.Second), Message: "plain ERROR text"},
		{Time: base.Add(-time.Hour), Message: "ERROR outside the window"},
	}); err != nil {
		t.Fatal(err)
	}
	start := func(q string, extra map[string]any) string {
		in := map[string]any{"logGroupName": "/app/api", "startTime": base.Add(-time.Minute).Unix(), "endTime": t0.Unix(), "queryString": q}
		for k, v := range extra {
			in[k] = v
		}
		return h.ok("StartQuery", in)["queryId"].(string)
	}
	results := func(id string) (string, map[string]any) {
		out := h.ok("GetQueryResults", map[string]any{"queryId": id})
		if out["status"] != "Complete" {
			t.Fatalf("status = %v", out["status"])
		}
		var rows []string
		for _, r := range out["results"].([]any) {
			var cells []string
			for _, f := range r.([]any) {
				fm := f.(map[string]any)
				if fm["field"] != "@ptr" {
					cells = append(cells, fmt.Sprint(fm["field"], "=", fm["value"]))
				}
			}
			rows = append(rows, strings.Join(cells, " "))
		}
		return strings.Join(rows, "; "), out["statistics"].(map[string]any)
	}
	got, stats := results(start(`fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc`, nil))
	want := "@timestamp=2026-03-01 11:50:02.000 @message=plain ERROR text; @timestamp=2026-03-01 11:50:01.000 @message={\"level\":\"ERROR\",\"path\":\"/b\",\"ms\":250,\"user\":{\"id\":7}}"
	if got != want {
		t.Errorf("like query =\n %s\nwant\n %s", got, want)
	}
	if stats["recordsMatched"] != float64(2) || stats["recordsScanned"] != float64(3) {
		t.Errorf("statistics = %v; want matched 2, scanned 3", stats)
	}
	if got, _ := results(start(`stats count(*) as n, avg(ms) by level | sort level`, nil)); got != "level=ERROR n=1 avg(ms)=250; level=INFO n=1 avg(ms)=12; n=1" {
		t.Errorf("stats query = %s", got)
	}
	if got, _ := results(start(`fields user.id, @logStream, @log | filter ispresent(user.id)`, nil)); got != "user.id=7 @logStream=web @log=000000000000:/app/api" {
		t.Errorf("JSON field query = %s", got)
	}
	if got, _ := results(start(`fields @message`, map[string]any{"limit": 1})); got != "@message=plain ERROR text" {
		t.Errorf("limit 1 = %s", got)
	}
	// @ptr leads to the record.
	out := h.ok("GetQueryResults", map[string]any{"queryId": start(`fields @message | filter path = "/a"`, nil)})
	row := out["results"].([]any)[0].([]any)
	ptr := row[len(row)-1].(map[string]any)
	if ptr["field"] != "@ptr" {
		t.Fatalf("last field = %v; want @ptr", ptr)
	}
	rec := h.ok("GetLogRecord", map[string]any{"logRecordPointer": ptr["value"]})["logRecord"].(map[string]any)
	if rec["@message"] != `{"level":"INFO","path":"/a","ms":12}` || rec["@logStream"] != "web" {
		t.Errorf("GetLogRecord = %v", rec)
	}
	qs := h.ok("DescribeQueries", map[string]any{"logGroupName": "/app/api"})["queries"].([]any)
	if len(qs) != 5 {
		t.Errorf("DescribeQueries lists %d queries; want 5", len(qs))
	}

	status, body := h.call("StartQuery", map[string]any{"logGroupName": "/app/api", "startTime": 0, "endTime": 1, "queryString": "fields | nope"})
	if status != 400 || body["__type"] != "MalformedQueryException" || body["queryCompileError"] == nil {
		t.Errorf("malformed query = %d %v", status, body)
	}
	h.fail("StartQuery", map[string]any{"logGroupName": "/nope", "startTime": 0, "endTime": 1, "queryString": "fields @message"}, "ResourceNotFoundException", "")
	h.fail("StartQuery", map[string]any{"startTime": 0, "endTime": 1, "queryString": "fields @message"}, "InvalidParameterException", "")
	h.fail("GetQueryResults", map[string]any{"queryId": "nope"}, "ResourceNotFoundException", "")
}

func TestInsightsLambdaFields(t *testing.T) {
	h := newHarness(t, nil)
	if err := h.svc.Append(context.Background(), "000000000000", "us-east-1", "/aws/lambda/fn", "s", []logs.Event{
		{Time: t0.Add(-3 * time.Second), Message: "START RequestId: r1 Version: $LATEST\n"},
		{Time: t0.Add(-2 * time.Second), Message: "END RequestId: r1\n"},
		{Time: t0.Add(-time.Second), Message: "REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tInit Duration: 45.67 ms\t\n"},
	}); err != nil {
		t.Fatal(err)
	}
	id := h.ok("StartQuery", map[string]any{"logGroupName": "/aws/lambda/fn", "startTime": t0.Add(-time.Minute).Unix(), "endTime": t0.Unix(),
		"queryString": `filter @type = "REPORT" | fields @requestId, @duration, @billedDuration, @initDuration, @memorySize, @maxMemoryUsed`})["queryId"]
	rows := h.ok("GetQueryResults", map[string]any{"queryId": id})["results"].([]any)
	if len(rows) != 1 {
		t.Fatalf("rows = %v; want the REPORT line", rows)
	}
	var cells []string
	for _, f := range rows[0].([]any) {
		fm := f.(map[string]any)
		if fm["field"] != "@ptr" {
			cells = append(cells, fmt.Sprint(fm["field"], "=", fm["value"]))
		}
	}
	want := "@requestId=r1 @duration=1.23 @billedDuration=2 @initDuration=45.67 @memorySize=128000000 @maxMemoryUsed=20000000"
	if got := strings.Join(cells, " "); got != want {
		t.Errorf("REPORT fields = %s; want %s", got, want)
	}
}
