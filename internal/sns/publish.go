package sns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// MessageAttribute is one message attribute: BinaryValue for Binary types,
// StringValue for the others (String, String.Array, Number).
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// PublishInput is a Publish request. One of TopicArn and TargetArn names
// the topic.
type PublishInput struct {
	TopicArn               string
	TargetArn              string
	Message                string
	Subject                string
	MessageStructure       string // "" or "json"
	MessageAttributes      map[string]MessageAttribute
	MessageGroupId         string // FIFO topics
	MessageDeduplicationId string // FIFO topics without ContentBasedDeduplication
}

// PublishOutput is what Publish answers.
type PublishOutput struct {
	MessageId      string
	SequenceNumber string // FIFO topics only
}

// Limits, as AWS documents them.
const (
	maxMessageBytes = 262144 // message with its attributes
	maxSubjectLen   = 99
	dedupWindow     = 5 * time.Minute
	maxBatch        = 10
)

var reDedupID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\x21-\x7e]{1,128}$`) })

// notification is one published message on its way to the subscriptions.
type notification struct {
	ID       string
	TopicARN string
	Region   string
	Subject  string
	Message  string            // the default message
	ByProto  map[string]string // MessageStructure=json: the message per protocol
	Attrs    map[string]MessageAttribute
	Time     time.Time
	GroupID  string
	DedupID  string
	Seq      string
}

// message returns the message a protocol gets.
func (n *notification) message(protocol string) string {
	if m, ok := n.ByProto[protocol]; ok {
		return m
	}
	return n.Message
}

// Publish publishes a message to a topic and delivers it to the topic's
// confirmed subscriptions whose filter policies it passes. It is what the
// Publish action does, for other services (Lambda destinations, EventBridge
// targets, Step Functions tasks). Errors are *edge.Error values.
func (s *Service) Publish(ctx context.Context, in PublishInput) (PublishOutput, error) {
	n, err := s.prepare(in)
	if err != nil {
		return PublishOutput{}, err
	}
	return s.publish(ctx, in, n)
}

// TopicExists reports whether the topic exists; S3 checks it when a bucket's
// notification configuration names the topic.
func (s *Service) TopicExists(ctx context.Context, arn string) bool {
	var exists bool
	_ = s.st.View(func(tx store.Tx) error { exists = loadTopic(tx, arn) != nil; return nil })
	return exists
}

// prepare validates everything about a request that does not need the topic.
func (s *Service) prepare(in PublishInput) (*notification, error) {
	arn := in.TopicArn
	switch {
	case arn != "" && in.TargetArn != "" && arn != in.TargetArn:
		return nil, errParam("TargetArn Reason: Only one of TopicArn or TargetArn may be specified")
	case arn == "":
		arn = in.TargetArn
	}
	if arn == "" {
		return nil, errParam("TopicArn or TargetArn Reason: no value for required parameter")
	}
	p, ok := parseARN(arn)
	if !ok || p.Sub != "" {
		return nil, errParam("TopicArn")
	}
	if in.Message == "" {
		return nil, errParam("Empty message")
	}
	if !utf8.ValidString(in.Message) {
		return nil, errParam("Message Reason: Message must be valid UTF-8")
	}
	if in.Subject != "" && (len(in.Subject) > maxSubjectLen || strings.ContainsFunc(in.Subject, func(r rune) bool { return r < 0x20 || r == 0x7f })) {
		return nil, errParam("Subject")
	}
	size := len(in.Message)
	for name, a := range in.MessageAttributes {
		if err := checkAttribute(name, a); err != nil {
			return nil, err
		}
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	if size > maxMessageBytes {
		return nil, errParam("Message too long")
	}
	n := &notification{ID: s.newID(), TopicARN: arn, Region: p.Region, Subject: in.Subject, Message: in.Message,
		Attrs: in.MessageAttributes, Time: s.clk.Now().UTC()}
	switch in.MessageStructure {
	case "":
	case "json":
		var m map[string]any
		if err := json.Unmarshal([]byte(in.Message), &m); err != nil {
			return nil, errParam("Message Structure - JSON message body failed to parse")
		}
		def, ok := m["default"].(string)
		if !ok {
			return nil, errParam("Message Structure - No default entry in JSON message body")
		}
		n.Message, n.ByProto = def, map[string]string{}
		for k, v := range m {
			if str, ok := v.(string); ok {
				n.ByProto[k] = str
			}
		}
	default:
		return nil, errParam("MessageStructure")
	}
	return n, nil
}

// checkAttribute validates a message attribute as SNS does.
func checkAttribute(name string, a MessageAttribute) error {
	if name == "" || len(name) > 256 {
		return errParam("MessageAttributes Reason: Message attribute name can not be empty or longer than 256 characters.")
	}
	if strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon.") {
		return errParam("MessageAttributes Reason: The message attribute name '%s' is reserved.", name)
	}
	base := baseType(a.DataType)
	switch base {
	case "String", "String.Array", "Number":
		if a.StringValue == "" {
			return errAttrValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
		}
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return errAttrValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
		}
	case "":
		return errAttrValue("The message attribute '%s' must contain non-empty message attribute type.", name)
	default:
		return errAttrValue("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
	}
	switch base {
	case "Number":
		if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
			return errAttrValue("Could not cast message attribute '%s' value to number.", name)
		}
	case "String.Array":
		var arr []any
		if json.Unmarshal([]byte(a.StringValue), &arr) != nil {
			return errAttrValue("The message attribute '%s' with type 'String.Array' does not contain a valid array.", name)
		}
	}
	return nil
}

// baseType is a data type without its custom label: "Number.float" is a
// Number; "String.Array" stays itself.
func baseType(t string) string {
	if t == "String.Array" {
		return t
	}
	base, _, _ := strings.Cut(t, ".")
	switch base {
	case "String", "Number", "Binary":
		return base
	}
	return t
}

// publish checks the request against its topic, records FIFO deduplication
// and delivers. Standard topics only read the store; FIFO topics write their
// deduplication ids and sequence numbers in one transaction.
func (s *Service) publish(ctx context.Context, in PublishInput, n *notification) (PublishOutput, error) {
	var fifo bool
	var subs []*subscription
	err := s.st.View(func(tx store.Tx) error {
		t := loadTopic(tx, n.TopicARN)
		if t == nil {
			return errNoTopic()
		}
		if fifo = t.fifo(); !fifo {
			subs = topicSubs(tx, n.TopicARN) // FIFO topics read them in their update below
		}
		return nil
	})
	if err != nil {
		return PublishOutput{}, err
	}
	switch {
	case !fifo && in.MessageDeduplicationId != "":
		return PublishOutput{}, errParam("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
	case !fifo:
		// Standard topics forward a group id to SQS subscriptions only
		// (fair queues); nothing else sees it.
		n.GroupID = in.MessageGroupId
	default:
		// Two publishes may commit sequence numbers N and N+1 and then
		// race to deliver; holding the topic's lock until fanOut is done
		// keeps deliveries in sequence order, as AWS guarantees.
		mu, _ := s.order.LoadOrStore(n.TopicARN, new(sync.Mutex))
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
		dup := false
		err := s.st.Update(func(tx store.Tx) error {
			t := loadTopic(tx, n.TopicARN)
			if t == nil {
				return errNoTopic()
			}
			var err error
			if dup, err = s.fifo(tx, t, in, n); err != nil || dup {
				return err
			}
			subs = topicSubs(tx, n.TopicARN)
			return nil
		})
		if err != nil {
			return PublishOutput{}, err
		}
		if dup {
			return PublishOutput{MessageId: n.ID, SequenceNumber: n.Seq}, nil
		}
	}
	s.fanOut(ctx, n, subs)
	return PublishOutput{MessageId: n.ID, SequenceNumber: n.Seq}, nil
}

// dedupRecord is a deduplication id seen on a FIFO topic.
type dedupRecord struct {
	Expires int64  `json:"exp"` // unix millis
	ID      string `json:"id"`
	Seq     string `json:"seq"`
}

// fifo applies a FIFO topic's rules in the publishing transaction: a group
// id is required, and a deduplication id, given or derived from the body;
// a message whose id was seen in the last five minutes is accepted and
// answered with the first one's ids, but not delivered again.
func (s *Service) fifo(tx store.Tx, t *topic, in PublishInput, n *notification) (dup bool, err error) {
	if in.MessageGroupId == "" {
		return false, errParam("The MessageGroupId parameter is required for FIFO topics")
	}
	if !reDedupID().MatchString(in.MessageGroupId) {
		return false, errParam("MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	dedup := in.MessageDeduplicationId
	if dedup == "" {
		if t.Attrs["ContentBasedDeduplication"] != "true" {
			return false, errParam("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		sum := sha256.Sum256([]byte(in.Message))
		dedup = hex.EncodeToString(sum[:])
	} else if !reDedupID().MatchString(dedup) {
		return false, errParam("MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	n.GroupID, n.DedupID = in.MessageGroupId, dedup
	key := t.ARN + "\x00" + dedup
	if t.Attrs["FifoThroughputScope"] == "MessageGroup" {
		key = t.ARN + "\x00" + in.MessageGroupId + "\x00" + dedup
	}
	now := s.clk.Now().UnixMilli()
	db := tx.Bucket(dedupBucket)
	var seen dedupRecord
	if getJSON(db, key, &seen) && seen.Expires > now {
		n.ID, n.Seq = seen.ID, seen.Seq
		return true, nil
	}
	if err := dropExpired(db, t.ARN, now); err != nil {
		return false, err
	}
	t.Seq++
	n.Seq = fmt.Sprintf("%020d", t.Seq)
	if err := putJSON(tx.Bucket(topicsBucket), t.ARN, t); err != nil {
		return false, err
	}
	return false, putJSON(db, key, dedupRecord{Expires: now + dedupWindow.Milliseconds(), ID: n.ID, Seq: n.Seq})
}

// dropExpired deletes a topic's deduplication ids past their window, so
// the bucket holds about five minutes of ids.
func dropExpired(db store.Bucket, topicARN string, now int64) error {
	prefix := []byte(topicARN + "\x00")
	var old [][]byte
	db.Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
		var r dedupRecord
		if json.Unmarshal(v, &r) == nil && r.Expires <= now {
			old = append(old, append([]byte(nil), k...))
		}
		return true
	})
	for _, k := range old {
		if err := db.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) publishAction(ctx context.Context, form url.Values) (any, error) {
	attrs, err := formMessageAttributes(form)
	if err != nil {
		return nil, err
	}
	if form.Get("PhoneNumber") != "" && form.Get("TopicArn") == "" && form.Get("TargetArn") == "" {
		// tenkai sends no texts; the message is accepted and dropped.
		s.log.Info("sns: SMS not sent", "phone", form.Get("PhoneNumber"))
		return struct {
			MessageId string `xml:"MessageId"`
		}{s.newID()}, nil
	}
	if _, ok := form["Message"]; !ok {
		return nil, errMissing("Message")
	}
	out, err := s.Publish(ctx, PublishInput{TopicArn: form.Get("TopicArn"), TargetArn: form.Get("TargetArn"), Message: form.Get("Message"),
		Subject: form.Get("Subject"), MessageStructure: form.Get("MessageStructure"), MessageAttributes: attrs,
		MessageGroupId: form.Get("MessageGroupId"), MessageDeduplicationId: form.Get("MessageDeduplicationId")})
	if err != nil {
		return nil, err
	}
	return struct {
		MessageId      string `xml:"MessageId"`
		SequenceNumber string `xml:"SequenceNumber,omitempty"`
	}{out.MessageId, out.SequenceNumber}, nil
}

var reBatchID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`) })

type batchSuccess struct {
	ID             string `xml:"Id"`
	MessageID      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

type batchFailure struct {
	ID          string `xml:"Id"`
	Code        string `xml:"Code"`
	Message     string `xml:"Message"`
	SenderFault bool   `xml:"SenderFault"`
}

func (s *Service) publishBatch(ctx context.Context, form url.Values) (any, error) {
	arn, err := topicFromForm(form, "TopicArn")
	if err != nil {
		return nil, err
	}
	entries := numbered(form, "PublishBatchRequestEntries.member")
	switch {
	case len(entries) == 0:
		return nil, edge.Errorf("EmptyBatchRequest", "The batch request doesn't contain any entries")
	case len(entries) > maxBatch:
		return nil, edge.Errorf("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible")
	}
	ins := make([]PublishInput, len(entries))
	ids := make([]string, len(entries))
	seen := map[string]bool{}
	size := 0
	for i := range entries {
		prefix := "PublishBatchRequestEntries.member." + strconv.Itoa(i+1)
		e := members(form, prefix)
		id := e.Get("Id")
		if !reBatchID().MatchString(id) {
			return nil, edge.Errorf("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification")
		}
		if seen[id] {
			return nil, edge.Errorf("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id")
		}
		seen[id] = true
		attrs, err := formMessageAttributes(e)
		if err != nil {
			return nil, err
		}
		ids[i] = id
		ins[i] = PublishInput{TopicArn: arn, Message: e.Get("Message"), Subject: e.Get("Subject"), MessageStructure: e.Get("MessageStructure"),
			MessageAttributes: attrs, MessageGroupId: e.Get("MessageGroupId"), MessageDeduplicationId: e.Get("MessageDeduplicationId")}
		size += len(ins[i].Message)
	}
	if size > maxMessageBytes {
		return nil, edge.Errorf("BatchRequestTooLong", "The length of all the batch messages put together is more than the limit")
	}
	if !s.TopicExists(ctx, arn) {
		return nil, errNoTopic()
	}
	out := struct {
		Successful list[batchSuccess] `xml:"Successful"`
		Failed     list[batchFailure] `xml:"Failed"`
	}{list[batchSuccess]{}, list[batchFailure]{}}
	for i, in := range ins {
		res, err := s.Publish(ctx, in)
		if err != nil {
			out.Failed = append(out.Failed, batchError(ids[i], err))
			continue
		}
		out.Successful = append(out.Successful, batchSuccess{ID: ids[i], MessageID: res.MessageId, SequenceNumber: res.SequenceNumber})
	}
	return out, nil
}
