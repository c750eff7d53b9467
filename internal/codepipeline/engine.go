package codepipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"tenkai/internal/store"
)

// Execution, stage and action statuses, as the API spells them.
const (
	statusInProgress = "InProgress"
	statusStopping   = "Stopping"
	statusStopped    = "Stopped"
	statusSucceeded  = "Succeeded"
	statusSuperseded = "Superseded"
	statusFailed     = "Failed"
	statusCancelled  = "Cancelled"
	statusAbandoned  = "Abandoned"
)

// Timeouts AWS documents in "Quotas in AWS CodePipeline".
const (
	lambdaJobTimeout    = 20 * time.Minute   // a Lambda invoke job must report within 20 minutes
	lambdaActionTimeout = 24 * time.Hour     // and the action, continuations included, ends within 24 hours
	approvalTimeout     = 7 * 24 * time.Hour // manual approval default
	customJobTimeout    = time.Hour          // all other actions
	lambdaNoResultMsg   = "The AWS Lambda function %s failed to return a result. Check the function to verify that it has permission to call the PutJobSuccessResult action and that it made a call to PutJobSuccessResult."
)

// run is one engine transaction: it holds s.mu and a store transaction,
// caches the records it touches and collects what must happen after the
// commit (events, timers, calls to other services).
type run struct {
	s       *Service
	ctx     context.Context
	tx      store.Tx
	now     time.Time
	pipes   map[string]*pipelineRecord
	execs   map[string]*execRecord // by account/region/pipeline/id
	lists   map[string]bool        // pipelines whose executions are all in execs
	dirty   map[string]bool
	wake    map[string][3]string // pipelines whose waiting executions may move
	events  []pendingEvent
	timers  []timerReq
	cancels []string
	effects []func(ctx context.Context)
}

type timerReq struct {
	account, region, pipeline, execID, actionExecID string
	at                                              time.Time
}

func execCacheKey(account, region, pipeline, id string) string {
	return account + "/" + region + "/" + pipeline + "/" + id
}

// transact runs fn as one engine transaction. Events are published and
// timers armed after the commit, still in order under s.mu; effects run
// after s.mu is released.
func (s *Service) transact(ctx context.Context, fn func(r *run) error) error {
	r, err := s.commit(ctx, fn)
	if err != nil {
		return err
	}
	for _, f := range r.effects {
		f(s.ctx)
	}
	return nil
}

// commit runs fn under s.mu in a store transaction, then publishes events
// and arms timers before releasing s.mu.
func (s *Service) commit(ctx context.Context, fn func(r *run) error) (*run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &run{s: s, ctx: ctx, now: s.clk.Now(), pipes: map[string]*pipelineRecord{}, execs: map[string]*execRecord{},
		lists: map[string]bool{}, dirty: map[string]bool{}, wake: map[string][3]string{}}
	err := s.st.Update(func(tx store.Tx) error {
		r.tx = tx
		if err := fn(r); err != nil {
			return err
		}
		r.wakeAll()
		for k := range r.dirty {
			if err := saveExec(tx, r.execs[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range r.cancels {
		if t, ok := s.timers[id]; ok {
			t.Stop()
			delete(s.timers, id)
		}
	}
	for _, t := range r.timers {
		s.armLocked(t)
	}
	for _, e := range r.events {
		s.publish(ctx, e)
	}
	return r, nil
}

func (s *Service) armLocked(t timerReq) {
	if old, ok := s.timers[t.actionExecID]; ok {
		old.Stop()
	}
	d := t.at.Sub(s.clk.Now())
	if d < 0 {
		d = 0
	}
	s.timers[t.actionExecID] = s.clk.AfterFunc(d, func() {
		if s.ctx.Err() != nil {
			return
		}
		s.onDeadline(t)
	})
}

func (r *run) pipeline(account, region, name string) (*pipelineRecord, error) {
	k := account + "/" + region + "/" + name
	if p, ok := r.pipes[k]; ok {
		return p, nil
	}
	p, err := loadPipeline(r.tx, account, region, name)
	if err != nil {
		return nil, err
	}
	r.pipes[k] = p
	return p, nil
}

func (r *run) exec(account, region, pipeline, id string) (*execRecord, error) {
	k := execCacheKey(account, region, pipeline, id)
	if ex, ok := r.execs[k]; ok {
		return ex, nil
	}
	ex, err := loadExec(r.tx, account, region, pipeline, id)
	if err != nil {
		return nil, err
	}
	r.execs[k] = ex
	return ex, nil
}

// activeExecs returns a pipeline's executions in progress, newest first,
// including those this transaction started or ended.
func (r *run) activeExecs(account, region, pipeline string) ([]*execRecord, error) {
	seen := map[string]bool{}
	var out []*execRecord
	for _, id := range activeIDs(r.tx, account, region, pipeline) {
		ex, err := r.exec(account, region, pipeline, id)
		if err != nil {
			return nil, err
		}
		seen[id] = true
		out = append(out, ex)
	}
	prefix := account + "/" + region + "/" + pipeline + "/"
	for k, ex := range r.execs {
		if strings.HasPrefix(k, prefix) && !seen[ex.ID] && ex.Pipeline == pipeline {
			out = append(out, ex)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq > out[j].Seq })
	return out, nil
}

// pipelineExecs returns every execution of a pipeline, newest first, sharing
// the cache so changes are saved.
func (r *run) pipelineExecs(account, region, pipeline string) ([]*execRecord, error) {
	lk := account + "/" + region + "/" + pipeline
	list, err := pipelineExecs(r.tx, account, region, pipeline)
	if err != nil {
		return nil, err
	}
	for i, ex := range list {
		k := execCacheKey(account, region, pipeline, ex.ID)
		if c, ok := r.execs[k]; ok {
			list[i] = c
		} else {
			r.execs[k] = ex
		}
	}
	r.lists[lk] = true
	return list, nil
}

func (r *run) touch(ex *execRecord) {
	ex.Updated = r.now
	k := execCacheKey(ex.Account, ex.Region, ex.Pipeline, ex.ID)
	r.execs[k] = ex
	r.dirty[k] = true
}

func (r *run) wakeLater(ex *execRecord) {
	r.wake[ex.Account+"/"+ex.Region+"/"+ex.Pipeline] = [3]string{ex.Account, ex.Region, ex.Pipeline}
}

// wakeAll lets waiting executions of touched pipelines move, oldest first,
// until none can.
func (r *run) wakeAll() {
	for round := 0; round < 100 && len(r.wake) > 0; round++ {
		todo := r.wake
		r.wake = map[string][3]string{}
		for _, w := range todo {
			list, err := r.activeExecs(w[0], w[1], w[2])
			if err != nil {
				r.s.log.Error("codepipeline: list executions", "pipeline", w[2], "err", err)
				continue
			}
			for i := len(list) - 1; i >= 0; i-- {
				ex := list[i]
				if ex.Waiting >= 0 && (ex.Status == statusInProgress || ex.Status == statusStopping) {
					r.drive(ex)
				}
			}
		}
	}
}

// newExecution records a new execution of p and drives it.
func (r *run) newExecution(account, region string, p *pipelineRecord, trigger ExecutionTrigger,
	vars []ResolvedVariable, versions map[string]string, clientToken string) *execRecord {
	r.s.seq++
	ex := &execRecord{ID: r.s.cfg.NewID(), Account: account, Region: region, Pipeline: p.Decl.Name,
		Seq: r.now.UnixNano() + r.s.seq, Decl: p.Decl, Status: statusInProgress, Trigger: trigger,
		Start: r.now, Variables: vars, SourceVersions: versions, Waiting: 0, ClientToken: clientToken,
		Mode: p.Decl.ExecutionMode, Artifacts: map[string]S3Location{}, Outputs: map[string]map[string]string{}}
	for _, st := range p.Decl.Stages {
		sr := stageRun{Name: st.Name}
		for _, a := range st.Actions {
			sr.Actions = append(sr.Actions, actionRun{Name: a.Name})
		}
		ex.Stages = append(ex.Stages, sr)
	}
	r.touch(ex)
	r.pipelineEvent(ex, "STARTED")
	r.drive(ex)
	return ex
}

// drive moves an execution as far as it can go now.
func (r *run) drive(ex *execRecord) {
	for i := 0; i < 10000 && r.step(ex); i++ {
	}
}

// step makes one move and reports whether another may follow.
func (r *run) step(ex *execRecord) bool {
	if ex.Status != statusInProgress && ex.Status != statusStopping {
		return false
	}
	if ex.Waiting >= 0 {
		if ex.Status == statusStopping {
			r.finish(ex, statusStopped)
			return false
		}
		if !r.canEnter(ex, ex.Waiting) {
			return false
		}
		r.enterStage(ex, ex.Waiting)
		return true
	}
	st := &ex.Stages[ex.Cur]
	running, failed := 0, false
	for _, a := range st.Actions {
		switch a.Status {
		case statusInProgress:
			running++
		case statusFailed, statusAbandoned:
			failed = true
		}
	}
	if running > 0 {
		return false
	}
	if ex.Status == statusStopping {
		st.Status = statusStopped
		r.touch(ex)
		r.stageEvent(ex, ex.Cur, "STOPPED")
		r.finish(ex, statusStopped)
		return false
	}
	if failed {
		st.Status = statusFailed
		r.touch(ex)
		r.stageEvent(ex, ex.Cur, "FAILED")
		r.finish(ex, statusFailed)
		return false
	}
	decl := ex.Decl.Stages[ex.Cur]
	next := 0
	for i, a := range st.Actions {
		if a.Status == "" && (next == 0 || decl.Actions[i].RunOrder < next) {
			next = decl.Actions[i].RunOrder
		}
	}
	if next == 0 {
		st.Status = statusSucceeded
		r.touch(ex)
		r.stageEvent(ex, ex.Cur, "SUCCEEDED")
		r.wakeLater(ex)
		if ex.Cur == len(ex.Stages)-1 {
			r.finish(ex, statusSucceeded)
			return false
		}
		return r.waitFor(ex, ex.Cur+1)
	}
	for i := range st.Actions {
		if st.Actions[i].Status == "" && decl.Actions[i].RunOrder == next {
			r.startAction(ex, ex.Cur, i)
		}
	}
	return true
}

// waitFor queues ex at the entry of stage j; in SUPERSEDED mode only the
// newest execution waits there. It reports whether ex is still going.
func (r *run) waitFor(ex *execRecord, j int) bool {
	ex.Waiting = j
	r.touch(ex)
	if ex.Mode != "SUPERSEDED" && ex.Mode != "" {
		return true
	}
	list, err := r.activeExecs(ex.Account, ex.Region, ex.Pipeline)
	if err != nil {
		return true
	}
	for _, o := range list {
		if o == ex || o.Waiting != j || o.Status != statusInProgress {
			continue
		}
		if o.Seq < ex.Seq {
			r.finish(o, statusSuperseded)
		} else {
			r.finish(ex, statusSuperseded)
			return false
		}
	}
	return true
}

// canEnter reports whether ex may enter stage j: the transitions are
// enabled and, unless the pipeline runs executions in parallel, no other
// execution is in the stage (and in QUEUED mode none waits ahead of it).
func (r *run) canEnter(ex *execRecord, j int) bool {
	p, err := r.pipeline(ex.Account, ex.Region, ex.Pipeline)
	if err != nil {
		return false
	}
	name := ex.Stages[j].Name
	if t := p.Transitions[name]; t != nil && t.InboundDisabled {
		return false
	}
	if j > 0 {
		if t := p.Transitions[ex.Stages[j-1].Name]; t != nil && t.OutboundDisabled {
			return false
		}
	}
	if ex.Mode == "PARALLEL" {
		return true
	}
	list, err := r.activeExecs(ex.Account, ex.Region, ex.Pipeline)
	if err != nil {
		return false
	}
	for _, o := range list {
		if o == ex || (o.Status != statusInProgress && o.Status != statusStopping) || o.Mode == "PARALLEL" {
			continue
		}
		if o.Waiting < 0 && o.Cur < len(o.Stages) && o.Stages[o.Cur].Name == name &&
			(o.Stages[o.Cur].Status == statusInProgress || o.Stages[o.Cur].Status == statusStopping) {
			return false
		}
		if ex.Mode == "QUEUED" && o.Waiting == j && o.Seq < ex.Seq {
			return false
		}
	}
	return true
}

func (r *run) enterStage(ex *execRecord, j int) {
	ex.Cur, ex.Waiting = j, -1
	ex.Stages[j].Status = statusInProgress
	r.touch(ex)
	r.stageEvent(ex, j, "STARTED")
}

// finish ends an execution, abandoning what still runs.
func (r *run) finish(ex *execRecord, status string) {
	ex.Status = status
	if status == statusSucceeded {
		ex.Summary = ""
	}
	for si := range ex.Stages {
		for ai := range ex.Stages[si].Actions {
			a := &ex.Stages[si].Actions[ai]
			if a.Status == statusInProgress {
				r.completeAction(ex, si, ai, statusAbandoned, "", nil, nil)
			}
		}
	}
	ex.Waiting = -1
	r.touch(ex)
	r.wakeLater(ex)
	state := map[string]string{statusSucceeded: "SUCCEEDED", statusFailed: "FAILED", statusStopped: "STOPPED",
		statusSuperseded: "SUPERSEDED", statusCancelled: "CANCELED"}[status]
	r.pipelineEvent(ex, state)
}

// artifactBucket is the artifact store of the execution's region.
func artifactBucket(ex *execRecord) string {
	if ex.Decl.ArtifactStore != nil {
		return ex.Decl.ArtifactStore.Location
	}
	if st, ok := ex.Decl.ArtifactStores[ex.Region]; ok {
		return st.Location
	}
	for _, st := range ex.Decl.ArtifactStores {
		return st.Location
	}
	return ""
}

// startAction starts one action and hands it to its provider.
func (r *run) startAction(ex *execRecord, si, ai int) {
	decl := ex.Decl.Stages[si].Actions[ai]
	a := &ex.Stages[si].Actions[ai]
	*a = actionRun{Name: a.Name, ExecID: r.s.cfg.NewID(), Status: statusInProgress, Start: r.now, Updated: r.now}
	r.touch(ex)
	for _, in := range decl.InputArtifacts {
		loc := ex.Artifacts[in.Name]
		a.Inputs = append(a.Inputs, ArtifactDetail{Name: in.Name, S3Location: &S3Location{Bucket: loc.Bucket, Key: loc.Key}})
	}
	for _, out := range decl.OutputArtifacts {
		key := truncate(ex.Pipeline, 20) + "/" + truncate(out.Name, 10) + "/" + randomKey()
		a.Outputs = append(a.Outputs, ArtifactDetail{Name: out.Name, S3Location: &S3Location{Bucket: artifactBucket(ex), Key: key}})
	}
	resolved, err := resolveConfig(decl.Configuration, ex)
	a.Resolved = resolved
	r.actionEvent(ex, si, ai, "STARTED")
	if err != nil {
		r.completeAction(ex, si, ai, statusFailed, "", &ErrorDetails{Code: "JobFailed", Message: err.Error()}, nil)
		return
	}
	id := decl.ActionTypeID
	switch {
	case id.Owner == "AWS" && id.Category == "Source" && id.Provider == "S3":
		r.startS3Source(ex, si, ai)
	case id.Owner == "AWS" && id.Provider == "Lambda":
		r.startLambda(ex, si, ai, "")
	case id.Owner == "AWS" && id.Category == "Approval":
		timeout := approvalTimeout
		if decl.TimeoutInMinutes > 0 {
			timeout = time.Duration(decl.TimeoutInMinutes) * time.Minute
		}
		a.Token = r.s.cfg.NewID()
		a.Deadline = r.now.Add(timeout)
		r.arm(ex, a)
	case id.Owner == "Custom":
		j := r.newJob(ex, si, ai, "")
		j.Status, j.Custom = "Queued", true
		a.Deadline = r.now.Add(customJobTimeout)
		r.arm(ex, a)
		r.saveJob(j)
	case id.Owner == "AWS" && id.Provider == "StepFunctions":
		r.startStepFunctions(ex, si, ai)
	case id.Owner == "AWS" && id.Category == "Deploy" && id.Provider == "CodeDeploy":
		r.startCodeDeploy(ex, si, ai)
	case id.Owner == "AWS" && id.Category == "Deploy" && id.Provider == "S3":
		r.startS3Deploy(ex, si, ai)
	default:
		r.completeAction(ex, si, ai, statusFailed, "", &ErrorDetails{Code: "JobFailed",
			Message: fmt.Sprintf("tenkai does not run %s actions", fmtActionType(id))}, nil)
	}
}

func (r *run) arm(ex *execRecord, a *actionRun) {
	r.timers = append(r.timers, timerReq{account: ex.Account, region: ex.Region, pipeline: ex.Pipeline,
		execID: ex.ID, actionExecID: a.ExecID, at: a.Deadline})
}

// completeAction records an action's end and publishes its event.
func (r *run) completeAction(ex *execRecord, si, ai int, status, summary string, errd *ErrorDetails, vars map[string]string) {
	decl := ex.Decl.Stages[si].Actions[ai]
	a := &ex.Stages[si].Actions[ai]
	a.Status, a.Updated, a.Error = status, r.now, errd
	if summary != "" {
		a.Summary = summary
	}
	if ex.Artifacts == nil {
		ex.Artifacts = map[string]S3Location{}
	}
	if status == statusSucceeded {
		for _, out := range a.Outputs {
			ex.Artifacts[out.Name] = *out.S3Location
		}
		if len(vars) > 0 {
			a.OutVars = vars
			if decl.Namespace != "" {
				if ex.Outputs == nil {
					ex.Outputs = map[string]map[string]string{}
				}
				ex.Outputs[decl.Namespace] = vars
			}
		}
	}
	if errd != nil && status == statusFailed && ex.Summary == "" {
		ex.Summary = errd.Message
	}
	r.cancels = append(r.cancels, a.ExecID)
	if a.JobID != "" {
		if j, err := loadJob(r.tx, a.JobID); err == nil && !jobDone(j.Status) {
			j.Status = map[string]string{statusSucceeded: "Succeeded", statusFailed: "Failed", statusAbandoned: "Failed"}[status]
			r.saveJob(j)
		}
	}
	r.touch(ex)
	state := map[string]string{statusSucceeded: "SUCCEEDED", statusFailed: "FAILED", statusAbandoned: "ABANDONED"}[status]
	r.actionEvent(ex, si, ai, state)
}

func jobDone(status string) bool {
	return status == "Succeeded" || status == "Failed" || status == "TimedOut"
}

func (r *run) saveJob(j *jobRecord) {
	if err := saveJob(r.tx, j); err != nil {
		r.s.log.Error("codepipeline: save job", "job", j.ID, "err", err)
	}
}

// findAction locates an action run by its action execution id.
func findAction(ex *execRecord, actionExecID string) (si, ai int, ok bool) {
	for si := range ex.Stages {
		for ai := range ex.Stages[si].Actions {
			if ex.Stages[si].Actions[ai].ExecID == actionExecID {
				return si, ai, true
			}
		}
	}
	return 0, 0, false
}

// actionRef names one action execution.
type actionRef struct {
	account, region, pipeline, execID, actionExecID string
}

func refOf(ex *execRecord, a *actionRun) actionRef {
	return actionRef{ex.Account, ex.Region, ex.Pipeline, ex.ID, a.ExecID}
}

// finishAction completes an in-progress action from outside a transaction
// (a provider's callback) and drives the execution on. mut, when set,
// records more about the action first.
func (s *Service) finishAction(ctx context.Context, ref actionRef, status, summary string, errd *ErrorDetails,
	vars map[string]string, mut func(ex *execRecord, a *actionRun)) {
	err := s.transact(ctx, func(r *run) error {
		ex, err := r.exec(ref.account, ref.region, ref.pipeline, ref.execID)
		if err != nil {
			return err
		}
		si, ai, ok := findAction(ex, ref.actionExecID)
		if !ok || ex.Stages[si].Actions[ai].Status != statusInProgress {
			return nil
		}
		if mut != nil {
			mut(ex, &ex.Stages[si].Actions[ai])
		}
		r.completeAction(ex, si, ai, status, summary, errd, vars)
		r.drive(ex)
		return nil
	})
	if err != nil {
		s.log.Warn("codepipeline: finish action", "pipeline", ref.pipeline, "execution", ref.execID, "err", err)
	}
}

// onDeadline fails an action whose time ran out.
func (s *Service) onDeadline(t timerReq) {
	s.transact(s.ctx, func(r *run) error {
		ex, err := r.exec(t.account, t.region, t.pipeline, t.execID)
		if err != nil {
			return nil
		}
		si, ai, ok := findAction(ex, t.actionExecID)
		if !ok {
			return nil
		}
		a := &ex.Stages[si].Actions[ai]
		if a.Status != statusInProgress || r.now.Before(a.Deadline) {
			if a.Status == statusInProgress {
				r.arm(ex, a)
			}
			return nil
		}
		decl := ex.Decl.Stages[si].Actions[ai]
		msg := "The action failed because a job worker exceeded its time limit. If this is a custom action, make sure that the job worker is configured correctly."
		switch {
		case decl.ActionTypeID.Provider == "Lambda":
			msg = fmt.Sprintf(lambdaNoResultMsg, a.Resolved["FunctionName"])
		case decl.ActionTypeID.Category == "Approval":
			msg = "The approval request expired without a response. Approval requests expire after the action's timeout."
		}
		if a.JobID != "" {
			if j, err := loadJob(r.tx, a.JobID); err == nil && !jobDone(j.Status) {
				j.Status = "TimedOut"
				r.saveJob(j)
			}
		}
		r.completeAction(ex, si, ai, statusFailed, "", &ErrorDetails{Code: "TimeoutError", Message: msg}, nil)
		r.drive(ex)
		return nil
	})
}

// resume re-arms deadlines of in-progress actions and drives executions
// that were interrupted, after a restart.
func (s *Service) resume() error {
	var keys [][4]string
	err := s.st.View(func(tx store.Tx) error {
		tx.BucketNames("codepipeline/active/", func(name string) bool {
			parts := strings.Split(name, "/")
			if len(parts) != 4 {
				return true
			}
			tx.Bucket(name).Scan(nil, nil, false, func(k, _ []byte) bool {
				if pipeline, id, ok := strings.Cut(string(k), "/"); ok {
					keys = append(keys, [4]string{parts[2], parts[3], pipeline, id})
				}
				return true
			})
			return true
		})
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][3] < keys[j][3] })
	for _, k := range keys {
		err := s.transact(s.ctx, func(r *run) error {
			ex, err := r.exec(k[0], k[1], k[2], k[3])
			if err != nil {
				return err
			}
			for si := range ex.Stages {
				for ai := range ex.Stages[si].Actions {
					a := &ex.Stages[si].Actions[ai]
					if a.Status != statusInProgress {
						continue
					}
					if !a.Deadline.IsZero() {
						r.arm(ex, a)
					} else {
						r.redispatch(ex, si, ai)
					}
				}
			}
			r.drive(ex)
			return nil
		})
		if err != nil {
			s.log.Warn("codepipeline: resume execution", "execution", k[3], "err", err)
		}
	}
	return nil
}
