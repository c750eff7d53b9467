package app

import (
	"context"

	"tenkai/internal/lambda"
	"tenkai/internal/s3"
)

// lambdaStreams lets event source mappings read DynamoDB streams. It
// resolves DynamoDB at call time because DynamoDB is built after Lambda.
type lambdaStreams struct{ a *App }

func (l lambdaStreams) StreamStatus(ctx context.Context, arn string) (string, error) {
	return l.a.dynamodb.StreamStatus(ctx, arn)
}

func (l lambdaStreams) ReadStream(ctx context.Context, arn, after string, limit int) ([]lambda.StreamRecord, error) {
	recs, err := l.a.dynamodb.ReadStream(ctx, arn, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]lambda.StreamRecord, len(recs))
	for i, r := range recs {
		out[i] = lambda.StreamRecord{Sequence: r.Sequence, JSON: r.JSON}
	}
	return out, nil
}

func (l lambdaStreams) LatestSequence(ctx context.Context, arn string) (string, error) {
	return l.a.dynamodb.LatestSequence(ctx, arn)
}

// lambdaObjects lets event source mappings write records of discarded
// batches to S3 OnFailure destinations.
type lambdaObjects struct{ s *s3.Service }

func (o lambdaObjects) PutObject(ctx context.Context, account, region, bucket, key string, body []byte) error {
	_, err := o.s.PutObject(ctx, account, region, bucket, key, body, "application/json")
	return err
}

var (
	_ lambda.StreamReader = lambdaStreams{}
	_ lambda.ObjectWriter = lambdaObjects{}
)
