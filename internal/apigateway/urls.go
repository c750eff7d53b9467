package apigateway

import (
	"net/http"
	"strings"

	"tenkai/internal/edge"
)

// serveFunctionURL answers a request to {urlId}.lambda-url.{region}.host:
// a payload 2.0 event for the function, its response mapped back.
func (s *Service) serveFunctionURL(w http.ResponseWriter, r *http.Request, host string) {
	m := edge.MetaFrom(r.Context())
	edge.SetOperation(r, "InvokeFunctionUrl")
	forbidden := func(why string) {
		s.log.Warn("function URL request refused", "host", r.Host, "reason", why, "request_id", m.RequestID)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`))
	}
	urlID, _, _ := strings.Cut(host, ".")
	if s.cfg.Functions == nil {
		forbidden("no Lambda service is wired")
		return
	}
	u, ok := s.cfg.Functions.FunctionURL(r.Context(), urlID)
	if !ok {
		forbidden("no function URL " + urlID)
		return
	}
	w.Header().Set("x-amzn-RequestId", m.RequestID)
	if u.Cors != nil && serveCors(w, r, u.Cors) {
		return
	}
	switch {
	case u.AuthType == "AWS_IAM" && r.Header.Get("Authorization") == "":
		forbidden("AuthType AWS_IAM and the request is not signed")
		return
	case u.AuthType != "AWS_IAM" && !u.Allowed:
		forbidden("the function's resource policy must allow lambda:InvokeFunctionUrl (FunctionUrlAuthType NONE) and lambda:InvokeFunction to principal *")
		return
	}
	req, err := s.newRequest(r, r.URL.Path, r.URL.EscapedPath())
	if err != nil {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "")
		return
	}
	t := &Target{Account: u.Account, APIID: urlID, DomainName: host, DomainPrefix: urlID, RequestID: m.RequestID,
		Stage: "$default", RouteKey: "$default", Path: req.Path,
		Binary: len(req.Body) > 0 && !IsTextType(r.Header.Get("Content-Type"))}
	out, fnErr, err := s.cfg.Functions.Invoke(r.Context(), u.Account, u.Region, u.FunctionARN, BuildV2(req, t))
	if err != nil || fnErr != "" {
		why := "function error " + fnErr + ": " + truncate(string(out), 500)
		if err != nil {
			why = "invocation failed: " + err.Error()
		}
		s.log.Warn("function URL invocation failed", "function", u.FunctionARN, "reason", why, "request_id", m.RequestID)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"Message":"Internal Server Error"}`))
		return
	}
	res, err := MapV2(out)
	if err != nil {
		s.log.Warn("function URL response malformed", "function", u.FunctionARN, "reason", err.Error())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(`{"Message":"Internal Server Error"}`))
		return
	}
	if u.Cors != nil {
		dropCorsHeaders(res.Header)
		addCorsHeaders(w, r, u.Cors)
	}
	writeResponse(w, r, res)
}
