// Package asl parses and validates Amazon States Language definitions.
//
// Parse turns a definition into a StateMachine whose paths, payload templates,
// intrinsic function calls and JSONata expressions are compiled once, so an
// engine can run states without re-parsing anything:
//
//	sm, err := asl.Parse(def)
//	if err != nil {
//		return err // *asl.Diagnostics; Error() reads like AWS's InvalidDefinition message
//	}
//
// Validate reports every problem as ValidateStateMachineDefinition does
// (severity, code, message, location). Error codes and texts follow AWS:
// SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, INVALID_JSON_DESCRIPTION,
// with locations such as /States/A/Next.
//
// Values handled by compiled paths and templates are Go JSON data as
// DecodeJSON produces it: *Object (keys in order), []any, string, bool, nil, int64 for
// integers that fit and float64 for other numbers.
package asl
