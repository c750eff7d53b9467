package events

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/events/pattern"
)

const maxPutEventsSize = 256 * 1024

type putEventsEntry struct {
	Time         *edge.Epoch `json:"Time"`
	Source       *string     `json:"Source"`
	Resources    []string    `json:"Resources"`
	DetailType   *string     `json:"DetailType"`
	Detail       *string     `json:"Detail"`
	EventBusName string      `json:"EventBusName"`
	TraceHeader  string      `json:"TraceHeader"`
}

type putEventsIn struct {
	Entries    []putEventsEntry `json:"Entries"`
	EndpointId string           `json:"EndpointId"`
}

type putEventsResult struct {
	EventId      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putEventsOut struct {
	FailedEntryCount int               `json:"FailedEntryCount"`
	Entries          []putEventsResult `json:"Entries"`
}

// entrySize follows AWS's PutEvents size calculation.
func entrySize(e *putEventsEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	for _, p := range []*string{e.Source, e.DetailType, e.Detail} {
		if p != nil {
			n += len(*p)
		}
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func (s *Service) putEvents(ctx context.Context, in *putEventsIn) (*putEventsOut, error) {
	m := edge.MetaFrom(ctx)
	if len(in.Entries) == 0 {
		return nil, edge.MissingMember("entries")
	}
	if len(in.Entries) > 10 {
		return nil, edge.Validation("1 validation error detected: Value '[...]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	total := 0
	for i := range in.Entries {
		total += entrySize(&in.Entries[i])
	}
	if total > maxPutEventsSize {
		return nil, edge.Validation("Total size of the entries in the request is over the limit.")
	}
	out := &putEventsOut{Entries: make([]putEventsResult, len(in.Entries))}
	now := s.clk.Now()
	var idx *busIndex
	var idxBus string
	b := make(batch, 0, len(in.Entries)) // usually one target per entry
	for i := range in.Entries {
		e := &in.Entries[i]
		if bus := busName(e.EventBusName); idx == nil || bus != idxBus {
			var err error
			if idx, err = s.busIndexFor(m.Account, m.Region, bus); err != nil {
				return nil, err
			}
			idxBus = bus
		}
		res := s.acceptEntry(&b, m.Account, m.Region, e, idx, now, false)
		if res.ErrorCode != "" {
			out.FailedEntryCount++
		}
		out.Entries[i] = res
	}
	s.enqueue(b)
	return out, nil
}

func entryError(code, msg string) putEventsResult {
	return putEventsResult{ErrorCode: code, ErrorMessage: msg}
}

// acceptEntry validates one entry, builds its event and routes it. internal
// events (from AWS services) may use aws.* sources. idx is the index of the
// entry's bus; putEvents looks it up once per bus and request.
func (s *Service) acceptEntry(b *batch, acct, region string, e *putEventsEntry, idx *busIndex, now time.Time, internal bool) putEventsResult {
	switch {
	case e.Source == nil || *e.Source == "":
		return entryError("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.")
	case e.DetailType == nil || *e.DetailType == "":
		return entryError("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.")
	case e.Detail == nil || *e.Detail == "":
		return entryError("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.")
	}
	// Building the envelope validates the detail, so a malformed detail is
	// reported before the source and bus checks.
	ev := event{ID: s.cfg.NewID(), DetailType: *e.DetailType, Source: *e.Source, Account: acct, Region: region,
		Time: now, Resources: e.Resources, Detail: []byte(*e.Detail)}
	if e.Time != nil {
		ev.Time = e.Time.Time()
	}
	buf := bytes.NewBuffer(make([]byte, 0, envelopeSize(&ev)))
	if err := appendEnvelope(buf, &ev); err != nil {
		return entryError("MalformedDetail", "Detail is malformed.")
	}
	switch {
	case !internal && strings.HasPrefix(*e.Source, "aws."):
		return entryError("NotAuthorizedForSourceException", "Not authorized for the source.")
	case !idx.exists:
		return entryError("ResourceNotFoundException", "Event bus "+busName(e.EventBusName)+" does not exist.")
	}
	s.route(b, acct, region, idx, ev.ID, buf.Bytes(), now, false)
	return putEventsResult{EventId: ev.ID}
}

var eventPool = sync.Pool{New: func() any { return new(pattern.Event) }}

// route matches an event against a bus's rules and adds a delivery per target
// to b. forwarded marks an event another bus sent here.
func (s *Service) route(b *batch, acct, region string, idx *busIndex, eventID string, raw []byte, ingested time.Time, forwarded bool) {
	if idx.set.Len() == 0 {
		return
	}
	pe := eventPool.Get().(*pattern.Event)
	defer eventPool.Put(pe)
	if err := pe.Parse(raw); err != nil {
		s.log.Warn("event does not parse for matching", "err", err)
		return
	}
	var buf [8]string
	for _, name := range idx.set.MatchEvent(pe, buf[:0]) {
		r := idx.rules[name]
		if r == nil {
			continue
		}
		s.dispatch(b, acct, region, r, eventID, raw, ingested, forwarded)
	}
}

// batch collects the deliveries of one request for enqueue.
type batch []*delivery

// dispatch adds one delivery per target of a matched rule to b. An event
// that came from another bus is not sent on to a further bus, as in AWS:
// that is what keeps rules forwarding between buses from looping.
func (s *Service) dispatch(b *batch, acct, region string, r *Rule, eventID string, raw []byte, ingested time.Time, forwarded bool) {
	arn := r.arn
	if arn == "" {
		arn = ruleARN(region, acct, r.Bus, r.Name)
	}
	for i := range r.Targets {
		t := &r.Targets[i]
		if forwarded && isBusARN(t.Arn) {
			s.rec.add(record{Time: s.clk.Now(), Rule: arn, Target: t.Arn, TargetID: t.Id, Status: "DROPPED",
				Error: "the event came from another event bus; EventBridge does not route it to a further event bus"})
			s.log.Debug("forwarded event not sent to a further bus", "rule", arn, "target", t.Id)
			continue
		}
		input, err := targetInput(t, raw, arn, r.Name, ingested)
		if err != nil {
			s.rec.add(record{Time: s.clk.Now(), Rule: arn, Target: t.Arn, TargetID: t.Id, Status: "FAILED", Error: "input transformation: " + err.Error()})
			s.log.Warn("target input could not be built", "rule", arn, "target", t.Id, "err", err)
			continue
		}
		*b = append(*b, &delivery{ID: s.deliveryID(), Account: acct, Region: region, RuleARN: arn, Target: *t, EventID: eventID, Input: input, EventTime: ingested})
	}
}

// PublishEvent puts an event on the default bus on behalf of an AWS service
// (source aws.states, aws.codepipeline, aws.codedeploy, ...). It is how other
// services emit the events AWS emits; sources under aws.* are allowed here.
func (s *Service) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	d := string(detail)
	e := putEventsEntry{Source: &source, DetailType: &detailType, Detail: &d, Resources: resources}
	idx, err := s.busIndexFor(account, region, "default")
	if err != nil {
		return err
	}
	if idx.exists && idx.set.Len() == 0 && source != "" && detailType != "" && json.Valid(detail) {
		// No rule to match: skip building an envelope nobody reads. Services
		// publish on every status change, most often to a bus without rules.
		return nil
	}
	var b batch
	res := s.acceptEntry(&b, account, region, &e, idx, s.clk.Now(), true)
	s.enqueue(b)
	if res.ErrorCode != "" {
		return edge.Errorf(res.ErrorCode, "%s", res.ErrorMessage)
	}
	return nil
}

type testEventPatternIn struct {
	EventPattern string `json:"EventPattern"`
	Event        string `json:"Event"`
}

type testEventPatternOut struct {
	Result bool `json:"Result"`
}

func (s *Service) testEventPattern(ctx context.Context, in *testEventPatternIn) (*testEventPatternOut, error) {
	if in.EventPattern == "" {
		return nil, edge.MissingMember("eventPattern")
	}
	if in.Event == "" {
		return nil, edge.MissingMember("event")
	}
	if err := checkPatternSize(in.EventPattern); err != nil {
		return nil, err
	}
	p, err := pattern.Compile([]byte(in.EventPattern))
	if err != nil {
		return nil, edge.Errorf("InvalidEventPatternException", "%s", err.Error())
	}
	var ev map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in.Event), &ev); err != nil {
		return nil, edge.Errorf("InvalidArgument", "Parameter Event is not valid.")
	}
	// AWS requires the envelope's fields in the test event.
	for _, f := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		if _, ok := ev[f]; !ok {
			return nil, edge.Errorf("InvalidArgument", "Parameter Event is not valid.")
		}
	}
	if _, err := strconv.Unquote(string(ev["account"])); err != nil {
		return nil, edge.Errorf("InvalidArgument", "Parameter Event is not valid.")
	}
	return &testEventPatternOut{Result: p.Match([]byte(in.Event))}, nil
}
