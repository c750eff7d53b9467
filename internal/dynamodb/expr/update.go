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
	return u, nil
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

// Apply applies the update to it (nil for a new item) and returns the new
// item. All SET values are computed from the item as it was before the
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
	for i, s := range u.sets {
		if err := setPath(out, s.path, vals[i]); err != nil {
			return Result{}, err
		}
	}
	for _, path := range sortedForRemoval(u.removes) {
		if err := removePath(out, path); err != nil {
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

// sortedForRemoval orders paths so that list elements go from the highest
// index down: every index then refers to the list as it was before the
// update, as DynamoDB defines REMOVE a[0], a[1].
func sortedForRemoval(paths []Path) []Path {
	if len(paths) < 2 {
		return paths
	}
	out := slices.Clone(paths)
	slices.SortStableFunc(out, func(a, b Path) int {
		for i := 0; i < len(a) && i < len(b); i++ {
			x, y := a[i], b[i]
			switch {
			case x.IsIndex && y.IsIndex && x.Index != y.Index:
				if x.Index > y.Index {
					return -1
				}
				return 1
			case !x.IsIndex && !y.IsIndex && x.Name != y.Name:
				return strings.Compare(x.Name, y.Name)
			case x.IsIndex != y.IsIndex:
				return 0
			}
		}
		return len(b) - len(a)
	})
	return out
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
