package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"tenkai/internal/codedeploy"
	"tenkai/internal/edge"
)

// codedeployFunctions lets CodeDeploy invoke hook functions and move alias
// weights. It resolves Lambda at call time.
type codedeployFunctions struct{ a *App }

func (f codedeployFunctions) Invoke(ctx context.Context, account, region, function string, payload []byte) (string, error) {
	res, err := f.a.lambda.Invoke(ctx, account, region, function, "", payload, false)
	if err != nil {
		return "", err
	}
	return res.FunctionError, nil
}

// RouteAlias updates the alias through Lambda's own UpdateAlias handler, so
// the same validation (published versions, weights in [0, 1]) applies.
func (f codedeployFunctions) RouteAlias(ctx context.Context, account, region, function, alias, version string, weights map[string]float64) error {
	if weights == nil {
		weights = map[string]float64{}
	}
	body, err := json.Marshal(map[string]any{"FunctionVersion": version, "RoutingConfig": map[string]any{"AdditionalVersionWeights": weights}})
	if err != nil {
		return err
	}
	path := "/2015-03-31/functions/" + url.PathEscape(function) + "/aliases/" + url.PathEscape(alias)
	m := &edge.Meta{RequestID: edge.NewUUID(), Account: account, Region: region, Service: "lambda", Operation: "UpdateAlias", Protocol: edge.ProtoRESTJSON}
	req, err := http.NewRequestWithContext(edge.WithMeta(ctx, m), http.MethodPut, path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	rec := &recorder{header: http.Header{}}
	f.a.lambda.ServeHTTP(rec, req)
	if rec.status >= 300 {
		var e struct {
			Message string `json:"message"`
			Type    string `json:"Type"`
		}
		_ = json.Unmarshal(rec.body.Bytes(), &e)
		code := rec.header.Get("X-Amzn-ErrorType")
		return fmt.Errorf("update alias %s of %s: %s: %s", alias, function, code, e.Message)
	}
	return nil
}

// recorder is a minimal in-process http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// codedeployEvents publishes deployment state changes on the default bus.
type codedeployEvents struct{ a *App }

func (e codedeployEvents) PublishEvent(ctx context.Context, account, region, source, detailType string, detail []byte, resources []string) error {
	return e.a.events.PublishEvent(ctx, account, region, source, detailType, detail, resources)
}

// newCodeDeploy builds CodeDeploy with its integrations.
func (a *App) newCodeDeploy() *codedeploy.Service {
	return codedeploy.New(codedeploy.Config{Store: a.Store, Clock: a.Clock, Logger: a.log,
		Functions: codedeployFunctions{a}, Objects: lambdaCode{a.s3}, Events: codedeployEvents{a}})
}

// codeDeploy returns the registered CodeDeploy service, for integrations
// such as CodePipeline's deploy actions (Deploy and Done), or nil.
func (a *App) codeDeploy() *codedeploy.Service {
	for _, s := range a.services {
		if cd, ok := s.(*codedeploy.Service); ok {
			return cd
		}
	}
	return nil
}

var (
	_ codedeploy.Functions      = codedeployFunctions{}
	_ codedeploy.Objects        = lambdaCode{}
	_ codedeploy.EventPublisher = codedeployEvents{}
)
