package dynamodb_test

import (
	"context"
	"fmt"

	"tenkai/internal/dynamodb"
)

// Step Functions' dynamodb:putItem and getItem integrations call the
// service with the operations' wire JSON.
func ExampleService_Call() {
	s := dynamodb.New(dynamodb.Config{})
	ctx := context.Background()
	const acct, region = "000000000000", "us-east-1"
	_, err := s.Call(ctx, acct, region, "CreateTable", []byte(`{"TableName":"jobs","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`))
	if err != nil {
		panic(err)
	}
	if _, err := s.Call(ctx, acct, region, "PutItem", []byte(`{"TableName":"jobs","Item":{"id":{"S":"j1"},"state":{"S":"done"}}}`)); err != nil {
		panic(err)
	}
	out, err := s.Call(ctx, acct, region, "GetItem", []byte(`{"TableName":"jobs","Key":{"id":{"S":"j1"}}}`))
	fmt.Println(string(out), err)
	_, err = s.Call(ctx, acct, region, "GetItem", []byte(`{"TableName":"nope","Key":{"id":{"S":"j1"}}}`))
	fmt.Println(err)
	// Output:
	// {"Item":{"id":{"S":"j1"},"state":{"S":"done"}}} <nil>
	// ResourceNotFoundException: Requested resource not found
}
