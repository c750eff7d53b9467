package ssm

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// record is one parameter as the store keeps it, under its name in the
// (account, region) bucket.
type record struct {
	Name     string            `json:"name"`
	Tags     map[string]string `json:"tags,omitempty"`
	Versions []version         `json:"versions"` // ascending; the last is current
}

type version struct {
	Version        int64     `json:"v"`
	Type           string    `json:"type"`
	Value          string    `json:"value"`
	Description    string    `json:"desc,omitempty"`
	KeyID          string    `json:"key,omitempty"`
	AllowedPattern string    `json:"pattern,omitempty"`
	Tier           string    `json:"tier"`
	DataType       string    `json:"dataType"`
	Labels         []string  `json:"labels,omitempty"`
	Modified       time.Time `json:"modified"`
	User           string    `json:"user"`
}

func (r *record) current() *version { return &r.Versions[len(r.Versions)-1] }

// find returns the version a reference selects, or a ParameterVersionNotFound.
func (r *record) find(ref Ref) (*version, error) {
	if ref.Version == 0 && ref.Label == "" {
		return r.current(), nil
	}
	for i := range r.Versions {
		v := &r.Versions[i]
		if ref.Version > 0 && v.Version == ref.Version || ref.Label != "" && slices.Contains(v.Labels, ref.Label) {
			return v, nil
		}
	}
	return nil, errVersionNotFound(r.Name, ref.Selector()[1:])
}

func bucket(account, region string) string { return "ssm/params/" + account + "/" + region }

func getRecord(tx store.Tx, account, region, name string) (*record, error) {
	b := tx.Bucket(bucket(account, region)).Get([]byte(name))
	if b == nil {
		return nil, nil
	}
	r := new(record)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("decode parameter %s: %w", name, err)
	}
	return r, nil
}

// getRef reads the parameter a reference names, trying its Alt name when
// the first finds nothing.
func getRef(tx store.Tx, account, region string, ref Ref) (*record, error) {
	r, err := getRecord(tx, account, region, ref.Name)
	if r == nil && err == nil && ref.Alt != "" {
		return getRecord(tx, account, region, ref.Alt)
	}
	return r, err
}

func putRecord(tx store.Tx, account, region string, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode parameter %s: %w", r.Name, err)
	}
	return tx.Bucket(bucket(account, region)).Put([]byte(r.Name), b)
}

// scan calls fn for each parameter whose name starts with prefix, in name
// order, from the first name after `after` ("" is the start), while fn
// returns true.
func scan(tx store.Tx, account, region, prefix, after string, fn func(r *record) bool) error {
	from := []byte(prefix)
	if after != "" && after >= prefix {
		from = append([]byte(after), 0)
	}
	var err error
	tx.Bucket(bucket(account, region)).Scan(from, store.PrefixEnd([]byte(prefix)), false, func(k, v []byte) bool {
		r := new(record)
		if err = json.Unmarshal(v, r); err != nil {
			err = fmt.Errorf("decode parameter %s: %w", k, err)
			return false
		}
		return fn(r)
	})
	return err
}

// Parameter is a parameter value as GetParameter and its kin return it.
type Parameter struct {
	Name             string
	Type             string
	Value            string
	Version          int64
	Selector         string `json:",omitempty"`
	LastModifiedDate edge.Epoch
	ARN              string
	DataType         string
}

// Metadata describes a parameter as DescribeParameters does.
type Metadata struct {
	Name             string
	ARN              string
	Type             string
	KeyId            string `json:",omitempty"`
	LastModifiedDate edge.Epoch
	LastModifiedUser string
	Description      string `json:",omitempty"`
	AllowedPattern   string `json:",omitempty"`
	Version          int64
	Tier             string
	Policies         []any
	DataType         string
}

// History is one version as GetParameterHistory returns it.
type History struct {
	Name             string
	Type             string
	KeyId            string `json:",omitempty"`
	LastModifiedDate edge.Epoch
	LastModifiedUser string
	Description      string `json:",omitempty"`
	Value            string
	AllowedPattern   string `json:",omitempty"`
	Version          int64
	Labels           []string
	Tier             string
	Policies         []any
	DataType         string
}

// Tag is a tag as the API carries it.
type Tag struct {
	Key   string
	Value string
}

func (s *Service) parameter(account, region string, r *record, v *version, sel string, decrypt bool) Parameter {
	return Parameter{Name: r.Name, Type: v.Type, Value: shown(r.Name, v, decrypt), Version: v.Version, Selector: sel,
		LastModifiedDate: edge.Epoch(v.Modified), ARN: ARN(account, region, r.Name), DataType: v.DataType}
}

func (s *Service) metadata(account, region string, r *record) Metadata {
	v := r.current()
	return Metadata{Name: r.Name, ARN: ARN(account, region, r.Name), Type: v.Type, KeyId: v.KeyID, LastModifiedDate: edge.Epoch(v.Modified),
		LastModifiedUser: v.User, Description: v.Description, AllowedPattern: v.AllowedPattern, Version: v.Version, Tier: v.Tier,
		Policies: []any{}, DataType: v.DataType}
}

func history(r *record, v *version, decrypt bool) History {
	labels := v.Labels
	if labels == nil {
		labels = []string{}
	}
	return History{Name: r.Name, Type: v.Type, KeyId: v.KeyID, LastModifiedDate: edge.Epoch(v.Modified), LastModifiedUser: v.User,
		Description: v.Description, Value: shown(r.Name, v, decrypt), AllowedPattern: v.AllowedPattern, Version: v.Version,
		Labels: labels, Tier: v.Tier, Policies: []any{}, DataType: v.DataType}
}

// shown is the value a caller sees. There is no KMS here: a SecureString is
// kept as given, and read without WithDecryption it is an opaque string
// shaped like KMS ciphertext, as AWS returns, that does not reveal it.
func shown(name string, v *version, decrypt bool) string {
	if v.Type != "SecureString" || decrypt {
		return v.Value
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%s\x00%s", name, v.Version, v.KeyID, v.Value))
	blob := append([]byte{0x01, 0x02, 0x02, 0x00, 0x78}, sum[:]...)
	blob = append(blob, sum[:16]...)
	return base64.StdEncoding.EncodeToString(blob)
}
