package runtime

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// onceMap computes a value once per key and caches it (errors included).
type onceMap[V any] struct {
	mu sync.Mutex
	m  map[string]*onceEntry[V]
}

type onceEntry[V any] struct {
	once sync.Once
	v    V
	err  error
}

func (o *onceMap[V]) get(key string, f func() (V, error)) (V, error) {
	o.mu.Lock()
	if o.m == nil {
		o.m = map[string]*onceEntry[V]{}
	}
	e := o.m[key]
	if e == nil {
		e = &onceEntry[V]{}
		o.m[key] = e
	}
	o.mu.Unlock()
	e.once.Do(func() { e.v, e.err = f() })
	return e.v, e.err
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random (version 4) UUID, the shape of Lambda request ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// newTraceID returns an X-Ray trace header as Lambda passes it when the caller sent none:
// "Root=1-<8 hex seconds>-<24 hex>;Parent=<16 hex>;Sampled=0".
func newTraceID(now time.Time) string {
	var r [20]byte
	_, _ = rand.Read(r[:])
	var sec [4]byte
	u := uint32(now.Unix())
	sec[0], sec[1], sec[2], sec[3] = byte(u>>24), byte(u>>16), byte(u>>8), byte(u)
	const prefix, mid, suffix = "Root=1-", ";Parent=", ";Sampled=0"
	var out [len(prefix) + 8 + 1 + 24 + len(mid) + 16 + len(suffix)]byte
	n := copy(out[:], prefix)
	n += hex.Encode(out[n:], sec[:])
	out[n] = '-'
	n++
	n += hex.Encode(out[n:], r[:12])
	n += copy(out[n:], mid)
	n += hex.Encode(out[n:], r[12:])
	copy(out[n:], suffix)
	return string(out[:])
}
