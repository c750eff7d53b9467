package codepipeline

import (
	"context"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type startInput struct {
	Name      string `json:"name"`
	Variables []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"variables"`
	ClientRequestToken string `json:"clientRequestToken"`
	SourceRevisions    []struct {
		ActionName    string `json:"actionName"`
		RevisionType  string `json:"revisionType"`
		RevisionValue string `json:"revisionValue"`
	} `json:"sourceRevisions"`
}

type executionIDOutput struct {
	PipelineExecutionID string `json:"pipelineExecutionId"`
}

// resolveVariables merges given values with a V2 pipeline's declared
// variables and their defaults.
func resolveVariables(decl *PipelineDeclaration, given map[string]string) ([]ResolvedVariable, error) {
	var out []ResolvedVariable
	for name := range given {
		found := false
		for _, v := range decl.Variables {
			found = found || v.Name == name
		}
		if !found {
			return nil, edge.Validation("Variable %s is not declared in the pipeline", name)
		}
	}
	for _, v := range decl.Variables {
		val, ok := given[v.Name]
		if !ok {
			val = v.DefaultValue
		}
		if !ok && v.DefaultValue == "" {
			return nil, edge.Validation("Variable %s has no default value, a value must be provided when starting the pipeline execution", v.Name)
		}
		out = append(out, ResolvedVariable{Name: v.Name, ResolvedValue: val})
	}
	return out, nil
}

func (s *Service) startPipelineExecution(ctx context.Context, in *startInput) (*executionIDOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	var out *executionIDOutput
	err := s.transact(ctx, func(r *run) error {
		p, err := r.pipeline(m.Account, m.Region, in.Name)
		if err != nil {
			return err
		}
		if in.ClientRequestToken != "" {
			list, err := r.pipelineExecs(m.Account, m.Region, in.Name)
			if err != nil {
				return err
			}
			for _, ex := range list {
				if ex.ClientToken == in.ClientRequestToken {
					out = &executionIDOutput{ex.ID}
					return nil
				}
			}
		}
		given := map[string]string{}
		for _, v := range in.Variables {
			given[v.Name] = v.Value
		}
		if len(given) > 0 && p.Decl.PipelineType != "V2" {
			return edge.Validation("Pipeline variables are only supported for pipelines of type V2")
		}
		vars, err := resolveVariables(&p.Decl, given)
		if err != nil {
			return err
		}
		versions := map[string]string{}
		for _, sr := range in.SourceRevisions {
			var decl *ActionDeclaration
			for _, a := range p.Decl.Stages[0].Actions {
				if a.Name == sr.ActionName {
					decl = &a
				}
			}
			if decl == nil {
				return edge.Validation("Action %s is not a source action of pipeline %s", sr.ActionName, in.Name)
			}
			if decl.ActionTypeID.Provider != "S3" || sr.RevisionType != "S3_OBJECT_VERSION_ID" {
				return edge.Validation("Revision type %s is not supported for action %s", sr.RevisionType, sr.ActionName)
			}
			versions[sr.ActionName] = sr.RevisionValue
		}
		ex := r.newExecution(m.Account, m.Region, p, ExecutionTrigger{TriggerType: "StartPipelineExecution", TriggerDetail: callerARN(m)},
			vars, versions, in.ClientRequestToken)
		out = &executionIDOutput{ex.ID}
		return nil
	})
	return out, err
}

type stopInput struct {
	PipelineName        string `json:"pipelineName"`
	PipelineExecutionID string `json:"pipelineExecutionId"`
	Abandon             bool   `json:"abandon"`
	Reason              string `json:"reason"`
}

func (s *Service) stopPipelineExecution(ctx context.Context, in *stopInput) (*executionIDOutput, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.PipelineName == "":
		return nil, edge.MissingMember("pipelineName")
	case in.PipelineExecutionID == "":
		return nil, edge.MissingMember("pipelineExecutionId")
	}
	err := s.transact(ctx, func(r *run) error {
		if _, err := r.pipeline(m.Account, m.Region, in.PipelineName); err != nil {
			return err
		}
		ex, err := r.exec(m.Account, m.Region, in.PipelineName, in.PipelineExecutionID)
		if err != nil {
			return err
		}
		switch {
		case ex.Status == statusStopping && !in.Abandon:
			return edge.Errorf("DuplicatedStopRequestException", "Execution %s is already stopping", ex.ID)
		case ex.Status != statusInProgress && ex.Status != statusStopping:
			return edge.Errorf("PipelineExecutionNotStoppableException", "Unable to stop pipeline execution %s with status %s. Only InProgress executions can be stopped.", ex.ID, ex.Status)
		}
		ex.StopReason, ex.StopAbandon = in.Reason, in.Abandon
		if ex.Status == statusInProgress {
			ex.Status = statusStopping
			r.touch(ex)
			r.pipelineEvent(ex, "STOPPING")
			if ex.Waiting < 0 {
				ex.Stages[ex.Cur].Status = statusStopping
				r.stageEvent(ex, ex.Cur, "STOPPING")
			}
		}
		if in.Abandon && ex.Waiting < 0 {
			for ai := range ex.Stages[ex.Cur].Actions {
				if ex.Stages[ex.Cur].Actions[ai].Status == statusInProgress {
					r.completeAction(ex, ex.Cur, ai, statusAbandoned, "", nil, nil)
				}
			}
		}
		r.drive(ex)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &executionIDOutput{in.PipelineExecutionID}, nil
}

type execInput struct {
	PipelineName        string `json:"pipelineName"`
	PipelineExecutionID string `json:"pipelineExecutionId"`
}

type pipelineExecution struct {
	PipelineName        string             `json:"pipelineName"`
	PipelineVersion     int                `json:"pipelineVersion"`
	PipelineExecutionID string             `json:"pipelineExecutionId"`
	Status              string             `json:"status"`
	StatusSummary       string             `json:"statusSummary,omitempty"`
	ArtifactRevisions   []ArtifactRevision `json:"artifactRevisions"`
	Variables           []ResolvedVariable `json:"variables,omitempty"`
	Trigger             ExecutionTrigger   `json:"trigger"`
	ExecutionMode       string             `json:"executionMode"`
	ExecutionType       string             `json:"executionType"`
}

func (s *Service) getPipelineExecution(ctx context.Context, in *execInput) (*struct {
	PipelineExecution pipelineExecution `json:"pipelineExecution"`
}, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.PipelineName == "":
		return nil, edge.MissingMember("pipelineName")
	case in.PipelineExecutionID == "":
		return nil, edge.MissingMember("pipelineExecutionId")
	}
	var ex *execRecord
	err := s.st.View(func(tx store.Tx) error {
		if _, err := loadPipeline(tx, m.Account, m.Region, in.PipelineName); err != nil {
			return err
		}
		var err error
		ex, err = loadExec(tx, m.Account, m.Region, in.PipelineName, in.PipelineExecutionID)
		return err
	})
	if err != nil {
		return nil, err
	}
	revs := ex.Revisions
	if revs == nil {
		revs = []ArtifactRevision{}
	}
	return &struct {
		PipelineExecution pipelineExecution `json:"pipelineExecution"`
	}{pipelineExecution{PipelineName: ex.Pipeline, PipelineVersion: ex.Decl.Version, PipelineExecutionID: ex.ID,
		Status: ex.Status, StatusSummary: ex.statusSummary(), ArtifactRevisions: revs, Variables: ex.Variables,
		Trigger: ex.Trigger, ExecutionMode: ex.Mode, ExecutionType: "STANDARD"}}, nil
}

// statusSummary is the text GetPipelineExecution and the summaries show.
func (ex *execRecord) statusSummary() string {
	switch ex.Status {
	case statusStopped, statusStopping:
		return ex.StopReason
	case statusFailed:
		return ex.Summary
	}
	return ""
}

type listExecutionsInput struct {
	PipelineName string `json:"pipelineName"`
	MaxResults   int    `json:"maxResults"`
	NextToken    string `json:"nextToken"`
	Filter       *struct {
		SucceededInStage *struct {
			StageName string `json:"stageName"`
		} `json:"succeededInStage"`
	} `json:"filter"`
}

type executionSummary struct {
	PipelineExecutionID string           `json:"pipelineExecutionId"`
	Status              string           `json:"status"`
	StatusSummary       string           `json:"statusSummary,omitempty"`
	StartTime           edge.Epoch       `json:"startTime"`
	LastUpdateTime      edge.Epoch       `json:"lastUpdateTime"`
	SourceRevisions     []SourceRevision `json:"sourceRevisions"`
	Trigger             ExecutionTrigger `json:"trigger"`
	StopTrigger         *struct {
		Reason string `json:"reason"`
	} `json:"stopTrigger,omitempty"`
	ExecutionMode string `json:"executionMode"`
	ExecutionType string `json:"executionType"`
}

func (s *Service) listPipelineExecutions(ctx context.Context, in *listExecutionsInput) (*struct {
	PipelineExecutionSummaries []executionSummary `json:"pipelineExecutionSummaries"`
	NextToken                  string             `json:"nextToken,omitempty"`
}, error) {
	m := edge.MetaFrom(ctx)
	if in.PipelineName == "" {
		return nil, edge.MissingMember("pipelineName")
	}
	var list []*execRecord
	err := s.st.View(func(tx store.Tx) error {
		if _, err := loadPipeline(tx, m.Account, m.Region, in.PipelineName); err != nil {
			return err
		}
		var err error
		list, err = pipelineExecs(tx, m.Account, m.Region, in.PipelineName)
		return err
	})
	if err != nil {
		return nil, err
	}
	var all []executionSummary
	for _, ex := range list {
		if in.Filter != nil && in.Filter.SucceededInStage != nil {
			ok := false
			for _, st := range ex.Stages {
				ok = ok || (st.Name == in.Filter.SucceededInStage.StageName && st.Status == statusSucceeded)
			}
			if !ok {
				continue
			}
		}
		sum := executionSummary{PipelineExecutionID: ex.ID, Status: ex.Status, StatusSummary: ex.statusSummary(),
			StartTime: edge.Epoch(ex.Start), LastUpdateTime: edge.Epoch(ex.Updated), SourceRevisions: ex.SourceRevs,
			Trigger: ex.Trigger, ExecutionMode: ex.Mode, ExecutionType: "STANDARD"}
		if sum.SourceRevisions == nil {
			sum.SourceRevisions = []SourceRevision{}
		}
		if ex.Status == statusStopped || ex.Status == statusStopping {
			sum.StopTrigger = &struct {
				Reason string `json:"reason"`
			}{ex.StopReason}
		}
		all = append(all, sum)
	}
	start, end, next, err := page(len(all), in.NextToken, in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	return &struct {
		PipelineExecutionSummaries []executionSummary `json:"pipelineExecutionSummaries"`
		NextToken                  string             `json:"nextToken,omitempty"`
	}{append([]executionSummary{}, all[start:end]...), next}, nil
}

type retryInput struct {
	PipelineName        string `json:"pipelineName"`
	StageName           string `json:"stageName"`
	PipelineExecutionID string `json:"pipelineExecutionId"`
	RetryMode           string `json:"retryMode"`
}

func (s *Service) retryStageExecution(ctx context.Context, in *retryInput) (*executionIDOutput, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.PipelineName == "":
		return nil, edge.MissingMember("pipelineName")
	case in.StageName == "":
		return nil, edge.MissingMember("stageName")
	case in.PipelineExecutionID == "":
		return nil, edge.MissingMember("pipelineExecutionId")
	case in.RetryMode != "FAILED_ACTIONS" && in.RetryMode != "ALL_ACTIONS":
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'retryMode' failed to satisfy constraint: Member must satisfy enum value set: [FAILED_ACTIONS, ALL_ACTIONS]", in.RetryMode)
	}
	err := s.transact(ctx, func(r *run) error {
		p, err := r.pipeline(m.Account, m.Region, in.PipelineName)
		if err != nil {
			return err
		}
		si := -1
		for i, st := range p.Decl.Stages {
			if st.Name == in.StageName {
				si = i
			}
		}
		if si < 0 {
			return edge.Errorf("StageNotFoundException", "Stage %s not found in pipeline %s", in.StageName, in.PipelineName)
		}
		ex, err := r.exec(m.Account, m.Region, in.PipelineName, in.PipelineExecutionID)
		if err != nil {
			return err
		}
		list, err := r.pipelineExecs(m.Account, m.Region, in.PipelineName)
		if err != nil {
			return err
		}
		for _, o := range list {
			if o.Seq > ex.Seq && si < len(o.Stages) && o.Stages[si].Status != "" {
				return edge.Errorf("NotLatestPipelineExecutionException", "Stage %s was not run by the latest pipeline execution %s", in.StageName, ex.ID)
			}
		}
		if ex.Decl.Version != p.Decl.Version || ex.Cur != si || (ex.Status != statusFailed && ex.Status != statusStopped) ||
			(ex.Stages[si].Status != statusFailed && ex.Stages[si].Status != statusStopped) {
			return edge.Errorf("StageNotRetryableException", "Unable to retry. The pipeline structure or stage state might have changed while actions awaited retry, or the stage contains no failed actions")
		}
		st := &ex.Stages[si]
		for ai := range st.Actions {
			a := &st.Actions[ai]
			failed := a.Status == statusFailed || a.Status == statusAbandoned
			if a.Status != "" && (failed || in.RetryMode == "ALL_ACTIONS") {
				ex.Past = append(ex.Past, pastAction{Stage: st.Name, Run: *a})
				*a = actionRun{Name: a.Name}
			}
		}
		st.Status = statusInProgress
		ex.Status, ex.Summary, ex.StopReason, ex.Waiting = statusInProgress, "", "", -1
		ex.Attempt++
		r.touch(ex)
		r.pipelineEvent(ex, "RESUMED")
		r.stageEvent(ex, si, "RESUMED")
		r.drive(ex)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &executionIDOutput{in.PipelineExecutionID}, nil
}

// onObjectChange starts executions of pipelines whose S3 source watches the
// changed object, standing in for both polling and the CloudTrail-backed
// EventBridge rule AWS uses.
func (s *Service) onObjectChange(ev ObjectChange) {
	if !strings.HasPrefix(ev.Name, "ObjectCreated:") || !s.isWatched(ev.Bucket) {
		return
	}
	s.goBackground(func(ctx context.Context) {
		s.startForChange(ctx, ev)
	})
}

func (s *Service) startForChange(ctx context.Context, ev ObjectChange) {
	type hit struct {
		account, region, pipeline, action string
		poll                              bool
	}
	var hits []hit
	s.st.View(func(tx store.Tx) error {
		tx.BucketNames("codepipeline/pipelines/", func(name string) bool {
			parts := strings.Split(name, "/")
			if len(parts) != 4 || parts[2] != ev.Owner {
				return true
			}
			tx.Bucket(name).Scan(nil, nil, false, func(k, v []byte) bool {
				var p pipelineRecord
				if getJSON(tx.Bucket(name), k, &p); len(p.Decl.Stages) == 0 {
					return true
				}
				for _, a := range p.Decl.Stages[0].Actions {
					id := a.ActionTypeID
					if id.Provider == "S3" && id.Category == "Source" && a.Configuration["S3Bucket"] == ev.Bucket && a.Configuration["S3ObjectKey"] == ev.Key {
						hits = append(hits, hit{parts[2], parts[3], p.Decl.Name, a.Name, !strings.EqualFold(a.Configuration["PollForSourceChanges"], "false")})
					}
				}
				return true
			})
			return true
		})
		return nil
	})
	for _, h := range hits {
		trigger := ExecutionTrigger{TriggerType: "PollForSourceChanges", TriggerDetail: h.action}
		if !h.poll {
			trigger = ExecutionTrigger{TriggerType: "CloudWatchEvent", TriggerDetail: "arn:aws:events:" + h.region + ":" + h.account + ":rule/codepipeline-" + h.pipeline}
		}
		err := s.transact(ctx, func(r *run) error {
			p, err := r.pipeline(h.account, h.region, h.pipeline)
			if err != nil {
				return nil
			}
			vars, err := resolveVariables(&p.Decl, nil)
			if err != nil {
				return err
			}
			var versions map[string]string
			if ev.VersionID != "" {
				versions = map[string]string{h.action: ev.VersionID}
			}
			r.newExecution(h.account, h.region, p, trigger, vars, versions, "")
			return nil
		})
		if err != nil {
			s.log.Warn("codepipeline: start on source change", "pipeline", h.pipeline, "err", err)
		}
	}
}
