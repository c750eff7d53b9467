package edge

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
)

// RESTService speaks restJson1 or REST-XML: operations are HTTP methods on
// paths. The service routes its own paths (an http.ServeMux suits) and reads
// the request's Meta with MetaFrom.
type RESTService interface {
	Service
	http.Handler
	// Protocol is ProtoRESTJSON or ProtoRESTXML.
	Protocol() Protocol
	// PathPrefixes route unsigned requests, e.g. "/2015-03-31/functions".
	PathPrefixes() []string
}

// HostMatcher is implemented by REST services addressed by host name, such as
// API Gateway invoke URLs ({id}.execute-api.localhost).
type HostMatcher interface {
	MatchHost(host string) bool
}

// SetOperation records the operation name for logs.
func SetOperation(r *http.Request, op string) { MetaFrom(r.Context()).Operation = op }

// WriteError encodes err in the protocol of the request. Handlers of REST
// services call it; errors that are not *Error become 500 InternalFailure.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, MetaFrom(r.Context()), err)
}

// WriteJSON writes a restJson1 response with the request id header.
func WriteJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	if v != nil {
		if err := json.NewEncoder(&buf).Encode(v); err != nil {
			WriteError(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", MetaFrom(r.Context()).RequestID)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// ReadJSON decodes a restJson1 request body (up to max bytes) into v.
func ReadJSON(r *http.Request, max int64, v any) error {
	body, err := readBody(r, max)
	if err != nil {
		return err
	}
	return DecodeJSON(body, v)
}

func writeError(w http.ResponseWriter, r *http.Request, m *Meta, err error) {
	e := asError(err)
	if e.HTTPStatus() >= 500 && !errors.As(err, new(*Error)) {
		// Unknown errors are bugs: keep them out of clients' faces but in the log.
		if m.log != nil {
			m.log.Error("internal failure", "service", m.Service, "operation", m.Operation, "request_id", m.RequestID, "err", err)
		}
		e = &Error{Code: "InternalFailure", Message: "An internal error occurred.", Status: 500, Receiver: true}
	}
	h := w.Header()
	switch m.Protocol {
	case ProtoQuery:
		typ := "Sender"
		if e.Receiver {
			typ = "Receiver"
		}
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		buf.WriteString(`<ErrorResponse xmlns="">`)
		buf.WriteString("<Error><Type>" + typ + "</Type><Code>")
		code := e.Code
		if e.QueryCode != "" {
			code = e.QueryCode
		}
		_ = xml.EscapeText(&buf, []byte(code))
		buf.WriteString("</Code><Message>")
		_ = xml.EscapeText(&buf, []byte(e.Message))
		buf.WriteString("</Message></Error><RequestId>" + m.RequestID + "</RequestId></ErrorResponse>")
		h.Set("Content-Type", "text/xml")
		h.Set("x-amzn-RequestId", m.RequestID)
		w.WriteHeader(e.HTTPStatus())
		_, _ = w.Write(buf.Bytes())
	case ProtoRESTXML:
		h.Set("x-amz-request-id", m.RequestID)
		h.Set("x-amz-id-2", m.RequestID)
		if r.Method == http.MethodHead {
			w.WriteHeader(e.HTTPStatus())
			return
		}
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		buf.WriteString("<Error><Code>")
		_ = xml.EscapeText(&buf, []byte(e.Code))
		buf.WriteString("</Code><Message>")
		_ = xml.EscapeText(&buf, []byte(e.Message))
		buf.WriteString("</Message>")
		for _, k := range sortedKeys(e.Fields) {
			buf.WriteString("<" + k + ">")
			_ = xml.EscapeText(&buf, []byte(toString(e.Fields[k])))
			buf.WriteString("</" + k + ">")
		}
		buf.WriteString("<RequestId>" + m.RequestID + "</RequestId><HostId>" + m.RequestID + "</HostId></Error>")
		h.Set("Content-Type", "application/xml")
		w.WriteHeader(e.HTTPStatus())
		_, _ = w.Write(buf.Bytes())
	default: // awsJson and restJson1
		body := map[string]any{"message": e.Message}
		for k, v := range e.Fields {
			body[k] = v
		}
		if m.Protocol == ProtoRESTJSON {
			h.Set("X-Amzn-ErrorType", e.Code)
			body["Type"] = "User"
			if e.Receiver {
				body["Type"] = "Service"
			}
		} else {
			body["__type"] = e.Code
			if e.QueryCode != "" {
				typ := "Sender"
				if e.Receiver {
					typ = "Receiver"
				}
				h.Set("x-amzn-query-error", e.QueryCode+";"+typ)
			}
		}
		b, _ := json.Marshal(body)
		switch {
		case m.Protocol == ProtoRESTJSON:
			h.Set("Content-Type", "application/json")
		case m.jsonVersion != "":
			h.Set("Content-Type", "application/x-amz-json-"+m.jsonVersion)
		default: // the request named no known service
			h.Set("Content-Type", "application/x-amz-json-1.1")
		}
		h.Set("x-amzn-RequestId", m.RequestID)
		w.WriteHeader(e.HTTPStatus())
		if r.Method != http.MethodHead {
			_, _ = w.Write(b)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
