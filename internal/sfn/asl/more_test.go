package asl_test

import (
	"strings"
	"testing"

	"tenkai/internal/sfn/asl"
)

func mapDef(fields string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map",` + fields + `"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
}

func TestMapLimitsAccepted(t *testing.T) {
	for _, f := range []string{`"MaxConcurrency":9223372036854775807,`, `"MaxConcurrency":0,`,
		`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"}},`} {
		if _, err := asl.Parse([]byte(mapDef(f))); err != nil {
			t.Errorf("Parse(Map with %s) = %v", f, err)
		}
	}
	if _, err := asl.Parse([]byte(`{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":"{% $states.input.limit %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`)); err != nil {
		t.Errorf("JSONata MaxConcurrency expression: %v", err)
	}
}

func TestValidateMoreShapes(t *testing.T) {
	tests := []struct{ name, def, want string }{
		{"map without processor", `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`,
			`SCHEMA_VALIDATION_FAILED: These fields are required: [ItemProcessor] at /States/M`},
		{"map bad mode", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"X"},"StartAt":"A","States":{"A":{"Type":"Succeed"}}},"End":true}}}`,
			`The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED] at /States/M/ItemProcessor/ProcessorConfig/Mode`},
		{"map tolerance range", `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailurePercentage":101,"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}},"End":true}}}`,
			`The value for the field 'ToleratedFailurePercentage' must be a number between 0 and 100 at /States/M/ToleratedFailurePercentage`},
		{"map selector and parameters", `{"StartAt":"M","States":{"M":{"Type":"Map","Parameters":{},"ItemSelector":{},"Iterator":{"StartAt":"A","States":{"A":{"Type":"Succeed"}}},"End":true}}}`,
			`Only one of these fields may be present: [ItemSelector, Parameters] at /States/M`},
		{"parallel branch extra field", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Succeed"}}}],"End":true}}}`,
			`Field 'Foo' is not supported at /States/P/Branches[0]`},
		{"parallel no branches", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[],"End":true}}}`,
			`The field 'Branches' must be a non-empty array at /States/P/Branches`},
		{"fail error and path", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"a","ErrorPath":"$.e"}}}`,
			`Only one of these fields may be present: [Error, ErrorPath] at /States/F`},
		{"fail next", `{"StartAt":"F","States":{"F":{"Type":"Fail","Next":"F"}}}`,
			`Field 'Next' is not supported at /States/F`},
		{"jsonpath state in jsonata machine", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
			`at /States/A/QueryLanguage`},
		{"jsonata choice needs condition", `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			`These fields are required: [Condition] at /States/C/Choices[0]`},
		{"jsonata condition not expression", `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"yes","Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			`The value for the field 'Condition' must be a JSONata expression at /States/C/Choices[0]/Condition`},
		{"nested rule with next", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.a","IsNull":true,"Next":"D"},"Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			`Field 'Next' is not supported at /States/C/Choices[0]/Not`},
		{"two operators", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"IsString":true,"Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			`A Choice rule must have only one of these fields: [IsNull, IsString] at /States/C/Choices[0]`},
		{"bad timestamp", `{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"tomorrow","End":true}}}`,
			`The value for the field 'Timestamp' must be a valid timestamp at /States/W/Timestamp`},
		{"heartbeat not below timeout", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":5,"HeartbeatSeconds":5,"End":true}}}`,
			`The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds' at /States/T/HeartbeatSeconds`},
		{"resource not arn", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"fn","End":true}}}`,
			`INVALID_RESOURCE: Invalid resource: fn at /States/T/Resource`},
		{"catch all not last", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Next":"T"},{"ErrorEquals":["X"],"Next":"T"}],"End":true}}}`,
			`'States.ALL' must appear in the last Retrier or Catcher at /States/T/Catch[0]/ErrorEquals`},
		{"unknown top field", `{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Succeed"}}}`, `SCHEMA_VALIDATION_FAILED: Field 'Foo' is not supported`},
		{"duplicate state", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"A":{"Type":"Succeed"}}}`, `Duplicate State name: A at /States/A`},
		{"bad variable name", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"1x":1},"End":true}}}`, `The variable name '1x' is invalid at /States/A/Assign`},
		{"top query language", `{"QueryLanguage":"XPath","StartAt":"A","States":{"A":{"Type":"Succeed"}}}`, `at /QueryLanguage`},
		{"states not object", `{"StartAt":"A","States":[]}`, `Expected value of type: OBJECT but was ARRAY at /States`},
		{"not an object", `[]`, `Expected value of type: OBJECT but was ARRAY`},
		{"missing fields", `{}`, `These fields are required: [StartAt, States] at /`},
		{"max concurrency both", mapDef(`"MaxConcurrency":2,"MaxConcurrencyPath":"$.limit",`), `at /States/M/MaxConcurrency'`},
		{"max concurrency negative", mapDef(`"MaxConcurrency":-1,`), `at /States/M/MaxConcurrency'`},
		{"max concurrency path indefinite", mapDef(`"MaxConcurrencyPath":"$.limits[*]",`), `at /States/M/MaxConcurrencyPath'`},
		{"jsonata max concurrency path", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrencyPath":"$.l","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			`at /States/M/MaxConcurrencyPath'`},
		{"item reader resource", mapDef(`"ItemReader":{"Resource":"arn:aws:states:::s3:unknownOperation","ReaderConfig":{"InputType":"JSON"}},`), `SCHEMA_VALIDATION_FAILED: The resource 'arn:aws:states:::s3:unknownOperation' is not supported for the ItemReader at /States/M/ItemReader/Resource`},
		{"item reader input type", mapDef(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"UNSUPPORTED"}},`), `at /States/M/ItemReader/ReaderConfig/InputType'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := asl.Parse([]byte(tc.def))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v; want it to contain %s", err, tc.want)
			}
		})
	}
}

func TestParseJSONataAndModes(t *testing.T) {
	sm, err := asl.Parse([]byte(`{"QueryLanguage":"JSONata","StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":"{% 5 %}","Arguments":{"a":"{% $states.input.a %}","b":[1,"{% 2 %}"]},"Next":"P"},
		"P":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"x":1},"Next":"M"},
		"M":{"Type":"Map","Items":[1,2],"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Succeed"}}},"End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	task := sm.States["T"]
	if task.QueryLanguage != asl.JSONata || task.JTimeoutSeconds == nil || task.Arguments == nil || !task.Arguments.Dynamic {
		t.Fatalf("task = %+v", task)
	}
	if p := sm.States["P"]; p.Output.Dynamic || !p.HasOutput {
		t.Fatalf("pass output = %+v", p.Output)
	}
	if m := sm.States["M"]; m.Items == nil || m.Items.Dynamic || m.Processor.ProcessorMode != "INLINE" {
		t.Fatalf("map = %+v", m)
	}
}

func TestParseState(t *testing.T) {
	st, err := asl.ParseState("X", []byte(`{"Type":"Pass","Result":1,"Next":"Elsewhere"}`), "")
	if err != nil || st.Name != "X" || st.Next != "Elsewhere" || st.QueryLanguage != asl.JSONPath {
		t.Fatalf("ParseState = %+v, %v", st, err)
	}
	if _, err := asl.ParseState("X", []byte(`{"Type":"Pass","Output":1,"End":true}`), ""); err == nil {
		t.Fatal("JSONata field accepted in a JSONPath state")
	}
	if _, err := asl.ParseState("X", []byte(`{"Type":"Pass","Output":1,"End":true}`), asl.JSONata); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`[`, `1`} {
		if _, err := asl.ParseState("X", []byte(bad), ""); err == nil {
			t.Fatalf("ParseState(%s) succeeded", bad)
		}
	}
}

func TestTemplates(t *testing.T) {
	tpl, err := asl.CompileTemplate(map[string]any{"a.$": "$.x", "b": map[string]any{"c.$": "States.UUID()"}, "d": 1})
	if err != nil || !tpl.Dynamic || len(tpl.Fields) != 3 {
		t.Fatalf("CompileTemplate = %+v, %v", tpl, err)
	}
	if _, err := asl.CompileTemplate(map[string]any{"a.$": 1}); err == nil {
		t.Fatal("non-string path accepted")
	}
	if _, err := asl.CompileJSONata("{% ( %}"); err == nil {
		t.Fatal("bad JSONata accepted")
	}
	if !asl.IsJSONataString(" {% 1 %} ") || asl.IsJSONataString("{%") {
		t.Fatal("IsJSONataString")
	}
	if !asl.IsChoiceOperator("NumericEqualsPath") || asl.IsChoiceOperator("IsNullPath") || asl.IsChoiceOperator("Bogus") {
		t.Fatal("IsChoiceOperator")
	}
	if _, err := asl.ParseTimestamp("2026-01-01T00:00:00z"); err == nil {
		t.Fatal("lowercase z accepted")
	}
}
