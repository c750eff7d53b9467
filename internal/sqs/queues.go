package sqs

import (
	"context"
	"encoding/base64"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type createQueueIn struct {
	QueueName  *string           `json:"QueueName"`
	Attributes map[string]string `json:"Attributes"`
	Tags       map[string]string `json:"tags"`
}

type queueURLOut struct {
	QueueUrl string `json:"QueueUrl"`
}

// validName checks a queue name: 1 to 80 characters of [A-Za-z0-9_-], with
// the .fifo suffix (counted in the 80) exactly for FIFO queues.
func validName(name string, fifo bool) bool {
	base := name
	if fifo {
		var ok bool
		if base, ok = strings.CutSuffix(name, ".fifo"); !ok {
			return false
		}
	}
	if base == "" || len(name) > 80 {
		return false
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Service) createQueue(ctx context.Context, in *createQueueIn) (*queueURLOut, error) {
	if in.QueueName == nil {
		return nil, errMissing("QueueName")
	}
	name := *in.QueueName
	fifo := strings.EqualFold(in.Attributes["FifoQueue"], "true")
	if !validName(name, fifo) {
		if fifo {
			return nil, errParam("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil, errParam("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	given := map[string]string{}
	for k, v := range in.Attributes {
		nv, err := normalizeAttr(k, v, fifo)
		if err != nil {
			return nil, err
		}
		given[k] = nv
	}
	if len(in.Tags) > 50 {
		return nil, errParam("Too many tags added for queue %s.", name)
	}
	m := edge.MetaFrom(ctx)
	if err := s.load(); err != nil {
		return nil, err
	}
	k := key(m.Account, m.Region, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queues[k]; q != nil {
		q.mu.Lock()
		defer q.mu.Unlock()
		for _, a := range sortedKeys(given) {
			cur := q.meta.Attrs[a]
			if a == "FifoQueue" && cur == "" {
				cur = "false"
			}
			if cur != given[a] {
				return nil, errQueueExists(a)
			}
		}
		return &queueURLOut{QueueUrl: queueURL(ctx, m.Account, name)}, nil
	}
	now := s.clk.Now()
	if at, ok := s.deleted[k]; ok && now.Sub(at) < recreateInterval*time.Second {
		return nil, errDeletedRecently()
	}
	arn := queueARN(m.Region, m.Account, name)
	if err := s.checkRedriveLocked(given["RedrivePolicy"], arn, fifo); err != nil {
		return nil, err
	}
	attrs := defaultAttrs(fifo)
	for a, v := range given {
		if a == "FifoQueue" && v == "false" {
			continue
		}
		setAttr(attrs, a, v)
	}
	meta := queueMeta{Account: m.Account, Region: m.Region, Name: name, Attrs: attrs, Tags: in.Tags,
		Created: now.Unix(), Modified: now.Unix()}
	if err := s.st.Update(func(tx store.Tx) error {
		return putJSON(tx.Bucket(queuesBucket(m.Account, m.Region)), name, &meta)
	}); err != nil {
		return nil, err
	}
	s.queues[k] = newQueue(meta)
	delete(s.deleted, k)
	return &queueURLOut{QueueUrl: queueURL(ctx, m.Account, name)}, nil
}

// setAttr stores a canonical value; empty JSON policies are removed, and a
// KMS key turns SSE-SQS off as in AWS.
func setAttr(attrs map[string]string, name, value string) {
	switch name {
	case "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId":
		if value == "" {
			delete(attrs, name)
			return
		}
	}
	attrs[name] = value
	if name == "KmsMasterKeyId" {
		attrs["SqsManagedSseEnabled"] = "false"
		if _, ok := attrs["KmsDataKeyReusePeriodSeconds"]; !ok {
			attrs["KmsDataKeyReusePeriodSeconds"] = "300"
		}
	}
}

// checkRedriveLocked validates a RedrivePolicy's target: it must exist, be
// of the source's kind and allow the source. The caller holds s.mu.
func (s *Service) checkRedriveLocked(policy, sourceARN string, fifo bool) error {
	p, ok := parseRedrive(policy)
	if !ok {
		return nil
	}
	parts := strings.SplitN(p.DeadLetterTargetArn, ":", 6)
	var dlq *queue
	if len(parts) == 6 {
		dlq = s.queues[key(parts[4], parts[3], parts[5])]
	}
	if dlq == nil {
		return errValue(policy, "RedrivePolicy", "Dead letter target does not exist.")
	}
	if dlq.fifo != fifo {
		return errValue(policy, "RedrivePolicy", "Dead-letter target must be the same type of queue as the source queue.")
	}
	dlq.mu.Lock()
	allow := dlq.meta.Attrs["RedriveAllowPolicy"]
	dlq.mu.Unlock()
	if !allowsSource(allow, sourceARN) {
		return errValue(policy, "RedrivePolicy", "Queue "+p.DeadLetterTargetArn+" does not allow this queue to use it as a dead-letter queue.")
	}
	return nil
}

type getQueueURLIn struct {
	QueueName              *string `json:"QueueName"`
	QueueOwnerAWSAccountId *string `json:"QueueOwnerAWSAccountId"`
}

func (s *Service) getQueueURL(ctx context.Context, in *getQueueURLIn) (*queueURLOut, error) {
	if in.QueueName == nil {
		return nil, errMissing("QueueName")
	}
	m := edge.MetaFrom(ctx)
	account := m.Account
	if in.QueueOwnerAWSAccountId != nil && *in.QueueOwnerAWSAccountId != "" {
		account = *in.QueueOwnerAWSAccountId
	}
	q, err := s.queue(account, m.Region, *in.QueueName)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, errNoQueue()
	}
	return &queueURLOut{QueueUrl: queueURL(ctx, account, *in.QueueName)}, nil
}

type listQueuesIn struct {
	QueueNamePrefix *string `json:"QueueNamePrefix"`
	NextToken       *string `json:"NextToken"`
	MaxResults      *int    `json:"MaxResults"`
}

type listQueuesOut struct {
	QueueUrls []string `json:"QueueUrls,omitempty"`
	NextToken *string  `json:"NextToken,omitempty"`
}

func (s *Service) listQueues(ctx context.Context, in *listQueuesIn) (*listQueuesOut, error) {
	m := edge.MetaFrom(ctx)
	if err := s.load(); err != nil {
		return nil, err
	}
	prefix := ""
	if in.QueueNamePrefix != nil {
		prefix = *in.QueueNamePrefix
	}
	var names []string
	s.mu.RLock()
	for _, q := range s.queues {
		if q.acct == m.Account && q.region == m.Region && strings.HasPrefix(q.name, prefix) {
			names = append(names, q.name)
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	urls, next, err := page(names, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listQueuesOut{NextToken: next}
	for _, n := range urls {
		out.QueueUrls = append(out.QueueUrls, queueURL(ctx, m.Account, n))
	}
	return out, nil
}

// page cuts a sorted list of names: at most 1000 without MaxResults (and no
// token), else MaxResults (1 to 1000) after the token's name.
func page(names []string, maxResults *int, token *string) ([]string, *string, error) {
	if token != nil && *token != "" {
		last, err := base64.RawURLEncoding.DecodeString(*token)
		if err != nil {
			return nil, nil, errParam("Invalid NextToken value.")
		}
		i := sort.SearchStrings(names, string(last))
		for i < len(names) && names[i] <= string(last) {
			i++
		}
		names = names[i:]
	}
	if maxResults == nil {
		if len(names) > 1000 {
			names = names[:1000]
		}
		return names, nil, nil
	}
	if *maxResults < 1 || *maxResults > 1000 {
		return nil, nil, errValue(*maxResults, "MaxResults", "MaxResults must be an integer between 1 and 1000.")
	}
	if len(names) <= *maxResults {
		return names, nil, nil
	}
	names = names[:*maxResults]
	t := base64.RawURLEncoding.EncodeToString([]byte(names[len(names)-1]))
	return names, &t, nil
}

type queueURLIn struct {
	QueueUrl *string `json:"QueueUrl"`
}

func (s *Service) deleteQueue(ctx context.Context, in *queueURLIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return nil, errNoQueue()
	}
	a, r, n := q.acct, q.region, q.name
	err = s.st.Update(func(tx store.Tx) error {
		if err := tx.Bucket(queuesBucket(a, r)).Delete([]byte(n)); err != nil {
			return err
		}
		if err := tx.DeleteBucket(msgsBucket(a, r, n)); err != nil {
			return err
		}
		return tx.DeleteBucket(dedupBucket(a, r, n))
	})
	if err != nil {
		return nil, err
	}
	q.deleted = true
	q.clearLocked()
	q.notifyLocked()
	delete(s.queues, key(a, r, n))
	s.deleted[key(a, r, n)] = s.clk.Now()
	return nil, nil
}

type getAttrsIn struct {
	QueueUrl       *string  `json:"QueueUrl"`
	AttributeNames []string `json:"AttributeNames"`
}

type getAttrsOut struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

// allAttrNames are the names "All" stands for, in the model's order.
var allAttrNames = []string{"Policy", "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod",
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
	"LastModifiedTimestamp", "QueueArn", "ApproximateNumberOfMessagesDelayed", "DelaySeconds",
	"ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "FifoQueue", "ContentBasedDeduplication",
	"KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "DeduplicationScope", "FifoThroughputLimit",
	"RedriveAllowPolicy", "SqsManagedSseEnabled"}

var knownAttr = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range allAttrNames {
		m[n] = true
	}
	return m
}()

func (s *Service) getQueueAttributes(ctx context.Context, in *getAttrsIn) (*getAttrsOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range in.AttributeNames {
		switch {
		case n == "All":
			for _, a := range allAttrNames {
				want[a] = true
			}
		case knownAttr[n]:
			want[n] = true
		default:
			return nil, errAttrName(n)
		}
	}
	out := map[string]string{}
	if len(want) == 0 {
		return &getAttrsOut{}, nil
	}
	now := s.nowMillis()
	q.mu.Lock()
	defer q.mu.Unlock()
	var visible, inflight, delayed int
	if want["ApproximateNumberOfMessages"] || want["ApproximateNumberOfMessagesNotVisible"] || want["ApproximateNumberOfMessagesDelayed"] {
		retention := int64(atoi(q.meta.Attrs["MessageRetentionPeriod"])) * 1000
		for _, m := range q.order {
			switch {
			case m.gone || m.Sent+retention <= now:
			case m.VisibleAt <= now:
				visible++
			case m.Received > 0:
				inflight++
			default:
				delayed++
			}
		}
	}
	for a := range want {
		switch a {
		case "ApproximateNumberOfMessages":
			out[a] = strconv.Itoa(visible)
		case "ApproximateNumberOfMessagesNotVisible":
			out[a] = strconv.Itoa(inflight)
		case "ApproximateNumberOfMessagesDelayed":
			out[a] = strconv.Itoa(delayed)
		case "CreatedTimestamp":
			out[a] = strconv.FormatInt(q.meta.Created, 10)
		case "LastModifiedTimestamp":
			out[a] = strconv.FormatInt(q.meta.Modified, 10)
		case "QueueArn":
			out[a] = q.arn
		default:
			if v, ok := q.meta.Attrs[a]; ok {
				out[a] = v
			}
		}
	}
	return &getAttrsOut{Attributes: out}, nil
}

type setAttrsIn struct {
	QueueUrl   *string           `json:"QueueUrl"`
	Attributes map[string]string `json:"Attributes"`
}

func (s *Service) setQueueAttributes(ctx context.Context, in *setAttrsIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.Attributes == nil {
		return nil, errMissing("Attributes")
	}
	given := map[string]string{}
	for _, k := range sortedKeys(in.Attributes) {
		v, err := normalizeAttr(k, in.Attributes[k], q.fifo)
		if err != nil {
			return nil, err
		}
		if k == "FifoQueue" && v != "true" && q.fifo {
			return nil, errAttrValue(k)
		}
		given[k] = v
	}
	if policy, ok := given["RedrivePolicy"]; ok {
		s.mu.RLock()
		err := s.checkRedriveLocked(policy, q.arn, q.fifo)
		s.mu.RUnlock()
		if err != nil {
			return nil, err
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted {
		return nil, errNoQueue()
	}
	meta := q.meta
	meta.Attrs = map[string]string{}
	for k, v := range q.meta.Attrs {
		meta.Attrs[k] = v
	}
	for k, v := range given {
		setAttr(meta.Attrs, k, v)
	}
	if meta.Attrs["FifoThroughputLimit"] == "perMessageGroupId" && meta.Attrs["DeduplicationScope"] == "queue" {
		return nil, errParam("The specified FifoThroughputLimit is not valid with the current DeduplicationScope. FifoThroughputLimit perMessageGroupId requires DeduplicationScope messageGroup.")
	}
	meta.Modified = s.clk.Now().Unix()
	if err := s.saveMetaLocked(&meta); err != nil {
		return nil, err
	}
	q.meta = meta
	q.notifyLocked() // a shorter delay or wait may change what long polls see
	return nil, nil
}

func (s *Service) saveMetaLocked(meta *queueMeta) error {
	return s.st.Update(func(tx store.Tx) error {
		return putJSON(tx.Bucket(queuesBucket(meta.Account, meta.Region)), meta.Name, meta)
	})
}

func (s *Service) purgeQueue(ctx context.Context, in *queueURLIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.nowMillis()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.meta.Purged != 0 && now-q.meta.Purged < purgeInterval {
		return nil, errPurgeInProgress(q.name)
	}
	meta := q.meta
	meta.Purged = now
	err = s.st.Update(func(tx store.Tx) error {
		if err := tx.DeleteBucket(msgsBucket(meta.Account, meta.Region, meta.Name)); err != nil {
			return err
		}
		return putJSON(tx.Bucket(queuesBucket(meta.Account, meta.Region)), meta.Name, &meta)
	})
	if err != nil {
		return nil, err
	}
	q.meta = meta
	q.clearLocked()
	return nil, nil
}

type tagQueueIn struct {
	QueueUrl *string           `json:"QueueUrl"`
	Tags     map[string]string `json:"Tags"`
}

func (s *Service) tagQueue(ctx context.Context, in *tagQueueIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, errMissing("Tags")
	}
	return nil, s.editTags(q, func(tags map[string]string) error {
		for k, v := range in.Tags {
			if k == "" || len(k) > 128 || len(v) > 256 {
				return errParam("Tag key or value is not valid: %s.", k)
			}
			tags[k] = v
		}
		if len(tags) > 50 {
			return errParam("Too many tags added for queue %s.", q.meta.Name)
		}
		return nil
	})
}

// editTags lets edit change a copy of q's tags and stores the result; an
// error from edit leaves the queue as it was.
func (s *Service) editTags(q *queue, edit func(tags map[string]string) error) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	meta := q.meta
	meta.Tags = make(map[string]string, len(q.meta.Tags))
	maps.Copy(meta.Tags, q.meta.Tags)
	if err := edit(meta.Tags); err != nil {
		return err
	}
	if err := s.saveMetaLocked(&meta); err != nil {
		return err
	}
	q.meta = meta
	return nil
}

type untagQueueIn struct {
	QueueUrl *string  `json:"QueueUrl"`
	TagKeys  []string `json:"TagKeys"`
}

func (s *Service) untagQueue(ctx context.Context, in *untagQueueIn) (*struct{}, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errMissing("TagKeys")
	}
	return nil, s.editTags(q, func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
}

type listTagsOut struct {
	Tags map[string]string `json:"Tags,omitempty"`
}

func (s *Service) listQueueTags(ctx context.Context, in *queueURLIn) (*listTagsOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	out := &listTagsOut{}
	if len(q.meta.Tags) > 0 {
		out.Tags = map[string]string{}
		for k, v := range q.meta.Tags {
			out.Tags[k] = v
		}
	}
	return out, nil
}

type dlqSourcesIn struct {
	QueueUrl   *string `json:"QueueUrl"`
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

type dlqSourcesOut struct {
	QueueUrls []string `json:"queueUrls"`
	NextToken *string  `json:"NextToken,omitempty"`
}

func (s *Service) listDeadLetterSourceQueues(ctx context.Context, in *dlqSourcesIn) (*dlqSourcesOut, error) {
	q, err := s.resolve(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	var names []string
	s.mu.RLock()
	for _, src := range s.queues {
		if src.acct != q.acct || src.region != q.region {
			continue
		}
		src.mu.Lock()
		p, ok := parseRedrive(src.meta.Attrs["RedrivePolicy"])
		src.mu.Unlock()
		if ok && p.DeadLetterTargetArn == q.arn {
			names = append(names, src.name)
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	page, next, err := page(names, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &dlqSourcesOut{QueueUrls: []string{}, NextToken: next}
	for _, n := range page {
		out.QueueUrls = append(out.QueueUrls, queueURL(ctx, q.acct, n))
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
