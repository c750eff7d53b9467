//go:build !linux

package pattern_test

import "time"

func threadCPU() (time.Duration, bool) { return 0, false }
