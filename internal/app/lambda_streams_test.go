package app

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/dynamodb"
	"tenkai/internal/store"
)

// A TTL delete reaches a function with the identity spelled as in Lambda's
// event (principalId, type), not as GetRecords spells it.
func TestLambdaStreamsSpellTheTTLIdentityAsLambda(t *testing.T) {
	ctx := context.Background()
	fc := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	ddb := dynamodb.New(dynamodb.Config{Store: store.NewMem(), Clock: fc})
	do := func(op, in string) string {
		t.Helper()
		out, err := ddb.Call(ctx, "123456789012", "us-east-1", op, []byte(in))
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		return string(out)
	}
	out := do("CreateTable", `{"TableName":"ttl","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
	  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"OLD_IMAGE"}}`)
	i := strings.Index(out, `"LatestStreamArn":"`)
	if i < 0 {
		t.Fatalf("CreateTable = %s", out)
	}
	arn, _, _ := strings.Cut(out[i+len(`"LatestStreamArn":"`):], `"`)
	do("UpdateTimeToLive", `{"TableName":"ttl","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}`)
	do("PutItem", `{"TableName":"ttl","Item":{"id":{"S":"a"},"exp":{"N":"`+strconv.FormatInt(fc.Now().Unix()-5, 10)+`"}}}`)
	if err := ddb.ReapExpired(ctx); err != nil {
		t.Fatal(err)
	}
	recs, err := lambdaStreams{&App{dynamodb: ddb}}.ReadStream(ctx, arn, "", 10)
	if err != nil || len(recs) != 2 {
		t.Fatalf("ReadStream = %d records, %v", len(recs), err)
	}
	if got := string(recs[0].JSON); strings.Contains(got, "userIdentity") {
		t.Errorf("the INSERT carries an identity: %s", got)
	}
	if got := string(recs[1].JSON); !strings.Contains(got, `"userIdentity":{"principalId":"dynamodb.amazonaws.com","type":"Service"}`) {
		t.Errorf("TTL REMOVE record = %s", got)
	}
}
