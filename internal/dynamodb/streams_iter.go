package dynamodb

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
)

// iterator is a decoded shard iterator: a position in one shard, read
// from just after sequence number after, handed out at issued (Unix ms).
// On the wire it is "STREAM_ARN|SHARD_ID|PAYLOAD", the payload base64url
// of a version byte, issued, after and a CRC-32 over everything before it,
// so a mangled iterator is rejected instead of read from a wrong place.
type iterator struct {
	arn    string
	shard  string
	issued int64
	after  uint64
}

const iterVersion = 1

var errBadIterator = errors.New("dynamodb: invalid shard iterator")

func (it iterator) encode() string {
	var p [21]byte
	p[0] = iterVersion
	binary.BigEndian.PutUint64(p[1:], uint64(it.issued))
	binary.BigEndian.PutUint64(p[9:], it.after)
	binary.BigEndian.PutUint32(p[17:], iterSum(it.arn, it.shard, p[:17]))
	return it.arn + "|" + it.shard + "|" + base64.RawURLEncoding.EncodeToString(p[:])
}

func iterSum(arn, shard string, p []byte) uint32 {
	h := crc32.NewIEEE()
	h.Write([]byte(arn))
	h.Write([]byte{'|'})
	h.Write([]byte(shard))
	h.Write([]byte{'|'})
	h.Write(p)
	return h.Sum32()
}

// decodeIterator parses what encode wrote; anything else is errBadIterator.
func decodeIterator(s string) (iterator, error) {
	rest, payload, ok := cutLast(s, '|')
	if !ok {
		return iterator{}, errBadIterator
	}
	arn, shard, ok := cutLast(rest, '|')
	if !ok || arn == "" || shard == "" || len(payload) != 28 {
		return iterator{}, errBadIterator
	}
	var p [21]byte
	n, err := base64.RawURLEncoding.Decode(p[:], []byte(payload))
	if err != nil || n != len(p) || p[0] != iterVersion {
		return iterator{}, errBadIterator
	}
	if binary.BigEndian.Uint32(p[17:]) != iterSum(arn, shard, p[:17]) {
		return iterator{}, errBadIterator
	}
	if _, _, _, ok := parseStreamArn(arn); !ok {
		return iterator{}, errBadIterator
	}
	return iterator{arn: arn, shard: shard, issued: int64(binary.BigEndian.Uint64(p[1:])), after: binary.BigEndian.Uint64(p[9:])}, nil
}

func cutLast(s string, sep byte) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
