package classifiers

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"testing/iotest"

	"github.com/piimap/piimap"
)

func TestScanParallelMatchesSequential(t *testing.T) {
	e := defaultEngine(t)
	data := genLog(newGen(11), 3*ChunkSize+12345)
	var want []Match
	line, lineStart := int64(1), 0
	pos := 0
	e.Spans(data, func(sp piimap.Span) {
		for ; pos < sp.Start; pos++ {
			if data[pos] == '\n' {
				line++
				lineStart = pos + 1
			}
		}
		want = append(want, Match{Span: sp, Line: line, Col: sp.Start - lineStart})
	})
	if len(want) < 1000 {
		t.Fatalf("generator produced only %d spans", len(want))
	}
	for _, workers := range []int{1, 2, 4} {
		var got []Match
		n, err := e.ScanParallel(context.Background(), iotest.HalfReader(bytes.NewReader(data)), workers, func(m Match) error {
			got = append(got, m)
			return nil
		})
		if err != nil || n != int64(len(data)) {
			t.Fatalf("workers=%d: n=%d err=%v", workers, n, err)
		}
		if len(got) != len(want) {
			t.Fatalf("workers=%d: %d matches, want %d", workers, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("workers=%d: match %d = %+v, want %+v", workers, i, got[i], want[i])
			}
		}
	}
}

func TestScanParallelStops(t *testing.T) {
	e := defaultEngine(t)
	data := genLog(newGen(12), 2*ChunkSize)
	stop := errors.New("stop")
	calls := 0
	_, err := e.ScanParallel(context.Background(), bytes.NewReader(data), 2, func(Match) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("err=%v calls=%d", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.ScanParallel(ctx, bytes.NewReader(data), 2, func(Match) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled scan: %v", err)
	}
	// A single 10 MB line without a newline is scanned, not rejected.
	long := bytes.Repeat([]byte("x"), 10<<20)
	copy(long[5<<20:], " jane@example.com ")
	n := 0
	if _, err := e.ScanParallel(context.Background(), bytes.NewReader(long), 2, func(Match) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("long line: n=%d err=%v", n, err)
	}
}
