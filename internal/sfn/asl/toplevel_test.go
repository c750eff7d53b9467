package asl_test

import (
	"strings"
	"testing"

	"tenkai/internal/sfn/asl"
)

// Cases follow what ValidateStateMachineDefinition answers for JSONata
// expressions that read the context item at the top level.
func TestTopLevelReferences(t *testing.T) {
	pass := func(output string) string {
		return `{"QueryLanguage":"JSONata","StartAt":"E","States":{"E":{"Type":"Pass","Output":` + output + `,"End":true}}}`
	}
	tests := []struct{ name, def, want string }{
		{"output field", pass(`{"v":"{% phone %}"}`), `UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/E/Output/v`},
		{"nested output", pass(`{"a":{"b":["{% phone %}"]}}`), `at /States/E/Output/a/b[0]`},
		{"two names", pass(`{"v":"{% aaa + bbb %}"}`), `Reference to 'aaa' at the top level is not supported. at /States/E/Output/v, UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'bbb' at the top level is not supported. at /States/E/Output/v`},
		{"context item", pass(`{"v":"{% $.phone %}"}`), `Reference to '$' at the top level is not supported.`},
		{"assign", `{"QueryLanguage":"JSONata","StartAt":"E","States":{"E":{"Type":"Pass","Assign":{"v":"{% phone %}"},"End":true}}}`, `at /States/E/Assign/v`},
		{"condition", `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% phone = 1 %}","Next":"E"}],"Default":"E"},"E":{"Type":"Pass","End":true}}}`,
			`at /States/C/Choices[0]/Condition`},
		{"branch", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Output":{"v":"{% phone %}"},"End":true}}}],"End":true}}}`,
			`at /States/P/Branches[0]/States/B/Output/v`},
		// AWS: INVALID_JSONATA_EXPRESSION: Expected "]", got "," (the evaluator does not quote the tokens yet).
		{"syntax error", pass(`{"v":"{% phone[1,2) %}"}`), `INVALID_JSONATA_EXPRESSION: Expected `},
		{"syntax error location", pass(`{"v":"{% 1 + %}"}`), `INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/E/Output/v'`},
		{"function argument", pass(`"{% $count(xs) %}"`), `Reference to 'xs'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := asl.Parse([]byte(tc.def))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v; want it to contain %s", err, tc.want)
			}
		})
	}
	for _, ok := range []string{
		`"{% $states.input.phone %}"`,
		`"{% $states.input.items[phone > 3] %}"`,
		`"{% $map($states.input.a, function($x){ $x.phone }) %}"`,
		`"{% $phone %}"`,
		`"{% $states.input.items.(price * qty) %}"`,
		`"{% $states.input.orders{status: $count(id)} %}"`,
		`"{% ($x := 1; $x + 2) %}"`,
		`"{% 'a' & \"b\" & $string(1) %}"`,
		`"{% $states.input.n > 3 ? 'big' : 'small' %}"`,
		`"{% $match($states.input.s, /ab+c/i) %}"`,
		`"{% [1..3].($ * 2) %}"`,
		`"{% $filter($states.input.xs, function($v, $i) { $v > $i }) %}"`,
		`"{% $states.context.Execution.Input.` + "`odd name`" + ` %}"`,
		`"{% {'k': $states.input.v, 'n': null, 't': true} %}"`,
		`"{% $states.input.a and $states.input.b or $states.input.c in [1,2] %}"`,
		`"{% 10 / 2 %}"`,
	} {
		if _, err := asl.Parse([]byte(pass(ok))); err != nil {
			t.Errorf("Parse(Output %s) = %v; want accepted", ok, err)
		}
	}
}
