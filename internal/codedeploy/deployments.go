package codedeploy

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

func epoch(t time.Time) edge.Epoch { return edge.Epoch(t) }

func epochPtr(t time.Time) *edge.Epoch {
	if t.IsZero() {
		return nil
	}
	e := edge.Epoch(t)
	return &e
}

var reDeploymentID = regexp.MustCompile(`^d-[A-Z0-9]{9}$`)

func checkDeploymentID(id string) error {
	if id == "" {
		return edge.Errorf("DeploymentIdRequiredException", "At least one deployment ID must be specified.")
	}
	if !reDeploymentID.MatchString(id) {
		return edge.Errorf("InvalidDeploymentIdException", "At least one of the deployment IDs was specified in an invalid format.")
	}
	return nil
}

func deploymentNotFound(id string) *edge.Error {
	return edge.Errorf("DeploymentDoesNotExistException", "The deployment %s could not be found.", id)
}

// deploymentRequest is a CreateDeployment call, from the API or from Deploy.
type deploymentRequest struct {
	Account, Region, Application, Group string
	Revision                            *revisionLocation
	ConfigName                          string
	Description                         string
	AutoRollback                        *autoRollbackConfig
	Creator                             string
}

type createDeploymentInput struct {
	ApplicationName               string              `json:"applicationName"`
	DeploymentGroupName           string              `json:"deploymentGroupName"`
	Revision                      *revisionLocation   `json:"revision"`
	DeploymentConfigName          string              `json:"deploymentConfigName"`
	Description                   string              `json:"description"`
	IgnoreApplicationStopFailures bool                `json:"ignoreApplicationStopFailures"`
	TargetInstances               any                 `json:"targetInstances"`
	AutoRollbackConfiguration     *autoRollbackConfig `json:"autoRollbackConfiguration"`
	UpdateOutdatedInstancesOnly   bool                `json:"updateOutdatedInstancesOnly"`
	FileExistsBehavior            string              `json:"fileExistsBehavior"`
	OverrideAlarmConfiguration    any                 `json:"overrideAlarmConfiguration"`
}

type createDeploymentOutput struct {
	DeploymentID string `json:"deploymentId"`
}

func (s *Service) createDeployment(ctx context.Context, in *createDeploymentInput) (*createDeploymentOutput, error) {
	m := edge.MetaFrom(ctx)
	id, err := s.create(ctx, &deploymentRequest{Account: m.Account, Region: m.Region, Application: in.ApplicationName,
		Group: in.DeploymentGroupName, Revision: in.Revision, ConfigName: in.DeploymentConfigName,
		Description: in.Description, AutoRollback: in.AutoRollbackConfiguration, Creator: "user"})
	if err != nil {
		return nil, err
	}
	return &createDeploymentOutput{DeploymentID: id}, nil
}

// readRevision fetches and parses the AppSpec file a revision names.
func (s *Service) readRevision(ctx context.Context, account, region string, rev *revisionLocation) (*AppSpec, error) {
	invalid := func(format string, args ...any) error {
		return edge.Errorf("InvalidRevisionException", format, args...)
	}
	var content []byte
	switch rev.RevisionType {
	case "AppSpecContent", "String":
		c := rev.AppSpecContent
		if rev.RevisionType == "String" {
			c = rev.String
		}
		if c == nil || c.Content == "" {
			return nil, invalid("The revision content is missing.")
		}
		if c.Sha256 != "" {
			sum := sha256.Sum256([]byte(c.Content))
			if !strings.EqualFold(c.Sha256, hex.EncodeToString(sum[:])) {
				return nil, invalid("The SHA256 hash of the revision content does not match the sha256 given.")
			}
		}
		content = []byte(c.Content)
	case "S3":
		loc := rev.S3Location
		if loc == nil || loc.Bucket == "" || loc.Key == "" {
			return nil, invalid("An S3 revision needs a bucket and a key.")
		}
		if s.cfg.Objects == nil {
			return nil, edge.Errorf("RevisionDoesNotExistException", "The revision s3://%s/%s could not be read.", loc.Bucket, loc.Key)
		}
		b, err := s.cfg.Objects.GetObject(ctx, account, region, loc.Bucket, loc.Key, loc.Version)
		if err != nil {
			return nil, edge.Errorf("RevisionDoesNotExistException", "The revision s3://%s/%s does not exist: %s", loc.Bucket, loc.Key, errMessage(err))
		}
		switch strings.ToLower(loc.BundleType) {
		case "yaml", "json":
			content = b
		case "zip", "":
			c, err := appSpecFromZip(b)
			if err != nil {
				return nil, invalid("%s", err.Error())
			}
			content = c
		default:
			return nil, invalid("Bundle type %s is not supported for Lambda and ECS deployments.", loc.BundleType)
		}
	case "":
		return nil, invalid("The revision type is missing.")
	default:
		return nil, invalid("Revision type %s is not supported.", rev.RevisionType)
	}
	spec, err := ParseAppSpec(content)
	if err != nil {
		return nil, invalid("The AppSpec file is invalid: %s", err.Error())
	}
	return spec, nil
}

func errMessage(err error) string {
	var e *edge.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// appSpecFromZip finds appspec.yaml, appspec.yml or appspec.json at the
// root of a bundle, as CodePipeline's deploy actions hand them over.
func appSpecFromZip(b []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, errors.New("The revision bundle is not a valid zip file.")
	}
	for _, name := range []string{"appspec.yaml", "appspec.yml", "appspec.json"} {
		for _, f := range zr.File {
			if f.Name != name {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(io.LimitReader(rc, 1<<20))
		}
	}
	return nil, errors.New("The revision bundle has no appspec.yaml, appspec.yml or appspec.json at its root.")
}

// create validates a request, stores the deployment and starts it.
func (s *Service) create(ctx context.Context, req *deploymentRequest) (string, error) {
	if err := checkAppName(req.Application); err != nil {
		return "", err
	}
	if err := checkGroupName(req.Group); err != nil {
		return "", err
	}
	var app *application
	var g *deploymentGroupInfo
	var cfgInfo *deploymentConfigInfo
	err := s.st.View(func(tx store.Tx) error {
		var err error
		if app, err = s.loadApp(tx, req.Account, req.Region, req.Application); err != nil {
			return err
		}
		if g, err = s.loadGroup(tx, req.Account, req.Region, req.Application, req.Group); err != nil {
			return err
		}
		name := req.ConfigName
		if name == "" {
			name = g.DeploymentConfigName
		}
		if cfgInfo, err = s.loadConfig(tx, req.Account, req.Region, name); err != nil {
			return err
		}
		if cfgInfo.ComputePlatform != app.Platform {
			return edge.Errorf("InvalidDeploymentConfigNameException", "Deployment configuration %s is for the %s compute platform; the application uses %s.", name, cfgInfo.ComputePlatform, app.Platform)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if len(req.Description) > 1000 {
		return "", edge.Errorf("DescriptionTooLongException", "The description is too long.")
	}
	var spec *AppSpec
	if app.Platform != platformServer {
		if req.Revision == nil {
			return "", edge.Errorf("RevisionRequiredException", "Revision is required.")
		}
		if spec, err = s.readRevision(ctx, req.Account, req.Region, req.Revision); err != nil {
			return "", err
		}
		if err := spec.check(app.Platform); err != nil {
			return "", edge.Errorf("InvalidRevisionException", "%s", err.Error())
		}
	}
	now := s.clk.Now()
	d := &deployment{ID: s.cfg.NewID(), Account: req.Account, Region: req.Region, Application: app.Name, Group: g.DeploymentGroupName,
		GroupID: g.DeploymentGroupID, ConfigName: cfgInfo.DeploymentConfigName, Platform: app.Platform, Creator: req.Creator,
		Description: req.Description, Status: statusCreated, CreateTime: now, Revision: req.Revision, PreviousRevision: g.TargetRevision,
		Spec: spec, AutoRollback: g.AutoRollbackConfiguration, Style: g.DeploymentStyle, BlueGreen: g.BlueGreenDeploymentConfiguration,
		LoadBalancer: g.LoadBalancerInfo, Routing: cfgInfo.routing()}
	if req.AutoRollback != nil {
		d.AutoRollback = req.AutoRollback
	}
	if app.Platform != platformServer {
		for _, name := range lifecycleFor(app.Platform) {
			d.Events = append(d.Events, lifecycleEvent{Name: name, Status: evPending})
		}
	}
	switch app.Platform {
	case platformLambda:
		d.TargetID = spec.Lambda.Name // the function name, as the API reference says
		d.TargetARN = "arn:aws:lambda:" + req.Region + ":" + req.Account + ":function:" + spec.Lambda.Name + ":" + spec.Lambda.Alias
	case platformECS:
		svc := g.ECSServices[0]
		d.TargetID = svc.ClusterName + ":" + svc.ServiceName
		d.TargetARN = "arn:aws:ecs:" + req.Region + ":" + req.Account + ":service/" + svc.ClusterName + "/" + svc.ServiceName
		blueGroup := ""
		if tgs := g.LoadBalancerInfo.TargetGroupPairInfoList[0].TargetGroups; len(tgs) > 0 {
			blueGroup = tgs[0].Name
		}
		blue := taskSet{ID: newTaskSetID(), Label: "Blue", Status: "PRIMARY", Weight: 100, Group: blueGroup, Count: 1}
		// The service keeps the task set the last successful deployment
		// left: it is this deployment's original, on its target group.
		if last := g.LastSuccessfulDeployment; last != nil {
			if prev, err := s.load(req.Account, req.Region, last.DeploymentID); err == nil && len(prev.TaskSets) == 1 {
				blue = prev.TaskSets[0]
				blue.Label, blue.Status, blue.Weight = "Blue", "PRIMARY", 100
			}
		}
		d.TaskSets = []taskSet{blue}
	}
	s.mu.Lock()
	if active := s.activeDeployment(req.Account, req.Region, d.Application, d.Group); active != "" {
		s.mu.Unlock()
		return "", edge.Errorf("DeploymentLimitExceededException", "The Deployment Group '%s' for Application '%s' already has an active Deployment '%s'", d.Group, d.Application, active)
	}
	err = s.save(d)
	if err == nil && d.Revision != nil {
		err = s.st.Update(func(tx store.Tx) error {
			return useRevision(tx, d.Account, d.Region, d.Application, d.Group, d.Revision, now)
		})
	}
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	s.advance(d.Account, d.Region, d.ID)
	return d.ID, nil
}

// activeDeployment returns the id of a group's unfinished deployment; the
// caller holds s.mu.
func (s *Service) activeDeployment(account, region, app, group string) string {
	active := ""
	_ = s.st.View(func(tx store.Tx) error {
		tx.Bucket(bucket(bucketDeployments, account, region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var d deployment
			if json.Unmarshal(v, &d) == nil && d.Application == app && d.Group == group && !d.terminal() {
				active = d.ID
				return false
			}
			return true
		})
		return nil
	})
	return active
}

// --- reading deployments ---

type deploymentInfo struct {
	ApplicationName                    string              `json:"applicationName"`
	DeploymentGroupName                string              `json:"deploymentGroupName"`
	DeploymentConfigName               string              `json:"deploymentConfigName"`
	DeploymentID                       string              `json:"deploymentId"`
	PreviousRevision                   *revisionLocation   `json:"previousRevision,omitempty"`
	Revision                           *revisionLocation   `json:"revision,omitempty"`
	Status                             string              `json:"status"`
	ErrorInformation                   *errorInformation   `json:"errorInformation,omitempty"`
	CreateTime                         edge.Epoch          `json:"createTime"`
	StartTime                          *edge.Epoch         `json:"startTime,omitempty"`
	CompleteTime                       *edge.Epoch         `json:"completeTime,omitempty"`
	DeploymentOverview                 *deploymentOverview `json:"deploymentOverview,omitempty"`
	Description                        string              `json:"description,omitempty"`
	Creator                            string              `json:"creator"`
	IgnoreApplicationStopFailures      bool                `json:"ignoreApplicationStopFailures"`
	AutoRollbackConfiguration          *autoRollbackConfig `json:"autoRollbackConfiguration,omitempty"`
	UpdateOutdatedInstancesOnly        bool                `json:"updateOutdatedInstancesOnly"`
	RollbackInfo                       *rollbackInfo       `json:"rollbackInfo,omitempty"`
	DeploymentStyle                    *deploymentStyle    `json:"deploymentStyle,omitempty"`
	InstanceTerminationWaitTimeStarted bool                `json:"instanceTerminationWaitTimeStarted"`
	BlueGreenDeploymentConfiguration   *blueGreenConfig    `json:"blueGreenDeploymentConfiguration,omitempty"`
	LoadBalancerInfo                   *loadBalancerInfo   `json:"loadBalancerInfo,omitempty"`
	FileExistsBehavior                 string              `json:"fileExistsBehavior,omitempty"`
	DeploymentStatusMessages           []string            `json:"deploymentStatusMessages"`
	ComputePlatform                    string              `json:"computePlatform"`
}

func (d *deployment) info() *deploymentInfo {
	out := &deploymentInfo{ApplicationName: d.Application, DeploymentGroupName: d.Group, DeploymentConfigName: d.ConfigName,
		DeploymentID: d.ID, PreviousRevision: d.PreviousRevision, Revision: d.Revision, Status: d.Status, ErrorInformation: d.Error,
		CreateTime: epoch(d.CreateTime), StartTime: epochPtr(d.StartTime), CompleteTime: epochPtr(d.CompleteTime),
		Description: d.Description, Creator: d.Creator, AutoRollbackConfiguration: d.AutoRollback, RollbackInfo: d.Rollback,
		DeploymentStyle: d.Style, InstanceTerminationWaitTimeStarted: d.Terminating, BlueGreenDeploymentConfiguration: d.BlueGreen,
		LoadBalancerInfo: d.LoadBalancer, DeploymentStatusMessages: d.StatusMessages, ComputePlatform: d.Platform}
	if out.DeploymentStatusMessages == nil {
		out.DeploymentStatusMessages = []string{}
	}
	if d.Platform == platformServer {
		out.FileExistsBehavior = "DISALLOW"
		out.DeploymentOverview = &deploymentOverview{}
	} else {
		ov := &deploymentOverview{}
		switch d.targetStatus() {
		case evPending:
			ov.Pending = 1
		case evSucceeded:
			ov.Succeeded = 1
		case evFailed:
			ov.Failed = 1
		case "Ready":
			ov.Ready = 1
		default:
			ov.InProgress = 1
		}
		out.DeploymentOverview = ov
	}
	return out
}

// view reads a deployment for an API call.
func (s *Service) view(account, region, id string) (*deployment, error) {
	if err := checkDeploymentID(id); err != nil {
		return nil, err
	}
	var d deployment
	found := false
	_ = s.st.View(func(tx store.Tx) error {
		found = getJSON(tx, bucket(bucketDeployments, account, region), id, &d)
		return nil
	})
	if !found {
		return nil, deploymentNotFound(id)
	}
	return &d, nil
}

type deploymentIDInput struct {
	DeploymentID string `json:"deploymentId"`
}

type getDeploymentOutput struct {
	DeploymentInfo *deploymentInfo `json:"deploymentInfo"`
}

func (s *Service) getDeployment(ctx context.Context, in *deploymentIDInput) (*getDeploymentOutput, error) {
	m := edge.MetaFrom(ctx)
	d, err := s.view(m.Account, m.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	return &getDeploymentOutput{DeploymentInfo: d.info()}, nil
}

type batchGetDeploymentsInput struct {
	DeploymentIDs []string `json:"deploymentIds"`
}

type batchGetDeploymentsOutput struct {
	DeploymentsInfo []*deploymentInfo `json:"deploymentsInfo"`
}

func (s *Service) batchGetDeployments(ctx context.Context, in *batchGetDeploymentsInput) (*batchGetDeploymentsOutput, error) {
	m := edge.MetaFrom(ctx)
	if len(in.DeploymentIDs) == 0 {
		return nil, edge.Errorf("DeploymentIdRequiredException", "At least one deployment ID must be specified.")
	}
	if len(in.DeploymentIDs) > 25 {
		return nil, edge.Errorf("BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (25) was exceeded.")
	}
	out := &batchGetDeploymentsOutput{DeploymentsInfo: []*deploymentInfo{}}
	for _, id := range in.DeploymentIDs {
		d, err := s.view(m.Account, m.Region, id)
		var e *edge.Error
		if errors.As(err, &e) && e.Code == "DeploymentDoesNotExistException" {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.DeploymentsInfo = append(out.DeploymentsInfo, d.info())
	}
	return out, nil
}

type timeRange struct {
	Start *edge.Epoch `json:"start"`
	End   *edge.Epoch `json:"end"`
}

type listDeploymentsInput struct {
	ApplicationName     string     `json:"applicationName"`
	DeploymentGroupName string     `json:"deploymentGroupName"`
	ExternalID          string     `json:"externalId"`
	IncludeOnlyStatuses []string   `json:"includeOnlyStatuses"`
	CreateTimeRange     *timeRange `json:"createTimeRange"`
	NextToken           string     `json:"nextToken"`
}

type listDeploymentsOutput struct {
	Deployments []string `json:"deployments"`
	NextToken   string   `json:"nextToken,omitempty"`
}

var deploymentStatuses = map[string]bool{"Created": true, "Queued": true, "InProgress": true, "Baking": true,
	"Succeeded": true, "Failed": true, "Stopped": true, "Ready": true}

func (s *Service) listDeployments(ctx context.Context, in *listDeploymentsInput) (*listDeploymentsOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.DeploymentGroupName != "" && in.ApplicationName == "" {
		return nil, edge.Errorf("ApplicationNameRequiredException", "Application name is required")
	}
	if in.ApplicationName != "" && in.DeploymentGroupName == "" {
		return nil, edge.Errorf("DeploymentGroupNameRequiredException", "Deployment Group name is required")
	}
	for _, st := range in.IncludeOnlyStatuses {
		if !deploymentStatuses[st] {
			return nil, edge.Errorf("InvalidDeploymentStatusException", "The deployment status %s is invalid.", st)
		}
	}
	if r := in.CreateTimeRange; r != nil && r.Start != nil && r.End != nil && r.End.Time().Before(r.Start.Time()) {
		return nil, edge.Errorf("InvalidTimeRangeException", "The specified time range was specified in an invalid format.")
	}
	var list []*deployment
	err := s.st.View(func(tx store.Tx) error {
		if in.ApplicationName != "" {
			if _, err := s.loadApp(tx, m.Account, m.Region, in.ApplicationName); err != nil {
				return err
			}
			if _, err := s.loadGroup(tx, m.Account, m.Region, in.ApplicationName, in.DeploymentGroupName); err != nil {
				return err
			}
		}
		tx.Bucket(bucket(bucketDeployments, m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var d deployment
			if json.Unmarshal(v, &d) != nil {
				return true
			}
			if in.ApplicationName != "" && (d.Application != in.ApplicationName || d.Group != in.DeploymentGroupName) {
				return true
			}
			if len(in.IncludeOnlyStatuses) > 0 {
				ok := false
				for _, st := range in.IncludeOnlyStatuses {
					ok = ok || st == d.Status
				}
				if !ok {
					return true
				}
			}
			if r := in.CreateTimeRange; r != nil {
				if r.Start != nil && d.CreateTime.Before(r.Start.Time()) || r.End != nil && d.CreateTime.After(r.End.Time()) {
					return true
				}
			}
			list = append(list, &d)
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].CreateTime.After(list[j].CreateTime) })
	ids := make([]string, len(list))
	for i, d := range list {
		ids[i] = d.ID
	}
	p, next, err := page(ids, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &listDeploymentsOutput{Deployments: append([]string{}, p...), NextToken: next}, nil
}

// --- controlling deployments ---

type stopDeploymentInput struct {
	DeploymentID        string `json:"deploymentId"`
	AutoRollbackEnabled *bool  `json:"autoRollbackEnabled"`
}

type stopDeploymentOutput struct {
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
}

func alreadyCompleted(id string) *edge.Error {
	return edge.Errorf("DeploymentAlreadyCompletedException", "The deployment %s has already completed.", id)
}

// transitionAPI runs a transition for an API call, mapping "not found".
func (s *Service) transitionAPI(account, region, id string, change func(d *deployment, fx *effects) error) error {
	if err := checkDeploymentID(id); err != nil {
		return err
	}
	err := s.transition(account, region, id, change)
	if errors.Is(err, errGone) {
		return deploymentNotFound(id)
	}
	return err
}

func (s *Service) stopDeployment(ctx context.Context, in *stopDeploymentInput) (*stopDeploymentOutput, error) {
	m := edge.MetaFrom(ctx)
	err := s.transitionAPI(m.Account, m.Region, in.DeploymentID, func(d *deployment, fx *effects) error {
		if d.terminal() {
			return alreadyCompleted(d.ID)
		}
		rollback := d.AutoRollback.on("DEPLOYMENT_STOP_ON_REQUEST")
		if in.AutoRollbackEnabled != nil {
			rollback = *in.AutoRollbackEnabled
		}
		s.stop(d, fx, "MANUAL_STOP", "The deployment was stopped by a user.", rollback)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &stopDeploymentOutput{Status: "Pending", StatusMessage: "Stopping Active Deployment"}, nil
}

type continueDeploymentInput struct {
	DeploymentID       string `json:"deploymentId"`
	DeploymentWaitType string `json:"deploymentWaitType"`
}

func (s *Service) continueDeployment(ctx context.Context, in *continueDeploymentInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	typ := in.DeploymentWaitType
	if typ == "" {
		typ = "READY_WAIT"
	}
	if typ != "READY_WAIT" && typ != "TERMINATION_WAIT" {
		return nil, edge.Errorf("InvalidDeploymentWaitTypeException", "The wait type %s is invalid.", typ)
	}
	err := s.transitionAPI(m.Account, m.Region, in.DeploymentID, func(d *deployment, fx *effects) error {
		if d.Platform == platformLambda {
			return edge.Errorf("UnsupportedActionForDeploymentTypeException", "ContinueDeployment is not supported for Lambda deployments.")
		}
		if d.terminal() {
			return alreadyCompleted(d.ID)
		}
		switch {
		case typ == "READY_WAIT" && d.Wait == waitReady:
			d.ReadyDone = true
			d.Status = statusInProgress
			d.Wait = waitNone
		case typ == "TERMINATION_WAIT" && d.Wait == waitTermination:
			d.Wait = waitNone
		default:
			return edge.Errorf("DeploymentIsNotInReadyStateException", "The deployment %s is not in a ready state.", d.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// skipWaitTimeForInstanceTermination is the older name of
// ContinueDeployment with TERMINATION_WAIT.
func (s *Service) skipWaitTimeForInstanceTermination(ctx context.Context, in *deploymentIDInput) (*struct{}, error) {
	return s.continueDeployment(ctx, &continueDeploymentInput{DeploymentID: in.DeploymentID, DeploymentWaitType: "TERMINATION_WAIT"})
}

type putHookStatusInput struct {
	DeploymentID                  string `json:"deploymentId"`
	LifecycleEventHookExecutionID string `json:"lifecycleEventHookExecutionId"`
	Status                        string `json:"status"`
}

type putHookStatusOutput struct {
	LifecycleEventHookExecutionID string `json:"lifecycleEventHookExecutionId"`
}

func (s *Service) putHookStatus(ctx context.Context, in *putHookStatusInput) (*putHookStatusOutput, error) {
	m := edge.MetaFrom(ctx)
	if err := checkDeploymentID(in.DeploymentID); err != nil {
		return nil, err
	}
	if in.Status != evSucceeded && in.Status != evFailed {
		return nil, edge.Errorf("InvalidLifecycleEventHookExecutionStatusException", "The result of a Lambda validation function that verifies a lifecycle event is invalid. It should return Succeeded or Failed.")
	}
	d, err := s.view(m.Account, m.Region, in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if d.Platform == platformServer {
		return nil, edge.Errorf("UnsupportedActionForDeploymentTypeException", "PutLifecycleEventHookExecutionStatus is supported only for Lambda and ECS deployments.")
	}
	diag := ""
	if in.Status == evFailed {
		diag = "The lifecycle event hook reported Failed."
	}
	err = s.hookResult(m.Account, m.Region, in.DeploymentID, in.LifecycleEventHookExecutionID, in.Status == evSucceeded, diag)
	switch {
	case errors.Is(err, errHookDone):
		return nil, edge.Errorf("LifecycleEventAlreadyCompletedException", "An attempt to return the status of an already completed lifecycle event occurred.")
	case errors.Is(err, errHookUnknown):
		return nil, edge.Errorf("InvalidLifecycleEventHookExecutionIdException", "A lifecycle event hook is invalid. Review the hooks section in your AppSpec file to ensure the lifecycle events and hooks functions are valid.")
	case errors.Is(err, errGone):
		return nil, deploymentNotFound(in.DeploymentID)
	case err != nil:
		return nil, err
	}
	return &putHookStatusOutput{LifecycleEventHookExecutionID: in.LifecycleEventHookExecutionID}, nil
}
