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

// jsonMemAt are the places (filler offsets) of the subject's email in the
// 300 MB string: across the edges of the 1 MiB masking windows, of the
// 256 KiB reads and of the 16 MiB bound, and in its middle.
var jsonMemAt = []int{1<<20 - 7, 256<<10*9 - 4, 3<<20 - 12, 16<<20 - 9, 16<<20 + 5, 17<<20 - 3, memCell / 2, memCell - 100}

// writeMemJSON writes a JSON document whose first row holds a 300 MB
// string with token where the subject's email goes, followed by the
// subject's short row, a bystander's and the subject's own oversized row
// (a 20 MB string); with subjectRows false it writes what the erasure
// must leave: the subject's rows and the separators before them left out.
func writeMemJSON(w io.Writer, token string, subjectRows bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	unit := []byte(strings.Repeat("lorem ipsum dolor sit amet ", 30) + `say \"hi\" \\ caf\u00e9\n z@example.test `)
	filler := func(n int) {
		written := 0
		for ; written+len(unit) <= n; written += len(unit) {
			_, _ = bw.Write(unit)
		}
		_, _ = bw.WriteString(strings.Repeat(" ", n-written)) // no escape cut
	}
	_, _ = bw.WriteString("[\n  {\"id\": 1, \"email\": \"x1@example.test\", \"note\": \"")
	prev := 0
	for _, at := range jsonMemAt {
		filler(at - prev)
		_, _ = bw.WriteString(" " + token + " ")
		prev = at
	}
	filler(memCell - prev)
	_, _ = bw.WriteString("\"},\n  ")
	if subjectRows {
		_, _ = bw.WriteString(`{"id": 2, "email": "` + memSubject + `"},` + "\n  ")
	}
	_, _ = bw.WriteString(`{"id": 3, "email": "x3@example.test", "note": "say \"hi\"\n"}`)
	if subjectRows {
		_, _ = bw.WriteString(",\n  {\"id\": 4, \"note\": \"")
		filler(memCell2)
		_, _ = bw.WriteString(`", "email": "` + memSubject + `"}`)
	}
	_, _ = bw.WriteString("\n]\n")
	return bw.Flush()
}

// TestBigJSONEraseMemory erases a subject from a JSON document of 320 MB
// (a 300 MB string holding the subject's email, the subject's short row
// and their own row with a 20 MB string) in a child process, and checks
// its peak RSS stays under 512 MiB, that the email is gone and that every
// other byte is as it was.
func TestBigJSONEraseMemory(t *testing.T) {
	if dir := os.Getenv("PIIMAP_ERASE_BIGJSON_DIR"); dir != "" {
		eraseJSONMemChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("writes a 320 MB generated file; skipped with -short")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.json"))
	require.NoError(t, err)
	require.NoError(t, writeMemJSON(f, memSubject, true))
	require.NoError(t, f.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestBigJSONEraseMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "PIIMAP_ERASE_BIGJSON_DIR="+dir, "GOMAXPROCS=2")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", tailOf(out))
	_, js, ok := bytes.Cut(out, []byte("ERASEBIGJSON "))
	require.True(t, ok, "child printed no result: %s", tailOf(out))
	js, _, _ = bytes.Cut(js, []byte("\n"))
	var res memResult
	require.NoError(t, json.Unmarshal(js, &res))
	t.Logf("peak RSS erasing from a JSON document with a %d MiB string: %.1f MiB (limit %d MiB)",
		memCell>>20, float64(res.PeakRSS)/(1<<20), memRSS>>20)
	require.Empty(t, res.Err)
	assert.Less(t, res.PeakRSS, int64(memRSS))
	assert.EqualValues(t, 3, res.Found["big.json"], "the big string's tokens, the subject's row and their oversized row")
	assert.EqualValues(t, 3, res.Changed["big.json"])

	// independent checks of the output, not through the package
	want := sha256.New()
	require.NoError(t, writeMemJSON(want, filerewrite.Redacted, false))
	checkMemOutput(t, filepath.Join(dir, "big.json"), want.Sum(nil))
}

func eraseJSONMemChild(t *testing.T, dir string) {
	res := memResult{Found: map[string]int64{}, Changed: map[string]int64{}}
	h, err := xfiles.Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: "file://" + dir}, driver.HandlerOptions{MaskKey: []byte("k")})
	require.NoError(t, err)
	tg := driver.Target{Asset: "big.json", Mode: driver.ModeDelete,
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{memSubject}}}}
	rs, err := h.Erase(context.Background(), []driver.Target{tg}, driver.EraseOptions{})
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
	fmt.Printf("ERASEBIGJSON %s\n", js)
}
