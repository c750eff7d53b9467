package runtime

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxPayload is Lambda's synchronous response limit (6 MB plus the 100 bytes Lambda allows).
const maxPayload = 6291556

const apiPrefix = "/2018-06-01/runtime/"

// Canonical header names the Runtime API sends; set directly to avoid canonicalising.
const (
	hdrRequestID     = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline      = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID       = "Lambda-Runtime-Trace-Id"
	hdrClientContext = "Lambda-Runtime-Client-Context"
	hdrCognito       = "Lambda-Runtime-Cognito-Identity"
	hdrErrorType     = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody     = "Lambda-Runtime-Function-Error-Body"
)

var (
	jsonCT   = []string{"application/json"}
	accepted = []byte(`{"status":"OK"}` + "\n")
)

// ServeHTTP is the environment's Runtime API (2018-06-01).
func (e *env) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if !strings.HasPrefix(p, apiPrefix) {
		apiError(w, http.StatusNotFound, "InvalidRequest", "Not found: "+p)
		return
	}
	p = p[len(apiPrefix):]
	switch {
	case p == "invocation/next":
		if r.Method != http.MethodGet {
			apiError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Method not allowed")
			return
		}
		e.next(w, r)
	case p == "init/error":
		if r.Method != http.MethodPost {
			apiError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Method not allowed")
			return
		}
		e.initError(w, r)
	case strings.HasPrefix(p, "invocation/"):
		rest := p[len("invocation/"):]
		i := strings.IndexByte(rest, '/')
		if i < 0 || r.Method != http.MethodPost {
			apiError(w, http.StatusNotFound, "InvalidRequest", "Not found")
			return
		}
		switch rest[i+1:] {
		case "response":
			e.respond(w, r, rest[:i], false)
		case "error":
			e.respond(w, r, rest[:i], true)
		default:
			apiError(w, http.StatusNotFound, "InvalidRequest", "Not found")
		}
	default:
		apiError(w, http.StatusNotFound, "InvalidRequest", "Not found")
	}
}

// next is the long poll: it returns when an invocation arrives.
func (e *env) next(w http.ResponseWriter, r *http.Request) {
	if !e.inited.Load() && e.inited.CompareAndSwap(false, true) {
		e.initEnd.Store(time.Now().UnixNano())
		close(e.initCh)
	}
	var inv *invocation
	select {
	case inv = <-e.reqCh:
	case <-r.Context().Done():
		return
	case <-e.done:
		return
	}
	inv.taken.Store(true)
	h := w.Header()
	h["Content-Type"] = jsonCT
	h[hdrRequestID] = []string{inv.id}
	h[hdrDeadline] = []string{inv.deadlineMs}
	h[hdrFunctionARN] = []string{inv.arn}
	h[hdrTraceID] = []string{inv.trace}
	if inv.clientContext != "" {
		h[hdrClientContext] = []string{inv.clientContext}
	}
	if inv.cognito != "" {
		h[hdrCognito] = []string{inv.cognito}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// respond handles POST /invocation/{id}/response and /error.
func (e *env) respond(w http.ResponseWriter, r *http.Request, id string, isErr bool) {
	inv := e.cur.Load()
	if inv == nil || inv.id != id {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, tooLarge, err := readBody(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", "Failed to read request body")
		return
	}
	out := outcome{kind: outResponse, body: body}
	switch {
	case tooLarge && !isErr:
		out = outcome{kind: outTooLarge}
	case isErr:
		out = outcome{kind: outError, body: errorBody(r.Header.Get(hdrErrorType), body), errType: r.Header.Get(hdrErrorType)}
	case r.Trailer.Get(hdrErrorType) != "":
		// A streaming response that failed midway reports its error in trailers.
		out = outcome{kind: outError, errType: r.Trailer.Get(hdrErrorType),
			body: errorBody(r.Trailer.Get(hdrErrorType), decodeTrailerBody(r.Trailer.Get(hdrErrorBody)))}
	}
	if !e.cur.CompareAndSwap(inv, nil) {
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "State transition from Ready to InvocationResponse failed for runtime. Error: State transition is not allowed")
		return
	}
	e.resCh <- out
	if out.kind == outTooLarge {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Exceeded maximum allowed payload size (6291556 bytes).")
		return
	}
	w.Header()["Content-Type"] = jsonCT
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(accepted)
}

// initError handles POST /init/error: the runtime could not load the function.
func (e *env) initError(w http.ResponseWriter, r *http.Request) {
	body, _, err := readBody(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", "Failed to read request body")
		return
	}
	if e.inited.Load() {
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "State transition from Ready to InitError failed for runtime. Error: State transition is not allowed")
		return
	}
	t := r.Header.Get(hdrErrorType)
	e.initMem.Store(int32(e.maxMemoryMB())) // the runtime exits after this: read its memory now
	select {
	case e.resCh <- outcome{kind: outInitError, body: errorBody(t, body), errType: t}:
	default: // a second report: the first one counts
	}
	w.Header()["Content-Type"] = jsonCT
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(accepted)
}

// readBody reads at most maxPayload bytes; tooLarge reports a longer body.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > maxPayload {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
		return nil, true, nil
	}
	if r.ContentLength >= 0 {
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
		return body, false, err
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if len(body) > maxPayload {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<20))
		return nil, true, err
	}
	return body, false, err
}

// errorBody is the error document a runtime posted, or a minimal one when it posted none.
func errorBody(errType string, body []byte) []byte {
	if len(strings.TrimSpace(string(body))) > 0 {
		return body
	}
	if errType == "" {
		errType = "Runtime.Unknown"
	}
	return errorDoc(errType, "")
}

func decodeTrailerBody(s string) []byte {
	if s == "" {
		return nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b
	}
	return []byte(s)
}

func apiError(w http.ResponseWriter, status int, errType, msg string) {
	w.Header()["Content-Type"] = jsonCT
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"errorMessage":` + quote(msg) + `,"errorType":` + quote(errType) + "}\n"))
}
