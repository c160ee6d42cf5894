package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

// Kind is the store kind registered for duckdb:// URLs.
const Kind = "duckdb"

// FullBatchRows is the batch size of a full read.
const FullBatchRows = 4096

func init() {
	scanner.Register("duckdb", Kind, func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		return OpenSource(ctx, cfg)
	})
}

// Source reads a DuckDB database file opened read-only.
type Source struct {
	cfg scanner.StoreConfig
	dsn DSN
	db  *sql.DB
}

var (
	_ scanner.Source       = (*Source)(nil)
	_ scanner.Sampler      = (*Source)(nil)
	_ scanner.EdgeDeclarer = (*Source)(nil)
	_ scanner.Closer       = (*Source)(nil)
)

// OpenSource opens cfg's database read-only. It runs DuckDB single-threaded
// so that REPEATABLE reservoir samples are reproducible; the scanner gets
// its parallelism from scanning several tables at once.
func OpenSource(ctx context.Context, cfg scanner.StoreConfig) (*Source, error) {
	d, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if !d.Params.Has("threads") {
		d.Params.Set("threads", "1")
	}
	db, err := OpenDSN(ctx, d, true)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, dsn: d, db: db}, nil
}

// Namespace is the store's OpenLineage namespace.
func (s *Source) Namespace() string { return s.dsn.Namespace() }

// Close closes the database, so that the executor may open the same file
// read-write later in the process.
func (s *Source) Close() error { return s.db.Close() }

const relationsQuery = `
SELECT schema_name, table_name, 'table' AS relation, estimated_size, comment
  FROM duckdb_tables() WHERE NOT internal AND NOT temporary AND database_name = current_database()
UNION ALL
SELECT schema_name, view_name, 'view', NULL, comment
  FROM duckdb_views() WHERE NOT internal AND NOT temporary AND database_name = current_database()
ORDER BY 1, 2`

// Enumerate emits every table and view as `schema.table`, with its row
// estimate and whether it is a view (Meta "relation").
func (s *Source) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	rows, err := s.db.QueryContext(ctx, relationsQuery)
	if err != nil {
		return s.queryErr(ctx, "list tables", err)
	}
	var units []piimap.Unit
	for rows.Next() {
		var schema, table, relation string
		var est sql.NullInt64
		var comment sql.NullString
		if err := rows.Scan(&schema, &table, &relation, &est, &comment); err != nil {
			rows.Close()
			return fmt.Errorf("duckdb: list tables: %w", err)
		}
		u := piimap.Unit{Loc: s.loc(Asset(schema, table)), Kind: piimap.UnitTable, Rows: est.Int64,
			Meta: map[string]string{"relation": relation}}
		if comment.String != "" {
			u.Meta[piimap.MetaComment] = comment.String
		}
		units = append(units, u)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return s.queryErr(ctx, "list tables", err)
	}
	stamp := fileStamp(s.dsn.Path)
	for _, u := range units {
		if stamp != "" && u.Meta["relation"] == "table" {
			u.Meta[piimap.MetaChangeStamp] = stamp
		}
		if err := emit(u); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func (s *Source) loc(asset string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.dsn.Namespace(), Name: asset}
}

// columns describes a table's columns; nested ones (JSON, STRUCT, MAP,
// LIST, UNION) are fetched as JSON and flattened.
func (s *Source) columns(ctx context.Context, schema, table string) ([]scanner.Column, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT column_name, data_type, is_nullable, coalesce(comment, '')
  FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
 ORDER BY column_index`, schema, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []scanner.Column
	for rows.Next() {
		var c scanner.Column
		if err := rows.Scan(&c.Name, &c.SQLType, &c.Nullable, &c.Comment); err != nil {
			return nil, err
		}
		c.Nested = nestedType(c.SQLType)
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, piimap.ErrNotFound
	}
	cons, err := s.db.QueryContext(ctx, `
SELECT constraint_type, constraint_column_names FROM duckdb_constraints()
 WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
   AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`, schema, table)
	if err != nil {
		return nil, err
	}
	defer cons.Close()
	for cons.Next() {
		var typ string
		var names []any
		if err := cons.Scan(&typ, &names); err != nil {
			return nil, err
		}
		if len(names) != 1 { // a composite key makes no single column unique
			continue
		}
		for i := range cols {
			if cols[i].Name == fmt.Sprint(names[0]) {
				cols[i].Unique = true
				cols[i].PrimaryKey = cols[i].PrimaryKey || typ == "PRIMARY KEY"
			}
		}
	}
	return cols, cons.Err()
}

func nestedType(t string) bool {
	t = strings.ToUpper(t)
	return t == "JSON" || strings.HasSuffix(t, "[]") || strings.HasSuffix(t, "]") ||
		strings.HasPrefix(t, "STRUCT") || strings.HasPrefix(t, "MAP") || strings.HasPrefix(t, "UNION")
}

// Read emits the unit's sample with the store's configured sample.
func (s *Source) Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	return s.ReadSample(ctx, u, scanner.DefaultSample(s.cfg.Sample), emit)
}

// ReadSample samples a table or view with DuckDB's seeded reservoir
// (`USING SAMPLE reservoir(N ROWS) REPEATABLE (seed)`), or reads it in full
// in batches. Each column becomes one record of string values; nested
// columns (JSON, STRUCT, LIST, MAP) are fetched as JSON and flattened into
// dotted fields (`payload.user.email`).
func (s *Source) ReadSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	err := s.readSample(ctx, u, smp, emit)
	if err == nil {
		err = ctx.Err()
	}
	return scanner.ScrubError(err)
}

func (s *Source) readSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return fmt.Errorf("duckdb: sample %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	cols, err := s.columns(ctx, schema, table)
	if err != nil {
		return s.queryErr(ctx, "sample "+u.Loc.Name+": columns", err)
	}
	cols = slices.DeleteFunc(cols, func(c scanner.Column) bool { return !c.Selected(smp) })
	if len(cols) == 0 {
		return nil
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		if c.Nested {
			exprs[i] = "CAST(to_json(" + QuoteIdent(c.Name) + ") AS VARCHAR)"
		} else {
			exprs[i] = "CAST(" + QuoteIdent(c.Name) + " AS VARCHAR)"
		}
	}
	q := "SELECT " + strings.Join(exprs, ", ") + " FROM " + QuoteTable(schema, table)
	batch := FullBatchRows
	if !smp.Full {
		rows := smp.Rows
		if rows <= 0 {
			rows = scanner.DefaultSampleRows
		}
		q += fmt.Sprintf(" USING SAMPLE reservoir(%d ROWS) REPEATABLE (%d)", rows, seedFor(smp.Seed, u.Loc.Name))
		batch = rows
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return s.queryErr(ctx, "sample "+u.Loc.Name, err)
	}
	defer rows.Close()

	b := scanner.NewColumnBatch(u, cols, smp, u.Rows, nil)
	var emitErr error
	err = b.ReadRows(ctx, rows, batch, func(r piimap.Record) error {
		emitErr = emit(r)
		return emitErr
	})
	if err == nil || err == emitErr {
		return err
	}
	return s.queryErr(ctx, "sample "+u.Loc.Name, err)
}

func seedFor(seed int64, unit string) int64 {
	h := fnv.New32a()
	h.Write([]byte(unit))
	return int64((uint64(seed)*0x9E3779B97F4A7C15 ^ uint64(h.Sum32())) % (1 << 31))
}

// refSchema pulls an explicit schema out of "... REFERENCES wh.t2(a, b)".
var refSchema = regexp.MustCompile(`(?i)REFERENCES\s+("(?:[^"]|"")+"|[^\s.(]+)\.`)

// DeclaredEdges emits every FOREIGN KEY as `references` edges from each
// child column to its parent column (source fk, confidence 1).
// Then every view definition (duckdb_views()) becomes `derived_from` edges
// from each view column to the columns it is computed from (source view,
// confidence 1, transform identity, transformation or masked); a
// definition that does not parse is skipped.
func (s *Source) DeclaredEdges(ctx context.Context, emit func(lineage.Edge) error) error {
	return sqlcatalog.DeclaredEdges(ctx, emit, s.foreignKeys, s.viewEdges, s.queryErr)
}

func (s *Source) foreignKeys(ctx context.Context) ([]lineage.Edge, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT schema_name, table_name, constraint_text, constraint_column_names, referenced_table, referenced_column_names
  FROM duckdb_constraints()
 WHERE database_name = current_database() AND constraint_type = 'FOREIGN KEY'
 ORDER BY schema_name, table_name, constraint_index`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var edges []lineage.Edge
	for rows.Next() {
		var schema, table, text, refTable string
		var cols, refCols []any
		if err := rows.Scan(&schema, &table, &text, &cols, &refTable, &refCols); err != nil {
			return nil, err
		}
		refSch := schema
		if m := refSchema.FindStringSubmatch(text); m != nil {
			refSch = strings.ReplaceAll(strings.Trim(m[1], `"`), `""`, `"`)
		}
		for i := range min(len(cols), len(refCols)) {
			edges = append(edges, sqlcatalog.ForeignKey(s.loc, Asset(schema, table), fmt.Sprint(cols[i]), Asset(refSch, refTable), fmt.Sprint(refCols[i])))
		}
	}
	return edges, rows.Err()
}

// queryErr names the failing step; a cancelled context is returned as is.
func (s *Source) queryErr(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, piimap.ErrNotFound) {
		return fmt.Errorf("duckdb: %s: %w", what, err)
	}
	if strings.Contains(err.Error(), "does not exist") {
		return fmt.Errorf("duckdb: %s: %v: %w", what, err, piimap.ErrNotFound)
	}
	return fmt.Errorf("duckdb: %s: %w", what, err)
}

// fileStamp is the change stamp of every table of a database file: the
// size and modification time of the file and of its write-ahead log, which
// a write changes before any checkpoint. "" when the file cannot be read.
func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	stamp := fmt.Sprintf("duckdb:%d:%d", fi.Size(), fi.ModTime().UnixNano())
	if wal, err := os.Stat(path + ".wal"); err == nil {
		stamp += fmt.Sprintf(":%d:%d", wal.Size(), wal.ModTime().UnixNano())
	}
	return stamp
}

var _ scanner.PipelineStager = (*Source)(nil)

// PipelineStage places the store along a data pipeline: an analytical database.
func (s *Source) PipelineStage() int { return scanner.StageWarehouse }
