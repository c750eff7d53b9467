package sns

import (
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// numbered collects the members PREFIX.N.REST of a form by N, in order; the
// value of PREFIX.N itself is under "". awsQuery numbers lists
// (Tags.member.N) and maps (Attributes.entry.N) this way.
func numbered(form url.Values, prefix string) []map[string]string {
	byN := map[int]map[string]string{}
	for k, v := range form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok || len(v) == 0 {
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
		byN[n][sub] = v[0]
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

// members returns the members of form under prefix, with the prefix cut:
// the fields of one list element.
func members(form url.Values, prefix string) url.Values {
	out := url.Values{}
	for k, v := range form {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
			out[rest] = v
		}
	}
	return out
}

// formMap reads a string map: NAME.entry.N.key / NAME.entry.N.value. It is
// nil when the form has none.
func formMap(form url.Values, name string) map[string]string {
	entries := numbered(form, name+".entry")
	if len(entries) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, e := range entries {
		m[e["key"]] = e["value"]
	}
	return m
}

// formTags reads Tags.member.N.Key / .Value.
func formTags(form url.Values) []Tag {
	var out []Tag
	for _, e := range numbered(form, "Tags.member") {
		out = append(out, Tag{Key: e["Key"], Value: e["Value"]})
	}
	return out
}

// formList reads NAME.member.N.
func formList(form url.Values, name string) []string {
	var out []string
	for _, e := range numbered(form, name+".member") {
		out = append(out, e[""])
	}
	return out
}

// formMessageAttributes reads MessageAttributes.entry.N.Name /
// .Value.DataType / .Value.StringValue / .Value.BinaryValue (base64).
func formMessageAttributes(form url.Values) (map[string]MessageAttribute, error) {
	entries := numbered(form, "MessageAttributes.entry")
	if len(entries) == 0 {
		return nil, nil
	}
	out := make(map[string]MessageAttribute, len(entries))
	for _, e := range entries {
		a := MessageAttribute{DataType: e["Value.DataType"], StringValue: e["Value.StringValue"]}
		if b, ok := e["Value.BinaryValue"]; ok {
			raw, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				return nil, errParam("MessageAttributes Reason: The message attribute '%s' has an invalid binary value.", e["Name"])
			}
			a.BinaryValue = raw
		}
		out[e["Name"]] = a
	}
	return out, nil
}

// attrMap is written as SNS writes string maps:
// <entry><key>K</key><value>V</value></entry>, sorted by key.
type attrMap map[string]string

// MarshalXML writes the entries.
func (m attrMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		entry := struct {
			Key   string `xml:"key"`
			Value string `xml:"value"`
		}{k, m[k]}
		if err := e.EncodeElement(entry, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// list is an awsQuery list: <Name><member>…</member>…</Name>, written even
// when empty so clients decode an empty list.
type list[T any] []T

// MarshalXML writes each element as a <member>.
func (l list[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, v := range l {
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "member"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// pageToken and pageKey turn the key of the first item of the next page
// into an opaque NextToken and back.
func pageToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

func pageKey(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	k, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", errParam("NextToken")
	}
	return string(k), nil
}

// pageSize is how many topics or subscriptions a List call returns.
const pageSize = 100
