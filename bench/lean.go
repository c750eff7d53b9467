package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The "(lean client)" rows: the same workloads and checks as their SDK rows,
// sent through wire. Setup still uses the SDK; only the measured calls differ.

type leanState struct {
	w   *wire
	arn string // state machine, for the sfn rows
}

func leanS3Put(ctx context.Context, s *server, st any, worker, i int) error {
	w := st.(*leanState).w
	r, err := w.do(ctx, "s3", http.MethodPut, fmt.Sprintf("/bench/w%d/k%d", worker, i),
		[][2]string{{"Content-Type", "application/octet-stream"}}, payload1K)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("PutObject: HTTP %d: %s", r.status, truncate(string(r.body), 200))
	}
	if etag := r.header.Get("ETag"); etag != `"`+md5hex(payload1K)+`"` {
		return fmt.Errorf("ETag %s; want MD5 of the body", etag)
	}
	return nil
}

func leanS3Get(ctx context.Context, s *server, st any, worker, i int) error {
	w := st.(*leanState).w
	n := spread(worker, i, 7919, getKeys)
	r, err := w.do(ctx, "s3", http.MethodGet, "/bench/obj-"+strconv.Itoa(n), nil, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GetObject: HTTP %d: %s", r.status, truncate(string(r.body), 200))
	}
	if b := r.body; len(b) != len(payload1K) || string(b[:4]) != fmt.Sprintf("%04d", n) {
		return fmt.Errorf("GetObject obj-%d returned %d bytes starting %q", n, len(b), b[:min(4, len(b))])
	}
	return nil
}

func leanLogsPut(ctx context.Context, s *server, st any, worker, i int) error {
	w := st.(*leanState).w
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	b := make([]byte, 0, 700)
	b = append(b, `{"logGroupName":"/bench/group","logStreamName":"stream-`...)
	b = strconv.AppendInt(b, int64(worker%64), 10)
	b = append(b, `","logEvents":[`...)
	for j := 0; j < 10; j++ {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"timestamp":`...)
		b = append(b, now...)
		b = append(b, `,"message":"worker `...)
		b = strconv.AppendInt(b, int64(worker), 10)
		b = append(b, " call "...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, " event "...)
		b = strconv.AppendInt(b, int64(j), 10)
		b = append(b, `"}`...)
	}
	b = append(b, "]}"...)
	r, err := w.json(ctx, "logs", "1.1", "Logs_20140328.PutLogEvents", b)
	if err != nil {
		return err
	}
	if bytes.Contains(r.body, []byte("rejectedLogEventsInfo")) {
		return fmt.Errorf("events rejected: %s", r.body)
	}
	return nil
}

func leanDDBItem(b []byte, pk string, sk int) []byte {
	n := strconv.Itoa(sk)
	b = append(b, `{"pk":{"S":"`...)
	b = append(b, pk...)
	b = append(b, `"},"sk":{"N":"`...)
	b = append(b, n...)
	b = append(b, `"},"name":{"S":"Ada Lovelace `...)
	b = append(b, n...)
	b = append(b, `"},"email":{"S":"ada@example.com"},"age":{"N":"36"},"tags":{"SS":["a","b"]},"addr":{"M":{"city":{"S":"London"}}}}`...)
	return b
}

type ddbAttr struct {
	S string `json:"S"`
	N string `json:"N"`
}

func leanDDBPutGet(ctx context.Context, s *server, st any, worker, i int) error {
	w := st.(*leanState).w
	pk := "w" + strconv.Itoa(worker)
	b := make([]byte, 0, 300)
	if i%2 == 0 || i < 0 {
		b = append(b, `{"TableName":"`+ddbTable+`","Item":`...)
		b = leanDDBItem(b, pk, i)
		b = append(b, '}')
		r, err := w.json(ctx, "dynamodb", "1.0", "DynamoDB_20120810.PutItem", b)
		if err != nil {
			return err
		}
		if string(r.body) != "{}" {
			return fmt.Errorf("PutItem answered %s; want {}", r.body)
		}
		return nil
	}
	b = append(b, `{"TableName":"`+ddbTable+`","Key":{"pk":{"S":"`...)
	b = append(b, pk...)
	b = append(b, `"},"sk":{"N":"`...)
	b = strconv.AppendInt(b, int64(i-1), 10)
	b = append(b, `"}}}`...)
	r, err := w.json(ctx, "dynamodb", "1.0", "DynamoDB_20120810.GetItem", b)
	if err != nil {
		return err
	}
	var out struct {
		Item map[string]json.RawMessage
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		return fmt.Errorf("GetItem answer %s: %v", truncate(string(r.body), 200), err)
	}
	var name ddbAttr
	_ = json.Unmarshal(out.Item["name"], &name)
	if name.S != "Ada Lovelace "+strconv.Itoa(i-1) || len(out.Item) != 7 {
		return fmt.Errorf("GetItem %s/%d returned %d attributes, name %q", pk, i-1, len(out.Item), name.S)
	}
	return nil
}

func leanDDBQuery(ctx context.Context, s *server, st any, worker, i int) error {
	w := st.(*leanState).w
	p := spread(worker, i, 7, ddbPartitions)
	b := make([]byte, 0, 160)
	b = append(b, `{"TableName":"`+ddbTable+`","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p`...)
	b = strconv.AppendInt(b, int64(p), 10)
	b = append(b, `"}}}`...)
	r, err := w.json(ctx, "dynamodb", "1.0", "DynamoDB_20120810.Query", b)
	if err != nil {
		return err
	}
	return checkQuery(r.body, p)
}

// checkQuery checks a Query answer for partition p: Count and the sk of every
// item in order. A full decode of 100 items would cost the client several
// times the server's work, so it scans instead.
func checkQuery(body []byte, p int) error {
	count, ok := jsonMember(body, "Count")
	if !ok || string(count) != strconv.Itoa(ddbPartSize) {
		return fmt.Errorf("Query p%d returned Count %s; want %d", p, count, ddbPartSize)
	}
	for j := 0; ; j++ {
		k := bytes.Index(body, []byte(`"sk"`))
		if k < 0 {
			if j != ddbPartSize {
				return fmt.Errorf("Query p%d returned %d items; want %d", p, j, ddbPartSize)
			}
			return nil
		}
		body = body[k+4:]
		typed := bytes.TrimLeft(skipTo(body, '{'), " ")
		v, ok := jsonMember(typed, "N")
		if !ok || !bytes.HasPrefix(typed, []byte(`"N"`)) || string(v) != `"`+strconv.Itoa(j)+`"` {
			return fmt.Errorf("Query p%d item %d has sk %s; want %d (sort order)", p, j, v, j)
		}
	}
}

// skipTo returns b after the first c.
func skipTo(b []byte, c byte) []byte {
	if i := bytes.IndexByte(b, c); i >= 0 {
		return b[i+1:]
	}
	return nil
}

// jsonMember finds "name": in b and returns the scalar value after it (a
// number or a quoted string), allowing the spaces some servers write.
func jsonMember(b []byte, name string) ([]byte, bool) {
	i := bytes.Index(b, []byte(`"`+name+`"`))
	if i < 0 {
		return nil, false
	}
	b = bytes.TrimLeft(b[i+len(name)+2:], " ")
	if len(b) == 0 || b[0] != ':' {
		return nil, false
	}
	b = bytes.TrimLeft(b[1:], " ")
	if len(b) > 0 && b[0] == '"' {
		if j := bytes.IndexByte(b[1:], '"'); j >= 0 {
			return b[:j+2], true
		}
		return nil, false
	}
	j := bytes.IndexAny(b, ",} ")
	if j < 0 {
		return nil, false
	}
	return b[:j], true
}

type sfnAnswer struct {
	ExecutionArn string `json:"executionArn"`
	Status       string `json:"status"`
	Output       string `json:"output"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

func leanSFNStart(arn string, worker, i int) []byte {
	in, _ := json.Marshal(sfnInput(worker, i))
	b := make([]byte, 0, 200)
	b = append(b, `{"stateMachineArn":"`...)
	b = append(b, arn...)
	b = append(b, `","input":`...)
	b = append(b, in...)
	b = append(b, '}')
	return b
}

func leanSFNStandard(ctx context.Context, s *server, st any, worker, i int) error {
	ls := st.(*leanState)
	r, err := ls.w.json(ctx, "states", "1.0", "AWSStepFunctions.StartExecution", leanSFNStart(ls.arn, worker, i))
	if err != nil {
		return err
	}
	var start sfnAnswer
	if err := json.Unmarshal(r.body, &start); err != nil || start.ExecutionArn == "" {
		return fmt.Errorf("StartExecution answered %s", truncate(string(r.body), 200))
	}
	describe := []byte(`{"executionArn":"` + start.ExecutionArn + `"}`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := ls.w.json(ctx, "states", "1.0", "AWSStepFunctions.DescribeExecution", describe)
		if err != nil {
			return err
		}
		var d sfnAnswer
		if err := json.Unmarshal(r.body, &d); err != nil {
			return fmt.Errorf("DescribeExecution answer: %v", err)
		}
		switch d.Status {
		case "RUNNING":
			if time.Now().After(deadline) {
				return fmt.Errorf("execution still RUNNING after 5s")
			}
			time.Sleep(100 * time.Microsecond)
			continue
		case "SUCCEEDED":
			return sfnCheck(d.Output, worker, i)
		}
		return fmt.Errorf("execution %s: %s %s", d.Status, d.Error, d.Cause)
	}
}

func leanSFNExpress(ctx context.Context, s *server, st any, worker, i int) error {
	ls := st.(*leanState)
	r, err := ls.w.json(ctx, "states", "1.0", "AWSStepFunctions.StartSyncExecution", leanSFNStart(ls.arn, worker, i))
	if err != nil {
		return err
	}
	var out sfnAnswer
	if err := json.Unmarshal(r.body, &out); err != nil {
		return fmt.Errorf("StartSyncExecution answer: %v", err)
	}
	if out.Status != "SUCCEEDED" {
		return fmt.Errorf("execution %s: %s %s", out.Status, out.Error, out.Cause)
	}
	return sfnCheck(out.Output, worker, i)
}

// leanSetup wraps an SDK setup: the SDK prepares, the lean client measures.
func leanSetup(setup func(ctx context.Context, s *server) (any, error)) func(ctx context.Context, s *server) (any, error) {
	return func(ctx context.Context, s *server) (any, error) {
		st, err := setup(ctx, s)
		if err != nil {
			return nil, err
		}
		ls := &leanState{w: newWire(s)}
		if sf, ok := st.(*sfnState); ok {
			ls.arn = sf.arn
		}
		return ls, nil
	}
}
