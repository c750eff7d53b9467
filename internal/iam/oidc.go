package iam

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// oidcRec is a stored OpenID Connect identity provider, keyed by its ARN.
type oidcRec struct {
	URL         string    `json:"url"` // without the https:// scheme, as IAM keeps it
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []Tag     `json:"tags,omitempty"`
}

func oidcBucket(acct string) string { return "iam/oidc/" + acct }

// oidcHost strips the scheme from a provider URL: IAM stores and shows
// "token.actions.githubusercontent.com", and names the provider after it.
func oidcHost(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	return strings.TrimSuffix(u.Host+u.Path, "/"), true
}

func (s *Service) createOpenIDConnectProvider(ctx context.Context, form url.Values) (any, error) {
	var c checker
	raw := c.str(form, "Url", "url", true, 1, 255, nil, "")
	clientIDs := edge.QueryList(form, "ClientIDList")
	thumbs := edge.QueryList(form, "ThumbprintList")
	for i, tp := range thumbs {
		c.check(tp, "thumbprintList."+strconv.Itoa(i+1)+".member", 40, 40, nil, "")
	}
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	host, ok := oidcHost(raw)
	if !ok {
		return nil, invalidInput("Invalid Open ID Connect Provider URL")
	}
	acct := account(ctx)
	arn := "arn:aws:iam::" + acct + ":oidc-provider/" + host
	rec := oidcRec{URL: host, ClientIDs: clientIDs, Thumbprints: thumbs, Created: s.now(), Tags: tags}
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(oidcBucket(acct))
		if b.Get([]byte(arn)) != nil {
			return alreadyExists("Provider with url %s already exists.", raw)
		}
		return putJSON(b, arn, rec)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		OpenIDConnectProviderArn string    `xml:"OpenIDConnectProviderArn"`
		Tags                     list[Tag] `xml:"Tags,omitempty"`
	}{arn, tags}, nil
}

func (s *Service) loadOIDC(ctx context.Context, c *checker, form url.Values) (string, oidcRec, error) {
	arn := c.str(form, "OpenIDConnectProviderArn", "openIDConnectProviderArn", true, 20, 2048, nil, "")
	if err := c.err(); err != nil {
		return "", oidcRec{}, err
	}
	var rec oidcRec
	found := false
	_ = s.st.View(func(tx store.Tx) error {
		found = getJSON(tx.Bucket(oidcBucket(account(ctx))), arn, &rec)
		return nil
	})
	if !found {
		return "", oidcRec{}, noSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
	}
	return arn, rec, nil
}

func (s *Service) getOpenIDConnectProvider(ctx context.Context, form url.Values) (any, error) {
	_, rec, err := s.loadOIDC(ctx, &checker{}, form)
	if err != nil {
		return nil, err
	}
	return struct {
		URL            string       `xml:"Url"`
		ClientIDList   list[string] `xml:"ClientIDList"`
		ThumbprintList list[string] `xml:"ThumbprintList"`
		CreateDate     string       `xml:"CreateDate"`
		Tags           list[Tag]    `xml:"Tags,omitempty"`
	}{rec.URL, rec.ClientIDs, rec.Thumbprints, isoTime(rec.Created), rec.Tags}, nil
}

func (s *Service) deleteOpenIDConnectProvider(ctx context.Context, form url.Values) (any, error) {
	arn, _, err := s.loadOIDC(ctx, &checker{}, form)
	if err != nil {
		return nil, err
	}
	return nil, s.st.Update(func(tx store.Tx) error {
		return tx.Bucket(oidcBucket(account(ctx))).Delete([]byte(arn))
	})
}

func (s *Service) listOpenIDConnectProviders(ctx context.Context, _ url.Values) (any, error) {
	type entry struct {
		Arn string `xml:"Arn"`
	}
	out := list[entry]{}
	_ = s.st.View(func(tx store.Tx) error {
		tx.Bucket(oidcBucket(account(ctx))).Scan(nil, nil, false, func(k, _ []byte) bool {
			out = append(out, entry{string(k)})
			return true
		})
		return nil
	})
	return struct {
		OpenIDConnectProviderList list[entry] `xml:"OpenIDConnectProviderList"`
	}{out}, nil
}

// updateOIDC loads a provider named by OpenIDConnectProviderArn, applies fn
// and stores it.
func (s *Service) updateOIDC(ctx context.Context, c *checker, form url.Values, fn func(r *oidcRec) error) error {
	arn := c.str(form, "OpenIDConnectProviderArn", "openIDConnectProviderArn", true, 20, 2048, nil, "")
	if err := c.err(); err != nil {
		return err
	}
	return s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(oidcBucket(account(ctx)))
		var rec oidcRec
		if !getJSON(b, arn, &rec) {
			return noSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
		}
		if err := fn(&rec); err != nil {
			return err
		}
		return putJSON(b, arn, rec)
	})
}

func (s *Service) tagOpenIDConnectProvider(ctx context.Context, form url.Values) (any, error) {
	var c checker
	tags, err := c.tags(form, "Tags")
	if err != nil {
		return nil, err
	}
	return nil, s.updateOIDC(ctx, &c, form, func(r *oidcRec) error {
		merged := mergeTags(r.Tags, tags)
		if len(merged) > maxTagsPerEntity {
			return limitExceeded("The number of tags has reached the maximum limit.")
		}
		r.Tags = merged
		return nil
	})
}

func (s *Service) untagOpenIDConnectProvider(ctx context.Context, form url.Values) (any, error) {
	var c checker
	keys := edge.QueryList(form, "TagKeys")
	return nil, s.updateOIDC(ctx, &c, form, func(r *oidcRec) error {
		r.Tags = dropTags(r.Tags, keys)
		return nil
	})
}

func (s *Service) listOpenIDConnectProviderTags(ctx context.Context, form url.Values) (any, error) {
	var c checker
	pg := c.paging(form)
	_, rec, err := s.loadOIDC(ctx, &c, form)
	if err != nil {
		return nil, err
	}
	return tagPage(rec.Tags, pg)
}

func (s *Service) addClientIDToOpenIDConnectProvider(ctx context.Context, form url.Values) (any, error) {
	var c checker
	id := c.str(form, "ClientID", "clientID", true, 1, 255, nil, "")
	return nil, s.updateOIDC(ctx, &c, form, func(r *oidcRec) error {
		if !contains(r.ClientIDs, id) {
			r.ClientIDs = append(r.ClientIDs, id)
		}
		return nil
	})
}

func (s *Service) removeClientIDFromOpenIDConnectProvider(ctx context.Context, form url.Values) (any, error) {
	var c checker
	id := c.str(form, "ClientID", "clientID", true, 1, 255, nil, "")
	return nil, s.updateOIDC(ctx, &c, form, func(r *oidcRec) error {
		r.ClientIDs = filter(r.ClientIDs, func(x string) bool { return x != id })
		return nil
	})
}

func (s *Service) updateOpenIDConnectProviderThumbprint(ctx context.Context, form url.Values) (any, error) {
	var c checker
	thumbs := edge.QueryList(form, "ThumbprintList")
	if !has(form, "ThumbprintList.member.1") && !has(form, "ThumbprintList") {
		c.add("Value null at 'thumbprintList' failed to satisfy constraint: Member must not be null")
	}
	for i, tp := range thumbs {
		c.check(tp, "thumbprintList."+strconv.Itoa(i+1)+".member", 40, 40, nil, "")
	}
	return nil, s.updateOIDC(ctx, &c, form, func(r *oidcRec) error {
		r.Thumbprints = thumbs
		return nil
	})
}
