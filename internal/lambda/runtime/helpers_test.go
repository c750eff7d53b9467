package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tenkai/internal/lambda/runtime"
)

var goFnDir string // holds the aws-lambda-go test function as "bootstrap"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tenkai-runtime-test-")
	if err != nil {
		panic(err)
	}
	goFnDir = filepath.Join(dir, "gofn")
	_ = os.MkdirAll(goFnDir, 0o755)
	cmd := exec.Command("go", "build", "-o", filepath.Join(goFnDir, "bootstrap"), "./testdata/gofn")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build test function:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// sink is a LogSink that keeps every event.
type sink struct {
	mu     sync.Mutex
	groups map[string]map[string][]runtime.LogEvent
}

func (s *sink) Append(_ context.Context, account, region, group, stream string, events []runtime.LogEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups == nil {
		s.groups = map[string]map[string][]runtime.LogEvent{}
	}
	if s.groups[group] == nil {
		s.groups[group] = map[string][]runtime.LogEvent{}
	}
	s.groups[group][stream] = append(s.groups[group][stream], events...)
	return nil
}

// lines returns every message of group, stream names sorted out.
func (s *sink) lines(group string) (streams []string, msgs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for st, evs := range s.groups[group] {
		streams = append(streams, st)
		for _, e := range evs {
			msgs = append(msgs, e.Message)
		}
	}
	return streams, msgs
}

func newManager(t testing.TB, cfg runtime.Config) *runtime.Manager {
	t.Helper()
	if cfg.WorkDir == "" {
		cfg.WorkDir = t.TempDir()
	}
	m := runtime.New(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

func goSpec(name string) *runtime.Spec {
	return &runtime.Spec{
		Account:      "123456789012",
		Region:       "us-east-1",
		FunctionName: name,
		FunctionARN:  "arn:aws:lambda:us-east-1:123456789012:function:" + name,
		Version:      "$LATEST",
		Runtime:      "provided.al2023",
		Handler:      "bootstrap",
		CodeDir:      goFnDir,
		MemoryMB:     128,
		Timeout:      3 * time.Second,
		Key:          name + "-k1",
	}
}

func invoke(t testing.TB, m *runtime.Manager, spec *runtime.Spec, payload string) *runtime.Result {
	t.Helper()
	res, err := m.Invoke(context.Background(), spec, &runtime.Request{Payload: []byte(payload), WantLogTail: true})
	if err != nil {
		t.Fatalf("Invoke(%s) error: %v", payload, err)
	}
	return res
}

// errDoc decodes an error document.
type errDoc struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	RequestID    *string  `json:"requestId"`
	StackTrace   []any    `json:"stackTrace"`
	Trace        []string `json:"trace"`
}

func decodeErr(t testing.TB, res *runtime.Result) errDoc {
	t.Helper()
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q; want Unhandled (payload %s)", res.FunctionError, res.Payload)
	}
	var d errDoc
	if err := json.Unmarshal(res.Payload, &d); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return d
}

func pidOf(t testing.TB, res *runtime.Result) int {
	t.Helper()
	var pid int
	if err := json.Unmarshal(res.Payload, &pid); err != nil || pid == 0 {
		t.Fatalf("pid payload %s (%s): %v", res.Payload, res.FunctionError, err)
	}
	return pid
}

// alive reports whether pid is a running (non-zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// waitLine waits until group's log holds line, sent while the invocation that
// reports on done still runs.
func waitLine(t testing.TB, logs *sink, group, line string, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, msgs := logs.lines(group)
		for _, m := range msgs {
			if m == line {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("line %q not in the log of %s: %q", line, group, msgs)
		}
		select {
		case err := <-done:
			t.Fatalf("the invocation ended (%v) before %q reached the log", err, line)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func waitGone(t testing.TB, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still alive", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func writeFiles(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
