package apigateway

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sync"

	"tenkai/internal/edge"
	"tenkai/internal/store"
)

// integrationInput is CreateIntegration and UpdateIntegration's body.
type integrationInput struct {
	IntegrationType      *string         `json:"integrationType"`
	IntegrationURI       *string         `json:"integrationUri"`
	IntegrationMethod    *string         `json:"integrationMethod"`
	PayloadFormatVersion *string         `json:"payloadFormatVersion"`
	TimeoutInMillis      *int            `json:"timeoutInMillis"`
	ConnectionType       *string         `json:"connectionType"`
	Description          *string         `json:"description"`
	CredentialsArn       *string         `json:"credentialsArn"`
	RequestParameters    json.RawMessage `json:"requestParameters"`
}

func (in *integrationInput) apply(it *integration) error {
	if in.IntegrationType != nil {
		switch *in.IntegrationType {
		case "AWS_PROXY", "HTTP_PROXY":
		case "AWS", "HTTP", "MOCK":
			return badRequest("Integration type %s is not supported for HTTP APIs", *in.IntegrationType)
		default:
			return badRequest("Invalid integration type %s", *in.IntegrationType)
		}
		it.IntegrationType = *in.IntegrationType
	}
	setStr(&it.IntegrationURI, in.IntegrationURI)
	setStr(&it.IntegrationMethod, in.IntegrationMethod)
	setStr(&it.PayloadFormatVersion, in.PayloadFormatVersion)
	setStr(&it.ConnectionType, in.ConnectionType)
	setStr(&it.Description, in.Description)
	setStr(&it.CredentialsArn, in.CredentialsArn)
	if in.RequestParameters != nil {
		it.RequestParameters = in.RequestParameters
	}
	if in.TimeoutInMillis != nil {
		if *in.TimeoutInMillis < 50 || *in.TimeoutInMillis > 30000 {
			return badRequest("Timeout must be between 50 ms and 30000 ms")
		}
		it.TimeoutInMillis = *in.TimeoutInMillis
	}
	switch it.IntegrationType {
	case "AWS_PROXY":
		if it.PayloadFormatVersion == "" {
			return badRequest("PayloadFormatVersion is required for AWS_PROXY integrations")
		}
		if it.PayloadFormatVersion != "1.0" && it.PayloadFormatVersion != "2.0" {
			return badRequest("Invalid payload format version %s", it.PayloadFormatVersion)
		}
		if _, ok := lambdaTarget(it.IntegrationURI); !ok {
			return badRequest("Invalid integration URI specified")
		}
	case "HTTP_PROXY":
		if it.PayloadFormatVersion == "" {
			it.PayloadFormatVersion = "1.0"
		}
		if u, err := url.Parse(it.IntegrationURI); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return badRequest("Invalid integration URI specified")
		}
		if it.IntegrationMethod == "" {
			return badRequest("IntegrationMethod is required for HTTP_PROXY integrations")
		}
	}
	return nil
}

var reInvokeURI = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-zA-Z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+(:[a-zA-Z0-9$_-]+)?)/invocations$`)
})
var reFunctionARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+(:[a-zA-Z0-9$_-]+)?$`)
})

// lambdaTarget returns the function ARN an integration URI names: a function
// ARN, or the apigateway invoke form
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations.
func lambdaTarget(uri string) (string, bool) {
	if m := reInvokeURI().FindStringSubmatch(uri); m != nil {
		return m[1], true
	}
	if reFunctionARN().MatchString(uri) {
		return uri, true
	}
	return "", false
}

func integrationOut(it *integration) map[string]any {
	out := map[string]any{"integrationId": it.IntegrationID, "integrationType": it.IntegrationType,
		"connectionType": it.ConnectionType, "timeoutInMillis": it.TimeoutInMillis}
	for k, v := range map[string]string{"integrationUri": it.IntegrationURI, "integrationMethod": it.IntegrationMethod,
		"payloadFormatVersion": it.PayloadFormatVersion, "description": it.Description, "credentialsArn": it.CredentialsArn} {
		if v != "" {
			out[k] = v
		}
	}
	if it.ApiGatewayManaged {
		out["apiGatewayManaged"] = true
	}
	if it.RequestParameters != nil {
		out["requestParameters"] = it.RequestParameters
	}
	return out
}

func (s *Service) integrationRoutes(apis string) {
	s.handle("POST "+apis+"/{apiId}/integrations", "CreateIntegration", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in integrationInput
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		if in.IntegrationType == nil {
			return 0, nil, badRequest("Invalid input: integrationType is required")
		}
		it := &integration{IntegrationID: s.cfg.NewID()[:7], ConnectionType: "INTERNET", TimeoutInMillis: 30000}
		if err := in.apply(it); err != nil {
			return 0, nil, err
		}
		_, err := s.withAPI(r, true, func(tx store.Tx, api *httpAPI) error {
			if api.Integrations == nil {
				api.Integrations = map[string]*integration{}
			}
			api.Integrations[it.IntegrationID] = it
			s.autoDeploy(api, s.now().UnixMilli())
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, integrationOut(it), nil
	})
	s.handle("GET "+apis+"/{apiId}/integrations", "GetIntegrations", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		api, err := s.withAPI(r, false, func(store.Tx, *httpAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		items := []any{}
		for _, id := range sortedKeys(api.Integrations) {
			items = append(items, integrationOut(api.Integrations[id]))
		}
		return http.StatusOK, map[string]any{"items": items}, nil
	})
	one := func(op string, write bool, change func(r *http.Request, api *httpAPI, it *integration) error) handler {
		return func(w http.ResponseWriter, r *http.Request) (int, any, error) {
			var it *integration
			_, err := s.withAPI(r, write, func(tx store.Tx, api *httpAPI) error {
				it = api.Integrations[r.PathValue("integrationId")]
				if it == nil {
					return notFoundV2("Integration", r.PathValue("integrationId"))
				}
				return change(r, api, it)
			})
			if err != nil {
				return 0, nil, err
			}
			if op == "DeleteIntegration" {
				return http.StatusNoContent, nil, nil
			}
			return http.StatusOK, integrationOut(it), nil
		}
	}
	p := apis + "/{apiId}/integrations/{integrationId}"
	s.handle("GET "+p, "GetIntegration", one("GetIntegration", false, func(*http.Request, *httpAPI, *integration) error { return nil }))
	s.handle("PATCH "+p, "UpdateIntegration", one("UpdateIntegration", true, func(r *http.Request, api *httpAPI, it *integration) error {
		var in integrationInput
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return err
		}
		if err := in.apply(it); err != nil {
			return err
		}
		s.autoDeploy(api, s.now().UnixMilli())
		return nil
	}))
	s.handle("DELETE "+p, "DeleteIntegration", one("DeleteIntegration", true, func(r *http.Request, api *httpAPI, it *integration) error {
		for _, rt := range api.Routes {
			if rt.Target == "integrations/"+it.IntegrationID {
				return edge.NewError(http.StatusConflict, "ConflictException", "Cannot delete integration "+it.IntegrationID+": it is the target of route "+rt.RouteID)
			}
		}
		delete(api.Integrations, it.IntegrationID)
		return nil
	}))
}

// stageInput is CreateStage and UpdateStage's body.
type stageInput struct {
	StageName      *string           `json:"stageName"`
	AutoDeploy     *bool             `json:"autoDeploy"`
	DeploymentID   *string           `json:"deploymentId"`
	Description    *string           `json:"description"`
	StageVariables map[string]string `json:"stageVariables"`
	Tags           map[string]string `json:"tags"`
}

var reStageName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\$default|[a-zA-Z0-9_\-]{1,128})$`) })

func stageOut(st *stage) map[string]any {
	out := map[string]any{"stageName": st.StageName, "autoDeploy": st.AutoDeploy,
		"createdDate": isoTime(st.Created), "lastUpdatedDate": isoTime(st.Updated),
		"defaultRouteSettings": map[string]any{"detailedMetricsEnabled": false},
		"routeSettings":        map[string]any{}, "stageVariables": tagsOut(st.StageVariables), "tags": tagsOut(st.Tags)}
	if st.DeploymentID != "" {
		out["deploymentId"] = st.DeploymentID
	}
	if st.Description != "" {
		out["description"] = st.Description
	}
	if st.Managed {
		out["apiGatewayManaged"] = true
	}
	if st.LastMessage != "" {
		out["lastDeploymentStatusMessage"] = st.LastMessage
	}
	return out
}

func (s *Service) stageRoutes(apis string) {
	s.handle("POST "+apis+"/{apiId}/stages", "CreateStage", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in stageInput
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		if in.StageName == nil || !reStageName().MatchString(*in.StageName) {
			return 0, nil, badRequest("Invalid stage name")
		}
		var st *stage
		_, err := s.withAPI(r, true, func(tx store.Tx, api *httpAPI) error {
			if api.Stages[*in.StageName] != nil {
				return edge.NewError(http.StatusConflict, "ConflictException", "Stage already exists")
			}
			now := s.now().UnixMilli()
			st = &stage{StageName: *in.StageName, Created: now, Updated: now, StageVariables: in.StageVariables, Tags: in.Tags}
			if err := applyStage(&in, st, api); err != nil {
				return err
			}
			if api.Stages == nil {
				api.Stages = map[string]*stage{}
			}
			api.Stages[st.StageName] = st
			s.autoDeploy(api, now)
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, stageOut(st), nil
	})
	s.handle("GET "+apis+"/{apiId}/stages", "GetStages", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		api, err := s.withAPI(r, false, func(store.Tx, *httpAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		items := []any{}
		for _, n := range sortedKeys(api.Stages) {
			items = append(items, stageOut(api.Stages[n]))
		}
		return http.StatusOK, map[string]any{"items": items}, nil
	})
	one := func(op string, write bool, change func(r *http.Request, api *httpAPI, st *stage) error) handler {
		return func(w http.ResponseWriter, r *http.Request) (int, any, error) {
			var st *stage
			_, err := s.withAPI(r, write, func(tx store.Tx, api *httpAPI) error {
				st = api.Stages[r.PathValue("stageName")]
				if st == nil {
					return notFoundV2("Stage", r.PathValue("stageName"))
				}
				return change(r, api, st)
			})
			if err != nil {
				return 0, nil, err
			}
			if op == "DeleteStage" {
				return http.StatusNoContent, nil, nil
			}
			return http.StatusOK, stageOut(st), nil
		}
	}
	p := apis + "/{apiId}/stages/{stageName}"
	s.handle("GET "+p, "GetStage", one("GetStage", false, func(*http.Request, *httpAPI, *stage) error { return nil }))
	s.handle("PATCH "+p, "UpdateStage", one("UpdateStage", true, func(r *http.Request, api *httpAPI, st *stage) error {
		var in stageInput
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return err
		}
		if in.StageVariables != nil {
			if st.StageVariables == nil {
				st.StageVariables = map[string]string{}
			}
			for k, v := range in.StageVariables {
				if v == "" {
					delete(st.StageVariables, k)
				} else {
					st.StageVariables[k] = v
				}
			}
		}
		if err := applyStage(&in, st, api); err != nil {
			return err
		}
		st.Updated = s.now().UnixMilli()
		s.autoDeploy(api, st.Updated)
		return nil
	}))
	s.handle("DELETE "+p, "DeleteStage", one("DeleteStage", true, func(r *http.Request, api *httpAPI, st *stage) error {
		delete(api.Stages, st.StageName)
		pruneDeployments(api)
		return nil
	}))
}

func applyStage(in *stageInput, st *stage, api *httpAPI) error {
	if in.AutoDeploy != nil {
		st.AutoDeploy = *in.AutoDeploy
	}
	setStr(&st.Description, in.Description)
	if in.DeploymentID != nil {
		if api.Deployments[*in.DeploymentID] == nil {
			return badRequest("Deployment %s does not exist", *in.DeploymentID)
		}
		st.DeploymentID = *in.DeploymentID
	}
	return nil
}

func deploymentOut(d *deployment) map[string]any {
	out := map[string]any{"deploymentId": d.DeploymentID, "deploymentStatus": "DEPLOYED",
		"autoDeployed": d.AutoDeployed, "createdDate": isoTime(d.Created)}
	if d.Description != "" {
		out["description"] = d.Description
	}
	return out
}

func (s *Service) deploymentRoutes(apis string) {
	s.handle("POST "+apis+"/{apiId}/deployments", "CreateDeployment", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			Description *string `json:"description"`
			StageName   *string `json:"stageName"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		var d *deployment
		_, err := s.withAPI(r, true, func(tx store.Tx, api *httpAPI) error {
			var st *stage
			if in.StageName != nil {
				if st = api.Stages[*in.StageName]; st == nil {
					return badRequest("Invalid stage identifier specified")
				}
				if st.AutoDeploy {
					return badRequest("Cannot create a deployment for stage %s: it has autoDeploy enabled", st.StageName)
				}
			}
			desc := ""
			setStr(&desc, in.Description)
			now := s.now().UnixMilli()
			d = s.snapshot(api, now, false, desc)
			if st != nil {
				st.DeploymentID, st.Updated = d.DeploymentID, now
			}
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, deploymentOut(d), nil
	})
	s.handle("GET "+apis+"/{apiId}/deployments", "GetDeployments", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		api, err := s.withAPI(r, false, func(store.Tx, *httpAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		items := []any{}
		for _, id := range sortedKeys(api.Deployments) {
			items = append(items, deploymentOut(api.Deployments[id]))
		}
		return http.StatusOK, map[string]any{"items": items}, nil
	})
	s.handle("GET "+apis+"/{apiId}/deployments/{deploymentId}", "GetDeployment", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var d *deployment
		_, err := s.withAPI(r, false, func(tx store.Tx, api *httpAPI) error {
			if d = api.Deployments[r.PathValue("deploymentId")]; d == nil {
				return notFoundV2("Deployment", r.PathValue("deploymentId"))
			}
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, deploymentOut(d), nil
	})
	s.handle("DELETE "+apis+"/{apiId}/deployments/{deploymentId}", "DeleteDeployment", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		_, err := s.withAPI(r, true, func(tx store.Tx, api *httpAPI) error {
			id := r.PathValue("deploymentId")
			if api.Deployments[id] == nil {
				return notFoundV2("Deployment", id)
			}
			for _, st := range api.Stages {
				if st.DeploymentID == id {
					return badRequest("Active stages pointing to this deployment must be moved or deleted")
				}
			}
			delete(api.Deployments, id)
			return nil
		})
		return http.StatusNoContent, nil, err
	})
}

// reAPIARN reads arn:aws:apigateway:REGION::/apis/ID or /restapis/ID
// (optionally /stages/NAME).
var reAPIARN = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-zA-Z-]*:apigateway:([a-z0-9-]+)::/(apis|restapis)/([a-z0-9]+)(/stages/([^/]+))?$`)
})

func (s *Service) tagRoutes() {
	tags := func(r *http.Request, write bool, change func(t map[string]string) map[string]string) (map[string]string, error) {
		arn, _ := url.PathUnescape(r.PathValue("arn"))
		m := reAPIARN().FindStringSubmatch(arn)
		if m == nil {
			return nil, notFoundV2("resource", arn)
		}
		meta := edge.MetaFrom(r.Context())
		var out map[string]string
		bucket := httpBucket(meta.Account, m[1])
		if m[2] == "restapis" {
			bucket = restBucket(meta.Account, m[1])
		}
		run := s.st.View
		if write {
			run = s.st.Update
		}
		err := run(func(tx store.Tx) error {
			if m[2] == "apis" {
				api, err := getDoc[httpAPI](tx, bucket, m[3])
				if err != nil || api == nil {
					return firstErr(err, notFoundV2("API", meta.Account+":"+m[3]))
				}
				if m[5] != "" {
					st := api.Stages[m[5]]
					if st == nil {
						return notFoundV2("Stage", m[5])
					}
					st.Tags = change(st.Tags)
					out = st.Tags
				} else {
					api.Tags = change(api.Tags)
					out = api.Tags
				}
				if write {
					return putDoc(tx, bucket, m[3], api)
				}
				return nil
			}
			api, err := getDoc[restAPI](tx, bucket, m[3])
			if err != nil || api == nil {
				return firstErr(err, notFoundV1("API", m[3]))
			}
			if m[5] != "" {
				st := api.Stages[m[5]]
				if st == nil {
					return notFoundV1("Stage", m[5])
				}
				st.Tags = change(st.Tags)
				out = st.Tags
			} else {
				api.Tags = change(api.Tags)
				out = api.Tags
			}
			if write {
				return putDoc(tx, bucket, m[3], api)
			}
			return nil
		})
		return out, err
	}
	s.handle("GET /v2/tags/{arn...}", "GetTags", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		t, err := tags(r, false, func(t map[string]string) map[string]string { return t })
		return http.StatusOK, map[string]any{"tags": tagsOut(t)}, err
	})
	s.handle("POST /v2/tags/{arn...}", "TagResource", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			Tags map[string]string `json:"tags"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		_, err := tags(r, true, func(t map[string]string) map[string]string {
			if t == nil {
				t = map[string]string{}
			}
			for k, v := range in.Tags {
				t[k] = v
			}
			return t
		})
		return http.StatusCreated, map[string]any{}, err
	})
	s.handle("DELETE /v2/tags/{arn...}", "UntagResource", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		keys := r.URL.Query()["tagKeys"]
		_, err := tags(r, true, func(t map[string]string) map[string]string {
			for _, k := range keys {
				delete(t, k)
			}
			return t
		})
		return http.StatusNoContent, nil, err
	})
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
