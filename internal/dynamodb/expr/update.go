package expr

import (
	"slices"
	"strings"

	"tenkai/internal/dynamodb/attr"
)

// Update is a parsed UpdateExpression (or converted AttributeUpdates). It
// is immutable and safe for concurrent use.
type Update struct {
	sets    []setAction
	removes []Path
	adds    []valueAction
	deletes []valueAction
	targets []Path // every path the update writes, in expression order
	legacy  bool   // built from AttributeUpdates: different type-mismatch message

	// setOrder and removeOrder are the application orders of sets and
	// removes (see listOrder), fixed when the update is built.
	setOrder, removeOrder []int
}

// plan fixes the application order of list-index actions.
func (u *Update) plan() *Update {
	setPaths := make([]Path, len(u.sets))
	for i, s := range u.sets {
		setPaths[i] = s.path
	}
	u.setOrder = listOrder(setPaths, false)
	u.removeOrder = listOrder(u.removes, true)
	return u
}

type setAction struct {
	path Path
	val  operand
}

type valueAction struct {
	path Path
	v    attr.Value
}

// Result is the outcome of applying an Update.
type Result struct {
	// Item is the item after the update: a new top-level map. The input
	// item is not modified; unchanged values are shared.
	Item attr.Item
	// Changed lists the paths the update wrote, in expression order. For
	// ReturnValues UPDATED_OLD / UPDATED_NEW, project the old or new item
	// with ProjectPaths(item, Changed).
	Changed []Path
}

// ParseUpdate parses an UpdateExpression.
func ParseUpdate(s string, params *Params) (*Update, error) {
	if err := checkText(KindUpdate, s); err != nil {
		return nil, err
	}
	p := newParser(KindUpdate, s, params)
	u := p.parseUpdate()
	if err := p.result(updateOrder); err != nil {
		return nil, err
	}
	u.targets = p.paths
	return u.plan(), nil
}

// Targets returns the document paths the update writes, in expression
// order.
func (u *Update) Targets() []Path { return u.targets }

// CheckKeyAttributes returns DynamoDB's error when the update writes one of
// the table's key attributes (the first such target in expression order).
func (u *Update) CheckKeyAttributes(keys ...string) error {
	for _, p := range u.targets {
		for _, k := range keys {
			if p.Top() == k {
				return validationf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", k)
			}
		}
	}
	return nil
}

func (p *parser) parseUpdate() *Update {
	u := &Update{}
	seen := map[string]bool{}
	if p.peek().kind == tEOF {
		p.fail(p.i)
		return u
	}
	for p.ok() && p.peek().kind != tEOF {
		t := p.peek()
		if !isUpdateKeyword(t) {
			p.fail(p.i)
			return u
		}
		p.next()
		sec := strings.ToUpper(t.text)
		if seen[sec] {
			p.note(cSection, "The \""+sec+"\" section can only be used once in an update expression;")
		}
		seen[sec] = true
		for p.ok() {
			p.parseAction(sec, u)
			if !p.ok() || p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	return u
}

// parseAction parses one clause of a section.
func (p *parser) parseAction(sec string, u *Update) {
	t := p.peek()
	if (t.kind != tIdent || isUpdateKeyword(t)) && t.kind != tName {
		p.fail(p.i)
		return
	}
	path := p.parsePath()
	if !p.ok() {
		return
	}
	p.addTarget(path)
	switch sec {
	case "SET":
		if p.peek().kind != tEq {
			p.fail(p.i)
			return
		}
		p.next()
		v := p.parseSetValue()
		if !p.ok() {
			return
		}
		p.checkUpdateFunction(v)
		u.sets = append(u.sets, setAction{path: path, val: v})
	case "REMOVE":
		u.removes = append(u.removes, path)
	case "ADD", "DELETE":
		if p.peek().kind != tValue {
			p.fail(p.i)
			return
		}
		v := p.parseValueRef().(valueOperand).v
		if w, bad := typeWord[v.Type()]; bad && !(sec == "ADD" && v.Type() == attr.TypeN) {
			p.note(cAddDelType, "Incorrect operand type for operator or function; operator: "+sec+", operand type: "+w)
		}
		if sec == "ADD" {
			u.adds = append(u.adds, valueAction{path: path, v: v})
		} else {
			u.deletes = append(u.deletes, valueAction{path: path, v: v})
		}
	}
}

// Apply applies the update to it (nil when the item does not exist) and
// returns the new item. All SET values are computed from the item as it was before the
// update. Errors are *attr.Error values with DynamoDB's runtime messages;
// on error the input is unchanged and no partial result is returned.
func (u *Update) Apply(it attr.Item) (Result, error) {
	vals := make([]attr.Value, len(u.sets))
	for i, s := range u.sets {
		v, err := evalUpdateOperand(s.val, it)
		if err != nil {
			return Result{}, err
		}
		vals[i] = v
	}
	out := it.Clone()
	for _, i := range u.setOrder {
		if err := setPath(out, u.sets[i].path, vals[i]); err != nil {
			return Result{}, err
		}
	}
	for _, i := range u.removeOrder {
		if err := removePath(out, u.removes[i]); err != nil {
			if it == nil {
				continue // DynamoDB ignores REMOVE x.y on an item that does not exist
			}
			return Result{}, err
		}
	}
	for _, a := range u.adds {
		if err := applyAdd(out, a); err != nil {
			return Result{}, u.mismatch(err)
		}
	}
	for _, d := range u.deletes {
		if err := applyDelete(out, d); err != nil {
			return Result{}, u.mismatch(err)
		}
	}
	return Result{Item: out, Changed: u.targets}, nil
}

// mismatch rewords a type mismatch for legacy AttributeUpdates, which
// DynamoDB reports as "Type mismatch for attribute to update".
func (u *Update) mismatch(err error) error {
	if ae, ok := err.(*attr.Error); ok && u.legacy && ae.Message == msgIncorrectDataType {
		return validationf("Type mismatch for attribute to update")
	}
	return err
}

// listOrder returns the indexes of paths in the order they are applied:
// paths ending in a list index that share a parent are applied together,
// at the place of the first of them, sorted by index (ascending, or
// descending when desc). Other paths keep expression order. This gives
// DynamoDB's semantics: SET a[84], a[17] on a short list appends a[17]
// first, and REMOVE a[0], a[2] refers to positions before any removal.
func listOrder(paths []Path, desc bool) []int {
	order := make([]int, 0, len(paths))
	if !slices.ContainsFunc(paths, func(p Path) bool { return p[len(p)-1].IsIndex }) {
		for i := range paths {
			order = append(order, i)
		}
		return order
	}
	groups := map[string][]int{}
	var keys []string
	for i, p := range paths {
		if !p[len(p)-1].IsIndex {
			continue
		}
		k := p[:len(p)-1].String()
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range keys {
		g := groups[k]
		slices.SortStableFunc(g, func(a, b int) int {
			x, y := paths[a][len(paths[a])-1].Index, paths[b][len(paths[b])-1].Index
			if desc {
				x, y = y, x
			}
			return x - y
		})
	}
	done := map[string]bool{}
	for i, p := range paths {
		if !p[len(p)-1].IsIndex {
			order = append(order, i)
			continue
		}
		k := p[:len(p)-1].String()
		if !done[k] {
			done[k] = true
			order = append(order, groups[k]...)
		}
	}
	return order
}

func applyAdd(it attr.Item, a valueAction) error {
	cur, ok := Get(it, a.path)
	if !ok {
		return setPath(it, a.path, a.v)
	}
	switch {
	case cur.Type() == attr.TypeN && a.v.Type() == attr.TypeN:
		sum, err := attr.Add(cur, a.v)
		if err != nil {
			return err
		}
		return setPath(it, a.path, sum)
	case cur.Type().IsSet() && cur.Type() == a.v.Type():
		return setPath(it, a.path, attr.Union(cur, a.v))
	}
	return validationf("%s", msgIncorrectDataType)
}

func applyDelete(it attr.Item, d valueAction) error {
	cur, ok := Get(it, d.path)
	if !ok {
		return nil
	}
	if !cur.Type().IsSet() || cur.Type() != d.v.Type() {
		return validationf("%s", msgIncorrectDataType)
	}
	rest := attr.Difference(cur, d.v)
	if rest.Len() == 0 {
		return removePath(it, d.path)
	}
	return setPath(it, d.path, rest)
}

// evalUpdateOperand computes a SET value against the original item.
func evalUpdateOperand(o operand, it attr.Item) (attr.Value, error) {
	switch o := o.(type) {
	case valueOperand:
		return o.v, nil
	case pathOperand:
		v, ok := Get(it, o.path)
		if !ok {
			return attr.Value{}, validationf("%s", msgMissingAttribute)
		}
		return v, nil
	case arithOperand:
		l, err := evalUpdateOperand(o.l, it)
		if err != nil {
			return attr.Value{}, err
		}
		r, err := evalUpdateOperand(o.r, it)
		if err != nil {
			return attr.Value{}, err
		}
		if l.Type() != attr.TypeN || r.Type() != attr.TypeN {
			return attr.Value{}, validationf("%s", msgIncorrectDataType)
		}
		if o.minus {
			return attr.Sub(l, r)
		}
		return attr.Add(l, r)
	case funcOperand:
		switch o.name {
		case "if_not_exists":
			if po, ok := o.args[0].(pathOperand); ok {
				if v, ok := Get(it, po.path); ok {
					return v, nil
				}
			}
			return evalUpdateOperand(o.args[1], it)
		case "list_append":
			a, err := evalUpdateOperand(o.args[0], it)
			if err != nil {
				return attr.Value{}, err
			}
			b, err := evalUpdateOperand(o.args[1], it)
			if err != nil {
				return attr.Value{}, err
			}
			if a.Type() != attr.TypeL || b.Type() != attr.TypeL {
				return attr.Value{}, validationf("%s", msgIncorrectDataType)
			}
			l := make([]attr.Value, 0, a.Len()+b.Len())
			l = append(l, a.List()...)
			return attr.L(append(l, b.List()...)...), nil
		}
	}
	return attr.Value{}, validationf("%s", msgIncorrectDataType)
}
