package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/sfn/asl"
)

// Config configures an Engine. The zero value works.
type Config struct {
	Clock  clock.Clock   // nil means clock.Real
	Tasks  Tasks         // nil means every Task state fails with States.TaskFailed
	Logger *slog.Logger  // nil means slog.Default
	NewID  func() string // task tokens, map run ids; nil means random UUIDs
	// Rand returns a float64 in [0,1) for jitter, States.MathRandom and
	// $random; nil means math/rand/v2.
	Rand func() float64
}

// Tasks performs Task states.
type Tasks interface {
	// Run performs one Task state call and returns its result. It may block
	// (e.g. .sync integrations, a synchronous Lambda invoke) and must return
	// when ctx ends. A failure is a *TaskError.
	// For .waitForTaskToken resources Run only dispatches (the token is in
	// call.TaskToken and already substituted where $$.Task.Token was
	// referenced); the engine then waits for Engine.SendTaskSuccess/Failure/
	// Heartbeat with that token.
	// A Map state's ItemReader is also read through Run: Resource is the
	// reader's Resource, Input is {"Parameters": ..., "ReaderConfig": ...}
	// and the result must be the JSON array of items.
	Run(ctx context.Context, call *TaskCall) (json.RawMessage, error)
}

// TaskCall describes one Task state call.
type TaskCall struct {
	Resource    string          // as written, e.g. "arn:aws:states:::lambda:invoke.waitForTaskToken"
	Input       json.RawMessage // the effective parameters (Parameters/Arguments evaluated)
	TaskToken   string
	Credentials json.RawMessage // if set in the state
	Execution   ExecutionInfo
	StateName   string
	Timeout     time.Duration // 0 = none (the engine enforces TimeoutSeconds/HeartbeatSeconds itself too)
	Heartbeat   time.Duration // 0 = none
	// Submitted may be called by .sync integrations once the job is started,
	// with the service's start response; the engine records TaskSubmitted.
	Submitted func(output json.RawMessage)
}

// TaskError is a failed task: Code is the error name Retry and Catch match,
// e.g. {"Lambda.Unknown", "..."} or {"States.TaskFailed", "..."}.
type TaskError struct{ Code, Cause string }

// ExecutionInfo identifies an execution.
type ExecutionInfo struct {
	ExecutionARN, Name, StateMachineARN, StateMachineName, RoleARN, Account, Region string
	StartTime                                                                       time.Time
	RedriveCount                                                                    int
	// Optional members of ExecutionStarted.
	StateMachineAliasARN, StateMachineVersionARN string
}

// Recorder receives an execution's history, checkpoints and result.
// Calls for one execution are serialised, come in history order and are made
// with the execution's lock held: a Recorder must not call back into the
// Execution (Stop, Result) from them.
type Recorder interface {
	// Event is called for each history event as it happens.
	Event(ev *HistoryEvent)
	// Checkpoint is called after each top-level state transition with a
	// snapshot that Resume accepts.
	Checkpoint(snap []byte)
	// Done is called once with the final status.
	Done(res Result)
}

// HistoryEvent is one GetExecutionHistory event. Details is a pointer to the
// typed details struct for the type (nil for types without details) and
// DetailsKey its member name, e.g. "executionStartedEventDetails".
type HistoryEvent struct {
	Timestamp       time.Time
	Type            string
	ID              int64
	PreviousEventID int64
	Details         any
	DetailsKey      string
}

// MarshalJSON encodes the event as GetExecutionHistory returns it
// (timestamp as epoch seconds).
func (ev *HistoryEvent) MarshalJSON() ([]byte, error) {
	m := map[string]any{
		"timestamp":       float64(ev.Timestamp.UnixMilli()) / 1000,
		"type":            ev.Type,
		"id":              ev.ID,
		"previousEventId": ev.PreviousEventID,
	}
	if ev.DetailsKey != "" && ev.Details != nil {
		m[ev.DetailsKey] = ev.Details
	}
	return json.Marshal(m)
}

// Execution statuses.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Result is an execution's final status.
type Result struct {
	Status string
	Output json.RawMessage
	Error  string
	Cause  string
}

// Errors returned by SendTask*.
var (
	ErrTaskDoesNotExist = errors.New("engine: task does not exist")
	ErrTaskTimedOut     = errors.New("engine: task timed out")
	ErrInvalidOutput    = errors.New("engine: invalid output")
	ErrBadSnapshot      = errors.New("engine: invalid snapshot")
)

// Engine runs executions. It is safe for concurrent use.
type Engine struct {
	clk    clock.Clock
	tasks  Tasks
	log    *slog.Logger
	newID  func() string
	random func() float64
	fnState

	mu       sync.Mutex            // guards tokens and finished
	tokens   map[string]*tokenWait // tokens waiting for SendTask*
	finished map[string]error      // tokens that timed out or completed, for the right SendTask* error
	order    []string              // finished tokens, oldest first (bounded)
}

// New returns an Engine.
func New(cfg Config) *Engine {
	e := &Engine{clk: cfg.Clock, tasks: cfg.Tasks, log: cfg.Logger, newID: cfg.NewID, random: cfg.Rand,
		tokens: map[string]*tokenWait{}, finished: map[string]error{}}
	if e.clk == nil {
		e.clk = clock.Real{}
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.random == nil {
		e.random = defaultRand
	}
	if e.newID == nil {
		e.newID = func() string { return newUUID(e.random) }
	}
	return e
}

// Start records ExecutionStarted and runs the execution in its own
// goroutine. rec receives every history event in order. ctx bounds the whole run (cancelling it stops the run
// without a final event, as on shutdown).
func (e *Engine) Start(ctx context.Context, sm *asl.StateMachine, info ExecutionInfo, input json.RawMessage, rec Recorder) *Execution {
	x := e.newExecution(ctx, sm, info, rec)
	in, err := decodeInput(input)
	if err != nil {
		x.start(nil, input)
		x.finish(Result{Status: StatusFailed, Error: "States.Runtime", Cause: "Invalid execution input: " + err.Error()},
			&ErrorDetails{Error: "States.Runtime", Cause: "Invalid execution input: " + err.Error()})
		return x
	}
	// ExecutionStarted is recorded before Start returns, as StartExecution does.
	x.start(in, input)
	go x.run(sm.StartAt, in)
	return x
}

func decodeInput(input json.RawMessage) (any, error) {
	if len(input) == 0 {
		return asl.NewObject(0), nil
	}
	return asl.DecodeJSON(input)
}

// RunSync runs an execution to completion (EXPRESS StartSyncExecution).
// rec may be nil.
func (e *Engine) RunSync(ctx context.Context, sm *asl.StateMachine, info ExecutionInfo, input json.RawMessage, rec Recorder) Result {
	if rec == nil {
		rec = nopRecorder{}
	}
	x := e.Start(ctx, sm, info, input, rec)
	select {
	case <-x.done:
		return x.result
	case <-ctx.Done():
		x.Stop("States.Runtime", "The execution was cancelled")
		<-x.done
		return x.result
	}
}

type nopRecorder struct{}

func (nopRecorder) Event(*HistoryEvent) {}
func (nopRecorder) Checkpoint([]byte)   {}
func (nopRecorder) Done(Result)         {}
