package asl

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"tenkai/internal/jsonata"
)

// LiteralValue returns the argument's literal as a JSON value (escapes resolved).
func (a Arg) LiteralValue() any {
	if r, ok := a.Literal.(rawString); ok {
		return r.Unescape()
	}
	return a.Literal
}

// Template is a compiled JSONPath-mode payload template (Parameters,
// ResultSelector, ItemSelector, Assign): literal parts are kept, fields whose
// names end in ".$" become a path or an intrinsic function call.
type Template struct {
	Literal any // when the node has no dynamic part
	Dynamic bool
	Fields  []TemplateField // when an object with dynamic parts
	Elems   []*Template     // when an array with dynamic parts
	IsArray bool
}

// TemplateField is one field of an object template.
type TemplateField struct {
	Key  string // without ".$"
	Path *Path  // for "key.$": "$..." values
	Call *Call  // for "key.$": "States.X(...)" values
	Val  *Template
}

// compileTemplate compiles a payload template; errs receives problems with
// their location relative to loc.
func compileTemplate(v any, loc string, field string, errs *diagList) *Template {
	switch x := v.(type) {
	case map[string]any:
		o := &object{vals: x}
		for k := range x {
			o.keys = append(o.keys, k)
		}
		sort.Strings(o.keys)
		return compileTemplate(o, loc, field, errs)
	case *Object:
		return compileTemplate(&object{keys: x.keys, vals: x.Map()}, loc, field, errs)
	case *object:
		t := &Template{}
		for _, k := range x.keys {
			val := x.vals[k]
			if strings.HasSuffix(k, ".$") {
				t.Dynamic = true
				s, ok := val.(string)
				f := TemplateField{Key: strings.TrimSuffix(k, ".$")}
				if !ok {
					errs.schema(loc, "The value for the field '%s' must be a STRING that contains a JSONPath but was an %s", k, jsonKind(val))
					continue
				}
				if IsIntrinsic(s) {
					c, err := ParseIntrinsic(s)
					if err != nil {
						errs.schema(loc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", k)
						continue
					}
					f.Call = c
				} else {
					p, err := CompilePath(s)
					if err != nil {
						errs.schema(loc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", k)
						continue
					}
					f.Path = p
				}
				t.Fields = append(t.Fields, f)
				continue
			}
			sub := compileTemplate(val, loc, field, errs)
			if sub.Dynamic {
				t.Dynamic = true
			}
			t.Fields = append(t.Fields, TemplateField{Key: k, Val: sub})
		}
		if !t.Dynamic {
			return &Template{Literal: plain(x)}
		}
		return t
	case []any:
		t := &Template{IsArray: true}
		for _, e := range x {
			sub := compileTemplate(e, loc, field, errs)
			if sub.Dynamic {
				t.Dynamic = true
			}
			t.Elems = append(t.Elems, sub)
		}
		if !t.Dynamic {
			return &Template{Literal: plain(x)}
		}
		return t
	default:
		return &Template{Literal: plain(v)}
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case *object, *Object, map[string]any:
		return "OBJECT"
	case []any:
		return "ARRAY"
	case string:
		return "STRING"
	case bool:
		return "BOOLEAN"
	case nil:
		return "NULL"
	default:
		return "NUMBER"
	}
}

// CompileTemplate compiles a JSONPath-mode payload template from Go JSON data.
func CompileTemplate(v any) (*Template, error) {
	var errs diagList
	t := compileTemplate(v, "", "", &errs)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", errs[0].Message)
	}
	return t, nil
}

// JTemplate is a compiled JSONata-mode value: any JSON in which strings of
// the form "{% expression %}" are JSONata expressions.
type JTemplate struct {
	Literal any
	Expr    *jsonata.Expr
	Field   string // where the expression sits in its state, e.g. "Output/v", for error causes
	Dynamic bool
	Keys    []string
	Vals    []*JTemplate
	IsArray bool
}

// IsJSONataString reports whether s is a "{% ... %}" expression.
func IsJSONataString(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{%") && strings.HasSuffix(t, "%}") && len(t) >= 4
}

// CompileJSONata compiles a JSONata-mode value.
func CompileJSONata(v any) (*JTemplate, error) {
	var errs diagList
	t := compileJ(v, "", "", &errs)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", errs[0].Message)
	}
	return t, nil
}

// compileJ compiles v found at loc (a definition location) and field (the
// same place relative to its state).
func compileJ(v any, loc, field string, errs *diagList) *JTemplate {
	switch x := v.(type) {
	case string:
		if !IsJSONataString(x) {
			return &JTemplate{Literal: x}
		}
		t := strings.TrimSpace(x)
		src := strings.TrimSpace(t[2 : len(t)-2])
		e, err := jsonata.Compile(src)
		if err != nil {
			msg := err.Error()
			var je *jsonata.Error
			if errors.As(err, &je) {
				msg = je.Message
			}
			errs.add("INVALID_JSONATA_EXPRESSION", loc, "%s", msg)
			return &JTemplate{Literal: x}
		}
		for _, ref := range topLevelRefs(src) {
			errs.add("UNSUPPORTED_JSONATA_EXPRESSION", loc, "Reference to '%s' at the top level is not supported.", ref)
		}
		return &JTemplate{Expr: e, Field: field, Dynamic: true}
	case *object:
		t := &JTemplate{}
		for _, k := range x.keys {
			sub := compileJ(x.vals[k], loc+"/"+k, field+"/"+k, errs)
			t.Dynamic = t.Dynamic || sub.Dynamic
			t.Keys = append(t.Keys, k)
			t.Vals = append(t.Vals, sub)
		}
		if !t.Dynamic {
			return &JTemplate{Literal: plain(x)}
		}
		return t
	case map[string]any:
		o := &object{vals: x}
		for k := range x {
			o.keys = append(o.keys, k)
		}
		sort.Strings(o.keys)
		return compileJ(o, loc, field, errs)
	case *Object:
		return compileJ(&object{keys: x.keys, vals: x.Map()}, loc, field, errs)
	case []any:
		t := &JTemplate{IsArray: true}
		for i, e := range x {
			sub := compileJ(e, fmt.Sprintf("%s[%d]", loc, i), fmt.Sprintf("%s[%d]", field, i), errs)
			t.Dynamic = t.Dynamic || sub.Dynamic
			t.Vals = append(t.Vals, sub)
		}
		if !t.Dynamic {
			return &JTemplate{Literal: plain(x)}
		}
		return t
	default:
		return &JTemplate{Literal: plain(v)}
	}
}
