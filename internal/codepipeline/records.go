package codepipeline

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// pipelineRecord is a stored pipeline.
type pipelineRecord struct {
	Decl        PipelineDeclaration    `json:"decl"`
	Created     time.Time              `json:"created"`
	Updated     time.Time              `json:"updated"`
	Tags        []Tag                  `json:"tags,omitempty"`
	Transitions map[string]*transition `json:"transitions,omitempty"` // by stage name
}

// transition is a stage's inbound and outbound transition state.
type transition struct {
	InboundDisabled  bool      `json:"inDisabled,omitempty"`
	OutboundDisabled bool      `json:"outDisabled,omitempty"`
	InboundReason    string    `json:"inReason,omitempty"`
	OutboundReason   string    `json:"outReason,omitempty"`
	ChangedBy        string    `json:"by,omitempty"`
	ChangedAt        time.Time `json:"at,omitempty"`
}

// execRecord is a stored pipeline execution.
type execRecord struct {
	ID        string              `json:"id"`
	Account   string              `json:"account"`
	Region    string              `json:"region"`
	Pipeline  string              `json:"pipeline"`
	Seq       int64               `json:"seq"`
	Decl      PipelineDeclaration `json:"decl"` // the structure the execution runs
	Status    string              `json:"status"`
	Summary   string              `json:"summary,omitempty"`
	Trigger   ExecutionTrigger    `json:"trigger"`
	Start     time.Time           `json:"start"`
	Updated   time.Time           `json:"updated"`
	Variables []ResolvedVariable  `json:"variables,omitempty"`
	// SourceVersions pins S3 source revisions by action name.
	SourceVersions map[string]string            `json:"sourceVersions,omitempty"`
	Revisions      []ArtifactRevision           `json:"revisions,omitempty"`
	SourceRevs     []SourceRevision             `json:"sourceRevs,omitempty"`
	Artifacts      map[string]S3Location        `json:"artifacts,omitempty"` // by artifact name
	Outputs        map[string]map[string]string `json:"outputs,omitempty"`   // variables by namespace
	Stages         []stageRun                   `json:"stages"`
	Cur            int                          `json:"cur"`     // index of the current (or last) stage
	Waiting        int                          `json:"waiting"` // stage index the execution waits to enter; -1 none
	StopReason     string                       `json:"stopReason,omitempty"`
	StopAbandon    bool                         `json:"stopAbandon,omitempty"`
	Past           []pastAction                 `json:"past,omitempty"` // earlier attempts of retried actions
	ClientToken    string                       `json:"clientToken,omitempty"`
	ArtifactRevs   map[string]string            `json:"artifactRevs,omitempty"` // revision of each artifact, by name
	Mode           string                       `json:"mode"`
	Attempt        int                          `json:"attempt,omitempty"` // retries so far; events count attempts from 1
}

type stageRun struct {
	Name    string      `json:"name"`
	Status  string      `json:"status,omitempty"` // "" until entered
	Actions []actionRun `json:"actions"`
}

type actionRun struct {
	Name         string            `json:"name"`
	ExecID       string            `json:"execId,omitempty"`
	Status       string            `json:"status,omitempty"` // "" until started
	Summary      string            `json:"summary,omitempty"`
	ExternalID   string            `json:"externalId,omitempty"`
	ExternalURL  string            `json:"externalUrl,omitempty"`
	Percent      *int              `json:"percent,omitempty"`
	Error        *ErrorDetails     `json:"error,omitempty"`
	Start        time.Time         `json:"start,omitempty"`
	Updated      time.Time         `json:"updated,omitempty"`
	Token        string            `json:"token,omitempty"`
	JobID        string            `json:"jobId,omitempty"`
	Deadline     time.Time         `json:"deadline,omitempty"`
	Resolved     map[string]string `json:"resolved,omitempty"`
	Inputs       []ArtifactDetail  `json:"inputs,omitempty"`
	Outputs      []ArtifactDetail  `json:"outputs,omitempty"`
	OutVars      map[string]string `json:"outVars,omitempty"`
	UpdatedBy    string            `json:"updatedBy,omitempty"`
	ApprovedSumm string            `json:"approvalSummary,omitempty"`
}

type pastAction struct {
	Stage string    `json:"stage"`
	Run   actionRun `json:"run"`
}

// jobRecord is a job handed to a Lambda function or a job worker.
type jobRecord struct {
	ID           string       `json:"id"`
	Account      string       `json:"account"`
	Region       string       `json:"region"`
	Pipeline     string       `json:"pipeline"`
	ExecID       string       `json:"execId"`
	Stage        string       `json:"stage"`
	Action       string       `json:"action"`
	ActionExecID string       `json:"actionExecId"`
	Status       string       `json:"status"`
	Nonce        string       `json:"nonce,omitempty"`
	Custom       bool         `json:"custom,omitempty"`
	Data         jobData      `json:"data"`
	TypeID       ActionTypeID `json:"typeId"`
}

// jobData is JobData on the wire.
type jobData struct {
	ActionTypeID        ActionTypeID    `json:"actionTypeId"`
	ActionConfiguration actionConfig    `json:"actionConfiguration"`
	PipelineContext     pipelineContext `json:"pipelineContext"`
	InputArtifacts      []Artifact      `json:"inputArtifacts"`
	OutputArtifacts     []Artifact      `json:"outputArtifacts"`
	ArtifactCredentials Credentials     `json:"artifactCredentials"`
	ContinuationToken   string          `json:"continuationToken,omitempty"`
	EncryptionKey       *EncryptionKey  `json:"encryptionKey,omitempty"`
}

type actionConfig struct {
	Configuration map[string]string `json:"configuration"`
}

type pipelineContext struct {
	PipelineName        string         `json:"pipelineName"`
	Stage               map[string]any `json:"stage"`
	Action              map[string]any `json:"action"`
	PipelineArn         string         `json:"pipelineArn"`
	PipelineExecutionID string         `json:"pipelineExecutionId"`
}

// Store buckets.
func pipelinesBucket(account, region string) string {
	return "codepipeline/pipelines/" + account + "/" + region
}
func versionsBucket(account, region string) string {
	return "codepipeline/versions/" + account + "/" + region
}
func execBucket(account, region string) string {
	return "codepipeline/executions/" + account + "/" + region
}
func typesBucket(account, region string) string {
	return "codepipeline/actiontypes/" + account + "/" + region
}

const jobsBucket = "codepipeline/jobs"

func versionKey(name string, v int) []byte { return []byte(fmt.Sprintf("%s/%08d", name, v)) }
func execKey(pipeline, id string) []byte   { return []byte(pipeline + "/" + id) }

func getJSON(b store.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func putJSON(b store.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

func loadPipeline(tx store.Tx, account, region, name string) (*pipelineRecord, error) {
	var p pipelineRecord
	ok, err := getJSON(tx.Bucket(pipelinesBucket(account, region)), []byte(name), &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, edge.Errorf("PipelineNotFoundException", "Account '%s' does not have a pipeline with name '%s'", account, name)
	}
	return &p, nil
}

func loadExec(tx store.Tx, account, region, pipeline, id string) (*execRecord, error) {
	var ex execRecord
	ok, err := getJSON(tx.Bucket(execBucket(account, region)), execKey(pipeline, id), &ex)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, edge.Errorf("PipelineExecutionNotFoundException", "Pipeline execution ID %s does not exist in pipeline %s", id, pipeline)
	}
	return &ex, nil
}

// activeBucket indexes the executions still in progress (or stopping), so
// the engine never reads a pipeline's whole history.
func activeBucket(account, region string) string {
	return "codepipeline/active/" + account + "/" + region
}

func (ex *execRecord) active() bool {
	return ex.Status == statusInProgress || ex.Status == statusStopping
}

// latestBucket maps pipeline/stage/ and pipeline/stage/action to the newest
// execution that ran it (8-byte big-endian Seq, then the id), so
// GetPipelineState reads a few executions, not the whole history.
func latestBucket(account, region string) string {
	return "codepipeline/latest/" + account + "/" + region
}

func latestKey(pipeline, stage, action string) []byte {
	return []byte(pipeline + "/" + stage + "/" + action)
}

// bumpLatest records ex as the newest execution to run key unless a newer one did.
func bumpLatest(b store.Bucket, key []byte, ex *execRecord) error {
	if v := b.Get(key); len(v) > 8 {
		if string(v[8:]) == ex.ID || int64(binary.BigEndian.Uint64(v)) > ex.Seq {
			return nil
		}
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(ex.ID)), uint64(ex.Seq))
	return b.Put(key, append(v, ex.ID...))
}

// latestIDs lists the executions the latest index names for a pipeline.
func latestIDs(tx store.Tx, account, region, pipeline string) []string {
	prefix := []byte(pipeline + "/")
	seen := map[string]bool{}
	var ids []string
	tx.Bucket(latestBucket(account, region)).Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
		if len(v) > 8 && !seen[string(v[8:])] {
			seen[string(v[8:])] = true
			ids = append(ids, string(v[8:]))
		}
		return true
	})
	return ids
}

func saveExec(tx store.Tx, ex *execRecord) error {
	if err := putJSON(tx.Bucket(execBucket(ex.Account, ex.Region)), execKey(ex.Pipeline, ex.ID), ex); err != nil {
		return err
	}
	lb := tx.Bucket(latestBucket(ex.Account, ex.Region))
	for _, st := range ex.Stages {
		if st.Status == "" {
			continue
		}
		if err := bumpLatest(lb, latestKey(ex.Pipeline, st.Name, ""), ex); err != nil {
			return err
		}
		for _, a := range st.Actions {
			if a.Status != "" {
				if err := bumpLatest(lb, latestKey(ex.Pipeline, st.Name, a.Name), ex); err != nil {
					return err
				}
			}
		}
	}
	ab := tx.Bucket(activeBucket(ex.Account, ex.Region))
	if ex.active() {
		return ab.Put(execKey(ex.Pipeline, ex.ID), nil)
	}
	return ab.Delete(execKey(ex.Pipeline, ex.ID))
}

// activeIDs lists the ids of a pipeline's active executions.
func activeIDs(tx store.Tx, account, region, pipeline string) []string {
	prefix := []byte(pipeline + "/")
	var ids []string
	tx.Bucket(activeBucket(account, region)).Scan(prefix, store.PrefixEnd(prefix), false, func(k, _ []byte) bool {
		ids = append(ids, string(k[len(prefix):]))
		return true
	})
	return ids
}

// pipelineExecs returns a pipeline's executions, newest first.
func pipelineExecs(tx store.Tx, account, region, pipeline string) ([]*execRecord, error) {
	prefix := []byte(pipeline + "/")
	var out []*execRecord
	var err error
	tx.Bucket(execBucket(account, region)).Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
		ex := new(execRecord)
		if err = json.Unmarshal(v, ex); err != nil {
			return false
		}
		out = append(out, ex)
		return true
	})
	sortNewestFirst(out)
	return out, err
}

func sortNewestFirst(list []*execRecord) {
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Start.Equal(list[j].Start) {
			return list[i].Start.After(list[j].Start)
		}
		return list[i].Seq > list[j].Seq
	})
}

// stateExecs loads the executions GetPipelineState needs: those in progress
// and the newest to have run each stage and action, newest first.
func stateExecs(tx store.Tx, account, region, pipeline string) ([]*execRecord, error) {
	seen := map[string]bool{}
	var out []*execRecord
	for _, id := range append(activeIDs(tx, account, region, pipeline), latestIDs(tx, account, region, pipeline)...) {
		if seen[id] {
			continue
		}
		seen[id] = true
		ex, err := loadExec(tx, account, region, pipeline, id)
		if err != nil {
			continue
		}
		out = append(out, ex)
	}
	sortNewestFirst(out)
	return out, nil
}

func loadJob(tx store.Tx, id string) (*jobRecord, error) {
	var j jobRecord
	ok, err := getJSON(tx.Bucket(jobsBucket), []byte(id), &j)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, edge.Errorf("JobNotFoundException", "The job was not found. Job ID: %s", id)
	}
	return &j, nil
}

func saveJob(tx store.Tx, j *jobRecord) error {
	return putJSON(tx.Bucket(jobsBucket), []byte(j.ID), j)
}
