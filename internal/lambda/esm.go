package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/events/pattern"
	"tenkai/internal/store"
)

// StreamRecord is one DynamoDB stream record as a StreamReader returns it.
type StreamRecord struct {
	// Sequence is the record's SequenceNumber: decimal, zero-padded so that
	// string order is stream order.
	Sequence string
	// JSON is the record object in GetRecords' shape, without eventSourceARN.
	JSON []byte
}

// StreamReader reads DynamoDB streams for event source mappings. The
// composition root adapts the DynamoDB service to it. Methods are called
// from poller goroutines concurrently; errors for an unknown stream are
// *edge.Error values with code ResourceNotFoundException.
type StreamReader interface {
	// StreamStatus returns "ENABLED" or "DISABLED".
	StreamStatus(ctx context.Context, arn string) (string, error)
	// ReadStream returns up to limit records with a sequence greater than
	// after ("" means from the oldest retained record), oldest first.
	ReadStream(ctx context.Context, arn, after string, limit int) ([]StreamRecord, error)
	// LatestSequence returns the newest retained sequence, "" when none.
	LatestSequence(ctx context.Context, arn string) (string, error)
}

// Event source mapping limits and defaults for DynamoDB streams, from the
// CreateEventSourceMapping API reference and "Lambda parameters for Amazon
// DynamoDB event source mappings".
const (
	esmDefaultBatch = 100
	esmMaxBatch     = 10000
	esmMaxWindow    = 300
	esmMaxParallel  = 10
	esmMaxRecordAge = 604800
	esmMaxRetries   = 10000
	esmMaxTumbling  = 900
	esmMaxFilters   = 5 // the default quota of filters per mapping
	esmMaxPattern   = 4096
	esmListPage     = 100 // a list page holds at most 100, whatever MaxItems says
	esmListMax      = 10000
)

// Mapping states.
const (
	esmCreating  = "Creating"
	esmEnabled   = "Enabled"
	esmEnabling  = "Enabling"
	esmDisabled  = "Disabled"
	esmDisabling = "Disabling"
	esmUpdating  = "Updating"
	esmDeleting  = "Deleting"
)

// Values of LastProcessingResult.
const (
	resultNone       = "No records processed"
	resultOK         = "OK"
	resultFailed     = "PROBLEM: Function call failed"
	resultNoFunction = "PROBLEM: Function not found"
	resultNoStream   = "PROBLEM: Stream not found"
)

const (
	esmBucket      = "lambda/esm"       // mapping documents, by account/region/uuid
	esmStateBucket = "lambda/esm-state" // checkpoints, same keys
)

// mapping is one event source mapping as stored.
type mapping struct {
	UUID                  string            `json:"uuid"`
	Account               string            `json:"account"`
	Region                string            `json:"region"`
	EventSourceArn        string            `json:"eventSourceArn"`
	FunctionArn           string            `json:"functionArn"`
	Enabled               bool              `json:"enabled"`
	BatchSize             int               `json:"batchSize"`
	BatchingWindow        int               `json:"batchingWindow"`
	ParallelizationFactor int               `json:"parallelizationFactor"`
	StartingPosition      string            `json:"startingPosition"`
	Filters               []string          `json:"filters,omitempty"`
	MaximumRecordAge      int               `json:"maximumRecordAge"`
	MaximumRetryAttempts  int               `json:"maximumRetryAttempts"`
	Bisect                bool              `json:"bisect"`
	TumblingWindow        int               `json:"tumblingWindow"`
	ResponseTypes         []string          `json:"responseTypes,omitempty"`
	OnFailure             string            `json:"onFailure,omitempty"`
	MaxConcurrency        int               `json:"maxConcurrency,omitempty"` // SQS ScalingConfig; 0 = unset
	FIFO                  bool              `json:"fifo,omitempty"`           // the source is a FIFO queue
	Tags                  map[string]string `json:"tags,omitempty"`
	StateReason           string            `json:"stateReason"`
	Created               time.Time         `json:"created"`
	LastModified          time.Time         `json:"lastModified"`
}

func (m *mapping) key() []byte { return []byte(m.Account + "/" + m.Region + "/" + m.UUID) }

func (m *mapping) reportsItemFailures() bool {
	return len(m.ResponseTypes) > 0 && m.ResponseTypes[0] == "ReportBatchItemFailures"
}

// mappingState is what a poller writes: where it is in the stream and how
// the last batch went.
type mappingState struct {
	After      string `json:"after"` // last sequence handled; "" = before the oldest record
	LastResult string `json:"lastResult"`
}

// Wire shapes.

type filterIn struct {
	Pattern *string `json:"Pattern,omitempty"`
}

type filterCriteria struct {
	Filters []filterIn `json:"Filters"`
}

// esmInput is the body of CreateEventSourceMapping and UpdateEventSourceMapping.
type esmInput struct {
	EventSourceArn                 *string            `json:"EventSourceArn"`
	FunctionName                   *string            `json:"FunctionName"`
	Enabled                        *bool              `json:"Enabled"`
	BatchSize                      *int               `json:"BatchSize"`
	FilterCriteria                 *filterCriteria    `json:"FilterCriteria"`
	MaximumBatchingWindowInSeconds *int               `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          *int               `json:"ParallelizationFactor"`
	StartingPosition               *string            `json:"StartingPosition"`
	StartingPositionTimestamp      json.RawMessage    `json:"StartingPositionTimestamp"`
	DestinationConfig              *destinationConfig `json:"DestinationConfig"`
	MaximumRecordAgeInSeconds      *int               `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     *bool              `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           *int               `json:"MaximumRetryAttempts"`
	TumblingWindowInSeconds        *int               `json:"TumblingWindowInSeconds"`
	FunctionResponseTypes          *[]string          `json:"FunctionResponseTypes"`
	Tags                           map[string]string  `json:"Tags"`
	// Settings of other kinds of event sources, refused for DynamoDB streams.
	Topics                              json.RawMessage `json:"Topics"`
	Queues                              json.RawMessage `json:"Queues"`
	SourceAccessConfigurations          json.RawMessage `json:"SourceAccessConfigurations"`
	SelfManagedEventSource              json.RawMessage `json:"SelfManagedEventSource"`
	AmazonManagedKafkaEventSourceConfig json.RawMessage `json:"AmazonManagedKafkaEventSourceConfig"`
	SelfManagedKafkaEventSourceConfig   json.RawMessage `json:"SelfManagedKafkaEventSourceConfig"`
	ScalingConfig                       *scalingConfig  `json:"ScalingConfig"` // SQS only
	DocumentDBEventSourceConfig         json.RawMessage `json:"DocumentDBEventSourceConfig"`
	ProvisionedPollerConfig             json.RawMessage `json:"ProvisionedPollerConfig"`
}

type esmOutput struct {
	UUID                           string            `json:"UUID"`
	StartingPosition               string            `json:"StartingPosition,omitempty"`
	BatchSize                      int               `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int               `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          int               `json:"ParallelizationFactor"`
	EventSourceArn                 string            `json:"EventSourceArn"`
	FilterCriteria                 *filterCriteria   `json:"FilterCriteria,omitempty"`
	FunctionArn                    string            `json:"FunctionArn"`
	LastModified                   float64           `json:"LastModified"`
	LastProcessingResult           string            `json:"LastProcessingResult"`
	State                          string            `json:"State"`
	StateTransitionReason          string            `json:"StateTransitionReason"`
	DestinationConfig              destinationConfig `json:"DestinationConfig"`
	MaximumRecordAgeInSeconds      int               `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     bool              `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           int               `json:"MaximumRetryAttempts"`
	TumblingWindowInSeconds        int               `json:"TumblingWindowInSeconds"`
	FunctionResponseTypes          []string          `json:"FunctionResponseTypes"`
	EventSourceMappingArn          string            `json:"EventSourceMappingArn"`
	ScalingConfig                  *scalingConfig    `json:"ScalingConfig,omitempty"`

	queue bool // an SQS mapping: the stream-only members are left out
}

// sqsOutput is what Lambda reports for an SQS mapping: no stream settings.
type sqsOutput struct {
	UUID                           string          `json:"UUID"`
	BatchSize                      int             `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int             `json:"MaximumBatchingWindowInSeconds"`
	EventSourceArn                 string          `json:"EventSourceArn"`
	FilterCriteria                 *filterCriteria `json:"FilterCriteria,omitempty"`
	FunctionArn                    string          `json:"FunctionArn"`
	LastModified                   float64         `json:"LastModified"`
	State                          string          `json:"State"`
	StateTransitionReason          string          `json:"StateTransitionReason"`
	FunctionResponseTypes          []string        `json:"FunctionResponseTypes"`
	EventSourceMappingArn          string          `json:"EventSourceMappingArn"`
	ScalingConfig                  *scalingConfig  `json:"ScalingConfig,omitempty"`
}

// MarshalJSON leaves the stream-only members out of SQS mappings.
func (o *esmOutput) MarshalJSON() ([]byte, error) {
	if !o.queue {
		type plain esmOutput
		return json.Marshal((*plain)(o))
	}
	return json.Marshal(&sqsOutput{UUID: o.UUID, BatchSize: o.BatchSize, MaximumBatchingWindowInSeconds: o.MaximumBatchingWindowInSeconds,
		EventSourceArn: o.EventSourceArn, FilterCriteria: o.FilterCriteria, FunctionArn: o.FunctionArn, LastModified: o.LastModified,
		State: o.State, StateTransitionReason: o.StateTransitionReason, FunctionResponseTypes: o.FunctionResponseTypes,
		EventSourceMappingArn: o.EventSourceMappingArn, ScalingConfig: o.ScalingConfig})
}

func esmARN(account, region, uuid string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":event-source-mapping:" + uuid
}

// output renders m for the wire; state overrides the stored state for the
// transitional answers of Create, Update and Delete.
func (m *mapping) output(st mappingState, state string) *esmOutput {
	if state == "" {
		state = esmDisabled
		if m.Enabled {
			state = esmEnabled
		}
	}
	out := &esmOutput{
		UUID: m.UUID, StartingPosition: m.StartingPosition, BatchSize: m.BatchSize,
		MaximumBatchingWindowInSeconds: m.BatchingWindow, ParallelizationFactor: m.ParallelizationFactor,
		EventSourceArn: m.EventSourceArn, FunctionArn: m.FunctionArn,
		LastModified:         float64(m.LastModified.UnixMilli()) / 1000,
		LastProcessingResult: st.LastResult, State: state, StateTransitionReason: m.StateReason,
		DestinationConfig:         destinationConfig{OnFailure: &destination{Destination: m.OnFailure}},
		MaximumRecordAgeInSeconds: m.MaximumRecordAge, BisectBatchOnFunctionError: m.Bisect,
		MaximumRetryAttempts: m.MaximumRetryAttempts, TumblingWindowInSeconds: m.TumblingWindow,
		FunctionResponseTypes: nonNil(m.ResponseTypes), EventSourceMappingArn: esmARN(m.Account, m.Region, m.UUID),
		queue: m.isQueue(),
	}
	if out.LastProcessingResult == "" {
		out.LastProcessingResult = resultNone
	}
	if m.MaxConcurrency > 0 {
		out.ScalingConfig = &scalingConfig{MaximumConcurrency: &m.MaxConcurrency}
	}
	if len(m.Filters) > 0 {
		out.FilterCriteria = &filterCriteria{}
		for _, p := range m.Filters {
			out.FilterCriteria.Filters = append(out.FilterCriteria.Filters, filterIn{Pattern: &p})
		}
	}
	return out
}

// sourceARNPattern is the API model's pattern for event source and
// destination ARNs, quoted in validation errors.
const sourceARNPattern = `arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)`

var reSourceARN = lazyRegexp("^" + sourceARNPattern + "$")

// reStreamARN matches a DynamoDB stream ARN: the table's ARN, /stream/ and the label.
var reStreamARN = lazyRegexp(`^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[a-zA-Z0-9_.-]{3,255}/stream/[^/]+$`)

// checkSource validates an event source ARN: tenkai maps DynamoDB streams
// and SQS queues, and the source must exist. fifo reports a FIFO queue.
func (s *Service) checkSource(ctx context.Context, arn string) (fifo bool, err error) {
	if !reSourceARN().MatchString(arn) {
		return false, edge.Validation("1 validation error detected: Value '%s' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", arn, sourceARNPattern)
	}
	switch svc := strings.SplitN(arn, ":", 4)[2]; svc {
	case "sqs":
		return s.checkQueue(ctx, arn)
	case "dynamodb":
		return false, s.checkStream(ctx, arn)
	default:
		return false, invalidParam("Unsupported event source %s: tenkai supports event source mappings for DynamoDB streams and SQS queues only, not %s.", arn, svc)
	}
}

func (s *Service) checkStream(ctx context.Context, arn string) error {
	if !reStreamARN().MatchString(arn) {
		return invalidParam("Unsupported event source %s: tenkai supports event source mappings for DynamoDB streams and SQS queues only; a stream ARN looks like arn:aws:dynamodb:region:account:table/name/stream/label.", arn)
	}
	if s.cfg.Streams == nil {
		return invalidParam("Stream not found: %s", arn)
	}
	if _, err := s.cfg.Streams.StreamStatus(ctx, arn); err != nil {
		var ae *edge.Error
		if errors.As(err, &ae) && ae.Code == "ResourceNotFoundException" {
			return invalidParam("Stream not found: %s", arn)
		}
		return err
	}
	return nil
}

// refuseOtherSources rejects settings that belong to other kinds of sources.
func (in *esmInput) refuseOtherSources(queue bool) error {
	kind := "DynamoDB stream"
	if queue {
		kind = "SQS"
		if err := in.refuseStreamSettings(); err != nil {
			return err
		}
	} else if in.ScalingConfig != nil {
		return invalidParam("ScalingConfig is not supported for DynamoDB stream event sources.")
	}
	for _, f := range []struct {
		name string
		v    json.RawMessage
	}{
		{"Topics", in.Topics}, {"Queues", in.Queues}, {"SourceAccessConfigurations", in.SourceAccessConfigurations},
		{"SelfManagedEventSource", in.SelfManagedEventSource}, {"AmazonManagedKafkaEventSourceConfig", in.AmazonManagedKafkaEventSourceConfig},
		{"SelfManagedKafkaEventSourceConfig", in.SelfManagedKafkaEventSourceConfig},
		{"DocumentDBEventSourceConfig", in.DocumentDBEventSourceConfig}, {"ProvisionedPollerConfig", in.ProvisionedPollerConfig},
	} {
		if len(f.v) > 0 && string(f.v) != "null" {
			return invalidParam("%s is not supported for %s event sources.", f.name, kind)
		}
	}
	return nil
}

func rangeErr(v int, member string, lo, hi int) error {
	if v < lo {
		return edge.Validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", v, member, lo)
	}
	if v > hi {
		return edge.Validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", v, member, hi)
	}
	return nil
}

// apply validates the settings Create and Update share and writes them to m.
func (in *esmInput) apply(m *mapping) error {
	if in.BatchSize != nil {
		if err := rangeErr(*in.BatchSize, "batchSize", 1, esmMaxBatch); err != nil {
			return err
		}
		m.BatchSize = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		if err := rangeErr(*in.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, esmMaxWindow); err != nil {
			return err
		}
		m.BatchingWindow = *in.MaximumBatchingWindowInSeconds
	}
	if in.ParallelizationFactor != nil {
		if err := rangeErr(*in.ParallelizationFactor, "parallelizationFactor", 1, esmMaxParallel); err != nil {
			return err
		}
		m.ParallelizationFactor = *in.ParallelizationFactor
	}
	if in.MaximumRecordAgeInSeconds != nil {
		v := *in.MaximumRecordAgeInSeconds
		if err := rangeErr(v, "maximumRecordAgeInSeconds", -1, esmMaxRecordAge); err != nil {
			return err
		}
		// The model allows 0..59; the service does not.
		if v != -1 && v < 60 {
			return invalidParam("MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)")
		}
		m.MaximumRecordAge = v
	}
	if in.MaximumRetryAttempts != nil {
		if err := rangeErr(*in.MaximumRetryAttempts, "maximumRetryAttempts", -1, esmMaxRetries); err != nil {
			return err
		}
		m.MaximumRetryAttempts = *in.MaximumRetryAttempts
	}
	if in.TumblingWindowInSeconds != nil {
		if err := rangeErr(*in.TumblingWindowInSeconds, "tumblingWindowInSeconds", 0, esmMaxTumbling); err != nil {
			return err
		}
		m.TumblingWindow = *in.TumblingWindowInSeconds
	}
	if in.BisectBatchOnFunctionError != nil {
		m.Bisect = *in.BisectBatchOnFunctionError
	}
	if in.FunctionResponseTypes != nil {
		types := *in.FunctionResponseTypes
		if len(types) > 1 {
			return edge.Validation("1 validation error detected: Value '[%s]' at 'functionResponseTypes' failed to satisfy constraint: Member must have length less than or equal to 1", strings.Join(types, ", "))
		}
		for _, t := range types {
			if t != "ReportBatchItemFailures" {
				return edge.Validation("1 validation error detected: Value '[%s]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]", t)
			}
		}
		m.ResponseTypes = types
	}
	if in.FilterCriteria != nil {
		fs, err := compileFilters(in.FilterCriteria)
		if err != nil {
			return err
		}
		m.Filters = fs
	}
	if d := in.DestinationConfig; d != nil {
		if d.OnSuccess != nil && d.OnSuccess.Destination != "" {
			return invalidParam("Unsupported DestinationConfig parameter for given event source mapping type.")
		}
		m.OnFailure = ""
		if d.OnFailure != nil && d.OnFailure.Destination != "" {
			dest := d.OnFailure.Destination
			if !reSourceARN().MatchString(dest) {
				return edge.Validation("1 validation error detected: Value '%s' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", dest, sourceARNPattern)
			}
			switch strings.SplitN(dest, ":", 4)[2] {
			case "sqs", "sns", "s3":
			default:
				return invalidParam("The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=%s)) is invalid: stream event sources send discarded records to an SQS queue, SNS topic or S3 bucket.", dest)
			}
			m.OnFailure = dest
		}
	}
	if in.Enabled != nil {
		m.Enabled = *in.Enabled
	}
	if m.isQueue() {
		return in.applyQueue(m)
	}
	return nil
}

// compileFilters checks each pattern with the EventBridge pattern engine.
func compileFilters(fc *filterCriteria) ([]string, error) {
	if len(fc.Filters) > esmMaxFilters {
		return nil, invalidParam("The number of filters in FilterCriteria (%d) exceeds the limit of %d.", len(fc.Filters), esmMaxFilters)
	}
	var out []string
	for _, f := range fc.Filters {
		p := ""
		if f.Pattern != nil {
			p = *f.Pattern
		}
		if len(p) > esmMaxPattern {
			return nil, edge.Validation("1 validation error detected: Value '%s' at 'filterCriteria.filters.pattern' failed to satisfy constraint: Member must have length less than or equal to %d", p, esmMaxPattern)
		}
		if _, err := pattern.Compile([]byte(p)); err != nil {
			return nil, invalidParam("Invalid filter pattern definition.")
		}
		out = append(out, p)
	}
	return out, nil
}

// resolveTarget checks that the function (and its version or alias) exists
// and returns the FunctionArn a mapping reports.
func (s *Service) resolveTarget(ctx context.Context, name string) (string, error) {
	m := edge.MetaFrom(ctx)
	ref, err := ParseFunctionRef(name, m.Account, m.Region)
	if err != nil {
		return "", err
	}
	fn, err := s.view(ref)
	if err != nil {
		return "", err
	}
	if _, err := fn.resolveVersion(ref); err != nil {
		return "", err
	}
	return ref.ARN(), nil
}

func (s *Service) createMapping(ctx context.Context, in *esmInput) (*esmOutput, error) {
	meta := edge.MetaFrom(ctx)
	if in.FunctionName == nil || *in.FunctionName == "" {
		return nil, edge.MissingMember("functionName")
	}
	if in.EventSourceArn == nil || *in.EventSourceArn == "" {
		return nil, invalidParam("Unrecognized event source. tenkai supports event source mappings for DynamoDB streams and SQS queues only.")
	}
	src := *in.EventSourceArn
	queue := reSourceARN().MatchString(src) && isQueueARN(src)
	if err := in.refuseOtherSources(queue); err != nil {
		return nil, err
	}
	fifo, err := s.checkSource(ctx, src)
	if err != nil {
		return nil, err
	}
	pos := ""
	if in.StartingPosition != nil {
		pos = *in.StartingPosition
	}
	switch {
	case queue && (pos != "" || len(in.StartingPositionTimestamp) > 0 && string(in.StartingPositionTimestamp) != "null"):
		return nil, invalidParam("Unsupported starting position for arn type: %s", src)
	case queue:
	default:
		if err := checkStartingPosition(src, pos, in.StartingPositionTimestamp); err != nil {
			return nil, err
		}
	}
	fnArn, err := s.resolveTarget(ctx, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	m := &mapping{
		UUID: edge.NewUUID(), Account: meta.Account, Region: meta.Region, EventSourceArn: src, FunctionArn: fnArn,
		Enabled: true, BatchSize: esmDefaultBatch, ParallelizationFactor: 1, StartingPosition: pos,
		MaximumRecordAge: -1, MaximumRetryAttempts: -1, Tags: in.Tags, StateReason: "User action",
		Created: now, LastModified: now,
	}
	if queue {
		m.BatchSize, m.ParallelizationFactor, m.MaximumRecordAge, m.MaximumRetryAttempts, m.FIFO = sqsDefaultBatch, 0, 0, 0, fifo
	}
	if err := in.apply(m); err != nil {
		return nil, err
	}
	return s.insertMapping(ctx, m, *in.FunctionName)
}

// checkStartingPosition validates a stream mapping's StartingPosition.
func checkStartingPosition(src, pos string, ts json.RawMessage) error {
	switch pos {
	case "TRIM_HORIZON", "LATEST":
	case "": // AWS reports this one as InvalidParameterValueException, not ValidationException
		return invalidParam("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
	case "AT_TIMESTAMP":
		return invalidParam("Unsupported starting position for arn type: %s", src)
	default:
		return edge.Validation("1 validation error detected: Value '%s' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]", pos)
	}
	if len(ts) > 0 && string(ts) != "null" {
		return invalidParam("StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP, which DynamoDB stream event sources do not support.")
	}
	return nil
}

// insertMapping stores a new mapping unless its source and function are
// mapped already, and starts its poller.
func (s *Service) insertMapping(ctx context.Context, m *mapping, fnName string) (*esmOutput, error) {
	meta := edge.MetaFrom(ctx)
	src, fnArn, pos := m.EventSourceArn, m.FunctionArn, m.StartingPosition
	var err error
	st := mappingState{LastResult: resultNone}
	if pos == "LATEST" {
		// LATEST means records written after the mapping exists.
		if st.After, err = s.cfg.Streams.LatestSequence(ctx, src); err != nil {
			return nil, err
		}
	}
	err = s.st.Update(func(tx store.Tx) error {
		var dup *mapping
		scanMappings(tx, meta.Account, meta.Region, func(o *mapping) bool {
			if o.EventSourceArn == src && o.FunctionArn == fnArn {
				dup = o
				return false
			}
			return true
		})
		if dup != nil {
			return edge.NewError(http.StatusConflict, "ResourceConflictException",
				fmt.Sprintf("The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. Please update or delete the existing mapping with UUID %s", src, fnName, dup.UUID))
		}
		return saveMapping(tx, m, &st)
	})
	if err != nil {
		return nil, err
	}
	s.esm.wake(m)
	return m.output(st, esmCreating), nil
}

func saveMapping(tx store.Tx, m *mapping, st *mappingState) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode mapping %s: %w", m.UUID, err)
	}
	if err := tx.Bucket(esmBucket).Put(m.key(), b); err != nil {
		return err
	}
	if st == nil {
		return nil
	}
	sb, _ := json.Marshal(st)
	return tx.Bucket(esmStateBucket).Put(m.key(), sb)
}

// scanMappings calls fn for each mapping of an account and region.
func scanMappings(tx store.Tx, account, region string, fn func(*mapping) bool) {
	prefix := []byte(account + "/" + region + "/")
	tx.Bucket(esmBucket).Scan(prefix, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
		var m mapping
		if json.Unmarshal(v, &m) != nil {
			return true
		}
		return fn(&m)
	})
}

func esmNotFound() *edge.Error {
	return edge.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
}

// loadMapping reads a mapping and its state; nil when absent.
func loadMapping(tx store.Tx, key []byte) (*mapping, mappingState) {
	var st mappingState
	v := tx.Bucket(esmBucket).Get(key)
	if v == nil {
		return nil, st
	}
	var m mapping
	if json.Unmarshal(v, &m) != nil {
		return nil, st
	}
	if sv := tx.Bucket(esmStateBucket).Get(key); sv != nil {
		_ = json.Unmarshal(sv, &st)
	}
	return &m, st
}

func (s *Service) mappingKey(ctx context.Context, uuid string) []byte {
	meta := edge.MetaFrom(ctx)
	return []byte(meta.Account + "/" + meta.Region + "/" + uuid)
}

func (s *Service) getMapping(ctx context.Context, uuid string) (*esmOutput, error) {
	var out *esmOutput
	err := s.st.View(func(tx store.Tx) error {
		m, st := loadMapping(tx, s.mappingKey(ctx, uuid))
		if m == nil {
			return esmNotFound()
		}
		out = m.output(st, "")
		return nil
	})
	return out, err
}

func (s *Service) updateMapping(ctx context.Context, uuid string, in *esmInput) (*esmOutput, error) {
	fnArn := ""
	if in.FunctionName != nil {
		var err error
		if fnArn, err = s.resolveTarget(ctx, *in.FunctionName); err != nil {
			return nil, err
		}
	}
	var m *mapping
	var st mappingState
	state := esmUpdating
	err := s.st.Update(func(tx store.Tx) error {
		key := s.mappingKey(ctx, uuid)
		if m, st = loadMapping(tx, key); m == nil {
			return esmNotFound()
		}
		was := m.Enabled
		if err := in.refuseOtherSources(m.isQueue()); err != nil {
			return err
		}
		if err := in.apply(m); err != nil {
			return err
		}
		if fnArn != "" {
			m.FunctionArn = fnArn
		}
		switch {
		case was && !m.Enabled:
			state = esmDisabling
		case !was && m.Enabled:
			state = esmEnabling
		}
		m.StateReason = "User action"
		m.LastModified = s.clk.Now()
		return saveMapping(tx, m, nil)
	})
	if err != nil {
		return nil, err
	}
	s.esm.wake(m)
	return m.output(st, state), nil
}

func (s *Service) deleteMapping(ctx context.Context, uuid string) (*esmOutput, error) {
	var m *mapping
	var st mappingState
	err := s.st.Update(func(tx store.Tx) error {
		key := s.mappingKey(ctx, uuid)
		if m, st = loadMapping(tx, key); m == nil {
			return esmNotFound()
		}
		if err := tx.Bucket(esmBucket).Delete(key); err != nil {
			return err
		}
		return tx.Bucket(esmStateBucket).Delete(key)
	})
	if err != nil {
		return nil, err
	}
	s.esm.wake(m)
	return m.output(st, esmDeleting), nil
}

type listMappingsOutput struct {
	EventSourceMappings []*esmOutput `json:"EventSourceMappings"`
	NextMarker          string       `json:"NextMarker,omitempty"`
}

func (s *Service) listMappings(ctx context.Context, source, function, marker, maxItems string) (*listMappingsOutput, error) {
	meta := edge.MetaFrom(ctx)
	max, err := maxItemsParam(maxItems, esmListPage, esmListMax)
	if err != nil {
		return nil, err
	}
	max = min(max, esmListPage)
	if source != "" && !reSourceARN().MatchString(source) {
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", source, sourceARNPattern)
	}
	fnArn := ""
	if function != "" {
		ref, err := ParseFunctionRef(function, meta.Account, meta.Region)
		if err != nil {
			return nil, err
		}
		fnArn = ref.ARN()
	}
	type row struct {
		m  *mapping
		st mappingState
	}
	var rows []row
	err = s.st.View(func(tx store.Tx) error {
		scanMappings(tx, meta.Account, meta.Region, func(m *mapping) bool {
			if (source == "" || m.EventSourceArn == source) && (fnArn == "" || m.FunctionArn == fnArn) {
				_, st := loadMapping(tx, m.key())
				rows = append(rows, row{m, st})
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].m.Created.Equal(rows[j].m.Created) {
			return rows[i].m.Created.Before(rows[j].m.Created)
		}
		return rows[i].m.UUID < rows[j].m.UUID
	})
	start, end, next, err := pageBounds(marker, max, len(rows))
	if err != nil {
		return nil, err
	}
	out := &listMappingsOutput{EventSourceMappings: []*esmOutput{}, NextMarker: next}
	for _, r := range rows[start:end] {
		out.EventSourceMappings = append(out.EventSourceMappings, r.m.output(r.st, ""))
	}
	return out, nil
}

// esmRoutes serves the event source mapping API.
func (s *Service) esmRoutes() {
	const base = "/2015-03-31/event-source-mappings"
	create := func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in esmInput
		if err := readJSON(r, "CreateEventSourceMapping", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.createMapping(r.Context(), &in)
		return http.StatusAccepted, out, err
	}
	s.handle("POST "+base, "CreateEventSourceMapping", create)
	s.handle("POST "+base+"/{$}", "CreateEventSourceMapping", create)
	list := func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		out, err := s.listMappings(r.Context(), q.Get("EventSourceArn"), q.Get("FunctionName"), q.Get("Marker"), q.Get("MaxItems"))
		return http.StatusOK, out, err
	}
	s.handle("GET "+base, "ListEventSourceMappings", list)
	s.handle("GET "+base+"/{$}", "ListEventSourceMappings", list)
	s.handle("GET "+base+"/{uuid}", "GetEventSourceMapping", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.getMapping(r.Context(), r.PathValue("uuid"))
		return http.StatusOK, out, err
	})
	s.handle("PUT "+base+"/{uuid}", "UpdateEventSourceMapping", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in esmInput
		if err := readJSON(r, "UpdateEventSourceMapping", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.updateMapping(r.Context(), r.PathValue("uuid"), &in)
		return http.StatusAccepted, out, err
	})
	s.handle("DELETE "+base+"/{uuid}", "DeleteEventSourceMapping", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.deleteMapping(r.Context(), r.PathValue("uuid"))
		return http.StatusAccepted, out, err
	})
}

var reMappingARN = lazyRegexp(`^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:([0-9a-fA-F-]{36})$`)

// mappingKeyFromARN reads an event source mapping ARN, as tagging calls name one.
func mappingKeyFromARN(arn string) ([]byte, bool) {
	m := reMappingARN().FindStringSubmatch(arn)
	if m == nil {
		return nil, false
	}
	return []byte(m[2] + "/" + m[1] + "/" + m[3]), true
}

// mappingTags returns a mapping's tags after change (when not nil) edits them.
func (s *Service) mappingTags(key []byte, change func(map[string]string) error) (map[string]string, error) {
	var tags map[string]string
	run := s.st.Update
	if change == nil {
		run = s.st.View
	}
	err := run(func(tx store.Tx) error {
		m, _ := loadMapping(tx, key)
		if m == nil {
			return esmNotFound()
		}
		if m.Tags == nil {
			m.Tags = map[string]string{}
		}
		tags = m.Tags
		if change == nil {
			return nil
		}
		if err := change(m.Tags); err != nil {
			return err
		}
		return saveMapping(tx, m, nil)
	})
	return tags, err
}
