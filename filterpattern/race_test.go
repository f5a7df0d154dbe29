//go:build race

package filterpattern

// raceEnabled reports whether the race detector is on: it makes sync.Pool
// drop items on purpose, so allocation counts are meaningless.
const raceEnabled = true
