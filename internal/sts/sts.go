// Package sts serves AWS Security Token Service over awsQuery: caller
// identity and temporary credentials. Credentials it issues carry their
// account in the access key id (edge.KeyForAccount), so requests signed with
// an assumed role's keys run in the role's account; the store remembers each
// key's identity for GetCallerIdentity.
package sts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"sync/atomic"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// Directory is what STS asks IAM. Implementations are safe for concurrent use.
type Directory interface {
	// Role reports the unique id (AROA…) and maximum session duration in
	// seconds of the role an ARN names; ok is false when it does not exist.
	Role(ctx context.Context, roleARN string) (id string, maxSession int, ok bool)
	// AccessKeyOwner reports the ARN and unique id of the IAM user owning an
	// access key; ok is false for keys IAM did not issue.
	AccessKeyOwner(ctx context.Context, key string) (arn, userID string, ok bool)
	// RoleUsed records that a role was assumed from region (RoleLastUsed).
	RoleUsed(ctx context.Context, roleARN, region string)
}

// Config configures the STS service.
type Config struct {
	Store     store.Store  // required
	Clock     clock.Clock  // nil means clock.Real
	Logger    *slog.Logger // nil means slog.Default()
	Directory Directory    // nil means no roles or users are known: ids are derived from ARNs
	// Rand is the source of keys, secrets and tokens; it must be safe for
	// concurrent use. nil means crypto/rand.
	Rand io.Reader
}

// Service is the STS service. It is safe for concurrent use.
type Service struct {
	st   store.Store
	clk  clock.Clock
	log  *slog.Logger
	dir  Directory
	rand io.Reader
	ops  map[string]edge.QueryHandler

	issued atomic.Uint64 // credentials issued, for purge scheduling
}

// New returns the STS service. It does no I/O.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	s := &Service{st: cfg.Store, clk: cfg.Clock, log: cfg.Logger, dir: cfg.Directory, rand: cfg.Rand}
	s.ops = map[string]edge.QueryHandler{
		"GetCallerIdentity":         s.getCallerIdentity,
		"AssumeRole":                s.assumeRole,
		"AssumeRoleWithWebIdentity": s.assumeRoleWithWebIdentity,
		"GetSessionToken":           s.getSessionToken,
		"GetFederationToken":        s.getFederationToken,
		"GetAccessKeyInfo":          s.getAccessKeyInfo,
	}
	return s
}

// Name is STS's SigV4 signing name.
func (s *Service) Name() string { return "sts" }

// XMLNamespace is the xmlns of STS responses.
func (s *Service) XMLNamespace() string { return "https://sts.amazonaws.com/doc/2011-06-15/" }

// Actions lists the supported actions, sorted.
func (s *Service) Actions() []string {
	out := make([]string, 0, len(s.ops))
	for a := range s.ops {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Op returns the handler for action, or nil.
func (s *Service) Op(action string) edge.QueryHandler { return s.ops[action] }

// session is what the store remembers about an issued access key.
type session struct {
	Account string    `json:"account"`
	Arn     string    `json:"arn"`
	UserID  string    `json:"userId"`
	Expires time.Time `json:"expires"`
	// Role is true for role sessions (AssumeRole*), false for GetSessionToken.
	Role bool `json:"role"`
}

// sessionsBucket maps issued access key ids to their session. Keys carry
// their account, so it is global.
const sessionsBucket = "sts/sessions"

func (s *Service) lookup(key string) (session, bool) {
	var sess session
	found := false
	_ = s.st.View(func(tx store.Tx) error {
		raw := tx.Bucket(sessionsBucket).Get([]byte(key))
		found = raw != nil && json.Unmarshal(raw, &sess) == nil
		return nil
	})
	return sess, found
}

// identity is who signed the request.
type identity struct {
	Account, Arn, UserID string
	sess                 *session // nil for long-term credentials
}

// caller resolves the request's access key to an identity: a session STS
// issued, an IAM user's key, or else the account's root user.
func (s *Service) caller(ctx context.Context) (identity, error) {
	m := edge.MetaFrom(ctx)
	if sess, ok := s.lookup(m.AccessKey); ok {
		if !s.clk.Now().Before(sess.Expires) {
			return identity{}, edge.NewError(403, "ExpiredToken", "The security token included in the request is expired")
		}
		return identity{Account: sess.Account, Arn: sess.Arn, UserID: sess.UserID, sess: &sess}, nil
	}
	if s.dir != nil && m.AccessKey != "" {
		if arn, id, ok := s.dir.AccessKeyOwner(ctx, m.AccessKey); ok {
			return identity{Account: m.Account, Arn: arn, UserID: id}, nil
		}
	}
	return identity{Account: m.Account, Arn: "arn:aws:iam::" + m.Account + ":root", UserID: m.Account}, nil
}

type xmlCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type xmlAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

// isoTime formats t as STS does: ISO 8601 in UTC with whole seconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

const (
	keyAlphabet    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func (s *Service) randomString(n int, alphabet string) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// issue mints credentials for sess, valid for d, and remembers them. Key ids
// have only four random characters per account, so a taken one is redrawn.
func (s *Service) issue(sess session, d time.Duration) (xmlCredentials, error) {
	secret, err := s.randomString(40, secretAlphabet)
	if err != nil {
		return xmlCredentials{}, err
	}
	token, err := s.randomString(356, secretAlphabet)
	if err != nil {
		return xmlCredentials{}, err
	}
	now := s.clk.Now().UTC().Truncate(time.Second)
	sess.Expires = now.Add(d)
	raw, err := json.Marshal(sess)
	if err != nil {
		return xmlCredentials{}, fmt.Errorf("encode session: %w", err)
	}
	var key string
	err = s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(sessionsBucket)
		if s.issued.Add(1)%purgeEvery == 0 {
			if err := purge(b, now.Add(-purgeAfter)); err != nil {
				return err
			}
		}
		for range 64 {
			suffix, err := s.randomString(4, keyAlphabet)
			if err != nil {
				return err
			}
			key = edge.KeyForAccount("ASIA", sess.Account, suffix)
			if b.Get([]byte(key)) == nil {
				return b.Put([]byte(key), raw)
			}
		}
		return errors.New("sts: no free access key id")
	})
	if err != nil {
		return xmlCredentials{}, fmt.Errorf("store session: %w", err)
	}
	return xmlCredentials{
		AccessKeyID: key, SecretAccessKey: secret,
		SessionToken: "IQoJb3JpZ2luX2VjE" + token, Expiration: isoTime(sess.Expires),
	}, nil
}

// Sessions that expired over a day ago are forgotten, checked every
// purgeEvery issues; until then their keys answer ExpiredToken.
const (
	purgeEvery = 256
	purgeAfter = 24 * time.Hour
)

// purge deletes sessions that expired before cutoff.
func purge(b store.Bucket, cutoff time.Time) error {
	var stale [][]byte
	b.Scan(nil, nil, false, func(k, v []byte) bool {
		var sess session
		if json.Unmarshal(v, &sess) == nil && sess.Expires.Before(cutoff) {
			stale = append(stale, append([]byte(nil), k...))
		}
		return true
	})
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) getCallerIdentity(ctx context.Context, _ url.Values) (any, error) {
	id, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	return struct {
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
		Arn     string `xml:"Arn"`
	}{id.UserID, id.Account, id.Arn}, nil
}

func (s *Service) getAccessKeyInfo(ctx context.Context, form url.Values) (any, error) {
	var c checker
	key := c.str(form, "AccessKeyId", "accessKeyId", true, 16, 128, reKeyID, `[\w]*`)
	if err := c.err(); err != nil {
		return nil, err
	}
	return struct {
		Account string `xml:"Account"`
	}{edge.AccountForKey(key, edge.MetaFrom(ctx).Account)}, nil
}
