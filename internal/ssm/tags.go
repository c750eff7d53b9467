package ssm

import (
	"context"
	"sort"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// TagsInput is the request of AddTagsToResource, RemoveTagsFromResource and
// ListTagsForResource.
type TagsInput struct {
	ResourceType *string
	ResourceId   *string
	Tags         []Tag
	TagKeys      []string
}

// TagsOutput is the answer of the tag operations; TagList is set only by
// ListTagsForResource.
type TagsOutput struct {
	TagList *[]Tag `json:",omitempty"`
}

// AddTagsToResource adds or replaces tags on a parameter.
func (s *Service) AddTagsToResource(ctx context.Context, in *TagsInput) (*TagsOutput, error) {
	if in.Tags == nil {
		return nil, edge.MissingMember("tags")
	}
	return s.tagOp(ctx, in, true, func(r *record) error { return addTags(r, in.Tags) })
}

// RemoveTagsFromResource removes tags from a parameter; absent keys are no error.
func (s *Service) RemoveTagsFromResource(ctx context.Context, in *TagsInput) (*TagsOutput, error) {
	if in.TagKeys == nil {
		return nil, edge.MissingMember("tagKeys")
	}
	return s.tagOp(ctx, in, true, func(r *record) error {
		for _, k := range in.TagKeys {
			delete(r.Tags, k)
		}
		return nil
	})
}

// ListTagsForResource lists a parameter's tags, sorted by key.
func (s *Service) ListTagsForResource(ctx context.Context, in *TagsInput) (*TagsOutput, error) {
	var tags []Tag
	out, err := s.tagOp(ctx, in, false, func(r *record) error {
		tags = sortedTags(r.Tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.TagList = &tags
	return out, nil
}

// tagOp finds the parameter a tag request names and applies fn to it,
// saving it when write is set. Only the Parameter resource type lives here.
func (s *Service) tagOp(ctx context.Context, in *TagsInput, write bool, fn func(r *record) error) (*TagsOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.ResourceType == nil {
		return nil, edge.MissingMember("resourceType")
	}
	if in.ResourceId == nil {
		return nil, edge.MissingMember("resourceId")
	}
	if *in.ResourceType != "Parameter" {
		return nil, errResourceType()
	}
	ref, err := ParseRef(*in.ResourceId)
	if err != nil || ref.Selector() != "" {
		return nil, errResourceID()
	}
	apply := func(tx store.Tx) error {
		r, err := getRef(tx, m.Account, m.Region, ref)
		if err != nil {
			return err
		}
		if r == nil {
			return errResourceID()
		}
		if err := fn(r); err != nil {
			return err
		}
		if write {
			return putRecord(tx, m.Account, m.Region, r)
		}
		return nil
	}
	if write {
		err = s.st.Update(apply)
	} else {
		err = s.st.View(apply)
	}
	if err != nil {
		return nil, err
	}
	return &TagsOutput{}, nil
}

func addTags(r *record, tags []Tag) error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return errLength(t.Key, "tags.member.key", 1, 128)
		}
		if len(t.Value) > 256 {
			return errLength(t.Value, "tags.member.value", 0, 256)
		}
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		r.Tags[t.Key] = t.Value
	}
	if len(r.Tags) > maxTags {
		return edge.Errorf("TooManyTagsError", "The Tags parameter contains too many entries. You can add at most %d tags to a resource.", maxTags)
	}
	return nil
}

func sortedTags(m map[string]string) []Tag {
	tags := make([]Tag, 0, len(m))
	for k, v := range m {
		tags = append(tags, Tag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags
}
