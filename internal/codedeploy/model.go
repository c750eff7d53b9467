package codedeploy

import (
	"time"

	"tenkai/internal/edge"
)

// Compute platforms.
const (
	platformServer = "Server"
	platformLambda = "Lambda"
	platformECS    = "ECS"
)

// Deployment statuses (DeploymentStatus).
const (
	statusCreated    = "Created"
	statusInProgress = "InProgress"
	statusReady      = "Ready"
	statusSucceeded  = "Succeeded"
	statusFailed     = "Failed"
	statusStopped    = "Stopped"
)

// Lifecycle event statuses (LifecycleEventStatus).
const (
	evPending    = "Pending"
	evInProgress = "InProgress"
	evSucceeded  = "Succeeded"
	evFailed     = "Failed"
	evSkipped    = "Skipped"
)

// Lifecycle event names. The hooks a user may attach functions to are the
// ones AppSpec files name; Install, AllowTestTraffic and AllowTraffic are
// CodeDeploy's own steps.
const (
	lcBeforeInstall         = "BeforeInstall"
	lcInstall               = "Install"
	lcAfterInstall          = "AfterInstall"
	lcAllowTestTraffic      = "AllowTestTraffic"
	lcAfterAllowTestTraffic = "AfterAllowTestTraffic"
	lcBeforeAllowTraffic    = "BeforeAllowTraffic"
	lcAllowTraffic          = "AllowTraffic"
	lcAfterAllowTraffic     = "AfterAllowTraffic"
)

// hookTimeout is how long CodeDeploy waits for a hook's status report.
const hookTimeout = time.Hour

// isHookEvent reports whether users attach functions to the event.
func isHookEvent(name string) bool {
	switch name {
	case lcInstall, lcAllowTestTraffic, lcAllowTraffic:
		return false
	}
	return true
}

func lifecycleFor(platform string) []string {
	if platform == platformECS {
		return []string{lcBeforeInstall, lcInstall, lcAfterInstall, lcAllowTestTraffic, lcAfterAllowTestTraffic,
			lcBeforeAllowTraffic, lcAllowTraffic, lcAfterAllowTraffic}
	}
	return []string{lcBeforeAllowTraffic, lcAllowTraffic, lcAfterAllowTraffic}
}

// --- wire shapes shared by several operations ---

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type applicationInfo struct {
	ApplicationID   string     `json:"applicationId"`
	ApplicationName string     `json:"applicationName"`
	CreateTime      edge.Epoch `json:"createTime"`
	LinkedToGitHub  bool       `json:"linkedToGitHub"`
	ComputePlatform string     `json:"computePlatform"`
}

type blueInstanceTerminationOption struct {
	Action                       string `json:"action,omitempty"`
	TerminationWaitTimeInMinutes int    `json:"terminationWaitTimeInMinutes"`
}

type deploymentReadyOption struct {
	ActionOnTimeout   string `json:"actionOnTimeout,omitempty"`
	WaitTimeInMinutes int    `json:"waitTimeInMinutes"`
}

type greenFleetProvisioningOption struct {
	Action string `json:"action,omitempty"`
}

type blueGreenConfig struct {
	TerminateBlueInstancesOnDeploymentSuccess *blueInstanceTerminationOption `json:"terminateBlueInstancesOnDeploymentSuccess,omitempty"`
	DeploymentReadyOption                     *deploymentReadyOption         `json:"deploymentReadyOption,omitempty"`
	GreenFleetProvisioningOption              *greenFleetProvisioningOption  `json:"greenFleetProvisioningOption,omitempty"`
}

type autoRollbackConfig struct {
	Enabled bool     `json:"enabled"`
	Events  []string `json:"events,omitempty"`
}

func (a *autoRollbackConfig) on(event string) bool {
	if a == nil || !a.Enabled {
		return false
	}
	for _, e := range a.Events {
		if e == event {
			return true
		}
	}
	return false
}

type deploymentStyle struct {
	DeploymentType   string `json:"deploymentType,omitempty"`
	DeploymentOption string `json:"deploymentOption,omitempty"`
}

type trafficRoute struct {
	ListenerArns []string `json:"listenerArns,omitempty"`
}

type targetGroupInfo struct {
	Name string `json:"name,omitempty"`
}

type targetGroupPairInfo struct {
	TargetGroups     []targetGroupInfo `json:"targetGroups,omitempty"`
	ProdTrafficRoute *trafficRoute     `json:"prodTrafficRoute,omitempty"`
	TestTrafficRoute *trafficRoute     `json:"testTrafficRoute,omitempty"`
}

type loadBalancerInfo struct {
	ElbInfoList             []targetGroupInfo     `json:"elbInfoList,omitempty"`
	TargetGroupInfoList     []targetGroupInfo     `json:"targetGroupInfoList,omitempty"`
	TargetGroupPairInfoList []targetGroupPairInfo `json:"targetGroupPairInfoList,omitempty"`
}

type ecsService struct {
	ServiceName string `json:"serviceName"`
	ClusterName string `json:"clusterName"`
}

type alarm struct {
	Name string `json:"name"`
}

type alarmConfiguration struct {
	Enabled                bool    `json:"enabled"`
	IgnorePollAlarmFailure bool    `json:"ignorePollAlarmFailure"`
	Alarms                 []alarm `json:"alarms"`
}

type lastDeploymentInfo struct {
	DeploymentID string      `json:"deploymentId"`
	Status       string      `json:"status"`
	EndTime      *edge.Epoch `json:"endTime,omitempty"`
	CreateTime   edge.Epoch  `json:"createTime"`
}

// deploymentGroupInfo is both the stored group and its wire form.
type deploymentGroupInfo struct {
	ApplicationName                  string              `json:"applicationName"`
	DeploymentGroupID                string              `json:"deploymentGroupId"`
	DeploymentGroupName              string              `json:"deploymentGroupName"`
	DeploymentConfigName             string              `json:"deploymentConfigName"`
	EC2TagFilters                    []any               `json:"ec2TagFilters"`
	OnPremisesInstanceTagFilters     []any               `json:"onPremisesInstanceTagFilters"`
	AutoScalingGroups                []any               `json:"autoScalingGroups"`
	ServiceRoleArn                   string              `json:"serviceRoleArn"`
	TargetRevision                   *revisionLocation   `json:"targetRevision,omitempty"`
	TriggerConfigurations            []any               `json:"triggerConfigurations"`
	AlarmConfiguration               *alarmConfiguration `json:"alarmConfiguration,omitempty"`
	AutoRollbackConfiguration        *autoRollbackConfig `json:"autoRollbackConfiguration,omitempty"`
	DeploymentStyle                  *deploymentStyle    `json:"deploymentStyle,omitempty"`
	OutdatedInstancesStrategy        string              `json:"outdatedInstancesStrategy,omitempty"`
	BlueGreenDeploymentConfiguration *blueGreenConfig    `json:"blueGreenDeploymentConfiguration,omitempty"`
	LoadBalancerInfo                 *loadBalancerInfo   `json:"loadBalancerInfo,omitempty"`
	LastSuccessfulDeployment         *lastDeploymentInfo `json:"lastSuccessfulDeployment,omitempty"`
	LastAttemptedDeployment          *lastDeploymentInfo `json:"lastAttemptedDeployment,omitempty"`
	EC2TagSet                        any                 `json:"ec2TagSet,omitempty"`
	OnPremisesTagSet                 any                 `json:"onPremisesTagSet,omitempty"`
	ComputePlatform                  string              `json:"computePlatform"`
	ECSServices                      []ecsService        `json:"ecsServices,omitempty"`
	TerminationHookEnabled           bool                `json:"terminationHookEnabled"`
}

type appSpecContent struct {
	Content string `json:"content,omitempty"`
	Sha256  string `json:"sha256,omitempty"`
}

type s3Location struct {
	Bucket     string `json:"bucket,omitempty"`
	Key        string `json:"key,omitempty"`
	BundleType string `json:"bundleType,omitempty"`
	Version    string `json:"version,omitempty"`
	ETag       string `json:"eTag,omitempty"`
}

type revisionLocation struct {
	RevisionType   string          `json:"revisionType,omitempty"`
	S3Location     *s3Location     `json:"s3Location,omitempty"`
	GitHubLocation any             `json:"gitHubLocation,omitempty"`
	String         *appSpecContent `json:"string,omitempty"`
	AppSpecContent *appSpecContent `json:"appSpecContent,omitempty"`
}

type errorInformation struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

type rollbackInfo struct {
	RollbackDeploymentID           string `json:"rollbackDeploymentId,omitempty"`
	RollbackTriggeringDeploymentID string `json:"rollbackTriggeringDeploymentId,omitempty"`
	RollbackMessage                string `json:"rollbackMessage,omitempty"`
}

type deploymentOverview struct {
	Pending    int64 `json:"Pending"`
	InProgress int64 `json:"InProgress"`
	Succeeded  int64 `json:"Succeeded"`
	Failed     int64 `json:"Failed"`
	Skipped    int64 `json:"Skipped"`
	Ready      int64 `json:"Ready"`
}

type diagnostics struct {
	ErrorCode  string `json:"errorCode,omitempty"`
	ScriptName string `json:"scriptName,omitempty"`
	Message    string `json:"message,omitempty"`
	LogTail    string `json:"logTail,omitempty"`
}

// --- stored state ---

// lifecycleEvent is one step of a deployment's target.
type lifecycleEvent struct {
	Name        string       `json:"name"`
	Status      string       `json:"status"`
	Start       time.Time    `json:"start,omitzero"`
	End         time.Time    `json:"end,omitzero"`
	Diagnostics *diagnostics `json:"diagnostics,omitempty"`
}

// pendingHook is a hook function CodeDeploy waits on.
type pendingHook struct {
	ExecID   string    `json:"execId"`
	Event    string    `json:"event"`
	Function string    `json:"function"`
	Deadline time.Time `json:"deadline"`
	// Returned is set once the function's invocation came back without an
	// error; a hook whose invocation a restart cut short is invoked again.
	Returned bool `json:"returned,omitempty"`
}

// routing is a deployment config's traffic shifting.
type routing struct {
	Type     string `json:"type"`               // AllAtOnce, TimeBasedCanary, TimeBasedLinear
	Percent  int    `json:"percent,omitempty"`  // canary or linear step
	Interval int    `json:"interval,omitempty"` // minutes between steps
}

// next returns the weight (percent of traffic on the new version) after cur.
func (r routing) next(cur float64) float64 {
	switch r.Type {
	case "TimeBasedCanary":
		if cur <= 0 && r.Percent > 0 && r.Percent < 100 {
			return float64(r.Percent)
		}
	case "TimeBasedLinear":
		if r.Percent > 0 && cur+float64(r.Percent) < 100 {
			return cur + float64(r.Percent)
		}
	}
	return 100
}

// Waits a deployment may be in.
const (
	waitNone        = ""
	waitHook        = "hook"
	waitBake        = "bake"
	waitReady       = "ready"
	waitTermination = "termination"
)

// taskSet is an ECS task set as CodeDeploy models it.
type taskSet struct {
	ID     string  `json:"id"`
	Label  string  `json:"label"` // Blue or Green
	Status string  `json:"status"`
	Weight float64 `json:"weight"`
	Group  string  `json:"group,omitempty"`
	Count  int64   `json:"count"`
}

// deployment is a stored deployment and the state of its engine.
type deployment struct {
	ID          string `json:"id"`
	Account     string `json:"account"`
	Region      string `json:"region"`
	Application string `json:"application"`
	Group       string `json:"group"`
	GroupID     string `json:"groupId"`
	ConfigName  string `json:"configName"`
	Platform    string `json:"platform"`
	Creator     string `json:"creator"`
	Description string `json:"description,omitempty"`

	Status         string            `json:"status"`
	Error          *errorInformation `json:"error,omitempty"`
	StatusMessages []string          `json:"statusMessages,omitempty"`
	CreateTime     time.Time         `json:"createTime"`
	StartTime      time.Time         `json:"startTime,omitzero"`
	CompleteTime   time.Time         `json:"completeTime,omitzero"`

	Revision         *revisionLocation   `json:"revision,omitempty"`
	PreviousRevision *revisionLocation   `json:"previousRevision,omitempty"`
	Spec             *AppSpec            `json:"spec,omitempty"`
	AutoRollback     *autoRollbackConfig `json:"autoRollback,omitempty"`
	Rollback         *rollbackInfo       `json:"rollback,omitempty"`
	Style            *deploymentStyle    `json:"style,omitempty"`
	BlueGreen        *blueGreenConfig    `json:"blueGreen,omitempty"`
	LoadBalancer     *loadBalancerInfo   `json:"loadBalancer,omitempty"`
	Routing          routing             `json:"routing"`
	// IsRollback marks a rollback deployment: it runs no hooks.
	IsRollback bool `json:"isRollback,omitempty"`

	// Engine state: Events[Step] is the lifecycle event in progress; Wait
	// says what the deployment waits for and WakeAt (or Hook.Deadline)
	// until when, so a restarted process re-arms the same timer.
	Events      []lifecycleEvent  `json:"events"`
	Step        int               `json:"step"`
	Weight      float64           `json:"weight"` // percent of production traffic on the new version
	Hook        *pendingHook      `json:"hook,omitempty"`
	Hooks       map[string]string `json:"hooks,omitempty"` // every hook execution id → event, for late reports
	Wait        string            `json:"wait,omitempty"`
	WakeAt      time.Time         `json:"wakeAt,omitzero"`
	ReadyDone   bool              `json:"readyDone,omitempty"`
	Terminating bool              `json:"terminating,omitempty"`
	Updated     time.Time         `json:"updated"`

	TargetID    string    `json:"targetId"`
	TargetARN   string    `json:"targetArn"`
	TaskSets    []taskSet `json:"taskSets,omitempty"`    // ECS: the original, then the replacement
	TestOnGreen bool      `json:"testOnGreen,omitempty"` // ECS: the test listener routes to the replacement
}

func (d *deployment) terminal() bool {
	switch d.Status {
	case statusSucceeded, statusFailed, statusStopped:
		return true
	}
	return false
}

// targetStatus summarises the lifecycle as a TargetStatus.
func (d *deployment) targetStatus() string {
	switch d.Status {
	case statusSucceeded:
		return evSucceeded
	case statusFailed:
		return evFailed
	case statusStopped:
		return evFailed
	case statusReady:
		return "Ready"
	case statusCreated:
		return evPending
	}
	return evInProgress
}
