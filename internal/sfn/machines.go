package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/sfn/asl"
	"tenkai/internal/store"
)

// State machine types.
const (
	typeStandard = "STANDARD"
	typeExpress  = "EXPRESS"
)

type logDestination struct {
	CloudWatchLogsLogGroup *struct {
		LogGroupArn string `json:"logGroupArn,omitempty"`
	} `json:"cloudWatchLogsLogGroup,omitempty"`
}

// loggingConfig is LoggingConfiguration.
type loggingConfig struct {
	Level                string           `json:"level,omitempty"`
	IncludeExecutionData bool             `json:"includeExecutionData"`
	Destinations         []logDestination `json:"destinations,omitempty"`
}

// tracingConfig is TracingConfiguration.
type tracingConfig struct {
	Enabled bool `json:"enabled"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// machine is a stored state machine (its $LATEST revision).
type machine struct {
	Name        string            `json:"name"`
	ARN         string            `json:"arn"`
	Definition  string            `json:"definition"`
	RoleARN     string            `json:"roleArn"`
	Type        string            `json:"type"`
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
	Logging     loggingConfig     `json:"logging"`
	Tracing     tracingConfig     `json:"tracing"`
	RevisionID  string            `json:"revisionId"`
	Tags        map[string]string `json:"tags,omitempty"`
	NextVersion int               `json:"nextVersion"`
}

// version is a published, immutable state machine version.
type version struct {
	Number      int           `json:"number"`
	ARN         string        `json:"arn"`
	Definition  string        `json:"definition"`
	RoleARN     string        `json:"roleArn"`
	Type        string        `json:"type"`
	Logging     loggingConfig `json:"logging"`
	Tracing     tracingConfig `json:"tracing"`
	Description string        `json:"description,omitempty"`
	RevisionID  string        `json:"revisionId"`
	Created     time.Time     `json:"created"`
}

type routing struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
	Weight                 int    `json:"weight"`
}

// alias routes executions to one or two versions by weight.
type alias struct {
	Name        string    `json:"name"`
	ARN         string    `json:"arn"`
	Description string    `json:"description,omitempty"`
	Routing     []routing `json:"routing"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

func machinesBucket(account, region string) string { return "sfn/machines/" + account + "/" + region }
func versionsBucket(account, region string) string { return "sfn/versions/" + account + "/" + region }
func aliasesBucket(account, region string) string  { return "sfn/aliases/" + account + "/" + region }

func versionKey(sm string, n int) []byte { return []byte(fmt.Sprintf("%s:%010d", sm, n)) }

func getJSON(b store.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func putJSON(b store.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

func smNotFound(arn string) *edge.Error {
	return edge.Errorf("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
}

// maxCachedDefs bounds the parsed definition cache.
const maxCachedDefs = 4096

// parseDefinition parses a definition, caching by its text.
func (s *Service) parseDefinition(def string) (*asl.StateMachine, error) {
	if v, ok := s.defs.Load(def); ok {
		return v.(*asl.StateMachine), nil
	}
	sm, err := asl.Parse([]byte(def))
	if err != nil {
		return nil, err
	}
	// Bounded: past maxCachedDefs distinct definitions start afresh.
	if s.ndefs.Add(1) > maxCachedDefs {
		s.defs.Clear()
		s.ndefs.Store(1)
	}
	s.defs.Store(def, sm)
	return sm, nil
}

func (s *Service) checkDefinition(def string) error {
	if def == "" {
		return edge.MissingMember("definition")
	}
	if len(def) > asl.MaxDefinitionSize {
		return edge.Validation("1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to 1048576")
	}
	if _, err := s.parseDefinition(def); err != nil {
		return edge.Errorf("InvalidDefinition", "%s", err.Error())
	}
	return nil
}

func checkLogging(l *loggingConfig, typ string) error {
	if l == nil {
		return nil
	}
	switch l.Level {
	case "", "OFF", "ALL", "ERROR", "FATAL":
	default:
		return edge.Validation("1 validation error detected: Value '%s' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]", l.Level)
	}
	if len(l.Destinations) > 1 {
		return edge.Errorf("InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination.")
	}
	if l.Level != "" && l.Level != "OFF" && len(l.Destinations) == 0 {
		return edge.Errorf("InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination.")
	}
	for _, d := range l.Destinations {
		if d.CloudWatchLogsLogGroup == nil || !validLogGroupARN(d.CloudWatchLogsLogGroup.LogGroupArn) {
			return edge.Errorf("InvalidLoggingConfiguration", "Invalid Logging Configuration: The CloudWatch Logs Resource ARN is invalid.")
		}
	}
	return nil
}

// validLogGroupARN accepts arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*.
func validLogGroupARN(arn string) bool {
	p := strings.SplitN(arn, ":", 7)
	return len(p) == 7 && p[0] == "arn" && p[2] == "logs" && p[5] == "log-group" && strings.HasSuffix(p[6], ":*") && len(p[6]) > 2
}

// logGroupName extracts the group name from a log group ARN.
func logGroupName(arn string) string {
	p := strings.SplitN(arn, ":", 7)
	if len(p) < 7 {
		return ""
	}
	return strings.TrimSuffix(p[6], ":*")
}

func normLogging(l *loggingConfig) loggingConfig {
	if l == nil {
		return loggingConfig{Level: "OFF"}
	}
	c := *l
	if c.Level == "" {
		c.Level = "OFF"
	}
	return c
}

func checkTags(tags []tag) error {
	if len(tags) > 50 {
		return edge.Errorf("TooManyTags", "Too many tags specified.").With("resourceName", "")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return edge.Validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length between 1 and 128")
		}
	}
	return nil
}

type createStateMachineIn struct {
	Name                 string         `json:"name"`
	Definition           string         `json:"definition"`
	RoleArn              string         `json:"roleArn"`
	Type                 string         `json:"type"`
	LoggingConfiguration *loggingConfig `json:"loggingConfiguration"`
	TracingConfiguration *tracingConfig `json:"tracingConfiguration"`
	Tags                 []tag          `json:"tags"`
	Publish              bool           `json:"publish"`
	VersionDescription   string         `json:"versionDescription"`
}

type createStateMachineOut struct {
	StateMachineArn        string     `json:"stateMachineArn"`
	CreationDate           edge.Epoch `json:"creationDate"`
	StateMachineVersionArn string     `json:"stateMachineVersionArn,omitempty"`
}

func (s *Service) createStateMachine(ctx context.Context, in *createStateMachineIn) (*createStateMachineOut, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.Name == "":
		return nil, edge.MissingMember("name")
	case in.RoleArn == "":
		return nil, edge.MissingMember("roleArn")
	}
	if !validName(in.Name) {
		return nil, invalidName(in.Name)
	}
	if err := checkRoleARN(in.RoleArn); err != nil {
		return nil, err
	}
	switch in.Type {
	case "":
		in.Type = typeStandard
	case typeStandard, typeExpress:
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	if err := s.checkDefinition(in.Definition); err != nil {
		return nil, err
	}
	if in.Type == typeExpress {
		sm, _ := s.parseDefinition(in.Definition)
		if err := checkExpress(sm); err != nil {
			return nil, err
		}
	}
	if err := checkLogging(in.LoggingConfiguration, in.Type); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if in.VersionDescription != "" && !in.Publish {
		return nil, edge.Validation("Version description can only be set when publish is true")
	}
	now := s.clk.Now()
	arn := smARN(m.Region, m.Account, in.Name)
	sm := &machine{Name: in.Name, ARN: arn, Definition: in.Definition, RoleARN: in.RoleArn, Type: in.Type,
		Created: now, Updated: now, Logging: normLogging(in.LoggingConfiguration), RevisionID: s.cfg.NewID(), NextVersion: 1}
	if in.TracingConfiguration != nil {
		sm.Tracing = *in.TracingConfiguration
	}
	if len(in.Tags) > 0 {
		sm.Tags = map[string]string{}
		for _, t := range in.Tags {
			sm.Tags[t.Key] = t.Value
		}
	}
	out := &createStateMachineOut{StateMachineArn: arn, CreationDate: edge.Epoch(now)}
	defer s.forget(m.Account, m.Region, in.Name)
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(machinesBucket(m.Account, m.Region))
		var old machine
		found, err := getJSON(b, []byte(in.Name), &old)
		if err != nil {
			return err
		}
		if found {
			if old.Definition != sm.Definition || old.RoleARN != sm.RoleARN || old.Type != sm.Type ||
				!sameLogging(old.Logging, sm.Logging) || old.Tracing != sm.Tracing {
				return edge.Errorf("StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn)
			}
			out.CreationDate = edge.Epoch(old.Created)
			if in.Publish {
				v, err := latestVersion(tx, m.Account, m.Region, in.Name)
				if err != nil {
					return err
				}
				if v != nil {
					out.StateMachineVersionArn = v.ARN
				}
			}
			return nil
		}
		if err := putDefinition(tx, sm.RevisionID, sm.Definition); err != nil {
			return err
		}
		if in.Publish {
			v := s.newVersion(sm, in.VersionDescription, now)
			if err := putJSON(tx.Bucket(versionsBucket(m.Account, m.Region)), versionKey(sm.Name, v.Number), v); err != nil {
				return err
			}
			out.StateMachineVersionArn = v.ARN
		}
		return putJSON(b, []byte(in.Name), sm)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func sameLogging(a, b loggingConfig) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// newVersion makes the next version of sm (and bumps its counter).
func (s *Service) newVersion(sm *machine, desc string, now time.Time) *version {
	n := sm.NextVersion
	if n == 0 {
		n = 1
	}
	sm.NextVersion = n + 1
	return &version{Number: n, ARN: fmt.Sprintf("%s:%d", sm.ARN, n), Definition: sm.Definition, RoleARN: sm.RoleARN,
		Type: sm.Type, Logging: sm.Logging, Tracing: sm.Tracing, Description: desc, RevisionID: sm.RevisionID, Created: now}
}

func latestVersion(tx store.Tx, account, region, name string) (*version, error) {
	var v *version
	var err error
	prefix := []byte(name + ":")
	tx.Bucket(versionsBucket(account, region)).Scan(prefix, store.PrefixEnd(prefix), true, func(k, raw []byte) bool {
		v = new(version)
		err = json.Unmarshal(raw, v)
		return false
	})
	return v, err
}

// loadMachine reads the unqualified state machine named by r.
func (s *Service) loadMachine(r *resource) (*machine, error) {
	ck := r.Account + "/" + r.Region + "/" + r.Machine
	if v, ok := s.machines.Load(ck); ok {
		return v.(*machine), nil
	}
	var sm machine
	var found bool
	err := s.st.View(func(tx store.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(machinesBucket(r.Account, r.Region)), []byte(r.Machine), &sm)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, smNotFound(r.MachineARN())
	}
	s.machines.Store(ck, &sm)
	return &sm, nil
}

// forget drops a state machine from the cache before it is written.
func (s *Service) forget(account, region, name string) {
	s.machines.Delete(account + "/" + region + "/" + name)
}

func (s *Service) loadVersion(r *resource, n int) (*version, error) {
	var v version
	var found bool
	err := s.st.View(func(tx store.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(versionsBucket(r.Account, r.Region)), versionKey(r.Machine, n), &v)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, smNotFound(fmt.Sprintf("%s:%d", r.MachineARN(), n))
	}
	return &v, nil
}

func (s *Service) loadAlias(r *resource) (*alias, error) {
	var a alias
	var found bool
	err := s.st.View(func(tx store.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(aliasesBucket(r.Account, r.Region)), []byte(r.Machine+":"+r.Alias), &a)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, edge.Errorf("ResourceNotFound", "Resource not found: '%s:%s'", r.MachineARN(), r.Alias)
	}
	return &a, nil
}

type describeStateMachineIn struct {
	StateMachineArn string `json:"stateMachineArn"`
}

type describeStateMachineOut struct {
	StateMachineArn      string         `json:"stateMachineArn"`
	Name                 string         `json:"name"`
	Status               string         `json:"status,omitempty"`
	Definition           string         `json:"definition"`
	RoleArn              string         `json:"roleArn"`
	Type                 string         `json:"type"`
	CreationDate         edge.Epoch     `json:"creationDate"`
	LoggingConfiguration *loggingConfig `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *tracingConfig `json:"tracingConfiguration,omitempty"`
	RevisionId           string         `json:"revisionId,omitempty"`
	Description          string         `json:"description,omitempty"`
}

func (s *Service) describeStateMachine(ctx context.Context, in *describeStateMachineIn) (*describeStateMachineOut, error) {
	r, err := parseMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if r.Alias != "" {
		return nil, invalidARN(in.StateMachineArn)
	}
	if strings.Contains(r.Machine, "/") {
		// A Distributed Map label ARN: its map runs are not state machines.
		return nil, edge.Validation("Invalid Arn: a Distributed Map state ARN is not supported here: '%s'", in.StateMachineArn)
	}
	sm, err := s.loadMachine(r)
	if err != nil {
		return nil, err
	}
	if r.Version > 0 {
		v, err := s.loadVersion(r, r.Version)
		if err != nil {
			return nil, err
		}
		return &describeStateMachineOut{StateMachineArn: v.ARN, Name: sm.Name, Status: "ACTIVE", Definition: v.Definition,
			RoleArn: v.RoleARN, Type: v.Type, CreationDate: edge.Epoch(v.Created), LoggingConfiguration: &v.Logging,
			TracingConfiguration: &v.Tracing, RevisionId: v.RevisionID, Description: v.Description}, nil
	}
	return &describeStateMachineOut{StateMachineArn: sm.ARN, Name: sm.Name, Status: "ACTIVE", Definition: sm.Definition,
		RoleArn: sm.RoleARN, Type: sm.Type, CreationDate: edge.Epoch(sm.Created), LoggingConfiguration: &sm.Logging,
		TracingConfiguration: &sm.Tracing, RevisionId: sm.RevisionID}, nil
}

type updateStateMachineIn struct {
	StateMachineArn      string         `json:"stateMachineArn"`
	Definition           string         `json:"definition"`
	RoleArn              string         `json:"roleArn"`
	LoggingConfiguration *loggingConfig `json:"loggingConfiguration"`
	TracingConfiguration *tracingConfig `json:"tracingConfiguration"`
	Publish              bool           `json:"publish"`
	VersionDescription   string         `json:"versionDescription"`
}

type updateStateMachineOut struct {
	UpdateDate             edge.Epoch `json:"updateDate"`
	RevisionId             string     `json:"revisionId,omitempty"`
	StateMachineVersionArn string     `json:"stateMachineVersionArn,omitempty"`
}

func (s *Service) updateStateMachine(ctx context.Context, in *updateStateMachineIn) (*updateStateMachineOut, error) {
	r, err := parseMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if r.Version > 0 || r.Alias != "" {
		return nil, invalidARN(in.StateMachineArn)
	}
	if in.Definition == "" && in.RoleArn == "" && in.LoggingConfiguration == nil && in.TracingConfiguration == nil && !in.Publish {
		return nil, edge.Errorf("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
	}
	if in.Definition != "" {
		if err := s.checkDefinition(in.Definition); err != nil {
			return nil, err
		}
	}
	if in.RoleArn != "" {
		if err := checkRoleARN(in.RoleArn); err != nil {
			return nil, err
		}
	}
	if in.VersionDescription != "" && !in.Publish {
		return nil, edge.Validation("Version description can only be set when publish is true")
	}
	now := s.clk.Now()
	out := &updateStateMachineOut{UpdateDate: edge.Epoch(now)}
	s.forget(r.Account, r.Region, r.Machine)
	defer s.forget(r.Account, r.Region, r.Machine)
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(machinesBucket(r.Account, r.Region))
		var sm machine
		found, err := getJSON(b, []byte(r.Machine), &sm)
		if err != nil {
			return err
		}
		if !found {
			return smNotFound(in.StateMachineArn)
		}
		if in.LoggingConfiguration != nil {
			if err := checkLogging(in.LoggingConfiguration, sm.Type); err != nil {
				return err
			}
		}
		if in.Definition != "" && sm.Type == typeExpress {
			parsed, _ := s.parseDefinition(in.Definition)
			if err := checkExpress(parsed); err != nil {
				return err
			}
		}
		changed := false
		if in.Definition != "" && in.Definition != sm.Definition {
			sm.Definition, changed = in.Definition, true
		}
		if in.RoleArn != "" && in.RoleArn != sm.RoleARN {
			sm.RoleARN, changed = in.RoleArn, true
		}
		if in.LoggingConfiguration != nil {
			l := normLogging(in.LoggingConfiguration)
			if !sameLogging(l, sm.Logging) {
				sm.Logging, changed = l, true
			}
		}
		if in.TracingConfiguration != nil && *in.TracingConfiguration != sm.Tracing {
			sm.Tracing, changed = *in.TracingConfiguration, true
		}
		if changed {
			sm.RevisionID = s.cfg.NewID()
			sm.Updated = now
			if err := putDefinition(tx, sm.RevisionID, sm.Definition); err != nil {
				return err
			}
		}
		out.RevisionId = sm.RevisionID
		if in.Publish {
			v, err := latestVersion(tx, r.Account, r.Region, r.Machine)
			if err != nil {
				return err
			}
			if v != nil && v.RevisionID == sm.RevisionID {
				out.StateMachineVersionArn = v.ARN
			} else {
				nv := s.newVersion(&sm, in.VersionDescription, now)
				if err := putJSON(tx.Bucket(versionsBucket(r.Account, r.Region)), versionKey(sm.Name, nv.Number), nv); err != nil {
					return err
				}
				out.StateMachineVersionArn = nv.ARN
			}
		}
		return putJSON(b, []byte(r.Machine), &sm)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type deleteStateMachineIn struct {
	StateMachineArn string `json:"stateMachineArn"`
}

type empty struct{}

func (s *Service) deleteStateMachine(ctx context.Context, in *deleteStateMachineIn) (*empty, error) {
	r, err := parseMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if r.Version > 0 || r.Alias != "" {
		return nil, edge.Validation("Invalid Arn: state machine version or alias ARNs are not accepted; use DeleteStateMachineVersion or DeleteStateMachineAlias")
	}
	defer s.forget(r.Account, r.Region, r.Machine)
	err = s.st.Update(func(tx store.Tx) error {
		if err := tx.Bucket(machinesBucket(r.Account, r.Region)).Delete([]byte(r.Machine)); err != nil {
			return err
		}
		prefix := []byte(r.Machine + ":")
		for _, bn := range []string{versionsBucket(r.Account, r.Region), aliasesBucket(r.Account, r.Region)} {
			b := tx.Bucket(bn)
			var keys [][]byte
			b.Scan(prefix, store.PrefixEnd(prefix), false, func(k, _ []byte) bool {
				keys = append(keys, append([]byte(nil), k...))
				return true
			})
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return &empty{}, err
}

type listIn struct {
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type smListItem struct {
	StateMachineArn string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Type            string     `json:"type"`
	CreationDate    edge.Epoch `json:"creationDate"`
}

type listStateMachinesOut struct {
	StateMachines []smListItem `json:"stateMachines"`
	NextToken     string       `json:"nextToken,omitempty"`
}

func checkMaxResults(n int) (int, error) {
	if n < 0 || n > 1000 {
		return 0, edge.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", n)
	}
	if n == 0 {
		n = 100
	}
	return n, nil
}

func (s *Service) listStateMachines(ctx context.Context, in *listIn) (*listStateMachinesOut, error) {
	m := edge.MetaFrom(ctx)
	items, next, err := listBucket(s.st, machinesBucket(m.Account, m.Region), in.MaxResults, in.NextToken,
		func(sm *machine) smListItem {
			return smListItem{StateMachineArn: sm.ARN, Name: sm.Name, Type: sm.Type, CreationDate: edge.Epoch(sm.Created)}
		})
	if err != nil {
		return nil, err
	}
	return &listStateMachinesOut{StateMachines: items, NextToken: next}, nil
}

// listBucket pages a bucket of JSON values in key order for a List call:
// up to maxResults of them from nextToken on, as out renders each, and the
// token of the page after ("" on the last).
func listBucket[V, O any](st store.Store, bucket string, maxResults int, nextToken string, out func(*V) O) ([]O, string, error) {
	max, err := checkMaxResults(maxResults)
	if err != nil {
		return nil, "", err
	}
	var from []byte
	if nextToken != "" {
		k, ok := decodeToken(nextToken)
		if !ok {
			return nil, "", invalidToken(nextToken)
		}
		from = k
	}
	items, next := []O{}, ""
	err = st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(bucket).Scan(from, nil, false, func(k, raw []byte) bool {
			if len(items) == max {
				next = encodeToken(k)
				return false
			}
			var v V
			if derr = json.Unmarshal(raw, &v); derr != nil {
				return false
			}
			items = append(items, out(&v))
			return true
		})
		return derr
	})
	return items, next, err
}

type validateIn struct {
	Definition string `json:"definition"`
	Type       string `json:"type"`
	Severity   string `json:"severity"`
	MaxResults int    `json:"maxResults"`
}

type diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
}

type validateOut struct {
	Result      string       `json:"result"`
	Diagnostics []diagnostic `json:"diagnostics"`
	Truncated   bool         `json:"truncated"`
}

func (s *Service) validateDefinition(ctx context.Context, in *validateIn) (*validateOut, error) {
	if in.Definition == "" {
		return nil, edge.MissingMember("definition")
	}
	switch in.Severity {
	case "", "ERROR", "WARNING":
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'severity' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, WARNING]", in.Severity)
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return nil, edge.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100", in.MaxResults)
	}
	max := in.MaxResults
	if max == 0 {
		max = 100
	}
	switch in.Type {
	case "", typeStandard, typeExpress:
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	out := &validateOut{Result: "OK", Diagnostics: []diagnostic{}}
	diags := asl.Validate([]byte(in.Definition))
	if in.Type == typeExpress {
		if sm, err := s.parseDefinition(in.Definition); err == nil {
			diags = append(diags, expressProblems(sm)...)
		}
	}
	for _, d := range diags {
		if d.Severity == "ERROR" {
			out.Result = "FAIL"
		}
		if in.Severity == "ERROR" && d.Severity != "ERROR" {
			continue
		}
		if len(out.Diagnostics) == max {
			out.Truncated = true
			continue
		}
		out.Diagnostics = append(out.Diagnostics, diagnostic{Severity: d.Severity, Code: d.Code, Message: d.Message, Location: d.Location})
	}
	return out, nil
}

// Tags.

type tagResourceIn struct {
	ResourceArn string   `json:"resourceArn"`
	Tags        []tag    `json:"tags"`
	TagKeys     []string `json:"tagKeys"`
}

type listTagsOut struct {
	Tags []tag `json:"tags"`
}

// withMachineTags runs fn on the stored machine named by a resource ARN.
func (s *Service) withMachineTags(arn string, write bool, fn func(sm *machine) error) error {
	if arn == "" {
		return edge.MissingMember("resourceArn")
	}
	r, err := parseARN(arn)
	if err != nil {
		return err
	}
	if r.Kind != "stateMachine" || r.Version > 0 {
		return invalidARN(arn)
	}
	notFound := edge.Errorf("ResourceNotFound", "Resource not found: '%s'", arn).With("resourceName", arn)
	if r.Alias != "" {
		// Aliases keep no tags of their own here; they must exist.
		if _, err := s.loadAlias(r); err != nil {
			return notFound
		}
		return fn(&machine{})
	}
	tx := s.st.View
	if write {
		tx = s.st.Update
		defer s.forget(r.Account, r.Region, r.Machine)
	}
	return tx(func(tx store.Tx) error {
		b := tx.Bucket(machinesBucket(r.Account, r.Region))
		var sm machine
		found, err := getJSON(b, []byte(r.Machine), &sm)
		if err != nil {
			return err
		}
		if !found {
			return notFound
		}
		if err := fn(&sm); err != nil {
			return err
		}
		if write {
			return putJSON(b, []byte(r.Machine), &sm)
		}
		return nil
	})
}

func (s *Service) tagResource(ctx context.Context, in *tagResourceIn) (*empty, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err := s.withMachineTags(in.ResourceArn, true, func(sm *machine) error {
		if sm.Tags == nil {
			sm.Tags = map[string]string{}
		}
		for _, t := range in.Tags {
			sm.Tags[t.Key] = t.Value
		}
		if len(sm.Tags) > 50 {
			return edge.Errorf("TooManyTags", "Too many tags specified.").With("resourceName", in.ResourceArn)
		}
		return nil
	})
	return &empty{}, err
}

func (s *Service) untagResource(ctx context.Context, in *tagResourceIn) (*empty, error) {
	err := s.withMachineTags(in.ResourceArn, true, func(sm *machine) error {
		for _, k := range in.TagKeys {
			delete(sm.Tags, k)
		}
		return nil
	})
	return &empty{}, err
}

func (s *Service) listTagsForResource(ctx context.Context, in *tagResourceIn) (*listTagsOut, error) {
	out := &listTagsOut{Tags: []tag{}}
	err := s.withMachineTags(in.ResourceArn, false, func(sm *machine) error {
		for k, v := range sm.Tags {
			out.Tags = append(out.Tags, tag{Key: k, Value: v})
		}
		sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
