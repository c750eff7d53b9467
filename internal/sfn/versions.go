package sfn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

func encodeToken(k []byte) string { return base64.RawURLEncoding.EncodeToString(k) }

func decodeToken(t string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return b, err == nil && len(b) > 0
}

func invalidToken(t string) *edge.Error {
	return edge.Errorf("InvalidToken", "Invalid Token: '%s'", t)
}

type publishVersionIn struct {
	StateMachineArn string `json:"stateMachineArn"`
	RevisionId      string `json:"revisionId"`
	Description     string `json:"description"`
}

type publishVersionOut struct {
	CreationDate           edge.Epoch `json:"creationDate"`
	StateMachineVersionArn string     `json:"stateMachineVersionArn"`
}

func (s *Service) publishVersion(ctx context.Context, in *publishVersionIn) (*publishVersionOut, error) {
	r, err := parseMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if r.Version > 0 || r.Alias != "" {
		return nil, invalidARN(in.StateMachineArn)
	}
	now := s.clk.Now()
	out := &publishVersionOut{}
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
		if in.RevisionId != "" && in.RevisionId != sm.RevisionID {
			return edge.Errorf("ConflictException", "Failed to publish the State Machine version for revision %s. The current State Machine revision is %s.", in.RevisionId, sm.RevisionID)
		}
		latest, err := latestVersion(tx, r.Account, r.Region, r.Machine)
		if err != nil {
			return err
		}
		if latest != nil && latest.RevisionID == sm.RevisionID {
			out.CreationDate, out.StateMachineVersionArn = edge.Epoch(latest.Created), latest.ARN
			return nil
		}
		v := s.newVersion(&sm, in.Description, now)
		if err := putJSON(tx.Bucket(versionsBucket(r.Account, r.Region)), versionKey(sm.Name, v.Number), v); err != nil {
			return err
		}
		out.CreationDate, out.StateMachineVersionArn = edge.Epoch(now), v.ARN
		return putJSON(b, []byte(r.Machine), &sm)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type listVersionsIn struct {
	StateMachineArn string `json:"stateMachineArn"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

type versionItem struct {
	StateMachineVersionArn string     `json:"stateMachineVersionArn"`
	CreationDate           edge.Epoch `json:"creationDate"`
}

type listVersionsOut struct {
	StateMachineVersions []versionItem `json:"stateMachineVersions"`
	NextToken            string        `json:"nextToken,omitempty"`
}

// listVersions lists versions newest first, as AWS does.
func (s *Service) listVersions(ctx context.Context, in *listVersionsIn) (*listVersionsOut, error) {
	r, err := parseMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if r.Version > 0 || r.Alias != "" {
		return nil, invalidARN(in.StateMachineArn)
	}
	max, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	prefix := []byte(r.Machine + ":")
	to := store.PrefixEnd(prefix)
	if in.NextToken != "" {
		k, ok := decodeToken(in.NextToken)
		if !ok {
			return nil, invalidToken(in.NextToken)
		}
		to = append(k, 0)
	}
	out := &listVersionsOut{StateMachineVersions: []versionItem{}}
	err = s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(versionsBucket(r.Account, r.Region)).Scan(prefix, to, true, func(k, raw []byte) bool {
			if len(out.StateMachineVersions) == max {
				out.NextToken = encodeToken(k)
				return false
			}
			var v version
			if derr = json.Unmarshal(raw, &v); derr != nil {
				return false
			}
			out.StateMachineVersions = append(out.StateMachineVersions, versionItem{StateMachineVersionArn: v.ARN, CreationDate: edge.Epoch(v.Created)})
			return true
		})
		return derr
	})
	return out, err
}

type deleteVersionIn struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
}

func (s *Service) deleteVersion(ctx context.Context, in *deleteVersionIn) (*empty, error) {
	if in.StateMachineVersionArn == "" {
		return nil, edge.MissingMember("stateMachineVersionArn")
	}
	r, err := parseMachineARN(in.StateMachineVersionArn)
	if err != nil {
		return nil, err
	}
	if r.Version == 0 {
		return nil, invalidARN(in.StateMachineVersionArn)
	}
	err = s.st.Update(func(tx store.Tx) error {
		// A version an alias routes to cannot be deleted.
		prefix := []byte(r.Machine + ":")
		var used string
		tx.Bucket(aliasesBucket(r.Account, r.Region)).Scan(prefix, store.PrefixEnd(prefix), false, func(k, raw []byte) bool {
			var a alias
			if json.Unmarshal(raw, &a) == nil {
				for _, rt := range a.Routing {
					if rt.StateMachineVersionArn == in.StateMachineVersionArn {
						used = a.ARN
						return false
					}
				}
			}
			return true
		})
		if used != "" {
			return edge.Errorf("ConflictException", "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]", used)
		}
		return tx.Bucket(versionsBucket(r.Account, r.Region)).Delete(versionKey(r.Machine, r.Version))
	})
	return &empty{}, err
}

type aliasIn struct {
	StateMachineAliasArn string    `json:"stateMachineAliasArn"`
	StateMachineArn      string    `json:"stateMachineArn"`
	Name                 string    `json:"name"`
	Description          string    `json:"description"`
	RoutingConfiguration []routing `json:"routingConfiguration"`
	MaxResults           int       `json:"maxResults"`
	NextToken            string    `json:"nextToken"`
}

type createAliasOut struct {
	StateMachineAliasArn string     `json:"stateMachineAliasArn"`
	CreationDate         edge.Epoch `json:"creationDate"`
}

// checkRouting validates a routing configuration against the versions of
// one state machine; it returns that machine.
func (s *Service) checkRouting(tx store.Tx, rc []routing) (*resource, error) {
	if len(rc) == 0 {
		return nil, edge.MissingMember("routingConfiguration")
	}
	if len(rc) > 2 {
		return nil, edge.Validation("1 validation error detected: Value at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2")
	}
	var first *resource
	sum := 0
	for _, rt := range rc {
		r, err := parseMachineARN(rt.StateMachineVersionArn)
		if err != nil {
			return nil, err
		}
		if r.Version == 0 {
			return nil, invalidARN(rt.StateMachineVersionArn)
		}
		if rt.Weight < 0 || rt.Weight > 100 {
			return nil, edge.Validation("1 validation error detected: Value '%d' at 'routingConfiguration.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100", rt.Weight)
		}
		sum += rt.Weight
		if first == nil {
			first = r
		} else if first.Machine != r.Machine || first.Account != r.Account || first.Region != r.Region {
			return nil, edge.Validation("Routing configuration must contain state machine version ARNs of the same state machine")
		} else if first.Version == r.Version {
			return nil, edge.Validation("Routing configuration must contain distinct state machine version ARNs")
		}
		if tx.Bucket(versionsBucket(r.Account, r.Region)).Get(versionKey(r.Machine, r.Version)) == nil {
			return nil, edge.Errorf("ResourceNotFound", "Resource not found: '%s'", rt.StateMachineVersionArn).With("resourceName", rt.StateMachineVersionArn)
		}
	}
	if sum != 100 {
		return nil, edge.Validation("Sum of routing configuration weights must be equal to 100")
	}
	return first, nil
}

func (s *Service) createAlias(ctx context.Context, in *aliasIn) (*createAliasOut, error) {
	if in.Name == "" {
		return nil, edge.MissingMember("name")
	}
	if !validName(in.Name) || isDigits(in.Name) {
		return nil, invalidName(in.Name)
	}
	now := s.clk.Now()
	out := &createAliasOut{}
	err := s.st.Update(func(tx store.Tx) error {
		r, err := s.checkRouting(tx, in.RoutingConfiguration)
		if err != nil {
			return err
		}
		arn := r.MachineARN() + ":" + in.Name
		b := tx.Bucket(aliasesBucket(r.Account, r.Region))
		key := []byte(r.Machine + ":" + in.Name)
		var old alias
		found, err := getJSON(b, key, &old)
		if err != nil {
			return err
		}
		if found {
			if old.Description == in.Description && sameRouting(old.Routing, in.RoutingConfiguration) {
				out.StateMachineAliasArn, out.CreationDate = old.ARN, edge.Epoch(old.Created)
				return nil
			}
			return edge.Errorf("ConflictException", "Failed to create alias because an alias with the same name and a different routing configuration already exists.")
		}
		a := &alias{Name: in.Name, ARN: arn, Description: in.Description, Routing: in.RoutingConfiguration, Created: now, Updated: now}
		out.StateMachineAliasArn, out.CreationDate = arn, edge.Epoch(now)
		return putJSON(b, key, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func isDigits(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

func sameRouting(a, b []routing) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func aliasResource(arn string) (*resource, error) {
	if arn == "" {
		return nil, edge.MissingMember("stateMachineAliasArn")
	}
	r, err := parseMachineARN(arn)
	if err != nil {
		return nil, err
	}
	if r.Alias == "" {
		return nil, invalidARN(arn)
	}
	return r, nil
}

type describeAliasOut struct {
	StateMachineAliasArn string     `json:"stateMachineAliasArn"`
	Name                 string     `json:"name"`
	Description          string     `json:"description,omitempty"`
	RoutingConfiguration []routing  `json:"routingConfiguration"`
	CreationDate         edge.Epoch `json:"creationDate"`
	UpdateDate           edge.Epoch `json:"updateDate"`
}

func (s *Service) describeAlias(ctx context.Context, in *aliasIn) (*describeAliasOut, error) {
	r, err := aliasResource(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	a, err := s.loadAlias(r)
	if err != nil {
		return nil, err
	}
	return &describeAliasOut{StateMachineAliasArn: a.ARN, Name: a.Name, Description: a.Description,
		RoutingConfiguration: a.Routing, CreationDate: edge.Epoch(a.Created), UpdateDate: edge.Epoch(a.Updated)}, nil
}

type updateAliasOut struct {
	UpdateDate edge.Epoch `json:"updateDate"`
}

func (s *Service) updateAlias(ctx context.Context, in *aliasIn) (*updateAliasOut, error) {
	r, err := aliasResource(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	if in.Description == "" && in.RoutingConfiguration == nil {
		return nil, edge.Validation("Either the description or the routing configuration must be specified")
	}
	now := s.clk.Now()
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(aliasesBucket(r.Account, r.Region))
		key := []byte(r.Machine + ":" + r.Alias)
		var a alias
		found, err := getJSON(b, key, &a)
		if err != nil {
			return err
		}
		if !found {
			return edge.Errorf("ResourceNotFound", "Resource not found: '%s'", in.StateMachineAliasArn).With("resourceName", in.StateMachineAliasArn)
		}
		if in.RoutingConfiguration != nil {
			vr, err := s.checkRouting(tx, in.RoutingConfiguration)
			if err != nil {
				return err
			}
			if vr.Machine != r.Machine {
				return edge.Validation("Routing configuration must contain state machine version ARNs of the alias's state machine")
			}
			a.Routing = in.RoutingConfiguration
		}
		if in.Description != "" {
			a.Description = in.Description
		}
		a.Updated = now
		return putJSON(b, key, &a)
	})
	if err != nil {
		return nil, err
	}
	return &updateAliasOut{UpdateDate: edge.Epoch(now)}, nil
}

func (s *Service) deleteAlias(ctx context.Context, in *aliasIn) (*empty, error) {
	r, err := aliasResource(in.StateMachineAliasArn)
	if err != nil {
		return nil, err
	}
	err = s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(aliasesBucket(r.Account, r.Region)).Delete([]byte(r.Machine + ":" + r.Alias))
	})
	return &empty{}, err
}

type aliasItem struct {
	StateMachineAliasArn string     `json:"stateMachineAliasArn"`
	CreationDate         edge.Epoch `json:"creationDate"`
}

type listAliasesOut struct {
	StateMachineAliases []aliasItem `json:"stateMachineAliases"`
	NextToken           string      `json:"nextToken,omitempty"`
}

func (s *Service) listAliases(ctx context.Context, in *aliasIn) (*listAliasesOut, error) {
	r, err := parseMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if r.Alias != "" {
		return nil, invalidARN(in.StateMachineArn)
	}
	if _, err := s.loadMachine(r); err != nil {
		return nil, err
	}
	max, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	prefix := []byte(r.Machine + ":")
	from := prefix
	if in.NextToken != "" {
		k, ok := decodeToken(in.NextToken)
		if !ok || !strings.HasPrefix(string(k), string(prefix)) {
			return nil, invalidToken(in.NextToken)
		}
		from = k
	}
	out := &listAliasesOut{StateMachineAliases: []aliasItem{}}
	err = s.st.View(func(tx store.Tx) error {
		var derr error
		tx.Bucket(aliasesBucket(r.Account, r.Region)).Scan(from, store.PrefixEnd(prefix), false, func(k, raw []byte) bool {
			if len(out.StateMachineAliases) == max {
				out.NextToken = encodeToken(k)
				return false
			}
			var a alias
			if derr = json.Unmarshal(raw, &a); derr != nil {
				return false
			}
			// A version-qualified listing shows the aliases routing to it.
			if r.Version > 0 {
				hit := false
				for _, rt := range a.Routing {
					hit = hit || rt.StateMachineVersionArn == in.StateMachineArn
				}
				if !hit {
					return true
				}
			}
			out.StateMachineAliases = append(out.StateMachineAliases, aliasItem{StateMachineAliasArn: a.ARN, CreationDate: edge.Epoch(a.Created)})
			return true
		})
		return derr
	})
	return out, err
}
