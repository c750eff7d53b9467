package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// workload is one row of the table. Either custom measures the peer itself
// (start-up time, memory), or setup + op run as a closed loop of concurrent
// clients for the duration.
type workload struct {
	group, name string
	unit        string // "ops/s", "ms", "MiB"
	lowerBetter bool
	custom      func(ctx context.Context, o options, p peer) result
	setup       func(ctx context.Context, s *server) (any, error)
	// op performs and verifies one call; worker and i make keys unique.
	op          func(ctx context.Context, s *server, state any, worker, i int) error
	concurrency int // 0 means options.concurrency
	// verify checks effects after the run (deliveries, counts); okCalls is the
	// number of calls that succeeded (warm-up calls excluded).
	verify func(ctx context.Context, s *server, state any, okCalls int) error
	warmup int // warm-up calls; 0 means 3, -1 none
}

type result struct {
	err        string // the workload could not run on this peer
	value      float64
	ops        int
	errors     int
	firstEr    string
	unverified string        // why the effects of the calls could not be confirmed
	cpuPerCall time.Duration // the server process's CPU time per successful call
	clientCPU  time.Duration // the bench process's (the clients') CPU time per call
	p50        time.Duration
	p99        time.Duration
}

func (r result) short() string {
	if r.err != "" {
		return "unavailable: " + r.err
	}
	if r.ops == 0 {
		return fmt.Sprintf("%.2f", r.value)
	}
	s := fmt.Sprintf("%.0f ops/s p50 %s p99 %s server CPU %s/call client CPU %s/call (%d ok, %d errors)", r.value, fmtDur(r.p50), fmtDur(r.p99), fmtDur(r.cpuPerCall), fmtDur(r.clientCPU), r.ops-r.errors, r.errors)
	if r.firstEr != "" {
		s += " first error: " + r.firstEr
	}
	if r.unverified != "" {
		s += " NOT VERIFIED: " + r.unverified
	}
	return s
}

func runWorkload(ctx context.Context, o options, p peer, w workload) result {
	if p.missing != "" {
		return result{err: p.missing}
	}
	if w.custom != nil {
		return w.custom(ctx, o, p)
	}
	s, err := p.start(ctx)
	if err != nil {
		return result{err: err.Error()}
	}
	defer s.stop()
	state, err := w.setup(ctx, s)
	if err != nil {
		return result{err: "setup: " + oneLine(err.Error())}
	}
	conc := w.concurrency
	if conc == 0 {
		conc = o.concurrency
	}
	// A short warm-up so one-time costs (first connection, lazy init) are not measured.
	warm := w.warmup
	if warm == 0 {
		warm = 3
	}
	for i := 0; i < warm; i++ {
		_ = w.op(ctx, s, state, conc, -1-i)
	}
	var (
		mu      sync.Mutex
		lats    []time.Duration
		errs    int
		firstEr string
		count   atomic.Int64
	)
	cpu0, self0 := s.cpuTime(), selfCPU()
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for wk := 0; wk < conc; wk++ {
		wg.Add(1)
		go func(wk int) {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			var lerrs int
			var lfirst string
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				if count.Add(1) > int64(o.maxOps) {
					break
				}
				t0 := time.Now()
				err := w.op(ctx, s, state, wk, i)
				local = append(local, time.Since(t0))
				if err != nil {
					lerrs++
					if lfirst == "" {
						lfirst = oneLine(err.Error())
					}
				}
			}
			mu.Lock()
			lats = append(lats, local...)
			errs += lerrs
			if firstEr == "" {
				firstEr = lfirst
			}
			mu.Unlock()
		}(wk)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu, self := s.cpuTime()-cpu0, selfCPU()-self0
	r := result{ops: len(lats), errors: errs, firstEr: firstEr}
	if len(lats) > 0 {
		r.clientCPU = self / time.Duration(len(lats))
	}
	if ok := len(lats) - errs; ok > 0 && cpu > 0 {
		r.cpuPerCall = cpu / time.Duration(ok)
	}
	if len(lats) == 0 {
		r.err = "no calls completed"
		return r
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	r.p50 = lats[len(lats)/2]
	r.p99 = lats[int(math.Min(float64(len(lats)-1), float64(len(lats))*0.99))]
	r.value = float64(len(lats)-errs) / elapsed.Seconds()
	if errs == len(lats) {
		r.err = "every call failed: " + firstEr
		return r
	}
	if w.verify != nil {
		if err := w.verify(ctx, s, state, len(lats)-errs); err != nil {
			r.unverified = oneLine(err.Error())
		}
	}
	return r
}

type row struct {
	workload string
	unit     string
	results  []result
	lower    bool
}

func printTable(out io.Writer, peers []peer, rows []row, markdown bool) {
	header := []string{"workload"}
	for _, p := range peers {
		header = append(header, p.name)
	}
	header = append(header, "tenkai vs "+peers[len(peers)-1].name)
	var lines [][]string
	for _, r := range rows {
		line := []string{r.workload}
		for _, res := range r.results {
			line = append(line, cell(r, res))
		}
		line = append(line, ratio(r))
		lines = append(lines, line)
	}
	if markdown {
		fmt.Fprintln(out, "| "+strings.Join(header, " | ")+" |")
		fmt.Fprintln(out, "|"+strings.Repeat(" --- |", len(header)))
		for _, l := range lines {
			fmt.Fprintln(out, "| "+strings.Join(l, " | ")+" |")
		}
		return
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len(h)
	}
	for _, l := range lines {
		for i, c := range l {
			if len(c) > widths[i] {
				widths[i] = len(c)
			}
		}
	}
	pr := func(l []string) {
		for i, c := range l {
			fmt.Fprintf(out, "%-*s  ", widths[i], c)
		}
		fmt.Fprintln(out)
	}
	pr(header)
	for _, l := range lines {
		pr(l)
	}
}

func cell(r row, res result) string {
	if res.err != "" {
		return "n/a (" + truncate(res.err, 60) + ")"
	}
	switch r.unit {
	case "ops/s":
		s := fmt.Sprintf("%.0f/s p50 %s p99 %s, CPU/call server %s client %s", res.value, fmtDur(res.p50), fmtDur(res.p99), fmtDur(res.cpuPerCall), fmtDur(res.clientCPU))
		if res.errors > 0 {
			s += fmt.Sprintf(" [%d errors]", res.errors)
		}
		if res.unverified != "" {
			s += " (effects not verified: " + truncate(res.unverified, 50) + ")"
		}
		return s
	default:
		return fmt.Sprintf("%.1f %s", res.value, r.unit)
	}
}

// ratio compares tenkai (first column) with the last peer.
func ratio(r row) string {
	a, b := r.results[0], r.results[len(r.results)-1]
	if a.err != "" || b.err != "" || a.value == 0 || b.value == 0 {
		return "-"
	}
	if a.unverified != "" {
		return "- (tenkai unverified)"
	}
	if r.lower && r.unit == "ms" {
		return fmt.Sprintf("%.1fx faster", b.value/a.value)
	}
	if r.lower {
		return fmt.Sprintf("%.1fx less", b.value/a.value)
	}
	out := fmt.Sprintf("%.1fx", a.value/b.value)
	if a.cpuPerCall > 0 && b.cpuPerCall > 0 {
		out += fmt.Sprintf(" (server CPU per call %.0fx less)", float64(b.cpuPerCall)/float64(a.cpuPerCall))
	}
	return out
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d.Microseconds()))
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return truncate(s, 160)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
