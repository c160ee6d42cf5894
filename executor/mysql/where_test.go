package mysql_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xmy "github.com/piimap/piimap/executor/mysql"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// sqlMatches evaluates Where for one cell in MariaDB/MySQL: a VARCHAR cell
// under the server's default (case-insensitive) collation, or a BIGINT.
func sqlMatches(t testing.TB, db *smy.DB, m driver.Match, intCol bool, cell string) bool {
	t.Helper()
	m.Field = "c"
	col := xmy.Col{Expr: "t.c", Text: true}
	inner := "SELECT CAST(? AS CHAR) COLLATE utf8mb4_general_ci AS c"
	if intCol {
		col = xmy.Col{Expr: "t.c", Int: true}
		inner = "SELECT CAST(? AS SIGNED) AS c"
	}
	w, args, err := xmy.Where([]driver.Match{m}, func(string) (xmy.Col, error) { return col, nil })
	require.NoError(t, err)
	var got bool
	q := "SELECT COALESCE(" + w + ", FALSE) FROM (" + inner + ") AS t"
	require.NoError(t, db.QueryRowContext(context.Background(), q, append(args, cell)...).Scan(&got), q)
	return got
}

var agreeCases = []struct {
	kind, value, cell string
	intCol            bool
}{
	{piimap.KeyEmail, "ann@example.com", "ann@example.com", false},
	{piimap.KeyEmail, "ann@example.com", " ANN@Example.COM ", false},
	{piimap.KeyEmail, "ann@example.com", "login by ann@example.com failed", false},
	{piimap.KeyEmail, "ann@example.com", "sent to ann@example.com.", false},
	{piimap.KeyEmail, "ann@example.com", "<ann@example.com>", false},
	{piimap.KeyEmail, "ann@example.com", "xann@example.com", false},
	{piimap.KeyEmail, "ann@example.com", "ann@example.com.au", false},
	{piimap.KeyEmail, "ann@example.com", "ann@example.com-old", false},
	{piimap.KeyEmail, "a.b+c@ex-ample.com", "to: a.b+c@ex-ample.com, cc", false},
	{piimap.KeyEmail, "a.b+c@ex-ample.com", "aXb+c@ex-ample.com", false},
	{piimap.KeyEmail, "a(b)|c*@x.y", "to a(b)|c*@x.y now", false},
	{piimap.KeyPhone, "+44 20 7946 0000", "+442079460000", false},
	{piimap.KeyPhone, "+44 20 7946 0000", "call +44 20 7946 0000 now", false},
	{piimap.KeyPhone, "+44 20 7946 0000", "+44 20 7946 00001", false},
	{piimap.KeyPhone, "+44 20 7946 0000", "call +44 (0)20 7946 0000 now", false},
	{piimap.KeyPhone, "+44 20 7946 0000", "+44(0) 20 7946 0000", false},
	{piimap.KeyPhone, "+44 20 7946 0000", "call +44 20 7946 0000 12 times", false},
	{piimap.KeyPhone, "+49 89 1234567", "call +49 89 1234567 12 times", false},
	{piimap.KeyPhone, "+49 89 1234567", "call 089 1234567, 12 times", false},
	{piimap.KeyPhone, "555-0100", "555-0100", false},
	{piimap.KeyUserID, "42", " 42", false},
	{piimap.KeyUserID, "42", "420", false},
	{piimap.KeyUserID, "it's", "it's", false},
	{piimap.KeyUserID, `back\slash`, `back\slash`, false},
	{driver.KindKey, "u-1", "U-1", false},
	{driver.KindKey, "resume", "résumé", false},
	{driver.KindKey, "abc", "abc ", false},
	{driver.KindKey, "42", "42", true},
	{driver.KindKey, " 42 ", "42", true},
	{driver.KindKey, "042", "42", true},
	{driver.KindRef, "-7", "-7", true},
}

func connect(t testing.TB) *smy.DB {
	t.Helper()
	db, err := smy.Open(context.Background(), serverURL(t))
	require.NoError(t, err)
	return db
}

// TestWhereAgreesWithGo: the SQL a MariaDB/MySQL Find runs and the Go
// matcher the streaming handlers use decide every case the same way.
func TestWhereAgreesWithGo(t *testing.T) {
	db := connect(t)
	defer db.Close()
	for _, c := range agreeCases {
		m := driver.Match{Kind: c.kind, Values: []string{c.value}}
		if goM, sqlM := m.MatchValue(c.cell), sqlMatches(t, db, m, c.intCol, c.cell); goM != sqlM {
			t.Errorf("%s %q in %q: go %v, sql %v", c.kind, c.value, c.cell, goM, sqlM)
		}
	}
}

func FuzzWhereAgreesWithGo(f *testing.F) {
	for _, c := range agreeCases {
		if !c.intCol {
			f.Add(c.kind, c.value, c.cell)
		}
	}
	if testing.Short() || serverURLOrEmpty() == "" {
		f.Skip("needs " + envURL)
	}
	db := connect(f)
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, kind, value, cell string) {
		if kind != piimap.KeyEmail && kind != piimap.KeyPhone {
			kind = piimap.KeyUserID
		}
		if !asciiPrintable(value) || !asciiPrintable(cell) {
			t.Skip("unicode case folding differs by design; identifiers are ASCII")
		}
		m := driver.Match{Kind: kind, Values: []string{value}}
		if goM, sqlM := m.MatchValue(cell), sqlMatches(t, db, m, false, cell); goM != sqlM {
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
