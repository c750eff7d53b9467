package sns

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// timeFormat is the Timestamp of SNS messages.
const timeFormat = "2006-01-02T15:04:05.000Z"

// fanOut delivers a notification to each confirmed subscription whose
// filter policy it passes. Failures are logged: the publisher has its
// answer already, as with AWS. A message once accepted is delivered even
// if the publisher goes away, so the caller's cancellation is dropped.
func (s *Service) fanOut(ctx context.Context, n *notification, subs []*subscription) {
	ctx = context.WithoutCancel(ctx)
	for _, sb := range subs {
		if sb.Pending || !s.passes(sb, n) {
			continue
		}
		var err error
		switch sb.Protocol {
		case "sqs":
			err = s.toQueue(ctx, n, sb)
		case "lambda":
			err = s.toFunction(ctx, n, sb)
		case "http", "https":
			s.toHTTP(n, sb)
		case "email", "email-json", "sms":
			s.log.Info("sns: message not sent (tenkai sends no mail or texts)", "protocol", sb.Protocol, "endpoint", sb.Endpoint,
				"subscription", sb.ARN, "subject", n.Subject, "message", n.message(sb.Protocol))
		default:
			s.log.Info("sns: delivery not supported by tenkai, dropped", "protocol", sb.Protocol, "subscription", sb.ARN)
		}
		if err != nil {
			s.log.Warn("sns: delivery failed", "subscription", sb.ARN, "endpoint", sb.Endpoint, "err", err)
			// SQS and Lambda failures here are client errors (a missing
			// queue, a function that does not allow SNS): AWS does not
			// retry them and moves the message to the dead-letter queue.
			s.redrive(ctx, sb.ARN, sb.deadLetterQueue(), s.queueMessage(n, sb))
		}
	}
}

// passes applies the subscription's filter policy.
func (s *Service) passes(sb *subscription, n *notification) bool {
	policy := sb.Attrs["FilterPolicy"]
	if policy == "" {
		return true
	}
	f, err := s.filter(policy, sb.Attrs["FilterPolicyScope"])
	if err != nil {
		// Policies are checked when set; one that no longer compiles drops
		// the message rather than letting everything through.
		s.log.Warn("sns: filter policy does not compile", "subscription", sb.ARN, "err", err)
		return false
	}
	return f.Match(n.message(sb.Protocol), n.Attrs)
}

// filter returns a compiled filter policy, compiling each distinct policy
// once rather than on every publish.
func (s *Service) filter(policy, scope string) (*Filter, error) {
	key := scope + "\x00" + policy
	if f, ok := s.filters.Load(key); ok {
		return f.(*Filter), nil
	}
	f, err := CompileFilter([]byte(policy), scope)
	if err != nil {
		return nil, err
	}
	s.filters.Store(key, f)
	return f, nil
}

func (sb *subscription) raw() bool { return sb.Attrs["RawMessageDelivery"] == "true" }

// envAttr is a message attribute as the JSON envelope writes it.
type envAttr struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

func envAttrs(attrs map[string]MessageAttribute) map[string]envAttr {
	out := make(map[string]envAttr, len(attrs))
	for k, a := range attrs {
		v := a.StringValue
		if baseType(a.DataType) == "Binary" {
			v = base64.StdEncoding.EncodeToString(a.BinaryValue)
		}
		out[k] = envAttr{Type: a.DataType, Value: v}
	}
	return out
}

// Envelope is the JSON document SNS delivers to SQS and HTTP subscriptions
// without raw delivery, field for field as AWS writes it.
type Envelope struct {
	Type              string             `json:"Type"`
	MessageID         string             `json:"MessageId"`
	Token             string             `json:"Token,omitempty"`
	SequenceNumber    string             `json:"SequenceNumber,omitempty"`
	TopicArn          string             `json:"TopicArn"`
	Subject           string             `json:"Subject,omitempty"`
	Message           string             `json:"Message"`
	SubscribeURL      string             `json:"SubscribeURL,omitempty"`
	Timestamp         string             `json:"Timestamp"`
	SignatureVersion  string             `json:"SignatureVersion"`
	Signature         string             `json:"Signature"`
	SigningCertURL    string             `json:"SigningCertURL"`
	UnsubscribeURL    string             `json:"UnsubscribeURL,omitempty"`
	MessageAttributes map[string]envAttr `json:"MessageAttributes,omitempty"`
}

// sign fills the signature fields. tenkai holds no AWS signing key: the
// signature is a digest of the message, enough for clients that only check
// it is present, not one a certificate verifies.
func (s *Service) sign(e *Envelope, region string) {
	sum := sha256.Sum256([]byte(e.Type + "\n" + e.MessageID + "\n" + e.TopicArn + "\n" + e.Message + "\n" + e.Timestamp))
	e.SignatureVersion, e.Signature = "1", base64.StdEncoding.EncodeToString(sum[:])
	e.SigningCertURL = s.endpoint(region) + "/SimpleNotificationService-tenkai.pem"
}

// envelope builds the Notification document a subscription receives.
func (s *Service) envelope(n *notification, sb *subscription) Envelope {
	e := Envelope{Type: "Notification", MessageID: n.ID, SequenceNumber: n.Seq, TopicArn: n.TopicARN, Subject: n.Subject,
		Message: n.message(sb.Protocol), Timestamp: n.Time.Format(timeFormat),
		UnsubscribeURL: s.actionURL(n.Region, "Unsubscribe", url.Values{"SubscriptionArn": {sb.ARN}})}
	if len(n.Attrs) > 0 {
		e.MessageAttributes = envAttrs(n.Attrs)
	}
	s.sign(&e, n.Region)
	return e
}

func (s *Service) toQueue(ctx context.Context, n *notification, sb *subscription) error {
	if s.cfg.Queues == nil {
		return fmt.Errorf("no SQS is connected")
	}
	return s.cfg.Queues.SendToQueue(ctx, sb.Endpoint, s.queueMessage(n, sb))
}

// queueMessage is what a queue gets for a subscription: the envelope, or
// the raw message with its attributes as SQS message attributes.
func (s *Service) queueMessage(n *notification, sb *subscription) QueueMessage {
	msg := QueueMessage{GroupID: n.GroupID, DedupID: n.DedupID}
	if sb.raw() {
		msg.Body = n.message(sb.Protocol)
		if len(n.Attrs) > 0 {
			msg.Attributes = n.Attrs
		}
		return msg
	}
	b, _ := marshal(s.envelope(n, sb))
	msg.Body = string(b)
	return msg
}

// deadLetterQueue is the SQS queue of a subscription's RedrivePolicy, or "".
func (sb *subscription) deadLetterQueue() string {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if json.Unmarshal([]byte(sb.Attrs["RedrivePolicy"]), &p) != nil {
		return ""
	}
	return p.DeadLetterTargetArn
}

// redrive sends a message a subscription could not take to its
// dead-letter queue dlq ("" for none), in the form the subscription would
// have received it.
func (s *Service) redrive(ctx context.Context, subARN, dlq string, msg QueueMessage) {
	if dlq == "" {
		return
	}
	if s.cfg.Queues == nil {
		s.log.Warn("sns: no SQS is connected for the dead-letter queue", "subscription", subARN, "queue", dlq)
		return
	}
	if err := s.cfg.Queues.SendToQueue(ctx, dlq, msg); err != nil {
		s.log.Warn("sns: send to dead-letter queue", "subscription", subARN, "queue", dlq, "err", err)
	}
}

// LambdaEvent is the event a Lambda subscription is invoked with.
type LambdaEvent struct {
	Records []LambdaRecord `json:"Records"`
}

// LambdaRecord is one record of a LambdaEvent.
type LambdaRecord struct {
	EventSource          string    `json:"EventSource"`
	EventVersion         string    `json:"EventVersion"`
	EventSubscriptionArn string    `json:"EventSubscriptionArn"`
	Sns                  LambdaSns `json:"Sns"`
}

// LambdaSns is the message in a LambdaRecord. Lambda spells the URLs
// SigningCertUrl and UnsubscribeUrl, writes a missing Subject as null and
// always includes MessageAttributes.
type LambdaSns struct {
	Type              string             `json:"Type"`
	MessageID         string             `json:"MessageId"`
	TopicArn          string             `json:"TopicArn"`
	Subject           *string            `json:"Subject"`
	Message           string             `json:"Message"`
	Timestamp         string             `json:"Timestamp"`
	SignatureVersion  string             `json:"SignatureVersion"`
	Signature         string             `json:"Signature"`
	SigningCertURL    string             `json:"SigningCertUrl"`
	UnsubscribeURL    string             `json:"UnsubscribeUrl"`
	MessageAttributes map[string]envAttr `json:"MessageAttributes"`
}

func (s *Service) lambdaEvent(n *notification, sb *subscription) LambdaEvent {
	e := s.envelope(n, sb)
	m := LambdaSns{Type: e.Type, MessageID: e.MessageID, TopicArn: e.TopicArn, Message: e.Message, Timestamp: e.Timestamp,
		SignatureVersion: e.SignatureVersion, Signature: e.Signature, SigningCertURL: e.SigningCertURL,
		UnsubscribeURL: e.UnsubscribeURL, MessageAttributes: e.MessageAttributes}
	if m.MessageAttributes == nil {
		m.MessageAttributes = map[string]envAttr{} // Lambda writes {} rather than omitting them
	}
	if n.Subject != "" {
		subj := n.Subject
		m.Subject = &subj
	}
	return LambdaEvent{Records: []LambdaRecord{{EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: sb.ARN, Sns: m}}}
}

func (s *Service) toFunction(ctx context.Context, n *notification, sb *subscription) error {
	if s.cfg.Functions == nil {
		return fmt.Errorf("no Lambda is connected")
	}
	p := strings.SplitN(sb.Endpoint, ":", 7)
	if len(p) < 7 {
		return fmt.Errorf("bad function ARN %q", sb.Endpoint)
	}
	topic, _ := parseARN(n.TopicARN)
	if p[4] == topic.Account && !s.cfg.Functions.AllowsInvoke(ctx, p[4], p[3], sb.Endpoint, "sns.amazonaws.com", n.TopicARN) {
		// As in AWS, a function must allow SNS to invoke it; the delivery
		// fails and is not retried.
		return fmt.Errorf("SNS is not authorized to invoke %s: add a resource-based policy (aws lambda add-permission --function-name %s "+
			"--statement-id sns --action lambda:InvokeFunction --principal sns.amazonaws.com --source-arn %s)", sb.Endpoint, sb.Endpoint, n.TopicARN)
	}
	payload, err := marshal(s.lambdaEvent(n, sb))
	if err != nil {
		return err
	}
	return s.cfg.Functions.InvokeAsync(ctx, p[4], p[3], sb.Endpoint, payload)
}

// toHTTP posts a notification in the background.
func (s *Service) toHTTP(n *notification, sb *subscription) {
	h := map[string]string{
		"x-amz-sns-message-type":     "Notification",
		"x-amz-sns-message-id":       n.ID,
		"x-amz-sns-topic-arn":        n.TopicARN,
		"x-amz-sns-subscription-arn": sb.ARN,
	}
	if sb.raw() {
		h["x-amz-sns-rawdelivery"] = "true"
	}
	s.post(sb, h, s.queueMessage(n, sb))
}

// confirmHTTP posts the SubscriptionConfirmation of a new http or https
// subscription in the background. The endpoint confirms by opening
// SubscribeURL or calling ConfirmSubscription with the token.
func (s *Service) confirmHTTP(sb *subscription) {
	p, _ := parseARN(sb.TopicARN)
	id := s.newID()
	e := Envelope{Type: "SubscriptionConfirmation", MessageID: id, Token: sb.Token, TopicArn: sb.TopicARN,
		Message:      "You have chosen to subscribe to the topic " + sb.TopicARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL: s.actionURL(p.Region, "ConfirmSubscription", url.Values{"TopicArn": {sb.TopicARN}, "Token": {sb.Token}}),
		Timestamp:    s.clk.Now().UTC().Format(timeFormat)}
	s.sign(&e, p.Region)
	body, _ := marshal(e)
	s.post(&subscription{ARN: sb.ARN, Endpoint: sb.Endpoint}, map[string]string{
		"x-amz-sns-message-type": "SubscriptionConfirmation",
		"x-amz-sns-message-id":   id,
		"x-amz-sns-topic-arn":    sb.TopicARN,
	}, QueueMessage{Body: string(body)})
}

// marshal writes JSON as SNS does: "&", "<" and ">" stay as they are (the
// UnsubscribeURL has "&" in it) rather than Go's \u0026 escapes.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
