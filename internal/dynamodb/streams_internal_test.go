package dynamodb

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/dynamodb/attr"
	"tenkai/internal/store"
)

// TestStaleViewFollowsStream writes through table views taken before a
// stream was enabled and before it was disabled, as a write racing
// UpdateTable does: the record follows the stream setting of the moment
// the write commits.
func TestStaleViewFollowsStream(t *testing.T) {
	s := New(Config{Clock: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))})
	ctx := context.Background()
	sc := scope{account: "123456789012", region: "us-east-1"}
	do := func(op, body string) map[string]any {
		t.Helper()
		out, err := s.Call(ctx, sc.account, sc.region, op, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		var m map[string]any
		_ = json.Unmarshal(out, &m)
		return m
	}
	do("CreateTable", `{"TableName":"race","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`)
	do("PutItem", `{"TableName":"race","Item":{"id":{"S":"a"},"v":{"N":"1"}}}`)
	write := func(view *table, it attr.Item) {
		t.Helper()
		key, err := view.itemKey(it)
		if err != nil {
			t.Fatal(err)
		}
		// Like PutItem on a table without a stream: the old item is not read.
		if err := s.st.Update(func(tx store.Tx) error { return view.write(tx, key, nil, it, nil) }); err != nil {
			t.Fatal(err)
		}
	}

	before, _ := s.lookup(sc, "race")
	arn := do("UpdateTable", `{"TableName":"race","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`)["TableDescription"].(map[string]any)["LatestStreamArn"].(string)
	write(before, attr.Item{"id": attr.S("a"), "v": attr.MustN("2")})
	recs, err := s.ReadStream(ctx, arn, "", 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records after a write through a view from before enabling: %v, %v", recs, err)
	}
	var r struct {
		EventName string `json:"eventName"`
		Dynamodb  struct{ OldImage, NewImage map[string]map[string]string }
	}
	_ = json.Unmarshal(recs[0].JSON, &r)
	if r.EventName != "MODIFY" || r.Dynamodb.OldImage["v"]["N"] != "1" || r.Dynamodb.NewImage["v"]["N"] != "2" {
		t.Errorf("record = %s", recs[0].JSON)
	}

	enabled, _ := s.lookup(sc, "race")
	if enabled.stream == nil {
		t.Fatal("lookup after enabling has no stream")
	}
	do("UpdateTable", `{"TableName":"race","StreamSpecification":{"StreamEnabled":false}}`)
	write(enabled, attr.Item{"id": attr.S("b")})
	if recs, _ := s.ReadStream(ctx, arn, "", 10); len(recs) != 1 {
		t.Errorf("a write after disabling was recorded: %d records", len(recs))
	}
	// Views are current again after the next lookup: no rereading.
	if v, _ := s.lookup(sc, "race"); v.streamGen != s.streamGen.Load() {
		t.Errorf("fresh view streamGen %d; service %d", v.streamGen, s.streamGen.Load())
	}
}

// With bbolt, a lookup during an UpdateTable transaction reads the meta from
// before it although streamGen already counts its change: such a view must
// not be trusted for the stream setting nor cached.
func TestViewReadDuringTableChangeIsStale(t *testing.T) {
	s := New(Config{Clock: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))})
	sc := scope{account: "123456789012", region: "us-east-1"}
	if _, err := s.Call(context.Background(), sc.account, sc.region, "CreateTable",
		[]byte(`{"TableName":"busy","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`)); err != nil {
		t.Fatal(err)
	}
	done := s.changingMeta()
	s.streamGen.Add(1) // what syncStream does inside the uncommitted transaction
	view, err := s.lookup(sc, "busy")
	if err != nil || view == nil {
		t.Fatalf("lookup: %v, %v", view, err)
	}
	if view.streamGen != staleGen {
		t.Errorf("view read during a table change has streamGen %d; want staleGen", view.streamGen)
	}
	s.mu.RLock()
	_, cached := s.tables[sc.key()+"/busy"]
	s.mu.RUnlock()
	if cached {
		t.Error("a view read during a table change was cached")
	}
	done()
	if v, _ := s.lookup(sc, "busy"); v.streamGen != s.streamGen.Load() {
		t.Errorf("view after the change has streamGen %d; service %d", v.streamGen, s.streamGen.Load())
	}
}
