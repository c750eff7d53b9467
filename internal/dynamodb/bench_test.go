package dynamodb_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"tenkai/internal/dynamodb"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// benchEdge serves the service through the edge, as the server does.
func benchEdge(b *testing.B) (*edge.Edge, *dynamodb.Service) {
	b.Helper()
	s := dynamodb.New(dynamodb.Config{Store: store.NewMem()})
	e := edge.New(edge.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.Register(s)
	do(b, e, "CreateTable", `{"TableName":"bench","BillingMode":"PAY_PER_REQUEST",
	  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
	  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}`)
	return e, s
}

func do(b testing.TB, h http.Handler, op, body string) []byte {
	req := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(body)))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("%s: %d %s", op, w.Code, w.Body.String())
	}
	return w.Body.Bytes()
}

const benchItem = `{"TableName":"bench","Item":{"pk":{"S":"user#%d"},"sk":{"N":"%d"},"name":{"S":"Ada Lovelace"},"email":{"S":"ada@example.com"},"age":{"N":"36"},"tags":{"SS":["a","b"]},"addr":{"M":{"city":{"S":"London"},"zip":{"S":"N1"}}}}}`

func BenchmarkPutItem(b *testing.B) {
	e, _ := benchEdge(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		do(b, e, "PutItem", fmt.Sprintf(benchItem, i%1000, i))
		i++
	}
}

func BenchmarkGetItem(b *testing.B) {
	e, _ := benchEdge(b)
	for i := 0; i < 1000; i++ {
		do(b, e, "PutItem", fmt.Sprintf(benchItem, i, 1))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		do(b, e, "GetItem", `{"TableName":"bench","Key":{"pk":{"S":"user#`+strconv.Itoa(i%1000)+`"},"sk":{"N":"1"}}}`)
		i++
	}
}

func BenchmarkUpdateItemAdd(b *testing.B) {
	e, _ := benchEdge(b)
	b.ReportAllocs()
	for b.Loop() {
		do(b, e, "UpdateItem", `{"TableName":"bench","Key":{"pk":{"S":"ctr"},"sk":{"N":"1"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`)
	}
}

func BenchmarkQuery100(b *testing.B) {
	e, _ := benchEdge(b)
	for p := 0; p < 10; p++ {
		for i := 0; i < 100; i++ {
			do(b, e, "PutItem", fmt.Sprintf(benchItem, p, i))
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		do(b, e, "Query", `{"TableName":"bench","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"user#`+strconv.Itoa(i%10)+`"}}}`)
		i++
	}
}

func BenchmarkQueryFilter100(b *testing.B) {
	e, _ := benchEdge(b)
	for i := 0; i < 100; i++ {
		do(b, e, "PutItem", fmt.Sprintf(benchItem, 0, i))
	}
	b.ReportAllocs()
	for b.Loop() {
		do(b, e, "Query", `{"TableName":"bench","KeyConditionExpression":"pk = :p AND sk >= :s","FilterExpression":"age > :a","ProjectionExpression":"sk, #n","ExpressionAttributeNames":{"#n":"name"},"ExpressionAttributeValues":{":p":{"S":"user#0"},":s":{"N":"10"},":a":{"N":"30"}}}`)
	}
}

// BenchmarkPutItemStream is BenchmarkPutItem on a table whose stream keeps
// both images: the cost of capture.
func BenchmarkPutItemStream(b *testing.B) {
	e, _ := benchEdge(b)
	do(b, e, "UpdateTable", `{"TableName":"bench","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		do(b, e, "PutItem", fmt.Sprintf(benchItem, i%1000, i))
		i++
	}
}
