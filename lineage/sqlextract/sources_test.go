package sqlextract

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

func TestParseDBTManifest(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "dbt_manifest.json"))
	require.NoError(t, err)
	defer f.Close()
	r, err := ParseDBTManifest(f)
	require.NoError(t, err)
	require.Equal(t, 4, r.Statements, "models only; tests are skipped")
	require.Equal(t, []string{
		"marts.customer_hashes.card_last4 ← app.orders.card [masked] right",
		// Edges go to the immediate upstream model; the graph composes them.
		"marts.customer_hashes.email_md5 ← staging.stg_users.email [masked] md5",
		"marts.customer_hashes.user_id ← staging.stg_users.user_id [identity]",
		"staging.stg_users.email ← app.users.email [transformation] lower,pg_catalog.btrim",
		"staging.stg_users.phone ← app.users.phone [identity]",
		"staging.stg_users.user_id ← app.users.id [identity]",
	}, render(r))
	var tables []string
	for _, e := range r.Tables {
		tables = append(tables, e.Target.Table+" ← "+e.Source.Table)
	}
	require.Equal(t, []string{
		"marts.broken ← staging.stg_users",
		"marts.customer_hashes ← app.orders",
		"marts.customer_hashes ← staging.stg_users",
		"marts.uncompiled ← staging.stg_users",
		"staging.stg_users ← app.users",
	}, tables)
	require.Len(t, r.Unresolved, 1)
	require.True(t, strings.HasPrefix(r.Unresolved[0], "marts.broken ← compiled SQL: sqlextract: parse: corrupt input"), r.Unresolved[0])
}

func TestParseDBTManifestRejects(t *testing.T) {
	for _, in := range []string{"", "{", `{"nodes": []}`} {
		_, err := ParseDBTManifest(strings.NewReader(in))
		require.ErrorIs(t, err, piimap.ErrCorrupt, in)
	}
}

func TestParseOpenLineage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "openlineage_events.jsonl"))
	require.NoError(t, err)
	want := []string{
		"duckdb:///wh.duckdb/main.payments.card_masked ← postgres://db:5432/shop.app.orders.card [masked]",
		"duckdb:///wh.duckdb/main.payments.order_id ← postgres://db:5432/shop.app.orders.id [identity]",
		"s3://exports/users.csv.email ← postgres://db:5432/shop.app.users.email [identity]",
		"s3://exports/users.csv.email_hash ← postgres://db:5432/shop.app.users.email [masked]",
		"s3://exports/users.csv.signup_month ← postgres://db:5432/shop.app.users.created_at [transformation]",
	}
	// JSON lines, and the same events as a JSON array.
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for name, in := range map[string]string{"jsonl": string(data), "array": "[" + strings.Join(lines, ",") + "]"} {
		t.Run(name, func(t *testing.T) {
			r, err := ParseOpenLineage(strings.NewReader(in))
			require.NoError(t, err)
			require.Equal(t, 3, r.Statements)
			require.Equal(t, want, render(r))
			require.Len(t, r.Tables, 2)
		})
	}
	for _, bad := range []string{"", "   ", "{", `[{"outputs": 3}]`, `{"eventType":"x"} {`} {
		_, err := ParseOpenLineage(strings.NewReader(bad))
		require.ErrorIs(t, err, piimap.ErrCorrupt, bad)
	}
}

func TestEdges(t *testing.T) {
	r, err := Extract(`CREATE VIEW marts.v AS SELECT u.id, md5(u.email) AS h FROM app.users u JOIN ext.other o ON o.id = u.id`, nil)
	require.NoError(t, err)
	stores := map[string]string{"marts": "wh", "app": "app"}
	resolve := func(ns, table string) (piimap.Location, bool) {
		schema, _, _ := strings.Cut(table, ".")
		s, ok := stores[schema]
		return piimap.Location{Store: s, Name: table}, ok
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	edges, unknown := Edges(r, lineage.SourceView, 1, resolve, at)
	var got []string
	for _, e := range edges {
		require.Equal(t, lineage.EdgeDerivedFrom, e.Kind)
		require.Equal(t, lineage.SourceView, e.Source)
		require.Equal(t, at, e.ObservedAt)
		got = append(got, fmt.Sprintf("%s -> %s %s %q", e.From, e.To, e.Transform, e.Evidence))
	}
	require.Equal(t, []string{
		`wh/marts.v#h -> app/app.users#email masked "functions: md5"`,
		`wh/marts.v#id -> app/app.users#id identity ""`,
		`wh/marts.v -> app/app.users  ""`,
	}, got)
	require.Equal(t, []string{"ext.other"}, unknown)
}
