package pattern

import (
	"net/netip"
	"strings"
)

// condKind says how a cond tests one event value.
type condKind uint8

const (
	cExact       condKind = iota + 1 // string equal to s
	cIP                              // string equal to s, or the same IP address as addr
	cLit                             // number, true, false or null written as s; numbers also by value
	cNumEq                           // number equal to micros
	cRange                           // number within lo..hi
	cPrefix                          // string starting with s
	cSuffix                          // string ending with s
	cPrefixFold                      // string starting with s, ignoring case (s is folded)
	cSuffixFold                      // string ending with s, ignoring case (s is folded)
	cEqFold                          // string equal to s ignoring case (s is folded)
	cWildcard                        // string matching wc
	cCIDR                            // IP address string within addr..addrHi
	cExists                          // any value
	cButStr                          // anything but the strings in strs
	cButNum                          // anything but the numbers in nums
	cButPrefix                       // anything but strings starting with s
	cButSuffix                       // anything but strings ending with s
	cButFold                         // anything but strs, ignoring case (strs are folded)
	cButWildcard                     // anything but strings matching one of wcs
)

// cond is one alternative of a field: a single pattern value or operator.
type cond struct {
	kind   condKind
	s      string
	micros int64 // cLit (when numOK), cNumEq
	numOK  bool  // cLit: the literal is a number within the comparable range
	lo, hi int64 // cRange bounds in millionths
	loOpen bool  // cRange: lo itself excluded
	hiOpen bool  // cRange: hi itself excluded
	addr   netip.Addr
	addrHi netip.Addr
	strs   []string
	nums   []int64
	wc     *wildcard
	wcs    []*wildcard
}

// isBut reports whether c is an anything-but cond.
func (c *cond) isBut() bool { return c.kind >= cButStr }

// matchLeaf reports whether the event value l, whose text is v, satisfies c.
func (c *cond) matchLeaf(l *leaf, v string) bool {
	switch c.kind {
	case cExact:
		return l.kind == kString && v == c.s
	case cIP:
		if l.kind != kString {
			return false
		}
		if v == c.s {
			return true
		}
		a, ok := parseIP(v)
		return ok && a == c.addr
	case cLit:
		if l.kind == kString {
			return false
		}
		return v == c.s || (c.numOK && l.numOK && l.micros == c.micros)
	case cNumEq:
		return l.numOK && l.micros == c.micros
	case cRange:
		return l.numOK && c.inRange(l.micros)
	case cPrefix:
		return l.kind == kString && strings.HasPrefix(v, c.s)
	case cSuffix:
		return l.kind == kString && strings.HasSuffix(v, c.s)
	case cPrefixFold:
		return l.kind == kString && strings.HasPrefix(fold(v), c.s)
	case cSuffixFold:
		return l.kind == kString && strings.HasSuffix(fold(v), c.s)
	case cEqFold:
		return l.kind == kString && fold(v) == c.s
	case cWildcard:
		return l.kind == kString && c.wc.match(v)
	case cCIDR:
		if l.kind != kString {
			return false
		}
		a, ok := parseIP(v)
		return ok && c.inCIDR(a)
	case cExists:
		return true
	case cButStr:
		if l.kind != kString {
			return true
		}
		for _, s := range c.strs {
			if v == s {
				return false
			}
		}
		return true
	case cButNum:
		if !l.numOK {
			return true
		}
		for _, n := range c.nums {
			if l.micros == n {
				return false
			}
		}
		return true
	case cButPrefix:
		return l.kind != kString || !strings.HasPrefix(v, c.s)
	case cButSuffix:
		return l.kind != kString || !strings.HasSuffix(v, c.s)
	case cButFold:
		if l.kind != kString {
			return true
		}
		f := fold(v)
		for _, s := range c.strs {
			if f == s {
				return false
			}
		}
		return true
	case cButWildcard:
		if l.kind != kString {
			return true
		}
		for _, w := range c.wcs {
			if w.match(v) {
				return false
			}
		}
		return true
	}
	return false
}

func (c *cond) inRange(v int64) bool {
	if v < c.lo || (v == c.lo && c.loOpen) {
		return false
	}
	return v < c.hi || (v == c.hi && !c.hiOpen)
}

func (c *cond) inCIDR(a netip.Addr) bool {
	return a.BitLen() == c.addr.BitLen() && a.Compare(c.addr) >= 0 && a.Compare(c.addrHi) <= 0
}

// field is one event path of a branch with its alternatives (OR).
type field struct {
	path     string
	hash     uint64
	conds    []cond
	absentOK bool // an {"exists": false} alternative: the path may be missing
}

// branch is one conjunction of fields. A pattern without $or has one.
type branch struct {
	fields []field // sorted by path
}
