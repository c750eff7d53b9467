package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// targetInput builds what a target receives: the event, Input, the result of
// InputPath, or InputTransformer's template filled from the event.
func targetInput(t *Target, event []byte, ruleARN, ruleName string, ingested time.Time) ([]byte, error) {
	switch {
	case t.Input != nil:
		return []byte(*t.Input), nil
	case t.InputPath != nil:
		doc, err := decode(event)
		if err != nil {
			return nil, err
		}
		v, ok, err := lookup(doc, *t.InputPath)
		if err != nil {
			return nil, err
		}
		if !ok {
			return []byte("null"), nil
		}
		return marshal(v)
	case t.InputTransformer != nil:
		return transform(t.InputTransformer, event, ruleARN, ruleName, ingested)
	}
	return event, nil
}

func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// lookup evaluates EventBridge's JSONPath subset: $, .name (names may hold
// dashes and slashes), ['name'], [n] and the * wildcard. Several results come
// back as an array.
func lookup(doc any, path string) (any, bool, error) {
	if !strings.HasPrefix(path, "$") {
		return nil, false, fmt.Errorf("JSONPath %q is not valid", path)
	}
	cur := []any{doc}
	wild := false
	rest := path[1:]
	for rest != "" {
		var step string
		switch {
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest, "']")
			if end < 0 {
				return nil, false, fmt.Errorf("JSONPath %q is not valid", path)
			}
			step, rest = "."+rest[2:end], rest[end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false, fmt.Errorf("JSONPath %q is not valid", path)
			}
			step, rest = rest[:end+1], rest[end+1:]
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				step, rest = rest, ""
			} else {
				step, rest = rest[:end+1], rest[end+1:]
			}
		default:
			return nil, false, fmt.Errorf("JSONPath %q is not valid", path)
		}
		var next []any
		for _, v := range cur {
			switch {
			case step == ".*" || step == "[*]":
				wild = true
				switch x := v.(type) {
				case map[string]any:
					for _, e := range x {
						next = append(next, e)
					}
				case []any:
					next = append(next, x...)
				}
			case step[0] == '[':
				n, err := strconv.Atoi(step[1 : len(step)-1])
				if err != nil {
					return nil, false, fmt.Errorf("JSONPath %q is not valid", path)
				}
				if a, ok := v.([]any); ok && n >= 0 && n < len(a) {
					next = append(next, a[n])
				}
			default:
				if m, ok := v.(map[string]any); ok {
					if e, ok := m[step[1:]]; ok {
						next = append(next, e)
					}
				}
			}
		}
		cur = next
	}
	switch {
	case len(cur) == 0:
		return nil, false, nil
	case len(cur) == 1 && !wild:
		return cur[0], true, nil
	}
	return cur, true, nil
}

// transform fills an InputTemplate. Inside a JSON string a variable's string
// value goes in as is (AWS does not escape it); outside strings it goes in as
// JSON. Variables whose path matches nothing are empty (null outside strings).
func transform(it *InputTransformer, event []byte, ruleARN, ruleName string, ingested time.Time) ([]byte, error) {
	doc, err := decode(event)
	if err != nil {
		return nil, err
	}
	vars := map[string]any{}
	for name, path := range it.InputPathsMap {
		v, ok, err := lookup(doc, path)
		if err != nil {
			return nil, err
		}
		if ok {
			vars[name] = v
		}
	}
	vars["aws.events.rule-arn"] = ruleARN
	vars["aws.events.rule-name"] = ruleName
	vars["aws.events.event.ingestion-time"] = ingested.UTC().Format(time.RFC3339)
	if head, ok := withoutDetail(event); ok {
		vars["aws.events.event"] = json.RawMessage(head)
	} else if m, ok := doc.(map[string]any); ok {
		noDetail := map[string]any{}
		for k, v := range m {
			if k != "detail" {
				noDetail[k] = v
			}
		}
		vars["aws.events.event"] = noDetail
	}
	vars["aws.events.event.json"] = json.RawMessage(event)

	tpl := it.InputTemplate
	var out strings.Builder
	inString := false
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		switch {
		case c == '\\' && inString && i+1 < len(tpl):
			out.WriteByte(c)
			out.WriteByte(tpl[i+1])
			i++
		case c == '"':
			inString = !inString
			out.WriteByte(c)
		case c == '<':
			end := strings.IndexByte(tpl[i+1:], '>')
			if end < 0 {
				out.WriteByte(c)
				continue
			}
			name := tpl[i+1 : i+1+end]
			v, known := vars[name]
			_, declared := it.InputPathsMap[name]
			if !known && !declared && !strings.HasPrefix(name, "aws.events.") {
				out.WriteByte(c) // not a placeholder
				continue
			}
			i += end + 1
			if inString {
				out.WriteString(plain(v))
			} else if !known {
				out.WriteString("null")
			} else {
				b, err := marshal(v)
				if err != nil {
					return nil, err
				}
				out.Write(b)
			}
		default:
			out.WriteByte(c)
		}
	}
	return []byte(out.String()), nil
}

// withoutDetail returns an envelope built by appendEnvelope without its
// detail, keeping AWS's field order. detail is the envelope's last member, and
// `,"detail":` cannot occur earlier: quotes inside strings are escaped.
func withoutDetail(event []byte) ([]byte, bool) {
	i := bytes.Index(event, []byte(`,"detail":`))
	if i < 0 || !bytes.HasPrefix(event, []byte(`{"version":`)) {
		return nil, false
	}
	return append(event[:i:i], '}'), true
}

// plain renders a value for insertion inside a JSON string.
func plain(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case json.RawMessage:
		return string(x)
	}
	b, _ := marshal(v)
	return string(b)
}

// marshal encodes v as JSON without escaping <, > and &, which EventBridge
// passes through as they are.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
