package edge

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// QueryService speaks awsQuery: form-encoded Action=...&Version=... requests
// answered with XML.
type QueryService interface {
	Service
	// XMLNamespace is the xmlns of responses, e.g. "https://iam.amazonaws.com/doc/2010-05-08/".
	XMLNamespace() string
	// Actions lists the supported actions; unsigned requests are routed by them.
	Actions() []string
	// Op returns the handler for an action, or nil.
	Op(action string) QueryHandler
}

// QueryHandler serves one awsQuery action. The result is encoded inside
// <ActionResult>; a nil result omits that element.
type QueryHandler func(ctx context.Context, form url.Values) (any, error)

func (e *Edge) queryFor(r *http.Request, signing string) (QueryService, bool) {
	if q, ok := e.query[signing]; ok {
		return q, true
	}
	if !isQueryCall(r) {
		return nil, false
	}
	// Unsigned: find the service by its action. Parsing the form here is fine:
	// serveQuery reads the same parsed values.
	action := r.URL.Query().Get("Action")
	if action == "" {
		if err := parseForm(r, e.cfg.MaxBody); err == nil {
			action = r.PostForm.Get("Action")
		}
	}
	names := make([]string, 0, len(e.query))
	for n := range e.query {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, a := range e.query[n].Actions() {
			if a == action {
				return e.query[n], true
			}
		}
	}
	return nil, false
}

func parseForm(r *http.Request, max int64) error {
	if r.PostForm != nil {
		return nil
	}
	body, err := readBody(r, max)
	if err != nil {
		return err
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return Errorf("MalformedQueryString", "The query string is malformed: %v", err)
	}
	r.PostForm = vals
	return nil
}

func (e *Edge) serveQuery(w http.ResponseWriter, r *http.Request, m *Meta, q QueryService) {
	if err := parseForm(r, e.cfg.MaxBody); err != nil {
		writeError(w, r, m, err)
		return
	}
	form := url.Values{}
	for k, v := range r.URL.Query() {
		form[k] = v
	}
	for k, v := range r.PostForm {
		form[k] = v
	}
	action := form.Get("Action")
	m.Operation = action
	if action == "" {
		writeError(w, r, m, Errorf("MissingAction", "Missing Action"))
		return
	}
	h := q.Op(action)
	if h == nil {
		e.logUnknown(q.Name(), action)
		writeError(w, r, m, Errorf("InvalidAction", "Could not find operation %s for version %s", truncate(action, 100), form.Get("Version")))
		return
	}
	out, err := h(r.Context(), form)
	if err != nil {
		writeError(w, r, m, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	resp := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: q.XMLNamespace()}}}
	_ = enc.EncodeToken(resp)
	if out != nil {
		if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			writeError(w, r, m, fmt.Errorf("encode %s response: %w", action, err))
			return
		}
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{m.RequestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(resp.End())
	_ = enc.Flush()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", m.RequestID)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}

// QueryList reads an awsQuery list: prefix.member.1, prefix.member.2, ...
func QueryList(form url.Values, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[prefix+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// QueryStructList reads a list of structures, prefix.member.N.Field, returning
// one map of field to value per element.
func QueryStructList(form url.Values, prefix string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		p := prefix + ".member." + strconv.Itoa(i) + "."
		el := map[string]string{}
		for k, v := range form {
			if strings.HasPrefix(k, p) {
				el[strings.TrimPrefix(k, p)] = v[0]
			}
		}
		if len(el) == 0 {
			return out
		}
		out = append(out, el)
	}
}
