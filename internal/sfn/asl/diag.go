package asl

import (
	"fmt"
	"strings"
)

// Diagnostic is one problem in a definition, as ValidateStateMachineDefinition
// reports it.
type Diagnostic struct {
	Severity string // "ERROR" or "WARNING"
	Code     string // e.g. "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET"
	Message  string // e.g. "Missing 'Next' target: Nope"
	Location string // e.g. "/States/A/Next"
}

// String renders the diagnostic as AWS writes it inside InvalidDefinition messages.
func (d Diagnostic) String() string {
	if d.Location == "" {
		return d.Code + ": " + d.Message
	}
	return d.Code + ": " + d.Message + " at " + d.Location
}

// Diagnostics is the error Parse returns for an invalid definition.
type Diagnostics []Diagnostic

// Error reads like AWS's InvalidDefinition message:
// Invalid State Machine Definition: 'CODE: message at /loc, CODE: ...'.
func (ds *Diagnostics) Error() string {
	parts := make([]string, 0, len(*ds))
	for _, d := range *ds {
		if d.Severity == "ERROR" {
			parts = append(parts, d.String())
		}
	}
	return "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"
}

type diagList []Diagnostic

func (l *diagList) add(code, loc, format string, args ...any) {
	*l = append(*l, Diagnostic{Severity: "ERROR", Code: code, Message: fmt.Sprintf(format, args...), Location: loc})
}

func (l *diagList) schema(loc, format string, args ...any) {
	l.add("SCHEMA_VALIDATION_FAILED", loc, format, args...)
}

func (l *diagList) warn(code, loc, format string, args ...any) {
	*l = append(*l, Diagnostic{Severity: "WARNING", Code: code, Message: fmt.Sprintf(format, args...), Location: loc})
}

func (l diagList) errors() int {
	n := 0
	for _, d := range l {
		if d.Severity == "ERROR" {
			n++
		}
	}
	return n
}
