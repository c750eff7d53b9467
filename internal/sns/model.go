package sns

import (
	"encoding/json"
	"fmt"
	"strings"

	"tenkai/internal/store"
)

// Buckets. Topics and subscriptions are keyed by their ARNs, so a prefix
// scan lists an account's topics in a region ("arn:aws:sns:REGION:ACCOUNT:")
// or a topic's subscriptions ("TOPICARN:").
const (
	topicsBucket = "sns/topics"
	subsBucket   = "sns/subscriptions"
	dedupBucket  = "sns/dedup" // "TOPICARN\x00DEDUPID" → expiry, unix millis
)

// topic is a stored topic.
type topic struct {
	ARN     string            `json:"arn"`
	Attrs   map[string]string `json:"attrs"` // set by the user: DisplayName, Policy, FifoTopic, ...
	Tags    []Tag             `json:"tags,omitempty"`
	Deleted int               `json:"deleted"` // SubscriptionsDeleted
	Seq     uint64            `json:"seq"`     // last FIFO sequence number
}

// Tag is a key-value pair on a topic.
type Tag struct {
	Key   string `json:"k" xml:"Key"`
	Value string `json:"v" xml:"Value"`
}

func (t *topic) fifo() bool { return t.Attrs["FifoTopic"] == "true" }

// subscription is a stored subscription.
type subscription struct {
	ARN      string            `json:"arn"`
	TopicARN string            `json:"topic"`
	Owner    string            `json:"owner"`
	Protocol string            `json:"protocol"`
	Endpoint string            `json:"endpoint"`
	Attrs    map[string]string `json:"attrs"` // RawMessageDelivery, FilterPolicy, FilterPolicyScope, ...
	Pending  bool              `json:"pending"`
	Token    string            `json:"token,omitempty"` // confirmation token while pending
	// Authenticated is ConfirmationWasAuthenticated: confirmed by a signed
	// ConfirmSubscription call rather than the SubscribeURL, or never pending.
	Authenticated bool `json:"authenticated"`
}

// arnParts is a parsed SNS ARN: arn:aws:sns:REGION:ACCOUNT:TOPIC[:SUBID].
type arnParts struct {
	Region, Account, Topic, Sub string
}

func parseARN(arn string) (arnParts, bool) {
	p := strings.Split(arn, ":")
	if len(p) < 6 || len(p) > 7 || p[0] != "arn" || p[2] != "sns" || p[3] == "" || p[4] == "" || p[5] == "" {
		return arnParts{}, false
	}
	a := arnParts{Region: p[3], Account: p[4], Topic: p[5]}
	if len(p) == 7 {
		if p[6] == "" {
			return arnParts{}, false
		}
		a.Sub = p[6]
	}
	return a, true
}

func topicARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, account, name)
}

// topicPrefix is the key prefix of an account's topics in a region.
func topicPrefix(region, account string) string {
	return "arn:aws:sns:" + region + ":" + account + ":"
}

func getJSON(b store.Bucket, key string, v any) bool {
	raw := b.Get([]byte(key))
	if raw == nil {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

func putJSON(b store.Bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), raw)
}

func loadTopic(tx store.Tx, arn string) *topic {
	var t topic
	if !getJSON(tx.Bucket(topicsBucket), arn, &t) {
		return nil
	}
	return &t
}

func loadSub(tx store.Tx, arn string) *subscription {
	var s subscription
	if !getJSON(tx.Bucket(subsBucket), arn, &s) {
		return nil
	}
	return &s
}

// topicSubs returns a topic's subscriptions in ARN order.
func topicSubs(tx store.Tx, topicARN string) []*subscription {
	var out []*subscription
	prefix := []byte(topicARN + ":")
	tx.Bucket(subsBucket).Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
		var s subscription
		if json.Unmarshal(v, &s) == nil {
			out = append(out, &s)
		}
		return true
	})
	return out
}
