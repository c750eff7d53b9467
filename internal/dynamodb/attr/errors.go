package attr

import "fmt"

// Error codes carried by Error.
const (
	CodeValidation    = "ValidationException"
	CodeSerialization = "SerializationException"
)

// Error is a client error worded exactly as DynamoDB words it. The service
// layer turns it into the protocol's error body; Code is the short error
// type (without the coral namespace).
type Error struct {
	Code    string // CodeValidation or CodeSerialization
	Message string
}

// Error returns the message alone, as DynamoDB puts it in "message".
func (e *Error) Error() string { return e.Message }

// validationf builds a ValidationException.
func validationf(format string, args ...any) *Error {
	return &Error{Code: CodeValidation, Message: fmt.Sprintf(format, args...)}
}

// serializationf builds a SerializationException.
func serializationf(format string, args ...any) *Error {
	return &Error{Code: CodeSerialization, Message: fmt.Sprintf(format, args...)}
}

// Messages DynamoDB returns for invalid attribute values. The odd spacing and
// grammar ("An number set  may not be empty") are DynamoDB's own.
const (
	invalidPrefix     = "One or more parameter values were invalid: "
	msgEmptyValue     = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgManyTypes      = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgNullFalse      = invalidPrefix + "Null attribute value types must have the value of true"
	msgEmptySS        = invalidPrefix + "An string set  may not be empty"
	msgEmptyNS        = invalidPrefix + "An number set  may not be empty"
	msgEmptyBS        = invalidPrefix + "Binary sets should not be empty"
	msgNumEmpty       = "The parameter cannot be converted to a numeric value"
	msgNumOverflow    = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgNumUnderflow   = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgNumPrecision   = "Attempting to store more than 38 significant digits in a Number"
	msgNSDuplicates   = "Input collection contains duplicates"
	msgSSDuplicatesFm = invalidPrefix + "Input collection %s contains duplicates."
	msgBSDuplicatesFm = invalidPrefix + "Input collection %sof type BS contains duplicates."
)
