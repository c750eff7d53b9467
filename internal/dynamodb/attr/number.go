package attr

import (
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// DynamoDB number limits: at most 38 significant digits, magnitudes from
// 1E-130 up to 9.9999999999999999999999999999999999999E+125 (plus zero).
const (
	maxDigits = 38
	maxExp    = 125  // largest adjusted exponent (scientific notation)
	minExp    = -130 // smallest adjusted exponent
)

// decimal is a number split into sign, significant digits (no leading or
// trailing zeros; empty for zero) and the adjusted exponent: the power of
// ten of the first digit, as in d.ddd×10^adj.
type decimal struct {
	neg    bool
	digits string
	adj    int
}

// ParseNumber validates DynamoDB number text and returns its canonical form:
// plain notation without exponent, leading zeros, trailing fraction zeros or
// a negative zero ("1.50" → "1.5", "1E+2" → "100", "-0" → "0"). Errors are
// *Error values with DynamoDB's messages.
func ParseNumber(s string) (string, error) {
	d, err := parseDecimal(s)
	if err != nil {
		return "", err
	}
	return d.text(), nil
}

// parseDecimal accepts the grammar Java's BigDecimal accepts:
// [+-] (digits [. [digits]] | . digits) [(e|E) [+-] digits].
func parseDecimal(s string) (decimal, error) {
	if s == "" {
		return decimal{}, validationf("%s", msgNumEmpty)
	}
	bad := func() (decimal, error) {
		return decimal{}, validationf("%s: %s", msgNumEmpty, s)
	}
	i := 0
	neg := false
	sawDigit := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	// Mantissa: collect the digits without the point and count those
	// after it; value = mant × 10^(exp - nFrac).
	var buf [64]byte
	mant := buf[:0]
	nFrac := 0
	seenPoint := false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			if len(mant) > 0 || c != '0' {
				mant = append(mant, c) // leading zeros carry no digit
			}
			if seenPoint {
				nFrac++
			}
			sawDigit = true
			continue
		}
		if c == '.' && !seenPoint {
			seenPoint = true
			continue
		}
		break
	}
	if !sawDigit {
		return bad()
	}
	// Exponent.
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return bad()
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return bad()
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return bad()
			}
			if exp < 1e9 { // clamp: anything this large is out of range anyway
				exp = exp*10 + int(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if len(mant) == 0 {
		return decimal{}, nil // zero, whatever the sign or exponent
	}
	adj := len(mant) - 1 + exp - nFrac
	digits := strings.TrimRight(string(mant), "0")
	d := decimal{neg: neg, digits: digits, adj: adj}
	switch {
	case adj > maxExp:
		return decimal{}, validationf("%s", msgNumOverflow)
	case adj < minExp:
		return decimal{}, validationf("%s", msgNumUnderflow)
	case len(digits) > maxDigits:
		return decimal{}, validationf("%s", msgNumPrecision)
	}
	return d, nil
}

// text renders d in DynamoDB's canonical plain notation.
func (d decimal) text() string {
	if d.digits == "" {
		return "0"
	}
	var sb strings.Builder
	if d.neg {
		sb.WriteByte('-')
	}
	n := len(d.digits)
	point := d.adj + 1 // digits before the decimal point
	switch {
	case point <= 0:
		sb.WriteString("0.")
		for range -point {
			sb.WriteByte('0')
		}
		sb.WriteString(d.digits)
	case point >= n:
		sb.WriteString(d.digits)
		for range point - n {
			sb.WriteByte('0')
		}
	default:
		sb.WriteString(d.digits[:point])
		sb.WriteByte('.')
		sb.WriteString(d.digits[point:])
	}
	return sb.String()
}

// sigParts splits canonical number text into its sign, its significant
// digits as two pieces to be read one after the other (integer and fraction
// parts, so no allocation is needed) and its adjusted exponent. Zero has no
// digits.
func sigParts(c string) (neg bool, hi, lo string, adj int) {
	if c == "0" {
		return false, "", "", 0
	}
	if c[0] == '-' {
		neg = true
		c = c[1:]
	}
	intPart, frac, _ := strings.Cut(c, ".")
	if intPart != "0" {
		if frac == "" {
			return neg, strings.TrimRight(intPart, "0"), "", len(intPart) - 1
		}
		return neg, intPart, frac, len(intPart) - 1
	}
	z := len(frac) - len(strings.TrimLeft(frac, "0"))
	return neg, frac[z:], "", -z - 1
}

// compareNum orders two canonical number texts numerically.
func compareNum(a, b string) int {
	an, bn := a[0] == '-', b[0] == '-'
	if an != bn {
		if an {
			return -1
		}
		return 1
	}
	if an {
		return compareMag(b[1:], a[1:])
	}
	return compareMag(a, b)
}

// compareMag orders two non-negative canonical texts.
func compareMag(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	return strings.Compare(af, bf)
}

// arithCtx is exact for any sum of two in-range numbers: the widest span is
// from 10^125 down to 10^-130 and 38 digits on each side.
var arithCtx = apd.Context{Precision: 400, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps}

// Add returns a+b for two N values, computed exactly. The result must
// itself be a valid DynamoDB number; if it is not, the *Error says why (a
// result needing more than 38 digits is an overflow, as in DynamoDB).
func Add(a, b Value) (Value, error) { return arith(a, b, false) }

// Sub returns a-b for two N values, with the same rules as Add.
func Sub(a, b Value) (Value, error) { return arith(a, b, true) }

func arith(a, b Value, sub bool) (Value, error) {
	var x, y, z apd.Decimal
	if _, _, err := x.SetString(a.s); err != nil {
		return Value{}, validationf("%s: %s", msgNumEmpty, a.s)
	}
	if _, _, err := y.SetString(b.s); err != nil {
		return Value{}, validationf("%s: %s", msgNumEmpty, b.s)
	}
	var err error
	if sub {
		_, err = arithCtx.Sub(&z, &x, &y)
	} else {
		_, err = arithCtx.Add(&z, &x, &y)
	}
	if err != nil {
		return Value{}, validationf("%s", msgNumOverflow)
	}
	v, err := N(z.Text('E'))
	if ae, ok := err.(*Error); ok && ae.Message == msgNumPrecision {
		// DynamoDB reports a result needing more than 38 digits (1e50 + 1)
		// as an overflow, not as too much precision.
		return Value{}, validationf("%s", msgNumOverflow)
	}
	return v, err
}
