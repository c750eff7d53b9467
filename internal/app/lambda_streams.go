package app

import (
	"context"

	"tenkai/internal/lambda"
	"tenkai/internal/s3"
)

// lambdaObjects lets event source mappings write records of discarded
// batches to S3 OnFailure destinations.
type lambdaObjects struct{ s *s3.Service }

func (o lambdaObjects) PutObject(ctx context.Context, account, region, bucket, key string, body []byte) error {
	_, err := o.s.PutObject(ctx, account, region, bucket, key, body, "application/json")
	return err
}

var _ lambda.ObjectWriter = lambdaObjects{}
