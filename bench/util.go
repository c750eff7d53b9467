package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
)

func md5hex(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}

func sha256hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// spread picks a key index in [0, n) for call i of worker, so workers read
// different keys (warm-up calls have negative i).
func spread(worker, i, mult, n int) int {
	k := (worker*mult + i) % n
	if k < 0 {
		k = -k
	}
	return k
}
