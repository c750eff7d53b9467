package attr

import (
	"bytes"
	"testing"
)

var fastSeeds = []string{
	`{"id":{"S":"a"},"n":{"N":"1.50"},"b":{"B":"AAE="},"ok":{"BOOL":true},"z":{"NULL":true}}`,
	`{"m":{"M":{"x":{"L":[{"S":"\u00e9\n\"q\""},{"NS":["1","01","-2e3"]}]}}},"ss":{"SS":["a","b"]},"bs":{"BS":["AA==","AQ=="]}}`,
	` { "a" : { "S" : "x" } , "b" : { "L" : [ ] } , "c" : { "M" : { } } } `,
	`{"a":{"S":"x","N":"1"}}`,
	`{"a":{"SS":["x","x"]}}`,
	`{"a":{"NULL":false}}`,
	`{"a":{"S":null}}`,
	`{"a":{"S":"\ud83d\ude00 \ud800"}}`,
	`{"a":{"N":"1e200"}}`,
	`{"a":{"S":"x"},"a":{"S":"y"}}`,
	`{"a":{"B":"AB"}}`,
	"{\"a\":{\"S\":\"\xff\"}}",
}

func TestFastDecodeMatchesSlow(t *testing.T) {
	for _, s := range fastSeeds {
		checkFast(t, []byte(s))
	}
}

// checkFast fails when the fast decoder accepts input the slow one rejects
// or decodes it differently.
func checkFast(t *testing.T, b []byte) {
	t.Helper()
	if it, ok := fastDecodeItem(b); ok {
		slow, err := decodeItemSlow(b)
		if err != nil {
			t.Fatalf("fast accepted %q; slow: %v", b, err)
		}
		if got, want := AppendItemJSON(nil, it), AppendItemJSON(nil, slow); !bytes.Equal(got, want) {
			t.Fatalf("fast(%q) = %s; slow = %s", b, got, want)
		}
	}
	if v, ok := fastDecodeValue(b); ok {
		slow, err := decode(b, 0)
		if err != nil {
			t.Fatalf("fast value accepted %q; slow: %v", b, err)
		}
		if got, want := AppendJSON(nil, v), AppendJSON(nil, slow); !bytes.Equal(got, want) {
			t.Fatalf("fast value(%q) = %s; slow = %s", b, got, want)
		}
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFast(t, b) })
}

func BenchmarkDecodeItem(b *testing.B) {
	in := []byte(`{"pk":{"S":"user#1"},"sk":{"N":"1"},"name":{"S":"Ada Lovelace"},"email":{"S":"ada@example.com"},"age":{"N":"36"},"tags":{"SS":["a","b"]},"addr":{"M":{"city":{"S":"London"},"zip":{"S":"N1"}}}}`)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeItem(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("slow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeItemSlow(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
