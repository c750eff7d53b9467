package expr

import (
	"fmt"

	"tenkai/internal/dynamodb/attr"
)

// Kind names an expression parameter; it prefixes parse errors the way
// DynamoDB does ("Invalid ConditionExpression: ...").
type Kind string

// The expression parameters of the DynamoDB API.
const (
	KindCondition    Kind = "ConditionExpression"
	KindFilter       Kind = "FilterExpression"
	KindKeyCondition Kind = "KeyConditionExpression"
	KindProjection   Kind = "ProjectionExpression"
	KindUpdate       Kind = "UpdateExpression"
)

// invalidf builds "Invalid <Kind>: <detail>".
func invalidf(k Kind, format string, args ...any) *attr.Error {
	return &attr.Error{Code: attr.CodeValidation, Message: "Invalid " + string(k) + ": " + fmt.Sprintf(format, args...)}
}

// validationf builds a ValidationException with a bare message.
func validationf(format string, args ...any) *attr.Error {
	return &attr.Error{Code: attr.CodeValidation, Message: fmt.Sprintf(format, args...)}
}

// Runtime messages: DynamoDB reports these without the "Invalid
// UpdateExpression:" prefix because they depend on the item, not the text.
const (
	msgIncorrectDataType = "An operand in the update expression has an incorrect data type"
	msgInvalidPath       = "The document path provided in the update expression is invalid for update"
	msgMissingAttribute  = "The provided expression refers to an attribute that does not exist in the item"
)

// Semantic check messages, shared by several expression kinds.
const (
	msgEmptyExpression = "The expression can not be empty;"
	msgRedundantParens = "The expression has redundant parentheses;"
)

// MaxExpressionSize is DynamoDB's limit on the length of one expression
// string, in bytes.
const MaxExpressionSize = 4096

// checkText applies the checks made before parsing: not empty, not too
// long.
func checkText(k Kind, s string) error {
	if s == "" {
		return invalidf(k, "%s", msgEmptyExpression)
	}
	if len(s) > MaxExpressionSize {
		return invalidf(k, "Expression size has exceeded the maximum allowed size; expression size: %d", len(s))
	}
	return nil
}
