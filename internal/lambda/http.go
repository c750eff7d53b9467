package lambda

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"tenkai/internal/edge"
)

// Request body limits.
const (
	maxCreateBody = 69905067 // CreateFunction, UpdateFunctionCode, PublishLayerVersion (50 MB zip in base64)
	maxConfigBody = 1 << 20
)

type handler func(w http.ResponseWriter, r *http.Request) (status int, out any, err error)

func (s *Service) handle(pattern, op string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		edge.SetOperation(r, op)
		status, out, err := h(w, r)
		if err == errHandled {
			return
		}
		if err != nil {
			edge.WriteError(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.Header().Set("x-amzn-RequestId", edge.MetaFrom(r.Context()).RequestID)
			w.WriteHeader(status)
			return
		}
		edge.WriteJSON(w, r, status, out)
	})
}

// readJSON decodes a request body with an operation-specific limit.
func readJSON(r *http.Request, op string, max int64, v any) error {
	if r.ContentLength > max {
		return bodyTooLarge(op, max)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return edge.Errorf("InvalidRequestContentException", "Could not read request body: %v", err)
	}
	if int64(len(b)) > max {
		return bodyTooLarge(op, max)
	}
	if err := edge.DecodeJSON(b, v); err != nil {
		var ae *edge.Error
		if ok := asEdge(err, &ae); ok {
			return edge.Errorf("InvalidRequestContentException", "Could not parse request body into json: %s", ae.Message)
		}
		return err
	}
	return nil
}

func asEdge(err error, out **edge.Error) bool {
	e, ok := err.(*edge.Error)
	if ok {
		*out = e
	}
	return ok
}

func bodyTooLarge(op string, max int64) *edge.Error {
	return edge.NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
		fmt.Sprintf("Request must be smaller than %d bytes for the %s operation", max, op))
}

func (s *Service) routes() {
	s.mux = http.NewServeMux()
	const fns = "/2015-03-31/functions"
	create := func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in createFunctionInput
		if err := readJSON(r, "CreateFunction", maxCreateBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.createFunction(r.Context(), &in)
		return http.StatusCreated, out, err
	}
	s.handle("POST "+fns, "CreateFunction", create)
	s.handle("POST "+fns+"/{$}", "CreateFunction", create)
	list := func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		out, err := s.listFunctions(r.Context(), q.Get("Marker"), q.Get("MaxItems"), q.Get("FunctionVersion"))
		return http.StatusOK, out, err
	}
	s.handle("GET "+fns, "ListFunctions", list)
	s.handle("GET "+fns+"/{$}", "ListFunctions", list)
	s.handle("GET "+fns+"/{name}", "GetFunction", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.getFunction(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
		return http.StatusOK, out, err
	})
	s.handle("DELETE "+fns+"/{name}", "DeleteFunction", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		return http.StatusNoContent, nil, s.deleteFunction(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	})
	s.handle("GET "+fns+"/{name}/configuration", "GetFunctionConfiguration", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.getFunctionConfiguration(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
		return http.StatusOK, out, err
	})
	s.handle("PUT "+fns+"/{name}/configuration", "UpdateFunctionConfiguration", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in updateConfigInput
		if err := readJSON(r, "UpdateFunctionConfiguration", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		in.FunctionName = r.PathValue("name")
		out, err := s.updateFunctionConfiguration(r.Context(), &in)
		return http.StatusOK, out, err
	})
	s.handle("PUT "+fns+"/{name}/code", "UpdateFunctionCode", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in updateCodeInput
		if err := readJSON(r, "UpdateFunctionCode", maxCreateBody, &in); err != nil {
			return 0, nil, err
		}
		in.FunctionName = r.PathValue("name")
		out, err := s.updateFunctionCode(r.Context(), &in)
		return http.StatusOK, out, err
	})
	s.handle("POST "+fns+"/{name}/versions", "PublishVersion", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in publishVersionInput
		if err := readJSON(r, "PublishVersion", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.publishVersion(r.Context(), r.PathValue("name"), &in)
		return http.StatusCreated, out, err
	})
	s.handle("GET "+fns+"/{name}/versions", "ListVersionsByFunction", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		out, err := s.listVersions(r.Context(), r.PathValue("name"), q.Get("Marker"), q.Get("MaxItems"))
		return http.StatusOK, out, err
	})
	s.aliasRoutes(fns)
	s.policyRoutes(fns)
	s.handle("POST "+fns+"/{name}/invocations", "Invoke", s.serveInvoke)
	s.handle("POST /2014-11-13/functions/{name}/invoke-async/", "InvokeAsync", s.serveInvokeAsync)
	s.handle("POST /2014-11-13/functions/{name}/invoke-async", "InvokeAsync", s.serveInvokeAsync)
	s.configRoutes()
	s.layerRoutes()
	s.extraRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		edge.WriteError(w, r, edge.NewError(http.StatusNotFound, "UnknownOperationException", "Unknown operation "+r.Method+" "+r.URL.Path))
	})
}

func (s *Service) aliasRoutes(fns string) {
	s.handle("POST "+fns+"/{name}/aliases", "CreateAlias", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in aliasInput
		if err := readJSON(r, "CreateAlias", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.createAlias(r.Context(), r.PathValue("name"), &in)
		return http.StatusCreated, out, err
	})
	s.handle("GET "+fns+"/{name}/aliases", "ListAliases", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		out, err := s.listAliases(r.Context(), r.PathValue("name"), q.Get("FunctionVersion"), q.Get("Marker"), q.Get("MaxItems"))
		return http.StatusOK, out, err
	})
	s.handle("GET "+fns+"/{name}/aliases/{alias}", "GetAlias", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.getAlias(r.Context(), r.PathValue("name"), r.PathValue("alias"))
		return http.StatusOK, out, err
	})
	s.handle("PUT "+fns+"/{name}/aliases/{alias}", "UpdateAlias", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in aliasInput
		if err := readJSON(r, "UpdateAlias", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.updateAlias(r.Context(), r.PathValue("name"), r.PathValue("alias"), &in)
		return http.StatusOK, out, err
	})
	s.handle("DELETE "+fns+"/{name}/aliases/{alias}", "DeleteAlias", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		return http.StatusNoContent, nil, s.deleteAlias(r.Context(), r.PathValue("name"), r.PathValue("alias"))
	})
}

func (s *Service) policyRoutes(fns string) {
	s.handle("POST "+fns+"/{name}/policy", "AddPermission", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in addPermissionInput
		if err := readJSON(r, "AddPermission", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.addPermission(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"), &in)
		return http.StatusCreated, out, err
	})
	s.handle("GET "+fns+"/{name}/policy", "GetPolicy", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.getPolicy(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
		return http.StatusOK, out, err
	})
	s.handle("DELETE "+fns+"/{name}/policy/{sid}", "RemovePermission", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		return http.StatusNoContent, nil, s.removePermission(r.Context(), r.PathValue("name"), q.Get("Qualifier"), r.PathValue("sid"), q.Get("RevisionId"))
	})
}

func (s *Service) configRoutes() {
	const ci = "/2019-09-25/functions/{name}/event-invoke-config"
	s.handle("PUT /2017-10-31/functions/{name}/concurrency", "PutFunctionConcurrency", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in concurrencyInput
		if err := readJSON(r, "PutFunctionConcurrency", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.putConcurrency(r.Context(), r.PathValue("name"), &in)
		return http.StatusOK, out, err
	})
	s.handle("DELETE /2017-10-31/functions/{name}/concurrency", "DeleteFunctionConcurrency", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		return http.StatusNoContent, nil, s.deleteConcurrency(r.Context(), r.PathValue("name"))
	})
	s.handle("GET /2019-09-30/functions/{name}/concurrency", "GetFunctionConcurrency", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.getConcurrency(r.Context(), r.PathValue("name"))
		return http.StatusOK, out, err
	})
	putCfg := func(op string, merge bool) handler {
		return func(w http.ResponseWriter, r *http.Request) (int, any, error) {
			var in eventInvokeConfigInput
			if err := readJSON(r, op, maxConfigBody, &in); err != nil {
				return 0, nil, err
			}
			out, err := s.putEventInvokeConfig(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"), &in, merge)
			return http.StatusOK, out, err
		}
	}
	s.handle("PUT "+ci, "PutFunctionEventInvokeConfig", putCfg("PutFunctionEventInvokeConfig", false))
	s.handle("POST "+ci, "UpdateFunctionEventInvokeConfig", putCfg("UpdateFunctionEventInvokeConfig", true))
	s.handle("GET "+ci, "GetFunctionEventInvokeConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.getEventInvokeConfig(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
		return http.StatusOK, out, err
	})
	s.handle("DELETE "+ci, "DeleteFunctionEventInvokeConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		return http.StatusNoContent, nil, s.deleteEventInvokeConfig(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	})
	s.handle("GET "+ci+"/list", "ListFunctionEventInvokeConfigs", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		out, err := s.listEventInvokeConfigs(r.Context(), r.PathValue("name"), q.Get("Marker"), q.Get("MaxItems"))
		return http.StatusOK, out, err
	})
	const tags = "/2017-03-31/tags/{arn}"
	s.handle("GET "+tags, "ListTags", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.listTags(r.Context(), r.PathValue("arn"))
		return http.StatusOK, out, err
	})
	s.handle("POST "+tags, "TagResource", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in tagsBody
		if err := readJSON(r, "TagResource", maxConfigBody, &in); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.tagResource(r.Context(), r.PathValue("arn"), in.Tags)
	})
	s.handle("DELETE "+tags, "UntagResource", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		return http.StatusNoContent, nil, s.untagResource(r.Context(), r.PathValue("arn"), r.URL.Query()["tagKeys"])
	})
	settings := func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		out, err := s.accountSettings(r.Context())
		return http.StatusOK, out, err
	}
	s.handle("GET /2016-08-19/account-settings", "GetAccountSettings", settings)
	s.handle("GET /2016-08-19/account-settings/", "GetAccountSettings", settings)
}

func (s *Service) layerRoutes() {
	const ls = "/2018-10-31/layers"
	list := func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		if q.Get("find") == "LayerVersion" {
			edge.SetOperation(r, "GetLayerVersionByArn")
			arn := q.Get("Arn")
			ref, ok := ParseLayerVersionARN(arn)
			if !ok {
				return 0, nil, edge.Validation("1 validation error detected: Value '%s' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+", arn)
			}
			out, err := s.getLayerVersion(r.Context(), ref)
			return http.StatusOK, out, err
		}
		out, err := s.listLayers(r.Context(), q.Get("CompatibleRuntime"), q.Get("CompatibleArchitecture"), q.Get("Marker"), q.Get("MaxItems"))
		return http.StatusOK, out, err
	}
	s.handle("GET "+ls, "ListLayers", list)
	s.handle("GET "+ls+"/{$}", "ListLayers", list)
	s.handle("POST "+ls+"/{layer}/versions", "PublishLayerVersion", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in publishLayerInput
		if err := readJSON(r, "PublishLayerVersion", maxCreateBody, &in); err != nil {
			return 0, nil, err
		}
		out, err := s.publishLayerVersion(r.Context(), r.PathValue("layer"), &in)
		return http.StatusCreated, out, err
	})
	s.handle("GET "+ls+"/{layer}/versions", "ListLayerVersions", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		q := r.URL.Query()
		out, err := s.listLayerVersions(r.Context(), r.PathValue("layer"), q.Get("CompatibleRuntime"), q.Get("CompatibleArchitecture"), q.Get("Marker"), q.Get("MaxItems"))
		return http.StatusOK, out, err
	})
	s.handle("GET "+ls+"/{layer}/versions/{version}", "GetLayerVersion", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		ref, err := s.layerRef(r.Context(), r.PathValue("layer"), r.PathValue("version"))
		if err != nil {
			return 0, nil, err
		}
		out, err := s.getLayerVersion(r.Context(), ref)
		return http.StatusOK, out, err
	})
	s.handle("DELETE "+ls+"/{layer}/versions/{version}", "DeleteLayerVersion", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		ref, err := s.layerRef(r.Context(), r.PathValue("layer"), r.PathValue("version"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.deleteLayerVersion(r.Context(), ref)
	})
}

// serveInvoke answers Invoke: the function's payload as the body, with
// X-Amz-Executed-Version, X-Amz-Function-Error and X-Amz-Log-Result.
func (s *Service) serveInvoke(w http.ResponseWriter, r *http.Request) (int, any, error) {
	m := edge.MetaFrom(r.Context())
	if r.ContentLength > maxSyncPayload {
		return 0, nil, tooLarge(maxSyncPayload)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSyncPayload+1))
	if err != nil {
		return 0, nil, edge.Errorf("InvalidRequestContentException", "Could not read request body: %v", err)
	}
	if len(body) > maxSyncPayload {
		return 0, nil, tooLarge(maxSyncPayload)
	}
	ref, err := s.ref(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		return 0, nil, err
	}
	logType := r.Header.Get("X-Amz-Log-Type")
	if logType != "" && logType != "None" && logType != "Tail" {
		return 0, nil, edge.Validation("1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", logType)
	}
	res, err := s.invoke(r.Context(), &invokeRequest{
		Ref: ref, Type: r.Header.Get("X-Amz-Invocation-Type"), Payload: body,
		LogTail: logType == "Tail", ClientContext: r.Header.Get("X-Amz-Client-Context"),
		RequestID: m.RequestID, TraceID: r.Header.Get("X-Amzn-Trace-Id"),
	})
	if err != nil {
		return 0, nil, err
	}
	h := w.Header()
	h.Set("x-amzn-RequestId", m.RequestID)
	if res.StatusCode != http.StatusOK {
		w.WriteHeader(res.StatusCode)
		return 0, nil, errHandled
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", res.ExecutedVersion)
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if res.LogResult != "" {
		h.Set("X-Amz-Log-Result", res.LogResult)
	}
	h.Set("Content-Length", strconv.Itoa(len(res.Payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
	return 0, nil, errHandled
}

// serveInvokeAsync answers the deprecated InvokeAsync with 202 {"Status":202}.
func (s *Service) serveInvokeAsync(w http.ResponseWriter, r *http.Request) (int, any, error) {
	m := edge.MetaFrom(r.Context())
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInvokeArgsOld+1))
	if err != nil {
		return 0, nil, edge.Errorf("InvalidRequestContentException", "Could not read request body: %v", err)
	}
	if len(body) > maxInvokeArgsOld {
		return 0, nil, edge.NewError(http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			fmt.Sprintf("Request must be smaller than %d bytes for the InvokeAsync operation", maxInvokeArgsOld))
	}
	ref, err := s.ref(r.Context(), r.PathValue("name"), "")
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.invoke(r.Context(), &invokeRequest{Ref: ref, Type: invokeEvent, Payload: body, RequestID: m.RequestID}); err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, map[string]int{"Status": 202}, nil
}

// errHandled tells handle that the response is written.
var errHandled = &edge.Error{Code: "handled"}

var reCodeFile = lazyRegexp(`^[0-9a-f]{64}\.zip$`)

// CodeHandler serves deployment packages by SHA-256 at
// GET /_tenkai/lambda/code/{sha256-hex}.zip: the Location URLs of GetFunction
// and GetLayerVersion. Mount it with Edge.HandleAdmin("GET /_tenkai/lambda/code/{file}", h).
func (s *Service) CodeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		if file == "" {
			file = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		}
		if !reCodeFile().MatchString(file) {
			http.NotFound(w, r)
			return
		}
		data, err := s.blobs.get(strings.TrimSuffix(file, ".zip"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = w.Write(data)
	})
}
