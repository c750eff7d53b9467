package pattern

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldRune maps r to one representative of its case-folding orbit (the
// smallest rune in it), so two strings are equal ignoring case exactly when
// their folded forms are equal.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}

// appendFold appends the folded form of s to dst.
func appendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[i]) // keep invalid bytes as they are
		} else {
			dst = utf8.AppendRune(dst, foldRune(r))
		}
		i += size
	}
	return dst
}

// fold returns the folded form of s.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('a' <= c && c <= 'z') {
			return string(appendFold(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// wildcard is a compiled wildcard value: literal segments separated by '*'.
type wildcard struct {
	segs []string // len(segs) = number of '*' + 1
}

// parseWildcard compiles a wildcard value. '*' matches any run of
// characters, "\*" a literal star and "\\" a backslash; any other escape and
// two stars in a row are errors. Positions in messages count the opening
// quote the engine adds around the value.
func parseWildcard(v string) (*wildcard, string) {
	w := &wildcard{}
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '*':
			if i+1 < len(v) && v[i+1] == '*' {
				return nil, "Consecutive wildcard characters at pos " + strconv.Itoa(i+1)
			}
			w.segs = append(w.segs, cur.String())
			cur.Reset()
		case '\\':
			if i+1 < len(v) && (v[i+1] == '*' || v[i+1] == '\\') {
				cur.WriteByte(v[i+1])
				i++
				continue
			}
			return nil, "Invalid escape character at pos " + strconv.Itoa(i+1)
		default:
			cur.WriteByte(c)
		}
	}
	w.segs = append(w.segs, cur.String())
	return w, ""
}

// match reports whether s matches the wildcard. It runs in O(len(s) ×
// segments) time: each segment after the first star is found by its leftmost
// occurrence, which is optimal for patterns without character classes.
func (w *wildcard) match(s string) bool {
	segs := w.segs
	if len(segs) == 1 {
		return s == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		j := strings.Index(s, seg)
		if j < 0 {
			return false
		}
		s = s[j+len(seg):]
	}
	return true
}

// literalPrefix is the text every match starts with.
func (w *wildcard) literalPrefix() string { return w.segs[0] }

// looksLikeIP reports whether s has the shape the engine accepts as an IP
// address before parsing it: four dotted decimal runs, or hex digits and
// colons with at least one colon.
func looksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	if strings.IndexByte(s, ':') >= 0 {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c == ':' || '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	dots, run := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if run == 0 {
				return false
			}
			dots++
			run = 0
		case '0' <= c && c <= '9':
			run++
		default:
			return false
		}
	}
	return dots == 3 && run > 0
}

// parseIP parses an IPv4 or IPv6 literal the way pattern and event values
// are read: only strings shaped like addresses are tried.
func parseIP(s string) (netip.Addr, bool) {
	if !looksLikeIP(s) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a, true
}

// cidrRange turns "addr/bits" into the inclusive range the engine matches:
// from the address as written up to the address with all host bits set.
func cidrRange(v string) (lo, hi netip.Addr, msg string) {
	parts := strings.Split(v, "/")
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1] // the engine's split drops trailing empties
	}
	if len(parts) != 2 {
		return lo, hi, "Malformed CIDR, one '/' required"
	}
	bits, err := strconv.Atoi(parts[1])
	if err != nil {
		return lo, hi, "Malformed CIDR, mask bits must be an integer"
	}
	if bits < 0 {
		return lo, hi, "Malformed CIDR, mask bits must not be negative"
	}
	ip := parts[0]
	if !looksLikeIP(ip) {
		return lo, hi, "Nonstandard IP address: " + ip
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return lo, hi, "Invalid IP address: " + ip
	}
	if a.Is4() && bits > 31 {
		return lo, hi, "IPv4 mask bits must be < 32"
	}
	if a.Is6() && bits > 127 {
		return lo, hi, "IPv6 mask bits must be < 128"
	}
	b := a.AsSlice()
	host := len(b)*8 - bits
	for i := len(b) - 1; i >= 0 && host > 0; i-- {
		if host >= 8 {
			b[i] = 0xff
		} else {
			b[i] |= byte(1<<host - 1)
		}
		host -= 8
	}
	top, _ := netip.AddrFromSlice(b)
	return a, top, ""
}
