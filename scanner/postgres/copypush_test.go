package postgres_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
)

// TestCopiesOfALargeTableProbedInStore: an original too large to read in
// full (more rows than copy_max_rows) is probed inside Postgres with the
// copies' sampled values; its lower-cased and sha256 copies are found, its
// sha1 copy once the database has pgcrypto (Postgres has no SHA-1
// without it, and the table is too large to read for it), an unrelated
// table is not, and a later scan of the copies' store alone probes the kept
// original again. Without in-store probes no edge reaches the original:
// the test fails if they do nothing.
func TestCopiesOfALargeTableProbedInStore(t *testing.T) {
	ctx := context.Background()
	email := `'Person.' || i || '@Example.com'`
	app := newDB(t,
		`CREATE TABLE customers (id bigint PRIMARY KEY, email text, phone text)`,
		`INSERT INTO customers SELECT i, `+email+`, '+1 415 555 ' || lpad((i % 10000)::text, 4, '0') FROM generate_series(1, 3000) i`,
	)
	exports := newDB(t,
		`CREATE TABLE mailing (id bigint PRIMARY KEY, email_lc text)`,
		`INSERT INTO mailing SELECT i, lower(`+email+`) FROM generate_series(1, 3000, 4) i`,
		`CREATE TABLE ad_match (id bigint PRIMARY KEY, hashed_email text)`,
		`INSERT INTO ad_match SELECT i, encode(sha256(convert_to(lower(`+email+`), 'UTF8')), 'hex') FROM generate_series(2, 3000, 5) i`,
		`CREATE TABLE dedupe (id bigint PRIMARY KEY, match_key text)`,
		// sha1 of the normalised email, computed outside Postgres's SQL
		// (no pgcrypto): the test inserts it from Go below.
		`CREATE TABLE optins (id bigint PRIMARY KEY, email text)`,
		`INSERT INTO optins SELECT i, 'other.' || i || '@example.org' FROM generate_series(1, 600) i`,
	)
	var rows []string
	for i := 3; i <= 3000; i += 6 {
		rows = append(rows, "("+itoa(i)+", '"+sha1Hex("person."+itoa(i)+"@example.com")+"')")
	}
	execAll(t, exports, "INSERT INTO dedupe VALUES "+strings.Join(rows, ", "))

	stores := []scanner.StoreConfig{{Name: "app", URL: app}, {Name: "exports", URL: exports}}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	key := []byte("in-store probe test key, 32 byte")
	scan := func(g *lineagetest.MemGraph, which []scanner.StoreConfig, others []scanner.StoreConfig, noPush bool) []string {
		t.Helper()
		res, err := scanner.Run(ctx, which, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge,
			FingerprintKey: key, CopyMaxRows: 1000, NoPushdown: noPush, Others: others, Configured: []string{"app", "exports"},
			Concurrency: 2})
		require.NoError(t, err)
		require.Empty(t, res.Errors)
		var got []string
		require.NoError(t, g.AllEdges(ctx, res.RunID, []string{lineage.EdgeCopyOf}, func(e lineage.Edge) error {
			if e.To.Store == "app" {
				got = append(got, e.From.Name+"."+e.From.Field+" -> "+e.To.Name+"."+e.To.Field)
			}
			return nil
		}))
		slices.Sort(got)
		return got
	}
	noSHA1 := []string{
		"public.ad_match.hashed_email -> public.customers.email",
		"public.mailing.email_lc -> public.customers.email",
	}
	assert.Equal(t, noSHA1, scan(lineagetest.NewMemGraph(), stores, nil, false), "without pgcrypto no SHA-1 in the store")
	execAll(t, app, `CREATE EXTENSION pgcrypto`)
	want := []string{
		"public.ad_match.hashed_email -> public.customers.email",
		"public.dedupe.match_key -> public.customers.email",
		"public.mailing.email_lc -> public.customers.email",
	}
	g := lineagetest.NewMemGraph()
	assert.Equal(t, want, scan(g, stores, nil, false), "the large original probed in its store, SHA-1 with pgcrypto")
	assert.Equal(t, want, scan(g, stores[1:], stores[:1], false), "a scan of the exports alone probes the kept original in its store")
	require.NoError(t, g.ListDocs(ctx, scanner.DocFingerprint, func(id string, data []byte) error {
		assert.NotContains(t, strings.ToLower(string(data)), "example.", "%s: kept sketches hold no value, and no needle", id)
		return nil
	}))
	assert.Empty(t, scan(lineagetest.NewMemGraph(), stores, nil, true), "without in-store probes the large original is compared by sample only")
	other := []scanner.StoreConfig{stores[0], {Name: "exports", URL: exports, Tenant: "another-customer"}}
	// The masked copies can be found only by probing customers in its
	// database; another tenant's copies send it no needle. (The lower-cased
	// copy, read in full itself, still meets the sampled customers in the
	// process, by keyed hashes, as copies across tenants always have.)
	for _, e := range scan(lineagetest.NewMemGraph(), other, nil, false) {
		assert.NotContains(t, e, "hashed_email", "another tenant's needles were sent")
		assert.NotContains(t, e, "match_key", "another tenant's needles were sent")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func sha1Hex(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}
