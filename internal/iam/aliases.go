package iam

import (
	"context"
	"net/url"

	"tenkai/internal/store"
)

// Account aliases: globally unique, at most one per account.

var (
	reAlias  = lazyRegexp(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9])*$`)
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
