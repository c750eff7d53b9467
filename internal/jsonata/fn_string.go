package jsonata

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return undef
}

func utf16Units(s string) []uint16 {
	return utf16.Encode([]rune(s))
}

func fnString(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	pretty, _ := arg(args, 1).(bool)
	switch x := v.(type) {
	case string:
		return x, nil
	case callable:
		return "", nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &Error{Code: "D3001", Position: -1, Value: x, Message: messages["D3001"]}
		}
	}
	return stringify(v, pretty)
}

func fnLength(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return float64(utf8.RuneCountInString(s)), nil
}

// jsSliceIndex converts a JavaScript slice index to [0, n].
func jsSliceIndex(f float64, n int) int {
	if math.IsNaN(f) {
		return 0
	}
	f = math.Trunc(f)
	if f < 0 {
		f += float64(n)
		if f < 0 {
			return 0
		}
	}
	if f > float64(n) {
		return n
	}
	return int(f)
}

func fnSubstring(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	start, _ := arg(args, 1).(float64)
	runes := []rune(s)
	n := len(runes)
	if float64(n)+start < 0 {
		start = 0
	}
	if l, ok := arg(args, 2).(float64); ok {
		if l <= 0 {
			return "", nil
		}
		var end float64
		if start >= 0 {
			end = start + l
		} else {
			end = float64(n) + start + l
		}
		a, b := jsSliceIndex(start, n), jsSliceIndex(end, n)
		if a >= b {
			return "", nil
		}
		return string(runes[a:b]), nil
	}
	return string(runes[jsSliceIndex(start, n):]), nil
}

func fnSubstringBefore(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	chars, ok := arg(args, 1).(string)
	if !ok {
		return s, nil
	}
	if i := strings.Index(s, chars); i >= 0 {
		return s[:i], nil
	}
	return s, nil
}

func fnSubstringAfter(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	chars, ok := arg(args, 1).(string)
	if !ok {
		return s, nil
	}
	if i := strings.Index(s, chars); i >= 0 {
		return s[i+len(chars):], nil
	}
	return s, nil
}

func fnLowercase(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return strings.ToLower(s), nil
}

func fnUppercase(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return strings.ToUpper(s), nil
}

func fnTrim(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String(), nil
}

func fnPad(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	width, _ := arg(args, 1).(float64)
	ch, _ := arg(args, 2).(string)
	if ch == "" {
		ch = " "
	}
	w := math.Abs(math.Trunc(width))
	if w*float64(len(ch)) > maxStringLen {
		return nil, tooLarge(c.pos)
	}
	padLen := int(w) - utf8.RuneCountInString(s)
	if padLen <= 0 {
		return s, nil
	}
	padding := []rune(strings.Repeat(ch, padLen))[:padLen]
	if width > 0 {
		return s + string(padding), nil
	}
	return string(padding) + s, nil
}

func fnContains(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	switch p := arg(args, 1).(type) {
	case string:
		return strings.Contains(s, p), nil
	case callable:
		ms, err := c.matches(p, s, -1)
		if err != nil {
			return nil, err
		}
		return len(ms) > 0, nil
	}
	return undef, nil
}

// matchRec is one match found by a regex or a custom matcher function.
type matchRec struct {
	match  string
	index  int // rune offset
	groups []any
}

// matches runs a matcher (regex or function) over s.
func (c *callCtx) matches(p callable, s string, limit int) ([]matchRec, error) {
	if r, ok := p.(*regexFn); ok {
		ms, err := allMatches(r.re, s, limit)
		if err != nil {
			if e, ok := err.(*Error); ok {
				return nil, e
			}
			return nil, &Error{Code: "D1004", Position: c.pos, Message: err.Error()}
		}
		out := make([]matchRec, len(ms))
		for i, m := range ms {
			rec := matchRec{match: m.String(), index: m.Index}
			for _, g := range m.Groups()[1:] {
				if len(g.Captures) == 0 {
					rec.groups = append(rec.groups, undef)
				} else {
					rec.groups = append(rec.groups, g.String())
				}
			}
			out[i] = rec
		}
		return out, nil
	}
	var out []matchRec
	res, err := c.ev.apply(p, []any{s}, c.input, c.env, c.pos, c.name)
	if err != nil {
		return nil, err
	}
	for res != undef && (limit < 0 || len(out) < limit) {
		m, ok1 := objGet(res, "match")
		st, ok2 := objGet(res, "start")
		ms, ok3 := m.(string)
		sf, ok4 := st.(float64)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, &Error{Code: "T1010", Position: c.pos, Token: c.name, Message: formatMessage("T1010", c.name, nil, nil)}
		}
		rec := matchRec{match: ms, index: int(sf)}
		if g, ok := objGet(res, "groups"); ok {
			rec.groups, _ = asArray(g)
		}
		out = append(out, rec)
		nx, _ := objGet(res, "next")
		nf, ok := nx.(callable)
		if !ok {
			break
		}
		if res, err = c.ev.apply(nf, nil, c.input, c.env, c.pos, c.name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func fnSplit(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	limit := -1
	if l, ok := arg(args, 2).(float64); ok {
		if l < 0 {
			return nil, &Error{Code: "D3020", Position: -1, Value: l, Message: messages["D3020"]}
		}
		limit = int(l)
	}
	res := &seqv{}
	switch p := arg(args, 1).(type) {
	case string:
		var parts []string
		if p == "" {
			for _, r := range s {
				parts = append(parts, string(r))
			}
		} else {
			parts = strings.Split(s, p)
		}
		for _, x := range parts {
			if limit >= 0 && len(res.a) >= limit {
				break
			}
			res.a = append(res.a, x)
		}
	case callable:
		ms, err := c.matches(p, s, -1)
		if err != nil {
			return nil, err
		}
		runes := []rune(s)
		start := 0
		for _, m := range ms {
			if limit >= 0 && len(res.a) >= limit {
				break
			}
			end := m.index
			if end > len(runes) {
				end = len(runes)
			}
			if end < start {
				end = start
			}
			res.a = append(res.a, string(runes[start:end]))
			start = m.index + utf8.RuneCountInString(m.match)
		}
		if limit < 0 || len(res.a) < limit {
			if start > len(runes) {
				start = len(runes)
			}
			res.a = append(res.a, string(runes[start:]))
		}
	}
	return res, nil
}

func fnJoin(c callCtx, args []any) (any, error) {
	a, ok := asArray(arg(args, 0))
	if !ok {
		return undef, nil
	}
	sep, _ := arg(args, 1).(string)
	parts := make([]string, len(a))
	total := 0
	for i, x := range a {
		parts[i], _ = x.(string)
		total += len(parts[i]) + len(sep)
	}
	if total > maxStringLen {
		return nil, tooLarge(c.pos)
	}
	return strings.Join(parts, sep), nil
}

func fnMatch(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	limit := -1
	if l, ok := arg(args, 2).(float64); ok {
		if l < 0 {
			return nil, &Error{Code: "D3040", Position: -1, Value: l, Message: messages["D3040"]}
		}
		limit = int(l)
	}
	p, ok := arg(args, 1).(callable)
	if !ok {
		return undef, nil
	}
	ms, err := c.matches(p, s, limit)
	if err != nil {
		return nil, err
	}
	res := &seqv{sequence: true}
	for _, m := range ms {
		o := NewObject(3)
		o.Set("match", m.match)
		o.Set("index", float64(m.index))
		g := &seqv{a: append([]any{}, m.groups...)}
		o.Set("groups", g)
		res.a = append(res.a, o)
	}
	return res, nil
}

func fnReplace(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	pattern := arg(args, 1)
	if ps, ok := pattern.(string); ok && ps == "" {
		return nil, &Error{Code: "D3010", Position: -1, Value: ps, Message: messages["D3010"]}
	}
	limit := -1
	if l, ok := arg(args, 3).(float64); ok {
		if l < 0 {
			return nil, &Error{Code: "D3011", Position: -1, Value: l, Message: messages["D3011"]}
		}
		limit = int(l)
	}
	repl := arg(args, 2)
	switch p := pattern.(type) {
	case string:
		rs, ok := repl.(string)
		if !ok {
			return nil, sigError("T0410", c.name, repl, 3)
		}
		if limit < 0 {
			return strings.ReplaceAll(s, p, rs), nil
		}
		return strings.Replace(s, p, rs, limit), nil
	case callable:
		ms, err := c.matches(p, s, limit)
		if err != nil {
			return nil, err
		}
		runes := []rune(s)
		var b strings.Builder
		pos := 0
		for _, m := range ms {
			if m.index > pos {
				b.WriteString(string(runes[pos:m.index]))
			}
			switch r := repl.(type) {
			case string:
				b.WriteString(expandReplacement(r, m))
			case callable:
				mo := NewObject(3)
				mo.Set("match", m.match)
				mo.Set("index", float64(m.index))
				mo.Set("groups", &seqv{a: append([]any{}, m.groups...)})
				out, err := c.ev.apply(r, []any{mo}, c.input, c.env, c.pos, c.name)
				if err != nil {
					return nil, err
				}
				os, ok := out.(string)
				if !ok {
					return nil, &Error{Code: "D3012", Position: -1, Value: out, Message: messages["D3012"]}
				}
				b.WriteString(os)
			}
			pos = m.index + utf8.RuneCountInString(m.match)
		}
		if pos < len(runes) {
			b.WriteString(string(runes[pos:]))
		}
		return b.String(), nil
	}
	return undef, nil
}

// expandReplacement substitutes $n and $$ in a replacement string.
func expandReplacement(r string, m matchRec) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		ch := r[i]
		if ch != '$' || i+1 >= len(r) {
			b.WriteByte(ch)
			continue
		}
		nx := r[i+1]
		if nx == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		if nx < '0' || nx > '9' {
			b.WriteByte(ch)
			continue
		}
		// take the longest group number that exists
		j := i + 1
		for j < len(r) && r[j] >= '0' && r[j] <= '9' {
			j++
		}
		digits := r[i+1 : j]
		taken := false
		for k := len(digits); k >= 1; k-- {
			n, _ := strconv.Atoi(digits[:k])
			if n == 0 {
				if k == 1 {
					b.WriteString(m.match)
					i += k
					taken = true
				}
				continue
			}
			if n <= len(m.groups) {
				if g, ok := m.groups[n-1].(string); ok {
					b.WriteString(g)
				}
				i += k
				taken = true
				break
			}
		}
		if !taken {
			// no such group: the reference drops the reference
			i += len(digits)
			if len(digits) > 1 {
				b.WriteString(digits[1:])
			}
		}
	}
	return b.String()
}

func fnBase64Encode(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
		if err != nil {
			return nil, &Error{Code: "D3137", Position: -1, Message: "invalid base64 input"}
		}
	}
	return string(b), nil
}

const uriUnreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
const uriReserved = ";/?:@&=+$,#"

func encodeURI(c callCtx, s string, keep string) (any, error) {
	if !utf8.ValidString(s) {
		return nil, &Error{Code: "D3140", Position: -1, Value: s, Message: "Malformed URL passed to $" + c.name + "(): " + strconv.Quote(s)}
	}
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < 0x80 && (strings.IndexByte(uriUnreserved, ch) >= 0 || strings.IndexByte(keep, ch) >= 0) {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[ch>>4])
		b.WriteByte(hexd[ch&0xF])
	}
	return b.String(), nil
}

func fnEncodeURLComponent(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return encodeURI(c, s, "")
}

func fnEncodeURL(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return encodeURI(c, s, uriReserved)
}

func decodeURI(c callCtx, s string, keep string) (any, error) {
	bad := func() error {
		return &Error{Code: "D3140", Position: -1, Value: s, Message: "Malformed URL passed to $" + c.name + "(): " + strconv.Quote(s)}
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return nil, bad()
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return nil, bad()
		}
		if v < 0x80 && strings.IndexByte(keep, byte(v)) >= 0 {
			out = append(out, s[i:i+3]...)
		} else {
			out = append(out, byte(v))
		}
		i += 2
	}
	if !utf8.Valid(out) {
		return nil, bad()
	}
	return string(out), nil
}

func fnDecodeURLComponent(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return decodeURI(c, s, "")
}

func fnDecodeURL(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	return decodeURI(c, s, uriReserved)
}
