package jsonata

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// dtMarker is one literal or [component] of a date/time picture string.
type dtMarker struct {
	literal   string
	component byte   // 0 for a literal
	pres      string // presentation modifier, without ordinal/traditional flag
	ordinal   bool
	trad      bool   // 't': Z for a zero offset
	name      string // "N", "n", "Nn" for name presentations
	intPic    *integerPicture
	minWidth  int // -1 when unset
	maxWidth  int // -1 when unset
	yearMod   int // year: keep this many rightmost digits, -1 for all
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

const isoPicture = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"

func dtErr(code string, v any) *Error {
	return &Error{Code: code, Position: -1, Value: v, Message: formatMessage(code, "", v, nil)}
}

func parseWidth(s string) int {
	if s == "*" || s == "" {
		return -1
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// analyseDateTimePicture splits a picture into literals and markers.
func analyseDateTimePicture(picture string) ([]dtMarker, error) {
	for i := 0; i < len(picture); i++ {
		if picture[i] != '[' {
			continue
		}
		if i+1 < len(picture) && picture[i+1] == '[' {
			i++
			continue
		}
		end := strings.IndexByte(picture[i:], ']')
		if end < 0 {
			return nil, dtErr("D3135", picture)
		}
		i += end
	}
	var out []dtMarker
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, dtMarker{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(picture); {
		c := picture[i]
		if c == '[' && i+1 < len(picture) && picture[i+1] == '[' {
			lit.WriteByte('[')
			i += 2
			continue
		}
		if c == ']' && i+1 < len(picture) && picture[i+1] == ']' {
			lit.WriteByte(']')
			i += 2
			continue
		}
		if c != '[' {
			lit.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(picture[i:], ']')
		if end < 0 {
			return nil, dtErr("D3135", picture)
		}
		flush()
		body := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, picture[i+1:i+end])
		i += end + 1
		m, err := analyseMarker(body)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	flush()
	return out, nil
}

func analyseMarker(body string) (dtMarker, error) {
	m := dtMarker{minWidth: -1, maxWidth: -1, yearMod: -1}
	if body == "" {
		return m, dtErr("D3132", body)
	}
	m.component = body[0]
	if !strings.ContainsRune("YMDdFWwXxHhPmsfZzCE", rune(m.component)) {
		return m, dtErr("D3132", string(m.component))
	}
	rest := body[1:]
	if i := strings.LastIndexByte(rest, ','); i >= 0 {
		w := rest[i+1:]
		rest = rest[:i]
		lo, hi, found := strings.Cut(w, "-")
		m.minWidth = parseWidth(lo)
		if found {
			m.maxWidth = parseWidth(hi)
		}
	}
	pres := rest
	if pres == "" {
		switch m.component {
		case 'F', 'P', 'C', 'E':
			pres = "n"
		case 'm', 's':
			pres = "01"
		case 'Z', 'z':
			pres = "01:01"
		default:
			pres = "1"
			if m.minWidth > 1 {
				pres = strings.Repeat("0", m.minWidth-1) + "1"
			}
		}
	}
	// trailing modifiers: o (ordinal), c (cardinal), t (traditional)
	if len(pres) > 1 {
		switch pres[len(pres)-1] {
		case 'o':
			m.ordinal = true
			pres = pres[:len(pres)-1]
		case 'c':
			pres = pres[:len(pres)-1]
		case 't':
			m.trad = true
			pres = pres[:len(pres)-1]
		}
	}
	m.pres = pres
	switch pres {
	case "N", "n", "Nn":
		switch m.component {
		case 'M', 'F', 'x', 'P', 'C', 'E', 'd':
		default:
			return m, dtErr("D3133", string(m.component))
		}
		m.name = pres
		return m, nil
	}
	if m.component == 'Z' || m.component == 'z' {
		return m, nil
	}
	ip := pres
	if m.ordinal {
		ip += ";o"
	}
	p, err := analyseIntegerPicture(ip)
	if err != nil {
		return m, err
	}
	m.intPic = p
	if m.component == 'Y' && p.primary == "decimal" {
		if m.maxWidth > 0 {
			m.yearMod = m.maxWidth
		} else {
			w := 0
			for _, r := range pres {
				if r == '#' || unicode.Is(unicode.Nd, r) {
					w++
				}
			}
			if rest == "" && m.minWidth > 0 {
				w = m.minWidth
			}
			if w >= 2 {
				m.yearMod = w
			}
		}
	}
	return m, nil
}

// parseOffset reads a timezone argument such as "+0100" or "-0500".
func parseOffset(tz string) (int, bool) {
	if len(tz) < 4 {
		return 0, false
	}
	sign := 1
	s := tz
	switch s[0] {
	case '-':
		sign = -1
		s = s[1:]
	case '+':
		s = s[1:]
	}
	s = strings.ReplaceAll(s, ":", "")
	if len(s) != 4 {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	mn, err2 := strconv.Atoi(s[2:])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return sign * (h*60 + mn), true
}

func formatDateTime(millis float64, picture string, tz string) (string, error) {
	offset := 0
	if tz != "" {
		o, ok := parseOffset(tz)
		if ok {
			offset = o
		}
	}
	if picture == "" {
		picture = isoPicture
	}
	markers, err := analyseDateTimePicture(picture)
	if err != nil {
		return "", err
	}
	t := time.UnixMilli(int64(math.Floor(millis))).UTC().Add(time.Duration(offset) * time.Minute)
	var b strings.Builder
	for _, m := range markers {
		if m.component == 0 {
			b.WriteString(m.literal)
			continue
		}
		s, err := formatComponent(t, m, offset)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func isoWeekday(t time.Time) int {
	wd := int(t.Weekday())
	if wd == 0 {
		return 7
	}
	return wd
}

// weekThursday is the Thursday of t's Monday-based week, which decides
// the ISO week and the week-of-month a day belongs to.
func weekThursday(t time.Time) time.Time {
	return t.AddDate(0, 0, 4-isoWeekday(t))
}

func formatComponent(t time.Time, m dtMarker, offset int) (string, error) {
	var val int
	switch m.component {
	case 'Y':
		val = t.Year()
	case 'M':
		val = int(t.Month())
	case 'D':
		val = t.Day()
	case 'd':
		val = t.YearDay()
	case 'F':
		val = isoWeekday(t)
	case 'W':
		_, w := t.ISOWeek()
		val = w
	case 'X':
		y, _ := t.ISOWeek()
		val = y
	case 'w':
		val = (weekThursday(t).Day()-1)/7 + 1
	case 'x':
		val = int(weekThursday(t).Month())
	case 'H':
		val = t.Hour()
	case 'h':
		val = t.Hour() % 12
		if val == 0 {
			val = 12
		}
	case 'P':
		if t.Hour() < 12 {
			return applyNameCase("am", m), nil
		}
		return applyNameCase("pm", m), nil
	case 'm':
		val = t.Minute()
	case 's':
		val = t.Second()
	case 'f':
		ms := t.Nanosecond() / 1e6
		digits := strconv.Itoa(ms)
		for len(digits) < 3 {
			digits = "0" + digits
		}
		want := 0
		if m.intPic != nil {
			want = m.intPic.mandatory
		}
		if m.minWidth > want {
			want = m.minWidth
		}
		if want == 0 {
			want = 1
		}
		if len(digits) < want {
			digits += strings.Repeat("0", want-len(digits))
		}
		if len(digits) > want {
			if m.maxWidth > 0 && m.maxWidth < len(digits) {
				digits = digits[:m.maxWidth]
			} else if want < 3 {
				digits = digits[:want]
			}
		}
		return digits, nil
	case 'Z', 'z':
		return formatOffset(m, offset)
	case 'C', 'E':
		return "ISO", nil
	}
	if m.name != "" {
		var name string
		switch m.component {
		case 'M', 'x':
			name = monthNames[val-1]
		case 'F':
			name = dayNames[val-1]
		default:
			name = strconv.Itoa(val)
		}
		return applyNameCase(name, m), nil
	}
	if m.component == 'Y' && m.yearMod > 0 {
		val = val % int(math.Pow10(m.yearMod))
	}
	s := formatInteger(float64(val), m.intPic)
	if m.intPic.primary == "decimal" {
		if n := utf8.RuneCountInString(s); m.minWidth > n {
			s = strings.Repeat(string(m.intPic.zero), m.minWidth-n) + s
		}
		if rs := []rune(s); m.maxWidth > 0 && len(rs) > m.maxWidth {
			s = string(rs[len(rs)-m.maxWidth:])
		}
	}
	return s, nil
}

func applyNameCase(name string, m dtMarker) string {
	switch m.name {
	case "N":
		name = strings.ToUpper(name)
	case "n", "":
		name = strings.ToLower(name)
	}
	if m.maxWidth > 0 && len(name) > m.maxWidth {
		name = name[:m.maxWidth]
	}
	return name
}

func formatOffset(m dtMarker, offset int) (string, error) {
	digits := 0
	sep := ""
	for _, r := range m.pres {
		if r >= '0' && r <= '9' {
			digits++
		} else if sep == "" {
			sep = string(r)
		}
	}
	if digits > 4 {
		return "", dtErr("D3134", m.pres)
	}
	if m.component == 'Z' && m.trad && offset == 0 {
		return "Z", nil
	}
	sign := "+"
	if offset < 0 {
		sign = "-"
	}
	a := offset
	if a < 0 {
		a = -a
	}
	h, mn := a/60, a%60
	var s string
	if digits <= 2 {
		s = sign + pad(h, digits)
		if mn != 0 {
			s += ":" + pad(mn, 2)
		}
	} else {
		s = sign + pad(h, digits-2) + sep + pad(mn, 2)
	}
	if m.component == 'z' {
		return "GMT" + s, nil
	}
	return s, nil
}

func pad(n, w int) string {
	s := strconv.Itoa(n)
	if len(s) < w {
		s = strings.Repeat("0", w-len(s)) + s
	}
	return s
}

var isoTimestampRE = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$`)

func parseISO(s string) (float64, bool) {
	m := isoTimestampRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	num := func(x string, def int) int {
		if x == "" {
			return def
		}
		n, _ := strconv.Atoi(x)
		return n
	}
	ms := 0
	if m[7] != "" {
		frac := (m[7] + "00")[:3]
		ms, _ = strconv.Atoi(frac)
	}
	t := time.Date(num(m[1], 0), time.Month(num(m[2], 1)), num(m[3], 1), num(m[4], 0), num(m[5], 0), num(m[6], 0), ms*1e6, time.UTC)
	if z := m[8]; z != "" && z != "Z" {
		o, _ := parseOffset(z)
		t = t.Add(-time.Duration(o) * time.Minute)
	}
	return float64(t.UnixMilli()), true
}

// parseDateTime parses s against a picture; ok is false when s does not
// match the picture.
func parseDateTime(s, picture string, now time.Time) (float64, bool, error) {
	markers, err := analyseDateTimePicture(picture)
	if err != nil {
		return 0, false, err
	}
	var re strings.Builder
	re.WriteString("(?i)^")
	var comps []dtMarker
	for _, m := range markers {
		if m.component == 0 {
			re.WriteString(regexp.QuoteMeta(m.literal))
			continue
		}
		re.WriteString("(")
		re.WriteString(componentPattern(m))
		re.WriteString(")")
		comps = append(comps, m)
	}
	re.WriteString("$")
	if len(comps) == 0 {
		return 0, false, nil
	}
	// regexp2 backtracks, so adjacent digit runs split as the picture says
	mt, err2 := compileRegex(re.String()[4:], "i")
	if err2 != nil {
		return 0, false, dtErr("D3136", picture)
	}
	match, _ := mt.FindStringMatch(s)
	if match == nil {
		return 0, false, nil
	}
	groups := match.Groups()[1:]
	vals := map[byte]int{}
	var fracMs int
	hasFrac := false
	offset := 0
	hasOffset := false
	pm := -1
	for i, m := range comps {
		text := groups[i].String()
		switch m.component {
		case 'P':
			if strings.EqualFold(text, "pm") {
				pm = 1
			} else {
				pm = 0
			}
			vals['P'] = pm
			continue
		case 'Z', 'z':
			o, ok := parseZone(text)
			if ok {
				offset = o
				hasOffset = true
			}
			continue
		case 'f':
			frac := (text + "000")[:3]
			fracMs, _ = strconv.Atoi(frac)
			hasFrac = true
			vals['f'] = fracMs
			continue
		case 'C', 'E':
			continue
		}
		if m.name != "" {
			switch m.component {
			case 'M', 'x':
				vals[m.component] = nameIndex(monthNames, text) + 1
			case 'F':
				vals[m.component] = nameIndex(dayNames, text) + 1
			}
			continue
		}
		v := parseIntegerText(text, m.intPic)
		vals[m.component] = v
	}
	_ = hasFrac
	for _, c := range []byte{'X', 'W', 'w', 'x'} {
		if _, ok := vals[c]; ok {
			return 0, false, dtErr("D3136", picture)
		}
	}
	if h, ok := vals['h']; ok {
		if pm == 1 && h < 12 {
			h += 12
		} else if pm == 0 && h == 12 {
			h = 0
		}
		vals['H'] = h
	}
	chain := []byte{'Y', 'M', 'D', 'H', 'm', 's', 'f'}
	if _, ok := vals['d']; ok {
		chain = []byte{'Y', 'd', 'H', 'm', 's', 'f'}
	}
	// the present components must be contiguous in the chain
	first, last := -1, -1
	for i, c := range chain {
		if _, ok := vals[c]; ok {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		for i := first; i <= last; i++ {
			if _, ok := vals[chain[i]]; !ok {
				return 0, false, dtErr("D3136", picture)
			}
		}
	}
	nowVals := map[byte]int{'Y': now.Year(), 'M': int(now.Month()), 'D': now.Day(), 'd': now.YearDay(), 'H': now.Hour(), 'm': now.Minute(), 's': now.Second(), 'f': now.Nanosecond() / 1e6}
	minVals := map[byte]int{'Y': 0, 'M': 1, 'D': 1, 'd': 1, 'H': 0, 'm': 0, 's': 0, 'f': 0}
	get := func(c byte) int {
		if v, ok := vals[c]; ok {
			return v
		}
		idx := -1
		for i, x := range chain {
			if x == c {
				idx = i
			}
		}
		if first >= 0 && idx < first {
			return nowVals[c]
		}
		return minVals[c]
	}
	var t time.Time
	if chain[1] == 'd' {
		t = time.Date(get('Y'), 1, 1, get('H'), get('m'), get('s'), get('f')*1e6, time.UTC).AddDate(0, 0, get('d')-1)
	} else {
		t = time.Date(get('Y'), time.Month(get('M')), get('D'), get('H'), get('m'), get('s'), get('f')*1e6, time.UTC)
	}
	if hasOffset {
		t = t.Add(-time.Duration(offset) * time.Minute)
	}
	return float64(t.UnixMilli()), true, nil
}

func nameIndex(names []string, text string) int {
	for i, n := range names {
		if strings.EqualFold(n, text) || (len(text) >= 3 && strings.HasPrefix(strings.ToLower(n), strings.ToLower(text))) {
			return i
		}
	}
	return -1
}

func parseZone(text string) (int, bool) {
	text = strings.TrimPrefix(strings.ToUpper(text), "GMT")
	if text == "Z" || text == "" {
		return 0, true
	}
	sign := 1
	switch text[0] {
	case '-':
		sign = -1
		text = text[1:]
	case '+':
		text = text[1:]
	}
	h, mn := 0, 0
	if hh, mm, ok := strings.Cut(text, ":"); ok {
		h, _ = strconv.Atoi(hh)
		mn, _ = strconv.Atoi(mm)
	} else if len(text) > 2 {
		h, _ = strconv.Atoi(text[:len(text)-2])
		mn, _ = strconv.Atoi(text[len(text)-2:])
	} else {
		h, _ = strconv.Atoi(text)
	}
	return sign * (h*60 + mn), true
}

func parseIntegerText(text string, p *integerPicture) int {
	if p == nil {
		n, _ := strconv.Atoi(text)
		return n
	}
	switch p.primary {
	case "A", "a":
		n := 0
		for _, r := range strings.ToUpper(text) {
			n = n*26 + int(r-'A'+1)
		}
		return n
	case "I", "i":
		return int(fromRoman(strings.ToUpper(text)))
	case "w", "W", "Ww":
		return int(parseWords(text))
	}
	n := 0
	for _, r := range text {
		if z, ok := digitZero(r); ok {
			n = n*10 + int(r-z)
		}
	}
	return n
}

func componentPattern(m dtMarker) string {
	switch m.component {
	case 'P':
		return "am|pm|AM|PM"
	case 'Z':
		return `Z|[+-][0-9]{1,2}(?::?[0-9]{2})?`
	case 'z':
		return `GMT[+-][0-9]{1,2}(?::?[0-9]{2})?`
	case 'C', 'E':
		return `[A-Za-z]+`
	}
	if m.name != "" {
		var names []string
		switch m.component {
		case 'M', 'x':
			names = monthNames
		case 'F':
			names = dayNames
		}
		alts := make([]string, 0, len(names)*2)
		for _, n := range names {
			if m.maxWidth > 0 && m.maxWidth < len(n) {
				alts = append(alts, n[:m.maxWidth])
			} else {
				alts = append(alts, n)
			}
		}
		return strings.Join(alts, "|")
	}
	p := m.intPic
	if p == nil {
		return `[0-9]+`
	}
	switch p.primary {
	case "A":
		return `[A-Z]+`
	case "a":
		return `[a-z]+`
	case "I":
		return `[IVXLCDM]+`
	case "i":
		return `[ivxlcdm]+`
	case "w", "W", "Ww":
		return `[A-Za-z]+(?:[ ,-]+(?:and[ ]+)?[A-Za-z]+)*?`
	}
	digit := `[0-9]`
	if p.zero != '0' && p.zero != 0 {
		digit = "[" + string(p.zero) + "-" + string(p.zero+9) + "]"
	}
	min := p.mandatory
	if m.component == 'f' {
		min = 1
	}
	q := "{" + strconv.Itoa(max(min, 1)) + ",}"
	if m.maxWidth > 0 {
		q = "{" + strconv.Itoa(max(min, 1)) + "," + strconv.Itoa(max(m.maxWidth, min, 1)) + "}"
	}
	s := digit + q
	if p.ordinal {
		s += "(?:st|nd|rd|th)"
	}
	return s
}

func fnFromMillis(c callCtx, args []any) (any, error) {
	f, ok := numArg(args, 0)
	if !ok {
		return undef, nil
	}
	pic, _ := arg(args, 1).(string)
	tz, _ := arg(args, 2).(string)
	s, err := formatDateTime(f, pic, tz)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func fnToMillis(c callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return undef, nil
	}
	pic, hasPic := arg(args, 1).(string)
	if !hasPic {
		ms, ok := parseISO(s)
		if !ok {
			return nil, dtErr("D3110", s)
		}
		return ms, nil
	}
	ms, ok, err := parseDateTime(s, pic, c.ev.timestamp().UTC())
	if err != nil {
		return nil, err
	}
	if !ok {
		return undef, nil
	}
	return ms, nil
}

func fnNow(c callCtx, args []any) (any, error) {
	pic, _ := arg(args, 0).(string)
	tz, _ := arg(args, 1).(string)
	ms := float64(c.ev.timestamp().UnixMilli())
	return formatDateTime(ms, pic, tz)
}

func fnMillis(c callCtx, args []any) (any, error) {
	return float64(c.ev.timestamp().UnixMilli()), nil
}
