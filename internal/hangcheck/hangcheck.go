// Package hangcheck is for tests of calls that must honour a timeout: it
// tells a call that hangs from one that is merely slow. The bound is not
// a speed claim; it is derived generously from the configured timeout, so
// a slow or loaded machine never trips it, while a call that ignores its
// timeout still fails the test instead of stalling it.
package hangcheck

import (
	"testing"
	"time"
)

// NoHang runs f and fails the test if f has not returned after limit.
func NoHang(t testing.TB, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still running after %v: hangs instead of honouring its timeout", limit)
	}
}

// Limit is how long a call configured with timeout may run before a test
// calls it a hang: ten times the timeout, and never under 30 s.
func Limit(timeout time.Duration) time.Duration { return max(10*timeout, 30*time.Second) }
