package codepipeline

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type createPipelineInput struct {
	Pipeline *PipelineDeclaration `json:"pipeline"`
	Tags     []Tag                `json:"tags"`
}

type createPipelineOutput struct {
	Pipeline PipelineDeclaration `json:"pipeline"`
	Tags     []Tag               `json:"tags,omitempty"`
}

func callerARN(m *edge.Meta) string {
	return "arn:aws:iam::" + m.Account + ":root"
}

// customLookup returns the caller's custom action types for validation.
func customTypes(tx store.Tx, account, region string) customLookup {
	return func(id ActionTypeID) (ActionType, bool) {
		var t customType
		ok, err := getJSON(tx.Bucket(typesBucket(account, region)), typeKey(id), &t)
		if err != nil || !ok {
			return ActionType{}, false
		}
		return t.Type, true
	}
}

func validateTags(tags []Tag) error {
	if len(tags) > 50 {
		return edge.Errorf("TooManyTagsException", "Tag limit exceeded")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return edge.Errorf("InvalidTagsException", "The specified tag is not valid: %s", t.Key)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return edge.Errorf("InvalidTagsException", "Tag keys cannot start with the aws: prefix")
		}
	}
	return nil
}

func (s *Service) createPipeline(ctx context.Context, in *createPipelineInput) (*createPipelineOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Pipeline == nil {
		return nil, edge.MissingMember("pipeline")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	decl := *in.Pipeline
	var out *createPipelineOutput
	err := s.transact(ctx, func(r *run) error {
		if err := validate(&decl, m.Region, customTypes(r.tx, m.Account, m.Region)); err != nil {
			return err
		}
		b := r.tx.Bucket(pipelinesBucket(m.Account, m.Region))
		if b.Get([]byte(decl.Name)) != nil {
			return edge.Errorf("PipelineNameInUseException", "A pipeline with the name '%s' already exists in account '%s'", decl.Name, m.Account)
		}
		if b.Len() >= 1000 {
			return edge.Errorf("LimitExceededException", "Limit exceeded: maximum number of pipelines (1000)")
		}
		decl.Version = 1
		p := &pipelineRecord{Decl: decl, Created: r.now, Updated: r.now, Tags: in.Tags}
		if err := putJSON(b, []byte(decl.Name), p); err != nil {
			return err
		}
		if err := putJSON(r.tx.Bucket(versionsBucket(m.Account, m.Region)), versionKey(decl.Name, 1), decl); err != nil {
			return err
		}
		r.pipes[m.Account+"/"+m.Region+"/"+decl.Name] = p
		// A new pipeline runs once, as in AWS.
		vars, _ := resolveVariables(&decl, nil)
		r.newExecution(m.Account, m.Region, p, ExecutionTrigger{TriggerType: "CreatePipeline", TriggerDetail: callerARN(m)}, vars, nil, "")
		out = &createPipelineOutput{Pipeline: decl, Tags: in.Tags}
		return nil
	})
	s.refreshWatched()
	return out, err
}

type getPipelineInput struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
}

type getPipelineOutput struct {
	Pipeline PipelineDeclaration `json:"pipeline"`
	Metadata PipelineMetadata    `json:"metadata"`
}

func (s *Service) getPipeline(ctx context.Context, in *getPipelineInput) (*getPipelineOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	var out *getPipelineOutput
	err := s.st.View(func(tx store.Tx) error {
		p, err := loadPipeline(tx, m.Account, m.Region, in.Name)
		if err != nil {
			return err
		}
		out = &getPipelineOutput{Pipeline: p.Decl, Metadata: PipelineMetadata{PipelineArn: pipelineARN(m.Account, m.Region, in.Name),
			Created: edge.Epoch(p.Created), Updated: edge.Epoch(p.Updated)}}
		if in.Version != 0 && in.Version != p.Decl.Version {
			var d PipelineDeclaration
			ok, err := getJSON(tx.Bucket(versionsBucket(m.Account, m.Region)), versionKey(in.Name, in.Version), &d)
			if err != nil {
				return err
			}
			if !ok {
				return edge.Errorf("PipelineVersionNotFoundException", "Pipeline version %d for pipeline %s does not exist", in.Version, in.Name)
			}
			out.Pipeline = d
		}
		return nil
	})
	return out, err
}

type updatePipelineInput struct {
	Pipeline *PipelineDeclaration `json:"pipeline"`
}

type updatePipelineOutput struct {
	Pipeline PipelineDeclaration `json:"pipeline"`
}

func (s *Service) updatePipeline(ctx context.Context, in *updatePipelineInput) (*updatePipelineOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.Pipeline == nil {
		return nil, edge.MissingMember("pipeline")
	}
	decl := *in.Pipeline
	var out *updatePipelineOutput
	err := s.transact(ctx, func(r *run) error {
		if decl.Name == "" {
			return edge.MissingMember("pipeline.name")
		}
		p, err := r.pipeline(m.Account, m.Region, decl.Name)
		if err != nil {
			return err
		}
		if err := validate(&decl, m.Region, customTypes(r.tx, m.Account, m.Region)); err != nil {
			return err
		}
		if in.Pipeline.Version != 0 && in.Pipeline.Version != p.Decl.Version {
			return structureErr("The pipeline version %d does not match the current version %d", in.Pipeline.Version, p.Decl.Version)
		}
		decl.Version = p.Decl.Version + 1
		p.Decl, p.Updated = decl, r.now
		if err := putJSON(r.tx.Bucket(pipelinesBucket(m.Account, m.Region)), []byte(decl.Name), p); err != nil {
			return err
		}
		if err := putJSON(r.tx.Bucket(versionsBucket(m.Account, m.Region)), versionKey(decl.Name, decl.Version), decl); err != nil {
			return err
		}
		out = &updatePipelineOutput{Pipeline: decl}
		return nil
	})
	s.refreshWatched()
	return out, err
}

type nameInput struct {
	Name string `json:"name"`
}

func (s *Service) deletePipeline(ctx context.Context, in *nameInput) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	err := s.transact(ctx, func(r *run) error {
		b := r.tx.Bucket(pipelinesBucket(m.Account, m.Region))
		if b.Get([]byte(in.Name)) == nil {
			return nil
		}
		list, err := r.pipelineExecs(m.Account, m.Region, in.Name)
		if err != nil {
			return err
		}
		eb := r.tx.Bucket(execBucket(m.Account, m.Region))
		for _, ex := range list {
			for _, st := range ex.Stages {
				for _, a := range st.Actions {
					if a.ExecID != "" {
						r.cancels = append(r.cancels, a.ExecID)
					}
				}
			}
			k := execCacheKey(ex.Account, ex.Region, ex.Pipeline, ex.ID)
			delete(r.dirty, k)
			delete(r.execs, k)
			if err := eb.Delete(execKey(ex.Pipeline, ex.ID)); err != nil {
				return err
			}
			if err := r.tx.Bucket(activeBucket(m.Account, m.Region)).Delete(execKey(ex.Pipeline, ex.ID)); err != nil {
				return err
			}
		}
		prefix := []byte(in.Name + "/")
		for _, name := range []string{versionsBucket(m.Account, m.Region), latestBucket(m.Account, m.Region)} {
			vb := r.tx.Bucket(name)
			var keys [][]byte
			vb.Scan(prefix, store.PrefixEnd(prefix), false, func(k, _ []byte) bool {
				keys = append(keys, append([]byte(nil), k...))
				return true
			})
			for _, k := range keys {
				if err := vb.Delete(k); err != nil {
					return err
				}
			}
		}
		delete(r.wake, m.Account+"/"+m.Region+"/"+in.Name)
		return b.Delete([]byte(in.Name))
	})
	s.refreshWatched()
	return &struct{}{}, err
}

type listInput struct {
	NextToken  string `json:"nextToken"`
	MaxResults int    `json:"maxResults"`
}

type listPipelinesOutput struct {
	Pipelines []PipelineSummary `json:"pipelines"`
	NextToken string            `json:"nextToken,omitempty"`
}

// page slices n items by an opaque offset token.
func page(n int, token string, max, def, limit int) (start, end int, next string, err error) {
	if token != "" {
		start, err = strconv.Atoi(token)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", edge.Errorf("InvalidNextTokenException", "The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call.")
		}
	}
	if max == 0 {
		max = def
	}
	if max < 1 || max > limit {
		return 0, 0, "", edge.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", max, limit)
	}
	end = start + max
	if end >= n {
		end = n
	} else {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

func (s *Service) listPipelines(ctx context.Context, in *listInput) (*listPipelinesOutput, error) {
	m := edge.MetaFrom(ctx)
	var all []PipelineSummary
	err := s.st.View(func(tx store.Tx) error {
		var err error
		tx.Bucket(pipelinesBucket(m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var p pipelineRecord
			if err = json.Unmarshal(v, &p); err != nil {
				return false
			}
			all = append(all, PipelineSummary{Name: p.Decl.Name, Version: p.Decl.Version, PipelineType: p.Decl.PipelineType,
				ExecutionMode: p.Decl.ExecutionMode, Created: edge.Epoch(p.Created), Updated: edge.Epoch(p.Updated)})
			return true
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(all), in.NextToken, in.MaxResults, 1000, 1000)
	if err != nil {
		return nil, err
	}
	return &listPipelinesOutput{Pipelines: append([]PipelineSummary{}, all[start:end]...), NextToken: next}, nil
}

type transitionInput struct {
	PipelineName   string `json:"pipelineName"`
	StageName      string `json:"stageName"`
	TransitionType string `json:"transitionType"`
	Reason         string `json:"reason"`
}

func (s *Service) enableStageTransition(ctx context.Context, in *transitionInput) (*struct{}, error) {
	return &struct{}{}, s.setTransition(ctx, in, true)
}

func (s *Service) disableStageTransition(ctx context.Context, in *transitionInput) (*struct{}, error) {
	if in.Reason == "" {
		return nil, edge.MissingMember("reason")
	}
	if len(in.Reason) > 300 {
		return nil, edge.Validation("1 validation error detected: Value at 'reason' failed to satisfy constraint: Member must have length less than or equal to 300")
	}
	return &struct{}{}, s.setTransition(ctx, in, false)
}

func (s *Service) setTransition(ctx context.Context, in *transitionInput, enable bool) error {
	m := edge.MetaFrom(ctx)
	switch {
	case in.PipelineName == "":
		return edge.MissingMember("pipelineName")
	case in.StageName == "":
		return edge.MissingMember("stageName")
	case in.TransitionType != "Inbound" && in.TransitionType != "Outbound":
		return edge.Validation("1 validation error detected: Value '%s' at 'transitionType' failed to satisfy constraint: Member must satisfy enum value set: [Inbound, Outbound]", in.TransitionType)
	}
	return s.transact(ctx, func(r *run) error {
		p, err := r.pipeline(m.Account, m.Region, in.PipelineName)
		if err != nil {
			return err
		}
		found := false
		for _, st := range p.Decl.Stages {
			found = found || st.Name == in.StageName
		}
		if !found {
			return edge.Errorf("StageNotFoundException", "Stage %s not found in pipeline %s", in.StageName, in.PipelineName)
		}
		if p.Transitions == nil {
			p.Transitions = map[string]*transition{}
		}
		t := p.Transitions[in.StageName]
		if t == nil {
			t = &transition{}
			p.Transitions[in.StageName] = t
		}
		if in.TransitionType == "Inbound" {
			t.InboundDisabled, t.InboundReason = !enable, in.Reason
		} else {
			t.OutboundDisabled, t.OutboundReason = !enable, in.Reason
		}
		t.ChangedBy, t.ChangedAt = callerARN(m), r.now
		if err := putJSON(r.tx.Bucket(pipelinesBucket(m.Account, m.Region)), []byte(in.PipelineName), p); err != nil {
			return err
		}
		if enable {
			r.wake[m.Account+"/"+m.Region+"/"+in.PipelineName] = [3]string{m.Account, m.Region, in.PipelineName}
		}
		return nil
	})
}

// Tags.

type tagInput struct {
	ResourceArn string   `json:"resourceArn"`
	Tags        []Tag    `json:"tags"`
	TagKeys     []string `json:"tagKeys"`
	NextToken   string   `json:"nextToken"`
	MaxResults  int      `json:"maxResults"`
}

type tagsOutput struct {
	Tags      []Tag  `json:"tags"`
	NextToken string `json:"nextToken,omitempty"`
}

// withTags loads the tags of a pipeline or custom action type ARN, lets fn
// change them and stores them back when write is set.
func (s *Service) withTags(ctx context.Context, arn string, write bool, fn func(tags []Tag) []Tag) error {
	m := edge.MetaFrom(ctx)
	if arn == "" {
		return edge.MissingMember("resourceArn")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "codepipeline" {
		return edge.Errorf("InvalidArnException", "The specified resource ARN is not valid: %s", arn)
	}
	account, region, res := parts[4], parts[3], parts[5]
	if account != m.Account {
		return edge.Errorf("ResourceNotFoundException", "The resource with the ARN %s could not be found", arn)
	}
	update := func(tx store.Tx) error {
		if rest, ok := strings.CutPrefix(res, "actiontype:"); ok {
			p := strings.Split(rest, "/")
			if len(p) != 4 {
				return edge.Errorf("InvalidArnException", "The specified resource ARN is not valid: %s", arn)
			}
			b := tx.Bucket(typesBucket(account, region))
			id := ActionTypeID{Owner: p[0], Category: p[1], Provider: p[2], Version: p[3]}
			var t customType
			ok, err := getJSON(b, typeKey(id), &t)
			if err != nil {
				return err
			}
			if !ok {
				return edge.Errorf("ResourceNotFoundException", "The resource with the ARN %s could not be found", arn)
			}
			t.Tags = fn(t.Tags)
			if write {
				return putJSON(b, typeKey(id), &t)
			}
			return nil
		}
		b := tx.Bucket(pipelinesBucket(account, region))
		var p pipelineRecord
		ok, err := getJSON(b, []byte(res), &p)
		if err != nil {
			return err
		}
		if !ok {
			return edge.Errorf("ResourceNotFoundException", "The resource with the ARN %s could not be found", arn)
		}
		p.Tags = fn(p.Tags)
		if write {
			return putJSON(b, []byte(res), &p)
		}
		return nil
	}
	if write {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.st.Update(update)
	}
	return s.st.View(update)
}

func (s *Service) tagResource(ctx context.Context, in *tagInput) (*struct{}, error) {
	if in.Tags == nil {
		return nil, edge.MissingMember("tags")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	var tooMany bool
	err := s.withTags(ctx, in.ResourceArn, true, func(tags []Tag) []Tag {
		for _, t := range in.Tags {
			replaced := false
			for i := range tags {
				if tags[i].Key == t.Key {
					tags[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				tags = append(tags, t)
			}
		}
		tooMany = len(tags) > 50
		return tags
	})
	if err == nil && tooMany {
		return nil, edge.Errorf("TooManyTagsException", "Tag limit exceeded")
	}
	return &struct{}{}, err
}

func (s *Service) untagResource(ctx context.Context, in *tagInput) (*struct{}, error) {
	if in.TagKeys == nil {
		return nil, edge.MissingMember("tagKeys")
	}
	err := s.withTags(ctx, in.ResourceArn, true, func(tags []Tag) []Tag {
		var out []Tag
		for _, t := range tags {
			if !contains(in.TagKeys, t.Key) {
				out = append(out, t)
			}
		}
		return out
	})
	return &struct{}{}, err
}

func (s *Service) listTagsForResource(ctx context.Context, in *tagInput) (*tagsOutput, error) {
	var all []Tag
	err := s.withTags(ctx, in.ResourceArn, false, func(tags []Tag) []Tag { all = tags; return tags })
	if err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Key < all[j].Key })
	start, end, next, err := page(len(all), in.NextToken, in.MaxResults, 50, 100)
	if err != nil {
		return nil, err
	}
	return &tagsOutput{Tags: append([]Tag{}, all[start:end]...), NextToken: next}, nil
}
