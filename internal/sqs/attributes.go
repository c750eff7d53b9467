package sqs

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Limits and defaults of queue attributes, from the CreateQueue reference.
const (
	maxMessageBytes  = 1 << 20 // MaximumMessageSize's ceiling and default (1 MiB)
	maxBatchBytes    = 1 << 20 // a whole SendMessageBatch
	maxVisibility    = 43200   // 12 hours
	maxDelay         = 900
	maxWait          = 20
	dedupInterval    = 5 * 60 * 1000 // milliseconds
	purgeInterval    = 60 * 1000     // milliseconds
	recreateInterval = 60            // seconds after DeleteQueue before the name is free
)

type intRange struct{ min, max int }

var intAttrs = map[string]intRange{
	"DelaySeconds":                  {0, maxDelay},
	"MaximumMessageSize":            {1024, maxMessageBytes},
	"MessageRetentionPeriod":        {60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {0, maxWait},
	"VisibilityTimeout":             {0, maxVisibility},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
}

// readOnlyAttrs are reported by GetQueueAttributes but cannot be set.
var readOnlyAttrs = map[string]bool{
	"ApproximateNumberOfMessages":           true,
	"ApproximateNumberOfMessagesNotVisible": true,
	"ApproximateNumberOfMessagesDelayed":    true,
	"CreatedTimestamp":                      true,
	"LastModifiedTimestamp":                 true,
	"QueueArn":                              true,
}

// fifoAttrs exist only on FIFO queues.
var fifoAttrs = map[string]bool{"FifoQueue": true, "ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

func defaultAttrs(fifo bool) map[string]string {
	a := map[string]string{
		"DelaySeconds":                  "0",
		"MaximumMessageSize":            strconv.Itoa(maxMessageBytes),
		"MessageRetentionPeriod":        "345600",
		"ReceiveMessageWaitTimeSeconds": "0",
		"VisibilityTimeout":             "30",
		"SqsManagedSseEnabled":          "true",
	}
	if fifo {
		a["FifoQueue"] = "true"
		a["ContentBasedDeduplication"] = "false"
		a["DeduplicationScope"] = "queue"
		a["FifoThroughputLimit"] = "perQueue"
	}
	return a
}

// redrivePolicy is a queue's RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

func parseRedrive(s string) (redrivePolicy, bool) {
	if s == "" {
		return redrivePolicy{}, false
	}
	var p redrivePolicy
	if json.Unmarshal([]byte(s), &p) != nil || p.DeadLetterTargetArn == "" {
		return redrivePolicy{}, false
	}
	return p, true
}

// normalizeAttr checks one settable attribute and returns its canonical value.
// Checks that need other queues (the dead-letter target) are done by the caller.
func normalizeAttr(name, value string, fifo bool) (string, error) {
	if r, ok := intAttrs[name]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < r.min || n > r.max {
			return "", errAttrValue(name)
		}
		return strconv.Itoa(n), nil
	}
	if readOnlyAttrs[name] {
		return "", errAttrName(name)
	}
	if fifoAttrs[name] && !fifo {
		if name == "FifoQueue" && strings.EqualFold(value, "false") {
			return "false", nil
		}
		return "", errAttrName(name)
	}
	switch name {
	case "FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled":
		switch strings.ToLower(value) {
		case "true", "false":
			return strings.ToLower(value), nil
		}
		return "", errAttrValue(name)
	case "DeduplicationScope":
		if value == "messageGroup" || value == "queue" {
			return value, nil
		}
		return "", errAttrValue(name)
	case "FifoThroughputLimit":
		if value == "perQueue" || value == "perMessageGroupId" {
			return value, nil
		}
		return "", errAttrValue(name)
	case "KmsMasterKeyId":
		return value, nil
	case "Policy":
		if value != "" && !json.Valid([]byte(value)) {
			return "", errAttrValue(name)
		}
		return value, nil
	case "RedrivePolicy":
		return normalizeRedrive(value)
	case "RedriveAllowPolicy":
		return normalizeRedriveAllow(value)
	}
	return "", errAttrName(name)
}

func normalizeRedrive(value string) (string, error) {
	if value == "" {
		return "", nil // removes the policy
	}
	var raw map[string]any
	if json.Unmarshal([]byte(value), &raw) != nil {
		return "", errAttrValue("RedrivePolicy")
	}
	arn, _ := raw["deadLetterTargetArn"].(string)
	if arn == "" {
		return "", errValue(value, "RedrivePolicy", "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	var n int
	switch v := raw["maxReceiveCount"].(type) {
	case float64:
		n = int(v)
		if float64(n) != v {
			n = 0
		}
	case string:
		n, _ = strconv.Atoi(v)
	case nil:
		return "", errValue(value, "RedrivePolicy", "Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	if n < 1 || n > 1000 {
		return "", errValue(value, "RedrivePolicy", "Invalid value for maxReceiveCount: "+strconv.Itoa(n)+", valid values are from 1 to 1000 both inclusive.")
	}
	js, _ := json.Marshal(redrivePolicy{DeadLetterTargetArn: arn, MaxReceiveCount: n})
	return string(js), nil
}

type redriveAllow struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns,omitempty"`
}

func normalizeRedriveAllow(value string) (string, error) {
	if value == "" {
		return "", nil
	}
	var p redriveAllow
	if json.Unmarshal([]byte(value), &p) != nil {
		return "", errAttrValue("RedriveAllowPolicy")
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
		if len(p.SourceQueueArns) > 0 {
			return "", errValue(value, "RedriveAllowPolicy", "Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.")
		}
	case "byQueue":
		if len(p.SourceQueueArns) < 1 || len(p.SourceQueueArns) > 10 {
			return "", errValue(value, "RedriveAllowPolicy", "Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.")
		}
	default:
		return "", errValue(value, "RedriveAllowPolicy", "Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.")
	}
	js, _ := json.Marshal(p)
	return string(js), nil
}

// allowsSource reports whether a dead-letter queue's RedriveAllowPolicy lets
// sourceARN use it.
func allowsSource(policy, sourceARN string) bool {
	if policy == "" {
		return true
	}
	var p redriveAllow
	if json.Unmarshal([]byte(policy), &p) != nil {
		return true
	}
	switch p.RedrivePermission {
	case "denyAll":
		return false
	case "byQueue":
		for _, a := range p.SourceQueueArns {
			if a == sourceARN {
				return true
			}
		}
		return false
	}
	return true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
