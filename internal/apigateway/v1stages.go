package apigateway

import (
	"net/http"
	"strings"

	"tenkai/internal/edge"
)

func restStageOut(st *restStage) map[string]any {
	out := map[string]any{"stageName": st.StageName, "deploymentId": st.DeploymentID,
		"createdDate": st.Created / 1000, "lastUpdatedDate": st.Updated / 1000,
		"cacheClusterEnabled": false, "cacheClusterStatus": "NOT_AVAILABLE", "tracingEnabled": false,
		"methodSettings": map[string]any{}}
	if len(st.Variables) > 0 {
		out["variables"] = st.Variables
	}
	if st.Description != "" {
		out["description"] = st.Description
	}
	if len(st.Tags) > 0 {
		out["tags"] = st.Tags
	}
	return out
}

func copyResources(in map[string]*resource) map[string]*resource {
	out := make(map[string]*resource, len(in))
	for k, r := range in {
		c := *r
		c.Methods = map[string]*method{}
		for mk, m := range r.Methods {
			mc := *m
			if m.Integration != nil {
				ic := *m.Integration
				mc.Integration = &ic
			}
			c.Methods[mk] = &mc
		}
		out[k] = &c
	}
	return out
}

func (s *Service) restStageRoutes(api string) {
	s.handle("POST "+api+"/deployments", "CreateDeployment", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			StageName        string            `json:"stageName"`
			StageDescription string            `json:"stageDescription"`
			Description      string            `json:"description"`
			Variables        map[string]string `json:"variables"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		if in.StageName != "" && !reStageName().MatchString(in.StageName) || strings.HasPrefix(in.StageName, "$") {
			return 0, nil, badRequest("Stage name only allows a-zA-Z0-9_")
		}
		var d *restDeploy
		_, err := s.withRest(r, true, func(a *restAPI) error {
			hasMethod := false
			for _, res := range a.Resources {
				if len(res.Methods) > 0 {
					hasMethod = true
				}
			}
			if !hasMethod {
				return badRequest("The REST API doesn't contain any methods")
			}
			now := s.now().UnixMilli()
			d = &restDeploy{ID: s.cfg.NewID(), Description: in.Description, Created: now, Resources: copyResources(a.Resources)}
			if a.Deployments == nil {
				a.Deployments = map[string]*restDeploy{}
			}
			a.Deployments[d.ID] = d
			if in.StageName != "" {
				if a.Stages == nil {
					a.Stages = map[string]*restStage{}
				}
				st := a.Stages[in.StageName]
				if st == nil {
					st = &restStage{StageName: in.StageName, Created: now, Description: in.StageDescription}
					a.Stages[in.StageName] = st
				}
				st.DeploymentID, st.Updated = d.ID, now
				if in.Variables != nil {
					st.Variables = in.Variables
				}
			}
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		out := map[string]any{"id": d.ID, "createdDate": d.Created / 1000}
		if d.Description != "" {
			out["description"] = d.Description
		}
		return http.StatusCreated, out, nil
	})
	s.handle("GET "+api+"/deployments", "GetDeployments", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		a, err := s.withRest(r, false, func(*restAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		items := []any{}
		for _, id := range sortedKeys(a.Deployments) {
			d := a.Deployments[id]
			items = append(items, map[string]any{"id": d.ID, "createdDate": d.Created / 1000, "description": d.Description})
		}
		return http.StatusOK, map[string]any{"item": items}, nil
	})
	s.handle("POST "+api+"/stages", "CreateStage", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			StageName    string            `json:"stageName"`
			DeploymentID string            `json:"deploymentId"`
			Description  string            `json:"description"`
			Variables    map[string]string `json:"variables"`
			Tags         map[string]string `json:"tags"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		if !reStageName().MatchString(in.StageName) || strings.HasPrefix(in.StageName, "$") {
			return 0, nil, badRequest("Stage name only allows a-zA-Z0-9_")
		}
		var st *restStage
		_, err := s.withRest(r, true, func(a *restAPI) error {
			if a.Deployments[in.DeploymentID] == nil {
				return badRequest("Invalid deployment identifier specified")
			}
			if a.Stages[in.StageName] != nil {
				return edge.NewError(http.StatusConflict, "ConflictException", "Stage already exists")
			}
			now := s.now().UnixMilli()
			st = &restStage{StageName: in.StageName, DeploymentID: in.DeploymentID, Description: in.Description,
				Variables: in.Variables, Tags: in.Tags, Created: now, Updated: now}
			if a.Stages == nil {
				a.Stages = map[string]*restStage{}
			}
			a.Stages[st.StageName] = st
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, restStageOut(st), nil
	})
	s.handle("GET "+api+"/stages", "GetStages", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		a, err := s.withRest(r, false, func(*restAPI) error { return nil })
		if err != nil {
			return 0, nil, err
		}
		items := []any{}
		dep := r.URL.Query().Get("deploymentId")
		for _, n := range sortedKeys(a.Stages) {
			if dep == "" || a.Stages[n].DeploymentID == dep {
				items = append(items, restStageOut(a.Stages[n]))
			}
		}
		return http.StatusOK, map[string]any{"item": items}, nil
	})
	one := func(write bool, change func(a *restAPI, st *restStage) error) func(r *http.Request) (*restStage, error) {
		return func(r *http.Request) (*restStage, error) {
			var st *restStage
			_, err := s.withRest(r, write, func(a *restAPI) error {
				if st = a.Stages[r.PathValue("stage_name")]; st == nil {
					return notFoundV1("Stage", "")
				}
				return change(a, st)
			})
			return st, err
		}
	}
	s.handle("GET "+api+"/stages/{stage_name}", "GetStage", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		st, err := one(false, func(*restAPI, *restStage) error { return nil })(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, restStageOut(st), nil
	})
	s.handle("DELETE "+api+"/stages/{stage_name}", "DeleteStage", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		_, err := one(true, func(a *restAPI, st *restStage) error { delete(a.Stages, st.StageName); return nil })(r)
		return http.StatusAccepted, nil, err
	})
	s.handle("PATCH "+api+"/stages/{stage_name}", "UpdateStage", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		var in struct {
			PatchOperations []struct {
				Op    string `json:"op"`
				Path  string `json:"path"`
				Value string `json:"value"`
			} `json:"patchOperations"`
		}
		if err := edge.ReadJSON(r, maxControlBody, &in); err != nil {
			return 0, nil, err
		}
		st, err := one(true, func(a *restAPI, st *restStage) error {
			for _, op := range in.PatchOperations {
				switch {
				case strings.HasPrefix(op.Path, "/variables/"):
					name := strings.TrimPrefix(op.Path, "/variables/")
					if st.Variables == nil {
						st.Variables = map[string]string{}
					}
					if op.Op == "remove" {
						delete(st.Variables, name)
					} else {
						st.Variables[name] = op.Value
					}
				case op.Path == "/description":
					st.Description = op.Value
				case op.Path == "/deploymentId":
					if a.Deployments[op.Value] == nil {
						return badRequest("Invalid deployment identifier specified")
					}
					st.DeploymentID = op.Value
				default:
					return badRequest("Invalid patch path %s", op.Path)
				}
			}
			st.Updated = s.now().UnixMilli()
			return nil
		})(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, restStageOut(st), nil
	})
}
