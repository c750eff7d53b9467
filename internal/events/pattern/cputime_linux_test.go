package pattern_test

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time used by the calling OS thread, so
// benchmarks can report work done independent of how busy the machine is.
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	const rusageThread = 1
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
