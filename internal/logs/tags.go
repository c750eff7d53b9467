package logs

import (
	"context"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

const maxTags = 50

// checkTags validates keys and values as the model's Tags map does.
func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return edge.Errorf("TooManyTagsException", "A resource can have no more than %d tags.", maxTags)
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || strings.HasPrefix(k, "aws:") {
			return errInvalid("1 validation error detected: Value '%s' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]", k)
		}
		if len(v) > 256 {
			return errInvalid("1 validation error detected: Value '%s' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256]", v)
		}
	}
	return nil
}

// mergeTags adds tags to g, refusing to go past the limit.
func mergeTags(g *groupMeta, tags map[string]string, arn string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	n := len(g.Tags)
	for k := range tags {
		if _, ok := g.Tags[k]; !ok {
			n++
		}
	}
	if n > maxTags {
		return edge.Errorf("TooManyTagsException", "A resource can have no more than %d tags.", maxTags).With("resourceName", arn)
	}
	if g.Tags == nil {
		g.Tags = map[string]string{}
	}
	for k, v := range tags {
		g.Tags[k] = v
	}
	return nil
}

type tagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
	TagKeys     []string          `json:"tagKeys"`
}

type tagsOutput struct {
	Tags map[string]string `json:"tags"`
}

// arnGroup resolves a resourceArn to a log group. Only log groups carry tags here.
func arnGroup(arn string) (account, region, group string, err error) {
	if arn == "" {
		return "", "", "", errMissing("resourceArn")
	}
	a, r, g, ok := parseGroupARN(arn)
	if !ok {
		return "", "", "", errInvalid("Invalid ARN: %s", arn)
	}
	return a, r, g, nil
}

func (s *Service) tagResource(ctx context.Context, in *tagResourceInput) (*empty, error) {
	a, r, g, err := arnGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissing("tags")
	}
	return nil, s.updateGroup(a, r, g, func(gm *groupMeta) error { return mergeTags(gm, in.Tags, in.ResourceArn) })
}

func (s *Service) untagResource(ctx context.Context, in *tagResourceInput) (*empty, error) {
	a, r, g, err := arnGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errMissing("tagKeys")
	}
	return nil, s.updateGroup(a, r, g, func(gm *groupMeta) error {
		for _, k := range in.TagKeys {
			delete(gm.Tags, k)
		}
		return nil
	})
}

func (s *Service) listTagsForResource(ctx context.Context, in *tagResourceInput) (*tagsOutput, error) {
	a, r, g, err := arnGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return s.groupTags(a, r, g)
}

func (s *Service) groupTags(account, region, name string) (*tagsOutput, error) {
	var gm *groupMeta
	err := s.st.View(func(tx store.Tx) error {
		var err error
		gm, err = getGroup(tx, account, region, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	tags := gm.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return &tagsOutput{Tags: tags}, nil
}

type tagLogGroupInput struct {
	LogGroupName string            `json:"logGroupName"`
	Tags         map[string]string `json:"tags"`
}

func (s *Service) tagLogGroup(ctx context.Context, in *tagLogGroupInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissing("tags")
	}
	arn := groupARNBare(m.Account, m.Region, in.LogGroupName)
	return nil, s.updateGroup(m.Account, m.Region, in.LogGroupName, func(gm *groupMeta) error { return mergeTags(gm, in.Tags, arn) })
}

type untagLogGroupInput struct {
	LogGroupName string   `json:"logGroupName"`
	Tags         []string `json:"tags"`
}

func (s *Service) untagLogGroup(ctx context.Context, in *untagLogGroupInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissing("tags")
	}
	return nil, s.updateGroup(m.Account, m.Region, in.LogGroupName, func(gm *groupMeta) error {
		for _, k := range in.Tags {
			delete(gm.Tags, k)
		}
		return nil
	})
}

func (s *Service) listTagsLogGroup(ctx context.Context, in *groupNameInput) (*tagsOutput, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return s.groupTags(m.Account, m.Region, in.LogGroupName)
}
