package events

import (
	"encoding/json"
	"testing"
	"time"
)

const ec2Event = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING","count":3}}`

func TestTransform(t *testing.T) {
	paths := map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state", "count": "$.detail.count", "missing": "$.detail.nope"}
	tests := []struct {
		name, template, want string
	}{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-0123456789\" is in RUNNING"`},
		{"simple JSON", `{"instance" : <instance>, "state": <state>}`, `{"instance" : "i-0123456789", "state": "RUNNING"}`},
		{"number stays a number", `{"n": <count>, "s": "<count> items"}`, `{"n": 3, "s": "3 items"}`},
		{"mixed", `{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`, `{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}`},
		{"reserved", `{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>}`, `{"ruleArn" : "arn:aws:events:us-east-1:123456789012:rule/example", "ruleName" : "example"}`},
		{"reserved in string", `"<aws.events.rule-name> triggered"`, `"example triggered"`},
		{"missing path", `{"m": <missing>, "s": "[<missing>]"}`, `{"m": null, "s": "[]"}`},
		{"not a placeholder", `"a < b and c > d"`, `"a < b and c > d"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := &InputTransformer{InputPathsMap: paths, InputTemplate: tc.template}
			got, err := transform(it, []byte(ec2Event), "arn:aws:events:us-east-1:123456789012:rule/example", "example", time.Unix(0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("transform(%s) = %s; want %s", tc.template, got, tc.want)
			}
		})
	}
}

func TestTransformOriginalEvent(t *testing.T) {
	it := &InputTransformer{InputTemplate: `{"e": <aws.events.event>, "full": <aws.events.event.json>}`}
	got, err := transform(it, []byte(ec2Event), "arn", "r", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		E    map[string]any `json:"e"`
		Full map[string]any `json:"full"`
	}
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("output is not JSON: %s", got)
	}
	if _, has := v.E["detail"]; has || v.E["source"] != "aws.ec2" {
		t.Errorf("aws.events.event = %v; want the event without detail", v.E)
	}
	if _, has := v.Full["detail"]; !has {
		t.Errorf("aws.events.event.json = %v; want the whole event", v.Full)
	}
}

func TestInputPath(t *testing.T) {
	p := "$.detail"
	got, err := targetInput(&Target{InputPath: &p}, []byte(ec2Event), "", "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"count":3,"instance-id":"i-0123456789","state":"RUNNING"}` {
		t.Errorf("InputPath $.detail = %s", got)
	}
	in := `{"fixed":true}`
	if got, _ := targetInput(&Target{Input: &in}, []byte(ec2Event), "", "", time.Time{}); string(got) != in {
		t.Errorf("Input = %s; want %s", got, in)
	}
}

func TestTransformEventKeepsFieldOrder(t *testing.T) {
	it := &InputTransformer{InputTemplate: `{"e": <aws.events.event>}`}
	got, err := transform(it, []byte(ec2Event), "arn", "r", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"e": {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}}`
	if string(got) != want {
		t.Errorf("transform(%s) = %s; want %s", it.InputTemplate, got, want)
	}
}

func TestTargetInputKeepsHTMLCharacters(t *testing.T) {
	ev := `{"version":"0","id":"1","detail":{"html":"<b>&</b>","list":["<i>"]}}`
	path := "$.detail"
	tests := []struct {
		name string
		t    Target
		want string
	}{
		{"InputPath", Target{InputPath: &path}, `{"html":"<b>&</b>","list":["<i>"]}`},
		{"transformer", Target{InputTransformer: &InputTransformer{InputPathsMap: map[string]string{"h": "$.detail.html", "l": "$.detail.list"}, InputTemplate: `{"h": <h>, "l": <l>}`}}, `{"h": "<b>&</b>", "l": ["<i>"]}`},
	}
	for _, tc := range tests {
		got, err := targetInput(&tc.t, []byte(ev), "arn", "r", time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s: targetInput = %s; want %s", tc.name, got, tc.want)
		}
	}
}
