package lambda

import (
	"context"
	"net/http"
	"sort"

	"tenkai/internal/edge"
)

type aliasRouting struct {
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

type aliasInput struct {
	Name            string        `json:"Name"`
	FunctionVersion *string       `json:"FunctionVersion"`
	Description     *string       `json:"Description"`
	RoutingConfig   *aliasRouting `json:"RoutingConfig"`
	RevisionId      string        `json:"RevisionId"`
}

type aliasConfiguration struct {
	AliasArn        string        `json:"AliasArn"`
	Name            string        `json:"Name"`
	FunctionVersion string        `json:"FunctionVersion"`
	Description     string        `json:"Description"`
	RoutingConfig   *aliasRouting `json:"RoutingConfig,omitempty"`
	RevisionId      string        `json:"RevisionId"`
}

func (a *alias) out(ref FuncRef) *aliasConfiguration {
	c := &aliasConfiguration{
		AliasArn: functionARN(ref.Account, ref.Region, ref.Name) + ":" + a.Name, Name: a.Name,
		FunctionVersion: a.FunctionVersion, Description: a.Description, RevisionId: a.RevisionID,
	}
	if len(a.Weights) > 0 {
		c.RoutingConfig = &aliasRouting{AdditionalVersionWeights: a.Weights}
	}
	return c
}

func aliasNotFound(ref FuncRef, name string) *edge.Error {
	return edge.NewError(http.StatusNotFound, "ResourceNotFoundException",
		"Cannot find alias arn: "+functionARN(ref.Account, ref.Region, ref.Name)+":"+name)
}

func validateAliasName(n string) error {
	if !reAlias().MatchString(n) || reVersion().MatchString(n) || n == "$LATEST" {
		return edge.Validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", n)
	}
	return nil
}

// checkRouting validates AdditionalVersionWeights: at most one extra
// version, published, different from the primary, weight in [0, 1].
func (fn *function) checkRouting(ref FuncRef, primary string, r *aliasRouting) error {
	if r == nil {
		return nil
	}
	if len(r.AdditionalVersionWeights) > 1 {
		return invalidParam("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for v, w := range r.AdditionalVersionWeights {
		if w < 0 || w > 1 {
			return edge.Validation("1 validation error detected: Value '%v' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]", w)
		}
		if !reVersion().MatchString(v) || fn.Versions[v] == nil {
			return edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+functionARN(ref.Account, ref.Region, ref.Name)+":"+v)
		}
		if v == primary {
			return invalidParam("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
		if primary == "$LATEST" {
			return invalidParam("$LATEST is not supported for an alias pointing to more than 1 version")
		}
	}
	return nil
}

func (fn *function) checkVersionExists(ref FuncRef, v string) error {
	if v == "$LATEST" || fn.Versions[v] != nil {
		return nil
	}
	r := ref
	r.Qualifier = v
	return notFound(r)
}

func (s *Service) createAlias(ctx context.Context, name string, in *aliasInput) (*aliasConfiguration, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	if in.FunctionVersion == nil {
		return nil, edge.MissingMember("functionVersion")
	}
	if err := validateAliasName(in.Name); err != nil {
		return nil, err
	}
	var out *aliasConfiguration
	_, err = s.modify(ref, func(fn *function) error {
		if fn.Aliases[in.Name] != nil {
			return edge.NewError(http.StatusConflict, "ResourceConflictException",
				"Alias already exists: "+functionARN(ref.Account, ref.Region, ref.Name)+":"+in.Name)
		}
		if err := fn.checkVersionExists(ref, *in.FunctionVersion); err != nil {
			return err
		}
		if err := fn.checkRouting(ref, *in.FunctionVersion, in.RoutingConfig); err != nil {
			return err
		}
		a := &alias{Name: in.Name, FunctionVersion: *in.FunctionVersion, RevisionID: edge.NewUUID()}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			a.Weights = in.RoutingConfig.AdditionalVersionWeights
		}
		if fn.Aliases == nil {
			fn.Aliases = map[string]*alias{}
		}
		fn.Aliases[a.Name] = a
		out = a.out(ref)
		return nil
	})
	return out, err
}

func (s *Service) getAlias(ctx context.Context, name, aliasName string) (*aliasConfiguration, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	a := fn.Aliases[aliasName]
	if a == nil {
		return nil, aliasNotFound(ref, aliasName)
	}
	return a.out(ref), nil
}

func (s *Service) updateAlias(ctx context.Context, name, aliasName string, in *aliasInput) (*aliasConfiguration, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	var out *aliasConfiguration
	_, err = s.modify(ref, func(fn *function) error {
		a := fn.Aliases[aliasName]
		if a == nil {
			return aliasNotFound(ref, aliasName)
		}
		if in.RevisionId != "" && in.RevisionId != a.RevisionID {
			return preconditionFailed()
		}
		na := *a
		if in.FunctionVersion != nil {
			if err := fn.checkVersionExists(ref, *in.FunctionVersion); err != nil {
				return err
			}
			na.FunctionVersion = *in.FunctionVersion
		}
		if in.Description != nil {
			na.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			na.Weights = in.RoutingConfig.AdditionalVersionWeights
		}
		if err := fn.checkRouting(ref, na.FunctionVersion, &aliasRouting{AdditionalVersionWeights: na.Weights}); err != nil {
			return err
		}
		na.RevisionID = edge.NewUUID()
		fn.Aliases[aliasName] = &na
		out = na.out(ref)
		return nil
	})
	return out, err
}

func (s *Service) deleteAlias(ctx context.Context, name, aliasName string) error {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return err
	}
	_, err = s.modify(ref, func(fn *function) error {
		delete(fn.Aliases, aliasName) // AWS answers 204 for a missing alias too
		delete(fn.Policy, aliasName)
		delete(fn.EventConfigs, aliasName)
		return nil
	})
	return err
}

type listAliasesOutput struct {
	Aliases    []*aliasConfiguration `json:"Aliases"`
	NextMarker string                `json:"NextMarker,omitempty"`
}

func (s *Service) listAliases(ctx context.Context, name, fnVersion, marker, maxItems string) (*listAliasesOutput, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	max, err := maxItemsParam(maxItems, 50, 10000)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(fn.Aliases))
	for n, a := range fn.Aliases {
		if fnVersion == "" || a.FunctionVersion == fnVersion {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	start, end, next, err := pageBounds(marker, max, len(names))
	if err != nil {
		return nil, err
	}
	out := &listAliasesOutput{Aliases: []*aliasConfiguration{}, NextMarker: next}
	for _, n := range names[start:end] {
		out.Aliases = append(out.Aliases, fn.Aliases[n].out(ref))
	}
	return out, nil
}

// pickVersion chooses the version an alias invocation runs: an additional
// version with its weight's probability, else the primary. r is in [0, 1).
func (a *alias) pickVersion(r float64) string {
	acc := 0.0
	keys := make([]string, 0, len(a.Weights))
	for v := range a.Weights {
		keys = append(keys, v)
	}
	sort.Strings(keys)
	for _, v := range keys {
		acc += a.Weights[v]
		if r < acc {
			return v
		}
	}
	return a.FunctionVersion
}
