package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/sfn/asl"
	"tenkai/internal/sfn/engine"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// recorder collects history for assertions.
type recorder struct {
	mu     sync.Mutex
	events []*engine.HistoryEvent
	snaps  [][]byte
	res    *engine.Result
	done   chan struct{}
}

func newRecorder() *recorder { return &recorder{done: make(chan struct{})} }

func (r *recorder) Event(ev *engine.HistoryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) Checkpoint(s []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snaps = append(r.snaps, s)
}

func (r *recorder) Done(res engine.Result) {
	r.mu.Lock()
	r.res = &res
	r.mu.Unlock()
	close(r.done)
}

// types lists event types; with ids it adds "id/prev".
func (r *recorder) types() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	return strings.Join(out, ",")
}

func (r *recorder) links() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, fmt.Sprintf("%d<%d", e.ID, e.PreviousEventID))
	}
	return strings.Join(out, " ")
}

func (r *recorder) event(t *testing.T, typ string) *engine.HistoryEvent {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Type == typ {
			return e
		}
	}
	t.Fatalf("no %s event", typ)
	return nil
}

func (r *recorder) details(t *testing.T, typ string) string {
	t.Helper()
	b, err := json.Marshal(r.event(t, typ).Details)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (r *recorder) wait(t *testing.T) engine.Result {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("execution did not finish; events: %s", r.types())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return *r.res
}

// fakeTasks answers Task states from a function.
type fakeTasks struct {
	mu    sync.Mutex
	calls []*engine.TaskCall
	fn    func(call *engine.TaskCall, n int) (string, error)
}

func (f *fakeTasks) Run(ctx context.Context, call *engine.TaskCall) (json.RawMessage, error) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	n := len(f.calls)
	f.mu.Unlock()
	out, err := f.fn(call, n)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(out), nil
}

func (f *fakeTasks) call(i int) *engine.TaskCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[i]
}

func (f *fakeTasks) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func mustParse(t testing.TB, def string) *asl.StateMachine {
	t.Helper()
	sm, err := asl.Parse([]byte(def))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sm
}

var info = engine.ExecutionInfo{
	ExecutionARN:     "arn:aws:states:us-east-1:123456789012:execution:sm:ex1",
	Name:             "ex1",
	StateMachineARN:  "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
	StateMachineName: "sm",
	RoleARN:          "arn:aws:iam::123456789012:role/r",
	Account:          "123456789012",
	Region:           "us-east-1",
	StartTime:        t0,
}

type setup struct {
	eng   *engine.Engine
	clk   *clock.Fake
	tasks *fakeTasks
}

func newSetup(fn func(call *engine.TaskCall, n int) (string, error)) *setup {
	clk := clock.NewFake(t0)
	ft := &fakeTasks{fn: fn}
	if fn == nil {
		ft.fn = func(c *engine.TaskCall, _ int) (string, error) { return string(c.Input), nil }
	}
	n := 0
	var mu sync.Mutex
	eng := engine.New(engine.Config{Clock: clk, Tasks: ft, NewID: func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("tok%d", n)
	}, Rand: func() float64 { return 0.5 }})
	return &setup{eng: eng, clk: clk, tasks: ft}
}

// run runs def with input to completion (no clock movement needed).
func (s *setup) run(t *testing.T, def, input string) (engine.Result, *recorder) {
	t.Helper()
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, def), info, json.RawMessage(input), rec)
	return rec.wait(t), rec
}

// waitPending blocks until the fake clock has n timers.
func waitPending(t *testing.T, c *clock.Fake, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("clock has %d timers; want %d", c.Pending(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
