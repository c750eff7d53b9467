package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"tenkai/internal/clock"
)

const (
	isoMillis   = "2006-01-02T15:04:05.000Z"
	maxLine     = 256 << 10 // CloudWatch Logs' event size limit
	maxHeld     = 8 << 20   // bytes of lines held between invocations before old ones are dropped
	logTailSize = 4 << 10   // X-Amz-Log-Result carries the last 4 KB
)

// logStreamName is Lambda's stream name: "2024/01/15/[$LATEST]<32 hex>".
func logStreamName(now time.Time, version string) string {
	if version == "" {
		version = "$LATEST"
	}
	return now.UTC().Format("2006/01/02") + "/[" + version + "]" + randHex(16)
}

// lineReader splits the process's output pipe into log lines. Reads are non-blocking and
// done under mu, both by the background loop and by sync, so that a caller can collect
// every byte the process wrote before it called the Runtime API.
type lineReader struct {
	f    *os.File
	rc   syscall.RawConn
	clk  clock.Clock
	done chan struct{} // closed at EOF

	mu      sync.Mutex // guards everything below
	buf     []byte
	partial []byte
	lines   []LogEvent
	held    int
	eof     bool
}

func newLineReader(f *os.File, clk clock.Clock) *lineReader {
	rc, _ := f.SyscallConn()
	return &lineReader{f: f, rc: rc, clk: clk, done: make(chan struct{}), buf: make([]byte, 64<<10)}
}

func (r *lineReader) run() {
	defer close(r.done)
	for {
		eof := false
		err := r.rc.Read(func(fd uintptr) bool {
			r.mu.Lock()
			eof = r.readLocked(int(fd))
			r.mu.Unlock()
			return eof
		})
		if eof || err != nil {
			break
		}
	}
	r.mu.Lock()
	r.eof = true
	r.flushPartialLocked()
	r.mu.Unlock()
	_ = r.f.Close()
}

// readLocked reads what the pipe holds now; it reports EOF or a hard error.
func (r *lineReader) readLocked(fd int) bool {
	for {
		n, err := syscall.Read(fd, r.buf)
		if n > 0 {
			r.splitLocked(r.buf[:n])
			continue
		}
		if err == syscall.EINTR {
			continue
		}
		return err != syscall.EAGAIN
	}
}

func (r *lineReader) splitLocked(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			r.partial = append(r.partial, b...)
			if len(r.partial) >= maxLine {
				r.flushPartialLocked()
			}
			return
		}
		if len(r.partial) > 0 {
			r.partial = append(r.partial, b[:i]...)
			r.addLocked(r.partial)
			r.partial = r.partial[:0]
		} else {
			r.addLocked(b[:i])
		}
		b = b[i+1:]
	}
}

func (r *lineReader) flushPartialLocked() {
	if len(r.partial) > 0 {
		r.addLocked(r.partial)
		r.partial = r.partial[:0]
	}
}

// addLocked stores one line. A lone CR inside a line is how the runtimes keep a multi-line
// message (a stack trace) in one event; it becomes a newline, as CloudWatch shows it.
func (r *lineReader) addLocked(line []byte) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	msg := string(line)
	if bytes.IndexByte(line, '\r') >= 0 {
		msg = string(bytes.ReplaceAll(line, []byte{'\r'}, []byte{'\n'}))
	}
	r.lines = append(r.lines, LogEvent{Time: r.clk.Now(), Message: msg})
	r.held += len(msg)
	for r.held > maxHeld && len(r.lines) > 1 {
		r.held -= len(r.lines[0].Message)
		r.lines = r.lines[1:]
	}
}

// add stores a line of our own (warnings, timeout and exit notices).
func (r *lineReader) add(msg string) {
	r.mu.Lock()
	r.lines = append(r.lines, LogEvent{Time: r.clk.Now(), Message: msg})
	r.held += len(msg)
	r.mu.Unlock()
}

// sync collects what the process has written so far; with partial, an unterminated last
// line is taken too.
func (r *lineReader) sync(partial bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.eof {
		_ = r.rc.Control(func(fd uintptr) { r.readLocked(int(fd)) })
	}
	if partial {
		r.flushPartialLocked()
	}
}

// finish waits up to d for EOF (after the process died), then collects everything.
func (r *lineReader) finish(d time.Duration) {
	select {
	case <-r.done:
	case <-time.After(d):
		_ = r.f.Close() // a stray grandchild holds the pipe: give up on it
		<-r.done
	}
	r.sync(true)
}

// take returns and forgets the lines collected so far.
func (r *lineReader) take() []LogEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lines) == 0 {
		return nil
	}
	l := r.lines
	r.lines, r.held = nil, 0
	return l
}

type logBatch struct {
	account, region, group, stream string
	events                         []LogEvent
	done                           chan struct{} // closed once written, when the sender waits
}

func logGroup(s *Spec) string {
	if s.LogGroup != "" {
		return s.LogGroup
	}
	return "/aws/lambda/" + s.FunctionName
}

// sendLogs queues lines for the sink; a single goroutine writes them in order.
func (m *Manager) sendLogs(e *env, events []LogEvent) {
	m.sendBatch(logBatch{e.spec.Account, e.spec.Region, logGroup(e.spec), e.stream, events, nil})
}

// sendLogsWait queues an invocation's last lines and waits until they are
// written, so that when Invoke returns its log is readable, as a client
// tailing the log group right after the call expects.
func (m *Manager) sendLogsWait(b logBatch) {
	b.done = make(chan struct{})
	if !m.sendBatch(b) {
		return
	}
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-b.done:
	case <-t.C:
	}
}

// sendBatch queues b and reports whether it was queued.
func (m *Manager) sendBatch(b logBatch) bool {
	if m.cfg.Logs == nil || len(b.events) == 0 {
		return false
	}
	m.logOnce.Do(func() {
		m.logCh = make(chan logBatch, 1024)
		m.logDone = make(chan struct{})
		go m.flushLogs()
	})
	m.logMu.RLock()
	defer m.logMu.RUnlock()
	if m.logCh == nil || m.logClosed {
		return false // Close came first: the lines are dropped
	}
	m.logCh <- b
	return true
}

// closeLogs stops the flusher after it has written everything queued.
func (m *Manager) closeLogs(ctx context.Context) error {
	m.logOnce.Do(func() {})
	m.logMu.Lock()
	if m.logClosed || m.logCh == nil {
		m.logClosed = true
		m.logMu.Unlock()
		return nil
	}
	m.logClosed = true
	close(m.logCh)
	m.logMu.Unlock()
	select {
	case <-m.logDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *Manager) flushLogs() {
	defer close(m.logDone)
	warned := false
	for b := range m.logCh {
		err := m.cfg.Logs.Append(context.Background(), b.account, b.region, b.group, b.stream, b.events)
		if b.done != nil {
			close(b.done)
		}
		if err != nil && !warned {
			warned = true
			m.log.Warn("lambda logs dropped", "group", b.group, "err", err)
		}
	}
}

// logFlushEvery is how often the lines of a running invocation are sent.
const logFlushEvery = time.Second

// invLog tracks what a long invocation already sent.
type invLog struct {
	startSent bool
	sent      []LogEvent // kept for the log tail
}

// flushLive sends pre, START (once) and the lines collected so far.
func (m *Manager) flushLive(e *env, inv *invocation, il *invLog, pre []LogEvent, start time.Time) {
	lines := e.logs.take()
	if il.startSent && len(lines) == 0 {
		return
	}
	events := make([]LogEvent, 0, len(pre)+len(lines)+1)
	events = append(events, pre...)
	if !il.startSent {
		events = append(events, startEvent(e.spec, inv, start))
		il.startSent = true
	}
	events = append(events, lines...)
	if inv.wantTail {
		il.sent = append(il.sent, events...)
	}
	m.sendLogs(e, events)
}

func startEvent(s *Spec, inv *invocation, at time.Time) LogEvent {
	return LogEvent{Time: at, Message: "START RequestId: " + inv.id + " Version: " + version(s)}
}

// writeInvocationLogs frames lines (after pre) with START/END/REPORT as Lambda does,
// fills res.LogTail when asked, and queues the batch. status is "", "error" or
// "timeout". il (may be nil) says what a long invocation already sent.
func (m *Manager) writeInvocationLogs(e *env, inv *invocation, res *Result, il *invLog, pre, lines []LogEvent, status, errType string, start time.Time) {
	if m.cfg.Logs == nil && !inv.wantTail {
		return
	}
	if il == nil {
		il = &invLog{}
	}
	now := m.clk.Now()
	mem := e.maxMemoryMB()
	events := make([]LogEvent, 0, len(pre)+len(lines)+3)
	events = append(events, pre...) // init output and lines written between invocations
	if !il.startSent {
		events = append(events, startEvent(e.spec, inv, start))
	}
	events = append(events, lines...)
	events = append(events,
		LogEvent{Time: now, Message: "END RequestId: " + inv.id},
		LogEvent{Time: now, Message: reportLine(inv.id, res.Duration, res.InitDuration, inv.memoryMB, mem, status, errType)})
	if inv.wantTail {
		res.LogTail = logTail(append(il.sent, events...))
	}
	m.sendLogsWait(logBatch{e.spec.Account, e.spec.Region, logGroup(e.spec), e.stream, events, nil})
}

// platformFailure is the Result (and log) of an environment that could not start.
func (m *Manager) platformFailure(spec *Spec, stream string, inv *invocation, errType, msg string, initDur time.Duration) *Result {
	full := "RequestId: " + inv.id + " Error: " + msg
	res := &Result{Payload: errorDoc(errType, full), FunctionError: "Unhandled", Cold: true, InitDuration: initDur}
	if m.cfg.Logs == nil && !inv.wantTail {
		return res
	}
	now := m.clk.Now()
	events := []LogEvent{
		startEvent(spec, inv, now),
		{Time: now, Message: full + "\n" + errType},
		{Time: now, Message: "END RequestId: " + inv.id},
		{Time: now, Message: reportLine(inv.id, 0, 0, inv.memoryMB, 0, "error", errType)},
	}
	if inv.wantTail {
		res.LogTail = logTail(events)
	}
	m.sendLogsWait(logBatch{spec.Account, spec.Region, logGroup(spec), stream, events, nil})
	return res
}

func version(s *Spec) string {
	if s.Version == "" {
		return "$LATEST"
	}
	return s.Version
}

// reportLine formats Lambda's REPORT line:
//
//	REPORT RequestId: id\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t
//
// with "Init Duration: 45.67 ms\t" on a cold start, and "Status: timeout" or
// "Status: error\tError Type: X" when the platform ended the invocation. The billed
// duration includes the init phase, as Lambda bills it.
func reportLine(id string, dur, initDur time.Duration, memMB, usedMB int, status, errType string) string {
	b := make([]byte, 0, 200)
	b = append(b, "REPORT RequestId: "...)
	b = append(b, id...)
	b = append(b, "\tDuration: "...)
	b = strconv.AppendFloat(b, ms(dur), 'f', 2, 64)
	b = append(b, " ms\tBilled Duration: "...)
	billed := int64(math.Ceil(ms(dur + initDur)))
	if billed < 1 {
		billed = 1
	}
	b = strconv.AppendInt(b, billed, 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(memMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	b = strconv.AppendInt(b, int64(usedMB), 10)
	b = append(b, " MB\t"...)
	if initDur > 0 {
		b = append(b, "Init Duration: "...)
		b = strconv.AppendFloat(b, ms(initDur), 'f', 2, 64)
		b = append(b, " ms\t"...)
	}
	switch status {
	case "timeout":
		b = append(b, "Status: timeout"...)
	case "error":
		b = append(b, "Status: error"...)
		if errType != "" {
			b = append(b, "\tError Type: "...)
			b = append(b, errType...)
		}
	}
	return string(b)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// logTail is the last 4 KB of the invocation's lines, one per line.
func logTail(events []LogEvent) []byte {
	n := 0
	for _, ev := range events {
		n += len(ev.Message) + 1
	}
	b := make([]byte, 0, n)
	for _, ev := range events {
		b = append(b, ev.Message...)
		b = append(b, '\n')
	}
	if len(b) > logTailSize {
		b = b[len(b)-logTailSize:]
	}
	return b
}

// errorDoc is the error document Lambda itself produces: {"errorType":..,"errorMessage":..}.
func errorDoc(errType, msg string) []byte {
	return []byte(`{"errorType":` + quote(errType) + `,"errorMessage":` + quote(msg) + `}`)
}

// quote is a JSON string without Go's HTML escaping.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}
