package pattern_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
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

// FuzzParseEvent checks the event parser against encoding/json: it accepts
// exactly the JSON objects.
func FuzzParseEvent(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.event)
	}
	f.Add(`{"a":"\ud800"}`)
	f.Add(`{"a":1e999,"b":-0.0e-5}`)
	f.Fuzz(func(t *testing.T, src string) {
		ev, err := pattern.ParseEvent([]byte(src))
		trimmed := strings.TrimLeft(src, " \t\r\n")
		want := json.Valid([]byte(src)) && strings.HasPrefix(trimmed, "{")
		if (err == nil) != want {
			t.Fatalf("ParseEvent(%q) error = %v; json.Valid object = %v", src, err, want)
		}
		if err == nil && ev.Len() < 0 {
			t.Fatal("negative Len")
		}
	})
}
