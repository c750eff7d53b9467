package codepipeline

import (
	"context"
	"encoding/json"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// validJobID matches the model's JobId pattern,
// [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}.
func validJobID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

func checkJobID(id string) error {
	if id == "" {
		return edge.MissingMember("jobId")
	}
	if !validJobID(id) {
		return edge.Validation("1 validation error detected: Value '%s' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", id)
	}
	return nil
}

type approvalInput struct {
	PipelineName string `json:"pipelineName"`
	StageName    string `json:"stageName"`
	ActionName   string `json:"actionName"`
	Result       *struct {
		Summary string `json:"summary"`
		Status  string `json:"status"`
	} `json:"result"`
	Token string `json:"token"`
}

type approvalOutput struct {
	ApprovedAt edge.Epoch `json:"approvedAt"`
}

func (s *Service) putApprovalResult(ctx context.Context, in *approvalInput) (*approvalOutput, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.PipelineName == "":
		return nil, edge.MissingMember("pipelineName")
	case in.StageName == "":
		return nil, edge.MissingMember("stageName")
	case in.ActionName == "":
		return nil, edge.MissingMember("actionName")
	case in.Result == nil:
		return nil, edge.MissingMember("result")
	case in.Token == "":
		return nil, edge.MissingMember("token")
	case in.Result.Status != "Approved" && in.Result.Status != "Rejected":
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'result.status' failed to satisfy constraint: Member must satisfy enum value set: [Approved, Rejected]", in.Result.Status)
	}
	var out *approvalOutput
	err := s.transact(ctx, func(r *run) error {
		p, err := r.pipeline(m.Account, m.Region, in.PipelineName)
		if err != nil {
			return err
		}
		var stage *StageDeclaration
		for i := range p.Decl.Stages {
			if p.Decl.Stages[i].Name == in.StageName {
				stage = &p.Decl.Stages[i]
			}
		}
		if stage == nil {
			return edge.Errorf("StageNotFoundException", "Stage %s not found in pipeline %s", in.StageName, in.PipelineName)
		}
		found := false
		for _, a := range stage.Actions {
			found = found || a.Name == in.ActionName
		}
		if !found {
			return edge.Errorf("ActionNotFoundException", "Action %s not found in stage %s of pipeline %s", in.ActionName, in.StageName, in.PipelineName)
		}
		list, err := r.activeExecs(m.Account, m.Region, in.PipelineName)
		if err != nil {
			return err
		}
		for _, ex := range list {
			for si := range ex.Stages {
				if ex.Stages[si].Name != in.StageName {
					continue
				}
				for ai := range ex.Stages[si].Actions {
					a := &ex.Stages[si].Actions[ai]
					if a.Name != in.ActionName || a.Status != statusInProgress || a.Token != in.Token {
						continue
					}
					a.UpdatedBy = callerARN(m)
					if in.Result.Status == "Approved" {
						r.completeAction(ex, si, ai, statusSucceeded, in.Result.Summary, nil, nil)
					} else {
						r.completeAction(ex, si, ai, statusFailed, in.Result.Summary, &ErrorDetails{Code: "JobFailed", Message: "Rejected by " + callerARN(m)}, nil)
					}
					r.drive(ex)
					out = &approvalOutput{ApprovedAt: edge.Epoch(r.now)}
					return nil
				}
			}
		}
		// A token of an approval that already ended is reported as such.
		if list, err = r.pipelineExecs(m.Account, m.Region, in.PipelineName); err != nil {
			return err
		}
		for _, ex := range list {
			for _, st := range ex.Stages {
				for _, a := range st.Actions {
					if a.Token == in.Token {
						return edge.Errorf("ApprovalAlreadyCompletedException", "The approval action has already been completed")
					}
				}
			}
			for _, p := range ex.Past {
				if p.Run.Token == in.Token {
					return edge.Errorf("ApprovalAlreadyCompletedException", "The approval action has already been completed")
				}
			}
		}
		return edge.Errorf("InvalidApprovalTokenException", "The approval token %s is not valid for action %s in stage %s of pipeline %s", in.Token, in.ActionName, in.StageName, in.PipelineName)
	})
	return out, err
}

type jobSuccessInput struct {
	JobID           string `json:"jobId"`
	CurrentRevision *struct {
		Revision         string `json:"revision"`
		ChangeIdentifier string `json:"changeIdentifier"`
		RevisionSummary  string `json:"revisionSummary"`
	} `json:"currentRevision"`
	ContinuationToken string `json:"continuationToken"`
	ExecutionDetails  *struct {
		Summary             string `json:"summary"`
		ExternalExecutionID string `json:"externalExecutionId"`
		PercentComplete     *int   `json:"percentComplete"`
	} `json:"executionDetails"`
	OutputVariables map[string]string `json:"outputVariables"`
}

// jobForResult loads a job that a worker reports on and the action it
// belongs to; ok is false when the action is no longer waiting for it.
func (r *run) jobForResult(account, id string) (*jobRecord, *execRecord, int, int, bool, error) {
	j, err := loadJob(r.tx, id)
	if err != nil {
		return nil, nil, 0, 0, false, err
	}
	if j.Account != account {
		return nil, nil, 0, 0, false, edge.Errorf("JobNotFoundException", "The job was not found. Job ID: %s", id)
	}
	if jobDone(j.Status) {
		return nil, nil, 0, 0, false, edge.Errorf("InvalidJobStateException", "Job %s is in state %s and cannot be updated", id, j.Status)
	}
	ex, err := r.exec(j.Account, j.Region, j.Pipeline, j.ExecID)
	if err != nil {
		return j, nil, 0, 0, false, nil
	}
	si, ai, ok := findAction(ex, j.ActionExecID)
	if !ok || ex.Stages[si].Actions[ai].Status != statusInProgress || ex.Stages[si].Actions[ai].JobID != j.ID {
		return j, ex, 0, 0, false, nil
	}
	return j, ex, si, ai, true, nil
}

func (s *Service) putJobSuccessResult(ctx context.Context, in *jobSuccessInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if err := checkJobID(in.JobID); err != nil {
		return nil, err
	}
	size := 0
	for k, v := range in.OutputVariables {
		size += len(k) + len(v)
	}
	if size > 122880 {
		return nil, edge.Errorf("OutputVariablesSizeExceededException", "Exceeded the total size limit for all variables in the pipeline")
	}
	err := s.transact(ctx, func(r *run) error {
		j, ex, si, ai, ok, err := r.jobForResult(m.Account, in.JobID)
		if err != nil {
			return err
		}
		j.Status = "Succeeded"
		r.saveJob(j)
		if !ok {
			return nil
		}
		a := &ex.Stages[si].Actions[ai]
		summary := ""
		if d := in.ExecutionDetails; d != nil {
			summary = d.Summary
			if d.ExternalExecutionID != "" {
				a.ExternalID = d.ExternalExecutionID
			}
			a.Percent = d.PercentComplete
		}
		if in.ContinuationToken != "" {
			// The action goes on: a new job carries the token to the next
			// invocation (or the next poll of a job worker).
			if summary != "" {
				a.Summary = summary
			}
			a.Updated = r.now
			if j.Custom {
				nj := r.newJob(ex, si, ai, in.ContinuationToken)
				nj.Status, nj.Custom = "Queued", true
				r.saveJob(nj)
				a.Deadline = r.now.Add(customJobTimeout)
				r.arm(ex, a)
				r.touch(ex)
				return nil
			}
			r.startLambda(ex, si, ai, in.ContinuationToken)
			return nil
		}
		r.completeAction(ex, si, ai, statusSucceeded, summary, nil, in.OutputVariables)
		r.drive(ex)
		return nil
	})
	return &struct{}{}, err
}

type jobFailureInput struct {
	JobID          string `json:"jobId"`
	FailureDetails *struct {
		Type                string `json:"type"`
		Message             string `json:"message"`
		ExternalExecutionID string `json:"externalExecutionId"`
	} `json:"failureDetails"`
}

var failureTypes = []string{"JobFailed", "ConfigurationError", "PermissionError", "RevisionOutOfSync", "RevisionUnavailable", "SystemUnavailable"}

func (s *Service) putJobFailureResult(ctx context.Context, in *jobFailureInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if err := checkJobID(in.JobID); err != nil {
		return nil, err
	}
	if in.FailureDetails == nil {
		return nil, edge.MissingMember("failureDetails")
	}
	if !contains(failureTypes, in.FailureDetails.Type) {
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'failureDetails.type' failed to satisfy constraint: Member must satisfy enum value set: [JobFailed, ConfigurationError, PermissionError, RevisionOutOfSync, RevisionUnavailable, SystemUnavailable]", in.FailureDetails.Type)
	}
	if in.FailureDetails.Message == "" {
		return nil, edge.MissingMember("failureDetails.message")
	}
	err := s.transact(ctx, func(r *run) error {
		j, ex, si, ai, ok, err := r.jobForResult(m.Account, in.JobID)
		if err != nil {
			return err
		}
		j.Status = "Failed"
		r.saveJob(j)
		if !ok {
			return nil
		}
		a := &ex.Stages[si].Actions[ai]
		if in.FailureDetails.ExternalExecutionID != "" {
			a.ExternalID = in.FailureDetails.ExternalExecutionID
		}
		r.completeAction(ex, si, ai, statusFailed, in.FailureDetails.Message,
			&ErrorDetails{Code: in.FailureDetails.Type, Message: in.FailureDetails.Message}, nil)
		r.drive(ex)
		return nil
	})
	return &struct{}{}, err
}

type jobIDInput struct {
	JobID string `json:"jobId"`
	Nonce string `json:"nonce"`
}

type jobDetails struct {
	ID        string  `json:"id"`
	Data      jobData `json:"data"`
	AccountID string  `json:"accountId"`
}

func (s *Service) getJobDetails(ctx context.Context, in *jobIDInput) (*struct {
	JobDetails jobDetails `json:"jobDetails"`
}, error) {
	m := edge.MetaFrom(ctx)
	if err := checkJobID(in.JobID); err != nil {
		return nil, err
	}
	var j *jobRecord
	err := s.st.View(func(tx store.Tx) error {
		var err error
		j, err = loadJob(tx, in.JobID)
		if err == nil && j.Account != m.Account {
			err = edge.Errorf("JobNotFoundException", "The job was not found. Job ID: %s", in.JobID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &struct {
		JobDetails jobDetails `json:"jobDetails"`
	}{jobDetails{ID: j.ID, Data: j.Data, AccountID: j.Account}}, nil
}

func (s *Service) acknowledgeJob(ctx context.Context, in *jobIDInput) (*struct {
	Status string `json:"status"`
}, error) {
	m := edge.MetaFrom(ctx)
	if err := checkJobID(in.JobID); err != nil {
		return nil, err
	}
	if in.Nonce == "" {
		return nil, edge.MissingMember("nonce")
	}
	var status string
	err := s.transact(ctx, func(r *run) error {
		j, err := loadJob(r.tx, in.JobID)
		if err != nil {
			return err
		}
		if j.Account != m.Account {
			return edge.Errorf("JobNotFoundException", "The job was not found. Job ID: %s", in.JobID)
		}
		if j.Nonce != in.Nonce {
			return edge.Errorf("InvalidNonceException", "The nonce %s is not valid for job %s", in.Nonce, in.JobID)
		}
		if j.Status == "Dispatched" {
			j.Status = "InProgress"
			r.saveJob(j)
		}
		status = j.Status
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct {
		Status string `json:"status"`
	}{status}, nil
}

type pollInput struct {
	ActionTypeID *ActionTypeID     `json:"actionTypeId"`
	MaxBatchSize int               `json:"maxBatchSize"`
	QueryParam   map[string]string `json:"queryParam"`
}

type polledJob struct {
	ID        string  `json:"id"`
	Data      jobData `json:"data"`
	Nonce     string  `json:"nonce"`
	AccountID string  `json:"accountId"`
}

func (s *Service) pollForJobs(ctx context.Context, in *pollInput) (*struct {
	Jobs []polledJob `json:"jobs"`
}, error) {
	m := edge.MetaFrom(ctx)
	if in.ActionTypeID == nil {
		return nil, edge.MissingMember("actionTypeId")
	}
	max := in.MaxBatchSize
	if max == 0 {
		max = 1
	}
	if max < 1 || max > 100 {
		return nil, edge.Validation("1 validation error detected: Value '%d' at 'maxBatchSize' failed to satisfy constraint: Member must have value greater than or equal to 1", max)
	}
	jobs := []polledJob{}
	err := s.transact(ctx, func(r *run) error {
		if _, ok := customTypes(r.tx, m.Account, m.Region)(*in.ActionTypeID); !ok {
			return edge.Errorf("ActionTypeNotFoundException", "Action type %s does not exist", fmtActionType(*in.ActionTypeID))
		}
		var queued []*jobRecord
		var err error
		r.tx.Bucket(jobsBucket).Scan(nil, nil, false, func(k, v []byte) bool {
			j := new(jobRecord)
			if err = json.Unmarshal(v, j); err != nil {
				return false
			}
			if j.Status == "Queued" && j.Account == m.Account && j.Region == m.Region && j.TypeID == *in.ActionTypeID {
				for qk, qv := range in.QueryParam {
					if j.Data.ActionConfiguration.Configuration[qk] != qv {
						return true
					}
				}
				queued = append(queued, j)
			}
			return len(queued) < max
		})
		if err != nil {
			return err
		}
		for _, j := range queued {
			j.Status = "Dispatched"
			r.saveJob(j)
			jobs = append(jobs, polledJob{ID: j.ID, Data: j.Data, Nonce: j.Nonce, AccountID: j.Account})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct {
		Jobs []polledJob `json:"jobs"`
	}{jobs}, nil
}

// customType is a stored custom action type.
type customType struct {
	Type ActionType `json:"type"`
	Tags []Tag      `json:"tags,omitempty"`
}

func typeKey(id ActionTypeID) []byte {
	return []byte(id.Category + "/" + id.Provider + "/" + id.Version)
}

type customTypeInput struct {
	Category                string                        `json:"category"`
	Provider                string                        `json:"provider"`
	Version                 string                        `json:"version"`
	Settings                map[string]string             `json:"settings"`
	ConfigurationProperties []ActionConfigurationProperty `json:"configurationProperties"`
	InputArtifactDetails    *ArtifactDetails              `json:"inputArtifactDetails"`
	OutputArtifactDetails   *ArtifactDetails              `json:"outputArtifactDetails"`
	Tags                    []Tag                         `json:"tags"`
}

var categories = []string{"Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute"}

func (s *Service) createCustomActionType(ctx context.Context, in *customTypeInput) (*struct {
	ActionType ActionType `json:"actionType"`
	Tags       []Tag      `json:"tags,omitempty"`
}, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.Category == "":
		return nil, edge.MissingMember("category")
	case !contains(categories, in.Category):
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'category' failed to satisfy constraint: Member must satisfy enum value set: [Source, Build, Deploy, Test, Invoke, Approval, Compute]", in.Category)
	case in.Provider == "":
		return nil, edge.MissingMember("provider")
	case in.Version == "":
		return nil, edge.MissingMember("version")
	case in.InputArtifactDetails == nil:
		return nil, edge.MissingMember("inputArtifactDetails")
	case in.OutputArtifactDetails == nil:
		return nil, edge.MissingMember("outputArtifactDetails")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	t := customType{Type: ActionType{ID: ActionTypeID{Category: in.Category, Owner: "Custom", Provider: in.Provider, Version: in.Version},
		Settings: in.Settings, ActionConfigurationProperties: in.ConfigurationProperties,
		InputArtifactDetails: *in.InputArtifactDetails, OutputArtifactDetails: *in.OutputArtifactDetails}, Tags: in.Tags}
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(typesBucket(m.Account, m.Region))
		if b.Len() >= 50 && b.Get(typeKey(t.Type.ID)) == nil {
			return edge.Errorf("LimitExceededException", "Limit exceeded: maximum number of custom action types (50)")
		}
		return putJSON(b, typeKey(t.Type.ID), &t)
	})
	if err != nil {
		return nil, err
	}
	return &struct {
		ActionType ActionType `json:"actionType"`
		Tags       []Tag      `json:"tags,omitempty"`
	}{t.Type, t.Tags}, nil
}

func (s *Service) deleteCustomActionType(ctx context.Context, in *customTypeInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.Category == "":
		return nil, edge.MissingMember("category")
	case in.Provider == "":
		return nil, edge.MissingMember("provider")
	case in.Version == "":
		return nil, edge.MissingMember("version")
	}
	err := s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(typesBucket(m.Account, m.Region)).Delete(typeKey(ActionTypeID{Category: in.Category, Provider: in.Provider, Version: in.Version}))
	})
	return &struct{}{}, err
}

type listTypesInput struct {
	ActionOwnerFilter string `json:"actionOwnerFilter"`
	NextToken         string `json:"nextToken"`
	RegionFilter      string `json:"regionFilter"`
}

func (s *Service) listActionTypes(ctx context.Context, in *listTypesInput) (*struct {
	ActionTypes []ActionType `json:"actionTypes"`
	NextToken   string       `json:"nextToken,omitempty"`
}, error) {
	m := edge.MetaFrom(ctx)
	switch in.ActionOwnerFilter {
	case "", "AWS", "ThirdParty", "Custom":
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'actionOwnerFilter' failed to satisfy constraint: Member must satisfy enum value set: [AWS, ThirdParty, Custom]", in.ActionOwnerFilter)
	}
	region := m.Region
	if in.RegionFilter != "" {
		region = in.RegionFilter
	}
	var all []ActionType
	if in.ActionOwnerFilter == "" || in.ActionOwnerFilter == "AWS" {
		for _, b := range builtins {
			all = append(all, b.actionType())
		}
	}
	if in.ActionOwnerFilter == "" || in.ActionOwnerFilter == "Custom" {
		err := s.st.View(func(tx store.Tx) error {
			var err error
			tx.Bucket(typesBucket(m.Account, region)).Scan(nil, nil, false, func(k, v []byte) bool {
				var t customType
				if err = json.Unmarshal(v, &t); err != nil {
					return false
				}
				all = append(all, t.Type)
				return true
			})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	start, end, next, err := page(len(all), in.NextToken, 0, 100, 100)
	if err != nil {
		return nil, err
	}
	if all == nil {
		all = []ActionType{}
	}
	return &struct {
		ActionTypes []ActionType `json:"actionTypes"`
		NextToken   string       `json:"nextToken,omitempty"`
	}{append([]ActionType{}, all[start:end]...), next}, nil
}
