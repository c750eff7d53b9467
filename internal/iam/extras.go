package iam

import (
	"context"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"tenkai/internal/store"
)

const maxInlineUserPolicy = 2048 // aggregate inline policy size per user

// Permissions boundaries.

func (s *Service) putRolePermissionsBoundary(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	arn := c.str(form, "PermissionsBoundary", "permissionsBoundary", true, 20, 2048, nil, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	_, err := s.updateRoleTx(ctx, name, func(tx store.Tx, r *roleRec) error {
		if err := attachable(tx, acct, arn); err != nil {
			return err
		}
		r.Boundary = arn
		return nil
	})
	return nil, err
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		r.Boundary = ""
		return nil
	})
	return nil, err
}

// User inline policies.

func (s *Service) putUserPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	doc, err := checkDocument(&c, form, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	_, err = s.updateUserTx(ctx, name, func(_ store.Tx, u *userRec) error {
		total := policySize(doc)
		for n, d := range u.Inline {
			if n != policy {
				total += policySize(d)
			}
		}
		if total > maxInlineUserPolicy {
			return limitExceeded("Maximum policy size of %d bytes exceeded for user %s", maxInlineUserPolicy, u.Name)
		}
		if u.Inline == nil {
			u.Inline = map[string]string{}
		}
		u.Inline[policy] = doc
		return nil
	})
	return nil, err
}

func (s *Service) getUserPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	var u *userRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		u, err = loadUser(tx, account(ctx), name)
		return err
	})
	if err != nil {
		return nil, err
	}
	doc, ok := u.Inline[policy]
	if !ok {
		return nil, noSuchEntity("The user policy with name %s cannot be found.", policy)
	}
	return struct {
		UserName       string `xml:"UserName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{u.Name, policy, EscapeDocument(doc)}, nil
}

func (s *Service) deleteUserPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateUserTx(ctx, name, func(_ store.Tx, u *userRec) error {
		if _, ok := u.Inline[policy]; !ok {
			return noSuchEntity("The user policy with name %s cannot be found.", policy)
		}
		delete(u.Inline, policy)
		return nil
	})
	return nil, err
}

func (s *Service) listUserPolicies(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	var u *userRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		u, err = loadUser(tx, account(ctx), name)
		return err
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(u.Inline))
	for n := range u.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	items, p, err := paginate(names, func(n string) string { return n }, pg)
	if err != nil {
		return nil, err
	}
	return struct {
		PolicyNames list[string] `xml:"PolicyNames"`
		page
	}{items, p}, nil
}

// ListEntitiesForPolicy.

type xmlPolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

type xmlPolicyUser struct {
	UserName string `xml:"UserName"`
	UserID   string `xml:"UserId"`
}

type xmlPolicyGroup struct {
	GroupName string `xml:"GroupName"`
	GroupID   string `xml:"GroupId"`
}

func (s *Service) listEntitiesForPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	entity := c.str(form, "EntityFilter", "entityFilter", false, 0, 0, nil, "")
	switch entity {
	case "", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
	default:
		c.add("Value '%s' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]", entity)
	}
	usageFilter := c.str(form, "PolicyUsageFilter", "policyUsageFilter", false, 0, 0, nil, "")
	switch usageFilter {
	case "", "PermissionsPolicy", "PermissionsBoundary":
	default:
		c.add("Value '%s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]", usageFilter)
	}
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePath, patPath)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	// uses reports whether an entity with these attachments and boundary matches.
	uses := func(attached []string, boundary string) bool {
		policy := usageFilter != "PermissionsBoundary" && contains(attached, arn)
		bound := usageFilter != "PermissionsPolicy" && boundary == arn
		return policy || bound
	}
	type entry struct {
		key  string
		role *xmlPolicyRole
		user *xmlPolicyUser
	}
	var all []entry
	err := s.st.View(func(tx store.Tx) error {
		if _, err := lookupPolicy(tx, acct, arn); err != nil {
			return err
		}
		if entity == "" || entity == "Role" {
			for _, r := range scanJSON[roleRec](tx.Bucket(rolesBucket(acct))) {
				if uses(r.Attached, r.Boundary) && strings.HasPrefix(r.Path, prefix) {
					all = append(all, entry{key: "r" + strings.ToLower(r.Name), role: &xmlPolicyRole{r.Name, r.ID}})
				}
			}
		}
		if entity == "" || entity == "User" {
			for _, u := range scanJSON[userRec](tx.Bucket(usersBucket(acct))) {
				if uses(u.Attached, u.Boundary) && strings.HasPrefix(u.Path, prefix) {
					all = append(all, entry{key: "u" + strings.ToLower(u.Name), user: &xmlPolicyUser{u.Name, u.ID}})
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items, p, err := paginate(all, func(e entry) string { return e.key }, pg)
	if err != nil {
		return nil, err
	}
	out := struct {
		PolicyGroups list[xmlPolicyGroup] `xml:"PolicyGroups"`
		PolicyUsers  list[xmlPolicyUser]  `xml:"PolicyUsers"`
		PolicyRoles  list[xmlPolicyRole]  `xml:"PolicyRoles"`
		page
	}{PolicyGroups: list[xmlPolicyGroup]{}, PolicyUsers: list[xmlPolicyUser]{}, PolicyRoles: list[xmlPolicyRole]{}, page: p}
	for _, e := range items {
		if e.role != nil {
			out.PolicyRoles = append(out.PolicyRoles, *e.role)
		} else {
			out.PolicyUsers = append(out.PolicyUsers, *e.user)
		}
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Account aliases: globally unique, at most one per account.

var (
	reAlias  = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9])*$`)
	patAlias = `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`
)

// aliasesBucket maps each alias to its account, and "@ACCOUNT" to the
// account's alias.
const aliasesBucket = "iam/aliases"

func (s *Service) createAccountAlias(ctx context.Context, form url.Values) (any, error) {
	var c checker
	alias := c.str(form, "AccountAlias", "accountAlias", true, 3, 63, reAlias, patAlias)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(aliasesBucket)
		if owner := b.Get([]byte(alias)); owner != nil {
			if string(owner) == acct {
				return nil
			}
			return alreadyExists("The account alias %s already exists.", alias)
		}
		if old := b.Get([]byte("@" + acct)); old != nil {
			if err := b.Delete(append([]byte(nil), old...)); err != nil {
				return err
			}
		}
		if err := b.Put([]byte(alias), []byte(acct)); err != nil {
			return err
		}
		return b.Put([]byte("@"+acct), []byte(alias))
	})
}

func (s *Service) deleteAccountAlias(ctx context.Context, form url.Values) (any, error) {
	var c checker
	alias := c.str(form, "AccountAlias", "accountAlias", true, 3, 63, reAlias, patAlias)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(aliasesBucket)
		if owner := b.Get([]byte(alias)); owner == nil || string(owner) != acct {
			return noSuchEntity("The account alias %s cannot be found.", alias)
		}
		if err := b.Delete([]byte(alias)); err != nil {
			return err
		}
		return b.Delete([]byte("@" + acct))
	})
}

func (s *Service) listAccountAliases(ctx context.Context, form url.Values) (any, error) {
	var c checker
	c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	aliases := list[string]{}
	_ = s.st.View(func(tx store.Tx) error {
		if a := tx.Bucket(aliasesBucket).Get([]byte("@" + account(ctx))); a != nil {
			aliases = append(aliases, string(a))
		}
		return nil
	})
	return struct {
		AccountAliases list[string] `xml:"AccountAliases"`
		page
	}{aliases, page{}}, nil
}

// GetAccessKeyLastUsed: tenkai does not track key use, so every key reads as
// never used, as IAM reports fresh keys.
func (s *Service) getAccessKeyLastUsed(ctx context.Context, form url.Values) (any, error) {
	var c checker
	id := c.str(form, "AccessKeyId", "accessKeyId", true, 16, 128, nil, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	var ref keyRef
	found := false
	_ = s.st.View(func(tx store.Tx) error {
		found = getJSON(tx.Bucket(keyIndexBucket), id, &ref)
		return nil
	})
	if !found || ref.Account != account(ctx) {
		return nil, noSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return struct {
		UserName          string `xml:"UserName"`
		AccessKeyLastUsed struct {
			ServiceName string `xml:"ServiceName"`
			Region      string `xml:"Region"`
		} `xml:"AccessKeyLastUsed"`
	}{UserName: ref.User, AccessKeyLastUsed: struct {
		ServiceName string `xml:"ServiceName"`
		Region      string `xml:"Region"`
	}{"N/A", "N/A"}}, nil
}
