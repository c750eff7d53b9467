package iam

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Quotas IAM enforces on managed policies.
const (
	maxManagedPolicySize = 6144
	maxPolicyVersions    = 5
)

func policyARN(acct, path, name string) string {
	return "arn:aws:iam::" + acct + ":policy" + path + name
}

// parsePolicyARN splits arn:aws:iam::ACCOUNT:policy/PATH/NAME; ACCOUNT is
// "aws" for AWS managed policies.
func parsePolicyARN(arn string) (acct, path, name string, ok bool) {
	return parseIAMARN(arn, "policy")
}

// managed is a managed policy as the handlers see it: a customer managed
// policy from the store, or an AWS managed one from the built-in table.
type managed struct {
	rec *policyRec // nil for AWS managed policies
	aws *awsPolicy
}

// lookupPolicy finds the managed policy arn names, visible from acct.
func lookupPolicy(tx store.Tx, acct, arn string) (managed, error) {
	pacct, _, name, ok := parsePolicyARN(arn)
	if !ok {
		return managed{}, invalidInput("ARN %s is not valid.", arn)
	}
	if pacct == "aws" {
		if p, ok := awsPolicies[arn]; ok {
			return managed{aws: p}, nil
		}
		return managed{}, noSuchEntity("Policy %s was not found.", arn)
	}
	var r policyRec
	if pacct != acct || !getJSON(tx.Bucket(policiesBucket(acct)), strings.ToLower(name), &r) || r.Arn != arn {
		return managed{}, noSuchEntity("Policy %s was not found.", arn)
	}
	return managed{rec: &r}, nil
}

// usage is how a policy is used in an account: attachments to roles and
// users, and use as a permissions boundary.
type usage struct{ attached, boundary int }

// policyUsage counts, per policy ARN, the roles, users and groups of acct
// that have it attached or as their permissions boundary.
func policyUsage(tx store.Tx, acct string) map[string]usage {
	counts := map[string]usage{}
	bump := func(arn string, attached, boundary int) {
		u := counts[arn]
		u.attached += attached
		u.boundary += boundary
		counts[arn] = u
	}
	for _, r := range scanJSON[roleRec](tx.Bucket(rolesBucket(acct))) {
		for _, a := range r.Attached {
			bump(a, 1, 0)
		}
		if r.Boundary != "" {
			bump(r.Boundary, 0, 1)
		}
	}
	for _, u := range scanJSON[userRec](tx.Bucket(usersBucket(acct))) {
		for _, a := range u.Attached {
			bump(a, 1, 0)
		}
		if u.Boundary != "" {
			bump(u.Boundary, 0, 1)
		}
	}
	for _, g := range scanJSON[groupRec](tx.Bucket(groupsBucket(acct))) {
		for _, a := range g.Attached {
			bump(a, 1, 0)
		}
	}
	return counts
}

// xml renders the policy; full adds Description and Tags, which GetPolicy
// shows and ListPolicies leaves out.
func (m managed) xml(n usage, full bool) xmlPolicy {
	if m.aws != nil {
		x := xmlPolicy{
			PolicyName: m.aws.Name, PolicyID: m.aws.ID(), Arn: m.aws.Arn(), Path: m.aws.Path, DefaultVersionID: "v1",
			AttachmentCount: n.attached, PermissionsBoundaryUsageCount: n.boundary, IsAttachable: true,
			CreateDate: isoTime(awsPolicyDate), UpdateDate: isoTime(awsPolicyDate),
		}
		if full {
			x.Description = m.aws.Description
		}
		return x
	}
	r := m.rec
	x := xmlPolicy{
		PolicyName: r.Name, PolicyID: r.ID, Arn: r.Arn, Path: r.Path, DefaultVersionID: r.Default,
		AttachmentCount: n.attached, PermissionsBoundaryUsageCount: n.boundary, IsAttachable: true,
		CreateDate: isoTime(r.Created), UpdateDate: isoTime(r.Updated),
	}
	if full {
		x.Description = r.Description
		x.Tags = r.Tags
	}
	return x
}

func (m managed) arn() string {
	if m.aws != nil {
		return m.aws.Arn()
	}
	return m.rec.Arn
}

func (m managed) name() string {
	if m.aws != nil {
		return m.aws.Name
	}
	return m.rec.Name
}

func (m managed) path() string {
	if m.aws != nil {
		return m.aws.Path
	}
	return m.rec.Path
}

// versions returns the policy's versions, oldest first.
func (m managed) versions() []versionRec {
	if m.aws != nil {
		return []versionRec{{ID: "v1", Document: m.aws.Document, Created: awsPolicyDate}}
	}
	return m.rec.Versions
}

func (m managed) defaultVersion() string {
	if m.aws != nil {
		return "v1"
	}
	return m.rec.Default
}

func versionXML(v versionRec, def string, withDoc bool) xmlPolicyVersion {
	x := xmlPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == def, CreateDate: isoTime(v.Created)}
	if withDoc {
		x.Document = EscapeDocument(v.Document)
	}
	return x
}

// readPolicyARN reads the PolicyArn member.
func (c *checker) policyARN(form url.Values) string {
	return c.str(form, "PolicyArn", "policyArn", true, 20, 2048, nil, "")
}

// awsManagedDenied is IAM's answer to changing an AWS managed policy.
func awsManagedDenied(ctx context.Context, op, arn string) error {
	return accessDenied("User: arn:aws:iam::%s:root is not authorized to perform: iam:%s on resource: policy %s", account(ctx), op, arn)
}

// updatePolicyTx loads a customer managed policy, applies fn and stores it.
func (s *Service) updatePolicyTx(ctx context.Context, op, arn string, fn func(tx store.Tx, p *policyRec) error) (*policyRec, error) {
	acct := account(ctx)
	var out *policyRec
	err := s.st.Update(func(tx store.Tx) error {
		m, err := lookupPolicy(tx, acct, arn)
		if err != nil {
			return err
		}
		if m.aws != nil {
			return awsManagedDenied(ctx, op, arn)
		}
		if err := fn(tx, m.rec); err != nil {
			return err
		}
		out = m.rec
		return putJSON(tx.Bucket(policiesBucket(acct)), strings.ToLower(m.rec.Name), m.rec)
	})
	return out, err
}

func (s *Service) createPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	path := c.str(form, "Path", "path", false, 1, 512, rePolicyPath, patPolicyPath)
	desc := c.str(form, "Description", "description", false, 0, 1000, nil, "")
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	doc, err := checkDocument(&c, form, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if policySize(doc) > maxManagedPolicySize {
		return nil, limitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	if path == "" {
		path = "/"
	}
	id, err := s.newID("ANPA")
	if err != nil {
		return nil, err
	}
	acct, now := account(ctx), s.now()
	p := &policyRec{
		Name: name, Path: path, ID: id, Arn: policyARN(acct, path, name), Description: desc,
		Created: now, Updated: now, Default: "v1", NextVersion: 2, Tags: tags,
		Versions: []versionRec{{ID: "v1", Document: doc, Created: now}},
	}
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(policiesBucket(acct))
		if b.Get([]byte(strings.ToLower(name))) != nil {
			return alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
		}
		return putJSON(b, strings.ToLower(name), p)
	})
	if err != nil {
		return nil, err
	}
	x := managed{rec: p}.xml(usage{}, true)
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{x}, nil
}

func (s *Service) getPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	var x xmlPolicy
	err := s.st.View(func(tx store.Tx) error {
		m, err := lookupPolicy(tx, acct, arn)
		if err != nil {
			return err
		}
		x = m.xml(policyUsage(tx, acct)[arn], true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{x}, nil
}

func (s *Service) deletePolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		m, err := lookupPolicy(tx, acct, arn)
		if err != nil {
			return err
		}
		if m.aws != nil {
			return awsManagedDenied(ctx, "DeletePolicy", arn)
		}
		if n := policyUsage(tx, acct)[arn]; n.attached+n.boundary > 0 {
			return deleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(m.rec.Versions) > 1 {
			return deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return tx.Bucket(policiesBucket(acct)).Delete([]byte(strings.ToLower(m.rec.Name)))
	})
}

func (s *Service) listPolicies(ctx context.Context, form url.Values) (any, error) {
	var c checker
	scope := c.str(form, "Scope", "scope", false, 0, 0, nil, "")
	if scope == "" {
		scope = "All"
	} else if scope != "All" && scope != "AWS" && scope != "Local" {
		c.add("Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	onlyAttached := c.boolean(form, "OnlyAttached", "onlyAttached")
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePolicyPath, patPolicyPath)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	type entry struct {
		key string
		x   xmlPolicy
	}
	var all []entry
	_ = s.st.View(func(tx store.Tx) error {
		counts := policyUsage(tx, acct)
		add := func(m managed) {
			n := counts[m.arn()]
			if (onlyAttached && n.attached == 0) || !strings.HasPrefix(m.path(), prefix) {
				return
			}
			all = append(all, entry{strings.ToLower(m.name()) + "\x00" + m.arn(), m.xml(n, false)})
		}
		if scope != "AWS" {
			for _, p := range scanJSON[policyRec](tx.Bucket(policiesBucket(acct))) {
				add(managed{rec: &p})
			}
		}
		if scope != "Local" {
			for _, p := range sortedAWSPolicies() {
				add(managed{aws: p})
			}
		}
		return nil
	})
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	items, p, err := paginate(all, func(e entry) string { return e.key }, pg)
	if err != nil {
		return nil, err
	}
	out := make(list[xmlPolicy], len(items))
	for i, e := range items {
		out[i] = e.x
	}
	return struct {
		Policies list[xmlPolicy] `xml:"Policies"`
		page
	}{out, p}, nil
}

func (s *Service) getPolicyVersion(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	vid := c.str(form, "VersionId", "versionId", true, 0, 0, reVersionID, patVersionID)
	if err := c.err(); err != nil {
		return nil, err
	}
	var m managed
	err := s.st.View(func(tx store.Tx) error {
		var err error
		m, err = lookupPolicy(tx, account(ctx), arn)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, v := range m.versions() {
		if v.ID == vid {
			return struct {
				PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
			}{versionXML(v, m.defaultVersion(), true)}, nil
		}
	}
	return nil, noSuchVersion(arn, vid)
}

func noSuchVersion(arn, vid string) error {
	return noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
}

func (s *Service) createPolicyVersion(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	setDefault := c.boolean(form, "SetAsDefault", "setAsDefault")
	doc, err := checkDocument(&c, form, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if policySize(doc) > maxManagedPolicySize {
		return nil, limitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	now := s.now()
	var v versionRec
	p, err := s.updatePolicyTx(ctx, "CreatePolicyVersion", arn, func(_ store.Tx, p *policyRec) error {
		if len(p.Versions) >= maxPolicyVersions {
			return limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		v = versionRec{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: now}
		p.NextVersion++
		p.Versions = append(p.Versions, v)
		if setDefault {
			p.Default, p.Updated = v.ID, now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
	}{versionXML(v, p.Default, false)}, nil
}

func (s *Service) listPolicyVersions(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	var m managed
	err := s.st.View(func(tx store.Tx) error {
		var err error
		m, err = lookupPolicy(tx, account(ctx), arn)
		return err
	})
	if err != nil {
		return nil, err
	}
	vs := m.versions()
	newest := make([]xmlPolicyVersion, 0, len(vs))
	for i := len(vs) - 1; i >= 0; i-- {
		newest = append(newest, versionXML(vs[i], m.defaultVersion(), false))
	}
	items, p, err := paginate(withIndex(newest), byIndex[xmlPolicyVersion], pg)
	if err != nil {
		return nil, err
	}
	return struct {
		Versions list[xmlPolicyVersion] `xml:"Versions"`
		page
	}{values(items), p}, nil
}

func (s *Service) deletePolicyVersion(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	vid := c.str(form, "VersionId", "versionId", true, 0, 0, reVersionID, patVersionID)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updatePolicyTx(ctx, "DeletePolicyVersion", arn, func(_ store.Tx, p *policyRec) error {
		for i, v := range p.Versions {
			if v.ID != vid {
				continue
			}
			if v.ID == p.Default {
				return deleteConflict("Cannot delete the default version of a policy.")
			}
			p.Versions = append(p.Versions[:i:i], p.Versions[i+1:]...)
			return nil
		}
		return noSuchVersion(arn, vid)
	})
	return nil, err
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	vid := c.str(form, "VersionId", "versionId", true, 0, 0, reVersionID, patVersionID)
	if err := c.err(); err != nil {
		return nil, err
	}
	now := s.now()
	_, err := s.updatePolicyTx(ctx, "SetDefaultPolicyVersion", arn, func(_ store.Tx, p *policyRec) error {
		for _, v := range p.Versions {
			if v.ID == vid {
				if p.Default != vid {
					p.Default, p.Updated = vid, now
				}
				return nil
			}
		}
		return noSuchVersion(arn, vid)
	})
	return nil, err
}

func (s *Service) tagPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err = s.updatePolicyTx(ctx, "TagPolicy", arn, func(_ store.Tx, p *policyRec) error {
		merged := mergeTags(p.Tags, tags)
		if len(merged) > maxTagsPerEntity {
			return limitExceeded("The number of tags has reached the maximum limit.")
		}
		p.Tags = merged
		return nil
	})
	return nil, err
}

func (s *Service) untagPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	keys := edge.QueryList(form, "TagKeys")
	_, err := s.updatePolicyTx(ctx, "UntagPolicy", arn, func(_ store.Tx, p *policyRec) error {
		p.Tags = dropTags(p.Tags, keys)
		return nil
	})
	return nil, err
}

func (s *Service) listPolicyTags(ctx context.Context, form url.Values) (any, error) {
	var c checker
	arn := c.policyARN(form)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	var m managed
	err := s.st.View(func(tx store.Tx) error {
		var err error
		m, err = lookupPolicy(tx, account(ctx), arn)
		return err
	})
	if err != nil {
		return nil, err
	}
	var tags []Tag
	if m.rec != nil {
		tags = m.rec.Tags
	}
	return tagPage(tags, pg)
}
