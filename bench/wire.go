package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// wire is the lean client of the "(lean client)" rows, a load generator in
// the manner of wrk: it writes the same SigV4-signed HTTP/1.1 requests an SDK
// sends straight to kept-alive connections, one call at a time per
// connection, and reads the answers with net/http's parser; the workload
// checks them. The SDK rows measure what an SDK user sees; these measure the
// server, because on a 2-core machine the SDK's own CPU per call (~150 µs)
// rather than the server caps the rate. Every peer gets the same client.
type wire struct {
	addr, host string
	idle       chan *wireConn

	mu      sync.Mutex
	day     string
	signKey map[string][]byte // service → signing key for day
}

type wireConn struct {
	c   net.Conn
	br  *bufio.Reader
	buf []byte // the request being written
}

const (
	wireKey    = "test"
	wireSecret = "test"
	wireRegion = "us-east-1"
)

func newWire(s *server) *wire {
	host := strings.TrimPrefix(s.url, "http://")
	return &wire{addr: host, host: host, idle: make(chan *wireConn, 64)}
}

// wireResp is an answer read in full.
type wireResp struct {
	status int
	header http.Header
	body   []byte
}

// json sends an awsJson request: POST / with X-Amz-Target.
func (w *wire) json(ctx context.Context, service, version, target string, body []byte) (wireResp, error) {
	r, err := w.do(ctx, service, http.MethodPost, "/", [][2]string{
		{"Content-Type", "application/x-amz-json-" + version}, {"X-Amz-Target", target},
	}, body)
	if err != nil {
		return r, err
	}
	if r.status != http.StatusOK {
		return r, fmt.Errorf("%s: HTTP %d: %s", target, r.status, truncate(string(r.body), 200))
	}
	return r, nil
}

// do signs and sends one request and reads the whole answer. path must be
// escaped already and carry no query.
func (w *wire) do(ctx context.Context, service, method, path string, h [][2]string, body []byte) (wireResp, error) {
	var c *wireConn
	select {
	case c = <-w.idle:
	default:
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", w.addr)
		if err != nil {
			return wireResp{}, err
		}
		c = &wireConn{c: nc, br: bufio.NewReaderSize(nc, 16<<10)}
	}
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	h = append(h, [2]string{"X-Amz-Date", amzDate}, [2]string{"X-Amz-Content-Sha256", payload})
	auth := w.authorization(service, method, path, h, len(body), payload, amzDate)

	b := c.buf[:0]
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, w.host...)
	b = append(b, "\r\nUser-Agent: tenkai-bench\r\n"...)
	for _, kv := range h {
		b = append(b, kv[0]...)
		b = append(b, ": "...)
		b = append(b, kv[1]...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "Authorization: "...)
	b = append(b, auth...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	c.buf = b
	if dl, ok := ctx.Deadline(); ok {
		_ = c.c.SetDeadline(dl)
	}
	if _, err := c.c.Write(b); err != nil {
		c.c.Close()
		return wireResp{}, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.c.Close()
		return wireResp{}, err
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.c.Close()
		return wireResp{status: resp.StatusCode, header: resp.Header, body: out}, err
	}
	select {
	case w.idle <- c:
	default:
		c.c.Close()
	}
	return wireResp{status: resp.StatusCode, header: resp.Header, body: out}, nil
}

// authorization is the SigV4 Authorization header for a request with the
// given headers (besides Host and Content-Length), signing every one of
// them as the SDKs sign theirs.
func (w *wire) authorization(service, method, path string, h [][2]string, bodyLen int, payload, amzDate string) string {
	day := amzDate[:8]
	type kv struct{ k, v string }
	hs := make([]kv, 0, len(h)+2)
	if bodyLen > 0 {
		hs = append(hs, kv{"content-length", strconv.Itoa(bodyLen)})
	}
	hs = append(hs, kv{"host", w.host})
	for _, p := range h {
		hs = append(hs, kv{strings.ToLower(p[0]), strings.TrimSpace(p[1])})
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].k < hs[j].k })
	var canon, signed strings.Builder
	canon.Grow(384)
	canon.WriteString(method)
	canon.WriteByte('\n')
	canon.WriteString(path)
	canon.WriteString("\n\n")
	for i, p := range hs {
		canon.WriteString(p.k)
		canon.WriteByte(':')
		canon.WriteString(p.v)
		canon.WriteByte('\n')
		if i > 0 {
			signed.WriteByte(';')
		}
		signed.WriteString(p.k)
	}
	canon.WriteByte('\n')
	canon.WriteString(signed.String())
	canon.WriteByte('\n')
	canon.WriteString(payload)
	creq := sha256.Sum256([]byte(canon.String()))
	scope := day + "/" + wireRegion + "/" + service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(creq[:])
	sig := hmacSHA256(w.key(day, service), []byte(toSign))
	return "AWS4-HMAC-SHA256 Credential=" + wireKey + "/" + scope + ", SignedHeaders=" + signed.String() + ", Signature=" + hex.EncodeToString(sig)
}

// close drops the idle connections.
func (w *wire) close() {
	for {
		select {
		case c := <-w.idle:
			c.c.Close()
		default:
			return
		}
	}
}

func (w *wire) key(day, service string) []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.day != day {
		w.day, w.signKey = day, map[string][]byte{}
	}
	if k, ok := w.signKey[service]; ok {
		return k
	}
	k := hmacSHA256([]byte("AWS4"+wireSecret), []byte(day))
	k = hmacSHA256(k, []byte(wireRegion))
	k = hmacSHA256(k, []byte(service))
	k = hmacSHA256(k, []byte("aws4_request"))
	w.signKey[service] = k
	return k
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}
