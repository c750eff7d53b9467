package jsonata

// frame is one scope of variable bindings. Frames are created per block,
// per function call and per tuple; lookups walk to the parent.
type frame struct {
	parent *frame
	names  []string
	vals   []any
}

func newFrame(parent *frame) *frame { return &frame{parent: parent} }

func (f *frame) bind(name string, v any) {
	for i, n := range f.names {
		if n == name {
			f.vals[i] = v
			return
		}
	}
	f.names = append(f.names, name)
	f.vals = append(f.vals, v)
}

func (f *frame) lookup(name string) (any, bool) {
	for fr := f; fr != nil; fr = fr.parent {
		for i := len(fr.names) - 1; i >= 0; i-- {
			if fr.names[i] == name {
				return fr.vals[i], true
			}
		}
	}
	return nil, false
}

func frameFromTuple(env *frame, t tuple) *frame {
	f := &frame{parent: env, names: make([]string, 0, len(t)), vals: make([]any, 0, len(t))}
	for k, v := range t {
		f.names = append(f.names, k)
		f.vals = append(f.vals, v)
	}
	return f
}
