package sns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"tenkai/internal/events/pattern"
)

// Filter is a compiled subscription filter policy. SNS filter policies are
// the EventBridge pattern language less a few operators, applied either to
// the message attributes or to the message body; Match turns a message into
// the JSON document the pattern engine reads.
type Filter struct {
	p    *pattern.Pattern
	body bool // scope MessageBody
}

// Filter policy scopes.
const (
	ScopeAttributes = "MessageAttributes"
	ScopeBody       = "MessageBody"
)

// maxFilterKeys is how many attribute names a MessageAttributes policy may
// name, as AWS limits it.
const maxFilterKeys = 5

// operators are the matching operators SNS supports; EventBridge's wildcard
// is not among them.
var operators = map[string]bool{"prefix": true, "suffix": true, "anything-but": true, "numeric": true,
	"exists": true, "equals-ignore-case": true, "cidr": true}

// CompileFilter compiles a filter policy for a scope ("" means
// MessageAttributes). The error text is what follows "FilterPolicy: " in
// AWS's InvalidParameter message.
func CompileFilter(policy []byte, scope string) (*Filter, error) {
	if scope == "" {
		scope = ScopeAttributes
	}
	if scope != ScopeAttributes && scope != ScopeBody {
		return nil, fmt.Errorf("unknown scope %s", scope)
	}
	d := json.NewDecoder(bytes.NewReader(policy))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("failed to parse JSON: %w", err)
	}
	if d.More() {
		return nil, errors.New("failed to parse JSON: unexpected data after the policy")
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("Filter policy must be a JSON object")
	}
	if len(top) == 0 {
		return nil, errors.New("Filter policy can not be empty")
	}
	if scope == ScopeAttributes && len(top) > maxFilterKeys {
		return nil, fmt.Errorf("Filter policy can not have more than %d keys", maxFilterKeys)
	}
	if err := checkPolicy(top, scope == ScopeBody); err != nil {
		return nil, err
	}
	p, err := pattern.Compile(policy)
	if err != nil {
		return nil, err
	}
	return &Filter{p: p, body: scope == ScopeBody}, nil
}

// checkPolicy refuses what SNS refuses and EventBridge would take: nested
// keys in the attributes scope, scalars where a list belongs, unknown
// operators.
func checkPolicy(obj map[string]any, nested bool) error {
	for k, v := range obj {
		switch x := v.(type) {
		case []any:
			if k == "$or" {
				for _, alt := range x {
					o, ok := alt.(map[string]any)
					if !ok {
						return errors.New(`"$or" must be a list of objects`)
					}
					if err := checkPolicy(o, nested); err != nil {
						return err
					}
				}
				continue
			}
			for _, el := range x {
				if op, ok := el.(map[string]any); ok {
					for name := range op {
						if !operators[name] {
							return fmt.Errorf("Unrecognized match type %s", name)
						}
					}
					if but, ok := op["anything-but"].(map[string]any); ok {
						for name := range but {
							if name != "prefix" && name != "suffix" && name != "equals-ignore-case" {
								return fmt.Errorf("Unsupported anything-but pattern: %s", name)
							}
						}
					}
				}
			}
		case map[string]any:
			if !nested {
				return errors.New("Filter policy scope MessageAttributes does not support nested filter policy")
			}
			if err := checkPolicy(x, nested); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%q must be an object or an array", k)
		}
	}
	return nil
}

// Match reports whether a message passes the filter.
func (f *Filter) Match(body string, attrs map[string]MessageAttribute) bool {
	if f.body {
		// A body that is not a JSON object has no properties to match.
		b := bytes.TrimSpace([]byte(body))
		if len(b) == 0 || b[0] != '{' {
			return false
		}
		return f.p.Match(b)
	}
	return f.p.Match(attributeDoc(attrs))
}

// attributeDoc is the JSON object a MessageAttributes policy is matched
// against: Number attributes as numbers, String.Array attributes as arrays,
// other strings as strings. Binary attributes are not matched, as in AWS.
func attributeDoc(attrs map[string]MessageAttribute) []byte {
	doc := make(map[string]json.RawMessage, len(attrs))
	for name, a := range attrs {
		switch baseType(a.DataType) {
		case "Number":
			if isJSONNumber(a.StringValue) {
				doc[name] = json.RawMessage(a.StringValue)
				continue
			}
		case "String.Array":
			if b := []byte(a.StringValue); json.Valid(b) && bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
				doc[name] = b
				continue
			}
		case "Binary":
			continue
		}
		s, _ := json.Marshal(a.StringValue)
		doc[name] = s
	}
	out, _ := json.Marshal(doc)
	return out
}

func isJSONNumber(s string) bool {
	return s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && json.Valid([]byte(s))
}
