package sfn

import (
	"context"
	"encoding/json"
	"errors"

	"tenkai/internal/edge"
	"tenkai/internal/sfn/asl"
	"tenkai/internal/sfn/engine"
)

type testStateIn struct {
	Definition      string `json:"definition"`
	RoleArn         string `json:"roleArn"`
	Input           string `json:"input"`
	InspectionLevel string `json:"inspectionLevel"`
	RevealSecrets   bool   `json:"revealSecrets"`
	Variables       string `json:"variables"`
	StateName       string `json:"stateName"`
}

type testStateOut struct {
	Output         *string                `json:"output,omitempty"`
	Error          string                 `json:"error,omitempty"`
	Cause          string                 `json:"cause,omitempty"`
	InspectionData *engine.InspectionData `json:"inspectionData,omitempty"`
	NextState      string                 `json:"nextState,omitempty"`
	Status         string                 `json:"status"`
}

// testState runs one state (TestState). A whole state machine definition
// is accepted with stateName choosing the state, as AWS allows.
func (s *Service) testState(ctx context.Context, in *testStateIn) (*testStateOut, error) {
	m := edge.MetaFrom(ctx)
	if in.Definition == "" {
		return nil, edge.MissingMember("definition")
	}
	if in.RoleArn != "" {
		if err := checkRoleARN(in.RoleArn); err != nil {
			return nil, err
		}
	}
	switch in.InspectionLevel {
	case "", "INFO", "DEBUG", "TRACE":
	default:
		return nil, edge.Validation("1 validation error detected: Value '%s' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]", in.InspectionLevel)
	}
	input := in.Input
	if err := checkInput(&input); err != nil {
		return nil, err
	}
	def := []byte(in.Definition)
	name := in.StateName
	ql := ""
	// A full state machine: pick the named (or starting) state.
	var whole struct {
		StartAt       string                     `json:"StartAt"`
		States        map[string]json.RawMessage `json:"States"`
		QueryLanguage string                     `json:"QueryLanguage"`
	}
	if json.Unmarshal(def, &whole) == nil && whole.States != nil {
		if name == "" {
			name = whole.StartAt
		}
		st, ok := whole.States[name]
		if !ok {
			return nil, edge.Errorf("InvalidDefinition", "Invalid State Machine Definition: 'State %s does not exist'", name)
		}
		def, ql = st, whole.QueryLanguage
	}
	opts := engine.TestStateOptions{InspectionLevel: in.InspectionLevel, QueryLanguage: ql, StateName: name,
		Info: engine.ExecutionInfo{Account: m.Account, Region: m.Region, RoleARN: in.RoleArn, Name: "TestState",
			ExecutionARN: execARN(m.Region, m.Account, "TestStateMachine", s.cfg.NewID()), StateMachineName: "TestStateMachine",
			StateMachineARN: smARN(m.Region, m.Account, "TestStateMachine")}}
	if in.Variables != "" {
		opts.Variables = json.RawMessage(in.Variables)
	}
	res, err := s.eng.TestState(ctx, def, json.RawMessage(input), opts)
	if err != nil {
		var d *asl.Diagnostics
		if errors.As(err, &d) {
			return nil, edge.Errorf("InvalidDefinition", "%s", d.Error())
		}
		return nil, edge.Errorf("InvalidExecutionInput", "%s", err.Error())
	}
	out := &testStateOut{Error: res.Error, Cause: res.Cause, InspectionData: res.InspectionData, NextState: res.NextState, Status: res.Status}
	if res.Output != nil {
		o := string(res.Output)
		out.Output = &o
	}
	return out, nil
}
