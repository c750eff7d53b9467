package events

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

func connARN(region, acct, name, uuid string) string {
	return "arn:aws:events:" + region + ":" + acct + ":connection/" + name + "/" + uuid
}

func destARN(region, acct, name, uuid string) string {
	return "arn:aws:events:" + region + ":" + acct + ":api-destination/" + name + "/" + uuid
}

type connectionIn struct {
	Name              string          `json:"Name"`
	Description       *string         `json:"Description"`
	AuthorizationType string          `json:"AuthorizationType"`
	AuthParameters    json.RawMessage `json:"AuthParameters"`
}

type connectionOut struct {
	ConnectionArn    string      `json:"ConnectionArn"`
	ConnectionState  string      `json:"ConnectionState"`
	CreationTime     *edge.Epoch `json:"CreationTime,omitempty"`
	LastModifiedTime *edge.Epoch `json:"LastModifiedTime,omitempty"`
}

func validAuthType(t string) bool {
	return t == "BASIC" || t == "OAUTH_CLIENT_CREDENTIALS" || t == "API_KEY"
}

func (s *Service) createConnection(ctx context.Context, in *connectionIn) (*connectionOut, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.Name == "":
		return nil, edge.MissingMember("name")
	case !nameRe().MatchString(in.Name):
		return nil, notMatching(in.Name, "name", namePattern)
	case !validAuthType(in.AuthorizationType):
		return nil, notInEnum(in.AuthorizationType, "authorizationType", authTypes)
	case len(in.AuthParameters) == 0:
		return nil, edge.MissingMember("authParameters")
	}
	now := s.clk.Now()
	c := Connection{Name: in.Name, AuthorizationType: in.AuthorizationType, AuthParameters: in.AuthParameters,
		UUID: s.cfg.NewID(), Created: now, Modified: now}
	if in.Description != nil {
		c.Description = *in.Description
	}
	err := s.st.Update(func(tx store.Tx) error {
		b := tx.Bucket(connBucket(m.Account, m.Region))
		if b.Get([]byte(in.Name)) != nil {
			return edge.Errorf("ResourceAlreadyExistsException", "Connection %s already exists.", in.Name)
		}
		return putJSON(b, []byte(in.Name), c)
	})
	if err != nil {
		return nil, err
	}
	return &connectionOut{ConnectionArn: connARN(m.Region, m.Account, c.Name, c.UUID), ConnectionState: "AUTHORIZED",
		CreationTime: epoch(now), LastModifiedTime: epoch(now)}, nil
}

func (s *Service) loadConnection(tx store.Tx, acct, region, name string) (*Connection, error) {
	var c Connection
	ok, err := getJSON(tx.Bucket(connBucket(acct, region)), []byte(name), &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, edge.Errorf("ResourceNotFoundException", "Connection '%s' does not exist.", name)
	}
	return &c, nil
}

type describeConnectionOut struct {
	ConnectionArn      string          `json:"ConnectionArn"`
	Name               string          `json:"Name"`
	Description        string          `json:"Description,omitempty"`
	ConnectionState    string          `json:"ConnectionState"`
	AuthorizationType  string          `json:"AuthorizationType"`
	SecretArn          string          `json:"SecretArn"`
	AuthParameters     json.RawMessage `json:"AuthParameters,omitempty"`
	CreationTime       *edge.Epoch     `json:"CreationTime,omitempty"`
	LastModifiedTime   *edge.Epoch     `json:"LastModifiedTime,omitempty"`
	LastAuthorizedTime *edge.Epoch     `json:"LastAuthorizedTime,omitempty"`
}

// redacted returns auth parameters without their secrets, as DescribeConnection does.
func redacted(raw json.RawMessage) json.RawMessage {
	var p map[string]map[string]any
	if json.Unmarshal(raw, &p) != nil {
		return nil
	}
	for _, sub := range p {
		for _, secret := range []string{"ApiKeyValue", "Password", "ClientSecret"} {
			delete(sub, secret)
		}
	}
	b, _ := json.Marshal(p)
	return b
}

func (s *Service) describeConnection(ctx context.Context, in *busNameIn) (*describeConnectionOut, error) {
	m := edge.MetaFrom(ctx)
	var out *describeConnectionOut
	err := s.st.View(func(tx store.Tx) error {
		c, err := s.loadConnection(tx, m.Account, m.Region, in.Name)
		if err != nil {
			return err
		}
		out = &describeConnectionOut{ConnectionArn: connARN(m.Region, m.Account, c.Name, c.UUID), Name: c.Name, Description: c.Description,
			ConnectionState: "AUTHORIZED", AuthorizationType: c.AuthorizationType,
			SecretArn:      "arn:aws:secretsmanager:" + m.Region + ":" + m.Account + ":secret:events!connection/" + c.Name + "/" + c.UUID[:min(8, len(c.UUID))],
			AuthParameters: redacted(c.AuthParameters), CreationTime: epoch(c.Created), LastModifiedTime: epoch(c.Modified), LastAuthorizedTime: epoch(c.Modified)}
		return nil
	})
	return out, err
}

func (s *Service) updateConnection(ctx context.Context, in *connectionIn) (*connectionOut, error) {
	m := edge.MetaFrom(ctx)
	var c *Connection
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		if c, err = s.loadConnection(tx, m.Account, m.Region, in.Name); err != nil {
			return err
		}
		if in.Description != nil {
			c.Description = *in.Description
		}
		if in.AuthorizationType != "" {
			if !validAuthType(in.AuthorizationType) {
				return notInEnum(in.AuthorizationType, "authorizationType", authTypes)
			}
			c.AuthorizationType = in.AuthorizationType
		}
		if len(in.AuthParameters) > 0 {
			c.AuthParameters = in.AuthParameters
		}
		c.Modified = s.clk.Now()
		return putJSON(tx.Bucket(connBucket(m.Account, m.Region)), []byte(c.Name), c)
	})
	if err != nil {
		return nil, err
	}
	return &connectionOut{ConnectionArn: connARN(m.Region, m.Account, c.Name, c.UUID), ConnectionState: "AUTHORIZED",
		CreationTime: epoch(c.Created), LastModifiedTime: epoch(c.Modified)}, nil
}

func (s *Service) deleteConnection(ctx context.Context, in *busNameIn) (*connectionOut, error) {
	m := edge.MetaFrom(ctx)
	var c *Connection
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		if c, err = s.loadConnection(tx, m.Account, m.Region, in.Name); err != nil {
			return err
		}
		return tx.Bucket(connBucket(m.Account, m.Region)).Delete([]byte(in.Name))
	})
	if err != nil {
		return nil, err
	}
	return &connectionOut{ConnectionArn: connARN(m.Region, m.Account, c.Name, c.UUID), ConnectionState: "DELETING",
		CreationTime: epoch(c.Created), LastModifiedTime: epoch(c.Modified)}, nil
}

type listConnectionsIn struct {
	NamePrefix string `json:"NamePrefix"`
	NextToken  string `json:"NextToken"`
	Limit      int    `json:"Limit"`
}

type connectionEntry struct {
	ConnectionArn     string      `json:"ConnectionArn"`
	Name              string      `json:"Name"`
	ConnectionState   string      `json:"ConnectionState"`
	AuthorizationType string      `json:"AuthorizationType"`
	CreationTime      *edge.Epoch `json:"CreationTime,omitempty"`
	LastModifiedTime  *edge.Epoch `json:"LastModifiedTime,omitempty"`
}

type listConnectionsOut struct {
	Connections []connectionEntry `json:"Connections"`
	NextToken   string            `json:"NextToken,omitempty"`
}

func (s *Service) listConnections(ctx context.Context, in *listConnectionsIn) (*listConnectionsOut, error) {
	m := edge.MetaFrom(ctx)
	var conns []Connection
	out := &listConnectionsOut{Connections: []connectionEntry{}}
	err := s.st.View(func(tx store.Tx) error {
		var err error
		conns, out.NextToken, err = scanPage[Connection](tx, connBucket(m.Account, m.Region), nil, in.NamePrefix, in.NextToken, in.Limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		out.Connections = append(out.Connections, connectionEntry{ConnectionArn: connARN(m.Region, m.Account, c.Name, c.UUID), Name: c.Name,
			ConnectionState: "AUTHORIZED", AuthorizationType: c.AuthorizationType, CreationTime: epoch(c.Created), LastModifiedTime: epoch(c.Modified)})
	}
	return out, nil
}

type apiDestinationIn struct {
	Name                         string  `json:"Name"`
	Description                  *string `json:"Description"`
	ConnectionArn                string  `json:"ConnectionArn"`
	InvocationEndpoint           string  `json:"InvocationEndpoint"`
	HttpMethod                   string  `json:"HttpMethod"`
	InvocationRateLimitPerSecond *int    `json:"InvocationRateLimitPerSecond"`
}

type apiDestinationOut struct {
	ApiDestinationArn            string      `json:"ApiDestinationArn"`
	Name                         string      `json:"Name,omitempty"`
	Description                  string      `json:"Description,omitempty"`
	ApiDestinationState          string      `json:"ApiDestinationState"`
	ConnectionArn                string      `json:"ConnectionArn,omitempty"`
	InvocationEndpoint           string      `json:"InvocationEndpoint,omitempty"`
	HttpMethod                   string      `json:"HttpMethod,omitempty"`
	InvocationRateLimitPerSecond int         `json:"InvocationRateLimitPerSecond,omitempty"`
	CreationTime                 *edge.Epoch `json:"CreationTime,omitempty"`
	LastModifiedTime             *edge.Epoch `json:"LastModifiedTime,omitempty"`
}

func validMethod(m string) bool {
	switch m {
	case "POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE":
		return true
	}
	return false
}

func (s *Service) createAPIDestination(ctx context.Context, in *apiDestinationIn) (*apiDestinationOut, error) {
	m := edge.MetaFrom(ctx)
	switch {
	case in.Name == "":
		return nil, edge.MissingMember("name")
	case !nameRe().MatchString(in.Name):
		return nil, notMatching(in.Name, "name", namePattern)
	case in.ConnectionArn == "":
		return nil, edge.MissingMember("connectionArn")
	case in.InvocationEndpoint == "":
		return nil, edge.MissingMember("invocationEndpoint")
	case !validMethod(in.HttpMethod):
		return nil, notInEnum(in.HttpMethod, "httpMethod", httpMethods)
	}
	if u, err := url.Parse(in.InvocationEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, notMatching(in.InvocationEndpoint, "invocationEndpoint", endpointPattern)
	}
	now := s.clk.Now()
	d := APIDestination{Name: in.Name, ConnectionArn: in.ConnectionArn, Endpoint: in.InvocationEndpoint, Method: in.HttpMethod,
		UUID: s.cfg.NewID(), Created: now, Modified: now, RateLimit: 300}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.InvocationRateLimitPerSecond != nil {
		d.RateLimit = *in.InvocationRateLimitPerSecond
	}
	err := s.st.Update(func(tx store.Tx) error {
		if _, err := s.loadConnection(tx, m.Account, m.Region, connName(in.ConnectionArn)); err != nil {
			return err
		}
		b := tx.Bucket(destBucket(m.Account, m.Region))
		if b.Get([]byte(in.Name)) != nil {
			return edge.Errorf("ResourceAlreadyExistsException", "An api-destination '%s' already exists.", in.Name)
		}
		return putJSON(b, []byte(in.Name), d)
	})
	if err != nil {
		return nil, err
	}
	return &apiDestinationOut{ApiDestinationArn: destARN(m.Region, m.Account, d.Name, d.UUID), ApiDestinationState: "ACTIVE",
		CreationTime: epoch(now), LastModifiedTime: epoch(now)}, nil
}

// connName extracts the name from a connection ARN.
func connName(arn string) string {
	i := strings.Index(arn, ":connection/")
	if i < 0 {
		return arn
	}
	n, _, _ := strings.Cut(arn[i+len(":connection/"):], "/")
	return n
}

func (s *Service) loadDest(tx store.Tx, acct, region, name string) (*APIDestination, error) {
	var d APIDestination
	ok, err := getJSON(tx.Bucket(destBucket(acct, region)), []byte(name), &d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, edge.Errorf("ResourceNotFoundException", "An api-destination '%s' does not exist.", name)
	}
	return &d, nil
}

func destOut(acct, region string, d *APIDestination) *apiDestinationOut {
	return &apiDestinationOut{ApiDestinationArn: destARN(region, acct, d.Name, d.UUID), Name: d.Name, Description: d.Description,
		ApiDestinationState: "ACTIVE", ConnectionArn: d.ConnectionArn, InvocationEndpoint: d.Endpoint, HttpMethod: d.Method,
		InvocationRateLimitPerSecond: d.RateLimit, CreationTime: epoch(d.Created), LastModifiedTime: epoch(d.Modified)}
}

func (s *Service) describeAPIDestination(ctx context.Context, in *busNameIn) (*apiDestinationOut, error) {
	m := edge.MetaFrom(ctx)
	var out *apiDestinationOut
	err := s.st.View(func(tx store.Tx) error {
		d, err := s.loadDest(tx, m.Account, m.Region, in.Name)
		if err != nil {
			return err
		}
		out = destOut(m.Account, m.Region, d)
		return nil
	})
	return out, err
}

func (s *Service) updateAPIDestination(ctx context.Context, in *apiDestinationIn) (*apiDestinationOut, error) {
	m := edge.MetaFrom(ctx)
	var d *APIDestination
	err := s.st.Update(func(tx store.Tx) error {
		var err error
		if d, err = s.loadDest(tx, m.Account, m.Region, in.Name); err != nil {
			return err
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		if in.ConnectionArn != "" {
			d.ConnectionArn = in.ConnectionArn
		}
		if in.InvocationEndpoint != "" {
			d.Endpoint = in.InvocationEndpoint
		}
		if in.HttpMethod != "" {
			if !validMethod(in.HttpMethod) {
				return notInEnum(in.HttpMethod, "httpMethod", httpMethods)
			}
			d.Method = in.HttpMethod
		}
		if in.InvocationRateLimitPerSecond != nil {
			d.RateLimit = *in.InvocationRateLimitPerSecond
		}
		d.Modified = s.clk.Now()
		return putJSON(tx.Bucket(destBucket(m.Account, m.Region)), []byte(d.Name), d)
	})
	if err != nil {
		return nil, err
	}
	o := destOut(m.Account, m.Region, d)
	return &apiDestinationOut{ApiDestinationArn: o.ApiDestinationArn, ApiDestinationState: "ACTIVE", CreationTime: o.CreationTime, LastModifiedTime: o.LastModifiedTime}, nil
}

func (s *Service) deleteAPIDestination(ctx context.Context, in *busNameIn) (*struct{}, error) {
	m := edge.MetaFrom(ctx)
	return nil, s.st.Update(func(tx store.Tx) error {
		if _, err := s.loadDest(tx, m.Account, m.Region, in.Name); err != nil {
			return err
		}
		return tx.Bucket(destBucket(m.Account, m.Region)).Delete([]byte(in.Name))
	})
}

type listAPIDestinationsOut struct {
	ApiDestinations []*apiDestinationOut `json:"ApiDestinations"`
	NextToken       string               `json:"NextToken,omitempty"`
}

func (s *Service) listAPIDestinations(ctx context.Context, in *listConnectionsIn) (*listAPIDestinationsOut, error) {
	m := edge.MetaFrom(ctx)
	var dests []APIDestination
	out := &listAPIDestinationsOut{ApiDestinations: []*apiDestinationOut{}}
	err := s.st.View(func(tx store.Tx) error {
		var err error
		dests, out.NextToken, err = scanPage[APIDestination](tx, destBucket(m.Account, m.Region), nil, in.NamePrefix, in.NextToken, in.Limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range dests {
		out.ApiDestinations = append(out.ApiDestinations, destOut(m.Account, m.Region, &dests[i]))
	}
	return out, nil
}

// callAPIDestination sends the target input to the destination's endpoint
// with the connection's authorization, within its rate limit.
func (s *Service) callAPIDestination(ctx context.Context, acct, region, res string, d *delivery) error {
	name, _, _ := strings.Cut(strings.TrimPrefix(res, "api-destination/"), "/")
	var dest *APIDestination
	var conn *Connection
	err := s.st.View(func(tx store.Tx) error {
		var err error
		if dest, err = s.loadDest(tx, acct, region, name); err != nil {
			return err
		}
		conn, err = s.loadConnection(tx, acct, region, connName(dest.ConnectionArn))
		return err
	})
	if err != nil {
		return errPermanent{err}
	}
	if !d.slot {
		if wait := s.rate.reserve(acct+"|"+region+"|"+name, dest.RateLimit); wait > 0 {
			// Wait off the worker, so a slow destination does not hold up
			// deliveries to other targets; the slot stays reserved.
			d.slot = true
			return errNotYet{wait}
		}
	}
	d.slot = false
	endpoint := dest.Endpoint
	hp := d.Target.HttpParameters
	if hp != nil {
		for _, v := range hp.PathParameterValues {
			endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
		}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return errPermanent{err}
	}
	q := u.Query()
	req, err := http.NewRequestWithContext(ctx, dest.Method, "", bytes.NewReader(d.Input))
	if err != nil {
		return errPermanent{err}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Amazon/EventBridge/ApiDestinations")
	if err := applyAuth(req, q, conn); err != nil {
		return errPermanent{err}
	}
	if hp != nil {
		for k, v := range hp.HeaderParameters {
			req.Header.Set(k, v)
		}
		for k, v := range hp.QueryStringParameters {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	req.URL = u
	req.Host = u.Host
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == 429 || resp.StatusCode >= 500 || resp.StatusCode == 401 || resp.StatusCode == 407 || resp.StatusCode == 409:
		return fmt.Errorf("API destination %s answered %s", name, resp.Status) // AWS retries these
	}
	return errPermanent{fmt.Errorf("API destination %s answered %s", name, resp.Status)}
}

// applyAuth adds the connection's authorization and invocation parameters.
func applyAuth(req *http.Request, q url.Values, c *Connection) error {
	var p struct {
		ApiKeyAuthParameters     *struct{ ApiKeyName, ApiKeyValue string }
		BasicAuthParameters      *struct{ Username, Password string }
		InvocationHttpParameters *struct {
			HeaderParameters      []struct{ Key, Value string }
			QueryStringParameters []struct{ Key, Value string }
		}
	}
	if err := json.Unmarshal(c.AuthParameters, &p); err != nil {
		return fmt.Errorf("connection %s: %w", c.Name, err)
	}
	switch {
	case p.ApiKeyAuthParameters != nil:
		req.Header.Set(p.ApiKeyAuthParameters.ApiKeyName, p.ApiKeyAuthParameters.ApiKeyValue)
	case p.BasicAuthParameters != nil:
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(p.BasicAuthParameters.Username+":"+p.BasicAuthParameters.Password)))
	}
	if ip := p.InvocationHttpParameters; ip != nil {
		for _, h := range ip.HeaderParameters {
			req.Header.Set(h.Key, h.Value)
		}
		for _, kv := range ip.QueryStringParameters {
			q.Set(kv.Key, kv.Value)
		}
	}
	return nil
}

// rateLimiters spaces calls to each API destination to its per-second limit.
type rateLimiters struct {
	clk  clock.Clock
	mu   sync.Mutex
	next map[string]time.Time
}

func newRateLimiters(c clock.Clock) *rateLimiters {
	return &rateLimiters{clk: c, next: map[string]time.Time{}}
}

// reserve returns how long the caller must wait before its call.
func (r *rateLimiters) reserve(key string, perSecond int) time.Duration {
	if perSecond <= 0 {
		return 0
	}
	interval := time.Second / time.Duration(perSecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clk.Now()
	at := r.next[key]
	if at.Before(now) {
		at = now
	}
	r.next[key] = at.Add(interval)
	return at.Sub(now)
}

func (r *rateLimiters) reset() {
	r.mu.Lock()
	clear(r.next)
	r.mu.Unlock()
}
