package app

import (
	"context"

	"tenkai/internal/codepipeline"
	"tenkai/internal/s3"
)

// pipelineObjects lets CodePipeline read S3 sources and write artifacts.
type pipelineObjects struct{ a *App }

func (o pipelineObjects) GetObject(ctx context.Context, account, region, bucket, key, versionID string) ([]byte, codepipeline.Object, error) {
	b, oi, err := o.a.s3.GetObjectBytes(ctx, account, region, bucket, key, versionID)
	return b, objectOf(oi), err
}

func (o pipelineObjects) PutObject(ctx context.Context, account, region, bucket, key string, body []byte) (codepipeline.Object, error) {
	oi, err := o.a.s3.PutObject(ctx, account, region, bucket, key, body, "")
	return objectOf(oi), err
}

func objectOf(oi s3.ObjectInfo) codepipeline.Object {
	return codepipeline.Object{Bucket: oi.Bucket, Key: oi.Key, VersionID: oi.VersionID, ETag: oi.ETag, Size: oi.Size, LastModified: oi.LastModified}
}

// pipelineChanges tells CodePipeline about S3 object changes, which start
// pipelines with S3 sources.
type pipelineChanges struct{ a *App }

func (c pipelineChanges) Subscribe(fn func(codepipeline.ObjectChange)) (cancel func()) {
	return c.a.s3.Subscribe(func(ev s3.Event) {
		fn(codepipeline.ObjectChange{Name: ev.Name, Bucket: ev.Bucket, Owner: ev.Owner, Region: ev.Region, Key: ev.Key, VersionID: ev.VersionID})
	})
}

// pipelineEvents puts CodePipeline's state change events on the default bus.
type pipelineEvents struct{ a *App }

func (e pipelineEvents) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	return e.a.events.PublishEvent(ctx, account, region, source, detailType, detail, resources)
}

// newCodePipeline builds CodePipeline with its integrations. Step Functions
// and CodeDeploy actions are left unwired until those services take part.
func (a *App) newCodePipeline() *codepipeline.Service {
	return codepipeline.New(codepipeline.Config{Store: a.Store, Clock: a.Clock, Logger: a.log,
		Functions: lambdaFunctions{a}, Objects: pipelineObjects{a}, Changes: pipelineChanges{a}, Events: pipelineEvents{a}})
}

var (
	_ codepipeline.FunctionInvoker = lambdaFunctions{}
	_ codepipeline.ObjectStore     = pipelineObjects{}
	_ codepipeline.ChangeFeed      = pipelineChanges{}
	_ codepipeline.EventPublisher  = pipelineEvents{}
)
