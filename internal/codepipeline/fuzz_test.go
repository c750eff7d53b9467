package codepipeline_test

import (
	"context"
	"testing"

	"tenkai/internal/codepipeline"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// FuzzCreatePipeline feeds arbitrary request bodies to CreatePipeline: every
// one must end in a pipeline or an AWS fault, never a panic or an internal error.
func FuzzCreatePipeline(f *testing.F) {
	f.Add(`{"pipeline":{"name":"p","roleArn":"arn:aws:iam::123456789012:role/r","artifactStore":{"type":"S3","location":"b"},"stages":[{"name":"S","actions":[{"name":"a","actionTypeId":{"category":"Source","owner":"AWS","provider":"S3","version":"1"},"configuration":{"S3Bucket":"b","S3ObjectKey":"k"},"outputArtifacts":[{"name":"o"}]}]},{"name":"T","actions":[{"name":"t","actionTypeId":{"category":"Approval","owner":"AWS","provider":"Manual","version":"1"}}]}]}}`)
	f.Add(`{"pipeline":{"name":"p","stages":[]}}`)
	f.Add(`{"pipeline":null}`)
	f.Add(`[]`)
	svc := codepipeline.New(codepipeline.Config{Store: store.NewMem()})
	ctx := edge.WithMeta(context.Background(), &edge.Meta{Account: "123456789012", Region: "us-east-1"})
	f.Fuzz(func(t *testing.T, body string) {
		_, err := svc.Op("CreatePipeline")(ctx, []byte(body))
		if err != nil {
			if _, ok := err.(*edge.Error); !ok {
				t.Fatalf("CreatePipeline(%s) = %v; want an AWS fault", body, err)
			}
		}
		svc.Op("DeletePipeline")(ctx, []byte(`{"name":"p"}`))
	})
}
