package main

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/dsar"
)

// nameIBAN builds a valid German IBAN from a number (18 digits, zero-padded).
func nameIBAN(n int) string {
	bban := fmt.Sprintf("%018d", n)
	v, _ := new(big.Int).SetString(bban+"131400", 10) // D=13 E=14, check "00"
	return fmt.Sprintf("DE%02d%s", 98-new(big.Int).Mod(v, big.NewInt(97)).Int64(), bban)
}

// TestAdversarialForeignNames: an estate written the way a German shop
// writes it, unlike any fixture: no foreign key declared, keys named kd and
// kunde_nr, customer numbers that are no serial, a ticket body keyed by
// the emails it holds that also holds a customer's phone, an IBAN column
// only three customers filled in (and a log holding those IBANs), a count
// column whose values all lie inside a dense id, and a two-row CSV export.
// An erasure by email must take the subject's rows and text everywhere and
// nobody else's, checked with SQL counts and checksums and the files'
// bytes, not with the receipt.
func TestAdversarialForeignNames(t *testing.T) {
	if testing.Short() {
		t.Skip("foreign names estate: skipped with -short")
	}
	admin := xsEnv(t, "PIIMAP_TEST_POSTGRES")
	ctx := context.Background()
	const subject = 7
	knr := func(g int) int { return 100000 + (g*104729)%900000 }
	phone := func(g int) string { return fmt.Sprintf("+49 151 %08d", 20000000+g*7919) }
	ibans := map[int]string{subject: nameIBAN(370400440532013000), 9: nameIBAN(120300000000202051), 40: nameIBAN(500105170137075030)}
	var ddl strings.Builder
	ddl.WriteString(`CREATE TABLE kunden (knr integer PRIMARY KEY, e_post text UNIQUE, mobil text, nachname text, iban text);
CREATE TABLE auftraege (auftrag_id serial PRIMARY KEY, kd integer, menge integer, bemerkung text);
CREATE TABLE rechnungen (rechnung_id serial PRIMARY KEY, kunde_nr integer, betrag numeric(10,2));
CREATE TABLE lager (artikel_id serial PRIMARY KEY, bestand integer);
CREATE TABLE tickets (ticket_id serial PRIMARY KEY, von text, body text);
`)
	surnames := []string{"Okonkwo", "Vasquez-Tal", "Nakamura", "Ødegaard", "Brandstätter", "Quispe", "Nwachukwu", "Zielińska"}
	for g := 1; g <= 120; g++ {
		iban := "NULL"
		if v, ok := ibans[g]; ok {
			iban = "'" + v + "'"
		}
		fmt.Fprintf(&ddl, "INSERT INTO kunden VALUES (%d, 'kunde%d@example.org', '%s', '%s', %s);\n", knr(g), g, phone(g), surnames[g%len(surnames)], iban)
	}
	ddl.WriteString(`INSERT INTO auftraege (kd, menge, bemerkung) SELECT 100000 + ((1 + g % 120) * 104729) % 900000, 1 + g % 12, 'Lieferung ' || g FROM generate_series(1, 600) g;
INSERT INTO rechnungen (kunde_nr, betrag) SELECT 100000 + ((1 + g % 120) * 104729) % 900000, g FROM generate_series(1, 300) g;
INSERT INTO lager (bestand) SELECT 1 + (g * 37) % 400 FROM generate_series(1, 400) g;
INSERT INTO tickets (von, body) SELECT 'kunde' || g || '@example.org', 'Bitte um Rückruf, Bestellung ' || g FROM generate_series(10, 60) g;
`)
	sub := strings.TrimPrefix(phone(subject), "+49 151 ")
	fmt.Fprintf(&ddl, `INSERT INTO tickets (von, body) VALUES ('zentrale@example.com', 'Anruf von +49 (0)151 %s, wollte Adresse ändern');
INSERT INTO tickets (von, body) VALUES ('zentrale@example.com', 'Anruf von %s wegen Lieferung');
INSERT INTO tickets (von, body) VALUES ('zentrale@example.com', 'Anruf von +49 151 %s9, falsche Nummer');
`, sub[:4]+" "+sub[4:], phone(8), sub)
	pgURL, db := advPostgres(t, admin, ddl.String())

	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	require.NoError(t, os.MkdirAll(lake, 0o755))
	logLines := []string{
		"2026-03-01T10:00:00Z WARN zahlung fehlgeschlagen iban=" + ibans[subject],
		"2026-03-01T10:00:01Z WARN zahlung fehlgeschlagen iban=" + ibans[9],
		"2026-03-01T10:00:02Z WARN zahlung fehlgeschlagen iban=" + ibans[40],
		"2026-03-01T10:00:03Z INFO lastschrift ok",
	}
	logPath := filepath.Join(lake, "zahlungen.log")
	require.NoError(t, os.WriteFile(logPath, []byte(strings.Join(logLines, "\n")+"\n"), 0o644))
	csvPath := filepath.Join(lake, "export.csv")
	csvLines := []string{"datum,ereignis,kontakt", fmt.Sprintf("2026-12-01,login,kunde%d@example.org", subject), "2026-12-02,login,kunde11@example.org"}
	require.NoError(t, os.WriteFile(csvPath, []byte(strings.Join(csvLines, "\n")+"\n"), 0o644))

	cfg := writeConfig(t, dir, fmt.Sprintf("  - {name: shop, url: %q, phone_region: DE}\n  - {name: lake, url: %q, phone_region: DE}\n", pgURL, "file://"+lake))
	mustCLI(t, "--config", cfg, "--quiet", "scan")

	// Independent witnesses: every row of every table that is not the
	// subject's, as text, hashed per table.
	mine := knr(subject)
	others := map[string]string{
		"kunden":     "SELECT count(*), md5(string_agg(k::text, ',' ORDER BY knr)) FROM kunden k WHERE knr <> $1",
		"auftraege":  "SELECT count(*), md5(string_agg(a::text, ',' ORDER BY auftrag_id)) FROM auftraege a WHERE kd <> $1",
		"rechnungen": "SELECT count(*), md5(string_agg(r::text, ',' ORDER BY rechnung_id)) FROM rechnungen r WHERE kunde_nr <> $1",
		"lager":      "SELECT count(*), md5(string_agg(l::text, ',' ORDER BY artikel_id)) FROM lager l WHERE $1 <> 0",
		"tickets":    "SELECT count(*), md5(string_agg(x::text, ',' ORDER BY ticket_id)) FROM tickets x WHERE $1 <> 0 AND ticket_id <> (SELECT max(ticket_id) - 2 FROM tickets)",
	}
	before := map[string]string{}
	for tbl, q := range others {
		var n int
		var h string
		require.NoError(t, db.QueryRow(ctx, q, mine).Scan(&n, &h))
		before[tbl] = fmt.Sprint(n, h)
	}
	count := func(q string, args ...any) int {
		var n int
		require.NoError(t, db.QueryRow(ctx, q, args...).Scan(&n))
		return n
	}
	require.Equal(t, 5, count("SELECT count(*) FROM auftraege WHERE kd = $1", mine))
	require.Equal(t, 3, count("SELECT count(*) FROM rechnungen WHERE kunde_nr = $1", mine))

	id := newReq(t, cfg, "erasure", "--subject", fmt.Sprintf("email=kunde%d@example.org", subject))
	r, code := eraseApproved(t, cfg, id)
	require.Equal(t, exitOK, code)
	require.Equal(t, dsar.StatusCompleted, r.Status, "receipt %+v", r)

	require.Zero(t, count("SELECT count(*) FROM kunden WHERE knr = $1", mine))
	require.Zero(t, count("SELECT count(*) FROM auftraege WHERE kd = $1", mine), "orders keyed kd stayed behind")
	require.Zero(t, count("SELECT count(*) FROM rechnungen WHERE kunde_nr = $1", mine), "invoices keyed kunde_nr stayed behind")
	require.Zero(t, count("SELECT count(*) FROM tickets WHERE regexp_replace(body, '[^0-9]', '', 'g') LIKE '%' || $1 || '%' AND body NOT LIKE '%falsche%'", sub),
		"the ticket holding the subject's phone stayed behind")
	for tbl, q := range others {
		var n int
		var h string
		require.NoError(t, db.QueryRow(ctx, q, mine).Scan(&n, &h))
		require.Equal(t, before[tbl], fmt.Sprint(n, h), "another customer's rows in %s changed", tbl)
	}

	log, err := os.ReadFile(logPath)
	require.NoError(t, err)
	require.NotContains(t, string(log), ibans[subject][4:], "the subject's IBAN stayed in the log")
	for _, l := range logLines[1:] {
		require.Contains(t, string(log), l+"\n", "a bystander's log line changed")
	}
	csv, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	require.NotContains(t, string(csv), fmt.Sprintf("kunde%d@", subject), "the two-row export kept the subject's email")
	require.Contains(t, string(csv), csvLines[0]+"\n"+csvLines[2]+"\n")
}

// TestAdversarialArrayColumns: a customers table with a text[] column, a
// JSON array of emails and a JSON array of contact objects beside its
// email column, and rows whose lists hold look-alikes of the subject's
// email (a longer address, one with a prefix, a path holding a string).
// Postgres matches list fields element by element (EXISTS over unnest or
// jsonb_array_elements): the subject's row goes, no gap is left, and no
// other row changes. Before, the list fields failed the whole table.
func TestAdversarialArrayColumns(t *testing.T) {
	if testing.Short() {
		t.Skip("array columns estate: skipped with -short")
	}
	admin := xsEnv(t, "PIIMAP_TEST_POSTGRES")
	ctx := context.Background()
	ddl := `CREATE TABLE accounts (id serial PRIMARY KEY, mail text UNIQUE, tags text[], profile jsonb);
INSERT INTO accounts (mail, tags, profile) SELECT 'kunde' || g || '@example.org', ARRAY['vip', 'kunde' || g || '@example.org'],
  jsonb_build_object('emails', jsonb_build_array('kunde' || g || '@example.org'), 'contacts', jsonb_build_array(jsonb_build_object('mail', 'kunde' || g || '@example.org')), 'since', 2000 + g % 20) FROM generate_series(1, 60) g;
INSERT INTO accounts (mail, tags, profile) VALUES ('other1@example.org', ARRAY['notkunde7@example.org', 'kunde70@example.org'],
  '{"emails": "kunde7@example.org.invalid", "contacts": [{"mail": "kunde7@example.org.uk"}]}');`
	pgURL, db := advPostgres(t, admin, ddl)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, fmt.Sprintf("  - {name: crm, url: %q}\n", pgURL))
	mustCLI(t, "--config", cfg, "--quiet", "scan")
	others := func() (int, string) {
		var n int
		var h string
		require.NoError(t, db.QueryRow(ctx, `SELECT count(*), md5(string_agg(a::text, ',' ORDER BY id)) FROM accounts a WHERE mail <> 'kunde7@example.org'`).Scan(&n, &h))
		return n, h
	}
	n0, h0 := others()

	id := newReq(t, cfg, "erasure", "--subject", "email=kunde7@example.org")
	p := planOf(t, cfg, id)
	require.Empty(t, p.Gaps, "list fields are matched, not gaps")
	var lists []string
	for _, st := range p.Steps() {
		for _, m := range st.Target.Match {
			if strings.Contains(m.Field, "[]") {
				lists = append(lists, m.Field)
			}
		}
	}
	require.ElementsMatch(t, []string{"tags[]", "profile.emails[]", "profile.contacts[].mail"}, lists)
	r, code := eraseApproved(t, cfg, id)
	require.Equal(t, exitOK, code)
	require.Equal(t, dsar.StatusCompleted, r.Status, "receipt %+v", r)
	var left int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM accounts WHERE mail = 'kunde7@example.org' OR profile::text LIKE '%"kunde7@example.org"%' OR 'kunde7@example.org' = ANY(tags)`).Scan(&left))
	require.Zero(t, left, "the subject's row stayed")
	n1, h1 := others()
	require.Equal(t, n0, n1)
	require.Equal(t, h0, h1, "another customer's row changed")
}

// TestAdversarialListFieldUnsupported: MariaDB cannot match a path into a
// JSON array; that field alone is a gap naming it, and the table is still
// searched by its email column: the subject's row goes, nobody else's.
func TestAdversarialListFieldUnsupported(t *testing.T) {
	if testing.Short() {
		t.Skip("list field estate: skipped with -short")
	}
	admin := xsEnv(t, "PIIMAP_TEST_MYSQL")
	ctx := context.Background()
	myURL, db := advMariaDB(t, admin, "CREATE TABLE accounts (id INT PRIMARY KEY, mail VARCHAR(80) UNIQUE, profile JSON)")
	for g := 1; g <= 60; g++ {
		_, err := db.ExecContext(ctx, "INSERT INTO accounts VALUES (?, ?, ?)", g, fmt.Sprintf("kunde%d@example.org", g), fmt.Sprintf(`{"emails": ["kunde%d@example.org"]}`, g))
		require.NoError(t, err)
	}
	cfg := writeConfig(t, t.TempDir(), fmt.Sprintf("  - {name: crm, url: %q}\n", myURL))
	mustCLI(t, "--config", cfg, "--quiet", "scan")
	others := func() string {
		var h string
		require.NoError(t, db.QueryRowContext(ctx, `SELECT MD5(GROUP_CONCAT(id, mail, profile ORDER BY id)) FROM accounts WHERE mail <> 'kunde7@example.org'`).Scan(&h))
		return h
	}
	h0 := others()
	id := newReq(t, cfg, "erasure", "--subject", "email=kunde7@example.org")
	p := planOf(t, cfg, id)
	var fields []string
	for _, g := range p.Gaps {
		if g.Kind == "unsupported" {
			fields = append(fields, g.Field)
		}
	}
	require.Equal(t, []string{"profile.emails[]"}, fields, "gaps %+v", p.Gaps)
	r, code := eraseApproved(t, cfg, id)
	require.Equal(t, exitGaps, code, "the list field is a gap")
	require.Equal(t, dsar.StatusExceptions, r.Status, "receipt %+v", r)
	var left int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM accounts WHERE mail = 'kunde7@example.org'").Scan(&left))
	require.Zero(t, left, "the subject's row stayed")
	require.Equal(t, h0, others(), "another customer's row changed")
}
