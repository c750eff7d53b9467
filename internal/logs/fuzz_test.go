package logs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/logs"
)

// FuzzOperations sends arbitrary bodies to every operation of a service that
// holds a little data: each must answer or fail with an AWS error, never panic.
func FuzzOperations(f *testing.F) {
	ops := []string{"CreateLogGroup", "DescribeLogGroups", "DeleteLogGroup", "PutRetentionPolicy", "DeleteRetentionPolicy",
		"CreateLogStream", "DeleteLogStream", "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents",
		"TagResource", "UntagResource", "ListTagsForResource", "TagLogGroup", "UntagLogGroup", "ListTagsLogGroup",
		"PutMetricFilter", "DescribeMetricFilters", "DeleteMetricFilter", "TestMetricFilter", "PutLogGroupDeletionProtection",
		"ListLogGroups", "PutSubscriptionFilter", "DescribeSubscriptionFilters", "PutResourcePolicy", "DescribeResourcePolicies",
		"StartQuery", "GetQueryResults", "DescribeQueries", "GetLogRecord"}
	for i, body := range []string{
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1772366400000,"message":"x"}]}`,
		`{"logGroupName":"g","logStreamName":"s","nextToken":"f/0000000000000000000000000000000000000001"}`,
		`{"logGroupName":"g","nextToken":"1000000010000000000000000000000000000001","filterPattern":"{ $.a = 1 }"}`,
		`{"logGroupIdentifier":"arn:aws:logs:us-east-1:000000000000:log-group:g:*","orderBy":"LastEventTime","descending":true}`,
		`{"resourceArn":"arn:aws:logs:us-east-1:000000000000:log-group:g","tags":{"a":"b"},"tagKeys":["a"]}`,
		`{"filterPattern":"[a, ..., b = 4*]","logEventMessages":["x y 404"],"limit":0}`,
		`{"logGroupName":"g","startTime":-5,"endTime":9223372036854775807,"limit":10000}`,
		`{"logGroupName":"g","startTime":0,"endTime":9999999999,"queryString":"stats count(*) by bin(1h)"}`,
		`{"logRecordPointer":"3030303030303030303030303000757300670000000001000001","queryId":"x"}`,
	} {
		f.Add(uint8(i), body)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	svc := logs.New(logs.Config{Clock: clock.NewFake(t0)})
	ctx := context.Background()
	if err := svc.Append(ctx, edge.DefaultAccount, edge.DefaultRegion, "g", "s", []logs.Event{{Time: t0, Message: `{"a": 1}`}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		name := ops[int(op)%len(ops)]
		if name == "DeleteLogGroup" || name == "DeleteLogStream" {
			return // keep the data the other operations read
		}
		_, err := svc.Op(name)(ctx, []byte(body))
		var ae *edge.Error
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("%s(%q) = %v; want an *edge.Error", name, body, err)
		}
	})
}
