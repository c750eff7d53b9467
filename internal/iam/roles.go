package iam

import (
	"context"
	"net/url"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Quotas IAM enforces on roles.
const (
	maxTrustPolicySize   = 2048  // ACLSizePerRole
	maxInlineRolePolicy  = 10240 // aggregate inline policy size per role
	maxManagedPerEntity  = 10    // PoliciesPerRole / PoliciesPerUser default quota
	maxTagsPerEntity     = 50
	defaultSessionLength = 3600
)

func roleARN(acct, path, name string) string { return "arn:aws:iam::" + acct + ":role" + path + name }

// roleXML renders a role. full adds what GetRole shows and ListRoles omits.
func roleXML(r *roleRec, full bool) xmlRole {
	x := xmlRole{
		Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.Arn, CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: EscapeDocument(r.Trust), Description: r.Description, MaxSessionDuration: r.MaxSession,
	}
	if full {
		x.PermissionsBoundary = boundaryXML(r.Boundary)
		x.Tags = r.Tags
		x.RoleLastUsed = &xmlLastUsed{}
		if !r.LastUsed.IsZero() {
			x.RoleLastUsed = &xmlLastUsed{LastUsedDate: isoTime(r.LastUsed), Region: r.LastRegion}
		}
	}
	return x
}

func noSuchRole(name string) error {
	return noSuchEntity("The role with name %s cannot be found.", name)
}

// loadRole reads a role by name in a transaction.
func loadRole(tx store.Tx, acct, name string) (*roleRec, error) {
	var r roleRec
	if !getJSON(tx.Bucket(rolesBucket(acct)), strings.ToLower(name), &r) {
		return nil, noSuchRole(name)
	}
	return &r, nil
}

// updateRoleTx loads a role, applies fn and stores the result.
func (s *Service) updateRoleTx(ctx context.Context, name string, fn func(tx store.Tx, r *roleRec) error) (*roleRec, error) {
	acct := account(ctx)
	var out *roleRec
	err := s.st.Update(func(tx store.Tx) error {
		r, err := loadRole(tx, acct, name)
		if err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		out = r
		return putJSON(tx.Bucket(rolesBucket(acct)), strings.ToLower(r.Name), r)
	})
	return out, err
}

// checkDocument validates an identity-based policy document member: model
// constraints first, then that it parses as a policy.
func checkDocument(c *checker, form url.Values, member, field string) (string, error) {
	doc := c.str(form, member, field, true, 1, 131072, reDocument, patDocument)
	if err := c.err(); err != nil {
		return "", err
	}
	return doc, CheckPolicy(doc)
}

// checkTrustDocument validates a trust policy document member.
func checkTrustDocument(c *checker, form url.Values, member, field string) (string, error) {
	doc := c.str(form, member, field, true, 1, 131072, reDocument, patDocument)
	if err := c.err(); err != nil {
		return "", err
	}
	return doc, CheckTrustPolicy(doc)
}

func (s *Service) createRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	path := c.str(form, "Path", "path", false, 1, 512, rePath, patPath)
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	desc := c.str(form, "Description", "description", false, 0, 1000, reRoleDesc, patRoleDesc)
	maxSession := c.integer(form, "MaxSessionDuration", "maxSessionDuration", 3600, 43200, defaultSessionLength)
	boundary := c.str(form, "PermissionsBoundary", "permissionsBoundary", false, 20, 2048, nil, "")
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	trust, err := checkTrustDocument(&c, form, "AssumeRolePolicyDocument", "assumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	if policySize(trust) > maxTrustPolicySize {
		return nil, limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	if path == "" {
		path = "/"
	}
	id, err := s.newID("AROA")
	if err != nil {
		return nil, err
	}
	acct := account(ctx)
	r := &roleRec{
		Name: name, Path: path, ID: id, Arn: roleARN(acct, path, name), Created: s.now(),
		Trust: trust, Description: desc, MaxSession: maxSession, Tags: tags, Boundary: boundary,
	}
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(rolesBucket(acct))
		if b.Get([]byte(strings.ToLower(name))) != nil {
			return alreadyExists("Role with name %s already exists.", name)
		}
		if boundary != "" {
			if err := boundaryAttachable(tx, acct, boundary); err != nil {
				return err
			}
		}
		return putJSON(b, strings.ToLower(name), r)
	})
	if err != nil {
		return nil, err
	}
	x := roleXML(r, false)
	x.MaxSessionDuration = 0 // CreateRole's answer leaves it out
	x.PermissionsBoundary = boundaryXML(r.Boundary)
	x.Tags = r.Tags
	return struct {
		Role xmlRole `xml:"Role"`
	}{x}, nil
}

func (s *Service) getRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	r, err := s.viewRole(ctx, name)
	if err != nil {
		return nil, err
	}
	return struct {
		Role xmlRole `xml:"Role"`
	}{roleXML(r, true)}, nil
}

func (s *Service) deleteRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		r, err := loadRole(tx, acct, name)
		if err != nil {
			return err
		}
		if len(profilesOf(tx, acct, r.Name)) > 0 {
			return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		if len(r.Attached) > 0 {
			return deleteConflict("Cannot delete entity, must detach all policies first.")
		}
		if len(r.Inline) > 0 {
			return deleteConflict("Cannot delete entity, must delete policies first.")
		}
		return tx.Bucket(rolesBucket(acct)).Delete([]byte(strings.ToLower(r.Name)))
	})
}

func (s *Service) listRoles(ctx context.Context, form url.Values) (any, error) {
	var c checker
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePathPrefix, patPathPrefix)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	var roles []roleRec
	_ = s.st.View(func(tx store.Tx) error {
		roles = scanJSON[roleRec](tx.Bucket(rolesBucket(account(ctx))))
		return nil
	})
	roles = filter(roles, func(r roleRec) bool { return strings.HasPrefix(r.Path, prefix) })
	items, p, err := paginate(roles, func(r roleRec) string { return strings.ToLower(r.Name) }, pg)
	if err != nil {
		return nil, err
	}
	out := make(list[xmlRole], len(items))
	for i := range items {
		out[i] = roleXML(&items[i], false)
	}
	return struct {
		Roles list[xmlRole] `xml:"Roles"`
		page
	}{out, p}, nil
}

func (s *Service) updateRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	desc := c.str(form, "Description", "description", false, 0, 1000, reRoleDesc, patRoleDesc)
	maxSession := c.integer(form, "MaxSessionDuration", "maxSessionDuration", 3600, 43200, 0)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		if has(form, "Description") {
			r.Description = desc
		}
		if maxSession != 0 {
			r.MaxSession = maxSession
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) updateRoleDescription(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	desc := c.str(form, "Description", "description", true, 0, 1000, reRoleDesc, patRoleDesc)
	if err := c.err(); err != nil {
		return nil, err
	}
	r, err := s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		r.Description = desc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Role xmlRole `xml:"Role"`
	}{roleXML(r, true)}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	doc, err := checkTrustDocument(&c, form, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if policySize(doc) > maxTrustPolicySize {
		return nil, limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	_, err = s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		r.Trust = doc
		return nil
	})
	return nil, err
}

func (s *Service) tagRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if !has(form, "Tags.member.1.Key") && !has(form, "Tags") {
		c.add("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err = s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		merged := mergeTags(r.Tags, tags)
		if len(merged) > maxTagsPerEntity {
			return limitExceeded("The number of tags has reached the maximum limit.")
		}
		r.Tags = merged
		return nil
	})
	return nil, err
}

func (s *Service) untagRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	keys := edge.QueryList(form, "TagKeys")
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		r.Tags = dropTags(r.Tags, keys)
		return nil
	})
	return nil, err
}

func (s *Service) listRoleTags(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	r, err := s.viewRole(ctx, name)
	if err != nil {
		return nil, err
	}
	return tagPage(r.Tags, pg)
}

// tagPage renders one page of a ListXTags answer.
func tagPage(tags []Tag, pg paging) (any, error) {
	items, p, err := paginate(withIndex(tags), byIndex[Tag], pg)
	if err != nil {
		return nil, err
	}
	return struct {
		Tags list[Tag] `xml:"Tags"`
		page
	}{values(items), p}, nil
}

func (s *Service) putRolePolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	doc, err := checkDocument(&c, form, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	_, err = s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		inline, err := putInline(r.Inline, policy, doc, maxInlineRolePolicy, "role", r.Name)
		r.Inline = inline
		return err
	})
	return nil, err
}

func (s *Service) getRolePolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	r, err := s.viewRole(ctx, name)
	if err != nil {
		return nil, err
	}
	doc, ok := r.Inline[policy]
	if !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", policy)
	}
	return struct {
		RoleName       string `xml:"RoleName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{r.Name, policy, EscapeDocument(doc)}, nil
}

func (s *Service) deleteRolePolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		if _, ok := r.Inline[policy]; !ok {
			return noSuchEntity("The role policy with name %s cannot be found.", policy)
		}
		delete(r.Inline, policy)
		return nil
	})
	return nil, err
}

func (s *Service) listRolePolicies(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	r, err := s.viewRole(ctx, name)
	if err != nil {
		return nil, err
	}
	return inlineNamesPage(r.Inline, pg)
}

func (s *Service) attachRolePolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	arn := c.str(form, "PolicyArn", "policyArn", true, 20, 2048, nil, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	_, err := s.updateRoleTx(ctx, name, func(tx store.Tx, r *roleRec) error {
		if err := attachable(tx, acct, arn); err != nil {
			return err
		}
		attached, err := attach(r.Attached, arn, "PoliciesPerRole")
		r.Attached = attached
		return err
	})
	return nil, err
}

func (s *Service) detachRolePolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	arn := c.str(form, "PolicyArn", "policyArn", true, 20, 2048, nil, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateRoleTx(ctx, name, func(_ store.Tx, r *roleRec) error {
		attached, err := detach(r.Attached, arn)
		r.Attached = attached
		return err
	})
	return nil, err
}

func (s *Service) listAttachedRolePolicies(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePolicyPath, patPolicyPath)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	r, err := s.viewRole(ctx, name)
	if err != nil {
		return nil, err
	}
	return attachedPage(r.Attached, prefix, pg)
}

// attachable checks that arn names a managed policy this account can attach.
func attachable(tx store.Tx, acct, arn string) error {
	if _, _, _, ok := parsePolicyARN(arn); !ok {
		return invalidInput("ARN %s is not valid.", arn)
	}
	if _, err := lookupPolicy(tx, acct, arn); err != nil {
		return noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return nil
}

// attach adds arn to an entity's attached list; attaching twice is a no-op.
func attach(have []string, arn, quota string) ([]string, error) {
	for _, a := range have {
		if a == arn {
			return have, nil
		}
	}
	if len(have) >= maxManagedPerEntity {
		return have, limitExceeded("Cannot exceed quota for %s: %d", quota, maxManagedPerEntity)
	}
	return append(have, arn), nil
}

// detach removes arn from an entity's attached list.
func detach(have []string, arn string) ([]string, error) {
	for i, a := range have {
		if a == arn {
			return append(have[:i:i], have[i+1:]...), nil
		}
	}
	if _, _, _, ok := parsePolicyARN(arn); !ok {
		return have, invalidInput("ARN %s is not valid.", arn)
	}
	return have, noSuchEntity("Policy %s was not found.", arn)
}

// attachedPage renders one page of a ListAttachedXPolicies answer.
func attachedPage(arns []string, prefix string, pg paging) (any, error) {
	var all []xmlAttached
	for _, a := range arns {
		_, path, name, _ := parsePolicyARN(a)
		if strings.HasPrefix(path, prefix) {
			all = append(all, xmlAttached{PolicyName: name, PolicyArn: a})
		}
	}
	items, p, err := paginate(withIndex(all), byIndex[xmlAttached], pg)
	if err != nil {
		return nil, err
	}
	return struct {
		AttachedPolicies list[xmlAttached] `xml:"AttachedPolicies"`
		page
	}{values(items), p}, nil
}

func filter[T any](xs []T, keep func(T) bool) []T {
	out := xs[:0:0]
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// viewRole reads one role of the caller's account.
func (s *Service) viewRole(ctx context.Context, name string) (*roleRec, error) {
	var r *roleRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		r, err = loadRole(tx, account(ctx), name)
		return err
	})
	return r, err
}
