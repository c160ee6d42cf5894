package ingest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// testStores is the estate the unit tests resolve against, named as the
// store kinds name them (scanner.NamingOf; each kind tests its own).
func testStores() []Store {
	pg := func(ns, db string, aliases ...string) lineage.DatasetNaming {
		return lineage.DatasetNaming{Namespace: ns, Aliases: aliases, Prefix: db + ".",
			Relations: &lineage.RelationNaming{Database: db, DefaultSchema: "public"}}
	}
	return []Store{
		{Name: "app", Naming: pg("postgres://db.internal:5432", "shop", "postgresql://db.internal:5432")},
		{Name: "other", Naming: pg("postgres://127.0.0.1:5432", "other", "postgresql://127.0.0.1:5432", "postgres://127.0.0.1", "postgresql://127.0.0.1")},
		{Name: "crm", Naming: lineage.DatasetNaming{Namespace: "mysql://127.0.0.1:3306", Aliases: []string{"mariadb://127.0.0.1:3306"},
			Relations: &lineage.RelationNaming{Database: "crm", DatabaseQualified: true}}},
		{Name: "lake", Naming: lineage.DatasetNaming{Namespace: "s3://exports", Prefix: "daily/", Paths: true}},
		{Name: "lake_all", Naming: lineage.DatasetNaming{Namespace: "s3://exports", Paths: true}},
		{Name: "files", Naming: lineage.DatasetNaming{Namespace: "file:///data/files", Dataset: "file", Aliases: []string{"file://*"},
			Prefix: "/data/files/", Paths: true}},
		{Name: "wh", Naming: lineage.DatasetNaming{Namespace: "duckdb:///data/wh.duckdb",
			Relations: &lineage.RelationNaming{Database: "wh", DefaultSchema: "main"}}},
		{Name: "cache", Naming: lineage.DatasetNaming{Namespace: "redis://127.0.0.1:6379"}},
	}
}

func TestResolve(t *testing.T) {
	known := map[string][]string{"other": {"public.Shared"}, "app": {"app.users"}, "wh": {"main.customers"}}
	r := NewResolver(testStores(), known)
	loc := func(store, ns, asset string) piimap.Location {
		return piimap.Location{Store: store, Namespace: ns, Name: asset}
	}
	for _, tc := range []struct {
		name      string
		sc        scope
		namespace string
		table     string
		want      piimap.Location
		why       string // substring of the reason when unresolved
	}{
		{name: "postgres db.schema.table", namespace: "postgres://db.internal:5432", table: "shop.app.users",
			want: loc("app", "postgres://db.internal:5432", "app.users")},
		{name: "postgres other db on the host", namespace: "postgres://db.internal:5432", table: "nope.app.users",
			why: "no configured store"},
		{name: "postgres loopback alias and default port", namespace: "postgres://localhost:5432", table: "other.public.t",
			want: loc("other", "postgres://127.0.0.1:5432", "public.t")},
		{name: "postgres host case", namespace: "postgres://DB.internal:5432", table: "shop.marts.x",
			want: loc("app", "postgres://db.internal:5432", "marts.x")},
		{name: "postgres unknown host", namespace: "postgres://elsewhere:5432", table: "shop.app.users", why: "no configured store"},
		{name: "postgres unknown host pinned", sc: scope{pin: "app"}, namespace: "postgres://elsewhere:5432", table: "shop.app.users",
			want: loc("app", "postgres://db.internal:5432", "app.users")},
		{name: "pin of another kind does not apply", sc: scope{pin: "wh"}, namespace: "postgres://elsewhere:5432", table: "shop.app.users",
			why: "no configured store"},
		{name: "mysql db.table", namespace: "mysql://localhost:3306", table: "crm.customers",
			want: loc("crm", "mysql://127.0.0.1:3306", "crm.customers")},
		{name: "mysql other db", namespace: "mysql://localhost:3306", table: "hr.people", why: "no configured store"},
		{name: "s3 longest prefix wins", namespace: "s3://exports", table: "daily/users.csv",
			want: loc("lake", "s3://exports", "users.csv")},
		{name: "s3 outside the prefix", namespace: "s3://exports", table: "weekly/users.csv",
			want: loc("lake_all", "s3://exports", "weekly/users.csv")},
		{name: "s3 other bucket", namespace: "s3://nope", table: "a.csv", why: "no configured store"},
		{name: "file absolute path", namespace: "file", table: "/data/files/exports/crm.csv",
			want: loc("files", "file:///data/files", "exports/crm.csv")},
		{name: "file://host namespace", namespace: "file://host1", table: "/data/files/a.jsonl",
			want: loc("files", "file:///data/files", "a.jsonl")},
		{name: "file:///dir with relative name", namespace: "file:///data/files", table: "exports/x.csv",
			want: loc("files", "file:///data/files", "exports/x.csv")},
		{name: "file outside every root", namespace: "file", table: "/etc/passwd", why: "no configured store"},
		{name: "duckdb", namespace: "duckdb:///data/wh.duckdb", table: "wh.main.customers",
			want: loc("wh", "duckdb:///data/wh.duckdb", "main.customers")},
		{name: "generic namespace", namespace: "redis://127.0.0.1:6379", table: "session:*",
			want: loc("cache", "redis://127.0.0.1:6379", "session:*")},
		{name: "unknown namespace", namespace: "bigquery", table: "p.d.t", why: "no configured store"},
		{name: "sql name ambiguous", table: "marts.x", why: "ambiguous between stores app, other, wh"},
		{name: "sql name decided by the scan", table: "app.users", want: loc("app", "postgres://db.internal:5432", "app.users")},
		{name: "sql name spelled as scanned", table: "public.shared", want: loc("other", "postgres://127.0.0.1:5432", "public.Shared")},
		{name: "sql name with database", table: "shop.marts.x", want: loc("app", "postgres://db.internal:5432", "marts.x")},
		{name: "sql name with database hint", table: "marts.x", sc: scope{dbHint: func(string) string { return "wh" }},
			want: loc("wh", "duckdb:///data/wh.duckdb", "marts.x")},
		{name: "mysql relation by its db part", table: "crm.customers", sc: scope{dbHint: func(string) string { return "crm" }},
			want: loc("crm", "mysql://127.0.0.1:3306", "crm.customers")},
		{name: "pinned bare table", table: "users", sc: scope{pin: "app"}, want: loc("app", "postgres://db.internal:5432", "public.users")},
		{name: "pinned duckdb bare table", table: "users", sc: scope{pin: "wh"}, want: loc("wh", "duckdb:///data/wh.duckdb", "main.users")},
		{name: "pinned to a missing store", table: "users", sc: scope{pin: "gone"}, why: `pinned store "gone" is not configured`},
		{name: "namespace resolves despite a missing pin", sc: scope{pin: "gone"}, namespace: "s3://exports", table: "daily/users.csv",
			want: loc("lake", "s3://exports", "users.csv")},
		{name: "missing pin named when the namespace fails", sc: scope{pin: "gone"}, namespace: "s3://nope", table: "a.csv",
			why: `no configured store has this namespace; pinned store "gone" is not configured`},
		{name: "empty part", table: "a..b", sc: scope{pin: "app"}, why: "not a relation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := r.lookup(tc.sc, tc.namespace, tc.table)
			if tc.why != "" {
				require.Contains(t, why, tc.why)
				return
			}
			require.Empty(t, why)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestGraphResolver takes namespaces and assets from the latest run.
func TestGraphResolver(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	r, err := GraphResolver(ctx, g, testStores())
	require.NoError(t, err)
	_, why := r.lookup(scope{}, "", "app.users")
	require.Contains(t, why, "ambiguous", "no run yet: no assets to decide")

	_, w, err := g.BeginRun(ctx, []string{"other"})
	require.NoError(t, err)
	require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeStore, Loc: piimap.Location{Store: "other", Namespace: "postgres://pg.lan:5433"}}))
	require.NoError(t, w.PutNode(ctx, lineage.Node{Kind: lineage.NodeAsset, Loc: piimap.Location{Store: "other", Name: "app.users"}}))
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{}))

	r, err = GraphResolver(ctx, g, testStores())
	require.NoError(t, err)
	got, why := r.lookup(scope{}, "", "app.users")
	require.Empty(t, why)
	require.Equal(t, piimap.Location{Store: "other", Namespace: "postgres://pg.lan:5433", Name: "app.users"}, got)
	got, why = r.lookup(scope{}, "postgres://pg.lan:5433", "other.app.users")
	require.Empty(t, why, "the scanned namespace is matched")
	require.Equal(t, "other", got.Store)
}
