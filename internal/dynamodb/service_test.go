package dynamodb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/dynamodb"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

const (
	acct   = "123456789012"
	region = "us-east-1"
)

func newService(t testing.TB) (*dynamodb.Service, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	return dynamodb.New(dynamodb.Config{Store: store.NewMem(), Clock: fc}), fc
}

// call runs an operation and decodes the response; it fails the test on error.
func call(t testing.TB, s *dynamodb.Service, op, in string) map[string]any {
	t.Helper()
	out, err := s.Call(context.Background(), acct, region, op, []byte(in))
	if err != nil {
		t.Fatalf("%s(%s): %v", op, in, err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: bad JSON %s: %v", op, out, err)
	}
	return m
}

// fail runs an operation that must fail with code and a message containing msg.
func fail(t testing.TB, s *dynamodb.Service, op, in, code, msg string) *edge.Error {
	t.Helper()
	_, err := s.Call(context.Background(), acct, region, op, []byte(in))
	var e *edge.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s(%s) = %v; want %s", op, in, err, code)
	}
	if e.Code != code || !strings.Contains(e.Message, msg) {
		t.Fatalf("%s(%s) = %s %q; want %s containing %q", op, in, e.Code, e.Message, code, msg)
	}
	return e
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const ordersTable = `{"TableName":"orders","BillingMode":"PAY_PER_REQUEST",
 "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
   {"AttributeName":"gpk","AttributeType":"S"},{"AttributeName":"lsk","AttributeType":"S"}],
 "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
 "GlobalSecondaryIndexes":[{"IndexName":"bygpk","KeySchema":[{"AttributeName":"gpk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
 "LocalSecondaryIndexes":[{"IndexName":"bylsk","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"lsk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]}`

func TestCreateDescribeDelete(t *testing.T) {
	s, _ := newService(t)
	out := call(t, s, "CreateTable", ordersTable)
	d := out["TableDescription"].(map[string]any)
	if got, want := d["TableArn"], "arn:aws:dynamodb:us-east-1:123456789012:table/orders"; got != want {
		t.Errorf("TableArn = %v; want %v", got, want)
	}
	if d["TableStatus"] != "CREATING" || d["GlobalSecondaryIndexes"].([]any)[0].(map[string]any)["IndexStatus"] != "CREATING" {
		t.Errorf("CreateTable answered %v; want the table and its index CREATING", d)
	}
	if d := call(t, s, "DescribeTable", `{"TableName":"orders"}`)["Table"].(map[string]any); d["TableStatus"] != "ACTIVE" {
		t.Errorf("TableStatus after create = %v; want ACTIVE", d["TableStatus"])
	}
	fail(t, s, "CreateTable", ordersTable, "ResourceInUseException", "Table already exists: orders")
	call(t, s, "PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"gpk":{"S":"g"},"lsk":{"S":"x"}}}`)
	call(t, s, "PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"2"}}}`)
	d = call(t, s, "DescribeTable", `{"TableName":"orders"}`)["Table"].(map[string]any)
	if d["ItemCount"] != 2.0 {
		t.Errorf("ItemCount = %v; want 2", d["ItemCount"])
	}
	g := d["GlobalSecondaryIndexes"].([]any)[0].(map[string]any)
	if g["ItemCount"] != 1.0 || g["IndexStatus"] != "ACTIVE" {
		t.Errorf("GSI = %v; want 1 item, ACTIVE", g)
	}
	lt := call(t, s, "ListTables", `{}`)
	if jsonOf(lt["TableNames"]) != `["orders"]` {
		t.Errorf("ListTables = %v", lt)
	}
	d = call(t, s, "DeleteTable", `{"TableName":"orders"}`)["TableDescription"].(map[string]any)
	if d["TableStatus"] != "DELETING" {
		t.Errorf("DeleteTable status = %v", d["TableStatus"])
	}
	fail(t, s, "DescribeTable", `{"TableName":"orders"}`, "ResourceNotFoundException", "Requested resource not found")
	fail(t, s, "GetItem", `{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}`, "ResourceNotFoundException", "Requested resource not found")
	// Recreated, the table starts empty.
	call(t, s, "CreateTable", ordersTable)
	if out := call(t, s, "Scan", `{"TableName":"orders"}`); out["Count"] != 0.0 {
		t.Errorf("Scan after recreate = %v", out)
	}
}

func TestCreateTableValidation(t *testing.T) {
	s, _ := newService(t)
	tests := []struct {
		name, in, msg string
	}{
		{"unused definition", `{"TableName":"tbl1","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`,
			"One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"unused with index", `{"TableName":"tbl1","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"},{"AttributeName":"y","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"GlobalSecondaryIndexes":[{"IndexName":"gix","KeySchema":[{"AttributeName":"x","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`,
			"One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [id, x, y], keys used: [id, x]"},
		{"undefined key", `{"TableName":"tbl1","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"x","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`,
			"Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [x]"},
		{"no throughput", `{"TableName":"tbl1","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`,
			"ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"throughput on demand", `{"TableName":"tbl1","BillingMode":"PAY_PER_REQUEST","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`,
			"Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"range first", `{"TableName":"tbl1","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"RANGE"}]}`,
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"bad name", `{"TableName":"a b","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`,
			"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"lsi without range", `{"TableName":"tbl1","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"LocalSecondaryIndexes":[{"IndexName":"lix","KeySchema":[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"x","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]}`,
			"Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		{"gsi throughput", `{"TableName":"tbl1","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"x","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"GlobalSecondaryIndexes":[{"IndexName":"gix","KeySchema":[{"AttributeName":"x","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`,
			"ProvisionedThroughput must be specified for index: gix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fail(t, s, "CreateTable", tc.in, "ValidationException", tc.msg)
		})
	}
}

func setupOrders(t testing.TB) *dynamodb.Service {
	s, _ := newService(t)
	call(t, s, "CreateTable", ordersTable)
	return s
}

func TestItemKeyErrors(t *testing.T) {
	s := setupOrders(t)
	tests := []struct {
		op, in, msg string
	}{
		{"PutItem", `{"TableName":"orders","Item":{"pk":{"N":"1"},"sk":{"N":"1"}}}`, "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
		{"PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"}}}`, "One or more parameter values were invalid: Missing the key sk in the item"},
		{"PutItem", `{"TableName":"orders","Item":{"pk":{"S":""},"sk":{"N":"1"}}}`, "The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
		{"PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"gpk":{"N":"1"}}}`, "Type mismatch for Index Key gpk Expected: S Actual: N IndexName: bygpk"},
		{"GetItem", `{"TableName":"orders","Key":{"pk":{"S":"a"}}}`, "The provided key element does not match the schema"},
		{"GetItem", `{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"S":"1"}}}`, "The provided key element does not match the schema"},
		{"GetItem", `{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"1"}}}`, "The provided key element does not match the schema"},
		{"PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"ALL_NEW"}`, "ReturnValues can only be ALL_OLD or NONE"},
		{"PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"x1"}}}`, ""},
		{"PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"big":{"S":"` + strings.Repeat("x", 400*1024) + `"}}}`, "Item size has exceeded the maximum allowed size"},
		{"UpdateItem", `{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET pk = :v","ExpressionAttributeValues":{":v":{"S":"b"}}}`, "Cannot update attribute pk. This attribute is part of the key"},
	}
	for _, tc := range tests {
		fail(t, s, tc.op, tc.in, "ValidationException", tc.msg)
	}
}

func TestPutGetUpdateDelete(t *testing.T) {
	s := setupOrders(t)
	key := `"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}`
	out := call(t, s, "PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"n":{"N":"5"},"tags":{"SS":["x"]}},"ReturnValues":"ALL_OLD"}`)
	if _, ok := out["Attributes"]; ok {
		t.Errorf("PutItem ALL_OLD on new item = %v; want no Attributes", out)
	}
	out = call(t, s, "GetItem", `{"TableName":"orders",`+key+`,"ProjectionExpression":"n"}`)
	if got, want := jsonOf(out["Item"]), `{"n":{"N":"5"}}`; got != want {
		t.Errorf("GetItem projection = %s; want %s", got, want)
	}
	out = call(t, s, "GetItem", `{"TableName":"orders",`+key+`,"AttributesToGet":["pk","n"],"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"}`)
	if got, want := jsonOf(out["Item"]), `{"n":{"N":"5"},"pk":{"S":"a"}}`; got != want {
		t.Errorf("GetItem AttributesToGet = %s; want %s", got, want)
	}
	if cc := out["ConsumedCapacity"].(map[string]any); cc["CapacityUnits"] != 1.0 || cc["TableName"] != "orders" {
		t.Errorf("ConsumedCapacity = %v", cc)
	}
	upd := func(rv string) map[string]any {
		return call(t, s, "UpdateItem", `{"TableName":"orders",`+key+`,"UpdateExpression":"ADD n :one SET m = :m","ExpressionAttributeValues":{":one":{"N":"1"},":m":{"S":"`+rv+`"}},"ReturnValues":"`+rv+`"}`)
	}
	tests := []struct{ rv, want string }{
		{"UPDATED_OLD", `{"n":{"N":"5"}}`},
		{"UPDATED_NEW", `{"m":{"S":"UPDATED_NEW"},"n":{"N":"7"}}`},
		{"ALL_OLD", `{"m":{"S":"UPDATED_NEW"},"n":{"N":"7"},"pk":{"S":"a"},"sk":{"N":"1"},"tags":{"SS":["x"]}}`},
		{"ALL_NEW", `{"m":{"S":"ALL_NEW"},"n":{"N":"9"},"pk":{"S":"a"},"sk":{"N":"1"},"tags":{"SS":["x"]}}`},
	}
	for _, tc := range tests {
		if got := jsonOf(upd(tc.rv)["Attributes"]); got != tc.want {
			t.Errorf("UpdateItem %s = %s; want %s", tc.rv, got, tc.want)
		}
	}
	e := fail(t, s, "UpdateItem", `{"TableName":"orders",`+key+`,"UpdateExpression":"SET n = :v","ConditionExpression":"n = :old","ExpressionAttributeValues":{":v":{"N":"1"},":old":{"N":"100"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`,
		"ConditionalCheckFailedException", "The conditional request failed")
	if got := jsonOf(e.Fields["Item"]); !strings.Contains(got, `"n":{"N":"9"}`) {
		t.Errorf("condition failure Item = %s", got)
	}
	// Update of a missing item creates it with its key.
	out = call(t, s, "UpdateItem", `{"TableName":"orders","Key":{"pk":{"S":"b"},"sk":{"N":"2"}},"UpdateExpression":"SET x = :x","ExpressionAttributeValues":{":x":{"BOOL":true}},"ReturnValues":"ALL_NEW"}`)
	if got, want := jsonOf(out["Attributes"]), `{"pk":{"S":"b"},"sk":{"N":"2"},"x":{"BOOL":true}}`; got != want {
		t.Errorf("UpdateItem create = %s; want %s", got, want)
	}
	fail(t, s, "DeleteItem", `{"TableName":"orders",`+key+`,"ConditionExpression":"attribute_not_exists(n)"}`, "ConditionalCheckFailedException", "The conditional request failed")
	out = call(t, s, "DeleteItem", `{"TableName":"orders",`+key+`,"ReturnValues":"ALL_OLD"}`)
	if got := jsonOf(out["Attributes"]); !strings.Contains(got, `"m":{"S":"ALL_NEW"}`) {
		t.Errorf("DeleteItem ALL_OLD = %s", got)
	}
	if out := call(t, s, "GetItem", `{"TableName":"orders",`+key+`}`); out["Item"] != nil {
		t.Errorf("GetItem after delete = %v", out)
	}
}

func putN(t testing.TB, s *dynamodb.Service, pk string, n int) {
	for i := 0; i < n; i++ {
		call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"orders","Item":{"pk":{"S":%q},"sk":{"N":"%d"},"gpk":{"S":"g%d"},"lsk":{"S":"l%03d"},"odd":{"BOOL":%v}}}`, pk, i, i%2, 100-i, i%2 == 1))
	}
}

func items(m map[string]any, attr string) []string {
	var out []string
	for _, it := range m["Items"].([]any) {
		v := it.(map[string]any)[attr].(map[string]any)
		for _, x := range v {
			out = append(out, x.(string))
		}
	}
	return out
}

func TestQuery(t *testing.T) {
	s := setupOrders(t)
	putN(t, s, "p", 10)
	putN(t, s, "q", 3)
	tests := []struct {
		name, in, vals string
		want           []string
		count, scanned float64
		lek            string
	}{
		{"all", `"KeyConditionExpression":"pk = :p"`, `":p":{"S":"p"}`, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, 10, 10, ""},
		{"between", `"KeyConditionExpression":"pk = :p AND sk BETWEEN :a AND :b"`, `":p":{"S":"p"},":a":{"N":"2"},":b":{"N":"4"}`, []string{"2", "3", "4"}, 3, 3, ""},
		{"reverse limit", `"KeyConditionExpression":"pk = :p AND sk > :a","ScanIndexForward":false,"Limit":2`, `":p":{"S":"p"},":a":{"N":"2"}`, []string{"9", "8"}, 2, 2, `{"pk":{"S":"p"},"sk":{"N":"8"}}`},
		{"filter counts before", `"KeyConditionExpression":"pk = :p","FilterExpression":"odd = :t","Limit":4`, `":p":{"S":"p"},":t":{"BOOL":true}`, []string{"1", "3"}, 2, 4, `{"pk":{"S":"p"},"sk":{"N":"3"}}`},
		{"lsi order", `"IndexName":"bylsk","KeyConditionExpression":"pk = :p AND begins_with(lsk, :l)","Limit":3`, `":p":{"S":"p"},":l":{"S":"l09"}`, []string{"9", "8", "7"}, 3, 3, `{"lsk":{"S":"l093"},"pk":{"S":"p"},"sk":{"N":"7"}}`},
		{"gsi", `"IndexName":"bygpk","KeyConditionExpression":"gpk = :g AND sk < :b"`, `":g":{"S":"g1"},":b":{"N":"4"}`, []string{"1", "1", "3"}, 3, 3, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := call(t, s, "Query", `{"TableName":"orders",`+tc.in+`,"ExpressionAttributeValues":{`+tc.vals+`}}`)
			if got := items(out, "sk"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Query sk = %v; want %v", got, tc.want)
			}
			if out["Count"] != tc.count || out["ScannedCount"] != tc.scanned {
				t.Errorf("Count, ScannedCount = %v, %v; want %v, %v", out["Count"], out["ScannedCount"], tc.count, tc.scanned)
			}
			lek := ""
			if out["LastEvaluatedKey"] != nil {
				lek = jsonOf(out["LastEvaluatedKey"])
			}
			if lek != tc.lek {
				t.Errorf("LastEvaluatedKey = %s; want %s", lek, tc.lek)
			}
		})
	}
	// GSI KEYS_ONLY returns keys only; paginate it.
	out := call(t, s, "Query", `{"TableName":"orders","IndexName":"bygpk","KeyConditionExpression":"gpk = :g","ExpressionAttributeValues":{":g":{"S":"g0"}},"Limit":1}`)
	if got, want := jsonOf(out["Items"]), `[{"gpk":{"S":"g0"},"pk":{"S":"p"},"sk":{"N":"0"}}]`; got != want {
		t.Errorf("GSI keys-only = %s; want %s", got, want)
	}
	var all []string
	esk := ""
	for page := 0; page < 20; page++ {
		in := `{"TableName":"orders","IndexName":"bygpk","KeyConditionExpression":"gpk = :g","ExpressionAttributeValues":{":g":{"S":"g0"}},"Limit":2` + esk + `}`
		out := call(t, s, "Query", in)
		all = append(all, items(out, "pk")...)
		if out["LastEvaluatedKey"] == nil {
			break
		}
		esk = `,"ExclusiveStartKey":` + jsonOf(out["LastEvaluatedKey"])
	}
	if len(all) != 7 {
		t.Errorf("paginated GSI query = %v; want 7 items (5 of p, 2 of q)", all)
	}
	out = call(t, s, "Query", `{"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"Select":"COUNT"}`)
	if out["Count"] != 10.0 || out["Items"] != nil {
		t.Errorf("Select COUNT = %v", out)
	}
	fail(t, s, "Query", `{"TableName":"orders","IndexName":"bygpk","ConsistentRead":true,"KeyConditionExpression":"gpk = :g","ExpressionAttributeValues":{":g":{"S":"g0"}}}`, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	fail(t, s, "Query", `{"TableName":"orders","KeyConditionExpression":"pk = :g","ExpressionAttributeValues":{":g":{"N":"0"}}}`, "ValidationException", "Condition parameter type does not match schema type")
	fail(t, s, "Query", `{"TableName":"orders","KeyConditionExpression":"pk = :g","FilterExpression":"sk > :g","ExpressionAttributeValues":{":g":{"S":"0"}}}`, "ValidationException", "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")
	fail(t, s, "Query", `{"TableName":"orders","IndexName":"nope","KeyConditionExpression":"pk = :g","ExpressionAttributeValues":{":g":{"S":"0"}}}`, "ValidationException", "The table does not have the specified index: nope")
	fail(t, s, "Query", `{"TableName":"orders"}`, "ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
}

func TestScanSegments(t *testing.T) {
	s := setupOrders(t)
	putN(t, s, "p", 30)
	seen := map[string]bool{}
	for seg := 0; seg < 3; seg++ {
		esk := ""
		for {
			out := call(t, s, "Scan", fmt.Sprintf(`{"TableName":"orders","Segment":%d,"TotalSegments":3,"Limit":4%s}`, seg, esk))
			for _, sk := range items(out, "sk") {
				if seen[sk] {
					t.Fatalf("item %s in two segments", sk)
				}
				seen[sk] = true
			}
			if out["LastEvaluatedKey"] == nil {
				break
			}
			esk = `,"ExclusiveStartKey":` + jsonOf(out["LastEvaluatedKey"])
		}
	}
	if len(seen) != 30 {
		t.Errorf("segments saw %d items; want 30", len(seen))
	}
	out := call(t, s, "Scan", `{"TableName":"orders","FilterExpression":"odd = :t","ExpressionAttributeValues":{":t":{"BOOL":true}}}`)
	if out["Count"] != 15.0 || out["ScannedCount"] != 30.0 {
		t.Errorf("Scan filter Count/Scanned = %v/%v; want 15/30", out["Count"], out["ScannedCount"])
	}
	fail(t, s, "Scan", `{"TableName":"orders","Segment":3,"TotalSegments":3}`, "ValidationException", "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3")
}

func TestUpdateTableGSIBackfill(t *testing.T) {
	s := setupOrders(t)
	putN(t, s, "p", 4)
	d := call(t, s, "UpdateTable", `{"TableName":"orders","AttributeDefinitions":[{"AttributeName":"odd","AttributeType":"S"},{"AttributeName":"lsk","AttributeType":"S"}],
	  "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"bylsk2","KeySchema":[{"AttributeName":"lsk","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}`)["TableDescription"].(map[string]any)
	statuses := map[string]string{}
	for _, x := range d["GlobalSecondaryIndexes"].([]any) {
		x := x.(map[string]any)
		statuses[x["IndexName"].(string)] = fmt.Sprint(x["IndexStatus"], x["Backfilling"])
	}
	if d["TableStatus"] != "UPDATING" || statuses["bylsk2"] != "CREATINGfalse" || statuses["bygpk"] != "ACTIVE<nil>" {
		t.Errorf("UpdateTable answered %v, indexes %v; want UPDATING with the new index CREATING", d["TableStatus"], statuses)
	}
	if d := call(t, s, "DescribeTable", `{"TableName":"orders"}`)["Table"].(map[string]any); d["TableStatus"] != "ACTIVE" {
		t.Errorf("TableStatus after update = %v; want ACTIVE", d["TableStatus"])
	}
	out := call(t, s, "Query", `{"TableName":"orders","IndexName":"bylsk2","KeyConditionExpression":"lsk = :l","ExpressionAttributeValues":{":l":{"S":"l099"}}}`)
	if got := items(out, "sk"); !reflect.DeepEqual(got, []string{"1"}) {
		t.Errorf("query of backfilled index = %v; want [1]", got)
	}
	call(t, s, "UpdateTable", `{"TableName":"orders","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"bylsk2"}}]}`)
	fail(t, s, "Query", `{"TableName":"orders","IndexName":"bylsk2","KeyConditionExpression":"lsk = :l","ExpressionAttributeValues":{":l":{"S":"l099"}}}`, "ValidationException", "The table does not have the specified index: bylsk2")
}

func TestBatch(t *testing.T) {
	s := setupOrders(t)
	var puts []string
	for i := 0; i < 25; i++ {
		puts = append(puts, fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"%d"}}}}`, i))
	}
	out := call(t, s, "BatchWriteItem", `{"RequestItems":{"orders":[`+strings.Join(puts, ",")+`]}}`)
	if jsonOf(out["UnprocessedItems"]) != "{}" {
		t.Errorf("UnprocessedItems = %v", out)
	}
	fail(t, s, "BatchWriteItem", `{"RequestItems":{"orders":[`+strings.Join(append(puts, puts[0]), ",")+`]}}`, "ValidationException", "Too many items requested for the BatchWriteItem call")
	fail(t, s, "BatchWriteItem", `{"RequestItems":{"orders":[`+puts[0]+`,`+puts[0]+`]}}`, "ValidationException", "Provided list of item keys contains duplicates")
	out = call(t, s, "BatchGetItem", `{"RequestItems":{"orders":{"Keys":[{"pk":{"S":"b"},"sk":{"N":"3"}},{"pk":{"S":"b"},"sk":{"N":"30"}}],"ProjectionExpression":"sk"}}}`)
	if got, want := jsonOf(out["Responses"]), `{"orders":[{"sk":{"N":"3"}}]}`; got != want {
		t.Errorf("BatchGetItem = %s; want %s", got, want)
	}
	if jsonOf(out["UnprocessedKeys"]) != "{}" {
		t.Errorf("UnprocessedKeys = %v", out["UnprocessedKeys"])
	}
	fail(t, s, "BatchGetItem", `{"RequestItems":{"orders":{"Keys":[{"pk":{"S":"b"},"sk":{"N":"3"}},{"pk":{"S":"b"},"sk":{"N":"3"}}]}}}`, "ValidationException", "Provided list of item keys contains duplicates")
	fail(t, s, "BatchGetItem", `{"RequestItems":{"nope":{"Keys":[{"pk":{"S":"b"},"sk":{"N":"3"}}]}}}`, "ResourceNotFoundException", "Requested resource not found")
}

func TestTransactWrite(t *testing.T) {
	s := setupOrders(t)
	call(t, s, "PutItem", `{"TableName":"orders","Item":{"pk":{"S":"t"},"sk":{"N":"1"},"bal":{"N":"10"}}}`)
	bad := `{"TransactItems":[
	  {"Update":{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"1"}},"UpdateExpression":"SET bal = bal - :a","ConditionExpression":"bal >= :a","ExpressionAttributeValues":{":a":{"N":"50"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
	  {"Put":{"TableName":"orders","Item":{"pk":{"S":"t"},"sk":{"N":"2"}}}}]}`
	e := fail(t, s, "TransactWriteItems", bad, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]")
	reasons := jsonOf(e.Fields["CancellationReasons"])
	if want := `[{"Code":"ConditionalCheckFailed","Item":{"bal":{"N":"10"},"pk":{"S":"t"},"sk":{"N":"1"}},"Message":"The conditional request failed"},{"Code":"None"}]`; reasons != want {
		t.Errorf("CancellationReasons = %s; want %s", reasons, want)
	}
	if out := call(t, s, "GetItem", `{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"2"}}}`); out["Item"] != nil {
		t.Errorf("cancelled transaction wrote %v", out)
	}
	good := `{"ClientRequestToken":"tok1","TransactItems":[
	  {"Update":{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"1"}},"UpdateExpression":"SET bal = bal - :a","ConditionExpression":"bal >= :a","ExpressionAttributeValues":{":a":{"N":"4"}}}},
	  {"ConditionCheck":{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"3"}},"ConditionExpression":"attribute_not_exists(pk)"}},
	  {"Put":{"TableName":"orders","Item":{"pk":{"S":"t"},"sk":{"N":"2"}}}}]}`
	call(t, s, "TransactWriteItems", good)
	call(t, s, "TransactWriteItems", good) // idempotent: not applied twice
	out := call(t, s, "GetItem", `{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"1"}}}`)
	if got := jsonOf(out["Item"]); !strings.Contains(got, `"bal":{"N":"6"}`) {
		t.Errorf("balance after transaction = %s; want 6", got)
	}
	fail(t, s, "TransactWriteItems", strings.Replace(good, `"N":"4"`, `"N":"5"`, 1), "IdempotentParameterMismatchException", "")
	fail(t, s, "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"orders","Item":{"pk":{"S":"t"},"sk":{"N":"2"}}}},{"Delete":{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"2"}}}}]}`,
		"ValidationException", "Transaction request cannot include multiple operations on one item")
	out = call(t, s, "TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"2"}}}},{"Get":{"TableName":"orders","Key":{"pk":{"S":"t"},"sk":{"N":"9"}}}}]}`)
	if got, want := jsonOf(out["Responses"]), `[{"Item":{"pk":{"S":"t"},"sk":{"N":"2"}}},{}]`; got != want {
		t.Errorf("TransactGetItems = %s; want %s", got, want)
	}
}

func TestTTLReaper(t *testing.T) {
	s, fc := newService(t)
	call(t, s, "CreateTable", `{"TableName":"sess","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`)
	call(t, s, "UpdateTimeToLive", `{"TableName":"sess","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}`)
	fail(t, s, "UpdateTimeToLive", `{"TableName":"sess","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}`, "ValidationException", "TimeToLive is already enabled")
	now := fc.Now().Unix()
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"sess","Item":{"id":{"S":"old"},"exp":{"N":"%d"}}}`, now-1))
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"sess","Item":{"id":{"S":"new"},"exp":{"N":"%d"}}}`, now+60))
	call(t, s, "PutItem", `{"TableName":"sess","Item":{"id":{"S":"none"},"exp":{"S":"x"}}}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	count := func() float64 { return call(t, s, "Scan", `{"TableName":"sess"}`)["Count"].(float64) }
	// round moves the clock by one reaper period once the reaper waits on
	// it, and returns when the round has run and the reaper waits again.
	// Advancing without waiting would let the clock run ahead of a reaper
	// slow to wake, which then reaps both items in one round.
	armed := func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for fc.Pending() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the reaper is not waiting on the clock")
			}
			time.Sleep(time.Millisecond)
		}
	}
	round := func() {
		t.Helper()
		armed()
		fc.Advance(10 * time.Second)
		armed()
	}
	for i := 1; i <= 6; i++ {
		round()
		want := 2.0 // old expired before the first round
		if i == 6 {
			want = 1 // new expires 60s in
		}
		if got := count(); got != want {
			t.Fatalf("Count after %ds = %v; want %v", 10*i, got, want)
		}
	}
	d := call(t, s, "DescribeTimeToLive", `{"TableName":"sess"}`)
	if got, want := jsonOf(d), `{"TimeToLiveDescription":{"AttributeName":"exp","TimeToLiveStatus":"ENABLED"}}`; got != want {
		t.Errorf("DescribeTimeToLive = %s; want %s", got, want)
	}
}

func TestConcurrentAdd(t *testing.T) {
	s, _ := newService(t)
	call(t, s, "CreateTable", `{"TableName":"ctr","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if _, err := s.Call(context.Background(), acct, region, "UpdateItem", []byte(`{"TableName":"ctr","Key":{"id":{"S":"x"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	out := call(t, s, "GetItem", `{"TableName":"ctr","Key":{"id":{"S":"x"}}}`)
	if got := jsonOf(out["Item"]); got != `{"id":{"S":"x"},"n":{"N":"800"}}` {
		t.Errorf("after 800 concurrent ADDs: %s", got)
	}
}

func TestTags(t *testing.T) {
	s := setupOrders(t)
	arn := "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
	call(t, s, "TagResource", `{"ResourceArn":"`+arn+`","Tags":[{"Key":"b","Value":"2"},{"Key":"a","Value":"1"}]}`)
	call(t, s, "UntagResource", `{"ResourceArn":"`+arn+`","TagKeys":["b"]}`)
	out := call(t, s, "ListTagsOfResource", `{"ResourceArn":"`+arn+`"}`)
	if got, want := jsonOf(out["Tags"]), `[{"Key":"a","Value":"1"}]`; got != want {
		t.Errorf("tags = %s; want %s", got, want)
	}
	fail(t, s, "ListTagsOfResource", `{"ResourceArn":"arn:aws:dynamodb:us-east-1:123456789012:table/nope"}`, "ResourceNotFoundException", "")
}

func TestScopes(t *testing.T) {
	s, _ := newService(t)
	tbl := `{"TableName":"tbl1","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`
	call(t, s, "CreateTable", tbl)
	if _, err := s.Call(context.Background(), acct, "eu-west-1", "CreateTable", []byte(tbl)); err != nil {
		t.Fatalf("same name in another region: %v", err)
	}
	if _, err := s.Call(context.Background(), "000000000000", region, "DescribeTable", []byte(`{"TableName":"tbl1"}`)); err == nil {
		t.Fatal("table visible from another account")
	}
}

func TestLegacyParameters(t *testing.T) {
	s := setupOrders(t)
	putN(t, s, "p", 6)
	out := call(t, s, "Query", `{"TableName":"orders","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"2"}]}},
	  "QueryFilter":{"odd":{"ComparisonOperator":"EQ","AttributeValueList":[{"BOOL":true}]}},"AttributesToGet":["sk"]}`)
	if got := jsonOf(out["Items"]); got != `[{"sk":{"N":"3"}},{"sk":{"N":"5"}}]` {
		t.Errorf("legacy Query = %s", got)
	}
	out = call(t, s, "Scan", `{"TableName":"orders","ScanFilter":{"sk":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"2"}]}},"Select":"COUNT"}`)
	if out["Count"] != 2.0 {
		t.Errorf("legacy Scan count = %v", out["Count"])
	}
	call(t, s, "UpdateItem", `{"TableName":"orders","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"AttributeUpdates":{"n":{"Action":"ADD","Value":{"N":"5"}}},"Expected":{"odd":{"Value":{"BOOL":true}}}}`)
	fail(t, s, "UpdateItem", `{"TableName":"orders","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"AttributeUpdates":{"n":{"Action":"ADD","Value":{"N":"5"}}},"Expected":{"odd":{"Exists":false}}}`,
		"ConditionalCheckFailedException", "The conditional request failed")
	fail(t, s, "UpdateItem", `{"TableName":"orders","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"AttributeUpdates":{"n":{"Action":"ADD","Value":{"N":"5"}}},"ConditionExpression":"attribute_exists(pk)"}`,
		"ValidationException", "Can not use both expression and non-expression parameters in the same request")
	out = call(t, s, "GetItem", `{"TableName":"orders","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"AttributesToGet":["n"]}`)
	if got := jsonOf(out["Item"]); got != `{"n":{"N":"5"}}` {
		t.Errorf("after legacy update = %s", got)
	}
}

func TestReset(t *testing.T) {
	st := store.NewMem()
	s := dynamodb.New(dynamodb.Config{Store: st})
	call(t, s, "CreateTable", ordersTable)
	call(t, s, "DescribeTable", `{"TableName":"orders"}`) // cached now
	// The app resets the store, then each service's memory.
	if err := st.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	fail(t, s, "DescribeTable", `{"TableName":"orders"}`, "ResourceNotFoundException", "Requested resource not found")
	call(t, s, "CreateTable", ordersTable)
}

func TestItemCollectionMetrics(t *testing.T) {
	s := setupOrders(t)
	out := call(t, s, "PutItem", `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE"}`)
	if got := jsonOf(out["ItemCollectionMetrics"]); got != `{"ItemCollectionKey":{"pk":{"S":"a"}},"SizeEstimateRangeGB":[0,1]}` {
		t.Errorf("ItemCollectionMetrics = %s", got)
	}
}

func TestExclusiveStartKeyErrors(t *testing.T) {
	s := setupOrders(t)
	putN(t, s, "p", 3)
	q := `{"TableName":"orders","KeyConditionExpression":"pk = :p AND sk > :z","ExpressionAttributeValues":{":p":{"S":"p"},":z":{"N":"0"}},"ExclusiveStartKey":%s}`
	fail(t, s, "Query", fmt.Sprintf(q, `{"pk":{"S":"p"}}`), "ValidationException", "The provided starting key is invalid")
	fail(t, s, "Query", fmt.Sprintf(q, `{"pk":{"S":"x"},"sk":{"N":"1"}}`), "ValidationException", "The provided starting key is outside query boundaries based on provided condition")
	fail(t, s, "Query", fmt.Sprintf(q, `{"pk":{"S":"p"},"sk":{"N":"0"}}`), "ValidationException", "The provided starting key does not match the range key predicate")
	fail(t, s, "Scan", `{"TableName":"orders","ExclusiveStartKey":{"pk":{"S":"p"}}}`, "ValidationException", "The provided starting key is invalid: The provided key element does not match the schema")
	out := call(t, s, "Query", fmt.Sprintf(q, `{"pk":{"S":"p"},"sk":{"N":"1"}}`))
	if got := items(out, "sk"); fmt.Sprint(got) != "[2]" {
		t.Errorf("Query after sk 1 = %v; want [2]", got)
	}
}

func TestTTLBackfillAndUpdates(t *testing.T) {
	s, fc := newService(t)
	ctx := context.Background()
	call(t, s, "CreateTable", `{"TableName":"sess","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`)
	now := fc.Now().Unix()
	// Written before TTL is enabled: found by the backfill.
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"sess","Item":{"id":{"S":"early"},"exp":{"N":"%d"}}}`, now-5))
	call(t, s, "UpdateTimeToLive", `{"TableName":"sess","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}`)
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"sess","Item":{"id":{"S":"moved"},"exp":{"N":"%d"}}}`, now-5))
	call(t, s, "UpdateItem", fmt.Sprintf(`{"TableName":"sess","Key":{"id":{"S":"moved"}},"UpdateExpression":"SET exp = :e","ExpressionAttributeValues":{":e":{"N":"%d"}}}`, now+100))
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"sess","Item":{"id":{"S":"dropped"},"exp":{"N":"%d"}}}`, now-5))
	call(t, s, "UpdateItem", `{"TableName":"sess","Key":{"id":{"S":"dropped"}},"UpdateExpression":"REMOVE exp"}`)
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"sess","Item":{"id":{"S":"ancient"},"exp":{"N":"%d"}}}`, now-6*365*86400))
	if err := s.ReapExpired(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range call(t, s, "Scan", `{"TableName":"sess"}`)["Items"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(map[string]any)["S"].(string))
	}
	slices.Sort(ids)
	if fmt.Sprint(ids) != "[ancient dropped moved]" {
		t.Errorf("after reaping: %v; want [ancient dropped moved]", ids)
	}
	fc.Advance(101 * time.Second)
	if err := s.ReapExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n := call(t, s, "Scan", `{"TableName":"sess"}`)["Count"]; n != 2.0 {
		t.Errorf("after the moved TTL passed: %v items; want 2", n)
	}
	// Disabled: nothing expires any more.
	call(t, s, "UpdateTimeToLive", `{"TableName":"sess","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}`)
	call(t, s, "PutItem", fmt.Sprintf(`{"TableName":"sess","Item":{"id":{"S":"kept"},"exp":{"N":"%d"}}}`, now))
	if err := s.ReapExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n := call(t, s, "Scan", `{"TableName":"sess"}`)["Count"]; n != 3.0 {
		t.Errorf("with TTL disabled: %v items; want 3", n)
	}
}

func TestTransactTokenExpires(t *testing.T) {
	s, fc := newService(t)
	call(t, s, "CreateTable", simpleTable("tok"))
	tx := func(v string) string {
		return `{"ClientRequestToken":"t1","TransactItems":[{"Update":{"TableName":"tok","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD n :v","ExpressionAttributeValues":{":v":{"N":"` + v + `"}}}}]}`
	}
	call(t, s, "TransactWriteItems", tx("1"))
	call(t, s, "TransactWriteItems", tx("1")) // replay: not applied
	fail(t, s, "TransactWriteItems", tx("2"), "IdempotentParameterMismatchException", "")
	fc.Advance(11 * time.Minute)
	call(t, s, "TransactWriteItems", tx("2")) // the token has expired: a new transaction
	if got := jsonOf(call(t, s, "GetItem", `{"TableName":"tok","Key":{"id":{"S":"a"}}}`)["Item"]); got != `{"id":{"S":"a"},"n":{"N":"3"}}` {
		t.Errorf("after token expiry: %s; want n = 3", got)
	}
}

// TestTransactTokenDurable: a client request token is kept in the store, so
// a retry after a restart is answered without applying the writes again, and
// concurrent requests with one token apply once.
func TestTransactTokenDurable(t *testing.T) {
	st := store.NewMem()
	fc := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := dynamodb.New(dynamodb.Config{Store: st, Clock: fc})
	call(t, s, "CreateTable", simpleTable("tok"))
	tx := func(tok, v string) string {
		return `{"ClientRequestToken":"` + tok + `","TransactItems":[{"Update":{"TableName":"tok","Key":{"id":{"S":"a"}},"UpdateExpression":"ADD n :v","ExpressionAttributeValues":{":v":{"N":"` + v + `"}}}}],"ReturnConsumedCapacity":"TOTAL"}`
	}
	first := jsonOf(call(t, s, "TransactWriteItems", tx("t1", "1")))

	s = dynamodb.New(dynamodb.Config{Store: st, Clock: fc}) // a restart over the same store
	if got := jsonOf(call(t, s, "TransactWriteItems", tx("t1", "1"))); got != first {
		t.Errorf("replay after restart answered %s; want the first answer %s", got, first)
	}
	fail(t, s, "TransactWriteItems", tx("t1", "2"), "IdempotentParameterMismatchException", "ten minute window")

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Call(context.Background(), acct, region, "TransactWriteItems", []byte(tx("t2", "10"))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := jsonOf(call(t, s, "GetItem", `{"TableName":"tok","Key":{"id":{"S":"a"}}}`)["Item"]); got != `{"id":{"S":"a"},"n":{"N":"11"}}` {
		t.Errorf("after eight requests with one token: %s; want n = 11 (1 + 10 once)", got)
	}

	count := func() (n int) {
		_ = st.View(func(tx store.Tx) error {
			tx.Bucket("dynamodb/tokens").Scan(nil, nil, false, func(k, v []byte) bool { n++; return true })
			return nil
		})
		return n
	}
	if err := s.ExpireTokens(context.Background()); err != nil || count() != 2 {
		t.Fatalf("before expiry: %d tokens kept (%v); want 2", count(), err)
	}
	fc.Advance(11 * time.Minute)
	if err := s.ExpireTokens(context.Background()); err != nil || count() != 0 {
		t.Errorf("after expiry: %d tokens kept (%v); want 0", count(), err)
	}
}
