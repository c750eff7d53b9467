package asl_test

import (
	"encoding/json"
	"strings"
	"testing"

	"tenkai/internal/sfn/asl"
)

func TestParseValid(t *testing.T) {
	sm, err := asl.Parse([]byte(`{"Comment":"c","StartAt":"A","TimeoutSeconds":60,"States":{
		"A":{"Type":"Pass","Next":"B"},
		"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]}],"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"D"}],"Default":"E"},
		"D":{"Type":"Succeed"},"E":{"Type":"Fail","Error":"X"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if sm.StartAt != "A" || sm.TimeoutSeconds != 60 || len(sm.Order) != 5 || sm.States["B"].Retry[0].MaxAttempts != 3 || sm.States["B"].Retry[0].BackoffRate != 2 {
		t.Fatalf("parsed = %+v", sm)
	}
}

func TestValidateMessages(t *testing.T) {
	n81 := strings.Repeat("n", 81)
	tests := []struct {
		name, def string
		want      string // contained in Diagnostics.Error()
	}{
		{"missing next target", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"},"B":{"Type":"Succeed"}}}`,
			`Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /States/A/Next, MISSING_TRANSITION_TARGET: State "B" is not reachable. at /States/B'`},
		{"missing StartAt target", `{"StartAt":"X","States":{"A":{"Type":"Succeed"}}}`,
			`MISSING_TRANSITION_TARGET: Missing 'Next' target: X at /StartAt`},
		{"missing type", `{"StartAt":"A","States":{"A":{"End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /States/A`},
		{"unsupported field", `{"StartAt":"A","States":{"A":{"Type":"Pass","TimeoutSeconds":3,"End":true}}}`,
			`Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' is not supported at /States/A'`},
		{"jsonpath field in jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a","End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: Field 'InputPath' is not supported at /States/A/InputPath'`},
		{"jsonata field in jsonpath", `{"StartAt":"A","States":{"A":{"Type":"Pass","Output":{},"End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: Field 'Output' is not supported at /States/A/Output'`},
		{"bad path", `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"a.b","End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: The value for the field 'InputPath' must be a valid JSONPath at /States/A/InputPath`},
		{"bad reference path", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: The value for the field 'ResultPath' must be a valid ReferencePath at /States/A/ResultPath`},
		{"next and end", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`,
			`SCHEMA_VALIDATION_FAILED: Exactly one of these fields is required: [Next, End] at /States/A, MISSING_END_STATE: Workflow has no terminal state at /States`},
		{"bad json", `{"StartAt":`, `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: unexpected EOF'`},
		{"choice without operator", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			`SCHEMA_VALIDATION_FAILED: A Choice rule must have exactly one comparison operator or And, Or, Not at /States/C/Choices[0]`},
		{"choice wrong value type", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			`SCHEMA_VALIDATION_FAILED: Expected value of type: NUMBER but was STRING at /States/C/Choices[0]/NumericEquals`},
		{"retry shape", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL","X"],"BackoffRate":0.5}],"End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: The field 'ErrorEquals' must not contain 'States.ALL' with other error names at /States/T/Retry[0]/ErrorEquals, SCHEMA_VALIDATION_FAILED: The value for the field 'BackoffRate' must be a number greater than or equal to 1.0 at /States/T/Retry[0]/BackoffRate`},
		{"catch target", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Z"}],"End":true}}}`,
			`MISSING_TRANSITION_TARGET: Missing 'Next' target: Z at /States/T/Catch[0]/Next`},
		{"branch problem located", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Q"}}}]}}}`,
			`MISSING_TRANSITION_TARGET: Missing 'Next' target: Q at /States/P/Branches[0]/States/A/Next, MISSING_END_STATE: Workflow has no terminal state at /States/P/Branches[0]/States`},
		{"long name", `{"StartAt":"` + n81 + `","States":{"` + n81 + `":{"Type":"Succeed"}}}`,
			`SCHEMA_VALIDATION_FAILED: State name '` + n81 + `' exceeds the maximum length of 80 characters at /States/` + n81},
		{"reserved variable", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"states":1},"End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: The variable name 'states' is reserved at /States/A/Assign`},
		{"bad jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $x + %}","End":true}}}`,
			`Invalid State Machine Definition: 'INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/A/Output'`},
		{"bad intrinsic", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"a.$":"States.Nope(1)"},"End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: The value for the field 'a.$' must be a valid JSONPath or a valid intrinsic function call at /States/A/Parameters`},
		{"wait needs one field", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: Exactly one of these fields is required: [Seconds, SecondsPath, Timestamp, TimestampPath] at /States/W`},
		{"too large", `{"Comment":"` + strings.Repeat("x", asl.MaxDefinitionSize) + `"}`, "SCHEMA_VALIDATION_FAILED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := asl.Parse([]byte(tc.def))
			if err == nil {
				t.Fatalf("Parse succeeded; want %s", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error =\n%s\nwant it to contain\n%s", err, tc.want)
			}
			ds := asl.Validate([]byte(tc.def))
			if len(ds) == 0 || ds[0].Severity != "ERROR" {
				t.Fatalf("Validate = %+v", ds)
			}
		})
	}
}

func TestValidateDiagnosticShape(t *testing.T) {
	ds := asl.Validate([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}`))
	want := asl.Diagnostic{Severity: "ERROR", Code: "MISSING_TRANSITION_TARGET", Message: "Missing 'Next' target: Nope", Location: "/States/A/Next"}
	if len(ds) == 0 || ds[0] != want {
		t.Fatalf("Validate = %+v; want first %+v", ds, want)
	}
	if ds := asl.Validate([]byte(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)); len(ds) != 0 {
		t.Fatalf("Validate(valid) = %+v", ds)
	}
}

func TestPaths(t *testing.T) {
	data := map[string]any{"a": map[string]any{"b": []any{int64(1), int64(2)}, "c d": "x"}, "items": []any{map[string]any{"id": int64(1)}, map[string]any{"id": int64(2)}}}
	tests := []struct{ path, want string }{
		{"$.a.b[1]", "2"},
		{"$['a']['c d']", "x"},
		{"$.items[*].id", "[1 2]"},
		{"$..id", "[1 2]"},
		{"$.a.nope", "error"},
		{"$.a.b[5]", "error"},
	}
	for _, tc := range tests {
		p, err := asl.CompilePath(tc.path)
		if err != nil {
			t.Fatalf("CompilePath(%q): %v", tc.path, err)
		}
		got, err := p.Get(data)
		s := fmtAny(got)
		if err != nil {
			s = "error"
		}
		if s != tc.want {
			t.Fatalf("Get(%q) = %v (%v); want %s", tc.path, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "a", "$[", "$.a[?("} {
		if _, err := asl.CompilePath(bad); err == nil {
			t.Errorf("CompilePath(%q) succeeded; want error", bad)
		}
	}
	p, _ := asl.CompileReferencePath("$.x.y")
	in := map[string]any{"a": int64(1)}
	out, err := p.Set(in, "v")
	if b, _ := json.Marshal(out); err != nil || string(b) != `{"a":1,"x":{"y":"v"}}` || len(in) != 1 {
		t.Fatalf("Set = %v, %v (input %v)", out, err, in)
	}
	if _, err := p.Set(map[string]any{"x": "str"}, "v"); err == nil {
		t.Fatal("Set through a string succeeded")
	}
	if _, err := asl.CompileReferencePath("$$.Execution"); err == nil {
		t.Fatal("context reference path accepted")
	}
}

func TestParseIntrinsic(t *testing.T) {
	c, err := asl.ParseIntrinsic(`States.Format('a\'b {}', States.ArrayLength($.x), 1.5, true, null)`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "States.Format" || len(c.Args) != 5 || c.Args[1].Call == nil || c.Args[2].Literal != 1.5 {
		t.Fatalf("call = %+v", c)
	}
	if s, _ := c.Args[0].LiteralString(); s != "a'b {}" {
		t.Fatalf("literal = %q", s)
	}
	for _, bad := range []string{`States.Format(`, `States.Nope()`, `States.UUID(1)`, `States.MathAdd(1)`, `States.Array('x`} {
		if _, err := asl.ParseIntrinsic(bad); err == nil {
			t.Errorf("ParseIntrinsic(%q) succeeded", bad)
		}
	}
}
