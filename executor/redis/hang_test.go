package redis_test

import (
	"testing"
	"time"
)

// noHang runs f and fails the test if f has not returned after limit. The
// limit catches a call that hangs instead of honouring its timeout; it is
// not a speed claim, so it is derived generously from the configured
// timeout (hangLimit) and a slow or loaded machine never trips it.
func noHang(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still running after %v: hangs instead of honouring its timeout", limit)
	}
}

// hangLimit is how long a call configured with timeout may run before the
// test calls it a hang: ten times the timeout, and never under 30 s.
func hangLimit(timeout time.Duration) time.Duration { return max(10*timeout, 30*time.Second) }
