package runtime

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"tenkai/internal/clock"
)

// Defaults AWS uses.
const (
	defaultIdleTimeout = 10 * time.Minute
	defaultAccountConc = 1000
	defaultMemoryMB    = 128
	defaultTimeout     = 3 * time.Second
	// initLimit is Lambda's budget for the init phase of an on-demand environment.
	initLimit = 10 * time.Second
)

// Manager runs execution environments. It is safe for concurrent use.
type Manager struct {
	cfg       Config
	clk       clock.Clock
	log       *slog.Logger
	workDir   string
	ownDir    bool // workDir was made by us and is removed by Close
	idle      time.Duration
	acctLimit int

	mu     sync.Mutex // guards closed, resets, fns, acct, live; env.busy/idle/retired/reapArmed/lastUsed
	closed bool
	resets uint64 // Resets (and Close) so far: an environment started across one is stopped
	fns    map[fnKey]*function
	acct   map[string]int // in-flight invocations per account
	live   map[*env]struct{}
	calls  sync.WaitGroup // in-flight Invoke calls past admission

	opts   onceMap[string]    // merged /opt dir per Key and layer list
	launch onceMap[*launcher] // launcher per runtime name
	boot   onceMap[string]    // extracted bootstrap path per language

	sweepOnce sync.Once // removes work dirs that killed tenkai processes left

	logOnce   sync.Once
	logMu     sync.RWMutex  // guards logClosed and sends on logCh
	logClosed bool          // set by Close
	logCh     chan logBatch // nil until the first batch; closed by Close
	logDone   chan struct{}

	starting func() // tests: runs after an environment's process starts, before it is registered
}

type fnKey struct{ account, region, name string }

// function is the per-function pool: all versions of a function share its concurrency.
type function struct {
	inflight int
	envs     map[*env]struct{} // every live environment of the function
	idle     []*env            // idle environments, most recently used last
}

// New returns a Manager. It does no I/O: directories and processes are made on first use.
func New(cfg Config) *Manager {
	m := &Manager{
		cfg:       cfg,
		clk:       cfg.Clock,
		log:       cfg.Logger,
		workDir:   cfg.WorkDir,
		idle:      cfg.IdleTimeout,
		acctLimit: cfg.AccountConcurrency,
		fns:       map[fnKey]*function{},
		acct:      map[string]int{},
		live:      map[*env]struct{}{},
	}
	if m.clk == nil {
		m.clk = clock.Real{}
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.workDir == "" {
		m.workDir = filepath.Join(os.TempDir(), fmt.Sprintf("tenkai-lambda-%d", os.Getpid()))
		m.ownDir = true
	}
	if m.idle <= 0 {
		m.idle = defaultIdleTimeout
	}
	if m.acctLimit <= 0 {
		m.acctLimit = defaultAccountConc
	}
	return m
}

// Invoke runs req on a warm environment for spec (starting one if none is idle). Errors
// returned (not function errors): ErrTooManyRequests (concurrency exhausted, →
// TooManyRequestsException), ErrRuntimeUnavailable (no interpreter; message names what
// to install), ErrClosed, context errors. Invoke does not queue: a call beyond the limits
// fails at once. The caller owns the returned Result.
func (m *Manager) Invoke(ctx context.Context, spec *Spec, req *Request) (*Result, error) {
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	if req == nil {
		req = &Request{}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	inv := newInvocation(spec, req)
	fn, e, resets, err := m.admit(spec)
	if err != nil {
		return nil, err
	}
	defer m.release(fn, spec.Account)

	for attempt := 0; ; attempt++ {
		cold := e == nil
		if cold {
			var res *Result
			e, res, err = m.startEnv(ctx, spec, fn, inv, resets)
			if err != nil || res != nil {
				return res, err
			}
		}
		res, retry, err := e.invoke(ctx, inv, cold)
		m.putBack(fn, e)
		if retry && attempt == 0 {
			// The warm environment died before its runtime took the request (a runtime
			// that exits after reporting an error): the function never saw it, so run it
			// on a fresh environment as Lambda would.
			e = nil
			continue
		}
		return res, err
	}
}

// admit reserves a concurrency slot and pops an idle environment for spec.Key (nil when
// there is none). It also returns the count of resets so far, for startEnv.
func (m *Manager) admit(spec *Spec) (*function, *env, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, nil, 0, ErrClosed
	}
	k := fnKey{spec.Account, spec.Region, spec.FunctionName}
	fn := m.fns[k]
	if fn == nil {
		fn = &function{envs: map[*env]struct{}{}}
		m.fns[k] = fn
	}
	if spec.Concurrency > 0 && fn.inflight >= spec.Concurrency {
		return nil, nil, 0, &ThrottleError{Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}
	}
	if m.acct[spec.Account] >= m.acctLimit {
		return nil, nil, 0, &ThrottleError{Reason: "ConcurrentInvocationLimitExceeded"}
	}
	fn.inflight++
	m.acct[spec.Account]++
	m.calls.Add(1)
	for i := len(fn.idle) - 1; i >= 0; i-- {
		e := fn.idle[i]
		if e.key != spec.Key {
			continue
		}
		fn.idle = append(fn.idle[:i], fn.idle[i+1:]...)
		if e.isDead() {
			m.dropLocked(fn, e)
			go e.stop(stopCrashed)
			continue
		}
		e.busy = true
		return fn, e, m.resets, nil
	}
	return fn, nil, m.resets, nil
}

func (m *Manager) release(fn *function, account string) {
	m.mu.Lock()
	fn.inflight--
	if m.acct[account]--; m.acct[account] <= 0 {
		delete(m.acct, account)
	}
	m.mu.Unlock()
	m.calls.Done()
}

// putBack returns e to the idle pool after an invocation, or drops it when it died,
// was retired or the Manager is closing.
func (m *Manager) putBack(fn *function, e *env) {
	m.mu.Lock()
	e.busy = false
	if m.closed || e.retired || e.isDead() || e.stopping() {
		m.dropLocked(fn, e)
		m.mu.Unlock()
		e.stop(stopRetired)
		return
	}
	e.lastUsed = m.clk.Now()
	fn.idle = append(fn.idle, e)
	arm := !e.reapArmed
	e.reapArmed = true
	m.mu.Unlock()
	if arm {
		m.clk.AfterFunc(m.idle, func() { m.reap(fn, e) })
	}
}

// reap stops e when it has been idle for IdleTimeout; otherwise it re-arms its timer.
func (m *Manager) reap(fn *function, e *env) {
	m.mu.Lock()
	idx := -1
	for i, x := range fn.idle {
		if x == e {
			idx = i
			break
		}
	}
	if idx < 0 { // busy or gone: putBack re-arms when it is idle again
		e.reapArmed = false
		m.mu.Unlock()
		return
	}
	left := m.idle - m.clk.Since(e.lastUsed)
	if left > 0 {
		m.mu.Unlock()
		m.clk.AfterFunc(left, func() { m.reap(fn, e) })
		return
	}
	fn.idle = append(fn.idle[:idx], fn.idle[idx+1:]...)
	m.dropLocked(fn, e)
	m.mu.Unlock()
	e.stop(stopReaped)
}

// dropLocked forgets e; the caller stops it.
func (m *Manager) dropLocked(fn *function, e *env) {
	delete(fn.envs, e)
	delete(m.live, e)
	for i, x := range fn.idle {
		if x == e {
			fn.idle = append(fn.idle[:i], fn.idle[i+1:]...)
			break
		}
	}
}

// Retire stops (after in-flight invocations finish) every environment of a function whose
// Key != keep; keep "" retires all (function deleted).
func (m *Manager) Retire(account, region, functionName, keep string) {
	m.mu.Lock()
	fn := m.fns[fnKey{account, region, functionName}]
	if fn == nil {
		m.mu.Unlock()
		return
	}
	var stop []*env
	for e := range fn.envs {
		if keep != "" && e.key == keep {
			continue
		}
		e.retired = true
		if !e.busy {
			stop = append(stop, e)
		}
	}
	for _, e := range stop {
		m.dropLocked(fn, e)
	}
	if keep == "" && fn.inflight == 0 && len(fn.envs) == 0 {
		delete(m.fns, fnKey{account, region, functionName})
	}
	m.mu.Unlock()
	stopAll(stop, stopRetired)
}

// Close stops every environment, waits for in-flight invocations to return (they fail
// with ErrClosed) and flushes the logs. The Manager cannot be used afterwards.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	if err := m.stopEverything(ctx); err != nil {
		return err
	}
	if err := m.closeLogs(ctx); err != nil {
		return fmt.Errorf("close lambda runtime: flush logs: %w", err)
	}
	if m.ownDir {
		_ = os.RemoveAll(m.workDir)
	}
	return nil
}

// Reset stops every environment; in-flight invocations fail with ErrClosed. The Manager
// stays usable.
func (m *Manager) Reset(ctx context.Context) error {
	return m.stopEverything(ctx)
}

func (m *Manager) stopEverything(ctx context.Context) error {
	m.mu.Lock()
	m.resets++
	all := make([]*env, 0, len(m.live))
	for e := range m.live {
		all = append(all, e)
		e.retired = true
	}
	for k, fn := range m.fns {
		fn.idle = nil
		fn.envs = map[*env]struct{}{}
		if fn.inflight == 0 {
			delete(m.fns, k)
		}
	}
	m.live = map[*env]struct{}{}
	closed := m.closed
	m.mu.Unlock()
	stopAll(all, stopClosed)
	if !closed {
		return nil
	}
	done := make(chan struct{})
	go func() { m.calls.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close lambda runtime: %w", ctx.Err())
	}
}

func stopAll(envs []*env, why stopReason) {
	var wg sync.WaitGroup
	for _, e := range envs {
		wg.Add(1)
		go func() { defer wg.Done(); e.stop(why) }()
	}
	wg.Wait()
}

func checkSpec(s *Spec) error {
	switch {
	case s == nil:
		return errors.New("runtime: nil spec")
	case s.FunctionName == "":
		return errors.New("runtime: spec without function name")
	case s.CodeDir == "":
		return errors.New("runtime: spec without code directory")
	case s.Runtime == "":
		return errors.New("runtime: spec without runtime")
	}
	return nil
}

// invocation is one request as the Runtime API hands it to the function.
type invocation struct {
	id            string
	payload       []byte
	arn           string
	trace         string
	clientContext string // decoded JSON
	cognito       string
	wantTail      bool
	timeout       time.Duration
	memoryMB      int
	deadlineMs    string      // set when the invocation is handed over
	taken         atomic.Bool // the runtime took it from /next
}

func newInvocation(spec *Spec, req *Request) *invocation {
	inv := &invocation{
		id:       req.RequestID,
		payload:  req.Payload,
		arn:      req.InvokedARN,
		trace:    req.TraceID,
		cognito:  req.CognitoIdentity,
		wantTail: req.WantLogTail,
		timeout:  spec.Timeout,
		memoryMB: spec.MemoryMB,
	}
	if inv.id == "" {
		inv.id = newUUID()
	}
	if len(inv.payload) == 0 {
		inv.payload = []byte("{}")
	}
	if inv.arn == "" {
		inv.arn = spec.FunctionARN
	}
	if inv.trace == "" {
		inv.trace = newTraceID(time.Now())
	}
	if req.ClientContext != "" {
		// The Runtime API carries the client context as JSON; Invoke carries it as base64.
		if b, err := base64.StdEncoding.DecodeString(req.ClientContext); err == nil {
			inv.clientContext = string(b)
		} else {
			inv.clientContext = req.ClientContext
		}
	}
	if inv.timeout <= 0 {
		inv.timeout = defaultTimeout
	}
	if inv.memoryMB <= 0 {
		inv.memoryMB = defaultMemoryMB
	}
	return inv
}
