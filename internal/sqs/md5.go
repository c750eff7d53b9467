package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"sort"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// attrsMD5 is the digest AWS returns as MD5OfMessageAttributes (and of system
// attributes), which SDKs recompute: for each attribute in name order, the
// name, the data type, a transport byte (1 string, 2 binary) and the value,
// each length-prefixed with 4 big-endian bytes. No attributes means "".
func attrsMD5(attrs map[string]attrValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	for _, n := range names {
		a := attrs[n]
		writeLP(h, []byte(n))
		writeLP(h, []byte(a.DataType))
		if a.StringValue != nil {
			h.Write([]byte{1})
			writeLP(h, []byte(*a.StringValue))
		} else {
			h.Write([]byte{2})
			writeLP(h, a.BinaryValue)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeLP(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}
