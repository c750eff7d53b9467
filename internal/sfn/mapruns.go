package sfn

import (
	"context"
	"strings"

	"tenkai/internal/edge"
	"tenkai/internal/sfn/asl"
)

// Map states run their iterations inside the execution (no child
// executions), so there are no Map Runs to describe: ListMapRuns answers an
// empty list for an existing execution and DescribeMapRun ResourceNotFound.

type mapRunIn struct {
	ExecutionArn string `json:"executionArn"`
	MapRunArn    string `json:"mapRunArn"`
	MaxResults   int    `json:"maxResults"`
	NextToken    string `json:"nextToken"`
}

type listMapRunsOut struct {
	MapRuns   []struct{} `json:"mapRuns"`
	NextToken string     `json:"nextToken,omitempty"`
}

func (s *Service) listMapRuns(ctx context.Context, in *mapRunIn) (*listMapRunsOut, error) {
	r, err := parseExecARN(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if _, err := s.loadExecution(r, in.ExecutionArn); err != nil {
		return nil, err
	}
	if _, err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	return &listMapRunsOut{MapRuns: []struct{}{}}, nil
}

func (s *Service) describeMapRun(ctx context.Context, in *mapRunIn) (*empty, error) {
	if in.MapRunArn == "" {
		return nil, edge.MissingMember("mapRunArn")
	}
	if !strings.HasPrefix(in.MapRunArn, "arn:aws:states:") || !strings.Contains(in.MapRunArn, ":mapRun:") {
		return nil, invalidARN(in.MapRunArn)
	}
	return nil, edge.Errorf("ResourceNotFound", "Resource not found: '%s'", in.MapRunArn).With("resourceName", in.MapRunArn)
}

// expressProblems lists the integration patterns EXPRESS state machines
// cannot use (.sync and .waitForTaskToken) and activities, as AWS does.
func expressProblems(sm *asl.StateMachine) []asl.Diagnostic {
	var out []asl.Diagnostic
	var walk func(m *asl.Machine, loc string)
	walk = func(m *asl.Machine, loc string) {
		for _, name := range m.Order {
			st := m.States[name]
			if st == nil {
				continue
			}
			at := loc + "/States/" + name
			msg := ""
			switch {
			case strings.HasSuffix(st.Resource, ".waitForTaskToken"):
				msg = "Express state machine does not support '.waitForTaskToken' service integration "
			case strings.HasSuffix(st.Resource, ".sync") || strings.HasSuffix(st.Resource, ".sync:2"):
				msg = "Express state machine does not support '.sync' service integration "
			case strings.Contains(st.Resource, ":activity:"):
				msg = "Express state machine does not support Activity ARN"
			}
			if msg != "" {
				out = append(out, asl.Diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: msg, Location: at + "/Resource"})
			}
			for i, b := range st.Branches {
				walk(b, at+"/Branches["+itoa(i)+"]")
			}
			if st.Processor != nil {
				walk(st.Processor, at+"/ItemProcessor")
			}
		}
	}
	walk(&sm.Machine, "")
	return out
}

// checkExpress rejects a definition EXPRESS state machines cannot run.
func checkExpress(sm *asl.StateMachine) error {
	if ds := asl.Diagnostics(expressProblems(sm)); len(ds) > 0 {
		return edge.Errorf("InvalidDefinition", "%s", ds.Error())
	}
	return nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + itoa(i%10)
}
