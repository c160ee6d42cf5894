package files_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/filerewrite"
	xfiles "github.com/piimap/piimap/executor/files"
	"github.com/piimap/piimap/internal/memcheck"
	"github.com/piimap/piimap/scanner"
)

// Synthetic test data only.
const (
	memCell    = 300 << 20 // the oversized cell of TestBigCellEraseMemory
	memCell2   = 20 << 20  // the oversized cell of the subject's own record
	memRSS     = 512 << 20 // what erasing may take (peak RSS of a child process)
	memSubject = "mem.subject@example.test"
)

// memAt are the places (filler offsets) of the subject's email in the big
// cell: its middle, and across the edges of the 1 MiB masking windows,
// of the 64 KiB reads and of the 8 MiB bound.
var memAt = []int{64<<10*37 - 5, 1<<20 - 7, 3<<20 - 12, 8<<20 - 11, memCell / 2, memCell - 100}

// writeMemCSV writes the test file with token where the subject's email
// goes in the big cell; with subjectRows false it writes what the erasure
// must leave: the subject's rows left out.
func writeMemCSV(w io.Writer, token string, subjectRows bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	unit := []byte(strings.Repeat("lorem ipsum dolor sit amet ", 38) + "z@example.test ")
	filler := func(n int) {
		for written := 0; written < n; {
			k := min(len(unit), n-written)
			_, _ = bw.Write(unit[:k])
			written += k
		}
	}
	_, _ = bw.WriteString("id,note,email\n1,\"")
	prev := 0
	for _, at := range memAt {
		filler(at - prev)
		_, _ = bw.WriteString(" " + token + " ")
		prev = at
	}
	filler(memCell - prev)
	_, _ = bw.WriteString("\",x1@example.test\n2,short,x2@example.test\n")
	if subjectRows {
		_, _ = bw.WriteString("3,hello," + memSubject + "\n4,\"")
		filler(memCell2)
		_, _ = bw.WriteString("\"," + memSubject + "\r\n")
	}
	_, _ = bw.WriteString("5,\"say \"\"hi\"\"\nnext line\",x5@example.test\r\n")
	return bw.Flush()
}

// writeMemJSONL writes a JSON Lines file with a 300 MB line of a
// bystander's holding token where the subject's email goes in its note
// (as writeMemCSV's big cell); with subjectRows, the subject's own short
// line and a 300 MB line of the subject's. With subjectRows false and
// token Redacted it is what the erasure must leave.
func writeMemJSONL(w io.Writer, token string, subjectRows bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	unit := []byte(strings.Repeat("lorem ipsum dolor sit amet ", 38) + "z@example.test ")
	filler := func(n int) {
		for written := 0; written < n; {
			k := min(len(unit), n-written)
			_, _ = bw.Write(unit[:k])
			written += k
		}
	}
	_, _ = bw.WriteString(`{"id":1,"email":"y1@example.test","note":"`)
	prev := 0
	for _, at := range memAt {
		filler(at - prev)
		_, _ = bw.WriteString(" " + token + " ")
		prev = at
	}
	filler(memCell - prev)
	_, _ = bw.WriteString("\"}\n")
	if subjectRows {
		_, _ = bw.WriteString(`{"id":2,"email":"` + memSubject + `"}` + "\n")
		_, _ = bw.WriteString(`{"id":4,"note":"`)
		filler(memCell)
		_, _ = bw.WriteString(`","email":"` + memSubject + `"}` + "\r\n")
	}
	_, _ = bw.WriteString(`{"id":3,"email":"y3@example.test"}` + "\n")
	return bw.Flush()
}

type memResult struct {
	PeakRSS int64
	Found   map[string]int64
	Changed map[string]int64
	Err     string
}

// TestBigCellEraseMemory erases a subject from a CSV file with a 300 MB
// cell holding the subject's email (and a 20 MB one in the subject's own
// record) and from a JSON Lines file with a 300 MB line of a bystander's
// holding the email in a string, and a 300 MB line of the subject's own,
// in a child process, and checks its peak RSS stays under 512 MiB, that
// the email is gone and that every other byte is as it was.
func TestBigCellEraseMemory(t *testing.T) {
	if dir := os.Getenv("PIIMAP_ERASE_BIGCELL_DIR"); dir != "" {
		eraseMemChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("writes 620 MB of generated files; skipped with -short")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.csv"))
	require.NoError(t, err)
	require.NoError(t, writeMemCSV(f, memSubject, true))
	require.NoError(t, f.Close())
	f, err = os.Create(filepath.Join(dir, "big.jsonl"))
	require.NoError(t, err)
	require.NoError(t, writeMemJSONL(f, memSubject, true))
	require.NoError(t, f.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestBigCellEraseMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "PIIMAP_ERASE_BIGCELL_DIR="+dir, "GOMAXPROCS=2")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", tailOf(out))
	_, js, ok := bytes.Cut(out, []byte("ERASEBIGCELL "))
	require.True(t, ok, "child printed no result: %s", tailOf(out))
	js, _, _ = bytes.Cut(js, []byte("\n"))
	var res memResult
	require.NoError(t, json.Unmarshal(js, &res))
	t.Logf("peak RSS erasing from a CSV with a %d MiB cell and a JSON Lines file with two %d MiB lines: %.1f MiB (limit %d MiB)",
		memCell>>20, memCell>>20, float64(res.PeakRSS)/(1<<20), memRSS>>20)
	require.Empty(t, res.Err)
	assert.Less(t, res.PeakRSS, int64(memRSS))
	assert.EqualValues(t, 3, res.Found["big.csv"], "the big cell's tokens, the subject's row and the subject's big record")
	assert.EqualValues(t, 3, res.Changed["big.csv"])
	assert.EqualValues(t, 3, res.Found["big.jsonl"], "the big line's tokens, the subject's line and the subject's big line")
	assert.EqualValues(t, 3, res.Changed["big.jsonl"])

	// independent checks of the output, not through the package
	want := sha256.New()
	require.NoError(t, writeMemCSV(want, filerewrite.Redacted, false))
	checkMemOutput(t, filepath.Join(dir, "big.csv"), want.Sum(nil))
	want = sha256.New()
	require.NoError(t, writeMemJSONL(want, filerewrite.Redacted, false))
	checkMemOutput(t, filepath.Join(dir, "big.jsonl"), want.Sum(nil))
}

// checkMemOutput scans a file for the subject's email and compares its
// checksum with want's.
func checkMemOutput(t *testing.T, path string, want []byte) {
	got := sha256.New()
	g, err := os.Open(path)
	require.NoError(t, err)
	defer g.Close()
	br := bufio.NewReaderSize(g, 1<<20)
	buf := make([]byte, 1<<20)
	var tail []byte
	found := false
	for {
		n, err := br.Read(buf)
		got.Write(buf[:n])
		window := append(tail, buf[:n]...)
		found = found || bytes.Contains(window, []byte(memSubject))
		tail = append(tail[:0], window[max(len(window)-len(memSubject), 0):]...)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	require.False(t, found, "%s: the subject's email is left in the file", filepath.Base(path))
	require.Equal(t, want, got.Sum(nil), "%s: every byte but the subject's rows and tokens is as it was", filepath.Base(path))
}

func eraseMemChild(t *testing.T, dir string) {
	res := memResult{Found: map[string]int64{}, Changed: map[string]int64{}}
	h, err := xfiles.Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: "file://" + dir}, driver.HandlerOptions{MaskKey: []byte("k")})
	require.NoError(t, err)
	var tgs []driver.Target
	for _, a := range []string{"big.csv", "big.jsonl"} {
		tgs = append(tgs, driver.Target{Asset: a, Mode: driver.ModeDelete,
			Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{memSubject}}}})
	}
	rs, err := h.Erase(context.Background(), tgs, driver.EraseOptions{})
	if err != nil {
		res.Err = err.Error()
	}
	for _, r := range rs {
		res.Found[r.Asset] = r.Found
		res.Changed[r.Asset] = r.Changed
	}
	require.NoError(t, h.Close())
	res.PeakRSS = memcheck.PeakRSSOrSkip(t)
	js, err := json.Marshal(res)
	require.NoError(t, err)
	fmt.Printf("ERASEBIGCELL %s\n", js)
}

func tailOf(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
