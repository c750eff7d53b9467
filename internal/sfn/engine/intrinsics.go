package engine

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"tenkai/internal/sfn/asl"
)

// call evaluates an intrinsic function call with $ = input.
func (v *env) call(c *asl.Call, input any) (any, error) {
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		switch {
		case a.Call != nil:
			r, err := v.call(a.Call, input)
			if err != nil {
				return nil, err
			}
			args[i] = r
		case a.Path != nil:
			r, err := v.get(a.Path, input)
			if err != nil {
				return nil, v.runtime("The JsonPath argument for the field '%s' could not be found in the input '%s'", a.Path.Src, encode(input))
			}
			args[i] = r
		default:
			args[i] = a.LiteralValue()
		}
	}
	if c.Name == "States.Format" {
		tmpl, ok := c.Args[0].FormatTemplate()
		if !ok {
			s, isStr := args[0].(string)
			if !isStr {
				return nil, v.ifail(c, "The first argument must be a string")
			}
			tmpl = s
		}
		return v.format(c, tmpl, args[1:])
	}
	return v.intrinsic(c, args)
}

// ifail is a failed intrinsic function: States.IntrinsicFailure, which
// Retry and Catch can match (unlike a path that selects nothing, States.Runtime).
func (v *env) ifail(c *asl.Call, format string, args ...any) *failure {
	return &failure{name: "States.IntrinsicFailure", cause: v.prefix() + " " + fmt.Sprintf("The function '%s' failed: %s", c.Name, fmt.Sprintf(format, args...))}
}

// maxIntrinsicChars bounds the string arguments of Base64Encode/Decode and Hash (in characters).
const maxIntrinsicChars = 10000

func (v *env) format(c *asl.Call, tmpl string, args []any) (any, error) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if ch == '\\' && i+1 < len(tmpl) {
			i++
			b.WriteByte(tmpl[i])
			continue
		}
		if ch == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}' {
			if n >= len(args) {
				return nil, v.ifail(c, "Number of arguments does not match the number of placeholders")
			}
			switch a := args[n].(type) {
			case string:
				b.WriteString(a)
			case *asl.Object, []any:
				return nil, v.ifail(c, "Formatting objects and arrays is not supported")
			default:
				b.WriteString(encode(a))
			}
			n++
			i++
			continue
		}
		b.WriteByte(ch)
	}
	if n != len(args) {
		return nil, v.ifail(c, "Number of arguments does not match the number of placeholders")
	}
	return b.String(), nil
}

func asInt(x any) (int64, bool) {
	switch n := x.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

func (v *env) intrinsic(c *asl.Call, args []any) (any, error) {
	switch c.Name {
	case "States.StringToJson":
		s, ok := args[0].(string)
		if !ok {
			return nil, v.ifail(c, "The argument must be a string")
		}
		out, err := asl.DecodeJSON([]byte(s))
		if err != nil {
			return nil, v.ifail(c, "Invalid JSON: %v", err)
		}
		return out, nil
	case "States.JsonToString":
		return encode(args[0]), nil
	case "States.Array":
		return append([]any{}, args...), nil
	case "States.ArrayPartition":
		a, ok := args[0].([]any)
		size, ok2 := asInt(args[1])
		if !ok || !ok2 || size <= 0 {
			return nil, v.ifail(c, "Expected an array and a positive integer chunk size")
		}
		out := []any{}
		for i := 0; i < len(a); i += int(size) {
			end := min(i+int(size), len(a))
			out = append(out, append([]any{}, a[i:end]...))
		}
		return out, nil
	case "States.ArrayContains":
		a, ok := args[0].([]any)
		if !ok {
			return nil, v.ifail(c, "The first argument must be an array")
		}
		for _, e := range a {
			if jsonEqual(e, args[1]) {
				return true, nil
			}
		}
		return false, nil
	case "States.ArrayRange":
		start, ok1 := asInt(args[0])
		end, ok2 := asInt(args[1])
		step, ok3 := asInt(args[2])
		if !ok1 || !ok2 || !ok3 || step == 0 {
			return nil, v.ifail(c, "Expected integer start, end and a non-zero step")
		}
		out := []any{}
		for i := start; step > 0 && i <= end || step < 0 && i >= end; i += step {
			out = append(out, i)
			if len(out) > 1000 {
				return nil, v.ifail(c, "The array range exceeds the maximum of 1000 items")
			}
		}
		return out, nil
	case "States.ArrayGetItem":
		a, ok := args[0].([]any)
		i, ok2 := asInt(args[1])
		if !ok || !ok2 || i < 0 || int(i) >= len(a) {
			return nil, v.ifail(c, "Index out of bounds")
		}
		return a[i], nil
	case "States.ArrayLength":
		a, ok := args[0].([]any)
		if !ok {
			return nil, v.ifail(c, "The argument must be an array")
		}
		return int64(len(a)), nil
	case "States.ArrayUnique":
		a, ok := args[0].([]any)
		if !ok {
			return nil, v.ifail(c, "The argument must be an array")
		}
		out := []any{}
		seen := map[string]bool{}
		for _, e := range a {
			k := encode(asl.FromPlain(asl.ToPlain(e))) // keys sorted: order does not make objects differ
			if !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
		return out, nil
	case "States.Base64Encode":
		s, ok := args[0].(string)
		if !ok || utf8.RuneCountInString(s) > maxIntrinsicChars {
			return nil, v.ifail(c, "The argument must be a string of at most 10000 characters")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "States.Base64Decode":
		s, ok := args[0].(string)
		if !ok || utf8.RuneCountInString(s) > maxIntrinsicChars {
			return nil, v.ifail(c, "The argument must be a string of at most 10000 characters")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || strings.ContainsAny(s, "\r\n") {
			return nil, v.ifail(c, "Invalid base64 input")
		}
		return string(b), nil
	case "States.Hash":
		algo, ok := args[1].(string)
		if !ok {
			return nil, v.ifail(c, "The algorithm must be a string")
		}
		var data string
		if s, isStr := args[0].(string); isStr {
			data = s
		} else {
			data = encode(args[0])
		}
		if utf8.RuneCountInString(data) > maxIntrinsicChars {
			return nil, v.ifail(c, "The input must be at most 10000 characters")
		}
		h := hasher(algo)
		if h == nil {
			return nil, v.ifail(c, "Unsupported hash algorithm %s; expected one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", algo)
		}
		h.Write([]byte(data))
		return hex.EncodeToString(h.Sum(nil)), nil
	case "States.JsonMerge":
		a, ok1 := args[0].(*asl.Object)
		b, ok2 := args[1].(*asl.Object)
		deep, ok3 := args[2].(bool)
		if !ok1 || !ok2 || !ok3 {
			return nil, v.ifail(c, "Expected two objects and a boolean")
		}
		if deep {
			return nil, v.ifail(c, "Deep merge is not supported; the third argument must be false")
		}
		out := a.Clone(b.Len())
		for _, k := range b.Keys() {
			e, _ := b.Get(k)
			out.Set(k, e)
		}
		return out, nil
	case "States.MathRandom":
		start, ok1 := asInt(args[0])
		end, ok2 := asInt(args[1])
		if !ok1 || !ok2 || end <= start {
			return nil, v.ifail(c, "Expected integer start and end with start < end")
		}
		r := v.x.e.random()
		if len(args) == 3 {
			seed, ok := asInt(args[2])
			if !ok {
				return nil, v.ifail(c, "The seed must be an integer")
			}
			r = rand.New(rand.NewPCG(uint64(seed), 0)).Float64()
		}
		return start + int64(r*float64(end-start)), nil
	case "States.MathAdd":
		a, ok1 := asInt(args[0])
		b, ok2 := asInt(args[1])
		if !ok1 || !ok2 {
			return nil, v.ifail(c, "Expected two integers")
		}
		return a + b, nil
	case "States.StringSplit":
		s, ok1 := args[0].(string)
		d, ok2 := args[1].(string)
		if !ok1 || !ok2 || d == "" {
			return nil, v.ifail(c, "Expected a string and a non-empty delimiter string")
		}
		parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(d, r) })
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	case "States.UUID":
		return newUUID(v.x.e.random), nil
	}
	return nil, v.ifail(c, "Unknown function")
}

func hasher(algo string) hash.Hash {
	switch algo {
	case "MD5":
		return md5.New()
	case "SHA-1":
		return sha1.New()
	case "SHA-256":
		return sha256.New()
	case "SHA-384":
		return sha512.New384()
	case "SHA-512":
		return sha512.New()
	}
	return nil
}

// jsonEqual compares JSON values, numbers by value, objects regardless of key order.
func jsonEqual(a, b any) bool { return asl.Equal(a, b) }

func defaultRand() float64 { return rand.Float64() }

// newUUID returns a random version 4 UUID.
func newUUID(r func() float64) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r() * 256)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
