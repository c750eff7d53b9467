package lambda

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Account limits reported by GetAccountSettings and enforced on reservations.
const (
	accountConcurrency = 1000
	minUnreserved      = 100
)

type concurrencyInput struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
}

type concurrencyResult struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

// reservedTotal sums reservations in an account and region, except skip.
func reservedTotal(tx store.Tx, account, region, skip string) (int, error) {
	total := 0
	var derr error
	tx.Bucket(fnBucket(account, region)).Scan(nil, nil, false, func(k, v []byte) bool {
		if string(k) == skip {
			return true
		}
		var fn function
		if derr = json.Unmarshal(v, &fn); derr != nil {
			return false
		}
		if fn.Reserved != nil {
			total += *fn.Reserved
		}
		return true
	})
	return total, derr
}

func (s *Service) putConcurrency(ctx context.Context, name string, in *concurrencyInput) (*concurrencyResult, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	if in.ReservedConcurrentExecutions == nil {
		return nil, edge.MissingMember("reservedConcurrentExecutions")
	}
	n := *in.ReservedConcurrentExecutions
	if n < 0 {
		return nil, edge.Validation("1 validation error detected: Value '%d' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0", n)
	}
	err = s.st.Update(func(tx store.Tx) error {
		fn, err := loadFunction(tx, ref)
		if err != nil {
			return err
		}
		others, err := reservedTotal(tx, ref.Account, ref.Region, ref.Name)
		if err != nil {
			return err
		}
		if accountConcurrency-others-n < minUnreserved {
			return invalidParam("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
		}
		fn.Reserved = &n
		return saveFunction(tx, ref.Account, ref.Region, fn)
	})
	if err != nil {
		return nil, err
	}
	return &concurrencyResult{ReservedConcurrentExecutions: &n}, nil
}

func (s *Service) getConcurrency(ctx context.Context, name string) (*concurrencyResult, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	return &concurrencyResult{ReservedConcurrentExecutions: fn.Reserved}, nil
}

func (s *Service) deleteConcurrency(ctx context.Context, name string) error {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return err
	}
	_, err = s.modify(ref, func(fn *function) error {
		fn.Reserved = nil
		return nil
	})
	return err
}

// Event invoke configs.

type destination struct {
	Destination string `json:"Destination,omitempty"`
}

type destinationConfig struct {
	OnSuccess *destination `json:"OnSuccess,omitempty"`
	OnFailure *destination `json:"OnFailure,omitempty"`
}

type eventInvokeConfigInput struct {
	MaximumRetryAttempts     *int               `json:"MaximumRetryAttempts"`
	MaximumEventAgeInSeconds *int               `json:"MaximumEventAgeInSeconds"`
	DestinationConfig        *destinationConfig `json:"DestinationConfig"`
}

type eventInvokeConfigOut struct {
	LastModified             edge.Epoch        `json:"LastModified"`
	FunctionArn              string            `json:"FunctionArn"`
	MaximumRetryAttempts     *int              `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int              `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        destinationConfig `json:"DestinationConfig"`
}

func (c *eventInvokeConfig) out(ref FuncRef, q string) *eventInvokeConfigOut {
	o := &eventInvokeConfigOut{
		LastModified: edge.Epoch(c.LastModified), FunctionArn: functionARN(ref.Account, ref.Region, ref.Name) + ":" + q,
		MaximumRetryAttempts: c.MaximumRetryAttempts, MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds,
		DestinationConfig: destinationConfig{OnSuccess: &destination{}, OnFailure: &destination{}},
	}
	o.DestinationConfig.OnSuccess.Destination = c.OnSuccess
	o.DestinationConfig.OnFailure.Destination = c.OnFailure
	return o
}

func validDestination(arn string) bool {
	p := strings.SplitN(arn, ":", 6)
	if len(p) < 6 || p[0] != "arn" {
		return false
	}
	switch p[2] {
	case "lambda":
		return strings.HasPrefix(p[5], "function:")
	case "events":
		return strings.HasPrefix(p[5], "event-bus/")
	case "sqs", "sns", "s3":
		return true
	}
	return false
}

func (in *eventInvokeConfigInput) validate() error {
	if r := in.MaximumRetryAttempts; r != nil && (*r < 0 || *r > 2) {
		return edge.Validation("1 validation error detected: Value '%d' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2", *r)
	}
	if a := in.MaximumEventAgeInSeconds; a != nil && (*a < 60 || *a > 21600) {
		return edge.Validation("1 validation error detected: Value '%d' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 21600", *a)
	}
	if d := in.DestinationConfig; d != nil {
		for _, x := range []*destination{d.OnSuccess, d.OnFailure} {
			if x != nil && x.Destination != "" && !validDestination(x.Destination) {
				return invalidParam("The destination ARN %s is invalid.", x.Destination)
			}
		}
	}
	return nil
}

func eventConfigKey(q string) string {
	if q == "" {
		return "$LATEST"
	}
	return q
}

func eventConfigNotFound(ref FuncRef, q string) *edge.Error {
	return edge.NewError(http.StatusNotFound, "ResourceNotFoundException",
		"The function "+functionARN(ref.Account, ref.Region, ref.Name)+":"+q+" doesn't have an EventInvokeConfig")
}

// putEventInvokeConfig replaces (put) or merges (update) the config.
func (s *Service) putEventInvokeConfig(ctx context.Context, name, qualifier string, in *eventInvokeConfigInput, merge bool) (*eventInvokeConfigOut, error) {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	q := eventConfigKey(ref.Qualifier)
	var out *eventInvokeConfigOut
	_, err = s.modify(ref, func(fn *function) error {
		if !fn.qualifierExists(ref.Qualifier) {
			return notFound(ref)
		}
		c := &eventInvokeConfig{}
		if merge {
			old := fn.EventConfigs[q]
			if old == nil {
				return eventConfigNotFound(ref, q)
			}
			*c = *old
		}
		if in.MaximumRetryAttempts != nil || !merge {
			c.MaximumRetryAttempts = in.MaximumRetryAttempts
		}
		if in.MaximumEventAgeInSeconds != nil || !merge {
			c.MaximumEventAgeInSeconds = in.MaximumEventAgeInSeconds
		}
		if d := in.DestinationConfig; d != nil || !merge {
			c.OnSuccess, c.OnFailure = "", ""
			if d != nil && d.OnSuccess != nil {
				c.OnSuccess = d.OnSuccess.Destination
			}
			if d != nil && d.OnFailure != nil {
				c.OnFailure = d.OnFailure.Destination
			}
		}
		c.LastModified = s.clk.Now()
		if fn.EventConfigs == nil {
			fn.EventConfigs = map[string]*eventInvokeConfig{}
		}
		fn.EventConfigs[q] = c
		out = c.out(ref, q)
		return nil
	})
	return out, err
}

func (s *Service) getEventInvokeConfig(ctx context.Context, name, qualifier string) (*eventInvokeConfigOut, error) {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	q := eventConfigKey(ref.Qualifier)
	c := fn.EventConfigs[q]
	if c == nil {
		return nil, eventConfigNotFound(ref, q)
	}
	return c.out(ref, q), nil
}

func (s *Service) deleteEventInvokeConfig(ctx context.Context, name, qualifier string) error {
	ref, err := s.ref(ctx, name, qualifier)
	if err != nil {
		return err
	}
	q := eventConfigKey(ref.Qualifier)
	_, err = s.modify(ref, func(fn *function) error {
		if fn.EventConfigs[q] == nil {
			return eventConfigNotFound(ref, q)
		}
		delete(fn.EventConfigs, q)
		return nil
	})
	return err
}

type listEventInvokeConfigsOutput struct {
	FunctionEventInvokeConfigs []*eventInvokeConfigOut `json:"FunctionEventInvokeConfigs"`
	NextMarker                 string                  `json:"NextMarker,omitempty"`
}

func (s *Service) listEventInvokeConfigs(ctx context.Context, name, marker, maxItems string) (*listEventInvokeConfigsOutput, error) {
	ref, err := s.unqualified(ctx, name)
	if err != nil {
		return nil, err
	}
	max, err := maxItemsParam(maxItems, 50, 50)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(fn.EventConfigs))
	for k := range fn.EventConfigs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	start, end, next, err := pageBounds(marker, max, len(keys))
	if err != nil {
		return nil, err
	}
	out := &listEventInvokeConfigsOutput{FunctionEventInvokeConfigs: []*eventInvokeConfigOut{}, NextMarker: next}
	for _, k := range keys[start:end] {
		out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, fn.EventConfigs[k].out(ref, k))
	}
	return out, nil
}

// Tags.

// taggedFunction resolves the ARN of a tag operation: an unqualified function ARN.
func (s *Service) taggedFunction(ctx context.Context, arn string) (FuncRef, error) {
	m := edge.MetaFrom(ctx)
	if !strings.HasPrefix(arn, "arn:") {
		return FuncRef{}, edge.Validation("1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", arn)
	}
	ref, err := ParseFunctionRef(arn, m.Account, m.Region)
	if err != nil {
		return ref, err
	}
	if ref.Qualifier != "" {
		return ref, invalidParam("Tags on function aliases and versions are not supported. Please specify a function ARN.")
	}
	return ref, nil
}

type tagsBody struct {
	Tags map[string]string `json:"Tags"`
}

func (s *Service) tagResource(ctx context.Context, arn string, tags map[string]string) error {
	if key, ok := mappingKeyFromARN(arn); ok {
		_, err := s.mappingTags(key, func(t map[string]string) error {
			for k, v := range tags {
				t[k] = v
			}
			if len(t) > 50 {
				return invalidParam("Number of tags exceeds resource tag limit.")
			}
			return nil
		})
		return err
	}
	ref, err := s.taggedFunction(ctx, arn)
	if err != nil {
		return err
	}
	_, err = s.modify(ref, func(fn *function) error {
		if fn.Tags == nil {
			fn.Tags = map[string]string{}
		}
		for k, v := range tags {
			fn.Tags[k] = v
		}
		if len(fn.Tags) > 50 {
			return invalidParam("Number of tags exceeds resource tag limit.")
		}
		return nil
	})
	return err
}

func (s *Service) untagResource(ctx context.Context, arn string, keys []string) error {
	if key, ok := mappingKeyFromARN(arn); ok {
		_, err := s.mappingTags(key, func(t map[string]string) error {
			for _, k := range keys {
				delete(t, k)
			}
			return nil
		})
		return err
	}
	ref, err := s.taggedFunction(ctx, arn)
	if err != nil {
		return err
	}
	_, err = s.modify(ref, func(fn *function) error {
		for _, k := range keys {
			delete(fn.Tags, k)
		}
		return nil
	})
	return err
}

func (s *Service) listTags(ctx context.Context, arn string) (*tagsBody, error) {
	if key, ok := mappingKeyFromARN(arn); ok {
		t, err := s.mappingTags(key, nil)
		return &tagsBody{Tags: t}, err
	}
	ref, err := s.taggedFunction(ctx, arn)
	if err != nil {
		return nil, err
	}
	fn, err := s.view(ref)
	if err != nil {
		return nil, err
	}
	t := fn.Tags
	if t == nil {
		t = map[string]string{}
	}
	return &tagsBody{Tags: t}, nil
}

// Account settings.

type accountSettings struct {
	AccountLimit struct {
		TotalCodeSize                  int64 `json:"TotalCodeSize"`
		CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
		CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
		ConcurrentExecutions           int   `json:"ConcurrentExecutions"`
		UnreservedConcurrentExecutions int   `json:"UnreservedConcurrentExecutions"`
	} `json:"AccountLimit"`
	AccountUsage struct {
		TotalCodeSize int64 `json:"TotalCodeSize"`
		FunctionCount int64 `json:"FunctionCount"`
	} `json:"AccountUsage"`
}

func (s *Service) accountSettings(ctx context.Context) (*accountSettings, error) {
	m := edge.MetaFrom(ctx)
	out := &accountSettings{}
	out.AccountLimit.TotalCodeSize = 80530636800
	out.AccountLimit.CodeSizeUnzipped = maxUnzipped
	out.AccountLimit.CodeSizeZipped = maxZipped
	out.AccountLimit.ConcurrentExecutions = accountConcurrency
	err := s.st.View(func(tx store.Tx) error {
		reserved, err := reservedTotal(tx, m.Account, m.Region, "")
		if err != nil {
			return err
		}
		out.AccountLimit.UnreservedConcurrentExecutions = accountConcurrency - reserved
		var derr error
		tx.Bucket(fnBucket(m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var fn function
			if derr = json.Unmarshal(v, &fn); derr != nil {
				return false
			}
			out.AccountUsage.FunctionCount++
			out.AccountUsage.TotalCodeSize += fn.Latest.Code.Size
			for _, pv := range fn.Versions {
				out.AccountUsage.TotalCodeSize += pv.Code.Size
			}
			return true
		})
		return derr
	})
	return out, err
}
