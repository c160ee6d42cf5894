package s3_test

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// heapSampler records the peak live heap (/gc/heap/live:bytes: what the
// last collection found reachable) above the live heap at its start, while
// it runs. A low GC target makes collections, and so samples, frequent.
type heapSampler struct {
	base, peak    uint64
	done, stopped chan struct{}
	restoreGC     int
}

func sampleLiveHeap() *heapSampler {
	s := &heapSampler{done: make(chan struct{}), stopped: make(chan struct{}), restoreGC: debug.SetGCPercent(10)}
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

// stop ends the sampling, waits for the sampler to exit and returns how
// far the live heap grew above its starting point.
func (s *heapSampler) stop() uint64 {
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
