package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// workloads lists every row of the table, in order.
func workloads() []workload {
	return []workload{
		{group: "startup", name: "time to ready (exec → first answer)", unit: "ms", lowerBetter: true, custom: measureReady},
		{group: "startup", name: "idle memory (RSS after ready + 1s)", unit: "MiB", lowerBetter: true, custom: measureIdleRSS},
		{group: "s3", name: "S3 PutObject 1 KiB", unit: "ops/s", setup: s3Setup, op: s3Put},
		{group: "s3", name: "S3 GetObject 1 KiB", unit: "ops/s", setup: s3SetupObjects, op: s3Get},
		{group: "s3", name: "S3 PutObject 1 KiB (lean client)", unit: "ops/s", setup: leanSetup(s3Setup), op: leanS3Put},
		{group: "s3", name: "S3 GetObject 1 KiB (lean client)", unit: "ops/s", setup: leanSetup(s3SetupObjects), op: leanS3Get},
		{group: "logs", name: "Logs PutLogEvents (10 events)", unit: "ops/s", setup: logsSetup, op: logsPut},
		{group: "logs", name: "Logs PutLogEvents (10 events, lean client)", unit: "ops/s", setup: leanSetup(logsSetup), op: leanLogsPut},
		{group: "lambda", name: "Lambda cold start, Go provided.al2023 (p50 of 5)", unit: "ms", lowerBetter: true, custom: coldStart("go", 5)},
		{group: "lambda", name: "Lambda cold start, Python 3.12 (p50 of 5)", unit: "ms", lowerBetter: true, custom: coldStart("python", 5)},
		{group: "lambda", name: "Lambda cold start, Node.js 20 (p50 of 5)", unit: "ms", lowerBetter: true, custom: coldStart("node", 5)},
		{group: "lambda", name: "Lambda warm invoke, Go echo (1 client)", unit: "ops/s", setup: lambdaWarmSetup, op: lambdaWarmInvoke, concurrency: 1},
		{group: "lambda", name: "Lambda warm invoke, Go echo, 8-way fan-out", unit: "ops/s", setup: lambdaWarmSetup, op: lambdaWarmInvoke, concurrency: 8},
		{group: "events", name: "EventBridge PutEvents (10 events, 100 rules, delivery verified)", unit: "ops/s", setup: ebSetup, op: ebPut, verify: ebVerify, warmup: -1},
		{group: "dynamodb", name: "DynamoDB Put/Get 50/50", unit: "ops/s", setup: ddbPutGetSetup, op: ddbPutGet},
		{group: "dynamodb", name: "DynamoDB Query (100-item partition)", unit: "ops/s", setup: ddbQuerySetup, op: ddbQuery},
		{group: "dynamodb", name: "DynamoDB Put/Get 50/50 (lean client)", unit: "ops/s", setup: leanSetup(ddbPutGetSetup), op: leanDDBPutGet},
		{group: "dynamodb", name: "DynamoDB Query (100-item partition, lean client)", unit: "ops/s", setup: leanSetup(ddbQuerySetup), op: leanDDBQuery},
		{group: "sfn", name: "Step Functions 10-Pass STANDARD start → SUCCEEDED", unit: "ops/s", setup: sfnSetup(sfntypes.StateMachineTypeStandard), op: sfnStandard},
		{group: "sfn", name: "Step Functions EXPRESS StartSyncExecution (10 Pass)", unit: "ops/s", setup: sfnSetup(sfntypes.StateMachineTypeExpress), op: sfnExpress},
		{group: "sfn", name: "Step Functions 10-Pass STANDARD start → SUCCEEDED (lean client)", unit: "ops/s", setup: leanSetup(sfnSetup(sfntypes.StateMachineTypeStandard)), op: leanSFNStandard},
		{group: "sfn", name: "Step Functions EXPRESS StartSyncExecution (10 Pass, lean client)", unit: "ops/s", setup: leanSetup(sfnSetup(sfntypes.StateMachineTypeExpress)), op: leanSFNExpress},
		{group: "apigateway", name: "Lambda Invoke → warm Go function (baseline)", unit: "ops/s", setup: gwDirectSetup, op: gwDirect},
		{group: "apigateway", name: "API Gateway HTTP API → warm Go function", unit: "ops/s", setup: gwHTTPSetup, op: gwHTTP},
		{group: "sqs", name: "SQS SendMessage → ReceiveMessage → DeleteMessage (verified)", unit: "ops/s", setup: sqsSetup, op: sqsRoundTrip, verify: sqsVerify},
		{group: "sns", name: "SNS Publish → SQS subscription → ReceiveMessage → DeleteMessage (verified)", unit: "ops/s", setup: snsSetup, op: snsFanOut, verify: snsVerify},
		{group: "codepipeline", name: "CodePipeline start → Succeeded (S3 source → Lambda action, warm function)", unit: "ops/s", setup: cpSetup, op: cpRun},
	}
}

// measureReady starts the peer five times and reports the median time from
// exec to the first answered request.
func measureReady(ctx context.Context, o options, p peer) result {
	var ds []time.Duration
	for i := 0; i < 5; i++ {
		s, err := p.start(ctx)
		if err != nil {
			return result{err: err.Error()}
		}
		ds = append(ds, s.ready)
		s.stop()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return result{value: float64(ds[len(ds)/2].Microseconds()) / 1000}
}

func measureIdleRSS(ctx context.Context, o options, p peer) result {
	s, err := p.start(ctx)
	if err != nil {
		return result{err: err.Error()}
	}
	defer s.stop()
	time.Sleep(time.Second)
	mib, err := s.rssMiB()
	if err != nil {
		return result{err: err.Error()}
	}
	return result{value: mib}
}

var payload1K = bytes.Repeat([]byte("tenkai-0"), 128)

func s3Client(s *server) *s3.Client {
	return s3.NewFromConfig(s.sdk(), func(o *s3.Options) { o.UsePathStyle = true })
}

func s3Setup(ctx context.Context, s *server) (any, error) {
	c := s3Client(s)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		return nil, err
	}
	return c, nil
}

func s3Put(ctx context.Context, s *server, st any, worker, i int) error {
	c := st.(*s3.Client)
	out, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("w%d/k%d", worker, i)), Body: bytes.NewReader(payload1K),
	})
	if err != nil {
		return err
	}
	if aws.ToString(out.ETag) != `"`+md5hex(payload1K)+`"` {
		return fmt.Errorf("ETag %s; want MD5 of the body", aws.ToString(out.ETag))
	}
	return nil
}

const getKeys = 64

func s3SetupObjects(ctx context.Context, s *server) (any, error) {
	st, err := s3Setup(ctx, s)
	if err != nil {
		return nil, err
	}
	c := st.(*s3.Client)
	for i := 0; i < getKeys; i++ {
		body := append([]byte(fmt.Sprintf("%04d", i)), payload1K[4:]...)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("obj-%d", i)), Body: bytes.NewReader(body)}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func s3Get(ctx context.Context, s *server, st any, worker, i int) error {
	c := st.(*s3.Client)
	n := spread(worker, i, 7919, getKeys)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("obj-%d", n))})
	if err != nil {
		return err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return err
	}
	if len(b) != len(payload1K) || string(b[:4]) != fmt.Sprintf("%04d", n) {
		return fmt.Errorf("GetObject obj-%d returned %d bytes starting %q", n, len(b), b[:min(4, len(b))])
	}
	return nil
}

type logsState struct {
	c *cloudwatchlogs.Client
}

func logsSetup(ctx context.Context, s *server) (any, error) {
	c := cloudwatchlogs.NewFromConfig(s.sdk())
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/bench/group")}); err != nil {
		return nil, err
	}
	for w := 0; w < 64; w++ {
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
			LogGroupName: aws.String("/bench/group"), LogStreamName: aws.String(fmt.Sprintf("stream-%d", w)),
		}); err != nil {
			return nil, err
		}
	}
	return &logsState{c: c}, nil
}

func logsPut(ctx context.Context, s *server, st any, worker, i int) error {
	c := st.(*logsState).c
	now := time.Now().UnixMilli()
	events := make([]logtypes.InputLogEvent, 10)
	for j := range events {
		events[j] = logtypes.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String(fmt.Sprintf("worker %d call %d event %d", worker, i, j))}
	}
	out, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String("/bench/group"), LogStreamName: aws.String(fmt.Sprintf("stream-%d", worker%64)), LogEvents: events,
	})
	if err != nil {
		return err
	}
	if out.RejectedLogEventsInfo != nil {
		return fmt.Errorf("events rejected: %+v", *out.RejectedLogEventsInfo)
	}
	return nil
}
