package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage/instructions"
)

// TestShadowRetentionServers checks retention on real servers: a Postgres
// table whose created_at column holds rows 400 days old (the scan's oldest
// sampled value of a timestamp column), and Redis keys that never expire
// (TTL statistics), against a register allowing 90 days and one day.
func TestShadowRetentionServers(t *testing.T) {
	if testing.Short() {
		t.Skip("shadow retention on servers: skipped with -short")
	}
	pgAdmin, redisBase := os.Getenv("PIIMAP_TEST_POSTGRES"), os.Getenv("PIIMAP_TEST_REDIS")
	if pgAdmin == "" || redisBase == "" {
		t.Skip("PIIMAP_TEST_POSTGRES or PIIMAP_TEST_REDIS is not set: skipping (.ci/run sets every PIIMAP_TEST_* variable)")
	}
	ctx := context.Background()
	dir := t.TempDir()

	// Postgres: its own database, dropped at the end.
	pgURL := scratchPostgres(t, pgAdmin, "piimap_shadow_")
	u, err := url.Parse(pgURL)
	require.NoError(t, err)
	db, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	_, err = db.Exec(ctx, `CREATE TABLE events (id int PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE fresh (id int PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL)`)
	require.NoError(t, err)
	for i := range 120 {
		_, err := db.Exec(ctx, "INSERT INTO events VALUES ($1, $2, now() - make_interval(days => $3))", i, shadowEmail(i), 400-i)
		require.NoError(t, err)
		_, err = db.Exec(ctx, "INSERT INTO fresh VALUES ($1, $2, now() - make_interval(days => $3))", i, shadowEmail(200+i), i%30)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close(ctx))

	// Redis: session keys without a TTL under a unique prefix.
	opt, err := goredis.ParseURL(redisBase)
	require.NoError(t, err)
	rc := goredis.NewClient(opt)
	prefix := "piimapshadow:" + xsSuffix() + ":"
	t.Cleanup(func() {
		if keys, _ := rc.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			_ = rc.Del(ctx, keys...).Err()
		}
		_ = rc.Close()
	})
	for i := range 50 {
		require.NoError(t, rc.Set(ctx, fmt.Sprintf("%ssess:%d", prefix, i), `{"email":"`+shadowEmail(i)+`","plan":"pro"}`, 0).Err())
	}

	require.NoError(t, os.WriteFile(filepath.Join(dir, "instructions.yaml"), []byte(`tenants:
  acme:
    stores:
      app: {environment: prod, pii: [email]}
      cache: {environment: prod, pii: [email]}
    retention:
      - {store: app, asset: "public.*", max_age: 90d}
      - {store: cache, max_age: 1d}
`), 0o600))
	cfg := writeConfig(t, dir, fmt.Sprintf(`  - {name: app, url: %q, tenant: acme, environment: prod}
  - {name: cache, url: %q, tenant: acme, environment: prod}
instructions: instructions.yaml
`, u.String(), redisBase+"?match="+url.QueryEscape(prefix+"*")))

	code, out, errs := cli(t, "--config", cfg, "scan")
	require.Equal(t, exitOK, code, "scan: %s %s", out, errs)
	code, out, errs = cli(t, "--config", cfg, "--json", "report", "shadow", "--exit-code", "5")
	require.Equal(t, 5, code, errs)
	noRawValues(t, out, errs)
	var rep instructions.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Kind+" "+f.Store+"/"+f.Asset+"#"+f.Field)
	}
	slices.Sort(got)
	assert.Equal(t, []string{
		"retention_exceeded app/public.events#created_at",
		"retention_exceeded cache/piimapshadow:*:sess:*#", // the scan's key pattern

	}, got, "findings: %+v", rep.Findings)
	for _, f := range rep.Findings {
		switch f.Store {
		case "app":
			assert.Contains(t, f.Evidence[0], "timestamp column created_at: oldest sampled value")
		case "cache":
			assert.Contains(t, f.Evidence[0], "probed keys never expire")
		}
	}
	assert.Empty(t, rep.Unchecked, "every asset's age is known: %+v", rep.Unchecked)
}
