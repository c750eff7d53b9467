package s3

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/s3/storage"
)

// corsConfiguration is a bucket's stored CORS configuration.
type corsConfiguration struct {
	Rules []corsRule `xml:"CORSRule"`
}

type corsRule struct {
	ID             string   `xml:"ID"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  int      `xml:"MaxAgeSeconds"`
}

// wildcardMatch matches s against a pattern with at most one '*', as S3's
// CORS origins and headers allow (case-insensitive for headers).
func wildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	before, after, found := strings.Cut(pattern, "*")
	if !found {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// match returns the first rule allowing origin, method and request headers.
func (c *corsConfiguration) match(origin, method string, headers []string) *corsRule {
	for i := range c.Rules {
		r := &c.Rules[i]
		ok := false
		for _, o := range r.AllowedOrigins {
			if wildcardMatch(o, origin, false) {
				ok = true
				break
			}
		}
		if !ok {
			continue
		}
		ok = false
		for _, m := range r.AllowedMethods {
			if m == method {
				ok = true
				break
			}
		}
		if !ok {
			continue
		}
		allHeaders := true
		for _, h := range headers {
			found := false
			for _, a := range r.AllowedHeaders {
				if wildcardMatch(a, h, true) {
					found = true
					break
				}
			}
			if !found {
				allHeaders = false
				break
			}
		}
		if allHeaders {
			return r
		}
	}
	return nil
}

func (s *Service) corsFor(bucket string) *corsConfiguration {
	doc, err := s.eng.BucketConfig(bucket, "cors")
	if err != nil || doc == nil {
		return nil
	}
	var c corsConfiguration
	if xml.Unmarshal(doc, &c) != nil {
		return nil
	}
	return &c
}

// setCORSHeaders adds S3's CORS response headers to a request from a
// browser (one with Origin) when the bucket's configuration allows it.
func (s *Service) setCORSHeaders(w http.ResponseWriter, r *http.Request, bucket string) {
	origin := r.Header.Get("Origin")
	if origin == "" || bucket == "" {
		return
	}
	c := s.corsFor(bucket)
	if c == nil {
		return
	}
	if rule := c.match(origin, r.Method, nil); rule != nil {
		writeCORS(w.Header(), rule, origin, nil)
	}
}

func writeCORS(h http.Header, rule *corsRule, origin string, reqHeaders []string) {
	allowOrigin := origin
	for _, o := range rule.AllowedOrigins {
		if o == "*" {
			allowOrigin = "*"
		}
	}
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if allowOrigin != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(reqHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(reqHeaders, ", "))
	}
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeSeconds))
	}
	h.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// preflight answers a CORS OPTIONS request from the bucket's configuration.
func (s *Service) preflight(w http.ResponseWriter, r *http.Request, bucket string) error {
	edge.SetOperation(r, "OPTIONS")
	forbidden := func(msg string) error {
		return &storage.Error{Code: "AccessForbidden", Status: http.StatusForbidden, Message: msg,
			Fields: map[string]string{"Method": r.Header.Get("Access-Control-Request-Method"), "ResourceType": "OBJECT"}}
	}
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	if origin == "" || method == "" {
		return storage.ErrInvalidRequest("Insufficient information. Origin request header needed.")
	}
	if _, err := s.eng.Bucket(bucket); err != nil {
		return err
	}
	c := s.corsFor(bucket)
	if c == nil {
		return forbidden("CORSResponse: CORS is not enabled for this bucket.")
	}
	var headers []string
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				headers = append(headers, strings.ToLower(h))
			}
		}
	}
	rule := c.match(origin, method, headers)
	if rule == nil {
		return forbidden("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	}
	writeCORS(w.Header(), rule, origin, headers)
	w.WriteHeader(http.StatusOK)
	return nil
}
