package jsonata

import "strconv"

// postProcessor rewrites the raw parse tree into the evaluated form:
// dotted expressions become paths, predicates become step stages, parent
// references are resolved to tuple labels and tail calls are marked.
type postProcessor struct {
	ancestorLabel int
	ancestorIndex int
	ancestry      []*node
}

func (pp *postProcessor) process(e *node) (*node, error) {
	var res *node
	var err error
	switch e.kind {
	case kDot:
		res, err = pp.dot(e)
	case kPredicate:
		res, err = pp.predicate(e)
	case kGroup:
		res, err = pp.process(e.lhs)
		if err != nil {
			return nil, err
		}
		if res.group != nil {
			return nil, &Error{Code: "S0210", Position: e.pos, Message: messages["S0210"]}
		}
		g := &groupSpec{pos: e.pos}
		for _, pr := range e.pairs {
			k, err := pp.process(pr[0])
			if err != nil {
				return nil, err
			}
			v, err := pp.process(pr[1])
			if err != nil {
				return nil, err
			}
			g.pairs = append(g.pairs, [2]*node{k, v})
		}
		res.group = g
	case kOrderBy:
		res, err = pp.process(e.lhs)
		if err != nil {
			return nil, err
		}
		if res.kind != kPath {
			res = &node{kind: kPath, pos: res.pos, exprs: []*node{res}}
		}
		sortStep := &node{kind: kSort, pos: e.pos}
		for _, t := range e.terms {
			x, err := pp.process(t.expr)
			if err != nil {
				return nil, err
			}
			pushAncestry(sortStep, x)
			sortStep.terms = append(sortStep.terms, sortTerm{descending: t.descending, expr: x})
		}
		res.exprs = append(res.exprs, sortStep)
		if err := pp.resolveAncestry(res); err != nil {
			return nil, err
		}
	case kBind:
		res = &node{kind: kBind, pos: e.pos, op: e.op, lhs: e.lhs}
		if res.rhs, err = pp.process(e.rhs); err != nil {
			return nil, err
		}
		pushAncestry(res, res.rhs)
	case kFocus:
		res, err = pp.process(e.lhs)
		if err != nil {
			return nil, err
		}
		step := res
		if res.kind == kPath {
			step = res.exprs[len(res.exprs)-1]
		}
		if len(step.stages) > 0 || len(step.preds) > 0 {
			return nil, &Error{Code: "S0215", Position: e.pos, Token: "@", Message: messages["S0215"]}
		}
		if step.kind == kSort {
			return nil, &Error{Code: "S0216", Position: e.pos, Token: "@", Message: messages["S0216"]}
		}
		if e.keepArray {
			step.keepArray = true
		}
		step.focus = e.rhs.op
		step.hasFocus = true
		step.tuple = true
	case kIndex:
		res, err = pp.process(e.lhs)
		if err != nil {
			return nil, err
		}
		step := res
		if res.kind == kPath {
			step = res.exprs[len(res.exprs)-1]
		} else {
			res = &node{kind: kPath, pos: res.pos, exprs: []*node{res}}
			if len(step.preds) > 0 {
				for _, p := range step.preds {
					step.stages = append(step.stages, stage{filter: p, pos: p.pos})
				}
				step.preds = nil
			}
		}
		if len(step.stages) == 0 {
			step.index = e.rhs.op
			step.hasIndex = true
		} else {
			step.stages = append(step.stages, stage{index: e.rhs.op, pos: e.pos})
		}
		step.tuple = true
	case kApply:
		res = &node{kind: kApply, pos: e.pos, op: e.op}
		if res.lhs, err = pp.process(e.lhs); err != nil {
			return nil, err
		}
		if res.rhs, err = pp.process(e.rhs); err != nil {
			return nil, err
		}
		res.keepArray = res.lhs.keepArray || res.rhs.keepArray
	case kBinary, kElvis, kCoalesce:
		res = &node{kind: e.kind, pos: e.pos, op: e.op}
		if res.lhs, err = pp.process(e.lhs); err != nil {
			return nil, err
		}
		if res.rhs, err = pp.process(e.rhs); err != nil {
			return nil, err
		}
		pushAncestry(res, res.lhs)
		pushAncestry(res, res.rhs)
	case kArray:
		res = &node{kind: kArray, pos: e.pos, op: e.op}
		for _, it := range e.exprs {
			v, err := pp.process(it)
			if err != nil {
				return nil, err
			}
			pushAncestry(res, v)
			res.exprs = append(res.exprs, v)
		}
	case kObject:
		res = &node{kind: kObject, pos: e.pos, op: e.op}
		for _, pr := range e.pairs {
			k, err := pp.process(pr[0])
			if err != nil {
				return nil, err
			}
			pushAncestry(res, k)
			v, err := pp.process(pr[1])
			if err != nil {
				return nil, err
			}
			pushAncestry(res, v)
			res.pairs = append(res.pairs, [2]*node{k, v})
		}
	case kNegate:
		x, err := pp.process(e.lhs)
		if err != nil {
			return nil, err
		}
		if x.kind == kNumber {
			res = x
			res.num = -res.num
		} else {
			res = &node{kind: kNegate, pos: e.pos, op: e.op, lhs: x}
			pushAncestry(res, x)
		}
	case kCall, kPartial:
		res = &node{kind: e.kind, pos: e.pos, op: e.op}
		for _, a := range e.exprs {
			x, err := pp.process(a)
			if err != nil {
				return nil, err
			}
			pushAncestry(res, x)
			res.exprs = append(res.exprs, x)
		}
		if res.lhs, err = pp.process(e.lhs); err != nil {
			return nil, err
		}
		res.procName = procName(res.lhs)
	case kLambda:
		res = &node{kind: kLambda, pos: e.pos, op: e.op, params: e.params, sig: e.sig}
		body, err := pp.process(e.body)
		if err != nil {
			return nil, err
		}
		res.body = tailCallOptimize(body)
	case kCondition:
		res = &node{kind: kCondition, pos: e.pos, op: e.op}
		if res.cond, err = pp.process(e.cond); err != nil {
			return nil, err
		}
		pushAncestry(res, res.cond)
		if res.then, err = pp.process(e.then); err != nil {
			return nil, err
		}
		pushAncestry(res, res.then)
		if e.els != nil {
			if res.els, err = pp.process(e.els); err != nil {
				return nil, err
			}
			pushAncestry(res, res.els)
		}
	case kTransform:
		res = &node{kind: kTransform, pos: e.pos, op: e.op}
		if res.pattern, err = pp.process(e.pattern); err != nil {
			return nil, err
		}
		if res.update, err = pp.process(e.update); err != nil {
			return nil, err
		}
		if e.del != nil {
			if res.del, err = pp.process(e.del); err != nil {
				return nil, err
			}
		}
	case kBlock:
		res = &node{kind: kBlock, pos: e.pos, op: e.op}
		for _, it := range e.exprs {
			x, err := pp.process(it)
			if err != nil {
				return nil, err
			}
			pushAncestry(res, x)
			if x.consarray || (x.kind == kPath && x.exprs[0].consarray) {
				res.consarray = true
			}
			res.exprs = append(res.exprs, x)
		}
	case kName:
		res = &node{kind: kPath, pos: e.pos, exprs: []*node{e}}
		if e.keepArray {
			res.keepSingletonArray = true
		}
	case kParent:
		res = &node{kind: kParent, pos: e.pos, op: e.op, slot: &slot{label: "!" + strconv.Itoa(pp.ancestorLabel), level: 1, index: pp.ancestorIndex}}
		pp.ancestorLabel++
		pp.ancestorIndex++
		pp.ancestry = append(pp.ancestry, res)
	case kString, kNumber, kValue, kWildcard, kDescendant, kVariable, kRegex, kPlaceholder:
		res = e
	default:
		return nil, &Error{Code: "S0206", Position: e.pos, Token: e.op, Message: "Unknown expression type: " + e.op}
	}
	if err != nil {
		return nil, err
	}
	if e.keepArray {
		res.keepArray = true
	}
	return res, nil
}

func procName(p *node) string {
	if p.kind == kPath && len(p.exprs) > 0 {
		return p.exprs[0].op
	}
	return p.op
}

func (pp *postProcessor) dot(e *node) (*node, error) {
	lstep, err := pp.process(e.lhs)
	if err != nil {
		return nil, err
	}
	var res *node
	if lstep.kind == kPath {
		res = lstep
	} else {
		res = &node{kind: kPath, pos: lstep.pos, exprs: []*node{lstep}}
	}
	if lstep.kind == kParent {
		res.seekingParent = []*slot{lstep.slot}
	}
	rest, err := pp.process(e.rhs)
	if err != nil {
		return nil, err
	}
	if rest.kind == kPath {
		res.exprs = append(res.exprs, rest.exprs...)
	} else {
		if len(rest.preds) > 0 {
			for _, p := range rest.preds {
				rest.stages = append(rest.stages, stage{filter: p, pos: p.pos})
			}
			rest.preds = nil
		}
		res.exprs = append(res.exprs, rest)
	}
	for _, s := range res.exprs {
		switch s.kind {
		case kNumber, kValue:
			v := any(s.num)
			if s.kind == kValue {
				v = s.val
			}
			return nil, &Error{Code: "S0213", Position: s.pos, Value: v, Message: "The literal value " + describe(v) + " cannot be used as a step within a path expression"}
		case kString:
			s.kind = kName
		}
	}
	for _, s := range res.exprs {
		if s.keepArray {
			res.keepSingletonArray = true
			break
		}
	}
	first := res.exprs[0]
	if first.kind == kArray {
		first.consarray = true
	}
	last := res.exprs[len(res.exprs)-1]
	if last.kind == kArray {
		last.consarray = true
	}
	if err := pp.resolveAncestry(res); err != nil {
		return nil, err
	}
	return res, nil
}

func (pp *postProcessor) predicate(e *node) (*node, error) {
	res, err := pp.process(e.lhs)
	if err != nil {
		return nil, err
	}
	step := res
	inPath := false
	if res.kind == kPath {
		step = res.exprs[len(res.exprs)-1]
		inPath = true
	}
	if step.group != nil {
		return nil, &Error{Code: "S0209", Position: e.pos, Message: messages["S0209"]}
	}
	pred, err := pp.process(e.rhs)
	if err != nil {
		return nil, err
	}
	if pred.seekingParent != nil {
		for _, sl := range pred.seekingParent {
			if sl.level == 1 {
				if _, err := pp.seekParent(step, sl); err != nil {
					return nil, err
				}
			} else {
				sl.level--
			}
		}
		pushAncestry(step, pred)
	}
	if inPath {
		step.stages = append(step.stages, stage{filter: pred, pos: e.pos})
	} else {
		step.preds = append(step.preds, pred)
	}
	return res, nil
}

func (pp *postProcessor) seekParent(n *node, sl *slot) (*slot, error) {
	switch n.kind {
	case kName, kWildcard:
		sl.level--
		if sl.level == 0 {
			if n.ancestor == nil {
				n.ancestor = sl
			} else {
				// reuse the existing label
				pp.ancestry[sl.index].slot.label = n.ancestor.label
				n.ancestor = sl
			}
			n.tuple = true
		}
	case kParent:
		sl.level++
	case kBlock:
		if len(n.exprs) > 0 {
			n.tuple = true
			return pp.seekParent(n.exprs[len(n.exprs)-1], sl)
		}
	case kPath:
		n.tuple = true
		i := len(n.exprs) - 1
		var err error
		sl, err = pp.seekParent(n.exprs[i], sl)
		if err != nil {
			return nil, err
		}
		i--
		for sl.level > 0 && i >= 0 {
			sl, err = pp.seekParent(n.exprs[i], sl)
			if err != nil {
				return nil, err
			}
			i--
		}
	default:
		return nil, &Error{Code: "S0217", Position: n.pos, Token: kindName(n.kind), Message: "The object representing the 'parent' cannot be derived from this expression"}
	}
	return sl, nil
}

func kindName(k kind) string {
	switch k {
	case kString:
		return "string"
	case kNumber:
		return "number"
	case kValue:
		return "value"
	case kVariable:
		return "variable"
	case kCall:
		return "function"
	case kArray, kNegate, kObject:
		return "unary"
	case kBinary:
		return "binary"
	}
	return "expression"
}

func pushAncestry(res, v *node) {
	if v.seekingParent == nil && v.kind != kParent {
		return
	}
	slots := append([]*slot(nil), v.seekingParent...)
	if v.kind == kParent {
		slots = append(slots, v.slot)
	}
	res.seekingParent = append(res.seekingParent, slots...)
}

func (pp *postProcessor) resolveAncestry(path *node) error {
	steps := path.exprs
	last := steps[len(steps)-1]
	slots := append([]*slot(nil), last.seekingParent...)
	if last.kind == kParent {
		slots = append(slots, last.slot)
	}
	for _, sl := range slots {
		i := len(steps) - 2
		for sl.level > 0 {
			if i < 0 {
				path.seekingParent = append(path.seekingParent, sl)
				break
			}
			step := steps[i]
			i--
			// contiguous steps that bind the focus are skipped
			for i >= 0 && step.hasFocus && steps[i].hasFocus {
				step = steps[i]
				i--
			}
			var err error
			sl, err = pp.seekParent(step, sl)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// tailCallOptimize wraps calls in tail position so they run in a loop
// rather than growing the stack.
func tailCallOptimize(e *node) *node {
	switch {
	case e.kind == kCall && len(e.preds) == 0 && e.group == nil:
		return &node{kind: kLambda, pos: e.pos, thunk: true, body: e}
	case e.kind == kCondition:
		c := *e
		c.then = tailCallOptimize(e.then)
		if e.els != nil {
			c.els = tailCallOptimize(e.els)
		}
		return &c
	case e.kind == kBlock && len(e.exprs) > 0:
		c := *e
		c.exprs = append([]*node(nil), e.exprs...)
		c.exprs[len(c.exprs)-1] = tailCallOptimize(c.exprs[len(c.exprs)-1])
		return &c
	}
	return e
}
