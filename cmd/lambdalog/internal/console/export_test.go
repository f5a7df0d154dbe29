package console

import "time"

// SetScanBudget sets the time budget of an events answer until the
// returned function restores it.
func SetScanBudget(d time.Duration) (restore func()) {
	old := scanBudget
	scanBudget = d
	return func() { scanBudget = old }
}
