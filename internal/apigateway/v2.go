package apigateway

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

const maxControlBody = 6 << 20

type handler func(w http.ResponseWriter, r *http.Request) (status int, out any, err error)

func (s *Service) handle(pattern, op string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		edge.SetOperation(r, op)
		status, out, err := h(w, r)
		if err != nil {
			edge.WriteError(w, r, err)
			return
		}
		if out == nil {
			w.Header().Set("x-amzn-RequestId", edge.MetaFrom(r.Context()).RequestID)
			w.WriteHeader(status)
			return
		}
		edge.WriteJSON(w, r, status, out)
	})
}

func notFoundV2(kind, id string) *edge.Error {
	return edge.NewError(http.StatusNotFound, "NotFoundException", "Invalid "+kind+" identifier specified "+id)
}

func badRequest(format string, args ...any) *edge.Error {
	return edge.Errorf("BadRequestException", format, args...)
}

// apiInput is CreateApi and UpdateApi's body.
type apiInput struct {
	Name                      *string           `json:"name"`
	ProtocolType              *string           `json:"protocolType"`
	Description               *string           `json:"description"`
	Version                   *string           `json:"version"`
	RouteKey                  *string           `json:"routeKey"`
	Target                    *string           `json:"target"`
	CredentialsArn            *string           `json:"credentialsArn"`
	RouteSelectionExpression  *string           `json:"routeSelectionExpression"`
	ApiKeySelectionExpression *string           `json:"apiKeySelectionExpression"`
	DisableExecuteApiEndpoint *bool             `json:"disableExecuteApiEndpoint"`
	DisableSchemaValidation   *bool             `json:"disableSchemaValidation"`
	IpAddressType             *string           `json:"ipAddressType"`
	CorsConfiguration         *corsConfig       `json:"corsConfiguration"`
	Tags                      map[string]string `json:"tags"`
}

// apiRef loads an HTTP API for the request's account and region.
func (s *Service) withAPI(r *http.Request, write bool, fn func(tx store.Tx, api *httpAPI) error) (*httpAPI, error) {
	m := edge.MetaFrom(r.Context())
	id := r.PathValue("apiId")
	bucket := httpBucket(m.Account, m.Region)
	var api *httpAPI
	run := s.st.View
	if write {
		run = s.st.Update
	}
	err := run(func(tx store.Tx) error {
		var err error
		if api, err = getDoc[httpAPI](tx, bucket, id); err != nil {
			return err
		}
		if api == nil {
			return notFoundV2("API", m.Account+":"+id)
		}
		if err := fn(tx, api); err != nil {
			return err
		}
		if write {
			return putDoc(tx, bucket, id, api)
		}
		return nil
	})
	return api, err
}

func (s *Service) apiOut(r *http.Request, a *httpAPI) map[string]any {
	out := map[string]any{
		"apiId": a.ID, "name": a.Name, "protocolType": a.ProtocolType,
		"apiEndpoint":               endpoint(r.Context(), a.ID, "execute-api"),
		"routeSelectionExpression":  a.RouteSelectionExpression,
		"apiKeySelectionExpression": a.ApiKeySelectionExpression,
		"createdDate":               isoTime(a.Created),
		"disableExecuteApiEndpoint": a.DisableExecuteApiEndpoint,
		"tags":                      tagsOut(a.Tags),
	}
	if a.Description != "" {
		out["description"] = a.Description
	}
	if a.Version != "" {
		out["version"] = a.Version
	}
	if a.IpAddressType != "" {
		out["ipAddressType"] = a.IpAddressType
	}
	if a.Cors != nil {
		out["corsConfiguration"] = a.Cors
	}
	return out
}

func tagsOut(t map[string]string) map[string]string {
	if t == nil {
		return map[string]string{}
	}
	return t
}

func (s *Service) routesV2() {
	const apis = "/v2/apis"
	s.handle("POST "+apis, "CreateApi", s.createAPI)
	s.handle("GET "+apis, "GetApis", s.getAPIs)
	s.handle("GET "+apis+"/{apiId}", "GetApi", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		api, err := s.withAPI(r, false, func(store.Tx, *httpAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, s.apiOut(r, api), nil
	})
	s.handle("PATCH "+apis+"/{apiId}", "UpdateApi", s.updateAPI)
	s.handle("DELETE "+apis+"/{apiId}", "DeleteApi", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		m := edge.MetaFrom(r.Context())
		id := r.PathValue("apiId")
		err := s.st.Update(func(tx store.Tx) error {
			b := tx.Bucket(httpBucket(m.Account, m.Region))
			if b.Get([]byte(id)) == nil {
				return notFoundV2("API", m.Account+":"+id)
			}
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
			return tx.Bucket(indexBucket).Delete([]byte(id))
		})
		return http.StatusNoContent, nil, err
	})
	s.handle("DELETE "+apis+"/{apiId}/cors", "DeleteCorsConfiguration", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		_, err := s.withAPI(r, true, func(tx store.Tx, api *httpAPI) error { api.Cors = nil; return nil })
		return http.StatusNoContent, nil, err
	})
	s.routeRoutes(apis)
	s.integrationRoutes(apis)
	s.stageRoutes(apis)
	s.deploymentRoutes(apis)
	s.tagRoutes()
}

func validCors(c *corsConfig) error {
	if c == nil {
		return nil
	}
	if c.AllowCredentials != nil && *c.AllowCredentials {
		for _, o := range c.AllowOrigins {
			if o == "*" {
				return badRequest("allow-credentials is not supported when allow-origin is set to *")
			}
		}
	}
	if c.MaxAge != nil && (*c.MaxAge < -1 || *c.MaxAge > 86400) {
		return badRequest("Invalid maxAge: %d. Must be between -1 and 86400", *c.MaxAge)
	}
	return nil
}

func (s *Service) createAPI(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in apiInput
	if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Name == nil || *in.Name == "" {
		return 0, nil, badRequest("Invalid input: name is required")
	}
	if in.ProtocolType == nil {
		return 0, nil, badRequest("Invalid input: protocolType is required")
	}
	if *in.ProtocolType != "HTTP" && *in.ProtocolType != "WEBSOCKET" {
		return 0, nil, badRequest("Invalid protocol type %s, must be one of [HTTP, WEBSOCKET]", *in.ProtocolType)
	}
	if *in.ProtocolType == "WEBSOCKET" {
		return 0, nil, badRequest("WebSocket APIs are not supported by tenkai")
	}
	if err := validCors(in.CorsConfiguration); err != nil {
		return 0, nil, err
	}
	m := edge.MetaFrom(r.Context())
	now := s.now().UnixMilli()
	api := &httpAPI{
		ID: s.cfg.NewID(), Name: *in.Name, ProtocolType: *in.ProtocolType,
		RouteSelectionExpression: "$request.method $request.path", ApiKeySelectionExpression: "$request.header.x-api-key",
		Cors: in.CorsConfiguration, Tags: in.Tags, Created: now,
	}
	setStr(&api.Description, in.Description)
	setStr(&api.Version, in.Version)
	setStr(&api.IpAddressType, in.IpAddressType)
	if in.DisableExecuteApiEndpoint != nil {
		api.DisableExecuteApiEndpoint = *in.DisableExecuteApiEndpoint
	}
	if in.Target != nil {
		if err := s.quickCreate(api, in, now); err != nil {
			return 0, nil, err
		}
	} else if in.RouteKey != nil {
		return 0, nil, badRequest("RouteKey is only supported with Target (quick create)")
	}
	err := s.st.Update(func(tx store.Tx) error {
		if err := putDoc(tx, httpBucket(m.Account, m.Region), api.ID, api); err != nil {
			return err
		}
		return putIndex(tx, api.ID, apiIndex{Account: m.Account, Region: m.Region, Kind: "http"})
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.apiOut(r, api), nil
}

// quickCreate adds the managed integration, route and $default stage
// (auto-deployed) that CreateApi makes for a Target. Like AWS, it adds no
// Lambda permission: the function's policy must allow apigateway.amazonaws.com.
func (s *Service) quickCreate(api *httpAPI, in apiInput, now int64) error {
	key := "$default"
	if in.RouteKey != nil {
		key = *in.RouteKey
	}
	if _, err := ParseRouteKey(key); err != nil {
		return badRequest("Invalid route key: %s", key)
	}
	integ := &integration{IntegrationID: s.cfg.NewID()[:7], IntegrationURI: *in.Target, ConnectionType: "INTERNET",
		TimeoutInMillis: 30000, ApiGatewayManaged: true}
	if strings.HasPrefix(*in.Target, "http://") || strings.HasPrefix(*in.Target, "https://") {
		integ.IntegrationType, integ.IntegrationMethod, integ.PayloadFormatVersion = "HTTP_PROXY", "ANY", "1.0"
	} else {
		integ.IntegrationType, integ.PayloadFormatVersion = "AWS_PROXY", "2.0"
		integ.IntegrationMethod = "POST"
	}
	setStr(&integ.CredentialsArn, in.CredentialsArn)
	rt := &route{RouteID: s.cfg.NewID()[:7], RouteKey: key, Target: "integrations/" + integ.IntegrationID,
		AuthorizationType: "NONE", ApiGatewayManaged: true}
	api.Integrations = map[string]*integration{integ.IntegrationID: integ}
	api.Routes = map[string]*route{rt.RouteID: rt}
	api.Stages = map[string]*stage{"$default": {StageName: "$default", AutoDeploy: true, Created: now, Updated: now, Managed: true}}
	s.autoDeploy(api, now)
	return nil
}

func setStr(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func (s *Service) updateAPI(w http.ResponseWriter, r *http.Request) (int, any, error) {
	var in apiInput
	if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
		return 0, nil, err
	}
	if err := validCors(in.CorsConfiguration); err != nil {
		return 0, nil, err
	}
	api, err := s.withAPI(r, true, func(tx store.Tx, api *httpAPI) error {
		setStr(&api.Name, in.Name)
		setStr(&api.Description, in.Description)
		setStr(&api.Version, in.Version)
		setStr(&api.RouteSelectionExpression, in.RouteSelectionExpression)
		setStr(&api.IpAddressType, in.IpAddressType)
		if in.DisableExecuteApiEndpoint != nil {
			api.DisableExecuteApiEndpoint = *in.DisableExecuteApiEndpoint
		}
		if in.CorsConfiguration != nil {
			api.Cors = in.CorsConfiguration
		}
		changed := false
		for _, it := range api.Integrations {
			if it.ApiGatewayManaged && in.Target != nil {
				it.IntegrationURI, changed = *in.Target, true
			}
		}
		for _, rt := range api.Routes {
			if rt.ApiGatewayManaged && in.RouteKey != nil {
				if _, err := ParseRouteKey(*in.RouteKey); err != nil {
					return badRequest("Invalid route key: %s", *in.RouteKey)
				}
				rt.RouteKey, changed = *in.RouteKey, true
			}
		}
		if changed {
			s.autoDeploy(api, s.now().UnixMilli())
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.apiOut(r, api), nil
}

func (s *Service) getAPIs(w http.ResponseWriter, r *http.Request) (int, any, error) {
	m := edge.MetaFrom(r.Context())
	var items []any
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("maxResults"))
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	from := q.Get("nextToken")
	next := ""
	err := s.st.View(func(tx store.Tx) error {
		tx.Bucket(httpBucket(m.Account, m.Region)).Scan([]byte(from), nil, false, func(k, v []byte) bool {
			if len(items) == limit {
				next = string(k)
				return false
			}
			var a httpAPI
			if json.Unmarshal(v, &a) == nil {
				items = append(items, s.apiOut(r, &a))
			}
			return true
		})
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"items": nonNil(items)}
	if next != "" {
		out["nextToken"] = next
	}
	return http.StatusOK, out, nil
}

func nonNil(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}

// autoDeploy deploys the current routes to every AutoDeploy stage.
func (s *Service) autoDeploy(api *httpAPI, now int64) {
	var d *deployment
	for _, st := range api.Stages {
		if !st.AutoDeploy {
			continue
		}
		if d == nil {
			d = s.snapshot(api, now, true, "")
		}
		st.DeploymentID, st.Updated = d.DeploymentID, now
		st.LastMessage = "Successfully deployed stage with deployment ID '" + d.DeploymentID + "'"
	}
	pruneDeployments(api)
}

func (s *Service) snapshot(api *httpAPI, now int64, auto bool, desc string) *deployment {
	d := &deployment{DeploymentID: s.cfg.NewID()[:6], AutoDeployed: auto, Created: now, Description: desc,
		Routes: map[string]*route{}, Integrations: map[string]*integration{}}
	for k, v := range api.Routes {
		c := *v
		d.Routes[k] = &c
	}
	for k, v := range api.Integrations {
		c := *v
		d.Integrations[k] = &c
	}
	if api.Deployments == nil {
		api.Deployments = map[string]*deployment{}
	}
	api.Deployments[d.DeploymentID] = d
	return d
}

// pruneDeployments drops automatic deployments no stage uses, so a busy
// auto-deployed API does not grow without bound.
func pruneDeployments(api *httpAPI) {
	used := map[string]bool{}
	for _, st := range api.Stages {
		used[st.DeploymentID] = true
	}
	for id, d := range api.Deployments {
		if d.AutoDeployed && !used[id] {
			delete(api.Deployments, id)
		}
	}
}

// routeInput is CreateRoute and UpdateRoute's body.
type routeInput struct {
	RouteKey          *string         `json:"routeKey"`
	Target            *string         `json:"target"`
	AuthorizationType *string         `json:"authorizationType"`
	AuthorizerID      *string         `json:"authorizerId"`
	ApiKeyRequired    *bool           `json:"apiKeyRequired"`
	OperationName     *string         `json:"operationName"`
	RequestParameters json.RawMessage `json:"requestParameters"`
}

func (in *routeInput) apply(rt *route, api *httpAPI) error {
	if in.RouteKey != nil {
		if _, err := ParseRouteKey(*in.RouteKey); err != nil {
			return badRequest("Invalid route key: %s", *in.RouteKey)
		}
		for _, o := range api.Routes {
			if o.RouteKey == *in.RouteKey && o.RouteID != rt.RouteID {
				return edge.NewError(http.StatusConflict, "ConflictException", "Unable to create route "+*in.RouteKey+". Route key already exists.")
			}
		}
		rt.RouteKey = *in.RouteKey
	}
	if in.Target != nil {
		if *in.Target != "" {
			id, ok := strings.CutPrefix(*in.Target, "integrations/")
			if !ok || api.Integrations[id] == nil {
				return badRequest("Invalid target: %s", *in.Target)
			}
		}
		rt.Target = *in.Target
	}
	if in.AuthorizationType != nil {
		switch *in.AuthorizationType {
		case "NONE", "AWS_IAM", "JWT", "CUSTOM":
			rt.AuthorizationType = *in.AuthorizationType
		default:
			return badRequest("Invalid authorization type %s", *in.AuthorizationType)
		}
	}
	setStr(&rt.AuthorizerID, in.AuthorizerID)
	setStr(&rt.OperationName, in.OperationName)
	if in.ApiKeyRequired != nil {
		rt.ApiKeyRequired = *in.ApiKeyRequired
	}
	if in.RequestParameters != nil {
		rt.RequestParameters = in.RequestParameters
	}
	return nil
}

func routeOut(rt *route) map[string]any {
	out := map[string]any{"routeId": rt.RouteID, "routeKey": rt.RouteKey, "authorizationType": rt.AuthorizationType,
		"apiKeyRequired": rt.ApiKeyRequired}
	if rt.Target != "" {
		out["target"] = rt.Target
	}
	if rt.AuthorizerID != "" {
		out["authorizerId"] = rt.AuthorizerID
	}
	if rt.OperationName != "" {
		out["operationName"] = rt.OperationName
	}
	if rt.ApiGatewayManaged {
		out["apiGatewayManaged"] = true
	}
	if rt.RequestParameters != nil {
		out["requestParameters"] = rt.RequestParameters
	}
	return out
}

func (s *Service) routeRoutes(apis string) {
	s.handle("POST "+apis+"/{apiId}/routes", "CreateRoute", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in routeInput
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		if in.RouteKey == nil {
			return 0, nil, badRequest("Invalid input: routeKey is required")
		}
		var rt *route
		_, err := s.withAPI(r, true, func(tx store.Tx, api *httpAPI) error {
			rt = &route{RouteID: s.cfg.NewID()[:7], AuthorizationType: "NONE"}
			if err := in.apply(rt, api); err != nil {
				return err
			}
			if api.Routes == nil {
				api.Routes = map[string]*route{}
			}
			api.Routes[rt.RouteID] = rt
			s.autoDeploy(api, s.now().UnixMilli())
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, routeOut(rt), nil
	})
	s.handle("GET "+apis+"/{apiId}/routes", "GetRoutes", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		api, err := s.withAPI(r, false, func(store.Tx, *httpAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		items := []any{}
		for _, id := range sortedKeys(api.Routes) {
			items = append(items, routeOut(api.Routes[id]))
		}
		return http.StatusOK, map[string]any{"items": items}, nil
	})
	one := func(op string, write bool, change func(r *http.Request, api *httpAPI, rt *route) error) handler {
		return func(w http.ResponseWriter, r *http.Request) (int, any, error) {
			var rt *route
			_, err := s.withAPI(r, write, func(tx store.Tx, api *httpAPI) error {
				rt = api.Routes[r.PathValue("routeId")]
				if rt == nil {
					return notFoundV2("Route", r.PathValue("routeId"))
				}
				return change(r, api, rt)
			})
			if err != nil {
				return 0, nil, err
			}
			if op == "DeleteRoute" {
				return http.StatusNoContent, nil, nil
			}
			return http.StatusOK, routeOut(rt), nil
		}
	}
	s.handle("GET "+apis+"/{apiId}/routes/{routeId}", "GetRoute", one("GetRoute", false, func(*http.Request, *httpAPI, *route) error { return nil }))
	s.handle("PATCH "+apis+"/{apiId}/routes/{routeId}", "UpdateRoute", one("UpdateRoute", true, func(r *http.Request, api *httpAPI, rt *route) error {
		var in routeInput
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return err
		}
		if err := in.apply(rt, api); err != nil {
			return err
		}
		s.autoDeploy(api, s.now().UnixMilli())
		return nil
	}))
	s.handle("DELETE "+apis+"/{apiId}/routes/{routeId}", "DeleteRoute", one("DeleteRoute", true, func(r *http.Request, api *httpAPI, rt *route) error {
		delete(api.Routes, rt.RouteID)
		s.autoDeploy(api, s.now().UnixMilli())
		return nil
	}))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
