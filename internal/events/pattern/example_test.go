package pattern_test

import (
	"fmt"

	"tenkai/internal/events/pattern"
)

func Example() {
	p, err := pattern.Compile([]byte(`{
	  "source": ["aws.ec2"],
	  "detail": {"state": [{"anything-but": "pending"}], "cpu": [{"numeric": [">", 80]}]}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Match([]byte(`{"source": "aws.ec2", "detail": {"state": "running", "cpu": 93.5}}`)))
	fmt.Println(p.Match([]byte(`{"source": "aws.ec2", "detail": {"state": "pending", "cpu": 93.5}}`)))

	_, err = pattern.Compile([]byte(`{"source": []}`))
	fmt.Println(err)
	// Output:
	// true
	// false
	// Event pattern is not valid. Reason: Empty arrays are not allowed
	//  at [Source: (String)"{"source": []}"; line: 1, column: 14]
}

func ExampleSet() {
	var rules pattern.Set
	rules.Add("ec2-running", pattern.MustCompile(`{"source": ["aws.ec2"], "detail": {"state": ["running"]}}`))
	rules.Add("any-aws", pattern.MustCompile(`{"source": [{"prefix": "aws."}]}`))
	rules.Add("s3", pattern.MustCompile(`{"source": ["aws.s3"]}`))

	ev, err := pattern.ParseEvent([]byte(`{"source": "aws.ec2", "detail": {"state": "running"}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rules.MatchEvent(ev, nil))
	// Output: [any-aws ec2-running]
}
