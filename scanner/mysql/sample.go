package mysql

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Sampling constants.
const (
	FullBatchRows = 4096  // rows per record in a full read
	MaxValueBytes = 65536 // a sampled text or binary value is cut to this many characters
	// RandMaxRows is the largest keyless table sampled with ORDER BY
	// RAND(seed); bigger ones are filtered with WHERE RAND(seed) < p.
	RandMaxRows  = 100_000
	maxRounds    = 8  // rounds of key ranges before settling for a short sample
	maxUnionPart = 64 // ranges per UNION ALL statement
	countCap     = 1_000_000
)

// key is the index a table is sampled by: its PRIMARY KEY, else a UNIQUE
// index over NOT NULL columns.
type key struct {
	cols     []string
	primary  bool
	integer  bool // the leading column is an integer type: ranges by value
	unsigned bool
	uniques  map[string]bool // columns with a single-column unique index
}

// method names how a table with this key and estimate is sampled.
func (k key) method(est int64) string {
	switch {
	case len(k.cols) > 0 && k.integer:
		return "pk_ranges"
	case len(k.cols) > 0:
		return "pk_offsets"
	case est <= RandMaxRows:
		return "order_by_rand"
	}
	return "rand_filter"
}

// colTypes maps db.table.column to DATA_TYPE and COLUMN_TYPE.
type colTypes map[string][2]string

// keys reads the unique indexes of the tables `where` selects (from
// information_schema.STATISTICS alone: joining COLUMNS there defeats
// MariaDB's per-table lookup) and picks each table's sampling key; types
// gives the key columns' types.
func (s *Source) keys(ctx context.Context, tx *sql.Tx, types colTypes, where string, args ...any) (map[string]key, error) {
	rows, err := tx.QueryContext(ctx, `
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, COLUMN_NAME, NULLABLE = 'YES'
  FROM information_schema.STATISTICS
 WHERE NON_UNIQUE = 0 AND COLUMN_NAME IS NOT NULL AND `+where+`
 ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type index struct {
		name, schema, table string
		cols                []string
		nullable            bool
	}
	var idx []*index
	for rows.Next() {
		var schema, table, name, col string
		var nullable bool
		if err := rows.Scan(&schema, &table, &name, &col, &nullable); err != nil {
			return nil, err
		}
		if n := len(idx); n == 0 || idx[n-1].schema != schema || idx[n-1].table != table || idx[n-1].name != name {
			idx = append(idx, &index{name: name, schema: schema, table: table})
		}
		ix := idx[len(idx)-1]
		ix.cols = append(ix.cols, col)
		ix.nullable = ix.nullable || nullable
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]key{}
	for _, ix := range idx {
		name := Asset(ix.schema, ix.table)
		k := out[name]
		if k.uniques == nil {
			k.uniques = map[string]bool{}
		}
		if len(ix.cols) == 1 {
			k.uniques[ix.cols[0]] = true
		}
		if len(k.cols) == 0 && !ix.nullable {
			t := types[name+"."+ix.cols[0]]
			k.cols, k.primary = ix.cols, ix.name == "PRIMARY"
			k.integer, k.unsigned = isInteger(t[0]), strings.Contains(strings.ToLower(t[1]), "unsigned")
		}
		out[name] = k
	}
	return out, nil
}

// allKeys reads the sampling keys of every table in scope, with the types
// of the indexed columns.
func (s *Source) allKeys(ctx context.Context, tx *sql.Tx) (map[string]key, error) {
	where, args := s.scope("TABLE_SCHEMA")
	rows, err := tx.QueryContext(ctx, `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE
  FROM information_schema.COLUMNS WHERE COLUMN_KEY IN ('PRI', 'UNI') AND `+where, args...)
	if err != nil {
		return nil, err
	}
	types := colTypes{}
	for rows.Next() {
		var db, table, col, dt, ct string
		if err := rows.Scan(&db, &table, &col, &dt, &ct); err != nil {
			rows.Close()
			return nil, err
		}
		types[Asset(db, table)+"."+col] = [2]string{dt, ct}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.keys(ctx, tx, types, where, args...)
}

func isInteger(dataType string) bool {
	switch strings.ToLower(dataType) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return true
	}
	return false
}

// reader runs one sample or full read of a table.
type reader struct {
	tx   *sql.Tx
	u    piimap.Unit
	rel  *relation
	smp  scanner.Sample
	emit func(piimap.Record) error
}

// selectExpr renders one column for the sample query.
func selectExpr(c column, full bool) string {
	id := QuoteIdent(c.Name)
	switch c.class {
	case "geometry":
		return "ST_AsText(" + id + ")"
	case "bit":
		return "CAST(" + id + " AS UNSIGNED)"
	case "text", "binary":
		if !full {
			return "LEFT(" + id + ", " + strconv.Itoa(MaxValueBytes) + ")"
		}
	}
	return id
}

func (r *reader) run(ctx context.Context) error {
	cols := slices.DeleteFunc(slices.Clone(r.rel.cols), func(c column) bool { return !c.Selected(r.smp) })
	if len(cols) == 0 {
		return nil
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = selectExpr(c, r.smp.Full)
	}
	table := QuoteTable(r.rel.db, r.rel.table)
	sel := "SELECT " + strings.Join(exprs, ", ")
	if r.smp.Full {
		return r.stream(ctx, sel+" FROM "+table, cols, "full", FullBatchRows)
	}
	n := r.smp.Rows
	if n <= 0 {
		n = scanner.DefaultSampleRows
	}
	rng := r.smp.Rand(r.u.Loc.Name)
	// A table of at most n rows is its own sample: read it whole.
	var small int64
	q := "SELECT COUNT(*) FROM (SELECT 1 FROM " + table + " LIMIT " + strconv.Itoa(n+1) + ") x"
	if err := r.tx.QueryRowContext(ctx, q).Scan(&small); err != nil {
		return err
	}
	if small <= int64(n) {
		return r.stream(ctx, sel+" FROM "+table, cols, "all_rows", n+1)
	}
	// Value ranges need no count; positions and RAND filters need it right.
	est := r.rel.est
	if k := r.rel.key; len(k.cols) == 0 || !k.integer {
		var err error
		if est, err = r.estimate(ctx, table); err != nil {
			return err
		}
	}
	switch method := r.rel.key.method(est); method {
	case "pk_ranges", "pk_offsets":
		return r.ranges(ctx, method, exprs, cols, n, est, rng)
	case "order_by_rand":
		q := sel + " FROM " + table + " ORDER BY RAND(" + strconv.FormatInt(seed31(rng), 10) + ") LIMIT " + strconv.Itoa(n)
		return r.stream(ctx, q, cols, method, n+1)
	default:
		return r.randFilter(ctx, sel+" FROM "+table, cols, n, est, rng)
	}
}

// estimate is the table's row count: the catalog's estimate when it is
// big, else an exact count (capped), since offsets and RAND filters need
// it right.
func (r *reader) estimate(ctx context.Context, table string) (int64, error) {
	if r.rel.est > countCap {
		return r.rel.est, nil
	}
	var n int64
	q := "SELECT COUNT(*) FROM (SELECT 1 FROM " + table + " LIMIT " + strconv.Itoa(countCap+1) + ") x"
	err := r.tx.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

func seed31(rng *rand.Rand) int64 { return rng.Int64N(1 << 31) }

// stream reads q into batches of batchRows rows.
func (r *reader) stream(ctx context.Context, q string, cols []column, method string, batchRows int) error {
	rows, err := r.tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	return r.batch(cols, r.rel.est, method).ReadRows(ctx, rows, batchRows, r.emit)
}

// batch starts a batch of cols, sampled by method out of total rows.
func (r *reader) batch(cols []column, total int64, method string) *scanner.ColumnBatch {
	return scanner.NewColumnBatch(r.u, cols, r.smp, total, map[string]string{MetaSampling: method})
}

func cellsFor(n int) ([]sql.NullString, []any) {
	cells := make([]sql.NullString, n)
	dest := make([]any, n)
	for i := range cells {
		dest[i] = &cells[i]
	}
	return cells, dest
}

// ranges samples by key: seeded random start points, each reading a short
// run of rows in key order — by value within [MIN, MAX] of an integer
// leading key column (`WHERE k >= ? ORDER BY key LIMIT L`), by position for
// other keys (`ORDER BY key LIMIT L OFFSET ?`). Runs are batched into
// UNION ALL statements, rows seen twice are dropped, and rounds repeat until
// n rows are in hand; a surplus is cut by a seeded shuffle.
func (r *reader) ranges(ctx context.Context, method string, exprs []string, cols []column, n int, est int64, rng *rand.Rand) error {
	k := r.rel.key
	quoted := make([]string, len(k.cols))
	for i, c := range k.cols {
		quoted[i] = QuoteIdent(c)
	}
	table := QuoteTable(r.rel.db, r.rel.table)
	order := strings.Join(quoted, ", ")
	runLen := min(max(n/20, 1), 16)
	part := "(SELECT " + strings.Join(quoted, ", ") + ", " + strings.Join(exprs, ", ") + " FROM " + table

	var lo, hi string
	if method == "pk_ranges" {
		var l, h sql.NullString
		if err := r.tx.QueryRowContext(ctx, "SELECT MIN("+quoted[0]+"), MAX("+quoted[0]+") FROM "+table).Scan(&l, &h); err != nil {
			return err
		}
		if !l.Valid {
			return r.stream(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+table, cols, "all_rows", n+1)
		}
		lo, hi = l.String, h.String
		if _, err := drawStarts(method, lo, hi, est, k.unsigned, 1, rand.New(rand.NewPCG(0, 0))); err != nil {
			method = "pk_offsets" // bounds outside 64 bits: sample by position
			if est, err = r.estimate(ctx, table); err != nil {
				return err
			}
		}
	}
	seen := map[string]bool{}
	var got [][]sql.NullString
	for round := 0; round < maxRounds && len(got) < n; round++ {
		need := n - len(got)
		count := (need+runLen-1)/runLen*5/4 + 1
		starts, err := drawStarts(method, lo, hi, est, k.unsigned, count, rng)
		if err != nil {
			return err
		}
		for len(starts) > 0 {
			chunk := starts[:min(len(starts), maxUnionPart)]
			starts = starts[len(chunk):]
			parts := make([]string, len(chunk))
			for i, s := range chunk {
				if method == "pk_ranges" {
					parts[i] = part + " WHERE " + quoted[0] + " >= " + s + " ORDER BY " + order + " LIMIT " + strconv.Itoa(runLen) + ")"
				} else {
					parts[i] = part + " ORDER BY " + order + " LIMIT " + strconv.Itoa(runLen) + " OFFSET " + s + ")"
				}
			}
			if err := r.collect(ctx, strings.Join(parts, " UNION ALL "), len(k.cols), len(cols), seen, &got); err != nil {
				return err
			}
		}
	}
	if len(got) > n {
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		got = got[:n]
	}
	b := r.batch(cols, max(est, r.rel.est), method)
	for _, row := range got {
		b.Add(row)
	}
	return b.Flush(r.emit)
}

// drawStarts draws count sorted start points: key values in [lo, hi] for
// pk_ranges, row offsets in [0, est) for pk_offsets.
func drawStarts(method, lo, hi string, est int64, unsigned bool, count int, rng *rand.Rand) ([]string, error) {
	out := make([]string, 0, count)
	if method == "pk_offsets" {
		offs := make([]int64, count)
		for i := range offs {
			offs[i] = rng.Int64N(max(est, 1))
		}
		slices.Sort(offs)
		for _, o := range offs {
			out = append(out, strconv.FormatInt(o, 10))
		}
		return out, nil
	}
	if unsigned {
		l, err1 := strconv.ParseUint(lo, 10, 64)
		h, err2 := strconv.ParseUint(hi, 10, 64)
		if err1 != nil || err2 != nil || h < l {
			return nil, errBadKey
		}
		for range count {
			out = append(out, strconv.FormatUint(l+uniform(rng, h-l), 10))
		}
	} else {
		l, err1 := strconv.ParseInt(lo, 10, 64)
		h, err2 := strconv.ParseInt(hi, 10, 64)
		if err1 != nil || err2 != nil || h < l {
			return nil, errBadKey
		}
		for range count {
			out = append(out, strconv.FormatInt(int64(uint64(l)+uniform(rng, uint64(h)-uint64(l))), 10))
		}
	}
	return out, nil
}

var errBadKey = errors.New("key bounds are not 64-bit integers")

// uniform draws from [0, span].
func uniform(rng *rand.Rand, span uint64) uint64 {
	if span == ^uint64(0) {
		return rng.Uint64()
	}
	return rng.Uint64N(span + 1)
}

// collect reads a UNION of key runs: nKey key cells, then nCols cells.
func (r *reader) collect(ctx context.Context, q string, nKey, nCols int, seen map[string]bool, got *[][]sql.NullString) error {
	rows, err := r.tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cells, dest := cellsFor(nKey + nCols)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		var id strings.Builder
		for _, c := range cells[:nKey] {
			id.WriteString(strconv.Quote(c.String))
		}
		if seen[id.String()] {
			continue
		}
		seen[id.String()] = true
		*got = append(*got, slices.Clone(cells[nKey:]))
	}
	return rows.Err()
}

// randFilter samples a big keyless table with a seeded Bernoulli filter,
// `WHERE RAND(seed) < p`, and a seeded reservoir down to n rows; a short
// sample quadruples p.
func (r *reader) randFilter(ctx context.Context, q string, cols []column, n int, est int64, rng *rand.Rand) error {
	p := min(1, float64(3*n+64)/float64(max(est, 1)))
	seed := seed31(rng)
	for {
		res := scanner.NewReservoir[[]sql.NullString](n, rng)
		rows, err := r.tx.QueryContext(ctx, q+" WHERE RAND("+strconv.FormatInt(seed, 10)+") < "+strconv.FormatFloat(p, 'f', -1, 64))
		if err != nil {
			return err
		}
		cells, dest := cellsFor(len(cols))
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			res.Offer(func() []sql.NullString { return slices.Clone(cells) })
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		if len(res.Items) >= n || p >= 1 {
			b := r.batch(cols, est, "rand_filter")
			for _, row := range res.Items {
				b.Add(row)
			}
			return b.Flush(r.emit)
		}
		p = min(1, p*4)
	}
}
