package events

import (
	"context"
	"encoding/json"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type createEventBusIn struct {
	Name            string `json:"Name"`
	EventSourceName string `json:"EventSourceName"`
	Description     string `json:"Description"`
	Tags            []tag  `json:"Tags"`
}

type createEventBusOut struct {
	EventBusArn string `json:"EventBusArn"`
	Description string `json:"Description,omitempty"`
}

func (s *Service) createEventBus(ctx context.Context, in *createEventBusIn) (*createEventBusOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	if !busNameRe().MatchString(in.Name) || in.Name == "default" {
		if in.Name == "default" {
			return nil, edge.Errorf("ResourceAlreadyExistsException", "Event bus default already exists.")
		}
		return nil, notMatching(in.Name, "name", busNamePattern)
	}
	arn := busARN(m.Region, m.Account, in.Name)
	now := s.clk.Now()
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(busBucket(m.Account, m.Region))
		if b.Get([]byte(in.Name)) != nil {
			return edge.Errorf("ResourceAlreadyExistsException", "Event bus %s already exists.", in.Name)
		}
		if err := putJSON(b, []byte(in.Name), Bus{Name: in.Name, Description: in.Description, Created: now, Modified: now}); err != nil {
			return err
		}
		return setTags(tx, m.Account, m.Region, arn, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(m.Account, m.Region, in.Name)
	return &createEventBusOut{EventBusArn: arn, Description: in.Description}, nil
}

type busNameIn struct {
	Name string `json:"Name"`
}

type describeEventBusOut struct {
	Name             string      `json:"Name"`
	Arn              string      `json:"Arn"`
	Description      string      `json:"Description,omitempty"`
	Policy           string      `json:"Policy,omitempty"`
	CreationTime     *edge.Epoch `json:"CreationTime,omitempty"`
	LastModifiedTime *edge.Epoch `json:"LastModifiedTime,omitempty"`
}

func (s *Service) loadBus(tx store.Tx, acct, region, name string) (Bus, bool, error) {
	var b Bus
	ok, err := getJSON(tx.Bucket(busBucket(acct, region)), []byte(name), &b)
	if !ok && err == nil && name == "default" {
		return Bus{Name: "default"}, true, nil
	}
	return b, ok, err
}

func (s *Service) describeEventBus(ctx context.Context, in *busNameIn) (*describeEventBusOut, error) {
	m := edge.MetaFrom(ctx)
	name := busName(in.Name)
	var out *describeEventBusOut
	err := s.st.View(func(tx store.Tx) error {
		b, ok, err := s.loadBus(tx, m.Account, m.Region, name)
		if err != nil {
			return err
		}
		if !ok {
			return notFoundBus(name)
		}
		out = &describeEventBusOut{Name: b.Name, Arn: busARN(m.Region, m.Account, b.Name), Description: b.Description,
			Policy: b.Policy, CreationTime: epoch(b.Created), LastModifiedTime: epoch(b.Modified)}
		return nil
	})
	return out, err
}

type updateEventBusIn struct {
	Name        string `json:"Name"`
	Description string `json:"Description"`
}

type updateEventBusOut struct {
	Arn         string `json:"Arn"`
	Name        string `json:"Name"`
	Description string `json:"Description,omitempty"`
}

func (s *Service) updateEventBus(ctx context.Context, in *updateEventBusIn) (*updateEventBusOut, error) {
	m := edge.MetaFrom(ctx)
	name := busName(in.Name)
	err := s.st.Update(func(tx store.Tx) error {
		b, ok, err := s.loadBus(tx, m.Account, m.Region, name)
		if err != nil {
			return err
		}
		if !ok {
			return notFoundBus(name)
		}
		b.Description = in.Description
		b.Modified = s.clk.Now()
		return putJSON(tx.Bucket(busBucket(m.Account, m.Region)), []byte(name), b)
	})
	if err != nil {
		return nil, err
	}
	return &updateEventBusOut{Arn: busARN(m.Region, m.Account, name), Name: name, Description: in.Description}, nil
}

func (s *Service) deleteEventBus(ctx context.Context, in *busNameIn) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	name := busName(in.Name)
	if name == "default" {
		return nil, edge.Validation("Cannot delete event bus default.")
	}
	err := s.st.Update(func(tx store.Tx) error {
		// AWS deletes the bus's rules with it; deleting a missing bus is no error.
		rb := tx.Bucket(ruleBucket(m.Account, m.Region))
		var keys [][]byte
		prefix := ruleKey(name, "")
		rb.Scan(prefix, store.PrefixEnd(prefix), false, func(k, _ []byte) bool {
			keys = append(keys, append([]byte(nil), k...))
			return true
		})
		for _, k := range keys {
			if err := rb.Delete(k); err != nil {
				return err
			}
		}
		return tx.Bucket(busBucket(m.Account, m.Region)).Delete([]byte(name))
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(m.Account, m.Region, name)
	return nil, nil
}

type listEventBusesIn struct {
	NamePrefix string `json:"NamePrefix"`
	NextToken  string `json:"NextToken"`
	Limit      int    `json:"Limit"`
}

type busEntry struct {
	Name             string      `json:"Name"`
	Arn              string      `json:"Arn"`
	Description      string      `json:"Description,omitempty"`
	Policy           string      `json:"Policy,omitempty"`
	CreationTime     *edge.Epoch `json:"CreationTime,omitempty"`
	LastModifiedTime *edge.Epoch `json:"LastModifiedTime,omitempty"`
}

type listEventBusesOut struct {
	EventBuses []busEntry `json:"EventBuses"`
	NextToken  string     `json:"NextToken,omitempty"`
}

func (s *Service) listEventBuses(ctx context.Context, in *listEventBusesIn) (*listEventBusesOut, error) {
	m := edge.MetaFrom(ctx)
	buses := map[string]Bus{"default": {Name: "default"}}
	err := s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(busBucket(m.Account, m.Region)).Scan(nil, nil, false, func(k, v []byte) bool {
			var b Bus
			if derr = json.Unmarshal(v, &b); derr != nil {
				return false
			}
			buses[b.Name] = b
			return true
		})
		return derr
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for n := range buses {
		if strings.HasPrefix(n, in.NamePrefix) {
			names = append(names, n)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listEventBusesOut{EventBuses: []busEntry{}, NextToken: next}
	for _, n := range page {
		b := buses[n]
		out.EventBuses = append(out.EventBuses, busEntry{Name: n, Arn: busARN(m.Region, m.Account, n), Description: b.Description,
			CreationTime: epoch(b.Created), LastModifiedTime: epoch(b.Modified)})
	}
	return out, nil
}
