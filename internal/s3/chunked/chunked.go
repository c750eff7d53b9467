// Package chunked decodes the aws-chunked content encoding that AWS SDKs use
// for streaming S3 uploads (SigV4 streaming payloads and trailing checksums).
//
// A body is a sequence of chunks, each "<hex size>[;extensions]\r\n<data>\r\n",
// ended by a zero-size chunk, optional trailer lines "name:value\r\n" and a
// blank line:
//
//	r := chunked.NewReader(req.Body)
//	n, err := io.Copy(dst, r) // dst receives the decoded payload
//	sum := r.Trailer("x-amz-checksum-crc32")
//
// Chunk signatures are read but not verified.
package chunked

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits that keep a hostile body from costing memory.
const (
	maxLine     = 4096    // a chunk header or trailer line
	maxTrailers = 16      // trailer lines
	maxChunk    = 1 << 40 // a single chunk's declared size
)

// ErrMalformed is wrapped by every decoding error caused by the body's format.
var ErrMalformed = errors.New("chunked: malformed aws-chunked body")

// Reader decodes an aws-chunked stream. It is not safe for concurrent use.
type Reader struct {
	br       *bufio.Reader
	left     int64 // bytes left in the current chunk
	inChunk  bool
	done     bool
	err      error
	trailers map[string]string
}

// NewReader returns a Reader that decodes r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Read returns decoded payload bytes. It returns io.EOF after the final chunk
// and its trailers have been read, and a wrapped ErrMalformed (or the
// underlying read error) when the stream is bad or ends early.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.done {
		return 0, io.EOF
	}
	for !r.inChunk {
		if err := r.readHeader(); err != nil {
			r.err = err
			return 0, err
		}
		if r.done {
			return 0, io.EOF
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.br.Read(p)
	r.left -= int64(n)
	if err == io.EOF {
		if r.left > 0 {
			err = fmt.Errorf("%w: body ends inside a chunk", ErrMalformed)
		} else {
			err = nil
		}
	}
	if err != nil {
		r.err = err
		return n, err
	}
	if r.left == 0 {
		if err := r.expectCRLF(); err != nil {
			r.err = err
			return n, err
		}
		r.inChunk = false
	}
	return n, nil
}

// Trailer returns a trailer's value (name is case-insensitive), or "" when
// the stream sent none. Trailers are known once Read has returned io.EOF.
func (r *Reader) Trailer(name string) string {
	return r.trailers[strings.ToLower(name)]
}

// Trailers returns every trailer by lower-case name; nil before io.EOF.
func (r *Reader) Trailers() map[string]string { return r.trailers }

// readHeader reads one chunk header line; a zero size ends the stream and
// reads the trailers.
func (r *Reader) readHeader() error {
	line, err := r.readLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: body ends before the final chunk", ErrMalformed)
		}
		return err
	}
	sizeText, _, _ := strings.Cut(line, ";")
	sizeText = strings.TrimSpace(sizeText)
	size, err := parseHex(sizeText)
	if err != nil {
		return err
	}
	if size == 0 {
		r.done = true
		return r.readTrailers()
	}
	r.left, r.inChunk = size, true
	return nil
}

func parseHex(s string) (int64, error) {
	if s == "" || len(s) > 16 {
		return 0, fmt.Errorf("%w: bad chunk size %q", ErrMalformed, truncate(s))
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("%w: bad chunk size %q", ErrMalformed, truncate(s))
		}
		n = n<<4 | int64(d)
		if n > maxChunk {
			return 0, fmt.Errorf("%w: chunk size %q too large", ErrMalformed, truncate(s))
		}
	}
	return n, nil
}

// readTrailers reads "name:value" lines up to a blank line. A stream that
// ends right after the last trailer (or the final chunk) is accepted.
func (r *Reader) readTrailers() error {
	r.trailers = map[string]string{}
	for i := 0; ; i++ {
		line, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if line == "" {
			return nil
		}
		if i >= maxTrailers {
			return fmt.Errorf("%w: too many trailers", ErrMalformed)
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("%w: bad trailer %q", ErrMalformed, truncate(line))
		}
		r.trailers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
}

// readLine reads up to CRLF (a bare LF is tolerated) and returns the line
// without it. io.EOF means nothing was left to read.
func (r *Reader) readLine() (string, error) {
	var b []byte
	for {
		frag, err := r.br.ReadSlice('\n')
		b = append(b, frag...)
		if len(b) > maxLine {
			return "", fmt.Errorf("%w: line too long", ErrMalformed)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(b) == 0 {
				return "", io.EOF
			}
			return "", fmt.Errorf("%w: line %q not terminated", ErrMalformed, truncate(string(b)))
		}
		return "", err
	}
	b = b[:len(b)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return string(b), nil
}

func (r *Reader) expectCRLF() error {
	c, err := r.br.ReadByte()
	if err == nil && c == '\r' {
		c, err = r.br.ReadByte()
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: body ends after chunk data", ErrMalformed)
		}
		return err
	}
	if c != '\n' {
		return fmt.Errorf("%w: chunk data not followed by CRLF", ErrMalformed)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
