package dynamodb

import (
	"strings"
	"testing"
)

const testStreamArn = "arn:aws:dynamodb:us-east-1:123456789012:table/t1/stream/2026-01-02T03:04:05.000"

func TestIteratorRoundTrip(t *testing.T) {
	for _, it := range []iterator{
		{arn: testStreamArn, shard: "shardId-00000001767323045000-0123abcd", issued: 1767323045000, after: 0},
		{arn: testStreamArn, shard: "s", issued: -1, after: ^uint64(0)},
	} {
		s := it.encode()
		got, err := decodeIterator(s)
		if err != nil || got != it {
			t.Errorf("decodeIterator(%q) = %+v, %v; want %+v", s, got, err, it)
		}
		if len(s) > 2048 {
			t.Errorf("iterator is %d bytes; the API allows 2048", len(s))
		}
	}
	good := iterator{arn: testStreamArn, shard: "shardId-1", issued: 5, after: 7}.encode()
	for _, bad := range []string{
		"", "|", "||", good[:len(good)-1], good + "A", strings.Replace(good, "t1", "t2", 1),
		strings.Replace(good, "shardId-1", "shardId-2", 1), "x|y|" + good[strings.LastIndexByte(good, '|')+1:],
	} {
		if _, err := decodeIterator(bad); err == nil {
			t.Errorf("decodeIterator(%q) succeeded", bad)
		}
	}
}

func TestSequenceNumbers(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		want string
	}{{0, "000000000000000000000"}, {1, "000000000000000000001"}, {^uint64(0), "018446744073709551615"}} {
		if got := formatSeq(c.n); got != c.want {
			t.Errorf("formatSeq(%d) = %s; want %s", c.n, got, c.want)
		}
		if n, ok := parseSeq(c.want); !ok || n != c.n {
			t.Errorf("parseSeq(%s) = %d, %v", c.want, n, ok)
		}
	}
	for _, bad := range []string{"", "-1", "1a", "18446744073709551616", strings.Repeat("1", 41)} {
		if n, ok := parseSeq(bad); ok {
			t.Errorf("parseSeq(%q) = %d", bad, n)
		}
	}
	if n, ok := parseSeq(strings.Repeat("0", 39) + "7"); !ok || n != 7 {
		t.Errorf("parseSeq of 40 digits = %d, %v", n, ok)
	}
}

// FuzzShardIterator checks that any string decodes without panicking, and
// that what decodes encodes back to the same string.
func FuzzShardIterator(f *testing.F) {
	f.Add(iterator{arn: testStreamArn, shard: "shardId-00000001767323045000-0123abcd", issued: 1767323045000, after: 42}.encode())
	f.Add("")
	f.Add("a|b|c")
	f.Add(testStreamArn + "|shardId|AAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		it, err := decodeIterator(s)
		if err != nil {
			return
		}
		if again := it.encode(); again != s {
			t.Fatalf("decodeIterator(%q) = %+v, which encodes as %q", s, it, again)
		}
	})
}
