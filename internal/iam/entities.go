package iam

import (
	"context"
	"net/url"
	"strings"

	"tenkai/internal/store"
)

// ListEntitiesForPolicy: the roles, users and groups that use a managed policy.

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
		key   string
		role  *xmlPolicyRole
		user  *xmlPolicyUser
		group *xmlPolicyGroup
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
		if entity == "" || entity == "Group" {
			for _, g := range scanJSON[groupRec](tx.Bucket(groupsBucket(acct))) {
				if uses(g.Attached, "") && strings.HasPrefix(g.Path, prefix) {
					all = append(all, entry{key: "g" + strings.ToLower(g.Name), group: &xmlPolicyGroup{g.Name, g.ID}})
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
		switch {
		case e.role != nil:
			out.PolicyRoles = append(out.PolicyRoles, *e.role)
		case e.user != nil:
			out.PolicyUsers = append(out.PolicyUsers, *e.user)
		default:
			out.PolicyGroups = append(out.PolicyGroups, *e.group)
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
