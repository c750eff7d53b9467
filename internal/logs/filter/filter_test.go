package filter_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"tenkai/internal/logs/filter"
)

// Events from the CloudWatch Logs user guide's filter pattern examples.
var (
	badRequest   = "[ERROR 400] BAD REQUEST"
	unauthorized = "[ERROR 401] UNAUTHORIZED REQUEST"
	missingArgs  = "[ERROR 419] MISSING ARGUMENTS"
	invalidArgs  = "[ERROR 420] INVALID ARGUMENTS"
	serverError  = "[ERROR 500] INTERNAL SERVER ERROR"
	unstructured = []string{badRequest, unauthorized, missingArgs, invalidArgs, serverError}

	trail = `{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"],
		"objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": null, "ThisFlag": true,
		"bandwidth": 75, "latency": 1.5, "user": {"id": 1, "email": "John.Doe@example.com"}, "errorCode": "AccessDenied"}`

	access = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
)

func TestMatchTerms(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string // which unstructured events match
	}{
		{"", unstructured},
		{`" "`, unstructured},
		{"ERROR", unstructured},
		{"ERROR ARGUMENTS", []string{missingArgs, invalidArgs}},
		{"?ARGUMENTS ?UNAUTHORIZED", []string{unauthorized, missingArgs, invalidArgs}},
		{`"INTERNAL SERVER ERROR"`, []string{serverError}},
		{"ERROR -ARGUMENTS", []string{badRequest, unauthorized, serverError}},
		{"ERROR -ARGUMENTS -REQUEST", []string{serverError}},
		{"error", nil},                 // case sensitive
		{"ERR", nil},                   // whole words only
		{"400]", []string{badRequest}}, // punctuation ends a word
		{`"ERR"`, unstructured},        // a quoted phrase matches anywhere
		{"?400 ?401", []string{badRequest, unauthorized}},
		{"%ERROR 4[0-9]{2}%", []string{badRequest, unauthorized, missingArgs, invalidArgs}},
		{"%ARGUMENTS$%", []string{missingArgs, invalidArgs}},
		{"?-ERROR ?MISSING", []string{missingArgs}},
	}
	for _, tc := range tests {
		p, err := filter.Compile(tc.pattern)
		if err != nil {
			t.Fatalf("Compile(%q) = %v", tc.pattern, err)
		}
		var got []string
		for _, ev := range unstructured {
			if p.Match(ev) {
				got = append(got, ev)
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Compile(%q) matches %q; want %q", tc.pattern, got, tc.want)
		}
	}
}

// The user guide's regex example: %AUTHORIZED% finds the word inside
// UNAUTHORIZED, where the term AUTHORIZED does not.
func TestRegexVersusTerm(t *testing.T) {
	events := []string{"[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"}
	for _, tc := range []struct {
		pattern string
		want    string
	}{
		{"%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST|[SUCCESS 200] AUTHORIZED REQUEST"},
		{"AUTHORIZED", "[SUCCESS 200] AUTHORIZED REQUEST"},
	} {
		p, err := filter.Compile(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			if p.Match(e) {
				got = append(got, e)
			}
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("Compile(%q) matches %q; want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestMatchJSON(t *testing.T) {
	tests := []struct {
		pattern string
		msg     string
		want    bool
	}{
		{`{ $.eventType = "UpdateTrail" }`, trail, true},
		{`{ $.eventType = "UpdateTrai" }`, trail, false},
		{`{$.eventType="Update*"}`, trail, true},
		{`{ $.eventType != "UpdateTrail" }`, trail, false},
		{`{ $.sourceIPAddress != 123.123.* }`, trail, true},
		{`{ $.sourceIPAddress = 111.111.* }`, trail, true},
		{`{ $.arrayKey[0] = "value" }`, trail, true},
		{`{ $.arrayKey[1] = "value" }`, trail, false},
		{`{ $.arrayKey[5] = "value" }`, trail, false},
		{`{ $.objectList[1].id = 2 }`, trail, true},
		{`{ $.objectList[0].id = 2 }`, trail, false},
		{`{ $.SomeObject IS NULL }`, trail, true},
		{`{ $.eventType IS NULL }`, trail, false},
		{`{ $.SomeOtherObject NOT EXISTS }`, trail, true},
		{`{ $.eventType NOT EXISTS }`, trail, false},
		{`{ $.ThisFlag IS TRUE }`, trail, true},
		{`{ $.ThisFlag IS FALSE }`, trail, false},
		{`{ $.bandwidth > 75 }`, trail, false},
		{`{ $.bandwidth >= 75 }`, trail, true},
		{`{ $.bandwidth < 100 }`, trail, true},
		{`{ $.bandwidth <= 74.9 }`, trail, false},
		{`{ $.bandwidth = 75 }`, trail, true},
		{`{ $.bandwidth != 75 }`, trail, false},
		{`{ $.latency = 1.5 }`, trail, true},
		{`{ $.latency > 1e0 }`, trail, true},
		{`{ ($.user.id = 1) && ($.user.email = "John.Doe@example.com") }`, trail, true},
		{`{ ($.user.id = 2) && ($.user.email = "John.Doe@example.com") }`, trail, false},
		{`{ $.user.id = 2 || $.errorCode = "AccessDenied" }`, trail, true},
		{`{ ($.user.id = 2 || $.bandwidth > 50) && $.eventType = "Update*" }`, trail, true},
		{`{ $.user.id = 2 || $.bandwidth > 50 && $.eventType = "Nope" }`, trail, false},
		{`{ $.errorCode = "*" }`, trail, true},
		{`{ $.missing = "*" }`, trail, false},
		{`{ $.missing != "x" }`, trail, false},
		{`{ $.errorCode = %Access[A-Z]% }`, trail, true},
		{`{ $.eventType = "UpdateTrail" }`, "not json at all", false},
		{`{ $.eventType = "UpdateTrail" }`, `{"eventType": "UpdateTrail"`, false},
		{`{ $.a.b = "c" }`, `{"a": "str"}`, false},
	}
	for _, tc := range tests {
		p, err := filter.Compile(tc.pattern)
		if err != nil {
			t.Fatalf("Compile(%q) = %v", tc.pattern, err)
		}
		if got := p.Match(tc.msg); got != tc.want {
			t.Errorf("Compile(%q).Match(%.40q) = %v; want %v", tc.pattern, tc.msg, got, tc.want)
		}
	}
}

func TestMatchDelimited(t *testing.T) {
	tests := []struct {
		pattern string
		msg     string
		want    bool
	}{
		{`[ip, user, username, timestamp, request, status_code, bytes]`, access, true},
		{`[ip, user, username, timestamp, request, status_code]`, access, false},
		{`[ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes]`, access, true},
		{`[ip, user, username, timestamp, request = "*php*", status_code = 4*, bytes]`, access, false},
		{`[..., status_code = 404, bytes]`, access, true},
		{`[..., status_code = 500, bytes]`, access, false},
		{`[ip, ..., bytes > 1000]`, access, true},
		{`[ip, ..., bytes > 2000]`, access, false},
		{`[ip = 127.0.0.1, ...]`, access, true},
		{`[ip = %127\.0\.0\.[1-9]%, ...]`, access, true},
		{`[ip, user, username, timestamp, request, status_code = 5* || status_code = 4*, bytes]`, access, true},
		{`[ip, user, username, timestamp, request, status_code >= 400 && status_code < 500, bytes]`, access, true},
		{`[ip, user, username, timestamp, request, status_code >= 400 && status_code < 404, bytes]`, access, false},
		{`[w1=ERROR, ...]`, "ERROR something went wrong", true},
		{`[w1=ERROR, ...]`, "WARN something went wrong", false},
		{`[..., w = "*went*", ...]`, "ERROR something went wrong", true},
		{`[timestamp=*Z, request_id="*-*", event]`, `2024-01-01T00:00:00.000Z 6b2e-11 hello`, true},
	}
	for _, tc := range tests {
		p, err := filter.Compile(tc.pattern)
		if err != nil {
			t.Fatalf("Compile(%q) = %v", tc.pattern, err)
		}
		if got := p.Match(tc.msg); got != tc.want {
			t.Errorf("Compile(%q).Match(%q) = %v; want %v", tc.pattern, tc.msg, got, tc.want)
		}
	}
}

func TestExtract(t *testing.T) {
	p, err := filter.Compile(`[ip, user, username, timestamp, request, status_code = 4*, bytes]`)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := p.Extract(access)
	want := map[string]string{"$ip": "127.0.0.1", "$user": "-", "$username": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
		"$request": "GET /index.html HTTP/1.0", "$status_code": "404", "$bytes": "1534"}
	if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Extract = %v, %v; want %v", got, ok, want)
	}
	p, _ = filter.Compile(`[ip, ..., status, bytes]`)
	if got, ok := p.Extract(access); !ok || got["$status"] != "404" || got["$ip"] != "127.0.0.1" || len(got) != 3 {
		t.Errorf("Extract with ... = %v, %v", got, ok)
	}
	if _, ok := p.Extract("one"); ok {
		t.Error("Extract matched a one-field message against four slots")
	}
	p, _ = filter.Compile("ERROR")
	if got, ok := p.Extract(badRequest); !ok || len(got) != 0 {
		t.Errorf("Extract of a term pattern = %v, %v; want empty, true", got, ok)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, pat := range []string{
		`{ $.a = "x" `,
		`{ $.a = }`,
		`{ a = "x" }`,
		`{ $.a > "x" }`,
		`{ $.a ! 1 }`,
		`{ $.a = 1 } extra`,
		`{ $.a[x] = 1 }`,
		`{ ($.a = 1 }`,
		`{ $.a IS MAYBE }`,
		`[a, b`,
		`[a = , b]`,
		`[a > x]`,
		`[..., a = 1 && b = 2]`,
		`"unterminated`,
		`%a(b)%`,
		`%[%`,
		`ERROR -`,
		strings.Repeat("a", filter.MaxLen+1),
		"{" + strings.Repeat("(", 200) + "$.a = 1" + strings.Repeat(")", 200) + "}",
	} {
		_, err := filter.Compile(pat)
		var fe *filter.Error
		if !errors.As(err, &fe) {
			t.Errorf("Compile(%.60q) = %v; want *filter.Error", pat, err)
		}
	}
}

func FuzzFilterPattern(f *testing.F) {
	for _, s := range []string{
		"", "ERROR", "?a ?b -c", `"x y"`, `%a[0-9]+%`, `{ $.a = "b" && ($.c > 1 || $.d IS NULL) }`,
		`{ $.x[0].y != 12.* }`, `[a, ..., b = 4* || b = 5*, c > 3]`, `[..., w = "*went*", ...]`,
	} {
		f.Add(s, trail)
		f.Add(s, access)
		f.Add(s, badRequest)
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := filter.Compile(pattern)
		if err != nil {
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Compile(%q) error %T; want *filter.Error", pattern, err)
			}
			return
		}
		a := p.Match(msg)
		if b := p.Match(msg); a != b {
			t.Fatalf("Match is not deterministic for %q on %q", pattern, msg)
		}
	})
}

func BenchmarkMatchTerms(b *testing.B) {
	p, _ := filter.Compile("ERROR -ARGUMENTS")
	b.ReportAllocs()
	for b.Loop() {
		p.Match(serverError)
	}
}

func BenchmarkMatchJSON(b *testing.B) {
	p, _ := filter.Compile(`{ $.eventType = "UpdateTrail" && $.bandwidth > 50 }`)
	b.ReportAllocs()
	for b.Loop() {
		p.Match(trail)
	}
}
