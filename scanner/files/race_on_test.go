//go:build race

package files_test

// raceEnabled: the race detector's shadow memory inflates a process's RSS
// several times over, so a peak-RSS requirement is not measured under it.
const raceEnabled = true
