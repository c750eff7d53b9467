package jsonata

import (
	"math"
	"strconv"
	"strings"
)

// decimalFormat holds the $formatNumber properties (XPath decimal format).
type decimalFormat struct {
	decimal, grouping, exponent, percent, permille, digit, pattern, minus string
	zero                                                                  rune
}

type numberPicture struct {
	prefix, suffix              string
	intGroups                   []int
	regular                     int
	fracGroups                  []int
	minInt, scaling             int
	minFrac, maxFrac, minExpDig int
	hasExp                      bool
	picture                     string
}

func (d *decimalFormat) isFamily(r rune) bool { return r >= d.zero && r <= d.zero+9 }

func (d *decimalFormat) isActive(r rune) bool {
	s := string(r)
	return d.isFamily(r) || s == d.decimal || s == d.grouping || s == d.digit || s == d.pattern || s == d.exponent
}

func fnFormatNumber(c callCtx, args []any) (any, error) {
	value, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	picture, _ := arg(args, 1).(string)
	d := &decimalFormat{decimal: ".", grouping: ",", exponent: "e", percent: "%", permille: "\u2030", digit: "#", pattern: ";", minus: "-", zero: '0'}
	if opts := arg(args, 2); isObject(opts) {
		for _, k := range objKeys(opts) {
			v, _ := objGet(opts, k)
			s, ok := v.(string)
			if !ok {
				continue
			}
			switch k {
			case "decimal-separator":
				d.decimal = s
			case "grouping-separator":
				d.grouping = s
			case "exponent-separator":
				d.exponent = s
			case "percent":
				d.percent = s
			case "per-mille":
				d.permille = s
			case "digit":
				d.digit = s
			case "pattern-separator":
				d.pattern = s
			case "minus-sign":
				d.minus = s
			case "zero-digit":
				if r := []rune(s); len(r) > 0 {
					d.zero = r[0]
				}
			}
		}
	}
	subs := strings.Split(picture, d.pattern)
	if len(subs) > 2 {
		return nil, pictureErr("D3080", picture)
	}
	pics := make([]*numberPicture, len(subs))
	for i, sp := range subs {
		p, err := d.analyse(sp)
		if err != nil {
			return nil, err
		}
		pics[i] = p
	}
	pic := pics[0]
	if value < 0 && len(pics) == 2 {
		pic = pics[1]
	}
	switch {
	case math.IsNaN(value):
		return "NaN", nil
	case math.IsInf(value, 0):
		if value < 0 && len(pics) == 1 {
			return d.minus + pic.prefix + "Infinity" + pic.suffix, nil
		}
		return pic.prefix + "Infinity" + pic.suffix, nil
	}
	adjusted := math.Abs(value)
	if strings.Contains(pic.picture, d.percent) {
		adjusted *= 100
	} else if strings.Contains(pic.picture, d.permille) {
		adjusted *= 1000
	}
	mantissa := adjusted
	exponent := 0
	if pic.minExpDig > 0 || pic.hasExp {
		maxM := math.Pow(10, float64(pic.scaling))
		minM := math.Pow(10, float64(pic.scaling-1))
		if mantissa != 0 {
			for mantissa < minM {
				mantissa *= 10
				exponent--
			}
			for mantissa > maxM {
				mantissa /= 10
				exponent++
			}
		}
	}
	rounded := roundHalfEven(mantissa, pic.maxFrac)
	str := d.digits(strconv.FormatFloat(math.Abs(rounded), 'f', pic.maxFrac, 64))
	zero := string(d.zero)
	if i := strings.IndexByte(str, '.'); i < 0 {
		str += d.decimal
	} else {
		str = str[:i] + d.decimal + str[i+1:]
	}
	for strings.HasPrefix(str, zero) {
		str = str[len(zero):]
	}
	for strings.HasSuffix(str, zero) {
		str = str[:len(str)-len(zero)]
	}
	rs := []rune(str)
	dec := []rune(d.decimal)[0]
	decPos := runeIndex(rs, dec)
	padLeft := pic.minInt - decPos
	padRight := pic.minFrac - (len(rs) - decPos - 1)
	if padLeft > 0 {
		rs = append([]rune(strings.Repeat(zero, padLeft)), rs...)
	}
	if padRight > 0 {
		rs = append(rs, []rune(strings.Repeat(zero, padRight))...)
	}
	grp := []rune(d.grouping)
	insert := func(at int) {
		out := make([]rune, 0, len(rs)+len(grp))
		out = append(out, rs[:at]...)
		out = append(out, grp...)
		rs = append(out, rs[at:]...)
	}
	decPos = runeIndex(rs, dec)
	if pic.regular > 0 {
		groups := (decPos - 1) / pic.regular
		for g := 1; g <= groups; g++ {
			insert(decPos - g*pic.regular)
		}
	} else {
		for _, pos := range pic.intGroups {
			if decPos-pos > 0 {
				insert(decPos - pos)
				decPos += len(grp)
			}
		}
	}
	decPos = runeIndex(rs, dec)
	for _, pos := range pic.fracGroups {
		if at := pos + decPos + 1; at < len(rs) {
			insert(at)
		}
	}
	decPos = runeIndex(rs, dec)
	if pic.minFrac == 0 && decPos == len(rs)-1 {
		rs = rs[:len(rs)-1]
	}
	out := string(rs)
	if pic.hasExp {
		e := d.digits(strconv.Itoa(int(math.Abs(float64(exponent)))))
		if pad := pic.minExpDig - len([]rune(e)); pad > 0 {
			e = strings.Repeat(zero, pad) + e
		}
		sign := ""
		if exponent < 0 {
			sign = d.minus
		}
		out += d.exponent + sign + e
	}
	out = pic.prefix + out + pic.suffix
	if value < 0 && len(pics) == 1 && rounded != 0 {
		out = d.minus + out
	}
	return out, nil
}

func runeIndex(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

// digits maps ASCII digits to the format's digit family.
func (d *decimalFormat) digits(s string) string {
	if d.zero == '0' {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(d.zero + (r - '0'))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (d *decimalFormat) analyse(sub string) (*numberPicture, error) {
	rs := []rune(sub)
	first, last := -1, -1
	for i, r := range rs {
		if d.isActive(r) && string(r) != d.exponent {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil, pictureErr("D3086", sub)
	}
	prefix := string(rs[:first])
	suffix := string(rs[last+1:])
	active := rs[first : last+1]
	mantissa := active
	var expPart []rune
	hasExp := false
	for i, r := range active {
		if string(r) == d.exponent && i > 0 {
			mantissa = active[:i]
			expPart = active[i+1:]
			hasExp = true
			break
		}
	}
	var intPart, fracPart []rune
	decIdx := -1
	for i, r := range mantissa {
		if string(r) == d.decimal {
			decIdx = i
			break
		}
	}
	if decIdx < 0 {
		intPart = mantissa
	} else {
		intPart = mantissa[:decIdx]
		fracPart = mantissa[decIdx+1:]
	}
	// validation, in the reference's order: the last failure wins
	code := ""
	if strings.Count(sub, d.decimal) > 1 {
		code = "D3081"
	}
	if strings.Count(sub, d.percent) > 1 {
		code = "D3082"
	}
	if strings.Count(sub, d.permille) > 1 {
		code = "D3083"
	}
	if strings.Contains(sub, d.percent) && strings.Contains(sub, d.permille) {
		code = "D3084"
	}
	valid := false
	for _, r := range mantissa {
		if d.isFamily(r) || string(r) == d.digit {
			valid = true
			break
		}
	}
	if !valid {
		code = "D3085"
	}
	types := make([]byte, len(active))
	for i, r := range active {
		if d.isActive(r) {
			types[i] = 'a'
		} else {
			types[i] = 'p'
		}
	}
	if strings.Contains(string(types), "p") {
		t := strings.Trim(string(types), "p")
		if strings.Contains(t, "p") {
			code = "D3086"
		}
	}
	subRunes := rs
	for i, r := range subRunes {
		if string(r) != d.decimal {
			continue
		}
		if (i > 0 && string(subRunes[i-1]) == d.grouping) || (i+1 < len(subRunes) && string(subRunes[i+1]) == d.grouping) {
			code = "D3087"
		}
	}
	if decIdx < 0 && len(intPart) > 0 && string(intPart[len(intPart)-1]) == d.grouping {
		code = "D3088"
	}
	if strings.Contains(sub, d.grouping+d.grouping) {
		code = "D3089"
	}
	if i := runeIndex(intPart, []rune(d.digit)[0]); i >= 0 {
		for _, r := range intPart[:i] {
			if d.isFamily(r) {
				code = "D3090"
			}
		}
	}
	if i := lastRuneIndex(fracPart, []rune(d.digit)[0]); i >= 0 {
		for _, r := range fracPart[i:] {
			if d.isFamily(r) {
				code = "D3091"
			}
		}
	}
	if hasExp && len(expPart) > 0 && (strings.Contains(sub, d.percent) || strings.Contains(sub, d.permille)) {
		code = "D3092"
	}
	if hasExp {
		bad := len(expPart) == 0
		for _, r := range expPart {
			if !d.isFamily(r) {
				bad = true
			}
		}
		if bad {
			code = "D3093"
		}
	}
	if code != "" {
		return nil, pictureErr(code, sub)
	}
	p := &numberPicture{prefix: prefix, suffix: suffix, hasExp: hasExp, picture: sub}
	// grouping positions in the integer part, counted in digits from the right
	countDigits := func(rs []rune) int {
		n := 0
		for _, r := range rs {
			if d.isFamily(r) || string(r) == d.digit {
				n++
			}
		}
		return n
	}
	var gs []groupSep
	for i, r := range intPart {
		if string(r) == d.grouping {
			pos := countDigits(intPart[i:])
			p.intGroups = append(p.intGroups, pos)
			gs = append(gs, groupSep{pos: pos, sep: d.grouping})
		}
	}
	p.regular = regularGrouping(gs)
	for i, r := range fracPart {
		if string(r) == d.grouping {
			p.fracGroups = append(p.fracGroups, countDigits(fracPart[:i]))
		}
	}
	for _, r := range intPart {
		if d.isFamily(r) {
			p.minInt++
		}
	}
	p.scaling = p.minInt
	for _, r := range fracPart {
		if d.isFamily(r) {
			p.minFrac++
		}
		if d.isFamily(r) || string(r) == d.digit {
			p.maxFrac++
		}
	}
	if p.minInt == 0 && p.maxFrac == 0 {
		if hasExp {
			p.minFrac, p.maxFrac = 1, 1
		} else {
			p.minInt = 1
		}
	}
	if hasExp && p.minInt == 0 && runeIndex(intPart, []rune(d.digit)[0]) >= 0 {
		p.minInt = 1
	}
	if p.minInt == 0 && p.minFrac == 0 {
		p.minFrac = 1
	}
	for _, r := range expPart {
		if d.isFamily(r) {
			p.minExpDig++
		}
	}
	return p, nil
}

func lastRuneIndex(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}
