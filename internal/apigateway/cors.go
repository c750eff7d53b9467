package apigateway

import (
	"net/http"
	"strconv"
	"strings"
)

func corsFromV2(c *corsConfig) *Cors {
	out := &Cors{AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods, AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: -1}
	if c.AllowCredentials != nil {
		out.AllowCredentials = *c.AllowCredentials
	}
	if c.MaxAge != nil {
		out.MaxAge = *c.MaxAge
	}
	return out
}

// allowedOrigin returns the Access-Control-Allow-Origin value for origin,
// or "" when the configuration does not allow it.
func (c *Cors) allowedOrigin(origin string) string {
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			return "*"
		case strings.EqualFold(o, origin):
			return origin
		}
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == "*" || strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// serveCors answers a CORS preflight itself, as API Gateway does when an
// API has a CORS configuration; it reports whether it answered.
func serveCors(w http.ResponseWriter, r *http.Request, c *Cors) bool {
	origin := r.Header.Get("Origin")
	reqMethod := r.Header.Get("Access-Control-Request-Method")
	if r.Method != http.MethodOptions || origin == "" || reqMethod == "" {
		return false
	}
	h := w.Header()
	if allow := c.allowedOrigin(origin); allow != "" && contains(c.AllowMethods, reqMethod) {
		h.Set("Access-Control-Allow-Origin", allow)
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		if reqHeaders := r.Header.Get("Access-Control-Request-Headers"); reqHeaders != "" && len(c.AllowHeaders) > 0 {
			if contains(c.AllowHeaders, "*") {
				h.Set("Access-Control-Allow-Headers", reqHeaders)
			} else {
				h.Set("Access-Control-Allow-Headers", strings.ToLower(strings.Join(c.AllowHeaders, ",")))
			}
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if c.MaxAge >= 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if len(c.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.ToLower(strings.Join(c.ExposeHeaders, ",")))
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

// addCorsHeaders adds the CORS response headers to an actual (not
// preflight) response for an allowed origin.
func addCorsHeaders(w http.ResponseWriter, r *http.Request, c *Cors) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	allow := c.allowedOrigin(origin)
	if allow == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allow)
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.ToLower(strings.Join(c.ExposeHeaders, ",")))
	}
	h.Add("Vary", "Origin")
}

// dropCorsHeaders removes the Access-Control-* headers a function returned.
func dropCorsHeaders(h map[string][]string) {
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			delete(h, k)
		}
	}
}
