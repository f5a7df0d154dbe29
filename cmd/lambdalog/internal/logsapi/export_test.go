package logsapi

import (
	"testing"
	"time"
)

// SetFilterScanBound bounds each FilterLogEvents call with a filter pattern
// for the rest of t: it scans for d (0: not at all), then examines at most
// tail more events itself. Tests that call it must not run in parallel.
func SetFilterScanBound(t testing.TB, d time.Duration, tail int) {
	oldTime, oldTail := filterScanTime, filterScanTail
	filterScanTime, filterScanTail = d, tail
	t.Cleanup(func() { filterScanTime, filterScanTail = oldTime, oldTail })
}
