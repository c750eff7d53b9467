package apigateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Response is what API Gateway sends back to the client.
type Response struct {
	Status int
	Header map[string][]string // header names as the function wrote them
	Body   []byte
}

// ErrMalformed reports a function response API Gateway cannot map.
var ErrMalformed = errors.New("apigateway: malformed Lambda proxy response")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// MapV2 maps a function's payload format 2.0 response. A JSON object with a
// statusCode is read as {statusCode, headers, cookies, body,
// isBase64Encoded}; any other valid JSON is the body of a 200
// application/json response, as AWS treats a bare return value.
func MapV2(payload []byte) (*Response, error) {
	trimmed := bytes.TrimSpace(payload)
	if !json.Valid(trimmed) {
		return nil, malformed("the response is not JSON")
	}
	var obj map[string]json.RawMessage
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &obj) != nil || obj["statusCode"] == nil {
		return &Response{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}}, Body: append([]byte(nil), trimmed...)}, nil
	}
	res := &Response{Header: map[string][]string{}}
	var err error
	if res.Status, err = statusCode(obj["statusCode"]); err != nil {
		return nil, err
	}
	if err := readHeaders(obj["headers"], res.Header); err != nil {
		return nil, err
	}
	if raw := obj["multiValueHeaders"]; raw != nil {
		if err := readMultiHeaders(raw, res.Header); err != nil {
			return nil, err
		}
	}
	if raw := obj["cookies"]; !isNull(raw) {
		var cookies []string
		if json.Unmarshal(raw, &cookies) != nil {
			return nil, malformed("cookies must be a list of strings")
		}
		res.Header["Set-Cookie"] = append(res.Header["Set-Cookie"], cookies...)
	}
	if res.Body, err = readBody(obj["body"], obj["isBase64Encoded"]); err != nil {
		return nil, err
	}
	return res, nil
}

// v1Members are the only members a REST API accepts in a proxy response.
var v1Members = map[string]bool{"statusCode": true, "headers": true, "multiValueHeaders": true, "body": true, "isBase64Encoded": true}

// MapV1 maps a function's payload format 1.0 (REST proxy) response: an
// object with statusCode and at most headers, multiValueHeaders, body and
// isBase64Encoded. Anything else is ErrMalformed, as API Gateway answers 502.
func MapV1(payload []byte) (*Response, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		return nil, malformed("the response must be a JSON object")
	}
	for k := range obj {
		if !v1Members[k] {
			return nil, malformed("unexpected member %q", k)
		}
	}
	res := &Response{Header: map[string][]string{}}
	if obj["statusCode"] == nil {
		return nil, malformed("statusCode is missing")
	}
	var err error
	if res.Status, err = statusCode(obj["statusCode"]); err != nil {
		return nil, err
	}
	if err := readHeaders(obj["headers"], res.Header); err != nil {
		return nil, err
	}
	if err := readMultiHeaders(obj["multiValueHeaders"], res.Header); err != nil {
		return nil, err
	}
	if res.Body, err = readBody(obj["body"], obj["isBase64Encoded"]); err != nil {
		return nil, err
	}
	return res, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

func statusCode(raw json.RawMessage) (int, error) {
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return 0, malformed("statusCode is not a number")
	}
	switch x := v.(type) {
	case json.Number:
		n = x
	case string:
		n = json.Number(x)
	default:
		return 0, malformed("statusCode is not a number")
	}
	code, err := strconv.Atoi(string(n))
	if err != nil || code < 100 || code > 599 {
		return 0, malformed("statusCode %s is not an HTTP status", n)
	}
	return code, nil
}

// scalar renders a header value: strings as they are, numbers and booleans
// as JSON writes them.
func scalar(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	t := string(bytes.TrimSpace(raw))
	switch {
	case t == "true" || t == "false":
		return t, true
	case len(t) > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')):
		return t, true
	}
	return "", false
}

func readHeaders(raw json.RawMessage, into map[string][]string) error {
	if isNull(raw) {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return malformed("headers must be an object")
	}
	for k, v := range m {
		if isNull(v) {
			continue
		}
		s, ok := scalar(v)
		if !ok {
			return malformed("header %q must be a string", k)
		}
		into[k] = []string{s}
	}
	return nil
}

func readMultiHeaders(raw json.RawMessage, into map[string][]string) error {
	if isNull(raw) {
		return nil
	}
	var m map[string][]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return malformed("multiValueHeaders must map names to lists")
	}
	for k, vs := range m {
		var out []string
		for _, v := range vs {
			s, ok := scalar(v)
			if !ok {
				return malformed("header %q values must be strings", k)
			}
			out = append(out, s)
		}
		// multiValueHeaders and headers merge; headers' value comes last.
		into[k] = append(out, into[k]...)
	}
	return nil
}

func readBody(raw, b64 json.RawMessage) ([]byte, error) {
	isB64 := false
	if !isNull(b64) && json.Unmarshal(b64, &isB64) != nil {
		return nil, malformed("isBase64Encoded must be a boolean")
	}
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, malformed("body must be a string")
	}
	if !isB64 {
		return []byte(s), nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, malformed("body is not valid base64: %v", err)
	}
	return b, nil
}
