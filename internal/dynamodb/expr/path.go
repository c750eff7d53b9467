package expr

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"tenkai/internal/dynamodb/attr"
)

// PathElem is one step of a document path: a map key (or top-level
// attribute name) or a list index.
type PathElem struct {
	Name    string // when !IsIndex
	Index   int    // when IsIndex
	IsIndex bool
}

// Path is a document path such as a.b[2].c, with names already resolved
// from ExpressionAttributeNames. The first element is always a name.
type Path []PathElem

// String renders the path as DynamoDB prints it in messages: [a, b, [2], c].
func (p Path) String() string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			sb.WriteString(", ")
		}
		if e.IsIndex {
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(e.Index))
			sb.WriteByte(']')
		} else {
			sb.WriteString(e.Name)
		}
	}
	sb.WriteByte(']')
	return sb.String()
}

// Top returns the top-level attribute name the path starts with.
func (p Path) Top() string { return p[0].Name }

// Get returns the value at path p in item it.
func Get(it attr.Item, p Path) (attr.Value, bool) {
	v, ok := it[p[0].Name]
	if !ok {
		return attr.Value{}, false
	}
	for _, e := range p[1:] {
		if e.IsIndex {
			l := v.List()
			if v.Type() != attr.TypeL || e.Index >= len(l) {
				return attr.Value{}, false
			}
			v = l[e.Index]
		} else {
			m := v.Map()
			if v.Type() != attr.TypeM {
				return attr.Value{}, false
			}
			if v, ok = m[e.Name]; !ok {
				return attr.Value{}, false
			}
		}
	}
	return v, true
}

// setPath stores v at p in it, which the caller owns; nested containers on
// the way are copied, never modified. A list index past the end appends.
func setPath(it attr.Item, p Path, v attr.Value) error {
	top := p[0].Name
	if len(p) == 1 {
		it[top] = v
		return nil
	}
	cur, ok := it[top]
	if !ok {
		return validationf("%s", msgInvalidPath)
	}
	nv, err := setIn(cur, p[1:], v)
	if err != nil {
		return err
	}
	it[top] = nv
	return nil
}

func setIn(c attr.Value, rest Path, v attr.Value) (attr.Value, error) {
	e := rest[0]
	if e.IsIndex {
		if c.Type() != attr.TypeL {
			return attr.Value{}, validationf("%s", msgInvalidPath)
		}
		l := slices.Clone(c.List())
		if len(rest) == 1 {
			if e.Index >= len(l) {
				l = append(l, v)
			} else {
				l[e.Index] = v
			}
			return attr.L(l...), nil
		}
		if e.Index >= len(l) {
			return attr.Value{}, validationf("%s", msgInvalidPath)
		}
		nv, err := setIn(l[e.Index], rest[1:], v)
		if err != nil {
			return attr.Value{}, err
		}
		l[e.Index] = nv
		return attr.L(l...), nil
	}
	if c.Type() != attr.TypeM {
		return attr.Value{}, validationf("%s", msgInvalidPath)
	}
	m := maps.Clone(c.Map())
	if len(rest) == 1 {
		m[e.Name] = v
		return attr.M(m), nil
	}
	child, ok := m[e.Name]
	if !ok {
		return attr.Value{}, validationf("%s", msgInvalidPath)
	}
	nv, err := setIn(child, rest[1:], v)
	if err != nil {
		return attr.Value{}, err
	}
	m[e.Name] = nv
	return attr.M(m), nil
}

// removePath deletes p from it (owned by the caller). A missing last
// element (key or index) is not an error, but the path up to it must exist
// with the right types: DynamoDB refuses REMOVE x.y when x is not a map.
func removePath(it attr.Item, p Path) error {
	top := p[0].Name
	if len(p) == 1 {
		delete(it, top)
		return nil
	}
	cur, ok := it[top]
	if !ok {
		return validationf("%s", msgInvalidPath)
	}
	nv, changed, err := removeIn(cur, p[1:])
	if err != nil || !changed {
		return err
	}
	it[top] = nv
	return nil
}

func removeIn(c attr.Value, rest Path) (attr.Value, bool, error) {
	e := rest[0]
	if e.IsIndex {
		if c.Type() != attr.TypeL {
			return attr.Value{}, false, validationf("%s", msgInvalidPath)
		}
		l := c.List()
		if e.Index >= len(l) {
			if len(rest) == 1 {
				return c, false, nil
			}
			return attr.Value{}, false, validationf("%s", msgInvalidPath)
		}
		if len(rest) == 1 {
			return attr.L(slices.Delete(slices.Clone(l), e.Index, e.Index+1)...), true, nil
		}
		nv, changed, err := removeIn(l[e.Index], rest[1:])
		if err != nil || !changed {
			return c, false, err
		}
		nl := slices.Clone(l)
		nl[e.Index] = nv
		return attr.L(nl...), true, nil
	}
	if c.Type() != attr.TypeM {
		return attr.Value{}, false, validationf("%s", msgInvalidPath)
	}
	m := c.Map()
	child, ok := m[e.Name]
	if !ok {
		if len(rest) == 1 {
			return c, false, nil
		}
		return attr.Value{}, false, validationf("%s", msgInvalidPath)
	}
	if len(rest) == 1 {
		nm := maps.Clone(m)
		delete(nm, e.Name)
		return attr.M(nm), true, nil
	}
	nv, changed, err := removeIn(child, rest[1:])
	if err != nil || !changed {
		return c, false, err
	}
	nm := maps.Clone(m)
	nm[e.Name] = nv
	return attr.M(nm), true, nil
}

// projNode is a tree of selected paths: all selects the whole value,
// otherwise names and indexes select parts of a map or list.
type projNode struct {
	all     bool
	names   map[string]*projNode
	indexes map[int]*projNode
}

func (n *projNode) add(p Path) {
	for _, e := range p {
		if n.all {
			return
		}
		var next *projNode
		if e.IsIndex {
			if n.indexes == nil {
				n.indexes = map[int]*projNode{}
			}
			if next = n.indexes[e.Index]; next == nil {
				next = &projNode{}
				n.indexes[e.Index] = next
			}
		} else {
			if n.names == nil {
				n.names = map[string]*projNode{}
			}
			if next = n.names[e.Name]; next == nil {
				next = &projNode{}
				n.names[e.Name] = next
			}
		}
		n = next
	}
	n.all = true
	n.names, n.indexes = nil, nil
}

// pick returns the selected part of v; ok is false when nothing selected
// exists in v.
func (n *projNode) pick(v attr.Value) (attr.Value, bool) {
	if n.all {
		return v, true
	}
	switch v.Type() {
	case attr.TypeM:
		if n.names == nil {
			return attr.Value{}, false
		}
		src := v.Map()
		out := map[string]attr.Value{}
		for name, sub := range n.names {
			if c, ok := src[name]; ok {
				if pv, ok := sub.pick(c); ok {
					out[name] = pv
				}
			}
		}
		if len(out) == 0 {
			return attr.Value{}, false
		}
		return attr.M(out), true
	case attr.TypeL:
		if n.indexes == nil {
			return attr.Value{}, false
		}
		src := v.List()
		idx := slices.Sorted(maps.Keys(n.indexes))
		var out []attr.Value
		for _, i := range idx {
			if i < len(src) {
				if pv, ok := n.indexes[i].pick(src[i]); ok {
					out = append(out, pv)
				}
			}
		}
		if len(out) == 0 {
			return attr.Value{}, false
		}
		return attr.L(out...), true
	}
	return attr.Value{}, false
}

// ProjectPaths returns the parts of it selected by paths, shaped as
// DynamoDB returns projections: selected map keys keep their names,
// selected list elements keep their relative order, and containers with
// nothing selected are left out. Use it for ProjectionExpression results
// and for ReturnValues UPDATED_OLD / UPDATED_NEW.
func ProjectPaths(it attr.Item, paths []Path) attr.Item {
	root := &projNode{}
	for _, p := range paths {
		root.add(p)
	}
	out := attr.Item{}
	for name, sub := range root.names {
		if v, ok := it[name]; ok {
			if pv, ok := sub.pick(v); ok {
				out[name] = pv
			}
		}
	}
	return out
}
