package engine_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"tenkai/internal/sfn/engine"
)

func TestIntrinsics(t *testing.T) {
	tests := []struct{ expr, input, want string }{
		{`States.Format('Hello, my name is {}.', $.name)`, `{"name":"Arnav"}`, `"Hello, my name is Arnav."`},
		{`States.Format('{} is {} and \{\}', $.a, $.b)`, `{"a":1,"b":true}`, `"1 is true and {}"`},
		{`States.StringToJson($.s)`, `{"s":"{\"number\": 20}"}`, `{"number":20}`},
		{`States.JsonToString($.o)`, `{"o":{"foo":"bar","n":2}}`, `"{\"foo\":\"bar\",\"n\":2}"`},
		{`States.Array('Foo', 2020, $.x, null)`, `{"x":{"a":1}}`, `["Foo",2020,{"a":1},null]`},
		{`States.ArrayPartition($.a, 4)`, `{"a":[1,2,3,4,5,6,7,8,9]}`, `[[1,2,3,4],[5,6,7,8],[9]]`},
		{`States.ArrayContains($.a, 5)`, `{"a":[1,2,3,4,5]}`, `true`},
		{`States.ArrayContains($.a, 'x')`, `{"a":[1,2]}`, `false`},
		{`States.ArrayRange(1, 9, 2)`, `{}`, `[1,3,5,7,9]`},
		{`States.ArrayGetItem($.a, 5)`, `{"a":[1,2,3,4,5,6,7,8,9]}`, `6`},
		{`States.ArrayLength($.a)`, `{"a":[1,2,3]}`, `3`},
		{`States.ArrayUnique($.a)`, `{"a":[1,2,3,3,3,3,3,3,4]}`, `[1,2,3,4]`},
		{`States.Base64Encode($.s)`, `{"s":"Data to encode"}`, `"RGF0YSB0byBlbmNvZGU="`},
		{`States.Base64Decode($.s)`, `{"s":"RGF0YSB0byBlbmNvZGU="}`, `"Data to encode"`},
		{`States.Hash($.s, 'SHA-1')`, `{"s":"input data"}`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{`States.Hash('abc', 'MD5')`, `{}`, `"900150983cd24fb0d6963f7d28e17f72"`},
		{`States.Hash($.s, 'SHA-256')`, `{"s":"input data"}`, `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{`States.Hash($.s, 'SHA-384')`, `{"s":"input data"}`, `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{`States.Hash($.s, 'SHA-512')`, `{"s":"input data"}`, `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		{`States.StringSplit($.s, ',')`, `{"s":",,a,,b,,"}`, `["a","b"]`},
		{`States.StringSplit('...', '.')`, `{}`, `[]`},
		{`States.Hash('abc', 'SHA-256')`, `{}`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{`States.JsonMerge($.a, $.b, false)`, `{"a":{"a":1,"x":{"y":1}},"b":{"b":2,"x":{"z":2}}}`, `{"a":1,"x":{"z":2},"b":2}`},
		{`States.MathAdd($.v, -1)`, `{"v":111}`, `110`},
		{`States.StringSplit($.s, ',')`, `{"s":"1,2,3,4,5"}`, `["1","2","3","4","5"]`},
		{`States.StringSplit('This.is+a,test', '.+,')`, `{}`, `["This","is","a","test"]`},
		{`States.MathRandom(1, 999)`, `{}`, `500`},
		{`States.ArrayLength(States.Array(1, 2))`, `{}`, `2`},
		{`States.Format('{}', $$.Execution.Name)`, `{}`, `"ex1"`},
	}
	s := newSetup(nil)
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			p, _ := json.Marshal(map[string]any{"r.$": tc.expr})
			def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":` + string(p) + `,"OutputPath":"$.r","End":true}}}`
			res, _ := s.run(t, def, tc.input)
			if string(res.Output) != tc.want {
				t.Fatalf("%s = %s (%+v); want %s", tc.expr, res.Output, res, tc.want)
			}
		})
	}
	res, _ := s.run(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"u.$":"States.UUID()"},"End":true}}}`, `{}`)
	if !regexp.MustCompile(`^\{"u":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\}$`).Match(res.Output) {
		t.Fatalf("UUID output = %s", res.Output)
	}
}

func TestIntrinsicFailures(t *testing.T) {
	for _, expr := range []string{
		`States.ArrayGetItem($.a, 10)`,
		`States.StringToJson('{bad')`,
		`States.Format('{} {}', 'one')`,
		`States.JsonMerge($.o, $.o, true)`,
		`States.Hash('x', 'SHA-3')`,
		`States.Hash('x', 'sha-256')`,
		`States.StringSplit('abc', '')`,
		`States.Base64Decode('not base64!!!')`,
		`States.ArrayGetItem($.a, 0.5)`,
		`States.Base64Encode($.a)`,
	} {
		t.Run(expr, func(t *testing.T) {
			s := newSetup(nil)
			p, _ := json.Marshal(map[string]any{"r.$": expr})
			res, _ := s.run(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":`+string(p)+`,"End":true}}}`, `{"a":[1],"o":{}}`)
			if res.Status != "FAILED" || res.Error != "States.IntrinsicFailure" {
				t.Fatalf("%s: result = %+v; want States.IntrinsicFailure", expr, res)
			}
		})
	}
}

func TestJSONataMachine(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
		return `{"Payload":{"total":` + strings.TrimSpace(string(c.Input)[len(`{"sum":`):len(c.Input)-1]) + `}}`, nil
	})
	res, rec := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"Prep","States":{
		"Prep":{"Type":"Pass","Assign":{"who":"{% $states.input.name %}"},"Output":{"items":"{% $states.input.items %}"},"Next":"Sum"},
		"Sum":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"sum":"{% $sum($states.input.items) %}"},
			"Output":"{% $states.result.Payload %}","Assign":{"total":"{% $states.result.Payload.total %}"},"Next":"Check"},
		"Check":{"Type":"Choice","Choices":[{"Condition":"{% $total > 5 %}","Next":"Big","Output":{"msg":"{% 'big for ' & $who %}"}}],"Default":"Small"},
		"Big":{"Type":"Succeed"},
		"Small":{"Type":"Fail","Error":"Small"}}}`, `{"name":"ann","items":[1,2,3]}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"msg":"big for ann"}` {
		t.Fatalf("result = %+v; events %s", res, rec.types())
	}
	if got := string(s.tasks.call(0).Input); got != `{"sum":6}` {
		t.Fatalf("task input = %s", got)
	}
	if got, want := rec.details(t, "PassStateExited"), `{"name":"Prep","output":"{\"items\":[1,2,3]}","outputDetails":{"truncated":false},"assignedVariables":{"who":"\"ann\""},"assignedVariablesDetails":{"truncated":false}}`; got != want {
		t.Fatalf("exited = %s; want %s", got, want)
	}
}

func TestJSONataFunctionsAndErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`$partition([1,2,3,4,5], 2)`, `[[1,2],[3,4],[5]]`},
		{`$range(0, 10, 5)`, `[0,5,10]`},
		{`$hash('abc', 'SHA-256')`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{`$parse('{"a":[1]}').a[0]`, `1`},
		{`$random() < 1`, `true`},
		{`$length($uuid())`, `36`},
		{`$states.context.Execution.Name`, `"ex1"`},
	}
	s := newSetup(nil)
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			p, _ := json.Marshal("{% " + tc.expr + " %}")
			res, _ := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":`+string(p)+`,"End":true}}}`, `{}`)
			if string(res.Output) != tc.want {
				t.Fatalf("%s = %s (%+v); want %s", tc.expr, res.Output, res, tc.want)
			}
		})
	}
	res, _ := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.nope %}","End":true}}}`, `{}`)
	if res.Error != "States.QueryEvaluationError" {
		t.Fatalf("undefined output: %+v", res)
	}
}

func TestJSONataCatchErrorOutput(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return "", &engine.TaskError{Code: "E", Cause: "c"} })
	res, _ := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],
			"Output":{"e":"{% $states.errorOutput.Error %}","in":"{% $states.input.a %}"},"Assign":{"failed":true},"Next":"D"}],"End":true},
		"D":{"Type":"Pass","Output":{"o":"{% $states.input %}","f":"{% $failed %}"},"End":true}}}`, `{"a":1}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"o":{"e":"E","in":1},"f":true}` {
		t.Fatalf("result = %+v", res)
	}
}

func TestVariablesScopes(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"x":1,"y.$":"$.in"},"Next":"P"},
		"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"inner":2},"Parameters":{"x.$":"$x","y.$":"$y"},"Next":"B2"},
			"B2":{"Type":"Pass","Parameters":{"inner.$":"$inner","x.$":"$x"},"End":true}}}],"ResultPath":"$.p","Assign":{"after.$":"$[0].inner"},"Next":"C"},
		"C":{"Type":"Pass","Parameters":{"x.$":"$x","after.$":"$after","p.$":"$.p"},"End":true}}}`, `{"in":"v"}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `{"x":1,"after":2,"p":[{"inner":2,"x":1}]}` {
		t.Fatalf("result = %+v", res)
	}
	// Inner variables are not visible outside the branch.
	res, _ = s.run(t, `{"StartAt":"P","States":{
		"P":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"inner":2},"End":true}}}],"Next":"C"},
		"C":{"Type":"Pass","Parameters":{"i.$":"$inner"},"End":true}}}`, `{}`)
	if res.Status != "FAILED" || res.Error != "States.Runtime" {
		t.Fatalf("inner variable leaked: %+v", res)
	}
}

func TestAssignEvaluatedBeforeNewValues(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"n":1},"Next":"B"},
		"B":{"Type":"Pass","Assign":{"n":"{% $n + 1 %}","old":"{% $n %}"},"Output":"{% $n %}","Next":"C"},
		"C":{"Type":"Pass","Output":{"n":"{% $n %}","old":"{% $old %}","in":"{% $states.input %}"},"End":true}}}`, `{}`)
	if string(res.Output) != `{"n":2,"old":1,"in":1}` {
		t.Fatalf("output = %s (%+v)", res.Output, res)
	}
}

func TestTestState(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) {
		if strings.Contains(string(c.Input), "fail") {
			return "", &engine.TaskError{Code: "Boom", Cause: "x"}
		}
		return `{"Payload":{"v":7}}`, nil
	})
	task := `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.in","Parameters":{"p.$":"$.p"},
		"ResultSelector":{"v.$":"$.Payload.v"},"ResultPath":"$.r","Next":"Done"}`
	res, err := s.eng.TestState(context.Background(), []byte(task), json.RawMessage(`{"in":{"p":"ok"}}`), engine.TestStateOptions{InspectionLevel: "DEBUG"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "SUCCEEDED" || res.NextState != "Done" || string(res.Output) != `{"in":{"p":"ok"},"r":{"v":7}}` {
		t.Fatalf("result = %+v", res)
	}
	d := res.InspectionData
	if d.Input != `{"in":{"p":"ok"}}` || d.AfterInputPath != `{"p":"ok"}` || d.AfterParameters != `{"p":"ok"}` ||
		d.Result != `{"Payload":{"v":7}}` || d.AfterResultSelector != `{"v":7}` || d.AfterResultPath != `{"in":{"p":"ok"},"r":{"v":7}}` {
		t.Fatalf("inspection = %+v", d)
	}
	retry := `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["Boom"]}],"End":true}`
	res, _ = s.eng.TestState(context.Background(), []byte(retry), json.RawMessage(`{"fail":1}`), engine.TestStateOptions{})
	if res.Status != "RETRIABLE" || res.Error != "Boom" || res.InspectionData != nil {
		t.Fatalf("retriable = %+v", res)
	}
	caught := `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["Boom"],"Next":"H"}],"End":true}`
	res, _ = s.eng.TestState(context.Background(), []byte(caught), json.RawMessage(`{"fail":1}`), engine.TestStateOptions{})
	if res.Status != "CAUGHT_ERROR" || res.NextState != "H" || string(res.Output) != `{"Error":"Boom","Cause":"x"}` {
		t.Fatalf("caught = %+v", res)
	}
	res, _ = s.eng.TestState(context.Background(), []byte(`{"Type":"Fail","Error":"E","Cause":"C"}`), nil, engine.TestStateOptions{})
	if res.Status != "FAILED" || res.Error != "E" {
		t.Fatalf("fail = %+v", res)
	}
	res, _ = s.eng.TestState(context.Background(), []byte(`{"Type":"Choice","Choices":[{"Condition":"{% $x = 1 %}","Next":"One"}],"Default":"Other"}`), nil,
		engine.TestStateOptions{QueryLanguage: "JSONata", Variables: json.RawMessage(`{"x":1}`)})
	if res.Status != "SUCCEEDED" || res.NextState != "One" {
		t.Fatalf("choice = %+v", res)
	}
	if _, err := s.eng.TestState(context.Background(), []byte(`{"Type":"Bogus"}`), nil, engine.TestStateOptions{}); err == nil {
		t.Fatal("invalid state accepted")
	}
}

func TestJSONataMapAndParallel(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"M","States":{
		"M":{"Type":"Map","Items":"{% $states.input.xs %}","MaxConcurrency":2,
			"ItemSelector":{"v":"{% $states.context.Map.Item.Value %}","i":"{% $states.context.Map.Item.Index %}"},
			"ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Pass","Output":"{% $states.input.v * 10 + $states.input.i %}","End":true}}},
			"Output":"{% $sum($states.result) %}","Next":"P"},
		"P":{"Type":"Parallel","Arguments":{"n":"{% $states.input %}"},"Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.n + 1 %}","End":true}}},
			{"StartAt":"B","States":{"B":{"Type":"Wait","Seconds":"{% 0 %}","Output":"{% $states.input.n * 2 %}","End":true}}}],"End":true}}}`,
		`{"xs":[1,2,3]}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `[64,126]` {
		t.Fatalf("result = %+v", res)
	}
}

func TestJSONataErrorCausesNameTheField(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"QueryLanguage":"JSONata","StartAt":"E","States":{"E":{"Type":"Pass","Output":{"a":{"b":"{% $states.input.missing %}"}},"End":true}}}`, `{}`)
	want := "An error occurred while executing the state 'E' (entered at the event id #2). The JSONata expression '$states.input.missing' specified for the field 'Output/a/b' returned nothing (undefined)."
	if res.Error != "States.QueryEvaluationError" || res.Cause != want {
		t.Fatalf("result = %+v; want cause %q", res, want)
	}
	res, _ = s.run(t, `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% $sum('x') %}","Next":"D"}]},"D":{"Type":"Succeed"}}}`, `{}`)
	if res.Error != "States.QueryEvaluationError" || !strings.Contains(res.Cause, "specified for the field 'Choices[0]/Condition' threw an error during evaluation. T0412") {
		t.Fatalf("result = %+v", res)
	}
}

func TestIntrinsicFailureIsCatchable(t *testing.T) {
	s := newSetup(nil)
	res, _ := s.run(t, `{"StartAt":"P","States":{"P":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"x.$":"States.Base64Decode($.b)"},
		"Catch":[{"ErrorEquals":["States.IntrinsicFailure"],"Next":"C"}],"End":true},"C":{"Type":"Pass","OutputPath":"$.Error","End":true}}}`, `{"b":"RGF0\nYQ=="}`)
	if res.Status != "SUCCEEDED" || string(res.Output) != `"States.IntrinsicFailure"` {
		t.Fatalf("result = %+v", res)
	}
}

func TestJSONataTaskToken(t *testing.T) {
	s := newSetup(func(c *engine.TaskCall, n int) (string, error) { return `{}`, nil })
	rec := newRecorder()
	s.eng.Start(context.Background(), mustParse(t, `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task",
		"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Arguments":{"MessageBody":{"token":"{% $states.context.Task.Token %}"}},
		"Output":"{% $states.result.answer %}","End":true}}}`), info, json.RawMessage(`{}`), rec)
	deadline := time.Now().Add(5 * time.Second)
	for s.eng.SendTaskSuccess("tok1", json.RawMessage(`{"answer":42}`)) != nil {
		if time.Now().After(deadline) {
			t.Fatal("token never registered")
		}
		time.Sleep(time.Millisecond)
	}
	if res := rec.wait(t); res.Status != "SUCCEEDED" || string(res.Output) != `42` {
		t.Fatalf("result = %+v", res)
	}
	if got := string(s.tasks.call(0).Input); got != `{"MessageBody":{"token":"tok1"}}` {
		t.Fatalf("input = %s", got)
	}
}
