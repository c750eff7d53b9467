package clock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestResumeKeepsAnAcceleratedTimeline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	c, stop, err := Resume(path, 1000)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	time.Sleep(50 * time.Millisecond) // 50 s of clock time
	before := c.Now()
	stop()
	if ahead := before.Sub(time.Now()); ahead < 40*time.Second {
		t.Fatalf("clock is %s ahead of the wall after 50ms at 1000x; want about 50s", ahead)
	}

	// A restart continues from where the timeline was, not from the wall time.
	c2, stop2, err := Resume(path, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if now := c2.Now(); now.Before(before) {
		t.Errorf("after restart the clock reads %s, before its last reading %s", now, before)
	}
}

func TestResumeAfterKillNeverRunsBackwards(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	c, stop, err := Resume(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	time.Sleep(2 * saveEvery)
	last := c.Now() // read after the last save: a kill now loses what came since
	b, _ := os.ReadFile(path)
	saved, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if !saved.After(last) {
		t.Fatalf("the record %s does not lead the clock's reading %s", saved, last)
	}
	// Resume from the file as a kill -9 left it: stop never ran.
	killed := filepath.Join(t.TempDir(), "clock")
	if err := os.WriteFile(killed, b, 0o644); err != nil {
		t.Fatal(err)
	}
	stop()
	c2, stop2, err := Resume(killed, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if now := c2.Now(); now.Before(last) {
		t.Errorf("resumed clock reads %s, before the old clock's reading %s", now, last)
	}
}

func TestResumeRealTimeWithoutTimeline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	c, stop, err := Resume(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if _, ok := c.(Real); !ok {
		t.Errorf("factor 1 and no timeline gave %T; want Real", c)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("clock file exists for a real-time clock: %v", err)
	}

	// A timeline left ahead of the wall by an accelerated run stays ahead at factor 1.
	future := time.Now().Add(time.Hour)
	if err := os.WriteFile(path, []byte(future.Format(time.RFC3339Nano)), 0o644); err != nil {
		t.Fatal(err)
	}
	c, stop, err = Resume(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if now := c.Now(); now.Before(future) {
		t.Errorf("clock reads %s; want at or after the stored %s", now, future)
	}

	if err := os.WriteFile(path, []byte("yesterday"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Resume(path, 1); err == nil {
		t.Error("a malformed clock file was accepted")
	}
}
