package codedeploy

import (
	"context"
	"encoding/json"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

func jsonUnmarshalGroup(v []byte, g *deploymentGroupInfo) bool { return json.Unmarshal(v, g) == nil }

func groupNotFound(name string) *edge.Error {
	return edge.Errorf("DeploymentGroupDoesNotExistException", "No Deployment Group found for name: %s", name)
}

func checkGroupName(name string) error {
	if name == "" {
		return edge.Errorf("DeploymentGroupNameRequiredException", "Deployment Group name is required")
	}
	if len(name) > 100 {
		return edge.Errorf("InvalidDeploymentGroupNameException", "Deployment Group name %s is invalid: it must be at most 100 characters", name)
	}
	return nil
}

func (s *Service) loadGroup(tx store.Tx, account, region, app, name string) (*deploymentGroupInfo, error) {
	if err := checkGroupName(name); err != nil {
		return nil, err
	}
	var g deploymentGroupInfo
	if !getJSON(tx, bucket(bucketGroups, account, region), groupKey(app, name), &g) {
		return nil, groupNotFound(name)
	}
	return &g, nil
}

// groupSettings are the members CreateDeploymentGroup and
// UpdateDeploymentGroup share.
type groupSettings struct {
	ApplicationName                  string              `json:"applicationName"`
	DeploymentConfigName             string              `json:"deploymentConfigName"`
	EC2TagFilters                    []any               `json:"ec2TagFilters"`
	OnPremisesInstanceTagFilters     []any               `json:"onPremisesInstanceTagFilters"`
	AutoScalingGroups                []any               `json:"autoScalingGroups"`
	ServiceRoleArn                   string              `json:"serviceRoleArn"`
	TriggerConfigurations            []any               `json:"triggerConfigurations"`
	AlarmConfiguration               *alarmConfiguration `json:"alarmConfiguration"`
	AutoRollbackConfiguration        *autoRollbackConfig `json:"autoRollbackConfiguration"`
	OutdatedInstancesStrategy        string              `json:"outdatedInstancesStrategy"`
	DeploymentStyle                  *deploymentStyle    `json:"deploymentStyle"`
	BlueGreenDeploymentConfiguration *blueGreenConfig    `json:"blueGreenDeploymentConfiguration"`
	LoadBalancerInfo                 *loadBalancerInfo   `json:"loadBalancerInfo"`
	EC2TagSet                        any                 `json:"ec2TagSet"`
	ECSServices                      []ecsService        `json:"ecsServices"`
	OnPremisesTagSet                 any                 `json:"onPremisesTagSet"`
	TerminationHookEnabled           *bool               `json:"terminationHookEnabled"`
}

type createDeploymentGroupInput struct {
	groupSettings
	DeploymentGroupName string `json:"deploymentGroupName"`
	Tags                []tag  `json:"tags"`
}

type createDeploymentGroupOutput struct {
	DeploymentGroupID string `json:"deploymentGroupId"`
}

// apply copies the settings given into g (nil members keep g's values).
func (in *groupSettings) apply(g *deploymentGroupInfo) {
	if in.DeploymentConfigName != "" {
		g.DeploymentConfigName = in.DeploymentConfigName
	}
	if in.ServiceRoleArn != "" {
		g.ServiceRoleArn = in.ServiceRoleArn
	}
	if in.EC2TagFilters != nil {
		g.EC2TagFilters = in.EC2TagFilters
	}
	if in.OnPremisesInstanceTagFilters != nil {
		g.OnPremisesInstanceTagFilters = in.OnPremisesInstanceTagFilters
	}
	if in.AutoScalingGroups != nil {
		g.AutoScalingGroups = in.AutoScalingGroups
	}
	if in.TriggerConfigurations != nil {
		g.TriggerConfigurations = in.TriggerConfigurations
	}
	if in.AlarmConfiguration != nil {
		g.AlarmConfiguration = in.AlarmConfiguration
	}
	if in.AutoRollbackConfiguration != nil {
		g.AutoRollbackConfiguration = in.AutoRollbackConfiguration
	}
	if in.OutdatedInstancesStrategy != "" {
		g.OutdatedInstancesStrategy = in.OutdatedInstancesStrategy
	}
	if in.DeploymentStyle != nil {
		g.DeploymentStyle = in.DeploymentStyle
	}
	if in.BlueGreenDeploymentConfiguration != nil {
		g.BlueGreenDeploymentConfiguration = in.BlueGreenDeploymentConfiguration
	}
	if in.LoadBalancerInfo != nil {
		g.LoadBalancerInfo = in.LoadBalancerInfo
	}
	if in.EC2TagSet != nil {
		g.EC2TagSet = in.EC2TagSet
	}
	if in.OnPremisesTagSet != nil {
		g.OnPremisesTagSet = in.OnPremisesTagSet
	}
	if in.ECSServices != nil {
		g.ECSServices = in.ECSServices
	}
	if in.TerminationHookEnabled != nil {
		g.TerminationHookEnabled = *in.TerminationHookEnabled
	}
}

// validateGroup checks a group against its application's compute platform
// and fills AWS's defaults.
func (s *Service) validateGroup(tx store.Tx, account, region string, g *deploymentGroupInfo) error {
	if g.ServiceRoleArn == "" {
		return edge.Errorf("RoleRequiredException", "Role ARN is required")
	}
	if !isRoleARN(g.ServiceRoleArn) {
		return edge.Errorf("InvalidRoleException", "The service role ARN %s is invalid.", g.ServiceRoleArn)
	}
	if g.DeploymentConfigName == "" {
		switch g.ComputePlatform {
		case platformLambda:
			g.DeploymentConfigName = "CodeDeployDefault.LambdaAllAtOnce"
		case platformECS:
			g.DeploymentConfigName = "CodeDeployDefault.ECSAllAtOnce"
		default:
			g.DeploymentConfigName = "CodeDeployDefault.OneAtATime"
		}
	}
	// AWS reports empty lists and a disabled alarm configuration rather
	// than leaving them out.
	for _, l := range []*[]any{&g.EC2TagFilters, &g.OnPremisesInstanceTagFilters, &g.AutoScalingGroups, &g.TriggerConfigurations} {
		if *l == nil {
			*l = []any{}
		}
	}
	if g.AlarmConfiguration == nil {
		g.AlarmConfiguration = &alarmConfiguration{}
	}
	if g.AlarmConfiguration.Alarms == nil {
		g.AlarmConfiguration.Alarms = []alarm{}
	}
	if g.OutdatedInstancesStrategy == "" {
		g.OutdatedInstancesStrategy = "UPDATE"
	}
	c, err := s.loadConfig(tx, account, region, g.DeploymentConfigName)
	if err != nil {
		return err
	}
	if c.ComputePlatform != g.ComputePlatform {
		return edge.Errorf("InvalidDeploymentConfigNameException", "Deployment configuration %s is for the %s compute platform; the application uses %s.", c.DeploymentConfigName, c.ComputePlatform, g.ComputePlatform)
	}
	if ar := g.AutoRollbackConfiguration; ar != nil {
		for _, e := range ar.Events {
			if e != "DEPLOYMENT_FAILURE" && e != "DEPLOYMENT_STOP_ON_ALARM" && e != "DEPLOYMENT_STOP_ON_REQUEST" {
				return edge.Errorf("InvalidAutoRollbackConfigException", "Auto rollback event %s is invalid.", e)
			}
		}
		if ar.Enabled && len(ar.Events) == 0 {
			return edge.Errorf("InvalidAutoRollbackConfigException", "At least one event must be specified when auto rollback is enabled.")
		}
	}
	switch g.ComputePlatform {
	case platformLambda, platformECS:
		if g.DeploymentStyle == nil {
			g.DeploymentStyle = &deploymentStyle{}
		}
		if g.DeploymentStyle.DeploymentType == "" {
			g.DeploymentStyle.DeploymentType = "BLUE_GREEN"
		}
		if g.DeploymentStyle.DeploymentOption == "" {
			g.DeploymentStyle.DeploymentOption = "WITH_TRAFFIC_CONTROL"
		}
		if g.DeploymentStyle.DeploymentType != "BLUE_GREEN" || g.DeploymentStyle.DeploymentOption != "WITH_TRAFFIC_CONTROL" {
			return edge.Errorf("InvalidDeploymentStyleException", "%s deployments must be BLUE_GREEN with WITH_TRAFFIC_CONTROL.", g.ComputePlatform)
		}
	default:
		if g.DeploymentStyle == nil {
			g.DeploymentStyle = &deploymentStyle{DeploymentType: "IN_PLACE", DeploymentOption: "WITHOUT_TRAFFIC_CONTROL"}
		}
	}
	if g.ComputePlatform == platformECS {
		if len(g.ECSServices) != 1 || g.ECSServices[0].ServiceName == "" || g.ECSServices[0].ClusterName == "" {
			return edge.Errorf("InvalidECSServiceException", "An ECS deployment group needs exactly one ECS service with a cluster name and a service name.")
		}
		lb := g.LoadBalancerInfo
		if lb == nil || len(lb.TargetGroupPairInfoList) != 1 {
			return edge.Errorf("InvalidLoadBalancerInfoException", "An ECS deployment group needs one target group pair in loadBalancerInfo.")
		}
		pair := lb.TargetGroupPairInfoList[0]
		if len(pair.TargetGroups) != 2 {
			return edge.Errorf("InvalidTargetGroupPairException", "A target group pair must name two target groups.")
		}
		if pair.ProdTrafficRoute == nil || len(pair.ProdTrafficRoute.ListenerArns) != 1 {
			return edge.Errorf("InvalidTargetGroupPairException", "A target group pair needs one production listener.")
		}
		bg := g.BlueGreenDeploymentConfiguration
		if bg == nil {
			bg = &blueGreenConfig{}
			g.BlueGreenDeploymentConfiguration = bg
		}
		if bg.DeploymentReadyOption == nil {
			bg.DeploymentReadyOption = &deploymentReadyOption{ActionOnTimeout: "CONTINUE_DEPLOYMENT"}
		}
		if a := bg.DeploymentReadyOption.ActionOnTimeout; a != "CONTINUE_DEPLOYMENT" && a != "STOP_DEPLOYMENT" {
			return edge.Errorf("InvalidBlueGreenDeploymentConfigurationException", "actionOnTimeout %s is invalid.", a)
		}
		if bg.TerminateBlueInstancesOnDeploymentSuccess == nil {
			bg.TerminateBlueInstancesOnDeploymentSuccess = &blueInstanceTerminationOption{Action: "TERMINATE"}
		}
	}
	return nil
}

func isRoleARN(s string) bool {
	return len(s) > len("arn:aws:iam::") && s[:4] == "arn:" && strings.Contains(s, ":iam::") && strings.Contains(s, ":role/")
}

func (s *Service) createDeploymentGroup(ctx context.Context, in *createDeploymentGroupInput) (*createDeploymentGroupOutput, error) {
	m := edge.MetaFrom(ctx)
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	if err := checkGroupName(in.DeploymentGroupName); err != nil {
		return nil, err
	}
	g := &deploymentGroupInfo{ApplicationName: in.ApplicationName, DeploymentGroupID: edge.NewUUID(), DeploymentGroupName: in.DeploymentGroupName}
	err := s.st.Update(func(tx store.Tx) error {
		app, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName)
		if err != nil {
			return err
		}
		g.ComputePlatform = app.Platform
		b := bucket(bucketGroups, m.Account, m.Region)
		if tx.Bucket(b).Get([]byte(groupKey(app.Name, g.DeploymentGroupName))) != nil {
			return edge.Errorf("DeploymentGroupAlreadyExistsException", "Deployment Group already exists with name %s", g.DeploymentGroupName)
		}
		in.groupSettings.apply(g)
		if err := s.validateGroup(tx, m.Account, m.Region, g); err != nil {
			return err
		}
		if len(in.Tags) > 0 {
			if err := putJSON(tx, bucket(bucketTags, m.Account, m.Region), arnGroup(m.Account, m.Region, app.Name, g.DeploymentGroupName), in.Tags); err != nil {
				return err
			}
		}
		return putJSON(tx, b, groupKey(app.Name, g.DeploymentGroupName), g)
	})
	if err != nil {
		return nil, err
	}
	return &createDeploymentGroupOutput{DeploymentGroupID: g.DeploymentGroupID}, nil
}

type groupNameInput struct {
	ApplicationName     string `json:"applicationName"`
	DeploymentGroupName string `json:"deploymentGroupName"`
}

type getDeploymentGroupOutput struct {
	DeploymentGroupInfo *deploymentGroupInfo `json:"deploymentGroupInfo"`
}

func (s *Service) getDeploymentGroup(ctx context.Context, in *groupNameInput) (*getDeploymentGroupOutput, error) {
	m := edge.MetaFrom(ctx)
	var out getDeploymentGroupOutput
	err := s.st.View(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		g, err := s.loadGroup(tx, m.Account, m.Region, in.ApplicationName, in.DeploymentGroupName)
		out.DeploymentGroupInfo = g
		return err
	})
	return &out, err
}

type batchGetDeploymentGroupsInput struct {
	ApplicationName      string   `json:"applicationName"`
	DeploymentGroupNames []string `json:"deploymentGroupNames"`
}

type batchGetDeploymentGroupsOutput struct {
	DeploymentGroupsInfo []*deploymentGroupInfo `json:"deploymentGroupsInfo"`
	ErrorMessage         string                 `json:"errorMessage,omitempty"`
}

func (s *Service) batchGetDeploymentGroups(ctx context.Context, in *batchGetDeploymentGroupsInput) (*batchGetDeploymentGroupsOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.DeploymentGroupNames == nil {
		return nil, edge.Errorf("DeploymentGroupNameRequiredException", "Deployment Group name is required")
	}
	if len(in.DeploymentGroupNames) > 100 {
		return nil, edge.Errorf("BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (100) was exceeded.")
	}
	out := &batchGetDeploymentGroupsOutput{DeploymentGroupsInfo: []*deploymentGroupInfo{}}
	err := s.st.View(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		var missing []string
		for _, n := range in.DeploymentGroupNames {
			g, err := s.loadGroup(tx, m.Account, m.Region, in.ApplicationName, n)
			if err != nil {
				missing = append(missing, n)
				continue
			}
			out.DeploymentGroupsInfo = append(out.DeploymentGroupsInfo, g)
		}
		if len(missing) > 0 {
			out.ErrorMessage = "Deployment groups not found: "
			for i, n := range missing {
				if i > 0 {
					out.ErrorMessage += ", "
				}
				out.ErrorMessage += n
			}
		}
		return nil
	})
	return out, err
}

type listDeploymentGroupsInput struct {
	ApplicationName string `json:"applicationName"`
	NextToken       string `json:"nextToken"`
}

type listDeploymentGroupsOutput struct {
	ApplicationName  string   `json:"applicationName"`
	DeploymentGroups []string `json:"deploymentGroups"`
	NextToken        string   `json:"nextToken,omitempty"`
}

func (s *Service) listDeploymentGroups(ctx context.Context, in *listDeploymentGroupsInput) (*listDeploymentGroupsOutput, error) {
	m := edge.MetaFrom(ctx)
	var names []string
	err := s.st.View(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		prefix := []byte(in.ApplicationName + "\x00")
		tx.Bucket(bucket(bucketGroups, m.Account, m.Region)).Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
			names = append(names, string(k[len(prefix):]))
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	p, next, err := page(names, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &listDeploymentGroupsOutput{ApplicationName: in.ApplicationName, DeploymentGroups: append([]string{}, p...), NextToken: next}, nil
}

type updateDeploymentGroupInput struct {
	groupSettings
	CurrentDeploymentGroupName string `json:"currentDeploymentGroupName"`
	NewDeploymentGroupName     string `json:"newDeploymentGroupName"`
}

type updateDeploymentGroupOutput struct {
	HooksNotCleanedUp []any `json:"hooksNotCleanedUp"`
}

func (s *Service) updateDeploymentGroup(ctx context.Context, in *updateDeploymentGroupInput) (*updateDeploymentGroupOutput, error) {
	m := edge.MetaFrom(ctx)
	err := s.st.Update(func(tx store.Tx) error {
		if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
			return err
		}
		g, err := s.loadGroup(tx, m.Account, m.Region, in.ApplicationName, in.CurrentDeploymentGroupName)
		if err != nil {
			return err
		}
		b := bucket(bucketGroups, m.Account, m.Region)
		in.groupSettings.apply(g)
		if err := s.validateGroup(tx, m.Account, m.Region, g); err != nil {
			return err
		}
		if n := in.NewDeploymentGroupName; n != "" && n != g.DeploymentGroupName {
			if err := checkGroupName(n); err != nil {
				return err
			}
			if tx.Bucket(b).Get([]byte(groupKey(in.ApplicationName, n))) != nil {
				return edge.Errorf("DeploymentGroupAlreadyExistsException", "Deployment Group already exists with name %s", n)
			}
			_ = tx.Bucket(b).Delete([]byte(groupKey(in.ApplicationName, g.DeploymentGroupName)))
			g.DeploymentGroupName = n
		}
		return putJSON(tx, b, groupKey(in.ApplicationName, g.DeploymentGroupName), g)
	})
	if err != nil {
		return nil, err
	}
	return &updateDeploymentGroupOutput{HooksNotCleanedUp: []any{}}, nil
}

func (s *Service) deleteDeploymentGroup(ctx context.Context, in *groupNameInput) (*updateDeploymentGroupOutput, error) {
	m := edge.MetaFrom(ctx)
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	if err := checkGroupName(in.DeploymentGroupName); err != nil {
		return nil, err
	}
	err := s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(bucket(bucketGroups, m.Account, m.Region)).Delete([]byte(groupKey(in.ApplicationName, in.DeploymentGroupName)))
	})
	if err != nil {
		return nil, err
	}
	return &updateDeploymentGroupOutput{HooksNotCleanedUp: []any{}}, nil
}
