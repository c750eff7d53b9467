package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/logs/filter"
	"tenkai/internal/store"
)

// Metric filters are kept and described; tenkai has no CloudWatch metrics
// service, so they emit nothing.
//
//	logs/metricfilters/ACCOUNT/REGION   GROUP \x00 FILTER → metricFilter (JSON)
func metricFiltersBucket(account, region string) string {
	return "logs/metricfilters/" + account + "/" + region
}

func metricFilterKey(group, name string) []byte { return []byte(group + "\x00" + name) }

const maxMetricFilters = 100 // per log group

type metricTransformation struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

type metricFilter struct {
	FilterName             string                 `json:"filterName"`
	FilterPattern          string                 `json:"filterPattern"`
	MetricTransformations  []metricTransformation `json:"metricTransformations"`
	CreationTime           int64                  `json:"creationTime"`
	LogGroupName           string                 `json:"logGroupName"`
	ApplyOnTransformedLogs bool                   `json:"applyOnTransformedLogs"`
}

type putMetricFilterInput struct {
	LogGroupName           string                 `json:"logGroupName"`
	FilterName             string                 `json:"filterName"`
	FilterPattern          *string                `json:"filterPattern"`
	MetricTransformations  []metricTransformation `json:"metricTransformations"`
	ApplyOnTransformedLogs bool                   `json:"applyOnTransformedLogs"`
}

func checkFilterName(name string) error {
	if name == "" {
		return errMissing("filterName")
	}
	if len(name) > 512 || strings.ContainsAny(name, ":*") {
		return errInvalid("1 validation error detected: Value '%s' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name)
	}
	return nil
}

// compilePattern compiles a filter pattern, answering InvalidParameterException.
func compilePattern(src string) (*filter.Pattern, error) {
	p, err := filter.Compile(src)
	if err != nil {
		return nil, errInvalid("%s", err.Error())
	}
	return p, nil
}

func (s *Service) putMetricFilter(ctx context.Context, in *putMetricFilterInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if err := checkFilterName(in.FilterName); err != nil {
		return nil, err
	}
	if in.FilterPattern == nil {
		return nil, errMissing("filterPattern")
	}
	if _, err := compilePattern(*in.FilterPattern); err != nil {
		return nil, err
	}
	if len(in.MetricTransformations) != 1 {
		return nil, errInvalid("1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1 and greater than or equal to 1")
	}
	for _, t := range in.MetricTransformations {
		if t.MetricName == "" || t.MetricNamespace == "" || t.MetricValue == "" {
			return nil, errInvalid("A metric transformation needs metricName, metricNamespace and metricValue.")
		}
	}
	mf := metricFilter{FilterName: in.FilterName, FilterPattern: *in.FilterPattern, MetricTransformations: in.MetricTransformations,
		CreationTime: s.nowMillis(), LogGroupName: in.LogGroupName, ApplyOnTransformedLogs: in.ApplyOnTransformedLogs}
	return nil, s.st.Update(func(tx store.Tx) error {
		if _, err := getGroup(tx, m.Account, m.Region, in.LogGroupName); err != nil {
			return err
		}
		b := tx.Bucket(metricFiltersBucket(m.Account, m.Region))
		key := metricFilterKey(in.LogGroupName, in.FilterName)
		if b.Get(key) == nil && countGroupEntries(b, in.LogGroupName) >= maxMetricFilters {
			return edge.Errorf("LimitExceededException", "Resource limit exceeded.")
		}
		v, err := json.Marshal(mf)
		if err != nil {
			return fmt.Errorf("encode metric filter: %w", err)
		}
		return b.Put(key, v)
	})
}

// countGroupEntries counts the keys of one group in a GROUP \x00 NAME keyed bucket.
func countGroupEntries(b store.Bucket, group string) int {
	n := 0
	prefix := []byte(group + "\x00")
	b.Scan(prefix, store.PrefixEnd(prefix), false, func(_, _ []byte) bool { n++; return true })
	return n
}

type describeMetricFiltersInput struct {
	LogGroupName     string `json:"logGroupName"`
	FilterNamePrefix string `json:"filterNamePrefix"`
	MetricName       string `json:"metricName"`
	MetricNamespace  string `json:"metricNamespace"`
	NextToken        string `json:"nextToken"`
	Limit            *int   `json:"limit"`
}

type describeMetricFiltersOutput struct {
	MetricFilters []metricFilter `json:"metricFilters"`
	NextToken     string         `json:"nextToken,omitempty"`
}

func (s *Service) describeMetricFilters(ctx context.Context, in *describeMetricFiltersInput) (*describeMetricFiltersOutput, error) {
	m := edge.MetaFrom(ctx)
	limit, err := checkLimit(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	if in.FilterNamePrefix != "" && in.LogGroupName == "" {
		return nil, errInvalid("If you specify filterNamePrefix, you must also specify logGroupName.")
	}
	if (in.MetricName == "") != (in.MetricNamespace == "") {
		return nil, errInvalid("If you specify metricName, you must also specify metricNamespace, and the other way round.")
	}
	var prefix []byte
	if in.LogGroupName != "" {
		if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
			return nil, err
		}
		prefix = []byte(in.LogGroupName + "\x00" + in.FilterNamePrefix)
	}
	from := prefix
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "m:") {
			return nil, errInvalid("The specified nextToken is invalid.")
		}
		from = append(b[2:], 0)
	}
	var to []byte
	if prefix != nil {
		to = store.PrefixEnd(prefix)
	}
	out := &describeMetricFiltersOutput{MetricFilters: []metricFilter{}}
	err = s.st.View(func(tx store.Tx) error {
		if in.LogGroupName != "" {
			if _, err := getGroup(tx, m.Account, m.Region, in.LogGroupName); err != nil {
				return err
			}
		}
		var scanErr error
		var lastKey []byte
		tx.Bucket(metricFiltersBucket(m.Account, m.Region)).Scan(from, to, false, func(k, v []byte) bool {
			var mf metricFilter
			if err := json.Unmarshal(v, &mf); err != nil {
				scanErr = fmt.Errorf("decode metric filter: %w", err)
				return false
			}
			if in.MetricName != "" && !hasMetric(mf, in.MetricName, in.MetricNamespace) {
				return true
			}
			if len(out.MetricFilters) == limit {
				out.NextToken = base64.RawURLEncoding.EncodeToString(append([]byte("m:"), lastKey...))
				return false
			}
			out.MetricFilters = append(out.MetricFilters, mf)
			lastKey = append(lastKey[:0], k...)
			return true
		})
		return scanErr
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func hasMetric(mf metricFilter, name, namespace string) bool {
	for _, t := range mf.MetricTransformations {
		if t.MetricName == name && t.MetricNamespace == namespace {
			return true
		}
	}
	return false
}

type deleteMetricFilterInput struct {
	LogGroupName string `json:"logGroupName"`
	FilterName   string `json:"filterName"`
}

func (s *Service) deleteMetricFilter(ctx context.Context, in *deleteMetricFilterInput) (*empty, error) {
	return nil, s.deleteFilter(ctx, in, metricFiltersBucket, "metric")
}

// deleteFilter removes a group's metric or subscription filter (kind names it
// in the not-found message); the two differ only in their bucket.
func (s *Service) deleteFilter(ctx context.Context, in *deleteMetricFilterInput, bucket func(account, region string) string, kind string) error {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return err
	}
	if err := checkFilterName(in.FilterName); err != nil {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		if _, err := getGroup(tx, m.Account, m.Region, in.LogGroupName); err != nil {
			return err
		}
		b := tx.Bucket(bucket(m.Account, m.Region))
		key := metricFilterKey(in.LogGroupName, in.FilterName)
		if b.Get(key) == nil {
			return edge.Errorf("ResourceNotFoundException", "The specified %s filter does not exist.", kind)
		}
		return b.Delete(key)
	})
}

// deleteGroupMetricFilters removes a deleted group's metric filters.
func deleteGroupMetricFilters(tx store.Tx, account, region, group string) error {
	prefix := []byte(group + "\x00")
	return deleteRange(tx.Bucket(metricFiltersBucket(account, region)), prefix, store.PrefixEnd(prefix))
}

type testMetricFilterInput struct {
	FilterPattern    *string  `json:"filterPattern"`
	LogEventMessages []string `json:"logEventMessages"`
}

type metricFilterMatch struct {
	EventNumber     int64             `json:"eventNumber"`
	EventMessage    string            `json:"eventMessage"`
	ExtractedValues map[string]string `json:"extractedValues"`
}

type testMetricFilterOutput struct {
	Matches []metricFilterMatch `json:"matches"`
}

func (s *Service) testMetricFilter(ctx context.Context, in *testMetricFilterInput) (*testMetricFilterOutput, error) {
	if in.FilterPattern == nil {
		return nil, errMissing("filterPattern")
	}
	if len(in.LogEventMessages) == 0 || len(in.LogEventMessages) > 50 {
		return nil, errInvalid("1 validation error detected: Value at 'logEventMessages' failed to satisfy constraint: Member must have length less than or equal to 50 and greater than or equal to 1")
	}
	p, err := compilePattern(*in.FilterPattern)
	if err != nil {
		return nil, err
	}
	out := &testMetricFilterOutput{Matches: []metricFilterMatch{}}
	for i, msg := range in.LogEventMessages {
		if vals, ok := p.Extract(msg); ok {
			out.Matches = append(out.Matches, metricFilterMatch{EventNumber: int64(i + 1), EventMessage: msg, ExtractedValues: vals})
		}
	}
	return out, nil
}
