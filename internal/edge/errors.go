package edge

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS fault that the edge encodes in the protocol of the request:
// `__type` + `message` for awsJson, `X-Amzn-ErrorType` for restJson1,
// `<Error>` for REST-XML and `<ErrorResponse>` for awsQuery.
type Error struct {
	Code    string // e.g. "ResourceNotFoundException"
	Message string
	Status  int            // HTTP status; 0 means 400
	Fields  map[string]any // extra members some services add (S3 BucketName, DynamoDB CancellationReasons)
	// Receiver marks a server-side fault (awsQuery <Type>Receiver</Type>).
	Receiver bool
	// QueryCode, when set, is the awsQuery error code of a service that moved
	// from awsQuery to awsJson (awsQueryCompatible, as SQS): awsJson answers
	// carry it in x-amzn-query-error, which the SDKs report as the code, and
	// awsQuery answers use it as <Code>.
	QueryCode string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus returns the status the error is sent with.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// Errorf returns an Error with a 400 status.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NewError returns an Error with the given status.
func NewError(status int, code, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

// With returns a copy of e with an extra member in the error body.
func (e *Error) With(key string, v any) *Error {
	c := *e
	c.Fields = map[string]any{}
	for k, x := range e.Fields {
		c.Fields[k] = x
	}
	c.Fields[key] = v
	return &c
}

// Validation returns the ValidationException AWS sends for constraint failures.
func Validation(format string, args ...any) *Error {
	return Errorf("ValidationException", format, args...)
}

// MissingMember is AWS's message for a required member that is absent.
func MissingMember(member string) *Error {
	return Validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

// asError converts any error to an *Error; unknown errors become an internal failure.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: "InternalFailure", Message: "An internal error occurred: " + err.Error(), Status: http.StatusInternalServerError, Receiver: true}
}
