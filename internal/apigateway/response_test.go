package apigateway

import (
	"errors"
	"reflect"
	"testing"
)

func TestMapV2(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *Response
		wantErr bool
	}{
		{"full", `{"statusCode":201,"headers":{"content-type":"text/plain","x-n":5},"cookies":["a=1","b=2"],"body":"hi"}`,
			&Response{201, map[string][]string{"content-type": {"text/plain"}, "x-n": {"5"}, "Set-Cookie": {"a=1", "b=2"}}, []byte("hi")}, false},
		{"base64", `{"statusCode":200,"body":"AAH/","isBase64Encoded":true}`,
			&Response{200, map[string][]string{}, []byte{0, 1, 0xff}}, false},
		{"string status", `{"statusCode":"404"}`, &Response{404, map[string][]string{}, nil}, false},
		{"bare object", `{"hello":"world"}`,
			&Response{200, map[string][]string{"Content-Type": {"application/json"}}, []byte(`{"hello":"world"}`)}, false},
		{"bare string", `"hi"`, &Response{200, map[string][]string{"Content-Type": {"application/json"}}, []byte(`"hi"`)}, false},
		{"bare number", `42`, &Response{200, map[string][]string{"Content-Type": {"application/json"}}, []byte(`42`)}, false},
		{"null", `null`, &Response{200, map[string][]string{"Content-Type": {"application/json"}}, []byte(`null`)}, false},
		{"not JSON", `oops`, nil, true},
		{"empty", ``, nil, true},
		{"bad status", `{"statusCode":"abc"}`, nil, true},
		{"status out of range", `{"statusCode":99}`, nil, true},
		{"fractional status", `{"statusCode":200.5}`, nil, true},
		{"object body", `{"statusCode":200,"body":{"a":1}}`, nil, true},
		{"bad base64", `{"statusCode":200,"body":"%%%","isBase64Encoded":true}`, nil, true},
		{"bad cookies", `{"statusCode":200,"cookies":"a=1"}`, nil, true},
		{"object header", `{"statusCode":200,"headers":{"x":{}}}`, nil, true},
	}
	for _, tc := range tests {
		got, err := MapV2([]byte(tc.in))
		if tc.wantErr {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: MapV2(%s) = %v, %v; want ErrMalformed", tc.name, tc.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: MapV2(%s) = %+v, %v; want %+v", tc.name, tc.in, got, err, tc.want)
		}
	}
}

func TestMapV1(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    *Response
		wantErr bool
	}{
		{"full", `{"statusCode":200,"headers":{"a":"1"},"multiValueHeaders":{"set-cookie":["x=1","y=2"]},"body":"ok","isBase64Encoded":false}`,
			&Response{200, map[string][]string{"a": {"1"}, "set-cookie": {"x=1", "y=2"}}, []byte("ok")}, false},
		{"merge", `{"statusCode":200,"headers":{"a":"2"},"multiValueHeaders":{"a":["1"]}}`,
			&Response{200, map[string][]string{"a": {"1", "2"}}, nil}, false},
		{"null members", `{"statusCode":204,"headers":null,"multiValueHeaders":null,"body":null}`,
			&Response{204, map[string][]string{}, nil}, false},
		{"base64", `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, &Response{200, map[string][]string{}, []byte("hi")}, false},
		{"bare object", `{"hello":"world"}`, nil, true},
		{"no status", `{"body":"x"}`, nil, true},
		{"extra member", `{"statusCode":200,"cookies":["a=1"]}`, nil, true},
		{"array", `[1]`, nil, true},
		{"string", `"hi"`, nil, true},
		{"null", `null`, nil, true},
		{"bad multi", `{"statusCode":200,"multiValueHeaders":{"a":"1"}}`, nil, true},
	}
	for _, tc := range tests {
		got, err := MapV1([]byte(tc.in))
		if tc.wantErr {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: MapV1(%s) = %v, %v; want ErrMalformed", tc.name, tc.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: MapV1(%s) = %+v, %v; want %+v", tc.name, tc.in, got, err, tc.want)
		}
	}
}

// FuzzMapResponse checks that any function output maps to a valid response
// or ErrMalformed, never a panic or another error.
func FuzzMapResponse(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"body":"x"}`, `{"hello":1}`, `"s"`, `null`, `{"statusCode":"2e2"}`,
		`{"statusCode":200,"headers":{"a":true},"multiValueHeaders":{"b":[1,"x"]},"cookies":["c"],"isBase64Encoded":true,"body":"AA=="}`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for name, fn := range map[string]func([]byte) (*Response, error){"MapV1": MapV1, "MapV2": MapV2} {
			res, err := fn(b)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("%s(%q) error %v is not ErrMalformed", name, b, err)
				}
				continue
			}
			if res.Status < 100 || res.Status > 599 || res.Header == nil {
				t.Fatalf("%s(%q) = %+v", name, b, res)
			}
		}
	})
}
