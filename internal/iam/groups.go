package iam

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"tenkai/internal/store"
)

const maxInlineGroupPolicy = 5120 // aggregate inline policy size per group

// groupRec is a stored group. Users holds lower-cased user names.
type groupRec struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	Arn      string            `json:"arn"`
	Created  time.Time         `json:"created"`
	Users    []string          `json:"users,omitempty"`
	Attached []string          `json:"attached,omitempty"`
	Inline   map[string]string `json:"inline,omitempty"`
}

type xmlGroup struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func groupsBucket(acct string) string { return "iam/groups/" + acct }

func groupXML(g *groupRec) xmlGroup {
	return xmlGroup{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: g.Arn, CreateDate: isoTime(g.Created)}
}

func loadGroup(tx store.Tx, acct, name string) (*groupRec, error) {
	var g groupRec
	if !getJSON(tx.Bucket(groupsBucket(acct)), strings.ToLower(name), &g) {
		return nil, noSuchEntity("The group with name %s cannot be found.", name)
	}
	return &g, nil
}

func (s *Service) updateGroupTx(ctx context.Context, name string, fn func(tx store.Tx, g *groupRec) error) error {
	acct := account(ctx)
	return s.st.Update(func(tx store.Tx) error {
		g, err := loadGroup(tx, acct, name)
		if err != nil {
			return err
		}
		if err := fn(tx, g); err != nil {
			return err
		}
		return putJSON(tx.Bucket(groupsBucket(acct)), strings.ToLower(g.Name), g)
	})
}

func (s *Service) viewGroup(ctx context.Context, name string) (*groupRec, error) {
	var g *groupRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		g, err = loadGroup(tx, account(ctx), name)
		return err
	})
	return g, err
}

// groupsOf returns the groups the named user belongs to.
func groupsOf(tx store.Tx, acct, user string) []groupRec {
	var out []groupRec
	for _, g := range scanJSON[groupRec](tx.Bucket(groupsBucket(acct))) {
		if slices.Contains(g.Users, strings.ToLower(user)) {
			out = append(out, g)
		}
	}
	return out
}

func (c *checker) groupName(form url.Values) string {
	return c.str(form, "GroupName", "groupName", true, 1, 128, reName, patName)
}

func (s *Service) createGroup(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	path := c.str(form, "Path", "path", false, 1, 512, rePath, patPath)
	if err := c.err(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	id, err := s.newID("AGPA")
	if err != nil {
		return nil, err
	}
	acct := account(ctx)
	g := &groupRec{Name: name, Path: path, ID: id, Arn: "arn:aws:iam::" + acct + ":group" + path + name, Created: s.now()}
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(groupsBucket(acct))
		if b.Get([]byte(strings.ToLower(name))) != nil {
			return alreadyExists("Group with name %s already exists.", name)
		}
		return putJSON(b, strings.ToLower(name), g)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Group xmlGroup `xml:"Group"`
	}{groupXML(g)}, nil
}

func (s *Service) getGroup(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	var g *groupRec
	var users []userRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		if g, err = loadGroup(tx, acct, name); err != nil {
			return err
		}
		for _, u := range g.Users {
			if rec, err := loadUser(tx, acct, u); err == nil {
				users = append(users, *rec)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(users, func(i, j int) bool { return strings.ToLower(users[i].Name) < strings.ToLower(users[j].Name) })
	items, p, err := paginate(users, func(u userRec) string { return strings.ToLower(u.Name) }, pg)
	if err != nil {
		return nil, err
	}
	out := make(list[xmlUser], len(items))
	for i := range items {
		out[i] = userXML(&items[i], false)
	}
	return struct {
		Group xmlGroup      `xml:"Group"`
		Users list[xmlUser] `xml:"Users"`
		page
	}{groupXML(g), out, p}, nil
}

func (s *Service) deleteGroup(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		g, err := loadGroup(tx, acct, name)
		if err != nil {
			return err
		}
		switch {
		case len(g.Users) > 0:
			return deleteConflict("Cannot delete entity, must remove users from group first.")
		case len(g.Attached) > 0:
			return deleteConflict("Cannot delete entity, must detach all policies first.")
		case len(g.Inline) > 0:
			return deleteConflict("Cannot delete entity, must delete policies first.")
		}
		return tx.Bucket(groupsBucket(acct)).Delete([]byte(strings.ToLower(g.Name)))
	})
}

func (s *Service) listGroups(ctx context.Context, form url.Values) (any, error) {
	var c checker
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePathPrefix, patPathPrefix)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	var groups []groupRec
	_ = s.st.View(func(tx store.Tx) error {
		groups = scanJSON[groupRec](tx.Bucket(groupsBucket(account(ctx))))
		return nil
	})
	groups = filter(groups, func(g groupRec) bool { return strings.HasPrefix(g.Path, prefix) })
	return groupPage(groups, pg)
}

func (s *Service) listGroupsForUser(ctx context.Context, form url.Values) (any, error) {
	var c checker
	user := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	var groups []groupRec
	err := s.st.View(func(tx store.Tx) error {
		if _, err := loadUser(tx, acct, user); err != nil {
			return err
		}
		groups = groupsOf(tx, acct, user)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return groupPage(groups, pg)
}

// groupPage renders one page of groups sorted by name.
func groupPage(groups []groupRec, pg paging) (any, error) {
	items, p, err := paginate(groups, func(g groupRec) string { return strings.ToLower(g.Name) }, pg)
	if err != nil {
		return nil, err
	}
	out := make(list[xmlGroup], len(items))
	for i := range items {
		out[i] = groupXML(&items[i])
	}
	return struct {
		Groups list[xmlGroup] `xml:"Groups"`
		page
	}{out, p}, nil
}

func (s *Service) addUserToGroup(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	user := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.updateGroupTx(ctx, name, func(tx store.Tx, g *groupRec) error {
		u, err := loadUser(tx, acct, user)
		if err != nil {
			return err
		}
		if !slices.Contains(g.Users, strings.ToLower(u.Name)) {
			g.Users = append(g.Users, strings.ToLower(u.Name))
		}
		return nil
	})
}

func (s *Service) removeUserFromGroup(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	user := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	return nil, s.updateGroupTx(ctx, name, func(_ store.Tx, g *groupRec) error {
		i := slices.Index(g.Users, strings.ToLower(user))
		if i < 0 {
			return noSuchUser(user)
		}
		g.Users = slices.Delete(g.Users, i, i+1)
		return nil
	})
}

func (s *Service) attachGroupPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	arn := c.policyARN(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.updateGroupTx(ctx, name, func(tx store.Tx, g *groupRec) error {
		if err := attachable(tx, acct, arn); err != nil {
			return err
		}
		attached, err := attach(g.Attached, arn, "PoliciesPerGroup")
		g.Attached = attached
		return err
	})
}

func (s *Service) detachGroupPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	arn := c.policyARN(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	return nil, s.updateGroupTx(ctx, name, func(_ store.Tx, g *groupRec) error {
		attached, err := detach(g.Attached, arn)
		g.Attached = attached
		return err
	})
}

func (s *Service) listAttachedGroupPolicies(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePolicyPath, patPolicyPath)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	g, err := s.viewGroup(ctx, name)
	if err != nil {
		return nil, err
	}
	return attachedPage(g.Attached, prefix, pg)
}

func (s *Service) putGroupPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	doc, err := checkDocument(&c, form, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	return nil, s.updateGroupTx(ctx, name, func(_ store.Tx, g *groupRec) error {
		inline, err := putInline(g.Inline, policy, doc, maxInlineGroupPolicy, "group", g.Name)
		g.Inline = inline
		return err
	})
}

func (s *Service) getGroupPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	g, err := s.viewGroup(ctx, name)
	if err != nil {
		return nil, err
	}
	doc, ok := g.Inline[policy]
	if !ok {
		return nil, noSuchEntity("The group policy with name %s cannot be found.", policy)
	}
	return struct {
		GroupName      string `xml:"GroupName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{g.Name, policy, EscapeDocument(doc)}, nil
}

func (s *Service) deleteGroupPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	return nil, s.updateGroupTx(ctx, name, func(_ store.Tx, g *groupRec) error {
		if _, ok := g.Inline[policy]; !ok {
			return noSuchEntity("The group policy with name %s cannot be found.", policy)
		}
		delete(g.Inline, policy)
		return nil
	})
}

func (s *Service) listGroupPolicies(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.groupName(form)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	g, err := s.viewGroup(ctx, name)
	if err != nil {
		return nil, err
	}
	return inlineNamesPage(g.Inline, pg)
}

// putInline sets an inline policy, enforcing the entity's aggregate size quota.
func putInline(inline map[string]string, name, doc string, quota int, kind, entity string) (map[string]string, error) {
	total := policySize(doc)
	for n, d := range inline {
		if n != name {
			total += policySize(d)
		}
	}
	if total > quota {
		return inline, limitExceeded("Maximum policy size of %d bytes exceeded for %s %s", quota, kind, entity)
	}
	if inline == nil {
		inline = map[string]string{}
	}
	inline[name] = doc
	return inline, nil
}

// inlineNamesPage renders one page of a ListXPolicies answer.
func inlineNamesPage(inline map[string]string, pg paging) (any, error) {
	names := make([]string, 0, len(inline))
	for n := range inline {
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
