package iam

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// profileRec is a stored instance profile. Roles holds lower-cased role
// names; IAM allows one role per profile.
type profileRec struct {
	Name    string   `json:"name"`
	Path    string   `json:"path"`
	ID      string   `json:"id"`
	Arn     string   `json:"arn"`
	Created string   `json:"created"`
	Roles   []string `json:"roles,omitempty"`
	Tags    []Tag    `json:"tags,omitempty"`
}

type xmlProfile struct {
	Path                string        `xml:"Path"`
	InstanceProfileName string        `xml:"InstanceProfileName"`
	InstanceProfileID   string        `xml:"InstanceProfileId"`
	Arn                 string        `xml:"Arn"`
	CreateDate          string        `xml:"CreateDate"`
	Roles               list[xmlRole] `xml:"Roles"`
	Tags                list[Tag]     `xml:"Tags,omitempty"`
}

func profilesBucket(acct string) string { return "iam/instanceprofiles/" + acct }

func noSuchProfile(name string) error {
	return noSuchEntity("Instance Profile %s cannot be found.", name)
}

// profilesOf returns the instance profiles holding the named role.
func profilesOf(tx store.Tx, acct, role string) []profileRec {
	var out []profileRec
	for _, p := range scanJSON[profileRec](tx.Bucket(profilesBucket(acct))) {
		if slices.Contains(p.Roles, strings.ToLower(role)) {
			out = append(out, p)
		}
	}
	return out
}

// profileXML renders a profile with its roles as ListRoles shows them.
func profileXML(tx store.Tx, acct string, p *profileRec) xmlProfile {
	x := xmlProfile{Path: p.Path, InstanceProfileName: p.Name, InstanceProfileID: p.ID, Arn: p.Arn, CreateDate: p.Created, Tags: p.Tags, Roles: list[xmlRole]{}}
	for _, name := range p.Roles {
		if r, err := loadRole(tx, acct, name); err == nil {
			x.Roles = append(x.Roles, roleXML(r, false))
		}
	}
	return x
}

func (s *Service) createInstanceProfile(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	path := c.str(form, "Path", "path", false, 1, 512, rePath, patPath)
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	id, err := s.newID("AIPA")
	if err != nil {
		return nil, err
	}
	acct := account(ctx)
	p := &profileRec{Name: name, Path: path, ID: id, Arn: "arn:aws:iam::" + acct + ":instance-profile" + path + name, Created: isoTime(s.now()), Tags: tags}
	var x xmlProfile
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(profilesBucket(acct))
		if b.Get([]byte(strings.ToLower(name))) != nil {
			return alreadyExists("Instance Profile %s already exists.", name)
		}
		x = profileXML(tx, acct, p)
		return putJSON(b, strings.ToLower(name), p)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		InstanceProfile xmlProfile `xml:"InstanceProfile"`
	}{x}, nil
}

func (s *Service) getInstanceProfile(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	var x xmlProfile
	err := s.st.View(func(tx store.Tx) error {
		var p profileRec
		if !getJSON(tx.Bucket(profilesBucket(acct)), strings.ToLower(name), &p) {
			return noSuchProfile(name)
		}
		x = profileXML(tx, acct, &p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		InstanceProfile xmlProfile `xml:"InstanceProfile"`
	}{x}, nil
}

// updateProfileTx loads a profile, applies fn and stores it.
func (s *Service) updateProfileTx(ctx context.Context, name string, fn func(tx store.Tx, p *profileRec) error) error {
	acct := account(ctx)
	return s.st.Update(func(tx store.Tx) error {
		var p profileRec
		b := tx.Bucket(profilesBucket(acct))
		if !getJSON(b, strings.ToLower(name), &p) {
			return noSuchProfile(name)
		}
		if err := fn(tx, &p); err != nil {
			return err
		}
		return putJSON(b, strings.ToLower(p.Name), &p)
	})
}

func (s *Service) deleteInstanceProfile(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		var p profileRec
		b := tx.Bucket(profilesBucket(acct))
		if !getJSON(b, strings.ToLower(name), &p) {
			return noSuchProfile(name)
		}
		if len(p.Roles) > 0 {
			return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		return b.Delete([]byte(strings.ToLower(p.Name)))
	})
}

func (s *Service) addRoleToInstanceProfile(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	role := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.updateProfileTx(ctx, name, func(tx store.Tx, p *profileRec) error {
		r, err := loadRole(tx, acct, role)
		if err != nil {
			return err
		}
		// A profile holds one role; adding it again hits the same quota.
		if len(p.Roles) >= 1 {
			return limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		}
		p.Roles = append(p.Roles, strings.ToLower(r.Name))
		return nil
	})
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	role := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	return nil, s.updateProfileTx(ctx, name, func(_ store.Tx, p *profileRec) error {
		i := slices.Index(p.Roles, strings.ToLower(role))
		if i < 0 {
			return noSuchRole(role)
		}
		p.Roles = slices.Delete(p.Roles, i, i+1)
		return nil
	})
}

func (s *Service) listInstanceProfiles(ctx context.Context, form url.Values) (any, error) {
	var c checker
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePathPrefix, patPathPrefix)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	return s.profilePage(ctx, pg, func(tx store.Tx, acct string) ([]profileRec, error) {
		all := scanJSON[profileRec](tx.Bucket(profilesBucket(acct)))
		return filter(all, func(p profileRec) bool { return strings.HasPrefix(p.Path, prefix) }), nil
	})
}

func (s *Service) listInstanceProfilesForRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	role := c.str(form, "RoleName", "roleName", true, 1, 64, reName, patName)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	return s.profilePage(ctx, pg, func(tx store.Tx, acct string) ([]profileRec, error) {
		if _, err := loadRole(tx, acct, role); err != nil {
			return nil, err
		}
		return profilesOf(tx, acct, role), nil
	})
}

// profilePage renders one page of the profiles pick selects.
func (s *Service) profilePage(ctx context.Context, pg paging, pick func(tx store.Tx, acct string) ([]profileRec, error)) (any, error) {
	acct := account(ctx)
	var out list[xmlProfile]
	var p page
	err := s.st.View(func(tx store.Tx) error {
		all, err := pick(tx, acct)
		if err != nil {
			return err
		}
		items, pp, err := paginate(all, func(p profileRec) string { return strings.ToLower(p.Name) }, pg)
		if err != nil {
			return err
		}
		p = pp
		out = make(list[xmlProfile], len(items))
		for i := range items {
			out[i] = profileXML(tx, acct, &items[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		InstanceProfiles list[xmlProfile] `xml:"InstanceProfiles"`
		page
	}{out, p}, nil
}

func (s *Service) tagInstanceProfile(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return nil, s.updateProfileTx(ctx, name, func(_ store.Tx, p *profileRec) error {
		merged := mergeTags(p.Tags, tags)
		if len(merged) > maxTagsPerEntity {
			return limitExceeded("The number of tags has reached the maximum limit.")
		}
		p.Tags = merged
		return nil
	})
}

func (s *Service) untagInstanceProfile(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	keys := edge.QueryList(form, "TagKeys")
	return nil, s.updateProfileTx(ctx, name, func(_ store.Tx, p *profileRec) error {
		p.Tags = dropTags(p.Tags, keys)
		return nil
	})
}

func (s *Service) listInstanceProfileTags(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "InstanceProfileName", "instanceProfileName", true, 1, 128, reName, patName)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	var p profileRec
	found := false
	_ = s.st.View(func(tx store.Tx) error {
		found = getJSON(tx.Bucket(profilesBucket(account(ctx))), strings.ToLower(name), &p)
		return nil
	})
	if !found {
		return nil, noSuchProfile(name)
	}
	return tagPage(p.Tags, pg)
}
