package codepipeline

import (
	"context"
	"sort"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type actionExecution struct {
	ActionExecutionID    string        `json:"actionExecutionId,omitempty"`
	Status               string        `json:"status"`
	Summary              string        `json:"summary,omitempty"`
	LastStatusChange     edge.Epoch    `json:"lastStatusChange"`
	Token                string        `json:"token,omitempty"`
	LastUpdatedBy        string        `json:"lastUpdatedBy,omitempty"`
	ExternalExecutionID  string        `json:"externalExecutionId,omitempty"`
	ExternalExecutionURL string        `json:"externalExecutionUrl,omitempty"`
	PercentComplete      *int          `json:"percentComplete,omitempty"`
	ErrorDetails         *ErrorDetails `json:"errorDetails,omitempty"`
}

type actionState struct {
	ActionName      string           `json:"actionName"`
	CurrentRevision *actionRevision  `json:"currentRevision,omitempty"`
	LatestExecution *actionExecution `json:"latestExecution,omitempty"`
	EntityURL       string           `json:"entityUrl,omitempty"`
}

type actionRevision struct {
	RevisionID       string     `json:"revisionId"`
	RevisionChangeID string     `json:"revisionChangeId"`
	Created          edge.Epoch `json:"created"`
}

type stageExecution struct {
	PipelineExecutionID string `json:"pipelineExecutionId"`
	Status              string `json:"status"`
	Type                string `json:"type,omitempty"`
}

type transitionState struct {
	Enabled        bool        `json:"enabled"`
	LastChangedBy  string      `json:"lastChangedBy,omitempty"`
	LastChangedAt  *edge.Epoch `json:"lastChangedAt,omitempty"`
	DisabledReason string      `json:"disabledReason,omitempty"`
}

type stageState struct {
	StageName              string           `json:"stageName"`
	InboundExecution       *stageExecution  `json:"inboundExecution,omitempty"`
	InboundExecutions      []stageExecution `json:"inboundExecutions,omitempty"`
	InboundTransitionState transitionState  `json:"inboundTransitionState"`
	ActionStates           []actionState    `json:"actionStates"`
	LatestExecution        *stageExecution  `json:"latestExecution,omitempty"`
}

type pipelineStateOutput struct {
	PipelineName    string       `json:"pipelineName"`
	PipelineVersion int          `json:"pipelineVersion"`
	StageStates     []stageState `json:"stageStates"`
	Created         edge.Epoch   `json:"created"`
	Updated         edge.Epoch   `json:"updated"`
}

func latestOf(a actionRun) *actionExecution {
	e := &actionExecution{ActionExecutionID: a.ExecID, Status: a.Status, Summary: a.Summary, LastStatusChange: edge.Epoch(a.Updated),
		Token: a.Token, LastUpdatedBy: a.UpdatedBy, ExternalExecutionID: a.ExternalID, ExternalExecutionURL: a.ExternalURL,
		PercentComplete: a.Percent, ErrorDetails: a.Error}
	if a.Status != statusInProgress {
		e.Token = ""
	}
	return e
}

func (s *Service) getPipelineState(ctx context.Context, in *nameInput) (*pipelineStateOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	var p *pipelineRecord
	var list []*execRecord
	err := s.st.View(func(tx store.Tx) error {
		var err error
		if p, err = loadPipeline(tx, m.Account, m.Region, in.Name); err != nil {
			return err
		}
		list, err = stateExecs(tx, m.Account, m.Region, in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &pipelineStateOutput{PipelineName: in.Name, PipelineVersion: p.Decl.Version, StageStates: []stageState{},
		Created: edge.Epoch(p.Created), Updated: edge.Epoch(p.Updated)}
	for _, decl := range p.Decl.Stages {
		ss := stageState{StageName: decl.Name, InboundTransitionState: transitionState{Enabled: true}, ActionStates: []actionState{}}
		if t := p.Transitions[decl.Name]; t != nil {
			at := edge.Epoch(t.ChangedAt)
			ss.InboundTransitionState = transitionState{Enabled: !t.InboundDisabled, LastChangedBy: t.ChangedBy, LastChangedAt: &at}
			if t.InboundDisabled {
				ss.InboundTransitionState.DisabledReason = t.InboundReason
			}
		}
		// list is newest first: the first execution that ran the stage is its latest.
		var latest *execRecord
		var stage *stageRun
		for _, ex := range list {
			for i := range ex.Stages {
				if ex.Stages[i].Name == decl.Name && ex.Stages[i].Status != "" && latest == nil {
					latest, stage = ex, &ex.Stages[i]
				}
				if ex.Stages[i].Name == decl.Name && ex.Waiting == i && (ex.Status == statusInProgress || ex.Status == statusStopping) {
					se := stageExecution{PipelineExecutionID: ex.ID, Status: statusInProgress, Type: "STANDARD"}
					ss.InboundExecutions = append(ss.InboundExecutions, se)
					if ss.InboundExecution == nil {
						ss.InboundExecution = &se
					}
				}
			}
		}
		if latest != nil {
			ss.LatestExecution = &stageExecution{PipelineExecutionID: latest.ID, Status: stage.Status, Type: "STANDARD"}
		}
		for _, ad := range decl.Actions {
			as := actionState{ActionName: ad.Name}
			for _, ex := range list {
				if as.LatestExecution != nil {
					break
				}
				for _, st := range ex.Stages {
					if st.Name != decl.Name {
						continue
					}
					for _, a := range st.Actions {
						if a.Name == ad.Name && a.Status != "" {
							as.LatestExecution = latestOf(a)
							if link := a.Resolved["ExternalEntityLink"]; ad.ActionTypeID.Category == "Approval" && link != "" {
								as.EntityURL = link
							}
							if ad.ActionTypeID.Category == "Source" && a.ExternalID != "" {
								as.CurrentRevision = &actionRevision{RevisionID: a.ExternalID, RevisionChangeID: a.ExternalID, Created: edge.Epoch(a.Updated)}
							}
						}
					}
				}
			}
			ss.ActionStates = append(ss.ActionStates, as)
		}
		out.StageStates = append(out.StageStates, ss)
	}
	return out, nil
}

type listActionsInput struct {
	PipelineName string `json:"pipelineName"`
	Filter       *struct {
		PipelineExecutionID string `json:"pipelineExecutionId"`
	} `json:"filter"`
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type actionExecutionDetail struct {
	PipelineExecutionID string               `json:"pipelineExecutionId"`
	ActionExecutionID   string               `json:"actionExecutionId"`
	PipelineVersion     int                  `json:"pipelineVersion"`
	StageName           string               `json:"stageName"`
	ActionName          string               `json:"actionName"`
	StartTime           edge.Epoch           `json:"startTime"`
	LastUpdateTime      edge.Epoch           `json:"lastUpdateTime"`
	UpdatedBy           string               `json:"updatedBy,omitempty"`
	Status              string               `json:"status"`
	Input               actionExecutionInput `json:"input"`
	Output              actionExecutionOut   `json:"output"`
}

type actionExecutionInput struct {
	ActionTypeID          ActionTypeID      `json:"actionTypeId"`
	Configuration         map[string]string `json:"configuration"`
	ResolvedConfiguration map[string]string `json:"resolvedConfiguration"`
	RoleArn               string            `json:"roleArn,omitempty"`
	Region                string            `json:"region"`
	InputArtifacts        []ArtifactDetail  `json:"inputArtifacts"`
	Namespace             string            `json:"namespace,omitempty"`
}

type actionExecutionOut struct {
	OutputArtifacts []ArtifactDetail  `json:"outputArtifacts"`
	ExecutionResult *executionResult  `json:"executionResult,omitempty"`
	OutputVariables map[string]string `json:"outputVariables"`
}

type executionResult struct {
	ExternalExecutionID      string        `json:"externalExecutionId,omitempty"`
	ExternalExecutionSummary string        `json:"externalExecutionSummary,omitempty"`
	ExternalExecutionURL     string        `json:"externalExecutionUrl,omitempty"`
	ErrorDetails             *ErrorDetails `json:"errorDetails,omitempty"`
}

func detailOf(ex *execRecord, stage string, a actionRun) actionExecutionDetail {
	var decl ActionDeclaration
	for _, st := range ex.Decl.Stages {
		for _, d := range st.Actions {
			if st.Name == stage && d.Name == a.Name {
				decl = d
			}
		}
	}
	cfg := decl.Configuration
	if cfg == nil {
		cfg = map[string]string{}
	}
	region := decl.Region
	if region == "" {
		region = ex.Region
	}
	d := actionExecutionDetail{PipelineExecutionID: ex.ID, ActionExecutionID: a.ExecID, PipelineVersion: ex.Decl.Version,
		StageName: stage, ActionName: a.Name, StartTime: edge.Epoch(a.Start), LastUpdateTime: edge.Epoch(a.Updated),
		UpdatedBy: a.UpdatedBy, Status: a.Status,
		Input: actionExecutionInput{ActionTypeID: decl.ActionTypeID, Configuration: cfg, ResolvedConfiguration: a.Resolved,
			RoleArn: decl.RoleArn, Region: region, InputArtifacts: a.Inputs, Namespace: decl.Namespace},
		Output: actionExecutionOut{OutputArtifacts: []ArtifactDetail{}, OutputVariables: a.OutVars}}
	if d.Input.ResolvedConfiguration == nil {
		d.Input.ResolvedConfiguration = map[string]string{}
	}
	if d.Input.InputArtifacts == nil {
		d.Input.InputArtifacts = []ArtifactDetail{}
	}
	if d.Output.OutputVariables == nil {
		d.Output.OutputVariables = map[string]string{}
	}
	if a.Status == statusSucceeded {
		d.Output.OutputArtifacts = a.Outputs
		if d.Output.OutputArtifacts == nil {
			d.Output.OutputArtifacts = []ArtifactDetail{}
		}
	}
	if a.Status != statusInProgress {
		d.Output.ExecutionResult = &executionResult{ExternalExecutionID: a.ExternalID, ExternalExecutionSummary: a.Summary,
			ExternalExecutionURL: a.ExternalURL, ErrorDetails: a.Error}
		if a.Error != nil && a.Summary == "" {
			d.Output.ExecutionResult.ExternalExecutionSummary = a.Error.Message
		}
	}
	return d
}

func (s *Service) listActionExecutions(ctx context.Context, in *listActionsInput) (*struct {
	ActionExecutionDetails []actionExecutionDetail `json:"actionExecutionDetails"`
	NextToken              string                  `json:"nextToken,omitempty"`
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
		if in.Filter != nil && in.Filter.PipelineExecutionID != "" {
			ex, err := loadExec(tx, m.Account, m.Region, in.PipelineName, in.Filter.PipelineExecutionID)
			if err != nil {
				return err
			}
			list = []*execRecord{ex}
			return nil
		}
		var err error
		list, err = pipelineExecs(tx, m.Account, m.Region, in.PipelineName)
		return err
	})
	if err != nil {
		return nil, err
	}
	var all []actionExecutionDetail
	for _, ex := range list {
		// In start order: stage by stage, earlier attempts of a stage's
		// actions before its current ones; then newest first.
		var mine []actionExecutionDetail
		for _, st := range ex.Stages {
			for _, p := range ex.Past {
				if p.Stage == st.Name {
					mine = append(mine, detailOf(ex, p.Stage, p.Run))
				}
			}
			for _, a := range st.Actions {
				if a.Status != "" {
					mine = append(mine, detailOf(ex, st.Name, a))
				}
			}
		}
		for i := len(mine) - 1; i >= 0; i-- {
			all = append(all, mine[i])
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		return all[i].StartTime.Time().After(all[j].StartTime.Time())
	})
	start, end, next, err := page(len(all), in.NextToken, in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	return &struct {
		ActionExecutionDetails []actionExecutionDetail `json:"actionExecutionDetails"`
		NextToken              string                  `json:"nextToken,omitempty"`
	}{append([]actionExecutionDetail{}, all[start:end]...), next}, nil
}
