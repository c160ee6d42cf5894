package scannertest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// DefaultFixture is the suite's standard estate: a 600-row "people" table
// (id, email, city, note — note is often empty) and a multi-line text log.
func DefaultFixture() Fixture {
	people := Table{Name: "people", Columns: []string{"id", "email", "city", "note"}}
	cities := []string{"Lyon", "Leeds", "Lagos", "Lima", "Lund"}
	for i := range 600 {
		note := ""
		if i%3 == 0 {
			note = fmt.Sprintf("called on day %d", i%28+1)
		}
		people.Rows = append(people.Rows, []string{
			fmt.Sprint(i + 1), fmt.Sprintf("person%03d@example.test", i+1), cities[i%len(cities)], note,
		})
	}
	var log []byte
	for i := range 400 {
		log = fmt.Appendf(log, "2026-01-02T03:04:%02dZ INFO request %d served for person%03d@example.test from 10.0.%d.%d\n",
			i%60, i, i%600+1, i%250, i%200)
	}
	return Fixture{Tables: []Table{people}, Texts: []Text{{Name: "app", Data: log}}}
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
