package s3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"gocloud.dev/blob"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xs3 "github.com/piimap/piimap/executor/s3"
	"github.com/piimap/piimap/internal/memcheck"
	"github.com/piimap/piimap/scanner/s3/s3test"
)

// TestLargeObjectErase rewrites a 64 MB CSV, which goes multipart (If-Match
// then rides on CompleteMultipartUpload): a concurrent writer still makes
// the erasure fail with nothing written, the retry succeeds, and the heap
// stays far below the object size throughout.
func TestLargeObjectErase(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 128 MB")
	}
	const size = 64 << 20
	b := s3test.NewBucket(t)
	key := "lake/big/customers.csv"
	gen := func(extra string) io.Reader {
		return &lineGen{limit: size, header: "user_id,email,name\n", tail: extra, line: func(i int) string {
			email := fmt.Sprintf("person%d@example.com", i)
			if i%100000 == 7 {
				email = subject // the subject, scattered through the object
			}
			return fmt.Sprintf("%d,%s,Name %d\n", i, email, i)
		}}
	}
	opts := &blob.WriterOptions{ContentType: "text/csv", Metadata: map[string]string{"owner": "crm"}}
	b.PutStream(t, key, gen(""), opts)
	h := open(t, b, driver.HandlerOptions{})
	defer h.Close()
	subj := driver.Target{Asset: "big/customers.csv", Mode: driver.ModeDelete,
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}}
	want, err := h.Count(context.Background(), subj)
	if err != nil || want < 5 {
		t.Fatalf("count: %d %v", want, err)
	}

	var concurrentETag string
	xs3.SetBeforeCommit(h, func(k string) {
		b.PutStream(t, k, gen("999999999,carl@example.com,Carl\n"), opts)
		concurrentETag = b.Attrs(t, k).ETag
	})
	_, err = h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
	if !errors.Is(err, xs3.ErrConflict) {
		t.Fatalf("multipart erase over a concurrent write: %v, want ErrConflict", err)
	}
	if a := b.Attrs(t, key); a.ETag != concurrentETag {
		t.Fatal("the concurrent writer's version was overwritten")
	}

	xs3.SetBeforeCommit(h, nil)
	heap := memcheck.SampleLiveHeap()
	res, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
	grew := heap.Stop() // waits for the sampler: its peak is read once it has exited
	if err != nil || res[0].Changed != want {
		t.Fatalf("retry: %v %+v (want %d)", err, res, want)
	}
	t.Logf("rewrote a %d MB object (multipart, conditional); live heap grew by %.1f MB at most", size>>20, float64(grew)/(1<<20))
	// A rewrite that held the object would keep at least its 64 MB live;
	// a streamed one holds the transfer manager's buffers (at most
	// uploadConcurrency+1 parts of 5 MB) and the walk's records. Live heap,
	// not heap in use, so garbage awaiting a collection (which depends on
	// the machine's load) does not count. Measured about 31 MB; the bound
	// is the object itself, which a buffered rewrite holds by definition.
	if grew > size {
		t.Errorf("live heap grew by %d MB rewriting a %d MB object: not streamed", grew>>20, size>>20)
	}
	if n, _ := h.Count(context.Background(), subj); n != 0 {
		t.Errorf("%d of the subject's rows remain", n)
	}
	carl := driver.Target{Asset: subj.Asset, Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"carl@example.com"}}}}
	if n, _ := h.Count(context.Background(), carl); n != 1 {
		t.Errorf("the concurrent writer's row: %d", n)
	}
	if a := b.Attrs(t, key); a.ContentType != "text/csv" || a.Metadata["owner"] != "crm" {
		t.Errorf("headers lost: %q %v", a.ContentType, a.Metadata)
	}
}

// lineGen streams header, generated lines up to limit bytes, then tail.
type lineGen struct {
	limit        int64
	header, tail string
	line         func(i int) string
	n            int64
	i            int
	buf          []byte
	started, end bool
}

func (g *lineGen) Read(p []byte) (int, error) {
	if !g.started {
		g.started = true
		g.buf = append(g.buf, g.header...)
	}
	for len(g.buf) < len(p) && !g.end {
		if g.n+int64(len(g.buf)) >= g.limit {
			g.buf = append(g.buf, g.tail...)
			g.end = true
			break
		}
		g.buf = append(g.buf, g.line(g.i)...)
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[k:])]
	g.n += int64(k)
	return k, nil
}
