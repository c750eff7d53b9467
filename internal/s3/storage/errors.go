package storage

import (
	"fmt"
	"strconv"
)

// Error is an S3 fault: the code, HTTP status and message S3 sends, plus the
// extra members S3 puts in its <Error> body (BucketName, Key, ...).
type Error struct {
	Code    string
	Status  int
	Message string
	Fields  map[string]string
	Headers map[string]string // response headers S3 sends with the fault
}

// TimeFormat is the HTTP date format (RFC 1123 in GMT) of Last-Modified.
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// With returns a copy of e with an extra body member.
func (e *Error) With(key, value string) *Error {
	c := *e
	c.Fields = make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[key] = value
	return &c
}

func newErr(status int, code, msg string) *Error {
	return &Error{Code: code, Status: status, Message: msg}
}

// The faults the engine returns, with S3's messages.
func errNoSuchBucket(b string) *Error {
	return newErr(404, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", b)
}

func errNoSuchKey(key string) *Error {
	return newErr(404, "NoSuchKey", "The specified key does not exist.").With("Key", key)
}

func errNoSuchVersion(key, version string) *Error {
	return newErr(404, "NoSuchVersion", "The specified version does not exist.").With("Key", key).With("VersionId", version)
}

func errInvalidVersion(version string) *Error {
	return newErr(400, "InvalidArgument", "Invalid version id specified").
		With("ArgumentName", "versionId").With("ArgumentValue", version)
}

func errNoSuchUpload(id string) *Error {
	return newErr(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
		With("UploadId", id)
}

func errBucketNotEmpty(b string) *Error {
	return newErr(409, "BucketNotEmpty", "The bucket you tried to delete is not empty").With("BucketName", b)
}

func errBucketExists(b string) *Error {
	return newErr(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").
		With("BucketName", b)
}

func errBucketOwned(b string) *Error {
	return newErr(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.").
		With("BucketName", b)
}

func errInvalidBucketName(b string) *Error {
	return newErr(400, "InvalidBucketName", "The specified bucket is not valid.").With("BucketName", b)
}

func errInvalidArgument(msg, name, value string) *Error {
	return newErr(400, "InvalidArgument", msg).With("ArgumentName", name).With("ArgumentValue", value)
}

// ErrInvalidRequest is S3's InvalidRequest with a message.
func ErrInvalidRequest(msg string) *Error { return newErr(400, "InvalidRequest", msg) }

// ErrMalformedXML is S3's answer to a request body it cannot parse.
func ErrMalformedXML() *Error {
	return newErr(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

func errEntityTooLarge(size, max int64) *Error {
	return newErr(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.").
		With("ProposedSize", strconv.FormatInt(size, 10)).With("MaxSizeAllowed", strconv.FormatInt(max, 10))
}

func errEntityTooSmall(size int64, part int, etag string) *Error {
	return newErr(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.").
		With("ProposedSize", strconv.FormatInt(size, 10)).With("MinSizeAllowed", strconv.Itoa(MinPartSize)).
		With("PartNumber", strconv.Itoa(part)).With("ETag", etag)
}

func errInvalidPart(upload string, part int, etag string) *Error {
	return newErr(400, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.").
		With("UploadId", upload).With("PartNumber", strconv.Itoa(part)).With("ETag", etag)
}

func errInvalidPartOrder(upload string) *Error {
	return newErr(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.").
		With("UploadId", upload)
}

func errBadDigest(expected, calculated string) *Error {
	return newErr(400, "BadDigest", "The Content-MD5 you specified did not match what we received.").
		With("ExpectedDigest", expected).With("CalculatedDigest", calculated)
}

func errBadChecksum(algo string) *Error {
	return newErr(400, "BadDigest", fmt.Sprintf("The %s you specified did not match the calculated checksum.", algo))
}

func errIncompleteBody() *Error {
	return newErr(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

func errKeyTooLong(size int) *Error {
	return newErr(400, "KeyTooLongError", "Your key is too long").
		With("Size", strconv.Itoa(size)).With("MaxSizeAllowed", "1024")
}

// ErrMethodNotAllowed is S3's answer to a method a resource does not support,
// such as GET of a delete marker by version id.
func ErrMethodNotAllowed(method, resource string) *Error {
	return newErr(405, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		With("Method", method).With("ResourceType", resource)
}

// ErrInvalidArgument is S3's InvalidArgument naming the argument at fault.
func ErrInvalidArgument(msg, name, value string) *Error { return errInvalidArgument(msg, name, value) }

// ErrIllegalLocation is S3's answer to a location constraint the endpoint's region cannot serve.
func ErrIllegalLocation(msg string) *Error {
	return newErr(400, "IllegalLocationConstraintException", msg)
}

// ErrPreconditionFailed is S3's 412 naming the condition that did not hold.
func ErrPreconditionFailed(condition string) *Error {
	return newErr(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").
		With("Condition", condition)
}

// ErrInvalidRange is S3's 416 for a range outside the object.
func ErrInvalidRange(requested string, size int64) *Error {
	return newErr(416, "InvalidRange", "The requested range is not satisfiable").
		With("RangeRequested", requested).With("ActualObjectSize", strconv.FormatInt(size, 10))
}

// ErrMalformedPOST is S3's answer to a form upload it cannot parse.
func ErrMalformedPOST() *Error {
	return newErr(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
}

// ErrInvalidPolicy is S3's answer to a POST policy it cannot read.
func ErrInvalidPolicy(msg string) *Error { return newErr(400, "InvalidPolicyDocument", msg) }

// ErrPostTooLarge is EntityTooLarge for a form upload beyond its policy's range.
func ErrPostTooLarge(size, max int64) *Error { return errEntityTooLarge(size, max) }

// ErrPostTooSmall is EntityTooSmall for a form upload below its policy's range.
func ErrPostTooSmall(size, min int64) *Error {
	return newErr(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
		With("ProposedSize", strconv.FormatInt(size, 10)).With("MinSizeAllowed", strconv.FormatInt(min, 10))
}
