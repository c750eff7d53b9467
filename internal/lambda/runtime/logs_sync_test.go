package runtime_test

import (
	"strings"
	"testing"

	"tenkai/internal/lambda/runtime"
)

// When Invoke returns, the invocation's END and REPORT lines are already in
// the log sink: a client reading the log group right after the call sees them.
func TestInvocationLogsWrittenBeforeInvokeReturns(t *testing.T) {
	s := &sink{}
	m := newManager(t, runtime.Config{Logs: s})
	spec := goSpec("logsync")
	for i := 0; i < 20; i++ {
		res := invoke(t, m, spec, `{"op":"echo","value":1}`)
		if res.FunctionError != "" {
			t.Fatalf("invoke %d: %s", i, res.Payload)
		}
		_, msgs := s.lines("/aws/lambda/logsync")
		if got := strings.Count(strings.Join(msgs, "\n"), "REPORT RequestId: "); got != i+1 {
			t.Fatalf("after invoke %d the sink holds %d REPORT lines; want %d", i+1, got, i+1)
		}
	}
}
