package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const ddbOrdersTable = `{
  "TableName": "orders",
  "AttributeDefinitions": [
    {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
    {"AttributeName": "status", "AttributeType": "S"}, {"AttributeName": "amount", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by-status", "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["amount"]},
    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}],
  "LocalSecondaryIndexes": [{"IndexName": "by-total", "Projection": {"ProjectionType": "ALL"},
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "amount", "KeyType": "RANGE"}]}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
  "Tags": [{"Key": "team", "Value": "billing"}]
}`

// TestDynamoDBCLI drives every table and item operation with the aws CLI.
func TestDynamoDBCLI(t *testing.T) {
	s := startServer(t)
	var created struct {
		TableDescription struct {
			TableArn, TableStatus, LatestStreamArn string
			GlobalSecondaryIndexes                 []struct{ IndexName, IndexStatus string }
			LocalSecondaryIndexes                  []struct{ IndexName string }
		}
	}
	s.MustCLI(t, "dynamodb", "create-table", "--cli-input-json", ddbOrdersTable).JSON(t, &created)
	d := created.TableDescription
	if d.TableArn != "arn:aws:dynamodb:us-east-1:000000000000:table/orders" || len(d.GlobalSecondaryIndexes) != 1 || len(d.LocalSecondaryIndexes) != 1 ||
		!strings.HasPrefix(d.LatestStreamArn, d.TableArn+"/stream/") {
		t.Fatalf("create-table = %+v", d)
	}
	s.MustCLI(t, "dynamodb", "wait", "table-exists", "--table-name", "orders")
	r := s.FailCLI(t, "ResourceInUseException", "dynamodb", "create-table", "--cli-input-json", ddbOrdersTable)
	if !strings.Contains(r.Stderr, "Table already exists: orders") {
		t.Errorf("duplicate create-table: %s", r.Stderr)
	}

	// Items: conditions and every ReturnValues kind.
	s.MustCLI(t, "dynamodb", "put-item", "--table-name", "orders", "--condition-expression", "attribute_not_exists(pk)",
		"--item", `{"pk":{"S":"c1"},"sk":{"N":"1"},"status":{"S":"open"},"amount":{"N":"10"},"note":{"S":"first"}}`)
	r = s.FailCLI(t, "ConditionalCheckFailedException", "dynamodb", "put-item", "--table-name", "orders", "--condition-expression", "attribute_not_exists(pk)",
		"--item", `{"pk":{"S":"c1"},"sk":{"N":"1"}}`)
	if !strings.Contains(r.Stderr, "The conditional request failed") {
		t.Errorf("conditional put: %s", r.Stderr)
	}
	var attrs struct{ Attributes map[string]map[string]any }
	s.MustCLI(t, "dynamodb", "put-item", "--table-name", "orders", "--return-values", "ALL_OLD",
		"--item", `{"pk":{"S":"c1"},"sk":{"N":"1"},"status":{"S":"open"},"amount":{"N":"12"},"note":{"S":"second"}}`).JSON(t, &attrs)
	if attrs.Attributes["note"]["S"] != "first" {
		t.Errorf("put-item ALL_OLD = %v", attrs)
	}
	for _, c := range []struct{ rv, want string }{
		{"UPDATED_OLD", `map[amount:map[N:12]]`},
		{"UPDATED_NEW", `map[amount:map[N:16]]`},
		{"ALL_NEW", `map[amount:map[N:18] note:map[S:second] pk:map[S:c1] sk:map[N:1] status:map[S:open]]`},
		{"ALL_OLD", `map[amount:map[N:18] note:map[S:second] pk:map[S:c1] sk:map[N:1] status:map[S:open]]`},
	} {
		attrs.Attributes = nil
		s.MustCLI(t, "dynamodb", "update-item", "--table-name", "orders", "--key", `{"pk":{"S":"c1"},"sk":{"N":"1"}}`,
			"--update-expression", "ADD #t :two", "--expression-attribute-names", `{"#t":"amount"}`,
			"--expression-attribute-values", `{":two":{"N":"2"}}`, "--return-values", c.rv).JSON(t, &attrs)
		if got := fmt.Sprint(attrs.Attributes); got != c.want {
			t.Errorf("update-item %s = %s; want %s", c.rv, got, c.want)
		}
	}
	var got struct{ Item map[string]map[string]string }
	s.MustCLI(t, "dynamodb", "get-item", "--table-name", "orders", "--key", `{"pk":{"S":"c1"},"sk":{"N":"1"}}`,
		"--projection-expression", "#t, note", "--expression-attribute-names", `{"#t":"amount"}`, "--consistent-read").JSON(t, &got)
	if !reflect.DeepEqual(got.Item, map[string]map[string]string{"amount": {"N": "20"}, "note": {"S": "second"}}) {
		t.Errorf("get-item after four ADD 2 = %v; want total 20", got.Item)
	}

	// 25 more items in one batch, across two partitions.
	var reqs []string
	for i := 2; i <= 26; i++ {
		status := []string{"open", "shipped"}[i%2]
		reqs = append(reqs, fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"c%d"},"sk":{"N":"%d"},"status":{"S":%q},"amount":{"N":"%d"}}}}`, 1+i%2, i, status, i*10))
	}
	batch := writeTemp(t, "batch.json", []byte(`{"orders":[`+strings.Join(reqs, ",")+`]}`))
	var bw struct{ UnprocessedItems map[string]any }
	s.MustCLI(t, "dynamodb", "batch-write-item", "--request-items", "file://"+batch).JSON(t, &bw)
	if len(bw.UnprocessedItems) != 0 {
		t.Errorf("batch-write-item left %v", bw.UnprocessedItems)
	}

	// Query: key condition, filter, pagination by the CLI (page size 3).
	var q struct {
		Items        []map[string]map[string]string
		Count        int
		ScannedCount int
	}
	s.MustCLI(t, "dynamodb", "query", "--table-name", "orders", "--key-condition-expression", "pk = :p AND sk BETWEEN :a AND :b",
		"--filter-expression", "#t > :min", "--expression-attribute-names", `{"#t":"amount"}`, "--expression-attribute-values", `{":p":{"S":"c1"},":a":{"N":"2"},":b":{"N":"20"},":min":{"N":"100"}}`,
		"--page-size", "3", "--no-scan-index-forward").JSON(t, &q)
	var sks []string
	for _, it := range q.Items {
		sks = append(sks, it["sk"]["N"])
	}
	if strings.Join(sks, ",") != "20,18,16,14,12" || q.ScannedCount != 10 {
		t.Errorf("query = %v (count %d, scanned %d); want 20..12 descending, 10 scanned", sks, q.Count, q.ScannedCount)
	}
	// The GSI projects keys and total only.
	q.Items = nil
	s.MustCLI(t, "dynamodb", "query", "--table-name", "orders", "--index-name", "by-status", "--key-condition-expression", "#s = :s AND sk < :n",
		"--expression-attribute-names", `{"#s":"status"}`, "--expression-attribute-values", `{":s":{"S":"shipped"},":n":{"N":"6"}}`).JSON(t, &q)
	if len(q.Items) != 2 || q.Items[0]["sk"]["N"] != "3" || len(q.Items[0]) != 4 {
		t.Errorf("GSI query = %v; want sk 3 and 5 with pk, sk, status, total", q.Items)
	}
	// The LSI orders by total.
	q.Items = nil
	s.MustCLI(t, "dynamodb", "query", "--table-name", "orders", "--index-name", "by-total", "--key-condition-expression", "pk = :p AND #t >= :t",
		"--expression-attribute-names", `{"#t":"amount"}`, "--expression-attribute-values", `{":p":{"S":"c2"},":t":{"N":"230"}}`).JSON(t, &q)
	if len(q.Items) != 2 || q.Items[0]["amount"]["N"] != "230" || q.Items[1]["amount"]["N"] != "250" {
		t.Errorf("LSI query = %v; want totals 230, 250", q.Items)
	}
	r = s.FailCLI(t, "ValidationException", "dynamodb", "query", "--table-name", "orders", "--index-name", "by-status", "--consistent-read",
		"--key-condition-expression", "#s = :s", "--expression-attribute-names", `{"#s":"status"}`, "--expression-attribute-values", `{":s":{"S":"open"}}`)
	if !strings.Contains(r.Stderr, "Consistent reads are not supported on global secondary indexes") {
		t.Errorf("consistent GSI query: %s", r.Stderr)
	}

	// Parallel scan: segments partition the table.
	counted := 0
	for seg := 0; seg < 2; seg++ {
		var sc struct{ Count int }
		s.MustCLI(t, "dynamodb", "scan", "--table-name", "orders", "--segment", strconv.Itoa(seg), "--total-segments", "2", "--select", "COUNT").JSON(t, &sc)
		counted += sc.Count
	}
	if counted != 26 {
		t.Errorf("segments counted %d items; want 26", counted)
	}

	var bg struct {
		Responses       map[string][]map[string]map[string]string
		UnprocessedKeys map[string]any
	}
	s.MustCLI(t, "dynamodb", "batch-get-item", "--request-items",
		`{"orders":{"Keys":[{"pk":{"S":"c1"},"sk":{"N":"2"}},{"pk":{"S":"c2"},"sk":{"N":"3"}},{"pk":{"S":"none"},"sk":{"N":"1"}}],"ProjectionExpression":"sk"}}`).JSON(t, &bg)
	if len(bg.Responses["orders"]) != 2 || len(bg.UnprocessedKeys) != 0 {
		t.Errorf("batch-get-item = %+v", bg)
	}

	// A transaction whose first condition fails changes nothing.
	tx := writeTemp(t, "tx.json", []byte(`[
	  {"ConditionCheck":{"TableName":"orders","Key":{"pk":{"S":"c1"},"sk":{"N":"1"}},"ConditionExpression":"amount > :big","ExpressionAttributeValues":{":big":{"N":"1000"}}}},
	  {"Put":{"TableName":"orders","Item":{"pk":{"S":"c9"},"sk":{"N":"9"}}}}]`))
	r = s.FailCLI(t, "TransactionCanceledException", "dynamodb", "transact-write-items", "--transact-items", "file://"+tx)
	if !strings.Contains(r.Stderr, "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]") {
		t.Errorf("transact-write-items: %s", r.Stderr)
	}
	s.MustCLI(t, "dynamodb", "transact-write-items", "--transact-items",
		`[{"Update":{"TableName":"orders","Key":{"pk":{"S":"c1"},"sk":{"N":"1"}},"UpdateExpression":"SET note = :n","ExpressionAttributeValues":{":n":{"S":"tx"}}}},
		  {"Delete":{"TableName":"orders","Key":{"pk":{"S":"c1"},"sk":{"N":"2"}}}}]`)

	var ex struct {
		Items []map[string]map[string]string
	}
	s.MustCLI(t, "dynamodb", "execute-statement", "--statement", `SELECT note, amount FROM "orders" WHERE pk = ? AND sk = ?`,
		"--parameters", `[{"S":"c1"},{"N":"1"}]`).JSON(t, &ex)
	if len(ex.Items) != 1 || ex.Items[0]["note"]["S"] != "tx" {
		t.Errorf("execute-statement = %v", ex.Items)
	}

	s.MustCLI(t, "dynamodb", "delete-item", "--table-name", "orders", "--key", `{"pk":{"S":"c1"},"sk":{"N":"1"}}`,
		"--return-values", "ALL_OLD").JSON(t, &attrs)
	if attrs.Attributes["note"]["S"] != "tx" {
		t.Errorf("delete-item ALL_OLD = %v", attrs.Attributes)
	}

	// Errors worded as DynamoDB words them.
	for _, c := range []struct {
		code, msg string
		args      []string
	}{
		{"ValidationException", "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
			[]string{"put-item", "--table-name", "orders", "--item", `{"pk":{"N":"1"},"sk":{"N":"1"}}`}},
		{"ValidationException", "The provided key element does not match the schema",
			[]string{"get-item", "--table-name", "orders", "--key", `{"pk":{"S":"c1"}}`}},
		{"ResourceNotFoundException", "Requested resource not found",
			[]string{"get-item", "--table-name", "nosuch", "--key", `{"pk":{"S":"c1"}}`}},
	} {
		r := s.FailCLI(t, c.code, append([]string{"dynamodb"}, c.args...)...)
		if !strings.Contains(r.Stderr, c.msg) {
			t.Errorf("%s: stderr %q; want %q", c.args[0], r.Stderr, c.msg)
		}
	}

	// TTL, tags, listing, deletion.
	s.MustCLI(t, "dynamodb", "update-time-to-live", "--table-name", "orders", "--time-to-live-specification", "Enabled=true,AttributeName=expires")
	var ttl struct {
		TimeToLiveDescription struct{ TimeToLiveStatus, AttributeName string }
	}
	s.MustCLI(t, "dynamodb", "describe-time-to-live", "--table-name", "orders").JSON(t, &ttl)
	if ttl.TimeToLiveDescription.TimeToLiveStatus != "ENABLED" || ttl.TimeToLiveDescription.AttributeName != "expires" {
		t.Errorf("describe-time-to-live = %+v", ttl)
	}
	s.MustCLI(t, "dynamodb", "tag-resource", "--resource-arn", d.TableArn, "--tags", "Key=env,Value=dev")
	var tags struct{ Tags []struct{ Key, Value string } }
	s.MustCLI(t, "dynamodb", "list-tags-of-resource", "--resource-arn", d.TableArn).JSON(t, &tags)
	if fmt.Sprint(tags.Tags) != "[{env dev} {team billing}]" {
		t.Errorf("list-tags-of-resource = %v", tags.Tags)
	}
	var desc struct {
		Table struct {
			ItemCount              int
			TableStatus            string
			GlobalSecondaryIndexes []struct{ ItemCount int }
		}
	}
	s.MustCLI(t, "dynamodb", "describe-table", "--table-name", "orders").JSON(t, &desc)
	if desc.Table.ItemCount != 24 || desc.Table.TableStatus != "ACTIVE" || desc.Table.GlobalSecondaryIndexes[0].ItemCount != 24 {
		t.Errorf("describe-table = %+v; want 24 items", desc.Table)
	}
	var lt struct{ TableNames []string }
	s.MustCLI(t, "dynamodb", "list-tables").JSON(t, &lt)
	if fmt.Sprint(lt.TableNames) != "[orders]" {
		t.Errorf("list-tables = %v", lt.TableNames)
	}
	s.MustCLI(t, "dynamodb", "delete-table", "--table-name", "orders")
	s.MustCLI(t, "dynamodb", "wait", "table-not-exists", "--table-name", "orders")
}

func ddbClient(s *Server) *dynamodb.Client { return dynamodb.NewFromConfig(s.SDK()) }

func ddbCreateSimple(t *testing.T, c *dynamodb.Client, name string, withRange bool) {
	t.Helper()
	in := &dynamodb.CreateTableInput{
		TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}
	if withRange {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeN})
		in.KeySchema = append(in.KeySchema, ddbtypes.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange})
	}
	if _, err := c.CreateTable(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// TestDynamoDBSDK uses aws-sdk-go-v2: paginators, every attribute type,
// typed errors and concurrent atomic counters over HTTP.
func TestDynamoDBSDK(t *testing.T) {
	s := startServer(t)
	c := ddbClient(s)
	ctx := context.Background()
	ddbCreateSimple(t, c, "events", true)
	w := dynamodb.NewTableExistsWaiter(c)
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("events")}, time.Minute); err != nil {
		t.Fatal(err)
	}

	// Every attribute type round-trips.
	item := map[string]ddbtypes.AttributeValue{
		"pk":  &ddbtypes.AttributeValueMemberS{Value: "types"},
		"sk":  &ddbtypes.AttributeValueMemberN{Value: "0"},
		"s":   &ddbtypes.AttributeValueMemberS{Value: "héllo \"quoted\"\n"},
		"n":   &ddbtypes.AttributeValueMemberN{Value: "-12.5000"},
		"b":   &ddbtypes.AttributeValueMemberB{Value: []byte{0, 1, 2, 255}},
		"t":   &ddbtypes.AttributeValueMemberBOOL{Value: true},
		"nul": &ddbtypes.AttributeValueMemberNULL{Value: true},
		"l":   &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberS{Value: "x"}, &ddbtypes.AttributeValueMemberN{Value: "1"}}},
		"m":   &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberBOOL{Value: false}}},
		"ss":  &ddbtypes.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":  &ddbtypes.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":  &ddbtypes.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}},
	}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"), Item: item}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("events"), Key: map[string]ddbtypes.AttributeValue{"pk": item["pk"], "sk": item["sk"]}})
	if err != nil {
		t.Fatal(err)
	}
	item["n"] = &ddbtypes.AttributeValueMemberN{Value: "-12.5"} // DynamoDB normalises numbers
	if !reflect.DeepEqual(out.Item, item) {
		t.Errorf("round trip:\n got %#v\nwant %#v", out.Item, item)
	}

	// 250 items through BatchWriteItem, then paginate Query and Scan.
	for start := 0; start < 250; start += 25 {
		var reqs []ddbtypes.WriteRequest
		for i := start; i < start+25; i++ {
			reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
				"pk": &ddbtypes.AttributeValueMemberS{Value: "log"}, "sk": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(i)},
				"even": &ddbtypes.AttributeValueMemberBOOL{Value: i%2 == 0},
			}}})
		}
		if _, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"events": reqs}}); err != nil {
			t.Fatal(err)
		}
	}
	qp := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
		TableName: aws.String("events"), KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("even = :t"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": &ddbtypes.AttributeValueMemberS{Value: "log"}, ":t": &ddbtypes.AttributeValueMemberBOOL{Value: true}},
		Limit:                     aws.Int32(40),
	})
	pages, found, last := 0, 0, -1
	for qp.HasMorePages() {
		page, err := qp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range page.Items {
			n, _ := strconv.Atoi(it["sk"].(*ddbtypes.AttributeValueMemberN).Value)
			if n <= last || n%2 != 0 {
				t.Fatalf("query page %d: sk %d after %d", pages, n, last)
			}
			last = n
			found++
		}
	}
	if found != 125 || pages < 7 {
		t.Errorf("query paginator found %d items in %d pages; want 125 in 7", found, pages)
	}
	sp := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("events"), Limit: aws.Int32(100)})
	scanned := 0
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		scanned += len(page.Items)
	}
	if scanned != 251 {
		t.Errorf("scan paginator saw %d items; want 251", scanned)
	}

	// Typed errors.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: ddbtypes.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *ddbtypes.ConditionalCheckFailedException
	if !errors.As(err, &ccf) || ccf.Item["s"] == nil {
		t.Errorf("conditional put error = %v; want ConditionalCheckFailedException with the item", err)
	}
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
		{Put: &ddbtypes.Put{TableName: aws.String("events"), Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "new"}, "sk": &ddbtypes.AttributeValueMemberN{Value: "1"}}}},
		{ConditionCheck: &ddbtypes.ConditionCheck{TableName: aws.String("events"), Key: map[string]ddbtypes.AttributeValue{"pk": item["pk"], "sk": item["sk"]},
			ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}})
	var tce *ddbtypes.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 2 || aws.ToString(tce.CancellationReasons[0].Code) != "None" ||
		aws.ToString(tce.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
		t.Errorf("transaction error = %v; want reasons [None, ConditionalCheckFailed]", err)
	}
	var rnf *ddbtypes.ResourceNotFoundException
	if _, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nosuch")}); !errors.As(err, &rnf) {
		t.Errorf("describe missing table = %v", err)
	}

	// 8 clients × 200 ADDs on one counter: none lost.
	ddbCreateSimple(t, c, "counters", false)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
					TableName: aws.String("counters"), Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "hits"}},
					UpdateExpression:          aws.String("ADD n :one"),
					ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":one": &ddbtypes.AttributeValueMemberN{Value: "1"}},
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("counters"), ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "hits"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := got.Item["n"].(*ddbtypes.AttributeValueMemberN).Value; n != "1600" {
		t.Errorf("counter after 1600 concurrent ADDs = %s", n)
	}
}

// TestDynamoDBTTL runs time 1000x faster: an item whose TTL passes is
// deleted by the reaper within seconds.
func TestDynamoDBTTL(t *testing.T) {
	s := startServer(t, "--time-scale", "1000")
	c := ddbClient(s)
	ctx := context.Background()
	ddbCreateSimple(t, c, "sessions", false)
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("sessions"),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	put := func(id string, exp int64) {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: id}, "exp": &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(exp, 10)},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	put("past", now-10)
	put("soon", now+3600)       // one hour of server time: about 3.6 s here
	put("later", now+400*86400) // stays
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("sessions")})
		if err != nil {
			t.Fatal(err)
		}
		if out.Count == 1 && out.Items[0]["pk"].(*ddbtypes.AttributeValueMemberS).Value == "later" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s the table holds %d items; want only 'later'", out.Count)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestDynamoDBDurable checks items survive a restart with --data-dir.
func TestDynamoDBDurable(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	c := ddbClient(s)
	ctx := context.Background()
	ddbCreateSimple(t, c, "durable", false)
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("durable"), Item: map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "k"}, "v": &ddbtypes.AttributeValueMemberS{Value: "kept"}}}); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	s = startServer(t, "--data-dir", dir)
	out, err := ddbClient(s).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("durable"),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "k"}}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := out.Item["v"].(*ddbtypes.AttributeValueMemberS); !ok || v.Value != "kept" {
		t.Errorf("after restart: %v", out.Item)
	}
}

// TestDynamoDBBoto3 runs the seed 003 hook's write: boto3's resource API
// put_item on a Table.
func TestDynamoDBBoto3(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	s := startServer(t)
	c := ddbClient(s)
	ctx := context.Background()
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("after-allow-test-traffic"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("deployment_id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("deployment_id"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	script := `
import os, boto3
from decimal import Decimal
table = boto3.resource("dynamodb", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1").Table(os.environ["DYNAMODB_TABLE_NAME"])
table.put_item(Item={"deployment_id": "d-ABCXYZ123", "hook_execution_id": "hook-456", "attempt": 1, "tags": {"blue", "green"}})
item = table.get_item(Key={"deployment_id": "d-ABCXYZ123"})["Item"]
assert item["hook_execution_id"] == "hook-456", item
assert item["attempt"] == Decimal(1), item
table.update_item(Key={"deployment_id": "d-ABCXYZ123"}, UpdateExpression="ADD attempt :one", ExpressionAttributeValues={":one": 1})
print(table.get_item(Key={"deployment_id": "d-ABCXYZ123"})["Item"]["attempt"])
`
	path := filepath.Join(t.TempDir(), "hook.py")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, path)
	cmd.Env = awsEnv("ENDPOINT="+s.URL, "DYNAMODB_TABLE_NAME=after-allow-test-traffic")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3 script: %v\n%s", err, out)
	}
	if strings.TrimSpace(string(out)) != "2" {
		t.Errorf("boto3 script printed %q; want 2", out)
	}
}

// ddbRecord exercises attributevalue's mapping of Go types.
type ddbRecord struct {
	PK      string             `dynamodbav:"pk"`
	Count   int64              `dynamodbav:"count"`
	Ratio   float64            `dynamodbav:"ratio"`
	Big     string             `dynamodbav:"big"`
	OK      bool               `dynamodbav:"ok"`
	Tags    []string           `dynamodbav:"tags,stringset"`
	Scores  []int              `dynamodbav:"scores,numberset"`
	List    []any              `dynamodbav:"list"`
	Meta    map[string]string  `dynamodbav:"meta"`
	Blob    []byte             `dynamodbav:"blob"`
	Nested  struct{ A, B int } `dynamodbav:"nested"`
	Nothing *string            `dynamodbav:"nothing"`
	Skipped string             `dynamodbav:"-"`
}

// TestDynamoDBAttributeValue round-trips Go values through attributevalue,
// PutItem, GetItem and Query.
func TestDynamoDBAttributeValue(t *testing.T) {
	s := startServer(t)
	c := ddbClient(s)
	ctx := context.Background()
	ddbCreateSimple(t, c, "records", false)
	in := ddbRecord{PK: "r1", Count: -42, Ratio: 0.125, Big: "12345678901234567890123456789012345678", OK: true,
		Tags: []string{"x", "y"}, Scores: []int{3, 1, 2}, List: []any{"s", 1.5, true, nil, map[string]any{"k": "v"}},
		Meta: map[string]string{"a": "1"}, Blob: []byte{0, 255, 7}, Nothing: nil, Skipped: "gone"}
	in.Nested.A, in.Nested.B = 1, 2
	av, err := attributevalue.MarshalMap(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("records"), Item: av}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("records"), Key: map[string]ddbtypes.AttributeValue{"pk": av["pk"]}})
	if err != nil {
		t.Fatal(err)
	}
	var got ddbRecord
	if err := attributevalue.UnmarshalMap(out.Item, &got); err != nil {
		t.Fatal(err)
	}
	in.Skipped = ""
	// Sets come back in any order.
	slices.Sort(got.Tags)
	slices.Sort(got.Scores)
	slices.Sort(in.Scores)
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("records"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":p": av["pk"]}, ProjectionExpression: aws.String("nested.B, #l[4].k"),
		ExpressionAttributeNames: map[string]string{"#l": "list"}})
	if err != nil {
		t.Fatal(err)
	}
	var part []map[string]any
	if err := attributevalue.UnmarshalListOfMaps(q.Items, &part); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(part) != "[map[list:[map[k:v]] nested:map[B:2]]]" {
		t.Errorf("projected query = %v", part)
	}
}
