package jsonata

// mergeSort is a stable merge sort driven by a "greater" predicate: an
// item is placed after another when greater(item, other) holds. Errors
// from the predicate abort the sort.
func mergeSort(a []any, greater func(x, y any) (bool, error)) ([]any, error) {
	if len(a) <= 1 {
		return a, nil
	}
	mid := len(a) / 2
	l, err := mergeSort(a[:mid], greater)
	if err != nil {
		return nil, err
	}
	r, err := mergeSort(a[mid:], greater)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(a))
	for len(l) > 0 && len(r) > 0 {
		g, err := greater(l[0], r[0])
		if err != nil {
			return nil, err
		}
		if g {
			out = append(out, r[0])
			r = r[1:]
		} else {
			out = append(out, l[0])
			l = l[1:]
		}
	}
	out = append(out, l...)
	return append(out, r...), nil
}

// sortStep evaluates an order-by clause over input.
func (ev *evaluator) sortStep(n *node, input []any, tuples bool, env *frame) (any, error) {
	cmp := func(a, b any) (bool, error) {
		for _, term := range n.terms {
			ctxA, envA := a, env
			ctxB, envB := b, env
			if tuples {
				ta, tb := asTuple(a), asTuple(b)
				ctxA, envA = ta["@"], frameFromTuple(env, ta)
				ctxB, envB = tb["@"], frameFromTuple(env, tb)
			}
			av, err := ev.eval(term.expr, ctxA, envA)
			if err != nil {
				return false, err
			}
			bv, err := ev.eval(term.expr, ctxB, envB)
			if err != nil {
				return false, err
			}
			comp := 0
			switch {
			case av == undef && bv == undef:
				continue
			case av == undef:
				comp = 1
			case bv == undef:
				comp = -1
			default:
				aok := isString(av) || isNumber(av)
				bok := isString(bv) || isNumber(bv)
				if !aok || !bok {
					bad := av
					if aok {
						bad = bv
					}
					return false, &Error{Code: "T2008", Position: n.pos, Value: bad, Message: messages["T2008"]}
				}
				if isString(av) != isString(bv) {
					return false, &Error{Code: "T2007", Position: n.pos, Value: av, Value2: bv, Message: formatMessage("T2007", "", av, bv)}
				}
				if as, ok := av.(string); ok {
					comp = compareUTF16(as, bv.(string))
				} else {
					x, y := av.(float64), bv.(float64)
					switch {
					case x < y:
						comp = -1
					case x > y:
						comp = 1
					}
				}
				if term.descending {
					comp = -comp
				}
			}
			if comp != 0 {
				return comp == 1, nil
			}
		}
		return false, nil
	}
	sorted, err := mergeSort(append([]any(nil), input...), cmp)
	if err != nil {
		return nil, err
	}
	return &seqv{sequence: true, tupleStream: tuples, a: sorted}, nil
}
