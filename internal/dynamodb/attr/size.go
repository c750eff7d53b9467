package attr

// Size returns the number of bytes DynamoDB counts for a value, following
// the rules in the developer guide ("Item sizes and formats"): strings and
// binaries by byte length, numbers about one byte per two significant digits
// plus one, booleans and nulls one byte, lists and maps three bytes plus one
// per element (and each map key's length), sets the sum of their members.
func Size(v Value) int {
	switch v.t {
	case TypeS, TypeB:
		return len(v.s)
	case TypeN:
		return numberSize(v.s)
	case TypeBOOL, TypeNULL:
		return 1
	case TypeL:
		n := 3
		for _, e := range v.l {
			n += 1 + Size(e)
		}
		return n
	case TypeM:
		n := 3
		for k, e := range v.m {
			n += 1 + len(k) + Size(e)
		}
		return n
	case TypeSS, TypeBS:
		n := 0
		for _, s := range v.set {
			n += len(s)
		}
		return n
	case TypeNS:
		n := 0
		for _, s := range v.set {
			n += numberSize(s)
		}
		return n
	}
	return 0
}

// numberSize is ceil(significant digits / 2) + 1, plus one for a negative
// number; zero takes one byte.
func numberSize(c string) int {
	neg, hi, lo, _ := sigParts(c)
	n := (len(hi)+len(lo)+1)/2 + 1
	if neg {
		n++
	}
	return n
}

// ItemSize returns the size DynamoDB counts for an item: the sum over its
// attributes of the name's byte length and the value's size. The 400 KB
// item limit (MaxItemSize) applies to this figure.
func ItemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + Size(v)
	}
	return n
}

// MaxItemSize is DynamoDB's item size limit in bytes.
const MaxItemSize = 400 * 1024
