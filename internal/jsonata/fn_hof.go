package jsonata

// Higher-order functions and $eval.

func (c *callCtx) callFn(f callable, args ...any) (any, error) {
	if f == nil {
		return nil, &Error{Code: "T1006", Position: c.pos, Token: c.name, Message: messages["T1006"]}
	}
	return c.ev.apply(f, args, c.input, c.env, c.pos, c.name)
}

func fnMap(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	a, _ := asArray(v)
	f, _ := arg(args, 1).(callable)
	res := &seqv{sequence: true}
	for i, it := range a {
		r, err := c.callFn(f, hofArgs(f, it, float64(i), v)...)
		if err != nil {
			return nil, err
		}
		if r != undef {
			res.a = append(res.a, r)
		}
	}
	return res, nil
}

func fnFilter(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	a, _ := asArray(v)
	f, _ := arg(args, 1).(callable)
	res := &seqv{sequence: true}
	for i, it := range a {
		r, err := c.callFn(f, hofArgs(f, it, float64(i), v)...)
		if err != nil {
			return nil, err
		}
		if truthy(r) {
			res.a = append(res.a, it)
		}
	}
	return res, nil
}

func fnSingle(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	a, _ := asArray(v)
	f, hasF := arg(args, 1).(callable)
	found := false
	var res any = undef
	for i, it := range a {
		ok := true
		if hasF {
			r, err := c.callFn(f, hofArgs(f, it, float64(i), v)...)
			if err != nil {
				return nil, err
			}
			ok = truthy(r)
		}
		if ok {
			if found {
				return nil, &Error{Code: "D3138", Position: -1, Message: messages["D3138"]}
			}
			found = true
			res = it
		}
	}
	if !found {
		return nil, &Error{Code: "D3139", Position: -1, Message: messages["D3139"]}
	}
	return res, nil
}

func fnReduce(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	a, _ := asArray(v)
	f, ok := arg(args, 1).(callable)
	if !ok {
		return nil, &Error{Code: "T1006", Position: c.pos, Token: c.name, Message: messages["T1006"]}
	}
	n := f.arity()
	if n < 2 {
		return nil, &Error{Code: "D3050", Position: -1, Message: messages["D3050"]}
	}
	init := arg(args, 2)
	var acc any
	i := 0
	if init == undef && len(a) > 0 {
		acc = a[0]
		i = 1
	} else {
		acc = init
	}
	for ; i < len(a); i++ {
		fa := []any{acc, a[i]}
		if n >= 3 {
			fa = append(fa, float64(i))
		}
		if n >= 4 {
			fa = append(fa, v)
		}
		r, err := c.callFn(f, fa...)
		if err != nil {
			return nil, err
		}
		acc = r
	}
	return acc, nil
}

func fnSift(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	f, _ := arg(args, 1).(callable)
	if !isObject(v) || f == nil {
		return undef, nil
	}
	res := NewObject(4)
	for _, k := range objKeys(v) {
		x, _ := objGet(v, k)
		r, err := c.callFn(f, hofArgs(f, x, k, v)...)
		if err != nil {
			return nil, err
		}
		if truthy(r) {
			res.Set(k, x)
		}
	}
	if res.Len() == 0 {
		return undef, nil
	}
	return res, nil
}

func fnEach(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	f, _ := arg(args, 1).(callable)
	if !isObject(v) || f == nil {
		return undef, nil
	}
	res := &seqv{sequence: true}
	for _, k := range objKeys(v) {
		x, _ := objGet(v, k)
		r, err := c.callFn(f, hofArgs(f, x, k, v)...)
		if err != nil {
			return nil, err
		}
		if r != undef {
			res.a = append(res.a, r)
		}
	}
	return res, nil
}

func fnZip(c callCtx, args []any) (any, error) {
	var arrays [][]any
	for _, a := range args {
		if a == undef {
			return &seqv{}, nil
		}
		x, ok := asArray(a)
		if !ok {
			x = []any{a}
		}
		arrays = append(arrays, x)
	}
	res := &seqv{}
	if len(arrays) == 0 {
		return res, nil
	}
	n := len(arrays[0])
	for _, a := range arrays {
		if len(a) < n {
			n = len(a)
		}
	}
	for i := 0; i < n; i++ {
		t := &seqv{}
		for _, a := range arrays {
			t.a = append(t.a, a[i])
		}
		res.a = append(res.a, t)
	}
	return res, nil
}

func fnSort(c callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == undef {
		return undef, nil
	}
	a, _ := asArray(v)
	if len(a) <= 1 {
		return v, nil
	}
	var greater func(x, y any) (bool, error)
	if f, ok := arg(args, 1).(callable); ok {
		greater = func(x, y any) (bool, error) {
			r, err := c.callFn(f, x, y)
			if err != nil {
				return false, err
			}
			return truthy(r), nil
		}
	} else {
		if isArrayOfNumbers(a) {
			greater = func(x, y any) (bool, error) { return x.(float64) > y.(float64), nil }
		} else if isArrayOfStrings(a) {
			greater = func(x, y any) (bool, error) { return compareUTF16(x.(string), y.(string)) > 0, nil }
		} else {
			return nil, &Error{Code: "D3070", Position: -1, Message: messages["D3070"]}
		}
	}
	out, err := mergeSort(append([]any(nil), a...), greater)
	if err != nil {
		return nil, err
	}
	return &seqv{a: out}, nil
}

func fnEval(c callCtx, args []any) (any, error) {
	src, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	root, err := parse(src)
	if err != nil {
		return nil, &Error{Code: "D3120", Position: -1, Value: err.Error(), Message: formatMessage("D3120", "", err.Error(), nil)}
	}
	input := c.input
	if len(args) > 1 && args[1] != undef {
		input = args[1]
		if _, ok := asArray(input); ok && !isSequence(input) {
			input = &seqv{a: []any{input}, sequence: true, outerWrapper: true}
		}
	}
	res, err := c.ev.eval(root, input, c.env)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Code == "U1001" {
			return nil, err
		}
		return nil, &Error{Code: "D3121", Position: -1, Value: err.Error(), Message: formatMessage("D3121", "", err.Error(), nil)}
	}
	return res, nil
}
