package filerewrite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner/fileformat/fileformattest"
	"github.com/piimap/piimap/scanner/scannertest"
)

// readParquetColumns reads a Parquet file with parquet-go (not DuckDB, which
// rewrote it) into its rows, each as column name → value (nil for NULL).
func readParquetColumns(t *testing.T, path string) []map[string]*string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range pf.Schema().Columns() {
		names = append(names, strings.Join(c, "."))
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	var out []map[string]*string
	buf := make([]parquet.Row, 64)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			m := map[string]*string{}
			for _, v := range row {
				name := names[v.Column()]
				if v.IsNull() {
					m[name] = nil
					continue
				}
				s := string(v.ByteArray())
				if v.Kind() != parquet.ByteArray {
					s = v.String()
				}
				m[name] = &s
			}
			out = append(out, m)
		}
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzParquetRewrite: a Parquet file written by parquet-go (an email and a
// note column), rewritten through DuckDB for one subject's email in mode
// delete or null, and read back by parquet-go, holds exactly what the Go
// matcher (driver.Match.MatchValue, the executor's own rule) says: in mode
// delete every other row, in order, unchanged; in mode null the same rows
// with the matched rows' email NULL and nothing else changed. The count
// Rewrite returns is the number of matched rows. So the SQL the Parquet
// engine runs and the Go rule every other handler uses cannot drift apart
// without this failing.
func FuzzParquetRewrite(f *testing.F) {
	f.Add("ann@example.com\nbob@example.com\n ANN@Example.com \nann@example.com.au\nx ann@example.com y", "ann@example.com", uint8(0))
	f.Add("Ann@Example.com\n\nann@example.com\nann.b@example.com", "ANN@example.com", uint8(1))
	f.Add("a@b.c\na@b.co\n\"a@b.c\"\n<a@b.c>", "a@b.c", uint8(0))
	f.Add("joe+tag@example.org\njoe@example.org\nJOE+TAG@EXAMPLE.ORG", "joe+tag@example.org", uint8(1))
	f.Add("x@y.z", "not an email", uint8(0))
	f.Fuzz(func(t *testing.T, cells, subject string, sel uint8) {
		if !utf8.ValidString(cells) || !utf8.ValidString(subject) || strings.ContainsRune(cells+subject, 0) || len(cells) > 2000 {
			return
		}
		rows := strings.Split(cells, "\n")
		if len(rows) > 24 {
			rows = rows[:24]
		}
		tb := scannertest.Table{Columns: []string{"email", "note"}}
		for i, c := range rows {
			tb.Rows = append(tb.Rows, []string{c, fmt.Sprintf("n%02d", i)}) // "" is NULL
		}
		dir := t.TempDir()
		in := filepath.Join(dir, "in.parquet")
		fh, err := os.Create(in)
		if err != nil {
			t.Fatal(err)
		}
		fileformattest.WriteParquet(t, fh, tb, 8)
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
		mode := []driver.Mode{driver.ModeDelete, driver.ModeNull}[int(sel)%2]
		m := driver.Match{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}
		tg := driver.Target{Asset: "in.parquet", Mode: mode, Match: []driver.Match{m}}
		var p Parquet
		defer p.Close()
		out := filepath.Join(dir, "out.parquet")
		replaced := false
		n, err := p.Rewrite(context.Background(), in, tg, []byte("k"), func(copyTo func(string) error) error {
			replaced = true
			return copyTo(out)
		})
		if err != nil {
			t.Fatalf("rewrite: %v", err)
		}
		var matched []bool
		var count int64
		for _, r := range tb.Rows {
			ok := r[0] != "" && m.MatchValue(r[0])
			matched = append(matched, ok)
			if ok {
				count++
			}
		}
		if n != count {
			t.Fatalf("rewrite changed %d rows, the Go rule matches %d", n, count)
		}
		if count == 0 {
			if replaced {
				t.Fatal("a file without the subject's rows was rewritten")
			}
			return
		}
		got := readParquetColumns(t, out)
		var want []map[string]*string
		for i, r := range tb.Rows {
			if matched[i] && mode == driver.ModeDelete {
				continue
			}
			w := map[string]*string{"email": nil, "note": &tb.Rows[i][1]}
			if r[0] != "" && !matched[i] {
				w["email"] = &tb.Rows[i][0]
			}
			want = append(want, w)
		}
		if !slices.EqualFunc(got, want, func(a, b map[string]*string) bool {
			for _, k := range []string{"email", "note"} {
				if (a[k] == nil) != (b[k] == nil) || a[k] != nil && *a[k] != *b[k] {
					return false
				}
			}
			return true
		}) {
			t.Fatalf("mode %s: rows after the rewrite differ from the Go rule's (%d rows, %d matched)", mode, len(tb.Rows), count)
		}
	})
}
