package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Sampling constants.
const (
	FullBatchRows = 4096  // rows per record in a full read
	MaxValueBytes = 65536 // a sampled scalar value is cut to this many characters
	// minSystemPages is the fewest pages a SYSTEM sample may draw: below
	// it, page-level clustering would dominate, so BERNOULLI is used.
	minSystemPages = 64
	// maxSystemPct is the largest SYSTEM percentage worth using; beyond
	// it BERNOULLI's full pass costs about the same and samples rows, not
	// pages.
	maxSystemPct = 10.0
	// countCap bounds the exact count taken when a relation has no
	// estimate (never analyzed).
	countCap = 1_000_000
	maxGrow  = 12 // percentage growth steps before giving up on a short sample
)

// column is one column: what the classifier may use, and how to select it.
type column struct {
	scanner.Column
	class string // scalar | json | nested | bytea | inet
}

// relation is what a read needs to know about one relation, read inside
// the read's own transaction.
type relation struct {
	schema, table string
	kind          string // pg_class.relkind
	est           int64  // row estimate, -1 unknown
	pages         int64
	cols          []column
}

const describeQuery = `
SELECT c.relkind::text,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT coalesce(sum(greatest(l.reltuples, 0)), -1)::float8 FROM pg_partition_tree(c.oid) t
                 JOIN pg_class l ON l.oid = t.relid WHERE t.isleaf)
            ELSE c.reltuples::float8 END,
       CASE WHEN c.relkind = 'p' THEN
              (SELECT coalesce(sum(l.relpages), 0)::int8 FROM pg_partition_tree(c.oid) t
                 JOIN pg_class l ON l.oid = t.relid WHERE t.isleaf)
            ELSE c.relpages::int8 END,
       coalesce(pg_stat_get_live_tuples(c.oid), -1),
       a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN coalesce(b.typname, t.typname) IN ('json', 'jsonb') THEN 'json'
            WHEN coalesce(b.typcategory, t.typcategory) = 'A' OR coalesce(b.typtype, t.typtype) = 'c' THEN 'nested'
            WHEN coalesce(b.typname, t.typname) = 'bytea' THEN 'bytea'
            WHEN coalesce(b.typname, t.typname) = 'inet' THEN 'inet'
            ELSE 'scalar' END,
       NOT a.attnotnull,
       coalesce(col_description(c.oid, a.attnum), ''),
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)),
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indnkeyatts = 1
                  AND i.indkey[0] = a.attnum AND i.indpred IS NULL)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type b ON t.typtype = 'd' AND b.oid = t.typbasetype
 WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
 ORDER BY a.attnum`

// describe reads a relation's columns and estimates; a missing relation
// is piimap.ErrNotFound. A relation never analyzed is counted (up to
// countCap rows) so that the sampling percentage is right.
func describe(ctx context.Context, tx pgx.Tx, schema, table string) (*relation, error) {
	rows, err := tx.Query(ctx, describeQuery, schema, table)
	if err != nil {
		return nil, err
	}
	rel := &relation{schema: schema, table: table}
	var reltuples float64
	var live int64
	for rows.Next() {
		var c column
		if err := rows.Scan(&rel.kind, &reltuples, &rel.pages, &live, &c.Name, &c.SQLType, &c.class,
			&c.Nullable, &c.Comment, &c.PrimaryKey, &c.Unique); err != nil {
			rows.Close()
			return nil, err
		}
		c.Nested = c.class == "json" || c.class == "nested"
		rel.cols = append(rel.cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(rel.cols) == 0 {
		return nil, fmt.Errorf("relation %s: %w", Asset(schema, table), piimap.ErrNotFound)
	}
	rel.est, _ = estimate(reltuples, live)
	if rel.est < 0 && tableSampled(rel.kind) {
		q := "SELECT count(*) FROM (SELECT 1 FROM " + QuoteTable(schema, table) + " LIMIT " + itoa(countCap) + ") x"
		if err := tx.QueryRow(ctx, q).Scan(&rel.est); err != nil {
			return nil, err
		}
	}
	return rel, nil
}

// Plan is one TABLESAMPLE choice: method SYSTEM or BERNOULLI and a
// percentage in (0, 100].
type Plan struct {
	Method string
	Pct    float64
}

// PlanSample picks the TABLESAMPLE method and percentage for n rows out of
// an estimated est rows in pages pages. It oversamples (3n+64 rows) so one
// query usually suffices; the surplus is cut to n by a seeded hash order.
// SYSTEM (random pages, reading only those) is used for big relations when
// at least minSystemPages pages are drawn and they are at most 10% of the
// relation; otherwise BERNOULLI (random rows, one pass). Unknown or tiny
// estimates read 100%.
func PlanSample(n int, est, pages int64) Plan {
	if n <= 0 || est <= 0 {
		return Plan{"BERNOULLI", 100}
	}
	target := float64(3*n + 64)
	pct := 100 * target / float64(est)
	if pages >= 4*minSystemPages {
		sys := max(pct, 100*float64(minSystemPages)/float64(pages))
		if sys <= maxSystemPct {
			return Plan{"SYSTEM", roundPct(sys)}
		}
	}
	return Plan{"BERNOULLI", roundPct(min(pct, 100))}
}

// Grow is the next plan after a sample came back short: four times the
// percentage, switching to BERNOULLI beyond maxSystemPct.
func (p Plan) Grow() Plan {
	next := min(p.Pct*4, 100)
	if p.Method == "SYSTEM" && next <= maxSystemPct {
		return Plan{"SYSTEM", roundPct(next)}
	}
	return Plan{"BERNOULLI", roundPct(next)}
}

func roundPct(p float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(p, 'f', 6, 64), 64)
	return max(v, 0.000001)
}

func (p Plan) String() string {
	return strings.ToLower(p.Method) + "(" + strconv.FormatFloat(p.Pct, 'f', -1, 64) + ")"
}

// reader runs one sample or full read of a relation.
type reader struct {
	tx   pgx.Tx
	u    piimap.Unit
	rel  *relation
	smp  scanner.Sample
	emit func(piimap.Record) error
}

func (r *reader) run(ctx context.Context) error {
	cols := slices.DeleteFunc(slices.Clone(r.rel.cols), func(c column) bool { return !c.Selected(r.smp) })
	if len(cols) == 0 {
		return nil
	}
	batch := func(method string) *scanner.ColumnBatch {
		return scanner.NewColumnBatch(r.u, cols, r.smp, r.rel.est, map[string]string{MetaSampling: method})
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = selectExpr(c, r.smp.Full)
	}
	from := " FROM " + QuoteTable(r.rel.schema, r.rel.table) + " AS x"
	sel := "SELECT " + strings.Join(exprs, ", ")
	if r.smp.Full {
		return r.query(ctx, sel+from, batch("full"), FullBatchRows)
	}
	n := r.smp.Rows
	if n <= 0 {
		n = scanner.DefaultSampleRows
	}
	seed := seedFor(r.smp.Seed, r.u.Loc.Name)
	order := " ORDER BY md5(x.tableoid::text || x.ctid::text || " + QuoteLiteral(itoa(seed)) + ") LIMIT " + strconv.Itoa(n)
	if !tableSampled(r.rel.kind) {
		// Views and foreign tables: a seeded hash order over every row.
		order = " ORDER BY md5(row(x.*)::text || " + QuoteLiteral(itoa(seed)) + ") LIMIT " + strconv.Itoa(n)
		return r.query(ctx, sel+from+order, batch("hash_order"), n)
	}
	plan := PlanSample(n, r.rel.est, r.rel.pages)
	for step := 0; ; step++ {
		q := sel + from + " TABLESAMPLE " + plan.Method + " (" + strconv.FormatFloat(plan.Pct, 'f', -1, 64) +
			") REPEATABLE (" + itoa(seed) + ")" + order
		b := batch(plan.String())
		if err := r.collect(ctx, q, b); err != nil {
			return err
		}
		if b.Rows() >= n || (plan.Method == "BERNOULLI" && plan.Pct >= 100) || step >= maxGrow {
			return b.Flush(r.emit)
		}
		plan = plan.Grow()
	}
}

// selectExpr renders one column as text: JSON as its text, arrays and
// composites as JSON (flattened later), bytea in escape form, scalars cut
// to MaxValueBytes characters in a sample.
func selectExpr(c column, full bool) string {
	id := "x." + QuoteIdent(c.Name)
	switch c.class {
	case "json":
		return id + "::text"
	case "nested":
		return "to_jsonb(" + id + ")::text"
	case "bytea":
		return "encode(" + id + ", 'escape')"
	case "inet": // inet::text appends /32 to host addresses; abbrev does not
		return "abbrev(" + id + ")"
	}
	if full {
		return id + "::text"
	}
	return "left(" + id + "::text, " + strconv.Itoa(MaxValueBytes) + ")"
}

// query streams q into b, flushing every batchRows rows.
func (r *reader) query(ctx context.Context, q string, b *scanner.ColumnBatch, batchRows int) error {
	rows, err := r.tx.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	return b.ReadRows(ctx, rows, batchRows, r.emit)
}

// collect reads every row of q into b without emitting.
func (r *reader) collect(ctx context.Context, q string, b *scanner.ColumnBatch) error {
	rows, err := r.tx.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := b.Scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
