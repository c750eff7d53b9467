package secretsmanager

import (
	"context"
	"slices"

	"tenkai/internal/edge"
)

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	SecretId *string
	Tags     []Tag
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	SecretId *string
	TagKeys  []string
}

// Empty is the empty answer of the tag operations.
type Empty struct{}

// TagResource adds or replaces tags on a secret.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	if in.Tags == nil {
		return nil, edge.MissingMember("tags")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err := s.update(edge.MetaFrom(ctx), *in.SecretId, true, func(sec *secret) error {
		sec.Tags = mergeTags(sec.Tags, in.Tags)
		if len(sec.Tags) > maxTags {
			return errRequest("The request failed because it would exceed the maximum number of tags (%d) on the secret.", maxTags)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// UntagResource removes tags from a secret; absent keys are no error.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	if in.SecretId == nil {
		return nil, edge.MissingMember("secretId")
	}
	if in.TagKeys == nil {
		return nil, edge.MissingMember("tagKeys")
	}
	err := s.update(edge.MetaFrom(ctx), *in.SecretId, true, func(sec *secret) error {
		sec.Tags = slices.DeleteFunc(sec.Tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
