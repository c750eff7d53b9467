package sns

import (
	"context"
	"testing"
	"time"
)

// Once Close has let go of runMu no delivery can be claimed, so none
// starts after Close has seen the WaitGroup at zero.
func TestCloseRefusesLateDeliveries(t *testing.T) {
	tests := []struct {
		name  string
		start bool
	}{
		{name: "started", start: true},
		{name: "never started", start: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Config{})
			if tc.start {
				if err := s.Start(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			var claimed bool
			testHookCloseUnlocked = func() {
				s.runMu.Lock()
				_, claimed = s.claimLocked("late")
				s.runMu.Unlock()
				if claimed {
					s.release("late")
				}
			}
			t.Cleanup(func() { testHookCloseUnlocked = nil })
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if claimed {
				t.Error("a delivery was claimed while Close was closing; want none")
			}
		})
	}
}
