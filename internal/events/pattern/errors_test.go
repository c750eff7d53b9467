package pattern_test

import (
	"errors"
	"strings"
	"testing"

	"tenkai/internal/events/pattern"
)

func TestCompileErrorMessage(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		// Texts as AWS returned them in public reports.
		{`{"source": ["aws.health"], "detail": {}}`,
			"Event pattern is not valid. Reason: Empty objects are not allowed\n at [Source: (String)\"{\"source\": [\"aws.health\"], \"detail\": {}}\"; line: 1, column: 40]"},
		{"{\n  \"detail\": {\n    \"pipeline\": {\n      \"slug\": \"some-pipeline\" } } }",
			"Event pattern is not valid. Reason: \"slug\" must be an object or an array\n at [Source: (String)\"{\n  \"detail\": {\n    \"pipeline\": {\n      \"slug\": \"some-pipeline\" } } }\"; line: 4, column: 16]"},
		{`{\"detail\": 1}`,
			"Event pattern is not valid. Reason: Unexpected character ('\\' (code 92)): was expecting double-quote to start field name\n at [Source: (String)\"{\\\"detail\\\": 1}\"; line: 1, column: 3]"},
		// Errors AWS reports without a position.
		{`{"ip": [{"cidr": "10.0.0.0"}]}`, "Event pattern is not valid. Reason: Malformed CIDR, one '/' required"},
		{`{"s": [{"wildcard": "a**b"}]}`, "Event pattern is not valid. Reason: Consecutive wildcard characters at pos 2"},
	}
	for _, tc := range tests {
		_, err := pattern.Compile([]byte(tc.pattern))
		if err == nil {
			t.Errorf("Compile(%s) = nil error; want %q", tc.pattern, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("Compile(%s) error =\n%s\nwant\n%s", tc.pattern, err, tc.want)
		}
		var pe *pattern.Error
		if !errors.As(err, &pe) {
			t.Errorf("Compile(%s) error is %T; want *pattern.Error", tc.pattern, err)
		}
	}
}

func TestCompileErrorReason(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		reason  string
	}{
		{"empty input", ``, "Filter is not an object"},
		{"not an object", `["a"]`, "Filter is not an object"},
		{"string", `"a"`, "Filter is not an object"},
		{"empty pattern", `{}`, "Empty objects are not allowed"},
		{"empty nested object", `{"detail":{}}`, "Empty objects are not allowed"},
		{"empty array", `{"source":[]}`, "Empty arrays are not allowed"},
		{"scalar value", `{"source":"aws.ec2"}`, `"source" must be an object or an array`},
		{"number value", `{"n":5}`, `"n" must be an object or an array`},
		{"nested array value", `{"a":[["x"]]}`, "Match value must be String, number, true, false, or null"},
		{"empty match expression", `{"a":[{}]}`, "Match expression name not found"},
		{"unknown operator", `{"a":[{"contains":"x"}]}`, "Unrecognized match type contains"},
		{"two keys", `{"a":[{"prefix":"x","suffix":"y"}]}`, "Only one key allowed in match expression"},
		{"prefix number", `{"a":[{"prefix":5}]}`, "prefix match pattern must be a string"},
		{"suffix null", `{"a":[{"suffix":null}]}`, "suffix match pattern must be a string"},
		{"prefix unsupported object", `{"a":[{"prefix":{"wildcard":"x"}}]}`, "Unsupported prefix pattern: wildcard"},
		{"equals-ignore-case number", `{"a":[{"equals-ignore-case":5}]}`, "equals-ignore-case match pattern must be a string"},
		{"wildcard number", `{"a":[{"wildcard":5}]}`, "wildcard match pattern must be a string"},
		{"wildcard bad escape", `{"a":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 2"},
		{"exists string", `{"a":[{"exists":"true"}]}`, "exists match pattern must be either true or false."},
		{"exists extra key", `{"a":[{"exists":true,"x":1}]}`, "Only one key allowed in match expression"},
		{"cidr number", `{"a":[{"cidr":5}]}`, "prefix match pattern must be a string"},
		{"cidr bits", `{"a":[{"cidr":"10.0.0.0/x"}]}`, "Malformed CIDR, mask bits must be an integer"},
		{"cidr negative", `{"a":[{"cidr":"10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative"},
		{"cidr v4 bits", `{"a":[{"cidr":"10.0.0.0/32"}]}`, "IPv4 mask bits must be < 32"},
		{"cidr v6 bits", `{"a":[{"cidr":"::/128"}]}`, "IPv6 mask bits must be < 128"},
		{"cidr hostname", `{"a":[{"cidr":"example.com/8"}]}`, "Nonstandard IP address: example.com"},
		{"cidr bad v4", `{"a":[{"cidr":"300.0.0.0/8"}]}`, "Invalid IP address: 300.0.0.0"},
		{"numeric not array", `{"a":[{"numeric":5}]}`, "Value of numeric must be an array."},
		{"numeric empty", `{"a":[{"numeric":[]}]}`, "Invalid member in numeric match: ]"},
		{"numeric number first", `{"a":[{"numeric":[5]}]}`, "Invalid member in numeric match: 5"},
		{"numeric bad operator", `{"a":[{"numeric":["!=",5]}]}`, "Unrecognized numeric range operator: !="},
		{"numeric = string", `{"a":[{"numeric":["=","5"]}]}`, "Value of = must be numeric"},
		{"numeric > missing", `{"a":[{"numeric":[">"]}]}`, "Value of > must be numeric"},
		{"numeric = extra", `{"a":[{"numeric":["=",5,6]}]}`, "Too many elements in numeric expression"},
		{"numeric < extra", `{"a":[{"numeric":["<",5,">",1]}]}`, "Too many elements in numeric expression"},
		{"numeric range bad second", `{"a":[{"numeric":[">",0,">",5]}]}`, "Bad numeric range operator: >"},
		{"numeric range number second", `{"a":[{"numeric":[">",0,5]}]}`, "Bad value in numeric range: 5"},
		{"numeric range top not number", `{"a":[{"numeric":[">",0,"<","5"]}]}`, "Value of < must be numeric"},
		{"numeric range too long", `{"a":[{"numeric":[">",0,"<",5,1]}]}`, "Too many terms in numeric range expression"},
		{"numeric range inverted", `{"a":[{"numeric":[">",5,"<",1]}]}`, "Bottom must be less than top"},
		{"numeric range empty", `{"a":[{"numeric":[">=",5,"<=",5]}]}`, "Bottom must be less than top"},
		{"numeric too big", `{"a":[{"numeric":[">",5000000001]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric too small", `{"a":[{"numeric":["<",-5.1e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric extra key", `{"a":[{"numeric":["<",5],"x":1}]}`, "Too many elements in numeric expression"},
		{"anything-but null", `{"a":[{"anything-but":null}]}`, "Value of anything-but must be an array or single string/number value."},
		{"anything-but bool", `{"a":[{"anything-but":true}]}`, "Value of anything-but must be an array or single string/number value."},
		{"anything-but mixed list", `{"a":[{"anything-but":["a",1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but empty list", `{"a":[{"anything-but":[]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but null in list", `{"a":[{"anything-but":["a",null]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{"anything-but number out of range", `{"a":[{"anything-but":[6e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"anything-but unsupported", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, "Unsupported anything-but pattern: numeric"},
		{"anything-but empty object", `{"a":[{"anything-but":{}}]}`, "Anything-But expression name not found"},
		{"anything-but prefix number", `{"a":[{"anything-but":{"prefix":5}}]}`, "prefix/suffix match pattern must be a string"},
		{"anything-but empty prefix", `{"a":[{"anything-but":{"prefix":""}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but empty suffix", `{"a":[{"anything-but":{"suffix":""}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but ignore case number", `{"a":[{"anything-but":{"equals-ignore-case":5}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{"anything-but ignore case list number", `{"a":[{"anything-but":{"equals-ignore-case":["a",5]}}]}`, "Inside anything-but/equals-ignore-case list, numberic|start|null|boolean is not supported."},
		{"anything-but extra key", `{"a":[{"anything-but":"x","y":1}]}`, "Too many elements in numeric expression"},
		{"or not array", `{"$or":"x"}`, "It must be an Array followed with $or."},
		{"or one object", `{"$or":[{"a":["1"]}]}`, "There must have at least 2 Objects in $or relationship."},
		{"or empty", `{"$or":[]}`, "There must have at least 2 Objects in $or relationship."},
		{"or string element", `{"$or":[{"a":["1"]},"b"]}`, "Only JSON object is allowed in array of $or relationship."},
		{"or reserved name", `{"$or":[{"numeric":[1]},{"prefix":["abc"]}]}`, "numeric is Ruler reserved fieldName which cannot be used inside $or."},
		{"or empty object", `{"$or":[{"a":["1"]},{}]}`, "Empty objects are not allowed"},
		{"syntax missing colon", `{"a" ["x"]}`, "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value"},
		{"syntax unterminated", `{"a":["x"]`, "Unexpected end-of-input: expected close marker for OBJECT"},
		{"syntax bad token", `{"a":[tru]}`, "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"},
		{"syntax missing comma", `{"a":["x" "y"]}`, "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries"},
		{"syntax leading zero", `{"a":[01]}`, "Invalid numeric value: Leading zeroes not allowed"},
		// Errors surface in reading order: the empty array comes first.
		{"first error wins", `{"a":[],"b":{}}`, "Empty arrays are not allowed"},
		// A bad wildcard is found only after the rest of the pattern is read.
		{"wildcard error after others", `{"a":[{"wildcard":"a**"}],"b":[]}`, "Empty arrays are not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pattern.Compile([]byte(tc.pattern))
			var pe *pattern.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%s) = %v; want *pattern.Error with reason %q", tc.pattern, err, tc.reason)
			}
			if pe.Reason != tc.reason {
				t.Errorf("Compile(%s) reason = %q; want %q", tc.pattern, pe.Reason, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "Event pattern is not valid. Reason: "+tc.reason) {
				t.Errorf("Compile(%s) message = %q", tc.pattern, err)
			}
		})
	}
}

func TestCompileValid(t *testing.T) {
	valid := []string{
		`{"a":["x"]} `,
		`{"$or":[{"a":["1"]},{"b":["2"]}]}`,
		`{"a":[{"numeric":["=",5e9]}]}`,
		`{"a":[{"numeric":[">",-5e9,"<",5e9]}]}`,
		`{"a":[{"anything-but":{"equals-ignore-case":[]}}]}`,
		`{"a":[{"exactly":"x"}]}`,
		`{"a":[{"cidr":"10.0.0.0/31"}]}`,
		`{"a":[123456789012345678901234567890]}`,
		`{"a":{"b":{"c":[{"exists":false}]}}}`,
		// "$or" that is not a valid OR is an ordinary field name.
		`{"$or":{"a":["1"]}}`,
		`{"$or":[{"prefix":"abc"}]}`,
	}
	for _, src := range valid {
		if _, err := pattern.Compile([]byte(src)); err != nil {
			t.Errorf("Compile(%s) = %v; want nil", src, err)
		}
	}
}

func TestErrorTruncatesLongPattern(t *testing.T) {
	long := `{"a":["` + strings.Repeat("x", 600) + `"],"b":[]}`
	_, err := pattern.Compile([]byte(long))
	if err == nil {
		t.Fatal("Compile(long) = nil error")
	}
	want := `[truncated 117 chars]; line: 1, column: 617]`
	if !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Compile(long) error ends %q; want suffix %q", err.Error()[len(err.Error())-60:], want)
	}
}
