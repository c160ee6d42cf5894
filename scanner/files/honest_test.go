package files_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/files"
)

// scanDir scans dir as one files store with emailCounter and returns the
// unit errors by unit name and the email hits by location.
func scanDir(t *testing.T, dir string, full bool) (map[string]string, map[string]int, *scanner.Result) {
	t.Helper()
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{{Name: "fs", URL: "file://" + dir}},
		scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: emailCounter{}, Concurrency: 2, Full: full})
	require.NoError(t, err)
	errs := map[string]string{}
	for _, e := range res.Errors {
		errs[e.Unit] = e.Err
		assert.NotContains(t, e.Err, "@example.test", "raw value in a unit error")
	}
	hits := map[string]int{}
	for _, f := range res.Findings {
		hits[f.Loc.Name+"#"+f.Loc.Field] += f.Hits
	}
	return errs, hits, res
}

// TestNoSilentSkip: every file the source does not read is a unit error
// with its reason; text with NUL bytes is read; a CSV with an unbalanced
// quote and a gzip bomb fail with the line or the limit, after what was
// read before counts; piimap's temp files are not units at all.
func TestNoSilentSkip(t *testing.T) {
	dir := t.TempDir()

	// Text with NULs: a zero-filled head (as a crashed logger leaves), stray
	// NULs, and an email glued to a NUL.
	writeFile(t, dir, "logs/nulhead.log", append(make([]byte, 4096), "boot ok alice@example.test\n"...))
	writeFile(t, dir, "logs/stray.log", []byte("a\x00b bob@example.test\x00tail\nx\x00carol@example.test\x00\n"))
	writeFile(t, dir, "logs/nul-noext", []byte("\x00\x00\x00dave@example.test\n"))

	// Binary content, each listed with its reason.
	u16 := utf16.Encode([]rune("name,email\nerin,erin@example.test\n"))
	b16 := make([]byte, 0, 2*len(u16))
	for _, c := range u16 {
		b16 = append(b16, byte(c), byte(c>>8))
	}
	writeFile(t, dir, "bin/utf16.csv", b16)
	writeFile(t, dir, "bin/image.png", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 200)...))
	rnd := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 20000)
	for i := range noise {
		noise[i] = byte(rnd.Uint32())
	}
	writeFile(t, dir, "bin/noise.dat", noise)

	// A CSV whose quote on line 3 never closes.
	writeFile(t, dir, "csv/unbalanced.csv", []byte("id,email\n1,a1@example.test\n2,\"a2@example.test\n3,a3@example.test\n4,a4@example.test\n"))
	// A CSV whose only data row opens a quote that never closes.
	writeFile(t, dir, "csv/none.csv", []byte("id,email\n\"1,b1@example.test\n"))

	// A gzip bomb: 20 MiB of one byte after an email.
	bomb := append([]byte("first frank@example.test\n"), bytes.Repeat([]byte("a"), 20<<20)...)
	writeFile(t, dir, "gz/bomb.log.gz", gz(t, bomb))

	// piimap temp files left by a killed rewrite: not units, no error.
	writeFile(t, dir, "csv/.people.csv.piimap-123.tmp", []byte("id,email\n1,tmp@example.test\n"))
	junk := make([]byte, 100<<10)
	for i := range junk {
		junk[i] = byte(rnd.Uint32())
	}
	copy(junk, "PAR1")
	writeFile(t, dir, "pq/.users.parquet.piimap-77.tmp", junk)
	writeFile(t, dir, "pq/.users.parquet.piimap-77.tmp.tmp", junk) // DuckDB's own temp beside its COPY target

	want := map[string][]string{
		"bin/utf16.csv":      {"UTF-16", "not read"},
		"bin/image.png":      {"PNG image", "not read"},
		"bin/noise.dat":      {"binary content", "not read"},
		"csv/unbalanced.csv": {"line 3: quoted field never closed", "the 1 rows before it were sampled and count", "corrupt input"},
		"csv/none.csv":       {"line 2: quoted field never closed", "no data row precedes it, so nothing of this object was read", "corrupt input"},
		"gz/bomb.log.gz":     {"gzip bomb: ratio", "exceeds 200:1", "gzip.max_ratio"},
	}
	if runtime.GOOS == "linux" {
		require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "bin/pipe.log"), 0o644))
		want["bin/pipe.log"] = []string{"not a regular file (named pipe)"}
	}

	errs, hits, res := scanDir(t, dir, false)
	for _, unit := range []string{"bin/utf16.csv", "bin/image.png", "bin/noise.dat"} {
		assert.Contains(t, errs[unit], "unsupported", unit)
		assert.NotContains(t, errs[unit], "containment", "%s: a content skip is not a containment refusal", unit)
	}
	for unit, subs := range want {
		msg, ok := errs[unit]
		if assert.True(t, ok, "no unit error for %s: %v", unit, errs) {
			for _, s := range subs {
				assert.Contains(t, msg, s, unit)
			}
		}
	}
	assert.Len(t, errs, len(want), "only the skipped or failed units have errors: %v", errs)
	assert.True(t, res.Gaps())

	assert.Equal(t, 1, hits["logs/nulhead.log#"], "text after a NUL-filled head is scanned")
	assert.Equal(t, 2, hits["logs/stray.log#"], "text around stray NULs is scanned")
	assert.Equal(t, 1, hits["logs/nul-noext#"])
	assert.Equal(t, 1, hits["csv/unbalanced.csv#email"], "the row before the bad quote counts")
	assert.Zero(t, hits["csv/none.csv#email"])
	assert.Equal(t, 1, hits["gz/bomb.log.gz#"], "what was decompressed before the limit is scanned")

	for _, f := range res.Findings {
		assert.False(t, files.IsTempName(filepath.Base(f.Loc.Name)), "temp file scanned: %s", f.Loc.Name)
	}
	for unit := range errs {
		assert.NotContains(t, unit, ".piimap-", "temp file listed as a unit")
	}
}

// TestGzipOutputLimit: a gzip object decompressing past MaxGzipOutput
// fails with the limit, whatever its ratio.
func TestGzipOutputLimit(t *testing.T) {
	old := fileformat.MaxGzipOutput
	fileformat.MaxGzipOutput = 1 << 20
	t.Cleanup(func() { fileformat.MaxGzipOutput = old })
	rnd := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for b.Len() < 3<<20 {
		b.WriteString("word")
		b.WriteByte(byte('a' + rnd.IntN(26)))
		b.WriteByte(byte('a' + rnd.IntN(26)))
		b.WriteByte(' ')
	}
	dir := t.TempDir()
	writeFile(t, dir, "big.log.gz", gz(t, []byte(b.String())))
	errs, _, _ := scanDir(t, dir, false)
	assert.Contains(t, errs["big.log.gz"], "gzip bomb: decompressed size exceeds 1048576 bytes after")
}

func TestIsTempName(t *testing.T) {
	for name, want := range map[string]bool{
		".a.csv.piimap-123.tmp":           true,
		".a.parquet.piimap-9.tmp.tmp":     true,
		".a.csv.piimap-.tmp":              true,
		"a.csv.piimap-1.tmp":              false,
		".piimap-1.tmp":                   false,
		".a.csv.piimap-1.tmpx":            false,
		"report.tmp":                      false,
		"tmp_.a.parquet.piimap-1.tmp":     true,
		"tmp_a.csv":                       false,
		".hidden.csv":                     false,
		".x.log.gz.piimap-4294967295.tmp": true,
	} {
		assert.Equal(t, want, files.IsTempName(name), name)
	}
	for _, base := range []string{"a.csv", "b.parquet", "c.log.gz"} {
		ok, err := filepath.Match(files.TempPattern(base), "."+base+files.TempInfix+"42"+files.TempSuffix)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.True(t, files.IsTempName("."+base+files.TempInfix+"42"+files.TempSuffix))
	}
}
