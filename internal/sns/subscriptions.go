package sns

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Protocols and what confirms them: sqs and lambda subscriptions are
// confirmed at once; http and https ones when the endpoint (or the user)
// calls ConfirmSubscription; email, email-json and sms ones when the user
// opens the SubscribeURL tenkai logs in place of sending it.
var protocols = map[string]bool{"sqs": true, "lambda": true, "http": true, "https": true,
	"email": true, "email-json": true, "sms": true, "application": true, "firehose": true}

func needsConfirmation(protocol string) bool {
	switch protocol {
	case "http", "https", "email", "email-json", "sms":
		return true
	}
	return false
}

var (
	reQueueARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]{1,80}(\.fifo)?$`)
	})
	reFunctionARN = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]{1,64}(:[\w$-]+)?$`)
	})
)

// checkEndpoint validates the endpoint of a new subscription.
func checkEndpoint(protocol, endpoint string) error {
	switch protocol {
	case "sqs":
		if !reQueueARN().MatchString(endpoint) {
			return errParam("SQS endpoint ARN")
		}
	case "lambda":
		if !reFunctionARN().MatchString(endpoint) {
			return errParam("Lambda endpoint ARN")
		}
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != protocol || u.Host == "" {
			return errParam("Endpoint must match the specified protocol")
		}
	case "email", "email-json":
		if !strings.Contains(endpoint, "@") {
			return errParam("Email address")
		}
	case "sms":
		if endpoint == "" {
			return errParam("Invalid SMS endpoint, possibly an invalid phone number")
		}
	default:
		if endpoint == "" {
			return errParam("Endpoint")
		}
	}
	return nil
}

// subAttrs are the attributes Subscribe and SetSubscriptionAttributes accept.
var subAttrs = map[string]bool{"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true,
	"RawMessageDelivery": true, "RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true}

// setSubAttr validates one attribute and sets it on the subscription; an
// empty value clears it.
func setSubAttr(sb *subscription, name, value string) error {
	if !subAttrs[name] {
		return errParam("AttributeName")
	}
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return errParam("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
		switch sb.Protocol {
		case "sqs", "http", "https", "firehose":
		default:
			return errParam("Attributes Reason: Delivery protocol [%s] does not support raw message delivery.", sb.Protocol)
		}
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return errParam("Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", value)
		}
	case "RedrivePolicy":
		var p struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		}
		if value != "" && (json.Unmarshal([]byte(value), &p) != nil || !reQueueARN().MatchString(p.DeadLetterTargetArn)) {
			return errParam("RedrivePolicy: deadLetterTargetArn must be an SQS queue ARN")
		}
	case "DeliveryPolicy", "ReplayPolicy":
		if value != "" && !json.Valid([]byte(value)) {
			return errParam("Attributes Reason: %s: failed to parse JSON.", name)
		}
	}
	if value == "" {
		delete(sb.Attrs, name)
		return nil
	}
	sb.Attrs[name] = value
	return nil
}

// checkFilter compiles the subscription's filter policy in its scope, so a
// bad policy or scope change is refused when it is set.
func checkFilter(sb *subscription) error {
	policy := sb.Attrs["FilterPolicy"]
	if policy == "" {
		return nil
	}
	_, err := CompileFilter([]byte(policy), sb.Attrs["FilterPolicyScope"])
	if err != nil {
		return errParam("FilterPolicy: %v", err)
	}
	return nil
}

func (s *Service) subscribe(ctx context.Context, form url.Values) (any, error) {
	arn, err := topicFromForm(form, "TopicArn")
	if err != nil {
		return nil, err
	}
	protocol, endpoint := form.Get("Protocol"), form.Get("Endpoint")
	if protocol == "" {
		return nil, errMissing("Protocol")
	}
	if !protocols[protocol] {
		return nil, errParam("Amazon SNS does not support this protocol string: %s", protocol)
	}
	if err := checkEndpoint(protocol, endpoint); err != nil {
		return nil, err
	}
	sb := &subscription{TopicARN: arn, Owner: edge.MetaFrom(ctx).Account, Protocol: protocol, Endpoint: endpoint,
		Attrs: map[string]string{}, Pending: needsConfirmation(protocol)}
	sb.Authenticated = !sb.Pending
	for k, v := range formMap(form, "Attributes") {
		if err := setSubAttr(sb, k, v); err != nil {
			return nil, err
		}
	}
	if err := checkFilter(sb); err != nil {
		return nil, err
	}
	var existing bool
	err = s.st.Update(func(tx store.Tx) error {
		t := loadTopic(tx, arn)
		if t == nil {
			return errNoTopic()
		}
		if t.fifo() && protocol != "sqs" {
			return errParam("Invalid protocol type: %s", protocol)
		}
		if !t.fifo() && protocol == "sqs" && strings.HasSuffix(endpoint, ".fifo") {
			// A FIFO queue needs the group id only a FIFO topic sends.
			return errParam("Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
		}
		for _, old := range topicSubs(tx, arn) {
			if old.Protocol == protocol && old.Endpoint == endpoint {
				if !maps.Equal(old.Attrs, sb.Attrs) && len(sb.Attrs) > 0 {
					return errParam("Attributes Reason: Subscription already exists with different attributes")
				}
				sb, existing = old, true
				return nil
			}
		}
		sb.ARN = arn + ":" + s.newID()
		if sb.Pending {
			sb.Token = strings.ReplaceAll(s.newID()+s.newID(), "-", "")
		}
		return putJSON(tx.Bucket(subsBucket), sb.ARN, sb)
	})
	if err != nil {
		return nil, err
	}
	switch {
	case existing || !sb.Pending:
	case protocol == "http" || protocol == "https":
		s.confirmHTTP(sb)
	default:
		// tenkai sends no mail or texts: the confirmation link goes to the
		// log, where opening it confirms the subscription as the email would.
		p, _ := parseARN(arn)
		s.log.Info("sns: subscription needs confirmation; open subscribe_url to confirm it", "protocol", protocol, "endpoint", endpoint,
			"subscribe_url", s.actionURL(p.Region, "ConfirmSubscription", url.Values{"TopicArn": {arn}, "Token": {sb.Token}}))
	}
	out := sb.ARN
	if sb.Pending && form.Get("ReturnSubscriptionArn") != "true" {
		out = "pending confirmation"
	}
	return struct {
		SubscriptionArn string `xml:"SubscriptionArn"`
	}{out}, nil
}

func (s *Service) confirmSubscription(ctx context.Context, form url.Values) (any, error) {
	arn, err := topicFromForm(form, "TopicArn")
	if err != nil {
		return nil, err
	}
	token := form.Get("Token")
	if token == "" {
		return nil, errMissing("Token")
	}
	// A signed call confirms with authentication; a SubscribeURL opened by
	// the endpoint (unsigned) does not.
	signed := edge.MetaFrom(ctx).AccessKey != ""
	var subARN string
	err = s.st.Update(func(tx store.Tx) error {
		if loadTopic(tx, arn) == nil {
			return errNoTopic()
		}
		for _, sb := range topicSubs(tx, arn) {
			if sb.Token == "" || sb.Token != token {
				continue
			}
			subARN = sb.ARN
			if !sb.Pending {
				return nil
			}
			sb.Pending = false
			sb.Authenticated = signed || form.Get("AuthenticateOnUnsubscribe") == "true"
			return putJSON(tx.Bucket(subsBucket), sb.ARN, sb)
		}
		return errParam("Token")
	})
	if err != nil {
		return nil, err
	}
	return struct {
		SubscriptionArn string `xml:"SubscriptionArn"`
	}{subARN}, nil
}

// subFromForm reads and checks the SubscriptionArn member.
func subFromForm(form url.Values) (string, error) {
	arn := form.Get("SubscriptionArn")
	if arn == "" {
		return "", errMissing("SubscriptionArn")
	}
	if p, ok := parseARN(arn); !ok || p.Sub == "" {
		return "", errParam("SubscriptionArn")
	}
	return arn, nil
}

// unsubscribe deletes a subscription. Like DeleteTopic it is idempotent.
func (s *Service) unsubscribe(ctx context.Context, form url.Values) (any, error) {
	arn, err := subFromForm(form)
	if err != nil {
		return nil, err
	}
	return nil, s.st.Update(func(tx store.Tx) error {
		sb := loadSub(tx, arn)
		if sb == nil {
			return nil
		}
		if t := loadTopic(tx, sb.TopicARN); t != nil {
			t.Deleted++
			if err := putJSON(tx.Bucket(topicsBucket), t.ARN, t); err != nil {
				return err
			}
		}
		return tx.Bucket(subsBucket).Delete([]byte(arn))
	})
}

type subMember struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicArn        string `xml:"TopicArn"`
}

type subPage struct {
	Subscriptions list[subMember] `xml:"Subscriptions"`
	NextToken     string          `xml:"NextToken,omitempty"`
}

// listSubs pages through the subscriptions whose ARNs start with prefix.
func (s *Service) listSubs(prefix, token string) (subPage, error) {
	out := subPage{Subscriptions: list[subMember]{}}
	from, err := pageKey(token)
	if err != nil {
		return out, err
	}
	if from != "" && !strings.HasPrefix(from, prefix) {
		return out, errParam("NextToken")
	}
	if from == "" {
		from = prefix
	}
	err = s.st.View(func(tx store.Tx) error {
		tx.Bucket(subsBucket).Scan([]byte(from), store.PrefixEnd([]byte(prefix)), false, func(k, v []byte) bool {
			if len(out.Subscriptions) == pageSize {
				out.NextToken = pageToken(string(k))
				return false
			}
			var sb subscription
			if json.Unmarshal(v, &sb) != nil {
				return true
			}
			m := subMember{SubscriptionArn: sb.ARN, Owner: sb.Owner, Protocol: sb.Protocol, Endpoint: sb.Endpoint, TopicArn: sb.TopicARN}
			if sb.Pending {
				m.SubscriptionArn = "PendingConfirmation"
			}
			out.Subscriptions = append(out.Subscriptions, m)
			return true
		})
		return nil
	})
	return out, err
}

func (s *Service) listSubscriptions(ctx context.Context, form url.Values) (any, error) {
	m := edge.MetaFrom(ctx)
	return s.listSubs(topicPrefix(m.Region, m.Account), form.Get("NextToken"))
}

func (s *Service) listSubscriptionsByTopic(ctx context.Context, form url.Values) (any, error) {
	arn, err := topicFromForm(form, "TopicArn")
	if err != nil {
		return nil, err
	}
	var found bool
	_ = s.st.View(func(tx store.Tx) error { found = loadTopic(tx, arn) != nil; return nil })
	if !found {
		return nil, errNoTopic()
	}
	return s.listSubs(arn+":", form.Get("NextToken"))
}

func (s *Service) getSubscriptionAttributes(ctx context.Context, form url.Values) (any, error) {
	arn, err := subFromForm(form)
	if err != nil {
		return nil, err
	}
	var sb *subscription
	_ = s.st.View(func(tx store.Tx) error { sb = loadSub(tx, arn); return nil })
	if sb == nil {
		return nil, errNoSubscription()
	}
	out := maps.Clone(sb.Attrs)
	out["SubscriptionArn"], out["TopicArn"], out["Owner"] = sb.ARN, sb.TopicARN, sb.Owner
	out["Protocol"], out["Endpoint"] = sb.Protocol, sb.Endpoint
	out["PendingConfirmation"] = boolString(sb.Pending)
	out["ConfirmationWasAuthenticated"] = boolString(sb.Authenticated)
	if out["RawMessageDelivery"] == "" {
		out["RawMessageDelivery"] = "false"
	}
	if out["FilterPolicy"] != "" && out["FilterPolicyScope"] == "" {
		out["FilterPolicyScope"] = "MessageAttributes"
	}
	out["EffectiveDeliveryPolicy"] = defaultDeliveryPolicy
	if dp := out["DeliveryPolicy"]; dp != "" {
		out["EffectiveDeliveryPolicy"] = dp
	}
	return struct {
		Attributes attrMap `xml:"Attributes"`
	}{out}, nil
}

func (s *Service) setSubscriptionAttributes(ctx context.Context, form url.Values) (any, error) {
	arn, err := subFromForm(form)
	if err != nil {
		return nil, err
	}
	name := form.Get("AttributeName")
	if name == "" {
		return nil, errMissing("AttributeName")
	}
	return nil, s.st.Update(func(tx store.Tx) error {
		sb := loadSub(tx, arn)
		if sb == nil {
			return errNoSubscription()
		}
		if sb.Attrs == nil {
			sb.Attrs = map[string]string{}
		}
		if err := setSubAttr(sb, name, form.Get("AttributeValue")); err != nil {
			return err
		}
		if err := checkFilter(sb); err != nil {
			return err
		}
		return putJSON(tx.Bucket(subsBucket), arn, sb)
	})
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
