package codedeploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type minimumHealthyHosts struct {
	Type  string `json:"type,omitempty"`
	Value int    `json:"value"`
}

type timeBasedCanary struct {
	CanaryPercentage int `json:"canaryPercentage"`
	CanaryInterval   int `json:"canaryInterval"`
}

type timeBasedLinear struct {
	LinearPercentage int `json:"linearPercentage"`
	LinearInterval   int `json:"linearInterval"`
}

type trafficRoutingConfig struct {
	Type            string           `json:"type,omitempty"`
	TimeBasedCanary *timeBasedCanary `json:"timeBasedCanary,omitempty"`
	TimeBasedLinear *timeBasedLinear `json:"timeBasedLinear,omitempty"`
}

// deploymentConfigInfo is both a stored custom config and the wire form.
type deploymentConfigInfo struct {
	DeploymentConfigID   string                `json:"deploymentConfigId"`
	DeploymentConfigName string                `json:"deploymentConfigName"`
	MinimumHealthyHosts  *minimumHealthyHosts  `json:"minimumHealthyHosts,omitempty"`
	CreateTime           edge.Epoch            `json:"createTime"`
	ComputePlatform      string                `json:"computePlatform"`
	TrafficRoutingConfig *trafficRoutingConfig `json:"trafficRoutingConfig,omitempty"`
	ZonalConfig          any                   `json:"zonalConfig,omitempty"`
}

func (c *deploymentConfigInfo) routing() routing {
	t := c.TrafficRoutingConfig
	switch {
	case t == nil:
		return routing{Type: "AllAtOnce"}
	case t.Type == "TimeBasedCanary" && t.TimeBasedCanary != nil:
		return routing{Type: t.Type, Percent: t.TimeBasedCanary.CanaryPercentage, Interval: t.TimeBasedCanary.CanaryInterval}
	case t.Type == "TimeBasedLinear" && t.TimeBasedLinear != nil:
		return routing{Type: t.Type, Percent: t.TimeBasedLinear.LinearPercentage, Interval: t.TimeBasedLinear.LinearInterval}
	}
	return routing{Type: "AllAtOnce"}
}

// predefinedCreated is the creation time AWS reports for its own configs.
var predefinedCreated = time.Date(2014, 11, 12, 0, 0, 0, 0, time.UTC)

func stableID(name string) string {
	h := sha256.Sum256([]byte(name))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// predefined returns CodeDeploy's built-in configs.
func predefined() map[string]*deploymentConfigInfo {
	out := map[string]*deploymentConfigInfo{}
	add := func(name, platform string, r *trafficRoutingConfig, mhh *minimumHealthyHosts) {
		out[name] = &deploymentConfigInfo{DeploymentConfigID: stableID(name), DeploymentConfigName: name,
			MinimumHealthyHosts: mhh, CreateTime: edge.Epoch(predefinedCreated), ComputePlatform: platform, TrafficRoutingConfig: r}
	}
	fleet := func(v int) *minimumHealthyHosts { return &minimumHealthyHosts{Type: "FLEET_PERCENT", Value: v} }
	all := &trafficRoutingConfig{Type: "AllAtOnce"}
	canary := func(p, m int) *trafficRoutingConfig {
		return &trafficRoutingConfig{Type: "TimeBasedCanary", TimeBasedCanary: &timeBasedCanary{CanaryPercentage: p, CanaryInterval: m}}
	}
	linear := func(p, m int) *trafficRoutingConfig {
		return &trafficRoutingConfig{Type: "TimeBasedLinear", TimeBasedLinear: &timeBasedLinear{LinearPercentage: p, LinearInterval: m}}
	}
	add("CodeDeployDefault.OneAtATime", platformServer, nil, &minimumHealthyHosts{Type: "HOST_COUNT", Value: 1})
	add("CodeDeployDefault.HalfAtATime", platformServer, nil, fleet(50))
	add("CodeDeployDefault.AllAtOnce", platformServer, nil, &minimumHealthyHosts{Type: "HOST_COUNT", Value: 0})
	add("CodeDeployDefault.LambdaAllAtOnce", platformLambda, all, fleet(0))
	for _, m := range []int{5, 10, 15, 30} {
		add("CodeDeployDefault.LambdaCanary10Percent"+itoa(m)+"Minutes", platformLambda, canary(10, m), fleet(0))
	}
	for _, m := range []int{1, 2, 3, 10} {
		unit := "Minutes"
		if m == 1 {
			unit = "Minute"
		}
		add("CodeDeployDefault.LambdaLinear10PercentEvery"+itoa(m)+unit, platformLambda, linear(10, m), fleet(0))
	}
	add("CodeDeployDefault.ECSAllAtOnce", platformECS, all, fleet(0))
	add("CodeDeployDefault.ECSCanary10Percent5Minutes", platformECS, canary(10, 5), fleet(0))
	add("CodeDeployDefault.ECSCanary10Percent15Minutes", platformECS, canary(10, 15), fleet(0))
	add("CodeDeployDefault.ECSLinear10PercentEvery1Minutes", platformECS, linear(10, 1), fleet(0))
	add("CodeDeployDefault.ECSLinear10PercentEvery3Minutes", platformECS, linear(10, 3), fleet(0))
	return out
}

var builtinConfigs = predefined()

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

func configNotFound(name string) *edge.Error {
	return edge.Errorf("DeploymentConfigDoesNotExistException", "No deployment configuration found for name: %s", name)
}

// loadConfig finds a built-in or custom config.
func (s *Service) loadConfig(tx store.Tx, account, region, name string) (*deploymentConfigInfo, error) {
	if name == "" {
		return nil, edge.Errorf("DeploymentConfigNameRequiredException", "Deployment configuration name is required")
	}
	if c := builtinConfigs[name]; c != nil {
		return c, nil
	}
	var c deploymentConfigInfo
	if !getJSON(tx, bucket(bucketConfigs, account, region), name, &c) {
		return nil, configNotFound(name)
	}
	return &c, nil
}

type createDeploymentConfigInput struct {
	DeploymentConfigName string                `json:"deploymentConfigName"`
	MinimumHealthyHosts  *minimumHealthyHosts  `json:"minimumHealthyHosts"`
	TrafficRoutingConfig *trafficRoutingConfig `json:"trafficRoutingConfig"`
	ComputePlatform      string                `json:"computePlatform"`
	ZonalConfig          any                   `json:"zonalConfig"`
}

type createDeploymentConfigOutput struct {
	DeploymentConfigID string `json:"deploymentConfigId"`
}

func invalidRouting(msg string) *edge.Error {
	return edge.Errorf("InvalidTrafficRoutingConfigurationException", "%s", msg)
}

// checkRouting validates a custom config's traffic routing.
func checkRouting(platform string, r *trafficRoutingConfig) error {
	if r == nil {
		return nil
	}
	if platform == platformServer {
		return invalidRouting("Traffic routing configuration is only supported for the Lambda and ECS compute platforms")
	}
	switch r.Type {
	case "AllAtOnce":
	case "TimeBasedCanary":
		c := r.TimeBasedCanary
		if c == nil || c.CanaryPercentage < 1 || c.CanaryPercentage > 99 || c.CanaryInterval < 1 {
			return invalidRouting("The canary percentage must be between 1 and 99 and the canary interval at least 1 minute")
		}
	case "TimeBasedLinear":
		l := r.TimeBasedLinear
		if l == nil || l.LinearPercentage < 1 || l.LinearPercentage > 99 || l.LinearInterval < 1 {
			return invalidRouting("The linear percentage must be between 1 and 99 and the linear interval at least 1 minute")
		}
	default:
		return invalidRouting("Traffic routing type " + r.Type + " is invalid; valid values are TimeBasedCanary, TimeBasedLinear and AllAtOnce")
	}
	return nil
}

func (s *Service) createDeploymentConfig(ctx context.Context, in *createDeploymentConfigInput) (*createDeploymentConfigOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.DeploymentConfigName == "" {
		return nil, edge.Errorf("DeploymentConfigNameRequiredException", "Deployment configuration name is required")
	}
	if len(in.DeploymentConfigName) > 100 || strings.HasPrefix(in.DeploymentConfigName, "CodeDeployDefault.") {
		return nil, edge.Errorf("InvalidDeploymentConfigNameException", "Deployment configuration name %s is invalid", in.DeploymentConfigName)
	}
	if in.ComputePlatform == "" {
		in.ComputePlatform = platformServer
	}
	if err := checkPlatform(in.ComputePlatform); err != nil {
		return nil, err
	}
	if err := checkRouting(in.ComputePlatform, in.TrafficRoutingConfig); err != nil {
		return nil, err
	}
	mhh := in.MinimumHealthyHosts
	if in.ComputePlatform == platformServer {
		if mhh == nil {
			return nil, edge.Errorf("InvalidMinimumHealthyHostValueException", "Minimum healthy hosts is required for the Server compute platform")
		}
		if (mhh.Type != "HOST_COUNT" && mhh.Type != "FLEET_PERCENT") || mhh.Value < 0 || (mhh.Type == "FLEET_PERCENT" && mhh.Value > 99) {
			return nil, edge.Errorf("InvalidMinimumHealthyHostValueException", "The minimum healthy instance value is invalid")
		}
	} else if mhh == nil {
		mhh = &minimumHealthyHosts{Type: "FLEET_PERCENT", Value: 0}
	}
	routingCfg := in.TrafficRoutingConfig
	if routingCfg == nil && in.ComputePlatform != platformServer {
		routingCfg = &trafficRoutingConfig{Type: "AllAtOnce"}
	}
	c := &deploymentConfigInfo{DeploymentConfigID: edge.NewUUID(), DeploymentConfigName: in.DeploymentConfigName,
		MinimumHealthyHosts: mhh, CreateTime: edge.Epoch(s.clk.Now()), ComputePlatform: in.ComputePlatform,
		TrafficRoutingConfig: routingCfg, ZonalConfig: in.ZonalConfig}
	err := s.st.Update(func(tx store.Tx) error {
		b := bucket(bucketConfigs, m.Account, m.Region)
		if tx.Bucket(b).Get([]byte(c.DeploymentConfigName)) != nil {
			return edge.Errorf("DeploymentConfigAlreadyExistsException", "A deployment configuration with the name %s already exists.", c.DeploymentConfigName)
		}
		return putJSON(tx, b, c.DeploymentConfigName, c)
	})
	if err != nil {
		return nil, err
	}
	return &createDeploymentConfigOutput{DeploymentConfigID: c.DeploymentConfigID}, nil
}

type configNameInput struct {
	DeploymentConfigName string `json:"deploymentConfigName"`
}

type getDeploymentConfigOutput struct {
	DeploymentConfigInfo *deploymentConfigInfo `json:"deploymentConfigInfo"`
}

func (s *Service) getDeploymentConfig(ctx context.Context, in *configNameInput) (*getDeploymentConfigOutput, error) {
	m := edge.MetaFrom(ctx)
	var out getDeploymentConfigOutput
	err := s.st.View(func(tx store.Tx) error {
		c, err := s.loadConfig(tx, m.Account, m.Region, in.DeploymentConfigName)
		out.DeploymentConfigInfo = c
		return err
	})
	return &out, err
}

type listDeploymentConfigsOutput struct {
	DeploymentConfigsList []string `json:"deploymentConfigsList"`
	NextToken             string   `json:"nextToken,omitempty"`
}

func (s *Service) listDeploymentConfigs(ctx context.Context, in *listInput) (*listDeploymentConfigsOutput, error) {
	m := edge.MetaFrom(ctx)
	var names []string
	for n := range builtinConfigs {
		names = append(names, n)
	}
	_ = s.st.View(func(tx store.Tx) error {
		tx.Bucket(bucket(bucketConfigs, m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			names = append(names, string(k))
			return true
		})
		return nil
	})
	sort.Strings(names)
	p, next, err := page(names, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &listDeploymentConfigsOutput{DeploymentConfigsList: append([]string{}, p...), NextToken: next}, nil
}

func (s *Service) deleteDeploymentConfig(ctx context.Context, in *configNameInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if in.DeploymentConfigName == "" {
		return nil, edge.Errorf("DeploymentConfigNameRequiredException", "Deployment configuration name is required")
	}
	if builtinConfigs[in.DeploymentConfigName] != nil {
		return nil, edge.Errorf("InvalidOperationException", "The default deployment configuration %s cannot be deleted.", in.DeploymentConfigName)
	}
	return &struct{}{}, s.st.Update(func(tx store.Tx) error {
		inUse := false
		tx.Bucket(bucket(bucketGroups, m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var g deploymentGroupInfo
			if jsonUnmarshalGroup(v, &g) && g.DeploymentConfigName == in.DeploymentConfigName {
				inUse = true
				return false
			}
			return true
		})
		if inUse {
			return edge.Errorf("DeploymentConfigInUseException", "The deployment configuration %s is still in use.", in.DeploymentConfigName)
		}
		return tx.Bucket(bucket(bucketConfigs, m.Account, m.Region)).Delete([]byte(in.DeploymentConfigName))
	})
}
