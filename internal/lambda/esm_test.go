package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/lambda/runtime"
	"tenkai/internal/store"
)

const testStream = "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2026-11-21T08:00:00.000"

// fakeStreams is a StreamReader over in-memory streams.
type fakeStreams struct {
	mu       sync.Mutex
	seq      int
	records  map[string][]StreamRecord
	returned int // records handed out by ReadStream
	reads    int // ReadStream calls
}

func (f *fakeStreams) handedOut() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.returned
}

func (f *fakeStreams) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

// waitWindowOpen waits until the mapping's poller has read the stream twice:
// the first read found the records and opened the batching window on the
// service clock, the second is a poll inside it. Advancing the clock before
// the window opens would move its start, not its end.
func waitWindowOpen(t *testing.T, f *fakeStreams) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.readCount() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("ReadStream called %d times; want a poll inside the batching window", f.readCount())
		}
		time.Sleep(time.Millisecond)
	}
}

func newFakeStreams(arns ...string) *fakeStreams {
	f := &fakeStreams{records: map[string][]StreamRecord{}}
	for _, a := range arns {
		f.records[a] = nil
	}
	return f
}

// addStream makes an empty stream.
func (f *fakeStreams) addStream(arn string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records[arn] = nil
}

// add appends a record per key; name is the eventName, created the
// ApproximateCreationDateTime.
func (f *fakeStreams) add(arn, name string, created time.Time, keys ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		f.seq++
		seq := fmt.Sprintf("%021d", f.seq*100)
		rec := fmt.Sprintf(`{"eventID":"e%d","eventName":%q,"eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",`+
			`"dynamodb":{"ApproximateCreationDateTime":%d,"Keys":{"id":{"S":%q}},"NewImage":{"id":{"S":%q}},"SequenceNumber":%q,"SizeBytes":10,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`,
			f.seq, name, created.Unix(), k, k, seq)
		f.records[arn] = append(f.records[arn], StreamRecord{Sequence: seq, JSON: []byte(rec)})
	}
}

func (f *fakeStreams) StreamStatus(ctx context.Context, arn string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.records[arn]; !ok {
		return "", edge.Errorf("ResourceNotFoundException", "Requested resource not found: Stream: %s not found", arn)
	}
	return "ENABLED", nil
}

func (f *fakeStreams) ReadStream(ctx context.Context, arn, after string, limit int) ([]StreamRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	recs, ok := f.records[arn]
	if !ok {
		return nil, edge.Errorf("ResourceNotFoundException", "Requested resource not found: Stream: %s not found", arn)
	}
	f.reads++
	var out []StreamRecord
	for _, r := range recs {
		if r.Sequence > after && len(out) < limit {
			out = append(out, r)
		}
	}
	f.returned += len(out)
	return out, nil
}

func (f *fakeStreams) LatestSequence(ctx context.Context, arn string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	recs := f.records[arn]
	if len(recs) == 0 {
		return "", nil
	}
	return recs[len(recs)-1].Sequence, nil
}

// batchKeys returns the item keys of an invocation's records, and checks
// every record names the stream.
func batchKeys(t *testing.T, c fakeCall) []string {
	t.Helper()
	var ev struct {
		Records []struct {
			EventSourceARN string `json:"eventSourceARN"`
			EventName      string `json:"eventName"`
			Dynamodb       struct {
				Keys struct {
					ID struct {
						S string `json:"S"`
					} `json:"id"`
				} `json:"Keys"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(c.Req.Payload, &ev); err != nil {
		t.Fatalf("payload is not a stream event: %v: %s", err, c.Req.Payload)
	}
	var keys []string
	for _, r := range ev.Records {
		if r.EventSourceARN != testStream {
			t.Errorf("record eventSourceARN = %q; want %q", r.EventSourceARN, testStream)
		}
		keys = append(keys, r.Dynamodb.Keys.ID.S)
	}
	return keys
}

func wantBatch(t *testing.T, ch chan fakeCall, want ...string) fakeCall {
	t.Helper()
	c := waitCall(t, ch)
	if got := strings.Join(batchKeys(t, c), ","); got != strings.Join(want, ",") {
		t.Fatalf("batch = [%s]; want [%s]", got, strings.Join(want, ","))
	}
	return c
}

// sequences returns the SequenceNumbers of an invocation's records.
func sequences(t *testing.T, c fakeCall) []string {
	var ev struct {
		Records []struct {
			Dynamodb struct {
				SequenceNumber string `json:"SequenceNumber"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(c.Req.Payload, &ev); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.Dynamodb.SequenceNumber)
	}
	return out
}

// fakeObjects records PutObject calls.
type fakeObjects struct{ put chan string }

func (f *fakeObjects) PutObject(ctx context.Context, account, region, bucket, key string, body []byte) error {
	select {
	case f.put <- account + "|" + region + "|" + bucket + "|" + key + "|" + string(body):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newESMHarness(t *testing.T, opts ...func(*Config)) (*harness, *fakeStreams) {
	fs := newFakeStreams(testStream)
	h := newHarness(t, append([]func(*Config){func(c *Config) { c.Streams = fs; c.StreamPoll = time.Millisecond }}, opts...)...)
	h.exec.called = make(chan fakeCall, 64)
	h.create("fn", nil)
	return h, fs
}

func (h *harness) createMapping(extra map[string]any) *esmOutput {
	h.t.Helper()
	in := map[string]any{"EventSourceArn": testStream, "FunctionName": "fn", "StartingPosition": "TRIM_HORIZON"}
	for k, v := range extra {
		in[k] = v
	}
	var out esmOutput
	h.must(202, h.do("POST", "/2015-03-31/event-source-mappings/", in)).json(h.t, &out)
	return &out
}

func (h *harness) getMapping(uuid string) *esmOutput {
	h.t.Helper()
	var out esmOutput
	h.must(200, h.do("GET", "/2015-03-31/event-source-mappings/"+uuid, nil)).json(h.t, &out)
	return &out
}

// waitResult polls GetEventSourceMapping until LastProcessingResult is want.
func (h *harness) waitResult(uuid, want string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := h.getMapping(uuid).LastProcessingResult
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("LastProcessingResult = %q; want %q", got, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func fail(*runtime.Spec, *runtime.Request) (*runtime.Result, error) {
	return &runtime.Result{Payload: []byte(`{"errorMessage":"bad","errorType":"Error"}`), FunctionError: "Unhandled"}, nil
}

func TestESMAPI(t *testing.T) {
	h, fs := newESMHarness(t)
	fs.addStream("arn:aws:dynamodb:us-east-1:000000000000:table/other/stream/2026-11-21T08:00:00.000")
	h.must(201, h.do("POST", "/2015-03-31/functions/fn/versions", map[string]any{}))
	h.must(201, h.do("POST", "/2015-03-31/functions/fn/aliases", map[string]any{"Name": "live", "FunctionVersion": "1"}))

	errCases := []struct {
		name   string
		in     map[string]any
		status int
		code   string
		msg    string
	}{
		{"missing queue", map[string]any{"EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:q"}, 400, "InvalidParameterValueException", "AWS.SimpleQueueService.NonExistentQueue"},
		{"kinesis source", map[string]any{"EventSourceArn": "arn:aws:kinesis:us-east-1:000000000000:stream/s"}, 400, "InvalidParameterValueException", "DynamoDB streams and SQS queues only"},
		{"table not stream", map[string]any{"EventSourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/orders"}, 400, "InvalidParameterValueException", "DynamoDB streams and SQS queues only"},
		{"not an arn", map[string]any{"EventSourceArn": "orders"}, 400, "ValidationException", "eventSourceArn"},
		{"no source", map[string]any{"EventSourceArn": nil}, 400, "InvalidParameterValueException", "Unrecognized event source. tenkai supports event source mappings for DynamoDB streams and SQS queues only"},
		{"unknown stream", map[string]any{"EventSourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2026-11-21T08:00:00.000"}, 400, "InvalidParameterValueException", "Stream not found: arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/"},
		{"no position", map[string]any{"StartingPosition": nil}, 400, "InvalidParameterValueException", "Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."},
		{"at timestamp", map[string]any{"StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1.7e9}, 400, "InvalidParameterValueException", "Unsupported starting position for arn type: " + testStream},
		{"bad position", map[string]any{"StartingPosition": "OLDEST"}, 400, "ValidationException", "startingPosition"},
		{"no function", map[string]any{"FunctionName": "ghost"}, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost"},
		{"no alias", map[string]any{"FunctionName": "fn:nope"}, 404, "ResourceNotFoundException", "Function not found"},
		{"batch too big", map[string]any{"BatchSize": 10001}, 400, "ValidationException", "less than or equal to 10000"},
		{"batch zero", map[string]any{"BatchSize": 0}, 400, "ValidationException", "greater than or equal to 1"},
		{"window", map[string]any{"MaximumBatchingWindowInSeconds": 301}, 400, "ValidationException", "maximumBatchingWindowInSeconds"},
		{"record age", map[string]any{"MaximumRecordAgeInSeconds": 30}, 400, "InvalidParameterValueException", "either -1 (forever) or between 60 and 604800"},
		{"retries", map[string]any{"MaximumRetryAttempts": -2}, 400, "ValidationException", "maximumRetryAttempts"},
		{"parallel", map[string]any{"ParallelizationFactor": 11}, 400, "ValidationException", "parallelizationFactor"},
		{"response type", map[string]any{"FunctionResponseTypes": []string{"Other"}}, 400, "ValidationException", "ReportBatchItemFailures"},
		{"bad filter", map[string]any{"FilterCriteria": map[string]any{"Filters": []any{map[string]string{"Pattern": `{"eventName": "INSERT"}`}}}}, 400, "InvalidParameterValueException", "Invalid filter pattern definition."},
		{"on success", map[string]any{"DestinationConfig": map[string]any{"OnSuccess": map[string]string{"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}}}, 400, "InvalidParameterValueException", "Unsupported DestinationConfig parameter for given event source mapping type."},
		{"queues", map[string]any{"Queues": []string{"q"}}, 400, "InvalidParameterValueException", "Queues is not supported"},
		{"lambda destination", map[string]any{"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": "arn:aws:lambda:us-east-1:000000000000:function:fn"}}}, 400, "InvalidParameterValueException", "destination"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"EventSourceArn": testStream, "FunctionName": "fn", "StartingPosition": "LATEST"}
			for k, v := range tc.in {
				if v == nil {
					delete(in, k)
				} else {
					in[k] = v
				}
			}
			r := h.do("POST", "/2015-03-31/event-source-mappings", in)
			if r.Status != tc.status || r.errCode() != tc.code || !strings.Contains(r.message(), tc.msg) {
				t.Errorf("CreateEventSourceMapping = %d %s %q; want %d %s containing %q", r.Status, r.errCode(), r.message(), tc.status, tc.code, tc.msg)
			}
		})
	}

	m := h.createMapping(map[string]any{"StartingPosition": "LATEST"})
	want := esmOutput{
		UUID: m.UUID, StartingPosition: "LATEST", BatchSize: 100, ParallelizationFactor: 1, EventSourceArn: testStream,
		FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:fn", LastModified: float64(h.clk.Now().Unix()),
		LastProcessingResult: "No records processed", State: "Creating", StateTransitionReason: "User action",
		DestinationConfig: destinationConfig{OnFailure: &destination{}}, MaximumRecordAgeInSeconds: -1, MaximumRetryAttempts: -1,
		FunctionResponseTypes: []string{}, EventSourceMappingArn: "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + m.UUID,
	}
	if mustJSON(m) != mustJSON(want) {
		t.Errorf("CreateEventSourceMapping =\n%s\nwant\n%s", mustJSON(m), mustJSON(want))
	}
	if got := h.getMapping(m.UUID).State; got != "Enabled" {
		t.Errorf("State after create = %s; want Enabled", got)
	}
	r := h.do("POST", "/2015-03-31/event-source-mappings", map[string]any{"EventSourceArn": testStream, "FunctionName": "fn", "StartingPosition": "LATEST"})
	if r.Status != 409 || r.errCode() != "ResourceConflictException" || !strings.Contains(r.message(), "Please update or delete the existing mapping with UUID "+m.UUID) {
		t.Errorf("duplicate mapping = %d %s %s", r.Status, r.errCode(), r.message())
	}

	h.clk.Advance(time.Second) // list order is creation order
	alias := h.createMapping(map[string]any{"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:fn:live",
		"FilterCriteria":        map[string]any{"Filters": []any{map[string]string{"Pattern": `{"eventName": ["INSERT"]}`}}},
		"FunctionResponseTypes": []string{"ReportBatchItemFailures"}, "BatchSize": 500, "MaximumRetryAttempts": 3,
		"MaximumRecordAgeInSeconds": 3600, "BisectBatchOnFunctionError": true, "ParallelizationFactor": 4,
		"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": "arn:aws:sqs:us-east-1:000000000000:dlq"}}})
	got := h.getMapping(alias.UUID)
	if got.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:fn:live" || got.BatchSize != 500 || got.MaximumRetryAttempts != 3 ||
		got.MaximumRecordAgeInSeconds != 3600 || !got.BisectBatchOnFunctionError || got.ParallelizationFactor != 4 ||
		got.DestinationConfig.OnFailure.Destination != "arn:aws:sqs:us-east-1:000000000000:dlq" ||
		mustJSON(got.FunctionResponseTypes) != `["ReportBatchItemFailures"]` ||
		got.FilterCriteria == nil || *got.FilterCriteria.Filters[0].Pattern != `{"eventName": ["INSERT"]}` {
		t.Errorf("GetEventSourceMapping = %s", mustJSON(got))
	}
	h.clk.Advance(time.Second)
	other := h.createMapping(map[string]any{"EventSourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/other/stream/2026-11-21T08:00:00.000"})

	list := func(query string) []string {
		var out listMappingsOutput
		h.must(200, h.do("GET", "/2015-03-31/event-source-mappings/?"+query, nil)).json(t, &out)
		var ids []string
		for _, m := range out.EventSourceMappings {
			ids = append(ids, m.UUID)
		}
		if out.NextMarker != "" {
			ids = append(ids, "next="+out.NextMarker)
		}
		return ids
	}
	if got, want := list(""), []string{m.UUID, alias.UUID, other.UUID}; mustJSON(got) != mustJSON(want) {
		t.Errorf("list = %v; want %v", got, want)
	}
	if got, want := list("FunctionName=fn"), []string{m.UUID, other.UUID}; mustJSON(got) != mustJSON(want) {
		t.Errorf("list by function = %v; want %v", got, want)
	}
	if got, want := list("FunctionName=fn:live"), []string{alias.UUID}; mustJSON(got) != mustJSON(want) {
		t.Errorf("list by alias = %v; want %v", got, want)
	}
	if got, want := list("EventSourceArn="+testStream), []string{m.UUID, alias.UUID}; mustJSON(got) != mustJSON(want) {
		t.Errorf("list by source = %v; want %v", got, want)
	}
	if got, want := list("MaxItems=2"), []string{m.UUID, alias.UUID, "next=2"}; mustJSON(got) != mustJSON(want) {
		t.Errorf("list page 1 = %v; want %v", got, want)
	}
	if got, want := list("MaxItems=2&Marker=2"), []string{other.UUID}; mustJSON(got) != mustJSON(want) {
		t.Errorf("list page 2 = %v; want %v", got, want)
	}
	if got, want := list("MaxItems=5000"), []string{m.UUID, alias.UUID, other.UUID}; mustJSON(got) != mustJSON(want) {
		t.Errorf("list with MaxItems=5000 = %v; want %v", got, want)
	}
	if r := h.do("GET", "/2015-03-31/event-source-mappings/?MaxItems=0", nil); r.errCode() != "ValidationException" {
		t.Errorf("MaxItems=0: %s", r.errCode())
	}

	// Mappings carry tags, as their ARN names them.
	tagged := h.createMapping(map[string]any{"FunctionName": "fn:1", "Tags": map[string]string{"team": "orders"}})
	tagsPath := "/2017-03-31/tags/" + tagged.EventSourceMappingArn
	h.must(204, h.do("POST", tagsPath, map[string]any{"Tags": map[string]string{"env": "dev"}}))
	h.must(204, h.do("DELETE", tagsPath+"?tagKeys=team", nil))
	if got := string(h.must(200, h.do("GET", tagsPath, nil)).Body); !strings.Contains(got, `{"Tags":{"env":"dev"}}`) {
		t.Errorf("ListTags of a mapping = %s", got)
	}
	if r := h.do("GET", "/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:event-source-mapping:2f7c0a5e-0000-4000-8000-000000000000", nil); r.errCode() != "ResourceNotFoundException" {
		t.Errorf("ListTags of a missing mapping: %d %s", r.Status, r.errCode())
	}
	h.must(202, h.do("DELETE", "/2015-03-31/event-source-mappings/"+tagged.UUID, nil))

	h.clk.Advance(time.Minute)
	var up esmOutput
	h.must(202, h.do("PUT", "/2015-03-31/event-source-mappings/"+m.UUID, map[string]any{"Enabled": false, "BatchSize": 7})).json(t, &up)
	if up.State != "Disabling" || up.BatchSize != 7 || up.LastModified != float64(h.clk.Now().Unix()) {
		t.Errorf("UpdateEventSourceMapping = %s", mustJSON(up))
	}
	if got := h.getMapping(m.UUID); got.State != "Disabled" || got.BatchSize != 7 {
		t.Errorf("after disabling: %s %d", got.State, got.BatchSize)
	}
	h.must(202, h.do("PUT", "/2015-03-31/event-source-mappings/"+m.UUID, map[string]any{"Enabled": true})).json(t, &up)
	if up.State != "Enabling" {
		t.Errorf("enabling state = %s", up.State)
	}
	if r := h.do("PUT", "/2015-03-31/event-source-mappings/"+m.UUID, map[string]any{"FunctionName": "ghost"}); r.errCode() != "ResourceNotFoundException" {
		t.Errorf("update to missing function: %s", r.errCode())
	}
	var del esmOutput
	h.must(202, h.do("DELETE", "/2015-03-31/event-source-mappings/"+m.UUID, nil)).json(t, &del)
	if del.State != "Deleting" || del.UUID != m.UUID {
		t.Errorf("DeleteEventSourceMapping = %s", mustJSON(del))
	}
	for _, method := range []string{"GET", "DELETE", "PUT"} {
		r := h.do(method, "/2015-03-31/event-source-mappings/"+m.UUID, map[string]any{})
		if r.Status != http.StatusNotFound || r.errCode() != "ResourceNotFoundException" || r.message() != "The resource you requested does not exist." {
			t.Errorf("%s deleted mapping = %d %s %q", method, r.Status, r.errCode(), r.message())
		}
	}
}

func TestESMBatchesInOrder(t *testing.T) {
	h, fs := newESMHarness(t)
	now := h.clk.Now()
	fs.add(testStream, "INSERT", now, "a", "b", "c", "d", "e")
	m := h.createMapping(map[string]any{"BatchSize": 2})
	wantBatch(t, h.exec.called, "a", "b")
	wantBatch(t, h.exec.called, "c", "d")
	c := wantBatch(t, h.exec.called, "e")
	if c.Spec.FunctionName != "fn" || c.Req.InvokedARN != "arn:aws:lambda:us-east-1:000000000000:function:fn" {
		t.Errorf("invoked %s as %s", c.Spec.FunctionName, c.Req.InvokedARN)
	}
	h.waitResult(m.UUID, "OK")
	noCall(t, h.exec.called)

	// A mapping starting at LATEST sees only what comes after it.
	h.create("late", nil)
	h.createMapping(map[string]any{"FunctionName": "late", "StartingPosition": "LATEST", "BatchSize": 10})
	fs.add(testStream, "MODIFY", now, "f", "g")
	got := map[string]string{}
	for i := 0; i < 2; i++ {
		c := waitCall(t, h.exec.called)
		got[c.Spec.FunctionName] = strings.Join(batchKeys(t, c), ",")
	}
	if got["fn"] != "f" && got["fn"] != "f,g" || got["late"] != "f,g" && got["late"] != "f" {
		t.Errorf("after LATEST mapping: %v", got)
	}
}

func TestESMFilters(t *testing.T) {
	h, fs := newESMHarness(t)
	now := h.clk.Now()
	fs.add(testStream, "INSERT", now, "a")
	fs.add(testStream, "REMOVE", now, "b")
	fs.add(testStream, "MODIFY", now, "c", "skip")
	fs.add(testStream, "REMOVE", now, "d")
	m := h.createMapping(map[string]any{"FilterCriteria": map[string]any{"Filters": []any{
		map[string]string{"Pattern": `{"eventName": ["INSERT"]}`},
		map[string]string{"Pattern": `{"eventName": ["MODIFY"], "dynamodb": {"Keys": {"id": {"S": [{"anything-but": "skip"}]}}}}`},
	}}})
	wantBatch(t, h.exec.called, "a", "c")
	h.waitResult(m.UUID, "OK")
	noCall(t, h.exec.called)
	// Filtered-out records are consumed: the checkpoint moves past the last one.
	var st mappingState
	deadline := time.Now().Add(5 * time.Second)
	for st.After != fs.records[testStream][4].Sequence && time.Now().Before(deadline) {
		h.svc.st.View(func(tx store.Tx) error { _, st = loadMapping(tx, []byte("000000000000/us-east-1/"+m.UUID)); return nil })
		time.Sleep(time.Millisecond)
	}
	if st.After != fs.records[testStream][4].Sequence {
		t.Errorf("checkpoint = %s; want the last filtered-out record %s", st.After, fs.records[testStream][4].Sequence)
	}
}

func TestESMBatchingWindow(t *testing.T) {
	h, fs := newESMHarness(t)
	fs.add(testStream, "INSERT", h.clk.Now(), "a", "b")
	h.createMapping(map[string]any{"BatchSize": 3, "MaximumBatchingWindowInSeconds": 5})
	waitWindowOpen(t, fs)
	noCall(t, h.exec.called)
	h.clk.Advance(4 * time.Second)
	noCall(t, h.exec.called)
	// Polls in an open window read on from the records already gathered.
	if n := fs.handedOut(); n != 2 {
		t.Errorf("ReadStream handed out %d records during the window; want the 2 once", n)
	}
	h.clk.Advance(time.Second)
	wantBatch(t, h.exec.called, "a", "b")
	// A full batch does not wait for the window.
	fs.add(testStream, "INSERT", h.clk.Now(), "c", "d", "e")
	wantBatch(t, h.exec.called, "c", "d", "e")
}

// A retry goes out once its back-off has passed; it does not wait out the
// batching window again.
func TestESMRetryDoesNotWaitForTheWindow(t *testing.T) {
	h, fs := newESMHarness(t)
	failing := true
	var mu sync.Mutex
	h.exec.respond = func(spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			failing = false
			return fail(spec, req)
		}
		return &runtime.Result{Payload: []byte(`null`)}, nil
	}
	fs.add(testStream, "INSERT", h.clk.Now(), "a")
	h.createMapping(map[string]any{"BatchSize": 5, "MaximumBatchingWindowInSeconds": 30})
	waitWindowOpen(t, fs)
	noCall(t, h.exec.called)
	h.clk.Advance(30 * time.Second)
	wantBatch(t, h.exec.called, "a")
	waitTimer(t, h.clk)
	h.clk.Advance(500 * time.Millisecond) // the first back-off
	wantBatch(t, h.exec.called, "a")
}

func TestESMRetriesThenDiscards(t *testing.T) {
	objs := &fakeObjects{put: make(chan string, 4)}
	h, fs := newESMHarness(t, func(c *Config) { c.Objects = objs })
	h.exec.respond = func(spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error) {
		if strings.Contains(string(req.Payload), `"S":"poison"`) {
			return fail(spec, req)
		}
		return &runtime.Result{Payload: []byte(`null`)}, nil
	}
	fs.add(testStream, "INSERT", h.clk.Now(), "poison")
	m := h.createMapping(map[string]any{"MaximumRetryAttempts": 2,
		"DestinationConfig": map[string]any{"OnFailure": map[string]string{"Destination": "arn:aws:s3:::failures"}}})
	wantBatch(t, h.exec.called, "poison")
	h.waitResult(m.UUID, "PROBLEM: Function call failed")
	fs.add(testStream, "INSERT", h.clk.Now(), "after")
	// Retries wait on the service clock: 500ms, then 1s.
	waitTimer(t, h.clk)
	h.clk.Advance(499 * time.Millisecond)
	noCall(t, h.exec.called)
	h.clk.Advance(time.Millisecond)
	wantBatch(t, h.exec.called, "poison", "after")
	waitTimer(t, h.clk)
	h.clk.Advance(time.Second)
	wantBatch(t, h.exec.called, "poison", "after")
	// Retries exhausted: the batch goes to the OnFailure bucket and the stream moves on.
	noCall(t, h.exec.called)
	select {
	case put := <-objs.put:
		parts := strings.SplitN(put, "|", 5)
		if parts[0] != "000000000000" || parts[1] != "us-east-1" || parts[2] != "failures" ||
			!strings.HasPrefix(parts[3], "aws/lambda/"+m.UUID+"/"+streamShard+"/2026/11/21/2026-11-21T08.00.01-") {
			t.Errorf("PutObject = %v", parts[:4])
		}
		var rec streamFailure
		if err := json.Unmarshal([]byte(parts[4]), &rec); err != nil {
			t.Fatal(err)
		}
		seqs := fs.records[testStream]
		if rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.RequestContext.ApproximateInvokeCount != 3 ||
			rec.Response == nil || rec.Response.FunctionError != "Unhandled" || rec.BatchInfo.BatchSize != 2 ||
			rec.BatchInfo.StartSequenceNumber != seqs[0].Sequence || rec.BatchInfo.EndSequenceNumber != seqs[1].Sequence ||
			rec.BatchInfo.StreamArn != testStream || !strings.Contains(string(rec.Payload), `"S":"poison"`) {
			t.Errorf("failure record = %s", parts[4])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no failure record in S3")
	}
	fs.add(testStream, "INSERT", h.clk.Now(), "next")
	wantBatch(t, h.exec.called, "next")
	h.waitResult(m.UUID, "OK")
}

func TestESMBisect(t *testing.T) {
	h, fs := newESMHarness(t)
	h.exec.respond = func(spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error) {
		if strings.Contains(string(req.Payload), `"S":"c"`) {
			return fail(spec, req)
		}
		return &runtime.Result{Payload: []byte(`{}`)}, nil
	}
	fs.add(testStream, "INSERT", h.clk.Now(), "a", "b", "c", "d", "e")
	h.createMapping(map[string]any{"BatchSize": 4, "BisectBatchOnFunctionError": true, "MaximumRetryAttempts": 0})
	wantBatch(t, h.exec.called, "a", "b", "c", "d") // fails: split in two
	wantBatch(t, h.exec.called, "a", "b")
	wantBatch(t, h.exec.called, "c", "d") // fails: split again
	wantBatch(t, h.exec.called, "c")      // fails alone: no retries left, dropped
	wantBatch(t, h.exec.called, "d")
	wantBatch(t, h.exec.called, "e") // past the bisected range: full batches again
	fs.add(testStream, "INSERT", h.clk.Now(), "f", "g", "h", "i", "j")
	wantBatch(t, h.exec.called, "f", "g", "h", "i")
}

func TestESMReportBatchItemFailures(t *testing.T) {
	h, fs := newESMHarness(t)
	var mu sync.Mutex
	calls := 0
	h.exec.respond = func(spec *runtime.Spec, req *runtime.Request) (*runtime.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		c := fakeCall{Req: *req}
		seqs := sequences(t, c)
		switch calls {
		case 1: // the third record and a later one failed
			return &runtime.Result{Payload: []byte(fmt.Sprintf(`{"batchItemFailures":[{"itemIdentifier":%q},{"itemIdentifier":%q}]}`, seqs[3], seqs[2]))}, nil
		case 2: // an identifier that names no record fails the whole batch
			return &runtime.Result{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"42"}]}`)}, nil
		case 3:
			return &runtime.Result{Payload: []byte(`{"batchItemFailures":[{"id":"x"}]}`)}, nil
		}
		return &runtime.Result{Payload: []byte(`{"batchItemFailures":[]}`)}, nil
	}
	fs.add(testStream, "INSERT", h.clk.Now(), "a", "b", "c", "d")
	m := h.createMapping(map[string]any{"FunctionResponseTypes": []string{"ReportBatchItemFailures"}})
	wantBatch(t, h.exec.called, "a", "b", "c", "d")
	waitTimer(t, h.clk)
	h.clk.Advance(retryBase)
	wantBatch(t, h.exec.called, "c", "d") // resumes at the earliest failure
	waitTimer(t, h.clk)
	h.clk.Advance(2 * retryBase)
	wantBatch(t, h.exec.called, "c", "d")
	waitTimer(t, h.clk)
	h.clk.Advance(4 * retryBase)
	wantBatch(t, h.exec.called, "c", "d")
	h.waitResult(m.UUID, "OK")
	noCall(t, h.exec.called)
}

func TestESMRecordAge(t *testing.T) {
	h, fs := newESMHarness(t)
	fs.add(testStream, "INSERT", h.clk.Now().Add(-2*time.Minute), "old")
	fs.add(testStream, "INSERT", h.clk.Now(), "new")
	h.createMapping(map[string]any{"MaximumRecordAgeInSeconds": 60})
	wantBatch(t, h.exec.called, "new")
}

func TestESMCheckpointSurvivesRestart(t *testing.T) {
	h, fs := newESMHarness(t)
	fs.add(testStream, "INSERT", h.clk.Now(), "a", "b")
	m := h.createMapping(nil)
	wantBatch(t, h.exec.called, "a", "b")
	h.waitResult(m.UUID, "OK")
	h.svc.Close(context.Background())

	fs.add(testStream, "INSERT", h.clk.Now(), "c")
	exec2 := &fakeExec{called: make(chan fakeCall, 8)}
	s2 := New(Config{Store: h.st, Clock: h.clk, Executor: exec2, WorkDir: t.TempDir(), Logger: slogDiscard(), Streams: fs, StreamPoll: time.Millisecond})
	if err := s2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s2.Close(context.Background())
	wantBatch(t, exec2.called, "c")
	noCall(t, exec2.called)
}

func TestESMDisableDeleteAndMissingFunction(t *testing.T) {
	h, fs := newESMHarness(t)
	m := h.createMapping(nil)
	h.must(202, h.do("PUT", "/2015-03-31/event-source-mappings/"+m.UUID, map[string]any{"Enabled": false}))
	fs.add(testStream, "INSERT", h.clk.Now(), "a")
	noCall(t, h.exec.called)
	h.must(202, h.do("PUT", "/2015-03-31/event-source-mappings/"+m.UUID, map[string]any{"Enabled": true}))
	wantBatch(t, h.exec.called, "a")

	// As in AWS, deleting the function leaves the mapping; it waits.
	h.must(204, h.do("DELETE", "/2015-03-31/functions/fn", nil))
	fs.add(testStream, "INSERT", h.clk.Now(), "b")
	h.waitResult(m.UUID, "PROBLEM: Function not found")
	h.create("fn", nil)
	waitTimer(t, h.clk)
	h.clk.Advance(problemWait)
	wantBatch(t, h.exec.called, "b")

	h.must(202, h.do("DELETE", "/2015-03-31/event-source-mappings/"+m.UUID, nil))
	fs.add(testStream, "INSERT", h.clk.Now(), "c")
	noCall(t, h.exec.called)
}

func TestESMStopsOnReset(t *testing.T) {
	h, fs := newESMHarness(t)
	h.createMapping(nil)
	if err := h.st.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.svc.esm.mu.Lock()
	n := len(h.svc.esm.pollers)
	h.svc.esm.mu.Unlock()
	if n != 0 {
		t.Errorf("%d pollers after reset", n)
	}
	fs.add(testStream, "INSERT", h.clk.Now(), "a")
	noCall(t, h.exec.called)
	// Mappings made after a reset run.
	h.create("fn", nil)
	h.createMapping(nil)
	wantBatch(t, h.exec.called, "a")
}

func TestESMPayload(t *testing.T) {
	got := payload("arn:s", []item{
		{StreamRecord: StreamRecord{JSON: []byte(`{"a":1}`)}},
		{StreamRecord: StreamRecord{JSON: []byte(` {} `)}},
	})
	if want := `{"Records":[{"a":1,"eventSourceARN":"arn:s"},{"eventSourceARN":"arn:s"}]}`; string(got) != want {
		t.Errorf("payload = %s; want %s", got, want)
	}
}

func TestFirstFailed(t *testing.T) {
	batch := []item{{StreamRecord: StreamRecord{Sequence: "000000000000000000100"}}, {StreamRecord: StreamRecord{Sequence: "000000000000000000200"}}}
	tests := []struct {
		resp string
		want int
	}{
		{``, -1},
		{`null`, -1},
		{`{}`, -1},
		{`{"batchItemFailures":null}`, -1},
		{`{"batchItemFailures":[]}`, -1},
		{`"ok"`, -1},
		{`{"batchItemFailures":[{"itemIdentifier":"000000000000000000200"}]}`, 1},
		{`{"batchItemFailures":[{"itemIdentifier":"200"},{"itemIdentifier":"100"}]}`, 0},
		{`{"batchItemFailures":[{"itemIdentifier":""}]}`, 0},
		{`{"batchItemFailures":[{"itemIdentifier":null}]}`, 0},
		{`{"batchItemFailures":[{"itemId":"200"}]}`, 0},
		{`{"batchItemFailures":[{"itemIdentifier":"300"}]}`, 0},
	}
	for _, tc := range tests {
		if got := firstFailed([]byte(tc.resp), batch); got != tc.want {
			t.Errorf("firstFailed(%s) = %d; want %d", tc.resp, got, tc.want)
		}
	}
}

// With the default poll interval a record reaches an idle mapping's
// function within about 100ms.
func TestESMIdleLatency(t *testing.T) {
	fs := newFakeStreams(testStream)
	h := newHarness(t, func(c *Config) { c.Streams = fs })
	h.exec.called = make(chan fakeCall, 8)
	h.create("fn", nil)
	h.createMapping(nil)
	time.Sleep(3 * defaultStreamPoll) // idle
	for i := 0; i < 5; i++ {
		start := time.Now()
		fs.add(testStream, "INSERT", h.clk.Now(), fmt.Sprint(i))
		wantBatch(t, h.exec.called, fmt.Sprint(i))
		// One poll interval (50ms) plus the work; the margin is for loaded machines.
		if d := time.Since(start); d > 300*time.Millisecond {
			t.Errorf("record %d reached the function after %v", i, d)
		}
	}
}

// panicky panics when reading one stream.
type panicky struct {
	*fakeStreams
	bad string
}

func (p panicky) ReadStream(ctx context.Context, arn, after string, limit int) ([]StreamRecord, error) {
	if arn == p.bad {
		panic("broken reader")
	}
	return p.fakeStreams.ReadStream(ctx, arn, after, limit)
}

// A mapping whose poller panics stalls alone: other mappings go on.
func TestESMIsolation(t *testing.T) {
	const bad = "arn:aws:dynamodb:us-east-1:000000000000:table/bad/stream/2026-11-21T08:00:00.000"
	fs := newFakeStreams(testStream, bad)
	h := newHarness(t, func(c *Config) { c.Streams = panicky{fs, bad}; c.StreamPoll = time.Millisecond })
	h.exec.called = make(chan fakeCall, 8)
	h.create("fn", nil)
	h.createMapping(map[string]any{"EventSourceArn": bad})
	h.createMapping(nil)
	fs.add(bad, "INSERT", h.clk.Now(), "x")
	fs.add(testStream, "INSERT", h.clk.Now(), "a")
	wantBatch(t, h.exec.called, "a")
	noCall(t, h.exec.called)
}

// A list page holds at most 100 mappings, whatever MaxItems asks for.
func TestESMListPageCap(t *testing.T) {
	fs := newFakeStreams()
	h := newHarness(t, func(c *Config) { c.Streams = fs })
	h.create("fn", nil)
	for i := 0; i < 101; i++ {
		arn := fmt.Sprintf("arn:aws:dynamodb:us-east-1:000000000000:table/t%03d/stream/2026-11-21T08:00:00.000", i)
		fs.addStream(arn)
		h.createMapping(map[string]any{"EventSourceArn": arn})
	}
	var out listMappingsOutput
	h.must(200, h.do("GET", "/2015-03-31/event-source-mappings/?MaxItems=1000", nil)).json(t, &out)
	if len(out.EventSourceMappings) != 100 || out.NextMarker != "100" {
		t.Fatalf("first page: %d mappings, NextMarker %q", len(out.EventSourceMappings), out.NextMarker)
	}
	out = listMappingsOutput{}
	h.must(200, h.do("GET", "/2015-03-31/event-source-mappings/?Marker=100", nil)).json(t, &out)
	if len(out.EventSourceMappings) != 1 || out.NextMarker != "" {
		t.Fatalf("second page: %d mappings, NextMarker %q", len(out.EventSourceMappings), out.NextMarker)
	}
}
