package pattern

import (
	"cmp"
	"net/netip"
	"sort"
)

// ref names a branch in a Set's index: the branch is a candidate when an
// indexed alternative of its anchor field accepts an event value. In the
// structures that find excluded anything-but alternatives, br is instead
// the alternative's number in its fieldIndex.
type ref struct {
	br int32
}

// trie maps string prefixes (or, walked backwards, suffixes) to refs.
type trie struct {
	keys []byte
	kids []*trie
	refs []ref
}

func (t *trie) child(c byte, create bool) *trie {
	for i, k := range t.keys {
		if k == c {
			return t.kids[i]
		}
	}
	if !create {
		return nil
	}
	n := &trie{}
	t.keys = append(t.keys, c)
	t.kids = append(t.kids, n)
	return n
}

// insert adds r under s, read forwards or backwards.
func (t *trie) insert(s string, backwards bool, r ref) {
	n := t
	for i := range len(s) {
		c := s[i]
		if backwards {
			c = s[len(s)-1-i]
		}
		n = n.child(c, true)
	}
	n.refs = append(n.refs, r)
}

// empty reports whether the trie holds no key.
func (t *trie) empty() bool { return len(t.keys) == 0 && len(t.refs) == 0 }

// walk hands the refs of every key that is a prefix of s (a suffix when
// backwards), the empty key included, to m: as candidates, or as excluded
// anything-but alternatives when exclude is set.
func walk[S string | []byte](t *trie, s S, backwards bool, m *matcher, exclude bool) {
	if t.empty() {
		return
	}
	n := t
	for i := 0; ; i++ {
		if len(n.refs) > 0 {
			if exclude {
				m.exclude(n.refs)
			} else {
				m.hit(n.refs)
			}
		}
		if i == len(s) {
			return
		}
		c := s[i]
		if backwards {
			c = s[len(s)-1-i]
		}
		if n = n.child(c, false); n == nil {
			return
		}
	}
}

// span is an interval of K with its ref, used to build regions.
type span[K any] struct {
	lo, hi         K
	loOpen, hiOpen bool
	r              ref
}

// regions answers "which intervals contain v" with one binary search. The
// interval ends cut the line into points and the open gaps between them;
// each piece lists the refs of the intervals covering it.
type regions[K any] struct {
	pts  []K     // sorted distinct ends
	sets [][]ref // 2i: gap before pts[i]; 2i+1: the point pts[i]; 2n: after the last
	cmp  func(a, b K) int
}

func newRegions[K any](spans []span[K], compare func(a, b K) int) regions[K] {
	r := regions[K]{cmp: compare}
	if len(spans) == 0 {
		return r
	}
	for _, s := range spans {
		r.pts = append(r.pts, s.lo, s.hi)
	}
	sort.Slice(r.pts, func(i, j int) bool { return compare(r.pts[i], r.pts[j]) < 0 })
	uniq := r.pts[:1]
	for _, p := range r.pts[1:] {
		if compare(p, uniq[len(uniq)-1]) != 0 {
			uniq = append(uniq, p)
		}
	}
	r.pts = uniq
	r.sets = make([][]ref, 2*len(r.pts)+1)
	for _, s := range spans {
		i := r.index(s.lo) // s.lo is one of the points
		j := r.index(s.hi)
		if s.loOpen {
			i++ // start in the gap after lo
		}
		if s.hiOpen {
			j-- // end in the gap before hi
		}
		for k := i; k <= j; k++ {
			r.sets[k] = append(r.sets[k], s.r)
		}
	}
	return r
}

// index returns the piece holding v.
func (r *regions[K]) index(v K) int {
	lo, hi := 0, len(r.pts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.cmp(r.pts[m], v) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(r.pts) && r.cmp(r.pts[lo], v) == 0 {
		return 2*lo + 1
	}
	return 2 * lo
}

func (r *regions[K]) lookup(v K) []ref {
	if len(r.pts) == 0 {
		return nil
	}
	return r.sets[r.index(v)]
}

// butCond is one anything-but alternative in a field index.
type butCond struct {
	r ref
}

// fieldIndex holds every alternative of every rule for one event path.
type fieldIndex struct {
	path string
	id   int32 // dense number of the path in its index
	used bool  // some branch is anchored here

	exact  map[string][]ref     // strings, as written
	ips    map[netip.Addr][]ref // strings that are IP addresses
	lits   map[string][]ref     // numbers, true, false, null, as written
	nums   map[int64][]ref      // numbers by value
	ranges regions[int64]
	cidrs  regions[netip.Addr]
	eqFold map[string][]ref // folded strings
	prefix trie
	suffix trie
	pfold  trie // folded prefixes
	sfold  trie // folded suffixes
	wild   []wildRef
	exists []ref

	// Anything-but alternatives match unless the value is excluded. The maps
	// and tries below find the excluded ones (refs hold butCond ids in br).
	buts     []butCond
	butStr   map[string][]ref
	butNum   map[int64][]ref
	butFold  map[string][]ref
	butPre   trie
	butSuf   trie
	butWild  []wildRef
	needFold bool // some alternative compares folded strings
	needIP   bool // some alternative compares IP addresses

	rangeSpans []span[int64]      // build only
	cidrSpans  []span[netip.Addr] // build only
}

type wildRef struct {
	w *wildcard
	r ref
}

func addTo[K comparable](m *map[K][]ref, k K, r ref) {
	if *m == nil {
		*m = make(map[K][]ref)
	}
	(*m)[k] = append((*m)[k], r)
}

// add indexes one alternative of a field.
func (fx *fieldIndex) add(c *cond, r ref) {
	switch c.kind {
	case cExact:
		addTo(&fx.exact, c.s, r)
	case cIP:
		addTo(&fx.exact, c.s, r)
		addTo(&fx.ips, c.addr, r)
		fx.needIP = true
	case cLit:
		addTo(&fx.lits, c.s, r)
		if c.numOK {
			addTo(&fx.nums, c.micros, r)
		}
	case cNumEq:
		addTo(&fx.nums, c.micros, r)
	case cRange:
		fx.rangeSpans = append(fx.rangeSpans, span[int64]{lo: c.lo, hi: c.hi, loOpen: c.loOpen, hiOpen: c.hiOpen, r: r})
	case cCIDR:
		fx.cidrSpans = append(fx.cidrSpans, span[netip.Addr]{lo: c.addr, hi: c.addrHi, r: r})
		fx.needIP = true
	case cPrefix:
		fx.prefix.insert(c.s, false, r)
	case cSuffix:
		fx.suffix.insert(c.s, true, r)
	case cPrefixFold:
		fx.pfold.insert(c.s, false, r)
		fx.needFold = true
	case cSuffixFold:
		fx.sfold.insert(c.s, true, r)
		fx.needFold = true
	case cEqFold:
		addTo(&fx.eqFold, c.s, r)
		fx.needFold = true
	case cWildcard:
		fx.wild = append(fx.wild, wildRef{c.wc, r})
	case cExists:
		fx.exists = append(fx.exists, r)
	default:
		id := ref{br: int32(len(fx.buts))}
		fx.buts = append(fx.buts, butCond{r: r})
		switch c.kind {
		case cButStr:
			for _, s := range c.strs {
				addTo(&fx.butStr, s, id)
			}
		case cButNum:
			for _, n := range c.nums {
				addTo(&fx.butNum, n, id)
			}
		case cButFold:
			for _, s := range c.strs {
				addTo(&fx.butFold, s, id)
			}
			fx.needFold = true
		case cButPrefix:
			fx.butPre.insert(c.s, false, id)
		case cButSuffix:
			fx.butSuf.insert(c.s, true, id)
		case cButWildcard:
			for _, w := range c.wcs {
				fx.butWild = append(fx.butWild, wildRef{w, id})
			}
		}
	}
}

// finish builds the range structures once all alternatives are in.
func (fx *fieldIndex) finish() {
	fx.ranges = newRegions(fx.rangeSpans, cmp.Compare[int64])
	fx.cidrs = newRegions(fx.cidrSpans, func(a, b netip.Addr) int { return a.Compare(b) })
	fx.rangeSpans, fx.cidrSpans = nil, nil
}
