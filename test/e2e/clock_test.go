package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// With --time-scale the clock runs ahead of the wall clock; a restart on the
// same data directory (here after kill -9) continues that timeline instead of
// jumping back to the wall time, so stored deadlines keep their distance and
// new timestamps come after old ones.
func TestScaledClockKeepsItsTimelineAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	created := func(s *Server, group string) time.Time {
		t.Helper()
		c := cloudwatchlogs.NewFromConfig(s.SDK())
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
			t.Fatal(err)
		}
		out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
		if err != nil || len(out.LogGroups) != 1 {
			t.Fatalf("describe %s: %+v, %v", group, out, err)
		}
		return time.UnixMilli(aws.ToInt64(out.LogGroups[0].CreationTime))
	}
	s := startServer(t, "--data-dir", dir, "--time-scale", "1000")
	first := created(s, "/first")
	time.Sleep(time.Second) // about 1000 s of server time
	second := created(s, "/second")
	if d := second.Sub(first); d < 500*time.Second {
		t.Fatalf("1 s at 1000x moved the clock %s; want about 1000 s", d)
	}
	s.Kill()

	s2 := startServer(t, "--data-dir", dir, "--time-scale", "1000")
	third := created(s2, "/third")
	if !third.After(second) {
		t.Errorf("after the restart a log group was created at %s, before one created before it (%s): the clock went back to the wall time",
			third.UTC(), second.UTC())
	}
	if d := third.Sub(second); d > 30*time.Minute {
		t.Errorf("the clock jumped %s forward over the restart", d)
	}
}
