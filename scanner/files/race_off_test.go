//go:build !race

package files_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
