package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/logs/filter"
	"tenkai/internal/store"
)

// FunctionInvoker invokes Lambda functions asynchronously; subscription
// filters deliver matching events through it. Implementations must be safe
// for concurrent use.
type FunctionInvoker interface {
	InvokeAsync(ctx context.Context, account, region, functionARN string, payload []byte) error
}

// invokeChecker is implemented by invokers that can tell whether a
// function's resource policy lets a principal invoke it.
type invokeChecker interface {
	AllowsInvoke(ctx context.Context, account, region, functionARN, principal, sourceARN string) bool
}

// logs/subscriptions/ACCOUNT/REGION   GROUP \x00 FILTER → subscriptionFilter (JSON)
func subscriptionsBucket(account, region string) string {
	return "logs/subscriptions/" + account + "/" + region
}

// maxSubscriptionFilters is the quota of subscription filters per log group.
const maxSubscriptionFilters = 2

type subscriptionFilter struct {
	FilterName             string `json:"filterName"`
	LogGroupName           string `json:"logGroupName"`
	FilterPattern          string `json:"filterPattern"`
	DestinationArn         string `json:"destinationArn"`
	RoleArn                string `json:"roleArn,omitempty"`
	Distribution           string `json:"distribution"`
	ApplyOnTransformedLogs bool   `json:"applyOnTransformedLogs"`
	CreationTime           int64  `json:"creationTime"`
}

type putSubscriptionFilterInput struct {
	LogGroupName           string  `json:"logGroupName"`
	FilterName             string  `json:"filterName"`
	FilterPattern          *string `json:"filterPattern"`
	DestinationArn         string  `json:"destinationArn"`
	RoleArn                string  `json:"roleArn"`
	Distribution           string  `json:"distribution"`
	ApplyOnTransformedLogs bool    `json:"applyOnTransformedLogs"`
}

func isFunctionARN(arn string) bool {
	return strings.HasPrefix(arn, "arn:aws:lambda:") && strings.Contains(arn, ":function:")
}

func (s *Service) putSubscriptionFilter(ctx context.Context, in *putSubscriptionFilterInput) (*empty, error) {
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
	if in.DestinationArn == "" {
		return nil, errMissing("destinationArn")
	}
	switch in.Distribution {
	case "":
		in.Distribution = "ByLogStream"
	case "Random", "ByLogStream":
	default:
		return nil, errInvalid("1 validation error detected: Value '%s' at 'distribution' failed to satisfy constraint: Member must satisfy enum value set: [Random, ByLogStream]", in.Distribution)
	}
	if err := s.st.View(func(tx store.Tx) error {
		_, err := getGroup(tx, m.Account, m.Region, in.LogGroupName)
		return err
	}); err != nil {
		return nil, err
	}
	// Outside any store transaction: the check reads Lambda's state.
	if isFunctionARN(in.DestinationArn) {
		// AWS test-invokes the function and needs the resource policy to
		// let CloudWatch Logs in.
		if c, ok := s.fn.(invokeChecker); ok && !s.logsMayInvoke(ctx, c, m.Account, m.Region, in.LogGroupName, in.DestinationArn) {
			return nil, errInvalid("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
		}
	}
	sf := subscriptionFilter{FilterName: in.FilterName, LogGroupName: in.LogGroupName, FilterPattern: *in.FilterPattern,
		DestinationArn: in.DestinationArn, RoleArn: in.RoleArn, Distribution: in.Distribution,
		ApplyOnTransformedLogs: in.ApplyOnTransformedLogs, CreationTime: s.nowMillis()}
	return nil, s.st.Update(func(tx store.Tx) error {
		if _, err := getGroup(tx, m.Account, m.Region, in.LogGroupName); err != nil {
			return err
		}
		b := tx.Bucket(subscriptionsBucket(m.Account, m.Region))
		key := metricFilterKey(in.LogGroupName, in.FilterName)
		if b.Get(key) == nil && countGroupEntries(b, in.LogGroupName) >= maxSubscriptionFilters {
			return edge.Errorf("LimitExceededException", "Resource limit exceeded.")
		}
		v, err := json.Marshal(sf)
		if err != nil {
			return fmt.Errorf("encode subscription filter: %w", err)
		}
		return b.Put(key, v)
	})
}

func (s *Service) logsMayInvoke(ctx context.Context, c invokeChecker, account, region, group, fn string) bool {
	for _, principal := range []string{"logs.amazonaws.com", "logs." + region + ".amazonaws.com"} {
		for _, src := range []string{groupARN(account, region, group), groupARNBare(account, region, group)} {
			if c.AllowsInvoke(ctx, account, region, fn, principal, src) {
				return true
			}
		}
	}
	return false
}

type describeSubscriptionFiltersInput struct {
	LogGroupName     string `json:"logGroupName"`
	FilterNamePrefix string `json:"filterNamePrefix"`
	NextToken        string `json:"nextToken"`
	Limit            *int   `json:"limit"`
}

type describeSubscriptionFiltersOutput struct {
	SubscriptionFilters []subscriptionFilter `json:"subscriptionFilters"`
	NextToken           string               `json:"nextToken,omitempty"`
}

func (s *Service) describeSubscriptionFilters(ctx context.Context, in *describeSubscriptionFiltersInput) (*describeSubscriptionFiltersOutput, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	prefix := []byte(in.LogGroupName + "\x00" + in.FilterNamePrefix)
	from := prefix
	if in.NextToken != "" {
		name, err := parseNameToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		from = append(metricFilterKey(in.LogGroupName, name), 0)
	}
	out := &describeSubscriptionFiltersOutput{SubscriptionFilters: []subscriptionFilter{}}
	err = s.st.View(func(tx store.Tx) error {
		if _, err := getGroup(tx, m.Account, m.Region, in.LogGroupName); err != nil {
			return err
		}
		var scanErr error
		tx.Bucket(subscriptionsBucket(m.Account, m.Region)).Scan(from, store.PrefixEnd(prefix), false, func(_, v []byte) bool {
			var sf subscriptionFilter
			if err := json.Unmarshal(v, &sf); err != nil {
				scanErr = fmt.Errorf("decode subscription filter: %w", err)
				return false
			}
			if len(out.SubscriptionFilters) == limit {
				out.NextToken = nameToken(out.SubscriptionFilters[limit-1].FilterName)
				return false
			}
			out.SubscriptionFilters = append(out.SubscriptionFilters, sf)
			return true
		})
		return scanErr
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) deleteSubscriptionFilter(ctx context.Context, in *deleteMetricFilterInput) (*empty, error) {
	return nil, s.deleteFilter(ctx, in, subscriptionsBucket, "subscription")
}

// groupSubscriptions reads a group's subscription filters inside a
// transaction; it is cheap when there are none.
func groupSubscriptions(tx store.Tx, account, region, group string) []subscriptionFilter {
	var subs []subscriptionFilter
	prefix := []byte(group + "\x00")
	tx.Bucket(subscriptionsBucket(account, region)).Scan(prefix, store.PrefixEnd(prefix), false, func(_, v []byte) bool {
		var sf subscriptionFilter
		if json.Unmarshal(v, &sf) == nil {
			subs = append(subs, sf)
		}
		return true
	})
	return subs
}

// delivery is a batch of newly stored events bound for subscription filters.
type delivery struct {
	account, region, group, stream string
	sid                            uint32
	firstSeq                       uint64 // sequence number of events[0]
	events                         []rawEvent
	subs                           []subscriptionFilter
}

// subscriptionPayloadLimit bounds the raw message bytes in one delivery, so
// a payload stays under Lambda's asynchronous invocation limit.
const subscriptionPayloadLimit = 200 * 1024

type subscriptionLogEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

type subscriptionMessage struct {
	MessageType         string                 `json:"messageType"`
	Owner               string                 `json:"owner"`
	LogGroup            string                 `json:"logGroup"`
	LogStream           string                 `json:"logStream"`
	SubscriptionFilters []string               `json:"subscriptionFilters"`
	LogEvents           []subscriptionLogEvent `json:"logEvents"`
}

// deliver sends matching events to each subscription's function in the
// background, as CloudWatch Logs does: {"awslogs": {"data": base64(gzip(JSON))}}.
func (s *Service) deliver(d delivery) {
	for _, sf := range d.subs {
		if !isFunctionARN(sf.DestinationArn) || s.fn == nil {
			s.log.Debug("logs: subscription destination not delivered", "destination", sf.DestinationArn)
			continue
		}
		p, err := s.pattern(sf.FilterPattern)
		if err != nil {
			continue
		}
		var batch []subscriptionLogEvent
		size := 0
		flush := func() {
			if len(batch) == 0 {
				return
			}
			payload, err := subscriptionPayload(subscriptionMessage{MessageType: "DATA_MESSAGE", Owner: d.account, LogGroup: d.group,
				LogStream: d.stream, SubscriptionFilters: []string{sf.FilterName}, LogEvents: batch})
			batch, size = nil, 0
			if err != nil {
				s.log.Warn("logs: encode subscription payload", "err", err)
				return
			}
			s.invoke(d.account, d.region, sf.DestinationArn, payload)
		}
		for i, e := range d.events {
			if !p.Match(e.msg) {
				continue
			}
			if size+len(e.msg) > subscriptionPayloadLimit {
				flush()
			}
			id := eventID(storedEvent{sid: d.sid, pos: pos{TS: e.ts, Seq: d.firstSeq + uint64(i)}})
			batch = append(batch, subscriptionLogEvent{ID: id, Timestamp: e.ts, Message: e.msg})
			size += len(e.msg)
		}
		flush()
	}
}

func subscriptionPayload(msg subscriptionMessage) ([]byte, error) {
	js, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	if _, err := w.Write(js); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]map[string]string{"awslogs": {"data": base64.StdEncoding.EncodeToString(gz.Bytes())}})
}

// maxDeliveries bounds the subscription deliveries under way; past it,
// writers wait, so a slow function slows its producers instead of piling up
// goroutines.
const maxDeliveries = 16

// invoke calls the function without holding up the caller; Close waits for
// calls in flight.
func (s *Service) invoke(account, region, fn string, payload []byte) {
	s.slots <- struct{}{}
	go func() {
		defer func() { <-s.slots }()
		if err := s.fn.InvokeAsync(context.Background(), account, region, fn, payload); err != nil {
			s.log.Warn("logs: deliver to subscription function", "function", fn, "err", err)
		}
	}()
}

// pattern compiles a filter pattern once.
func (s *Service) pattern(src string) (*filter.Pattern, error) {
	if p, ok := s.patterns.Load(src); ok {
		return p.(*filter.Pattern), nil
	}
	p, err := filter.Compile(src)
	if err != nil {
		return nil, err
	}
	s.patterns.Store(src, p)
	return p, nil
}

// deleteGroupSubscriptions removes a deleted group's subscription filters.
func deleteGroupSubscriptions(tx store.Tx, account, region, group string) error {
	prefix := []byte(group + "\x00")
	return deleteRange(tx.Bucket(subscriptionsBucket(account, region)), prefix, store.PrefixEnd(prefix))
}
