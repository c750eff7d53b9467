package events

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/edge"
	"tenkai/internal/store"
)

func TestParseScheduleErrors(t *testing.T) {
	bad := []string{
		"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(-1 hours)", "rate(5 weeks)", "rate(5)",
		"cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 * *)", "cron(60 12 * * ? *)", "cron(0 24 * * ? *)",
		"cron(0 12 32 * ? *)", "cron(0 12 ? * 8 *)", "cron(0 12 ? * MON#6 *)", "every day", "",
	}
	for _, expr := range bad {
		if _, err := parseSchedule(expr); err == nil {
			t.Errorf("parseSchedule(%q) = nil error; want invalid", expr)
		}
	}
}

func TestScheduleNext(t *testing.T) {
	at := func(s string) time.Time {
		tt, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tt
	}
	tests := []struct {
		expr, from, want string
	}{
		{"rate(5 minutes)", "2026-11-21T08:00:00Z", "2026-11-21T08:05:00Z"},
		{"rate(1 hour)", "2026-11-21T08:00:00Z", "2026-11-21T09:00:00Z"},
		{"rate(2 days)", "2026-11-21T08:00:00Z", "2026-11-23T08:00:00Z"},
		{"cron(0 12 * * ? *)", "2026-11-21T08:00:00Z", "2026-11-21T12:00:00Z"},
		{"cron(0 12 * * ? *)", "2026-11-21T12:00:00Z", "2026-11-22T12:00:00Z"},
		{"cron(15 10 ? * 6L 2026)", "2026-11-01T00:00:00Z", "2026-11-27T10:15:00Z"}, // last Friday
		{"cron(0/15 * * * ? *)", "2026-11-21T08:07:00Z", "2026-11-21T08:15:00Z"},
		{"cron(0 8 1 * ? *)", "2026-11-21T08:00:00Z", "2026-12-01T08:00:00Z"},
		{"cron(0 18 ? * MON-FRI *)", "2026-11-21T08:00:00Z", "2026-11-23T18:00:00Z"}, // Saturday → Monday
		{"cron(0 10 ? * 3#2 *)", "2026-11-01T00:00:00Z", "2026-11-10T10:00:00Z"},     // second Tuesday
		{"cron(0 9 L * ? *)", "2026-02-01T00:00:00Z", "2026-02-28T09:00:00Z"},
		{"cron(0 9 15W * ? *)", "2026-11-01T00:00:00Z", "2026-11-16T09:00:00Z"}, // 15th is a Sunday → Monday
		{"cron(0 9 LW * ? *)", "2026-10-01T00:00:00Z", "2026-10-30T09:00:00Z"},  // 31st is a Saturday
		{"cron(0 0 1 JAN ? 2027)", "2026-11-21T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"cron(30 2 ? * SUN,WED *)", "2026-11-21T00:00:00Z", "2026-11-22T02:30:00Z"},
		{"cron(0 0 1 1 ? 2025)", "2026-01-01T00:00:00Z", "0001-01-01T00:00:00Z"}, // never again
		{"cron(0 0 1 1 ? 2100)", "2026-11-21T00:00:00Z", "2100-01-01T00:00:00Z"}, // decades ahead
		{"cron(0 6 29 FEB ? 2027-2199)", "2026-11-21T00:00:00Z", "2028-02-29T06:00:00Z"},
		{"cron(0 12 ? * L *)", "2026-11-21T13:00:00Z", "2026-11-28T12:00:00Z"}, // L is Saturday
	}
	for _, tc := range tests {
		s, err := parseSchedule(tc.expr)
		if err != nil {
			t.Errorf("parseSchedule(%q): %v", tc.expr, err)
			continue
		}
		got := s.Next(at(tc.from))
		if !got.Equal(at(tc.want)) && !(got.IsZero() && tc.want[:4] == "0001") {
			t.Errorf("%s.Next(%s) = %s; want %s", tc.expr, tc.from, got.Format(time.RFC3339), tc.want)
		}
	}
}

func BenchmarkCronNext(b *testing.B) {
	s, _ := parseSchedule("cron(15 10 ? * 6L 2026-2030)")
	t := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		t = s.Next(t)
		if t.IsZero() {
			t = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
		}
	}
}

// A timer whose callback had already started when Close (or PutRule) replaced
// it must not re-arm: that left a schedule firing after Close, or two chains
// of firings for one rule.
func TestStaleScheduleFiringDoesNotRearm(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	s := New(Config{Store: store.NewMem(), Clock: clk, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	expr := "rate(1 minute)"
	if _, err := s.putRule(ctx, &putRuleIn{Name: "tick", ScheduleExpression: &expr}); err != nil {
		t.Fatal(err)
	}
	key := schedKey(edge.DefaultAccount, edge.DefaultRegion, "default", "tick")
	s.sched.mu.Lock()
	first := s.sched.timers[key]
	s.sched.mu.Unlock()
	if first == nil {
		t.Fatal("rule not armed")
	}

	// PutRule re-arms; the first timer's callback then runs late.
	if _, err := s.putRule(ctx, &putRuleIn{Name: "tick", ScheduleExpression: &expr}); err != nil {
		t.Fatal(err)
	}
	s.sched.mu.Lock()
	second := s.sched.timers[key]
	s.sched.mu.Unlock()
	s.sched.fire(first, key, edge.DefaultAccount, edge.DefaultRegion, "default", "tick", clk.Now())
	s.sched.mu.Lock()
	now := s.sched.timers[key]
	s.sched.mu.Unlock()
	if now != second {
		t.Errorf("a replaced timer re-armed the rule; want the PutRule timer kept")
	}

	s.sched.stopAll()
	s.sched.fire(second, key, edge.DefaultAccount, edge.DefaultRegion, "default", "tick", clk.Now())
	s.sched.mu.Lock()
	n := len(s.sched.timers)
	s.sched.mu.Unlock()
	if n != 0 {
		t.Errorf("after stopAll a late firing re-armed %d timers; want none", n)
	}
}

// Concurrent enables and disables of one scheduled rule leave the scheduler
// agreeing with the stored state.
func TestScheduleFollowsStoredStateUnderConcurrency(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	s := New(Config{Store: store.NewMem(), Clock: clk, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	expr := "rate(1 minute)"
	if _, err := s.putRule(ctx, &putRuleIn{Name: "tick", ScheduleExpression: &expr}); err != nil {
		t.Fatal(err)
	}
	key := schedKey(edge.DefaultAccount, edge.DefaultRegion, "default", "tick")
	for round := 0; round < 50; round++ {
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = s.disableRule(ctx, &ruleNameIn{Name: "tick"})
		}()
		_, _ = s.enableRule(ctx, &ruleNameIn{Name: "tick"})
		<-done
		var r *Rule
		_ = s.st.View(func(tx store.Tx) error {
			var err error
			r, err = s.loadRule(tx, edge.DefaultAccount, edge.DefaultRegion, "default", "tick")
			return err
		})
		s.sched.mu.Lock()
		armed := s.sched.timers[key] != nil
		s.sched.mu.Unlock()
		if armed != (r.State == "ENABLED") {
			t.Fatalf("round %d: stored state %s but armed = %v", round, r.State, armed)
		}
	}
}
