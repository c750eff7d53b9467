package iam

import (
	"context"
	"net/url"

	"tenkai/internal/store"
)

const maxInlineUserPolicy = 2048 // aggregate inline policy size per user

func (s *Service) putUserPolicy(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "UserName", "userName", true, 1, 128, reName, patName)
	policy := c.str(form, "PolicyName", "policyName", true, 1, 128, reName, patName)
	doc, err := checkDocument(&c, form, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	_, err = s.updateUserTx(ctx, name, func(_ store.Tx, u *userRec) error {
		inline, err := putInline(u.Inline, policy, doc, maxInlineUserPolicy, "user", u.Name)
		u.Inline = inline
		return err
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
	return inlineNamesPage(u.Inline, pg)
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
