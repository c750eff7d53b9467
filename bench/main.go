// Command bench runs the same workloads against tenkai and moto_server (and
// any other peer it knows and finds on PATH) on free loopback ports and prints
// one table: throughput, p50 and p99 per workload and the ratio between them.
//
// Every measured call's answer is checked, so a fast wrong answer counts as an
// error, not as speed. Ratios, not absolute times, are the comparable figures:
// the machines are shared and noisy.
//
//	go run ./bench                 # all workloads, default durations
//	go run ./bench -only s3,logs   # a subset
//	go run ./bench -match "lean client"
//	go run ./bench -duration 2s -concurrency 4
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

type options struct {
	duration    time.Duration
	maxOps      int
	concurrency int
	only        map[string]bool
	match       string
	tenkaiBin   string
	markdown    bool
}

func main() {
	var o options
	var only string
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "measuring time per workload and target")
	flag.IntVar(&o.maxOps, "max-ops", 200000, "upper bound of measured calls per workload and target")
	flag.IntVar(&o.concurrency, "concurrency", 4, "client goroutines for throughput workloads")
	flag.StringVar(&only, "only", "", "comma-separated workload groups to run (default all)")
	flag.StringVar(&o.match, "match", "", "run only workloads whose name contains this text")
	flag.StringVar(&o.tenkaiBin, "tenkai", "", "tenkai binary (default: build ./cmd/tenkai)")
	flag.BoolVar(&o.markdown, "markdown", false, "print the table as Markdown")
	flag.Parse()
	if only != "" {
		o.only = map[string]bool{}
		for _, g := range strings.Split(only, ",") {
			o.only[strings.TrimSpace(g)] = true
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.tenkaiBin == "" {
		dir, err := os.MkdirTemp("", "tenkai-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.tenkaiBin = filepath.Join(dir, "tenkai")
		build := exec.CommandContext(ctx, "go", "build", "-o", o.tenkaiBin, "./cmd/tenkai")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build tenkai (run from the repository root): %w", err)
		}
	}
	peers := []peer{tenkaiPeer(o.tenkaiBin)}
	if p, ok := motoPeer(); ok {
		peers = append(peers, p)
	} else {
		fmt.Fprintln(os.Stderr, "bench: moto_server not found on PATH; its column shows as unavailable")
		peers = append(peers, peer{name: "moto", missing: "moto_server not found on PATH"})
	}
	fmt.Fprintf(os.Stderr, "machine: %d cores, %s memory, %s; duration %s per workload, concurrency %d\n",
		runtime.NumCPU(), memTotal(), runtime.GOOS+"/"+runtime.GOARCH, o.duration, o.concurrency)

	var rows []row
	for _, w := range workloads() {
		if o.only != nil && !o.only[w.group] || !strings.Contains(w.name, o.match) {
			continue
		}
		r := row{workload: w.name, unit: w.unit, lower: w.lowerBetter, results: make([]result, len(peers))}
		for i, p := range peers {
			fmt.Fprintf(os.Stderr, "  %-34s %-7s ", w.name, p.name)
			res := runWorkload(ctx, o, p, w)
			r.results[i] = res
			fmt.Fprintln(os.Stderr, res.short())
		}
		rows = append(rows, r)
	}
	printTable(os.Stdout, peers, rows, o.markdown)
	return nil
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "?"
	}
	var kb int64
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "MemTotal:") {
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:")), "%d", &kb)
		}
	}
	return fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
}
