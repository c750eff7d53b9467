package jsonata

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"
)

// DefaultMaxDepth bounds the nesting of evaluation when EvalOptions.MaxDepth
// is zero. Tail calls do not count towards it.
const DefaultMaxDepth = 2000

// Expr is a compiled JSONata expression. Eval is safe for concurrent use;
// Assign and RegisterFunction must complete before the Expr is shared.
type Expr struct {
	src  string
	root *node
	mu   sync.RWMutex
	base map[string]any // per-Expr bindings, already normalised
}

// Function is a Go function callable from an expression as $name.
type Function struct {
	// Signature optionally checks and coerces arguments, in JSONata
	// signature syntax such as "<s-n?:s>". Empty means no checking.
	Signature string
	// Fn receives the arguments as plain Go JSON values (Undefined for an
	// absent one) and returns a result; return Undefined for no result.
	Fn func(ctx context.Context, args []any) (any, error)
}

// EvalOptions tune one evaluation. The zero value is usable.
type EvalOptions struct {
	// Bindings are variables visible as $name (the key may be given with
	// or without the "$"), in addition to the Expr's.
	Bindings map[string]any
	// Functions are Go functions visible as $name.
	Functions map[string]Function
	// MaxDepth bounds evaluation nesting; 0 means DefaultMaxDepth.
	// Exceeding it fails with code U1001.
	MaxDepth int
	// TimeLimit bounds evaluation time; 0 means only ctx applies.
	// Exceeding it fails with code U1001.
	TimeLimit time.Duration
	// Now supplies the evaluation timestamp for $now() and $millis();
	// nil means time.Now.
	Now func() time.Time
	// OrderedObjects returns objects as *Object (key order kept) rather
	// than map[string]any.
	OrderedObjects bool
}

// CodeInternal is the Error code for a defect in the evaluator itself,
// reported instead of panicking.
const CodeInternal = "U1000"

// Compile parses an expression. Syntax errors are *Error with an S0xxx code.
func Compile(expr string) (*Expr, error) {
	root, err := safeParse(expr)
	if err != nil {
		return nil, err
	}
	return &Expr{src: expr, root: root}, nil
}

// safeParse is parse with a defect in the parser reported as an error.
func safeParse(expr string) (root *node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, &Error{Code: CodeInternal, Position: -1, Message: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	return parse(expr)
}

// MustCompile is Compile that panics on error, for package-level
// expressions known to be valid.
func MustCompile(expr string) *Expr {
	e, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the source text.
func (e *Expr) String() string { return e.src }

// Assign binds $name to value for every evaluation of e.
func (e *Expr) Assign(name string, value any) {
	v := canon(value)
	name = strings.TrimPrefix(name, "$")
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.base == nil {
		e.base = map[string]any{}
	}
	e.base[name] = v
}

// RegisterFunction makes fn callable as $name in every evaluation of e.
func (e *Expr) RegisterFunction(name string, fn Function) error {
	name = strings.TrimPrefix(name, "$")
	g, err := newGoFn(name, fn)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.base == nil {
		e.base = map[string]any{}
	}
	e.base[name] = g
	return nil
}

// Eval evaluates e against input, which is Go JSON data (map[string]any,
// []any, float64, string, bool, nil; other numeric types, json.Number and
// *Object are accepted). The result is Go JSON data, or Undefined when the
// expression yields nothing. Errors are *Error. opts may be nil.
func (e *Expr) Eval(ctx context.Context, input any, opts *EvalOptions) (result any, err error) {
	defer func() {
		// a defect in the evaluator must not take the caller down
		if r := recover(); r != nil {
			result, err = nil, &Error{Code: CodeInternal, Position: -1, Message: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	if opts == nil {
		opts = &EvalOptions{}
	}
	if opts.TimeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.TimeLimit)
		defer cancel()
	}
	ev := &evaluator{ctx: ctx, maxDepth: opts.MaxDepth, nowFn: opts.Now, ordered: opts.OrderedObjects}
	if ev.maxDepth <= 0 {
		ev.maxDepth = DefaultMaxDepth
	}
	in := canon(input)
	if a, ok := in.([]any); ok {
		in = &seqv{a: []any{a}, sequence: true, outerWrapper: true}
	}
	env := &ev.root
	if n := len(e.base) + len(opts.Bindings) + len(opts.Functions) + 1; n <= len(ev.rootVars) {
		env.vars = ev.rootVars[:0]
	} else {
		env.vars = make([]binding, 0, n)
	}
	e.mu.RLock()
	for k, v := range e.base {
		env.bind(k, v)
	}
	e.mu.RUnlock()
	for k, v := range opts.Bindings {
		env.bind(strings.TrimPrefix(k, "$"), canon(v))
	}
	for k, f := range opts.Functions {
		k = strings.TrimPrefix(k, "$")
		g, err := newGoFn(k, f)
		if err != nil {
			return nil, err
		}
		env.bind(k, g)
	}
	env.bind("$", in)
	res, err := ev.eval(e.root, in, env)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return nil, e
		}
		return nil, err
	}
	return toPublic(res, opts.OrderedObjects, true), nil
}

// goFn adapts a Function to the evaluator.
type goFn struct {
	name string
	sig  *signature
	fn   Function
}

func newGoFn(name string, f Function) (*goFn, error) {
	g := &goFn{name: name, fn: f}
	if f.Signature != "" {
		sig, err := parseSignature(f.Signature, 0)
		if err != nil {
			return nil, err
		}
		g.sig = sig
	}
	return g, nil
}

func (g *goFn) arity() int {
	if g.sig != nil {
		return len(g.sig.params)
	}
	return 1
}

func (g *goFn) invoke(ev *evaluator, args []any, input any) (any, error) {
	if g.sig != nil {
		var err error
		if args, err = g.sig.validate(args, input, g.name); err != nil {
			return nil, err
		}
	}
	pub := make([]any, len(args))
	for i, a := range args {
		pub[i] = toPublic(a, false, true)
	}
	res, err := g.fn.Fn(ev.ctx, pub)
	if err != nil {
		return nil, err
	}
	return canon(res), nil
}

// canon converts one caller value to evaluator form without descending
// into map[string]any and []any: their members are converted as they are
// read (objGet, lookupField, asArray), so large inputs cost nothing until
// an expression touches them.
func canon(v any) any {
	switch v.(type) {
	case nil, string, bool, float64, map[string]any, []any, *Object, *seqv, undefinedT, callable, tuple:
		return v
	}
	return normalize(v)
}

// isCanon reports whether v needs no conversion.
func isCanon(v any) bool {
	switch v.(type) {
	case nil, string, bool, float64, map[string]any, []any, *Object, *seqv, undefinedT, callable, tuple:
		return true
	}
	return false
}

// normalize converts caller data to evaluator values, copying only the
// containers that hold something to convert.
func normalize(v any) any {
	r, _ := norm(v)
	return r
}

func norm(v any) (any, bool) {
	switch x := v.(type) {
	case nil, string, bool, *Object, undefinedT:
		return v, false
	case float64:
		return v, false
	case map[string]any:
		var out map[string]any
		for k, it := range x {
			n, changed := norm(it)
			if changed {
				if out == nil {
					out = make(map[string]any, len(x))
					for k2, v2 := range x {
						out[k2] = v2
					}
				}
				out[k] = n
			}
		}
		if out != nil {
			return out, true
		}
		return v, false
	case []any:
		var out []any
		for i, it := range x {
			n, changed := norm(it)
			if changed {
				if out == nil {
					out = append([]any(nil), x...)
				}
				out[i] = n
			}
		}
		if out != nil {
			return out, true
		}
		return v, false
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String(), true
		}
		return f, true
	case Function:
		g, err := newGoFn("function", x)
		if err != nil {
			return undef, true
		}
		return g, true
	case callable:
		return v, false
	}
	// other Go values go through their JSON encoding
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return undef, true
	}
	out, err := ParseJSON(b)
	if err != nil {
		return undef, true
	}
	return out, true
}

// toPublic converts an evaluator value to caller data.
func toPublic(v any, ordered, top bool) any { return toPublicN(v, ordered, top, 0) }

func toPublicN(v any, ordered, top bool, depth int) any {
	if depth > maxNesting {
		return nil
	}
	switch x := v.(type) {
	case undefinedT:
		if top {
			return Undefined
		}
		return nil
	case *seqv:
		out := make([]any, len(x.a))
		for i, it := range x.a {
			out[i] = toPublicN(it, ordered, false, depth+1)
		}
		return out
	case []any:
		var out []any
		for i, it := range x {
			p := toPublicN(it, ordered, false, depth+1)
			if out == nil && !samePublic(p, it) {
				out = append([]any(nil), x...)
			}
			if out != nil {
				out[i] = p
			}
		}
		if out != nil {
			return out
		}
		return x
	case *Object:
		if ordered {
			o := NewObject(len(x.keys))
			for i, k := range x.keys {
				it := x.vals[i]
				if it == undef {
					continue
				}
				o.Set(k, toPublicN(it, ordered, false, depth+1))
			}
			return o
		}
		m := make(map[string]any, len(x.keys))
		for i, k := range x.keys {
			it := x.vals[i]
			if it == undef {
				continue
			}
			m[k] = toPublicN(it, ordered, false, depth+1)
		}
		return m
	case map[string]any:
		var out map[string]any
		for k, it := range x {
			p := toPublicN(it, ordered, false, depth+1)
			if out == nil && !samePublic(p, it) {
				out = make(map[string]any, len(x))
				for k2, v2 := range x {
					out[k2] = v2
				}
			}
			if out != nil {
				out[k] = p
			}
		}
		if out != nil {
			return out
		}
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		if x == 0 {
			return 0.0 // JSON has no negative zero
		}
		return v
	case callable:
		return &FunctionValue{fn: x}
	}
	return v
}

// samePublic reports whether conversion left a value unchanged (only
// scalars and unchanged containers compare equal cheaply).
func samePublic(p, v any) bool {
	switch v.(type) {
	case *seqv, *Object, callable, undefinedT:
		return false
	case []any:
		pa, ok := p.([]any)
		va := v.([]any)
		return ok && len(pa) == len(va) && (len(va) == 0 || &pa[0] == &va[0])
	case map[string]any:
		pm, ok := p.(map[string]any)
		return ok && reflect.ValueOf(pm).Pointer() == reflect.ValueOf(v).Pointer()
	}
	return true
}

// FunctionValue is a function returned as (part of) a result. It encodes
// to JSON as an empty string, as the reference's $string does.
type FunctionValue struct {
	fn callable
}

// MarshalJSON encodes a function as "".
func (f *FunctionValue) MarshalJSON() ([]byte, error) { return []byte(`""`), nil }
