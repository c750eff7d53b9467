package app

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"tenkai/internal/codedeploy"
	"tenkai/internal/codepipeline"
	"tenkai/internal/edge"
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

// pipelineDeployments runs CodeDeploy deploy actions; CodeDeploy is
// resolved at call time because it is registered after CodePipeline.
type pipelineDeployments struct{ a *App }

func (d pipelineDeployments) CreateDeployment(ctx context.Context, account, region, application, group, bucket, key, bundleType string,
	done func(deploymentID, status, message string)) (string, error) {
	cd := d.a.codeDeploy()
	if cd == nil {
		return "", errors.New("CodeDeploy is not available")
	}
	id, err := cd.Deploy(ctx, account, region, application, group,
		codedeploy.Revision{S3Bucket: bucket, S3Key: key, BundleType: bundleType}, "Deployment from CodePipeline")
	if err != nil {
		return "", err
	}
	ch := cd.Done(account, region, id)
	go func() {
		r, ok := <-ch
		if !ok {
			done(id, "Failed", "the deployment ended without a result")
			return
		}
		done(id, r.Status, r.Message)
	}()
	return id, nil
}

// pipelineStateMachines runs StepFunctions invoke actions and watches each
// execution through DescribeExecution until it ends.
type pipelineStateMachines struct{ a *App }

func (m pipelineStateMachines) StartExecution(ctx context.Context, account, region, machineARN, name string, input []byte,
	done func(executionARN, status string, output []byte, cause string)) (string, error) {
	if m.a.sfn == nil {
		return "", errors.New("Step Functions is not available")
	}
	in := string(input)
	x, err := m.a.sfn.StartExecution(ctx, machineARN, name, &in, "")
	if err != nil {
		return "", err
	}
	arn := x.ARN
	meta := &edge.Meta{RequestID: edge.NewUUID(), Account: account, Region: region, Service: "states", Operation: "DescribeExecution"}
	body, _ := json.Marshal(map[string]string{"executionArn": arn})
	go func() {
		wait := 5 * time.Millisecond
		for {
			time.Sleep(wait)
			if wait < time.Second {
				wait *= 2
			}
			out, err := m.a.sfn.Op("DescribeExecution")(edge.WithMeta(context.Background(), meta), body)
			if err != nil {
				done(arn, "FAILED", nil, err.Error())
				return
			}
			raw, _ := json.Marshal(out)
			var d struct {
				Status string  `json:"status"`
				Output *string `json:"output"`
				Error  string  `json:"error"`
				Cause  string  `json:"cause"`
			}
			if err := json.Unmarshal(raw, &d); err != nil {
				done(arn, "FAILED", nil, err.Error())
				return
			}
			if d.Status == "RUNNING" || d.Status == "PENDING_REDRIVE" {
				continue
			}
			var output []byte
			if d.Output != nil {
				output = []byte(*d.Output)
			}
			cause := d.Cause
			if d.Error != "" {
				cause = d.Error + ": " + d.Cause
			}
			done(arn, d.Status, output, cause)
			return
		}
	}()
	return arn, nil
}

// newCodePipeline builds CodePipeline with its integrations.
func (a *App) newCodePipeline() *codepipeline.Service {
	return codepipeline.New(codepipeline.Config{Store: a.Store, Clock: a.Clock, Logger: a.log,
		Functions: lambdaFunctions{a}, Objects: pipelineObjects{a}, Changes: pipelineChanges{a}, Events: pipelineEvents{a},
		StateMachines: pipelineStateMachines{a}, Deployments: pipelineDeployments{a}})
}

var (
	_ codepipeline.FunctionInvoker = lambdaFunctions{}
	_ codepipeline.ObjectStore     = pipelineObjects{}
	_ codepipeline.ChangeFeed      = pipelineChanges{}
	_ codepipeline.EventPublisher  = pipelineEvents{}
	_ codepipeline.StateMachines   = pipelineStateMachines{}
	_ codepipeline.Deployments     = pipelineDeployments{}
)
