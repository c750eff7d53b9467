package insights

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Record is one log event's fields: "@timestamp" and "@ingestionTime" as
// Time, strings, float64 numbers and bools. Run may add fields to it.
type Record map[string]any

// Field is one cell of a result row.
type Field struct {
	Name  string
	Value string
}

// Query is a parsed query. It is immutable.
type Query struct {
	cmds []command
}

type command interface{}

type fieldsCmd struct {
	items   []namedExpr
	display bool // display: choose output fields only
}

type namedExpr struct {
	name string
	e    expr
}

type filterCmd struct{ e expr }

type sortKey struct {
	e    expr
	desc bool
}

type sortCmd struct{ keys []sortKey }

type limitCmd struct{ n int }

type dedupCmd struct{ fields []string }

type parseCmd struct {
	src   string // field to parse
	re    *regexp.Regexp
	names []string // glob: names for the * captures in order; regex: named groups
	named bool     // a regex with named groups, not a glob
}

type agg struct {
	fn   string // count, count_distinct, sum, avg, min, max, pct, stddev, earliest, latest
	arg  expr   // nil for count(*)
	pct  float64
	name string
}

type statsCmd struct {
	aggs []agg
	by   []namedExpr
}

// MaxLimit is the most rows a query returns.
const MaxLimit = 10000

// Parse parses a query.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q := &Query{}
	for {
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		q.cmds = append(q.cmds, c)
		if p.peek().kind == tEOF {
			break
		}
		if !p.isOp("|") {
			return nil, &Error{p.peek().pos, fmt.Sprintf("expected | or the end of the query, found %q", p.peek().text)}
		}
		p.i++
	}
	return q, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(op string) bool { t := p.peek(); return t.kind == tOp && t.text == op }

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, w)
}

func (p *parser) errf(format string, args ...any) error {
	return &Error{p.peek().pos, fmt.Sprintf(format, args...)}
}

func (p *parser) command() (command, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, &Error{t.pos, fmt.Sprintf("expected a command, found %q", t.text)}
	}
	switch strings.ToLower(t.text) {
	case "fields", "display":
		items, err := p.namedList()
		if err != nil {
			return nil, err
		}
		return fieldsCmd{items: items, display: strings.EqualFold(t.text, "display")}, nil
	case "filter":
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return filterCmd{e}, nil
	case "sort":
		var keys []sortKey
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			k := sortKey{e: e}
			if p.isWord("desc") {
				p.i++
				k.desc = true
			} else if p.isWord("asc") {
				p.i++
			}
			keys = append(keys, k)
			if !p.isOp(",") {
				return sortCmd{keys}, nil
			}
			p.i++
		}
	case "limit":
		n := p.next()
		v, err := strconv.Atoi(n.text)
		if n.kind != tNumber || err != nil || v < 1 || v > MaxLimit {
			return nil, &Error{n.pos, fmt.Sprintf("limit must be a number from 1 to %d", MaxLimit)}
		}
		return limitCmd{v}, nil
	case "dedup":
		var names []string
		for {
			f := p.next()
			if f.kind != tIdent {
				return nil, &Error{f.pos, "expected a field name"}
			}
			names = append(names, f.text)
			if !p.isOp(",") {
				return dedupCmd{names}, nil
			}
			p.i++
		}
	case "parse":
		return p.parseCmd()
	case "stats":
		return p.stats()
	}
	return nil, &Error{t.pos, fmt.Sprintf("unknown command %q", t.text)}
}

func (p *parser) namedList() ([]namedExpr, error) {
	var items []namedExpr
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		n := namedExpr{name: e.String(), e: e}
		if p.isWord("as") {
			p.i++
			a := p.next()
			if a.kind != tIdent {
				return nil, &Error{a.pos, "expected a name after as"}
			}
			n.name = a.text
		}
		items = append(items, n)
		if !p.isOp(",") {
			return items, nil
		}
		p.i++
	}
}

func (p *parser) parseCmd() (command, error) {
	src := p.next()
	if src.kind != tIdent {
		return nil, &Error{src.pos, "expected the field to parse"}
	}
	pat := p.next()
	c := parseCmd{src: src.text}
	switch pat.kind {
	case tRegex:
		re, err := regexp.Compile(pat.text)
		if err != nil {
			return nil, &Error{pat.pos, "invalid regular expression: " + err.Error()}
		}
		c.re, c.named = re, true
		for _, n := range re.SubexpNames() {
			if n != "" {
				c.names = append(c.names, n)
			}
		}
		if len(c.names) == 0 {
			return nil, &Error{pat.pos, "a parse regular expression needs named groups (?<name>...)"}
		}
		return c, nil
	case tString:
		parts := strings.Split(pat.text, "*")
		var b strings.Builder
		for i, part := range parts {
			if i > 0 {
				b.WriteString("(.*?)")
			}
			b.WriteString(regexp.QuoteMeta(part))
		}
		if strings.HasSuffix(pat.text, "*") {
			b.WriteString("$")
		}
		re, err := regexp.Compile(b.String())
		if err != nil { // QuoteMeta'd text fails only when it is not valid UTF-8
			return nil, p.errf("the parse pattern is not valid: %v", err)
		}
		c.re = re
		if !p.isWord("as") {
			return nil, p.errf("expected as after the parse pattern")
		}
		p.i++
		for {
			n := p.next()
			if n.kind != tIdent {
				return nil, &Error{n.pos, "expected a field name"}
			}
			c.names = append(c.names, n.text)
			if !p.isOp(",") {
				break
			}
			p.i++
		}
		if len(c.names) != len(parts)-1 {
			return nil, &Error{pat.pos, fmt.Sprintf("the pattern has %d wildcards but %d names follow as", len(parts)-1, len(c.names))}
		}
		return c, nil
	}
	return nil, &Error{pat.pos, "expected a quoted glob or a /regular expression/"}
}

var aggregates = map[string]bool{"count": true, "count_distinct": true, "sum": true, "avg": true, "min": true, "max": true,
	"pct": true, "stddev": true, "earliest": true, "latest": true}

func (p *parser) stats() (command, error) {
	var c statsCmd
	for {
		fn := p.next()
		if fn.kind != tIdent || !aggregates[strings.ToLower(fn.text)] || !p.isOp("(") {
			return nil, &Error{fn.pos, fmt.Sprintf("expected an aggregate function (count, count_distinct, sum, avg, min, max, pct, stddev, earliest, latest), found %q", fn.text)}
		}
		p.i++
		a := agg{fn: strings.ToLower(fn.text)}
		if p.isOp("*") {
			if a.fn != "count" {
				return nil, p.errf("only count takes *")
			}
			p.i++
		} else {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			a.arg = e
		}
		pctText := ""
		if a.fn == "pct" {
			if !p.isOp(",") {
				return nil, p.errf("pct takes a field and a percentile")
			}
			p.i++
			n := p.next()
			f, err := strconv.ParseFloat(n.text, 64)
			if n.kind != tNumber || err != nil || f < 0 || f > 100 {
				return nil, &Error{n.pos, "the percentile must be a number from 0 to 100"}
			}
			a.pct, pctText = f, ", "+n.text
		}
		if !p.isOp(")") {
			return nil, p.errf("expected )")
		}
		p.i++
		if a.arg == nil {
			a.name = a.fn + "(*)"
		} else {
			a.name = a.fn + "(" + a.arg.String() + pctText + ")"
		}
		if p.isWord("as") {
			p.i++
			n := p.next()
			if n.kind != tIdent {
				return nil, &Error{n.pos, "expected a name after as"}
			}
			a.name = n.text
		}
		c.aggs = append(c.aggs, a)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	if p.isWord("by") {
		p.i++
		by, err := p.namedList()
		if err != nil {
			return nil, err
		}
		c.by = by
	}
	return c, nil
}

// Expressions, loosest first: or, and, not, comparison, additive, multiplicative, unary, primary.
func (p *parser) expr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 100 {
		return nil, p.errf("expression nested too deeply")
	}
	return p.or()
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	for err == nil && p.isWord("or") {
		p.i++
		var r expr
		if r, err = p.and(); err == nil {
			l = binary{"or", l, r}
		}
	}
	return l, err
}

func (p *parser) and() (expr, error) {
	l, err := p.not()
	for err == nil && p.isWord("and") {
		p.i++
		var r expr
		if r, err = p.not(); err == nil {
			l = binary{"and", l, r}
		}
	}
	return l, err
}

func (p *parser) not() (expr, error) {
	if p.isWord("not") {
		p.i++
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return unary{"not", x}, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	switch {
	case p.peek().kind == tOp && strings.Contains(" = == != < <= > >= =~ ", " "+p.peek().text+" "):
		op := p.next().text
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		if _, isRe := r.(regexLit); isRe && (op == "=" || op == "=~") {
			op = "=~"
		}
		return binary{op, l, r}, nil
	case p.isWord("like"):
		p.i++
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		return binary{"like", l, r}, nil
	case p.isWord("not"):
		save := p.i
		p.i++
		switch {
		case p.isWord("like"):
			p.i++
			r, err := p.additive()
			if err != nil {
				return nil, err
			}
			return binary{"not like", l, r}, nil
		case p.isWord("in"):
			p.i++
			list, err := p.list()
			if err != nil {
				return nil, err
			}
			return inList{l, list, true}, nil
		}
		p.i = save
	case p.isWord("in"):
		p.i++
		list, err := p.list()
		if err != nil {
			return nil, err
		}
		return inList{l, list, false}, nil
	}
	return l, nil
}

func (p *parser) list() ([]expr, error) {
	if !p.isOp("[") {
		return nil, p.errf("expected [ after in")
	}
	p.i++
	var out []expr
	for !p.isOp("]") {
		e, err := p.additive()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if p.isOp(",") {
			p.i++
		} else if !p.isOp("]") {
			return nil, p.errf("expected , or ]")
		}
	}
	p.i++
	return out, nil
}

func (p *parser) additive() (expr, error) {
	l, err := p.multiplicative()
	for err == nil && (p.isOp("+") || p.isOp("-")) {
		op := p.next().text
		var r expr
		if r, err = p.multiplicative(); err == nil {
			l = binary{op, l, r}
		}
	}
	return l, err
}

func (p *parser) multiplicative() (expr, error) {
	l, err := p.unary()
	for err == nil && (p.isOp("*") || p.isOp("/") || p.isOp("%")) {
		op := p.next().text
		var r expr
		if r, err = p.unary(); err == nil {
			l = binary{op, l, r}
		}
	}
	return l, err
}

func (p *parser) unary() (expr, error) {
	if p.isOp("-") {
		p.i++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return unary{"-", x}, nil
	}
	return p.primary()
}

var functions = map[string]int{"ispresent": 1, "isempty": 1, "isblank": 1, "strlen": 1, "tolower": 1, "toupper": 1,
	"trim": 1, "abs": 1, "floor": 1, "ceil": 1, "bin": 1, "concat": -1}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		if f, err := strconv.ParseFloat(t.text, 64); err == nil {
			return literal{f, t.text}, nil
		}
		d, err := parseDuration(t.text)
		if err != nil {
			return nil, &Error{t.pos, fmt.Sprintf("invalid number %q", t.text)}
		}
		return literal{d, t.text}, nil
	case tString:
		return literal{t.text, strconv.Quote(t.text)}, nil
	case tRegex:
		re, err := regexp.Compile(t.text)
		if err != nil {
			return nil, &Error{t.pos, "invalid regular expression: " + err.Error()}
		}
		return regexLit{re}, nil
	case tOp:
		if t.text == "(" {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, p.errf("expected )")
			}
			p.i++
			return e, nil
		}
	case tIdent:
		name := strings.ToLower(t.text)
		if n, isFn := functions[name]; isFn && p.isOp("(") {
			p.i++
			var args []expr
			for !p.isOp(")") {
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				args = append(args, e)
				if p.isOp(",") {
					p.i++
				} else if !p.isOp(")") {
					return nil, p.errf("expected , or )")
				}
			}
			end := p.next()
			if n >= 0 && len(args) != n {
				return nil, &Error{t.pos, fmt.Sprintf("%s takes %d argument(s)", name, n)}
			}
			if name == "bin" {
				if l, ok := args[0].(literal); !ok || func() bool { _, isDur := l.v.(time.Duration); return !isDur }() {
					return nil, &Error{t.pos, "bin takes a period such as 5m or 1h"}
				}
			}
			text := t.text + "(" + joinExprs(args) + ")"
			_ = end
			return call{name: name, args: args, text: text}, nil
		}
		switch name {
		case "true":
			return literal{true, "true"}, nil
		case "false":
			return literal{false, "false"}, nil
		}
		return fieldRef{t.text}, nil
	}
	return nil, &Error{t.pos, fmt.Sprintf("unexpected %q", t.text)}
}

func joinExprs(es []expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

// parseDuration reads bin() periods: 30s, 5m, 1h, 1d, 1w, 100ms.
func parseDuration(s string) (time.Duration, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return 0, fmt.Errorf("no unit")
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return 0, err
	}
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "min": time.Minute,
		"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}
	u, ok := units[s[i:]]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", s[i:])
	}
	return time.Duration(n) * u, nil
}

// Result is what a query gives: its rows and how many records passed its
// filters (recordsMatched).
type Result struct {
	Rows    [][]Field
	Matched int
}

// Run evaluates the query over the records and returns the result rows.
func (q *Query) Run(records []Record) [][]Field { return q.Execute(records).Rows }

// Execute evaluates the query over the records.
func (q *Query) Execute(records []Record) Result {
	rows := records
	matched := -1
	display := []string{"@timestamp", "@message"}
	aggregated := false
	sorted := false
	for _, c := range q.cmds {
		switch c := c.(type) {
		case fieldsCmd:
			// Computed and renamed fields become fields of the record.
			for _, r := range rows {
				for _, it := range c.items {
					if ref, isRef := it.e.(fieldRef); isRef && ref.name == it.name {
						continue
					}
					if v := it.e.eval(r); v != nil {
						r[it.name] = v
					}
				}
			}
			display = display[:0:0]
			for _, it := range c.items {
				display = append(display, it.name)
			}
		case filterCmd:
			kept := rows[:0:0]
			for _, r := range rows {
				if truthy(c.e.eval(r)) {
					kept = append(kept, r)
				}
			}
			rows = kept
		case parseCmd:
			for _, r := range rows {
				v, ok := r[c.src]
				if !ok {
					continue
				}
				m := c.re.FindStringSubmatch(toString(v))
				if m == nil {
					continue
				}
				if c.named {
					for i, n := range c.re.SubexpNames() {
						if n != "" {
							r[n] = m[i]
						}
					}
				} else {
					for i, n := range c.names {
						r[n] = m[i+1]
					}
				}
			}
		case sortCmd:
			sort.SliceStable(rows, func(i, j int) bool {
				for _, k := range c.keys {
					a, b := k.e.eval(rows[i]), k.e.eval(rows[j])
					if a == nil || b == nil {
						if (a == nil) != (b == nil) {
							return b == nil // records without the field go last
						}
						continue
					}
					if cmp := sortCompare(a, b); cmp != 0 {
						return (cmp < 0) != k.desc
					}
				}
				return false
			})
			sorted = true
		case limitCmd:
			if matched < 0 {
				matched = len(rows)
			}
			if !sorted && !aggregated {
				sortByTime(rows)
				sorted = true
			}
			if len(rows) > c.n {
				rows = rows[:c.n]
			}
		case dedupCmd:
			seen := map[string]bool{}
			kept := rows[:0:0]
			for _, r := range rows {
				var key strings.Builder
				for _, f := range c.fields {
					key.WriteString(toString(r[f]))
					key.WriteByte(0)
				}
				if !seen[key.String()] {
					seen[key.String()] = true
					kept = append(kept, r)
				}
			}
			rows = kept
		case statsCmd:
			if !aggregated {
				matched = len(rows)
			}
			rows, display = runStats(c, rows)
			aggregated = true
		}
	}
	if !sorted && !aggregated {
		sortByTime(rows)
	}
	if len(rows) > MaxLimit {
		rows = rows[:MaxLimit]
	}
	if matched < 0 {
		matched = len(rows)
	}
	out := make([][]Field, 0, len(rows))
	for _, r := range rows {
		row := make([]Field, 0, len(display)+1)
		for _, name := range display {
			if v, ok := r[name]; ok && v != nil {
				row = append(row, Field{name, toString(v)})
			}
		}
		if ptr, ok := r["@ptr"].(string); ok && !aggregated {
			row = append(row, Field{"@ptr", ptr})
		}
		out = append(out, row)
	}
	return Result{Rows: out, Matched: matched}
}

// sortByTime is Insights' default order: newest first.
func sortByTime(rows []Record) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, _ := toNumber(rows[i]["@timestamp"])
		b, _ := toNumber(rows[j]["@timestamp"])
		return a > b
	})
}

func runStats(c statsCmd, rows []Record) ([]Record, []string) {
	type group struct {
		rec      Record
		count    []float64
		sum      []float64
		min, max []any
		distinct []map[string]bool
		values   [][]float64 // pct, stddev
		first    []any       // earliest: value at the smallest @timestamp
		last     []any       // latest
		firstTS  []float64
		lastTS   []float64
	}
	groups := map[string]*group{}
	var order []string
	for _, r := range rows {
		var key strings.Builder
		byVals := make([]any, len(c.by))
		for i, b := range c.by {
			byVals[i] = b.e.eval(r)
			if byVals[i] != nil {
				key.WriteString(toString(byVals[i]))
			}
			key.WriteByte(0)
		}
		g := groups[key.String()]
		if g == nil {
			g = &group{rec: Record{}, count: make([]float64, len(c.aggs)), sum: make([]float64, len(c.aggs)),
				min: make([]any, len(c.aggs)), max: make([]any, len(c.aggs)), distinct: make([]map[string]bool, len(c.aggs)),
				values: make([][]float64, len(c.aggs)), first: make([]any, len(c.aggs)), last: make([]any, len(c.aggs)),
				firstTS: make([]float64, len(c.aggs)), lastTS: make([]float64, len(c.aggs))}
			for i, b := range c.by {
				if byVals[i] != nil {
					g.rec[b.name] = byVals[i]
				}
			}
			groups[key.String()] = g
			order = append(order, key.String())
		}
		for i, a := range c.aggs {
			if a.arg == nil {
				g.count[i]++
				continue
			}
			v := a.arg.eval(r)
			if v == nil {
				continue
			}
			g.count[i]++
			switch a.fn {
			case "sum", "avg":
				if f, ok := toNumber(v); ok {
					g.sum[i] += f
				}
			case "min":
				if cmp, _ := compare(v, g.min[i]); g.min[i] == nil || cmp < 0 {
					g.min[i] = v
				}
			case "max":
				if cmp, _ := compare(v, g.max[i]); g.max[i] == nil || cmp > 0 {
					g.max[i] = v
				}
			case "count_distinct":
				if g.distinct[i] == nil {
					g.distinct[i] = map[string]bool{}
				}
				g.distinct[i][toString(v)] = true
			case "pct", "stddev":
				if f, ok := toNumber(v); ok {
					g.values[i] = append(g.values[i], f)
				}
			case "earliest", "latest":
				ts, _ := toNumber(r["@timestamp"])
				if g.first[i] == nil || ts < g.firstTS[i] {
					g.first[i], g.firstTS[i] = v, ts
				}
				if g.last[i] == nil || ts >= g.lastTS[i] {
					g.last[i], g.lastTS[i] = v, ts
				}
			}
		}
	}
	out := make([]Record, 0, len(groups))
	for _, k := range order {
		g := groups[k]
		for i, a := range c.aggs {
			switch a.fn {
			case "count":
				g.rec[a.name] = g.count[i]
			case "count_distinct":
				g.rec[a.name] = float64(len(g.distinct[i]))
			case "sum":
				g.rec[a.name] = g.sum[i]
			case "avg":
				if g.count[i] > 0 {
					g.rec[a.name] = roundAvg(g.sum[i] / g.count[i])
				}
			case "min":
				g.rec[a.name] = g.min[i]
			case "max":
				g.rec[a.name] = g.max[i]
			case "pct":
				if vs := g.values[i]; len(vs) > 0 {
					sort.Float64s(vs)
					// Nearest rank, as a percentile of a sample usually is.
					k := int(math.Ceil(a.pct/100*float64(len(vs)))) - 1
					g.rec[a.name] = vs[min(max(k, 0), len(vs)-1)]
				}
			case "stddev":
				if vs := g.values[i]; len(vs) > 1 {
					mean := 0.0
					for _, v := range vs {
						mean += v
					}
					mean /= float64(len(vs))
					ss := 0.0
					for _, v := range vs {
						ss += (v - mean) * (v - mean)
					}
					g.rec[a.name] = roundAvg(math.Sqrt(ss / float64(len(vs)-1)))
				}
			case "earliest":
				g.rec[a.name] = g.first[i]
			case "latest":
				g.rec[a.name] = g.last[i]
			}
		}
		out = append(out, g.rec)
	}
	display := make([]string, 0, len(c.by)+len(c.aggs))
	for _, b := range c.by {
		display = append(display, b.name)
	}
	for _, a := range c.aggs {
		display = append(display, a.name)
	}
	return out, display
}

func roundAvg(f float64) float64 { return math.Round(f*1e4) / 1e4 }
