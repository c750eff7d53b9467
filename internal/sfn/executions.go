package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"tenkai/internal/edge"
	"tenkai/internal/sfn/asl"
	"tenkai/internal/sfn/engine"
	"tenkai/internal/store"
)

// maxInput is the execution input limit (256 KiB).
const maxInput = 256 * 1024

func execNotFound(arn string) *edge.Error {
	return edge.Errorf("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
}

// target is what an execution runs: a state machine revision, possibly
// reached through a version or alias ARN.
type target struct {
	sm         *machine
	definition string
	roleARN    string
	logging    loggingConfig
	tracing    tracingConfig
	revision   string
	updated    time.Time
	versionARN string
	aliasARN   string
}

// resolve loads the state machine, version or alias named by arn.
func (s *Service) resolve(arn string) (*resource, *target, error) {
	r, err := parseMachineARN(arn)
	if err != nil {
		return nil, nil, err
	}
	sm, err := s.loadMachine(r)
	if err != nil {
		if r.Version > 0 || r.Alias != "" {
			return nil, nil, smNotFound(arn)
		}
		return nil, nil, err
	}
	t := &target{sm: sm, definition: sm.Definition, roleARN: sm.RoleARN, logging: sm.Logging, tracing: sm.Tracing, revision: sm.RevisionID, updated: sm.Updated}
	n := r.Version
	if r.Alias != "" {
		a, err := s.loadAlias(r)
		if err != nil {
			return nil, nil, err
		}
		t.aliasARN = a.ARN
		n = s.pickVersion(a)
	}
	if n > 0 {
		v, err := s.loadVersion(r, n)
		if err != nil {
			return nil, nil, err
		}
		t.definition, t.roleARN, t.logging, t.tracing, t.revision, t.updated = v.Definition, v.RoleARN, v.Logging, v.Tracing, v.RevisionID, v.Created
		t.versionARN = v.ARN
	}
	return r, t, nil
}

// pickVersion chooses an alias's version by weight.
func (s *Service) pickVersion(a *alias) int {
	x := s.cfg.Rand() * 100
	acc := 0.0
	pick := a.Routing[len(a.Routing)-1].StateMachineVersionArn
	for _, rt := range a.Routing {
		acc += float64(rt.Weight)
		if x < acc {
			pick = rt.StateMachineVersionArn
			break
		}
	}
	r, err := parseARN(pick)
	if err != nil {
		return 0
	}
	return r.Version
}

func checkInput(in *string) error {
	if *in == "" {
		*in = "{}"
		return nil
	}
	if len(*in) > maxInput {
		return edge.Errorf("InvalidExecutionInput", "Invalid State Machine Execution Input: 'Input exceeds the maximum size of 262144 bytes'")
	}
	if !utf8.ValidString(*in) || !json.Valid([]byte(*in)) {
		return edge.Errorf("InvalidExecutionInput", "Invalid State Machine Execution Input: 'Unexpected character'")
	}
	return nil
}

type startExecutionIn struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     string  `json:"traceHeader"`
}

type startExecutionOut struct {
	ExecutionArn string     `json:"executionArn"`
	StartDate    edge.Epoch `json:"startDate"`
}

func (s *Service) startExecution(ctx context.Context, in *startExecutionIn) (*startExecutionOut, error) {
	x, _, err := s.start(ctx, in.StateMachineArn, in.Name, in.Input, in.TraceHeader)
	if err != nil {
		return nil, err
	}
	return &startExecutionOut{ExecutionArn: x.ARN, StartDate: edge.Epoch(x.Start)}, nil
}

// StartExecution starts an execution of a state machine, version or alias
// (the account and region come from the ARN). input nil means "{}"; name ""
// means a generated one. It is how EventBridge targets and the
// states:startExecution integration start executions.
func (s *Service) StartExecution(ctx context.Context, machineARN, name string, input *string, trace string) (*Execution, error) {
	rec, _, err := s.start(ctx, machineARN, name, input, trace)
	if err != nil {
		return nil, err
	}
	return &Execution{ARN: rec.ARN, Start: rec.Start}, nil
}

// Execution identifies a started execution.
type Execution struct {
	ARN   string    // the execution ARN
	Start time.Time // its start date
}

// start starts an execution and returns its record and run (nil when an
// idempotent start found it already finished or it is not in memory).
func (s *Service) start(ctx context.Context, machineARN, name string, input *string, trace string) (*execution, *run, error) {
	r, t, err := s.resolve(machineARN)
	if err != nil {
		return nil, nil, err
	}
	if name == "" {
		name = s.cfg.NewID()
	} else if !validName(name) {
		return nil, nil, invalidName(name)
	}
	in := ""
	if input != nil {
		in = *input
	}
	if err := checkInput(&in); err != nil {
		return nil, nil, err
	}
	sm, err := s.parseDefinition(t.definition)
	if err != nil {
		return nil, nil, edge.Errorf("InvalidDefinition", "%s", err.Error())
	}
	now := s.clk.Now()
	rec := &execution{Name: name, MachineARN: t.sm.ARN, MachineName: t.sm.Name, VersionARN: t.versionARN, AliasARN: t.aliasARN,
		Definition: t.definition, RoleARN: t.roleARN, MachineDate: t.updated, RevisionID: t.revision, Logging: t.logging, Tracing: t.tracing,
		Status: engine.StatusRunning, Start: now, Input: in, TraceHeader: trace}
	if t.sm.Type == typeExpress {
		rec.ARN = expressARN(r.Region, r.Account, t.sm.Name, name, s.cfg.NewID())
		rn := newRun(s, rec, r.Account, r.Region, true)
		x := s.eng.Start(s.ctx, sm, s.info(rec, r), json.RawMessage(in), rn)
		rn.mu.Lock()
		rn.x = x
		rn.mu.Unlock()
		return rec, rn, nil
	}
	rec.ARN = execARN(r.Region, r.Account, t.sm.Name, name)
	var existing *execution
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(executionsBucket(r.Account, r.Region))
		key := execKey(t.sm.Name, name)
		var old execution
		found, err := getJSON(b, key, &old)
		if err != nil {
			return err
		}
		if found {
			if old.Status == engine.StatusRunning && old.Input == in {
				existing = &old
				return nil
			}
			return edge.Errorf("ExecutionAlreadyExists", "Execution Already Exists: '%s'", rec.ARN)
		}
		if err := putDefinition(tx, rec.RevisionID, rec.Definition); err != nil {
			return err
		}
		return putJSON(b, key, rec)
	})
	if err != nil {
		return nil, nil, err
	}
	if existing != nil {
		return existing, s.liveRun(existing.ARN), nil
	}
	// RUNNING is published off the request path; the run publishes its end
	// only after it.
	running := *rec
	before := make(chan struct{})
	go func() {
		s.publishStatus(&running)
		close(before)
	}()
	rn, _ := s.launch(sm, rec, r, nil, before)
	return rec, rn, nil
}

func (s *Service) info(rec *execution, r *resource) engine.ExecutionInfo {
	return engine.ExecutionInfo{ExecutionARN: rec.ARN, Name: rec.Name, StateMachineARN: rec.MachineARN, StateMachineName: rec.MachineName,
		RoleARN: rec.RoleARN, Account: r.Account, Region: r.Region, StartTime: rec.Start, RedriveCount: rec.RedriveCount,
		StateMachineAliasARN: rec.AliasARN, StateMachineVersionARN: rec.VersionARN}
}

// launch runs (or, with a snapshot, resumes) a STANDARD execution.
// before, when not nil, is closed once the RUNNING event is published.
func (s *Service) launch(sm *asl.StateMachine, rec *execution, r *resource, snap []byte, before <-chan struct{}) (*run, error) {
	rn := newRun(s, rec, r.Account, r.Region, false)
	rn.before = before
	s.mu.Lock()
	s.runs[rec.ARN] = rn
	s.mu.Unlock()
	info := s.info(rec, r)
	if snap != nil {
		x, err := s.eng.Resume(s.ctx, sm, info, snap, rn)
		if err != nil {
			s.mu.Lock()
			delete(s.runs, rec.ARN)
			s.mu.Unlock()
			return nil, err
		}
		rn.mu.Lock()
		rn.x = x
		rn.mu.Unlock()
		return rn, nil
	}
	x := s.eng.Start(s.ctx, sm, info, json.RawMessage(rec.Input), rn)
	rn.mu.Lock()
	rn.x = x
	rn.mu.Unlock()
	return rn, nil
}

func (s *Service) liveRun(arn string) *run {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[arn]
}

// loadExecution reads a stored STANDARD execution.
func (s *Service) loadExecution(r *resource, arn string) (*execution, error) {
	return s.loadExecutionDef(r, arn, false)
}

// loadExecutionDef reads a stored execution, with its definition when withDef.
func (s *Service) loadExecutionDef(r *resource, arn string, withDef bool) (*execution, error) {
	if r.Kind == "express" {
		return nil, execNotFound(arn)
	}
	var rec execution
	var found bool
	var def string
	err := s.st.View(func(tx store.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(executionsBucket(r.Account, r.Region)), execKey(r.Machine, r.Exec), &rec)
		if found && withDef {
			def = string(tx.Bucket(definitionsBucket).Get([]byte(rec.RevisionID)))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, execNotFound(arn)
	}
	rec.Definition = def
	return &rec, nil
}

// putDefinition keeps the definition of a revision for its executions.
func putDefinition(tx store.Tx, revision, def string) error {
	b := tx.Bucket(definitionsBucket)
	if b.Get([]byte(revision)) != nil {
		return nil
	}
	return b.Put([]byte(revision), []byte(def))
}

type executionArnIn struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
	ClientToken  string `json:"clientToken"`
}

type dataDetails struct {
	Included bool `json:"included"`
}

type describeExecutionOut struct {
	ExecutionArn           string       `json:"executionArn"`
	StateMachineArn        string       `json:"stateMachineArn"`
	Name                   string       `json:"name"`
	Status                 string       `json:"status"`
	StartDate              edge.Epoch   `json:"startDate"`
	StopDate               *edge.Epoch  `json:"stopDate,omitempty"`
	Input                  string       `json:"input"`
	InputDetails           dataDetails  `json:"inputDetails"`
	Output                 *string      `json:"output,omitempty"`
	OutputDetails          *dataDetails `json:"outputDetails,omitempty"`
	TraceHeader            string       `json:"traceHeader,omitempty"`
	Error                  string       `json:"error,omitempty"`
	Cause                  string       `json:"cause,omitempty"`
	StateMachineVersionArn string       `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string       `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           int          `json:"redriveCount"`
	RedriveDate            *edge.Epoch  `json:"redriveDate,omitempty"`
	RedriveStatus          string       `json:"redriveStatus"`
	RedriveStatusReason    string       `json:"redriveStatusReason,omitempty"`
}

func epochPtr(t time.Time) *edge.Epoch {
	if t.IsZero() {
		return nil
	}
	e := edge.Epoch(t)
	return &e
}

// redrivable reports whether RedriveExecution would accept rec, and why not.
func (s *Service) redrivable(rec *execution) (string, string) {
	switch rec.Status {
	case engine.StatusRunning, engine.StatusSucceeded:
		return "NOT_REDRIVABLE", "Execution is " + rec.Status + " and cannot be redriven"
	}
	if s.clk.Since(rec.Stop) > 14*24*time.Hour {
		return "NOT_REDRIVABLE", "Execution has exceeded the redrive period of 14 days"
	}
	return "REDRIVABLE", ""
}

func (s *Service) describeExecution(ctx context.Context, in *executionArnIn) (*describeExecutionOut, error) {
	r, err := parseExecARN(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	rec, err := s.loadExecution(r, in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	out := &describeExecutionOut{ExecutionArn: rec.ARN, StateMachineArn: rec.MachineARN, Name: rec.Name, Status: rec.Status,
		StartDate: edge.Epoch(rec.Start), StopDate: epochPtr(rec.Stop), Input: rec.Input, InputDetails: dataDetails{true},
		Output: rec.Output, TraceHeader: rec.TraceHeader, Error: rec.Error, Cause: rec.Cause,
		StateMachineVersionArn: rec.VersionARN, StateMachineAliasArn: rec.AliasARN, RedriveCount: rec.RedriveCount, RedriveDate: epochPtr(rec.RedriveDate)}
	if rec.Output != nil {
		out.OutputDetails = &dataDetails{true}
	}
	out.RedriveStatus, out.RedriveStatusReason = s.redrivable(rec)
	return out, nil
}

type stopExecutionOut struct {
	StopDate edge.Epoch `json:"stopDate"`
}

func (s *Service) stopExecution(ctx context.Context, in *executionArnIn) (*stopExecutionOut, error) {
	r, err := parseExecARN(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if len(in.Error) > 256 {
		return nil, edge.Validation("1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	if len(in.Cause) > 32768 {
		return nil, edge.Validation("1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768")
	}
	if r.Kind == "express" {
		return nil, edge.Errorf("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", in.ExecutionArn)
	}
	if rn := s.liveRun(in.ExecutionArn); rn != nil {
		// The run is registered just before the engine hands back its
		// execution; wait for that rather than write around it.
		var x *engine.Execution
		for i := 0; i < 1000; i++ {
			rn.mu.Lock()
			x = rn.x
			rn.mu.Unlock()
			if x != nil {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		if x != nil {
			x.Stop(in.Error, in.Cause)
			<-rn.done
			rec := rn.record()
			return &stopExecutionOut{StopDate: edge.Epoch(rec.Stop)}, nil
		}
	}
	rec, err := s.loadExecution(r, in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if rec.Status == engine.StatusRunning {
		// Not running here (being resumed): record the abort directly.
		rec.Status, rec.Stop, rec.Error, rec.Cause = engine.StatusAborted, s.clk.Now(), in.Error, in.Cause
		if err := s.st.Update(func(tx store.Tx) error {
			return putJSON(tx.Bucket(executionsBucket(r.Account, r.Region)), execKey(rec.MachineName, rec.Name), rec)
		}); err != nil {
			return nil, err
		}
		s.publishStatus(rec)
	}
	return &stopExecutionOut{StopDate: edge.Epoch(rec.Stop)}, nil
}

type listExecutionsIn struct {
	StateMachineArn string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
	MapRunArn       string `json:"mapRunArn"`
	RedriveFilter   string `json:"redriveFilter"`
}

type executionItem struct {
	ExecutionArn           string      `json:"executionArn"`
	StateMachineArn        string      `json:"stateMachineArn"`
	Name                   string      `json:"name"`
	Status                 string      `json:"status"`
	StartDate              edge.Epoch  `json:"startDate"`
	StopDate               *edge.Epoch `json:"stopDate,omitempty"`
	StateMachineVersionArn string      `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string      `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           *int        `json:"redriveCount,omitempty"`
	RedriveDate            *edge.Epoch `json:"redriveDate,omitempty"`
}

type listExecutionsOut struct {
	Executions []executionItem `json:"executions"`
	NextToken  string          `json:"nextToken,omitempty"`
}

func (s *Service) listExecutions(ctx context.Context, in *listExecutionsIn) (*listExecutionsOut, error) {
	if in.StateMachineArn == "" && in.MapRunArn == "" {
		return nil, edge.Validation("Must provide a StateMachine ARN or MapRun ARN")
	}
	if in.MapRunArn != "" {
		return nil, edge.Errorf("ResourceNotFound", "Resource not found: '%s'", in.MapRunArn)
	}
	r, err := parseMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	sm, err := s.loadMachine(r)
	if err != nil {
		return nil, err
	}
	if sm.Type == typeExpress {
		return nil, edge.Errorf("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	switch in.StatusFilter {
	case "", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE":
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]", in.StatusFilter)
	}
	switch in.RedriveFilter {
	case "", "REDRIVEN", "NOT_REDRIVEN":
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]", in.RedriveFilter)
	}
	max, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != "" {
		k, ok := decodeToken(in.NextToken)
		n, err := strconv.Atoi(string(k))
		if !ok || err != nil || n < 0 {
			return nil, invalidToken(in.NextToken)
		}
		offset = n
	}
	var recs []*execution
	prefix := []byte(r.Machine + ":")
	err = s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(executionsBucket(r.Account, r.Region)).Scan(prefix, store.PrefixEnd(prefix), false, func(k, raw []byte) bool {
			rec := new(execution)
			if derr = json.Unmarshal(raw, rec); derr != nil {
				return false
			}
			if in.StatusFilter != "" && rec.Status != in.StatusFilter {
				return true
			}
			if r.Version > 0 && rec.VersionARN != in.StateMachineArn {
				return true
			}
			if r.Alias != "" && rec.AliasARN != in.StateMachineArn {
				return true
			}
			if (in.RedriveFilter == "REDRIVEN") != (rec.RedriveCount > 0) && in.RedriveFilter != "" {
				return true
			}
			recs = append(recs, rec)
			return true
		})
		return derr
	})
	if err != nil {
		return nil, err
	}
	// Newest first, as AWS lists them.
	sort.SliceStable(recs, func(i, j int) bool {
		if !recs[i].Start.Equal(recs[j].Start) {
			return recs[i].Start.After(recs[j].Start)
		}
		return recs[i].Name > recs[j].Name
	})
	out := &listExecutionsOut{Executions: []executionItem{}}
	for i := offset; i < len(recs); i++ {
		if len(out.Executions) == max {
			out.NextToken = encodeToken([]byte(strconv.Itoa(i)))
			break
		}
		rec := recs[i]
		it := executionItem{ExecutionArn: rec.ARN, StateMachineArn: rec.MachineARN, Name: rec.Name, Status: rec.Status,
			StartDate: edge.Epoch(rec.Start), StopDate: epochPtr(rec.Stop), StateMachineVersionArn: rec.VersionARN,
			StateMachineAliasArn: rec.AliasARN, RedriveDate: epochPtr(rec.RedriveDate)}
		if rec.RedriveCount > 0 {
			n := rec.RedriveCount
			it.RedriveCount = &n
		}
		out.Executions = append(out.Executions, it)
	}
	return out, nil
}

type historyIn struct {
	ExecutionArn         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	ReverseOrder         bool   `json:"reverseOrder"`
	NextToken            string `json:"nextToken"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

type historyOut struct {
	Events    []json.RawMessage `json:"events"`
	NextToken string            `json:"nextToken,omitempty"`
}

func (s *Service) getExecutionHistory(ctx context.Context, in *historyIn) (*historyOut, error) {
	r, err := parseExecARN(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if _, err := s.loadExecution(r, in.ExecutionArn); err != nil {
		return nil, err
	}
	max, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if rn := s.liveRun(in.ExecutionArn); rn != nil {
		rn.sync()
	}
	after := int64(-1) // page position: events past this id (before it, in reverse)
	if in.NextToken != "" {
		k, ok := decodeToken(in.NextToken)
		n, err := strconv.ParseInt(string(k), 10, 64)
		if !ok || err != nil || n < 0 {
			return nil, invalidToken(in.NextToken)
		}
		after = n
	}
	var evs []pendingEvent
	err = s.st.View(func(tx store.Tx) error {
		var err error
		evs, err = readHistory(tx, in.ExecutionArn)
		return err
	})
	if err != nil {
		return nil, err
	}
	strip := in.IncludeExecutionData != nil && !*in.IncludeExecutionData
	out := &historyOut{Events: []json.RawMessage{}}
	add := func(e pendingEvent) bool {
		if len(out.Events) == max {
			out.NextToken = encodeToken([]byte(strconv.FormatInt(e.id, 10)))
			return false
		}
		ev := json.RawMessage(e.raw)
		if strip {
			ev = stripEvent(ev)
		}
		out.Events = append(out.Events, ev)
		return true
	}
	if in.ReverseOrder {
		for i := len(evs) - 1; i >= 0; i-- {
			if after >= 0 && evs[i].id > after {
				continue
			}
			if !add(evs[i]) {
				break
			}
		}
	} else {
		for _, e := range evs {
			if e.id < after {
				continue
			}
			if !add(e) {
				break
			}
		}
	}
	return out, nil
}

// stripEvent removes execution data from an encoded event's details.
func stripEvent(ev []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(ev, &m) != nil {
		return ev
	}
	for k, v := range m {
		if len(k) > 7 && k[len(k)-7:] == "Details" {
			m[k] = stripData(v)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return ev
	}
	return out
}

type describeForExecutionOut struct {
	StateMachineArn      string         `json:"stateMachineArn"`
	Name                 string         `json:"name"`
	Definition           string         `json:"definition"`
	RoleArn              string         `json:"roleArn"`
	UpdateDate           edge.Epoch     `json:"updateDate"`
	LoggingConfiguration *loggingConfig `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *tracingConfig `json:"tracingConfiguration,omitempty"`
	RevisionId           string         `json:"revisionId,omitempty"`
}

func (s *Service) describeStateMachineForExecution(ctx context.Context, in *executionArnIn) (*describeForExecutionOut, error) {
	r, err := parseExecARN(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	rec, err := s.loadExecutionDef(r, in.ExecutionArn, true)
	if err != nil {
		return nil, err
	}
	arn := rec.MachineARN
	if rec.VersionARN != "" {
		arn = rec.VersionARN
	}
	return &describeForExecutionOut{StateMachineArn: arn, Name: rec.MachineName, Definition: rec.Definition, RoleArn: rec.RoleARN,
		UpdateDate: edge.Epoch(rec.MachineDate), LoggingConfiguration: &rec.Logging, TracingConfiguration: &rec.Tracing, RevisionId: rec.RevisionID}, nil
}

type syncExecutionOut struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	StartDate       edge.Epoch   `json:"startDate"`
	StopDate        edge.Epoch   `json:"stopDate"`
	Status          string       `json:"status"`
	Error           string       `json:"error,omitempty"`
	Cause           string       `json:"cause,omitempty"`
	Input           string       `json:"input"`
	InputDetails    dataDetails  `json:"inputDetails"`
	Output          *string      `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	TraceHeader     string       `json:"traceHeader,omitempty"`
	BillingDetails  struct {
		BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
		BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
	} `json:"billingDetails"`
}

func (s *Service) startSyncExecution(ctx context.Context, in *startExecutionIn) (*syncExecutionOut, error) {
	r, t, err := s.resolve(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if t.sm.Type != typeExpress {
		return nil, edge.Errorf("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	name := in.Name
	if name == "" {
		name = s.cfg.NewID()
	} else if !validName(name) {
		return nil, invalidName(name)
	}
	input := ""
	if in.Input != nil {
		input = *in.Input
	}
	if err := checkInput(&input); err != nil {
		return nil, err
	}
	sm, err := s.parseDefinition(t.definition)
	if err != nil {
		return nil, edge.Errorf("InvalidDefinition", "%s", err.Error())
	}
	now := s.clk.Now()
	rec := &execution{ARN: expressARN(r.Region, r.Account, t.sm.Name, name, s.cfg.NewID()), Name: name, MachineARN: t.sm.ARN,
		MachineName: t.sm.Name, Definition: t.definition, RoleARN: t.roleARN, Logging: t.logging, Start: now, Input: input,
		VersionARN: t.versionARN, AliasARN: t.aliasARN, Status: engine.StatusRunning}
	var rec2 engine.Recorder
	var rn *run
	if t.logging.Level != "" && t.logging.Level != "OFF" {
		rn = newRun(s, rec, r.Account, r.Region, true)
		rec2 = rn
	}
	res := s.eng.RunSync(ctx, sm, s.info(rec, r), json.RawMessage(input), rec2)
	stop := s.clk.Now()
	out := &syncExecutionOut{ExecutionArn: rec.ARN, StateMachineArn: rec.MachineARN, Name: name, StartDate: edge.Epoch(now),
		StopDate: edge.Epoch(stop), Status: res.Status, Error: res.Error, Cause: res.Cause, Input: input, InputDetails: dataDetails{true},
		TraceHeader: in.TraceHeader}
	if res.Status == engine.StatusSucceeded {
		o := string(res.Output)
		out.Output, out.OutputDetails = &o, &dataDetails{true}
	}
	out.BillingDetails.BilledMemoryUsedInMB = 64
	ms := stop.Sub(now).Milliseconds()
	out.BillingDetails.BilledDurationInMilliseconds = max(100, (ms+99)/100*100)
	return out, nil
}

// publishStatus sends a "Step Functions Execution Status Change" event to
// the default bus, with the detail AWS sends.
func (s *Service) publishStatus(rec *execution) {
	if s.cfg.Events == nil {
		return
	}
	type details struct {
		Included bool `json:"included"`
	}
	d := struct {
		ExecutionArn        string   `json:"executionArn"`
		StateMachineArn     string   `json:"stateMachineArn"`
		Name                string   `json:"name"`
		Status              string   `json:"status"`
		StartDate           int64    `json:"startDate"`
		StopDate            *int64   `json:"stopDate"`
		Input               string   `json:"input"`
		Output              *string  `json:"output"`
		StateMachineVersion *string  `json:"stateMachineVersionArn"`
		StateMachineAlias   *string  `json:"stateMachineAliasArn"`
		RedriveCount        int      `json:"redriveCount"`
		RedriveDate         *int64   `json:"redriveDate"`
		RedriveStatus       string   `json:"redriveStatus"`
		RedriveStatusReason *string  `json:"redriveStatusReason"`
		InputDetails        details  `json:"inputDetails"`
		OutputDetails       *details `json:"outputDetails"`
		Error               *string  `json:"error"`
		Cause               *string  `json:"cause"`
	}{ExecutionArn: rec.ARN, StateMachineArn: rec.MachineARN, Name: rec.Name, Status: rec.Status, StartDate: rec.Start.UnixMilli(),
		Input: rec.Input, Output: rec.Output, RedriveCount: rec.RedriveCount, InputDetails: details{true}}
	if !rec.Stop.IsZero() {
		ms := rec.Stop.UnixMilli()
		d.StopDate = &ms
	}
	if !rec.RedriveDate.IsZero() {
		ms := rec.RedriveDate.UnixMilli()
		d.RedriveDate = &ms
	}
	if rec.VersionARN != "" {
		d.StateMachineVersion = &rec.VersionARN
	}
	if rec.AliasARN != "" {
		d.StateMachineAlias = &rec.AliasARN
	}
	if rec.Output != nil {
		d.OutputDetails = &details{true}
	}
	if rec.Status != engine.StatusRunning && rec.Status != engine.StatusSucceeded {
		d.Error, d.Cause = &rec.Error, &rec.Cause
	}
	st, reason := s.redrivable(rec)
	d.RedriveStatus = st
	if reason != "" {
		d.RedriveStatusReason = &reason
	}
	detail, err := json.Marshal(&d)
	if err != nil {
		return
	}
	if err := s.cfg.Events.PublishEvent(s.ctx, accountOf(rec.ARN), regionOf(rec.ARN), "aws.states", "Step Functions Execution Status Change", detail, []string{rec.ARN}); err != nil {
		s.log.Warn("sfn: publish status change", "execution", rec.ARN, "err", err)
	}
}

func accountOf(arn string) string {
	if r, err := parseARN(arn); err == nil {
		return r.Account
	}
	return ""
}

func regionOf(arn string) string {
	if r, err := parseARN(arn); err == nil {
		return r.Region
	}
	return ""
}

// resumeAll restarts the STANDARD executions stored as RUNNING.
func (s *Service) resumeAll() error {
	type item struct {
		rec  *execution
		snap []byte
		tok  string
	}
	var items []item
	err := s.st.View(func(tx store.Tx) error {
		var names []string
		tx.BucketNames("sfn/executions/", func(name string) bool {
			names = append(names, name)
			return true
		})
		cp := tx.Bucket(checkpointsBucket)
		for _, bn := range names {
			tx.Bucket(bn).Scan(nil, nil, false, func(k, raw []byte) bool {
				var rec execution
				if json.Unmarshal(raw, &rec) != nil || rec.Status != engine.StatusRunning {
					return true
				}
				rec.Definition = string(tx.Bucket(definitionsBucket).Get([]byte(rec.RevisionID)))
				it := item{rec: &rec}
				if snap := cp.Get([]byte(rec.ARN)); snap != nil {
					it.snap = append([]byte(nil), snap...)
					var si snapInfo
					if json.Unmarshal(it.snap, &si) == nil {
						if t := tx.Bucket(tokensBucket).Get([]byte(rec.ARN + "\x00" + si.State)); t != nil {
							it.tok = string(t)
						}
					}
				}
				items = append(items, it)
				return true
			})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find running executions: %w", err)
	}
	for _, it := range items {
		if err := s.resume(it.rec, it.snap, it.tok); err != nil {
			s.log.Error("sfn: resume execution", "execution", it.rec.ARN, "err", err)
		}
	}
	if len(items) > 0 {
		s.log.Info("sfn: resumed executions", "count", len(items))
	}
	return nil
}

// resume continues one stored execution: from its checkpoint, or from the
// start when none was written. History after the checkpoint is dropped;
// the engine records it again.
func (s *Service) resume(rec *execution, snap []byte, token string) error {
	r, err := parseARN(rec.ARN)
	if err != nil {
		return err
	}
	sm, err := s.parseDefinition(rec.Definition)
	if err != nil {
		return err
	}
	var keep int64
	if snap != nil {
		var si snapInfo
		if err := json.Unmarshal(snap, &si); err != nil {
			return fmt.Errorf("decode checkpoint: %w", err)
		}
		keep = si.LastID
	}
	err = s.st.Update(func(tx store.Tx) error { return truncateHistory(tx, rec.ARN, keep) })
	if err != nil {
		return err
	}
	rn, err := s.launchResumed(sm, rec, r, snap, token, -1)
	if err != nil {
		return err
	}
	_ = rn
	return nil
}

// launchResumed resumes rec from snap, or redrives it when lastEventID >= 0.
func (s *Service) launchResumed(sm *asl.StateMachine, rec *execution, r *resource, snap []byte, token string, lastEventID int64) (*run, error) {
	if snap == nil {
		return s.launch(sm, rec, r, nil, nil)
	}
	var si snapInfo
	_ = json.Unmarshal(snap, &si)
	rn := newRun(s, rec, r.Account, r.Region, false)
	rn.resumeToken, rn.resumeState = token, si.State
	rn.snap = snap
	s.mu.Lock()
	s.runs[rec.ARN] = rn
	s.mu.Unlock()
	var x *engine.Execution
	var err error
	if lastEventID >= 0 {
		x, err = s.eng.Redrive(s.ctx, sm, s.info(rec, r), snap, lastEventID, rn)
	} else {
		x, err = s.eng.Resume(s.ctx, sm, s.info(rec, r), snap, rn)
	}
	if err != nil {
		s.mu.Lock()
		delete(s.runs, rec.ARN)
		s.mu.Unlock()
		return nil, err
	}
	rn.mu.Lock()
	rn.x = x
	rn.mu.Unlock()
	return rn, nil
}

type redriveOut struct {
	RedriveDate edge.Epoch `json:"redriveDate"`
}

func (s *Service) redriveExecution(ctx context.Context, in *executionArnIn) (*redriveOut, error) {
	r, err := parseExecARN(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if r.Kind == "express" {
		return nil, edge.Errorf("ExecutionNotRedrivable", "Execution is of type EXPRESS and cannot be redriven")
	}
	rec, err := s.loadExecutionDef(r, in.ExecutionArn, true)
	if err != nil {
		return nil, err
	}
	if st, reason := s.redrivable(rec); st != "REDRIVABLE" {
		return nil, edge.Errorf("ExecutionNotRedrivable", "%s", reason)
	}
	var snap []byte
	var lastID int64
	err = s.st.View(func(tx store.Tx) error {
		if v := tx.Bucket(checkpointsBucket).Get([]byte(rec.ARN)); v != nil {
			snap = append([]byte(nil), v...)
		}
		var err error
		lastID, err = lastEventID(tx, rec.ARN)
		return err
	})
	if err != nil {
		return nil, err
	}
	if snap == nil {
		return nil, edge.Errorf("ExecutionNotRedrivable", "Execution has no state to redrive from")
	}
	sm, err := s.parseDefinition(rec.Definition)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	rec.Status, rec.Stop, rec.Error, rec.Cause, rec.Output = engine.StatusRunning, time.Time{}, "", "", nil
	rec.RedriveCount++
	rec.RedriveDate = now
	err = s.st.Update(func(tx store.Tx) error {
		return putJSON(tx.Bucket(executionsBucket(r.Account, r.Region)), execKey(rec.MachineName, rec.Name), rec)
	})
	if err != nil {
		return nil, err
	}
	s.publishStatus(rec)
	// The engine records ExecutionRedriven after the last event and
	// re-enters the state that failed.
	if _, err := s.launchResumed(sm, rec, r, snap, "", lastID); err != nil {
		return nil, err
	}
	return &redriveOut{RedriveDate: edge.Epoch(now)}, nil
}

// Task tokens.

type taskTokenIn struct {
	TaskToken string  `json:"taskToken"`
	Output    *string `json:"output"`
	Error     string  `json:"error"`
	Cause     string  `json:"cause"`
}

func (s *Service) tokenError(token string, err error) error {
	switch {
	case errors.Is(err, engine.ErrTaskTimedOut):
		return edge.Errorf("TaskTimedOut", "Task Timed Out: '%s'", token)
	case errors.Is(err, engine.ErrInvalidOutput):
		return edge.Errorf("InvalidOutput", "Invalid Output: 'Output is not valid JSON'")
	case errors.Is(err, engine.ErrTaskDoesNotExist):
		if len(token) < 16 {
			return edge.Errorf("InvalidToken", "Invalid Token: 'Invalid token'")
		}
		return edge.Errorf("TaskDoesNotExist", "Task Does Not Exist: '%s'", token)
	}
	return err
}

// sendToken calls f with token, or with the token that replaced it when
// its execution was resumed after a restart.
func (s *Service) sendToken(token string, f func(string) error) error {
	if token == "" {
		return edge.MissingMember("taskToken")
	}
	if len(token) > 2048 {
		return edge.Validation("1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	err := f(token)
	if errors.Is(err, engine.ErrTaskDoesNotExist) {
		s.mu.Lock()
		alias, ok := s.aliases[token]
		s.mu.Unlock()
		if ok {
			err = f(alias)
		}
	}
	if err != nil {
		return s.tokenError(token, err)
	}
	return nil
}

func (s *Service) sendTaskSuccess(ctx context.Context, in *taskTokenIn) (*empty, error) {
	if in.Output == nil {
		return nil, edge.MissingMember("output")
	}
	if len(*in.Output) > maxInput {
		return nil, edge.Validation("1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144")
	}
	err := s.sendToken(in.TaskToken, func(t string) error { return s.eng.SendTaskSuccess(t, json.RawMessage(*in.Output)) })
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (s *Service) sendTaskFailure(ctx context.Context, in *taskTokenIn) (*empty, error) {
	if len(in.Error) > 256 {
		return nil, edge.Validation("1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	err := s.sendToken(in.TaskToken, func(t string) error { return s.eng.SendTaskFailure(t, in.Error, in.Cause) })
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

func (s *Service) sendTaskHeartbeat(ctx context.Context, in *taskTokenIn) (*empty, error) {
	err := s.sendToken(in.TaskToken, s.eng.SendTaskHeartbeat)
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}
