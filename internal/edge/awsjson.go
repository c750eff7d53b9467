package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// JSONService speaks awsJson1_0 or awsJson1_1: POST / with X-Amz-Target
// "Prefix.Operation" and a JSON body.
type JSONService interface {
	Service
	// TargetPrefix is the part of X-Amz-Target before the dot, e.g. "Logs_20140328".
	TargetPrefix() string
	// JSONVersion is "1.0" or "1.1", used in the response Content-Type.
	JSONVersion() string
	// Op returns the handler for an operation, or nil when it is not supported.
	Op(name string) JSONHandler
}

// JSONHandler serves one awsJson operation. body is the raw request body; the
// returned value is encoded as the JSON response (nil encodes as {}).
type JSONHandler func(ctx context.Context, body []byte) (any, error)

// JSON adapts a typed handler: it decodes the body into In (SerializationException
// on malformed JSON or wrong member types) and encodes the result.
func JSON[In, Out any](f func(ctx context.Context, in *In) (*Out, error)) JSONHandler {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := DecodeJSON(body, in); err != nil {
			return nil, err
		}
		out, err := f(ctx, in)
		if err != nil {
			return nil, err
		}
		if out == nil {
			return nil, nil
		}
		return out, nil
	}
}

// DecodeJSON decodes an awsJson request body into v. An empty body is {}.
func DecodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return Errorf("SerializationException", "Start of structure or map found where not expected.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Errorf("SerializationException", "Unexpected value type in payload: %s at '%s'", te.Value, te.Field)
		}
		var ue *json.UnsupportedValueError
		if errors.As(err, &ue) {
			return Errorf("SerializationException", "%s", ue.Error())
		}
		return Errorf("SerializationException", "Malformed request body: %s", err.Error())
	}
	return nil
}

func (e *Edge) serveJSON(w http.ResponseWriter, r *http.Request, m *Meta, target string) {
	prefix, op, ok := strings.Cut(target, ".")
	s := e.json[prefix]
	if s == nil {
		m.Operation = target
		writeError(w, r, m, Errorf("UnknownOperationException", "Unknown service target %s", truncate(target, 100)))
		return
	}
	m.Service, m.Operation, m.jsonVersion = s.Name(), op, s.JSONVersion()
	if r.Method != http.MethodPost {
		writeError(w, r, m, NewError(http.StatusMethodNotAllowed, "UnknownOperationException", "Only POST is supported"))
		return
	}
	h := s.Op(op)
	if !ok || h == nil {
		e.logUnknown(s.Name(), op)
		writeError(w, r, m, Errorf("UnknownOperationException", "Unknown operation %s", truncate(op, 100)))
		return
	}
	body, err := readBody(r, e.cfg.MaxBody)
	if err != nil {
		writeError(w, r, m, err)
		return
	}
	out, err := h(r.Context(), body)
	if err != nil {
		writeError(w, r, m, err)
		return
	}
	// Headers are set in canonical form straight into the map: Header.Set
	// would allocate a canonical copy of "x-amzn-RequestId" on every call.
	hdr := w.Header()
	hdr["Content-Type"] = jsonContentType(s.JSONVersion())
	hdr["X-Amzn-Requestid"] = []string{m.RequestID}
	if raw, ok := out.(json.RawMessage); ok {
		hdr["Content-Length"] = []string{strconv.Itoa(len(raw))}
		_, _ = w.Write(raw)
		return
	}
	if out == nil {
		hdr["Content-Length"] = []string{"2"}
		_, _ = w.Write(emptyObject)
		return
	}
	buf := jsonBufs.Get().(*bytes.Buffer)
	defer putJSONBuf(buf)
	if err := json.NewEncoder(buf).Encode(out); err != nil {
		writeError(w, r, m, fmt.Errorf("encode %s response: %w", op, err))
		return
	}
	hdr["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	_, _ = w.Write(buf.Bytes())
}

var emptyObject = []byte("{}")

// jsonBufs recycles response buffers; one that grew past 1 MiB is dropped so
// a single large answer does not stay pinned.
var jsonBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putJSONBuf(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	jsonBufs.Put(b)
}

// The Content-Type values of awsJson responses. The slices are shared: header
// values are replaced, never modified in place.
var (
	contentJSON10 = []string{"application/x-amz-json-1.0"}
	contentJSON11 = []string{"application/x-amz-json-1.1"}
)

func jsonContentType(version string) []string {
	switch version {
	case "1.0":
		return contentJSON10
	case "1.1":
		return contentJSON11
	}
	return []string{"application/x-amz-json-" + version}
}

// readBody reads the whole body up to max bytes.
func readBody(r *http.Request, max int64) ([]byte, error) {
	if r.ContentLength > max {
		return nil, tooLarge(max)
	}
	var b []byte
	var err error
	if n := r.ContentLength; n > 0 {
		// The usual case: read into a buffer of the announced size instead of
		// letting io.ReadAll grow one; a body longer than announced is an error
		// net/http reports itself.
		b = make([]byte, n)
		_, err = io.ReadFull(r.Body, b)
	} else {
		b, err = io.ReadAll(io.LimitReader(r.Body, max+1))
	}
	if err != nil {
		return nil, Errorf("SerializationException", "Failed to read request body: %v", err)
	}
	if int64(len(b)) > max {
		return nil, tooLarge(max)
	}
	return b, nil
}

func tooLarge(max int64) *Error {
	return NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		fmt.Sprintf("Request body is larger than the maximum of %d bytes", max))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Epoch is a timestamp encoded as AWS JSON protocols do: seconds since the
// epoch, with a fraction for milliseconds.
type Epoch time.Time

// MarshalJSON encodes seconds with millisecond precision.
func (t Epoch) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	ms := tt.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(nil, ms/1000, 10), nil
	}
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', 3, 64), nil
}

// UnmarshalJSON accepts epoch seconds (number) or an ISO 8601 string.
func (t *Epoch) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		tt, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return err
		}
		*t = Epoch(tt)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return &json.UnmarshalTypeError{Value: "timestamp " + string(b)}
	}
	sec, frac := math.Modf(f)
	*t = Epoch(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}

// Time returns t as a time.Time.
func (t Epoch) Time() time.Time { return time.Time(t) }
