package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xpg "github.com/piimap/piimap/executor/postgres"
)

// sqlMatches evaluates Where for one cell of the given SQL type in Postgres.
func sqlMatches(t testing.TB, conn *pgx.Conn, m driver.Match, typ xpg.ColType, cell string) bool {
	t.Helper()
	m.Field = "c"
	p := &xpg.Params{}
	w, err := xpg.Where([]driver.Match{m}, func(string) (xpg.Col, error) { return xpg.Col{Expr: "s.c", Type: typ}, nil }, p)
	require.NoError(t, err)
	cast := map[xpg.ColType]string{xpg.ColText: "text", xpg.ColInt: "int8", xpg.ColUUID: "uuid"}[typ]
	cellParam := p.Add(cell)
	var got bool
	q := `SELECT coalesce(` + w + `, false) FROM (SELECT ` + cellParam + `::text::` + cast + ` AS c) AS s`
	require.NoError(t, conn.QueryRow(context.Background(), q, p.Args...).Scan(&got), q)
	return got
}

var agreeCases = []struct {
	kind, value, cell string
	typ               xpg.ColType
}{
	{piimap.KeyEmail, "ann@example.com", "ann@example.com", xpg.ColText},
	{piimap.KeyEmail, "ann@example.com", " ANN@Example.COM ", xpg.ColText},
	{piimap.KeyEmail, "ann@example.com", "login by ann@example.com failed", xpg.ColText},
	{piimap.KeyEmail, "ann@example.com", "sent to ann@example.com.", xpg.ColText},
	{piimap.KeyEmail, "ann@example.com", "<ann@example.com>", xpg.ColText},
	{piimap.KeyEmail, "ann@example.com", "xann@example.com", xpg.ColText},
	{piimap.KeyEmail, "ann@example.com", "ann@example.com.au", xpg.ColText},
	{piimap.KeyEmail, "ann@example.com", "ann@example.com-old", xpg.ColText},
	{piimap.KeyEmail, "a.b+c@ex-ample.com", "to: a.b+c@ex-ample.com, cc", xpg.ColText},
	{piimap.KeyEmail, "a.b+c@ex-ample.com", "aXb+c@ex-ample.com", xpg.ColText},
	{piimap.KeyEmail, "a(b)|c*@x.y", "to a(b)|c*@x.y now", xpg.ColText},
	{piimap.KeyPhone, "+44 20 7946 0000", "+442079460000", xpg.ColText},
	{piimap.KeyPhone, "+44 20 7946 0000", "call +44 20 7946 0000 now", xpg.ColText},
	{piimap.KeyPhone, "+44 20 7946 0000", "+44 20 7946 00001", xpg.ColText},
	{piimap.KeyPhone, "+44 20 7946 0000", "call +44 (0)20 7946 0000 now", xpg.ColText},
	{piimap.KeyPhone, "+44 20 7946 0000", "+44(0) 20 7946 0000", xpg.ColText},
	{piimap.KeyPhone, "+44 20 7946 0000", "call +44 20 7946 0000 12 times", xpg.ColText},
	{piimap.KeyPhone, "+49 89 1234567", "call +49 89 1234567 12 times", xpg.ColText},
	{piimap.KeyPhone, "+49 89 1234567", "call 089 1234567, 12 times", xpg.ColText},
	{piimap.KeyPhone, "555-0100", "555-0100", xpg.ColText},
	{piimap.KeyUserID, "42", " 42", xpg.ColText},
	{piimap.KeyUserID, "42", "420", xpg.ColText},
	{piimap.KeyUserID, "it's", "it's", xpg.ColText},
	{driver.KindKey, "u-1", "U-1", xpg.ColText},
	{driver.KindKey, "42", "42", xpg.ColInt},
	{driver.KindKey, " 42 ", "42", xpg.ColInt},
	{driver.KindKey, "042", "42", xpg.ColInt},
	{driver.KindKey, "+42", "42", xpg.ColInt},
	{driver.KindRef, "-7", "-7", xpg.ColInt},
	{driver.KindRef, "0b5e8a34-1111-4111-8111-000000000001", "0b5e8a34-1111-4111-8111-000000000001", xpg.ColUUID},
	{driver.KindRef, "0B5E8A34-1111-4111-8111-000000000001", "0b5e8a34-1111-4111-8111-000000000001", xpg.ColUUID},
}

func connect(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), serverURL(t))
	require.NoError(t, err)
	return conn
}

// TestWhereAgreesWithGo: the SQL a Postgres Find runs and the Go matcher
// the streaming handlers use decide every case the same way.
func TestWhereAgreesWithGo(t *testing.T) {
	conn := connect(t)
	defer conn.Close(context.Background())
	for _, c := range agreeCases {
		m := driver.Match{Kind: c.kind, Values: []string{c.value}}
		if goM, sqlM := m.MatchValue(c.cell), sqlMatches(t, conn, m, c.typ, c.cell); goM != sqlM {
			t.Errorf("%s %q in %q: go %v, sql %v", c.kind, c.value, c.cell, goM, sqlM)
		}
	}
}

func FuzzWhereAgreesWithGo(f *testing.F) {
	for _, c := range agreeCases {
		if c.typ == xpg.ColText {
			f.Add(c.kind, c.value, c.cell)
		}
	}
	if testing.Short() || serverURLOrEmpty() == "" {
		f.Skip("needs " + envURL)
	}
	conn := connect(f)
	f.Cleanup(func() { conn.Close(context.Background()) })
	f.Fuzz(func(t *testing.T, kind, value, cell string) {
		if kind != piimap.KeyEmail && kind != piimap.KeyPhone {
			kind = piimap.KeyUserID
		}
		if !asciiPrintable(value) || !asciiPrintable(cell) {
			t.Skip("unicode case folding differs by design; identifiers are ASCII")
		}
		m := driver.Match{Kind: kind, Values: []string{value}}
		if goM, sqlM := m.MatchValue(cell), sqlMatches(t, conn, m, xpg.ColText, cell); goM != sqlM {
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
	return !strings.ContainsRune(s, 0)
}
