package asl

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Parse parses and validates a definition. On any ERROR diagnostic it returns
// a *Diagnostics error.
func Parse(definition []byte) (*StateMachine, error) {
	sm, diags := parse(definition)
	if diags.errors() > 0 {
		ds := Diagnostics(diags)
		return nil, &ds
	}
	return sm, nil
}

// Validate returns every problem in a definition (errors and warnings).
func Validate(definition []byte) []Diagnostic {
	_, diags := parse(definition)
	return diags
}

// ParseState parses one state definition (as TestState receives it) in the
// given default query language. Next targets are not checked.
func ParseState(name string, def []byte, queryLanguage string) (*State, error) {
	var errs diagList
	v, err := decodeOrdered(def)
	if err != nil {
		errs.add("INVALID_JSON_DESCRIPTION", "", "%v", err)
		ds := Diagnostics(errs)
		return nil, &ds
	}
	o, ok := v.(*object)
	if !ok {
		errs.schema("", "The state definition must be an object")
		ds := Diagnostics(errs)
		return nil, &ds
	}
	if queryLanguage == "" {
		queryLanguage = JSONPath
	}
	p := &parser{errs: &errs}
	st := p.state(name, o, "", queryLanguage)
	if errs.errors() > 0 {
		ds := Diagnostics(errs)
		return nil, &ds
	}
	return st, nil
}

type parser struct {
	errs     *diagList
	stateLoc string // location of the state being parsed
}

var topFields = map[string]bool{"Comment": true, "StartAt": true, "States": true, "TimeoutSeconds": true, "Version": true, "QueryLanguage": true}

func parse(def []byte) (*StateMachine, diagList) {
	var errs diagList
	if len(def) > MaxDefinitionSize {
		errs.schema("", "The definition must not exceed %d bytes", MaxDefinitionSize)
		return nil, errs
	}
	v, err := decodeOrdered(def)
	if err != nil {
		errs.add("INVALID_JSON_DESCRIPTION", "", "%s", jsonErrText(err))
		return nil, errs
	}
	top, ok := v.(*object)
	if !ok {
		errs.schema("", "Expected value of type: OBJECT but was %s", jsonKind(v))
		return nil, errs
	}
	p := &parser{errs: &errs}
	sm := &StateMachine{Definition: def, QueryLanguage: JSONPath}
	for _, k := range top.keys {
		if !topFields[k] {
			errs.schema("", "Field '%s' is not supported", k)
		}
	}
	if c, ok := top.get("Comment"); ok {
		sm.Comment, _ = p.str(c, "/Comment")
	}
	if c, ok := top.get("Version"); ok {
		sm.Version, _ = p.str(c, "/Version")
	}
	if q, ok := top.get("QueryLanguage"); ok {
		if s, ok := p.str(q, "/QueryLanguage"); ok {
			if s != JSONPath && s != JSONata {
				errs.schema("/QueryLanguage", "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]")
			} else {
				sm.QueryLanguage = s
			}
		}
	}
	if t, ok := top.get("TimeoutSeconds"); ok {
		sm.TimeoutSeconds = p.posInt(t, "/TimeoutSeconds", "TimeoutSeconds", false)
	}
	sm.Machine = *p.machine(top, "", sm.QueryLanguage, "")
	return sm, errs
}

func jsonErrText(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	}
	return err.Error()
}

// machine parses StartAt/States under loc ("" at the top level).
func (p *parser) machine(o *object, loc, ql, mode string) *Machine {
	m := &Machine{States: map[string]*State{}}
	start, hasStart := o.get("StartAt")
	statesV, hasStates := o.get("States")
	var missing []string
	if !hasStart {
		missing = append(missing, "StartAt")
	}
	if !hasStates {
		missing = append(missing, "States")
	}
	if len(missing) > 0 {
		p.errs.schema(locOrRoot(loc), "These fields are required: [%s]", strings.Join(missing, ", "))
	}
	if hasStart {
		m.StartAt, _ = p.str(start, loc+"/StartAt")
	}
	states, ok := statesV.(*object)
	if hasStates && !ok {
		p.errs.schema(loc+"/States", "Expected value of type: OBJECT but was %s", jsonKind(statesV))
		return m
	}
	if states == nil {
		return m
	}
	for _, d := range states.dups {
		p.errs.add("SCHEMA_VALIDATION_FAILED", loc+"/States/"+d, "Duplicate State name: %s", d)
	}
	if len(states.keys) == 0 {
		p.errs.schema(loc+"/States", "The field 'States' must contain at least one state")
	}
	for _, name := range states.keys {
		sl := loc + "/States/" + name
		if utf8.RuneCountInString(name) > MaxStateNameLen {
			p.errs.schema(sl, "State name '%s' exceeds the maximum length of %d characters", name, MaxStateNameLen)
		} else if name == "" {
			p.errs.schema(sl, "State name must not be empty")
		}
		so, ok := states.vals[name].(*object)
		if !ok {
			p.errs.schema(sl, "Expected value of type: OBJECT but was %s", jsonKind(states.vals[name]))
			continue
		}
		st := p.state(name, so, sl, ql)
		m.States[name] = st
		m.Order = append(m.Order, name)
	}
	p.checkGraph(m, loc)
	return m
}

func locOrRoot(loc string) string {
	if loc == "" {
		return "/"
	}
	return loc
}

// checkGraph reports missing transition targets, unreachable states and a
// missing terminal state.
func (p *parser) checkGraph(m *Machine, loc string) {
	missing := func(target, at string) {
		p.errs.add("MISSING_TRANSITION_TARGET", at, "Missing 'Next' target: %s", target)
	}
	if _, ok := m.States[m.StartAt]; !ok && len(m.States) > 0 {
		missing(m.StartAt, loc+"/StartAt")
	}
	terminal := false
	for _, name := range m.Order {
		st := m.States[name]
		sl := loc + "/States/" + name
		if st.Next != "" {
			if _, ok := m.States[st.Next]; !ok {
				missing(st.Next, sl+"/Next")
			}
		}
		if st.End || st.Type == TypeSucceed || st.Type == TypeFail {
			terminal = true
		}
		for i, r := range st.Choices {
			if _, ok := m.States[r.Next]; !ok && r.Next != "" {
				missing(r.Next, fmt.Sprintf("%s/Choices[%d]/Next", sl, i))
			}
		}
		if st.Default != "" {
			if _, ok := m.States[st.Default]; !ok {
				missing(st.Default, sl+"/Default")
			}
		}
		for i, c := range st.Catch {
			if _, ok := m.States[c.Next]; !ok && c.Next != "" {
				missing(c.Next, fmt.Sprintf("%s/Catch[%d]/Next", sl, i))
			}
		}
	}
	if len(m.Order) > 0 && !terminal {
		p.errs.add("MISSING_END_STATE", loc+"/States", "Workflow has no terminal state")
	}
	// AWS reports a state as not reachable when no transition names it
	// (even if the states naming it are unreachable themselves).
	seen := map[string]bool{m.StartAt: true}
	for _, st := range m.States {
		seen[st.Next], seen[st.Default] = true, true
		for _, r := range st.Choices {
			seen[r.Next] = true
		}
		for _, c := range st.Catch {
			seen[c.Next] = true
		}
	}
	for _, name := range m.Order {
		if !seen[name] {
			p.errs.add("MISSING_TRANSITION_TARGET", loc+"/States/"+name, "State \"%s\" is not reachable.", name)
		}
	}
}

// field sets per state type; "P" = JSONPath only, "A" = JSONata only, "B" = both.
var stateFields = map[string]map[string]byte{
	TypePass: {"Next": 'B', "End": 'B', "InputPath": 'P', "OutputPath": 'P', "ResultPath": 'P', "Parameters": 'P',
		"Result": 'P', "Output": 'A', "Assign": 'B'},
	TypeTask: {"Next": 'B', "End": 'B', "InputPath": 'P', "OutputPath": 'P', "ResultPath": 'P', "Parameters": 'P',
		"ResultSelector": 'P', "Arguments": 'A', "Output": 'A', "Assign": 'B', "Resource": 'B', "TimeoutSeconds": 'B',
		"TimeoutSecondsPath": 'P', "HeartbeatSeconds": 'B', "HeartbeatSecondsPath": 'P', "Retry": 'B', "Catch": 'B',
		"Credentials": 'B'},
	TypeChoice: {"Choices": 'B', "Default": 'B', "InputPath": 'P', "OutputPath": 'P', "Output": 'A', "Assign": 'B'},
	TypeWait: {"Next": 'B', "End": 'B', "InputPath": 'P', "OutputPath": 'P', "Output": 'A', "Assign": 'B',
		"Seconds": 'B', "SecondsPath": 'P', "Timestamp": 'B', "TimestampPath": 'P'},
	TypeSucceed: {"InputPath": 'P', "OutputPath": 'P', "Output": 'A'},
	TypeFail:    {"Error": 'B', "Cause": 'B', "ErrorPath": 'P', "CausePath": 'P'},
	TypeParallel: {"Next": 'B', "End": 'B', "InputPath": 'P', "OutputPath": 'P', "ResultPath": 'P', "Parameters": 'P',
		"ResultSelector": 'P', "Arguments": 'A', "Output": 'A', "Assign": 'B', "Branches": 'B', "Retry": 'B', "Catch": 'B'},
	TypeMap: {"Next": 'B', "End": 'B', "InputPath": 'P', "OutputPath": 'P', "ResultPath": 'P', "Parameters": 'P',
		"ResultSelector": 'P', "Output": 'A', "Assign": 'B', "Retry": 'B', "Catch": 'B',
		"ItemsPath": 'P', "Items": 'A', "ItemSelector": 'B', "ItemProcessor": 'B', "Iterator": 'B', "MaxConcurrency": 'B',
		"MaxConcurrencyPath": 'P', "ItemReader": 'B', "ItemBatcher": 'B', "ResultWriter": 'B', "Label": 'B',
		"ToleratedFailurePercentage": 'B', "ToleratedFailurePercentagePath": 'P', "ToleratedFailureCount": 'B',
		"ToleratedFailureCountPath": 'P'},
}

var stateTypes = []string{TypeTask, TypePass, TypeChoice, TypeWait, TypeSucceed, TypeFail, TypeParallel, TypeMap}

func (p *parser) state(name string, o *object, loc, defQL string) *State {
	saved := p.stateLoc
	p.stateLoc = loc
	defer func() { p.stateLoc = saved }()
	st := &State{Name: name, QueryLanguage: defQL}
	st.Raw, _ = plain(o).(*Object)
	tv, ok := o.get("Type")
	if !ok {
		p.errs.schema(loc, "These fields are required: [Type]")
		return st
	}
	st.Type, _ = tv.(string)
	fields, ok := stateFields[st.Type]
	if !ok {
		p.errs.schema(loc+"/Type", "The field 'Type' should have one of these values: [%s]", strings.Join(stateTypes, ", "))
		return st
	}
	if q, ok := o.get("QueryLanguage"); ok {
		s, _ := q.(string)
		switch s {
		case JSONPath:
			if defQL == JSONata {
				p.errs.schema(loc+"/QueryLanguage", "The QueryLanguage of a state cannot be JSONPath when the state machine's QueryLanguage is JSONata")
			}
			st.QueryLanguage = s
		case JSONata:
			st.QueryLanguage = s
		default:
			p.errs.schema(loc+"/QueryLanguage", "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]")
		}
	}
	ata := st.QueryLanguage == JSONata
	for _, k := range o.keys {
		if k == "Type" || k == "Comment" || k == "QueryLanguage" {
			continue
		}
		mode, ok := fields[k]
		switch {
		case !ok:
			p.errs.schema(loc, "Field '%s' is not supported", k)
		case mode == 'P' && ata || mode == 'A' && !ata:
			// AWS locates query-language mismatches at the field itself.
			p.errs.schema(loc+"/"+k, "Field '%s' is not supported", k)
		}
	}
	if c, ok := o.get("Comment"); ok {
		st.Comment, _ = p.str(c, loc+"/Comment")
	}
	// Transitions.
	switch st.Type {
	case TypeChoice, TypeSucceed, TypeFail:
	default:
		nv, hasNext := o.get("Next")
		ev, hasEnd := o.get("End")
		if hasNext {
			st.Next, _ = p.str(nv, loc+"/Next")
		}
		if hasEnd {
			b, ok := ev.(bool)
			if !ok {
				p.errs.schema(loc+"/End", "Expected value of type: BOOLEAN but was %s", jsonKind(ev))
			}
			st.End = b
		}
		if hasNext && st.End {
			p.errs.schema(loc, "Only one of these fields may be present: [Next, End]")
		} else if !hasNext && !st.End {
			p.errs.schema(loc, "Exactly one of these fields is required: [Next, End]")
		}
	}
	p.common(st, o, loc)
	switch st.Type {
	case TypeTask:
		p.task(st, o, loc)
	case TypeChoice:
		p.choice(st, o, loc)
	case TypeWait:
		p.wait(st, o, loc)
	case TypeFail:
		p.fail(st, o, loc)
	case TypeParallel:
		p.parallel(st, o, loc)
	case TypeMap:
		p.mapState(st, o, loc)
	}
	return st
}

// common parses the I/O fields shared by several state types.
func (p *parser) common(st *State, o *object, loc string) {
	if st.QueryLanguage == JSONata {
		if v, ok := o.get("Arguments"); ok {
			st.Arguments = p.jtemplate(v, loc+"/Arguments")
		}
		if v, ok := o.get("Output"); ok {
			st.Output, st.HasOutput = p.jtemplate(v, loc+"/Output"), true
		}
		if v, ok := o.get("Assign"); ok {
			st.JAssign = p.jassign(v, loc+"/Assign")
		}
		return
	}
	st.InputPath = p.optPath(o, "InputPath", loc, false)
	st.OutputPath = p.optPath(o, "OutputPath", loc, false)
	st.ResultPath = p.optPath(o, "ResultPath", loc, true)
	if v, ok := o.get("Parameters"); ok {
		st.Parameters = p.payload(v, loc+"/Parameters", "Parameters")
	}
	if v, ok := o.get("ResultSelector"); ok {
		st.ResultSelector = p.payload(v, loc+"/ResultSelector", "ResultSelector")
	}
	if v, ok := o.get("Result"); ok {
		st.Result, st.HasResult = plain(v), true
	}
	if v, ok := o.get("Assign"); ok {
		st.Assign = p.assign(v, loc+"/Assign")
	}
}

func (p *parser) payload(v any, loc, field string) *Template {
	if _, ok := v.(*object); !ok && field != "Result" {
		if field == "ItemSelector" || field == "Parameters" || field == "ResultSelector" {
			p.errs.schema(loc, "Expected value of type: OBJECT but was %s", jsonKind(v))
			return nil
		}
	}
	return compileTemplate(v, loc, field, p.errs)
}

func (p *parser) assign(v any, loc string) *Template {
	o, ok := v.(*object)
	if !ok {
		p.errs.schema(loc, "Expected value of type: OBJECT but was %s", jsonKind(v))
		return nil
	}
	p.checkVarNames(o, loc, true)
	return compileTemplate(v, loc, "Assign", p.errs)
}

func (p *parser) jassign(v any, loc string) *JTemplate {
	o, ok := v.(*object)
	if !ok {
		p.errs.schema(loc, "Expected value of type: OBJECT but was %s", jsonKind(v))
		return nil
	}
	p.checkVarNames(o, loc, false)
	return p.jtemplate(v, loc)
}

func (p *parser) checkVarNames(o *object, loc string, dollar bool) {
	for _, k := range o.keys {
		name := k
		if dollar {
			name = strings.TrimSuffix(k, ".$")
		}
		if !validVarName(name) {
			p.errs.schema(loc, "The variable name '%s' is invalid", name)
		} else if name == "states" {
			p.errs.schema(loc, "The variable name 'states' is reserved")
		}
	}
}

func validVarName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > MaxStateNameLen || !isIdentStart(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentPart(s[i]) {
			return false
		}
	}
	return true
}

func (p *parser) jtemplate(v any, loc string) *JTemplate {
	return compileJ(v, loc, strings.TrimPrefix(loc, p.stateLoc+"/"), p.errs)
}

func (p *parser) optPath(o *object, field, loc string, reference bool) OptPath {
	v, ok := o.get(field)
	if !ok {
		return OptPath{}
	}
	if v == nil {
		return OptPath{Set: true, Null: true}
	}
	s, ok := v.(string)
	if !ok {
		p.errs.schema(loc+"/"+field, "Expected value of type: STRING but was %s", jsonKind(v))
		return OptPath{}
	}
	var pth *Path
	var err error
	if reference {
		pth, err = CompileReferencePath(s)
	} else {
		pth, err = CompilePath(s)
	}
	if err != nil {
		kind := "JSONPath"
		if reference {
			kind = "ReferencePath"
		}
		p.errs.schema(loc+"/"+field, "The value for the field '%s' must be a valid %s", field, kind)
		return OptPath{}
	}
	return OptPath{Set: true, Path: pth}
}

func (p *parser) path(o *object, field, loc string) *Path {
	v, ok := o.get(field)
	if !ok {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		p.errs.schema(loc+"/"+field, "Expected value of type: STRING but was %s", jsonKind(v))
		return nil
	}
	pth, err := CompilePath(s)
	if err != nil || !pth.Definite {
		p.errs.schema(loc+"/"+field, "The value for the field '%s' must be a valid JSONPath", field)
		return nil
	}
	return pth
}

func (p *parser) str(v any, loc string) (string, bool) {
	s, ok := v.(string)
	if !ok {
		p.errs.schema(loc, "Expected value of type: STRING but was %s", jsonKind(v))
	}
	return s, ok
}

// posInt reads a positive integer (zero allowed when zeroOK).
func (p *parser) posInt(v any, loc, field string, zeroOK bool) int64 {
	n, ok := v.(json.Number)
	if !ok {
		p.errs.schema(loc, "Expected value of type: INTEGER but was %s", jsonKind(v))
		return 0
	}
	i, err := n.Int64()
	if err != nil || i < 0 || i == 0 && !zeroOK || i > 99999999 {
		p.errs.schema(loc, "The value for the field '%s' must be a positive integer", field)
		return 0
	}
	return i
}

func (p *parser) intOrJ(st *State, o *object, field, loc string, zeroOK bool) (int64, *JTemplate, bool) {
	v, ok := o.get(field)
	if !ok {
		return 0, nil, false
	}
	if s, isStr := v.(string); isStr && st.QueryLanguage == JSONata && IsJSONataString(s) {
		return 0, p.jtemplate(s, loc+"/"+field), true
	}
	return p.posInt(v, loc+"/"+field, field, zeroOK), nil, true
}

func (p *parser) task(st *State, o *object, loc string) {
	rv, ok := o.get("Resource")
	if !ok {
		p.errs.schema(loc, "These fields are required: [Resource]")
	} else if s, ok := p.str(rv, loc+"/Resource"); ok {
		st.Resource = s
		if !strings.HasPrefix(s, "arn:") {
			p.errs.add("INVALID_RESOURCE", loc+"/Resource", "Invalid resource: %s", s)
		}
	}
	st.TimeoutSeconds, st.JTimeoutSeconds, _ = p.intOrJ(st, o, "TimeoutSeconds", loc, false)
	st.HeartbeatSeconds, st.JHeartbeatSeconds, _ = p.intOrJ(st, o, "HeartbeatSeconds", loc, false)
	st.TimeoutSecondsPath = p.path(o, "TimeoutSecondsPath", loc)
	st.HeartbeatSecondsPath = p.path(o, "HeartbeatSecondsPath", loc)
	if _, a := o.get("TimeoutSeconds"); a && st.TimeoutSecondsPath != nil {
		p.errs.schema(loc, "Only one of these fields may be present: [TimeoutSeconds, TimeoutSecondsPath]")
	}
	if _, a := o.get("HeartbeatSeconds"); a && st.HeartbeatSecondsPath != nil {
		p.errs.schema(loc, "Only one of these fields may be present: [HeartbeatSeconds, HeartbeatSecondsPath]")
	}
	if st.TimeoutSeconds > 0 && st.HeartbeatSeconds >= st.TimeoutSeconds {
		p.errs.schema(loc+"/HeartbeatSeconds", "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'")
	}
	if v, ok := o.get("Credentials"); ok {
		st.Credentials = plain(v)
		if st.QueryLanguage == JSONata {
			st.JCredentials = p.jtemplate(v, loc+"/Credentials")
		} else {
			st.CredentialsTemplate = p.payload(v, loc+"/Credentials", "Credentials")
		}
	}
	p.retryCatch(st, o, loc)
}

func (p *parser) retryCatch(st *State, o *object, loc string) {
	if v, ok := o.get("Retry"); ok {
		arr, ok := v.([]any)
		if !ok {
			p.errs.schema(loc+"/Retry", "Expected value of type: ARRAY but was %s", jsonKind(v))
		}
		for i, e := range arr {
			st.Retry = append(st.Retry, p.retrier(e, fmt.Sprintf("%s/Retry[%d]", loc, i), i == len(arr)-1))
		}
	}
	if v, ok := o.get("Catch"); ok {
		arr, ok := v.([]any)
		if !ok {
			p.errs.schema(loc+"/Catch", "Expected value of type: ARRAY but was %s", jsonKind(v))
		}
		for i, e := range arr {
			st.Catch = append(st.Catch, p.catcher(st, e, fmt.Sprintf("%s/Catch[%d]", loc, i), i == len(arr)-1))
		}
	}
}

func (p *parser) errorEquals(o *object, loc string, last bool) []string {
	v, ok := o.get("ErrorEquals")
	if !ok {
		p.errs.schema(loc, "These fields are required: [ErrorEquals]")
		return nil
	}
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		p.errs.schema(loc+"/ErrorEquals", "The field 'ErrorEquals' must be a non-empty array of strings")
		return nil
	}
	var out []string
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			p.errs.schema(loc+"/ErrorEquals", "Expected value of type: STRING but was %s", jsonKind(e))
			continue
		}
		out = append(out, s)
	}
	for _, s := range out {
		if s == "States.ALL" && len(out) > 1 {
			p.errs.schema(loc+"/ErrorEquals", "The field 'ErrorEquals' must not contain 'States.ALL' with other error names")
		}
		if s == "States.ALL" && !last {
			p.errs.schema(loc+"/ErrorEquals", "'States.ALL' must appear in the last Retrier or Catcher")
		}
	}
	return out
}

func (p *parser) retrier(v any, loc string, last bool) *Retrier {
	r := &Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "NONE"}
	o, ok := v.(*object)
	if !ok {
		p.errs.schema(loc, "Expected value of type: OBJECT but was %s", jsonKind(v))
		return r
	}
	allowed := map[string]bool{"ErrorEquals": true, "IntervalSeconds": true, "MaxAttempts": true, "BackoffRate": true,
		"MaxDelaySeconds": true, "JitterStrategy": true, "Comment": true}
	for _, k := range o.keys {
		if !allowed[k] {
			p.errs.schema(loc, "Field '%s' is not supported", k)
		}
	}
	r.ErrorEquals = p.errorEquals(o, loc, last)
	if v, ok := o.get("IntervalSeconds"); ok {
		r.IntervalSeconds = p.posInt(v, loc+"/IntervalSeconds", "IntervalSeconds", false)
	}
	if v, ok := o.get("MaxAttempts"); ok {
		r.MaxAttempts = p.posInt(v, loc+"/MaxAttempts", "MaxAttempts", true)
	}
	if v, ok := o.get("MaxDelaySeconds"); ok {
		r.MaxDelaySeconds = p.posInt(v, loc+"/MaxDelaySeconds", "MaxDelaySeconds", false)
	}
	if v, ok := o.get("BackoffRate"); ok {
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil || f < 1 {
			p.errs.schema(loc+"/BackoffRate", "The value for the field 'BackoffRate' must be a number greater than or equal to 1.0")
		} else {
			r.BackoffRate = f
		}
	}
	if v, ok := o.get("JitterStrategy"); ok {
		s, _ := v.(string)
		if s != "FULL" && s != "NONE" {
			p.errs.schema(loc+"/JitterStrategy", "The value for the field 'JitterStrategy' must be one of [FULL, NONE]")
		} else {
			r.JitterStrategy = s
		}
	}
	return r
}

func (p *parser) catcher(st *State, v any, loc string, last bool) *Catcher {
	c := &Catcher{}
	o, ok := v.(*object)
	if !ok {
		p.errs.schema(loc, "Expected value of type: OBJECT but was %s", jsonKind(v))
		return c
	}
	ata := st.QueryLanguage == JSONata
	for _, k := range o.keys {
		switch k {
		case "ErrorEquals", "Next", "Assign", "Comment":
		case "ResultPath":
			if ata {
				p.errs.schema(loc, "Field '%s' is not supported", k)
			}
		case "Output":
			if !ata {
				p.errs.schema(loc, "Field '%s' is not supported", k)
			}
		default:
			p.errs.schema(loc, "Field '%s' is not supported", k)
		}
	}
	c.ErrorEquals = p.errorEquals(o, loc, last)
	if nv, ok := o.get("Next"); ok {
		c.Next, _ = p.str(nv, loc+"/Next")
	} else {
		p.errs.schema(loc, "These fields are required: [Next]")
	}
	if !ata {
		c.ResultPath = p.optPath(o, "ResultPath", loc, true)
		if v, ok := o.get("Assign"); ok {
			c.Assign = p.assign(v, loc+"/Assign")
		}
	} else {
		if v, ok := o.get("Output"); ok {
			c.Output, c.HasOutput = p.jtemplate(v, loc+"/Output"), true
		}
		if v, ok := o.get("Assign"); ok {
			c.JAssign = p.jassign(v, loc+"/Assign")
		}
	}
	return c
}

// Choice comparison operators and the type of value each takes.
var choiceOps = map[string]string{
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "bool",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "bool", "IsPresent": "bool", "IsNumeric": "bool", "IsString": "bool", "IsBoolean": "bool", "IsTimestamp": "bool",
}

// IsChoiceOperator reports whether name is a Choice comparison operator (with or without Path).
func IsChoiceOperator(name string) bool {
	if _, ok := choiceOps[name]; ok {
		return true
	}
	base, ok := strings.CutSuffix(name, "Path")
	if !ok {
		return false
	}
	_, ok = choiceOps[base]
	return ok && !strings.HasPrefix(base, "Is") && base != "StringMatches"
}

func (p *parser) choice(st *State, o *object, loc string) {
	cv, ok := o.get("Choices")
	if !ok {
		p.errs.schema(loc, "These fields are required: [Choices]")
		return
	}
	arr, ok := cv.([]any)
	if !ok || len(arr) == 0 {
		p.errs.schema(loc+"/Choices", "The field 'Choices' must be a non-empty array")
		return
	}
	for i, e := range arr {
		rl := fmt.Sprintf("%s/Choices[%d]", loc, i)
		st.Choices = append(st.Choices, p.rule(st, e, rl, true, 0))
	}
	if d, ok := o.get("Default"); ok {
		st.Default, _ = p.str(d, loc+"/Default")
	}
}

func (p *parser) rule(st *State, v any, loc string, top bool, depth int) *Rule {
	r := &Rule{}
	o, ok := v.(*object)
	if !ok {
		p.errs.schema(loc, "Expected value of type: OBJECT but was %s", jsonKind(v))
		return r
	}
	if depth > 100 {
		p.errs.schema(loc, "Choice rules are nested too deeply")
		return r
	}
	if top {
		if nv, ok := o.get("Next"); ok {
			r.Next, _ = p.str(nv, loc+"/Next")
		} else {
			p.errs.schema(loc, "These fields are required: [Next]")
		}
	} else if _, ok := o.get("Next"); ok {
		p.errs.schema(loc, "Field 'Next' is not supported")
	}
	if st.QueryLanguage == JSONata {
		for _, k := range o.keys {
			switch k {
			case "Condition", "Comment":
			case "Next", "Output", "Assign":
				if !top {
					p.errs.schema(loc, "Field '%s' is not supported", k)
				}
			default:
				p.errs.schema(loc, "Field '%s' is not supported", k)
			}
		}
		cv, ok := o.get("Condition")
		if !ok {
			p.errs.schema(loc, "These fields are required: [Condition]")
			return r
		}
		if s, isStr := cv.(string); isStr && !IsJSONataString(s) {
			p.errs.schema(loc+"/Condition", "The value for the field 'Condition' must be a JSONata expression")
			return r
		}
		r.Condition = p.jtemplate(cv, loc+"/Condition")
		if v, ok := o.get("Output"); ok {
			r.Output, r.HasOutput = p.jtemplate(v, loc+"/Output"), true
		}
		if v, ok := o.get("Assign"); ok {
			r.JAssign = p.jassign(v, loc+"/Assign")
		}
		return r
	}
	var ops []string
	for _, k := range o.keys {
		switch {
		case k == "Next" || k == "Comment" || k == "Variable":
		case k == "Assign" && top:
			r.Assign = p.assign(o.vals[k], loc+"/Assign")
		case k == "And" || k == "Or" || k == "Not" || IsChoiceOperator(k):
			ops = append(ops, k)
		default:
			p.errs.schema(loc, "Field '%s' is not supported", k)
		}
	}
	if len(ops) != 1 {
		if len(ops) == 0 {
			p.errs.schema(loc, "A Choice rule must have exactly one comparison operator or And, Or, Not")
		} else {
			p.errs.schema(loc, "A Choice rule must have only one of these fields: [%s]", strings.Join(ops, ", "))
		}
		return r
	}
	op := ops[0]
	r.Operator = op
	switch op {
	case "And", "Or":
		arr, ok := o.vals[op].([]any)
		if !ok || len(arr) == 0 {
			p.errs.schema(loc+"/"+op, "The field '%s' must be a non-empty array", op)
			return r
		}
		for i, e := range arr {
			sub := p.rule(st, e, fmt.Sprintf("%s/%s[%d]", loc, op, i), false, depth+1)
			if op == "And" {
				r.And = append(r.And, sub)
			} else {
				r.Or = append(r.Or, sub)
			}
		}
		if _, ok := o.get("Variable"); ok {
			p.errs.schema(loc, "Field 'Variable' is not supported")
		}
		return r
	case "Not":
		r.Not = p.rule(st, o.vals[op], loc+"/Not", false, depth+1)
		return r
	}
	vv, ok := o.get("Variable")
	if !ok {
		p.errs.schema(loc, "These fields are required: [Variable]")
		return r
	}
	vs, ok := vv.(string)
	if pth, err := CompilePath(vs); !ok || err != nil {
		p.errs.schema(loc+"/Variable", "The value for the field 'Variable' must be a valid JSONPath")
	} else {
		r.Variable = pth
	}
	val := o.vals[op]
	if base, isPath := strings.CutSuffix(op, "Path"); isPath && choiceOps[base] != "" && !strings.HasPrefix(base, "Is") {
		s, ok := val.(string)
		if pth, err := CompilePath(s); !ok || err != nil {
			p.errs.schema(loc+"/"+op, "The value for the field '%s' must be a valid JSONPath", op)
		} else {
			r.ValuePath = pth
		}
		return r
	}
	switch choiceOps[op] {
	case "string":
		if _, ok := val.(string); !ok {
			p.errs.schema(loc+"/"+op, "Expected value of type: STRING but was %s", jsonKind(val))
		}
		r.Value = val
	case "number":
		n, ok := val.(json.Number)
		if !ok {
			p.errs.schema(loc+"/"+op, "Expected value of type: NUMBER but was %s", jsonKind(val))
		} else {
			r.Value = Number(n)
		}
	case "bool":
		if _, ok := val.(bool); !ok {
			p.errs.schema(loc+"/"+op, "Expected value of type: BOOLEAN but was %s", jsonKind(val))
		}
		r.Value = val
	case "timestamp":
		s, ok := val.(string)
		if _, err := ParseTimestamp(s); !ok || err != nil {
			p.errs.schema(loc+"/"+op, "The value for the field '%s' must be a valid timestamp", op)
		}
		r.Value = val
	}
	return r
}

// ParseTimestamp parses an RFC 3339 timestamp as Step Functions accepts it
// (uppercase T and Z, no lowercase).
func ParseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz ") {
		return time.Time{}, fmt.Errorf("invalid timestamp %q", s)
	}
	return time.Parse(time.RFC3339Nano, s)
}

func (p *parser) wait(st *State, o *object, loc string) {
	n := 0
	for _, f := range []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"} {
		if _, ok := o.get(f); ok {
			n++
		}
	}
	if n != 1 {
		p.errs.schema(loc, "Exactly one of these fields is required: [Seconds, SecondsPath, Timestamp, TimestampPath]")
	}
	if v, ok := o.get("Seconds"); ok {
		st.HasSeconds = true
		if s, isStr := v.(string); isStr && st.QueryLanguage == JSONata && IsJSONataString(s) {
			st.JSeconds = p.jtemplate(s, loc+"/Seconds")
		} else {
			st.Seconds = p.posInt(v, loc+"/Seconds", "Seconds", true)
		}
	}
	if v, ok := o.get("Timestamp"); ok {
		s, _ := p.str(v, loc+"/Timestamp")
		if st.QueryLanguage == JSONata && IsJSONataString(s) {
			st.JTimestamp = p.jtemplate(s, loc+"/Timestamp")
		} else if _, err := ParseTimestamp(s); err != nil {
			p.errs.schema(loc+"/Timestamp", "The value for the field 'Timestamp' must be a valid timestamp")
		} else {
			st.Timestamp = s
		}
	}
	st.SecondsPath = p.path(o, "SecondsPath", loc)
	st.TimestampPath = p.path(o, "TimestampPath", loc)
}

func (p *parser) fail(st *State, o *object, loc string) {
	ata := st.QueryLanguage == JSONata
	for _, f := range []string{"Error", "Cause"} {
		v, ok := o.get(f)
		if !ok {
			continue
		}
		s, _ := p.str(v, loc+"/"+f)
		if ata && IsJSONataString(s) {
			t := p.jtemplate(s, loc+"/"+f)
			if f == "Error" {
				st.JError = t
			} else {
				st.JCause = t
			}
		} else if f == "Error" {
			st.Error = s
		} else {
			st.Cause = s
		}
	}
	for _, f := range []string{"ErrorPath", "CausePath"} {
		v, ok := o.get(f)
		if !ok {
			continue
		}
		if _, both := o.get(strings.TrimSuffix(f, "Path")); both {
			p.errs.schema(loc, "Only one of these fields may be present: [%s, %s]", strings.TrimSuffix(f, "Path"), f)
		}
		s, _ := p.str(v, loc+"/"+f)
		var pth *Path
		var call *Call
		var err error
		if IsIntrinsic(s) {
			call, err = ParseIntrinsic(s)
		} else {
			pth, err = CompilePath(s)
		}
		if err != nil {
			p.errs.schema(loc+"/"+f, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", f)
			continue
		}
		if f == "ErrorPath" {
			st.ErrorPath, st.ErrorCall = pth, call
		} else {
			st.CausePath, st.CauseCall = pth, call
		}
	}
}

func (p *parser) parallel(st *State, o *object, loc string) {
	bv, ok := o.get("Branches")
	if !ok {
		p.errs.schema(loc, "These fields are required: [Branches]")
		return
	}
	arr, ok := bv.([]any)
	if !ok || len(arr) == 0 {
		p.errs.schema(loc+"/Branches", "The field 'Branches' must be a non-empty array")
		return
	}
	for i, b := range arr {
		bl := fmt.Sprintf("%s/Branches[%d]", loc, i)
		bo, ok := b.(*object)
		if !ok {
			p.errs.schema(bl, "Expected value of type: OBJECT but was %s", jsonKind(b))
			continue
		}
		p.subFields(bo, bl, false)
		st.Branches = append(st.Branches, p.machine(bo, bl, p.subQL(st, bo, bl), ""))
	}
	p.retryCatch(st, o, loc)
}

func (p *parser) subFields(o *object, loc string, processor bool) {
	for _, k := range o.keys {
		switch k {
		case "StartAt", "States", "Comment", "QueryLanguage":
		case "ProcessorConfig":
			if !processor {
				p.errs.schema(loc, "Field '%s' is not supported", k)
			}
		default:
			p.errs.schema(loc, "Field '%s' is not supported", k)
		}
	}
}

func (p *parser) subQL(st *State, o *object, loc string) string {
	if q, ok := o.get("QueryLanguage"); ok {
		if s, _ := q.(string); s == JSONata || s == JSONPath {
			return s
		}
		p.errs.schema(loc+"/QueryLanguage", "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]")
	}
	return st.QueryLanguage
}

func (p *parser) mapState(st *State, o *object, loc string) {
	ata := st.QueryLanguage == JSONata
	pv, hasProc := o.get("ItemProcessor")
	field := "ItemProcessor"
	if !hasProc {
		pv, hasProc = o.get("Iterator")
		field = "Iterator"
	} else if _, both := o.get("Iterator"); both {
		p.errs.schema(loc, "Only one of these fields may be present: [ItemProcessor, Iterator]")
	}
	if !hasProc {
		p.errs.schema(loc, "These fields are required: [ItemProcessor]")
	} else if po, ok := pv.(*object); !ok {
		p.errs.schema(loc+"/"+field, "Expected value of type: OBJECT but was %s", jsonKind(pv))
	} else {
		pl := loc + "/" + field
		p.subFields(po, pl, true)
		m := p.machine(po, pl, p.subQL(st, po, pl), "")
		m.ProcessorMode = "INLINE"
		if cv, ok := po.get("ProcessorConfig"); ok {
			if co, ok := cv.(*object); ok {
				if mv, ok := co.get("Mode"); ok {
					s, _ := mv.(string)
					if s != "INLINE" && s != "DISTRIBUTED" {
						p.errs.schema(pl+"/ProcessorConfig/Mode", "The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]")
					} else {
						m.ProcessorMode = s
					}
				}
				if ev, ok := co.get("ExecutionType"); ok {
					m.ExecutionType, _ = ev.(string)
				}
			}
		}
		st.Processor = m
	}
	if !ata {
		st.ItemsPath = p.optPath(o, "ItemsPath", loc, false)
		st.MaxConcurrencyPath = p.path(o, "MaxConcurrencyPath", loc)
		st.ToleratedFailurePercentagePath = p.path(o, "ToleratedFailurePercentagePath", loc)
		st.ToleratedFailureCountPath = p.path(o, "ToleratedFailureCountPath", loc)
		if v, ok := o.get("ItemSelector"); ok {
			st.ItemSelector = p.payload(v, loc+"/ItemSelector", "ItemSelector")
			if st.Parameters != nil {
				p.errs.schema(loc, "Only one of these fields may be present: [ItemSelector, Parameters]")
			}
		}
	} else {
		if v, ok := o.get("Items"); ok {
			st.Items = p.jtemplate(v, loc+"/Items")
		}
		if v, ok := o.get("ItemSelector"); ok {
			st.JItemSelector = p.jtemplate(v, loc+"/ItemSelector")
		}
	}
	if v, ok := o.get("MaxConcurrency"); ok {
		if s, isStr := v.(string); isStr && ata && IsJSONataString(s) {
			st.JMaxConcurrency = p.jtemplate(s, loc+"/MaxConcurrency")
		} else if n, isNum := v.(json.Number); !isNum || strings.ContainsAny(string(n), ".eE-") {
			p.errs.schema(loc+"/MaxConcurrency", "The value for the field 'MaxConcurrency' must be a non-negative integer")
		} else if i, err := n.Int64(); err != nil {
			st.MaxConcurrency = math.MaxInt64 // larger than any limit: unbounded
		} else {
			st.MaxConcurrency = i
		}
		if st.MaxConcurrencyPath != nil {
			p.errs.schema(loc+"/MaxConcurrency", "Only one of these fields may be present: [MaxConcurrency, MaxConcurrencyPath]")
		}
	}
	if v, ok := o.get("ToleratedFailurePercentage"); ok {
		n, isNum := v.(json.Number)
		f, err := n.Float64()
		if !isNum || err != nil || f < 0 || f > 100 || math.IsNaN(f) {
			p.errs.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be a number between 0 and 100")
		} else {
			st.ToleratedFailurePercentage, st.HasToleratedFailurePercentage = f, true
		}
	}
	if v, ok := o.get("ToleratedFailureCount"); ok {
		st.ToleratedFailureCount = p.posInt(v, loc+"/ToleratedFailureCount", "ToleratedFailureCount", true)
		st.HasToleratedFailureCount = true
	}
	if v, ok := o.get("ItemReader"); ok {
		st.ItemReader = plain(v)
		p.itemReader(v, loc+"/ItemReader")
	}
	if v, ok := o.get("ItemBatcher"); ok {
		st.ItemBatcher = plain(v)
	}
	if v, ok := o.get("ResultWriter"); ok {
		st.ResultWriter = plain(v)
	}
	if v, ok := o.get("Label"); ok {
		st.Label, _ = p.str(v, loc+"/Label")
	}
	p.retryCatch(st, o, loc)
}

// Item reader resources and input types Step Functions supports.
var (
	readerResources = map[string]bool{"arn:aws:states:::s3:getObject": true, "arn:aws:states:::s3:listObjectsV2": true}
	readerInputs    = map[string]bool{"CSV": true, "JSON": true, "JSONL": true, "MANIFEST": true, "PARQUET": true}
)

func (p *parser) itemReader(v any, loc string) {
	o, ok := v.(*object)
	if !ok {
		p.errs.schema(loc, "Expected value of type: OBJECT but was %s", jsonKind(v))
		return
	}
	rv, ok := o.get("Resource")
	if !ok {
		p.errs.schema(loc, "These fields are required: [Resource]")
	} else if s, _ := rv.(string); !readerResources[s] {
		p.errs.schema(loc+"/Resource", "The resource '%s' is not supported for the ItemReader", s)
	}
	if cv, ok := o.get("ReaderConfig"); ok {
		if co, ok := cv.(*object); ok {
			if iv, ok := co.get("InputType"); ok {
				if s, _ := iv.(string); !readerInputs[s] {
					p.errs.schema(loc+"/ReaderConfig/InputType", "The value for the field 'InputType' must be one of [CSV, JSON, JSONL, MANIFEST, PARQUET]")
				}
			}
		}
	}
}

// SortedStateNames returns the names of m's states sorted, for stable output.
func (m *Machine) SortedStateNames() []string {
	out := append([]string(nil), m.Order...)
	sort.Strings(out)
	return out
}
