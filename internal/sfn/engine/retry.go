package engine

import (
	"context"
	"math"
	"slices"
	"time"

	"tenkai/internal/clock"
	"tenkai/internal/sfn/asl"
)

// matches reports whether an ErrorEquals list matches an error name.
// States.ALL matches everything but States.Runtime and
// States.DataLimitExceeded; States.TaskFailed matches everything but
// States.Timeout and those two. States.Runtime is never matched.
func matches(errorEquals []string, name string) bool {
	if name == "States.Runtime" {
		return false
	}
	for _, e := range errorEquals {
		switch {
		case e == name:
			return true
		case e == "States.ALL":
			if name != "States.DataLimitExceeded" {
				return true
			}
		case e == "States.TaskFailed":
			if name != "States.Timeout" && name != "States.DataLimitExceeded" {
				return true
			}
		}
	}
	return false
}

// retrying runs attempt until it succeeds or no retrier applies, waiting
// between attempts on the clock. retry counts the attempts so far.
func (x *Execution) retrying(ctx context.Context, v *env, attempt func(retry int) (any, *failure)) (any, *failure) {
	counts := make([]int64, len(v.st.Retry))
	for retry := 0; ; retry++ {
		v.retry = retry
		v.resetContext()
		out, f := attempt(retry)
		if f == nil || f == errAbort {
			return out, f
		}
		i := slices.IndexFunc(v.st.Retry, func(r *asl.Retrier) bool { return matches(r.ErrorEquals, f.name) })
		if i < 0 {
			return nil, f
		}
		r := v.st.Retry[i]
		if counts[i] >= r.MaxAttempts && x.test == nil {
			return nil, f
		}
		if x.test != nil {
			n := int64(x.test.opts.Config.RetrierRetryCount)
			if n >= r.MaxAttempts {
				return nil, f // exhausted: catchers apply
			}
			d := float64(r.IntervalSeconds) * math.Pow(r.BackoffRate, float64(n))
			if r.MaxDelaySeconds > 0 && d > float64(r.MaxDelaySeconds) {
				d = float64(r.MaxDelaySeconds)
			}
			ri, bo := i, int(d)
			ed := x.test.errorDetails()
			ed.RetryIndex, ed.RetryBackoffIntervalSeconds = &ri, &bo
			x.test.retriable = true
			return nil, f
		}
		d := float64(r.IntervalSeconds) * math.Pow(r.BackoffRate, float64(counts[i]))
		if r.MaxDelaySeconds > 0 && d > float64(r.MaxDelaySeconds) {
			d = float64(r.MaxDelaySeconds)
		}
		if r.JitterStrategy == "FULL" {
			d *= x.e.random()
		}
		counts[i]++
		if err := clock.Sleep(ctx, x.e.clk, time.Duration(d*float64(time.Second))); err != nil {
			return nil, errAbort
		}
	}
}

// catch applies the first matching catcher: it builds the output from the
// error, records the Exited event and returns the catcher's Next.
func (x *Execution) catch(ctx context.Context, v *env, th *thread, typ string, input any, f *failure) (any, string, *failure, bool) {
	var c *asl.Catcher
	ci := -1
	for i, cc := range v.st.Catch {
		if matches(cc.ErrorEquals, f.name) {
			c, ci = cc, i
			break
		}
	}
	if c == nil || x.test != nil && x.test.retriable {
		return nil, "", f, false
	}
	if x.test != nil {
		x.test.caught = true
		x.test.errorDetails().CatchIndex = &ci
	}
	errOut := asl.ObjectOf("Error", f.name, "Cause", f.cause)
	var out any
	var assigned map[string]string
	var ff *failure
	if ata(v.st) {
		states := v.states(input, nil, errOut, false, true)
		out = errOut
		if c.HasOutput {
			if out, ff = v.jeval(ctx, c.Output, states, "Output"); ff != nil {
				return nil, "", ff, true
			}
		}
		if assigned, ff = v.assign(ctx, nil, c.JAssign, nil, states); ff != nil {
			return nil, "", ff, true
		}
	} else {
		if assigned, ff = v.assign(ctx, c.Assign, nil, errOut, nil); ff != nil {
			return nil, "", ff, true
		}
		if out, ff = v.applyResultPath(c.ResultPath, input, errOut); ff != nil {
			return nil, "", ff, true
		}
	}
	o, _, ff := x.exit(v, th, typ, out, assigned, c.Next)
	return o, c.Next, ff, true
}
