package pattern_test

import (
	"fmt"
	"testing"

	"tenkai/internal/events/pattern"
)

// BenchmarkSetRebuild measures the index rebuild that the first match after
// a change pays, for 1000 rules.
func BenchmarkSetRebuild(b *testing.B) {
	pats := make([]*pattern.Pattern, 0, 1000)
	for _, src := range benchRules(1000) {
		pats = append(pats, pattern.MustCompile(src))
	}
	var s pattern.Set
	for i, p := range pats {
		s.Add(fmt.Sprintf("rule-%05d", i), p)
	}
	ev := parsedEvents(b)[0]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add("rule-00000", pats[0]) // invalidates the index
		s.MatchEvent(ev, nil)
	}
}
