package attr_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tenkai/internal/dynamodb/attr"
)

// randomNumber returns valid DynamoDB number text with up to 38 digits,
// either sign and a wide exponent range, in varied notations.
func randomNumber(r *rand.Rand) string {
	if r.IntN(20) == 0 {
		return "0"
	}
	n := 1 + r.IntN(38)
	if r.IntN(2) == 0 {
		n = 1 + r.IntN(4) // many short numbers so that ties and neighbours occur
	}
	var sb strings.Builder
	if r.IntN(2) == 0 {
		sb.WriteByte('-')
	}
	sb.WriteByte(byte('1' + r.IntN(9)))
	for i := 1; i < n; i++ {
		sb.WriteByte(byte('0' + r.IntN(10)))
	}
	exp := r.IntN(250) - 125 - n // keeps the adjusted exponent in range
	if r.IntN(3) == 0 {
		exp = r.IntN(7) - 3
	}
	adj := exp + n - 1
	if adj > 125 || adj < -130 {
		exp = 0
	}
	sb.WriteString("E")
	sb.WriteString(strconv.Itoa(exp))
	return sb.String()
}

func TestNumberKeyOrderMatchesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]attr.Value, 3000)
	for i := range vals {
		s := randomNumber(r)
		v, err := attr.N(s)
		if err != nil {
			t.Fatalf("N(%q): %v", s, err)
		}
		vals[i] = v
	}
	keys := make([][]byte, len(vals))
	for i, v := range vals {
		k, err := attr.AppendKey(nil, v)
		if err != nil {
			t.Fatalf("AppendKey(%v): %v", v, err)
		}
		keys[i] = k
		back, rest, err := attr.DecodeKey(attr.TypeN, append(k, 0x42))
		if err != nil || !attr.Equal(back, v) || !bytes.Equal(rest, []byte{0x42}) {
			t.Fatalf("DecodeKey(AppendKey(%v)) = %v, %x, %v", v, back, rest, err)
		}
	}
	for i := 0; i < 20000; i++ {
		a, b := r.IntN(len(vals)), r.IntN(len(vals))
		want, _ := attr.Compare(vals[a], vals[b])
		if got := bytes.Compare(keys[a], keys[b]); got != want {
			t.Fatalf("bytes.Compare(key(%s), key(%s)) = %d; want %d", vals[a].Num(), vals[b].Num(), got, want)
		}
	}
	// Sorting by key gives numeric order.
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	for i := 1; i < len(idx); i++ {
		if c, _ := attr.Compare(vals[idx[i-1]], vals[idx[i]]); c > 0 {
			t.Fatalf("key order puts %s before %s", vals[idx[i-1]].Num(), vals[idx[i]].Num())
		}
	}
}

func TestStringKeyOrderMatchesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{0, 1, 'a', 'b', 0xFF}
	rnd := func() attr.Value {
		b := make([]byte, r.IntN(5))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return attr.B(b)
	}
	for i := 0; i < 20000; i++ {
		a, b := rnd(), rnd()
		ka, _ := attr.AppendKey(nil, a)
		kb, _ := attr.AppendKey(nil, b)
		want, _ := attr.Compare(a, b)
		if got := bytes.Compare(ka, kb); got != want {
			t.Fatalf("bytes.Compare(key(%v), key(%v)) = %d; want %d", a, b, got, want)
		}
		back, rest, err := attr.DecodeKey(attr.TypeB, append(ka, kb...))
		if err != nil || !attr.Equal(back, a) || !bytes.Equal(rest, kb) {
			t.Fatalf("DecodeKey(%x) = %v, %x, %v; want %v", ka, back, rest, err, a)
		}
	}
}

func TestKeyPrefix(t *testing.T) {
	p, _ := attr.AppendKeyPrefix(nil, attr.S("ab"))
	end := attr.PrefixEnd(p)
	for _, s := range []string{"ab", "ab\x00", "abz", "ab\xff\xff"} {
		k, _ := attr.AppendKey(nil, attr.S(s))
		if bytes.Compare(k, p) < 0 || bytes.Compare(k, end) >= 0 {
			t.Errorf("key(%q) outside [prefix, PrefixEnd)", s)
		}
	}
	for _, s := range []string{"aa", "a", "ac", ""} {
		k, _ := attr.AppendKey(nil, attr.S(s))
		if bytes.Compare(k, p) >= 0 && bytes.Compare(k, end) < 0 {
			t.Errorf("key(%q) inside [prefix, PrefixEnd)", s)
		}
	}
}

func TestDecodeKeyMalformed(t *testing.T) {
	for _, b := range [][]byte{{}, {0x81}, {0x81, 0x80, 0x05}, {0x90}, {0x7F, 0x10, 0x00}} {
		if _, _, err := attr.DecodeKey(attr.TypeN, b); err == nil {
			t.Errorf("DecodeKey(N, %x) error = nil; want error", b)
		}
	}
	for _, b := range [][]byte{{'a'}, {'a', 0}, {'a', 0, 7}} {
		if _, _, err := attr.DecodeKey(attr.TypeS, b); err == nil {
			t.Errorf("DecodeKey(S, %x) error = nil; want error", b)
		}
	}
}

func FuzzDecodeKey(f *testing.F) {
	for _, s := range []string{"0", "1", "-1.5", "1E+125", "-1E-130"} {
		k, _ := attr.AppendKey(nil, attr.MustN(s))
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Whatever decodes must be canonical: encoding it again gives
		// back exactly the bytes consumed.
		for _, typ := range []attr.Type{attr.TypeN, attr.TypeS} {
			v, rest, err := attr.DecodeKey(typ, b)
			if err != nil {
				continue
			}
			if v.Type() != typ {
				t.Fatalf("DecodeKey(%v) ok with type %v", typ, v.Type())
			}
			k, err := attr.AppendKey(nil, v)
			if err != nil || !bytes.Equal(k, b[:len(b)-len(rest)]) {
				t.Fatalf("AppendKey(DecodeKey(%x)) = %x, %v; want %x", b, k, err, b[:len(b)-len(rest)])
			}
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"S":"a"}`, `{"N":"1.5e3"}`, `{"M":{"a":{"L":[{"NS":["1"]}]}}}`, `{"BS":["AA=="]}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := attr.Decode(b)
		if err != nil {
			return
		}
		out, _ := v.MarshalJSON()
		again, err := attr.Decode(out)
		if err != nil || !attr.Equal(v, again) {
			t.Fatalf("round trip of %s via %s = %v, %v", b, out, again, err)
		}
	})
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1", "-0.5e-3", "1E+125", ".5", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := attr.ParseNumber(s)
		if err != nil {
			return
		}
		again, err := attr.ParseNumber(c)
		if err != nil || again != c {
			t.Fatalf("ParseNumber(%q) = %q, not a fixed point (%q, %v)", s, c, again, err)
		}
	})
}

func BenchmarkAppendNumberKey(b *testing.B) {
	v := attr.MustN("-12345.678901234567890123")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = attr.AppendKey(buf[:0], v)
	}
}

func BenchmarkParseNumber(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		attr.ParseNumber("-12345.678901234567890123e-2")
	}
}

func BenchmarkCompareNumbers(b *testing.B) {
	x, y := attr.MustN("12345.6789"), attr.MustN("12345.67891")
	b.ReportAllocs()
	for b.Loop() {
		attr.Compare(x, y)
	}
}
