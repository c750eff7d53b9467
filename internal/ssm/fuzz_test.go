package ssm_test

import (
	"strings"
	"testing"

	"tenkai/internal/ssm"
)

// ParseRef must answer any string with a reference or an error, and a
// reference it accepts names a parameter with a selector that round-trips.
func FuzzParseRef(f *testing.F) {
	for _, seed := range []string{"a", "/a/b:3", "/a/b:prod", "arn:aws:ssm:us-east-1:1:parameter/a/b:2", "arn:aws:ssm::::parameter/", "/a:", ":", "/a//b", "a:0", "/x:99999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ssm.ParseRef(s)
		if err != nil {
			return
		}
		if r.Name == "" || strings.Contains(r.Name, ":") {
			t.Fatalf("ParseRef(%q) = %+v: bad name", s, r)
		}
		if r.Alt != "" && r.Alt != "/"+r.Name {
			t.Fatalf("ParseRef(%q) = %+v: Alt is not the name with a slash", s, r)
		}
		// Alt comes only from an ARN; the name and selector alone round-trip.
		want := r
		want.Alt = ""
		again, err := ssm.ParseRef(r.Name + r.Selector())
		if err != nil || again != want {
			t.Fatalf("ParseRef(%q) = %+v; re-parsing %q gives %+v, %v", s, r, r.Name+r.Selector(), again, err)
		}
	})
}
