package events

import (
	"unicode/utf8"

	"tenkai/internal/edge"
	"tenkai/internal/events/pattern"
)

// Length limits of the EventBridge API model that the operations check.
const (
	maxNameLen        = 64
	maxDescriptionLen = 512
	maxScheduleLen    = 256
	maxTargetInputLen = 8192 // Input and InputTemplate
	maxInputPathLen   = 256  // InputPath and each InputPathsMap value
	maxInputPaths     = 100
	maxTargetARNLen   = 1600
	maxTargetsPerCall = 10 // PutTargets, per the API reference (the model allows 100); a rule holds at most 5
	maxListLimit      = 100
)

// The messages below are the ones AWS's request validation sends: one
// constraint, the offending value and the member's lower-camel-case path.

// Patterns and enums as the messages quote them.
const (
	namePattern     = `[\.\-_A-Za-z0-9]+`
	busNamePattern  = `[/\.\-_A-Za-z0-9]+`
	endpointPattern = `^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$`
	authTypes       = "[BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]"
	httpMethods     = "[HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]"
	ruleStates      = "[ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"
)

func notMatching(value, member, pattern string) *edge.Error {
	return edge.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, member, pattern)
}

func notInEnum(value, member, set string) *edge.Error {
	return edge.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: %s", value, member, set)
}

func tooLong(value, member string, max int) *edge.Error {
	return edge.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", value, member, max)
}

func tooMany(member string, max int) *edge.Error {
	return edge.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
}

func tooBig(value int, member string, max int) *edge.Error {
	return edge.Validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", value, member, max)
}

func tooSmall(value int, member string, min int) *edge.Error {
	return edge.Validation("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", value, member, min)
}

// longer reports whether s has more than max characters.
func longer(s string, max int) bool {
	return len(s) > max && utf8.RuneCountInString(s) > max
}

// checkPatternSize applies the API's EventPattern limit, which the pattern
// package leaves to its callers.
func checkPatternSize(p string) error {
	if longer(p, pattern.MaxSize) {
		return tooLong(p, "eventPattern", pattern.MaxSize)
	}
	return nil
}

// checkLimit validates a list operation's Limit; 0 means it was not given.
func checkLimit(limit int) error {
	switch {
	case limit < 0:
		return tooSmall(limit, "limit", 1)
	case limit > maxListLimit:
		return tooBig(limit, "limit", maxListLimit)
	}
	return nil
}
