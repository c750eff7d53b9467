package lambda

import (
	"net/http"

	"tenkai/internal/edge"
)

// extraRoutes answers the read-only calls deployment tools (Terraform, SAM,
// CDK) make about features tenkai does not model: no code signing, automatic
// runtime updates, recursion detection on and no provisioned concurrency.
func (s *Service) extraRoutes() {
	exists := func(r *http.Request) (FuncRef, error) {
		ref, err := s.unqualified(r.Context(), r.PathValue("name"))
		if err != nil {
			return ref, err
		}
		_, err = s.view(ref)
		return ref, err
	}
	s.handle("GET /2020-06-30/functions/{name}/code-signing-config", "GetFunctionCodeSigningConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		ref, err := exists(r)
		return http.StatusOK, map[string]string{"CodeSigningConfigArn": "", "FunctionName": ref.Name}, err
	})
	s.handle("GET /2021-07-20/functions/{name}/runtime-management-config", "GetRuntimeManagementConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		ref, err := exists(r)
		return http.StatusOK, map[string]string{"UpdateRuntimeOn": "Auto", "FunctionArn": ref.ARN()}, err
	})
	s.handle("GET /2024-08-31/functions/{name}/recursion-config", "GetFunctionRecursionConfig", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		_, err := exists(r)
		return http.StatusOK, map[string]string{"RecursiveLoop": "Terminate"}, err
	})
	s.urlRoutes() // function URL configurations: urls.go
	s.handle("GET /2019-09-30/functions/{name}/provisioned-concurrency", "ListProvisionedConcurrencyConfigs", func(w http.ResponseWriter, r *http.Request) (int, any, error) {
		if _, err := exists(r); err != nil {
			return 0, nil, err
		}
		if r.URL.Query().Get("List") == "ALL" {
			return http.StatusOK, map[string]any{"ProvisionedConcurrencyConfigs": []any{}}, nil
		}
		edge.SetOperation(r, "GetProvisionedConcurrencyConfig")
		return 0, nil, edge.NewError(http.StatusNotFound, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function")
	})
	s.esmRoutes() // event source mappings: esm.go
}
