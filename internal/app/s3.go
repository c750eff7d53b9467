package app

import (
	"context"

	"tenkai/internal/s3"
)

// s3Events sends S3's EventBridge notifications to the default bus; it
// resolves the bus at call time because EventBridge is built after S3.
type s3Events struct{ a *App }

func (e s3Events) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	return e.a.events.PublishEvent(ctx, account, region, source, detailType, detail, resources)
}

var (
	_ s3.EventPublisher  = s3Events{}
	_ s3.FunctionInvoker = lambdaFunctions{}
)
