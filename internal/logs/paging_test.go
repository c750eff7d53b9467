package logs_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"tenkai/internal/logs"
)

// TestPagingAgainstReference writes random events to several streams and
// checks that paging FilterLogEvents (any limit, with a pattern or not) and
// GetLogEvents (forward and backward) gives exactly the sorted events.
func TestPagingAgainstReference(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			h := newHarness(t, nil)
			type refEvent struct {
				ts     int64
				stream int
				seq    int
				msg    string
			}
			var ref []refEvent
			ctx := context.Background()
			nStreams := 1 + rng.IntN(4)
			for s := range nStreams {
				// Create streams in order so stream s has the s-th id.
				if err := h.svc.Append(ctx, "000000000000", "us-east-1", "g", fmt.Sprint("s", s), nil); err != nil {
					t.Fatal(err)
				}
			}
			seqs := make([]int, nStreams)
			for range 1 + rng.IntN(8) {
				s := rng.IntN(nStreams)
				var batch []logs.Event
				for range 1 + rng.IntN(30) {
					ts := t0.Add(-time.Duration(rng.IntN(40)) * time.Second)
					word := []string{"alpha", "beta", "gamma"}[rng.IntN(3)]
					msg := fmt.Sprintf("%s s%d n%d", word, s, len(ref))
					batch = append(batch, logs.Event{Time: ts, Message: msg})
					ref = append(ref, refEvent{ts: ts.UnixMilli(), stream: s, msg: msg})
				}
				// Append sorts a batch stably by time; number the reference the same way.
				start := len(ref) - len(batch)
				sort.SliceStable(ref[start:], func(i, j int) bool { return ref[start+i].ts < ref[start+j].ts })
				for i := start; i < len(ref); i++ {
					seqs[s]++
					ref[i].seq = seqs[s]
				}
				if err := h.svc.Append(ctx, "000000000000", "us-east-1", "g", fmt.Sprint("s", s), batch); err != nil {
					t.Fatal(err)
				}
			}
			sort.SliceStable(ref, func(i, j int) bool {
				a, b := ref[i], ref[j]
				if a.ts != b.ts {
					return a.ts < b.ts
				}
				if a.stream != b.stream {
					return a.stream < b.stream
				}
				return a.seq < b.seq
			})

			for _, pattern := range []string{"", "beta", "?alpha ?gamma"} {
				var want []string
				for _, e := range ref {
					if pattern == "" || strings.Contains(pattern, strings.Fields(e.msg)[0]) {
						want = append(want, e.msg)
					}
				}
				limit := 1 + rng.IntN(25)
				var got []string
				tok := ""
				for range 1000 {
					in := map[string]any{"logGroupName": "g", "limit": limit, "filterPattern": pattern}
					if tok != "" {
						in["nextToken"] = tok
					}
					out := h.ok("FilterLogEvents", in)
					got = append(got, messages(out)...)
					tok, _ = out["nextToken"].(string)
					if tok == "" {
						break
					}
				}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Fatalf("FilterLogEvents pattern %q limit %d:\n got %q\nwant %q", pattern, limit, got, want)
				}
			}

			// GetLogEvents per stream: forward pages from the head, then
			// backward pages from the tail.
			for s := range nStreams {
				var want []string
				for _, e := range ref {
					if e.stream == s {
						want = append(want, e.msg)
					}
				}
				limit := 1 + rng.IntN(10)
				base := map[string]any{"logGroupName": "g", "logStreamName": fmt.Sprint("s", s), "limit": limit}
				var fwd []string
				in := map[string]any{"startFromHead": true}
				for range 1000 {
					for k, v := range base {
						in[k] = v
					}
					out := h.ok("GetLogEvents", in)
					fwd = append(fwd, messages(out)...)
					next := out["nextForwardToken"].(string)
					if next == in["nextToken"] {
						break
					}
					in = map[string]any{"nextToken": next}
				}
				if strings.Join(fwd, "|") != strings.Join(want, "|") {
					t.Fatalf("GetLogEvents forward s%d limit %d:\n got %q\nwant %q", s, limit, fwd, want)
				}
				var back []string
				in = map[string]any{}
				for range 1000 {
					for k, v := range base {
						in[k] = v
					}
					out := h.ok("GetLogEvents", in)
					msgs := messages(out)
					back = append(msgs, back...)
					if len(msgs) == 0 {
						break
					}
					in = map[string]any{"nextToken": out["nextBackwardToken"]}
				}
				if strings.Join(back, "|") != strings.Join(want, "|") {
					t.Fatalf("GetLogEvents backward s%d limit %d:\n got %q\nwant %q", s, limit, back, want)
				}
			}
		})
	}
}
