// Command esmfn is the provided.al2023 function of the event source mapping
// end-to-end tests. It prints each stream record it receives on one log line
// ("ESM <record>"). A record whose new image has a "fail" attribute fails:
// with MODE=report it is reported in batchItemFailures, otherwise the whole
// invocation returns an error. With SEEN_TABLE set it also counts each
// record it receives in that table, keyed by sequence number.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type record struct {
	EventName string `json:"eventName"`
	Dynamodb  struct {
		Keys           map[string]map[string]string `json:"Keys"`
		NewImage       map[string]json.RawMessage   `json:"NewImage"`
		SequenceNumber string                       `json:"SequenceNumber"`
	} `json:"dynamodb"`
}

type itemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

type response struct {
	BatchItemFailures []itemFailure `json:"batchItemFailures"`
}

func handle(ctx context.Context, ev struct {
	Records []json.RawMessage `json:"Records"`
}) (*response, error) {
	out := &response{BatchItemFailures: []itemFailure{}}
	for _, raw := range ev.Records {
		fmt.Printf("ESM %s\n", raw)
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		if err := count(ctx, r); err != nil {
			return nil, err
		}
		if _, bad := r.Dynamodb.NewImage["fail"]; !bad {
			continue
		}
		if os.Getenv("MODE") != "report" {
			return nil, errors.New("record failed on purpose")
		}
		out.BatchItemFailures = append(out.BatchItemFailures, itemFailure{ItemIdentifier: r.Dynamodb.SequenceNumber})
	}
	return out, nil
}

var ddb = sync.OnceValues(func() (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg), nil
})

// count adds one to the record's row in SEEN_TABLE.
func count(ctx context.Context, r record) error {
	table := os.Getenv("SEEN_TABLE")
	if table == "" {
		return nil
	}
	c, err := ddb()
	if err != nil {
		return err
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(table),
		Key:              map[string]types.AttributeValue{"seq": &types.AttributeValueMemberS{Value: r.Dynamodb.SequenceNumber}},
		UpdateExpression: aws.String("ADD n :one SET id = :id, eventName = :name"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"},
			":id": &types.AttributeValueMemberS{Value: r.Dynamodb.Keys["id"]["S"]}, ":name": &types.AttributeValueMemberS{Value: r.EventName}},
	})
	return err
}

func main() { lambda.Start(handle) }
