package duckdbsql_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit/duckdbsql"
)

// sqlMatches evaluates Where for one cell in DuckDB.
func sqlMatches(t testing.TB, db *sql.DB, m driver.Match, cell string) bool {
	t.Helper()
	m.Field = "c"
	w, args, err := duckdbsql.Where([]driver.Match{m}, func(string) (string, error) { return `"c"`, nil })
	if err != nil {
		t.Fatal(err)
	}
	var got bool
	q := `SELECT coalesce(` + w + `, false) FROM (SELECT ?::VARCHAR AS c)`
	if err := db.QueryRow(q, append(args, cell)...).Scan(&got); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return got
}

var agreeCases = []struct{ kind, value, cell string }{
	{piimap.KeyEmail, "ann@example.com", "ann@example.com"},
	{piimap.KeyEmail, "ann@example.com", " ANN@Example.COM "},
	{piimap.KeyEmail, "ann@example.com", "login by ann@example.com failed"},
	{piimap.KeyEmail, "ann@example.com", "sent to ann@example.com."},
	{piimap.KeyEmail, "ann@example.com", "<ann@example.com>"},
	{piimap.KeyEmail, "ann@example.com", "xann@example.com"},
	{piimap.KeyEmail, "ann@example.com", "ann@example.com.au"},
	{piimap.KeyEmail, "ann@example.com", "ann@example.com-old"},
	{piimap.KeyEmail, "a.b+c@ex-ample.com", "to: a.b+c@ex-ample.com, cc"},
	{piimap.KeyEmail, "a.b+c@ex-ample.com", "aXb+c@ex-ample.com"},
	{piimap.KeyPhone, "+44 20 7946 0000", "+442079460000"},
	{piimap.KeyPhone, "+44 20 7946 0000", "call +44 20 7946 0000 now"},
	{piimap.KeyPhone, "+44 20 7946 0000", "+44 20 7946 00001"},
	{piimap.KeyPhone, "555-0100", "555-0100"},
	{piimap.KeyUserID, "42", " 42"},
	{piimap.KeyUserID, "42", "420"},
	{piimap.KeyUserID, "it's", "it's"},
	{driver.KindKey, "u-1", "U-1"},
}

// TestWhereAgreesWithGo: the SQL a DuckDB Find runs and the Go matcher the
// streaming handlers use decide every case the same way.
func TestWhereAgreesWithGo(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range agreeCases {
		m := driver.Match{Kind: c.kind, Values: []string{c.value}}
		if goM, sqlM := m.MatchValue(c.cell), sqlMatches(t, db, m, c.cell); goM != sqlM {
			t.Errorf("%s %q in %q: go %v, sql %v", c.kind, c.value, c.cell, goM, sqlM)
		}
	}
}

func FuzzWhereAgreesWithGo(f *testing.F) {
	for _, c := range agreeCases {
		f.Add(c.kind, c.value, c.cell)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, kind, value, cell string) {
		if kind != piimap.KeyEmail && kind != piimap.KeyPhone {
			kind = piimap.KeyUserID
		}
		if !asciiPrintable(value) || !asciiPrintable(cell) {
			t.Skip("unicode case folding differs by design; identifiers are ASCII")
		}
		m := driver.Match{Kind: kind, Values: []string{value}}
		if goM, sqlM := m.MatchValue(cell), sqlMatches(t, db, m, cell); goM != sqlM {
			t.Fatalf("%s %q in %q: go %v, sql %v", kind, value, cell, goM, sqlM)
		}
	})
}

func asciiPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var _ = context.Background
