package asl_test

import (
	"fmt"
	"testing"

	"tenkai/internal/sfn/asl"
)

func fmtAny(v any) string { return fmt.Sprint(v) }

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`,
		`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.a","IsPresent":true}],"Next":"D"}]},"D":{"Type":"Succeed"}}}`,
		`{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $x %}","End":true}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a.$":"States.Format('{}', $.x)"},"End":true}}}`,
		`[1,2`, `{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sm, err := asl.Parse(data)
		if err == nil && sm.StartAt == "" {
			t.Fatalf("valid machine without StartAt: %s", data)
		}
		_ = asl.Validate(data)
	})
}

func FuzzPaths(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$['a'][0]", "$..x", "$.a[?(@.b > 1)]", "$$.Execution.Id", "$var.x", "$.a[1:3]",
		"States.Format('{}', $.a)", "States.Array(States.UUID(), 'x\\'y')"} {
		f.Add(s)
	}
	data := map[string]any{"a": map[string]any{"b": []any{int64(1), "x", nil}}}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := asl.CompilePath(s); err == nil {
			_, _ = p.Get(data)
			_ = p.Normalized()
		}
		if p, err := asl.CompileReferencePath(s); err == nil {
			_, _ = p.Set(data, 1)
		}
		_, _ = asl.ParseIntrinsic(s)
	})
}
