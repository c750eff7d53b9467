package pattern

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Set holds named patterns, the rules of an event bus, and finds every rule
// an event matches. Each rule is indexed under its most selective field, so
// matching costs about the same for ten rules as for ten thousand: it
// follows the event's fields and the few rules whose indexed field they
// satisfy, which are then checked in full.
//
// A Set is safe for concurrent use. Add and Remove are serialized; matching
// runs without locks on a snapshot of the index, rebuilt in full on the
// first match after a change. The zero value is an empty Set.
type Set struct {
	mu    sync.Mutex          // guards rules and index rebuilds
	rules map[string]*Pattern // by rule name
	idx   atomic.Pointer[index]
}

// Add stores p under name, replacing any pattern already there.
func (s *Set) Add(name string, p *Pattern) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rules == nil {
		s.rules = make(map[string]*Pattern)
	}
	s.rules[name] = p
	s.idx.Store(nil)
}

// Remove deletes the pattern stored under name, if any.
func (s *Set) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rules[name]; ok {
		delete(s.rules, name)
		s.idx.Store(nil)
	}
}

// Len reports how many patterns the Set holds.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rules)
}

// Match parses the JSON event and returns the names of the matching rules
// in ascending order.
func (s *Set) Match(event []byte) ([]string, error) {
	ev, err := ParseEvent(event)
	if err != nil {
		return nil, err
	}
	return s.MatchEvent(ev, nil), nil
}

// MatchEvent appends the names of the rules ev matches to dst, in ascending
// order, and returns the extended slice.
func (s *Set) MatchEvent(ev *Event, dst []string) []string {
	ix := s.index()
	sc := ix.pool.Get().(*scratch)
	m := matcher{ix: ix, ev: ev, sc: sc}
	m.run()
	slices.Sort(sc.matched)
	for _, r := range sc.matched {
		dst = append(dst, ix.names[r])
	}
	ix.pool.Put(sc)
	return dst
}

// index returns the current index, building it after a change.
func (s *Set) index() *index {
	if ix := s.idx.Load(); ix != nil {
		return ix
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix := s.idx.Load(); ix != nil {
		return ix
	}
	ix := buildIndex(s.rules)
	s.idx.Store(ix)
	return ix
}

// index is an immutable snapshot of a Set's rules.
type index struct {
	names    []string  // rule id → name, ascending
	branches []ibranch // branch id → branch
	always   []int32   // branches with no required field: checked on every event
	slots    []slot    // open-addressed table of field indexes by path hash
	mask     uint64
	maxButs  int
	pool     sync.Pool // *scratch
}

type slot struct {
	hash uint64
	fx   *fieldIndex
}

// ibranch is one branch of one rule.
type ibranch struct {
	rule   int32
	b      *branch
	ids    []int32 // path id of each field of b
	anchor int     // the field the branch is indexed under, -1 for none
	quick  bool    // a single field that cannot be absent: its anchor hit is a match
}

// altKey identifies an alternative by path and value, to count how many
// branches share it.
type altKey struct {
	path string
	kind condKind
	s    string
	n    int64
}

func keyOf(path string, c *cond) (altKey, bool) {
	switch c.kind {
	case cExact, cIP, cLit, cEqFold, cPrefix, cSuffix, cPrefixFold, cSuffixFold:
		return altKey{path: path, kind: c.kind, s: c.s}, true
	case cNumEq:
		return altKey{path: path, kind: c.kind, n: c.micros}, true
	}
	return altKey{}, false
}

// cost estimates how often an alternative is met by events: how many
// branches share it, or a fixed guess for operators that accept many values.
func cost(path string, c *cond, shared map[altKey]int) int {
	k, ok := keyOf(path, c)
	switch {
	case ok && (c.kind == cPrefix || c.kind == cSuffix || c.kind == cPrefixFold || c.kind == cSuffixFold):
		if len(c.s) < 3 {
			return 100 + shared[k]
		}
		return 4 + shared[k]
	case ok:
		return shared[k]
	case c.kind == cNumEq, c.kind == cWildcard, c.kind == cRange, c.kind == cCIDR:
		return 40
	case c.kind == cExists:
		return 500
	}
	return 1000 // anything-but
}

// buildIndex indexes each branch under one anchor: the field with the
// alternatives fewest events should meet. An event value that satisfies an
// anchor makes its branch a candidate, checked in full against the event;
// so the work per event follows the candidates, not the number of rules.
func buildIndex(rules map[string]*Pattern) *index {
	ix := &index{}
	for name := range rules {
		ix.names = append(ix.names, name)
	}
	sort.Strings(ix.names)
	shared := map[altKey]int{}
	for _, p := range rules {
		for bi := range p.branches {
			for fi := range p.branches[bi].fields {
				f := &p.branches[bi].fields[fi]
				for ci := range f.conds {
					if k, ok := keyOf(f.path, &f.conds[ci]); ok {
						shared[k]++
					}
				}
			}
		}
	}
	byPath := map[string]*fieldIndex{}
	pathIndex := func(path string) *fieldIndex {
		fx := byPath[path]
		if fx == nil {
			fx = &fieldIndex{path: path, id: int32(len(byPath))}
			byPath[path] = fx
		}
		return fx
	}
	for rid, name := range ix.names {
		p := rules[name]
		for bi := range p.branches {
			b := &p.branches[bi]
			bid := int32(len(ix.branches))
			ids := make([]int32, len(b.fields))
			for fi := range b.fields {
				ids[fi] = pathIndex(b.fields[fi].path).id
			}
			ix.branches = append(ix.branches, ibranch{
				rule:  int32(rid),
				b:     b,
				ids:   ids,
				quick: len(b.fields) == 1 && !b.fields[0].absentOK,
			})
			anchor, best := -1, 0
			for fi := range b.fields {
				f := &b.fields[fi]
				if f.absentOK {
					continue // met by absence, which no value reports
				}
				c := 0
				for ci := range f.conds {
					c += cost(f.path, &f.conds[ci], shared)
				}
				if anchor < 0 || c < best {
					anchor, best = fi, c
				}
			}
			ix.branches[bid].anchor = anchor
			if anchor < 0 {
				ix.always = append(ix.always, bid)
				continue
			}
			f := &b.fields[anchor]
			fx := byPath[f.path]
			fx.used = true
			for ci := range f.conds {
				fx.add(&f.conds[ci], ref{br: bid})
			}
		}
	}
	size := 8
	for size < 2*len(byPath) {
		size *= 2
	}
	ix.slots = make([]slot, size)
	ix.mask = uint64(size - 1)
	for path, fx := range byPath {
		fx.finish()
		ix.maxButs = max(ix.maxButs, len(fx.buts))
		h := hashString(path)
		i := h & ix.mask
		for ix.slots[i].fx != nil {
			i = (i + 1) & ix.mask
		}
		ix.slots[i] = slot{hash: h, fx: fx}
	}
	nb, nr, nbut, np := len(ix.branches), len(ix.names), ix.maxButs, len(byPath)
	ix.pool.New = func() any {
		return &scratch{
			bstamp:  make([]uint32, nb),
			rstamp:  make([]uint32, nr),
			bstamp2: make([]uint32, nbut),
			pstamp:  make([]uint32, np),
			head:    make([]int32, np),
		}
	}
	return ix
}

// lookup finds the field index for a path.
func (ix *index) lookup(h uint64, path string) *fieldIndex {
	for i := h & ix.mask; ; i = (i + 1) & ix.mask {
		s := &ix.slots[i]
		if s.fx == nil {
			return nil
		}
		if s.hash == h && s.fx.path == path {
			return s.fx
		}
	}
}

// scratch is per-match state, pooled. Stamps avoid clearing arrays: an
// entry counts only when its stamp equals the current generation.
type scratch struct {
	gen     uint32
	bstamp  []uint32 // per branch: checked in this generation
	rstamp  []uint32 // per rule: matched in this generation
	matched []int32
	leafGen uint32
	bstamp2 []uint32 // per anything-but alternative: excluded by this value
	fold    []byte
	// The event's values by path id: head[id] starts a chain through chain,
	// valid when pstamp[id] is the current generation.
	pstamp []uint32
	head   []int32
	chain  []int32 // per event leaf
	fxs    []*fieldIndex
}

func (sc *scratch) next() {
	sc.gen++
	if sc.gen == 0 {
		clear(sc.bstamp)
		clear(sc.rstamp)
		clear(sc.pstamp)
		sc.gen = 1
	}
	sc.matched = sc.matched[:0]
}

func (sc *scratch) nextLeaf() {
	sc.leafGen++
	if sc.leafGen == 0 {
		clear(sc.bstamp2)
		sc.leafGen = 1
	}
}

// matcher runs one event through an index.
type matcher struct {
	ix   *index
	ev   *Event
	sc   *scratch
	free bool // the current value sits outside arrays of objects
}

func (m *matcher) run() {
	sc, ev := m.sc, m.ev
	sc.next()
	// First find each value's path, so branches can be checked by path id.
	n := len(ev.leaves)
	if cap(sc.chain) < n {
		sc.chain = make([]int32, n)
		sc.fxs = make([]*fieldIndex, n)
	}
	sc.chain, sc.fxs = sc.chain[:n], sc.fxs[:n]
	for i := n - 1; i >= 0; i-- {
		l := &ev.leaves[i]
		fx := m.ix.lookup(l.hash, ev.pathOf(l))
		sc.fxs[i] = fx
		if fx == nil {
			continue
		}
		if sc.pstamp[fx.id] != sc.gen {
			sc.pstamp[fx.id] = sc.gen
			sc.head[fx.id] = -1
		}
		sc.chain[i] = sc.head[fx.id]
		sc.head[fx.id] = int32(i)
	}
	for i := range ev.leaves {
		if fx := sc.fxs[i]; fx != nil && fx.used {
			l := &ev.leaves[i]
			m.free = !l.objArray
			m.leaf(fx, l)
		}
	}
	clear(sc.fxs)
	for _, bid := range m.ix.always {
		ib := &m.ix.branches[bid]
		if sc.rstamp[ib.rule] != sc.gen && m.check(ib, -1) {
			m.accept(ib.rule)
		}
	}
}

// check reports whether the event matches a whole branch. It is
// branch.match with the event's values found by path id. Field skip is
// known to be met by a value outside arrays of objects.
func (m *matcher) check(ib *ibranch, skip int) bool {
	sc, ev := m.sc, m.ev
	var bufArr [32]int32
	var spanArr [8]candSpan
	buf := bufArr[:0]
	spans := spanArr[:0]
	for i := range ib.b.fields {
		if i == skip {
			continue
		}
		f := &ib.b.fields[i]
		id := ib.ids[i]
		first := int32(-1)
		if sc.pstamp[id] == sc.gen {
			first = sc.head[id]
		}
		found, free := first >= 0, false
		from := int32(len(buf))
		for li := first; li >= 0; li = sc.chain[li] {
			l := &ev.leaves[li]
			if !f.matchLeaf(l, ev.text(l)) {
				continue
			}
			if !l.objArray {
				free = true
				break
			}
			buf = append(buf, li)
		}
		switch {
		case !found:
			if !f.absentOK {
				return false
			}
		case free:
			buf = buf[:from]
		case int32(len(buf)) == from:
			return false
		default:
			spans = append(spans, candSpan{from, int32(len(buf))})
		}
	}
	return ev.consistent(buf, spans)
}

func (m *matcher) accept(rule int32) {
	if m.sc.rstamp[rule] != m.sc.gen {
		m.sc.rstamp[rule] = m.sc.gen
		m.sc.matched = append(m.sc.matched, rule)
	}
}

// hit checks the branches whose anchor an event value satisfied.
func (m *matcher) hit(refs []ref) {
	for _, r := range refs {
		m.hitOne(r)
	}
}

func (m *matcher) hitOne(r ref) {
	sc := m.sc
	if sc.bstamp[r.br] == sc.gen {
		return // already checked for this event
	}
	sc.bstamp[r.br] = sc.gen
	ib := &m.ix.branches[r.br]
	if sc.rstamp[ib.rule] == sc.gen {
		return
	}
	skip := -1
	if m.free {
		skip = ib.anchor
	}
	if ib.quick || m.check(ib, skip) {
		m.accept(ib.rule)
	}
}

// leaf runs one event value through the alternatives of its path.
func (m *matcher) leaf(fx *fieldIndex, l *leaf) {
	sc := m.sc
	buts := len(fx.buts) > 0
	if buts {
		sc.nextLeaf()
	}
	switch l.kind {
	case kString:
		s := m.ev.text(l)
		if refs, ok := fx.exact[s]; ok {
			m.hit(refs)
		}
		if fx.needIP {
			if a, ok := parseIP(s); ok {
				if refs, ok := fx.ips[a]; ok {
					m.hit(refs)
				}
				m.hit(fx.cidrs.lookup(a))
			}
		}
		walk(&fx.prefix, s, false, m, false)
		walk(&fx.suffix, s, true, m, false)
		if fx.needFold {
			sc.fold = appendFold(sc.fold[:0], s)
			f := sc.fold
			if refs, ok := fx.eqFold[string(f)]; ok {
				m.hit(refs)
			}
			walk(&fx.pfold, f, false, m, false)
			walk(&fx.sfold, f, true, m, false)
			if buts {
				if ids, ok := fx.butFold[string(f)]; ok {
					m.exclude(ids)
				}
			}
		}
		for i := range fx.wild {
			if fx.wild[i].w.match(s) {
				m.hitOne(fx.wild[i].r)
			}
		}
		if buts {
			if ids, ok := fx.butStr[s]; ok {
				m.exclude(ids)
			}
			walk(&fx.butPre, s, false, m, true)
			walk(&fx.butSuf, s, true, m, true)
			for i := range fx.butWild {
				if fx.butWild[i].w.match(s) {
					sc.bstamp2[fx.butWild[i].r.br] = sc.leafGen
				}
			}
		}
	case kNumber:
		if refs, ok := fx.lits[m.ev.text(l)]; ok {
			m.hit(refs)
		}
		if l.numOK {
			if refs, ok := fx.nums[l.micros]; ok {
				m.hit(refs)
			}
			m.hit(fx.ranges.lookup(l.micros))
			if buts {
				if ids, ok := fx.butNum[l.micros]; ok {
					m.exclude(ids)
				}
			}
		}
	default:
		if refs, ok := fx.lits[m.ev.text(l)]; ok {
			m.hit(refs)
		}
	}
	m.hit(fx.exists)
	if buts {
		for i := range fx.buts {
			if sc.bstamp2[i] != sc.leafGen {
				m.hitOne(fx.buts[i].r)
			}
		}
	}
}

// exclude marks anything-but alternatives the current value falls under.
func (m *matcher) exclude(ids []ref) {
	for _, id := range ids {
		m.sc.bstamp2[id.br] = m.sc.leafGen
	}
}
