package codepipeline

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"tenkai/internal/edge"
)

// roleARNPattern is the API model's RoleArn pattern, compiled on first use.
var roleARNPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws(-[\w]+)*:iam::[0-9]{12}:role/.*$`)
})

// only reports whether s is non-empty and every byte is an ASCII letter,
// digit or one of extra: the character classes of the model's name patterns.
func only(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// The model's patterns: names [A-Za-z0-9.@\-_]+, namespaces and variable
// names [A-Za-z0-9@\-_]+, artifact names [a-zA-Z0-9_\-]+.
func validName(s string) bool      { return only(s, ".@-_") }
func validNamespace(s string) bool { return only(s, "@-_") }
func validArtifact(s string) bool  { return only(s, "_-") }

func structureErr(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidStructureException", format, args...)
}

func actionErr(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidActionDeclarationException", format, args...)
}

// customLookup finds a custom action type of the caller.
type customLookup func(id ActionTypeID) (ActionType, bool)

// validate checks a pipeline structure as CreatePipeline and UpdatePipeline
// do, filling defaults (pipelineType V1, executionMode SUPERSEDED, runOrder 1).
func validate(p *PipelineDeclaration, region string, custom customLookup) error {
	if err := validateShape(p); err != nil {
		return err
	}
	if p.PipelineType == "" {
		p.PipelineType = "V1"
	}
	if p.ExecutionMode == "" {
		p.ExecutionMode = "SUPERSEDED"
	}
	switch p.PipelineType {
	case "V1":
		if p.ExecutionMode != "SUPERSEDED" {
			return edge.Validation("Execution mode %s is only supported for pipelines of type V2", p.ExecutionMode)
		}
		if len(p.Variables) > 0 {
			return edge.Validation("Pipeline variables are only supported for pipelines of type V2")
		}
	}
	if (p.ArtifactStore == nil) == (len(p.ArtifactStores) == 0) {
		return structureErr("Pipeline must contain either artifactStore or artifactStores, but not both")
	}
	if p.ArtifactStore != nil {
		if p.ArtifactStore.Type != "S3" {
			return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.artifactStore.type' failed to satisfy constraint: Member must satisfy enum value set: [S3]", p.ArtifactStore.Type)
		}
		if p.ArtifactStore.Location == "" {
			return edge.MissingMember("pipeline.artifactStore.location")
		}
	}
	seenVar := map[string]bool{}
	for _, v := range p.Variables {
		if !validNamespace(v.Name) || len(v.Name) > 128 {
			return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.variables.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+", v.Name)
		}
		if seenVar[v.Name] {
			return structureErr("Pipeline variable names must be unique. Duplicate variable name: %s", v.Name)
		}
		seenVar[v.Name] = true
	}
	if len(p.Stages) < 2 {
		return structureErr("Pipeline has only %d stage(s). There should be a minimum of 2 stages in a pipeline", len(p.Stages))
	}
	stageNames := map[string]bool{}
	actionNames := map[string]bool{}
	namespaces := map[string]bool{}
	produced := map[string]bool{}
	for si := range p.Stages {
		st := &p.Stages[si]
		if stageNames[st.Name] {
			return structureErr("Pipeline contains more than one stage with the name: %s", st.Name)
		}
		stageNames[st.Name] = true
		if len(st.Actions) == 0 {
			return structureErr("Stage %s has no actions. There should be a minimum of 1 action in a stage", st.Name)
		}
		// Artifacts flow by runOrder: an action may consume what an earlier
		// runOrder (or an earlier stage) produced.
		stageOut := map[int][]string{}
		for ai := range st.Actions {
			a := &st.Actions[ai]
			if a.RunOrder == 0 {
				a.RunOrder = 1
			}
			if a.RunOrder < 1 || a.RunOrder > 999 {
				return edge.Validation("1 validation error detected: Value '%d' at 'pipeline.stages.%d.member.actions.%d.member.runOrder' failed to satisfy constraint: Member must have value between 1 and 999", a.RunOrder, si+1, ai+1)
			}
			if actionNames[st.Name+"\x00"+a.Name] {
				return structureErr("Stage %s contains more than one action with the name: %s", st.Name, a.Name)
			}
			actionNames[st.Name+"\x00"+a.Name] = true
			if err := validateActionType(a, region, custom); err != nil {
				return err
			}
			isSource := a.ActionTypeID.Category == "Source"
			if si == 0 && !isSource {
				return structureErr("Pipeline should start with a stage that only contains source actions")
			}
			if si > 0 && isSource {
				return structureErr("Source actions can only be in the first stage of the pipeline. Stage %s contains source action %s", st.Name, a.Name)
			}
			if a.Namespace != "" {
				if !validNamespace(a.Namespace) {
					return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.stages.%d.member.actions.%d.member.namespace' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+", a.Namespace, si+1, ai+1)
				}
				if namespaces[a.Namespace] || a.Namespace == "codepipeline" || a.Namespace == "variables" {
					return structureErr("Namespace %s is used by more than one action. Namespaces must be unique within a pipeline", a.Namespace)
				}
				namespaces[a.Namespace] = true
			}
			for _, out := range a.OutputArtifacts {
				stageOut[a.RunOrder] = append(stageOut[a.RunOrder], out.Name)
			}
		}
		for _, a := range st.Actions {
			for _, in := range a.InputArtifacts {
				ok := produced[in.Name]
				for ro, names := range stageOut {
					if ro < a.RunOrder && contains(names, in.Name) {
						ok = true
					}
				}
				if !ok {
					return structureErr("No action in the pipeline outputs the input artifact %s of action %s in stage %s. Input artifacts must be output artifacts of an earlier action", in.Name, a.Name, st.Name)
				}
			}
		}
		for _, a := range st.Actions {
			for _, out := range a.OutputArtifacts {
				if produced[out.Name] {
					return structureErr("Output artifact name %s is declared by more than one action. Output artifact names must be unique within a pipeline", out.Name)
				}
				produced[out.Name] = true
			}
		}
	}
	return nil
}

// validateShape checks the members the API model constrains.
func validateShape(p *PipelineDeclaration) error {
	if p.Name == "" {
		return edge.MissingMember("pipeline.name")
	}
	if len(p.Name) > 100 || !validName(p.Name) {
		return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+", p.Name)
	}
	if p.RoleArn == "" {
		return edge.MissingMember("pipeline.roleArn")
	}
	if !roleARNPattern().MatchString(p.RoleArn) || len(p.RoleArn) > 1024 {
		return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[\\w]+)*:iam::[0-9]{12}:role/.*", p.RoleArn)
	}
	switch p.ExecutionMode {
	case "", "QUEUED", "SUPERSEDED", "PARALLEL":
	default:
		return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.executionMode' failed to satisfy constraint: Member must satisfy enum value set: [QUEUED, SUPERSEDED, PARALLEL]", p.ExecutionMode)
	}
	switch p.PipelineType {
	case "", "V1", "V2":
	default:
		return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.pipelineType' failed to satisfy constraint: Member must satisfy enum value set: [V1, V2]", p.PipelineType)
	}
	if p.Stages == nil {
		return edge.MissingMember("pipeline.stages")
	}
	for si, st := range p.Stages {
		if st.Name == "" || len(st.Name) > 100 || !validName(st.Name) {
			return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.stages.%d.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+", st.Name, si+1)
		}
		for ai, a := range st.Actions {
			if a.Name == "" || len(a.Name) > 100 || !validName(a.Name) {
				return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.stages.%d.member.actions.%d.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+", a.Name, si+1, ai+1)
			}
			for k, v := range a.Configuration {
				if v == "" || len(v) > 1000 {
					return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.stages.%d.member.actions.%d.member.configuration' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 1000, Member must have length greater than or equal to 1] (key %s)", v, si+1, ai+1, k)
				}
			}
			for _, art := range append(append([]ArtifactName{}, a.InputArtifacts...), a.OutputArtifacts...) {
				if art.Name == "" || len(art.Name) > 100 || !validArtifact(art.Name) {
					return edge.Validation("1 validation error detected: Value '%s' at 'pipeline.stages.%d.member.actions.%d.member.inputArtifacts.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_\\-]+", art.Name, si+1, ai+1)
				}
			}
		}
	}
	return nil
}

func validateActionType(a *ActionDeclaration, region string, custom customLookup) error {
	id := a.ActionTypeID
	var in, out ArtifactDetails
	var required []string
	switch b, ok := findBuiltin(id); {
	case ok:
		in, out, required = b.in, b.out, b.required
	case id.Owner == "Custom" && custom != nil:
		t, found := custom(id)
		if !found {
			return actionErr("ActionType (Category: '%s', Provider: '%s', Owner: '%s', Version: '%s') in action '%s' is not available in region '%s'", id.Category, id.Provider, id.Owner, id.Version, a.Name, regionWord(region))
		}
		in, out = t.InputArtifactDetails, t.OutputArtifactDetails
		for _, p := range t.ActionConfigurationProperties {
			if p.Required {
				required = append(required, p.Name)
			}
		}
	default:
		return actionErr("ActionType (Category: '%s', Provider: '%s', Owner: '%s', Version: '%s') in action '%s' is not available in region '%s'", id.Category, id.Provider, id.Owner, id.Version, a.Name, regionWord(region))
	}
	if n := len(a.InputArtifacts); n < in.MinimumCount {
		return actionErr("Action %s declares %d input artifacts which is less than the minimum count (%d)", a.Name, n, in.MinimumCount)
	} else if n > in.MaximumCount {
		return actionErr("Action %s declares %d input artifacts which is more than the maximum count (%d)", a.Name, n, in.MaximumCount)
	}
	if n := len(a.OutputArtifacts); n < out.MinimumCount {
		return actionErr("Action %s declares %d output artifacts which is less than the minimum count (%d)", a.Name, n, out.MinimumCount)
	} else if n > out.MaximumCount {
		return actionErr("Action %s declares %d output artifacts which is more than the maximum count (%d)", a.Name, n, out.MaximumCount)
	}
	for _, r := range required {
		if strings.TrimSpace(a.Configuration[r]) == "" {
			return actionErr("Action configuration for action '%s' is missing required configuration '%s'", a.Name, r)
		}
	}
	if a.TimeoutInMinutes != 0 {
		if id.Category != "Approval" {
			return actionErr("Action %s: timeoutInMinutes is only supported for manual approval actions", a.Name)
		}
		if a.TimeoutInMinutes < 5 || a.TimeoutInMinutes > 86400 {
			return edge.Validation("1 validation error detected: Value '%d' at 'timeoutInMinutes' failed to satisfy constraint: Member must have value between 5 and 86400", a.TimeoutInMinutes)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fmtActionType renders an action type id for messages.
func fmtActionType(id ActionTypeID) string {
	return fmt.Sprintf("%s/%s/%s/%s", id.Category, id.Owner, id.Provider, id.Version)
}
