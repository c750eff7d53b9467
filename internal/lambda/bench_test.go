package lambda

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"tenkai/internal/lambda/runtime"
)

// BenchmarkInvokeWarmPython measures a warm synchronous invoke through the
// HTTP handler with real execution environments (a Python function).
func BenchmarkInvokeWarmPython(b *testing.B) {
	mgr := runtime.New(runtime.Config{Logger: slogDiscard(), WorkDir: b.TempDir()})
	b.Cleanup(func() { mgr.Close(context.Background()) })
	h := newHarness(b, func(c *Config) { c.Executor = mgr })
	h.create("pybench", map[string]any{"Code": map[string]any{"ZipFile": makeZip(b, map[string]string{"app.py": "def handler(e, c):\n    return e\n"})}})
	payload := []byte(`{"hello":"world"}`)
	run := func() {
		req := httptest.NewRequest("POST", "/2015-03-31/functions/pybench/invocations", bytes.NewReader(payload))
		w := httptest.NewRecorder()
		h.edge.ServeHTTP(w, req)
		if w.Code != 200 || w.Header().Get("X-Amz-Function-Error") != "" {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	run() // cold start
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
}
