package clock

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// saveEvery is how often Resume's clock records its time. After a kill -9 the
// clock resumes this much (scaled) wall time later than its last record, so
// the timeline never runs backwards.
const saveEvery = 250 * time.Millisecond

// Resume returns the clock for a data directory whose timeline is kept in
// path. An accelerated clock runs ahead of the wall clock; without this a
// restart would start again from the wall time and move every stored
// deadline and timestamp into the future. With factor 1 and a timeline that
// the wall clock has caught up with, it returns Real and removes the file.
// stop records the time a last time and ends the recording.
func Resume(path string, factor float64) (c Clock, stop func(), err error) {
	if !(factor > 0) {
		factor = 1
	}
	origin := time.Now()
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		saved, perr := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
		if perr != nil {
			return nil, nil, fmt.Errorf("clock file %s: %w", path, perr)
		}
		if next := saved.Add(time.Duration(float64(saveEvery) * factor)); next.After(origin) {
			origin = next
		}
	case !os.IsNotExist(err):
		return nil, nil, fmt.Errorf("clock file: %w", err)
	}
	if factor == 1 && !origin.After(time.Now()) {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return nil, nil, fmt.Errorf("clock file: %w", err)
		}
		return Real{}, func() {}, nil
	}
	s := newScaledAt(factor, origin)
	save := func() error {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(s.Now().UTC().Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}
	if err := save(); err != nil {
		return nil, nil, fmt.Errorf("clock file: %w", err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(saveEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = save() // the next tick tries again; Resume's margin covers a miss
			}
		}
	}()
	var once sync.Once
	return s, func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			_ = save()
		})
	}, nil
}
