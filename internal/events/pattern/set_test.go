package pattern_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"tenkai/internal/events/pattern"
)

// Random patterns and events over a small vocabulary, so that they often
// overlap. Patterns are generated as JSON text and compiled normally.

var (
	genStrings = []string{`""`, `"foo"`, `"Foo"`, `"foobar"`, `"barfoo"`, `"10.0.0.1"`, `"10.1.0.1"`, `"2001:db8::1"`, `"fo*o"`}
	genNumbers = []string{"0", "1", "5", "1e2", "100", "-3.5", "0.25", "6e9"}
	genLits    = []string{"true", "false", "null"}
	genConds   = []string{
		`"foo"`, `"foobar"`, `""`, `"10.0.0.1"`, `100`, `1e2`, `0.25`, `6e9`, `true`, `null`,
		`{"prefix":"fo"}`, `{"prefix":""}`, `{"prefix":{"equals-ignore-case":"FO"}}`,
		`{"suffix":"bar"}`, `{"suffix":{"equals-ignore-case":"BAR"}}`, `{"equals-ignore-case":"FOO"}`,
		`{"anything-but":"foo"}`, `{"anything-but":["foo","barfoo"]}`, `{"anything-but":5}`,
		`{"anything-but":[1,100]}`, `{"anything-but":{"prefix":"fo"}}`, `{"anything-but":{"suffix":"o"}}`,
		`{"anything-but":{"equals-ignore-case":"FOO"}}`, `{"anything-but":{"wildcard":"*o*"}}`,
		`{"numeric":[">",0]}`, `{"numeric":[">=",1,"<",100]}`, `{"numeric":["=",100]}`, `{"numeric":["<=",0.25]}`,
		`{"exists":true}`, `{"exists":false}`, `{"cidr":"10.0.0.0/16"}`, `{"cidr":"2001:db8::/32"}`,
		`{"wildcard":"f*o"}`, `{"wildcard":"*bar"}`, `{"wildcard":"fo\\*o"}`,
	}
	genPaths = [][]string{{"a"}, {"b"}, {"n"}, {"d", "x"}, {"d", "y"}, {"arr", "k"}, {"arr", "v"}}
)

func genScalar(r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return genStrings[r.IntN(len(genStrings))]
	case 1:
		return genNumbers[r.IntN(len(genNumbers))]
	}
	return genLits[r.IntN(len(genLits))]
}

func genValue(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		n := r.IntN(3)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = genScalar(r)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return genScalar(r)
}

func genKV(r *rand.Rand) string {
	var parts []string
	if r.IntN(3) > 0 {
		parts = append(parts, `"k":`+genValue(r))
	}
	if r.IntN(3) > 0 {
		parts = append(parts, `"v":`+genValue(r))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func genEvent(r *rand.Rand) string {
	var parts []string
	for _, k := range []string{"a", "b", "n"} {
		if r.IntN(4) > 0 {
			parts = append(parts, fmt.Sprintf("%q:%s", k, genValue(r)))
		}
	}
	switch r.IntN(4) {
	case 0:
		parts = append(parts, `"d":{"x":`+genValue(r)+`,"y":`+genValue(r)+`}`)
	case 1:
		parts = append(parts, `"d":{"x":`+genValue(r)+`}`)
	case 2:
		parts = append(parts, `"d":`+genScalar(r))
	}
	switch r.IntN(4) {
	case 0:
		n := r.IntN(4)
		elems := make([]string, n)
		for i := range elems {
			elems[i] = genKV(r)
		}
		parts = append(parts, `"arr":[`+strings.Join(elems, ",")+`]`)
	case 1:
		parts = append(parts, `"arr":[[`+genKV(r)+`,`+genKV(r)+`],`+genKV(r)+`]`)
	case 2:
		parts = append(parts, `"arr":`+genKV(r))
	}
	r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return "{" + strings.Join(parts, ",") + "}"
}

// genFields builds the body of a pattern object from random fields.
func genFields(r *rand.Rand, n int) string {
	tree := map[string]any{}
	for range n {
		path := genPaths[r.IntN(len(genPaths))]
		k := 1 + r.IntN(2)
		conds := make([]string, k)
		for i := range conds {
			conds[i] = genConds[r.IntN(len(genConds))]
		}
		leaf := "[" + strings.Join(conds, ",") + "]"
		if len(path) == 1 {
			tree[path[0]] = leaf
			continue
		}
		sub, ok := tree[path[0]].(map[string]any)
		if !ok {
			sub = map[string]any{}
			tree[path[0]] = sub
		}
		sub[path[1]] = leaf
	}
	return render(tree)
}

func render(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			parts = append(parts, fmt.Sprintf("%q:%s", k, v))
		case map[string]any:
			parts = append(parts, fmt.Sprintf("%q:{%s}", k, render(v)))
		}
	}
	return strings.Join(parts, ",")
}

func genPattern(r *rand.Rand) string {
	body := genFields(r, 1+r.IntN(3))
	if r.IntN(4) == 0 {
		body = `"$or":[{` + genFields(r, 1+r.IntN(2)) + `},{` + genFields(r, 1+r.IntN(2)) + `}],` + body
	}
	return "{" + body + "}"
}

// TestSetAgreesWithPatterns checks that a Set returns exactly the rules
// whose patterns match on their own, and that both agree with a simple
// reference implementation written over encoding/json values.
func TestSetAgreesWithPatterns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var set pattern.Set
	var names []string
	var srcs []string
	pats := map[string]*pattern.Pattern{}
	for i := 0; len(names) < 300; i++ {
		src := genPattern(r)
		p, err := pattern.Compile([]byte(src))
		if err != nil {
			t.Fatalf("Compile(%s): %v", src, err)
		}
		name := fmt.Sprintf("r%03d", i)
		set.Add(name, p)
		pats[name] = p
		names = append(names, name)
		srcs = append(srcs, src)
	}
	matched := 0
	for range 400 {
		evSrc := genEvent(r)
		ev, err := pattern.ParseEvent([]byte(evSrc))
		if err != nil {
			t.Fatalf("ParseEvent(%s): %v", evSrc, err)
		}
		var want []string
		for i, name := range names {
			got := pats[name].MatchEvent(ev)
			ref := refMatch(t, srcs[i], evSrc)
			if got != ref {
				t.Errorf("pattern %s event %s: MatchEvent = %v; reference = %v", srcs[i], evSrc, got, ref)
			}
			if got {
				want = append(want, name)
			}
		}
		got := set.MatchEvent(ev, nil)
		if !slices.Equal(got, want) {
			t.Errorf("event %s: Set = %v; want %v", evSrc, got, want)
		}
		matched += len(want)
	}
	if matched == 0 {
		t.Fatal("no event matched any pattern: the generator is too sparse")
	}
	t.Logf("%d matches", matched)
}

func TestSetAddRemove(t *testing.T) {
	var s pattern.Set
	s.Add("b", pattern.MustCompile(`{"source":["x"]}`))
	s.Add("a", pattern.MustCompile(`{"source":[{"prefix":"x"}]}`))
	s.Add("c", pattern.MustCompile(`{"source":["y"]}`))
	got, _ := s.Match([]byte(`{"source":"x"}`))
	if want := []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Match = %v; want %v", got, want)
	}
	s.Remove("a")
	s.Add("b", pattern.MustCompile(`{"source":["z"]}`)) // replaces
	got, _ = s.Match([]byte(`{"source":"x"}`))
	if len(got) != 0 {
		t.Errorf("Match after Remove = %v; want none", got)
	}
	if s.Len() != 2 {
		t.Errorf("Len = %d; want 2", s.Len())
	}
	if _, err := s.Match([]byte(`[1]`)); err == nil {
		t.Error("Match([1]) = nil error; want an error")
	}
}

// ---- Reference implementation ----

func decode(t *testing.T, s string) any {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// refBranches expands a pattern into path → alternatives maps.
func refBranches(obj map[string]any, prefix string, in []map[string][]any) []map[string][]any {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // our generator puts $or first; the order of other keys does not matter
	if len(in) == 0 {
		in = []map[string][]any{{}}
	}
	for _, k := range keys {
		switch v := obj[k].(type) {
		case []any:
			if k == "$or" {
				var out []map[string][]any
				for _, alt := range v {
					fork := make([]map[string][]any, len(in))
					for i, b := range in {
						fork[i] = maps(b)
					}
					out = append(out, refBranches(alt.(map[string]any), prefix, fork)...)
				}
				in = out
				continue
			}
			for _, b := range in {
				b[prefix+k] = v
			}
		case map[string]any:
			in = refBranches(v, prefix+k+".", in)
		}
	}
	return in
}

func maps(m map[string][]any) map[string][]any {
	c := make(map[string][]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

type refLeaf struct {
	path string
	v    any
}

// project lists the leaves of ev with each array replaced by one chosen
// element; choice holds an index per array met, in order.
func project(v any, path string, choice []int, pos *int, out *[]refLeaf, all *[]refLeaf) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			c := x[k]
			p := k
			if path != "" {
				p = path + "." + k
			}
			project(c, p, choice, pos, out, all)
		}
	case []any:
		i := *pos
		*pos++
		for j, c := range x {
			if choice == nil || (i < len(choice) && choice[i] == j) {
				project(c, path, choice, pos, out, all)
			} else {
				project(c, path, nil, pos, nil, all)
			}
		}
	default:
		if out != nil {
			*out = append(*out, refLeaf{path, v})
		}
		if all != nil {
			*all = append(*all, refLeaf{path, v})
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// countArrays lists the sizes of the arrays in v, in the order project
// meets them.
func countArrays(v any) []int {
	var sizes []int
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(x[k])
			}
		case []any:
			sizes = append(sizes, len(x))
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return sizes
}

func refMatch(t *testing.T, patSrc, evSrc string) bool {
	branches := refBranches(decode(t, patSrc).(map[string]any), "", nil)
	ev := decode(t, evSrc)
	sizes := countArrays(ev)
	var all []refLeaf
	pos := 0
	project(ev, "", nil, &pos, nil, &all)
	present := map[string]bool{}
	for _, l := range all {
		present[l.path] = true
	}
	choice := make([]int, len(sizes))
	for {
		var leaves []refLeaf
		pos := 0
		project(ev, "", choice, &pos, &leaves, nil)
		for _, b := range branches {
			if refBranch(b, leaves, present) {
				return true
			}
		}
		// Next combination of array elements.
		i := 0
		for ; i < len(sizes); i++ {
			choice[i]++
			if choice[i] < sizes[i] {
				break
			}
			choice[i] = 0
		}
		if i == len(sizes) {
			return false
		}
	}
}

func refBranch(b map[string][]any, leaves []refLeaf, present map[string]bool) bool {
	for path, alts := range b {
		ok := false
		for _, alt := range alts {
			if m, isObj := alt.(map[string]any); isObj {
				if e, has := m["exists"]; has && e == false && !present[path] {
					ok = true
					break
				}
			}
			for _, l := range leaves {
				if l.path == path && refValue(alt, l.v) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func refNum(n json.Number) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return nil, false
	}
	lim := big.NewRat(5_000_000_000, 1)
	if r.Cmp(lim) > 0 || r.Cmp(new(big.Rat).Neg(lim)) < 0 {
		return nil, false
	}
	return r, true
}

func refValue(alt, v any) bool {
	s, isStr := v.(string)
	n, isNum := v.(json.Number)
	switch a := alt.(type) {
	case string:
		if !isStr {
			return false
		}
		if a == s {
			return true
		}
		pa, err1 := netip.ParseAddr(a)
		pv, err2 := netip.ParseAddr(s)
		return err1 == nil && err2 == nil && pa == pv
	case json.Number:
		if !isNum {
			return false
		}
		if a == n {
			return true
		}
		x, ok1 := refNum(a)
		y, ok2 := refNum(n)
		return ok1 && ok2 && x.Cmp(y) == 0
	case bool, nil:
		return v == alt
	case map[string]any:
		for op, arg := range a {
			return refOp(op, arg, v, s, isStr, n, isNum)
		}
	}
	return false
}

func refOp(op string, arg, v any, s string, isStr bool, n json.Number, isNum bool) bool {
	switch op {
	case "prefix", "suffix":
		if !isStr {
			return false
		}
		has := strings.HasPrefix
		if op == "suffix" {
			has = strings.HasSuffix
		}
		if m, ok := arg.(map[string]any); ok {
			return has(strings.ToLower(s), strings.ToLower(m["equals-ignore-case"].(string)))
		}
		return has(s, arg.(string))
	case "equals-ignore-case":
		return isStr && strings.EqualFold(s, arg.(string))
	case "wildcard":
		return isStr && refWildcard(arg.(string)).MatchString(s)
	case "exists":
		return arg == true
	case "cidr":
		p := netip.MustParsePrefix(arg.(string))
		a, err := netip.ParseAddr(s)
		return isStr && err == nil && p.Contains(a)
	case "numeric":
		if !isNum {
			return false
		}
		x, ok := refNum(n)
		if !ok {
			return false
		}
		terms := arg.([]any)
		for i := 0; i < len(terms); i += 2 {
			y, _ := refNum(terms[i+1].(json.Number))
			c := x.Cmp(y)
			switch terms[i] {
			case "=":
				if c != 0 {
					return false
				}
			case ">":
				if c <= 0 {
					return false
				}
			case ">=":
				if c < 0 {
					return false
				}
			case "<":
				if c >= 0 {
					return false
				}
			case "<=":
				if c > 0 {
					return false
				}
			}
		}
		return true
	case "anything-but":
		switch b := arg.(type) {
		case string, json.Number:
			return !refValue(b, v) || (isNum && func() bool { _, ok := refNum(n); return !ok }())
		case []any:
			for _, x := range b {
				if refValue(x, v) {
					if _, isN := x.(json.Number); isN {
						if _, ok := refNum(n); !ok {
							continue
						}
					}
					return false
				}
			}
			return true
		case map[string]any:
			for k, x := range b {
				switch k {
				case "prefix":
					return !isStr || !strings.HasPrefix(s, x.(string))
				case "suffix":
					return !isStr || !strings.HasSuffix(s, x.(string))
				case "equals-ignore-case":
					return !isStr || !strings.EqualFold(s, x.(string))
				case "wildcard":
					return !isStr || !refWildcard(x.(string)).MatchString(s)
				}
			}
		}
	}
	return false
}

func refWildcard(w string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(w); i++ {
		switch {
		case w[i] == '\\' && i+1 < len(w):
			b.WriteString(regexp.QuoteMeta(w[i+1 : i+2]))
			i++
		case w[i] == '*':
			b.WriteString("(?s:.*)")
		default:
			b.WriteString(regexp.QuoteMeta(w[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func TestSetConcurrent(t *testing.T) {
	var s pattern.Set
	s.Add("base", pattern.MustCompile(`{"source":["x"]}`))
	ev, err := pattern.ParseEvent([]byte(`{"source":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for g := range 4 {
		go func() {
			ok := true
			for i := range 200 {
				if g == 0 {
					s.Add(fmt.Sprintf("r%d", i), pattern.MustCompile(`{"source":["y"]}`))
				}
				got := s.MatchEvent(ev, nil)
				if !slices.Equal(got, []string{"base"}) {
					ok = false
				}
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("concurrent MatchEvent returned a wrong result")
		}
	}
}
