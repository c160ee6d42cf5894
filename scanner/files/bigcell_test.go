package files_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/internal/memcheck"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/idfilter"
)

// bigCell is the size of the oversized cell of TestBigCellMemory.
const bigCell = 300 << 20

// rssLimit is what scanning those files may take (peak RSS of a child
// process that does nothing else).
const rssLimit = 512 << 20

// writeBig writes prefix, then n bytes of filler (text with a fake email
// every ~1 KB), then suffix, without holding the filler in memory.
func writeBig(t testing.TB, path, prefix string, n int, suffix string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	_, _ = w.WriteString(prefix)
	unit := []byte(strings.Repeat("lorem ipsum dolor sit amet ", 38) + "z@example.test ")
	for written := 0; written < n; {
		k := min(len(unit), n-written)
		_, _ = w.Write(unit[:k])
		written += k
	}
	_, _ = w.WriteString(suffix)
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}

// bigCellResult is what the child process reports.
type bigCellResult struct {
	PeakRSS   int64             // VmHWM, bytes
	Errors    map[string]string // unit → error
	Hits      map[string]int    // unit#field → email hits
	Truncated map[string]string // unit#field → MetaTruncated seen on its records
	MaxValue  int               // longest value handed to the classifier
}

// TestBigCellMemory scans a CSV with a 300 MB cell, a JSON document and a
// JSONL file each with a 300 MB string, in a child process, and checks its
// peak RSS stays under 512 MiB: the cells are cut at MaxCellBytes for
// classification and the cut is recorded on the field's records.
func TestBigCellMemory(t *testing.T) {
	if dir := os.Getenv("PIIMAP_BIGCELL_DIR"); dir != "" {
		bigCellChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("writes 900 MB of generated files; skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from /proc/self/status (VmHWM)")
	}
	dir := t.TempDir()
	writeBig(t, filepath.Join(dir, "big.csv"), "id,note,email\n1,", bigCell, ",x1@example.test\n2,short,x2@example.test\n")
	writeBig(t, filepath.Join(dir, "big.json"), `[{"id":1,"note":"`, bigCell, `","email":"y1@example.test"},{"id":2,"note":"s","email":"y2@example.test"}]`)
	writeBig(t, filepath.Join(dir, "big.jsonl"), `{"id":1,"note":"`, bigCell, "\",\"email\":\"w1@example.test\"}\n{\"id\":2,\"note\":\"s\",\"email\":\"w2@example.test\"}\n")

	// The child runs only the scan, so its VmHWM is the scan's peak and not
	// this process's (which wrote the files); it reads it after scanner.Run
	// has returned, i.e. after every reader goroutine is done. GOGC is the
	// default whatever this process runs with.
	cmd := exec.Command(os.Args[0], "-test.run=^TestBigCellMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "PIIMAP_BIGCELL_DIR="+dir, "GOMAXPROCS=2", "GOGC=100", "GOMEMLIMIT=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", tail(out))
	_, js, ok := bytes.Cut(out, []byte("BIGCELL "))
	require.True(t, ok, "child printed no result: %s", tail(out))
	js, _, _ = bytes.Cut(js, []byte("\n"))
	var res bigCellResult
	require.NoError(t, json.Unmarshal(js, &res))

	t.Logf("peak RSS scanning three files with a %d MiB cell each: %.1f MiB (limit %d MiB)", bigCell>>20, float64(res.PeakRSS)/(1<<20), rssLimit>>20)
	if raceEnabled {
		t.Log("built with -race: the race detector's shadow memory is in that RSS, so the limit is checked only without -race")
	} else {
		assert.Less(t, res.PeakRSS, int64(rssLimit))
	}
	assert.Empty(t, res.Errors, "a sampled scan of big cells is not an error")
	assert.LessOrEqual(t, res.MaxValue, fileformat.MaxCellBytes)
	for _, u := range []string{"big.csv", "big.json", "big.jsonl"} {
		assert.Equal(t, 2, res.Hits[u+"#email"], "%s: the fields after the big cell are read", u)
		assert.Equal(t, "1 cell(s) truncated at 1 MiB for classification", res.Truncated[u+"#note"], u)
		assert.Empty(t, res.Truncated[u+"#email"], u)
		assert.Positive(t, res.Hits[u+"#note"], "%s: the kept MiB of the big cell is classified", u)
	}
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// cellProbe wraps emailCounter and notes what the classifier was given.
type cellProbe struct {
	emailCounter
	res *bigCellResult
}

func (p cellProbe) Classify(rec piimap.Record) []piimap.Finding {
	for _, v := range rec.Values {
		p.res.MaxValue = max(p.res.MaxValue, len(v))
	}
	if m := rec.Meta[fileformat.MetaTruncated]; m != "" {
		p.res.Truncated[rec.Loc.Name+"#"+rec.Loc.Field] = m
	}
	return p.emailCounter.Classify(rec)
}

func bigCellChild(t *testing.T, dir string) {
	res := bigCellResult{Errors: map[string]string{}, Hits: map[string]int{}, Truncated: map[string]string{}}
	r, err := scanner.Run(context.Background(), []scanner.StoreConfig{{Name: "fs", URL: "file://" + dir}},
		scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: cellProbe{res: &res}, Concurrency: 1})
	require.NoError(t, err)
	for _, e := range r.Errors {
		res.Errors[e.Unit] = e.Err
	}
	for _, f := range r.Findings {
		res.Hits[f.Loc.Name+"#"+f.Loc.Field] += f.Hits
	}
	res.PeakRSS = memcheck.PeakRSSOrSkip(t)
	js, err := json.Marshal(res)
	require.NoError(t, err)
	fmt.Printf("BIGCELL %s\n", js)
}

// TestTruncatedCellNoFilter: a full read that cuts a cell fails its unit
// with the reason, so no identifier filter is built from the partial cell,
// while an object without long cells gets its filter.
func TestTruncatedCellNoFilter(t *testing.T) {
	old := fileformat.MaxCellBytes
	fileformat.MaxCellBytes = 4 << 10
	t.Cleanup(func() { fileformat.MaxCellBytes = old })
	dir := t.TempDir()
	long := strings.Repeat("filler text ", 10<<10/12) + " tail9@example.test"
	writeFile(t, dir, "long.csv", []byte("id,note\n1,\""+long+"\"\n2,short\n"))
	writeFile(t, dir, "long.jsonl", []byte(`{"id":1,"note":"`+long+`"}`+"\n"+`{"id":2,"note":"s"}`+"\n"))
	writeFile(t, dir, "ok.csv", []byte("id,email\n1,ok1@example.test\n"))

	g := lineagetest.NewMemGraph()
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{{Name: "fs", URL: "file://" + dir}},
		scanner.Options{Graph: g, Classifier: emailCounter{}, Full: true, FingerprintKey: bytes.Repeat([]byte{7}, 32)})
	require.NoError(t, err)
	errs := map[string]string{}
	for _, e := range res.Errors {
		errs[e.Unit] = e.Err
	}
	for _, u := range []string{"long.csv", "long.jsonl"} {
		assert.Contains(t, errs[u], "1 cell(s) truncated at 4 KiB for classification", u)
		assert.Contains(t, errs[u], "no identifier filter is built", u)
		_, err := idfilter.Load(context.Background(), g, "fs", u)
		assert.Error(t, err, "%s: a filter was built from a truncated cell", u)
	}
	assert.Len(t, errs, 2)
	_, err = idfilter.Load(context.Background(), g, "fs", "ok.csv")
	assert.NoError(t, err, "the object without long cells gets its filter")
}
