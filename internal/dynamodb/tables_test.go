package dynamodb_test

import (
	"fmt"
	"strings"
	"testing"
)

func simpleTable(name string) string {
	return `{"TableName":"` + name + `","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`
}

func TestListTablesPages(t *testing.T) {
	s, _ := newService(t)
	for i := 0; i < 5; i++ {
		call(t, s, "CreateTable", simpleTable(fmt.Sprintf("tab%d", i)))
	}
	var got []string
	start := ""
	for page := 0; page < 5; page++ {
		out := call(t, s, "ListTables", `{"Limit":2`+start+`}`)
		for _, n := range out["TableNames"].([]any) {
			got = append(got, n.(string))
		}
		last, ok := out["LastEvaluatedTableName"].(string)
		if !ok {
			break
		}
		start = `,"ExclusiveStartTableName":"` + last + `"`
	}
	if strings.Join(got, ",") != "tab0,tab1,tab2,tab3,tab4" {
		t.Errorf("ListTables pages = %v", got)
	}
	fail(t, s, "ListTables", `{"Limit":0}`, "ValidationException", "Member must have value greater than or equal to 1")
}

func TestUpdateTableSettings(t *testing.T) {
	s, _ := newService(t)
	call(t, s, "CreateTable", simpleTable("tbl"))
	fail(t, s, "UpdateTable", `{"TableName":"tbl"}`, "ValidationException", "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled")
	d := call(t, s, "UpdateTable", `{"TableName":"tbl","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4},
	  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"},"DeletionProtectionEnabled":true}`)["TableDescription"].(map[string]any)
	if got := jsonOf(d["ProvisionedThroughput"]); got != `{"NumberOfDecreasesToday":0,"ReadCapacityUnits":3,"WriteCapacityUnits":4}` {
		t.Errorf("ProvisionedThroughput = %s", got)
	}
	if got := jsonOf(d["StreamSpecification"]); got != `{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}` || d["LatestStreamArn"] == nil {
		t.Errorf("stream = %s %v", got, d["LatestStreamArn"])
	}
	fail(t, s, "DeleteTable", `{"TableName":"tbl"}`, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion")
	call(t, s, "UpdateTable", `{"TableName":"tbl","DeletionProtectionEnabled":false,"BillingMode":"PAY_PER_REQUEST"}`)
	d = call(t, s, "DescribeTable", `{"TableName":"arn:aws:dynamodb:us-east-1:123456789012:table/tbl"}`)["Table"].(map[string]any)
	if bm := d["BillingModeSummary"].(map[string]any); bm["BillingMode"] != "PAY_PER_REQUEST" {
		t.Errorf("BillingModeSummary = %v", bm)
	}
	call(t, s, "DeleteTable", `{"TableName":"tbl"}`)
	fail(t, s, "UpdateTable", `{"TableName":"tbl","BillingMode":"PAY_PER_REQUEST"}`, "ResourceNotFoundException", "Requested resource not found: Table: tbl not found")
}

func TestDescribeLimitsEndpoints(t *testing.T) {
	s, _ := newService(t)
	if got := jsonOf(call(t, s, "DescribeEndpoints", `{}`)); got != `{"Endpoints":[{"Address":"dynamodb.us-east-1.amazonaws.com","CachePeriodInMinutes":1440}]}` {
		t.Errorf("DescribeEndpoints = %s", got)
	}
	if got := call(t, s, "DescribeLimits", `{}`); got["TableMaxReadCapacityUnits"] != 40000.0 {
		t.Errorf("DescribeLimits = %v", got)
	}
}

func TestStreamSpecification(t *testing.T) {
	s, _ := newService(t)
	in := strings.Replace(simpleTable("str"), `"BillingMode"`, `"StreamSpecification":{"StreamEnabled":false},"BillingMode"`, 1)
	call(t, s, "CreateTable", in)
	fail(t, s, "UpdateTable", `{"TableName":"str","StreamSpecification":{"StreamEnabled":false}}`, "ValidationException", "Table has no stream to disable: TableName: str")
	call(t, s, "UpdateTable", `{"TableName":"str","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}}`)
	fail(t, s, "UpdateTable", `{"TableName":"str","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"OLD_IMAGE"}}`, "ValidationException", "Table already has an enabled stream: TableName: str")
	call(t, s, "UpdateTable", `{"TableName":"str","StreamSpecification":{"StreamEnabled":false}}`)
}

func TestContinuousBackups(t *testing.T) {
	s, _ := newService(t)
	call(t, s, "CreateTable", simpleTable("pitr"))
	out := call(t, s, "DescribeContinuousBackups", `{"TableName":"pitr"}`)
	if got := jsonOf(out); got != `{"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED","PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}}` {
		t.Errorf("DescribeContinuousBackups = %s", got)
	}
	out = call(t, s, "UpdateContinuousBackups", `{"TableName":"pitr","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":7}}`)
	d := out["ContinuousBackupsDescription"].(map[string]any)["PointInTimeRecoveryDescription"].(map[string]any)
	if d["PointInTimeRecoveryStatus"] != "ENABLED" || d["RecoveryPeriodInDays"] != 7.0 {
		t.Errorf("UpdateContinuousBackups = %v", d)
	}
	fail(t, s, "DescribeContinuousBackups", `{"TableName":"nope"}`, "TableNotFoundException", "Table not found: nope")
}

func TestUnusedFeatures(t *testing.T) {
	s, _ := newService(t)
	call(t, s, "CreateTable", simpleTable("feat"))
	for op, want := range map[string]string{
		"ListBackups":                         `{"BackupSummaries":[]}`,
		"ListGlobalTables":                    `{"GlobalTables":[]}`,
		"DescribeContributorInsights":         `{"ContributorInsightsStatus":"DISABLED","TableName":"feat"}`,
		"DescribeKinesisStreamingDestination": `{"KinesisDataStreamDestinations":[],"TableName":"feat"}`,
	} {
		if got := jsonOf(call(t, s, op, `{"TableName":"feat"}`)); got != want {
			t.Errorf("%s = %s; want %s", op, got, want)
		}
	}
}
