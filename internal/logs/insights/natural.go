package insights

import (
	"strconv"
	"strings"
)

// sortCompare orders values as Insights' sort does ("an updated version of
// natural sorting"): every non-number value before every number value;
// numbers by value; other values chunk by chunk, where runs of digits
// compare by length and then value, and everything else by Unicode order.
func sortCompare(a, b any) int {
	x, aNum := sortNumber(a)
	y, bNum := sortNumber(b)
	switch {
	case aNum && bNum:
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return strings.Compare(toString(a), toString(b)) // "01" before "1"
	case aNum:
		return 1
	case bNum:
		return -1
	}
	return naturalCompare(toString(a), toString(b))
}

// sortNumber reports whether v is a number value: a number, a time, or a
// string of digits only.
func sortNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case Time:
		return float64(x), true
	case string:
		if x == "" || strings.Trim(x, "0123456789") != "" {
			return 0, false
		}
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ca, ra := chunk(a)
		cb, rb := chunk(b)
		if isDigit(ca[0]) && isDigit(cb[0]) {
			if len(ca) != len(cb) {
				if len(ca) < len(cb) {
					return -1
				}
				return 1
			}
		}
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// chunk splits off the leading run of digits or of non-digits.
func chunk(s string) (string, string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
