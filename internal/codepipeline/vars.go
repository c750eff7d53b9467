package codepipeline

import (
	"fmt"
	"strings"
)

// resolveConfig substitutes variable references (#{Namespace.Name}) in an
// action's configuration: #{codepipeline.PipelineExecutionId}, V2 pipeline
// variables (#{variables.name}) and output variables of earlier actions.
// An unknown reference is an error, which fails the action.
func resolveConfig(cfg map[string]string, ex *execRecord) (map[string]string, error) {
	if len(cfg) == 0 {
		return map[string]string{}, nil
	}
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		r, err := resolveString(v, ex)
		if err != nil {
			return out, fmt.Errorf("An action in this pipeline failed because one or more variables could not be resolved: configuration %s: %w", k, err)
		}
		out[k] = r
	}
	return out, nil
}

func resolveString(s string, ex *execRecord) (string, error) {
	if !strings.Contains(s, "#{") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "#{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		ref := s[i+2 : i+j]
		v, ok := lookupVar(ref, ex)
		if !ok {
			return "", fmt.Errorf("variable '%s' could not be resolved", ref)
		}
		b.WriteString(v)
		s = s[i+j+1:]
	}
}

func lookupVar(ref string, ex *execRecord) (string, bool) {
	ns, name, ok := strings.Cut(ref, ".")
	if !ok {
		return "", false
	}
	switch ns {
	case "codepipeline":
		if name == "PipelineExecutionId" {
			return ex.ID, true
		}
		return "", false
	case "variables":
		for _, v := range ex.Variables {
			if v.Name == name {
				return v.ResolvedValue, true
			}
		}
		return "", false
	}
	v, ok := ex.Outputs[ns][name]
	return v, ok
}
