package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"tenkai/internal/sfn/asl"
)

// snapshot is what Checkpoint carries: enough to re-enter the top-level
// state being run. Parallel and Map states are re-run from their input.
type snapshot struct {
	Version   int             `json:"v"`
	State     string          `json:"state"`
	Input     json.RawMessage `json:"input"`
	ExecInput json.RawMessage `json:"execInput"`
	Vars      json.RawMessage `json:"vars"`
	LastID    int64           `json:"lastId"`
	Prev      int64           `json:"prev"`
}

// checkpoint records a snapshot before a top-level state is entered.
func (x *Execution) checkpoint(name string, input any, th *thread) {
	if _, nop := x.rec.(nopRecorder); nop {
		return
	}
	in := th.out
	if !th.outOK {
		in = encode(input)
	}
	if x.execInJSON == "" {
		x.execInJSON = encode(x.input)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.finished {
		return
	}
	// Built by hand: this runs on every transition.
	b := make([]byte, 0, 64+len(in)+len(x.execInJSON))
	b = append(b, `{"v":1,"state":`...)
	b = appendString(b, name)
	b = append(b, `,"input":`...)
	b = append(b, in...)
	b = append(b, `,"execInput":`...)
	b = append(b, x.execInJSON...)
	b = append(b, `,"vars":`...)
	b = appendJSON(b, x.vars.vars)
	b = append(b, `,"lastId":`...)
	b = strconv.AppendInt(b, x.lastID, 10)
	b = append(b, `,"prev":`...)
	b = strconv.AppendInt(b, x.top.last, 10)
	b = append(b, '}')
	x.rec.Checkpoint(b)
}

// Redrive restarts a failed, aborted or timed-out execution from a
// Checkpoint snapshot (RedriveExecution): it records ExecutionRedriven with
// info.RedriveCount (the new count) after lastEventID, the id of the last
// event of the history so far, and re-enters the state the snapshot names.
func (e *Engine) Redrive(ctx context.Context, sm *asl.StateMachine, info ExecutionInfo, snap []byte, lastEventID int64, rec Recorder) (*Execution, error) {
	return e.resume(ctx, sm, info, snap, rec, lastEventID)
}

// Resume continues an execution from a Checkpoint snapshot. History goes on
// with the next event id; the state the snapshot names is entered again.
func (e *Engine) Resume(ctx context.Context, sm *asl.StateMachine, info ExecutionInfo, snap []byte, rec Recorder) (*Execution, error) {
	return e.resume(ctx, sm, info, snap, rec, -1)
}

// resume restarts from snap; lastEventID >= 0 makes it a redrive.
func (e *Engine) resume(ctx context.Context, sm *asl.StateMachine, info ExecutionInfo, snap []byte, rec Recorder, lastEventID int64) (*Execution, error) {
	var s snapshot
	if err := json.Unmarshal(snap, &s); err != nil || s.Version != 1 {
		return nil, fmt.Errorf("resume %s: %w", info.Name, ErrBadSnapshot)
	}
	if _, ok := sm.States[s.State]; !ok {
		return nil, fmt.Errorf("resume %s: state %q not in the definition: %w", info.Name, s.State, ErrBadSnapshot)
	}
	input, err := asl.DecodeJSON(s.Input)
	if err != nil {
		return nil, fmt.Errorf("resume %s: %w", info.Name, ErrBadSnapshot)
	}
	execIn, _ := asl.DecodeJSON(s.ExecInput)
	vars := map[string]any{}
	if len(s.Vars) > 0 && string(s.Vars) != "null" {
		v, err := asl.DecodeJSON(s.Vars)
		m, ok := v.(*asl.Object)
		if err != nil || !ok {
			return nil, fmt.Errorf("resume %s: %w", info.Name, ErrBadSnapshot)
		}
		vars = m.Map()
	}
	x := e.newExecution(ctx, sm, info, rec)
	x.input = execIn
	x.lastID = s.LastID
	x.top.last = s.Prev
	x.vars.vars = vars
	if lastEventID >= 0 {
		x.lastID, x.top.last = lastEventID, lastEventID
		x.emit(x.top, "ExecutionRedriven", &ExecutionRedrivenEventDetails{RedriveCount: info.RedriveCount})
	}
	x.armTimeout()
	go x.run(s.State, input)
	return x, nil
}
