package clock_test

import (
	"context"
	"testing"
	"time"

	"tenkai/internal/clock"
)

func TestFakeFiresInOrder(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := clock.NewFake(start)
	got := make(chan int, 3)
	f.AfterFunc(3*time.Second, func() { got <- 3 })
	f.AfterFunc(1*time.Second, func() { got <- 1 })
	t2 := f.NewTimer(2 * time.Second)
	if f.Pending() != 3 {
		t.Fatalf("Pending() = %d; want 3", f.Pending())
	}
	f.Advance(1500 * time.Millisecond)
	if v := <-got; v != 1 {
		t.Fatalf("first fired = %d; want 1", v)
	}
	select {
	case <-t2.C():
		t.Fatal("timer at 2s fired at 1.5s")
	default:
	}
	f.Advance(time.Second)
	if at := <-t2.C(); !at.Equal(start.Add(2 * time.Second)) {
		t.Fatalf("timer fired at %v; want %v", at, start.Add(2*time.Second))
	}
	if !f.Now().Equal(start.Add(2500 * time.Millisecond)) {
		t.Fatalf("Now() = %v", f.Now())
	}
	f.Advance(time.Second)
	if v := <-got; v != 3 {
		t.Fatalf("last fired = %d; want 3", v)
	}
}

func TestFakeStop(t *testing.T) {
	f := clock.NewFake(time.Unix(0, 0))
	tm := f.NewTimer(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop() = false; want true for pending timer")
	}
	f.Advance(2 * time.Second)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
}

func TestSleepCancelled(t *testing.T) {
	f := clock.NewFake(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- clock.Sleep(ctx, f, time.Hour) }()
	for f.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Sleep = %v; want context.Canceled", err)
	}
}

func TestScaled(t *testing.T) {
	s := clock.NewScaled(1000)
	start := s.Now()
	tm := s.NewTimer(10 * time.Second) // 10 ms of real time
	<-tm.C()
	if el := s.Since(start); el < 10*time.Second {
		t.Fatalf("Since = %v; want >= 10s", el)
	}
}
