package ssm

import (
	"context"
	"slices"
	"strconv"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// LabelParameterVersionInput is the LabelParameterVersion request.
type LabelParameterVersionInput struct {
	Name             *string
	ParameterVersion *int64
	Labels           []string
}

// LabelParameterVersionOutput is the LabelParameterVersion answer.
type LabelParameterVersionOutput struct {
	InvalidLabels    []string
	ParameterVersion int64
}

// LabelParameterVersion attaches labels to a version (the current one when
// none is given). A label names one version of a parameter, so it moves
// from wherever it was. Labels that break the naming rules are returned,
// not applied.
func (s *Service) LabelParameterVersion(ctx context.Context, in *LabelParameterVersionInput) (*LabelParameterVersionOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == nil {
		return nil, edge.MissingMember("name")
	}
	if in.Labels == nil {
		return nil, edge.MissingMember("labels")
	}
	if len(in.Labels) < 1 || len(in.Labels) > maxLabels {
		return nil, errConstraint(in.Labels, "labels", "Member must have length less than or equal to 10")
	}
	name, err := cleanName(*in.Name)
	if err != nil {
		return nil, err
	}
	out := LabelParameterVersionOutput{InvalidLabels: []string{}}
	err = s.st.Update(func(tx store.Tx) error {
		r, err := getRecord(tx, m.Account, m.Region, name)
		if err != nil {
			return err
		}
		if r == nil {
			return errNotFound()
		}
		v := r.current()
		if in.ParameterVersion != nil {
			if v, err = r.find(Ref{Name: r.Name, Version: *in.ParameterVersion}); err != nil || *in.ParameterVersion < 1 {
				return errVersionNotFound(r.Name, strconv.FormatInt(*in.ParameterVersion, 10))
			}
		}
		for _, l := range in.Labels {
			if !validLabel(l) {
				out.InvalidLabels = append(out.InvalidLabels, l)
				continue
			}
			if slices.Contains(v.Labels, l) {
				continue
			}
			for i := range r.Versions {
				r.Versions[i].Labels = slices.DeleteFunc(r.Versions[i].Labels, func(x string) bool { return x == l })
			}
			v.Labels = append(v.Labels, l)
		}
		if len(v.Labels) > maxLabels {
			return edge.Errorf("ParameterVersionLabelLimitExceeded",
				"A parameter version can have a maximum of ten labels.")
		}
		out.ParameterVersion = v.Version
		return putRecord(tx, m.Account, m.Region, r)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UnlabelParameterVersionInput is the UnlabelParameterVersion request.
type UnlabelParameterVersionInput struct {
	Name             *string
	ParameterVersion *int64
	Labels           []string
}

// UnlabelParameterVersionOutput is the UnlabelParameterVersion answer.
type UnlabelParameterVersionOutput struct {
	RemovedLabels []string
	InvalidLabels []string
}

// UnlabelParameterVersion removes labels from a version; labels the version
// does not carry come back in InvalidLabels.
func (s *Service) UnlabelParameterVersion(ctx context.Context, in *UnlabelParameterVersionInput) (*UnlabelParameterVersionOutput, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.Name == nil:
		return nil, edge.MissingMember("name")
	case in.ParameterVersion == nil:
		return nil, edge.MissingMember("parameterVersion")
	case in.Labels == nil:
		return nil, edge.MissingMember("labels")
	}
	name, err := cleanName(*in.Name)
	if err != nil {
		return nil, err
	}
	out := UnlabelParameterVersionOutput{RemovedLabels: []string{}, InvalidLabels: []string{}}
	err = s.st.Update(func(tx store.Tx) error {
		r, err := getRecord(tx, m.Account, m.Region, name)
		if err != nil {
			return err
		}
		if r == nil {
			return errNotFound()
		}
		v, err := r.find(Ref{Name: r.Name, Version: *in.ParameterVersion})
		if err != nil || *in.ParameterVersion < 1 {
			return errVersionNotFound(r.Name, strconv.FormatInt(*in.ParameterVersion, 10))
		}
		for _, l := range in.Labels {
			if i := slices.Index(v.Labels, l); i >= 0 {
				v.Labels = slices.Delete(v.Labels, i, i+1)
				out.RemovedLabels = append(out.RemovedLabels, l)
			} else {
				out.InvalidLabels = append(out.InvalidLabels, l)
			}
		}
		return putRecord(tx, m.Account, m.Region, r)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetParameterHistoryInput is the GetParameterHistory request.
type GetParameterHistoryInput struct {
	Name           *string
	WithDecryption bool
	MaxResults     *int
	NextToken      string
}

// GetParameterHistoryOutput is the GetParameterHistory answer.
type GetParameterHistoryOutput struct {
	Parameters []History
	NextToken  string `json:",omitempty"`
}

// GetParameterHistory lists a parameter's versions, oldest first, up to 50
// a page.
func (s *Service) GetParameterHistory(ctx context.Context, in *GetParameterHistoryInput) (*GetParameterHistoryOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == nil {
		return nil, edge.MissingMember("name")
	}
	name, err := cleanName(*in.Name)
	if err != nil {
		return nil, err
	}
	limit, err := pageSize(in.MaxResults, 50, 50)
	if err != nil {
		return nil, err
	}
	start := 0
	if in.NextToken != "" {
		tok, err := decodeToken(in.NextToken)
		n, err2 := strconv.Atoi(tok)
		if err != nil || err2 != nil || n < 0 {
			return nil, errNextToken()
		}
		start = n
	}
	out := GetParameterHistoryOutput{Parameters: []History{}}
	err = s.st.View(func(tx store.Tx) error {
		r, err := getRecord(tx, m.Account, m.Region, name)
		if err != nil {
			return err
		}
		if r == nil {
			return errNotFound()
		}
		for i := start; i < len(r.Versions) && len(out.Parameters) < limit; i++ {
			out.Parameters = append(out.Parameters, history(r, &r.Versions[i], in.WithDecryption))
		}
		if next := start + len(out.Parameters); next < len(r.Versions) {
			out.NextToken = encodeToken(strconv.Itoa(next))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
