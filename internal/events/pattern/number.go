package pattern

// Numbers are compared the way EventBridge compares them: as fixed-point
// values with six digits after the decimal point, within ±5.0e9 inclusive.
// A value is held as an int64 count of millionths, so 1e2, 100 and 100.0 are
// the same number and 3.0e2 matches 300.

const (
	maxMicros = 5_000_000_000 * 1_000_000 // 5.0e9 in millionths
	// rangeMsg is the engine's text for a pattern number outside the range.
	rangeMsg = "Value must be between -5.0E9 and 5.0E9, inclusive"
)

// parseMicros converts a JSON number literal to millionths. Digits past the
// sixth decimal place are dropped (rounding toward negative infinity, as the
// engine's conversion does). ok is false when lit is not a JSON number or
// lies outside ±5.0e9.
func parseMicros(lit string) (v int64, ok bool) {
	i, n := 0, len(lit)
	neg := false
	if i < n && lit[i] == '-' {
		neg = true
		i++
	}
	// Significant digits, without leading zeros, at most 40 kept.
	var digits [40]byte
	nd := 0
	dropped := false // a non-zero digit was dropped because of the cap
	exp := 0         // decimal exponent applied to digits
	sawDigit := false
	for i < n && lit[i] >= '0' && lit[i] <= '9' {
		sawDigit = true
		if nd == 0 && lit[i] == '0' {
			i++
			continue
		}
		if nd < len(digits) {
			digits[nd] = lit[i]
			nd++
		} else {
			exp++
		}
		i++
	}
	if !sawDigit {
		return 0, false
	}
	if i < n && lit[i] == '.' {
		i++
		frac := false
		for i < n && lit[i] >= '0' && lit[i] <= '9' {
			frac = true
			if nd == 0 && lit[i] == '0' {
				exp--
				i++
				continue
			}
			if nd < len(digits) {
				digits[nd] = lit[i]
				nd++
				exp--
			} else if lit[i] != '0' {
				dropped = true
			}
			i++
		}
		if !frac {
			return 0, false
		}
	}
	if i < n && (lit[i] == 'e' || lit[i] == 'E') {
		i++
		eneg := false
		if i < n && (lit[i] == '+' || lit[i] == '-') {
			eneg = lit[i] == '-'
			i++
		}
		e := 0
		sawE := false
		for i < n && lit[i] >= '0' && lit[i] <= '9' {
			sawE = true
			if e < 100000 {
				e = e*10 + int(lit[i]-'0')
			}
			i++
		}
		if !sawE {
			return 0, false
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != n {
		return 0, false
	}
	if nd == 0 {
		return 0, true
	}
	// value = digits × 10^exp; millionths = digits × 10^(exp+6).
	k := exp + 6
	if k < 0 {
		if -k >= nd {
			dropped = true
			nd = 0
		} else {
			for _, d := range digits[nd+k : nd] {
				if d != '0' {
					dropped = true
				}
			}
			nd += k
		}
		k = 0
	}
	if nd+k > 16 {
		return 0, false
	}
	var u int64
	for _, d := range digits[:nd] {
		u = u*10 + int64(d-'0')
	}
	for ; k > 0; k-- {
		u *= 10
	}
	if neg {
		u = -u
		if dropped {
			u--
		}
	}
	if u > maxMicros || u < -maxMicros {
		return 0, false
	}
	return u, true
}
