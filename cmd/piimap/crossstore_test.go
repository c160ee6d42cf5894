package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage"
	sduck "github.com/piimap/piimap/scanner/duckdb"
	"github.com/piimap/piimap/scanner/s3/s3test"
)

// The cross-store estate of issue 4's acceptance test. Postgres holds the
// users and their orders; MariaDB a CRM with its own contact rows; and
// three copies nobody declared: a CSV export of users in S3, a DuckDB table
// of sha256(lower(email)), and a Redis cache of profiles (hashes with a
// TTL). The subjects overlap unevenly, as real copies do.
const (
	xsUsers    = 400 // Postgres users 0..399
	xsContacts = 300 // MariaDB contacts: users 0..299
	xsExport   = 320 // S3 export: users 0..319
	xsHashes   = 350 // DuckDB hashes: users 0..349
	xsProfiles = 250 // Redis profiles: users 0..249
	xsOrders   = 3   // orders per user
)

func xsEmail(i int) string { return fmt.Sprintf("Acc.Person%03d@Example.org", i) }
func xsPhone(i int) string { return fmt.Sprintf("+44 20 7946 %04d", 1000+i) }
func xsName(i int) string  { return fmt.Sprintf("Person %03d Example", i) }

func xsEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s is not set: skipping the cross-store acceptance test (.ci/run sets every PIIMAP_TEST_* variable)", name)
	}
	return v
}

func xsSuffix() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// xsPostgres creates the users and orders database; dropped at the end.
func xsPostgres(t *testing.T, admin string) string {
	ctx := context.Background()
	pgURL := scratchPostgres(t, admin, "piimap_xs_")
	u, err := url.Parse(pgURL)
	require.NoError(t, err)
	db, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer db.Close(ctx)
	_, err = db.Exec(ctx, `CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, full_name text, phone text);
CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), amount numeric(10,2));`)
	require.NoError(t, err)
	for i := range xsUsers {
		_, err := db.Exec(ctx, "INSERT INTO users VALUES ($1, $2, $3, $4)", i, xsEmail(i), xsName(i), xsPhone(i))
		require.NoError(t, err)
	}
	_, err = db.Exec(ctx, fmt.Sprintf("INSERT INTO orders (user_id, amount) SELECT u.id, 10 + g FROM users u, generate_series(1, %d) g", xsOrders))
	require.NoError(t, err)
	return u.String()
}

// xsMariaDB creates the CRM database; dropped at the end.
func xsMariaDB(t *testing.T, admin string) string {
	ctx := context.Background()
	myURL, myDSN := scratchMySQL(t, admin, "piimap_xs_")
	db, err := sql.Open("mysql", myDSN)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE TABLE contacts (contact_id INT PRIMARY KEY, email VARCHAR(120) NOT NULL, phone VARCHAR(40), segment VARCHAR(20))")
	require.NoError(t, err)
	for i := range xsContacts {
		_, err := db.ExecContext(ctx, "INSERT INTO contacts VALUES (?, ?, ?, ?)", 5000+i, strings.ToLower(xsEmail(i)), xsPhone(i), []string{"gold", "silver", "bronze"}[i%3])
		require.NoError(t, err)
	}
	return myURL
}

// xsDuckDB writes the warehouse with the hashed copy.
func xsDuckDB(t *testing.T, dir string) string {
	path := filepath.Join(dir, "warehouse.duckdb")
	db, err := sduck.Open(context.Background(), "duckdb://"+path, false)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE email_hashes (email_sha256 VARCHAR, ltv INTEGER)")
	require.NoError(t, err)
	for i := range xsHashes {
		_, err := db.Exec("INSERT INTO email_hashes VALUES (?, ?)", xsSHA(xsEmail(i)), 100+i)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	return "duckdb://" + path
}

func xsSHA(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return hex.EncodeToString(sum[:])
}

// xsExportCSV is the S3 export: id, email, full_name of users 0..319.
func xsExportCSV() []byte {
	var b strings.Builder
	b.WriteString("user_ref,email,full_name\n")
	for i := range xsExport {
		fmt.Fprintf(&b, "%d,%s,%s\n", i, strings.ToLower(xsEmail(i)), xsName(i))
	}
	return []byte(b.String())
}

// xsRedis writes profile hashes under a unique prefix, each with a TTL.
func xsRedis(t *testing.T, base string) (string, string, *goredis.Client) {
	opt, err := goredis.ParseURL(base)
	require.NoError(t, err)
	c := goredis.NewClient(opt)
	prefix := "piimapxs:" + xsSuffix() + ":"
	ctx := context.Background()
	t.Cleanup(func() {
		keys, _ := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
		_ = c.Close()
	})
	for i := range xsProfiles {
		k := fmt.Sprintf("%sprofile:%d", prefix, 9000+i)
		require.NoError(t, c.HSet(ctx, k, "email", xsEmail(i), "name", xsName(i), "plan", "pro").Err())
		require.NoError(t, c.Expire(ctx, k, 2*time.Hour).Err())
	}
	return base + "?match=" + url.QueryEscape(prefix+"*"), prefix, c
}

// TestCrossStoreLineage is issue 4's acceptance test: the three undeclared
// copies are found as copy_of edges, appear in a subject's erasure plan with
// their actions, and are erased; residual is 0 in every store, and the
// other subjects' data is intact.
func TestCrossStoreLineage(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-store acceptance test: skipped with -short")
	}
	pgAdmin, myAdmin, redisBase := xsEnv(t, "PIIMAP_TEST_POSTGRES"), xsEnv(t, "PIIMAP_TEST_MYSQL"), xsEnv(t, "PIIMAP_TEST_REDIS")
	bucket := s3test.NewBucket(t)
	dir := t.TempDir()
	ctx := context.Background()

	pgURL := xsPostgres(t, pgAdmin)
	myURL := xsMariaDB(t, myAdmin)
	duckURL := xsDuckDB(t, dir)
	bucket.Put(t, "exports/users-2026-11.csv", xsExportCSV(), nil)
	redisURL, prefix, rc := xsRedis(t, redisBase)

	cfg := filepath.Join(dir, "piimap.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`graph: %s
stores:
  - name: app
    url: %q
  - name: crm
    url: %q
  - name: warehouse
    url: %q
  - name: lake
    url: %q
  - name: cache
    url: %q
`, filepath.Join(dir, "graph"), pgURL, myURL, duckURL, bucket.StoreURL("exports"), redisURL)), 0o600))

	// A full scan sketches every field; the sampled scan after it compares
	// its samples against those kept sketches.
	mustCLI(t, "--config", cfg, "--quiet", "scan", "--full")
	mustCLI(t, "--config", cfg, "--quiet", "scan")

	var m lineage.Map
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "map", "--format", "json")), &m))
	require.Empty(t, m.Errors)
	type found struct{ transform, evidence string }
	copies := map[string]found{} // "store/asset#field -> store/asset#field"
	for _, l := range m.Locations {
		for _, e := range l.Edges {
			if e.Kind == lineage.EdgeCopyOf {
				copies[l.Store+"/"+l.Asset+"#"+l.Field+" -> "+e.To.Store+"/"+e.To.Asset+"#"+e.To.Field] = found{e.Transform, e.Source}
			}
		}
	}
	usersEmail := "app/public.users#email"
	var exportEdge, hashEdge, cacheEdge string
	for k, f := range copies {
		switch {
		case strings.HasPrefix(k, "lake/") && strings.HasSuffix(k, "#email -> "+usersEmail) && f.transform == lineage.TransformIdentity:
			exportEdge = k
		case k == "warehouse/main.email_hashes#email_sha256 -> "+usersEmail && f.transform == lineage.TransformMasked:
			hashEdge = k
		case strings.HasPrefix(k, "cache/") && strings.HasSuffix(k, "#email -> "+usersEmail) && f.transform == lineage.TransformIdentity:
			cacheEdge = k
		}
	}
	require.NotEmpty(t, exportEdge, "S3 export found as a copy of users.email; copies: %v", copies)
	require.NotEmpty(t, hashEdge, "sha256 table found as a masked copy; copies: %v", copies)
	require.NotEmpty(t, cacheEdge, "Redis profiles found as a copy of users.email; copies: %v", copies)
	// Copies of one original point at it, not at each other (sibling
	// edges pruned): one copy_of edge per copied field.
	require.Len(t, copies, 5, "copies: %v", copies)
	all := keys(copies)
	slices.Sort(all)
	t.Logf("copy_of edges:\n  %s", strings.Join(all, "\n  "))

	// Subject 7 is in every store.
	const subject = 7
	id := newRequest(t, cfg, "erasure", xsEmail(subject))
	var plan planning.Plan
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "plan", id)), &plan))
	steps := map[string]planning.Step{}
	for _, st := range plan.Steps() {
		steps[st.Store+"/"+st.Asset] = st
	}
	for _, want := range []string{"app/public.users", "app/public.orders", "crm/" + crmAsset(t, m), "warehouse/main.email_hashes"} {
		require.Contains(t, steps, want, "plan steps: %v", keys(steps))
	}
	var lakeStep, cacheStep string
	for k := range steps {
		if strings.HasPrefix(k, "lake/") {
			lakeStep = k
		}
		if strings.HasPrefix(k, "cache/") {
			cacheStep = k
		}
	}
	require.NotEmpty(t, lakeStep, "the S3 export is in the plan: %v", keys(steps))
	require.NotEmpty(t, cacheStep, "the Redis profile is in the plan: %v", keys(steps))
	actions := map[string]string{}
	for _, ea := range plan.Lineage {
		actions[ea.Copy.Store+"/"+ea.Copy.Name] = ea.Action
		require.NotEmpty(t, ea.Evidence)
		require.NotContains(t, strings.ToLower(ea.Evidence), strings.ToLower(xsEmail(subject)))
	}
	require.Equal(t, planning.EdgeDelete, actions[lakeStep], "plan lineage: %+v", plan.Lineage)
	require.Equal(t, planning.EdgeDelete, actions["warehouse/main.email_hashes"], "plan lineage: %+v", plan.Lineage)
	require.Equal(t, planning.EdgeDelete, actions[cacheStep], "plan lineage: %+v", plan.Lineage)
	require.Empty(t, plan.Gaps, "gaps: %+v", plan.Gaps)

	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "dpo")
	mustCLI(t, "--config", cfg, "dsar", "approve", id, "--by", "legal")
	var rcpt evidence.Receipt
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "run", id, "--apply")), &rcpt))
	require.Equal(t, dsar.StatusCompleted, rcpt.Status)
	changed := map[string]int64{}
	for _, l := range rcpt.Locations {
		require.Zero(t, l.Residual, "%s/%s", l.Store, l.Asset)
		changed[l.Store+"/"+l.Asset] = l.Changed
	}
	require.Equal(t, int64(1), changed["app/public.users"])
	require.Equal(t, int64(xsOrders), changed["app/public.orders"])
	require.Equal(t, int64(1), changed["warehouse/main.email_hashes"])
	require.Equal(t, int64(1), changed[lakeStep])
	require.Equal(t, int64(1), changed[cacheStep])
	require.NotEmpty(t, rcpt.Lineage, "the receipt carries the lineage actions")

	// The stores themselves: the subject is gone everywhere, the others stay.
	pg, err := pgx.Connect(ctx, pgURL)
	require.NoError(t, err)
	defer pg.Close(ctx)
	var n int
	require.NoError(t, pg.QueryRow(ctx, "SELECT count(*) FROM users WHERE lower(email) = lower($1)", xsEmail(subject)).Scan(&n))
	require.Zero(t, n)
	require.NoError(t, pg.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n))
	require.Equal(t, xsUsers-1, n)
	require.NoError(t, pg.QueryRow(ctx, "SELECT count(*) FROM orders").Scan(&n))
	require.Equal(t, (xsUsers-1)*xsOrders, n)

	u, _ := url.Parse(myURL)
	my, err := sql.Open("mysql", u.User.String()+"@tcp("+u.Host+")"+u.Path)
	require.NoError(t, err)
	defer my.Close()
	require.NoError(t, my.QueryRowContext(ctx, "SELECT COUNT(*) FROM contacts").Scan(&n))
	require.Equal(t, xsContacts-1, n)

	wh, err := sduck.Open(ctx, duckURL, true)
	require.NoError(t, err)
	require.NoError(t, wh.QueryRow("SELECT count(*) FROM email_hashes WHERE email_sha256 = ?", xsSHA(xsEmail(subject))).Scan(&n))
	require.Zero(t, n)
	require.NoError(t, wh.QueryRow("SELECT count(*) FROM email_hashes").Scan(&n))
	require.Equal(t, xsHashes-1, n)
	require.NoError(t, wh.Close())

	export := string(bucket.Get(t, "exports/users-2026-11.csv"))
	require.NotContains(t, export, strings.ToLower(xsEmail(subject)))
	require.Equal(t, xsExport, strings.Count(export, "\n"), "header plus the other rows")

	exists, err := rc.Exists(ctx, fmt.Sprintf("%sprofile:%d", prefix, 9000+subject)).Result()
	require.NoError(t, err)
	require.Zero(t, exists)
	left, err := rc.Keys(ctx, prefix+"profile:*").Result()
	require.NoError(t, err)
	require.Len(t, left, xsProfiles-1)

	// Another subject, with the cache left to its TTL: the plan quotes the
	// TTL the scan measured on the real Redis keys, and nothing is written
	// there.
	const other = 11
	id3 := xsRequest(t, cfg, xsEmail(other), "--mode", "cache=expire")
	var plan3 planning.Plan
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, "--config", cfg, "--json", "dsar", "plan", id3)), &plan3))
	var expires *planning.EdgeAction
	for i, ea := range plan3.Lineage {
		if ea.Copy.Store == "cache" {
			expires = &plan3.Lineage[i]
		}
	}
	require.NotNil(t, expires, "lineage: %+v", plan3.Lineage)
	require.Equal(t, planning.EdgeExpires, expires.Action)
	require.Contains(t, expires.Evidence, "expires by TTL")
	require.Regexp(t, `longest 7[12]\d\ds`, expires.Evidence, "the measured TTL (2 h) is quoted")
	for _, st := range plan3.Steps() {
		require.NotEqual(t, "cache", st.Store, "nothing written to the cache")
	}
	mustCLI(t, "--config", cfg, "dsar", "approve", id3, "--by", "dpo")
	mustCLI(t, "--config", cfg, "dsar", "approve", id3, "--by", "legal")
	var rc3 evidence.Receipt
	// Left to expire is an exception with its expiry date, never a plain
	// "completed" (issue 13): exit 3, completed_with_exceptions.
	code3, out3, errs3 := cli(t, "--config", cfg, "--json", "dsar", "run", id3, "--apply")
	require.Equal(t, exitGaps, code3, errs3)
	require.NoError(t, json.Unmarshal([]byte(out3), &rc3))
	require.Equal(t, dsar.StatusExceptions, rc3.Status)
	require.NotEmpty(t, rc3.Exceptions)
	for _, x := range rc3.Exceptions {
		require.NotNil(t, x.ExpiresAt, "exception %+v has no expiry", x)
	}
	exists, err = rc.Exists(ctx, fmt.Sprintf("%sprofile:%d", prefix, 9000+other)).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), exists, "left to expire")
	ttl, err := rc.TTL(ctx, fmt.Sprintf("%sprofile:%d", prefix, 9000+other)).Result()
	require.NoError(t, err)
	require.Greater(t, ttl, time.Duration(0))

	// A second run finds nothing more.
	id2 := newRequest(t, cfg, "erasure", xsEmail(subject))
	mustCLI(t, "--config", cfg, "dsar", "plan", id2)
	mustCLI(t, "--config", cfg, "dsar", "approve", id2, "--by", "dpo")
	mustCLI(t, "--config", cfg, "dsar", "approve", id2, "--by", "legal")
	var again evidence.Receipt
	code, stdout, stderr := cli(t, "--config", cfg, "--json", "dsar", "run", id2, "--apply")
	require.Contains(t, []int{exitOK, exitGaps}, code, "stderr: %s", stderr)
	require.NoError(t, json.Unmarshal([]byte(stdout), &again))
	for _, l := range again.Locations {
		require.Zero(t, l.Changed, "%s/%s", l.Store, l.Asset)
		require.Zero(t, l.Residual, "%s/%s", l.Store, l.Asset)
	}
}

// crmAsset is the MariaDB contacts table's asset name as the scan named it.
func crmAsset(t *testing.T, m lineage.Map) string {
	for _, l := range m.Locations {
		if l.Store == "crm" && strings.HasSuffix(l.Asset, "contacts") {
			return l.Asset
		}
	}
	t.Fatalf("no crm contacts in the map")
	return ""
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// xsRequest files an erasure with extra `dsar new` flags and returns its id.
func xsRequest(t *testing.T, cfg, email string, extra ...string) string {
	t.Helper()
	var req executor.Request
	args := append([]string{"--config", cfg, "--json", "dsar", "new", "--type", "erasure",
		"--subject", "email=" + email, "--requester", "privacy-ops", "--attested-by", "dpo", "--attest-method", "id-document",
		"--allow-duplicate"}, extra...)
	require.NoError(t, json.Unmarshal([]byte(mustCLI(t, args...)), &req))
	return req.ID
}
