package insights

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// expr is an expression evaluated against one record. A missing value is nil.
type expr interface {
	eval(r Record) any
	String() string
}

type fieldRef struct{ name string }

func (f fieldRef) eval(r Record) any { return r[f.name] }
func (f fieldRef) String() string    { return f.name }

type literal struct {
	v    any
	text string
}

func (l literal) eval(Record) any { return l.v }
func (l literal) String() string  { return l.text }

type regexLit struct{ re *regexp.Regexp }

func (l regexLit) eval(Record) any { return l.re.String() }
func (l regexLit) String() string  { return "/" + l.re.String() + "/" }

type unary struct {
	op string // not, -
	x  expr
}

func (u unary) eval(r Record) any {
	v := u.x.eval(r)
	if u.op == "not" {
		return !truthy(v)
	}
	if f, ok := toNumber(v); ok {
		return -f
	}
	return nil
}

func (u unary) String() string { return u.op + " " + u.x.String() }

type binary struct {
	op   string
	l, r expr
}

func (b binary) String() string { return b.l.String() + " " + b.op + " " + b.r.String() }

func (b binary) eval(r Record) any {
	switch b.op {
	case "and":
		return truthy(b.l.eval(r)) && truthy(b.r.eval(r))
	case "or":
		return truthy(b.l.eval(r)) || truthy(b.r.eval(r))
	}
	lv, rv := b.l.eval(r), b.r.eval(r)
	switch b.op {
	case "like", "not like", "=~":
		if lv == nil {
			return false
		}
		s := toString(lv)
		var ok bool
		if re, isRe := b.r.(regexLit); isRe {
			ok = re.re.MatchString(s)
		} else if b.op == "=~" {
			re, err := regexp.Compile(toString(rv))
			ok = err == nil && re.MatchString(s)
		} else {
			ok = strings.Contains(s, toString(rv))
		}
		if b.op == "not like" {
			return !ok
		}
		return ok
	case "+", "-", "*", "/", "%":
		x, ok1 := toNumber(lv)
		y, ok2 := toNumber(rv)
		if !ok1 || !ok2 {
			return nil
		}
		switch b.op {
		case "+":
			return x + y
		case "-":
			return x - y
		case "*":
			return x * y
		case "/":
			if y == 0 {
				return nil
			}
			return x / y
		default:
			if y == 0 {
				return nil
			}
			return math.Mod(x, y)
		}
	}
	if lv == nil || rv == nil {
		return false // a missing field compares false, whatever the operator
	}
	c, ok := compare(lv, rv)
	if !ok {
		return b.op == "!="
	}
	switch b.op {
	case "=", "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

type inList struct {
	x    expr
	list []expr
	not  bool
}

func (in inList) String() string { return in.x.String() + " in [...]" }

func (in inList) eval(r Record) any {
	v := in.x.eval(r)
	found := false
	if v != nil {
		for _, e := range in.list {
			if c, ok := compare(v, e.eval(r)); ok && c == 0 {
				found = true
				break
			}
		}
	}
	return found != in.not
}

type call struct {
	name string
	args []expr
	text string
}

func (c call) String() string { return c.text }

func (c call) eval(r Record) any {
	arg := func(i int) any {
		if i < len(c.args) {
			return c.args[i].eval(r)
		}
		return nil
	}
	switch c.name {
	case "ispresent":
		return arg(0) != nil
	case "isempty":
		v := arg(0)
		return v == nil || toString(v) == ""
	case "isblank":
		v := arg(0)
		return v == nil || strings.TrimSpace(toString(v)) == ""
	case "strlen":
		if v := arg(0); v != nil {
			return float64(len([]rune(toString(v))))
		}
	case "tolower":
		if v := arg(0); v != nil {
			return strings.ToLower(toString(v))
		}
	case "toupper":
		if v := arg(0); v != nil {
			return strings.ToUpper(toString(v))
		}
	case "trim":
		if v := arg(0); v != nil {
			return strings.TrimSpace(toString(v))
		}
	case "concat":
		var b strings.Builder
		for i := range c.args {
			if v := arg(i); v != nil {
				b.WriteString(toString(v))
			}
		}
		return b.String()
	case "abs", "floor", "ceil":
		f, ok := toNumber(arg(0))
		if !ok {
			return nil
		}
		switch c.name {
		case "abs":
			return math.Abs(f)
		case "floor":
			return math.Floor(f)
		default:
			return math.Ceil(f)
		}
	case "bin":
		// bin(period) rounds @timestamp down to the period.
		tv, ok := r["@timestamp"].(Time)
		ts := int64(tv)
		d, isDur := c.args[0].(literal).v.(time.Duration)
		if !ok || !isDur || d <= 0 {
			return nil
		}
		ms := d.Milliseconds()
		return Time(ts - ((ts%ms)+ms)%ms)
	}
	return nil
}

// Time is a time in epoch milliseconds, shown as Insights shows times
// ("2006-01-02 15:04:05.000", UTC).
type Time int64

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	}
	return true
}

func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case Time:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case Time:
		return time.UnixMilli(int64(x)).UTC().Format("2006-01-02 15:04:05.000")
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// compare orders two values: numerically when both are numbers, else as text.
func compare(a, b any) (int, bool) {
	_, aStr := a.(string)
	_, bStr := b.(string)
	if !(aStr && bStr) {
		x, ok1 := toNumber(a)
		y, ok2 := toNumber(b)
		if ok1 && ok2 {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
	}
	if _, ok := a.(bool); ok {
		return boolCmp(a, b)
	}
	return strings.Compare(toString(a), toString(b)), true
}

func boolCmp(a, b any) (int, bool) {
	if toString(a) == toString(b) {
		return 0, true
	}
	return 1, true
}
