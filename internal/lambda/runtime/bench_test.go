package runtime_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"tenkai/internal/lambda/runtime"
)

// BenchmarkWarmInvoke measures a warm invoke of the aws-lambda-go echo function end to
// end (Invoke → Runtime API → function → response), and reports the median.
func BenchmarkWarmInvoke(b *testing.B) {
	for _, logs := range []bool{false, true} {
		name := "nologs"
		cfg := runtime.Config{}
		if logs {
			name = "logs"
			cfg.Logs = &sink{}
		}
		b.Run(name, func(b *testing.B) {
			m := newManager(b, cfg)
			spec := goSpec("bench-warm")
			req := &runtime.Request{Payload: []byte(`{"op":"echo","value":"hi"}`)}
			ctx := context.Background()
			if _, err := m.Invoke(ctx, spec, req); err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				res, err := m.Invoke(ctx, spec, req)
				if err != nil || res.FunctionError != "" {
					b.Fatalf("Invoke = %v %s", err, res.Payload)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkColdStart measures starting a new environment and running one invocation.
func BenchmarkColdStart(b *testing.B) {
	cases := []struct {
		name string
		spec func(b *testing.B) *runtime.Spec
	}{
		{"go", func(b *testing.B) *runtime.Spec { return goSpec("cold-go") }},
		{"python3.12", func(b *testing.B) *runtime.Spec {
			s := goSpec("cold-py")
			s.Runtime, s.Handler = "python3.12", "app.handler"
			s.CodeDir = writeFiles(b, b.TempDir(), map[string]string{"app.py": "def handler(e, c):\n    return e\n"})
			return s
		}},
		{"nodejs20.x", func(b *testing.B) *runtime.Spec {
			s := goSpec("cold-node")
			s.Runtime, s.Handler = "nodejs20.x", "index.handler"
			s.CodeDir = writeFiles(b, b.TempDir(), map[string]string{"index.js": "exports.handler = async (e) => e;\n"})
			return s
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			m := newManager(b, runtime.Config{})
			spec := tc.spec(b)
			ctx := context.Background()
			req := &runtime.Request{Payload: []byte(`{"op":"echo","value":1}`)}
			if _, err := m.Invoke(ctx, spec, req); err != nil { // interpreter probe, bootstrap extraction
				b.Fatal(err)
			}
			var total, initTotal time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				m.Retire(spec.Account, spec.Region, spec.FunctionName, "")
				b.StartTimer()
				t0 := time.Now()
				res, err := m.Invoke(ctx, spec, req)
				if err != nil || !res.Cold || res.FunctionError != "" {
					b.Fatalf("Invoke = %v cold=%v %s", err, res != nil && res.Cold, res.Payload)
				}
				total += time.Since(t0)
				initTotal += res.InitDuration
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/cold-invoke")
			b.ReportMetric(float64(initTotal.Microseconds())/1000/float64(b.N), "init-ms")
		})
	}
}
