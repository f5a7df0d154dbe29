package bench

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time this process has used so far. Benchmarks report
// CPU time per operation beside wall time because CPU time is steadier on a shared machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
