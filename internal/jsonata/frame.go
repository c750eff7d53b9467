package jsonata

// frame is one scope of variable bindings. Frames are created per block,
// per function call and per tuple; lookups walk to the parent.
type frame struct {
	parent *frame
	vars   []binding
}

type binding struct {
	name string
	val  any
}

func newFrame(parent *frame) *frame { return &frame{parent: parent} }

func (f *frame) bind(name string, v any) {
	for i := range f.vars {
		if f.vars[i].name == name {
			f.vars[i].val = v
			return
		}
	}
	f.vars = append(f.vars, binding{name, v})
}

func (f *frame) lookup(name string) (any, bool) {
	for fr := f; fr != nil; fr = fr.parent {
		for i := len(fr.vars) - 1; i >= 0; i-- {
			if fr.vars[i].name == name {
				return fr.vars[i].val, true
			}
		}
	}
	return nil, false
}

func frameFromTuple(env *frame, t tuple) *frame {
	f := &frame{parent: env, vars: make([]binding, 0, len(t))}
	for k, v := range t {
		f.vars = append(f.vars, binding{k, v})
	}
	return f
}
