package logsapi

import (
	"testing"
	"time"
)

// SetFilterScanBound bounds each FilterLogEvents call with a filter pattern
// for the rest of t: it scans for d (0: one time window only), the first
// window sized to hold windowBytes of messages. Tests that call it must not
// run in parallel.
func SetFilterScanBound(t testing.TB, d time.Duration, windowBytes int64) {
	oldTime, oldBytes := filterScanTime, filterWindowBytes
	filterScanTime, filterWindowBytes = d, windowBytes
	t.Cleanup(func() { filterScanTime, filterWindowBytes = oldTime, oldBytes })
}
