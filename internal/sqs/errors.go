package sqs

import (
	"fmt"

	"tenkai/internal/edge"
)

// SQS moved from awsQuery to awsJson1_0 and kept its old error codes: the
// body's __type names the modeled shape, the x-amzn-query-error header the
// awsQuery code, and the SDKs report the latter (QueueDoesNotExist is seen as
// AWS.SimpleQueueService.NonExistentQueue).
func sqsError(shape, query, format string, args ...any) *edge.Error {
	return &edge.Error{Code: "com.amazonaws.sqs#" + shape, QueryCode: query, Message: fmt.Sprintf(format, args...)}
}

// notFound sets the 404 the model gives some errors.
func notFound(e *edge.Error) *edge.Error {
	e.Status = 404
	return e
}

func errNoQueue() *edge.Error {
	return sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func errInvalidAddress(url string) *edge.Error {
	return notFound(sqsError("InvalidAddress", "InvalidAddress", "The address %s is not valid for this endpoint.", url))
}

func errParam(format string, args ...any) *edge.Error {
	return sqsError("InvalidParameterValueException", "InvalidParameterValue", format, args...)
}

// errValue is AWS's wording for one bad request parameter.
func errValue(value any, param, reason string) *edge.Error {
	return errParam("Value %v for parameter %s is invalid. Reason: %s", value, param, reason)
}

func errMissing(param string) *edge.Error {
	return sqsError("MissingRequiredParameterException", "MissingParameter", "The request must contain the parameter %s.", param)
}

func errAttrName(name string) *edge.Error {
	return sqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errAttrValue(name string) *edge.Error {
	return sqsError("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter %s.", name)
}

func errReceipt(handle string) *edge.Error {
	return notFound(sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle \"%s\" is not a valid receipt handle.", handle))
}

func errReceiptExpired() *edge.Error {
	return notFound(sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The receipt handle has expired."))
}

func errNotInflight() *edge.Error {
	return sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to isn't in flight.")
}

func errContents(format string, args ...any) *edge.Error {
	return sqsError("InvalidMessageContents", "InvalidMessageContents", format, args...)
}

func errEmptyBatch(entry string) *edge.Error {
	return sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one %s in the request.", entry)
}

func errTooManyEntries(n int) *edge.Error {
	return sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", n)
}

func errIdsNotDistinct(id string) *edge.Error {
	return sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
}

func errBatchEntryID() *edge.Error {
	return sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
}

func errBatchTooLong(n int) *edge.Error {
	return sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		"Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxBatchBytes, n)
}

func errPurgeInProgress(name string) *edge.Error {
	e := sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
		"Only one PurgeQueue operation on %s is allowed every 60 seconds.", name)
	e.Status = 403
	return e
}

func errQueueExists(attr string) *edge.Error {
	return sqsError("QueueNameExists", "QueueAlreadyExists",
		"A queue already exists with the same name and a different value for attribute %s", attr)
}

func errDeletedRecently() *edge.Error {
	return sqsError("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently",
		"You must wait 60 seconds after deleting a queue before you can create another with the same name.")
}

// code returns the awsQuery code of an SQS error, the one batch results and
// SDKs report.
func code(err error) string {
	if e, ok := err.(*edge.Error); ok {
		if e.QueryCode != "" {
			return e.QueryCode
		}
		return e.Code
	}
	return "InternalError"
}
