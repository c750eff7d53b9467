package pattern

import "sort"

// Match reports whether the JSON event matches the pattern. An event that is
// not valid JSON, or not an object, matches nothing.
func (p *Pattern) Match(event []byte) bool {
	ev, err := ParseEvent(event)
	if err != nil {
		return false
	}
	return p.MatchEvent(ev)
}

// MatchEvent reports whether a parsed event matches the pattern.
func (p *Pattern) MatchEvent(ev *Event) bool {
	for i := range p.branches {
		if p.branches[i].match(ev) {
			return true
		}
	}
	return false
}

// leafRange returns the leaves of ev whose path is path.
func (ev *Event) leavesAt(path string, hash uint64, dst []int32) []int32 {
	for i := range ev.leaves {
		l := &ev.leaves[i]
		if l.hash == hash && l.path == path {
			dst = append(dst, int32(i))
		}
	}
	return dst
}

// match reports whether every field of b is satisfied by the event, with
// all fields drawn from the same element of any array they share.
func (b *branch) match(ev *Event) bool {
	var buf [8][]int32
	var cands [][]int32 // per field in b.fields: matching leaves; nil = satisfied by absence
	if len(b.fields) <= len(buf) {
		cands = buf[:len(b.fields)]
	} else {
		cands = make([][]int32, len(b.fields))
	}
	var scratch [16]int32
	inArrays := 0 // fields whose candidates all sit in arrays of objects
	for i := range b.fields {
		f := &b.fields[i]
		at := ev.leavesAt(f.path, f.hash, scratch[:0])
		if len(at) == 0 {
			if f.absentOK {
				cands[i] = nil
				continue
			}
			return false
		}
		var c []int32
		free := false
		for _, li := range at {
			l := &ev.leaves[li]
			if f.matchLeaf(l) {
				if l.t0 == l.t1 {
					free = true // outside any array: compatible with everything
					break
				}
				c = append(c, li)
			}
		}
		if free {
			cands[i] = nil
			continue
		}
		if len(c) == 0 {
			return false
		}
		cands[i] = c
		inArrays++
	}
	if inArrays < 2 || !ev.objArrays {
		return true
	}
	return ev.consistent(cands)
}

// matchLeaf reports whether any alternative of f accepts l.
func (f *field) matchLeaf(l *leaf) bool {
	for i := range f.conds {
		if f.conds[i].matchLeaf(l) {
			return true
		}
	}
	return false
}

// compatible reports whether two values can come from one event element:
// wherever they share an array, they sit in the same element of it.
func (ev *Event) compatible(a, b int32) bool {
	ta := ev.trail[ev.leaves[a].t0:ev.leaves[a].t1]
	tb := ev.trail[ev.leaves[b].t0:ev.leaves[b].t1]
	for i := 0; i < len(ta) && i < len(tb); i++ {
		if ta[i].id != tb[i].id {
			return true
		}
		if ta[i].idx != tb[i].idx {
			return false
		}
	}
	return true
}

// maxConsistencySteps bounds the search for compatible values. Events and
// patterns small enough for EventBridge stay far below it; past it the
// search gives up and accepts, so a hostile event cannot stall matching.
const maxConsistencySteps = 100_000

// consistent reports whether one value can be picked for each field with
// candidates so that all picked values are pairwise compatible.
func (ev *Event) consistent(cands [][]int32) bool {
	var order []int
	for i, c := range cands {
		if c != nil {
			order = append(order, i)
		}
	}
	// Fewest candidates first prunes soonest.
	sort.Slice(order, func(i, j int) bool { return len(cands[order[i]]) < len(cands[order[j]]) })
	picked := make([]int32, 0, len(order))
	steps := 0
	var try func(k int) bool
	try = func(k int) bool {
		if k == len(order) {
			return true
		}
		for _, li := range cands[order[k]] {
			steps++
			if steps > maxConsistencySteps {
				return true
			}
			ok := true
			for _, pj := range picked {
				if !ev.compatible(li, pj) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			picked = append(picked, li)
			if try(k + 1) {
				return true
			}
			picked = picked[:len(picked)-1]
		}
		return false
	}
	return try(0)
}
