package edge_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"tenkai/internal/edge"
)

type echoIn struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}
type echoOut struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
}

type jsonSvc struct{}

func (jsonSvc) Name() string         { return "echo" }
func (jsonSvc) TargetPrefix() string { return "Echo_20200101" }
func (jsonSvc) JSONVersion() string  { return "1.1" }
func (jsonSvc) Op(name string) edge.JSONHandler {
	switch name {
	case "Echo":
		return edge.JSON(func(ctx context.Context, in *echoIn) (*echoOut, error) {
			if in.Name == "" {
				return nil, edge.MissingMember("name")
			}
			m := edge.MetaFrom(ctx)
			return &echoOut{Account: m.Account, Region: m.Region, Name: in.Name}, nil
		})
	case "Panic":
		return func(context.Context, []byte) (any, error) { panic("boom") }
	}
	return nil
}

type querySvc struct{}

func (querySvc) Name() string         { return "q" }
func (querySvc) XMLNamespace() string { return "https://q.example/doc/" }
func (querySvc) Actions() []string    { return []string{"Hello"} }
func (querySvc) Op(action string) edge.QueryHandler {
	if action != "Hello" {
		return nil
	}
	return func(ctx context.Context, form url.Values) (any, error) {
		if form.Get("Who") == "" {
			return nil, &edge.Error{Code: "NoSuchEntity", Message: "nobody", Status: 404}
		}
		return struct {
			Greeting string
			Names    []string `xml:"Names>member"`
		}{"hi " + form.Get("Who"), edge.QueryList(form, "Names")}, nil
	}
}

type restSvc struct{}

func (restSvc) Name() string            { return "s3" }
func (restSvc) Protocol() edge.Protocol { return edge.ProtoRESTXML }
func (restSvc) PathPrefixes() []string  { return nil }
func (restSvc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	edge.WriteError(w, r, (&edge.Error{Code: "NoSuchBucket", Message: "The specified bucket does not exist", Status: 404}).With("BucketName", "b"))
}

func newEdge() *edge.Edge {
	e := edge.New(edge.Config{NewID: func() string { return "req-1" }})
	e.Register(jsonSvc{})
	e.Register(querySvc{})
	e.Register(restSvc{})
	return e
}

func do(e http.Handler, method, path string, hdr map[string]string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

func TestJSONProtocol(t *testing.T) {
	e := newEdge()
	signed := "AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/echo/aws4_request, SignedHeaders=host, Signature=abc"
	tests := []struct {
		name       string
		target     string
		auth       string
		body       string
		wantStatus int
		wantType   string
		wantBody   string
	}{
		{"ok unsigned", "Echo_20200101.Echo", "", `{"name":"x"}`, 200, "", `{"account":"000000000000","region":"us-east-1","name":"x"}`},
		{"ok signed account and region", "Echo_20200101.Echo", signed, `{"name":"x"}`, 200, "", `{"account":"123456789012","region":"eu-west-1","name":"x"}`},
		{"missing member", "Echo_20200101.Echo", "", `{}`, 400, "ValidationException", ""},
		{"malformed json", "Echo_20200101.Echo", "", `{"name":`, 400, "SerializationException", ""},
		{"wrong type", "Echo_20200101.Echo", "", `{"name":5}`, 400, "SerializationException", ""},
		{"not an object", "Echo_20200101.Echo", "", `[1]`, 400, "SerializationException", ""},
		{"unknown op", "Echo_20200101.Nope", "", `{}`, 400, "UnknownOperationException", ""},
		{"panic", "Echo_20200101.Panic", "", `{}`, 500, "InternalFailure", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"X-Amz-Target": tc.target}
			if tc.auth != "" {
				h["Authorization"] = tc.auth
			}
			w := do(e, "POST", "/", h, tc.body)
			if w.Code != tc.wantStatus {
				t.Fatalf("status = %d; want %d (%s)", w.Code, tc.wantStatus, w.Body)
			}
			if tc.wantBody != "" && strings.TrimSpace(w.Body.String()) != tc.wantBody {
				t.Errorf("body = %s; want %s", w.Body, tc.wantBody)
			}
			if tc.wantType != "" {
				var m map[string]any
				if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || m["__type"] != tc.wantType {
					t.Errorf("error body = %s; want __type %s", w.Body, tc.wantType)
				}
			}
			if w.Header().Get("x-amzn-RequestId") != "req-1" {
				t.Errorf("request id header = %q", w.Header().Get("x-amzn-RequestId"))
			}
		})
	}
}

func TestQueryProtocol(t *testing.T) {
	e := newEdge()
	form := "Action=Hello&Version=2020&Who=bob&Names.member.1=a&Names.member.2=b"
	w := do(e, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form)
	if w.Code != 200 {
		t.Fatalf("status = %d (%s)", w.Code, w.Body)
	}
	var resp struct {
		XMLName  xml.Name `xml:"HelloResponse"`
		Greeting string   `xml:"HelloResult>Greeting"`
		Names    []string `xml:"HelloResult>Names>member"`
		ReqID    string   `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response is not XML: %v\n%s", err, w.Body)
	}
	if resp.Greeting != "hi bob" || strings.Join(resp.Names, ",") != "a,b" || resp.ReqID != "req-1" {
		t.Errorf("response = %+v", resp)
	}
	w = do(e, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "Action=Hello&Version=2020")
	if w.Code != 404 || !strings.Contains(w.Body.String(), "<Code>NoSuchEntity</Code>") || !strings.Contains(w.Body.String(), "<Type>Sender</Type>") {
		t.Errorf("error = %d %s", w.Code, w.Body)
	}
	signed := "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/q/aws4_request, SignedHeaders=host, Signature=abc"
	w = do(e, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": signed}, "Action=Nope&Version=2020")
	if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>InvalidAction</Code>") {
		t.Errorf("unknown action = %d %s", w.Code, w.Body)
	}
}

func TestRESTXMLError(t *testing.T) {
	e := newEdge()
	w := do(e, "GET", "/b/key", nil, "")
	if w.Code != 404 {
		t.Fatalf("status = %d", w.Code)
	}
	body, _ := io.ReadAll(w.Body)
	for _, want := range []string{"<Code>NoSuchBucket</Code>", "<BucketName>b</BucketName>", "<RequestId>req-1</RequestId>"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body %s lacks %s", body, want)
		}
	}
	w = do(e, "HEAD", "/b/key", nil, "")
	if w.Code != 404 || w.Body.Len() != 0 {
		t.Errorf("HEAD error = %d with %d body bytes; want 404 and no body", w.Code, w.Body.Len())
	}
}

func TestBodyLimit(t *testing.T) {
	e := edge.New(edge.Config{MaxBody: 1024})
	e.Register(jsonSvc{})
	w := do(e, "POST", "/", map[string]string{"X-Amz-Target": "Echo_20200101.Echo"}, `{"name":"`+strings.Repeat("x", 2000)+`"}`)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d; want 413 (%s)", w.Code, w.Body)
	}
}

func TestAccountForKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"123456789012", "123456789012"},
		{"ASIA111122223333LMBD", "111122223333"},
		{"AKIA111122223333ABCD", "111122223333"},
		{"test", "000000000000"},
		{"AKIAIOSFODNN7EXAMPLE", "000000000000"},
		{"12345678901", "000000000000"},
		{"1234567890123", "000000000000"},
		{"ASIA111122223333lmbd", "000000000000"},
		{"ASIA111122223333LMB", "000000000000"},
		{"AXIA111122223333LMBD", "000000000000"},
		{"ASIA11112222333xLMBD", "000000000000"},
		{"１２３456789012", "000000000000"},
	}
	for _, tc := range tests {
		if got := edge.AccountForKey(tc.key, "000000000000"); got != tc.want {
			t.Errorf("AccountForKey(%q) = %q; want %q", tc.key, got, tc.want)
		}
	}
}

// echoTwin shares jsonSvc's signing name under another target prefix, as
// DynamoDB Streams shares DynamoDB's.
type echoTwin struct{ jsonSvc }

func (echoTwin) TargetPrefix() string { return "EchoTwin_20200101" }
func (echoTwin) Op(name string) edge.JSONHandler {
	if name != "Twin" {
		return nil
	}
	return func(context.Context, []byte) (any, error) { return map[string]string{"from": "twin"}, nil }
}

func TestSharedSigningName(t *testing.T) {
	e := newEdge()
	e.Register(echoTwin{})
	signed := map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/echo/aws4_request, SignedHeaders=host, Signature=abc"}
	for target, want := range map[string]string{
		"Echo_20200101.Echo":     `{"account":"123456789012","region":"eu-west-1","name":"x"}`,
		"EchoTwin_20200101.Twin": `{"from":"twin"}`,
	} {
		signed["X-Amz-Target"] = target
		if w := do(e, "POST", "/", signed, `{"name":"x"}`); w.Code != 200 || strings.TrimSpace(w.Body.String()) != want {
			t.Errorf("%s = %d %s; want %s", target, w.Code, w.Body, want)
		}
	}
	if got := strings.Join(e.Services(), ","); got != "echo,q,s3" {
		t.Errorf("Services() = %s", got)
	}
}
