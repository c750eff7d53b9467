package dynamodb_test

import (
	"context"
	"errors"
	"testing"

	"tenkai/internal/edge"
)

var fuzzOps = []string{"PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "TransactGetItems", "CreateTable", "UpdateTable"}

// FuzzRequest sends arbitrary bodies to the item operations of a table with
// indexes: every answer is a result or a client error, never a panic or an
// internal failure.
func FuzzRequest(f *testing.F) {
	seeds := []struct {
		op   int
		body string
	}{
		{0, `{"TableName":"orders","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"gpk":{"S":"g"},"lsk":{"S":"l"},"m":{"M":{"x":{"L":[{"NULL":true}]}}}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValues":"ALL_OLD"}`},
		{1, `{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ProjectionExpression":"m.x[0], #a","ExpressionAttributeNames":{"#a":"gpk"}}`},
		{2, `{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET gpk = :v ADD n :one REMOVE lsk","ExpressionAttributeValues":{":v":{"S":"h"},":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"}`},
		{3, `{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"Expected":{"n":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"0"}]}}}`},
		{4, `{"TableName":"orders","IndexName":"bygpk","KeyConditionExpression":"gpk = :g AND sk BETWEEN :a AND :b","ExpressionAttributeValues":{":g":{"S":"g"},":a":{"N":"0"},":b":{"N":"9"}},"Limit":1,"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"1"},"gpk":{"S":"g"}}}`},
		{5, `{"TableName":"orders","Segment":1,"TotalSegments":3,"FilterExpression":"size(m) > :z","ExpressionAttributeValues":{":z":{"N":"0"}},"Select":"COUNT"}`},
		{6, `{"RequestItems":{"orders":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}],"AttributesToGet":["pk"]}}}`},
		{7, `{"RequestItems":{"orders":[{"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":"1"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}}`},
		{8, `{"TransactItems":[{"ConditionCheck":{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConditionExpression":"n > :z","ExpressionAttributeValues":{":z":{"N":"0"}}}}],"ClientRequestToken":"t"}`},
		{9, `{"TransactItems":[{"Get":{"TableName":"orders","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]}`},
		{10, `{"TableName":"other","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`},
		{11, `{"TableName":"orders","AttributeDefinitions":[{"AttributeName":"n","AttributeType":"N"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byn","KeySchema":[{"AttributeName":"n","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}`},
	}
	for _, s := range seeds {
		f.Add(s.op, s.body)
	}
	s := setupOrders(f)
	f.Fuzz(func(t *testing.T, op int, body string) {
		if op < 0 {
			op = -op
		}
		name := fuzzOps[op%len(fuzzOps)]
		_, err := s.Call(context.Background(), acct, region, name, []byte(body))
		var e *edge.Error
		if err != nil && (!errors.As(err, &e) || e.HTTPStatus() >= 500) {
			t.Fatalf("%s(%s) = %v; want a result or a client error", name, body, err)
		}
	})
}
