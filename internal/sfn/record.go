package sfn

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tenkai/internal/sfn/engine"
	"tenkai/internal/store"
)

// execution is a stored STANDARD execution.
type execution struct {
	ARN          string        `json:"arn"`
	Name         string        `json:"name"`
	MachineARN   string        `json:"machineArn"`
	MachineName  string        `json:"machineName"`
	VersionARN   string        `json:"versionArn,omitempty"`
	AliasARN     string        `json:"aliasArn,omitempty"`
	Definition   string        `json:"-"` // kept once per revision in definitionsBucket
	RoleARN      string        `json:"roleArn"`
	MachineDate  time.Time     `json:"machineDate"`
	RevisionID   string        `json:"revisionId,omitempty"`
	Logging      loggingConfig `json:"logging"`
	Tracing      tracingConfig `json:"tracing"`
	Status       string        `json:"status"`
	Start        time.Time     `json:"start"`
	Stop         time.Time     `json:"stop,omitzero"`
	Input        string        `json:"input"`
	Output       *string       `json:"output,omitempty"`
	Error        string        `json:"error,omitempty"`
	Cause        string        `json:"cause,omitempty"`
	RedriveCount int           `json:"redriveCount,omitempty"`
	RedriveDate  time.Time     `json:"redriveDate,omitzero"`
	TraceHeader  string        `json:"traceHeader,omitempty"`
}

func executionsBucket(account, region string) string {
	return "sfn/executions/" + account + "/" + region
}
func historyBucket(execARN string) string { return "sfn/history/" + execARN }

const (
	checkpointsBucket = "sfn/checkpoints" // execution ARN → engine snapshot
	definitionsBucket = "sfn/definitions" // revision id → the definition executions of it run
	tokensBucket      = "sfn/tokens"      // execution ARN + "\x00" + state → task token waiting
)

func execKey(machine, name string) []byte { return []byte(machine + ":" + name) }

func eventKey(id int64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(id))
	return k[:]
}

// snapInfo is what the service reads from an engine snapshot: the state it
// re-enters and the history position. The rest is the engine's own.
type snapInfo struct {
	State  string `json:"state"`
	LastID int64  `json:"lastId"`
	Prev   int64  `json:"prev"`
}

// appendEpoch writes t as AWS JSON protocols do (seconds with millis).
func appendEpoch(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(b, ms/1000, 10)
	}
	return strconv.AppendFloat(b, float64(ms)/1000, 'f', 3, 64)
}

// encodeEvent renders a history event as GetExecutionHistory returns it.
func encodeEvent(ev *engine.HistoryEvent) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"timestamp":`...)
	b = appendEpoch(b, ev.Timestamp)
	b = append(b, `,"type":`...)
	b = appendString(b, ev.Type)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, ev.ID, 10)
	b = append(b, `,"previousEventId":`...)
	b = strconv.AppendInt(b, ev.PreviousEventID, 10)
	if ev.DetailsKey != "" && ev.Details != nil {
		b = append(b, ',', '"')
		b = append(b, ev.DetailsKey...)
		b = append(b, '"', ':')
		b = appendDetails(b, ev.Details)
	}
	return append(b, '}')
}

type pendingEvent struct {
	id  int64
	raw []byte
}

// run records one execution: it is the engine's Recorder. STANDARD runs
// keep history in the store, written in batches by flush; EXPRESS runs only
// log.
type run struct {
	s       *Service
	arn     string     // the execution ARN
	rec     *execution // guarded by mu once running
	account string
	region  string
	express bool
	x       *engine.Execution
	done    chan struct{}   // closed after the final write
	before  <-chan struct{} // closed once the RUNNING event is out; nil if none pending

	mu           sync.Mutex // guards the fields below
	pending      []pendingEvent
	snap         []byte
	dirty        bool
	scheduled    bool
	finished     bool
	lastID       int64
	resumeToken  string // a token waiting before a restart, handed to the first matching Run
	resumeState  string
	logStream    string
	logSeq       int
	finalWritten bool

	wmu sync.Mutex // serialises store writes of this run

	discarded atomic.Bool // Reset dropped the run: record nothing more
}

func newRun(s *Service, rec *execution, account, region string, express bool) *run {
	return &run{s: s, arn: rec.ARN, rec: rec, account: account, region: region, express: express, done: make(chan struct{})}
}

// Event implements engine.Recorder.
func (r *run) Event(ev *engine.HistoryEvent) {
	r.log(ev)
	if r.express {
		return
	}
	raw := encodeEvent(ev)
	r.mu.Lock()
	r.pending = append(r.pending, pendingEvent{ev.ID, raw})
	r.lastID = ev.ID
	r.mu.Unlock()
}

// Checkpoint implements engine.Recorder: the snapshot is written within
// flushDelay, with the events before it, by a background flush.
func (r *run) Checkpoint(snap []byte) {
	if r.express {
		return
	}
	r.mu.Lock()
	r.snap = snap
	r.dirty = true
	sched := !r.scheduled && !r.finished
	r.scheduled = true
	r.mu.Unlock()
	if sched {
		// A short delay lets a quick execution finish first and write its
		// whole history once, in Done.
		time.AfterFunc(flushDelay, r.flush)
	}
}

// flushDelay bounds how long a checkpoint stays only in memory.
const flushDelay = 2 * time.Millisecond

// flush writes pending events and the latest checkpoint.
func (r *run) flush() {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.mu.Lock()
	r.scheduled = false
	if r.finished {
		r.mu.Unlock()
		return
	}
	evs := r.pending
	r.pending = nil
	snap := r.snap
	dirty := r.dirty
	r.dirty = false
	r.mu.Unlock()
	if len(evs) == 0 && !dirty {
		return
	}
	err := r.s.st.Update(func(tx store.Tx) error {
		if err := putEvents(tx, r.arn, evs); err != nil {
			return err
		}
		if dirty {
			return tx.Bucket(checkpointsBucket).Put([]byte(r.arn), snap)
		}
		return nil
	})
	if err != nil {
		r.s.log.Error("sfn: write execution history", "execution", r.arn, "err", err)
	}
}

// sync writes pending events now (GetExecutionHistory of a running execution).
func (r *run) sync() {
	r.mu.Lock()
	r.dirty = r.dirty || len(r.pending) > 0
	r.mu.Unlock()
	r.flush()
}

// Done implements engine.Recorder.
func (r *run) Done(res engine.Result) {
	now := r.s.clk.Now()
	r.mu.Lock()
	r.finished = true
	evs := r.pending
	r.pending = nil
	snap := r.snap
	rec := *r.rec
	rec.Status, rec.Stop, rec.Error, rec.Cause = res.Status, now, res.Error, res.Cause
	rec.Output = nil
	if res.Status == engine.StatusSucceeded {
		out := string(res.Output)
		rec.Output = &out
	}
	r.rec = &rec
	r.mu.Unlock()
	if !r.express && !r.discarded.Load() {
		r.wmu.Lock()
		err := r.s.st.Update(func(tx store.Tx) error {
			if err := putEvents(tx, rec.ARN, evs); err != nil {
				return err
			}
			if err := putJSON(tx.Bucket(executionsBucket(r.account, r.region)), execKey(rec.MachineName, rec.Name), &rec); err != nil {
				return err
			}
			if err := deleteTokens(tx, rec.ARN); err != nil {
				return err
			}
			cp := tx.Bucket(checkpointsBucket)
			if res.Status == engine.StatusSucceeded || snap == nil {
				return cp.Delete([]byte(rec.ARN))
			}
			// Kept for RedriveExecution.
			return cp.Put([]byte(rec.ARN), snap)
		})
		r.wmu.Unlock()
		if err != nil {
			r.s.log.Error("sfn: record execution end", "execution", rec.ARN, "err", err)
		}
		r.s.mu.Lock()
		if r.s.runs[rec.ARN] == r {
			delete(r.s.runs, rec.ARN)
		}
		r.s.mu.Unlock()
		if r.before != nil {
			<-r.before
		}
		r.s.publishStatus(&rec)
	}
	close(r.done)
}

func deleteTokens(tx store.Tx, arn string) error {
	b := tx.Bucket(tokensBucket)
	prefix := []byte(arn + "\x00")
	var keys [][]byte
	b.Scan(prefix, store.PrefixEnd(prefix), false, func(k, _ []byte) bool {
		keys = append(keys, append([]byte(nil), k...))
		return true
	})
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// discard drops a run's in-memory state (Reset).
func (r *run) discard() {
	r.discarded.Store(true)
	r.mu.Lock()
	r.finished = true
	r.mu.Unlock()
	if r.x != nil {
		r.x.Stop("States.Runtime", "reset")
	}
}

// record returns a copy of the current record.
func (r *run) record() execution {
	r.mu.Lock()
	defer r.mu.Unlock()
	return *r.rec
}

// errorEvent reports whether a history event type is logged at level ERROR.
func errorEvent(typ string) bool {
	return strings.HasSuffix(typ, "Failed") || strings.HasSuffix(typ, "TimedOut") || strings.HasSuffix(typ, "Aborted")
}

func fatalEvent(typ string) bool {
	return typ == "ExecutionFailed" || typ == "ExecutionAborted" || typ == "ExecutionTimedOut"
}

// log writes one history event to CloudWatch Logs when the state machine's
// logging configuration asks for it, in the record shape Step Functions uses.
func (r *run) log(ev *engine.HistoryEvent) {
	l := &r.rec.Logging
	if r.s.cfg.Logs == nil || l.Level == "" || l.Level == "OFF" || len(l.Destinations) == 0 || l.Destinations[0].CloudWatchLogsLogGroup == nil {
		return
	}
	switch l.Level {
	case "ERROR":
		if !errorEvent(ev.Type) {
			return
		}
	case "FATAL":
		if !fatalEvent(ev.Type) {
			return
		}
	}
	group := logGroupName(l.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn)
	if group == "" {
		return
	}
	var details json.RawMessage = []byte("{}")
	if ev.Details != nil {
		if d, err := json.Marshal(ev.Details); err == nil {
			details = d
			if !l.IncludeExecutionData {
				details = stripData(d)
			}
		}
	}
	rec := struct {
		ID              string          `json:"id"`
		Type            string          `json:"type"`
		Details         json.RawMessage `json:"details"`
		PreviousEventID string          `json:"previous_event_id"`
		EventTimestamp  string          `json:"event_timestamp"`
		ExecutionARN    string          `json:"execution_arn"`
		RedriveCount    string          `json:"redrive_count"`
	}{strconv.FormatInt(ev.ID, 10), ev.Type, details, strconv.FormatInt(ev.PreviousEventID, 10),
		strconv.FormatInt(ev.Timestamp.UnixMilli(), 10), r.rec.ARN, strconv.Itoa(r.rec.RedriveCount)}
	msg, err := json.Marshal(&rec)
	if err != nil {
		return
	}
	r.mu.Lock()
	if r.logStream == "" {
		id := r.rec.ARN
		if i := strings.LastIndexByte(id, ':'); i >= 0 {
			id = id[i+1:]
		}
		id = strings.ReplaceAll(id, "-", "")
		if len(id) > 8 {
			id = id[:8]
		}
		r.logStream = "states/" + r.rec.MachineName + "/" + r.rec.Start.UTC().Format("2006-01-02-15-04") + "/" + id
	}
	stream := r.logStream
	r.mu.Unlock()
	if err := r.s.cfg.Logs.WriteLog(r.s.ctx, r.account, r.region, group, stream, ev.Timestamp, string(msg)); err != nil {
		r.s.log.Warn("sfn: write execution log", "group", group, "err", err)
	}
}

// stripData removes execution data (input, output, parameters) from event
// details, as GetExecutionHistory with includeExecutionData=false and logs
// without includeExecutionData do.
func stripData(d []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(d, &m) != nil {
		return d
	}
	changed := false
	for _, k := range []string{"input", "output", "parameters", "assignedVariables"} {
		if _, ok := m[k]; ok {
			delete(m, k)
			changed = true
		}
	}
	if !changed {
		return d
	}
	out, err := json.Marshal(m)
	if err != nil {
		return d
	}
	return out
}
