package apigateway

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// Request is an HTTP request as API Gateway sees it, before it becomes a
// proxy event.
type Request struct {
	Method   string
	Path     string              // decoded path as the client sent it, stage included
	RawPath  string              // escaped path as the client sent it; "" means Path
	RawQuery string              // without '?'
	Header   map[string][]string // canonical header names, as net/http parses them
	Body     []byte
	SourceIP string
	Protocol string // "HTTP/1.1"
	Time     time.Time
}

// Target says where the request was routed.
type Target struct {
	Account      string
	APIID        string
	DomainName   string // host the client used, without port
	DomainPrefix string // first label of DomainName
	RequestID    string
	Stage        string // "$default" for the default stage of an HTTP API
	RouteKey     string // "GET /items/{id}", "$default"
	ResourcePath string // REST: "/items/{id}"
	ResourceID   string
	Path         string // path with the stage removed ("/items/1")
	PathParams   map[string]string
	StageVars    map[string]string
	// Binary reports whether the body goes base64-encoded; see IsTextType
	// (HTTP APIs, function URLs) and binaryMediaTypes (REST APIs).
	Binary bool
}

// apiTime is the requestContext time layout: 21/Nov/2026:08:00:00 +0000.
const apiTime = "02/Jan/2006:15:04:05 -0700"

// IsTextType reports whether an HTTP API passes a body of this content type
// as text; every other body (including one without a content type) reaches
// the function base64-encoded.
func IsTextType(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	switch {
	case ct == "":
		return false
	case strings.HasPrefix(ct, "text/"):
		return true
	case strings.HasSuffix(ct, "/json"), strings.HasSuffix(ct, "+json"),
		strings.HasSuffix(ct, "/xml"), strings.HasSuffix(ct, "+xml"),
		strings.HasSuffix(ct, "/javascript"), strings.HasSuffix(ct, "/ecmascript"):
		return true
	}
	return false
}

// MatchesMediaType reports whether contentType is one of a REST API's
// binaryMediaTypes ("image/png", "image/*", "*/*").
func MatchesMediaType(types []string, contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	for _, t := range types {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "*/*":
			return true
		case ct == "":
		case t == ct:
			return true
		case strings.HasSuffix(t, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(t, "*")):
			return true
		}
	}
	return false
}

type httpContextV2 struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

type requestContextV2 struct {
	AccountID    string        `json:"accountId"`
	APIID        string        `json:"apiId"`
	DomainName   string        `json:"domainName"`
	DomainPrefix string        `json:"domainPrefix"`
	HTTP         httpContextV2 `json:"http"`
	RequestID    string        `json:"requestId"`
	RouteKey     string        `json:"routeKey"`
	Stage        string        `json:"stage"`
	Time         string        `json:"time"`
	TimeEpoch    int64         `json:"timeEpoch"`
}

type eventV2 struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
	RequestContext        requestContextV2  `json:"requestContext"`
	Body                  *string           `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

// BuildV2 returns the payload format 2.0 event for r routed to t. Header
// names are lower-cased and repeated values comma-joined; cookies leave the
// headers for their own list; repeated query parameters are comma-joined.
func BuildV2(r *Request, t *Target) []byte {
	ev := eventV2{
		Version: "2.0", RouteKey: t.RouteKey, RawPath: rawPath(r), RawQueryString: r.RawQuery,
		Headers: map[string]string{}, PathParameters: nonEmpty(t.PathParams), StageVariables: nonEmpty(t.StageVars),
		RequestContext: requestContextV2{
			AccountID: t.Account, APIID: t.APIID, DomainName: t.DomainName, DomainPrefix: t.DomainPrefix,
			HTTP: httpContextV2{Method: r.Method, Path: r.Path, Protocol: r.Protocol, SourceIP: r.SourceIP,
				UserAgent: strings.Join(r.Header["User-Agent"], ",")},
			RequestID: t.RequestID, RouteKey: t.RouteKey, Stage: t.Stage,
			Time: r.Time.UTC().Format(apiTime), TimeEpoch: r.Time.UnixMilli(),
		},
	}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[lk] = strings.Join(vs, ",")
	}
	if q := parseQuery(r.RawQuery); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if len(r.Body) > 0 {
		b := bodyText(r.Body, t.Binary)
		ev.Body, ev.IsBase64Encoded = &b, t.Binary
	}
	out, _ := json.Marshal(&ev)
	return out
}

type identityV1 struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     string  `json:"userAgent"`
	UserARN                       *string `json:"userArn"`
}

type requestContextV1 struct {
	AccountID         string     `json:"accountId"`
	APIID             string     `json:"apiId"`
	DomainName        string     `json:"domainName"`
	DomainPrefix      string     `json:"domainPrefix"`
	ExtendedRequestID string     `json:"extendedRequestId"`
	HTTPMethod        string     `json:"httpMethod"`
	Identity          identityV1 `json:"identity"`
	Path              string     `json:"path"`
	Protocol          string     `json:"protocol"`
	RequestID         string     `json:"requestId"`
	RequestTime       string     `json:"requestTime"`
	RequestTimeEpoch  int64      `json:"requestTimeEpoch"`
	ResourceID        string     `json:"resourceId,omitempty"`
	ResourcePath      string     `json:"resourcePath"`
	RouteKey          string     `json:"routeKey,omitempty"`
	Stage             string     `json:"stage"`
}

type eventV1 struct {
	Version                         string              `json:"version,omitempty"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  requestContextV1    `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// BuildV1 returns the payload format 1.0 event (the REST API proxy event)
// for r routed to t. headers keep the last value of each header as sent;
// multiValueHeaders keep them all; maps with nothing in them are null.
// httpAPI adds the "version" and "routeKey" members HTTP APIs send.
func BuildV1(r *Request, t *Target, httpAPI bool) []byte {
	ev := eventV1{
		Resource: t.ResourcePath, Path: t.Path, HTTPMethod: r.Method,
		PathParameters: nonEmpty(t.PathParams), StageVariables: nonEmpty(t.StageVars),
		RequestContext: requestContextV1{
			AccountID: t.Account, APIID: t.APIID, DomainName: t.DomainName, DomainPrefix: t.DomainPrefix,
			ExtendedRequestID: t.RequestID, HTTPMethod: r.Method,
			Identity: identityV1{SourceIP: r.SourceIP, UserAgent: strings.Join(r.Header["User-Agent"], ",")},
			Path:     r.Path, Protocol: r.Protocol, RequestID: t.RequestID,
			RequestTime: r.Time.UTC().Format(apiTime), RequestTimeEpoch: r.Time.UnixMilli(),
			ResourceID: t.ResourceID, ResourcePath: t.ResourcePath, Stage: t.Stage,
		},
	}
	if httpAPI {
		ev.Version = "1.0"
		ev.RequestContext.RouteKey = t.RouteKey
		ev.Resource = t.RouteKey
		ev.RequestContext.ResourcePath = t.RouteKey
		if t.RouteKey != "$default" {
			if _, p, ok := strings.Cut(t.RouteKey, " "); ok {
				ev.Resource, ev.RequestContext.ResourcePath = p, p
			}
		}
	}
	if len(r.Header) > 0 {
		ev.Headers = make(map[string]string, len(r.Header))
		ev.MultiValueHeaders = make(map[string][]string, len(r.Header))
		for k, vs := range r.Header {
			if len(vs) == 0 {
				continue
			}
			ev.Headers[k] = vs[len(vs)-1]
			ev.MultiValueHeaders[k] = vs
		}
	}
	if q := parseQuery(r.RawQuery); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = q
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	if len(r.Body) > 0 {
		b := bodyText(r.Body, t.Binary)
		ev.Body, ev.IsBase64Encoded = &b, t.Binary
	}
	out, _ := json.Marshal(&ev)
	return out
}

func rawPath(r *Request) string {
	if r.RawPath != "" {
		return r.RawPath
	}
	return r.Path
}

func bodyText(b []byte, binary bool) string {
	if binary {
		return base64.StdEncoding.EncodeToString(b)
	}
	return string(b)
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// parseQuery splits a raw query string, keeping the order of repeated
// values. Unlike url.ParseQuery it never fails: a bad escape stays as sent.
func parseQuery(raw string) map[string][]string {
	if raw == "" {
		return nil
	}
	out := map[string][]string{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out[unescape(k)] = append(out[unescape(k)], unescape(v))
	}
	return out
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
