package apigateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// maxPayload is API Gateway's request body limit (10 MB).
const maxPayload = 10 << 20

// api kinds as the data plane answers them.
const (
	kindHTTP = "http"
	kindREST = "rest"
)

// fault is an error answer of the data plane: the status and message API
// Gateway sends, and why, for the log.
type fault struct {
	status int
	msg    string
	why    string
}

// Messages API Gateway answers with.
var (
	httpNotFound  = fault{http.StatusNotFound, "Not Found", ""}
	httpInternal  = fault{http.StatusInternalServerError, "Internal Server Error", ""}
	httpTimeout   = fault{http.StatusServiceUnavailable, "Service Unavailable", ""}
	restMissing   = fault{http.StatusForbidden, "Missing Authentication Token", ""}
	restForbidden = fault{http.StatusForbidden, "Forbidden", ""}
	restInternal  = fault{http.StatusInternalServerError, "Internal server error", ""}
	restBadGW     = fault{http.StatusBadGateway, "Internal server error", ""}
	restTimeout   = fault{http.StatusGatewayTimeout, "Endpoint request timed out", ""}
)

func (f fault) because(why string) fault { f.why = why; return f }

// newRequest reads r into a Request; path is the path the API sees (after
// /_aws/execute-api/{id} when that form was used).
func (s *Service) newRequest(r *http.Request, path, rawPath string) (*Request, error) {
	if r.ContentLength > maxPayload {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxPayload {
		return nil, errTooLarge
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if r.Host != "" {
		h.Set("Host", r.Host)
	}
	// API Gateway adds the forwarding headers a load balancer would.
	h.Set("X-Forwarded-For", ip)
	h.Set("X-Forwarded-Proto", "http")
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		h.Set("X-Forwarded-Port", port)
	}
	if rawPath == path {
		rawPath = ""
	}
	return &Request{Method: r.Method, Path: path, RawPath: rawPath, RawQuery: r.URL.RawQuery, Header: h,
		Body: body, SourceIP: ip, Protocol: r.Proto, Time: s.now()}, nil
}

var errTooLarge = errors.New("apigateway: request body too large")

// serveExecute answers a request to an API's invoke URL.
func (s *Service) serveExecute(w http.ResponseWriter, r *http.Request, apiID, path, rawPath, host string) {
	m := edge.MetaFrom(r.Context())
	edge.SetOperation(r, "Execute")
	ix, err := s.lookup(apiID)
	if err != nil || ix == nil {
		s.fail(w, r, kindHTTP, httpNotFound.because("no API "+apiID))
		return
	}
	req, err := s.newRequest(r, path, rawPath)
	if err != nil {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "")
		return
	}
	t := &Target{Account: ix.Account, APIID: apiID, DomainName: host, RequestID: m.RequestID}
	t.DomainPrefix, _, _ = strings.Cut(host, ".")
	if ix.Kind == kindREST {
		s.executeREST(w, r, ix, req, t)
		return
	}
	s.executeHTTP(w, r, ix, req, t)
}

func splitStage(path string) (stage, rest string) {
	p := strings.TrimPrefix(path, "/")
	stage, rest, _ = strings.Cut(p, "/")
	return stage, "/" + rest
}

func (s *Service) executeHTTP(w http.ResponseWriter, r *http.Request, ix *apiIndex, req *Request, t *Target) {
	var api *httpAPI
	err := s.st.View(func(tx store.Tx) error {
		var err error
		api, err = getDoc[httpAPI](tx, httpBucket(ix.Account, ix.Region), t.APIID)
		return err
	})
	if err != nil || api == nil {
		s.fail(w, r, kindHTTP, httpNotFound.because("API "+t.APIID+" is gone"))
		return
	}
	w.Header().Set("Apigw-Requestid", t.RequestID)
	if api.DisableExecuteApiEndpoint {
		s.fail(w, r, kindHTTP, fault{http.StatusForbidden, "Forbidden", "the API's default endpoint is disabled"})
		return
	}
	name, rest := splitStage(req.Path)
	st := api.Stages[name]
	if st != nil && name != "$default" {
		t.Stage, t.Path = name, rest
	} else if st = api.Stages["$default"]; st != nil {
		t.Stage, t.Path = "$default", req.Path
	} else {
		s.fail(w, r, kindHTTP, httpNotFound.because("no stage "+name))
		return
	}
	if c := api.Cors; c != nil {
		if handled := serveCors(w, r, corsFromV2(c)); handled {
			return
		}
	}
	d := api.Deployments[st.DeploymentID]
	if d == nil {
		s.fail(w, r, kindHTTP, httpNotFound.because("stage "+t.Stage+" has no deployment"))
		return
	}
	cands := make([]Candidate, 0, len(d.Routes))
	for _, rt := range d.Routes {
		k, err := ParseRouteKey(rt.RouteKey)
		if err != nil {
			continue
		}
		cands = append(cands, Candidate{ID: rt.RouteID, Method: k.Method, Path: k.Path, Default: k.Default})
	}
	c, params, ok := Choose(cands, req.Method, t.Path)
	if !ok {
		s.fail(w, r, kindHTTP, httpNotFound.because("no route for "+req.Method+" "+t.Path))
		return
	}
	rt := d.Routes[c.ID]
	t.RouteKey, t.PathParams, t.StageVars = rt.RouteKey, params, st.StageVariables
	integ := d.Integrations[strings.TrimPrefix(rt.Target, "integrations/")]
	if integ == nil {
		s.fail(w, r, kindHTTP, httpNotFound.because("route "+rt.RouteKey+" has no integration"))
		return
	}
	if integ.IntegrationType == "HTTP_PROXY" {
		s.proxyHTTP(w, r, req, integ, params, kindHTTP)
		return
	}
	if integ.IntegrationType != "AWS_PROXY" {
		s.fail(w, r, kindHTTP, httpInternal.because("integration type "+integ.IntegrationType+" is not run by tenkai"))
		return
	}
	t.Binary = len(req.Body) > 0 && !IsTextType(r.Header.Get("Content-Type"))
	source := "arn:aws:execute-api:" + ix.Region + ":" + ix.Account + ":" + t.APIID + "/" + t.Stage + "/"
	if c.Default {
		source += "$default"
	} else {
		source += req.Method + t.Path
	}
	var payload []byte
	v2 := integ.PayloadFormatVersion == "2.0"
	if v2 {
		payload = BuildV2(req, t)
	} else {
		payload = BuildV1(req, t, true)
	}
	timeout := time.Duration(integ.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	out, f := s.callLambda(r.Context(), ix, integ.IntegrationURI, source, payload, timeout, kindHTTP)
	if f != nil {
		s.fail(w, r, kindHTTP, *f)
		return
	}
	var res *Response
	if v2 {
		res, err = MapV2(out)
	} else {
		res, err = MapV1(out)
	}
	if err != nil {
		s.fail(w, r, kindHTTP, httpInternal.because(err.Error()))
		return
	}
	if api.Cors != nil {
		// With a CORS configuration API Gateway ignores the integration's CORS headers.
		dropCorsHeaders(res.Header)
		addCorsHeaders(w, r, corsFromV2(api.Cors))
	}
	writeResponse(w, r, res)
}

// callLambda checks the function's resource policy and invokes it within
// timeout. It returns the function's response or the fault to answer.
func (s *Service) callLambda(ctx context.Context, ix *apiIndex, uri, sourceARN string, payload []byte, timeout time.Duration, kind string) ([]byte, *fault) {
	internal, badGW, timedOut := httpInternal, httpInternal, httpTimeout
	if kind == kindREST {
		internal, badGW, timedOut = restInternal, restBadGW, restTimeout
	}
	fn, ok := lambdaTarget(uri)
	if !ok {
		f := internal.because("integration URI " + uri + " names no Lambda function")
		return nil, &f
	}
	if s.cfg.Functions == nil {
		f := internal.because("no Lambda service is wired")
		return nil, &f
	}
	region, account := arnPart(fn, 3), arnPart(fn, 4)
	if !s.cfg.Functions.AllowsInvoke(ctx, account, region, fn, "apigateway.amazonaws.com", sourceARN) {
		f := internal.because("Execution failed due to configuration error: Invalid permissions on Lambda function " + fn +
			" (add lambda:InvokeFunction for apigateway.amazonaws.com with source ARN " + sourceARN + ")")
		return nil, &f
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, fnErr, err := s.cfg.Functions.Invoke(cctx, account, region, fn, payload)
	switch {
	case err != nil && cctx.Err() != nil && ctx.Err() == nil:
		f := timedOut.because("Execution failed due to a timeout error after " + timeout.String())
		return nil, &f
	case err != nil:
		f := internal.because("Lambda invocation failed: " + err.Error())
		return nil, &f
	case fnErr != "":
		f := badGW.because("Lambda function error (" + fnErr + "): " + truncate(string(out), 500))
		return nil, &f
	}
	return out, nil
}

func arnPart(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 8)
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func (s *Service) executeREST(w http.ResponseWriter, r *http.Request, ix *apiIndex, req *Request, t *Target) {
	var api *restAPI
	err := s.st.View(func(tx store.Tx) error {
		var err error
		api, err = getDoc[restAPI](tx, restBucket(ix.Account, ix.Region), t.APIID)
		return err
	})
	if err != nil || api == nil {
		s.fail(w, r, kindREST, restForbidden.because("API "+t.APIID+" is gone"))
		return
	}
	w.Header().Set("x-amzn-RequestId", t.RequestID)
	if api.DisableExecuteApiEndpoint {
		s.fail(w, r, kindREST, restForbidden.because("the API's default endpoint is disabled"))
		return
	}
	name, rest := splitStage(req.Path)
	st := api.Stages[name]
	if st == nil {
		s.fail(w, r, kindREST, restForbidden.because("no stage "+name))
		return
	}
	t.Stage, t.Path, t.StageVars = name, rest, st.Variables
	d := api.Deployments[st.DeploymentID]
	if d == nil {
		s.fail(w, r, kindREST, restForbidden.because("stage "+name+" has no deployment"))
		return
	}
	// The most specific resource wins first; then its method (or ANY). A
	// resource without the method answers 403 even when a greedy resource
	// would have it, as API Gateway does.
	var cands []Candidate
	for _, res := range d.Resources {
		if len(res.Methods) == 0 {
			continue
		}
		tpl, err := ParseTemplate(res.Path)
		if err != nil {
			continue
		}
		cands = append(cands, Candidate{ID: res.ID, Method: "ANY", Path: tpl})
	}
	c, params, ok := Choose(cands, req.Method, t.Path)
	if !ok {
		s.fail(w, r, kindREST, restMissing.because("no resource for "+t.Path))
		return
	}
	res := d.Resources[c.ID]
	hm := req.Method
	m := res.Methods[hm]
	if m == nil {
		hm, m = "ANY", res.Methods["ANY"]
	}
	if m == nil {
		s.fail(w, r, kindREST, restMissing.because("resource "+res.Path+" has no "+req.Method+" method"))
		return
	}
	t.ResourcePath, t.ResourceID, t.PathParams = res.Path, res.ID, params
	integ := m.Integration
	if integ == nil {
		s.fail(w, r, kindREST, restInternal.because("method "+hm+" "+res.Path+" has no integration"))
		return
	}
	if integ.Type == "HTTP_PROXY" {
		s.proxyHTTP(w, r, req, &integration{IntegrationURI: integ.URI, IntegrationMethod: integ.HTTPMethod,
			TimeoutInMillis: integ.TimeoutInMillis}, params, kindREST)
		return
	}
	if integ.Type != "AWS_PROXY" {
		s.fail(w, r, kindREST, restInternal.because("integration type "+integ.Type+" is not run by tenkai"))
		return
	}
	t.Binary = len(req.Body) > 0 && MatchesMediaType(api.BinaryMediaTypes, r.Header.Get("Content-Type"))
	source := "arn:aws:execute-api:" + ix.Region + ":" + ix.Account + ":" + t.APIID + "/" + t.Stage + "/" + req.Method + res.Path
	payload := BuildV1(req, t, false)
	timeout := time.Duration(integ.TimeoutInMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = 29 * time.Second
	}
	out, f := s.callLambda(r.Context(), ix, withStageVars(integ.URI, st.Variables), source, payload, timeout, kindREST)
	if f != nil {
		s.fail(w, r, kindREST, *f)
		return
	}
	resp, err := MapV1(out)
	if err != nil {
		s.fail(w, r, kindREST, restBadGW.because("Execution failed due to configuration error: "+err.Error()))
		return
	}
	writeResponse(w, r, resp)
}

// fail answers with API Gateway's message and logs why.
func (s *Service) fail(w http.ResponseWriter, r *http.Request, kind string, f fault) {
	if f.why != "" {
		s.log.Warn("invocation failed", "status", f.status, "host", r.Host, "method", r.Method, "path", r.URL.Path,
			"request_id", edge.MetaFrom(r.Context()).RequestID, "reason", f.why)
	}
	errType := ""
	if kind == kindREST {
		switch f.msg {
		case "Missing Authentication Token":
			errType = "MissingAuthenticationTokenException"
		case "Forbidden":
			errType = "ForbiddenException"
		}
	}
	writeMessage(w, f.status, f.msg, errType)
}

func writeResponse(w http.ResponseWriter, r *http.Request, res *Response) {
	h := w.Header()
	for k, vs := range res.Header {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(res.Body)))
	w.WriteHeader(res.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(res.Body)
	}
}

// reStageVarRef finds ${stageVariables.name} references in integration URIs.
var reStageVarRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`) })

// withStageVars fills ${stageVariables.name} in uri from the stage's
// variables (an unset variable becomes empty, which then names no function).
func withStageVars(uri string, vars map[string]string) string {
	if !strings.Contains(uri, "${") {
		return uri
	}
	return reStageVarRef().ReplaceAllStringFunc(uri, func(m string) string {
		return vars[reStageVarRef().FindStringSubmatch(m)[1]]
	})
}
