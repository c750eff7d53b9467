package cli

import "testing"

func TestGCPercent(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		live, min uint64
		want      int
	}{
		{0, 64 * mib, 100},
		{32 * mib, 64 * mib, 100},
		{100 * mib, 64 * mib, 100},
		{16 * mib, 64 * mib, 300},
		{8 * mib, 64 * mib, 700},
		{1 * mib, 64 * mib, 1600}, // capped: 4 MiB × 16 = 64 MiB
		{31 * mib, 64 * mib, 106},
	}
	for _, tc := range tests {
		if got := gcPercent(tc.live, tc.min); got != tc.want {
			t.Errorf("gcPercent(%d MiB, %d MiB) = %d; want %d", tc.live/mib, tc.min/mib, got, tc.want)
		}
	}
}
