package lineage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

func TestNormalizeNamespace(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://DB.Internal:5432":     "postgres://db.internal:5432",
		"POSTGRES://127.0.0.1:5432":       "postgres://localhost:5432",
		"postgres://[::1]:5432":           "postgres://localhost:5432",
		"mysql://[2001:DB8::1]:3306":      "mysql://[2001:db8::1]:3306",
		"duckdb:///data//wh.duckdb/":      "duckdb:///data/wh.duckdb",
		"file:///":                        "file://",
		"file":                            "file",
		"s3://Bucket":                     "s3://bucket",
		"redis://127.0.0.1:6379/0":        "redis://localhost:6379/0",
		"weird://host:notaport/x":         "weird://host:notaport/x",
		"postgres://localhost:5432/../db": "postgres://localhost:5432/db",
	} {
		require.Equal(t, want, lineage.NormalizeNamespace(in), in)
	}
}

func TestDatasetNamingAnswers(t *testing.T) {
	pg := lineage.DatasetNaming{Namespace: "postgres://db:5432", Aliases: []string{"postgresql://db:5432", "postgres://db"}}
	files := lineage.DatasetNaming{Namespace: "file:///srv/data", Dataset: "file", Aliases: []string{"file://*"}, Paths: true, Prefix: "/srv/data/"}
	for _, tc := range []struct {
		n    lineage.DatasetNaming
		ns   string
		want bool
	}{
		{pg, "postgres://DB:5432", true},
		{pg, "postgresql://db:5432", true},
		{pg, "postgres://db", true},
		{pg, "postgres://db:5433", false},
		{pg, "mysql://db:5432", false},
		{pg, "postgres://db:5432/other", false}, // not a Paths store: the path counts
		{files, "file", true},
		{files, "file://host1", true},
		{files, "file:///elsewhere", true}, // a path store: the prefix decides, not the namespace's path
		{files, "s3://file", false},
		{files, "filex", false},
	} {
		require.Equal(t, tc.want, tc.n.Answers(tc.ns), "%+v answers %q", tc.n.Namespace, tc.ns)
	}
	require.True(t, pg.Scheme("postgresql://x"))
	require.False(t, pg.Scheme("duckdb:///x"))
	require.True(t, files.Scheme("file"))
}

func TestDatasetNamingRelation(t *testing.T) {
	pg := lineage.DatasetNaming{Relations: &lineage.RelationNaming{Database: "shop", DefaultSchema: "public"}}
	my := lineage.DatasetNaming{Relations: &lineage.RelationNaming{Database: "crm", DatabaseQualified: true}}
	anyDB := lineage.DatasetNaming{Relations: &lineage.RelationNaming{DatabaseQualified: true}}
	for _, tc := range []struct {
		n          lineage.DatasetNaming
		name, want string
	}{
		{pg, "users", "public.users"},
		{pg, "app.users", "app.users"},
		{pg, "SHOP.app.users", "app.users"},
		{pg, "other.app.users", ""},
		{pg, "a..b", ""},
		{my, "contacts", "crm.contacts"},
		{my, "crm.contacts", "crm.contacts"},
		{my, "hr.people", ""},
		{my, "def.crm.contacts", "crm.contacts"},
		{anyDB, "contacts", ""},
		{anyDB, "hr.people", "hr.people"},
		{lineage.DatasetNaming{}, "t", ""},
	} {
		got, ok := tc.n.Relation(tc.name)
		require.Equal(t, tc.want != "", ok, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
	require.Equal(t, "hr", my.RelationDatabase("hr.people"))
	require.Equal(t, "crm", my.RelationDatabase("people"))
	require.Equal(t, "shop", pg.RelationDatabase("x.y"))
}

func TestDatasetNamingPathAsset(t *testing.T) {
	files := lineage.DatasetNaming{Paths: true, Prefix: "/srv/data/"}
	s3 := lineage.DatasetNaming{Paths: true, Prefix: "daily/"}
	root := lineage.DatasetNaming{Paths: true}
	for _, tc := range []struct {
		n        lineage.DatasetNaming
		name     string
		relative bool
		want     string
	}{
		{files, "/srv/data/logs/app.log", false, "logs/app.log"},
		{files, "/srv/data/../etc/passwd", false, ""},
		{files, "/srv/data", false, ""},
		{files, "logs/app.log", true, "logs/app.log"},
		{s3, "daily/a.csv", false, "a.csv"},
		{s3, "/daily/a.csv", false, "a.csv"},
		{s3, "weekly/a.csv", false, ""},
		{s3, "weekly/a.csv", true, "weekly/a.csv"},
		{root, "a/b.parquet", false, "a/b.parquet"},
		{lineage.DatasetNaming{}, "a", true, ""},
	} {
		got, ok := tc.n.PathAsset(tc.name, tc.relative)
		require.Equal(t, tc.want != "", ok, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}

// FuzzNormalizeNamespace: normalising is idempotent, never panics, keeps
// the scheme's separator, and never lets a path climb out with "..".
func FuzzNormalizeNamespace(f *testing.F) {
	for _, s := range []string{"postgres://DB:5432", "file", "file:///a//b/", "s3://b", "x://[::1]:1/../..", "://", "a://b@c:d/e?f#g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ns string) {
		n := lineage.NormalizeNamespace(ns)
		require.Equal(t, n, lineage.NormalizeNamespace(n), "idempotent")
		require.Equal(t, strings.Contains(ns, "://"), strings.Contains(n, "://"))
		if _, rest, ok := strings.Cut(n, "://"); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				require.NotContains(t, "/"+rest[i:]+"/", "/../")
			}
		}
	})
}
