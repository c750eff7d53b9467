package jsonata_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"tenkai/internal/jsonata"
)

var (
	groupFlag = flag.String("jsonata.group", "", "run only conformance groups containing this string")
	dumpFlag  = flag.String("jsonata.dump", "", "write the ids of failing conformance cases to this file")
	verbose   = flag.Bool("jsonata.v", false, "log every failing conformance case")
)

// suiteDir finds <repo>/../shared/conformance/jsonata by walking up.
func suiteDir(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		cand := filepath.Join(dir, "shared", "conformance", "jsonata")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("conformance suite shared/conformance/jsonata not found above the package directory")
		}
		dir = parent
	}
}

type confCase struct {
	id       string
	dir      string
	spec     *jsonata.Object
	expr     string
	input    any
	bindings map[string]any
}

func get(o *jsonata.Object, k string) (any, bool) { return o.Get(k) }

func loadCases(t testing.TB, root string) []confCase {
	groups, err := os.ReadDir(filepath.Join(root, "groups"))
	if err != nil {
		t.Fatal(err)
	}
	datasets := map[string]any{}
	var cases []confCase
	for _, g := range groups {
		if !g.IsDir() {
			continue
		}
		gdir := filepath.Join(root, "groups", g.Name())
		files, err := os.ReadDir(gdir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f.Name(), ".json") {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(gdir, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			v, err := jsonata.ParseJSON(raw)
			if err != nil {
				t.Fatalf("%s/%s: %v", g.Name(), f.Name(), err)
			}
			base := g.Name() + "/" + strings.TrimSuffix(f.Name(), ".json")
			var specs []*jsonata.Object
			var ids []string
			if arr, ok := v.([]any); ok {
				for i, it := range arr {
					specs = append(specs, it.(*jsonata.Object))
					ids = append(ids, fmt.Sprintf("%s[%d]", base, i))
				}
			} else {
				specs = append(specs, v.(*jsonata.Object))
				ids = append(ids, base)
			}
			for i, spec := range specs {
				c := confCase{id: ids[i], dir: gdir, spec: spec}
				if e, ok := get(spec, "expr"); ok {
					c.expr = e.(string)
				} else if ef, ok := get(spec, "expr-file"); ok {
					b, err := os.ReadFile(filepath.Join(gdir, ef.(string)))
					if err != nil {
						t.Fatal(err)
					}
					c.expr = string(b)
				}
				c.input = jsonata.Undefined
				if d, ok := get(spec, "data"); ok {
					c.input = d
				} else if ds, ok := get(spec, "dataset"); ok && ds != nil {
					name := ds.(string)
					if _, ok := datasets[name]; !ok {
						b, err := os.ReadFile(filepath.Join(root, "datasets", name+".json"))
						if err != nil {
							t.Fatal(err)
						}
						if datasets[name], err = jsonata.ParseJSON(b); err != nil {
							t.Fatal(err)
						}
					}
					c.input = datasets[name]
				}
				if b, ok := get(spec, "bindings"); ok {
					if bo, ok := b.(*jsonata.Object); ok {
						c.bindings = map[string]any{}
						for _, k := range bo.Keys() {
							c.bindings[k], _ = bo.Get(k)
						}
					}
				}
				cases = append(cases, c)
			}
		}
	}
	return cases
}

func loadKnown(t testing.TB) map[string]string {
	f, err := os.Open(filepath.Join("testdata", "known_failures.txt"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	defer f.Close()
	known := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, "#")
		known[strings.TrimSpace(id)] = strings.TrimSpace(reason)
	}
	return known
}

// runCase evaluates one case and returns "" on success or a description.
func runCase(c confCase) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	opts := &jsonata.EvalOptions{Bindings: c.bindings, OrderedObjects: true, TimeLimit: 10 * time.Second}
	if tl, ok := get(c.spec, "timelimit"); ok {
		opts.TimeLimit = time.Duration(tl.(float64)) * time.Millisecond
	}
	if d, ok := get(c.spec, "depth"); ok {
		opts.MaxDepth = int(d.(float64))
	}
	var wantCode, wantToken, wantMsg string
	if code, ok := get(c.spec, "code"); ok {
		wantCode = code.(string)
		if tok, ok := get(c.spec, "token"); ok {
			wantToken, _ = tok.(string)
		}
	}
	if eo, ok := get(c.spec, "error"); ok {
		o := eo.(*jsonata.Object)
		code, _ := o.Get("code")
		wantCode, _ = code.(string)
		if tok, ok := o.Get("token"); ok {
			wantToken, _ = tok.(string)
		}
		if m, ok := o.Get("message"); ok {
			wantMsg, _ = m.(string)
		}
	}
	expr, err := jsonata.Compile(c.expr)
	var got any
	if err == nil {
		got, err = expr.Eval(context.Background(), c.input, opts)
	}
	if wantCode != "" {
		var je *jsonata.Error
		if err == nil {
			return fmt.Sprintf("want error %s, got result %s", wantCode, show(got))
		}
		if !errors.As(err, &je) {
			return fmt.Sprintf("want error %s, got %v", wantCode, err)
		}
		if je.Code != wantCode {
			return fmt.Sprintf("want error %s, got %v", wantCode, err)
		}
		if wantToken != "" && je.Token != wantToken {
			return fmt.Sprintf("want token %q, got %q (%v)", wantToken, je.Token, err)
		}
		if wantMsg != "" && je.Message != wantMsg {
			return fmt.Sprintf("want message %q, got %q", wantMsg, je.Message)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("unexpected error: %v", err)
	}
	if u, ok := get(c.spec, "undefinedResult"); ok && u == true {
		if !jsonata.IsUndefined(got) {
			return fmt.Sprintf("want undefined, got %s", show(got))
		}
		return ""
	}
	want, ok := get(c.spec, "result")
	if !ok {
		return "case has no expectation"
	}
	unordered, _ := get(c.spec, "unordered")
	if !jsonEqual(want, got, unordered == true) {
		return fmt.Sprintf("got %s; want %s", show(got), show(want))
	}
	return ""
}

func show(v any) string {
	if jsonata.IsUndefined(v) {
		return "undefined"
	}
	o := jsonata.NewObject(1)
	o.Set("v", v)
	b, err := o.MarshalJSON()
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	return s[5 : len(s)-1]
}

// jsonEqual compares JSON values, numbers with a small relative tolerance.
func jsonEqual(want, got any, unordered bool) bool {
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		if !ok {
			return false
		}
		if w == g {
			return true
		}
		return math.Abs(w-g) <= 1e-13*math.Max(math.Abs(w), math.Abs(g))
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		if unordered {
			used := make([]bool, len(g))
		outer:
			for _, wi := range w {
				for j, gj := range g {
					if !used[j] && jsonEqual(wi, gj, false) {
						used[j] = true
						continue outer
					}
				}
				return false
			}
			return true
		}
		for i := range w {
			if !jsonEqual(w[i], g[i], false) {
				return false
			}
		}
		return true
	case *jsonata.Object:
		g, ok := got.(*jsonata.Object)
		if !ok || g.Len() != w.Len() {
			return false
		}
		for _, k := range w.Keys() {
			wv, _ := w.Get(k)
			gv, ok := g.Get(k)
			if !ok || !jsonEqual(wv, gv, false) {
				return false
			}
		}
		return true
	}
	return want == got
}

func TestConformance(t *testing.T) {
	root := suiteDir(t)
	cases := loadCases(t, root)
	known := loadKnown(t)
	pass, ran := 0, 0
	var failed []string
	for _, c := range cases {
		if *groupFlag != "" && !strings.Contains(c.id, *groupFlag) {
			continue
		}
		ran++
		msg := runCase(c)
		if msg == "" {
			pass++
			if _, ok := known[c.id]; ok {
				t.Logf("%s passes but is listed in testdata/known_failures.txt; remove it", c.id)
			}
			continue
		}
		failed = append(failed, c.id)
		if _, ok := known[c.id]; ok {
			if *verbose {
				t.Logf("known failure %s: %s\n  expr: %s", c.id, msg, c.expr)
			}
			continue
		}
		t.Errorf("%s: %s\n  expr: %s", c.id, msg, c.expr)
	}
	t.Logf("conformance: %d of %d cases pass (%d total in suite)", pass, ran, len(cases))
	if *dumpFlag != "" {
		sort.Strings(failed)
		if err := os.WriteFile(*dumpFlag, []byte(strings.Join(failed, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
