// Package iam serves AWS Identity and Access Management over awsQuery: roles,
// inline and managed policies (with a built-in table of AWS managed
// policies), users and access keys. IAM is global: state lives under the
// account only. Policies are stored, never enforced.
package iam

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Config configures the IAM service.
type Config struct {
	Store  store.Store  // required
	Clock  clock.Clock  // nil means clock.Real
	Logger *slog.Logger // nil means slog.Default()
	// Rand is the source of ids and secrets; it must be safe for concurrent
	// use. nil means crypto/rand.
	Rand io.Reader
}

// Service is the IAM service. It is safe for concurrent use.
type Service struct {
	st   store.Store
	clk  clock.Clock
	log  *slog.Logger
	rand io.Reader
	ops  map[string]edge.QueryHandler
}

// New returns the IAM service. It does no I/O.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, rand: cfg.Rand}
	s.ops = map[string]edge.QueryHandler{
		"CreateRole":               s.createRole,
		"GetRole":                  s.getRole,
		"DeleteRole":               s.deleteRole,
		"ListRoles":                s.listRoles,
		"UpdateRole":               s.updateRole,
		"UpdateRoleDescription":    s.updateRoleDescription,
		"UpdateAssumeRolePolicy":   s.updateAssumeRolePolicy,
		"TagRole":                  s.tagRole,
		"UntagRole":                s.untagRole,
		"ListRoleTags":             s.listRoleTags,
		"PutRolePolicy":            s.putRolePolicy,
		"GetRolePolicy":            s.getRolePolicy,
		"DeleteRolePolicy":         s.deleteRolePolicy,
		"ListRolePolicies":         s.listRolePolicies,
		"AttachRolePolicy":         s.attachRolePolicy,
		"DetachRolePolicy":         s.detachRolePolicy,
		"ListAttachedRolePolicies": s.listAttachedRolePolicies,
		"CreatePolicy":             s.createPolicy,
		"GetPolicy":                s.getPolicy,
		"DeletePolicy":             s.deletePolicy,
		"ListPolicies":             s.listPolicies,
		"GetPolicyVersion":         s.getPolicyVersion,
		"CreatePolicyVersion":      s.createPolicyVersion,
		"ListPolicyVersions":       s.listPolicyVersions,
		"DeletePolicyVersion":      s.deletePolicyVersion,
		"SetDefaultPolicyVersion":  s.setDefaultPolicyVersion,
		"TagPolicy":                s.tagPolicy,
		"UntagPolicy":              s.untagPolicy,
		"ListPolicyTags":           s.listPolicyTags,
		"CreateUser":               s.createUser,
		"GetUser":                  s.getUser,
		"DeleteUser":               s.deleteUser,
		"ListUsers":                s.listUsers,
		"TagUser":                  s.tagUser,
		"UntagUser":                s.untagUser,
		"ListUserTags":             s.listUserTags,
		"CreateAccessKey":          s.createAccessKey,
		"ListAccessKeys":           s.listAccessKeys,
		"DeleteAccessKey":          s.deleteAccessKey,
		"UpdateAccessKey":          s.updateAccessKey,
		"AttachUserPolicy":         s.attachUserPolicy,
		"DetachUserPolicy":         s.detachUserPolicy,
		"ListAttachedUserPolicies": s.listAttachedUserPolicies,
		"PutUserPolicy":            s.putUserPolicy,
		"GetUserPolicy":            s.getUserPolicy,
		"DeleteUserPolicy":         s.deleteUserPolicy,
		"ListUserPolicies":         s.listUserPolicies,
		"GetAccessKeyLastUsed":     s.getAccessKeyLastUsed,

		"PutRolePermissionsBoundary":    s.putRolePermissionsBoundary,
		"DeleteRolePermissionsBoundary": s.deleteRolePermissionsBoundary,
		"PutUserPermissionsBoundary":    s.putUserPermissionsBoundary,
		"DeleteUserPermissionsBoundary": s.deleteUserPermissionsBoundary,
		"ListEntitiesForPolicy":         s.listEntitiesForPolicy,

		"CreateInstanceProfile":         s.createInstanceProfile,
		"GetInstanceProfile":            s.getInstanceProfile,
		"DeleteInstanceProfile":         s.deleteInstanceProfile,
		"AddRoleToInstanceProfile":      s.addRoleToInstanceProfile,
		"RemoveRoleFromInstanceProfile": s.removeRoleFromInstanceProfile,
		"ListInstanceProfiles":          s.listInstanceProfiles,
		"ListInstanceProfilesForRole":   s.listInstanceProfilesForRole,

		"CreateGroup":               s.createGroup,
		"GetGroup":                  s.getGroup,
		"DeleteGroup":               s.deleteGroup,
		"ListGroups":                s.listGroups,
		"ListGroupsForUser":         s.listGroupsForUser,
		"AddUserToGroup":            s.addUserToGroup,
		"RemoveUserFromGroup":       s.removeUserFromGroup,
		"AttachGroupPolicy":         s.attachGroupPolicy,
		"DetachGroupPolicy":         s.detachGroupPolicy,
		"ListAttachedGroupPolicies": s.listAttachedGroupPolicies,
		"PutGroupPolicy":            s.putGroupPolicy,
		"GetGroupPolicy":            s.getGroupPolicy,
		"DeleteGroupPolicy":         s.deleteGroupPolicy,
		"ListGroupPolicies":         s.listGroupPolicies,

		"CreateOpenIDConnectProvider": s.createOpenIDConnectProvider,
		"GetOpenIDConnectProvider":    s.getOpenIDConnectProvider,
		"DeleteOpenIDConnectProvider": s.deleteOpenIDConnectProvider,
		"ListOpenIDConnectProviders":  s.listOpenIDConnectProviders,

		"CreateServiceLinkedRole":            s.createServiceLinkedRole,
		"DeleteServiceLinkedRole":            s.deleteServiceLinkedRole,
		"GetServiceLinkedRoleDeletionStatus": s.getServiceLinkedRoleDeletionStatus,
		"GetAccountSummary":                  s.getAccountSummary,

		"UpdateUser":                              s.updateUser,
		"TagInstanceProfile":                      s.tagInstanceProfile,
		"UntagInstanceProfile":                    s.untagInstanceProfile,
		"ListInstanceProfileTags":                 s.listInstanceProfileTags,
		"TagOpenIDConnectProvider":                s.tagOpenIDConnectProvider,
		"UntagOpenIDConnectProvider":              s.untagOpenIDConnectProvider,
		"ListOpenIDConnectProviderTags":           s.listOpenIDConnectProviderTags,
		"AddClientIDToOpenIDConnectProvider":      s.addClientIDToOpenIDConnectProvider,
		"RemoveClientIDFromOpenIDConnectProvider": s.removeClientIDFromOpenIDConnectProvider,
		"UpdateOpenIDConnectProviderThumbprint":   s.updateOpenIDConnectProviderThumbprint,

		"CreateAccountAlias": s.createAccountAlias,
		"DeleteAccountAlias": s.deleteAccountAlias,
		"ListAccountAliases": s.listAccountAliases,
	}
	return s
}

// Name is IAM's SigV4 signing name.
func (s *Service) Name() string { return "iam" }

// XMLNamespace is the xmlns of IAM responses.
func (s *Service) XMLNamespace() string { return "https://iam.amazonaws.com/doc/2010-05-08/" }

// Actions lists the supported actions, sorted.
func (s *Service) Actions() []string {
	out := make([]string, 0, len(s.ops))
	for a := range s.ops {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Op returns the handler for action, or nil.
func (s *Service) Op(action string) edge.QueryHandler { return s.ops[action] }

// RoleExists reports whether roleARN names a role of account. It is the hook
// for later trust and permission checks (AssumeRole, PassRole to Lambda, Step
// Functions and CodePipeline); nothing enforces it yet.
func (s *Service) RoleExists(ctx context.Context, account, roleARN string) bool {
	acct, _, _, ok := parseRoleARN(roleARN)
	if !ok || acct != account {
		return false
	}
	_, _, ok = s.Role(ctx, roleARN)
	return ok
}

// TrustsService reports whether the role roleARN names, in account, exists
// and its trust policy lets an AWS service principal (e.g.
// "lambda.amazonaws.com") call sts:AssumeRole. It is the check Lambda, Step
// Functions and CodePipeline make on the roles they are given; nothing
// enforces it yet. Conditions in the trust policy are not evaluated.
func (s *Service) TrustsService(ctx context.Context, account, roleARN, service string) bool {
	acct, _, name, ok := parseRoleARN(roleARN)
	if !ok || acct != account {
		return false
	}
	var r roleRec
	found := false
	_ = s.st.View(func(tx store.Tx) error {
		found = getJSON(tx.Bucket(rolesBucket(acct)), strings.ToLower(name), &r) && r.Arn == roleARN
		return nil
	})
	return found && trusts(r.Trust, service)
}

// Role reports the unique id (AROA…) and maximum session duration in seconds
// of the role roleARN names, in the account the ARN names. ok is false when
// there is no such role.
func (s *Service) Role(ctx context.Context, roleARN string) (id string, maxSession int, ok bool) {
	acct, _, name, valid := parseRoleARN(roleARN)
	if !valid {
		return "", 0, false
	}
	_ = s.st.View(func(tx store.Tx) error {
		var r roleRec
		if getJSON(tx.Bucket(rolesBucket(acct)), strings.ToLower(name), &r) && r.Arn == roleARN {
			id, maxSession, ok = r.ID, r.MaxSession, true
		}
		return nil
	})
	return id, maxSession, ok
}

// RoleUsed records that the role roleARN names was just assumed from region,
// for GetRole's RoleLastUsed. Unknown roles are ignored.
func (s *Service) RoleUsed(ctx context.Context, roleARN, region string) {
	acct, _, name, ok := parseRoleARN(roleARN)
	if !ok {
		return
	}
	now := s.now()
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(rolesBucket(acct))
		var r roleRec
		if !getJSON(b, strings.ToLower(name), &r) || r.Arn != roleARN {
			return nil
		}
		r.LastUsed, r.LastRegion = now, region
		return putJSON(b, strings.ToLower(r.Name), &r)
	})
	if err != nil {
		s.log.Warn("record role use", "role", roleARN, "err", err)
	}
}

// AccessKeyOwner reports the ARN and unique id (AIDA…) of the IAM user that
// owns the access key id key; ok is false for keys IAM did not issue.
func (s *Service) AccessKeyOwner(ctx context.Context, key string) (arn, userID string, ok bool) {
	_ = s.st.View(func(tx store.Tx) error {
		var ref keyRef
		if !getJSON(tx.Bucket(keyIndexBucket), key, &ref) {
			return nil
		}
		var u userRec
		if getJSON(tx.Bucket(usersBucket(ref.Account)), strings.ToLower(ref.User), &u) {
			arn, userID, ok = u.Arn, u.ID, true
		}
		return nil
	})
	return arn, userID, ok
}

// Stored records. Keys within an account's bucket are lower-cased names:
// IAM names are unique regardless of case.
type roleRec struct {
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	ID          string            `json:"id"`
	Arn         string            `json:"arn"`
	Created     time.Time         `json:"created"`
	Trust       string            `json:"trust"`
	Description string            `json:"desc,omitempty"`
	MaxSession  int               `json:"maxSession"`
	Tags        []Tag             `json:"tags,omitempty"`
	Inline      map[string]string `json:"inline,omitempty"`   // policy name → document
	Attached    []string          `json:"attached,omitempty"` // managed policy ARNs, in attach order
	Boundary    string            `json:"boundary,omitempty"` // permissions boundary policy ARN
	LastUsed    time.Time         `json:"lastUsed,omitzero"`
	LastRegion  string            `json:"lastRegion,omitempty"`
}

type policyRec struct {
	Name        string       `json:"name"`
	Path        string       `json:"path"`
	ID          string       `json:"id"`
	Arn         string       `json:"arn"`
	Description string       `json:"desc,omitempty"`
	Created     time.Time    `json:"created"`
	Updated     time.Time    `json:"updated"`
	Default     string       `json:"default"`
	Versions    []versionRec `json:"versions"` // oldest first
	NextVersion int          `json:"next"`
	Tags        []Tag        `json:"tags,omitempty"`
}

type versionRec struct {
	ID       string    `json:"id"`
	Document string    `json:"doc"`
	Created  time.Time `json:"created"`
}

type userRec struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	Arn      string            `json:"arn"`
	Created  time.Time         `json:"created"`
	Tags     []Tag             `json:"tags,omitempty"`
	Keys     []keyRec          `json:"keys,omitempty"`
	Attached []string          `json:"attached,omitempty"`
	Inline   map[string]string `json:"inline,omitempty"`
	Boundary string            `json:"boundary,omitempty"`
}

type keyRec struct {
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

// keyRef is the global index entry from an access key id to its user.
type keyRef struct {
	Account string `json:"account"`
	User    string `json:"user"`
}

func rolesBucket(acct string) string    { return "iam/roles/" + acct }
func policiesBucket(acct string) string { return "iam/policies/" + acct }
func usersBucket(acct string) string    { return "iam/users/" + acct }

// keyIndexBucket maps access key ids to their account and user; keys carry
// their account, so it is global.
const keyIndexBucket = "iam/accesskeys"

func getJSON(b store.Bucket, key string, v any) bool {
	raw := b.Get([]byte(key))
	if raw == nil {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

func putJSON(b store.Bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put([]byte(key), raw)
}

// scanJSON decodes every value of a bucket in key order.
func scanJSON[T any](b store.Bucket) []T {
	var out []T
	b.Scan(nil, nil, false, func(_, v []byte) bool {
		var x T
		if json.Unmarshal(v, &x) == nil {
			out = append(out, x)
		}
		return true
	})
	return out
}

// newID returns prefix followed by 17 random id characters.
func (s *Service) newID(prefix string) (string, error) {
	return s.randomString(prefix, 17, idAlphabet)
}

func (s *Service) randomString(prefix string, n int, alphabet string) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b), nil
}

// account is the caller's account: IAM state is per account, not per region.
func account(ctx context.Context) string { return edge.MetaFrom(ctx).Account }

func (s *Service) now() time.Time { return s.clk.Now().UTC().Truncate(time.Second) }

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
func parseRoleARN(arn string) (acct, path, name string, ok bool) {
	return parseIAMARN(arn, "role")
}

// parseIAMARN splits arn:aws:iam::ACCOUNT:KIND/PATH/NAME; path keeps its
// slashes ("/" or "/a/b/").
func parseIAMARN(arn, kind string) (acct, path, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" {
		return "", "", "", false
	}
	res, found := strings.CutPrefix(parts[5], kind+"/")
	if !found || res == "" {
		return "", "", "", false
	}
	i := strings.LastIndexByte(res, '/') // -1 when there is no path
	path, name = "/"+res[:i+1], res[i+1:]
	if name == "" || parts[4] == "" {
		return "", "", "", false
	}
	return parts[4], path, name, true
}

// has reports whether the request carries member k, even empty.
func has(form url.Values, k string) bool { _, ok := form[k]; return ok }
