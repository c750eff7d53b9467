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

func TestNamePatterns(t *testing.T) {
	tests := []struct {
		f    func(string) bool
		in   string
		want bool
	}{
		{validJobID, "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{validJobID, "0F8FAD5B-D9CB-469F-A165-70867728950E", false},
		{validJobID, "0f8fad5b-d9cb-469f-a165-70867728950", false},
		{validJobID, "0f8fad5bxd9cb-469f-a165-70867728950e", false},
		{validName, "Deploy.prod@eu-1_a", true},
		{validName, "has space", false},
		{validName, "", false},
		{validNamespace, "Source.Vars", false},
		{validArtifact, "Build_Output-1", true},
		{validArtifact, "Build.Output", false},
	}
	for _, tc := range tests {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("pattern(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
}
