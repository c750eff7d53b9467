package events_test

import (
	"fmt"
	"strings"
	"testing"

	"tenkai/internal/events"
)

// pages collects a List operation's names page by page.
func pages(t *testing.T, f *fixture, op, body, listKey, nameKey string) []string {
	t.Helper()
	var names []string
	token := ""
	for i := 0; i < 20; i++ {
		b := body
		if token != "" {
			b = strings.TrimSuffix(body, "}") + `,"NextToken":"` + token + `"}`
		}
		var out map[string]any
		f.ok(t, op, b, &out)
		items, _ := out[listKey].([]any)
		for _, it := range items {
			names = append(names, it.(map[string]any)[nameKey].(string))
		}
		token, _ = out["NextToken"].(string)
		if token == "" {
			return names
		}
	}
	t.Fatalf("%s did not finish paging", op)
	return nil
}

func TestListPaging(t *testing.T) {
	f := newFixture(t, events.Config{})
	f.ok(t, "CreateEventBus", `{"Name":"other"}`, nil)
	for _, n := range []string{"b-3", "a-1", "b-1", "b-2", "c-1", "b-4"} {
		f.ok(t, "PutRule", `{"Name":"`+n+`","EventPattern":"{\"source\":[\"x\"]}"}`, nil)
		f.ok(t, "PutRule", `{"Name":"`+n+`x","EventBusName":"other","EventPattern":"{\"source\":[\"x\"]}"}`, nil)
		f.ok(t, "CreateConnection", `{"Name":"`+n+`","AuthorizationType":"API_KEY","AuthParameters":{"ApiKeyAuthParameters":{"ApiKeyName":"k","ApiKeyValue":"v"}}}`, nil)
	}
	conn := "arn:aws:events:us-east-1:000000000000:connection/a-1/x"
	for _, n := range []string{"d2", "d1", "d3"} {
		f.ok(t, "CreateApiDestination", fmt.Sprintf(`{"Name":%q,"ConnectionArn":%q,"InvocationEndpoint":"https://example.com","HttpMethod":"POST"}`, n, conn), nil)
	}
	tests := []struct {
		op, body, list, name, want string
	}{
		{"ListRules", `{"Limit":2}`, "Rules", "Name", "a-1,b-1,b-2,b-3,b-4,c-1"},
		{"ListRules", `{"NamePrefix":"b-","Limit":3}`, "Rules", "Name", "b-1,b-2,b-3,b-4"},
		{"ListRules", `{"EventBusName":"other","NamePrefix":"b","Limit":1}`, "Rules", "Name", "b-1x,b-2x,b-3x,b-4x"},
		{"ListRules", `{"NamePrefix":"z"}`, "Rules", "Name", ""},
		{"ListConnections", `{"Limit":4}`, "Connections", "Name", "a-1,b-1,b-2,b-3,b-4,c-1"},
		{"ListConnections", `{"NamePrefix":"b","Limit":2}`, "Connections", "Name", "b-1,b-2,b-3,b-4"},
		{"ListApiDestinations", `{"Limit":1}`, "ApiDestinations", "Name", "d1,d2,d3"},
	}
	for _, tc := range tests {
		got := strings.Join(pages(t, f, tc.op, tc.body, tc.list, tc.name), ",")
		if got != tc.want {
			t.Errorf("%s(%s) pages = %s; want %s", tc.op, tc.body, got, tc.want)
		}
	}
}

func TestDeleteRule(t *testing.T) {
	f := newFixture(t, events.Config{})
	f.ok(t, "DeleteRule", `{"Name":"never-made"}`, nil) // a missing rule deletes fine
	if code, _ := f.fail(t, "DeleteRule", `{"Name":"r","EventBusName":"nope"}`); code != "ResourceNotFoundException" {
		t.Errorf("DeleteRule on a missing bus = %s; want ResourceNotFoundException", code)
	}
	f.logRule(t, "r", `{"source":["a"]}`)
	if code, msg := f.fail(t, "DeleteRule", `{"Name":"r"}`); code != "ValidationException" || msg != "Rule can't be deleted since it has targets." {
		t.Errorf("DeleteRule with targets = %s %q", code, msg)
	}
	f.ok(t, "RemoveTargets", `{"Rule":"r","Ids":["log"]}`, nil)
	f.ok(t, "DeleteRule", `{"Name":"r"}`, nil)
	if code, _ := f.fail(t, "DescribeRule", `{"Name":"r"}`); code != "ResourceNotFoundException" {
		t.Errorf("DescribeRule after delete = %s; want ResourceNotFoundException", code)
	}
}
