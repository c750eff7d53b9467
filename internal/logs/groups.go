package logs

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// validRetention is the model's enum of retentionInDays values.
var validRetention = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

type createLogGroupInput struct {
	LogGroupName              string            `json:"logGroupName"`
	KmsKeyID                  string            `json:"kmsKeyId"`
	Tags                      map[string]string `json:"tags"`
	LogGroupClass             string            `json:"logGroupClass"`
	DeletionProtectionEnabled bool              `json:"deletionProtectionEnabled"`
}

type empty struct{}

func (s *Service) createLogGroup(ctx context.Context, in *createLogGroupInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	switch in.LogGroupClass {
	case "", "STANDARD", "INFREQUENT_ACCESS", "DELIVERY":
	default:
		return nil, errInvalid("1 validation error detected: Value '%s' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]", in.LogGroupClass)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	class := in.LogGroupClass
	if class == "" {
		class = "STANDARD"
	}
	g := &groupMeta{Created: s.nowMillis(), KmsKeyID: in.KmsKeyID, Class: class,
		DeletionProtection: in.DeletionProtectionEnabled, Tags: in.Tags}
	return nil, s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(groupsBucket(m.Account, m.Region))
		if b.Get([]byte(in.LogGroupName)) != nil {
			return edge.Errorf("ResourceAlreadyExistsException", "The specified log group already exists")
		}
		return putGroup(b, in.LogGroupName, g)
	})
}

func putGroup(b store.Bucket, name string, g *groupMeta) error {
	v, err := encodeGroup(g)
	if err != nil {
		return err
	}
	return b.Put([]byte(name), v)
}

// getGroup reads a group or returns ResourceNotFoundException.
func getGroup(tx store.Tx, account, region, name string) (*groupMeta, error) {
	v := tx.Bucket(groupsBucket(account, region)).Get([]byte(name))
	if v == nil {
		return nil, errGroupNotFound()
	}
	return decodeGroup(v)
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  string   `json:"logGroupNamePrefix"`
	LogGroupNamePattern string   `json:"logGroupNamePattern"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	LogGroupClass       string   `json:"logGroupClass"`
	NextToken           string   `json:"nextToken"`
	Limit               *int     `json:"limit"`
}

type logGroupOut struct {
	LogGroupName              string `json:"logGroupName"`
	CreationTime              int64  `json:"creationTime"`
	RetentionInDays           int32  `json:"retentionInDays,omitempty"`
	MetricFilterCount         int    `json:"metricFilterCount"`
	Arn                       string `json:"arn"`
	StoredBytes               int64  `json:"storedBytes"`
	KmsKeyID                  string `json:"kmsKeyId,omitempty"`
	LogGroupClass             string `json:"logGroupClass"`
	LogGroupArn               string `json:"logGroupArn"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled"`
}

type describeLogGroupsOutput struct {
	LogGroups []logGroupOut `json:"logGroups"`
	NextToken string        `json:"nextToken,omitempty"`
}

// checkLimit validates a limit member against [1, max] and applies the default.
func checkLimit(limit *int, max, def int) (int, error) {
	if limit == nil {
		return def, nil
	}
	if *limit < 1 {
		return 0, errInvalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
	}
	if *limit > max {
		return 0, errInvalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *limit, max)
	}
	return *limit, nil
}

// Name tokens carry the last name returned, so pages stay right when
// groups or streams come and go between calls.
func nameToken(name string) string { return base64.RawURLEncoding.EncodeToString([]byte("n:" + name)) }

func parseNameToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), "n:") {
		return "", errInvalid("The specified nextToken is invalid.")
	}
	return string(b[2:]), nil
}

func (s *Service) describeLogGroups(ctx context.Context, in *describeLogGroupsInput) (*describeLogGroupsOutput, error) {
	m := edge.MetaFrom(ctx)
	limit, err := checkLimit(in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, errInvalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if in.LogGroupNamePrefix != "" {
		if err := checkGroupName("logGroupNamePrefix", in.LogGroupNamePrefix); err != nil {
			return nil, err
		}
	}
	var after string
	if in.NextToken != "" {
		if after, err = parseNameToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	var idents map[string]bool
	if len(in.LogGroupIdentifiers) > 0 {
		idents = map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			if _, _, g, ok := parseGroupARN(id); ok {
				id = g
			}
			idents[id] = true
		}
	}
	pattern := strings.ToLower(in.LogGroupNamePattern)
	out := &describeLogGroupsOutput{LogGroups: []logGroupOut{}}
	err = s.st.View(func(tx store.Tx) error {
		b := tx.Bucket(groupsBucket(m.Account, m.Region))
		from := []byte(in.LogGroupNamePrefix)
		if after != "" && after >= in.LogGroupNamePrefix {
			from = append([]byte(after), 0)
		}
		var to []byte
		if in.LogGroupNamePrefix != "" {
			to = store.PrefixEnd([]byte(in.LogGroupNamePrefix))
		}
		var scanErr error
		b.Scan(from, to, false, func(k, v []byte) bool {
			name := string(k)
			if pattern != "" && !strings.Contains(strings.ToLower(name), pattern) {
				return true
			}
			if idents != nil && !idents[name] {
				return true
			}
			g, err := decodeGroup(v)
			if err != nil {
				scanErr = err
				return false
			}
			if in.LogGroupClass != "" && g.Class != in.LogGroupClass {
				return true
			}
			if len(out.LogGroups) == limit {
				out.NextToken = nameToken(out.LogGroups[limit-1].LogGroupName)
				return false
			}
			out.LogGroups = append(out.LogGroups, s.groupOut(tx, m.Account, m.Region, name, g))
			return true
		})
		return scanErr
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) groupOut(tx store.Tx, account, region, name string, g *groupMeta) logGroupOut {
	var stored int64
	tx.Bucket(streamsBucket(account, region, name)).Scan(nil, nil, false, func(_, v []byte) bool {
		if sm, err := decodeStream(v); err == nil {
			stored += sm.StoredBytes
		}
		return true
	})
	return logGroupOut{
		MetricFilterCount: countGroupEntries(tx.Bucket(metricFiltersBucket(account, region)), name),
		LogGroupName:      name, CreationTime: g.Created, RetentionInDays: g.Retention,
		Arn: groupARN(account, region, name), StoredBytes: stored, KmsKeyID: g.KmsKeyID,
		LogGroupClass: g.Class, LogGroupArn: groupARNBare(account, region, name),
		DeletionProtectionEnabled: g.DeletionProtection,
	}
}

type groupNameInput struct {
	LogGroupName string `json:"logGroupName"`
}

func (s *Service) deleteLogGroup(ctx context.Context, in *groupNameInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return nil, s.st.Update(func(tx store.Tx) error {
		g, err := getGroup(tx, m.Account, m.Region, in.LogGroupName)
		if err != nil {
			return err
		}
		if g.DeletionProtection {
			return errDeletionProtected()
		}
		if err := tx.Bucket(groupsBucket(m.Account, m.Region)).Delete([]byte(in.LogGroupName)); err != nil {
			return err
		}
		if err := tx.DeleteBucket(streamsBucket(m.Account, m.Region, in.LogGroupName)); err != nil {
			return err
		}
		if err := deleteGroupMetricFilters(tx, m.Account, m.Region, in.LogGroupName); err != nil {
			return err
		}
		if err := deleteGroupSubscriptions(tx, m.Account, m.Region, in.LogGroupName); err != nil {
			return err
		}
		if err := tx.Bucket(policiesBucket(m.Account, m.Region)).Delete([]byte("r:" + in.LogGroupName)); err != nil {
			return err
		}
		return tx.DeleteBucket(eventsBucket(m.Account, m.Region, in.LogGroupName))
	})
}

type putRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays *int32 `json:"retentionInDays"`
}

func retentionList() string {
	parts := make([]string, len(validRetention))
	for i, d := range validRetention {
		parts[i] = strconv.Itoa(int(d))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (s *Service) putRetentionPolicy(ctx context.Context, in *putRetentionPolicyInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil {
		return nil, errMissing("retentionInDays")
	}
	if !slices.Contains(validRetention, *in.RetentionInDays) {
		return nil, errInvalid("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: %s", *in.RetentionInDays, retentionList())
	}
	return nil, s.updateGroup(m.Account, m.Region, in.LogGroupName, func(g *groupMeta) error {
		g.Retention = *in.RetentionInDays
		return nil
	})
}

func (s *Service) deleteRetentionPolicy(ctx context.Context, in *groupNameInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return nil, s.updateGroup(m.Account, m.Region, in.LogGroupName, func(g *groupMeta) error {
		g.Retention = 0
		return nil
	})
}

// updateGroup reads, changes and writes a group in one transaction.
func (s *Service) updateGroup(account, region, name string, fn func(*groupMeta) error) error {
	return s.st.Update(func(tx store.Tx) error {
		g, err := getGroup(tx, account, region, name)
		if err != nil {
			return err
		}
		if err := fn(g); err != nil {
			return err
		}
		return putGroup(tx.Bucket(groupsBucket(account, region)), name, g)
	})
}

// errDeletionProtected is the documented answer to deleting a protected group.
func errDeletionProtected() *edge.Error {
	return edge.Errorf("ValidationException", "Cannot delete log group with deletion protection enabled. Disable deletion protection first.")
}

type putDeletionProtectionInput struct {
	LogGroupIdentifier        string `json:"logGroupIdentifier"`
	DeletionProtectionEnabled *bool  `json:"deletionProtectionEnabled"`
}

func (s *Service) putLogGroupDeletionProtection(ctx context.Context, in *putDeletionProtectionInput) (*empty, error) {
	m := edge.MetaFrom(ctx)
	if in.LogGroupIdentifier == "" {
		return nil, errMissing("logGroupIdentifier")
	}
	if in.DeletionProtectionEnabled == nil {
		return nil, errMissing("deletionProtectionEnabled")
	}
	account, region, group, err := resolveGroup(m.Account, m.Region, "", in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	return nil, s.updateGroup(account, region, group, func(g *groupMeta) error {
		g.DeletionProtection = *in.DeletionProtectionEnabled
		return nil
	})
}
