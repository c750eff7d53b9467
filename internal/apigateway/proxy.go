package apigateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// hopHeaders are not forwarded by a proxy.
var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Upgrade": true, "Te": true, "Trailer": true, "Host": true, "Content-Length": true}

// proxyHTTP runs an HTTP_PROXY integration: the request goes to the
// integration URI (with {name} path parameters filled in), with the
// integration's method unless it is ANY, and the answer comes back as is.
func (s *Service) proxyHTTP(w http.ResponseWriter, r *http.Request, req *Request, integ *integration, params map[string]string, kind string) {
	target := integ.IntegrationURI
	for k, v := range params {
		target = strings.ReplaceAll(target, "{"+k+"}", v)
		target = strings.ReplaceAll(target, "{"+k+"+}", v)
	}
	if req.RawQuery != "" && !strings.Contains(target, "?") {
		target += "?" + req.RawQuery
	}
	method := integ.IntegrationMethod
	if method == "" || method == "ANY" {
		method = req.Method
	}
	timeout := time.Duration(integ.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	out, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(req.Body))
	internal, timedOut := httpInternal, httpTimeout
	if kind == kindREST {
		internal, timedOut = restInternal, restTimeout
	}
	if err != nil {
		s.fail(w, r, kind, internal.because("HTTP_PROXY target "+target+": "+err.Error()))
		return
	}
	for k, vs := range req.Header {
		if !hopHeaders[k] {
			out.Header[k] = vs
		}
	}
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			s.fail(w, r, kind, timedOut.because("HTTP_PROXY target "+target+" timed out"))
			return
		}
		s.fail(w, r, kind, internal.because("HTTP_PROXY target "+target+": "+err.Error()))
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPayload))
	if err != nil {
		s.fail(w, r, kind, internal.because("HTTP_PROXY target "+target+": "+err.Error()))
		return
	}
	res := &Response{Status: resp.StatusCode, Header: map[string][]string{}, Body: body}
	for k, vs := range resp.Header {
		if !hopHeaders[k] {
			res.Header[k] = vs
		}
	}
	writeResponse(w, r, res)
}
