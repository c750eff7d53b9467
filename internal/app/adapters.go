package app

import (
	"context"

	"tenkai/internal/events"
	"tenkai/internal/lambda"
	"tenkai/internal/lambda/runtime"
	"tenkai/internal/logs"
	"tenkai/internal/s3"
)

// lambdaLogs lets function environments write to CloudWatch Logs.
type lambdaLogs struct{ l *logs.Service }

func (a lambdaLogs) Append(ctx context.Context, account, region, group, stream string, evs []runtime.LogEvent) error {
	out := make([]logs.Event, len(evs))
	for i, e := range evs {
		out[i] = logs.Event{Time: e.Time, Message: e.Message}
	}
	return a.l.Append(ctx, account, region, group, stream, out)
}

// lambdaCode lets Lambda read deployment packages named by S3Bucket/S3Key.
type lambdaCode struct{ s *s3.Service }

func (c lambdaCode) GetObject(ctx context.Context, account, region, bucket, key, version string) ([]byte, error) {
	b, _, err := c.s.GetObjectBytes(ctx, account, region, bucket, key, version)
	return b, err
}

// lambdaEvents sends asynchronous invocation records to EventBridge
// destinations. EventBridge publishes AWS service events on the default
// bus, so records meant for another bus land there too.
type lambdaEvents struct{ a *App }

func (e lambdaEvents) PutEvent(ctx context.Context, account, region, busARN, source, detailType string, detail []byte, resources []string) error {
	return e.a.events.PublishEvent(ctx, account, region, source, detailType, detail, resources)
}

// lambdaFunctions lets EventBridge invoke Lambda targets and check their
// resource policies.
type lambdaFunctions struct{ a *App }

func (f lambdaFunctions) InvokeAsync(ctx context.Context, account, region, functionARN string, payload []byte) error {
	_, err := f.a.lambda.Invoke(ctx, account, region, functionARN, "", payload, true)
	return err
}

func (f lambdaFunctions) AllowsInvoke(ctx context.Context, account, region, functionARN, principal, sourceARN string) bool {
	return f.a.lambda.Allows(ctx, account, region, functionARN, principal, sourceARN)
}

var (
	_ runtime.LogSink        = lambdaLogs{}
	_ lambda.CodeSource      = lambdaCode{}
	_ lambda.EventPublisher  = lambdaEvents{}
	_ lambda.Executor        = (*runtime.Manager)(nil)
	_ events.FunctionInvoker = lambdaFunctions{}
)
