package events

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

const maxTargetsPerRule = 5

type putTargetsIn struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName"`
	Targets      []Target `json:"Targets"`
}

type failedEntry struct {
	TargetId     string `json:"TargetId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

type putTargetsOut struct {
	FailedEntryCount int           `json:"FailedEntryCount"`
	FailedEntries    []failedEntry `json:"FailedEntries"`
}

// checkTarget returns why a target is refused, or "".
func checkTarget(t *Target) string {
	switch {
	case !targetIDRe().MatchString(t.Id):
		return "Parameter Id is not valid."
	case !strings.HasPrefix(t.Arn, "arn:"):
		return "Parameter " + t.Arn + " is not valid. Reason: Provided Arn is not in correct format."
	}
	// AWS needs the message group of a FIFO queue target up front.
	if svc, _, _, _, ok := splitARN(t.Arn); ok && svc == "sqs" && strings.HasSuffix(t.Arn, ".fifo") &&
		(t.SqsParameters == nil || t.SqsParameters.MessageGroupId == "") {
		return "Parameter(s) SqsParameters must be specified for target: " + t.Id + "."
	}
	n := 0
	if t.Input != nil {
		n++
	}
	if t.InputPath != nil {
		n++
	}
	if t.InputTransformer != nil {
		n++
		if t.InputTransformer.InputTemplate == "" {
			return "Parameter InputTemplate is not valid."
		}
		for k := range t.InputTransformer.InputPathsMap {
			if strings.HasPrefix(k, "aws.events.") {
				return "Parameter InputPathsMap is not valid. Reason: " + k + " is a reserved keyword."
			}
		}
	}
	if n > 1 {
		return "Only one of Input, InputPath, or InputTransformer must be provided."
	}
	if t.Input != nil && !json.Valid([]byte(*t.Input)) {
		return "Parameter Input is not valid."
	}
	return ""
}

var pathKeyRe = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// checkTargetLimits applies the API model's constraints to the n-th target
// (1-based, as AWS numbers list members in its messages).
func checkTargetLimits(n int, t *Target) error {
	at := func(member string) string { return "targets." + strconv.Itoa(n) + ".member." + member }
	switch {
	case longer(t.Arn, maxTargetARNLen):
		return tooLong(t.Arn, at("arn"), maxTargetARNLen)
	case t.Input != nil && longer(*t.Input, maxTargetInputLen):
		return tooLong(*t.Input, at("input"), maxTargetInputLen)
	case t.InputPath != nil && longer(*t.InputPath, maxInputPathLen):
		return tooLong(*t.InputPath, at("inputPath"), maxInputPathLen)
	}
	if p := t.RetryPolicy; p != nil {
		if v := p.MaximumRetryAttempts; v != nil && *v < 0 {
			return tooSmall(*v, at("retryPolicy.maximumRetryAttempts"), 0)
		} else if v != nil && *v > defaultMaxRetries {
			return tooBig(*v, at("retryPolicy.maximumRetryAttempts"), defaultMaxRetries)
		}
		if v := p.MaximumEventAgeInSeconds; v != nil && *v < 60 {
			return tooSmall(*v, at("retryPolicy.maximumEventAgeInSeconds"), 60)
		} else if v != nil && *v > int(defaultMaxAge/time.Second) {
			return tooBig(*v, at("retryPolicy.maximumEventAgeInSeconds"), int(defaultMaxAge/time.Second))
		}
	}
	if it := t.InputTransformer; it != nil {
		if longer(it.InputTemplate, maxTargetInputLen) {
			return tooLong(it.InputTemplate, at("inputTransformer.inputTemplate"), maxTargetInputLen)
		}
		if len(it.InputPathsMap) > maxInputPaths {
			return tooMany(at("inputTransformer.inputPathsMap"), maxInputPaths)
		}
		for k, v := range it.InputPathsMap {
			// Reserved names fail per target in checkTarget, as in AWS.
			if !strings.HasPrefix(k, "aws.events.") && (len(k) > 256 || !pathKeyRe.MatchString(k)) {
				return edge.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]", k, at("inputTransformer.inputPathsMap"))
			}
			if longer(v, maxInputPathLen) {
				return tooLong(v, at("inputTransformer.inputPathsMap"), maxInputPathLen)
			}
		}
	}
	return nil
}

func (s *Service) putTargets(ctx context.Context, in *putTargetsIn) (*putTargetsOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Rule == "" {
		return nil, edge.MissingMember("rule")
	}
	if len(in.Targets) == 0 {
		return nil, edge.MissingMember("targets")
	}
	if len(in.Targets) > maxTargetsPerCall {
		return nil, edge.Validation("1 validation error detected: Value '%d' at 'targets' failed to satisfy constraint: Member must have length less than or equal to %d", len(in.Targets), maxTargetsPerCall)
	}
	for i := range in.Targets {
		if err := checkTargetLimits(i+1, &in.Targets[i]); err != nil {
			return nil, err
		}
	}
	bus := busName(in.EventBusName)
	out := &putTargetsOut{FailedEntries: []failedEntry{}}
	err := s.st.Update(func(tx store.Tx) error {
		r, err := s.loadRule(tx, m.Account, m.Region, bus, in.Rule)
		if err != nil {
			return err
		}
		for i := range in.Targets {
			t := in.Targets[i]
			if msg := checkTarget(&t); msg != "" {
				out.FailedEntries = append(out.FailedEntries, failedEntry{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: msg})
				continue
			}
			replaced := false
			for j := range r.Targets {
				if r.Targets[j].Id == t.Id {
					r.Targets[j] = t
					replaced = true
				}
			}
			if !replaced {
				if len(r.Targets) >= maxTargetsPerRule {
					return edge.Errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
				}
				r.Targets = append(r.Targets, t)
			}
		}
		return putJSON(tx.Bucket(ruleBucket(m.Account, m.Region)), ruleKey(bus, in.Rule), r)
	})
	if err != nil {
		return nil, err
	}
	out.FailedEntryCount = len(out.FailedEntries)
	s.invalidate(m.Account, m.Region, bus)
	return out, nil
}

type removeTargetsIn struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName"`
	Ids          []string `json:"Ids"`
	Force        bool     `json:"Force"`
}

func (s *Service) removeTargets(ctx context.Context, in *removeTargetsIn) (*putTargetsOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Rule == "" {
		return nil, edge.MissingMember("rule")
	}
	if len(in.Ids) == 0 {
		return nil, edge.MissingMember("ids")
	}
	bus := busName(in.EventBusName)
	out := &putTargetsOut{FailedEntries: []failedEntry{}}
	err := s.st.Update(func(tx store.Tx) error {
		r, err := s.loadRule(tx, m.Account, m.Region, bus, in.Rule)
		if err != nil {
			return err
		}
		drop := map[string]bool{}
		for _, id := range in.Ids {
			drop[id] = true
		}
		kept := r.Targets[:0]
		for _, t := range r.Targets {
			if !drop[t.Id] {
				kept = append(kept, t)
			}
		}
		r.Targets = kept
		return putJSON(tx.Bucket(ruleBucket(m.Account, m.Region)), ruleKey(bus, in.Rule), r)
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(m.Account, m.Region, bus)
	return out, nil
}

type listTargetsIn struct {
	Rule         string `json:"Rule"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        int    `json:"Limit"`
}

type listTargetsOut struct {
	Targets   []Target `json:"Targets"`
	NextToken string   `json:"NextToken,omitempty"`
}

func (s *Service) listTargetsByRule(ctx context.Context, in *listTargetsIn) (*listTargetsOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Rule == "" {
		return nil, edge.MissingMember("rule")
	}
	bus := busName(in.EventBusName)
	var out listTargetsOut
	err := s.st.View(func(tx store.Tx) error {
		r, err := s.loadRule(tx, m.Account, m.Region, bus, in.Rule)
		if err != nil {
			return err
		}
		page, next, err := pageOf(r.Targets, in.NextToken, in.Limit)
		if err != nil {
			return err
		}
		out.Targets, out.NextToken = page, next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// pageOf pages targets in the order the rule holds them; the token is the
// index of the first target of the next page.
func pageOf(ts []Target, token string, limit int) ([]Target, string, error) {
	if err := checkLimit(limit); err != nil {
		return nil, "", err
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(ts) {
			return nil, "", edge.Validation("The NextToken provided is not valid.")
		}
		start = n
	}
	if limit == 0 {
		limit = maxListLimit
	}
	end := min(start+limit, len(ts))
	page := append([]Target{}, ts[start:end]...)
	if end < len(ts) {
		return page, strconv.Itoa(end), nil
	}
	return page, "", nil
}

type listRuleNamesByTargetIn struct {
	TargetArn    string `json:"TargetArn"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        int    `json:"Limit"`
}

type listRuleNamesOut struct {
	RuleNames []string `json:"RuleNames"`
	NextToken string   `json:"NextToken,omitempty"`
}

func (s *Service) listRuleNamesByTarget(ctx context.Context, in *listRuleNamesByTargetIn) (*listRuleNamesOut, error) {
	m := edge.MetaFrom(ctx)
	if in.TargetArn == "" {
		return nil, edge.MissingMember("targetArn")
	}
	bus := busName(in.EventBusName)
	var names []string
	err := s.st.View(func(tx store.Tx) error {
		if !busExists(tx, m.Account, m.Region, bus) {
			return notFoundBus(bus)
		}
		var derr error
		prefix := ruleKey(bus, "")
		tx.Bucket(ruleBucket(m.Account, m.Region)).Scan(prefix, store.PrefixEnd(prefix), false, func(_, v []byte) bool {
			var r Rule
			if derr = json.Unmarshal(v, &r); derr != nil {
				return false
			}
			for _, t := range r.Targets {
				if t.Arn == in.TargetArn {
					names = append(names, r.Name)
					break
				}
			}
			return true
		})
		return derr
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	if page == nil {
		page = []string{}
	}
	return &listRuleNamesOut{RuleNames: page, NextToken: next}, nil
}

// Tags live in one bucket keyed by resource ARN.

func setTags(tx store.Tx, acct, region, arn string, tags []tag) error {
	if len(tags) == 0 {
		return nil
	}
	b := tx.Bucket(tagBucket(acct, region))
	cur := map[string]string{}
	if _, err := getJSON(b, []byte(arn), &cur); err != nil {
		return err
	}
	for _, t := range tags {
		cur[t.Key] = t.Value
	}
	return putJSON(b, []byte(arn), cur)
}

type tagResourceIn struct {
	ResourceARN string   `json:"ResourceARN"`
	Tags        []tag    `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
}

// resourceExists checks that an ARN names a bus, rule, connection or API destination here.
func (s *Service) resourceExists(tx store.Tx, acct, region, arn string) bool {
	prefix := "arn:aws:events:" + region + ":" + acct + ":"
	if !strings.HasPrefix(arn, prefix) {
		return false
	}
	rest := arn[len(prefix):]
	kind, name, _ := strings.Cut(rest, "/")
	switch kind {
	case "event-bus":
		return busExists(tx, acct, region, name)
	case "rule":
		bus, rule := "default", name
		if i := strings.LastIndex(name, "/"); i >= 0 {
			bus, rule = name[:i], name[i+1:]
		}
		return tx.Bucket(ruleBucket(acct, region)).Get(ruleKey(bus, rule)) != nil
	case "connection":
		n, _, _ := strings.Cut(name, "/")
		return tx.Bucket(connBucket(acct, region)).Get([]byte(n)) != nil
	case "api-destination":
		n, _, _ := strings.Cut(name, "/")
		return tx.Bucket(destBucket(acct, region)).Get([]byte(n)) != nil
	}
	return false
}

func (s *Service) tagResource(ctx context.Context, in *tagResourceIn) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		if !s.resourceExists(tx, m.Account, m.Region, in.ResourceARN) {
			return edge.Errorf("ResourceNotFoundException", "Resource %s does not exist.", in.ResourceARN)
		}
		return setTags(tx, m.Account, m.Region, in.ResourceARN, in.Tags)
	})
}

func (s *Service) untagResource(ctx context.Context, in *tagResourceIn) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		if !s.resourceExists(tx, m.Account, m.Region, in.ResourceARN) {
			return edge.Errorf("ResourceNotFoundException", "Resource %s does not exist.", in.ResourceARN)
		}
		b := tx.Bucket(tagBucket(m.Account, m.Region))
		cur := map[string]string{}
		if _, err := getJSON(b, []byte(in.ResourceARN), &cur); err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			delete(cur, k)
		}
		return putJSON(b, []byte(in.ResourceARN), cur)
	})
}

type listTagsOut struct {
	Tags []tag `json:"Tags"`
}

func (s *Service) listTagsForResource(ctx context.Context, in *tagResourceIn) (*listTagsOut, error) {
	m := edge.MetaFrom(ctx)
	out := &listTagsOut{Tags: []tag{}}
	err := s.st.View(func(tx store.Tx) error {
		if !s.resourceExists(tx, m.Account, m.Region, in.ResourceARN) {
			return edge.Errorf("ResourceNotFoundException", "Resource %s does not exist.", in.ResourceARN)
		}
		cur := map[string]string{}
		if _, err := getJSON(tx.Bucket(tagBucket(m.Account, m.Region)), []byte(in.ResourceARN), &cur); err != nil {
			return err
		}
		for k, v := range cur {
			out.Tags = append(out.Tags, tag{k, v})
		}
		return nil
	})
	sortTags(out.Tags)
	return out, err
}

func sortTags(t []tag) {
	for i := 1; i < len(t); i++ {
		for j := i; j > 0 && t[j].Key < t[j-1].Key; j-- {
			t[j], t[j-1] = t[j-1], t[j]
		}
	}
}
