package pattern

import (
	"sort"
	"strings"
)

// Pattern is a compiled event pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	branches []branch // alternatives from $or; one when there is no $or
}

// MaxSize is the longest EventPattern, in characters, that the EventBridge
// API accepts (PutRule, TestEventPattern). Compile does not check it: the
// API layer rejects longer patterns with a ValidationException first.
const MaxSize = 4096

// MaxBranches bounds how many alternatives the $or operators of one pattern
// may expand to (each $or multiplies the alternatives around it).
const MaxBranches = 1000

// cAbsent marks an {"exists": false} alternative while compiling; it becomes
// field.absentOK.
const cAbsent condKind = 255

// reservedInOr are names the engine refuses as field names inside $or.
var reservedInOr = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true,
	"anything-but": true, "exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true,
	"date-on-or-before": true, "in-date-range": true,
	"ip-address-in-range": true, "ip-address-not-in-range": true,
}

// rule is one alternative while compiling: path → alternatives.
type rule map[string][]cond

// compiler walks the pattern's tokens in order, as AWS's streaming compiler
// does, so the first error reported is the same one.
type compiler struct {
	lx       *lexer
	deferred *Error // an error AWS only finds once the pattern is parsed
	legacy   bool   // "$or" is an ordinary field name
	sawOr    bool   // an "$or" key was met
}

// Compile parses and validates an event pattern. A pattern AWS would refuse
// yields an *Error carrying the InvalidEventPatternException message.
//
// As in the engine behind EventBridge, a pattern whose "$or" does not form a
// valid OR (not an array of at least two objects, or operator names inside)
// is read again with "$or" as an ordinary field name; if that succeeds, the
// pattern is accepted that way. Otherwise the $or error is returned.
func Compile(src []byte) (*Pattern, error) {
	c := &compiler{lx: newLexer(src)}
	p, err := c.compile()
	if err == nil || !c.sawOr || err.bare {
		if err != nil {
			return nil, err
		}
		return p, nil
	}
	legacy := &compiler{lx: newLexer(src), legacy: true}
	if p, lerr := legacy.compile(); lerr == nil {
		return p, nil
	}
	return nil, err
}

func (c *compiler) compile() (p *Pattern, err *Error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			p, err = nil, e
		}
	}()
	src := c.lx.src
	if len(strings.TrimSpace(string(src))) == 0 {
		c.lx.fail("Filter is not an object")
	}
	if c.lx.next() != tokStartObject {
		c.lx.fail("Filter is not an object")
	}
	var rules []rule
	c.object(&rules, "", false)
	if c.deferred != nil {
		return nil, c.deferred
	}
	return build(rules), nil
}

// MustCompile is Compile for patterns known to be valid; it panics on error.
func MustCompile(src string) *Pattern {
	p, err := Compile([]byte(src))
	if err != nil {
		panic(err)
	}
	return p
}

// object reads the fields of an object whose '{' was just read.
func (c *compiler) object(rules *[]rule, path string, inOr bool) {
	lx := c.lx
	any := false
	for {
		t := lx.next()
		if t == tokEndObject {
			break
		}
		any = true
		name := lx.text
		if name == "$or" && !c.legacy {
			c.sawOr = true
			c.or(rules, path)
			continue
		}
		if inOr && reservedInOr[name] {
			lx.fail(name + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		switch lx.next() {
		case tokStartObject:
			c.object(rules, join(path, name), inOr)
		case tokStartArray:
			c.values(rules, join(path, name))
		default:
			lx.fail("\"" + name + "\" must be an object or an array")
		}
	}
	if !any {
		lx.fail("Empty objects are not allowed")
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// or reads the array after "$or": each object in it forks a copy of the
// alternatives built so far.
func (c *compiler) or(rules *[]rule, path string) {
	lx := c.lx
	base := *rules
	*rules = nil
	if lx.next() != tokStartArray {
		lx.fail("It must be an Array followed with $or.")
	}
	n := 0
	for t := lx.next(); t != tokEndArray; t = lx.next() {
		n++
		if t != tokStartObject {
			lx.fail("Only JSON object is allowed in array of $or relationship.")
		}
		fork := make([]rule, 0, len(base)+1)
		for _, r := range base {
			fork = append(fork, copyRule(r))
		}
		if len(fork) == 0 {
			fork = append(fork, rule{})
		}
		c.object(&fork, path, true)
		*rules = append(*rules, fork...)
		if len(*rules) > MaxBranches {
			lx.fail("Rule is too complex - $or expands to more than 1000 combinations")
		}
	}
	if n < 2 {
		lx.fail("There must have at least 2 Objects in $or relationship.")
	}
}

func copyRule(r rule) rule {
	m := make(rule, len(r))
	for k, v := range r {
		m[k] = v
	}
	return m
}

// values reads the array of alternatives for one field path.
func (c *compiler) values(rules *[]rule, path string) {
	lx := c.lx
	var vals []cond
	for {
		t := lx.next()
		if t == tokEndArray {
			break
		}
		switch t {
		case tokStartObject:
			vals = append(vals, c.expression())
		case tokString:
			s := lx.str()
			if a, ok := parseIP(s); ok {
				vals = append(vals, cond{kind: cIP, s: s, addr: a})
			} else {
				vals = append(vals, cond{kind: cExact, s: s})
			}
		case tokInt, tokFloat:
			m, ok := parseMicros(lx.text)
			vals = append(vals, cond{kind: cLit, s: lx.text, micros: m, numOK: ok})
		case tokTrue, tokFalse, tokNull:
			vals = append(vals, cond{kind: cLit, s: lx.text})
		default:
			lx.fail("Match value must be String, number, true, false, or null")
		}
	}
	if len(vals) == 0 {
		lx.fail("Empty arrays are not allowed")
	}
	if len(*rules) == 0 {
		*rules = append(*rules, rule{})
	}
	for _, r := range *rules {
		r[path] = vals
	}
}

// end reads the '}' closing a match expression.
func (c *compiler) end() {
	if c.lx.next() != tokEndObject {
		c.lx.fail("Only one key allowed in match expression")
	}
}

// expression reads an operator object such as {"prefix": "a"}, whose '{'
// was just read.
func (c *compiler) expression() cond {
	lx := c.lx
	if lx.next() != tokField {
		lx.fail("Match expression name not found")
	}
	switch name := lx.text; name {
	case "exactly":
		if lx.next() != tokString {
			lx.fail("exact match pattern must be a string")
		}
		s := lx.str()
		c.end()
		return cond{kind: cExact, s: s}
	case "prefix", "suffix":
		return c.affix(name)
	case "equals-ignore-case":
		if lx.next() != tokString {
			lx.fail("equals-ignore-case match pattern must be a string")
		}
		s := lx.str()
		c.end()
		return cond{kind: cEqFold, s: fold(s)}
	case "wildcard":
		if lx.next() != tokString {
			lx.fail("wildcard match pattern must be a string")
		}
		w := c.wildcard(lx.str())
		c.end()
		return cond{kind: cWildcard, wc: w}
	case "numeric":
		if lx.next() != tokStartArray {
			lx.fail("Value of numeric must be an array.")
		}
		cd := c.numeric()
		if lx.next() != tokEndObject {
			lx.fail("Too many elements in numeric expression")
		}
		return cd
	case "anything-but":
		return c.anythingBut()
	case "exists":
		var cd cond
		switch lx.next() {
		case tokTrue:
			cd = cond{kind: cExists}
		case tokFalse:
			cd = cond{kind: cAbsent}
		default:
			lx.fail("exists match pattern must be either true or false.")
		}
		c.end()
		return cd
	case "cidr":
		if lx.next() != tokString {
			lx.fail("prefix match pattern must be a string")
		}
		lo, hi, msg := cidrRange(lx.str())
		if msg != "" {
			// AWS reports CIDR errors without a parser position.
			e := newError(lx.src, lx.loc, msg)
			e.bare = true
			panic(e)
		}
		c.end()
		return cond{kind: cCIDR, addr: lo, addrHi: hi}
	default:
		lx.fail("Unrecognized match type " + name)
	}
	return cond{}
}

// wildcard compiles a wildcard value. A malformed one is only reported if
// the rest of the pattern is valid, as AWS checks wildcards after parsing.
func (c *compiler) wildcard(v string) *wildcard {
	w, msg := parseWildcard(v)
	if msg != "" {
		if c.deferred == nil {
			c.deferred = newError(c.lx.src, c.lx.loc, msg)
			c.deferred.bare = true
		}
		return &wildcard{segs: []string{v}}
	}
	return w
}

// affix reads the value of "prefix" or "suffix": a string, or an object
// {"equals-ignore-case": string}.
func (c *compiler) affix(name string) cond {
	lx := c.lx
	plain, folded := cPrefix, cPrefixFold
	if name == "suffix" {
		plain, folded = cSuffix, cSuffixFold
	}
	switch lx.next() {
	case tokString:
		s := lx.str()
		c.end()
		return cond{kind: plain, s: s}
	case tokStartObject:
		if lx.next() != tokField {
			lx.fail(name + " match pattern must be a string")
		}
		if lx.text != "equals-ignore-case" {
			lx.fail("Unsupported " + name + " pattern: " + lx.text)
		}
		if lx.next() != tokString {
			lx.fail("equals-ignore-case match pattern must be a string")
		}
		s := lx.str()
		c.end()
		c.end()
		return cond{kind: folded, s: fold(s)}
	}
	lx.fail(name + " match pattern must be a string")
	return cond{}
}

// numeric reads the array after "numeric", whose '[' was just read.
func (c *compiler) numeric() cond {
	lx := c.lx
	if lx.next() != tokString {
		lx.fail("Invalid member in numeric match: " + lx.text)
	}
	op := lx.str()
	t := lx.next()
	switch op {
	case "=":
		if !t.isNumber() {
			lx.fail("Value of = must be numeric")
		}
		v := lx.text
		if lx.next() != tokEndArray {
			lx.fail("Too many elements in numeric expression")
		}
		return cond{kind: cNumEq, micros: c.number(v)}
	case ">", ">=":
		if !t.isNumber() {
			lx.fail("Value of " + op + " must be numeric")
		}
		bottom := lx.text
		t = lx.next()
		if t == tokEndArray {
			return c.rangeCond(bottom, op == ">", "", false)
		}
		if t != tokString {
			lx.fail("Bad value in numeric range: " + lx.text)
		}
		op2 := lx.str()
		if op2 != "<" && op2 != "<=" {
			lx.fail("Bad numeric range operator: " + op2)
		}
		if !lx.next().isNumber() {
			lx.fail("Value of " + op2 + " must be numeric")
		}
		top := lx.text
		if lx.next() != tokEndArray {
			lx.fail("Too many terms in numeric range expression")
		}
		return c.rangeCond(bottom, op == ">", top, op2 == "<")
	case "<", "<=":
		if !t.isNumber() {
			lx.fail("Value of " + op + " must be numeric")
		}
		top := lx.text
		if lx.next() != tokEndArray {
			lx.fail("Too many elements in numeric expression")
		}
		return c.rangeCond("", false, top, op == "<")
	}
	lx.fail("Unrecognized numeric range operator: " + op)
	return cond{}
}

// number converts a pattern number, refusing one outside ±5.0e9.
func (c *compiler) number(lit string) int64 {
	v, ok := parseMicros(lit)
	if !ok {
		c.lx.fail(rangeMsg)
	}
	return v
}

// rangeCond builds a numeric range; an empty bound is unbounded (±5.0e9).
func (c *compiler) rangeCond(bottom string, openBottom bool, top string, openTop bool) cond {
	cd := cond{kind: cRange, lo: -maxMicros, hi: maxMicros, loOpen: openBottom, hiOpen: openTop}
	if bottom != "" {
		cd.lo = c.number(bottom)
	}
	if top != "" {
		cd.hi = c.number(top)
	}
	if bottom != "" && top != "" && cd.lo >= cd.hi {
		c.lx.fail("Bottom must be less than top")
	}
	return cd
}

// anythingBut reads the value of "anything-but".
func (c *compiler) anythingBut() cond {
	lx := c.lx
	ignoreCase := false
	t := lx.next()
	if t == tokStartObject {
		if lx.next() != tokField {
			lx.fail("Anything-But expression name not found")
		}
		switch op := lx.text; op {
		case "prefix", "suffix":
			if lx.next() != tokString {
				lx.fail("prefix/suffix match pattern must be a string")
			}
			s := lx.str()
			if s == "" {
				lx.fail("Null prefix/suffix not allowed")
			}
			c.end()
			c.end()
			if op == "prefix" {
				return cond{kind: cButPrefix, s: s}
			}
			return cond{kind: cButSuffix, s: s}
		case "wildcard":
			return c.anythingButWildcard()
		case "equals-ignore-case":
			ignoreCase = true
			t = lx.next()
		default:
			lx.fail("Unsupported anything-but pattern: " + op)
		}
	}
	if t != tokStartArray && t != tokString && !t.isNumber() {
		lx.fail("Value of anything-but must be an array or single string/number value.")
	}
	var cd cond
	switch {
	case ignoreCase && t == tokStartArray:
		cd.kind = cButFold
		for t = lx.next(); t != tokEndArray; t = lx.next() {
			if t != tokString {
				lx.fail("Inside anything-but/equals-ignore-case list, numberic|start|null|boolean is not supported.")
			}
			cd.strs = append(cd.strs, fold(lx.str()))
		}
	case ignoreCase:
		if t != tokString {
			lx.fail("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
		}
		cd = cond{kind: cButFold, strs: []string{fold(lx.str())}}
	case t == tokStartArray:
		var strs []string
		var nums []int64
		for t = lx.next(); t != tokEndArray; t = lx.next() {
			switch {
			case t == tokString:
				strs = append(strs, lx.str())
			case t.isNumber():
				nums = append(nums, c.number(lx.text))
			default:
				lx.fail("Inside anything but list, start|null|boolean is not supported.")
			}
		}
		if (len(strs) > 0) == (len(nums) > 0) {
			lx.fail("Inside anything but list, either all values are number or string, mixed type is not supported")
		}
		if len(nums) > 0 {
			cd = cond{kind: cButNum, nums: nums}
		} else {
			cd = cond{kind: cButStr, strs: strs}
		}
	case t == tokString:
		cd = cond{kind: cButStr, strs: []string{lx.str()}}
	default:
		cd = cond{kind: cButNum, nums: []int64{c.number(lx.text)}}
	}
	if lx.next() != tokEndObject {
		lx.fail("Too many elements in numeric expression")
	}
	if ignoreCase && lx.next() != tokEndObject {
		lx.fail("Too many elements in numeric expression")
	}
	return cd
}

// anythingButWildcard reads {"wildcard": string or [strings]} inside
// anything-but, after its field name.
func (c *compiler) anythingButWildcard() cond {
	lx := c.lx
	cd := cond{kind: cButWildcard}
	switch lx.next() {
	case tokString:
		cd.wcs = append(cd.wcs, c.wildcard(lx.str()))
	case tokStartArray:
		for t := lx.next(); t != tokEndArray; t = lx.next() {
			if t != tokString {
				lx.fail("Inside anything-but/wildcard list, number|start|null|boolean is not supported.")
			}
			cd.wcs = append(cd.wcs, c.wildcard(lx.str()))
		}
	default:
		lx.fail("wildcard match pattern must be a string")
	}
	c.end()
	c.end()
	return cd
}

// build turns the compiled alternatives into branches with sorted fields.
func build(rules []rule) *Pattern {
	p := &Pattern{branches: make([]branch, 0, len(rules))}
	for _, r := range rules {
		var b branch
		for path, vals := range r {
			f := field{path: path, hash: hashString(path)}
			for _, v := range vals {
				if v.kind == cAbsent {
					f.absentOK = true
					continue
				}
				f.conds = append(f.conds, v)
			}
			b.fields = append(b.fields, f)
		}
		sort.Slice(b.fields, func(i, j int) bool { return b.fields[i].path < b.fields[j].path })
		p.branches = append(p.branches, b)
	}
	return p
}
