package edge_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"tenkai/internal/edge"
)

// json10Svc is an awsJson1_0 service whose operations fail.
type json10Svc struct{}

func (json10Svc) Name() string         { return "ten" }
func (json10Svc) TargetPrefix() string { return "Ten_20120810" }
func (json10Svc) JSONVersion() string  { return "1.0" }
func (json10Svc) Op(name string) edge.JSONHandler {
	switch name {
	case "Missing":
		return func(context.Context, []byte) (any, error) {
			return nil, edge.Errorf("ResourceNotFoundException", "nope")
		}
	case "Broken":
		return func(context.Context, []byte) (any, error) { return nil, errors.New("disk on fire") }
	}
	return nil
}

func TestJSONErrorContentTypeFollowsVersion(t *testing.T) {
	e := edge.New(edge.Config{Logger: slog.New(slog.DiscardHandler)})
	e.Register(json10Svc{})
	w := do(e, "POST", "/", map[string]string{"X-Amz-Target": "Ten_20120810.Missing"}, "{}")
	if w.Code != 400 || w.Header().Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Errorf("error of an awsJson1_0 service = %d %q; want 400 application/x-amz-json-1.0", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestInternalFailureIsLogged(t *testing.T) {
	var logs bytes.Buffer
	e := edge.New(edge.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	e.Register(json10Svc{})
	w := do(e, "POST", "/", map[string]string{"X-Amz-Target": "Ten_20120810.Broken"}, "{}")
	if w.Code != 500 || strings.Contains(w.Body.String(), "disk on fire") {
		t.Errorf("internal failure answer = %d %s; want 500 without the cause", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "disk on fire") || !strings.Contains(logs.String(), "Broken") {
		t.Errorf("log = %q; want the cause and the operation", logs.String())
	}
}
