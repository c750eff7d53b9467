package codedeploy

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tenkai/internal/store"
)

// The engine moves a deployment through its lifecycle events. Every
// transition happens under s.mu: the deployment is loaded, advanced in
// memory as far as it can go now (calling Lambda to move alias weights),
// stored, and its next wake-up armed. Work that may call back into
// CodeDeploy (hook invocations, events) runs after the lock is released.

// effects are the side effects of a transition, applied after unlocking.
type effects struct {
	events  []stateEvent
	hooks   []hookCall
	done    []*deployment // deployments that reached a final status
	created []*deployment // rollback deployments to store and start
}

type stateEvent struct {
	d     deployment
	state string
}

type hookCall struct {
	account, region, id, exec, function string
}

func (fx *effects) event(d *deployment, state string) {
	fx.events = append(fx.events, stateEvent{d: *d, state: state})
}

func depKey(account, region, id string) string { return account + "/" + region + "/" + id }

var errGone = errors.New("codedeploy: deployment not found")

// load reads a deployment; the caller holds s.mu.
func (s *Service) load(account, region, id string) (*deployment, error) {
	var d deployment
	found := false
	err := s.st.View(func(tx store.Tx) error {
		found = getJSON(tx, bucket(bucketDeployments, account, region), id, &d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errGone
	}
	return &d, nil
}

// save stores a deployment and keeps its group's last-deployment fields
// current; the caller holds s.mu.
func (s *Service) save(d *deployment) error {
	d.Updated = s.clk.Now()
	return s.st.Update(func(tx store.Tx) error {
		if err := putJSON(tx, bucket(bucketDeployments, d.Account, d.Region), d.ID, d); err != nil {
			return err
		}
		gb := bucket(bucketGroups, d.Account, d.Region)
		var g deploymentGroupInfo
		if !getJSON(tx, gb, groupKey(d.Application, d.Group), &g) || g.DeploymentGroupID != d.GroupID {
			return nil
		}
		last := &lastDeploymentInfo{DeploymentID: d.ID, Status: d.Status, CreateTime: epoch(d.CreateTime)}
		if !d.CompleteTime.IsZero() {
			t := epoch(d.CompleteTime)
			last.EndTime = &t
		}
		g.LastAttemptedDeployment = last
		if d.Status == statusSucceeded {
			g.LastSuccessfulDeployment = last
			g.TargetRevision = d.Revision
		}
		return putJSON(tx, gb, groupKey(d.Application, d.Group), &g)
	})
}

// advance runs a deployment as far as it can go now.
func (s *Service) advance(account, region, id string) {
	s.transition(account, region, id, func(d *deployment, fx *effects) error { return nil })
}

// transition applies change to a stored deployment, runs the engine and
// applies the effects. change's error is returned and nothing is stored.
func (s *Service) transition(account, region, id string, change func(d *deployment, fx *effects) error) error {
	fx := &effects{}
	s.mu.Lock()
	d, err := s.load(account, region, id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if err := change(d, fx); err != nil {
		s.mu.Unlock()
		return err
	}
	s.run(s.ctx, d, fx)
	err = s.save(d)
	if err == nil {
		for _, c := range fx.created {
			if e := s.save(c); e != nil {
				err = e
			}
		}
	}
	s.arm(d)
	s.mu.Unlock()
	s.apply(fx)
	return err
}

// apply carries out effects; it runs without s.mu.
func (s *Service) apply(fx *effects) {
	for _, e := range fx.events {
		s.publish(e.d, e.state)
	}
	for _, h := range fx.hooks {
		s.invokeHook(h)
	}
	for _, d := range fx.done {
		s.notify(d)
	}
	for _, c := range fx.created {
		s.advance(c.Account, c.Region, c.ID)
	}
}

// arm schedules the deployment's next wake-up; the caller holds s.mu.
func (s *Service) arm(d *deployment) {
	key := depKey(d.Account, d.Region, d.ID)
	if t := s.timers[key]; t != nil {
		t.Stop()
		delete(s.timers, key)
	}
	if d.terminal() {
		return
	}
	var at time.Time
	switch d.Wait {
	case waitHook:
		if d.Hook != nil {
			at = d.Hook.Deadline
		}
	case waitBake, waitReady, waitTermination:
		at = d.WakeAt
	}
	if at.IsZero() {
		return
	}
	account, region, id := d.Account, d.Region, d.ID
	s.timers[key] = s.clk.AfterFunc(at.Sub(s.clk.Now()), func() { s.advance(account, region, id) })
}

// run advances d until it must wait or ends; the caller holds s.mu.
func (s *Service) run(ctx context.Context, d *deployment, fx *effects) {
	now := s.clk.Now()
	if d.Status == statusCreated {
		d.Status = statusInProgress
		d.StartTime = now
		fx.event(d, "START")
		if d.Platform == platformServer {
			s.fail(d, fx, "NO_INSTANCES", "The deployment failed because no instances were found for your deployment group. Check your deployment group settings to make sure the tags for your Amazon EC2 instances or Auto Scaling groups correctly identify the instances you want to deploy to, and then try again.", "")
			return
		}
	}
	for !d.terminal() {
		switch d.Wait {
		case waitHook:
			if d.Hook != nil && now.Before(d.Hook.Deadline) {
				return
			}
			s.fail(d, fx, "HOOK_EXECUTION_FAILURE", hookFailedMessage,
				"The lifecycle event hook timed out: no status was reported with PutLifecycleEventHookExecutionStatus within one hour.")
			return
		case waitBake:
			if now.Before(d.WakeAt) {
				return
			}
			d.Wait = waitNone
		case waitReady:
			if now.Before(d.WakeAt) {
				return
			}
			s.stop(d, fx, "TIMEOUT", "The deployment was stopped because it was not continued before the wait time for traffic rerouting ran out.", d.AutoRollback.on("DEPLOYMENT_FAILURE"))
			return
		case waitTermination:
			if now.Before(d.WakeAt) {
				return
			}
			d.Wait = waitNone
		}
		if d.Step >= len(d.Events) {
			if wait := d.terminationWait(); wait > 0 && !d.Terminating {
				d.Terminating = true
				d.Wait = waitTermination
				d.WakeAt = now.Add(wait)
				return
			}
			d.removeBlue()
			s.succeed(d, fx)
			return
		}
		ev := &d.Events[d.Step]
		if isHookEvent(ev.Name) {
			if ev.Name == lcBeforeAllowTraffic && d.needsReadyWait() {
				d.Status = statusReady
				d.Wait = waitReady
				d.WakeAt = now.Add(time.Duration(d.BlueGreen.DeploymentReadyOption.WaitTimeInMinutes) * time.Minute)
				fx.event(d, "READY")
				return
			}
			fn := d.Spec.HookFor(ev.Name)
			if d.IsRollback || fn == "" {
				ev.Status = evSkipped
				d.Step++
				continue
			}
			exec := newHookExecutionID()
			ev.Status, ev.Start = evInProgress, now
			d.Hook = &pendingHook{ExecID: exec, Event: ev.Name, Function: fn, Deadline: now.Add(hookTimeout)}
			if d.Hooks == nil {
				d.Hooks = map[string]string{}
			}
			d.Hooks[exec] = ev.Name
			d.Wait = waitHook
			fx.hooks = append(fx.hooks, hookCall{account: d.Account, region: d.Region, id: d.ID, exec: exec, function: fn})
			return
		}
		if ev.Status == evPending {
			ev.Status, ev.Start = evInProgress, now
		}
		switch ev.Name {
		case lcInstall:
			d.installGreen()
		case lcAllowTestTraffic:
			d.TestOnGreen = true
		case lcAllowTraffic:
			w := d.Routing.next(d.Weight)
			if err := s.shift(ctx, d, w); err != nil {
				s.fail(d, fx, "INVALID_LAMBDA_CONFIGURATION", "The deployment failed because traffic could not be shifted: "+err.Error(), err.Error())
				return
			}
			d.Weight = w
			if w < 100 {
				d.Wait = waitBake
				d.WakeAt = now.Add(time.Duration(d.Routing.Interval) * time.Minute)
				return
			}
		}
		ev.Status, ev.End = evSucceeded, now
		d.Step++
	}
}

const hookFailedMessage = "The deployment failed because one or more of the lifecycle event hooks failed."

// needsReadyWait reports whether an ECS deployment waits for
// ContinueDeployment before rerouting production traffic.
func (d *deployment) needsReadyWait() bool {
	if d.Platform != platformECS || d.ReadyDone || d.IsRollback || d.BlueGreen == nil || d.BlueGreen.DeploymentReadyOption == nil {
		return false
	}
	return d.BlueGreen.DeploymentReadyOption.ActionOnTimeout == "STOP_DEPLOYMENT"
}

// terminationWait is how long the original ECS task set is kept after
// the traffic moved.
func (d *deployment) terminationWait() time.Duration {
	if d.Platform != platformECS || d.IsRollback || d.BlueGreen == nil || d.BlueGreen.TerminateBlueInstancesOnDeploymentSuccess == nil {
		return 0
	}
	return time.Duration(d.BlueGreen.TerminateBlueInstancesOnDeploymentSuccess.TerminationWaitTimeInMinutes) * time.Minute
}

// installGreen creates the replacement ECS task set with no traffic.
func (d *deployment) installGreen() {
	if d.Platform != platformECS || len(d.TaskSets) != 1 {
		return
	}
	group := ""
	if d.LoadBalancer != nil && len(d.LoadBalancer.TargetGroupPairInfoList) == 1 {
		if tgs := d.LoadBalancer.TargetGroupPairInfoList[0].TargetGroups; len(tgs) == 2 {
			group = tgs[1].Name
			if d.TaskSets[0].Group == tgs[1].Name {
				group = tgs[0].Name
			}
		}
	}
	d.TaskSets = append(d.TaskSets, taskSet{ID: newTaskSetID(), Label: "Green", Status: "ACTIVE", Weight: 0, Group: group, Count: d.TaskSets[0].Count})
}

// removeBlue drops the original ECS task set once the deployment is done.
func (d *deployment) removeBlue() {
	if d.Platform != platformECS || len(d.TaskSets) != 2 {
		return
	}
	green := d.TaskSets[1]
	green.Status, green.Weight = "PRIMARY", 100
	d.TaskSets = []taskSet{green}
}

// shift sends w percent of production traffic to the new version.
func (s *Service) shift(ctx context.Context, d *deployment, w float64) error {
	switch d.Platform {
	case platformLambda:
		if s.cfg.Functions == nil {
			return errors.New("Lambda is not available")
		}
		l := d.Spec.Lambda
		if w >= 100 || l.CurrentVersion == l.TargetVersion {
			return s.cfg.Functions.RouteAlias(ctx, d.Account, d.Region, l.Name, l.Alias, l.TargetVersion, nil)
		}
		return s.cfg.Functions.RouteAlias(ctx, d.Account, d.Region, l.Name, l.Alias, l.CurrentVersion, map[string]float64{l.TargetVersion: w / 100})
	case platformECS:
		if len(d.TaskSets) == 2 {
			d.TaskSets[0].Weight = 100 - w
			d.TaskSets[1].Weight = w
			if w >= 100 {
				d.TaskSets[0].Status, d.TaskSets[1].Status = "ACTIVE", "PRIMARY"
			}
		}
	}
	return nil
}

// finishEvents ends the open lifecycle event with status and skips the
// events that did not start.
func (d *deployment) finishEvents(status string, diag *diagnostics, now time.Time) {
	for i := range d.Events {
		ev := &d.Events[i]
		switch ev.Status {
		case evInProgress:
			ev.Status, ev.End, ev.Diagnostics = status, now, diag
		case evPending:
			ev.Status = evSkipped
		}
	}
	d.Hook = nil
	d.Wait = waitNone
}

func (s *Service) succeed(d *deployment, fx *effects) {
	d.Status = statusSucceeded
	d.CompleteTime = s.clk.Now()
	fx.event(d, "SUCCESS")
	fx.done = append(fx.done, d)
}

// fail ends d as Failed and rolls back when the deployment asks for it.
func (s *Service) fail(d *deployment, fx *effects, code, message, diag string) {
	now := s.clk.Now()
	var dg *diagnostics
	if diag != "" {
		dg = &diagnostics{ErrorCode: "UnknownError", Message: diag}
	}
	d.finishEvents(evFailed, dg, now)
	d.Status = statusFailed
	d.Error = &errorInformation{Code: code, Message: message}
	d.CompleteTime = now
	fx.event(d, "FAILURE")
	fx.done = append(fx.done, d)
	if d.AutoRollback.on("DEPLOYMENT_FAILURE") {
		s.rollback(d, fx)
	}
}

// stop ends d as Stopped, rolling back when asked.
func (s *Service) stop(d *deployment, fx *effects, code, message string, rollback bool) {
	now := s.clk.Now()
	d.finishEvents(evFailed, &diagnostics{ErrorCode: "UnknownError", Message: message}, now)
	d.Status = statusStopped
	d.Error = &errorInformation{Code: code, Message: message}
	d.CompleteTime = now
	fx.event(d, "STOP")
	fx.done = append(fx.done, d)
	if rollback {
		s.rollback(d, fx)
	}
}

// rollback creates the deployment that moves traffic back to the
// original version, as CodeDeploy's automatic rollbacks do.
func (s *Service) rollback(d *deployment, fx *effects) {
	if d.IsRollback || d.Platform == platformServer || d.Spec == nil {
		return
	}
	now := s.clk.Now()
	rb := &deployment{ID: s.cfg.NewID(), Account: d.Account, Region: d.Region, Application: d.Application, Group: d.Group,
		GroupID: d.GroupID, ConfigName: d.ConfigName, Platform: d.Platform, Creator: "codeDeployRollback", Status: statusCreated,
		CreateTime: now, Revision: d.Revision, PreviousRevision: d.Revision, Style: d.Style, BlueGreen: d.BlueGreen,
		LoadBalancer: d.LoadBalancer, Routing: routing{Type: "AllAtOnce"}, IsRollback: true,
		TargetID: d.TargetID, TargetARN: d.TargetARN, Weight: 100 - d.Weight,
		Rollback: &rollbackInfo{RollbackTriggeringDeploymentID: d.ID}}
	if d.PreviousRevision != nil {
		rb.Revision = d.PreviousRevision
	}
	spec := *d.Spec
	if l := d.Spec.Lambda; l != nil {
		spec.Lambda = &LambdaResource{Name: l.Name, Alias: l.Alias, CurrentVersion: l.TargetVersion, TargetVersion: l.CurrentVersion}
	}
	spec.Hooks = nil
	rb.Spec = &spec
	for _, name := range lifecycleFor(d.Platform) {
		rb.Events = append(rb.Events, lifecycleEvent{Name: name, Status: evPending})
	}
	switch len(d.TaskSets) {
	case 2: // the replacement becomes the original of the rollback
		blue, green := d.TaskSets[1], d.TaskSets[0]
		blue.Label, blue.Status = "Blue", "PRIMARY"
		green.Label, green.Status = "Green", "ACTIVE"
		rb.TaskSets = []taskSet{blue, green}
	case 1:
		rb.TaskSets = append([]taskSet(nil), d.TaskSets...)
		rb.Weight = 100
	}
	d.Rollback = &rollbackInfo{RollbackDeploymentID: rb.ID}
	fx.created = append(fx.created, rb)
}

// newHookExecutionID returns an opaque token shaped like AWS's.
func newHookExecutionID() string {
	raw, _ := json.Marshal(map[string]any{"encryptedData": newToken(96), "ivParameterSpec": newToken(24), "materialSetSerial": 1})
	return base64.StdEncoding.EncodeToString(raw)
}

func newTaskSetID() string {
	const digits = "0123456789"
	b := []byte(newToken(19))
	for i := range b {
		b[i] = digits[int(b[i])%10]
	}
	return "ecs-svc/" + string(b)
}

// invokeHook runs a hook function without waiting in the engine. A
// function that cannot run or raises fails the hook; one that returns
// leaves the hook waiting for PutLifecycleEventHookExecutionStatus.
func (s *Service) invokeHook(h hookCall) {
	payload, _ := json.Marshal(map[string]string{"DeploymentId": h.id, "LifecycleEventHookExecutionId": h.exec})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var msg string
		if s.cfg.Functions == nil {
			msg = "The Lambda function " + h.function + " could not be invoked: Lambda is not available."
		} else {
			fe, err := s.cfg.Functions.Invoke(s.ctx, h.account, h.region, h.function, payload)
			switch {
			case err != nil && s.ctx.Err() != nil:
				return // cut short by shutdown: the hook runs again on restart
			case err != nil:
				msg = "The Lambda function " + h.function + " could not be invoked: " + err.Error()
			case fe != "":
				msg = "The Lambda function " + h.function + " returned an error (" + fe + ")."
			}
		}
		if msg == "" {
			s.hookReturned(h)
			return
		}
		err := s.hookResult(h.account, h.region, h.id, h.exec, false, msg)
		if err != nil {
			s.log.Debug("codedeploy: hook result ignored", "deployment", h.id, "err", err)
		}
	}()
}

// hookReturned notes that a hook's function ran to completion, so a
// restart does not run it again.
func (s *Service) hookReturned(h hookCall) {
	_ = s.transition(h.account, h.region, h.id, func(d *deployment, fx *effects) error {
		if d.Hook != nil && d.Hook.ExecID == h.exec {
			d.Hook.Returned = true
		}
		return nil
	})
}

// hookResult records a hook's outcome and continues the deployment.
func (s *Service) hookResult(account, region, id, exec string, ok bool, diag string) error {
	return s.transition(account, region, id, func(d *deployment, fx *effects) error {
		if d.Hook == nil || d.Hook.ExecID != exec {
			if _, known := d.Hooks[exec]; known {
				return errHookDone
			}
			return errHookUnknown
		}
		if !ok {
			s.fail(d, fx, "HOOK_EXECUTION_FAILURE", hookFailedMessage, diag)
			return nil
		}
		for i := range d.Events {
			if d.Events[i].Name == d.Hook.Event && d.Events[i].Status == evInProgress {
				d.Events[i].Status, d.Events[i].End = evSucceeded, s.clk.Now()
			}
		}
		d.Hook = nil
		d.Wait = waitNone
		d.Step++
		return nil
	})
}

var (
	errHookDone    = errors.New("codedeploy: lifecycle event already completed")
	errHookUnknown = errors.New("codedeploy: unknown lifecycle event hook execution")
)

// publish sends a deployment state-change event to the default bus.
func (s *Service) publish(d deployment, state string) {
	if s.cfg.Events == nil {
		return
	}
	detail, _ := json.Marshal(map[string]string{
		"region":          d.Region,
		"application":     d.Application,
		"deploymentId":    d.ID,
		"instanceGroupId": d.GroupID,
		"deploymentGroup": d.Group,
		"state":           state,
	})
	resources := []string{arnApplication(d.Account, d.Region, d.Application), arnGroup(d.Account, d.Region, d.Application, d.Group)}
	if err := s.cfg.Events.PublishEvent(s.ctx, d.Account, d.Region, "aws.codedeploy", "CodeDeploy Deployment State-change Notification", detail, resources); err != nil {
		s.log.Warn("codedeploy: publish state change", "deployment", d.ID, "err", fmt.Errorf("publish: %w", err))
	}
}
