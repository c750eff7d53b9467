package filter

import "strings"

// delimExpr is a space-delimited pattern: one slot per field of the message,
// where "..." stands for any number of fields.
type delimExpr struct {
	slots    []slot
	ellipsis bool
}

// slot is one field of a space-delimited pattern: a name with optional
// conditions, combined as written (&& binds tighter than ||).
type slot struct {
	any  bool     // "..."
	ors  [][]cond // OR of ANDs; empty means no condition
	name string
}

func (s slot) match(field string) bool {
	if len(s.ors) == 0 {
		return true
	}
	for _, and := range s.ors {
		ok := true
		for _, c := range and {
			if !c.matchText(field) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// maxSlots bounds the fields of a pattern (the pattern itself is at most 1,024 bytes).
const maxSlots = 512

func parseDelim(src string) (*delimExpr, error) {
	l := &lexer{src: src}
	t, err := l.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tPunct || t.text != "[" {
		return nil, l.errf(t.pos, "expected '['")
	}
	d := &delimExpr{}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		if t.kind == tPunct && t.text == "]" && len(d.slots) == 0 {
			break // [] matches like an empty slot list
		}
		if t.kind != tWord {
			return nil, l.errf(t.pos, "expected a field name")
		}
		s := slot{name: t.text}
		if t.text == "..." {
			s.any, d.ellipsis = true, true
		}
		if err := parseSlotConds(l, &s); err != nil {
			return nil, err
		}
		d.slots = append(d.slots, s)
		if len(d.slots) > maxSlots {
			return nil, l.errf(t.pos, "too many fields")
		}
		sep, err := l.next()
		if err != nil {
			return nil, err
		}
		if sep.kind == tPunct && sep.text == "," {
			continue
		}
		if sep.kind == tPunct && sep.text == "]" {
			break
		}
		return nil, l.errf(sep.pos, "expected ',' or ']'")
	}
	end, err := l.next()
	if err != nil {
		return nil, err
	}
	if end.kind != tEOF {
		return nil, l.errf(end.pos, "unexpected text after ']'")
	}
	return d, nil
}

// parseSlotConds reads "= v", "!= v && name > w || name = x" after a field name.
func parseSlotConds(l *lexer, s *slot) error {
	t, err := l.lookahead()
	if err != nil {
		return err
	}
	if t.kind != tOp {
		return nil
	}
	if s.any {
		return l.errf(t.pos, "'...' cannot have a condition")
	}
	and := []cond{}
	for {
		op, err := l.next()
		if err != nil {
			return err
		}
		if op.kind != tOp {
			return l.errf(op.pos, "expected a comparison operator")
		}
		vt, err := l.next()
		if err != nil {
			return err
		}
		lit, err := parseLiteral(l, vt)
		if err != nil {
			return err
		}
		c := cond{op: op.text, lit: lit}
		if err := c.check(l, op.pos); err != nil {
			return err
		}
		and = append(and, c)
		join, err := l.lookahead()
		if err != nil {
			return err
		}
		if join.kind != tAnd && join.kind != tOr {
			s.ors = append(s.ors, and)
			return nil
		}
		l.next()
		if join.kind == tOr {
			s.ors = append(s.ors, and)
			and = []cond{}
		}
		// The field is named again before the next operator: "f > 1 && f < 5".
		name, err := l.next()
		if err != nil {
			return err
		}
		if name.kind != tWord || name.text != s.name {
			return l.errf(name.pos, "expected the field name "+s.name)
		}
	}
}

// splitFields splits a message into space-delimited fields; a field in
// double quotes or square brackets keeps its spaces and loses its delimiters.
func splitFields(msg string) []string {
	var out []string
	for i := 0; i < len(msg); {
		if isSpace(msg[i]) {
			i++
			continue
		}
		var closer byte
		switch msg[i] {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			if end := strings.IndexByte(msg[i+1:], closer); end >= 0 {
				out = append(out, msg[i+1:i+1+end])
				i += end + 2
				continue
			}
		}
		j := i
		for j < len(msg) && !isSpace(msg[j]) {
			j++
		}
		out = append(out, msg[i:j])
		i = j
	}
	return out
}

func (d *delimExpr) match(msg string) bool {
	_, ok := d.bind(msg)
	return ok
}

// bind matches the message and returns the field each slot took ("" for
// "..." slots).
func (d *delimExpr) bind(msg string) ([]string, bool) {
	fields := splitFields(msg)
	bound := make([]string, len(d.slots))
	if !d.ellipsis {
		if len(fields) != len(d.slots) {
			return nil, false
		}
		for i, s := range d.slots {
			if !s.match(fields[i]) {
				return nil, false
			}
			bound[i] = fields[i]
		}
		return bound, true
	}
	// Like a glob with * for "...": the first run of slots is anchored at the
	// start, the last at the end, and each run between takes its leftmost
	// place, which is optimal because every slot takes exactly one field.
	runs := [][]int{{}} // slot indices
	for i, s := range d.slots {
		if s.any {
			runs = append(runs, []int{})
			continue
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], i)
	}
	first, last := runs[0], runs[len(runs)-1]
	if len(first)+len(last) > len(fields) || !d.matchRun(first, fields, bound) || !d.matchRun(last, fields[len(fields)-len(last):], bound) {
		return nil, false
	}
	rest := fields[len(first) : len(fields)-len(last)]
	for _, run := range runs[1 : len(runs)-1] {
		found := false
		for j := 0; j+len(run) <= len(rest); j++ {
			if d.matchRun(run, rest[j:], bound) {
				rest, found = rest[j+len(run):], true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return bound, true
}

// matchRun matches the slots of a run against the first len(run) fields,
// recording the fields in bound.
func (d *delimExpr) matchRun(run []int, fields []string, bound []string) bool {
	for i, si := range run {
		if !d.slots[si].match(fields[i]) {
			return false
		}
		bound[si] = fields[i]
	}
	return true
}
