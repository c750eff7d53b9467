package codedeploy

import (
	"context"

	"tenkai/internal/edge"
)

type wireLifecycleEvent struct {
	LifecycleEventName string       `json:"lifecycleEventName"`
	Diagnostics        *diagnostics `json:"diagnostics,omitempty"`
	StartTime          *edge.Epoch  `json:"startTime,omitempty"`
	EndTime            *edge.Epoch  `json:"endTime,omitempty"`
	Status             string       `json:"status"`
}

type lambdaFunctionInfo struct {
	FunctionName        string  `json:"functionName"`
	FunctionAlias       string  `json:"functionAlias"`
	CurrentVersion      string  `json:"currentVersion"`
	TargetVersion       string  `json:"targetVersion"`
	TargetVersionWeight float64 `json:"targetVersionWeight"`
}

type lambdaTarget struct {
	DeploymentID       string               `json:"deploymentId"`
	TargetID           string               `json:"targetId"`
	TargetArn          string               `json:"targetArn"`
	Status             string               `json:"status"`
	LastUpdatedAt      edge.Epoch           `json:"lastUpdatedAt"`
	LifecycleEvents    []wireLifecycleEvent `json:"lifecycleEvents"`
	LambdaFunctionInfo *lambdaFunctionInfo  `json:"lambdaFunctionInfo,omitempty"`
}

type ecsTaskSet struct {
	Identifer     string           `json:"identifer"` // sic: the API's spelling
	DesiredCount  int64            `json:"desiredCount"`
	PendingCount  int64            `json:"pendingCount"`
	RunningCount  int64            `json:"runningCount"`
	Status        string           `json:"status"`
	TrafficWeight float64          `json:"trafficWeight"`
	TargetGroup   *targetGroupInfo `json:"targetGroup,omitempty"`
	TaskSetLabel  string           `json:"taskSetLabel"`
}

type ecsTarget struct {
	DeploymentID    string               `json:"deploymentId"`
	TargetID        string               `json:"targetId"`
	TargetArn       string               `json:"targetArn"`
	LastUpdatedAt   edge.Epoch           `json:"lastUpdatedAt"`
	LifecycleEvents []wireLifecycleEvent `json:"lifecycleEvents"`
	Status          string               `json:"status"`
	TaskSetsInfo    []ecsTaskSet         `json:"taskSetsInfo"`
}

type deploymentTarget struct {
	DeploymentTargetType string        `json:"deploymentTargetType"`
	LambdaTarget         *lambdaTarget `json:"lambdaTarget,omitempty"`
	ECSTarget            *ecsTarget    `json:"ecsTarget,omitempty"`
}

func (d *deployment) target() *deploymentTarget {
	evs := make([]wireLifecycleEvent, len(d.Events))
	for i, e := range d.Events {
		evs[i] = wireLifecycleEvent{LifecycleEventName: e.Name, Diagnostics: e.Diagnostics, StartTime: epochPtr(e.Start), EndTime: epochPtr(e.End), Status: e.Status}
	}
	switch d.Platform {
	case platformLambda:
		l := d.Spec.Lambda
		return &deploymentTarget{DeploymentTargetType: "LambdaTarget", LambdaTarget: &lambdaTarget{
			DeploymentID: d.ID, TargetID: d.TargetID, TargetArn: d.TargetARN, Status: d.targetStatus(),
			LastUpdatedAt: epoch(d.Updated), LifecycleEvents: evs,
			LambdaFunctionInfo: &lambdaFunctionInfo{FunctionName: l.Name, FunctionAlias: l.Alias, CurrentVersion: l.CurrentVersion,
				TargetVersion: l.TargetVersion, TargetVersionWeight: d.Weight / 100},
		}}
	case platformECS:
		sets := make([]ecsTaskSet, len(d.TaskSets))
		for i, t := range d.TaskSets {
			sets[i] = ecsTaskSet{Identifer: t.ID, DesiredCount: t.Count, RunningCount: t.Count, Status: t.Status,
				TrafficWeight: t.Weight, TargetGroup: &targetGroupInfo{Name: t.Group}, TaskSetLabel: t.Label}
		}
		return &deploymentTarget{DeploymentTargetType: "ECSTarget", ECSTarget: &ecsTarget{
			DeploymentID: d.ID, TargetID: d.TargetID, TargetArn: d.TargetARN, LastUpdatedAt: epoch(d.Updated),
			LifecycleEvents: evs, Status: d.targetStatus(), TaskSetsInfo: sets,
		}}
	}
	return nil
}

type listDeploymentTargetsInput struct {
	DeploymentID  string              `json:"deploymentId"`
	NextToken     string              `json:"nextToken"`
	TargetFilters map[string][]string `json:"targetFilters"`
}

type listDeploymentTargetsOutput struct {
	TargetIDs []string `json:"targetIds"`
	NextToken string   `json:"nextToken,omitempty"`
}

func (s *Service) listDeploymentTargets(ctx context.Context, in *listDeploymentTargetsInput) (*listDeploymentTargetsOutput, error) {
	m := edge.MetaFrom(ctx)
	d, err := s.view(m.Account, m.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	for k := range in.TargetFilters {
		if k != "TargetStatus" && k != "ServerInstanceLabel" {
			return nil, edge.Errorf("InvalidTargetFilterNameException", "The target filter name %s is invalid.", k)
		}
	}
	out := &listDeploymentTargetsOutput{TargetIDs: []string{}}
	if d.TargetID == "" {
		return out, nil
	}
	if want := in.TargetFilters["TargetStatus"]; len(want) > 0 {
		ok := false
		for _, w := range want {
			ok = ok || w == d.targetStatus()
		}
		if !ok {
			return out, nil
		}
	}
	out.TargetIDs = append(out.TargetIDs, d.TargetID)
	return out, nil
}

type batchGetDeploymentTargetsInput struct {
	DeploymentID string   `json:"deploymentId"`
	TargetIDs    []string `json:"targetIds"`
}

type batchGetDeploymentTargetsOutput struct {
	DeploymentTargets []*deploymentTarget `json:"deploymentTargets"`
}

func targetNotFound(id string) *edge.Error {
	return edge.Errorf("DeploymentTargetDoesNotExistException", "The target %s does not exist in the deployment.", id)
}

func (s *Service) batchGetDeploymentTargets(ctx context.Context, in *batchGetDeploymentTargetsInput) (*batchGetDeploymentTargetsOutput, error) {
	m := edge.MetaFrom(ctx)
	d, err := s.view(m.Account, m.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if len(in.TargetIDs) == 0 {
		return nil, edge.Errorf("DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
	}
	if len(in.TargetIDs) > 25 {
		return nil, edge.Errorf("DeploymentTargetListSizeExceededException", "The maximum number of targets that can be associated with an Amazon ECS or AWS Lambda deployment was exceeded. The target list of both types of deployments must have exactly one item. This exception does not apply to EC2/On-premises deployments.")
	}
	out := &batchGetDeploymentTargetsOutput{DeploymentTargets: []*deploymentTarget{}}
	for _, id := range in.TargetIDs {
		if id != d.TargetID || d.TargetID == "" {
			return nil, targetNotFound(id)
		}
		out.DeploymentTargets = append(out.DeploymentTargets, d.target())
	}
	return out, nil
}

type getDeploymentTargetInput struct {
	DeploymentID string `json:"deploymentId"`
	TargetID     string `json:"targetId"`
}

type getDeploymentTargetOutput struct {
	DeploymentTarget *deploymentTarget `json:"deploymentTarget"`
}

func (s *Service) getDeploymentTarget(ctx context.Context, in *getDeploymentTargetInput) (*getDeploymentTargetOutput, error) {
	m := edge.MetaFrom(ctx)
	d, err := s.view(m.Account, m.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if in.TargetID == "" {
		return nil, edge.Errorf("DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
	}
	if in.TargetID != d.TargetID || d.TargetID == "" {
		return nil, targetNotFound(in.TargetID)
	}
	return &getDeploymentTargetOutput{DeploymentTarget: d.target()}, nil
}
