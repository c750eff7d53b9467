package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// stopReason says why an environment was stopped; it decides what an invocation still
// running on it returns.
type stopReason int32

const (
	stopNone    stopReason = iota
	stopCrashed            // the process died or timed out
	stopReaped             // idle too long
	stopRetired            // Retire, or dropped after use
	stopClosed             // Close or Reset
)

// env is one execution environment: a process, its Runtime API listener and its log pipe.
type env struct {
	m       *Manager
	key     string
	spec    *Spec
	stream  string // log stream name
	dir     string // per-environment scratch dir (TMPDIR inside), removed on stop
	cmd     *exec.Cmd
	pid     atomic.Int32 // set right after start; the Runtime API may read it
	srv     *http.Server
	logs    *lineReader
	started time.Time // process start (wall, monotonic)

	reqCh   chan *invocation // Invoke → GET /next; buffered 1 (one invocation at a time)
	resCh   chan outcome     // response/error/init error → Invoke; buffered 1
	initCh  chan struct{}    // closed at the first GET /next
	initEnd atomic.Int64     // unixnano of the first GET /next
	inited  atomic.Bool
	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // the process's exit; read only after exited is closed
	done    chan struct{} // closed by stop
	why     atomic.Int32  // stopReason
	cur     atomic.Pointer[invocation]
	timer   *time.Timer // reused per invocation for the timeout
	flush   *time.Timer // reused per invocation to send the lines of a long one
	stopOne sync.Once
	memBuf  []byte       // reused to read /proc/PID/status; used by one goroutine at a time
	initMem atomic.Int32 // memory read when the runtime reported an init error

	// guarded by Manager.mu
	busy      bool
	retired   bool
	reapArmed bool
	lastUsed  time.Time
}

type outcomeKind int

const (
	outResponse outcomeKind = iota
	outError
	outInitError
	outTooLarge
)

type outcome struct {
	kind    outcomeKind
	body    []byte
	errType string
}

// isDead reports whether e can no longer run invocations: its process exited, or it was
// killed or stopped.
func (e *env) isDead() bool {
	if e.why.Load() != int32(stopNone) {
		return true
	}
	select {
	case <-e.exited:
		return true
	default:
		return false
	}
}

func (e *env) stopping() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// startEnv starts an environment for spec and waits for its runtime to finish init. A
// failed init gives a Result (a function error), not an error.
func (m *Manager) startEnv(ctx context.Context, spec *Spec, fn *function, inv *invocation, resets uint64) (*env, *Result, error) {
	l, err := m.launcherFor(spec.Runtime)
	if err != nil {
		return nil, nil, err
	}
	opt, err := m.optDir(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("prepare layers for %s: %w", spec.FunctionName, err)
	}
	argv, warn, err := m.command(spec, l, opt)
	if err != nil {
		return nil, nil, err
	}
	e := &env{
		m:      m,
		key:    spec.Key,
		spec:   spec,
		stream: logStreamName(m.clk.Now(), spec.Version),
		dir:    filepath.Join(m.workDir, "env", randHex(8)),
		reqCh:  make(chan *invocation, 1),
		resCh:  make(chan outcome, 1),
		initCh: make(chan struct{}),
		exited: make(chan struct{}),
		done:   make(chan struct{}),
		timer:  time.NewTimer(time.Hour),
		flush:  time.NewTimer(time.Hour),
	}
	e.timer.Stop()
	e.flush.Stop()
	if argv == nil { // provided.* without a bootstrap
		msg := fmt.Sprintf("Couldn't find valid bootstrap(s): [%s %s]",
			filepath.Join(spec.CodeDir, "bootstrap"), filepath.Join(opt, "bootstrap"))
		return nil, m.platformFailure(spec, e.stream, inv, "Runtime.InvalidEntrypoint", msg, 0), nil
	}
	tmp := filepath.Join(e.dir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, nil, fmt.Errorf("create environment dir: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = os.RemoveAll(e.dir)
		return nil, nil, fmt.Errorf("listen for runtime api: %w", err)
	}
	e.srv = &http.Server{Handler: e, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = e.srv.Serve(ln) }()

	rd, wr, err := os.Pipe()
	if err != nil {
		_ = e.srv.Close()
		_ = os.RemoveAll(e.dir)
		return nil, nil, fmt.Errorf("create log pipe: %w", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = spec.CodeDir
	cmd.Env = m.environ(spec, l, opt, tmp, ln.Addr().String(), e.stream)
	cmd.Stdout, cmd.Stderr = wr, wr // one pipe keeps stdout and stderr in order
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	e.logs = newLineReader(rd, m.clk)
	// INIT_START opens the stream in the log group but, as in Lambda, is not
	// part of an invocation's log tail.
	m.sendLogs(e, []LogEvent{{Time: m.clk.Now(), Message: initStartLine(spec)}})
	if warn != "" {
		e.logs.add(warn)
	}
	e.started = time.Now()
	err = cmd.Start()
	_ = wr.Close()
	if err != nil {
		_ = rd.Close()
		_ = e.srv.Close()
		_ = os.RemoveAll(e.dir)
		// A bootstrap that cannot be executed is the function's fault, as in Lambda.
		return nil, m.platformFailure(spec, e.stream, inv, "Runtime.InvalidEntrypoint", err.Error(), 0), nil
	}
	e.cmd = cmd
	e.pid.Store(int32(cmd.Process.Pid))
	go e.logs.run()
	go func() {
		e.waitErr = cmd.Wait()
		close(e.exited)
	}()

	if m.starting != nil {
		m.starting()
	}
	m.mu.Lock()
	// A Reset (or Close) since admission did not see this environment, which
	// was not registered yet: stop it here, as it would have.
	closed := m.closed || m.resets != resets
	if !closed {
		fn.envs[e] = struct{}{}
		m.live[e] = struct{}{}
		e.busy = true
	}
	m.mu.Unlock()
	if closed {
		e.stop(stopClosed)
		return nil, nil, ErrClosed
	}

	// Init: wait for the runtime's first GET /next.
	t := time.NewTimer(initLimit + inv.timeout)
	defer t.Stop()
	var (
		status  = ""
		errType = ""
		payload []byte
	)
	select {
	case <-e.initCh:
		return e, nil, nil
	case out := <-e.resCh:
		status, errType, payload = "error", out.errType, out.body
	case <-e.exited:
		select {
		case out := <-e.resCh:
			status, errType, payload = "error", out.errType, out.body
		default:
			status, errType = "error", "Runtime.ExitError"
			payload = errorDoc(errType, "RequestId: "+inv.id+" Error: "+exitText(e.waitErr))
			e.logs.add("RequestId: " + inv.id + " Error: " + exitText(e.waitErr) + "\n" + errType)
		}
	case <-t.C:
		status, errType = "timeout", "Sandbox.Timedout"
		payload = timeoutDoc(inv.id, inv.timeout)
		e.logs.add(m.clk.Now().UTC().Format(isoMillis) + " " + inv.id + " " + timeoutText(inv.timeout))
	case <-ctx.Done():
		m.forget(fn, e)
		e.stop(stopCrashed)
		return nil, nil, ctx.Err()
	case <-e.done:
		m.forget(fn, e)
		return nil, nil, ErrClosed
	}
	if e.why.Load() == int32(stopClosed) { // Close or Reset killed it during init
		m.forget(fn, e)
		return nil, nil, ErrClosed
	}
	// Init failed: the environment is discarded and the next invoke starts a new one.
	if errType == "" {
		errType = "Runtime.Unknown"
	}
	if len(payload) == 0 {
		payload = errorDoc(errType, "")
	}
	initDur := time.Since(e.started)
	m.forget(fn, e)
	e.kill()
	e.logs.finish(50 * time.Millisecond)
	res := &Result{Payload: payload, FunctionError: "Unhandled", Cold: true, InitDuration: initDur}
	m.writeInvocationLogs(e, inv, res, nil, e.logs.take(), nil, status, errType, m.clk.Now())
	e.stop(stopCrashed)
	return nil, res, nil
}

// forget drops a never-used environment from the pools.
func (m *Manager) forget(fn *function, e *env) {
	m.mu.Lock()
	m.dropLocked(fn, e)
	m.mu.Unlock()
}

// invoke runs inv on e. retry reports that e died before its runtime took the request.
func (e *env) invoke(ctx context.Context, inv *invocation, cold bool) (res *Result, retry bool, err error) {
	m := e.m
	res = &Result{Cold: cold}
	if cold {
		res.InitDuration = time.Duration(e.initEnd.Load() - e.started.UnixNano())
	}
	var pre []LogEvent
	if cold {
		e.logs.sync(false)
	}
	pre = e.logs.take()
	startAt := m.clk.Now()

	begin := time.Now()
	inv.deadlineMs = strconv.FormatInt(begin.Add(inv.timeout).UnixMilli(), 10)
	e.cur.Store(inv)
	e.reqCh <- inv
	e.timer.Reset(inv.timeout)

	var (
		out             outcome
		got             bool
		status, errType string
		il              invLog
		flushC          <-chan time.Time
	)
	if m.cfg.Logs != nil {
		// Lines of a long invocation reach the log while it runs, as in Lambda.
		e.flush.Reset(logFlushEvery)
		flushC = e.flush.C
	}
wait:
	for {
		select {
		case out = <-e.resCh:
			got = true
		case <-e.exited:
			select {
			case out = <-e.resCh:
				got = true
			default:
			}
		case <-e.timer.C:
		case <-ctx.Done():
		case <-e.done:
		case <-flushC:
			e.logs.sync(false)
			m.flushLive(e, inv, &il, pre, startAt)
			pre = nil
			e.flush.Reset(logFlushEvery)
			continue wait
		}
		break
	}
	e.flush.Stop()
	e.timer.Stop()
	res.Duration = time.Since(begin)
	if !got && !e.cur.CompareAndSwap(inv, nil) {
		out, got = <-e.resCh, true // the outcome raced the timer: keep it
	}

	switch {
	case got:
		res.Payload = out.body
		switch out.kind {
		case outError:
			res.FunctionError = "Unhandled"
		case outTooLarge:
			res.FunctionError = "Unhandled"
			res.Payload = errorDoc("Function.ResponseSizeTooLarge",
				fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxPayload))
		}
	case e.why.Load() == int32(stopClosed) || e.stopping():
		e.kill()
		return nil, false, ErrClosed
	case ctx.Err() != nil:
		e.kill()
		e.logs.finish(50 * time.Millisecond)
		m.writeInvocationLogs(e, inv, res, &il, pre, e.logs.take(), "", "", startAt)
		return nil, false, ctx.Err()
	case e.isDead():
		if !inv.taken.Load() {
			e.drain()
			return nil, true, nil
		}
		status, errType = "error", "Runtime.ExitError"
		msg := "RequestId: " + inv.id + " Error: " + exitText(e.waitErr)
		res.FunctionError = "Unhandled"
		res.Payload = errorDoc(errType, msg)
		e.kill()
		e.logs.finish(50 * time.Millisecond)
		e.logs.add(msg + "\n" + errType)
	default: // timeout: Lambda kills the environment
		status, errType = "timeout", ""
		res.Duration = inv.timeout
		res.FunctionError = "Unhandled"
		res.Payload = timeoutDoc(inv.id, inv.timeout)
		e.kill()
		e.logs.finish(50 * time.Millisecond)
		e.logs.add(m.clk.Now().UTC().Format(isoMillis) + " " + inv.id + " " + timeoutText(inv.timeout))
	}
	if status == "" {
		e.logs.sync(true)
	}
	m.writeInvocationLogs(e, inv, res, &il, pre, e.logs.take(), status, errType, startAt)
	return res, false, nil
}

// drain forwards lines a dead environment left behind.
func (e *env) drain() {
	e.logs.finish(50 * time.Millisecond)
	if lines := e.logs.take(); len(lines) > 0 {
		e.m.sendLogs(e, lines)
	}
}

// kill ends the whole process group at once; the environment is unusable afterwards.
func (e *env) kill() {
	e.why.CompareAndSwap(int32(stopNone), int32(stopCrashed))
	if pid := int(e.pid.Load()); pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// stop kills the process group, closes the Runtime API and removes the scratch dir. It
// is idempotent and waits (briefly) for the process to be reaped.
func (e *env) stop(why stopReason) {
	e.stopOne.Do(func() {
		e.why.CompareAndSwap(int32(stopNone), int32(why))
		close(e.done)
		if pid := int(e.pid.Load()); pid > 0 {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			select {
			case <-e.exited:
			case <-time.After(5 * time.Second):
				e.m.log.Warn("lambda environment did not exit", "function", e.spec.FunctionName, "pid", e.pid.Load())
			}
		}
		if e.srv != nil {
			_ = e.srv.Close()
		}
		if e.logs != nil {
			e.drain()
		}
		_ = os.RemoveAll(e.dir)
	})
}

// maxMemoryMB is the process's peak resident set (VmHWM) in MB, as Lambda reports it.
func (e *env) maxMemoryMB() int {
	pid := int(e.pid.Load())
	if pid <= 0 {
		return int(e.initMem.Load())
	}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return int(e.initMem.Load())
	}
	defer f.Close()
	if e.memBuf == nil {
		e.memBuf = make([]byte, 4096)
	}
	n, _ := io.ReadFull(f, e.memBuf)
	if mb := parseVmHWM(e.memBuf[:n]); mb > 0 {
		return mb
	}
	return int(e.initMem.Load())
}

// parseVmHWM reads "VmHWM:\t  1234 kB" from /proc/PID/status and returns MB, rounded up.
func parseVmHWM(b []byte) int {
	const key = "VmHWM:"
	for i := 0; i+len(key) <= len(b); i++ {
		if (i == 0 || b[i-1] == '\n') && string(b[i:i+len(key)]) == key {
			kb := 0
			for j := i + len(key); j < len(b) && b[j] != '\n'; j++ {
				if c := b[j]; c >= '0' && c <= '9' {
					kb = kb*10 + int(c-'0')
				}
			}
			return (kb + 1023) / 1024
		}
	}
	return 0
}

// exitText is the Lambda text for a runtime that exited: "Runtime exited with error:
// exit status 1", "Runtime exited with error: signal: killed", or without a reason.
func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "Runtime exited with error: " + ee.ProcessState.String()
	}
	if err != nil {
		return "Runtime exited with error: " + err.Error()
	}
	return "Runtime exited without providing a reason"
}

func timeoutText(d time.Duration) string {
	return fmt.Sprintf("Task timed out after %.2f seconds", d.Seconds())
}

func timeoutDoc(id string, d time.Duration) []byte {
	return errorDoc("Sandbox.Timedout", "RequestId: "+id+" Error: "+timeoutText(d))
}
