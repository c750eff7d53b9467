package apigateway

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

func notFoundV1(kind, id string) *edge.Error {
	return edge.NewError(http.StatusNotFound, "NotFoundException", "Invalid "+kind+" identifier specified")
}

// withRest loads a REST API for the request's account and region.
func (s *Service) withRest(r *http.Request, write bool, fn func(api *restAPI) error) (*restAPI, error) {
	m := edge.MetaFrom(r.Context())
	id := r.PathValue("restapi_id")
	bucket := restBucket(m.Account, m.Region)
	var api *restAPI
	run := s.st.View
	if write {
		run = s.st.Update
	}
	err := run(func(tx store.Tx) error {
		var err error
		if api, err = getDoc[restAPI](tx, bucket, id); err != nil {
			return err
		}
		if api == nil {
			return notFoundV1("API", id)
		}
		if err := fn(api); err != nil {
			return err
		}
		if write {
			return putDoc(tx, bucket, id, api)
		}
		return nil
	})
	return api, err
}

func restOut(a *restAPI) map[string]any {
	out := map[string]any{"id": a.ID, "name": a.Name, "createdDate": a.Created / 1000,
		"apiKeySource": a.ApiKeySource, "endpointConfiguration": map[string]any{"types": a.EndpointTypes},
		"disableExecuteApiEndpoint": a.DisableExecuteApiEndpoint, "rootResourceId": a.RootID, "tags": tagsOut(a.Tags)}
	if a.Description != "" {
		out["description"] = a.Description
	}
	if a.Version != "" {
		out["version"] = a.Version
	}
	if len(a.BinaryMediaTypes) > 0 {
		out["binaryMediaTypes"] = a.BinaryMediaTypes
	}
	if a.MinimumCompressionSize != nil {
		out["minimumCompressionSize"] = *a.MinimumCompressionSize
	}
	if a.Policy != "" {
		out["policy"] = a.Policy
	}
	return out
}

func resourceOut(res *resource) map[string]any {
	out := map[string]any{"id": res.ID, "path": res.Path}
	if res.ParentID != "" {
		out["parentId"] = res.ParentID
		out["pathPart"] = res.PathPart
	}
	if len(res.Methods) > 0 {
		ms := map[string]any{}
		for k, m := range res.Methods {
			ms[k] = methodOut(m)
		}
		out["resourceMethods"] = ms
	}
	return out
}

func methodOut(m *method) map[string]any {
	out := map[string]any{"httpMethod": m.HTTPMethod, "authorizationType": m.AuthorizationType, "apiKeyRequired": m.ApiKeyRequired}
	if m.AuthorizerID != "" {
		out["authorizerId"] = m.AuthorizerID
	}
	if m.OperationName != "" {
		out["operationName"] = m.OperationName
	}
	if len(m.RequestParameters) > 0 {
		out["requestParameters"] = m.RequestParameters
	}
	if len(m.RequestModels) > 0 {
		out["requestModels"] = m.RequestModels
	}
	if len(m.MethodResponses) > 0 {
		out["methodResponses"] = m.MethodResponses
	}
	if m.Integration != nil {
		out["methodIntegration"] = m.Integration
	}
	return out
}

var rePathPart = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-zA-Z0-9._:@~-]+|\{[a-zA-Z0-9._-]+\+?\})$`) })

func (s *Service) routesV1() {
	const apis = "/restapis"
	s.handle("POST "+apis, "CreateRestApi", s.createRestAPI)
	s.handle("GET "+apis, "GetRestApis", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		m := edge.MetaFrom(r.Context())
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		if limit <= 0 || limit > 500 {
			limit = 25
		}
		var items []any
		next := ""
		err := s.st.View(func(tx store.Tx) error {
			tx.Bucket(restBucket(m.Account, m.Region)).Scan([]byte(q.Get("position")), nil, false, func(k, v []byte) bool {
				if len(items) == limit {
					next = string(k)
					return false
				}
				var a restAPI
				if json.Unmarshal(v, &a) == nil {
					items = append(items, restOut(&a))
				}
				return true
			})
			return nil
		})
		out := map[string]any{"item": nonNil(items)}
		if next != "" {
			out["position"] = next
		}
		return http.StatusOK, out, err
	})
	api := apis + "/{restapi_id}"
	s.handle("GET "+api, "GetRestApi", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		a, err := s.withRest(r, false, func(*restAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, restOut(a), nil
	})
	s.handle("PATCH "+api, "UpdateRestApi", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			PatchOperations []patchOp `json:"patchOperations"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		a, err := s.withRest(r, true, func(a *restAPI) error {
			for _, op := range in.PatchOperations {
				if err := a.patch(op); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, restOut(a), nil
	})
	s.handle("DELETE "+api, "DeleteRestApi", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		m := edge.MetaFrom(r.Context())
		id := r.PathValue("restapi_id")
		err := s.st.Update(func(tx store.Tx) error {
			b := tx.Bucket(restBucket(m.Account, m.Region))
			if b.Get([]byte(id)) == nil {
				return notFoundV1("API", id)
			}
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
			return tx.Bucket(indexBucket).Delete([]byte(id))
		})
		return http.StatusAccepted, nil, err
	})
	s.handle("GET "+api+"/resources", "GetResources", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		a, err := s.withRest(r, false, func(*restAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		items := []any{}
		for _, res := range sortedResources(a.Resources) {
			items = append(items, resourceOut(res))
		}
		return http.StatusOK, map[string]any{"item": items}, nil
	})
	s.handle("GET "+api+"/resources/{resource_id}", "GetResource", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var res *resource
		_, err := s.withRest(r, false, func(a *restAPI) error {
			if res = a.Resources[r.PathValue("resource_id")]; res == nil {
				return notFoundV1("Resource", "")
			}
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, resourceOut(res), nil
	})
	s.handle("POST "+api+"/resources/{parent_id}", "CreateResource", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			PathPart string `json:"pathPart"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		if !rePathPart().MatchString(in.PathPart) {
			return 0, nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
		}
		var res *resource
		_, err := s.withRest(r, true, func(a *restAPI) error {
			parent := a.Resources[r.PathValue("parent_id")]
			if parent == nil {
				return notFoundV1("Resource", "")
			}
			if strings.HasSuffix(parent.PathPart, "+}") {
				return badRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.Path)
			}
			path := strings.TrimSuffix(parent.Path, "/") + "/" + in.PathPart
			for _, o := range a.Resources {
				if o.ParentID == parent.ID {
					if o.PathPart == in.PathPart {
						return edge.NewError(http.StatusConflict, "ConflictException", "Another resource with the same parent already has this name: "+in.PathPart)
					}
					if strings.HasPrefix(o.PathPart, "{") && strings.HasPrefix(in.PathPart, "{") {
						return badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", o.PathPart)
					}
				}
			}
			res = &resource{ID: s.cfg.NewID(), ParentID: parent.ID, PathPart: in.PathPart, Path: path}
			a.Resources[res.ID] = res
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, resourceOut(res), nil
	})
	s.handle("DELETE "+api+"/resources/{resource_id}", "DeleteResource", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		_, err := s.withRest(r, true, func(a *restAPI) error {
			id := r.PathValue("resource_id")
			if a.Resources[id] == nil || id == a.RootID {
				return notFoundV1("Resource", "")
			}
			deleteTree(a.Resources, id)
			return nil
		})
		return http.StatusAccepted, nil, err
	})
	s.methodRoutes(api + "/resources/{resource_id}/methods/{http_method}")
	s.restStageRoutes(api)
}

func deleteTree(res map[string]*resource, id string) {
	for _, r := range res {
		if r.ParentID == id {
			deleteTree(res, r.ID)
		}
	}
	delete(res, id)
}

func sortedResources(m map[string]*resource) []*resource {
	out := make([]*resource, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Path < out[j-1].Path; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (s *Service) createRestAPI(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in struct {
		Name                      string                    `json:"name"`
		Description               string                    `json:"description"`
		Version                   string                    `json:"version"`
		BinaryMediaTypes          []string                  `json:"binaryMediaTypes"`
		MinimumCompressionSize    *int                      `json:"minimumCompressionSize"`
		ApiKeySource              string                    `json:"apiKeySource"`
		EndpointConfiguration     *struct{ Types []string } `json:"endpointConfiguration"`
		Policy                    string                    `json:"policy"`
		Tags                      map[string]string         `json:"tags"`
		DisableExecuteApiEndpoint bool                      `json:"disableExecuteApiEndpoint"`
	}
	if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == "" {
		return 0, nil, badRequest("Invalid REST API name specified")
	}
	m := edge.MetaFrom(r.Context())
	a := &restAPI{ID: s.cfg.NewID(), Name: in.Name, Description: in.Description, Version: in.Version,
		BinaryMediaTypes: in.BinaryMediaTypes, MinimumCompressionSize: in.MinimumCompressionSize,
		ApiKeySource: "HEADER", EndpointTypes: []string{"EDGE"}, Policy: in.Policy, Tags: in.Tags,
		DisableExecuteApiEndpoint: in.DisableExecuteApiEndpoint, Created: s.now().UnixMilli()}
	if in.ApiKeySource != "" {
		a.ApiKeySource = in.ApiKeySource
	}
	if in.EndpointConfiguration != nil && len(in.EndpointConfiguration.Types) > 0 {
		a.EndpointTypes = in.EndpointConfiguration.Types
	}
	root := &resource{ID: s.cfg.NewID(), Path: "/"}
	a.RootID = root.ID
	a.Resources = map[string]*resource{root.ID: root}
	err := s.st.Update(func(tx store.Tx) error {
		if err := putDoc(tx, restBucket(m.Account, m.Region), a.ID, a); err != nil {
			return err
		}
		return putIndex(tx, a.ID, apiIndex{Account: m.Account, Region: m.Region, Kind: "rest"})
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, restOut(a), nil
}

var restMethods = map[string]bool{"ANY": true, "GET": true, "POST": true, "PUT": true, "DELETE": true,
	"PATCH": true, "HEAD": true, "OPTIONS": true}

func (s *Service) methodRoutes(p string) {
	// withMethod runs change on the method (nil when absent unless create).
	withMethod := func(r *http.Request, write bool, change func(res *resource, m *method) (*method, error)) (*method, error) {
		hm := r.PathValue("http_method")
		if !restMethods[hm] {
			return nil, badRequest("Invalid HttpMethod specified. Valid options are ANY,GET,PUT,POST,DELETE,PATCH,HEAD,OPTIONS")
		}
		var out *method
		_, err := s.withRest(r, write, func(a *restAPI) error {
			res := a.Resources[r.PathValue("resource_id")]
			if res == nil {
				return notFoundV1("Resource", "")
			}
			m, err := change(res, res.Methods[hm])
			out = m
			return err
		})
		return out, err
	}
	missing := func() error { return notFoundV1("Method", "") }
	s.handle("PUT "+p, "PutMethod", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			AuthorizationType string            `json:"authorizationType"`
			AuthorizerID      string            `json:"authorizerId"`
			ApiKeyRequired    bool              `json:"apiKeyRequired"`
			OperationName     string            `json:"operationName"`
			RequestParameters map[string]bool   `json:"requestParameters"`
			RequestModels     map[string]string `json:"requestModels"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		switch in.AuthorizationType {
		case "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS":
		default:
			return 0, nil, badRequest("Invalid authorization type specified")
		}
		m, err := withMethod(r, true, func(res *resource, _ *method) (*method, error) {
			m := &method{HTTPMethod: r.PathValue("http_method"), AuthorizationType: in.AuthorizationType, AuthorizerID: in.AuthorizerID,
				ApiKeyRequired: in.ApiKeyRequired, OperationName: in.OperationName, RequestParameters: in.RequestParameters, RequestModels: in.RequestModels}
			if res.Methods == nil {
				res.Methods = map[string]*method{}
			}
			res.Methods[m.HTTPMethod] = m
			return m, nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, methodOut(m), nil
	})
	s.handle("GET "+p, "GetMethod", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		m, err := withMethod(r, false, func(res *resource, m *method) (*method, error) {
			if m == nil {
				return nil, missing()
			}
			return m, nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, methodOut(m), nil
	})
	s.handle("DELETE "+p, "DeleteMethod", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		_, err := withMethod(r, true, func(res *resource, m *method) (*method, error) {
			if m == nil {
				return nil, missing()
			}
			delete(res.Methods, m.HTTPMethod)
			return m, nil
		})
		return http.StatusNoContent, nil, err
	})
	s.handle("PUT "+p+"/integration", "PutIntegration", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in restIntegration
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		switch in.Type {
		case "AWS_PROXY":
			if in.HTTPMethod == "" {
				return 0, nil, badRequest("Enumeration value for HttpMethod must be non-empty")
			}
			if !reInvokeURI().MatchString(reStageVarRef().ReplaceAllString(in.URI, "v")) {
				return 0, nil, badRequest("Invalid ARN specified in the request")
			}
		case "HTTP_PROXY", "MOCK", "AWS", "HTTP":
			if in.Type != "MOCK" && in.URI == "" {
				return 0, nil, badRequest("Invalid HTTP endpoint specified for URI")
			}
		default:
			return 0, nil, badRequest("Invalid integration type specified")
		}
		if in.TimeoutInMillis == 0 {
			in.TimeoutInMillis = 29000
		}
		if in.TimeoutInMillis < 50 {
			return 0, nil, badRequest("Timeout should be between 50 ms and 29000 ms")
		}
		if in.PassthroughBehavior == "" {
			in.PassthroughBehavior = "WHEN_NO_MATCH"
		}
		if in.ConnectionType == "" && in.Type != "MOCK" {
			in.ConnectionType = "INTERNET"
		}
		if in.CacheKeyParameters == nil {
			in.CacheKeyParameters = []string{}
		}
		var it *restIntegration
		_, err := withMethod(r, true, func(res *resource, m *method) (*method, error) {
			if m == nil {
				return nil, missing()
			}
			in.CacheNamespace = res.ID
			in.IntegrationResponses = nil
			m.Integration, it = &in, &in
			return m, nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, it, nil
	})
	s.handle("GET "+p+"/integration", "GetIntegration", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		m, err := withMethod(r, false, func(res *resource, m *method) (*method, error) {
			if m == nil || m.Integration == nil {
				return nil, notFoundV1("Integration", "")
			}
			return m, nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, m.Integration, nil
	})
	s.handle("DELETE "+p+"/integration", "DeleteIntegration", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		_, err := withMethod(r, true, func(res *resource, m *method) (*method, error) {
			if m == nil || m.Integration == nil {
				return nil, notFoundV1("Integration", "")
			}
			m.Integration = nil
			return m, nil
		})
		return http.StatusNoContent, nil, err
	})
	s.handle("PUT "+p+"/responses/{status_code}", "PutMethodResponse", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in methodResponse
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		in.StatusCode = r.PathValue("status_code")
		_, err := withMethod(r, true, func(res *resource, m *method) (*method, error) {
			if m == nil {
				return nil, missing()
			}
			if m.MethodResponses == nil {
				m.MethodResponses = map[string]*methodResponse{}
			}
			m.MethodResponses[in.StatusCode] = &in
			return m, nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, &in, nil
	})
	s.handle("PUT "+p+"/integration/responses/{status_code}", "PutIntegrationResponse", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in integrationResponse
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		in.StatusCode = r.PathValue("status_code")
		_, err := withMethod(r, true, func(res *resource, m *method) (*method, error) {
			if m == nil || m.Integration == nil {
				return nil, notFoundV1("Integration", "")
			}
			if m.MethodResponses[in.StatusCode] == nil {
				return nil, notFoundV1("Response status code specified", "")
			}
			if m.Integration.IntegrationResponses == nil {
				m.Integration.IntegrationResponses = map[string]*integrationResponse{}
			}
			m.Integration.IntegrationResponses[in.StatusCode] = &in
			return m, nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, &in, nil
	})
}

// patchOp is one JSON-Patch-like operation of the REST API's Update calls.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
	From  string `json:"from"`
}

// unescapePatch reads a patch path part: ~1 is "/" and ~0 is "~".
func unescapePatch(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// patch applies one UpdateRestApi operation.
func (a *restAPI) patch(op patchOp) error {
	switch {
	case op.Path == "/name" && op.Op == "replace":
		if op.Value == "" {
			return badRequest("Invalid REST API name specified")
		}
		a.Name = op.Value
	case op.Path == "/description":
		a.Description = op.Value
	case op.Path == "/version":
		a.Version = op.Value
	case op.Path == "/policy":
		a.Policy = op.Value
	case op.Path == "/disableExecuteApiEndpoint":
		a.DisableExecuteApiEndpoint = op.Value == "true"
	case op.Path == "/minimumCompressionSize":
		if op.Value == "" || op.Op == "remove" {
			a.MinimumCompressionSize = nil
			return nil
		}
		n, err := strconv.Atoi(op.Value)
		if err != nil || n < 0 || n > 10485760 {
			return badRequest("Invalid minimum compression size, must be between 0 and 10485760")
		}
		a.MinimumCompressionSize = &n
	case strings.HasPrefix(op.Path, "/binaryMediaTypes/"):
		t := unescapePatch(strings.TrimPrefix(op.Path, "/binaryMediaTypes/"))
		out := a.BinaryMediaTypes[:0:0]
		for _, x := range a.BinaryMediaTypes {
			if x != t {
				out = append(out, x)
			}
		}
		switch op.Op {
		case "add":
			out = append(out, t)
		case "replace":
			out = append(out, op.Value)
		case "remove":
		default:
			return badRequest("Invalid patch operation specified. Must be one of: [add, remove, replace]")
		}
		a.BinaryMediaTypes = out
	default:
		return badRequest("Invalid patch path '%s' specified for op '%s'", op.Path, op.Op)
	}
	return nil
}
