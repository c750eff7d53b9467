package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// The EventBridge workload: 100 rules of mixed operators on the default bus,
// each targeting one log group. Every PutEvents call sends 10 events; exactly
// one rule matches each event, so the log group must end up with one entry per
// accepted event — verified after the run.

const ebRules = 100

func ebPattern(i int) string {
	kind := fmt.Sprintf("k%03d", i)
	switch i % 6 {
	case 0:
		return fmt.Sprintf(`{"source":["bench"],"detail":{"kind":[%q],"amount":[{"numeric":[">=",0,"<",1000000]}]}}`, kind)
	case 1:
		return fmt.Sprintf(`{"source":[{"prefix":"ben"}],"detail":{"kind":[%q],"region":[{"anything-but":["eu-west-9"]}]}}`, kind)
	case 2:
		return fmt.Sprintf(`{"detail-type":[{"suffix":"Event"}],"detail":{"kind":[%q],"ip":[{"cidr":"10.0.0.0/8"}]}}`, kind)
	case 3:
		return fmt.Sprintf(`{"source":["bench"],"detail":{"kind":[%q],"tag":[{"exists":true}]}}`, kind)
	case 4:
		return fmt.Sprintf(`{"source":["bench"],"detail":{"kind":[{"wildcard":"%s*"}],"user":[{"equals-ignore-case":"ALICE"}]}}`, kind)
	default:
		return fmt.Sprintf(`{"$or":[{"detail":{"kind":[%q]}},{"detail":{"never":["x"]}}],"source":["bench"]}`, kind)
	}
}

type ebState struct {
	c    *eventbridge.Client
	logs *cloudwatchlogs.Client
}

func ebSetup(ctx context.Context, s *server) (any, error) {
	st := &ebState{c: eventbridge.NewFromConfig(s.sdk()), logs: cloudwatchlogs.NewFromConfig(s.sdk())}
	if _, err := st.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/bench/events")}); err != nil {
		return nil, err
	}
	target := "arn:aws:logs:us-east-1:000000000000:log-group:/bench/events"
	for i := 0; i < ebRules; i++ {
		name := fmt.Sprintf("rule-%03d", i)
		if _, err := st.c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(ebPattern(i))}); err != nil {
			return nil, fmt.Errorf("put-rule %d: %w", i, err)
		}
		if _, err := st.c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{{Id: aws.String("log"), Arn: aws.String(target)}}}); err != nil {
			return nil, fmt.Errorf("put-targets %d: %w", i, err)
		}
	}
	return st, nil
}

func ebPut(ctx context.Context, s *server, state any, worker, i int) error {
	st := state.(*ebState)
	entries := make([]ebtypes.PutEventsRequestEntry, 10)
	for j := range entries {
		k := (worker*31 + i*10 + j) % ebRules
		if k < 0 {
			k = -k
		}
		detail := fmt.Sprintf(`{"kind":"k%03d","amount":%d,"region":"us-east-1","ip":"10.1.2.%d","tag":"t","user":"alice","n":%d}`, k, i, j, i)
		entries[j] = ebtypes.PutEventsRequestEntry{Source: aws.String("bench"), DetailType: aws.String("Bench Event"), Detail: aws.String(detail)}
	}
	out, err := st.c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return err
	}
	if out.FailedEntryCount != 0 {
		return fmt.Errorf("%d entries failed", out.FailedEntryCount)
	}
	for _, e := range out.Entries {
		if aws.ToString(e.EventId) == "" {
			return fmt.Errorf("entry without EventId")
		}
	}
	return nil
}

// ebVerify waits until every accepted event reached the log group.
func ebVerify(ctx context.Context, s *server, state any, okCalls int) error {
	st := state.(*ebState)
	want := okCalls * 10
	deadline := time.Now().Add(30 * time.Second)
	got := 0
	for time.Now().Before(deadline) {
		got = 0
		var token *string
		for {
			out, err := st.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/bench/events"), NextToken: token})
			if err != nil {
				return fmt.Errorf("count deliveries: %w", err)
			}
			got += len(out.Events)
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		if got >= want {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got != want {
		return fmt.Errorf("%d of %d matched events delivered", got, want)
	}
	return nil
}
