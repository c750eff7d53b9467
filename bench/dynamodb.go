package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The DynamoDB workloads: a table keyed by (pk S, sk N). Put/Get alternates
// a PutItem of a fresh item with a GetItem of the item the same worker wrote
// just before, checking every attribute. Query reads whole 100-item
// partitions and checks the count and the sort order.

const (
	ddbTable      = "bench"
	ddbPartitions = 10
	ddbPartSize   = 100
)

func ddbCreate(ctx context.Context, s *server) (*dynamodb.Client, error) {
	c := dynamodb.NewFromConfig(s.sdk())
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(ddbTable),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeN},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func ddbItem(pk string, sk int) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		"pk":    &ddbtypes.AttributeValueMemberS{Value: pk},
		"sk":    &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(sk)},
		"name":  &ddbtypes.AttributeValueMemberS{Value: "Ada Lovelace " + strconv.Itoa(sk)},
		"email": &ddbtypes.AttributeValueMemberS{Value: "ada@example.com"},
		"age":   &ddbtypes.AttributeValueMemberN{Value: "36"},
		"tags":  &ddbtypes.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"addr": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
			"city": &ddbtypes.AttributeValueMemberS{Value: "London"},
		}},
	}
}

func ddbPutGetSetup(ctx context.Context, s *server) (any, error) {
	return ddbCreate(ctx, s)
}

func ddbPutGet(ctx context.Context, s *server, st any, worker, i int) error {
	c := st.(*dynamodb.Client)
	pk := fmt.Sprintf("w%d", worker)
	if i%2 == 0 || i < 0 {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(ddbTable), Item: ddbItem(pk, i)})
		return err
	}
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ddbTable), Key: map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: pk},
		"sk": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(i - 1)},
	}})
	if err != nil {
		return err
	}
	name, ok := out.Item["name"].(*ddbtypes.AttributeValueMemberS)
	if !ok || name.Value != "Ada Lovelace "+strconv.Itoa(i-1) || len(out.Item) != 7 {
		return fmt.Errorf("GetItem %s/%d returned %d attributes, name %v", pk, i-1, len(out.Item), out.Item["name"])
	}
	return nil
}

func ddbQuerySetup(ctx context.Context, s *server) (any, error) {
	c, err := ddbCreate(ctx, s)
	if err != nil {
		return nil, err
	}
	for p := 0; p < ddbPartitions; p++ {
		for start := 0; start < ddbPartSize; start += 25 {
			var reqs []ddbtypes.WriteRequest
			for sk := start; sk < start+25; sk++ {
				reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: ddbItem(fmt.Sprintf("p%d", p), sk)}})
			}
			out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{ddbTable: reqs}})
			if err != nil {
				return nil, err
			}
			if len(out.UnprocessedItems) > 0 {
				return nil, fmt.Errorf("BatchWriteItem left %d tables unprocessed", len(out.UnprocessedItems))
			}
		}
	}
	return c, nil
}

func ddbQuery(ctx context.Context, s *server, st any, worker, i int) error {
	c := st.(*dynamodb.Client)
	p := spread(worker, i, 7, ddbPartitions)
	out, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(ddbTable),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": &ddbtypes.AttributeValueMemberS{Value: fmt.Sprintf("p%d", p)}},
	})
	if err != nil {
		return err
	}
	if out.Count != ddbPartSize || len(out.Items) != ddbPartSize {
		return fmt.Errorf("Query p%d returned %d items; want %d", p, len(out.Items), ddbPartSize)
	}
	for j, it := range out.Items {
		if sk, ok := it["sk"].(*ddbtypes.AttributeValueMemberN); !ok || sk.Value != strconv.Itoa(j) {
			return fmt.Errorf("Query p%d item %d has sk %v; want %d (sort order)", p, j, it["sk"], j)
		}
	}
	return nil
}
