package sns

import (
	"errors"

	"tenkai/internal/edge"
)

// SNS's awsQuery error codes are the model's error codes ("NotFound",
// "InvalidParameter"), not its shape names; the SDKs map them back.

func errNoTopic() *edge.Error {
	return &edge.Error{Code: "NotFound", Message: "Topic does not exist", Status: 404}
}

func errNoSubscription() *edge.Error {
	return &edge.Error{Code: "NotFound", Message: "Subscription does not exist", Status: 404}
}

func errNoResource() *edge.Error {
	return &edge.Error{Code: "ResourceNotFound", Message: "Resource does not exist", Status: 404}
}

// errParam is AWS's InvalidParameter: the message always starts with
// "Invalid parameter: ".
func errParam(format string, args ...any) *edge.Error {
	return edge.Errorf("InvalidParameter", "Invalid parameter: "+format, args...)
}

// errMissing is what the service says of a required member left out.
func errMissing(member string) *edge.Error {
	return errParam("%s", member)
}

// errAttrValue is the ParameterValueInvalid SNS answers for a bad message
// attribute.
func errAttrValue(format string, args ...any) *edge.Error {
	return edge.Errorf("ParameterValueInvalid", format, args...)
}

// errTagLimit is TagLimitExceeded: a topic holds at most 50 tags.
func errTagLimit() *edge.Error {
	return edge.Errorf("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
}

// batchError is one failed entry of PublishBatch.
func batchError(id string, err error) batchFailure {
	f := batchFailure{ID: id, Code: "InternalError", Message: err.Error(), SenderFault: false}
	if e := (*edge.Error)(nil); errors.As(err, &e) {
		f.Code, f.Message, f.SenderFault = e.Code, e.Message, !e.Receiver
	}
	return f
}
