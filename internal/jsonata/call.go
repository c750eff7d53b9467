package jsonata

import (
	"github.com/dlclark/regexp2"
)

// callable is a function value: a lambda, a built-in, a partial
// application, a composition, a regex matcher or a transform.
type callable interface {
	arity() int
}

// lambdaFn is a closure over the frame and context where it was defined.
type lambdaFn struct {
	node  *node
	env   *frame
	input any
}

func (l *lambdaFn) arity() int { return len(l.node.params) }

// callCtx is what a built-in sees of its caller.
type callCtx struct {
	ev    *evaluator
	input any
	env   *frame
	pos   int
	name  string
}

type builtinFn struct {
	name  string
	sig   *signature
	fn    func(c callCtx, args []any) (any, error)
	nargs int
}

func (b *builtinFn) arity() int { return b.nargs }

// partialFn is a function with some arguments fixed; holes are filled in
// order by the arguments of a later call.
type partialFn struct {
	fn    callable
	args  []any
	holes []int
}

func (p *partialFn) arity() int { return len(p.holes) }

// composedFn is f ~> g for two functions: g(f(x)).
type composedFn struct {
	first, second callable
}

func (c *composedFn) arity() int { return 1 }

// regexFn is a regex literal: called with a string it returns the first
// match object, with a next() function for the following match.
type regexFn struct {
	re *regexp2.Regexp
}

func (r *regexFn) arity() int { return 1 }

// transformFn is a | pattern | update, delete | expression.
type transformFn struct {
	node *node
	env  *frame
}

func (t *transformFn) arity() int { return 1 }

// matchNextFn is the next() function of a regex match object.
type matchNextFn struct {
	re    *regexp2.Regexp
	str   string
	start int // rune offset to search from
}

func (m *matchNextFn) arity() int { return 0 }

func (ev *evaluator) call(n *node, input any, env *frame, applyTo any, hasApplyTo bool) (any, error) {
	proc, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if proc == undef && n.lhs.kind == kPath && len(n.lhs.exprs) > 0 {
		if _, ok := ev.lookupVar(env, n.lhs.exprs[0].op); ok {
			name := n.lhs.exprs[0].op
			return nil, &Error{Code: "T1005", Position: n.pos, Token: name, Message: "Attempted to invoke a non-function. Did you mean $" + name + "?"}
		}
	}
	args := make([]any, 0, len(n.exprs)+1)
	if hasApplyTo {
		args = append(args, applyTo)
	}
	for _, a := range n.exprs {
		v, err := ev.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return ev.apply(proc, args, input, env, n.pos, n.procName)
}

func (ev *evaluator) partial(n *node, input any, env *frame) (any, error) {
	args := make([]any, len(n.exprs))
	var holes []int
	for i, a := range n.exprs {
		if a.kind == kPlaceholder {
			holes = append(holes, i)
			continue
		}
		v, err := ev.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	proc, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	f, ok := proc.(callable)
	if !ok {
		if proc == undef && n.lhs.kind == kPath && len(n.lhs.exprs) > 0 {
			if _, ok := ev.lookupVar(env, n.lhs.exprs[0].op); ok {
				name := n.lhs.exprs[0].op
				return nil, &Error{Code: "T1007", Position: n.pos, Token: name, Message: "Attempted to partially apply a non-function. Did you mean $" + name + "?"}
			}
		}
		return nil, &Error{Code: "T1008", Position: n.pos, Token: n.procName, Message: messages["T1008"]}
	}
	return &partialFn{fn: f, args: args, holes: holes}, nil
}

// apply invokes proc, running tail calls in a loop.
func (ev *evaluator) apply(proc any, args []any, input any, env *frame, pos int, name string) (any, error) {
	res, err := ev.applyInner(proc, args, input, env, pos, name)
	for err == nil {
		th, ok := res.(*lambdaFn)
		if !ok || !th.node.thunk {
			break
		}
		call := th.node.body
		next, err2 := ev.eval(call.lhs, th.input, th.env)
		if err2 != nil {
			return nil, err2
		}
		targs := make([]any, 0, len(call.exprs))
		for _, a := range call.exprs {
			v, err2 := ev.eval(a, th.input, th.env)
			if err2 != nil {
				return nil, err2
			}
			targs = append(targs, v)
		}
		if err2 := ev.enter(call); err2 != nil {
			return nil, err2
		}
		ev.depth--
		res, err = ev.applyInner(next, targs, th.input, th.env, call.pos, call.procName)
	}
	return res, err
}

func (ev *evaluator) applyInner(proc any, args []any, input any, env *frame, pos int, name string) (any, error) {
	res, err := ev.applyInner2(proc, args, input, env, pos, name)
	if e, ok := err.(*Error); ok {
		if e.Token == "" && name != "" {
			e.Token = name
			if idx, ok := e.Value2.(argIndex); ok {
				e.Message = argMessage(e.Code, name, int(idx), e.subtype)
			}
		}
		if e.Position < 0 {
			e.Position = pos
		}
	}
	return res, err
}

type argIndex int

func (ev *evaluator) applyInner2(proc any, args []any, input any, env *frame, pos int, name string) (any, error) {
	switch f := proc.(type) {
	case *lambdaFn:
		if f.node.sig != nil {
			var err error
			if args, err = f.node.sig.validate(args, input, name); err != nil {
				return nil, err
			}
		}
		fr := newFrame(f.env)
		for i, p := range f.node.params {
			if i < len(args) {
				fr.bind(p, args[i])
			} else {
				fr.bind(p, undef)
			}
		}
		return ev.eval(f.node.body, f.input, fr)
	case *builtinFn:
		if f.sig != nil {
			var err error
			if args, err = f.sig.validate(args, input, name); err != nil {
				return nil, err
			}
		}
		c := callCtx{ev: ev, input: input, env: env, pos: pos, name: f.name}
		return f.fn(c, args)
	case *partialFn:
		full := make([]any, len(f.args))
		copy(full, f.args)
		for i, h := range f.holes {
			if i < len(args) {
				full[h] = args[i]
			} else {
				full[h] = undef
			}
		}
		if b, ok := f.fn.(*builtinFn); ok {
			// natives applied partially skip signature checks
			for len(full) < b.nargs {
				full = append(full, undef)
			}
			c := callCtx{ev: ev, input: input, env: env, pos: pos, name: b.name}
			return b.fn(c, full)
		}
		return ev.apply(f.fn, full, input, env, pos, name)
	case *composedFn:
		var a any = undef
		if len(args) > 0 {
			a = args[0]
		}
		r, err := ev.apply(f.first, []any{a}, input, env, pos, name)
		if err != nil {
			return nil, err
		}
		return ev.apply(f.second, []any{r}, input, env, pos, name)
	case *regexFn:
		var a any = undef
		if len(args) > 0 {
			a = args[0]
		}
		s, ok := a.(string)
		if !ok {
			return undef, nil
		}
		return regexMatchObject(f.re, s, 0)
	case *matchNextFn:
		return regexMatchObject(f.re, f.str, f.start)
	case *transformFn:
		var a any = undef
		if len(args) > 0 {
			a = args[0]
		}
		return ev.transform(f, a)
	case *goFn:
		return f.invoke(ev, args, input)
	}
	return nil, &Error{Code: "T1006", Position: pos, Token: name, Message: messages["T1006"]}
}

// hofArgs trims the (value, index, array) arguments a higher-order
// function passes to the arity of the callback.
func hofArgs(f callable, vals ...any) []any {
	if f == nil {
		return vals
	}
	n := f.arity()
	if _, ok := f.(*builtinFn); !ok {
		if n < 1 {
			n = 1
		}
	}
	if n > len(vals) {
		n = len(vals)
	}
	if n < 1 {
		n = 1
	}
	return vals[:n]
}

func (ev *evaluator) transform(t *transformFn, obj any) (any, error) {
	if obj == undef {
		return undef, nil
	}
	n := t.node
	cloneFn, ok := ev.lookupVar(t.env, "clone")
	cf, isFn := cloneFn.(callable)
	if !ok || !isFn {
		return nil, &Error{Code: "T2013", Position: n.pos, Message: messages["T2013"]}
	}
	result, err := ev.apply(cf, []any{obj}, nil, t.env, n.pos, "clone")
	if err != nil {
		return nil, err
	}
	matches, err := ev.eval(n.pattern, result, t.env)
	if err != nil {
		return nil, err
	}
	if matches == undef {
		return result, nil
	}
	ms, ok := asArray(matches)
	if !ok {
		ms = []any{matches}
	}
	for _, m := range ms {
		update, err := ev.eval(n.update, m, t.env)
		if err != nil {
			return nil, err
		}
		mo, _ := m.(*Object)
		if update != undef {
			if !isObject(update) {
				return nil, &Error{Code: "T2011", Position: n.update.pos, Value: update, Message: formatMessage("T2011", "", update, nil)}
			}
			if mo != nil {
				for _, k := range objKeys(update) {
					v, _ := objGet(update, k)
					mo.Set(k, v)
				}
			}
		}
		if n.del != nil {
			dels, err := ev.eval(n.del, m, t.env)
			if err != nil {
				return nil, err
			}
			if dels != undef {
				da, ok := asArray(dels)
				if !ok {
					da = []any{dels}
				}
				if !isArrayOfStrings(da) {
					return nil, &Error{Code: "T2012", Position: n.del.pos, Value: dels, Message: formatMessage("T2012", "", dels, nil)}
				}
				if mo != nil {
					for _, d := range da {
						mo.Delete(d.(string))
					}
				}
			}
		}
	}
	return result, nil
}
