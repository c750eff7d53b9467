package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tenkai/internal/clock"
	"tenkai/internal/sfn/engine"
)

func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Parameters":{"n.$":"$.n","step":%d},%s}`, i, i, next)
	}
	b.WriteString("}}")
	return b.String()
}

// BenchmarkPassTransitions reports state transitions per second through a
// 1000-state Pass chain, history recorded.
func BenchmarkPassTransitions(b *testing.B) {
	const n = 1000
	sm := mustParse(b, passChain(n))
	eng := engine.New(engine.Config{Clock: clock.NewFake(t0)})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := newRecorder()
		eng.Start(context.Background(), sm, info, json.RawMessage(`{"n":1}`), rec)
		<-rec.done
		if rec.res.Status != "SUCCEEDED" {
			b.Fatal(rec.res)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "transitions/s")
}

// BenchmarkRunSync10Pass runs a 10-Pass machine start to SUCCEEDED.
func BenchmarkRunSync10Pass(b *testing.B) {
	sm := mustParse(b, passChain(10))
	eng := engine.New(engine.Config{Clock: clock.NewFake(t0)})
	in := json.RawMessage(`{"n":1}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := eng.RunSync(context.Background(), sm, info, in, nil); res.Status != "SUCCEEDED" {
			b.Fatal(res)
		}
	}
}
