package sqs

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"tenkai/internal/edge"
)

// QueryAPI serves SQS over awsQuery, the protocol SDKs spoke before SQS moved
// to awsJson1_0 (older boto3, aws-sdk-go v1, AWS SDK for Java 1.x). Each form
// request is translated into the JSON request of the same operation, served
// by the same handler, and its answer written as AWS's XML.
type QueryAPI struct{ s *Service }

// Query returns the service's awsQuery front.
func (s *Service) Query() *QueryAPI { return &QueryAPI{s: s} }

// Name is the SigV4 signing name.
func (q *QueryAPI) Name() string { return "sqs" }

// XMLNamespace is the xmlns of SQS's XML answers.
func (q *QueryAPI) XMLNamespace() string { return "http://queue.amazonaws.com/doc/2012-11-05/" }

// Actions lists the operations, for unsigned requests.
func (q *QueryAPI) Actions() []string { return sortedKeys(q.s.ops) }

// Op returns the handler for an action, or nil.
func (q *QueryAPI) Op(action string) edge.QueryHandler {
	h := q.s.ops[action]
	if h == nil {
		return nil
	}
	return func(ctx context.Context, form url.Values) (any, error) {
		body, err := json.Marshal(formToJSON(form))
		if err != nil {
			return nil, err
		}
		out, err := h(ctx, body)
		if err != nil || out == nil {
			return nil, err
		}
		js, err := json.Marshal(out)
		if err != nil {
			return nil, err
		}
		d := json.NewDecoder(bytes.NewReader(js))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, nil
		}
		return xmlResult{action: action, v: m}, nil
	}
}

// Form members that are integers in the JSON shapes.
var queryInts = map[string]bool{"DelaySeconds": true, "MaxNumberOfMessages": true, "VisibilityTimeout": true,
	"WaitTimeSeconds": true, "MaxResults": true, "MaxNumberOfMessagesPerSecond": true}

// Numbered form lists and the JSON members they become.
var queryLists = map[string]string{"AttributeName": "AttributeNames", "MessageAttributeName": "MessageAttributeNames",
	"MessageSystemAttributeName": "MessageSystemAttributeNames", "TagKey": "TagKeys", "AWSAccountId": "AWSAccountIds", "ActionName": "Actions"}

var queryEntries = []string{"SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry", "ChangeMessageVisibilityBatchRequestEntry"}

// formToJSON turns awsQuery members (Attribute.1.Name, MessageAttribute.1.Value.StringValue,
// SendMessageBatchRequestEntry.2.Id, ...) into the JSON request.
func formToJSON(form url.Values) map[string]any {
	flat := map[string]string{}
	for k, v := range form {
		if len(v) > 0 && k != "Action" && k != "Version" {
			flat[k] = v[0]
		}
	}
	out := decodeMembers(flat)
	if attrs := numbered(flat, "Attribute"); len(attrs) > 0 {
		m := map[string]any{}
		for _, a := range attrs {
			m[a["Name"]] = a["Value"]
		}
		out["Attributes"] = m
	}
	if tags := numbered(flat, "Tag"); len(tags) > 0 {
		m := map[string]any{}
		for _, t := range tags {
			m[t["Key"]] = t["Value"]
		}
		if form.Get("Action") == "CreateQueue" {
			out["tags"] = m
		} else {
			out["Tags"] = m
		}
	}
	for prefix, member := range queryLists {
		var list []any
		for _, x := range numbered(flat, prefix) {
			list = append(list, x[""])
		}
		if list != nil {
			out[member] = list
		}
	}
	for _, prefix := range queryEntries {
		var entries []any
		for _, e := range numbered(flat, prefix) {
			entries = append(entries, decodeMembers(e))
		}
		if entries != nil {
			out["Entries"] = entries
		}
	}
	return out
}

// decodeMembers reads the scalar members and the message attributes of one
// structure (the request, or one batch entry).
func decodeMembers(flat map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range flat {
		if strings.Contains(k, ".") || k == "" {
			continue
		}
		if queryInts[k] {
			if n, err := strconv.Atoi(v); err == nil {
				out[k] = n
				continue
			}
		}
		out[k] = v
	}
	for prefix, member := range map[string]string{"MessageAttribute": "MessageAttributes", "MessageSystemAttribute": "MessageSystemAttributes"} {
		attrs := numbered(flat, prefix)
		if len(attrs) == 0 {
			continue
		}
		m := map[string]any{}
		for _, a := range attrs {
			v := map[string]any{"DataType": a["Value.DataType"]}
			if s, ok := a["Value.StringValue"]; ok {
				v["StringValue"] = s
			}
			if b, ok := a["Value.BinaryValue"]; ok {
				v["BinaryValue"] = b
			}
			m[a["Name"]] = v
		}
		out[member] = m
	}
	return out
}

// numbered collects PREFIX.N.REST members by N, in order; the value of
// PREFIX.N itself is under "".
func numbered(flat map[string]string, prefix string) []map[string]string {
	byN := map[int]map[string]string{}
	for k, v := range flat {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, sub, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		if byN[n] == nil {
			byN[n] = map[string]string{}
		}
		byN[n][sub] = v
	}
	ns := make([]int, 0, len(byN))
	for n := range byN {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	out := make([]map[string]string, len(ns))
	for i, n := range ns {
		out[i] = byN[n]
	}
	return out
}

// xmlResult writes a JSON answer as SQS's XML: lists and maps are flattened
// under their singular element names.
type xmlResult struct {
	action string
	v      map[string]any
}

// MarshalXML writes the <ActionResult> element.
func (r xmlResult) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := r.members(e, r.v); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

func (r xmlResult) members(e *xml.Encoder, m map[string]any) error {
	for _, k := range sortedKeys(m) {
		if err := r.member(e, k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func (r xmlResult) member(e *xml.Encoder, key string, v any) error {
	switch key {
	case "QueueUrls", "queueUrls":
		return eachOf(v, func(x any) error { return text(e, "QueueUrl", x) })
	case "Attributes":
		return pairs(e, v, "Attribute", "Name", "Value")
	case "Tags":
		return pairs(e, v, "Tag", "Key", "Value")
	case "MessageAttributes":
		m, _ := v.(map[string]any)
		for _, name := range sortedKeys(m) {
			err := elem(e, "MessageAttribute", func() error {
				if err := text(e, "Name", name); err != nil {
					return err
				}
				val, _ := m[name].(map[string]any)
				return elem(e, "Value", func() error { return r.members(e, val) })
			})
			if err != nil {
				return err
			}
		}
		return nil
	case "Messages":
		return eachOf(v, func(x any) error { return r.object(e, "Message", x) })
	case "Successful":
		name := strings.TrimSuffix(r.action, "Batch") + "BatchResultEntry"
		return eachOf(v, func(x any) error { return r.object(e, name, x) })
	case "Failed":
		return eachOf(v, func(x any) error { return r.object(e, "BatchResultErrorEntry", x) })
	case "Results":
		return eachOf(v, func(x any) error { return r.object(e, "ListMessageMoveTasksResultEntry", x) })
	}
	if m, ok := v.(map[string]any); ok {
		return r.object(e, key, m)
	}
	return text(e, key, v)
}

func (r xmlResult) object(e *xml.Encoder, name string, v any) error {
	m, _ := v.(map[string]any)
	return elem(e, name, func() error { return r.members(e, m) })
}

func eachOf(v any, f func(any) error) error {
	list, _ := v.([]any)
	for _, x := range list {
		if err := f(x); err != nil {
			return err
		}
	}
	return nil
}

func pairs(e *xml.Encoder, v any, name, k, val string) error {
	m, _ := v.(map[string]any)
	for _, key := range sortedKeys(m) {
		err := elem(e, name, func() error {
			if err := text(e, k, key); err != nil {
				return err
			}
			return text(e, val, m[key])
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func elem(e *xml.Encoder, name string, body func() error) error {
	start := xml.StartElement{Name: xml.Name{Local: name}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := body(); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

func text(e *xml.Encoder, name string, v any) error {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case bool:
		s = strconv.FormatBool(x)
	case nil:
		return nil
	default:
		b, _ := json.Marshal(x)
		s = string(b)
	}
	return e.EncodeElement(s, xml.StartElement{Name: xml.Name{Local: name}})
}
