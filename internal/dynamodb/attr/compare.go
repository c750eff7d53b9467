package attr

import "strings"

// Compare orders two scalars of the same type the way DynamoDB does: N
// numerically, S by UTF-8 bytes, B by unsigned bytes. ok is false when the
// types differ or are not S, N or B; such values never satisfy <, <=, >, >=
// or BETWEEN.
func Compare(a, b Value) (c int, ok bool) {
	if a.t != b.t {
		return 0, false
	}
	switch a.t {
	case TypeN:
		return compareNum(a.s, b.s), true
	case TypeS, TypeB:
		return strings.Compare(a.s, b.s), true
	}
	return 0, false
}

// Equal reports deep equality: same type and value; sets compare as sets
// (order ignored), lists element-wise, maps key-wise.
func Equal(a, b Value) bool {
	if a.t != b.t {
		return false
	}
	switch a.t {
	case 0:
		return true
	case TypeS, TypeN, TypeB:
		return a.s == b.s // numbers are canonical, so text equality is numeric
	case TypeBOOL, TypeNULL:
		return a.b == b.b
	case TypeL:
		if len(a.l) != len(b.l) {
			return false
		}
		for i := range a.l {
			if !Equal(a.l[i], b.l[i]) {
				return false
			}
		}
		return true
	case TypeM:
		if len(a.m) != len(b.m) {
			return false
		}
		for k, av := range a.m {
			bv, ok := b.m[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	}
	// Sets: members are unique, so equal length and inclusion suffice.
	if len(a.set) != len(b.set) {
		return false
	}
	if len(a.set) < 16 {
		for _, s := range a.set {
			found := false
			for _, t := range b.set {
				if s == t {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	in := make(map[string]struct{}, len(b.set))
	for _, s := range b.set {
		in[s] = struct{}{}
	}
	for _, s := range a.set {
		if _, ok := in[s]; !ok {
			return false
		}
	}
	return true
}

// EqualItems reports whether two items hold the same attributes and values.
func EqualItems(a, b Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !Equal(av, bv) {
			return false
		}
	}
	return true
}
