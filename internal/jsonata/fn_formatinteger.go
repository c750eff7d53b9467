package jsonata

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// digitZero returns the zero of r's decimal digit family.
func digitZero(r rune) (rune, bool) {
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	z := r
	for i := 0; i < 9 && unicode.Is(unicode.Nd, z-1); i++ {
		z--
	}
	// families are aligned blocks of ten; correct for adjacent blocks
	if d := (r - z); d > 9 {
		z = r - d%10
	}
	return z, true
}

// integerPicture is an analysed $formatInteger picture.
type integerPicture struct {
	primary   string // "decimal", "A", "a", "I", "i", "W", "w", "Ww"
	ordinal   bool
	zero      rune
	mandatory int
	// grouping separators, counted in digits from the right
	groups  []groupSep
	regular int // interval when groups are regular, else 0
}

type groupSep struct {
	pos int
	sep string
}

func pictureErr(code string, v any) *Error {
	return &Error{Code: code, Position: -1, Value: v, Message: formatMessage(code, "", v, nil)}
}

func analyseIntegerPicture(picture string) (*integerPicture, error) {
	p := &integerPicture{}
	primary := picture
	if i := strings.LastIndexByte(picture, ';'); i >= 0 {
		primary = picture[:i]
		mod := picture[i+1:]
		if strings.HasPrefix(mod, "o") {
			p.ordinal = true
		}
	}
	switch primary {
	case "A", "a", "I", "i", "W", "w", "Ww":
		p.primary = primary
		return p, nil
	}
	p.primary = "decimal"
	var zero rune = -1
	var items []rune // digits and '#', right to left later
	var seps []struct {
		idx int
		sep string
	}
	for _, r := range primary {
		if r == '#' {
			items = append(items, r)
			continue
		}
		if z, ok := digitZero(r); ok {
			if zero >= 0 && z != zero {
				return nil, &Error{Code: "D3131", Position: -1, Message: messages["D3131"]}
			}
			zero = z
			items = append(items, r)
			p.mandatory++
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return nil, pictureErr("D3130", primary)
		}
		seps = append(seps, struct {
			idx int
			sep string
		}{len(items), string(r)})
	}
	if p.mandatory == 0 {
		return nil, pictureErr("D3130", primary)
	}
	p.zero = zero
	for i := len(seps) - 1; i >= 0; i-- {
		p.groups = append(p.groups, groupSep{pos: len(items) - seps[i].idx, sep: seps[i].sep})
	}
	p.regular = regularGrouping(p.groups)
	return p, nil
}

// regularGrouping returns the repeat interval if separators are all the
// same and at multiples of one interval.
func regularGrouping(gs []groupSep) int {
	if len(gs) == 0 {
		return 0
	}
	for _, g := range gs {
		if g.sep != gs[0].sep {
			return 0
		}
	}
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	f := gs[0].pos
	for _, g := range gs[1:] {
		f = gcd(f, g.pos)
	}
	if f == 0 {
		return 0
	}
	for i := 1; i <= len(gs); i++ {
		found := false
		for _, g := range gs {
			if g.pos == i*f {
				found = true
			}
		}
		if !found {
			return 0
		}
	}
	return f
}

func fnFormatInteger(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	picture, _ := arg(args, 1).(string)
	p, err := analyseIntegerPicture(picture)
	if err != nil {
		return nil, err
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &Error{Code: "D1001", Position: c.pos, Value: f, Message: formatMessage("D1001", "", f, nil)}
	}
	// roman numerals and letters grow linearly with the value
	if a := math.Abs(f); (p.primary == "I" || p.primary == "i") && a > 1e9 || (p.primary == "A" || p.primary == "a") && a > 1e15 {
		return nil, tooLarge(c.pos)
	}
	return formatInteger(f, p), nil
}

func formatInteger(f float64, p *integerPicture) string {
	f = math.Trunc(f)
	neg := f < 0
	f = math.Abs(f)
	var s string
	switch p.primary {
	case "A":
		s = toLetters(int64(f), 'A')
	case "a":
		s = toLetters(int64(f), 'a')
	case "I":
		s = toRoman(int64(f))
	case "i":
		s = strings.ToLower(toRoman(int64(f)))
	case "w":
		s = numberToWords(f, p.ordinal)
	case "W":
		s = strings.ToUpper(numberToWords(f, p.ordinal))
	case "Ww":
		s = titleWords(numberToWords(f, p.ordinal))
	default:
		digits := strconv.FormatFloat(f, 'f', 0, 64)
		if len(digits) < p.mandatory {
			digits = strings.Repeat("0", p.mandatory-len(digits)) + digits
		}
		rs := []rune(digits)
		if p.zero != '0' {
			for i, r := range rs {
				rs[i] = p.zero + (r - '0')
			}
		}
		var out []string
		n := len(rs)
		for i := 0; i < n; i++ {
			fromRight := n - i
			if i > 0 {
				if p.regular > 0 {
					if fromRight%p.regular == 0 {
						out = append(out, p.groups[0].sep)
					}
				} else {
					for _, g := range p.groups {
						if g.pos == fromRight {
							out = append(out, g.sep)
						}
					}
				}
			}
			out = append(out, string(rs[i]))
		}
		s = strings.Join(out, "")
		if p.ordinal {
			s += ordinalSuffix(int64(math.Mod(f, 100)))
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

func ordinalSuffix(n int64) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

func toLetters(n int64, base rune) string {
	var out []rune
	for n > 0 {
		n--
		out = append([]rune{base + rune(n%26)}, out...)
		n /= 26
	}
	return string(out)
}

var romanTable = []struct {
	v int64
	s string
}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}

func toRoman(n int64) string {
	var b strings.Builder
	for _, r := range romanTable {
		for n >= r.v {
			b.WriteString(r.s)
			n -= r.v
		}
	}
	return b.String()
}

func fromRoman(s string) int64 {
	vals := map[byte]int64{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
	var total int64
	for i := 0; i < len(s); i++ {
		v := vals[s[i]]
		if i+1 < len(s) && vals[s[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	return total
}

var (
	fewWords      = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	ordinalWords  = []string{"zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"}
	decadeWords   = []string{"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	decadeOrdinal = []string{"twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"}
	scaleWords    = []struct {
		v float64
		s string
	}{{1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}, {1e3, "thousand"}}
)

func numberToWords(n float64, ord bool) string {
	return wordsFor(n, false, ord)
}

func wordsFor(n float64, prev, ord bool) string {
	var b strings.Builder
	switch {
	case n <= 19:
		if prev {
			b.WriteString(" and ")
		}
		if ord {
			b.WriteString(ordinalWords[int(n)])
		} else {
			b.WriteString(fewWords[int(n)])
		}
	case n < 100:
		tens := int(n / 10)
		rem := math.Mod(n, 10)
		if prev {
			b.WriteString(" and ")
		}
		if ord && rem == 0 {
			b.WriteString(decadeOrdinal[tens-2])
		} else {
			b.WriteString(decadeWords[tens-2])
		}
		if rem > 0 {
			b.WriteString("-")
			b.WriteString(wordsFor(rem, false, ord))
		}
	case n < 1000:
		h := math.Floor(n / 100)
		rem := math.Mod(n, 100)
		if prev {
			b.WriteString(", ")
		}
		b.WriteString(fewWords[int(h)])
		b.WriteString(" hundred")
		if rem > 0 {
			b.WriteString(wordsFor(rem, true, ord))
		} else if ord {
			b.WriteString("th")
		}
	default:
		for _, sc := range scaleWords {
			if n < sc.v {
				continue
			}
			factor := math.Floor(n / sc.v)
			rem := n - factor*sc.v
			if prev {
				b.WriteString(", ")
			}
			b.WriteString(wordsFor(factor, false, false))
			b.WriteString(" ")
			b.WriteString(sc.s)
			if rem > 0 {
				b.WriteString(wordsFor(rem, true, ord))
			} else if ord {
				b.WriteString("th")
			}
			break
		}
	}
	return b.String()
}

func titleWords(s string) string {
	var b strings.Builder
	start := true
	word := ""
	flush := func() {
		if word == "" {
			return
		}
		if word == "and" {
			b.WriteString(word)
		} else {
			r, sz := utf8.DecodeRuneInString(word)
			b.WriteRune(unicode.ToUpper(r))
			b.WriteString(word[sz:])
		}
		word = ""
	}
	for _, r := range s {
		if r == ' ' || r == '-' || r == ',' {
			flush()
			b.WriteRune(r)
			start = true
			continue
		}
		_ = start
		word += string(r)
	}
	flush()
	return b.String()
}

// wordValues maps number words to values for $parseInteger.
var wordValues = func() map[string]float64 {
	m := map[string]float64{}
	for i, w := range fewWords {
		m[w] = float64(i)
	}
	for i, w := range ordinalWords {
		m[w] = float64(i)
	}
	for i, w := range decadeWords {
		m[w] = float64((i + 2) * 10)
	}
	for i, w := range decadeOrdinal {
		m[w] = float64((i + 2) * 10)
	}
	m["hundred"], m["hundredth"] = 100, 100
	for _, sc := range scaleWords {
		m[sc.s] = sc.v
		m[sc.s+"th"] = sc.v
	}
	return m
}()

func fnParseInteger(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	picture, _ := arg(args, 1).(string)
	p, err := analyseIntegerPicture(picture)
	if err != nil {
		return nil, err
	}
	switch p.primary {
	case "A", "a":
		var n float64
		for _, r := range strings.ToUpper(s) {
			n = n*26 + float64(r-'A'+1)
		}
		return n, nil
	case "I", "i":
		return float64(fromRoman(strings.ToUpper(s))), nil
	case "w", "W", "Ww":
		return parseWords(s), nil
	}
	var digits []rune
	for _, r := range s {
		if z, ok := digitZero(r); ok {
			digits = append(digits, '0'+(r-z))
		}
	}
	if len(digits) == 0 {
		return undef, nil
	}
	f, err2 := strconv.ParseFloat(string(digits), 64)
	if err2 != nil {
		return undef, nil
	}
	return f, nil
}

// parseWords handles scale words that follow each other ("ten billion
// trillion") by treating each scale as applying to the whole prefix since
// the last larger scale.
func parseWords(s string) float64 {
	s = strings.ToLower(s)
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == ',' })
	// parse recursively: find the largest scale word; left part times it plus right part
	var parse func(ws []string) float64
	parse = func(ws []string) float64 {
		best, bestIdx := 0.0, -1
		for i, w := range ws {
			v := wordValues[w]
			if v >= 1000 && v >= best {
				if v > best || bestIdx < 0 {
					best, bestIdx = v, i
				} else {
					best, bestIdx = v, i
				}
			}
		}
		if bestIdx < 0 {
			var cur float64
			for _, w := range ws {
				if w == "and" {
					continue
				}
				v := wordValues[w]
				if v == 100 {
					if cur == 0 {
						cur = 1
					}
					cur *= 100
				} else {
					cur += v
				}
			}
			return cur
		}
		// the last occurrence of the largest scale splits the phrase
		left := parse(ws[:bestIdx])
		if left == 0 {
			left = 1
		}
		return left*best + parse(ws[bestIdx+1:])
	}
	return parse(words)
}
