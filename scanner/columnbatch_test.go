package scanner_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

var batchUnit = piimap.Unit{Loc: piimap.Location{Store: "app", Name: "public.users"}, Kind: piimap.UnitTable}

// row builds one row of cells; nil is NULL.
func row(cells ...*string) []sql.NullString {
	out := make([]sql.NullString, len(cells))
	for i, c := range cells {
		if c != nil {
			out[i] = sql.NullString{String: *c, Valid: true}
		}
	}
	return out
}

func s(v string) *string { return &v }

// collect flushes b and returns its records by field, in emit order.
func collect(t *testing.T, b *scanner.ColumnBatch) ([]string, map[string]piimap.Record) {
	t.Helper()
	var order []string
	out := map[string]piimap.Record{}
	require.NoError(t, b.Flush(func(r piimap.Record) error {
		assert.Equal(t, batchUnit.Loc.WithField(r.Loc.Field), r.Loc)
		order = append(order, r.Loc.Field)
		out[r.Loc.Field] = r
		return nil
	}))
	return order, out
}

var (
	colID    = scanner.Column{Name: "id", SQLType: "bigint", PrimaryKey: true, Unique: true}
	colEmail = scanner.Column{Name: "email", SQLType: "text", Nullable: true, Unique: true, Comment: "login"}
	colDoc   = scanner.Column{Name: "profile", SQLType: "jsonb", Nullable: true, Nested: true}
	colBlob  = scanner.Column{Name: "raw", SQLType: "varbinary(8)", Nullable: true, Binary: true}
)

func TestColumnBatch(t *testing.T) {
	prose := "the customer called about a late delivery and asked for a refund today"
	tests := []struct {
		name   string
		cols   []scanner.Column
		smp    scanner.Sample
		total  int64
		extra  map[string]string
		rows   [][]sql.NullString
		fields []string            // emit order
		values map[string][]string // per field
		meta   map[string]map[string]string
	}{{
		name:  "scalars, NULLs and empties skipped, meta",
		cols:  []scanner.Column{colID, colEmail},
		total: 1000,
		extra: map[string]string{"sampling": "tablesample", piimap.MetaRowsSampled: "ignored"},
		rows: [][]sql.NullString{
			row(s("1"), s("a@example.test")), row(s("2"), nil), row(s("3"), s("")), row(s("4"), s("b@example.test")),
		},
		fields: []string{"id", "email"},
		values: map[string][]string{"id": {"1", "2", "3", "4"}, "email": {"a@example.test", "b@example.test"}},
		meta: map[string]map[string]string{
			"id": {piimap.MetaSQLType: "bigint", piimap.MetaNullable: "false", piimap.MetaUnique: "true",
				piimap.MetaPrimaryKey: "true", piimap.MetaRowsSampled: "4", piimap.MetaRowsTotal: "1000", "sampling": "tablesample"},
			"email": {piimap.MetaSQLType: "text", piimap.MetaNullable: "true", piimap.MetaUnique: "true",
				piimap.MetaComment: "login", piimap.MetaRowsSampled: "4", piimap.MetaRowsTotal: "1000", "sampling": "tablesample"},
		},
	}, {
		name: "JSON flattened into dotted paths, invalid JSON kept whole",
		cols: []scanner.Column{colID, colDoc},
		rows: [][]sql.NullString{
			row(s("1"), s(`{"contact":{"email":"p1@example.test"},"age":41,"tags":["x","y"],"gone":null}`)),
			row(s("2"), nil),
			row(s("3"), s(`{"contact":{"email":"p3@example.test"}}`)),
			row(s("4"), s(`not json`)),
			row(s("5"), s(`"top"`)),
		},
		fields: []string{"id", "profile.age", "profile.contact.email", "profile.tags[]", "profile"},
		values: map[string][]string{
			"id": {"1", "2", "3", "4", "5"}, "profile.age": {"41"},
			"profile.contact.email": {"p1@example.test", "p3@example.test"},
			"profile.tags[]":        {"x", "y"}, "profile": {"not json", "top"},
		},
		meta: map[string]map[string]string{
			"profile.contact.email": {piimap.MetaSQLType: "jsonb", piimap.MetaNullable: "true",
				scanner.MetaJSONPath: "profile.contact.email", piimap.MetaRowsSampled: "5"},
			"profile": {piimap.MetaSQLType: "jsonb", piimap.MetaNullable: "true",
				scanner.MetaJSONPath: "profile", piimap.MetaRowsSampled: "5"},
		},
	}, {
		name: "field filter: a scalar and one flattened path",
		cols: []scanner.Column{colID, colEmail, colDoc},
		smp:  scanner.Sample{Fields: []string{"email", "profile.contact.email"}},
		rows: [][]sql.NullString{
			row(s("1"), s("a@example.test"), s(`{"contact":{"email":"p1@example.test"},"age":41}`)),
		},
		fields: []string{"email", "profile.contact.email"},
		values: map[string][]string{"email": {"a@example.test"}, "profile.contact.email": {"p1@example.test"}},
	}, {
		name: "field filter on a nested column keeps all its paths",
		cols: []scanner.Column{colID, colDoc},
		smp:  scanner.Sample{Fields: []string{"profile"}},
		rows: [][]sql.NullString{
			row(s("1"), s(`{"contact":{"email":"p1@example.test"},"age":41}`)),
		},
		fields: []string{"profile.age", "profile.contact.email"},
		values: map[string][]string{"profile.age": {"41"}, "profile.contact.email": {"p1@example.test"}},
	}, {
		name:   "binary cells made valid UTF-8, text cells untouched",
		cols:   []scanner.Column{colBlob, colEmail},
		rows:   [][]sql.NullString{row(s("a\xffb"), s("c\xffd"))},
		fields: []string{"raw", "email"},
		values: map[string][]string{"raw": {"a\uFFFDb"}, "email": {"c\xffd"}},
	}, {
		name:   "free text marked",
		cols:   []scanner.Column{colEmail},
		rows:   [][]sql.NullString{row(s(prose)), row(s(prose + " again"))},
		fields: []string{"email"},
		values: map[string][]string{"email": {prose, prose + " again"}},
		meta: map[string]map[string]string{"email": {piimap.MetaSQLType: "text", piimap.MetaNullable: "true",
			piimap.MetaUnique: "true", piimap.MetaComment: "login", piimap.MetaRowsSampled: "2", piimap.MetaTextField: "true"}},
	}, {
		name:   "no rows: scalar columns still flushed, empty",
		cols:   []scanner.Column{colID, colDoc},
		fields: []string{"id"},
		values: map[string][]string{},
		meta: map[string]map[string]string{"id": {piimap.MetaSQLType: "bigint", piimap.MetaNullable: "false",
			piimap.MetaUnique: "true", piimap.MetaPrimaryKey: "true", piimap.MetaRowsSampled: "0"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := scanner.NewColumnBatch(batchUnit, tt.cols, tt.smp, tt.total, tt.extra)
			for _, r := range tt.rows {
				b.Add(r)
			}
			assert.Equal(t, len(tt.rows), b.Rows())
			order, recs := collect(t, b)
			assert.Equal(t, tt.fields, order)
			for _, f := range order {
				assert.Equal(t, tt.values[f], recs[f].Values, f)
			}
			for f, want := range tt.meta {
				assert.Equal(t, want, recs[f].Meta, f)
			}
		})
	}
}

func TestColumnBatchResetsAfterFlush(t *testing.T) {
	b := scanner.NewColumnBatch(batchUnit, []scanner.Column{colID, colDoc}, scanner.Sample{}, 0, nil)
	assert.False(t, b.Flushed())
	b.Add(row(s("1"), s(`{"a":"x"}`)))
	b.Add(row(s("2"), nil))
	order, first := collect(t, b)
	assert.True(t, b.Flushed())
	assert.Equal(t, 0, b.Rows())
	assert.Equal(t, []string{"id", "profile.a"}, order)
	assert.Equal(t, []string{"1", "2"}, first["id"].Values)

	// The next batch keeps the declared fields, with fresh values.
	b.Add(row(s("3"), nil))
	order, second := collect(t, b)
	assert.Equal(t, []string{"id", "profile.a"}, order)
	assert.Equal(t, []string{"3"}, second["id"].Values)
	assert.Empty(t, second["profile.a"].Values)
	assert.Equal(t, "1", second["profile.a"].Meta[piimap.MetaRowsSampled])
	assert.Equal(t, []string{"1", "2"}, first["id"].Values, "an emitted record is not reused")
}

func TestColumnSelected(t *testing.T) {
	tests := []struct {
		col    scanner.Column
		fields []string
		want   bool
	}{
		{colEmail, nil, true},
		{colEmail, []string{"email"}, true},
		{colEmail, []string{"email.x"}, false},
		{colEmail, []string{"id"}, false},
		{colDoc, []string{"profile"}, true},
		{colDoc, []string{"profile.contact.email"}, true},
		{colDoc, []string{"profile[]"}, true},
		{colDoc, []string{"profiles.x"}, false},
		{scanner.Column{Name: "profile"}, []string{"profile.contact.email"}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.col.Selected(scanner.Sample{Fields: tt.fields}), "%s %v", tt.col.Name, tt.fields)
	}
}

// fakeRows serves rows of cells through the Rows interface.
type fakeRows struct {
	rows    [][]sql.NullString
	i       int
	scanErr error
	err     error
}

func (r *fakeRows) Next() bool { r.i++; return r.i <= len(r.rows) }
func (r *fakeRows) Err() error { return r.err }
func (r *fakeRows) Scan(dest ...any) error {
	if r.scanErr != nil {
		return r.scanErr
	}
	for i, d := range dest {
		*d.(*sql.NullString) = r.rows[r.i-1][i]
	}
	return nil
}

func TestColumnBatchReadRows(t *testing.T) {
	var in [][]sql.NullString
	for i := range 7 {
		in = append(in, row(s(strings.Repeat("x", i+1))))
	}
	tests := []struct {
		name      string
		rows      *fakeRows
		batchRows int
		ctxDone   bool
		emitErr   error
		counts    []int // values per emitted record
		err       string
	}{
		{name: "batches of 3 and the rest", rows: &fakeRows{rows: in}, batchRows: 3, counts: []int{3, 3, 1}},
		{name: "exact multiple: no empty tail", rows: &fakeRows{rows: in[:6]}, batchRows: 3, counts: []int{3, 3}},
		{name: "no batching", rows: &fakeRows{rows: in}, counts: []int{7}},
		{name: "empty result still flushed once", rows: &fakeRows{}, batchRows: 3, counts: []int{0}},
		{name: "scan error", rows: &fakeRows{rows: in, scanErr: errors.New("bad cell")}, batchRows: 3, err: "bad cell"},
		{name: "rows error", rows: &fakeRows{rows: in, err: errors.New("conn lost")}, batchRows: 3, counts: []int{3, 3}, err: "conn lost"},
		{name: "cancelled after a flush", rows: &fakeRows{rows: in}, batchRows: 3, ctxDone: true, counts: []int{3}, err: context.Canceled.Error()},
		{name: "emit error", rows: &fakeRows{rows: in}, batchRows: 3, emitErr: errors.New("sink full"), counts: []int{3}, err: "sink full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.ctxDone {
				cancel()
			}
			b := scanner.NewColumnBatch(batchUnit, []scanner.Column{colEmail}, scanner.Sample{}, 0, nil)
			var counts []int
			err := b.ReadRows(ctx, tt.rows, tt.batchRows, func(r piimap.Record) error {
				counts = append(counts, len(r.Values))
				return tt.emitErr
			})
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.counts, counts)
		})
	}
}

func FuzzColumnBatch(f *testing.F) {
	for _, seed := range []string{`{"a":{"b":"c"}}`, `[1,"x",null,{"k":true}]`, `"s"`, `{`, `12e3`, "\xff", `{"":{"":""}}`} {
		f.Add(seed, "profile.a.b")
	}
	f.Fuzz(func(t *testing.T, doc, field string) {
		cols := []scanner.Column{colEmail, colDoc}
		for _, smp := range []scanner.Sample{{}, {Fields: []string{field}}} {
			b := scanner.NewColumnBatch(batchUnit, cols, smp, 0, nil)
			b.Add(row(s(doc), s(doc)))
			seen := map[string]bool{}
			err := b.Flush(func(r piimap.Record) error {
				f := r.Loc.Field
				if seen[f] {
					t.Fatalf("field %q emitted twice", f)
				}
				seen[f] = true
				if !smp.Wants(f) && !smp.Wants("profile") {
					t.Fatalf("field %q not wanted by %v", f, smp.Fields)
				}
				if f != "email" && !strings.HasPrefix(f, "profile") {
					t.Fatalf("field %q is not the nested column's", f)
				}
				if f != "email" && r.Meta[scanner.MetaJSONPath] != f {
					t.Fatalf("field %q has json path %q", f, r.Meta[scanner.MetaJSONPath])
				}
				for _, v := range r.Values {
					if v == "" && f == "email" {
						t.Fatalf("empty scalar kept")
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// ownColumn is a source's column type embedding scanner.Column.
type ownColumn struct {
	scanner.Column
	class string
}

func TestColumnBatchTakesEmbeddingTypes(t *testing.T) {
	cols := []ownColumn{{Column: colID, class: "scalar"}, {Column: colDoc, class: "json"}}
	b := scanner.NewColumnBatch(batchUnit, cols, scanner.Sample{}, 0, nil)
	b.Add(row(s("1"), s(`{"a":"x"}`)))
	order, recs := collect(t, b)
	assert.Equal(t, []string{"id", "profile.a"}, order)
	assert.Equal(t, "profile.a", recs["profile.a"].Meta[scanner.MetaJSONPath])
}
