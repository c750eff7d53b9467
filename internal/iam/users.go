package iam

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

const maxKeysPerUser = 2 // AccessKeysPerUser

func userARN(acct, path, name string) string { return "arn:aws:iam::" + acct + ":user" + path + name }

func userXML(u *userRec, full bool) xmlUser {
	x := xmlUser{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: u.Arn, CreateDate: isoTime(u.Created)}
	if full {
		x.PermissionsBoundary = boundaryXML(u.Boundary)
		x.Tags = u.Tags
	}
	return x
}

func noSuchUser(name string) error {
	return noSuchEntity("The user with name %s cannot be found.", name)
}

func loadUser(tx store.Tx, acct, name string) (*userRec, error) {
	var u userRec
	if !getJSON(tx.Bucket(usersBucket(acct)), strings.ToLower(name), &u) {
		return nil, noSuchUser(name)
	}
	return &u, nil
}

func (s *Service) updateUserTx(ctx context.Context, name string, fn func(tx store.Tx, u *userRec) error) (*userRec, error) {
	acct := account(ctx)
	var out *userRec
	err := s.st.Update(func(tx store.Tx) error {
		u, err := loadUser(tx, acct, name)
		if err != nil {
			return err
		}
		if err := fn(tx, u); err != nil {
			return err
		}
		out = u
		return putJSON(tx.Bucket(usersBucket(acct)), strings.ToLower(u.Name), u)
	})
	return out, err
}

// callerUser is the IAM user whose access key signed the request, or "".
func (s *Service) callerUser(ctx context.Context) string {
	m := edge.MetaFrom(ctx)
	var ref keyRef
	_ = s.st.View(func(tx store.Tx) error {
		getJSON(tx.Bucket(keyIndexBucket), m.AccessKey, &ref)
		return nil
	})
	if ref.Account != m.Account {
		return ""
	}
	return ref.User
}

// userName reads an optional UserName, defaulting to the calling user as IAM
// does; root and role credentials must name one.
func (s *Service) userName(ctx context.Context, c *checker, form url.Values) (string, error) {
	name := c.str(form, "UserName", "userName", false, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return "", err
	}
	if name != "" {
		return name, nil
	}
	if name = s.callerUser(ctx); name == "" {
		return "", validationError("Must specify userName when calling with non-User credentials")
	}
	return name, nil
}

func (s *Service) createUser(ctx context.Context, form url.Values) (any, error) {
	var c checker
	path := c.str(form, "Path", "path", false, 1, 512, rePath, patPath)
	name := c.str(form, "UserName", "userName", true, 1, 64, reName, patName)
	boundary := c.str(form, "PermissionsBoundary", "permissionsBoundary", false, 20, 2048, nil, "")
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
	id, err := s.newID("AIDA")
	if err != nil {
		return nil, err
	}
	acct := account(ctx)
	u := &userRec{Name: name, Path: path, ID: id, Arn: userARN(acct, path, name), Created: s.now(), Tags: tags, Boundary: boundary}
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(usersBucket(acct))
		if b.Get([]byte(strings.ToLower(name))) != nil {
			return alreadyExists("User with name %s already exists.", name)
		}
		if boundary != "" {
			if err := boundaryAttachable(tx, acct, boundary); err != nil {
				return err
			}
		}
		return putJSON(b, strings.ToLower(name), u)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		User xmlUser `xml:"User"`
	}{userXML(u, true)}, nil
}

func (s *Service) getUser(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", false, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	if name == "" {
		if name = s.callerUser(ctx); name == "" {
			if strings.HasPrefix(edge.MetaFrom(ctx).AccessKey, "ASIA") {
				return nil, validationError("Must specify userName when calling with non-User credentials")
			}
			// Root credentials: IAM describes the account's root user.
			return struct {
				User xmlUser `xml:"User"`
			}{xmlUser{UserID: acct, Arn: "arn:aws:iam::" + acct + ":root", CreateDate: isoTime(awsPolicyDate)}}, nil
		}
	}
	var u *userRec
	err := s.st.View(func(tx store.Tx) error {
		var err error
		u, err = loadUser(tx, acct, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		User xmlUser `xml:"User"`
	}{userXML(u, true)}, nil
}

func (s *Service) deleteUser(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		u, err := loadUser(tx, acct, name)
		if err != nil {
			return err
		}
		if len(u.Keys) > 0 {
			return deleteConflict("Cannot delete entity, must delete access keys first.")
		}
		if len(u.Attached) > 0 {
			return deleteConflict("Cannot delete entity, must detach all policies first.")
		}
		if len(u.Inline) > 0 {
			return deleteConflict("Cannot delete entity, must delete policies first.")
		}
		if len(groupsOf(tx, acct, u.Name)) > 0 {
			return deleteConflict("Cannot delete entity, must remove user from all groups first.")
		}
		return tx.Bucket(usersBucket(acct)).Delete([]byte(strings.ToLower(u.Name)))
	})
}

func (s *Service) listUsers(ctx context.Context, form url.Values) (any, error) {
	var c checker
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePathPrefix, patPathPrefix)
	pg := c.paging(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	var users []userRec
	_ = s.st.View(func(tx store.Tx) error {
		users = scanJSON[userRec](tx.Bucket(usersBucket(account(ctx))))
		return nil
	})
	users = filter(users, func(u userRec) bool { return strings.HasPrefix(u.Path, prefix) })
	items, p, err := paginate(users, func(u userRec) string { return strings.ToLower(u.Name) }, pg)
	if err != nil {
		return nil, err
	}
	out := make(list[xmlUser], len(items))
	for i := range items {
		out[i] = userXML(&items[i], false)
	}
	return struct {
		Users list[xmlUser] `xml:"Users"`
		page
	}{out, p}, nil
}

func (s *Service) tagUser(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err = s.updateUserTx(ctx, name, func(_ store.Tx, u *userRec) error {
		merged := mergeTags(u.Tags, tags)
		if len(merged) > maxTagsPerEntity {
			return limitExceeded("The number of tags has reached the maximum limit.")
		}
		u.Tags = merged
		return nil
	})
	return nil, err
}

func (s *Service) untagUser(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	keys := edge.QueryList(form, "TagKeys")
	_, err := s.updateUserTx(ctx, name, func(_ store.Tx, u *userRec) error {
		u.Tags = dropTags(u.Tags, keys)
		return nil
	})
	return nil, err
}

func (s *Service) listUserTags(ctx context.Context, form url.Values) (any, error) {
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
	return tagPage(u.Tags, pg)
}

const (
	keyAlphabet    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func (s *Service) createAccessKey(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name, err := s.userName(ctx, &c, form)
	if err != nil {
		return nil, err
	}
	acct := account(ctx)
	secret, err := s.randomString("", 40, secretAlphabet)
	if err != nil {
		return nil, err
	}
	k := keyRec{Status: "Active", Created: s.now()}
	u, err := s.updateUserTx(ctx, name, func(tx store.Tx, u *userRec) error {
		if len(u.Keys) >= maxKeysPerUser {
			return limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
		}
		// Key ids have four random characters per account: redraw taken ones.
		index := tx.Bucket(keyIndexBucket)
		for range 64 {
			suffix, err := s.randomString("", 4, keyAlphabet)
			if err != nil {
				return err
			}
			if id := edge.KeyForAccount("AKIA", acct, suffix); index.Get([]byte(id)) == nil {
				k.ID = id
				break
			}
		}
		if k.ID == "" {
			return errors.New("iam: no free access key id")
		}
		u.Keys = append(u.Keys, k)
		return putJSON(index, k.ID, keyRef{Account: acct, User: u.Name})
	})
	if err != nil {
		return nil, err
	}
	return struct {
		AccessKey xmlAccessKey `xml:"AccessKey"`
	}{xmlAccessKey{UserName: u.Name, AccessKeyID: k.ID, Status: k.Status, SecretAccessKey: secret, CreateDate: isoTime(k.Created)}}, nil
}

func (s *Service) listAccessKeys(ctx context.Context, form url.Values) (any, error) {
	var c checker
	pg := c.paging(form)
	name, err := s.userName(ctx, &c, form)
	if err != nil {
		return nil, err
	}
	var u *userRec
	err = s.st.View(func(tx store.Tx) error {
		var err error
		u, err = loadUser(tx, account(ctx), name)
		return err
	})
	if err != nil {
		return nil, err
	}
	all := make([]xmlAccessKey, len(u.Keys))
	for i, k := range u.Keys {
		all[i] = xmlAccessKey{UserName: u.Name, AccessKeyID: k.ID, Status: k.Status, CreateDate: isoTime(k.Created)}
	}
	items, p, err := paginate(withIndex(all), byIndex[xmlAccessKey], pg)
	if err != nil {
		return nil, err
	}
	return struct {
		AccessKeyMetadata list[xmlAccessKey] `xml:"AccessKeyMetadata"`
		page
	}{values(items), p}, nil
}

// withKey applies fn to the access key id of the named user.
func (s *Service) withKey(ctx context.Context, name, id string, fn func(tx store.Tx, u *userRec, i int) error) error {
	_, err := s.updateUserTx(ctx, name, func(tx store.Tx, u *userRec) error {
		for i, k := range u.Keys {
			if k.ID == id {
				return fn(tx, u, i)
			}
		}
		return noSuchEntity("The Access Key with id %s cannot be found.", id)
	})
	return err
}

// keyUser is the user an access key request names: UserName when given,
// else the key's owner (IAM finds it from the key id).
func (s *Service) keyUser(ctx context.Context, c *checker, form url.Values, id string) (string, error) {
	if !has(form, "UserName") {
		var ref keyRef
		_ = s.st.View(func(tx store.Tx) error {
			getJSON(tx.Bucket(keyIndexBucket), id, &ref)
			return nil
		})
		if ref.Account == account(ctx) && ref.User != "" {
			if err := c.err(); err != nil {
				return "", err
			}
			return ref.User, nil
		}
	}
	return s.userName(ctx, c, form)
}

func (s *Service) deleteAccessKey(ctx context.Context, form url.Values) (any, error) {
	var c checker
	id := c.str(form, "AccessKeyId", "accessKeyId", true, 16, 128, nil, "")
	name, err := s.keyUser(ctx, &c, form, id)
	if err != nil {
		return nil, err
	}
	return nil, s.withKey(ctx, name, id, func(tx store.Tx, u *userRec, i int) error {
		u.Keys = append(u.Keys[:i:i], u.Keys[i+1:]...)
		return tx.Bucket(keyIndexBucket).Delete([]byte(id))
	})
}

func (s *Service) updateAccessKey(ctx context.Context, form url.Values) (any, error) {
	var c checker
	id := c.str(form, "AccessKeyId", "accessKeyId", true, 16, 128, nil, "")
	status := c.str(form, "Status", "status", true, 0, 0, nil, "")
	if has(form, "Status") && status != "Active" && status != "Inactive" {
		c.add("Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	name, err := s.keyUser(ctx, &c, form, id)
	if err != nil {
		return nil, err
	}
	return nil, s.withKey(ctx, name, id, func(_ store.Tx, u *userRec, i int) error {
		u.Keys[i].Status = status
		return nil
	})
}

func (s *Service) attachUserPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	arn := c.policyARN(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	_, err := s.updateUserTx(ctx, name, func(tx store.Tx, u *userRec) error {
		if err := attachable(tx, acct, arn); err != nil {
			return err
		}
		attached, err := attach(u.Attached, arn, "PoliciesPerUser")
		u.Attached = attached
		return err
	})
	return nil, err
}

func (s *Service) detachUserPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	arn := c.policyARN(form)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateUserTx(ctx, name, func(_ store.Tx, u *userRec) error {
		attached, err := detach(u.Attached, arn)
		u.Attached = attached
		return err
	})
	return nil, err
}

func (s *Service) listAttachedUserPolicies(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	prefix := c.str(form, "PathPrefix", "pathPrefix", false, 1, 512, rePolicyPath, patPolicyPath)
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
	return attachedPage(u.Attached, prefix, pg)
}

func (s *Service) putUserPermissionsBoundary(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	arn := c.str(form, "PermissionsBoundary", "permissionsBoundary", true, 20, 2048, nil, "")
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	_, err := s.updateUserTx(ctx, name, func(tx store.Tx, u *userRec) error {
		if err := boundaryAttachable(tx, acct, arn); err != nil {
			return err
		}
		u.Boundary = arn
		return nil
	})
	return nil, err
}

func (s *Service) deleteUserPermissionsBoundary(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	_, err := s.updateUserTx(ctx, name, func(_ store.Tx, u *userRec) error {
		u.Boundary = ""
		return nil
	})
	return nil, err
}

// updateUser renames a user or moves it to a new path. Group memberships and
// access keys follow the user.
func (s *Service) updateUser(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	newPath := c.str(form, "NewPath", "newPath", false, 1, 512, rePath, patPath)
	newName := c.str(form, "NewUserName", "newUserName", false, 1, 64, reName, patName)
	if err := c.err(); err != nil {
		return nil, err
	}
	acct := account(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(usersBucket(acct))
		u, err := loadUser(tx, acct, name)
		if err != nil {
			return err
		}
		oldKey := strings.ToLower(u.Name)
		if newName != "" && strings.ToLower(newName) != oldKey && b.Get([]byte(strings.ToLower(newName))) != nil {
			return alreadyExists("User with name %s already exists.", newName)
		}
		if newPath != "" {
			u.Path = newPath
		}
		if newName != "" {
			u.Name = newName
		}
		u.Arn = userARN(acct, u.Path, u.Name)
		if err := b.Delete([]byte(oldKey)); err != nil {
			return err
		}
		if err := putJSON(b, strings.ToLower(u.Name), u); err != nil {
			return err
		}
		for _, k := range u.Keys {
			if err := putJSON(tx.Bucket(keyIndexBucket), k.ID, keyRef{Account: acct, User: u.Name}); err != nil {
				return err
			}
		}
		for _, g := range groupsOf(tx, acct, oldKey) {
			for i, m := range g.Users {
				if m == oldKey {
					g.Users[i] = strings.ToLower(u.Name)
				}
			}
			if err := putJSON(tx.Bucket(groupsBucket(acct)), strings.ToLower(g.Name), g); err != nil {
				return err
			}
		}
		return nil
	})
}
