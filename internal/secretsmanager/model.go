package secretsmanager

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"tenkai/internal/store"
)

// The staging labels Secrets Manager itself moves.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
)

const (
	maxVersions = 100 // versions kept, counting those without labels
	maxTags     = 50
	maxNameLen  = 512
)

// secret is one secret as the store keeps it, under its name in the
// (account, region) bucket.
type secret struct {
	Name        string     `json:"name"`
	ARN         string     `json:"arn"`
	Description string     `json:"desc,omitempty"`
	KmsKeyID    string     `json:"kms,omitempty"`
	Tags        []Tag      `json:"tags,omitempty"`
	Created     time.Time  `json:"created"`
	Changed     time.Time  `json:"changed"`
	Deleted     *time.Time `json:"deleted,omitempty"`  // when DeleteSecret scheduled deletion
	PurgeAt     *time.Time `json:"purgeAt,omitempty"`  // when the recovery window ends
	Versions    []sversion `json:"versions,omitempty"` // in creation order
}

type sversion struct {
	ID      string    `json:"id"`
	String  *string   `json:"s,omitempty"`
	Binary  []byte    `json:"b,omitempty"`
	Stages  []string  `json:"stages,omitempty"`
	Created time.Time `json:"created"`
}

// Tag is a tag as the API carries it.
type Tag struct {
	Key   string
	Value string
}

// purged reports whether the secret's recovery window has ended: it is gone
// for every caller even before the sweeper removes it.
func (s *secret) purged(now time.Time) bool { return s.PurgeAt != nil && !now.Before(*s.PurgeAt) }

func (s *secret) version(id string) *sversion {
	for i := range s.Versions {
		if s.Versions[i].ID == id {
			return &s.Versions[i]
		}
	}
	return nil
}

func (s *secret) staged(stage string) *sversion {
	for i := range s.Versions {
		if slices.Contains(s.Versions[i].Stages, stage) {
			return &s.Versions[i]
		}
	}
	return nil
}

// stagesMap maps the versions that carry labels to their labels.
func (s *secret) stagesMap() map[string][]string {
	m := map[string][]string{}
	for _, v := range s.Versions {
		if len(v.Stages) > 0 {
			m[v.ID] = v.Stages
		}
	}
	return m
}

// addVersion adds a version carrying stages. A label names one version, so
// each moves from wherever it was; when AWSCURRENT moves, the version that
// had it becomes AWSPREVIOUS, and a secret's first version is AWSCURRENT
// whatever else it carries. Versions left without labels are kept,
// deprecated: AWS drops the oldest past maxVersions, but none younger than
// a day.
func (s *secret) addVersion(v sversion) {
	if s.staged(stageCurrent) == nil && !slices.Contains(v.Stages, stageCurrent) {
		v.Stages = append(v.Stages, stageCurrent)
	}
	if slices.Contains(v.Stages, stageCurrent) {
		if old := s.staged(stageCurrent); old != nil {
			for i := range s.Versions {
				s.Versions[i].Stages = slices.DeleteFunc(s.Versions[i].Stages, func(x string) bool { return x == stagePrevious })
			}
			old.Stages = append(old.Stages, stagePrevious)
		}
	}
	for i := range s.Versions {
		s.Versions[i].Stages = slices.DeleteFunc(s.Versions[i].Stages, func(x string) bool { return slices.Contains(v.Stages, x) })
	}
	s.Versions = append(s.Versions, v)
	dayOld := v.Created.Add(-24 * time.Hour)
	for len(s.Versions) > maxVersions {
		i := slices.IndexFunc(s.Versions, func(x sversion) bool { return len(x.Stages) == 0 && !x.Created.After(dayOld) })
		if i < 0 {
			break
		}
		s.Versions = slices.Delete(s.Versions, i, i+1)
	}
}

// sameValue reports whether a version holds the given value.
func (v *sversion) sameValue(str *string, bin []byte) bool {
	if (v.String == nil) != (str == nil) {
		return false
	}
	return (str == nil || *v.String == *str) && bytes.Equal(v.Binary, bin)
}

const bucketPrefix = "secretsmanager/secrets/"

func bucket(account, region string) string { return bucketPrefix + account + "/" + region }

func decode(k, v []byte) (*secret, error) {
	s := new(secret)
	if err := json.Unmarshal(v, s); err != nil {
		return nil, fmt.Errorf("decode secret %s: %w", k, err)
	}
	return s, nil
}

func putSecret(tx store.Tx, account, region string, s *secret) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode secret %s: %w", s.Name, err)
	}
	return tx.Bucket(bucket(account, region)).Put([]byte(s.Name), b)
}

// lookup finds the secret a SecretId names: its name, its full ARN, or a
// partial ARN that leaves out the random suffix. A secret past its recovery
// window is not found.
func lookup(tx store.Tx, account, region, id string, now time.Time) (*secret, error) {
	b := tx.Bucket(bucket(account, region))
	name := id
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 7)
		if len(parts) != 7 || parts[2] != "secretsmanager" || parts[3] != region || parts[4] != account || parts[5] != "secret" {
			return nil, errNotFound()
		}
		name = parts[6]
		// A full ARN ends with "-" and six characters the name may not have.
		if i := len(name) - 7; i > 0 && name[i] == '-' {
			if v := b.Get([]byte(name[:i])); v != nil {
				s, err := decode([]byte(name[:i]), v)
				if err != nil {
					return nil, err
				}
				if s.ARN == id && !s.purged(now) {
					return s, nil
				}
			}
		}
	}
	v := b.Get([]byte(name))
	if v == nil {
		return nil, errNotFound()
	}
	s, err := decode([]byte(name), v)
	if err != nil {
		return nil, err
	}
	if s.purged(now) {
		return nil, errNotFound()
	}
	return s, nil
}

// all returns every live secret in the bucket, in name order.
func all(tx store.Tx, account, region string, now time.Time) ([]*secret, error) {
	var out []*secret
	var err error
	tx.Bucket(bucket(account, region)).Scan(nil, nil, false, func(k, v []byte) bool {
		var s *secret
		if s, err = decode(k, v); err != nil {
			return false
		}
		if !s.purged(now) {
			out = append(out, s)
		}
		return true
	})
	return out, err
}
