package sqlcatalog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

func loc(asset string) piimap.Location {
	return piimap.Location{Store: "st", Namespace: "ns", Name: asset}
}

func TestNames(t *testing.T) {
	for _, c := range []struct {
		name, schema, table string
		ok                  bool
	}{
		{"s.t", "s", "t", true},
		{"s.t.with.dots", "s", "t.with.dots", true},
		{"nodot", "", "", false},
		{".t", "", "t", false},
		{"s.", "s", "", false},
	} {
		s, tb, ok := sqlcatalog.SplitAsset(c.name)
		if ok != c.ok || (ok && (s != c.schema || tb != c.table)) {
			t.Errorf("SplitAsset(%q) = %q %q %v", c.name, s, tb, ok)
		}
		if ok && sqlcatalog.Asset(s, tb) != c.name {
			t.Errorf("Asset does not invert SplitAsset for %q", c.name)
		}
	}
	if got := sqlcatalog.QuoteIdent(`a"b`); got != `"a""b"` {
		t.Errorf("QuoteIdent = %s", got)
	}
}

func TestResolver(t *testing.T) {
	cols := sqlextract.Schema{"public.users": {"id"}, "other.users": {"id"}, "main.t": {"x"}}
	for _, c := range []struct {
		database, def, name string
		want                string // "" — outside the estate
	}{
		{"db", "public", "users", "public.users"},
		{"db", "other", "users", "other.users"},
		{"db", "public", "other.users", "other.users"},
		{"db", "public", "db.public.users", "public.users"},
		{"db", "public", "elsewhere.public.users", ""},
		{"", "public", "db.public.users", ""}, // no database level: three parts are outside
		{"", "", ".public.users", ""},
		{"db", "public", "a.b.c.d", ""},
		{"db", "public", "missing", ""},
		{"db", "main", "t", "main.t"},
	} {
		cat := &sqlcatalog.Catalog{Database: c.database, Columns: cols}
		l, ok := cat.Resolver(c.def, loc)(c.database, c.name)
		if ok != (c.want != "") || (ok && l != loc(c.want)) {
			t.Errorf("database %q, default %q: resolve(%q) = %v %v, want %q", c.database, c.def, c.name, l, ok, c.want)
		}
	}
}

func TestCatalogEdges(t *testing.T) {
	cat := &sqlcatalog.Catalog{
		Database: "db",
		Columns:  sqlextract.Schema{"s.users": {"id", "email"}, "s.v": {"id", "mail"}, "s.bad": {"x"}},
		Views: []sqlcatalog.View{
			// The definition spells the view differently: edges still
			// point at the view's asset.
			{Asset: "s.v", Default: "s", SQL: `CREATE VIEW "S"."V" AS SELECT id, lower(email) AS mail FROM users`},
			{Asset: "s.bad", Default: "s", SQL: `CREATE VIEW s.bad AS SELECT 'secret' FROM (`},
		},
	}
	var got []string
	for _, e := range cat.Edges(loc) {
		if e.Kind != lineage.EdgeDerivedFrom || e.Source != lineage.SourceView || e.Confidence != 1 || !e.ObservedAt.IsZero() {
			t.Errorf("edge %+v", e)
		}
		got = append(got, e.From.String()+" <- "+e.To.String()+" "+e.Transform)
	}
	slices.Sort(got)
	want := []string{
		"st/s.v#id <- st/s.users#id " + lineage.TransformIdentity,
		"st/s.v#mail <- st/s.users#email " + lineage.TransformTransformation,
	}
	if !slices.Equal(got, want) {
		t.Errorf("edges\n %q\nwant\n %q", got, want)
	}
	for _, e := range got {
		if strings.Contains(e, "secret") || strings.Contains(e, "bad") {
			t.Errorf("an unparsable definition leaked into %q", e)
		}
	}
}

// rows is a result set over fixed string rows.
type rows struct {
	data [][]string
	i    int
	err  error
}

func (r *rows) Next() bool { r.i++; return r.i <= len(r.data) }
func (r *rows) Err() error { return r.err }
func (r *rows) Scan(dest ...any) error {
	row := r.data[r.i-1]
	if len(dest) != len(row) {
		return fmt.Errorf("%d columns into %d", len(row), len(dest))
	}
	for i, d := range dest {
		*(d.(*string)) = row[i]
	}
	return nil
}

func TestForeignKeyEdges(t *testing.T) {
	r := &rows{data: [][]string{{"s", "orders", "cust", "s", "customers", "id"}, {"s", "lines", "a", "t", "keys", "b"}}}
	edges, err := sqlcatalog.ForeignKeyEdges(r, loc)
	if err != nil || len(edges) != 2 {
		t.Fatalf("%v %v", edges, err)
	}
	e := edges[0]
	if e.Kind != lineage.EdgeReferences || e.Source != lineage.SourceFK || e.Confidence != 1 ||
		e.From != loc("s.orders").WithField("cust") || e.To != loc("s.customers").WithField("id") {
		t.Errorf("edge %+v", e)
	}
	if edges[1].To != loc("t.keys").WithField("b") {
		t.Errorf("edge %+v", edges[1])
	}
	boom := errors.New("boom")
	if _, err := sqlcatalog.ForeignKeyEdges(&rows{err: boom}, loc); !errors.Is(err, boom) {
		t.Errorf("a result-set error: %v", err)
	}
	schema, err := sqlcatalog.ReadColumns(&rows{data: [][]string{{"s", "t", "b"}, {"s", "t", "a"}, {"s", "u", "c"}}})
	if err != nil || strings.Join(schema["s.t"], ",") != "b,a" || len(schema["s.u"]) != 1 {
		t.Errorf("ReadColumns = %v %v", schema, err)
	}
}

func wrap(_ context.Context, what string, err error) error {
	return fmt.Errorf("kind: %s: %w", what, err)
}

func TestDeclaredEdges(t *testing.T) {
	ctx := context.Background()
	fk := lineage.Edge{Kind: lineage.EdgeReferences}
	view := lineage.Edge{Kind: lineage.EdgeDerivedFrom}
	fks := func(context.Context) ([]lineage.Edge, error) { return []lineage.Edge{fk}, nil }
	views := func(context.Context) ([]lineage.Edge, error) { return []lineage.Edge{view}, nil }
	var got []string
	emit := func(e lineage.Edge) error { got = append(got, e.Kind); return nil }
	if err := sqlcatalog.DeclaredEdges(ctx, emit, fks, views, wrap); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != lineage.EdgeReferences+","+lineage.EdgeDerivedFrom {
		t.Errorf("emitted %v: foreign keys first, then views", got)
	}
	boom := errors.New("boom")
	fail := func(context.Context) ([]lineage.Edge, error) { return nil, boom }
	if err := sqlcatalog.DeclaredEdges(ctx, emit, fail, views, wrap); !errors.Is(err, boom) || err.Error() != "kind: foreign keys: boom" {
		t.Errorf("a foreign-key failure: %v", err)
	}
	if err := sqlcatalog.DeclaredEdges(ctx, emit, fks, fail, wrap); !errors.Is(err, boom) || err.Error() != "kind: view definitions: boom" {
		t.Errorf("a view failure: %v", err)
	}
	stop := errors.New("stop")
	if err := sqlcatalog.DeclaredEdges(ctx, func(lineage.Edge) error { return stop }, fks, views, wrap); err != stop {
		t.Errorf("an emit error comes back as is: %v", err)
	}
}

func TestSampler(t *testing.T) {
	ctx := context.Background()
	var read []string
	s := sqlcatalog.Sampler{Kind: "kind", Naming: "db.table", Wrap: wrap,
		Read: func(ctx context.Context, u piimap.Unit, schema, table string, emit func(piimap.Record) error) error {
			read = append(read, schema+"|"+table)
			for i := 0; i < 3; i++ {
				if err := emit(piimap.Record{Loc: u.Loc}); err != nil {
					return fmt.Errorf("reader: %w", err)
				}
			}
			return nil
		}}
	n := 0
	count := func(piimap.Record) error { n++; return nil }
	if err := s.ReadSample(ctx, piimap.Unit{Loc: loc("d.t.x")}, count); err != nil || n != 3 || read[0] != "d|t.x" {
		t.Fatalf("ReadSample: %v, %d records, read %v", err, n, read)
	}
	err := s.ReadSample(ctx, piimap.Unit{Loc: loc("nodot")}, count)
	if !errors.Is(err, piimap.ErrNotFound) || err.Error() != "kind: sample nodot: not a db.table name: "+piimap.ErrNotFound.Error() {
		t.Errorf("a bad name: %v", err)
	}
	stop := errors.New("stop")
	if err := s.ReadSample(ctx, piimap.Unit{Loc: loc("d.t")}, func(piimap.Record) error { return stop }); err != stop {
		t.Errorf("an emit error must come back unwrapped: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	n = 0
	err = s.ReadSample(cctx, piimap.Unit{Loc: loc("d.t")}, func(piimap.Record) error { n++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("a cancel stops the read after the record: %v, %d records", err, n)
	}
	boom := errors.New("boom")
	s.Read = func(context.Context, piimap.Unit, string, string, func(piimap.Record) error) error { return boom }
	if err := s.ReadSample(ctx, piimap.Unit{Loc: loc("d.t")}, count); !errors.Is(err, boom) || err.Error() != "kind: sample d.t: boom" {
		t.Errorf("a read failure: %v", err)
	}
	if err := s.ReadSample(cctx, piimap.Unit{Loc: loc("d.t")}, count); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
}
