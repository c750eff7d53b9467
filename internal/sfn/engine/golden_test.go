package engine_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tenkai/internal/sfn/engine"
)

var update = flag.Bool("update", false, "rewrite golden history files")

// TestHistoryGolden runs each testdata/history/*.txt case: a definition and
// an input, then the expected GetExecutionHistory events, one per line,
// sections split by "----". Tasks answer {"Payload": <input>}, or fail with
// the error named by the input's "fail" member.
func TestHistoryGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/history/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.SplitN(string(raw), "\n----\n", 3)
			if len(parts) < 2 {
				t.Fatalf("%s: want definition ---- input [---- history]", file)
			}
			s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
				var in map[string]any
				_ = json.Unmarshal(c.Input, &in)
				if e, ok := in["fail"].(string); ok {
					return "", &engine.TaskError{Code: e, Cause: "failed on purpose"}
				}
				return `{"Payload":` + string(c.Input) + `}`, nil
			})
			_, rec := s.run(t, parts[0], strings.TrimSpace(parts[1]))
			var got bytes.Buffer
			for _, ev := range rec.events {
				b, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				got.Write(b)
				got.WriteByte('\n')
			}
			if *update {
				out := parts[0] + "\n----\n" + strings.TrimSpace(parts[1]) + "\n----\n" + got.String()
				if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if len(parts) < 3 {
				t.Fatalf("%s has no expected history; run with -update", file)
			}
			if want := parts[2]; got.String() != want {
				t.Fatalf("history differs\n got:\n%s\nwant:\n%s", got.String(), want)
			}
		})
	}
}
