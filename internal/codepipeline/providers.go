package codepipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"

	"tenkai/internal/edge"
)

// redispatch restarts the provider call of an action that was in progress
// without a deadline (a synchronous provider interrupted by a restart).
func (r *run) redispatch(ex *execRecord, si, ai int) {
	id := ex.Decl.Stages[si].Actions[ai].ActionTypeID
	switch {
	case id.Category == "Source" && id.Provider == "S3":
		r.startS3Source(ex, si, ai)
	case id.Category == "Deploy" && id.Provider == "S3":
		r.startS3Deploy(ex, si, ai)
	default:
		r.completeAction(ex, si, ai, statusFailed, "", &ErrorDetails{Code: "JobFailed",
			Message: "The action was interrupted by a restart of the service"}, nil)
	}
}

func (r *run) failNow(ex *execRecord, si, ai int, format string, args ...any) {
	r.completeAction(ex, si, ai, statusFailed, "", &ErrorDetails{Code: "JobFailed", Message: fmt.Sprintf(format, args...)}, nil)
}

// startS3Source copies the source object version to the artifact store.
func (r *run) startS3Source(ex *execRecord, si, ai int) {
	s := r.s
	a := &ex.Stages[si].Actions[ai]
	if s.cfg.Objects == nil {
		r.failNow(ex, si, ai, "S3 is not available to the pipeline")
		return
	}
	ref := refOf(ex, a)
	bucket, key := a.Resolved["S3Bucket"], a.Resolved["S3ObjectKey"]
	version := ex.SourceVersions[a.Name]
	var out ArtifactDetail
	if len(a.Outputs) > 0 {
		out = a.Outputs[0]
	}
	r.effects = append(r.effects, func(ctx context.Context) {
		data, obj, err := s.cfg.Objects.GetObject(ctx, ref.account, ref.region, bucket, key, version)
		if err != nil {
			s.finishAction(ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed",
				Message: fmt.Sprintf("Could not access object %s in bucket %s: %s", key, bucket, awsMessage(err))}, nil, nil)
			return
		}
		if obj.VersionID == "" {
			s.finishAction(ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed",
				Message: fmt.Sprintf("Bucket %s is not versioned. The Amazon S3 source action requires a bucket with versioning enabled.", bucket)}, nil, nil)
			return
		}
		if out.S3Location != nil {
			if _, err := s.cfg.Objects.PutObject(ctx, ref.account, ref.region, out.S3Location.Bucket, out.S3Location.Key, data); err != nil {
				s.finishAction(ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed",
					Message: fmt.Sprintf("Could not write artifact %s to bucket %s: %s", out.Name, out.S3Location.Bucket, awsMessage(err))}, nil, nil)
				return
			}
		}
		vars := map[string]string{"ETag": strings.Trim(obj.ETag, `"`), "VersionId": obj.VersionID}
		s.finishAction(ctx, ref, statusSucceeded, "Amazon S3 version id: "+obj.VersionID, nil, vars, func(ex *execRecord, a *actionRun) {
			a.ExternalID = obj.VersionID
			if ex.ArtifactRevs == nil {
				ex.ArtifactRevs = map[string]string{}
			}
			if out.Name != "" {
				ex.ArtifactRevs[out.Name] = obj.VersionID
			}
			created := edge.Epoch(obj.LastModified)
			ex.Revisions = append(ex.Revisions, ArtifactRevision{Name: out.Name, RevisionID: obj.VersionID,
				RevisionChangeIdentifier: obj.LastModified.UTC().Format("2006-01-02T15:04:05.000Z"),
				RevisionSummary:          "Amazon S3 version id: " + obj.VersionID, Created: &created})
			ex.SourceRevs = append(ex.SourceRevs, SourceRevision{ActionName: a.Name, RevisionID: obj.VersionID,
				RevisionSummary: "Amazon S3 version id: " + obj.VersionID})
		})
	})
}

// awsMessage is the message of an AWS fault, or the error text.
func awsMessage(err error) string {
	if e, ok := err.(*edge.Error); ok {
		return e.Message
	}
	return err.Error()
}

// newJob builds the job of an action execution.
func (r *run) newJob(ex *execRecord, si, ai int, continuation string) *jobRecord {
	decl := ex.Decl.Stages[si].Actions[ai]
	a := &ex.Stages[si].Actions[ai]
	j := &jobRecord{ID: r.s.cfg.NewID(), Account: ex.Account, Region: ex.Region, Pipeline: ex.Pipeline, ExecID: ex.ID,
		Stage: ex.Stages[si].Name, Action: a.Name, ActionExecID: a.ExecID, TypeID: decl.ActionTypeID,
		Nonce: fmt.Sprint(r.now.UnixNano() % 1000000)}
	cfg := a.Resolved
	if cfg == nil {
		cfg = map[string]string{}
	}
	j.Data = jobData{ActionTypeID: decl.ActionTypeID, ActionConfiguration: actionConfig{Configuration: cfg},
		PipelineContext: pipelineContext{PipelineName: ex.Pipeline, Stage: map[string]any{"name": ex.Stages[si].Name},
			Action:      map[string]any{"name": a.Name, "actionExecutionId": a.ExecID},
			PipelineArn: pipelineARN(ex.Account, ex.Region, ex.Pipeline), PipelineExecutionID: ex.ID},
		ArtifactCredentials: Credentials{AccessKeyID: ex.Account, SecretAccessKey: "tenkai-artifact-secret", SessionToken: "tenkai-session-" + j.ID},
		ContinuationToken:   continuation,
		InputArtifacts:      []Artifact{}, OutputArtifacts: []Artifact{},
	}
	if ex.Decl.ArtifactStore != nil {
		j.Data.EncryptionKey = ex.Decl.ArtifactStore.EncryptionKey
	}
	for _, in := range a.Inputs {
		var rev *string
		if v, ok := ex.ArtifactRevs[in.Name]; ok {
			rev = &v
		}
		j.Data.InputArtifacts = append(j.Data.InputArtifacts, Artifact{Name: in.Name, Revision: rev,
			Location: ArtifactLocation{Type: "S3", S3Location: S3ArtifactLocation{BucketName: in.S3Location.Bucket, ObjectKey: in.S3Location.Key}}})
	}
	for _, out := range a.Outputs {
		j.Data.OutputArtifacts = append(j.Data.OutputArtifacts, Artifact{Name: out.Name,
			Location: ArtifactLocation{Type: "S3", S3Location: S3ArtifactLocation{BucketName: out.S3Location.Bucket, ObjectKey: out.S3Location.Key}}})
	}
	a.JobID = j.ID
	return j
}

// lambdaEvent is the event a Lambda invoke action sends, as the CodePipeline
// user guide's example shows it.
func lambdaEvent(j *jobRecord, expires int64) []byte {
	data := map[string]any{
		"actionConfiguration": map[string]any{"configuration": j.Data.ActionConfiguration.Configuration},
		"inputArtifacts":      j.Data.InputArtifacts,
		"outputArtifacts":     j.Data.OutputArtifacts,
		"artifactCredentials": map[string]any{
			"accessKeyId":     j.Data.ArtifactCredentials.AccessKeyID,
			"secretAccessKey": j.Data.ArtifactCredentials.SecretAccessKey,
			"sessionToken":    j.Data.ArtifactCredentials.SessionToken,
			"expirationTime":  expires,
		},
	}
	if j.Data.ContinuationToken != "" {
		data["continuationToken"] = j.Data.ContinuationToken
	}
	if j.Data.EncryptionKey != nil {
		data["encryptionKey"] = j.Data.EncryptionKey
	}
	b, _ := json.Marshal(map[string]any{"CodePipeline.job": map[string]any{"id": j.ID, "accountId": j.Account, "data": data}})
	return b
}

// startLambda queues an Event invocation with a new job; the action ends
// when the function reports with PutJobSuccessResult or PutJobFailureResult,
// or when 20 minutes pass without a report.
func (r *run) startLambda(ex *execRecord, si, ai int, continuation string) {
	s := r.s
	a := &ex.Stages[si].Actions[ai]
	if s.cfg.Functions == nil {
		r.failNow(ex, si, ai, "Lambda is not available to the pipeline")
		return
	}
	j := r.newJob(ex, si, ai, continuation)
	j.Status = "InProgress"
	r.saveJob(j)
	// Each job has 20 minutes to report; continuations restart that clock
	// but the action as a whole ends after 24 hours.
	a.Deadline = r.now.Add(lambdaJobTimeout)
	if limit := a.Start.Add(lambdaActionTimeout); a.Deadline.After(limit) {
		a.Deadline = limit
	}
	r.arm(ex, a)
	r.touch(ex)
	ref := refOf(ex, a)
	fn := a.Resolved["FunctionName"]
	payload := lambdaEvent(j, a.Deadline.UnixMilli())
	r.effects = append(r.effects, func(ctx context.Context) {
		if err := s.cfg.Functions.InvokeAsync(ctx, ref.account, ref.region, fn, payload); err != nil {
			s.finishAction(ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed",
				Message: fmt.Sprintf("Error invoking Lambda function %s: %s", fn, awsMessage(err))}, nil, nil)
		}
	})
}

// startStepFunctions starts a state machine execution for the action.
func (r *run) startStepFunctions(ex *execRecord, si, ai int) {
	s := r.s
	a := &ex.Stages[si].Actions[ai]
	if s.cfg.StateMachines == nil {
		r.failNow(ex, si, ai, "Step Functions is not available to the pipeline")
		return
	}
	ref := refOf(ex, a)
	arn := a.Resolved["StateMachineArn"]
	name := a.Resolved["ExecutionNamePrefix"]
	if name != "" {
		name += "-"
	}
	name = truncate(name+ex.ID, 80)
	input := []byte(a.Resolved["Input"])
	if len(input) == 0 {
		input = []byte("{}")
	}
	r.effects = append(r.effects, func(ctx context.Context) {
		_, err := s.cfg.StateMachines.StartExecution(ctx, ref.account, ref.region, arn, name, input,
			func(execARN, status string, output []byte, cause string) {
				setID := func(ex *execRecord, a *actionRun) { a.ExternalID = execARN }
				if status == "SUCCEEDED" {
					vars := map[string]string{"StateMachineArn": arn, "ExecutionArn": execARN}
					s.finishAction(s.ctx, ref, statusSucceeded, "", nil, vars, setID)
					return
				}
				s.finishAction(s.ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed",
					Message: fmt.Sprintf("Execution %s ended with status %s: %s", execARN, status, cause)}, nil, setID)
			})
		if err != nil {
			s.finishAction(ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed", Message: awsMessage(err)}, nil, nil)
		}
	})
}

// startCodeDeploy deploys the input artifact with CodeDeploy.
func (r *run) startCodeDeploy(ex *execRecord, si, ai int) {
	s := r.s
	a := &ex.Stages[si].Actions[ai]
	if s.cfg.Deployments == nil || len(a.Inputs) == 0 {
		r.failNow(ex, si, ai, "CodeDeploy is not available to the pipeline")
		return
	}
	ref := refOf(ex, a)
	app, group := a.Resolved["ApplicationName"], a.Resolved["DeploymentGroupName"]
	in := *a.Inputs[0].S3Location
	r.effects = append(r.effects, func(ctx context.Context) {
		_, err := s.cfg.Deployments.CreateDeployment(ctx, ref.account, ref.region, app, group, in.Bucket, in.Key, "zip",
			func(id, status, message string) {
				setID := func(ex *execRecord, a *actionRun) { a.ExternalID = id }
				if status == "Succeeded" {
					s.finishAction(s.ctx, ref, statusSucceeded, "Deployment "+id+" succeeded", nil, nil, setID)
					return
				}
				s.finishAction(s.ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed",
					Message: fmt.Sprintf("Deployment %s %s: %s", id, strings.ToLower(status), message)}, nil, setID)
			})
		if err != nil {
			s.finishAction(ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed", Message: awsMessage(err)}, nil, nil)
		}
	})
}

// startS3Deploy copies (or, with Extract, unzips) the input artifact into a bucket.
func (r *run) startS3Deploy(ex *execRecord, si, ai int) {
	s := r.s
	a := &ex.Stages[si].Actions[ai]
	if s.cfg.Objects == nil || len(a.Inputs) == 0 {
		r.failNow(ex, si, ai, "S3 is not available to the pipeline")
		return
	}
	ref := refOf(ex, a)
	in := *a.Inputs[0].S3Location
	bucket, key, extract := a.Resolved["BucketName"], a.Resolved["ObjectKey"], strings.EqualFold(a.Resolved["Extract"], "true")
	r.effects = append(r.effects, func(ctx context.Context) {
		fail := func(err error) {
			s.finishAction(ctx, ref, statusFailed, "", &ErrorDetails{Code: "JobFailed", Message: awsMessage(err)}, nil, nil)
		}
		data, _, err := s.cfg.Objects.GetObject(ctx, ref.account, ref.region, in.Bucket, in.Key, "")
		if err != nil {
			fail(err)
			return
		}
		if !extract {
			if key == "" {
				fail(fmt.Errorf("ObjectKey is required when Extract is false"))
				return
			}
			if _, err := s.cfg.Objects.PutObject(ctx, ref.account, ref.region, bucket, key, data); err != nil {
				fail(err)
			}
			s.finishAction(ctx, ref, statusSucceeded, "", nil, nil, nil)
			return
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			fail(fmt.Errorf("the input artifact is not a zip file: %w", err))
			return
		}
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				fail(err)
				return
			}
			body, err := io.ReadAll(io.LimitReader(rc, 1<<30))
			rc.Close()
			if err != nil {
				fail(err)
				return
			}
			if _, err := s.cfg.Objects.PutObject(ctx, ref.account, ref.region, bucket, path.Join(key, f.Name), body); err != nil {
				fail(err)
				return
			}
		}
		s.finishAction(ctx, ref, statusSucceeded, "", nil, nil, nil)
	})
}
