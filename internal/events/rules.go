package events

import (
	"context"
	"encoding/json"

	"tenkai/internal/edge"
	"tenkai/internal/events/pattern"
	"tenkai/internal/store"
)

type putRuleIn struct {
	Name               string  `json:"Name"`
	ScheduleExpression *string `json:"ScheduleExpression"`
	EventPattern       *string `json:"EventPattern"`
	State              string  `json:"State"`
	Description        *string `json:"Description"`
	RoleArn            *string `json:"RoleArn"`
	Tags               []tag   `json:"Tags"`
	EventBusName       string  `json:"EventBusName"`
}

type putRuleOut struct {
	RuleArn string `json:"RuleArn"`
}

func validState(s string) bool {
	switch s {
	case "ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
		return true
	}
	return false
}

func (s *Service) putRule(ctx context.Context, in *putRuleIn) (*putRuleOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	if len(in.Name) > maxNameLen {
		return nil, tooLong(in.Name, "name", maxNameLen)
	}
	if !nameRe().MatchString(in.Name) {
		return nil, notMatching(in.Name, "name", namePattern)
	}
	if in.EventPattern != nil {
		if err := checkPatternSize(*in.EventPattern); err != nil {
			return nil, err
		}
	}
	if in.ScheduleExpression != nil && longer(*in.ScheduleExpression, maxScheduleLen) {
		return nil, tooLong(*in.ScheduleExpression, "scheduleExpression", maxScheduleLen)
	}
	if in.Description != nil && longer(*in.Description, maxDescriptionLen) {
		return nil, tooLong(*in.Description, "description", maxDescriptionLen)
	}
	if in.State != "" && !validState(in.State) {
		return nil, notInEnum(in.State, "state", ruleStates)
	}
	bus := busName(in.EventBusName)
	hasPattern := in.EventPattern != nil && *in.EventPattern != ""
	hasSchedule := in.ScheduleExpression != nil && *in.ScheduleExpression != ""
	if hasPattern {
		if _, err := pattern.Compile([]byte(*in.EventPattern)); err != nil {
			return nil, edge.Errorf("InvalidEventPatternException", "%s", err.Error())
		}
	}
	if hasSchedule {
		if bus != "default" {
			return nil, edge.Validation("ScheduleExpression is supported only on the default event bus.")
		}
		if _, err := parseSchedule(*in.ScheduleExpression); err != nil {
			return nil, edge.Validation("Parameter ScheduleExpression is not valid.")
		}
	}
	arn := ruleARN(m.Region, m.Account, bus, in.Name)
	err := s.st.Update(func(tx store.Tx) error {
		if !busExists(tx, m.Account, m.Region, bus) {
			return notFoundBus(bus)
		}
		b := tx.Bucket(ruleBucket(m.Account, m.Region))
		var r Rule
		exists, err := getJSON(b, ruleKey(bus, in.Name), &r)
		if err != nil {
			return err
		}
		if !exists {
			if !hasPattern && !hasSchedule {
				return edge.Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
			}
			r = Rule{Name: in.Name, Bus: bus, State: "ENABLED", Created: s.clk.Now()}
		}
		// PutRule replaces what it is given; an update without either keeps both.
		if in.EventPattern != nil {
			r.EventPattern = *in.EventPattern
		}
		if in.ScheduleExpression != nil {
			r.ScheduleExpression = *in.ScheduleExpression
		}
		if r.EventPattern == "" && r.ScheduleExpression == "" {
			return edge.Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
		}
		if in.State != "" {
			r.State = in.State
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.RoleArn != nil {
			r.RoleArn = *in.RoleArn
		}
		if err := putJSON(b, ruleKey(bus, in.Name), r); err != nil {
			return err
		}
		if err := setTags(tx, m.Account, m.Region, arn, in.Tags); err != nil {
			return err
		}
		// Under the store's write lock, so concurrent changes to one rule
		// reach the scheduler in the order they are stored.
		s.sched.update(m.Account, m.Region, &r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(m.Account, m.Region, bus)
	return &putRuleOut{RuleArn: arn}, nil
}

type ruleNameIn struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName"`
	Force        bool   `json:"Force"`
}

type describeRuleOut struct {
	Name               string `json:"Name"`
	Arn                string `json:"Arn"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	ManagedBy          string `json:"ManagedBy,omitempty"`
	EventBusName       string `json:"EventBusName"`
	CreatedBy          string `json:"CreatedBy,omitempty"`
}

// loadRule reads a rule or returns AWS's not-found error.
func (s *Service) loadRule(tx store.Tx, acct, region, bus, name string) (*Rule, error) {
	if !busExists(tx, acct, region, bus) {
		return nil, notFoundBus(bus)
	}
	var r Rule
	ok, err := getJSON(tx.Bucket(ruleBucket(acct, region)), ruleKey(bus, name), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFoundRule(name, bus)
	}
	return &r, nil
}

func (s *Service) describeRule(ctx context.Context, in *ruleNameIn) (*describeRuleOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	bus := busName(in.EventBusName)
	var out *describeRuleOut
	err := s.st.View(func(tx store.Tx) error {
		r, err := s.loadRule(tx, m.Account, m.Region, bus, in.Name)
		if err != nil {
			return err
		}
		out = ruleOut(m.Account, m.Region, r)
		out.CreatedBy = m.Account
		return nil
	})
	return out, err
}

func ruleOut(acct, region string, r *Rule) *describeRuleOut {
	return &describeRuleOut{Name: r.Name, Arn: ruleARN(region, acct, r.Bus, r.Name), EventPattern: r.EventPattern,
		ScheduleExpression: r.ScheduleExpression, State: r.State, Description: r.Description, RoleArn: r.RoleArn,
		ManagedBy: r.ManagedBy, EventBusName: r.Bus}
}

func (s *Service) deleteRule(ctx context.Context, in *ruleNameIn) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	bus := busName(in.EventBusName)
	err := s.st.Update(func(tx store.Tx) error {
		if !busExists(tx, m.Account, m.Region, bus) {
			return notFoundBus(bus)
		}
		var r Rule
		found, err := getJSON(tx.Bucket(ruleBucket(m.Account, m.Region)), ruleKey(bus, in.Name), &r)
		if err != nil || !found {
			return err // deleting a missing rule succeeds in AWS
		}
		if len(r.Targets) > 0 {
			return edge.Validation("Rule can't be deleted since it has targets.")
		}
		if err := tx.Bucket(ruleBucket(m.Account, m.Region)).Delete(ruleKey(bus, in.Name)); err != nil {
			return err
		}
		if err := tx.Bucket(tagBucket(m.Account, m.Region)).Delete([]byte(ruleARN(m.Region, m.Account, bus, in.Name))); err != nil {
			return err
		}
		s.sched.remove(m.Account, m.Region, bus, in.Name) // in store order, as in putRule
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(m.Account, m.Region, bus)
	return nil, nil
}

func (s *Service) enableRule(ctx context.Context, in *ruleNameIn) (*struct{}, error) {
	return s.setRuleState(ctx, in, "ENABLED")
}

func (s *Service) disableRule(ctx context.Context, in *ruleNameIn) (*struct{}, error) {
	return s.setRuleState(ctx, in, "DISABLED")
}

func (s *Service) setRuleState(ctx context.Context, in *ruleNameIn, state string) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	bus := busName(in.EventBusName)
	err := s.st.Update(func(tx store.Tx) error {
		r, err := s.loadRule(tx, m.Account, m.Region, bus, in.Name)
		if err != nil {
			return err
		}
		r.State = state
		if err := putJSON(tx.Bucket(ruleBucket(m.Account, m.Region)), ruleKey(bus, in.Name), r); err != nil {
			return err
		}
		s.sched.update(m.Account, m.Region, r) // in store order, as in putRule
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(m.Account, m.Region, bus)
	return nil, nil
}

type listRulesIn struct {
	NamePrefix   string `json:"NamePrefix"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        int    `json:"Limit"`
}

type listRulesOut struct {
	Rules     []*describeRuleOut `json:"Rules"`
	NextToken string             `json:"NextToken,omitempty"`
}

func (s *Service) listRules(ctx context.Context, in *listRulesIn) (*listRulesOut, error) {
	m := edge.MetaFrom(ctx)
	bus := busName(in.EventBusName)
	out := &listRulesOut{Rules: []*describeRuleOut{}}
	err := s.st.View(func(tx store.Tx) error {
		if !busExists(tx, m.Account, m.Region, bus) {
			return notFoundBus(bus)
		}
		rules, next, err := scanPage[Rule](tx, ruleBucket(m.Account, m.Region), ruleKey(bus, ""), in.NamePrefix, in.NextToken, in.Limit)
		for i := range rules {
			out.Rules = append(out.Rules, ruleOut(m.Account, m.Region, &rules[i]))
		}
		out.NextToken = next
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// invalidate drops a bus's compiled index; the next PutEvents rebuilds it.
func (s *Service) invalidate(acct, region, bus string) {
	key := scopeKey(acct, region, bus)
	s.mu.Lock()
	delete(s.index, key)
	s.gen++
	s.mu.Unlock()
}

// busIndexFor returns the compiled enabled pattern rules of a bus.
func (s *Service) busIndexFor(acct, region, bus string) (*busIndex, error) {
	key := scopeKey(acct, region, bus)
	s.mu.RLock()
	idx := s.index[key]
	gen := s.gen
	s.mu.RUnlock()
	if idx != nil {
		return idx, nil
	}
	idx = &busIndex{set: &pattern.Set{}, rules: map[string]*Rule{}}
	err := s.st.View(func(tx store.Tx) error {
		idx.exists = busExists(tx, acct, region, bus)
		var derr error
		prefix := ruleKey(bus, "")
		tx.Bucket(ruleBucket(acct, region)).Scan(prefix, store.PrefixEnd(prefix), false, func(_, v []byte) bool {
			var r Rule
			if derr = json.Unmarshal(v, &r); derr != nil {
				return false
			}
			if r.EventPattern == "" || r.State == "DISABLED" {
				return true
			}
			p, err := pattern.Compile([]byte(r.EventPattern))
			if err != nil {
				s.log.Warn("stored rule has an invalid pattern", "rule", r.Name, "err", err)
				return true
			}
			r.arn = ruleARN(region, acct, bus, r.Name)
			idx.set.Add(r.Name, p)
			idx.rules[r.Name] = &r
			return true
		})
		return derr
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.gen == gen { // no rule changed while this was built
		s.index[key] = idx
	}
	s.mu.Unlock()
	return idx, nil
}
