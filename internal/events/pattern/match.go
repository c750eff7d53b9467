package pattern

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

// matchLeaf reports whether any alternative of f accepts l, whose text is v.
func (f *field) matchLeaf(l *leaf, v string) bool {
	for i := range f.conds {
		if f.conds[i].matchLeaf(l, v) {
			return true
		}
	}
	return false
}

// span is a run of candidate leaves for one field in a candidate buffer.
type candSpan struct{ from, to int32 }

// match reports whether every field of b is satisfied by the event, with
// all fields drawn from the same element of any array of objects they share.
func (b *branch) match(ev *Event) bool {
	var bufArr [32]int32
	var spanArr [8]candSpan
	buf := bufArr[:0]
	spans := spanArr[:0] // fields whose matching values all sit in arrays of objects
	for i := range b.fields {
		f := &b.fields[i]
		found, free := false, false
		from := int32(len(buf))
		for li := ev.first(f.hash); li >= 0; li = ev.leaves[li].next {
			l := &ev.leaves[li]
			if l.hash != f.hash || ev.pathOf(l) != f.path {
				continue
			}
			found = true
			if !f.matchLeaf(l, ev.text(l)) {
				continue
			}
			if !l.objArray {
				free = true // compatible with any other value
				break
			}
			buf = append(buf, li)
		}
		switch {
		case !found:
			if !f.absentOK {
				return false
			}
			buf = buf[:from]
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

// consistent reports whether one candidate can be picked per span so that
// all picked values are pairwise compatible.
func (ev *Event) consistent(buf []int32, spans []candSpan) bool {
	if len(spans) < 2 {
		return true
	}
	// Fewest candidates first prunes soonest.
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].to-spans[j].from < spans[j-1].to-spans[j-1].from; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	var pickedArr [8]int32
	picked := pickedArr[:]
	if len(spans) > len(picked) {
		picked = make([]int32, len(spans))
	}
	steps := 0
	return ev.pick(buf, spans, picked[:len(spans)], 0, &steps)
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
// patterns within EventBridge's size limits stay far below it; past it the
// search gives up and accepts, so a hostile event cannot stall matching.
const maxConsistencySteps = 100_000

// pick searches for one candidate per field from k on, pairwise compatible
// with those picked before k.
func (ev *Event) pick(buf []int32, spans []candSpan, picked []int32, k int, steps *int) bool {
	if k == len(spans) {
		return true
	}
	sp := spans[k]
	for _, li := range buf[sp.from:sp.to] {
		*steps++
		if *steps > maxConsistencySteps {
			return true
		}
		ok := true
		for _, pj := range picked[:k] {
			if !ev.compatible(li, pj) {
				ok = false
				break
			}
		}
		if ok {
			picked[k] = li
			if ev.pick(buf, spans, picked, k+1, steps) {
				return true
			}
		}
	}
	return false
}
