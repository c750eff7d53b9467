package events_test

import (
	"encoding/json"
	"strings"
	"testing"

	"tenkai/internal/events"
)

// TestAPILimits checks the API model's constraints that AWS enforces before an
// operation runs: each is a ValidationException naming the member.
func TestAPILimits(t *testing.T) {
	f := newFixture(t, events.Config{})
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"a\"]}"}`, nil)
	longPattern := `{"source":["` + strings.Repeat("a", 4100) + `"]}`
	target := func(extra string) string {
		return `{"Rule":"r","Targets":[{"Id":"t","Arn":"` + logTarget + `"` + extra + `}]}`
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = `{"Id":"t` + strings.Repeat("x", i%3) + `","Arn":"` + logTarget + `"}`
	}
	paths := map[string]string{}
	for i := 0; i < 101; i++ {
		paths["p"+strings.Repeat("x", i)] = "$.detail"
	}
	manyPaths, _ := json.Marshal(paths)
	tests := []struct {
		name, op, body, want string
	}{
		{"rule name too long", "PutRule", `{"Name":"` + strings.Repeat("n", 65) + `","EventPattern":"{}"}`, "at 'name' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"pattern too long", "PutRule", `{"Name":"p","EventPattern":` + quote(longPattern) + `}`, "at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"test pattern too long", "TestEventPattern", `{"EventPattern":` + quote(longPattern) + `,"Event":"{}"}`, "at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"schedule too long", "PutRule", `{"Name":"s","ScheduleExpression":"rate(` + strings.Repeat("1", 300) + ` minutes)"}`, "at 'scheduleExpression' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"description too long", "PutRule", `{"Name":"d","EventPattern":"{}","Description":"` + strings.Repeat("d", 513) + `"}`, "at 'description' failed to satisfy constraint: Member must have length less than or equal to 512"},
		{"too many targets in a call", "PutTargets", `{"Rule":"r","Targets":[` + strings.Join(many, ",") + `]}`, "at 'targets' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"retry attempts", "PutTargets", target(`,"RetryPolicy":{"MaximumRetryAttempts":186}`), "at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185"},
		{"event age low", "PutTargets", target(`,"RetryPolicy":{"MaximumEventAgeInSeconds":59}`), "at 'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"event age high", "PutTargets", target(`,"RetryPolicy":{"MaximumEventAgeInSeconds":86401}`), "Member must have value less than or equal to 86400"},
		{"input too long", "PutTargets", target(`,"Input":"\"` + strings.Repeat("i", 8200) + `\""`), "at 'targets.1.member.input' failed to satisfy constraint: Member must have length less than or equal to 8192"},
		{"too many input paths", "PutTargets", target(`,"InputTransformer":{"InputPathsMap":` + string(manyPaths) + `,"InputTemplate":"x"}`), "at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"input path key", "PutTargets", target(`,"InputTransformer":{"InputPathsMap":{"a b":"$.x"},"InputTemplate":"x"}`), "Value 'a b' at 'targets.1.member.inputTransformer.inputPathsMap'"},
		{"list limit", "ListRules", `{"Limit":101}`, "at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"targets list limit", "ListTargetsByRule", `{"Rule":"r","Limit":101}`, "at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := f.fail(t, tc.op, tc.body)
			if code != "ValidationException" || !strings.Contains(msg, tc.want) {
				t.Errorf("%s = %s %q; want ValidationException containing %q", tc.op, code, truncate(msg), tc.want)
			}
		})
	}
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

func TestPutTargetsLimits(t *testing.T) {
	f := newFixture(t, events.Config{})
	f.ok(t, "PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"a\"]}"}`, nil)
	var ts []string
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		ts = append(ts, `{"Id":"`+id+`","Arn":"`+logTarget+`"}`)
	}
	// Six in one call is within the request limit of 10; the rule's limit of 5 is what fails.
	code, _ := f.fail(t, "PutTargets", `{"Rule":"r","Targets":[`+strings.Join(ts, ",")+`]}`)
	if code != "LimitExceededException" {
		t.Errorf("PutTargets(6 targets) = %s; want LimitExceededException", code)
	}
	f.ok(t, "PutTargets", `{"Rule":"r","Targets":[`+strings.Join(ts[:5], ",")+`]}`, nil)

	type listPage struct {
		Targets   []struct{ Id string }
		NextToken string
	}
	var got []string
	body := `{"Rule":"r","Limit":2}`
	for i := 0; i < 5; i++ {
		var page listPage
		f.ok(t, "ListTargetsByRule", body, &page)
		for _, tg := range page.Targets {
			got = append(got, tg.Id)
		}
		if page.NextToken == "" {
			break
		}
		body = `{"Rule":"r","Limit":2,"NextToken":"` + page.NextToken + `"}`
	}
	if strings.Join(got, ",") != "a,b,c,d,e" {
		t.Errorf("ListTargetsByRule pages = %v; want a,b,c,d,e in pages of 2", got)
	}
}
