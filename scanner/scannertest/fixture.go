package scannertest

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// Fixture is the data a harness materialises in its store. Every value is
// fake.
type Fixture struct {
	Tables []Table
	Texts  []Text
}

// Table is structured data: a header and rows of string cells ("" = null).
type Table struct {
	Name    string
	Columns []string
	Rows    [][]string
}

// Text is a free-text object (a log).
type Text struct {
	Name string
	Data []byte
}

// Column returns a column's non-empty values.
func (t Table) Column(name string) []string {
	idx := -1
	for i, c := range t.Columns {
		if c == name {
			idx = i
		}
	}
	var out []string
	for _, r := range t.Rows {
		if idx >= 0 && idx < len(r) && r[idx] != "" {
			out = append(out, r[idx])
		}
	}
	return out
}

// DefaultFixture is the suite's standard estate, read from the module's
// shared conformance inputs (testdata/conformance at the module root): a
// 600-row "people" table (id, email, city, note — note is often empty) and
// a multi-line text log ("app"). Every value is fake. It panics when the
// files cannot be read: the checkout is incomplete.
func DefaultFixture() Fixture {
	dir := ConformanceDir()
	f, err := os.Open(filepath.Join(dir, "people.csv"))
	if err != nil {
		panic("scannertest: conformance inputs: " + err.Error())
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		panic(fmt.Sprintf("scannertest: conformance inputs: people.csv: %d records, %v", len(recs), err))
	}
	people := Table{Name: "people", Columns: recs[0], Rows: recs[1:]}
	log, err := os.ReadFile(filepath.Join(dir, "app.log"))
	if err != nil {
		panic("scannertest: conformance inputs: " + err.Error())
	}
	return Fixture{Tables: []Table{people}, Texts: []Text{{Name: "app", Data: log}}}
}

// ConformanceDir is the module's testdata/conformance directory: found
// from the working directory (a test runs in its package's directory)
// upwards to the module root, or else from this package's source file.
func ConformanceDir() string {
	rel := filepath.Join("testdata", "conformance")
	if dir, err := os.Getwd(); err == nil {
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				if _, err := os.Stat(filepath.Join(d, rel)); err == nil {
					return filepath.Join(d, rel)
				}
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", rel)
}

// DirChecksum digests every file under dir (names, modes, sizes and
// contents), for harnesses whose store is a directory or a file in one.
func DirChecksum(t testing.TB, dir string) string {
	t.Helper()
	h := sha256.New()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		t.Fatalf("scannertest: checksum %s: %v", dir, err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatalf("scannertest: checksum: %v", err)
		}
		fmt.Fprintf(h, "%s %v %d %d\n", p, fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				t.Fatalf("scannertest: checksum: %v", err)
			}
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				t.Fatalf("scannertest: checksum: %v", err)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
