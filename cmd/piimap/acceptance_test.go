package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/dsar"
	sduck "github.com/piimap/piimap/scanner/duckdb"
	"github.com/piimap/piimap/scanner/s3/s3test"
)

// TestAcceptanceIndependentEstate is issue 10's acceptance test on an
// estate this file builds itself (not the demo's generator): a lending
// library. Postgres holds patrons keyed by patron_ref (no FK declared from
// loans), DuckDB a CRM copy with other column names, the files store a CSV
// export and an application log holding only the patron's mobile and card,
// and S3 a masked copy (sha256 of the email). The scan is the default,
// sampled one.
// An access request finds every record of the subject and nobody else's;
// the erasure leaves none of the subject's bytes and every other row as it
// was, witnessed by SQL, md5 and byte scans.
func TestAcceptanceIndependentEstate(t *testing.T) {
	if testing.Short() {
		t.Skip("acceptance test: skipped with -short")
	}
	admin := xsEnv(t, "PIIMAP_TEST_POSTGRES")
	ctx := context.Background()
	r := rand.New(rand.NewPCG(10, 10))
	type patron struct{ ref, mail, mobile, card, surname string }
	surnames := []string{"Quarshie", "Oyelaran", "Vantongeren", "Szczepaniak", "Ekwueme", "Thorvaldsdottir", "Nakashima", "Abernathy-Pryce"}
	var ps []patron
	for i := 0; i < 70; i++ {
		card := luhnDigits(fmt.Sprintf("5%d%013d", 1+r.IntN(5), r.Int64N(9999999999999)))
		ps = append(ps, patron{
			ref:     fmt.Sprintf("PR-%05d", 1000+i*37),
			mail:    fmt.Sprintf("reader.%d.%s@library.example", i, strings.ToLower(surnames[i%len(surnames)])),
			mobile:  fmt.Sprintf("(312) %03d-%04d", 200+r.IntN(700), r.IntN(10000)),
			card:    card,
			surname: surnames[i%len(surnames)],
		})
	}
	const subj = 11
	s := ps[subj]

	var ddl strings.Builder
	ddl.WriteString(`CREATE TABLE patrons (patron_ref text PRIMARY KEY, mail_addr text UNIQUE, mobile text, pay_card text, family_name text);
CREATE TABLE loans (loan_no int PRIMARY KEY, patron_ref text NOT NULL, isbn text, due date);`)
	for i, p := range ps {
		fmt.Fprintf(&ddl, "INSERT INTO patrons VALUES ('%s','%s','%s','%s','%s');\n", p.ref, p.mail, p.mobile, p.card, p.surname)
		for j := 0; j < 1+i%3; j++ {
			fmt.Fprintf(&ddl, "INSERT INTO loans VALUES (%d,'%s','978%010d','2026-12-%02d');\n", i*10+j, p.ref, r.Int64N(9999999999), 1+j)
		}
	}
	pgURL, db := advPostgres(t, admin, ddl.String())

	dir := t.TempDir()
	crm := filepath.Join(dir, "crm.duckdb")
	ddb, err := sduck.Open(ctx, "duckdb://"+crm, false)
	require.NoError(t, err)
	_, err = ddb.Exec(`CREATE TABLE contacts (contact_key VARCHAR, contact_email VARCHAR, tel VARCHAR, segment VARCHAR)`)
	require.NoError(t, err)
	for i, p := range ps[:60] {
		_, err := ddb.Exec("INSERT INTO contacts VALUES (?, ?, ?, ?)", fmt.Sprintf("C%04d", i), p.mail, p.mobile, []string{"gold", "silver"}[i%2])
		require.NoError(t, err)
	}
	require.NoError(t, ddb.Close())

	lake := filepath.Join(dir, "lake")
	require.NoError(t, os.MkdirAll(filepath.Join(lake, "logs"), 0o755))
	var csv strings.Builder
	csv.WriteString("ref,email,surname\n")
	for _, p := range ps[:65] {
		fmt.Fprintf(&csv, "%s,%s,%s\n", p.ref, p.mail, p.surname)
	}
	require.NoError(t, os.WriteFile(filepath.Join(lake, "patrons_export.csv"), []byte(csv.String()), 0o644))
	var logb strings.Builder
	for i, p := range ps {
		fmt.Fprintf(&logb, "2026-12-01T10:%02d:00Z INFO reminder sms to %s\n", i%60, p.mobile)
		fmt.Fprintf(&logb, "2026-12-01T11:%02d:00Z WARN late fee charged to card %s %s %s %s\n", i%60, p.card[0:4], p.card[4:8], p.card[8:12], p.card[12:16])
	}
	logPath := filepath.Join(lake, "logs", "app.log")
	require.NoError(t, os.WriteFile(logPath, []byte(logb.String()), 0o644))

	// A third kind of copy: an S3 object of sha256(email) digests, which
	// only a copy_of edge found by the (sampled) scan ties to patrons.
	bucket := s3test.NewBucket(t)
	var hashed strings.Builder
	hashed.WriteString("digest,segment\n")
	for i, p := range ps {
		sum := sha256.Sum256([]byte(p.mail))
		fmt.Fprintf(&hashed, "%x,%s\n", sum, []string{"adult", "junior", "senior"}[i%3])
	}
	bucket.Put(t, "ads/audience.csv", []byte(hashed.String()), nil)

	cfg := writeConfig(t, dir, fmt.Sprintf(`  - {name: library, url: %q}
  - {name: crm, url: %q}
  - {name: lake, url: %q}
  - {name: ads, url: %q}
`, pgURL, "duckdb://"+crm, "file://"+lake, bucket.StoreURL("ads")))
	mustCLI(t, "--config", cfg, "--quiet", "scan") // sampled: copies are found by probes

	// Independent counts of the subject's records.
	var loans int
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM loans WHERE patron_ref = $1", s.ref).Scan(&loans))
	require.Greater(t, loans, 0)

	// Access: every record of the subject, nobody else's.
	id := newReq(t, cfg, "access", "--subject", "email="+s.mail)
	planOf(t, cfg, id)
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
	out := filepath.Join(dir, "package")
	mustCLI(t, "--config", cfg, "dsar", "run", id, "--out", out)
	var pkg strings.Builder
	require.NoError(t, filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() && strings.HasSuffix(path, ".jsonl") {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			pkg.Write(b)
		}
		return nil
	}))
	for i, p := range ps {
		if i != subj {
			require.NotContains(t, pkg.String(), p.mail, "another patron in the package")
			require.NotContains(t, pkg.String(), "\""+p.ref+"\"", "another patron's loans in the package")
		}
	}
	require.Contains(t, pkg.String(), s.mail)
	require.Equal(t, loans, strings.Count(pkg.String(), "\"isbn\""), "every loan of the subject exported")
	require.Contains(t, pkg.String(), s.card[12:16], "the log line with the card exported")

	// Erasure: none of the subject's bytes left, every other row unchanged.
	others := func() string {
		var a, b string
		require.NoError(t, db.QueryRow(ctx, "SELECT md5(string_agg(patron_ref||mail_addr||mobile||pay_card, ',' ORDER BY patron_ref)) FROM patrons WHERE patron_ref <> $1", s.ref).Scan(&a))
		require.NoError(t, db.QueryRow(ctx, "SELECT md5(string_agg(loan_no||patron_ref||isbn, ',' ORDER BY loan_no)) FROM loans WHERE patron_ref <> $1", s.ref).Scan(&b))
		return a + b
	}
	before := others()
	logBefore := lineSet(t, logPath)
	id = newReq(t, cfg, "erasure", "--subject", "email="+s.mail)
	rc, _ := eraseApproved(t, cfg, id)
	require.Equal(t, dsar.StatusCompleted, rc.Status, "receipt %+v", rc)
	var n int
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM loans WHERE patron_ref = $1", s.ref).Scan(&n))
	require.Zero(t, n, "loans without an FK stayed")
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM patrons WHERE patron_ref = $1", s.ref).Scan(&n))
	require.Zero(t, n)
	require.Equal(t, before, others(), "another patron's rows changed")
	ddb, err = sduck.Open(ctx, "duckdb://"+crm, true)
	require.NoError(t, err)
	require.NoError(t, ddb.QueryRow("SELECT count(*) FROM contacts WHERE contact_email = ? OR tel = ?", s.mail, s.mobile).Scan(&n))
	require.NoError(t, ddb.Close())
	require.Zero(t, n, "the CRM copy kept the subject")
	digits := regexp.MustCompile(`\D`)
	var all strings.Builder
	require.NoError(t, filepath.WalkDir(lake, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			all.Write(b)
		}
		return err
	}))
	require.NotContains(t, all.String(), s.mail)
	require.NotContains(t, digits.ReplaceAllString(all.String(), ""), digits.ReplaceAllString(s.card, ""), "the subject's card bytes stayed in the files")
	require.NotContains(t, all.String(), s.mobile)
	audience := string(bucket.Get(t, "ads/audience.csv"))
	subjDigest := sha256.Sum256([]byte(s.mail))
	require.False(t, strings.Contains(audience, fmt.Sprintf("%x", subjDigest)), "the masked S3 copy kept the subject's digest")
	require.Equal(t, len(ps)-1+1, strings.Count(audience, "\n"), "exactly the subject's line left the masked copy")
	logAfter := lineSet(t, logPath)
	for line := range logBefore {
		if !strings.Contains(line, s.mobile) && !strings.Contains(line, s.card[12:16]) {
			require.Equal(t, logBefore[line], logAfter[line], "a bystander log line changed")
		}
	}
}

// luhnDigits appends the Luhn check digit to prefix.
func luhnDigits(prefix string) string {
	sum := 0
	for i := len(prefix) - 1; i >= 0; i-- {
		d := int(prefix[i] - '0')
		if (len(prefix)-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return prefix + fmt.Sprint((10-sum%10)%10)
}
