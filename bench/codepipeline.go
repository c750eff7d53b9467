package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The CodePipeline workload: StartPipelineExecution of a V2 PARALLEL
// pipeline (S3 source → Lambda invoke action whose warm Go function calls
// PutJobSuccessResult), then GetPipelineExecution until it leaves
// InProgress. A call counts only if the execution Succeeded with the source
// object's version as its artifact revision.

// cpFunctionZip builds cpfn into a provided.al2023 package once.
func cpFunctionZip() ([]byte, error) { return goFunctionZip("tenkai/bench/cpfn") }

type cpState struct {
	c       *codepipeline.Client
	version string // the source object's version id
}

// cpTrust lets service assume a role; moto wants the principal as one string.
func cpTrust(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

func cpRole(ctx context.Context, s *server, name, service string) (string, error) {
	out, err := iam.NewFromConfig(s.sdk()).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(cpTrust(service))})
	if err != nil {
		return "", fmt.Errorf("create-role: %w", err)
	}
	return aws.ToString(out.Role.Arn), nil
}

func cpSetup(ctx context.Context, s *server) (any, error) {
	zipped, err := cpFunctionZip()
	if err != nil {
		return nil, err
	}
	roleARN, err := cpRole(ctx, s, "bench-pipeline", "codepipeline.amazonaws.com")
	if err != nil {
		return nil, err
	}
	fnRole, err := cpRole(ctx, s, "bench-function", "lambda.amazonaws.com")
	if err != nil {
		return nil, err
	}
	sc := s3Client(s)
	for _, b := range []string{"bench-source", "bench-artifacts"} {
		if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return nil, fmt.Errorf("create-bucket: %w", err)
		}
	}
	if _, err := sc.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("bench-source"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		return nil, fmt.Errorf("put-bucket-versioning: %w", err)
	}
	put, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench-source"), Key: aws.String("app.zip"), Body: bytes.NewReader(zipped[:1024])})
	if err != nil {
		return nil, fmt.Errorf("put-object: %w", err)
	}
	lc := lambda.NewFromConfig(s.sdk())
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("bench-cp"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(fnRole), Code: &lambdatypes.FunctionCode{ZipFile: zipped},
	}); err != nil {
		return nil, fmt.Errorf("create-function: %w", err)
	}
	c := codepipeline.NewFromConfig(s.sdk())
	_, err = c.CreatePipeline(ctx, &codepipeline.CreatePipelineInput{Pipeline: &cptypes.PipelineDeclaration{
		Name: aws.String("bench"), RoleArn: aws.String(roleARN), PipelineType: cptypes.PipelineTypeV2, ExecutionMode: cptypes.ExecutionModeParallel,
		ArtifactStore: &cptypes.ArtifactStore{Type: cptypes.ArtifactStoreTypeS3, Location: aws.String("bench-artifacts")},
		Stages: []cptypes.StageDeclaration{
			{Name: aws.String("Source"), Actions: []cptypes.ActionDeclaration{{Name: aws.String("Source"),
				ActionTypeId:    &cptypes.ActionTypeId{Category: cptypes.ActionCategorySource, Owner: cptypes.ActionOwnerAws, Provider: aws.String("S3"), Version: aws.String("1")},
				Configuration:   map[string]string{"S3Bucket": "bench-source", "S3ObjectKey": "app.zip", "PollForSourceChanges": "false"},
				OutputArtifacts: []cptypes.OutputArtifact{{Name: aws.String("SourceArtifact")}}}}},
			{Name: aws.String("Test"), Actions: []cptypes.ActionDeclaration{{Name: aws.String("Invoke"),
				ActionTypeId:   &cptypes.ActionTypeId{Category: cptypes.ActionCategoryInvoke, Owner: cptypes.ActionOwnerAws, Provider: aws.String("Lambda"), Version: aws.String("1")},
				Configuration:  map[string]string{"FunctionName": "bench-cp"},
				InputArtifacts: []cptypes.InputArtifact{{Name: aws.String("SourceArtifact")}}}}},
		}}})
	if err != nil {
		return nil, fmt.Errorf("create-pipeline: %w", err)
	}
	return &cpState{c: c, version: aws.ToString(put.VersionId)}, nil
}

func cpRun(ctx context.Context, s *server, st any, w, i int) error {
	b := st.(*cpState)
	start, err := b.c.StartPipelineExecution(ctx, &codepipeline.StartPipelineExecutionInput{Name: aws.String("bench")})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := b.c.GetPipelineExecution(ctx, &codepipeline.GetPipelineExecutionInput{PipelineName: aws.String("bench"), PipelineExecutionId: start.PipelineExecutionId})
		if err != nil {
			return err
		}
		ex := out.PipelineExecution
		switch ex.Status {
		case cptypes.PipelineExecutionStatusInProgress:
			if time.Now().After(deadline) {
				return fmt.Errorf("execution still InProgress after 10s")
			}
			time.Sleep(200 * time.Microsecond)
			continue
		case cptypes.PipelineExecutionStatusSucceeded:
			if len(ex.ArtifactRevisions) != 1 || aws.ToString(ex.ArtifactRevisions[0].RevisionId) != b.version {
				return fmt.Errorf("artifact revisions %v; want the source version %s", ex.ArtifactRevisions, b.version)
			}
			return nil
		}
		return fmt.Errorf("execution %s: %s", ex.Status, aws.ToString(ex.StatusSummary))
	}
}
