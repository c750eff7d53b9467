package sns

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

var reTopicName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`) })

// topicAttrs are the attributes CreateTopic and SetTopicAttributes accept;
// FifoTopic only at creation.
var topicAttrs = map[string]bool{
	"DeliveryPolicy": true, "DisplayName": true, "Policy": true, "KmsMasterKeyId": true, "SignatureVersion": true,
	"TracingConfig": true, "FifoTopic": true, "ContentBasedDeduplication": true, "ArchivePolicy": true,
	"DataProtectionPolicy": true, "FifoThroughputScope": true,
	"ApplicationSuccessFeedbackRoleArn": true, "ApplicationSuccessFeedbackSampleRate": true, "ApplicationFailureFeedbackRoleArn": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true, "HTTPFailureFeedbackRoleArn": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true, "LambdaFailureFeedbackRoleArn": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true, "SQSFailureFeedbackRoleArn": true,
	"FirehoseSuccessFeedbackRoleArn": true, "FirehoseSuccessFeedbackSampleRate": true, "FirehoseFailureFeedbackRoleArn": true,
}

// checkTopicAttr validates one topic attribute.
func checkTopicAttr(name, value string, fifo bool) error {
	if !topicAttrs[name] {
		return errParam("AttributeName")
	}
	switch name {
	case "FifoTopic", "ContentBasedDeduplication":
		if value != "true" && value != "false" {
			return errParam("Attributes Reason: Invalid value [%s] for %s. Valid values are true or false.", value, name)
		}
		if name == "ContentBasedDeduplication" && value == "true" && !fifo {
			return errParam("Attributes Reason: Content based deduplication can only be set for FIFO topics")
		}
	case "Policy", "DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy":
		if value != "" && !json.Valid([]byte(value)) {
			return errParam("Attributes Reason: %s: failed to parse JSON.", name)
		}
	case "DisplayName":
		if len(value) > 100 {
			return errParam("DisplayName")
		}
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return errParam("Attributes Reason: SignatureVersion: Invalid value [%s]. Valid values are 1 or 2.", value)
		}
	}
	return nil
}

func (s *Service) createTopic(ctx context.Context, form url.Values) (any, error) {
	name := form.Get("Name")
	if name == "" {
		return nil, errMissing("Name")
	}
	attrs := formMap(form, "Attributes")
	if attrs == nil {
		attrs = map[string]string{}
	}
	fifo := attrs["FifoTopic"] == "true"
	base, isFifoName := strings.CutSuffix(name, ".fifo")
	switch {
	case fifo && (!isFifoName || !reTopicName().MatchString(base)):
		return nil, errParam("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
	case !fifo && !reTopicName().MatchString(name):
		return nil, errParam("Topic Name")
	}
	if !fifo && attrs["FifoTopic"] == "false" {
		delete(attrs, "FifoTopic")
	}
	for k, v := range attrs {
		if err := checkTopicAttr(k, v, fifo); err != nil {
			return nil, err
		}
	}
	if fifo && attrs["ContentBasedDeduplication"] == "" {
		attrs["ContentBasedDeduplication"] = "false"
	}
	tags := formTags(form)
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	m := edge.MetaFrom(ctx)
	arn := topicARN(m.Region, m.Account, name)
	err := s.st.Update(func(tx store.Tx) error {
		if old := loadTopic(tx, arn); old != nil {
			// CreateTopic is idempotent for the same attributes and tags.
			for k, v := range attrs {
				if old.Attrs[k] != v {
					return errParam("Attributes Reason: Topic already exists with different attributes")
				}
			}
			if len(tags) > 0 && !sameTags(old.Tags, tags) {
				return errParam("Tags Reason: Topic already exists with different tags")
			}
			return nil
		}
		return putJSON(tx.Bucket(topicsBucket), arn, &topic{ARN: arn, Attrs: attrs, Tags: mergeTags(nil, tags)})
	})
	if err != nil {
		return nil, err
	}
	return struct {
		TopicArn string `xml:"TopicArn"`
	}{arn}, nil
}

// topicFromForm reads and checks the TopicArn member.
func topicFromForm(form url.Values, member string) (string, error) {
	arn := form.Get(member)
	if arn == "" {
		return "", errMissing(member)
	}
	if p, ok := parseARN(arn); !ok || p.Sub != "" {
		return "", errParam("%s", member)
	}
	return arn, nil
}

// deleteTopic removes a topic and its subscriptions. AWS documents it as
// idempotent: a topic that does not exist is no error.
func (s *Service) deleteTopic(ctx context.Context, form url.Values) (any, error) {
	arn, err := topicFromForm(form, "TopicArn")
	if err != nil {
		return nil, err
	}
	return nil, s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(subsBucket)
		for _, sb := range topicSubs(tx, arn) {
			if err := b.Delete([]byte(sb.ARN)); err != nil {
				return err
			}
		}
		prefix := []byte(arn + "\x00")
		db := tx.Bucket(dedupBucket)
		var keys [][]byte
		db.Scan(prefix, store.PrefixEnd(prefix), false, func(k, _ []byte) bool {
			keys = append(keys, append([]byte(nil), k...))
			return true
		})
		for _, k := range keys {
			if err := db.Delete(k); err != nil {
				return err
			}
		}
		return tx.Bucket(topicsBucket).Delete([]byte(arn))
	})
}

type topicMember struct {
	TopicArn string `xml:"TopicArn"`
}

func (s *Service) listTopics(ctx context.Context, form url.Values) (any, error) {
	from, err := pageKey(form.Get("NextToken"))
	if err != nil {
		return nil, err
	}
	m := edge.MetaFrom(ctx)
	prefix := topicPrefix(m.Region, m.Account)
	if from != "" && !strings.HasPrefix(from, prefix) {
		return nil, errParam("NextToken")
	}
	if from == "" {
		from = prefix
	}
	out := struct {
		Topics    list[topicMember] `xml:"Topics"`
		NextToken string            `xml:"NextToken,omitempty"`
	}{Topics: list[topicMember]{}}
	err = s.st.View(func(tx store.Tx) error {
		tx.Bucket(topicsBucket).Scan([]byte(from), store.PrefixEnd([]byte(prefix)), false, func(k, _ []byte) bool {
			if len(out.Topics) == pageSize {
				out.NextToken = pageToken(string(k))
				return false
			}
			out.Topics = append(out.Topics, topicMember{string(k)})
			return true
		})
		return nil
	})
	return out, err
}

// defaultPolicy is the access policy AWS gives a new topic.
func defaultPolicy(arn, account string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow",` +
		`"Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission",` +
		`"SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],` +
		`"Resource":"` + arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + account + `"}}}]}`
}

// defaultDeliveryPolicy is the EffectiveDeliveryPolicy of a topic with no
// DeliveryPolicy of its own.
const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,` +
	`"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},` +
	`"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// topicAttributes returns what GetTopicAttributes shows of a topic: the
// user's attributes with AWS's computed ones, or a NotFound error.
func (s *Service) topicAttributes(ctx context.Context, arn string) (map[string]string, error) {
	p, ok := parseARN(arn)
	if !ok || p.Sub != "" {
		return nil, errParam("TopicArn")
	}
	var out map[string]string
	err := s.st.View(func(tx store.Tx) error {
		t := loadTopic(tx, arn)
		if t == nil {
			return errNoTopic()
		}
		out = maps.Clone(t.Attrs)
		out["TopicArn"], out["Owner"] = arn, p.Account
		if out["Policy"] == "" {
			out["Policy"] = defaultPolicy(arn, p.Account)
		}
		out["DisplayName"] = t.Attrs["DisplayName"] // shown even when unset
		out["EffectiveDeliveryPolicy"] = defaultDeliveryPolicy
		if dp := out["DeliveryPolicy"]; dp != "" {
			out["EffectiveDeliveryPolicy"] = dp
		}
		var confirmed, pending int
		for _, sb := range topicSubs(tx, arn) {
			if sb.Pending {
				pending++
			} else {
				confirmed++
			}
		}
		out["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
		out["SubscriptionsPending"] = strconv.Itoa(pending)
		out["SubscriptionsDeleted"] = strconv.Itoa(t.Deleted)
		return nil
	})
	return out, err
}

func (s *Service) getTopicAttributes(ctx context.Context, form url.Values) (any, error) {
	arn, err := topicFromForm(form, "TopicArn")
	if err != nil {
		return nil, err
	}
	attrs, err := s.topicAttributes(ctx, arn)
	if err != nil {
		return nil, err
	}
	return struct {
		Attributes attrMap `xml:"Attributes"`
	}{attrs}, nil
}

func (s *Service) setTopicAttributes(ctx context.Context, form url.Values) (any, error) {
	arn, err := topicFromForm(form, "TopicArn")
	if err != nil {
		return nil, err
	}
	name, value := form.Get("AttributeName"), form.Get("AttributeValue")
	if name == "" {
		return nil, errMissing("AttributeName")
	}
	return nil, s.updateTopic(arn, errNoTopic, func(t *topic) error {
		if name == "FifoTopic" {
			return errParam("AttributeName")
		}
		if err := checkTopicAttr(name, value, t.fifo()); err != nil {
			return err
		}
		if value == "" && name != "DisplayName" {
			delete(t.Attrs, name)
		} else {
			t.Attrs[name] = value
		}
		return nil
	})
}

// updateTopic loads a topic, applies fn and stores it; missing makes the
// error for a topic that does not exist.
func (s *Service) updateTopic(arn string, missing func() *edge.Error, fn func(t *topic) error) error {
	return s.st.Update(func(tx store.Tx) error {
		t := loadTopic(tx, arn)
		if t == nil {
			return missing()
		}
		if t.Attrs == nil {
			t.Attrs = map[string]string{}
		}
		if err := fn(t); err != nil {
			return err
		}
		return putJSON(tx.Bucket(topicsBucket), arn, t)
	})
}

const maxTags = 50

func checkTags(tags []Tag) error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return errParam("Tags Reason: tag key or value is not valid")
		}
	}
	return nil
}

func sameTags(a, b []Tag) bool {
	return slices.Equal(mergeTags(nil, a), mergeTags(nil, b))
}

// mergeTags sets tags over old, sorted by key.
func mergeTags(old, tags []Tag) []Tag {
	m := map[string]string{}
	for _, t := range old {
		m[t.Key] = t.Value
	}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	out := make([]Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Tag{Key: k, Value: m[k]})
	}
	return out
}

func resourceFromForm(form url.Values) (string, error) {
	arn := form.Get("ResourceArn")
	if arn == "" {
		return "", errMissing("ResourceArn")
	}
	if p, ok := parseARN(arn); !ok || p.Sub != "" {
		return "", errNoResource()
	}
	return arn, nil
}

func (s *Service) tagResource(ctx context.Context, form url.Values) (any, error) {
	arn, err := resourceFromForm(form)
	if err != nil {
		return nil, err
	}
	tags := formTags(form)
	if len(tags) == 0 {
		return nil, errMissing("Tags")
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	err = s.updateTopic(arn, errNoResource, func(t *topic) error {
		merged := mergeTags(t.Tags, tags)
		if len(merged) > maxTags {
			return errTagLimit()
		}
		t.Tags = merged
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) untagResource(ctx context.Context, form url.Values) (any, error) {
	arn, err := resourceFromForm(form)
	if err != nil {
		return nil, err
	}
	keys := formList(form, "TagKeys")
	if len(keys) == 0 {
		return nil, errMissing("TagKeys")
	}
	err = s.updateTopic(arn, errNoResource, func(t *topic) error {
		t.Tags = slices.DeleteFunc(t.Tags, func(tg Tag) bool { return slices.Contains(keys, tg.Key) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, form url.Values) (any, error) {
	arn, err := resourceFromForm(form)
	if err != nil {
		return nil, err
	}
	var t *topic
	_ = s.st.View(func(tx store.Tx) error { t = loadTopic(tx, arn); return nil })
	if t == nil {
		return nil, errNoResource()
	}
	return struct {
		Tags list[Tag] `xml:"Tags"`
	}{list[Tag](append([]Tag{}, t.Tags...))}, nil
}
