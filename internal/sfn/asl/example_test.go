package asl_test

import (
	"fmt"

	"tenkai/internal/sfn/asl"
)

func ExampleParse() {
	_, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"},"B":{"Type":"Succeed"}}}`))
	fmt.Println(err)
	// Output: Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /States/A/Next, MISSING_TRANSITION_TARGET: State "B" is not reachable. at /States/B'
}

func ExampleValidate() {
	for _, d := range asl.Validate([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","TimeoutSeconds":1,"End":true}}}`)) {
		fmt.Println(d.Severity, d.Code, d.Message, d.Location)
	}
	// Output: ERROR SCHEMA_VALIDATION_FAILED Field 'TimeoutSeconds' is not supported /States/A
}
