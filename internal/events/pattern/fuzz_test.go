package pattern_test

import (
	"errors"
	"slices"
	"testing"

	"tenkai/internal/events/pattern"
)

func seedPatterns() []string {
	seeds := []string{`{}`, `[]`, `{"a":[]}`, `{"a":[{"numeric":[">",0,"<=",5]}]}`}
	for _, tc := range matchCases {
		seeds = append(seeds, tc.pattern)
	}
	return seeds
}

// FuzzCompile checks that no input makes Compile panic or hang, that
// failures are *pattern.Error, and that compiled patterns can be matched.
func FuzzCompile(f *testing.F) {
	for _, s := range seedPatterns() {
		f.Add([]byte(s))
	}
	ev, err := pattern.ParseEvent([]byte(ec2Event))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := pattern.Compile(src)
		if err != nil {
			var pe *pattern.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%q) error %T; want *pattern.Error", src, err)
			}
			if pe.Error() == "" {
				t.Fatalf("Compile(%q) empty message", src)
			}
			return
		}
		p.MatchEvent(ev)
	})
}

// FuzzMatch checks that matching never panics and that a Set agrees with
// the pattern matched on its own.
func FuzzMatch(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, tc.event)
	}
	f.Add(`{"a":{"b":["x"],"c":["y"]}}`, `{"a":[{"b":"x"},{"c":"y"},[{"b":"x","c":"y"}]]}`)
	f.Add(`{"a":["x"]}`, `{"a":"\ud83d\ude00\u0000\\"}`)
	f.Fuzz(func(t *testing.T, src, event string) {
		p, err := pattern.Compile([]byte(src))
		if err != nil {
			return
		}
		ev, err := pattern.ParseEvent([]byte(event))
		if err != nil {
			if p.Match([]byte(event)) {
				t.Fatalf("Match of an invalid event = true")
			}
			return
		}
		want := p.MatchEvent(ev)
		var s pattern.Set
		s.Add("p", p)
		got := s.MatchEvent(ev, nil)
		if want != slices.Equal(got, []string{"p"}) {
			t.Fatalf("pattern %s event %s: MatchEvent = %v, Set = %v", src, event, want, got)
		}
	})
}
