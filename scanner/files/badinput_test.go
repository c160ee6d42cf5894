package files_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/scannertest"
)

// emailCounter is a minimal classifier: it counts '@'-words in values and
// text, so tests can see that the valid parts of bad files were scanned.
type emailCounter struct{}

func (emailCounter) Classify(rec piimap.Record) []piimap.Finding {
	n, total := 0, 0
	for _, v := range rec.Values {
		total++
		if strings.Contains(v, "@example.test") {
			n++
		}
	}
	if rec.Data != nil {
		total = 1
		n = bytes.Count(rec.Data, []byte("@example.test"))
	}
	if n == 0 {
		return nil
	}
	return []piimap.Finding{{Loc: rec.Loc, Type: piimap.TypeEmail, RuleID: "test", Confidence: 1, Hits: n, Sampled: total}}
}

// TestBadInput scans one directory holding every kind of bad object next
// to good ones: each bad object fails alone, with a clear error, the good
// ones are scanned, and the directory is unchanged.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	fx := scannertest.DefaultFixture()
	people := fx.Tables[0]

	writeFile(t, dir, "good/people.csv", encodeDelimited(t, people, ','))
	writeFile(t, dir, "good/app.log", fx.Texts[0].Data)

	// Corrupt Parquet: valid magic, garbage body.
	pq := encodeParquet(t, people)
	bad := append([]byte(nil), pq[:4]...)
	bad = append(bad, bytes.Repeat([]byte{0xAB}, 300)...)
	bad = append(bad, pq[len(pq)-8:]...)
	writeFile(t, dir, "bad/corrupt.parquet", bad)
	// A Parquet file cut in half.
	writeFile(t, dir, "bad/half.parquet", pq[:len(pq)/2])

	// Truncated gzip: its first part still decompresses and is scanned.
	logGz := gz(t, fx.Texts[0].Data)
	writeFile(t, dir, "bad/truncated.log.gz", logGz[:len(logGz)*2/3])

	// Invalid UTF-8 on lines 3 and 5.
	lines := []string{"ok person1@example.test", "ok", "bad \xff\xfe byte person2@example.test", "ok", "bad \xc3\x28 again", "tail person3@example.test"}
	writeFile(t, dir, "bad/latin1.log", []byte(strings.Join(lines, "\n")+"\n"))

	// A 10 MB single-line log with emails spread through it, last at the end.
	var big bytes.Buffer
	for big.Len() < 10<<20 {
		big.WriteString("lorem ipsum dolor sit amet ")
		if big.Len()%(1<<20) < 30 {
			big.WriteString("person9@example.test ")
		}
	}
	big.WriteString("person10@example.test")
	wantBig := bytes.Count(big.Bytes(), []byte("@example.test"))
	writeFile(t, dir, "huge/oneline.log", big.Bytes())

	// Unreadable objects. chmod 000 stops only non-root users; for root, a
	// dangling symlink and a symlink to /proc/self/mem, which the source
	// does not follow (outside the store root), are reported instead.
	unreadable := []string{"unreadable/dangling.csv"}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "unreadable"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere.csv"), filepath.Join(dir, "unreadable/dangling.csv")))
	if runtime.GOOS == "linux" {
		require.NoError(t, os.Symlink("/proc/self/mem", filepath.Join(dir, "unreadable/mem.log")))
		unreadable = append(unreadable, "unreadable/mem.log")
	}
	if os.Geteuid() != 0 {
		p := writeFile(t, dir, "unreadable/locked.csv", []byte("a,b\n1,2\n"))
		require.NoError(t, os.Chmod(p, 0))
		t.Cleanup(func() { os.Chmod(p, 0o644) })
		unreadable = append(unreadable, "unreadable/locked.csv")
	} else {
		t.Log("running as root: chmod 000 does not stop reads; using a dangling symlink and /proc/self/mem instead")
	}

	before := scannertest.DirChecksum(t, dir)
	g := lineagetest.NewMemGraph()
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{
		{Name: "fs", URL: "file://" + dir},
		{Name: "missing", URL: "file://" + filepath.Join(dir, "no-such-dir")},
	}, scanner.Options{Graph: g, Classifier: emailCounter{}, Concurrency: 2})
	require.NoError(t, err)
	assert.Equal(t, before, scannertest.DirChecksum(t, dir), "scan wrote to the store")

	errs := map[string]string{}
	for _, e := range res.Errors {
		errs[e.Store+"/"+e.Unit] = e.Err
	}
	tests := []struct {
		unit string
		want []string // substrings of the unit's error
	}{
		{"fs/bad/corrupt.parquet", []string{"files: read bad/corrupt.parquet", "parquet", "corrupt input"}},
		{"fs/bad/half.parquet", []string{"files: read bad/half.parquet", "corrupt input"}},
		{"fs/bad/truncated.log.gz", []string{"files: read bad/truncated.log.gz", "gzip: truncated stream", "corrupt input"}},
		{"fs/bad/latin1.log", []string{"files: read bad/latin1.log", "line 3: invalid UTF-8 (2 lines)", "corrupt input"}},
		{"missing/", []string{"store missing", "store unreachable", "not found"}},
	}
	for _, u := range unreadable {
		tests = append(tests, struct {
			unit string
			want []string
		}{"fs/" + u, []string{"files: read " + u}})
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			msg, ok := errs[tt.unit]
			require.True(t, ok, "no error for %s; errors: %v", tt.unit, errs)
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
			assert.NotContains(t, msg, "@ex", "raw values in an error")
			if !strings.HasSuffix(tt.unit, "/") { // a store error names the configured directory
				assert.NotContains(t, msg, dir, "machine paths in a unit error")
			}
		})
	}
	for k, v := range errs {
		t.Logf("%s: %s", k, v)
	}
	assert.Len(t, res.Errors, len(tests), "only the bad units fail: %v", errs)
	assert.True(t, res.Gaps())
	assert.Equal(t, lineage.RunGaps, res.Run.Status)

	hits := map[string]int{}
	for _, f := range res.Findings {
		hits[f.Loc.String()] += f.Hits
	}
	assert.Equal(t, 200, hits["fs/good/people.csv#email"], "the good CSV is sampled (200 of 600 rows)")
	assert.Equal(t, 400, hits["fs/good/app.log"])
	assert.Equal(t, wantBig, hits["fs/huge/oneline.log"], "every email of the 10 MB line is seen")
	assert.Equal(t, 3, hits["fs/bad/latin1.log"], "valid parts of the invalid UTF-8 file are scanned")
	assert.Positive(t, hits["fs/bad/truncated.log.gz"], "the readable part of the truncated gzip is scanned")
}
