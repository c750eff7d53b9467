package clock

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// saveEvery is how often Resume's clock records its time. Each record is
// two periods ahead of the clock (scaled), a time the clock does not reach
// before the next record replaces it, so after a kill -9 the timeline resumes
// a little ahead rather than running backwards. A clean stop records the
// exact time.
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
		if saved.After(origin) {
			origin = saved
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
	ahead := time.Duration(2 * float64(saveEvery) * factor)
	save := func(lead time.Duration) error {
		// A file of its own per write: two processes on one directory (the
		// second about to fail on the store's lock) must not share one.
		f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
		if err != nil {
			return err
		}
		_, werr := f.WriteString(s.Now().Add(lead).UTC().Format(time.RFC3339Nano) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			_ = os.Remove(f.Name())
			return werr
		}
		return os.Rename(f.Name(), path)
	}
	if err := save(ahead); err != nil {
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
				_ = save(ahead) // a failed write is tried again on the next tick
			}
		}
	}()
	var once sync.Once
	return s, func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			_ = save(0)
		})
	}, nil
}
