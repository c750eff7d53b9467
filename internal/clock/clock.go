// Package clock provides the time source every tenkai core uses, so tests can drive time.
package clock

import (
	"context"
	"time"
)

// Clock tells time and schedules work. Implementations are safe for concurrent use.
type Clock interface {
	Now() time.Time
	Since(t time.Time) time.Duration
	// NewTimer returns a timer that sends on C once d has passed on this clock.
	NewTimer(d time.Duration) Timer
	// AfterFunc runs f in its own goroutine once d has passed on this clock.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a single scheduled event, like time.Timer.
type Timer interface {
	// C is nil for timers made by AfterFunc.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was still pending.
	Stop() bool
}

// Sleep waits for d on c, or until ctx ends.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now.
func (Real) Now() time.Time { return time.Now() }

// Since returns time.Since.
func (Real) Since(t time.Time) time.Duration { return time.Since(t) }

// NewTimer wraps time.NewTimer.
func (Real) NewTimer(d time.Duration) Timer { return realTimer{t: time.NewTimer(d)} }

// AfterFunc wraps time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return realTimer{t: time.AfterFunc(d, f)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// Scaled runs time faster than the wall clock by Factor, for users who want long
// Wait states and hook timeouts to pass quickly. Now starts at the wall time
// (NewScaled) or where a data directory's timeline left off (Resume).
type Scaled struct {
	Factor float64 // must be > 0
	origin time.Time
	wall0  time.Time // the wall time (with its monotonic reading) at origin
}

// NewScaled returns a clock running factor times faster than real time.
func NewScaled(factor float64) *Scaled { return newScaledAt(factor, time.Now()) }

func newScaledAt(factor float64, origin time.Time) *Scaled {
	if factor <= 0 {
		factor = 1
	}
	return &Scaled{Factor: factor, origin: origin, wall0: time.Now()}
}

// Now returns the accelerated time.
func (s *Scaled) Now() time.Time {
	el := time.Since(s.wall0)
	return s.origin.Add(time.Duration(float64(el) * s.Factor))
}

// Since returns the accelerated duration since t.
func (s *Scaled) Since(t time.Time) time.Duration { return s.Now().Sub(t) }

// NewTimer fires after d of accelerated time.
func (s *Scaled) NewTimer(d time.Duration) Timer {
	return realTimer{t: time.NewTimer(s.real(d))}
}

// AfterFunc runs f after d of accelerated time.
func (s *Scaled) AfterFunc(d time.Duration, f func()) Timer {
	return realTimer{t: time.AfterFunc(s.real(d), f)}
}

func (s *Scaled) real(d time.Duration) time.Duration { return time.Duration(float64(d) / s.Factor) }
