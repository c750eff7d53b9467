package sts

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"tenkai/internal/edge"
)

// Session duration limits, in seconds.
const (
	defaultRoleSession  = 3600
	maxRoleSession      = 43200
	roleChainingMax     = 3600
	defaultSessionToken = 43200
	maxSessionToken     = 129600
	minSession          = 900
)

// role is a parsed role ARN with what IAM knows of it.
type role struct {
	arn, partition, account, name string
	id                            string
	maxSession                    int // 0 when IAM does not know the role
}

// resolveRole parses a role ARN and asks IAM for the role's id. Roles IAM
// does not know still work (nothing is enforced): their id is derived from
// the ARN so it is stable.
func (s *Service) resolveRole(ctx context.Context, arn string) (role, error) {
	m := reRoleARN().FindStringSubmatch(arn)
	if m == nil {
		return role{}, validationError("Request ARN is invalid")
	}
	r := role{arn: arn, partition: m[1], account: m[2], name: m[3]}
	if s.dir != nil {
		if id, max, ok := s.dir.Role(ctx, arn); ok {
			r.id, r.maxSession = id, max
		}
	}
	if r.id == "" {
		r.id = "AROA" + derivedID(arn)
	}
	return r, nil
}

// derivedID makes 17 stable id characters from s.
func derivedID(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(s))
	b := make([]byte, 17)
	for i := range b {
		b[i] = alphabet[sum[i]%32]
	}
	return string(b)
}

// roleRequest is the part AssumeRole and AssumeRoleWithWebIdentity share.
type roleRequest struct {
	role     role
	session  string
	duration int // seconds
}

func (s *Service) readRoleRequest(ctx context.Context, c *checker, form url.Values) (roleRequest, error) {
	arn := c.str(form, "RoleArn", "roleArn", true, 20, 2048, nil, "")
	sessName := c.str(form, "RoleSessionName", "roleSessionName", true, 2, 64, reSessionName, patSessionName)
	dur := c.integer(form, "DurationSeconds", "durationSeconds", minSession, maxRoleSession)
	c.str(form, "Policy", "policy", false, 1, 0, rePolicy, patPolicy)
	if err := c.err(); err != nil {
		return roleRequest{}, err
	}
	if p := form.Get("Policy"); p != "" && !json.Valid([]byte(p)) {
		return roleRequest{}, edge.Errorf("MalformedPolicyDocument", "The policy is not in the valid JSON format.")
	}
	r, err := s.resolveRole(ctx, arn)
	if err != nil {
		return roleRequest{}, err
	}
	if dur == 0 {
		dur = defaultRoleSession
	}
	if r.maxSession > 0 && dur > r.maxSession {
		return roleRequest{}, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return roleRequest{role: r, session: sessName, duration: dur}, nil
}

// assumed issues credentials for a role session and renders AssumedRoleUser.
func (s *Service) assumed(ctx context.Context, rr roleRequest) (xmlCredentials, xmlAssumedRoleUser, error) {
	user := xmlAssumedRoleUser{
		AssumedRoleID: rr.role.id + ":" + rr.session,
		Arn:           "arn:" + rr.role.partition + ":sts::" + rr.role.account + ":assumed-role/" + rr.role.name + "/" + rr.session,
	}
	creds, err := s.issue(session{Account: rr.role.account, Arn: user.Arn, UserID: user.AssumedRoleID, Role: true},
		time.Duration(rr.duration)*time.Second)
	if err == nil && s.dir != nil && rr.role.maxSession > 0 {
		s.dir.RoleUsed(ctx, rr.role.arn, edge.MetaFrom(ctx).Region)
	}
	return creds, user, err
}

func (s *Service) assumeRole(ctx context.Context, form url.Values) (any, error) {
	var c checker
	c.str(form, "ExternalId", "externalId", false, 2, 1224, reExternalID, patExternalID)
	source := c.str(form, "SourceIdentity", "sourceIdentity", false, 2, 64, reSessionName, patSessionName)
	c.str(form, "SerialNumber", "serialNumber", false, 9, 256, reSerial, patSerial)
	c.str(form, "TokenCode", "tokenCode", false, 6, 6, reTokenCode, patTokenCode)
	c.sessionTags(form)
	rr, err := s.readRoleRequest(ctx, &c, form)
	if err != nil {
		return nil, err
	}
	caller, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if caller.sess != nil && caller.sess.Role && has(form, "DurationSeconds") && rr.duration > roleChainingMax {
		return nil, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	creds, user, err := s.assumed(ctx, rr)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials     xmlCredentials     `xml:"Credentials"`
		AssumedRoleUser xmlAssumedRoleUser `xml:"AssumedRoleUser"`
		SourceIdentity  string             `xml:"SourceIdentity,omitempty"`
	}{creds, user, source}, nil
}

func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, form url.Values) (any, error) {
	var c checker
	token := c.str(form, "WebIdentityToken", "webIdentityToken", true, 4, 20000, nil, "")
	provider := c.str(form, "ProviderId", "providerId", false, 4, 2048, nil, "")
	rr, err := s.readRoleRequest(ctx, &c, form)
	if err != nil {
		return nil, err
	}
	claims, ok := parseJWT(token)
	if !ok {
		return nil, edge.Errorf("InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
	}
	creds, user, err := s.assumed(ctx, rr)
	if err != nil {
		return nil, err
	}
	if provider == "" {
		provider = claims.issuer
	}
	return struct {
		Credentials                 xmlCredentials     `xml:"Credentials"`
		SubjectFromWebIdentityToken string             `xml:"SubjectFromWebIdentityToken,omitempty"`
		AssumedRoleUser             xmlAssumedRoleUser `xml:"AssumedRoleUser"`
		Provider                    string             `xml:"Provider,omitempty"`
		Audience                    string             `xml:"Audience,omitempty"`
	}{creds, claims.subject, user, provider, claims.audience}, nil
}

type jwtClaims struct{ subject, issuer, audience string }

// parseJWT reads the claims of a compact JWS without checking its signature:
// tenkai trusts every identity provider.
func parseJWT(token string) (jwtClaims, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return jwtClaims{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return jwtClaims{}, false
	}
	var body struct {
		Sub string          `json:"sub"`
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(raw, &body) != nil {
		return jwtClaims{}, false
	}
	cl := jwtClaims{subject: body.Sub, issuer: strings.TrimPrefix(body.Iss, "https://")}
	var one string
	var many []string
	if json.Unmarshal(body.Aud, &one) == nil {
		cl.audience = one
	} else if json.Unmarshal(body.Aud, &many) == nil && len(many) > 0 {
		cl.audience = many[0]
	}
	return cl, true
}

func (s *Service) getSessionToken(ctx context.Context, form url.Values) (any, error) {
	var c checker
	dur := c.integer(form, "DurationSeconds", "durationSeconds", minSession, maxSessionToken)
	if err := c.err(); err != nil {
		return nil, err
	}
	caller, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if caller.sess != nil {
		return nil, edge.NewError(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	if dur == 0 {
		dur = defaultSessionToken
	}
	if strings.HasSuffix(caller.Arn, ":root") && dur > defaultRoleSession {
		dur = defaultRoleSession // root sessions last at most an hour
	}
	creds, err := s.issue(session{Account: caller.Account, Arn: caller.Arn, UserID: caller.UserID}, time.Duration(dur)*time.Second)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials xmlCredentials `xml:"Credentials"`
	}{creds}, nil
}

func (s *Service) getFederationToken(ctx context.Context, form url.Values) (any, error) {
	var c checker
	name := c.str(form, "Name", "name", true, 2, 32, reSessionName, patSessionName)
	dur := c.integer(form, "DurationSeconds", "durationSeconds", minSession, maxSessionToken)
	c.str(form, "Policy", "policy", false, 1, 0, rePolicy, patPolicy)
	if err := c.err(); err != nil {
		return nil, err
	}
	if p := form.Get("Policy"); p != "" && !json.Valid([]byte(p)) {
		return nil, edge.Errorf("MalformedPolicyDocument", "The policy is not in the valid JSON format.")
	}
	caller, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if caller.sess != nil {
		return nil, edge.NewError(403, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	}
	if dur == 0 {
		dur = defaultSessionToken
	}
	if strings.HasSuffix(caller.Arn, ":root") && dur > defaultRoleSession {
		dur = defaultRoleSession // root sessions last at most an hour
	}
	user := struct {
		FederatedUserID string `xml:"FederatedUserId"`
		Arn             string `xml:"Arn"`
	}{caller.Account + ":" + name, "arn:aws:sts::" + caller.Account + ":federated-user/" + name}
	creds, err := s.issue(session{Account: caller.Account, Arn: user.Arn, UserID: user.FederatedUserID}, time.Duration(dur)*time.Second)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials   xmlCredentials `xml:"Credentials"`
		FederatedUser any            `xml:"FederatedUser"`
	}{creds, user}, nil
}

func has(form url.Values, k string) bool { _, ok := form[k]; return ok }

// Credentials are temporary credentials issued by STS.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// RoleCredentials issues credentials for a session of roleARN as AssumeRole
// does, for services that run code under a role (Lambda hands a function its
// execution role's credentials, with the function name as session name).
// GetCallerIdentity with them reports the assumed role, and requests signed
// with them run in the role's account. d is clamped to 15 minutes..12 hours.
// It is safe for concurrent use.
func (s *Service) RoleCredentials(ctx context.Context, roleARN, sessionName string, d time.Duration) (Credentials, error) {
	if n := len(sessionName); n < 2 || n > 64 || !reSessionName().MatchString(sessionName) {
		return Credentials{}, validationError("invalid role session name " + short(sessionName))
	}
	r, err := s.resolveRole(ctx, roleARN)
	if err != nil {
		return Credentials{}, err
	}
	secs := int(min(max(d, minSession*time.Second), maxRoleSession*time.Second) / time.Second)
	creds, _, err := s.assumed(ctx, roleRequest{role: r, session: sessionName, duration: secs})
	if err != nil {
		return Credentials{}, err
	}
	exp, err := time.Parse(time.RFC3339, creds.Expiration)
	if err != nil {
		return Credentials{}, fmt.Errorf("parse expiration: %w", err)
	}
	return Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken, Expiration: exp}, nil
}
