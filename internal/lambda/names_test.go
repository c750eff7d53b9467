package lambda

import (
	"archive/zip"
	"bytes"
	"io"
	"log/slog"
	"testing"
)

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestParseFunctionRef(t *testing.T) {
	tests := []struct {
		in   string
		want FuncRef
		bad  bool
	}{
		{in: "my-fn", want: FuncRef{"000000000000", "us-east-1", "my-fn", ""}},
		{in: "my-fn:live", want: FuncRef{"000000000000", "us-east-1", "my-fn", "live"}},
		{in: "my-fn:$LATEST", want: FuncRef{"000000000000", "us-east-1", "my-fn", "$LATEST"}},
		{in: "123456789012:function:f", want: FuncRef{"123456789012", "us-east-1", "f", ""}},
		{in: "123456789012:function:f:3", want: FuncRef{"123456789012", "us-east-1", "f", "3"}},
		{in: "arn:aws:lambda:eu-west-1:123456789012:function:f", want: FuncRef{"123456789012", "eu-west-1", "f", ""}},
		{in: "arn:aws:lambda:eu-west-1:123456789012:function:f:prod", want: FuncRef{"123456789012", "eu-west-1", "f", "prod"}},
		{in: "", bad: true},
		{in: "bad name", bad: true},
		{in: "a:b:c", bad: true},
		{in: "arn:aws:s3:::bucket", bad: true},
		{in: "arn:aws:lambda:us-east-1:123:function:f", bad: true},
		{in: "f:", bad: true},
		{in: "0123456789012345678901234567890123456789012345678901234567890123456789", bad: true},
	}
	for _, tc := range tests {
		got, err := ParseFunctionRef(tc.in, "000000000000", "us-east-1")
		if tc.bad {
			if err == nil {
				t.Errorf("ParseFunctionRef(%q) = %+v; want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFunctionRef(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseFunctionRef(f *testing.F) {
	for _, s := range []string{"f", "f:1", "123456789012:function:f:q", "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", "::", "arn:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseFunctionRef(s, "000000000000", "us-east-1")
		if err != nil {
			return
		}
		// A parsed reference round-trips through its ARN.
		again, err := ParseFunctionRef(ref.ARN(), "x", "y")
		if err != nil || again != ref {
			t.Fatalf("ParseFunctionRef(%q) = %+v; its ARN %s parses to %+v, %v", s, ref, ref.ARN(), again, err)
		}
	})
}

func FuzzParseLayerVersionARN(f *testing.F) {
	f.Add("arn:aws:lambda:us-east-1:123456789012:layer:l:1")
	f.Add("arn:aws:lambda:us-east-1:123456789012:layer:l")
	f.Fuzz(func(t *testing.T, s string) {
		ref, ok := ParseLayerVersionARN(s)
		if ok && (ref.Version < 1 || ref.Name == "") {
			t.Fatalf("ParseLayerVersionARN(%q) = %+v", s, ref)
		}
	})
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"arn:aws:events:*:*:rule/*", "arn:aws:events:us-east-1:1:rule/x", true},
		{"arn:aws:events:us-east-1:1:rule/x", "arn:aws:events:us-east-1:1:rule/x", true},
		{"arn:aws:events:us-east-1:1:rule/x", "arn:aws:events:us-east-1:1:rule/y", false},
		{"a?c", "abc", true},
		{"a*", "", false},
		{"*", "", true},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.p, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v; want %v", tc.p, tc.s, got, tc.want)
		}
	}
}

func zipWith(t *testing.T, add func(zw *zip.Writer)) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnzipRefusesEscapes(t *testing.T) {
	tests := []struct {
		name string
		add  func(zw *zip.Writer)
		ok   bool
	}{
		{"plain", func(zw *zip.Writer) { w, _ := zw.Create("a/b.txt"); io.WriteString(w, "x") }, true},
		{"dotdot", func(zw *zip.Writer) { w, _ := zw.Create("../evil"); io.WriteString(w, "x") }, false},
		{"nested dotdot", func(zw *zip.Writer) { w, _ := zw.Create("a/../../evil"); io.WriteString(w, "x") }, false},
		{"absolute", func(zw *zip.Writer) { w, _ := zw.Create("/etc/evil"); io.WriteString(w, "x") }, false},
		{"symlink out", func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: "link"}
			h.SetMode(0o777 | 1<<27) // fs.ModeSymlink
			w, _ := zw.CreateHeader(h)
			io.WriteString(w, "../../etc/passwd")
		}, false},
		{"symlink in", func(zw *zip.Writer) {
			w, _ := zw.Create("real.txt")
			io.WriteString(w, "x")
			h := &zip.FileHeader{Name: "link"}
			h.SetMode(0o777 | 1<<27)
			w, _ = zw.CreateHeader(h)
			io.WriteString(w, "real.txt")
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := unzipTo(zipWith(t, tc.add), t.TempDir())
			if (err == nil) != tc.ok {
				t.Errorf("unzipTo(%s) = %v; want ok=%v", tc.name, err, tc.ok)
			}
		})
	}
}

func zipWithBytes(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, _ := zw.Create(n)
		io.WriteString(w, b)
	}
	zw.Close()
	return buf.Bytes()
}
