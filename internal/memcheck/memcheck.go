// Package memcheck measures memory for tests that hold code to a memory
// requirement (a 300 MB cell scanned or erased in bounded memory, an object
// streamed without buffering it): the peak live heap of a run inside the
// test process, and the peak resident set size of a process, which tests
// read in a child process they start for the purpose.
package memcheck

import (
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"
)

// HeapSampler records the peak live heap (/gc/heap/live:bytes: what the
// last collection found reachable) above the live heap at its start,
// while it runs. It lowers the GC target so that collections, and so
// samples, are frequent, and restores it on Stop.
type HeapSampler struct {
	base, peak    uint64
	done, stopped chan struct{}
	restoreGC     int
}

// SampleLiveHeap starts sampling.
func SampleLiveHeap() *HeapSampler {
	s := &HeapSampler{done: make(chan struct{}), stopped: make(chan struct{}), restoreGC: debug.SetGCPercent(10)}
	runtime.GC()
	s.base = liveHeap()
	s.peak = s.base
	go func() {
		defer close(s.stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			s.peak = max(s.peak, liveHeap())
			select {
			case <-s.done:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// Stop ends the sampling, waits for the sampler to exit and returns how
// far the live heap grew above its starting point.
func (s *HeapSampler) Stop() uint64 {
	close(s.done)
	<-s.stopped
	runtime.GC() // the last collection's figure covers the end of the run
	s.peak = max(s.peak, liveHeap())
	debug.SetGCPercent(s.restoreGC)
	return s.peak - s.base
}

func liveHeap() uint64 {
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}

// ErrNoPeakRSS reports a system without /proc/self/status VmHWM.
var ErrNoPeakRSS = errors.New("memcheck: no VmHWM in /proc/self/status")

// PeakRSS is the calling process's peak resident set size (VmHWM), in
// bytes.
func PeakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, errors.Join(ErrNoPeakRSS, err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, errors.Join(ErrNoPeakRSS, err)
			}
			return kb << 10, nil
		}
	}
	return 0, ErrNoPeakRSS
}

// PeakRSSOrSkip is PeakRSS for a test, which it skips where the system
// does not report one.
func PeakRSSOrSkip(t testing.TB) int64 {
	t.Helper()
	n, err := PeakRSS()
	if err != nil {
		t.Skip(err.Error())
	}
	return n
}
