package jsonata

import (
	"context"
	"math"
	"time"
)

// evaluator carries the per-evaluation state: limits, clock and the
// cancellation context. One is created per Eval call.
type evaluator struct {
	ctx      context.Context
	depth    int
	maxDepth int
	count    int
	now      time.Time
	nowFn    func() time.Time
	ordered  bool
	root     frame      // top-level bindings
	rootVars [6]binding // inline storage for root, avoiding an allocation
}

func (ev *evaluator) lookupVar(env *frame, name string) (any, bool) {
	if v, ok := env.lookup(name); ok {
		return v, true
	}
	if b, ok := builtins[name]; ok {
		return b, true
	}
	return nil, false
}

func (ev *evaluator) timestamp() time.Time {
	if ev.now.IsZero() {
		if ev.nowFn != nil {
			ev.now = ev.nowFn()
		} else {
			ev.now = time.Now()
		}
	}
	return ev.now
}

func (ev *evaluator) enter(n *node) error {
	ev.depth++
	if ev.depth > ev.maxDepth {
		return &Error{Code: "U1001", Position: n.pos, Message: messages["U1001"]}
	}
	ev.count++
	if ev.count&255 == 0 {
		if err := ev.ctx.Err(); err != nil {
			return &Error{Code: "U1001", Position: n.pos, Message: "Expression evaluation timeout: Check for infinite loop", Value: err.Error()}
		}
	}
	return nil
}

// eval evaluates n against the context value input.
func (ev *evaluator) eval(n *node, input any, env *frame) (any, error) {
	if err := ev.enter(n); err != nil {
		return nil, err
	}
	res, err := ev.evalNode(n, input, env)
	ev.depth--
	if err != nil {
		return nil, err
	}
	for _, p := range n.preds {
		if res, err = ev.filter(p, res, env); err != nil {
			return nil, err
		}
	}
	if n.kind != kPath && n.group != nil {
		if res, err = ev.groupBy(n.group, res, env); err != nil {
			return nil, err
		}
	}
	if s, ok := res.(*seqv); ok && s.sequence && !s.tupleStream {
		if n.keepArray {
			s.keepSingleton = true
		}
		if len(s.a) == 0 {
			return undef, nil
		}
		if len(s.a) == 1 && !s.keepSingleton {
			return s.a[0], nil
		}
	}
	return res, nil
}

func (ev *evaluator) evalNode(n *node, input any, env *frame) (any, error) {
	switch n.kind {
	case kPath:
		return ev.path(n, input, env)
	case kBinary:
		return ev.binary(n, input, env)
	case kNegate:
		v, err := ev.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		if v == undef {
			return undef, nil
		}
		f, ok := v.(float64)
		if !ok {
			return nil, &Error{Code: "D1002", Position: n.pos, Token: "-", Value: v, Message: formatMessage("D1002", "-", v, nil)}
		}
		return -f, nil
	case kName:
		return lookupField(input, n.op), nil
	case kString:
		return n.val, nil
	case kNumber:
		return n.num, nil
	case kValue:
		return n.val, nil
	case kWildcard:
		return wildcard(input), nil
	case kDescendant:
		return descendants(input), nil
	case kParent:
		v, ok := env.lookup(n.slot.label)
		if !ok {
			return undef, nil
		}
		return v, nil
	case kCondition:
		c, err := ev.eval(n.cond, input, env)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return ev.eval(n.then, input, env)
		}
		if n.els != nil {
			return ev.eval(n.els, input, env)
		}
		return undef, nil
	case kElvis:
		c, err := ev.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return c, nil
		}
		return ev.eval(n.rhs, input, env)
	case kCoalesce:
		c, err := ev.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		if c != undef {
			return c, nil
		}
		return ev.eval(n.rhs, input, env)
	case kBlock:
		fr := newFrame(env)
		var res any = undef
		for _, e := range n.exprs {
			v, err := ev.eval(e, input, fr)
			if err != nil {
				return nil, err
			}
			res = v
		}
		return res, nil
	case kBind:
		v, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		env.bind(n.lhs.op, v)
		return v, nil
	case kVariable:
		if n.op == "" {
			if s, ok := input.(*seqv); ok && s.outerWrapper && len(s.a) > 0 {
				return s.a[0], nil
			}
			return input, nil
		}
		v, ok := ev.lookupVar(env, n.op)
		if !ok {
			return undef, nil
		}
		return v, nil
	case kRegex:
		return &regexFn{re: n.re}, nil
	case kArray:
		return ev.array(n, input, env)
	case kObject:
		return ev.groupBy(&groupSpec{pairs: n.pairs, pos: n.pos}, input, env)
	case kCall:
		return ev.call(n, input, env, nil, false)
	case kPartial:
		return ev.partial(n, input, env)
	case kLambda:
		return &lambdaFn{node: n, env: env, input: input}, nil
	case kApply:
		return ev.applyExpr(n, input, env)
	case kTransform:
		return &transformFn{node: n, env: env}, nil
	case kSort:
		items, _ := asArray(input)
		return ev.sortStep(n, items, false, env)
	case kPlaceholder:
		return nil, &Error{Code: "S0201", Position: n.pos, Token: "?", Message: "Syntax error: ?"}
	}
	return nil, &Error{Code: "S0206", Position: n.pos, Token: n.op, Message: "Unknown expression type"}
}

// lookupField returns input[key], mapping over arrays and flattening.
func lookupField(input any, key string) any {
	switch x := input.(type) {
	case *Object:
		if v, ok := x.Get(key); ok {
			return canon(v)
		}
		return undef
	case map[string]any:
		if v, ok := x[key]; ok {
			return canon(v)
		}
		return undef
	case *seqv, []any:
		a, _ := asArray(input)
		res := &seqv{sequence: true}
		for _, it := range a {
			v := lookupField(it, key)
			if v == undef {
				continue
			}
			if va, ok := asArray(v); ok {
				res.a = append(res.a, va...)
			} else {
				res.a = append(res.a, v)
			}
		}
		return res
	}
	return undef
}

func wildcard(input any) any {
	res := &seqv{sequence: true}
	if s, ok := input.(*seqv); ok && s.outerWrapper && len(s.a) > 0 {
		input = s.a[0]
	}
	if a, ok := asArray(input); ok {
		res.a = flattenAll(a, nil)
		return res
	}
	if !isObject(input) {
		return res
	}
	for _, k := range objKeys(input) {
		v, _ := objGet(input, k)
		if a, ok := asArray(v); ok {
			res.a = append(res.a, flattenAll(a, nil)...)
		} else {
			res.a = append(res.a, v)
		}
	}
	return res
}

func flattenAll(a []any, out []any) []any { return flattenAllN(a, out, 0) }

func flattenAllN(a []any, out []any, depth int) []any {
	for _, it := range a {
		if x, ok := asArray(it); ok && depth < maxNesting {
			out = flattenAllN(x, out, depth+1)
		} else {
			out = append(out, it)
		}
	}
	return out
}

func descendants(input any) any {
	if input == undef {
		return undef
	}
	res := &seqv{sequence: true}
	recurseDescendants(input, res, 0)
	if len(res.a) == 1 {
		return res.a[0]
	}
	return res
}

func recurseDescendants(input any, res *seqv, depth int) {
	if depth > maxNesting {
		return
	}
	if a, ok := asArray(input); ok {
		for _, it := range a {
			recurseDescendants(it, res, depth+1)
		}
		return
	}
	res.a = append(res.a, input)
	if isObject(input) {
		for _, k := range objKeys(input) {
			v, _ := objGet(input, k)
			recurseDescendants(v, res, depth+1)
		}
	}
}

func (ev *evaluator) array(n *node, input any, env *frame) (any, error) {
	res := &seqv{}
	for _, it := range n.exprs {
		v, err := ev.eval(it, input, env)
		if err != nil {
			return nil, err
		}
		if v == undef {
			continue
		}
		if it.kind == kArray {
			res.a = append(res.a, v)
		} else if a, ok := asArray(v); ok {
			res.a = append(res.a, a...)
		} else {
			res.a = append(res.a, v)
		}
	}
	if n.consarray {
		res.cons = true
	}
	return res, nil
}

// path evaluates a location path step by step.
func (ev *evaluator) path(n *node, input any, env *frame) (any, error) {
	var inputSeq []any
	var one [1]any
	if a, ok := asArray(input); ok && n.exprs[0].kind != kVariable {
		inputSeq = a
	} else {
		one[0] = input
		inputSeq = one[:]
	}
	isTuple := false
	var tuples []tuple
	haveTuples := false
	var result any = undef
	steps := n.exprs
	for i, step := range steps {
		if step.tuple {
			isTuple = true
		}
		var err error
		switch {
		case i == 0 && step.consarray:
			result, err = ev.eval(step, &seqv{a: append([]any(nil), inputSeq...), sequence: true}, env)
		case isTuple:
			tuples, err = ev.tupleStep(step, inputSeq, tuples, haveTuples, env)
			haveTuples = true
		default:
			result, err = ev.step(step, inputSeq, env, i == len(steps)-1)
		}
		if err != nil {
			return nil, err
		}
		if !isTuple {
			if result == undef {
				break
			}
			if a, ok := asArray(result); ok && len(a) == 0 {
				break
			}
		}
		if !step.hasFocus {
			if a, ok := asArray(result); ok {
				inputSeq = a
			} else {
				one[0] = result
				inputSeq = one[:]
			}
		}
	}
	if isTuple {
		if n.tuple {
			s := &seqv{sequence: true, tupleStream: true, a: make([]any, len(tuples))}
			for i, t := range tuples {
				s.a[i] = t
			}
			result = s
		} else {
			s := &seqv{sequence: true, a: make([]any, 0, len(tuples))}
			for _, t := range tuples {
				s.a = append(s.a, t["@"])
			}
			result = s
		}
	}
	if _, isArr := asArray(result); !isArr && result != undef && (n.keepSingletonArray || n.keepArray) {
		result = &seqv{sequence: true, a: []any{result}}
	}
	if n.keepSingletonArray {
		if s, ok := result.(*seqv); ok {
			if s.cons && !s.sequence {
				s = &seqv{sequence: true, a: []any{s}}
				result = s
			}
			s.keepSingleton = true
		}
	}
	if n.group != nil {
		if isTuple {
			s := &seqv{sequence: true, tupleStream: true, a: tuplesToAny(tuples)}
			return ev.groupBy(n.group, s, env)
		}
		return ev.groupBy(n.group, result, env)
	}
	return result, nil
}

func (ev *evaluator) step(n *node, input []any, env *frame, last bool) (any, error) {
	if n.kind == kSort {
		res, err := ev.sortStep(n, input, false, env)
		if err != nil {
			return nil, err
		}
		return ev.stages(n.stages, res, env)
	}
	if len(input) == 1 {
		// common case: one context item, no flattening work
		res, err := ev.eval(n, input[0], env)
		if err != nil {
			return nil, err
		}
		for _, st := range n.stages {
			if st.filter != nil {
				if res, err = ev.filter(st.filter, res, env); err != nil {
					return nil, err
				}
			}
		}
		if res == undef {
			return undef, nil
		}
		if a, ok := asArray(res); ok {
			if last && !isSequence(res) {
				return res, nil
			}
			if !isCons(res) {
				return &seqv{sequence: true, a: a[:len(a):len(a)]}, nil
			}
			out := &seqv{sequence: true}
			out.one[0] = res
			out.a = out.one[:]
			return out, nil
		}
		// a single plain value: the caller treats it as a one-item sequence
		return res, nil
	}
	results := make([]any, 0, len(input))
	for _, it := range input {
		res, err := ev.eval(n, it, env)
		if err != nil {
			return nil, err
		}
		for _, st := range n.stages {
			if st.filter != nil {
				if res, err = ev.filter(st.filter, res, env); err != nil {
					return nil, err
				}
			}
		}
		if res != undef {
			results = append(results, res)
		}
	}
	if last && len(results) == 1 {
		if _, ok := asArray(results[0]); ok && !isSequence(results[0]) {
			return results[0], nil
		}
	}
	out := &seqv{sequence: true, a: make([]any, 0, len(results))}
	for _, r := range results {
		if a, ok := asArray(r); ok && !isCons(r) {
			out.a = append(out.a, a...)
		} else {
			out.a = append(out.a, r)
		}
		if len(out.a) > maxSeqLen {
			return nil, tooLarge(n.pos)
		}
	}
	return out, nil
}

func (ev *evaluator) stages(stages []stage, input any, env *frame) (any, error) {
	res := input
	for _, st := range stages {
		if st.filter != nil {
			var err error
			if res, err = ev.filter(st.filter, res, env); err != nil {
				return nil, err
			}
			continue
		}
		if a, ok := asArray(res); ok {
			for i, t := range a {
				if tt, ok := t.(tuple); ok {
					tt[st.index] = float64(i)
				}
			}
		}
	}
	return res, nil
}

func (ev *evaluator) tupleStep(n *node, input []any, tuples []tuple, have bool, env *frame) ([]tuple, error) {
	if n.kind == kSort {
		var sorted any
		var err error
		if have {
			sorted, err = ev.sortStep(n, tuplesToAny(tuples), true, env)
			if err != nil {
				return nil, err
			}
		} else {
			s, err := ev.sortStep(n, input, false, env)
			if err != nil {
				return nil, err
			}
			a, _ := asArray(s)
			ts := make([]any, len(a))
			for i, it := range a {
				t := tuple{"@": it}
				if n.hasIndex {
					t[n.index] = float64(i)
				}
				ts[i] = t
			}
			sorted = &seqv{sequence: true, tupleStream: true, a: ts}
		}
		res, err := ev.stages(n.stages, sorted, env)
		if err != nil {
			return nil, err
		}
		return anyToTuples(res), nil
	}
	if !have {
		tuples = make([]tuple, len(input))
		for i, it := range input {
			tuples[i] = tuple{"@": it}
		}
	}
	var out []tuple
	for _, tb := range tuples {
		stepEnv := frameFromTuple(env, tb)
		res, err := ev.eval(n, tb["@"], stepEnv)
		if err != nil {
			return nil, err
		}
		if res == undef {
			continue
		}
		items, ok := asArray(res)
		if !ok {
			items = []any{res}
		}
		ts := isTupleStream(res)
		for bb, r := range items {
			t := make(tuple, len(tb)+2)
			for k, v := range tb {
				t[k] = v
			}
			if ts {
				for k, v := range asTuple(r) {
					t[k] = v
				}
			} else {
				if n.hasFocus {
					t[n.focus] = r
					t["@"] = tb["@"]
				} else {
					t["@"] = r
				}
				if n.hasIndex {
					t[n.index] = float64(bb)
				}
				if n.ancestor != nil {
					t[n.ancestor.label] = tb["@"]
				}
			}
			out = append(out, t)
		}
	}
	if len(n.stages) > 0 {
		res, err := ev.stages(n.stages, &seqv{sequence: true, tupleStream: true, a: tuplesToAny(out)}, env)
		if err != nil {
			return nil, err
		}
		return anyToTuples(res), nil
	}
	return out, nil
}

func tuplesToAny(ts []tuple) []any {
	a := make([]any, len(ts))
	for i, t := range ts {
		a[i] = t
	}
	return a
}

func anyToTuples(v any) []tuple {
	a, ok := asArray(v)
	if !ok {
		if t, ok := v.(tuple); ok {
			return []tuple{t}
		}
		return nil
	}
	out := make([]tuple, 0, len(a))
	for _, x := range a {
		if t, ok := x.(tuple); ok {
			out = append(out, t)
		}
	}
	return out
}

// filter applies a predicate expression to each item of input.
func (ev *evaluator) filter(pred *node, input any, env *frame) (any, error) {
	results := &seqv{sequence: true}
	inTuple := isTupleStream(input)
	if inTuple {
		results.tupleStream = true
	}
	items, ok := asArray(input)
	if !ok {
		items = []any{input}
	}
	if pred.kind == kNumber && len(pred.preds) == 0 && pred.group == nil {
		idx := int(math.Floor(pred.num))
		if idx < 0 {
			idx += len(items)
		}
		if idx >= 0 && idx < len(items) {
			it := items[idx]
			if it != undef {
				if _, ok := asArray(it); ok {
					return it, nil
				}
				results.a = append(results.a, it)
			}
		}
		return results, nil
	}
	for index, it := range items {
		ctx := it
		e := env
		if inTuple {
			t := asTuple(it)
			ctx = t["@"]
			e = frameFromTuple(env, t)
		}
		res, err := ev.eval(pred, ctx, e)
		if err != nil {
			return nil, err
		}
		if isNumeric(res) {
			res = []any{res}
		}
		if isArrayOfNumbers(res) {
			a, _ := asArray(res)
			for _, x := range a {
				ii := int(math.Floor(x.(float64)))
				if ii < 0 {
					ii += len(items)
				}
				if ii == index {
					results.a = append(results.a, it)
				}
			}
		} else if truthy(res) {
			results.a = append(results.a, it)
		}
	}
	return results, nil
}

// groupBy evaluates an object constructor or group-by over input.
func (ev *evaluator) groupBy(g *groupSpec, input any, env *frame) (any, error) {
	reduce := isTupleStream(input)
	items, ok := asArray(input)
	if !ok {
		if len(g.pairs) <= 8 {
			return ev.objectOne(g, input, env)
		}
		items = []any{input}
	}
	if len(items) == 0 {
		items = []any{undef}
	}
	type entry struct {
		data      any
		list      *seqv // data once a second item arrives
		exprIndex int
	}
	groups := map[string]*entry{}
	var order []string
	for _, it := range items {
		e := env
		ctx := it
		if reduce {
			if t, ok := it.(tuple); ok {
				e = frameFromTuple(env, t)
				ctx = t["@"]
			} else {
				ctx = undef
			}
		}
		for pi, pair := range g.pairs {
			k, err := ev.eval(pair[0], ctx, e)
			if err != nil {
				return nil, err
			}
			if k == undef {
				continue
			}
			ks, ok := k.(string)
			if !ok {
				return nil, &Error{Code: "T1003", Position: g.pos, Value: k, Message: formatMessage("T1003", "", k, nil)}
			}
			if ex, ok := groups[ks]; ok {
				if ex.exprIndex != pi {
					return nil, &Error{Code: "D1009", Position: g.pos, Value: ks, Message: formatMessage("D1009", "", ks, nil)}
				}
				if ex.list == nil {
					ex.list = &seqv{}
					if a, ok := asArray(ex.data); ok {
						ex.list.a = append(ex.list.a, a...)
					} else {
						ex.list.a = append(ex.list.a, ex.data)
					}
					ex.data = ex.list
				}
				if a, ok := asArray(it); ok {
					ex.list.a = append(ex.list.a, a...)
				} else {
					ex.list.a = append(ex.list.a, it)
				}
			} else {
				groups[ks] = &entry{data: it, exprIndex: pi}
				order = append(order, ks)
			}
		}
	}
	res := NewObject(len(order))
	for _, k := range order {
		en := groups[k]
		ctx := en.data
		e := env
		if reduce {
			t := reduceTuples(en.data)
			ctx = t["@"]
			delete(t, "@")
			e = frameFromTuple(env, t)
		}
		v, err := ev.eval(g.pairs[en.exprIndex][1], ctx, e)
		if err != nil {
			return nil, err
		}
		if v != undef {
			res.Set(k, v)
		}
	}
	return res, nil
}

func reduceTuples(v any) tuple {
	a, ok := asArray(v)
	if !ok {
		t := asTuple(v)
		c := make(tuple, len(t))
		for k, x := range t {
			c[k] = x
		}
		return c
	}
	res := tuple{}
	if len(a) == 0 {
		return tuple{"@": undef}
	}
	for k, x := range asTuple(a[0]) {
		res[k] = x
	}
	for _, it := range a[1:] {
		for k, x := range asTuple(it) {
			res[k] = appendValues(res[k], x)
		}
	}
	return res
}

// appendValues is $append: both sides become arrays and are concatenated.
func appendValues(a, b any) any {
	if a == undef {
		return b
	}
	if b == undef {
		return a
	}
	out := &seqv{}
	if x, ok := asArray(a); ok {
		out.a = append(out.a, x...)
	} else {
		out.a = append(out.a, a)
	}
	if x, ok := asArray(b); ok {
		out.a = append(out.a, x...)
	} else {
		out.a = append(out.a, b)
	}
	return out
}

func (ev *evaluator) applyExpr(n *node, input any, env *frame) (any, error) {
	lhs, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if n.rhs.kind == kCall {
		return ev.call(n.rhs, input, env, lhs, true)
	}
	fn, err := ev.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	f, ok := fn.(callable)
	if !ok {
		return nil, &Error{Code: "T2006", Position: n.pos, Token: "~>", Value: fn, Message: messages["T2006"]}
	}
	if g, ok := lhs.(callable); ok {
		return &composedFn{first: g, second: f}, nil
	}
	return ev.apply(f, []any{lhs}, input, env, n.rhs.pos, "")
}

// asTuple returns v as a tuple; a stray non-tuple becomes its context.
func asTuple(v any) tuple {
	if t, ok := v.(tuple); ok {
		return t
	}
	return tuple{"@": v}
}

// objectOne is groupBy for a single context item: no grouping can occur,
// so keys are evaluated in order, then values, without the group tables.
func (ev *evaluator) objectOne(g *groupSpec, input any, env *frame) (any, error) {
	var keys [8]string
	var have [8]bool
	n := 0
	for pi, pair := range g.pairs {
		k, err := ev.eval(pair[0], input, env)
		if err != nil {
			return nil, err
		}
		if k == undef {
			continue
		}
		ks, ok := k.(string)
		if !ok {
			return nil, &Error{Code: "T1003", Position: g.pos, Value: k, Message: formatMessage("T1003", "", k, nil)}
		}
		for j := 0; j < pi; j++ {
			if have[j] && keys[j] == ks {
				return nil, &Error{Code: "D1009", Position: g.pos, Value: ks, Message: formatMessage("D1009", "", ks, nil)}
			}
		}
		keys[pi], have[pi] = ks, true
		n++
	}
	res := NewObject(n)
	for pi, pair := range g.pairs {
		if !have[pi] {
			continue
		}
		v, err := ev.eval(pair[1], input, env)
		if err != nil {
			return nil, err
		}
		if v != undef {
			res.Set(keys[pi], v)
		}
	}
	return res, nil
}
