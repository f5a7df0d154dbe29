//go:build !race

package filterpattern

// raceEnabled reports whether the race detector is on.
const raceEnabled = false
