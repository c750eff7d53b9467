package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gw sends requests to invoke hosts of a running server.
type gw struct {
	t    *testing.T
	s    *Server
	port string
}

func newGW(t *testing.T, s *Server) *gw {
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &gw{t: t, s: s, port: u.Port()}
}

// do sends method path to host (an invoke host without port).
func (g *gw) do(method, host, path string, header map[string]string, body string) (int, http.Header, []byte) {
	g.t.Helper()
	h := map[string]string{"Host": host + ":" + g.port}
	for k, v := range header {
		h[k] = v
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return g.s.Do(g.t, method, path, h, r)
}

func (g *gw) event(method, host, path string, header map[string]string, body string) map[string]any {
	g.t.Helper()
	code, _, b := g.do(method, host, path, header, body)
	if code != 200 {
		g.t.Fatalf("%s %s%s = %d %s; want 200", method, host, path, code, b)
	}
	var ev map[string]any
	if err := json.Unmarshal(b, &ev); err != nil {
		g.t.Fatalf("%s %s%s: body is not the event: %s", method, host, path, b)
	}
	return ev
}

func wantMessage(t *testing.T, what string, code int, body []byte, wantCode int, wantBody string) {
	t.Helper()
	if code != wantCode || strings.TrimSpace(string(body)) != wantBody {
		t.Errorf("%s = %d %s; want %d %s", what, code, body, wantCode, wantBody)
	}
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func createEcho(t *testing.T, s *Server, name string) string {
	t.Helper()
	src, err := os.ReadFile("testdata/apigateway/echo.py")
	if err != nil {
		t.Fatal(err)
	}
	zipPath := writeTemp(t, "echo.zip", zipFiles(t, map[string]string{"echo.py": string(src)}))
	var fn struct{ FunctionArn string }
	s.MustCLI(t, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "echo.handler",
		"--role", "arn:aws:iam::000000000000:role/r", "--zip-file", "fileb://"+zipPath).JSON(t, &fn)
	return fn.FunctionArn
}

func allowGateway(t *testing.T, s *Server, fn, sid, sourceARN string) {
	t.Helper()
	s.MustCLI(t, "lambda", "add-permission", "--function-name", fn, "--statement-id", sid, "--action", "lambda:InvokeFunction",
		"--principal", "apigateway.amazonaws.com", "--source-arn", sourceARN)
}

func TestAPIGatewayHTTPAPI(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	g := newGW(t, s)
	fnARN := createEcho(t, s, "echo")

	// Quick create: $default route, AWS_PROXY 2.0 integration, auto-deployed $default stage.
	var api struct{ ApiId, ApiEndpoint, ProtocolType, RouteSelectionExpression string }
	s.MustCLI(t, "apigatewayv2", "create-api", "--name", "quick", "--protocol-type", "HTTP", "--target", fnARN).JSON(t, &api)
	if api.ApiEndpoint != "http://"+api.ApiId+".execute-api.localhost:"+g.port || api.RouteSelectionExpression != "$request.method $request.path" {
		t.Errorf("create-api = %+v", api)
	}
	host := api.ApiId + ".execute-api.localhost"
	var routes struct {
		Items []struct{ RouteKey, Target string }
	}
	s.MustCLI(t, "apigatewayv2", "get-routes", "--api-id", api.ApiId).JSON(t, &routes)
	if len(routes.Items) != 1 || routes.Items[0].RouteKey != "$default" || !strings.HasPrefix(routes.Items[0].Target, "integrations/") {
		t.Errorf("quick-create routes = %+v", routes)
	}
	var stages struct {
		Items []struct {
			StageName, DeploymentId string
			AutoDeploy              bool
		}
	}
	s.MustCLI(t, "apigatewayv2", "get-stages", "--api-id", api.ApiId).JSON(t, &stages)
	if len(stages.Items) != 1 || stages.Items[0].StageName != "$default" || !stages.Items[0].AutoDeploy || stages.Items[0].DeploymentId == "" {
		t.Errorf("quick-create stages = %+v", stages)
	}

	// Quick create adds no Lambda permission, as on AWS: 500 until one is added, and the log says why.
	code, _, body := g.do("GET", host, "/hello", nil, "")
	wantMessage(t, "GET /hello without permission", code, body, 500, `{"message":"Internal Server Error"}`)
	// The server's log reaches the harness through a pipe: give it a moment.
	waitFor(t, 15*time.Second, "the log to say why the integration failed", func() bool {
		return strings.Contains(s.Logs(), "Invalid permissions on Lambda function")
	})
	allowGateway(t, s, "echo", "apigw", "arn:aws:execute-api:us-east-1:000000000000:"+api.ApiId+"/*")

	// Payload 2.0 event.
	ev := g.event("GET", host, "/hello/world?x=1&x=2&y=%20z", map[string]string{"Cookie": "c1=v1; c2=v2", "X-Multi": "a", "User-Agent": "e2e"}, "")
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"version", ev["version"], "2.0"},
		{"routeKey", ev["routeKey"], "$default"},
		{"rawPath", ev["rawPath"], "/hello/world"},
		{"rawQueryString", ev["rawQueryString"], "x=1&x=2&y=%20z"},
		{"queryStringParameters.x", get(ev, "queryStringParameters", "x"), "1,2"},
		{"queryStringParameters.y", get(ev, "queryStringParameters", "y"), " z"},
		{"cookies", ev["cookies"], []any{"c1=v1", "c2=v2"}},
		{"headers.x-multi", get(ev, "headers", "x-multi"), "a"},
		{"headers.cookie", get(ev, "headers", "cookie"), nil},
		{"headers.host", get(ev, "headers", "host"), host + ":" + g.port},
		{"requestContext.apiId", get(ev, "requestContext", "apiId"), api.ApiId},
		{"requestContext.accountId", get(ev, "requestContext", "accountId"), "000000000000"},
		{"requestContext.domainName", get(ev, "requestContext", "domainName"), host},
		{"requestContext.domainPrefix", get(ev, "requestContext", "domainPrefix"), api.ApiId},
		{"requestContext.stage", get(ev, "requestContext", "stage"), "$default"},
		{"requestContext.http.method", get(ev, "requestContext", "http", "method"), "GET"},
		{"requestContext.http.path", get(ev, "requestContext", "http", "path"), "/hello/world"},
		{"requestContext.http.userAgent", get(ev, "requestContext", "http", "userAgent"), "e2e"},
		{"requestContext.http.sourceIp", get(ev, "requestContext", "http", "sourceIp"), "127.0.0.1"},
		{"isBase64Encoded", ev["isBase64Encoded"], false},
		{"body", ev["body"], nil},
	}
	for _, c := range checks {
		if !jsonEqual(c.got, c.want) {
			t.Errorf("2.0 event %s = %#v; want %#v", c.name, c.got, c.want)
		}
	}
	if tm, _ := get(ev, "requestContext", "time").(string); len(tm) != len("21/Nov/2026:08:00:00 +0000") || !strings.HasSuffix(tm, " +0000") {
		t.Errorf("requestContext.time = %q", tm)
	}

	// Bodies: JSON is text, other types arrive base64-encoded.
	ev = g.event("POST", host, "/items", map[string]string{"Content-Type": "application/json"}, `{"a":1}`)
	if ev["body"] != `{"a":1}` || ev["isBase64Encoded"] != false {
		t.Errorf("JSON body: body=%v isBase64Encoded=%v", ev["body"], ev["isBase64Encoded"])
	}
	raw := "\x00\x01\xfe\xff"
	ev = g.event("POST", host, "/items", map[string]string{"Content-Type": "application/octet-stream"}, raw)
	if ev["body"] != base64.StdEncoding.EncodeToString([]byte(raw)) || ev["isBase64Encoded"] != true {
		t.Errorf("binary body: body=%v isBase64Encoded=%v", ev["body"], ev["isBase64Encoded"])
	}

	// Responses: cookies become Set-Cookie, base64 bodies are decoded, a bare object is JSON.
	code, hdr, body := g.do("GET", host, "/created", nil, "")
	if code != 201 || !jsonEqual(hdr.Values("Set-Cookie"), []string{"s=1; Path=/", "t=2"}) || hdr.Get("X-Fmt") != "v2" {
		t.Errorf("GET /created = %d %v", code, hdr)
	}
	code, hdr, body = g.do("GET", host, "/bin", nil, "")
	if code != 200 || hdr.Get("Content-Type") != "image/png" || string(body) != "\x89PNG\r\n\x1a\n\x00\xff" {
		t.Errorf("GET /bin = %d %s %q", code, hdr.Get("Content-Type"), body)
	}
	code, hdr, body = g.do("GET", host, "/bare", nil, "")
	if code != 200 || hdr.Get("Content-Type") != "application/json" || string(body) != `{"hello": "world"}` {
		t.Errorf("GET /bare = %d %s %s", code, hdr.Get("Content-Type"), body)
	}
	code, _, body = g.do("GET", host, "/boom", nil, "")
	wantMessage(t, "GET /boom", code, body, 500, `{"message":"Internal Server Error"}`)
	code, _, body = g.do("GET", host, "/bad", nil, "")
	wantMessage(t, "GET /bad", code, body, 500, `{"message":"Internal Server Error"}`)
	// The path form for clients that cannot set Host.
	code, _, body = s.Do(t, "GET", "/_aws/execute-api/"+api.ApiId+"/bare", nil, nil)
	if code != 200 || string(body) != `{"hello": "world"}` {
		t.Errorf("path-form GET /bare = %d %s", code, body)
	}

	// An API built by hand: routes with parameters, payload 1.0, a named stage, CORS, a timeout.
	var api2 struct{ ApiId string }
	s.MustCLI(t, "apigatewayv2", "create-api", "--name", "manual", "--protocol-type", "HTTP",
		"--cors-configuration", "AllowOrigins=https://app.example,AllowMethods=GET,POST,AllowHeaders=content-type,MaxAge=600").JSON(t, &api2)
	host2 := api2.ApiId + ".execute-api.localhost"
	allowGateway(t, s, "echo", "apigw2", "arn:aws:execute-api:us-east-1:000000000000:"+api2.ApiId+"/*/*")
	invokeURI := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations"
	var i2, i1, slow struct{ IntegrationId string }
	s.MustCLI(t, "apigatewayv2", "create-integration", "--api-id", api2.ApiId, "--integration-type", "AWS_PROXY",
		"--integration-uri", invokeURI, "--payload-format-version", "2.0").JSON(t, &i2)
	s.MustCLI(t, "apigatewayv2", "create-integration", "--api-id", api2.ApiId, "--integration-type", "AWS_PROXY",
		"--integration-uri", fnARN, "--payload-format-version", "1.0").JSON(t, &i1)
	s.MustCLI(t, "apigatewayv2", "create-integration", "--api-id", api2.ApiId, "--integration-type", "AWS_PROXY",
		"--integration-uri", fnARN, "--payload-format-version", "2.0", "--timeout-in-millis", "300").JSON(t, &slow)
	var r1 struct{ RouteId, RouteKey string }
	s.MustCLI(t, "apigatewayv2", "create-route", "--api-id", api2.ApiId, "--route-key", "GET /items/{id}", "--target", "integrations/"+i2.IntegrationId).JSON(t, &r1)
	s.MustCLI(t, "apigatewayv2", "create-route", "--api-id", api2.ApiId, "--route-key", "ANY /v1/{proxy+}", "--target", "integrations/"+i1.IntegrationId)
	s.MustCLI(t, "apigatewayv2", "create-route", "--api-id", api2.ApiId, "--route-key", "GET /slow/sleep", "--target", "integrations/"+slow.IntegrationId)
	s.FailCLI(t, "ConflictException", "apigatewayv2", "create-route", "--api-id", api2.ApiId, "--route-key", "GET /items/{id}")
	s.FailCLI(t, "NotFoundException", "apigatewayv2", "get-route", "--api-id", api2.ApiId, "--route-id", "nope")
	s.MustCLI(t, "apigatewayv2", "create-stage", "--api-id", api2.ApiId, "--stage-name", "prod", "--stage-variables", "color=blue")
	// No deployment yet: the stage answers 404.
	code, _, body = g.do("GET", host2, "/prod/items/7", nil, "")
	wantMessage(t, "GET /prod/items/7 before deployment", code, body, 404, `{"message":"Not Found"}`)
	var dep struct{ DeploymentId, DeploymentStatus string }
	s.MustCLI(t, "apigatewayv2", "create-deployment", "--api-id", api2.ApiId, "--stage-name", "prod").JSON(t, &dep)
	if dep.DeploymentStatus != "DEPLOYED" {
		t.Errorf("create-deployment = %+v", dep)
	}
	ev = g.event("GET", host2, "/prod/items/7", nil, "")
	if ev["routeKey"] != "GET /items/{id}" || !jsonEqual(ev["pathParameters"], map[string]any{"id": "7"}) ||
		!jsonEqual(ev["stageVariables"], map[string]any{"color": "blue"}) || ev["rawPath"] != "/prod/items/7" ||
		get(ev, "requestContext", "stage") != "prod" {
		t.Errorf("GET /prod/items/7 event: routeKey=%v pathParameters=%v stageVariables=%v rawPath=%v", ev["routeKey"], ev["pathParameters"], ev["stageVariables"], ev["rawPath"])
	}
	// Payload 1.0 through an HTTP API.
	code, hdr, body = g.do("POST", host2, "/prod/v1/a/b?k=1&k=2", map[string]string{"Content-Type": "text/plain", "X-Dup": "one"}, "hi")
	var ev1 map[string]any
	_ = json.Unmarshal(body, &ev1)
	if code != 200 || hdr.Get("X-Fmt") != "v1" || ev1["version"] != "1.0" || ev1["httpMethod"] != "POST" || ev1["resource"] != "/v1/{proxy+}" ||
		!jsonEqual(ev1["pathParameters"], map[string]any{"proxy": "a/b"}) || !jsonEqual(get(ev1, "multiValueQueryStringParameters", "k"), []any{"1", "2"}) ||
		get(ev1, "queryStringParameters", "k") != "2" || ev1["body"] != "hi" || !jsonEqual(hdr.Values("Set-Cookie"), []string{"s=1; Path=/", "t=2"}) {
		t.Errorf("payload 1.0 = %d %v %s", code, hdr, body)
	}
	// Unknown route: 404; the auto-deploy-less stage does not see new routes until deployed.
	code, _, body = g.do("GET", host2, "/prod/nothing", nil, "")
	wantMessage(t, "GET /prod/nothing", code, body, 404, `{"message":"Not Found"}`)
	// Integration timeout (300 ms; the function sleeps 1.5 s).
	start := time.Now()
	code, _, body = g.do("GET", host2, "/prod/slow/sleep", nil, "")
	wantMessage(t, "GET /prod/slow/sleep", code, body, 503, `{"message":"Service Unavailable"}`)
	if d := time.Since(start); d > 1400*time.Millisecond {
		t.Errorf("timeout answered after %v; want about 300ms", d)
	}
	// CORS preflight is answered by API Gateway.
	code, hdr, _ = g.do("OPTIONS", host2, "/prod/items/7", map[string]string{"Origin": "https://app.example",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}, "")
	if code != 204 || hdr.Get("Access-Control-Allow-Origin") != "https://app.example" || hdr.Get("Access-Control-Allow-Methods") != "GET,POST" ||
		hdr.Get("Access-Control-Max-Age") != "600" || hdr.Get("Access-Control-Allow-Headers") != "content-type" {
		t.Errorf("preflight = %d %v", code, hdr)
	}
	code, hdr, _ = g.do("GET", host2, "/prod/items/8", map[string]string{"Origin": "https://app.example"}, "")
	if code != 200 || hdr.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("CORS on GET = %d %v", code, hdr)
	}
	// Updates and deletes.
	s.MustCLI(t, "apigatewayv2", "update-route", "--api-id", api2.ApiId, "--route-id", r1.RouteId, "--route-key", "GET /things/{id}")
	s.MustCLI(t, "apigatewayv2", "create-deployment", "--api-id", api2.ApiId, "--stage-name", "prod")
	if code, _, _ = g.do("GET", host2, "/prod/things/1", nil, ""); code != 200 {
		t.Errorf("GET /prod/things/1 after update-route = %d", code)
	}
	s.MustCLI(t, "apigatewayv2", "update-api", "--api-id", api2.ApiId, "--name", "renamed")
	var apis struct{ Items []struct{ Name string } }
	s.MustCLI(t, "apigatewayv2", "get-apis").JSON(t, &apis)
	if len(apis.Items) != 2 {
		t.Errorf("get-apis = %+v", apis)
	}
	arn := "arn:aws:apigateway:us-east-1::/apis/" + api2.ApiId
	s.MustCLI(t, "apigatewayv2", "tag-resource", "--resource-arn", arn, "--tags", "team=web")
	var tags struct{ Tags map[string]string }
	s.MustCLI(t, "apigatewayv2", "get-tags", "--resource-arn", arn).JSON(t, &tags)
	if tags.Tags["team"] != "web" {
		t.Errorf("get-tags = %+v", tags)
	}
	s.MustCLI(t, "apigatewayv2", "delete-route", "--api-id", api2.ApiId, "--route-id", r1.RouteId)
	s.MustCLI(t, "apigatewayv2", "delete-stage", "--api-id", api2.ApiId, "--stage-name", "prod")
	s.MustCLI(t, "apigatewayv2", "delete-api", "--api-id", api2.ApiId)
	s.FailCLI(t, "NotFoundException", "apigatewayv2", "get-api", "--api-id", api2.ApiId)
	code, _, _ = g.do("GET", host2, "/prod/things/1", nil, "")
	if code != 404 {
		t.Errorf("GET on a deleted API = %d; want 404", code)
	}
}

func TestAPIGatewayRESTAPI(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	g := newGW(t, s)
	fnARN := createEcho(t, s, "echo")
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations"

	var api struct {
		Id, Name, RootResourceId string
		BinaryMediaTypes         []string
	}
	s.MustCLI(t, "apigateway", "create-rest-api", "--name", "rest", "--binary-media-types", "image/png").JSON(t, &api)
	host := api.Id + ".execute-api.localhost"
	var res struct{ Items []struct{ Id, Path string } }
	s.MustCLI(t, "apigateway", "get-resources", "--rest-api-id", api.Id).JSON(t, &res)
	if len(res.Items) != 1 || res.Items[0].Path != "/" || res.Items[0].Id != api.RootResourceId {
		t.Fatalf("get-resources = %+v (root %s)", res, api.RootResourceId)
	}
	var items, item, proxy struct{ Id, Path string }
	s.MustCLI(t, "apigateway", "create-resource", "--rest-api-id", api.Id, "--parent-id", api.RootResourceId, "--path-part", "items").JSON(t, &items)
	s.MustCLI(t, "apigateway", "create-resource", "--rest-api-id", api.Id, "--parent-id", items.Id, "--path-part", "{id}").JSON(t, &item)
	s.MustCLI(t, "apigateway", "create-resource", "--rest-api-id", api.Id, "--parent-id", api.RootResourceId, "--path-part", "{proxy+}").JSON(t, &proxy)
	if item.Path != "/items/{id}" || proxy.Path != "/{proxy+}" {
		t.Errorf("resource paths = %s, %s", item.Path, proxy.Path)
	}
	for _, m := range []struct{ res, method string }{{item.Id, "GET"}, {proxy.Id, "ANY"}} {
		s.MustCLI(t, "apigateway", "put-method", "--rest-api-id", api.Id, "--resource-id", m.res, "--http-method", m.method, "--authorization-type", "NONE")
		s.MustCLI(t, "apigateway", "put-integration", "--rest-api-id", api.Id, "--resource-id", m.res, "--http-method", m.method,
			"--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", uri)
	}
	s.MustCLI(t, "apigateway", "put-method-response", "--rest-api-id", api.Id, "--resource-id", item.Id, "--http-method", "GET", "--status-code", "200")
	s.MustCLI(t, "apigateway", "put-integration-response", "--rest-api-id", api.Id, "--resource-id", item.Id, "--http-method", "GET", "--status-code", "200", "--selection-pattern", "")
	var integ struct {
		Type, HttpMethod, Uri string
		TimeoutInMillis       int
	}
	s.MustCLI(t, "apigateway", "get-integration", "--rest-api-id", api.Id, "--resource-id", item.Id, "--http-method", "GET").JSON(t, &integ)
	if integ.Type != "AWS_PROXY" || integ.HttpMethod != "POST" || integ.Uri != uri || integ.TimeoutInMillis != 29000 {
		t.Errorf("get-integration = %+v", integ)
	}
	s.MustCLI(t, "apigateway", "create-deployment", "--rest-api-id", api.Id, "--stage-name", "dev", "--variables", "color=red")
	allowGateway(t, s, "echo", "rest", "arn:aws:execute-api:us-east-1:000000000000:"+api.Id+"/*/*/*")

	ev := g.event("GET", host, "/dev/items/42?a=1&a=2", map[string]string{"User-Agent": "e2e"}, "")
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"resource", ev["resource"], "/items/{id}"},
		{"path", ev["path"], "/items/42"},
		{"httpMethod", ev["httpMethod"], "GET"},
		{"pathParameters", ev["pathParameters"], map[string]any{"id": "42"}},
		{"stageVariables", ev["stageVariables"], map[string]any{"color": "red"}},
		{"queryStringParameters", ev["queryStringParameters"], map[string]any{"a": "2"}},
		{"multiValueQueryStringParameters", ev["multiValueQueryStringParameters"], map[string]any{"a": []any{"1", "2"}}},
		{"headers.User-Agent", get(ev, "headers", "User-Agent"), "e2e"},
		{"requestContext.resourcePath", get(ev, "requestContext", "resourcePath"), "/items/{id}"},
		{"requestContext.path", get(ev, "requestContext", "path"), "/dev/items/42"},
		{"requestContext.stage", get(ev, "requestContext", "stage"), "dev"},
		{"requestContext.identity.sourceIp", get(ev, "requestContext", "identity", "sourceIp"), "127.0.0.1"},
		{"body", ev["body"], nil},
		{"isBase64Encoded", ev["isBase64Encoded"], false},
		{"version", ev["version"], nil},
	}
	for _, c := range checks {
		if !jsonEqual(c.got, c.want) {
			t.Errorf("REST event %s = %#v; want %#v", c.name, c.got, c.want)
		}
	}
	// Binary media types: image/png is base64-encoded, text is not.
	ev = g.event("POST", host, "/dev/upload", map[string]string{"Content-Type": "image/png"}, "\x89PNG\x00")
	if ev["resource"] != "/{proxy+}" || ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString([]byte("\x89PNG\x00")) {
		t.Errorf("binary POST: resource=%v isBase64Encoded=%v body=%v", ev["resource"], ev["isBase64Encoded"], ev["body"])
	}
	ev = g.event("POST", host, "/dev/upload", map[string]string{"Content-Type": "application/octet-stream"}, "plain")
	if ev["isBase64Encoded"] != false || ev["body"] != "plain" {
		t.Errorf("non-binary POST: isBase64Encoded=%v body=%v", ev["isBase64Encoded"], ev["body"])
	}
	code, hdr, body := g.do("GET", host, "/dev/x/bin", nil, "")
	if code != 200 || string(body) != "\x89PNG\r\n\x1a\n\x00\xff" {
		t.Errorf("GET /dev/x/bin = %d %q", code, body)
	}
	code, hdr, _ = g.do("GET", host, "/dev/x/created", nil, "")
	if code != 201 || !jsonEqual(hdr.Values("Set-Cookie"), []string{"s=1; Path=/", "t=2"}) {
		t.Errorf("GET /dev/x/created = %d %v", code, hdr)
	}
	// Errors as a REST API gives them.
	code, _, body = g.do("GET", host, "/dev/x/boom", nil, "")
	wantMessage(t, "function error", code, body, 502, `{"message":"Internal server error"}`)
	code, _, body = g.do("GET", host, "/dev/x/bare", nil, "")
	wantMessage(t, "malformed response", code, body, 502, `{"message":"Internal server error"}`)
	code, _, body = g.do("GET", host, "/dev/", nil, "")
	wantMessage(t, "GET / (no method)", code, body, 403, `{"message":"Missing Authentication Token"}`)
	code, _, body = g.do("POST", host, "/dev/items/1", nil, "")
	wantMessage(t, "POST /items/1 (no method)", code, body, 403, `{"message":"Missing Authentication Token"}`)
	// The path form.
	code, _, _ = s.Do(t, "GET", "/_aws/execute-api/"+api.Id+"/dev/items/1", nil, nil)
	if code != 200 {
		t.Errorf("path-form GET = %d", code)
	}

	// Integration timeout: 504 after timeoutInMillis.
	var slow struct{ Id string }
	s.MustCLI(t, "apigateway", "create-resource", "--rest-api-id", api.Id, "--parent-id", api.RootResourceId, "--path-part", "sleep").JSON(t, &slow)
	s.MustCLI(t, "apigateway", "put-method", "--rest-api-id", api.Id, "--resource-id", slow.Id, "--http-method", "GET", "--authorization-type", "NONE")
	s.MustCLI(t, "apigateway", "put-integration", "--rest-api-id", api.Id, "--resource-id", slow.Id, "--http-method", "GET",
		"--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", uri, "--timeout-in-millis", "300")
	var dep struct{ Id string }
	s.MustCLI(t, "apigateway", "create-deployment", "--rest-api-id", api.Id).JSON(t, &dep)
	s.MustCLI(t, "apigateway", "create-stage", "--rest-api-id", api.Id, "--stage-name", "v2", "--deployment-id", dep.Id, "--variables", "color=green")
	code, _, body = g.do("GET", host, "/v2/sleep", nil, "")
	wantMessage(t, "timeout", code, body, 504, `{"message":"Endpoint request timed out"}`)
	var st struct {
		StageName, DeploymentId string
		Variables               map[string]string
	}
	s.MustCLI(t, "apigateway", "update-stage", "--rest-api-id", api.Id, "--stage-name", "v2", "--patch-operations", "op=replace,path=/variables/color,value=blue")
	s.MustCLI(t, "apigateway", "get-stage", "--rest-api-id", api.Id, "--stage-name", "v2").JSON(t, &st)
	if st.DeploymentId != dep.Id || st.Variables["color"] != "blue" {
		t.Errorf("get-stage = %+v", st)
	}
	var stages struct{ Item []struct{ StageName string } }
	s.MustCLI(t, "apigateway", "get-stages", "--rest-api-id", api.Id).JSON(t, &stages)
	if len(stages.Item) != 2 {
		t.Errorf("get-stages = %+v", stages)
	}
	s.MustCLI(t, "apigateway", "delete-stage", "--rest-api-id", api.Id, "--stage-name", "v2")
	s.FailCLI(t, "NotFoundException", "apigateway", "get-stage", "--rest-api-id", api.Id, "--stage-name", "v2")
	var list struct{ Items []struct{ Id string } }
	s.MustCLI(t, "apigateway", "get-rest-apis").JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Id != api.Id {
		t.Errorf("get-rest-apis = %+v", list)
	}
	s.MustCLI(t, "apigateway", "delete-rest-api", "--rest-api-id", api.Id)
	s.FailCLI(t, "NotFoundException", "apigateway", "get-rest-api", "--rest-api-id", api.Id)
}

func TestAPIGatewayFunctionURL(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	g := newGW(t, s)
	createEcho(t, s, "echo")
	var u struct{ FunctionUrl, AuthType, InvokeMode string }
	s.MustCLI(t, "lambda", "create-function-url-config", "--function-name", "echo", "--auth-type", "NONE",
		"--cors", "AllowOrigins=https://app.example,AllowMethods=GET").JSON(t, &u)
	pu, err := url.Parse(u.FunctionUrl)
	if err != nil || !strings.HasSuffix(pu.Hostname(), ".lambda-url.us-east-1.localhost") || pu.Port() != g.port || u.InvokeMode != "BUFFERED" {
		t.Fatalf("create-function-url-config = %+v", u)
	}
	s.FailCLI(t, "ResourceConflictException", "lambda", "create-function-url-config", "--function-name", "echo", "--auth-type", "NONE")
	host := pu.Hostname()
	// No lambda:InvokeFunctionUrl permission yet: 403.
	code, _, _ := g.do("GET", host, "/x", nil, "")
	if code != 403 {
		t.Errorf("GET without permission = %d; want 403", code)
	}
	// Since October 2025 a URL needs lambda:InvokeFunctionUrl and lambda:InvokeFunction.
	s.MustCLI(t, "lambda", "add-permission", "--function-name", "echo", "--statement-id", "url", "--action", "lambda:InvokeFunctionUrl",
		"--principal", "*", "--function-url-auth-type", "NONE")
	if code, _, _ = g.do("GET", host, "/x", nil, ""); code != 403 {
		t.Errorf("GET with lambda:InvokeFunctionUrl only = %d; want 403", code)
	}
	s.MustCLI(t, "lambda", "add-permission", "--function-name", "echo", "--statement-id", "invoke", "--action", "lambda:InvokeFunction",
		"--principal", "*", "--invoked-via-function-url")
	ev := g.event("POST", host, "/path/here?q=1", map[string]string{"Content-Type": "application/json", "Cookie": "k=v"}, `{"x":1}`)
	urlID := strings.SplitN(host, ".", 2)[0]
	if ev["routeKey"] != "$default" || ev["rawPath"] != "/path/here" || get(ev, "queryStringParameters", "q") != "1" ||
		ev["body"] != `{"x":1}` || get(ev, "requestContext", "domainPrefix") != urlID || get(ev, "requestContext", "apiId") != urlID ||
		!jsonEqual(ev["cookies"], []any{"k=v"}) {
		t.Errorf("function URL event = %v", ev)
	}
	code, hdr, _ := g.do("OPTIONS", host, "/", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}, "")
	if code != 204 || hdr.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("function URL preflight = %d %v", code, hdr)
	}
	code, _, _ = g.do("GET", host, "/boom", nil, "")
	if code != 502 {
		t.Errorf("function error through a URL = %d; want 502", code)
	}
	s.MustCLI(t, "lambda", "update-function-url-config", "--function-name", "echo", "--auth-type", "AWS_IAM")
	var got struct{ AuthType string }
	s.MustCLI(t, "lambda", "get-function-url-config", "--function-name", "echo").JSON(t, &got)
	if got.AuthType != "AWS_IAM" {
		t.Errorf("get-function-url-config AuthType = %s", got.AuthType)
	}
	if code, _, _ = g.do("GET", host, "/", nil, ""); code != 403 {
		t.Errorf("unsigned GET with AWS_IAM = %d; want 403", code)
	}
	var list struct {
		FunctionUrlConfigs []struct{ FunctionUrl string }
	}
	s.MustCLI(t, "lambda", "list-function-url-configs", "--function-name", "echo").JSON(t, &list)
	if len(list.FunctionUrlConfigs) != 1 || list.FunctionUrlConfigs[0].FunctionUrl != u.FunctionUrl {
		t.Errorf("list-function-url-configs = %+v", list)
	}
	s.MustCLI(t, "lambda", "delete-function-url-config", "--function-name", "echo")
	s.FailCLI(t, "ResourceNotFoundException", "lambda", "get-function-url-config", "--function-name", "echo")
	if code, _, _ = g.do("GET", host, "/", nil, ""); code != 403 {
		t.Errorf("GET after delete = %d; want 403", code)
	}
}

// seed002Layer builds the layer zip: our mangum.py plus FastAPI and its
// pure-Python dependencies from Debian's python3-fastapi, under python/.
func seed002Layer(t *testing.T) []byte {
	t.Helper()
	const dist = "/usr/lib/python3/dist-packages"
	pkgs := []string{"fastapi", "starlette", "pydantic", "anyio", "sniffio", "idna", "typing_extensions.py"}
	for _, p := range pkgs {
		if _, err := os.Stat(filepath.Join(dist, p)); err != nil {
			t.Fatalf("seed 002 needs Debian's python3-fastapi (%s/%s is missing): run scripts/setup.sh or apt-get install -y python3-fastapi", dist, p)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	mangum, err := os.ReadFile("testdata/seed002/layer/python/mangum.py")
	if err != nil {
		t.Fatal(err)
	}
	add("python/mangum.py", mangum)
	for _, p := range pkgs {
		root := filepath.Join(dist, p)
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "__pycache__" {
					return filepath.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(dist, path)
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			add("python/"+filepath.ToSlash(rel), data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAPIGatewaySeed002 is seed 002 (on python3.11, the version Debian's
// packages are built for; the seed's python3.12 would need a 3.12 build): a FastAPI function behind an HTTP API
// answers 500 because its layer is missing (mangum cannot be imported); the
// function's log says so; publishing the layer and attaching it fixes it.
func TestAPIGatewaySeed002(t *testing.T) {
	t.Parallel()
	layer := seed002Layer(t)
	s := startServer(t)
	g := newGW(t, s)
	app, err := os.ReadFile("testdata/seed002/app/main.py")
	if err != nil {
		t.Fatal(err)
	}
	code := writeTemp(t, "api.zip", zipFiles(t, map[string]string{"main.py": string(app)}))
	var fn struct{ FunctionArn string }
	s.MustCLI(t, "lambda", "create-function", "--function-name", "multicloud-auto-deploy-staging-api", "--runtime", "python3.11",
		"--handler", "main.handler", "--role", "arn:aws:iam::000000000000:role/api", "--zip-file", "fileb://"+code,
		"--timeout", "30", "--memory-size", "512").JSON(t, &fn)
	var api struct{ ApiId string }
	s.MustCLI(t, "apigatewayv2", "create-api", "--name", "multicloud-auto-deploy-staging", "--protocol-type", "HTTP", "--target", fn.FunctionArn).JSON(t, &api)
	s.MustCLI(t, "lambda", "add-permission", "--function-name", "multicloud-auto-deploy-staging-api", "--statement-id", "apigw",
		"--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com",
		"--source-arn", "arn:aws:execute-api:us-east-1:000000000000:"+api.ApiId+"/*/*")
	host := api.ApiId + ".execute-api.localhost"

	// Without the layer: 500, and the function's log has the import error.
	status, _, body := g.do("GET", host, "/", nil, "")
	wantMessage(t, "GET / without the layer", status, body, 500, `{"message":"Internal Server Error"}`)
	want := "Unable to import module 'main': No module named 'mangum'"
	var found bool
	for i := 0; i < 20 && !found; i++ {
		r := s.MustCLI(t, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/multicloud-auto-deploy-staging-api")
		found = strings.Contains(r.Stdout, want) && strings.Contains(r.Stdout, "Runtime.ImportModuleError")
		if !found {
			time.Sleep(250 * time.Millisecond)
		}
	}
	if !found {
		t.Errorf("the function's log does not say %q", want)
	}

	// The fix: publish the layer and attach it.
	layerZip := writeTemp(t, "lambda-layer.zip", layer)
	var lv struct{ LayerVersionArn string }
	s.MustCLI(t, "lambda", "publish-layer-version", "--layer-name", "multicloud-auto-deploy-staging-dependencies",
		"--description", "FastAPI + Mangum", "--zip-file", "fileb://"+layerZip, "--compatible-runtimes", "python3.11").JSON(t, &lv)
	s.MustCLI(t, "lambda", "update-function-configuration", "--function-name", "multicloud-auto-deploy-staging-api", "--layers", lv.LayerVersionArn)
	s.MustCLI(t, "lambda", "wait", "function-updated", "--function-name", "multicloud-auto-deploy-staging-api")

	status, hdr, body := g.do("GET", host, "/", nil, "")
	if status != 200 || strings.TrimSpace(string(body)) != `{"status":"ok","provider":"aws","version":"3.0.0"}` || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("GET / = %d %s %s", status, hdr.Get("Content-Type"), body)
	}
	status, _, body = g.do("GET", host, "/api/messages/", nil, "")
	if status != 200 || strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("GET /api/messages/ = %d %s", status, body)
	}
	status, _, body = g.do("POST", host, "/api/messages/", map[string]string{"Content-Type": "application/json"},
		`{"content":"Lambda Layer修復テスト","author":"System"}`)
	var msg struct{ ID, Content, Author, CreatedAt string }
	_ = json.Unmarshal(body, &msg)
	if status != 201 || msg.Content != "Lambda Layer修復テスト" || msg.Author != "System" || msg.ID == "" {
		t.Errorf("POST /api/messages/ = %d %s", status, body)
	}
	status, _, body = g.do("GET", host, "/api/messages/", nil, "")
	var msgs []map[string]any
	_ = json.Unmarshal(body, &msgs)
	if status != 200 || len(msgs) != 1 || msgs[0]["content"] != "Lambda Layer修復テスト" {
		t.Errorf("GET /api/messages/ after POST = %d %s", status, body)
	}
	// FastAPI's own validation error passes through as 422.
	status, _, _ = g.do("POST", host, "/api/messages/", map[string]string{"Content-Type": "application/json"}, `{"content":1}`)
	if status != 422 {
		t.Errorf("POST with a bad body = %d; want 422", status)
	}
}

// jsonEqual compares two values by their JSON encodings.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestAPIGatewaySurvivesRestart checks that APIs and function URLs live in
// the store: after a restart with the same --data-dir they still answer.
func TestAPIGatewaySurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, "--data-dir", dir)
	fnARN := createEcho(t, s, "echo")
	var api struct{ ApiId string }
	s.MustCLI(t, "apigatewayv2", "create-api", "--name", "keep", "--protocol-type", "HTTP", "--target", fnARN).JSON(t, &api)
	allowGateway(t, s, "echo", "apigw", "arn:aws:execute-api:us-east-1:000000000000:"+api.ApiId+"/*")
	g := newGW(t, s)
	if code, _, body := g.do("GET", api.ApiId+".execute-api.localhost", "/bare", nil, ""); code != 200 {
		t.Fatalf("GET /bare = %d %s", code, body)
	}
	s.Stop(t)
	s2 := startServer(t, "--data-dir", dir)
	g2 := newGW(t, s2)
	code, _, body := g2.do("GET", api.ApiId+".execute-api.localhost", "/bare", nil, "")
	if code != 200 || string(body) != `{"hello": "world"}` {
		t.Errorf("GET /bare after restart = %d %s", code, body)
	}
	var got struct{ Name string }
	s2.MustCLI(t, "apigatewayv2", "get-api", "--api-id", api.ApiId).JSON(t, &got)
	if got.Name != "keep" {
		t.Errorf("get-api after restart = %+v", got)
	}
}

func TestExample03FastAPILambdaLayer(t *testing.T) {
	t.Parallel()
	seed002Layer(t) // fails with a clear message when python3-fastapi is missing
	s := startServer(t)
	out := runExample(t, s, "03-fastapi-lambda-layer")
	if !strings.Contains(out, "seed 002 proved") {
		t.Fatalf("example did not finish:\n%s", out)
	}
	// What the example left behind: the import error, then a working API.
	r := s.MustCLI(t, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/multicloud-auto-deploy-staging-api",
		"--filter-pattern", `"Runtime.ImportModuleError"`)
	if !strings.Contains(r.Stdout, "No module named 'mangum'") {
		t.Errorf("the function's log lacks the import error:\n%s", r.Stdout)
	}
	var layers struct{ Layers []struct{ Arn string } }
	s.MustCLI(t, "lambda", "get-function-configuration", "--function-name", "multicloud-auto-deploy-staging-api").JSON(t, &layers)
	if len(layers.Layers) != 1 || !strings.HasSuffix(layers.Layers[0].Arn, ":layer:multicloud-auto-deploy-staging-dependencies:1") {
		t.Errorf("function layers = %+v", layers)
	}
}
