package codepipeline

import (
	"strings"
	"testing"
)

func TestResolveString(t *testing.T) {
	ex := &execRecord{ID: "exec-1", Variables: []ResolvedVariable{{Name: "env", ResolvedValue: "prod"}},
		Outputs: map[string]map[string]string{"Build": {"Tag": "v7"}}}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"plain", "plain", true},
		{"#{codepipeline.PipelineExecutionId}", "exec-1", true},
		{"deploy #{variables.env} #{Build.Tag}!", "deploy prod v7!", true},
		{"#{Build.Missing}", "", false},
		{"#{nodot}", "", false},
		{"open #{ never closed", "open #{ never closed", true},
	}
	for _, tc := range tests {
		got, err := resolveString(tc.in, ex)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("resolveString(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzResolveString(f *testing.F) {
	for _, s := range []string{"", "#{", "#{a.b}", "x#{codepipeline.PipelineExecutionId}y", "#{variables.env}#{", "}}#{{}"} {
		f.Add(s)
	}
	ex := &execRecord{ID: "e", Variables: []ResolvedVariable{{Name: "env", ResolvedValue: "v"}},
		Outputs: map[string]map[string]string{"a": {"b": "c"}}}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := resolveString(s, ex)
		if err == nil && !strings.Contains(s, "#{") && got != s {
			t.Fatalf("resolveString(%q) = %q without references", s, got)
		}
	})
}
