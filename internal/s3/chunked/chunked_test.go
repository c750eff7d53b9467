package chunked_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"tenkai/internal/s3/chunked"
)

// encode builds an aws-chunked body the way SDKs do: chunks of size n, with a
// chunk signature when signed, then trailers.
func encode(data []byte, n int, signed bool, trailers ...string) string {
	var b strings.Builder
	ext := func() string {
		if signed {
			return ";chunk-signature=" + strings.Repeat("a", 64)
		}
		return ""
	}
	for len(data) > 0 {
		k := min(n, len(data))
		fmt.Fprintf(&b, "%x%s\r\n", k, ext())
		b.Write(data[:k])
		b.WriteString("\r\n")
		data = data[k:]
	}
	fmt.Fprintf(&b, "0%s\r\n", ext())
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func decode(body string) (string, map[string]string, error) {
	r := chunked.NewReader(strings.NewReader(body))
	out, err := io.ReadAll(r)
	return string(out), r.Trailers(), err
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     string
		trailers map[string]string
		wantErr  bool
	}{
		{name: "unsigned trailer", body: "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n", want: "hello",
			trailers: map[string]string{"x-amz-checksum-crc32": "NhCmhg=="}},
		{name: "signed", body: "3;chunk-signature=abc\r\nfoo\r\n3;chunk-signature=def\r\nbar\r\n0;chunk-signature=ghi\r\n\r\n", want: "foobar",
			trailers: map[string]string{}},
		{name: "signed trailer", body: "2;chunk-signature=x\r\nhi\r\n0;chunk-signature=y\r\nX-Amz-Checksum-Sha256:abc=\r\nx-amz-trailer-signature:zz\r\n\r\n", want: "hi",
			trailers: map[string]string{"x-amz-checksum-sha256": "abc=", "x-amz-trailer-signature": "zz"}},
		{name: "no final blank line", body: "1\r\na\r\n0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n", want: "a",
			trailers: map[string]string{"x-amz-checksum-crc32c": "AAAAAA=="}},
		{name: "ends after final chunk", body: "1\r\na\r\n0\r\n", want: "a", trailers: map[string]string{}},
		{name: "empty payload", body: "0\r\n\r\n", want: "", trailers: map[string]string{}},
		{name: "upper hex", body: "A\r\n0123456789\r\n0\r\n\r\n", want: "0123456789", trailers: map[string]string{}},
		{name: "data contains CRLF", body: "4\r\n\r\n\r\n\r\n0\r\n\r\n", want: "\r\n\r\n", trailers: map[string]string{}},
		{name: "truncated chunk", body: "5\r\nhel", wantErr: true},
		{name: "missing final chunk", body: "5\r\nhello\r\n", wantErr: true},
		{name: "bad size", body: "zz\r\nhello\r\n0\r\n\r\n", wantErr: true},
		{name: "empty size", body: "\r\nhello\r\n0\r\n\r\n", wantErr: true},
		{name: "size too long", body: "11111111111111111\r\n", wantErr: true},
		{name: "no CRLF after data", body: "2\r\nhiX\r\n0\r\n\r\n", wantErr: true},
		{name: "bad trailer", body: "0\r\nnocolon\r\n\r\n", wantErr: true},
		{name: "empty body", body: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, trailers, err := decode(tc.body)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decode(%q) = %q, nil; want an error", tc.body, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode(%q) error %v", tc.body, err)
			}
			if got != tc.want {
				t.Errorf("decode(%q) = %q; want %q", tc.body, got, tc.want)
			}
			if fmt.Sprint(trailers) != fmt.Sprint(tc.trailers) {
				t.Errorf("trailers = %v; want %v", trailers, tc.trailers)
			}
		})
	}
}

func TestMalformedIsWrapped(t *testing.T) {
	_, _, err := decode("zz\r\n")
	if !errors.Is(err, chunked.ErrMalformed) {
		t.Fatalf("err = %v; want ErrMalformed", err)
	}
}

func TestRoundTripLarge(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100_000)
	for _, n := range []int{1, 1000, 64 << 10, 1 << 20} {
		for _, signed := range []bool{false, true} {
			body := encode(data, n, signed, "x-amz-checksum-crc32:abc=")
			got, tr, err := decode(body)
			if err != nil || got != string(data) || tr["x-amz-checksum-crc32"] != "abc=" {
				t.Fatalf("n=%d signed=%v: err=%v len=%d trailers=%v", n, signed, err, len(got), tr)
			}
		}
	}
}

// TestSmallReads reads one byte at a time, crossing every chunk boundary.
func TestSmallReads(t *testing.T) {
	body := encode([]byte("hello, world"), 5, true, "x-amz-checksum-crc32:q=")
	r := chunked.NewReader(strings.NewReader(body))
	var out []byte
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if string(out) != "hello, world" || r.Trailer("X-Amz-Checksum-CRC32") != "q=" {
		t.Fatalf("got %q, trailer %q", out, r.Trailer("x-amz-checksum-crc32"))
	}
}

func FuzzChunked(f *testing.F) {
	f.Add([]byte("hello"), uint16(2), true, "5\r\nhello\r\n0\r\n\r\n")
	f.Add([]byte(""), uint16(1), false, "0;chunk-signature=x\r\nx-amz-checksum-crc32:AAAA\r\n\r\n")
	f.Add([]byte("a\r\nb"), uint16(3), false, "ffffffffffff\r\n")
	f.Fuzz(func(t *testing.T, data []byte, n uint16, signed bool, raw string) {
		// Any input decodes or fails cleanly.
		_, _, _ = decode(raw)
		// A well-formed encoding decodes to its payload.
		if n == 0 {
			n = 1
		}
		got, tr, err := decode(encode(data, int(n), signed, "x-amz-checksum-crc32:v"))
		if err != nil {
			t.Fatalf("decode of valid encoding: %v", err)
		}
		if got != string(data) {
			t.Fatalf("decode = %q; want %q", got, data)
		}
		if tr["x-amz-checksum-crc32"] != "v" {
			t.Fatalf("trailers = %v", tr)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 8<<20)
	body := encode(data, 64<<10, true)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := chunked.NewReader(strings.NewReader(body))
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
