package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Resource policies are kept and described; tenkai does not enforce them.
//
//	logs/policies/ACCOUNT/REGION   "a:" NAME (account scope) or "r:" GROUP → resourcePolicy (JSON)
func policiesBucket(account, region string) string { return "logs/policies/" + account + "/" + region }

const maxAccountPolicies = 10

type resourcePolicy struct {
	PolicyName      string `json:"policyName,omitempty"`
	PolicyDocument  string `json:"policyDocument"`
	LastUpdatedTime int64  `json:"lastUpdatedTime"`
	PolicyScope     string `json:"policyScope"`
	ResourceArn     string `json:"resourceArn,omitempty"`
	RevisionID      string `json:"revisionId"`
}

type putResourcePolicyInput struct {
	PolicyName         string `json:"policyName"`
	PolicyDocument     string `json:"policyDocument"`
	ResourceArn        string `json:"resourceArn"`
	ExpectedRevisionID string `json:"expectedRevisionId"`
}

type putResourcePolicyOutput struct {
	ResourcePolicy resourcePolicy `json:"resourcePolicy"`
	RevisionID     string         `json:"revisionId"`
}

// policyKey picks the key of an account policy (by name) or a log group's
// policy (by ARN), checking the group exists.
func policyKey(tx store.Tx, account, region, name, arn string) ([]byte, error) {
	if arn == "" {
		if name == "" {
			return nil, errMissing("policyName")
		}
		return []byte("a:" + name), nil
	}
	a, r, g, ok := parseGroupARN(arn)
	if !ok {
		return nil, errInvalid("Invalid ARN: %s", arn)
	}
	if a != account || r != region {
		return nil, errInvalid("The resource ARN must be in the caller's account and Region.")
	}
	if _, err := getGroup(tx, a, r, g); err != nil {
		return nil, err
	}
	return []byte("r:" + g), nil
}

func (s *Service) putResourcePolicy(ctx context.Context, in *putResourcePolicyInput) (*putResourcePolicyOutput, error) {
	m := edge.MetaFrom(ctx)
	if in.PolicyDocument == "" {
		return nil, errMissing("policyDocument")
	}
	if len(in.PolicyDocument) > 51200 || !json.Valid([]byte(in.PolicyDocument)) {
		return nil, errInvalid("Policy document is not a valid JSON document of at most 51200 characters.")
	}
	rp := resourcePolicy{PolicyName: in.PolicyName, PolicyDocument: in.PolicyDocument, LastUpdatedTime: s.nowMillis(),
		PolicyScope: "ACCOUNT", ResourceArn: in.ResourceArn}
	if in.ResourceArn != "" {
		rp.PolicyScope = "RESOURCE"
	}
	err := s.st.Update(func(tx store.Tx) error {
		key, err := policyKey(tx, m.Account, m.Region, in.PolicyName, in.ResourceArn)
		if err != nil {
			return err
		}
		b := tx.Bucket(policiesBucket(m.Account, m.Region))
		rev := 1
		if old := b.Get(key); old != nil {
			var prev resourcePolicy
			if json.Unmarshal(old, &prev) == nil {
				if n, err := strconv.Atoi(prev.RevisionID); err == nil {
					rev = n + 1
				}
			}
		} else if rp.PolicyScope == "ACCOUNT" && countPrefix(b, []byte("a:")) >= maxAccountPolicies {
			return edge.Errorf("LimitExceededException", "Resource limit exceeded.")
		}
		rp.RevisionID = strconv.Itoa(rev)
		v, err := json.Marshal(rp)
		if err != nil {
			return fmt.Errorf("encode resource policy: %w", err)
		}
		return b.Put(key, v)
	})
	if err != nil {
		return nil, err
	}
	return &putResourcePolicyOutput{ResourcePolicy: rp, RevisionID: rp.RevisionID}, nil
}

func countPrefix(b store.Bucket, prefix []byte) int {
	n := 0
	b.Scan(prefix, store.PrefixEnd(prefix), false, func(_, _ []byte) bool { n++; return true })
	return n
}

type describeResourcePoliciesInput struct {
	ResourceArn string `json:"resourceArn"`
	PolicyScope string `json:"policyScope"`
	NextToken   string `json:"nextToken"`
	Limit       *int   `json:"limit"`
}

type describeResourcePoliciesOutput struct {
	ResourcePolicies []resourcePolicy `json:"resourcePolicies"`
	NextToken        string           `json:"nextToken,omitempty"`
}

func (s *Service) describeResourcePolicies(ctx context.Context, in *describeResourcePoliciesInput) (*describeResourcePoliciesOutput, error) {
	m := edge.MetaFrom(ctx)
	limit, err := checkLimit(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	prefix := []byte("a:")
	switch {
	case in.ResourceArn != "":
		_, _, g, ok := parseGroupARN(in.ResourceArn)
		if !ok {
			return nil, errInvalid("Invalid ARN: %s", in.ResourceArn)
		}
		prefix = []byte("r:" + g)
	case in.PolicyScope == "RESOURCE":
		prefix = []byte("r:")
	case in.PolicyScope == "", in.PolicyScope == "ACCOUNT":
	default:
		return nil, errInvalid("1 validation error detected: Value '%s' at 'policyScope' failed to satisfy constraint: Member must satisfy enum value set: [ACCOUNT, RESOURCE]", in.PolicyScope)
	}
	from := prefix
	if in.NextToken != "" {
		after, err := parseNameToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		from = append([]byte(after), 0)
	}
	out := &describeResourcePoliciesOutput{ResourcePolicies: []resourcePolicy{}}
	err = s.st.View(func(tx store.Tx) error {
		var last string
		tx.Bucket(policiesBucket(m.Account, m.Region)).Scan(from, store.PrefixEnd(prefix), false, func(k, v []byte) bool {
			if in.ResourceArn != "" && string(k) != string(prefix) {
				return true // a group whose name only starts with this one
			}
			var rp resourcePolicy
			if json.Unmarshal(v, &rp) != nil {
				return true
			}
			if len(out.ResourcePolicies) == limit {
				out.NextToken = nameToken(last)
				return false
			}
			out.ResourcePolicies = append(out.ResourcePolicies, rp)
			last = string(k)
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type deleteResourcePolicyInput struct {
	PolicyName         string `json:"policyName"`
	ResourceArn        string `json:"resourceArn"`
	ExpectedRevisionID string `json:"expectedRevisionId"`
}

func (s *Service) deleteResourcePolicy(ctx context.Context, in *deleteResourcePolicyInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		key, err := policyKey(tx, m.Account, m.Region, in.PolicyName, in.ResourceArn)
		if err != nil {
			return err
		}
		b := tx.Bucket(policiesBucket(m.Account, m.Region))
		if b.Get(key) == nil {
			return edge.Errorf("ResourceNotFoundException", "Policy with name [%s] does not exist", in.PolicyName)
		}
		return b.Delete(key)
	})
}
