package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

var _ scanner.Prober = (*Source)(nil)

// probeRowsPerValue is how many rows per wanted value the seeded reservoir
// draws before the distinct values are taken.
const probeRowsPerValue = 20

// DistinctSample returns up to n distinct non-null values of field (as
// text): the store's seeded reservoir sample (`USING SAMPLE reservoir(…)
// REPEATABLE (seed)`, probeRowsPerValue·n rows), its distinct values cut to
// n by a seeded hash order. The database is open read-only.
func (s *Source) DistinctSample(ctx context.Context, u piimap.Unit, field string, n int) ([]string, error) {
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return nil, fmt.Errorf("duckdb: probe %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	if n <= 0 {
		return nil, nil
	}
	seed := seedFor(s.cfg.Sample.Seed, u.Loc.Name)
	col := QuoteIdent(field)
	q := fmt.Sprintf("SELECT d.v FROM (SELECT DISTINCT CAST(%s AS VARCHAR) AS v FROM (SELECT %s FROM %s USING SAMPLE reservoir(%d ROWS) REPEATABLE (%d)) s WHERE %s IS NOT NULL) d ORDER BY md5(d.v || ?) LIMIT %d",
		col, col, QuoteTable(schema, table), probeRowsPerValue*n, seed, col, n)
	rows, err := s.db.QueryContext(ctx, q, fmt.Sprint(seed))
	if err != nil {
		return nil, scanner.ScrubError(s.queryErr(ctx, "probe sample "+u.Loc.Name, err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, scanner.ScrubError(s.queryErr(ctx, "probe sample "+u.Loc.Name, err))
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, scanner.ScrubError(s.queryErr(ctx, "probe sample "+u.Loc.Name, err))
	}
	return out, nil
}

// CountIn counts how many of values occur in field of u, comparing the
// column's text form exactly with a parameterised IN list.
func (s *Source) CountIn(ctx context.Context, u piimap.Unit, field string, values []string) (int, error) {
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return 0, fmt.Errorf("duckdb: probe %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	if len(values) == 0 {
		return 0, nil
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	col := QuoteIdent(field)
	q := "SELECT count(DISTINCT CAST(" + col + " AS VARCHAR)) FROM " + QuoteTable(schema, table) +
		" WHERE CAST(" + col + " AS VARCHAR) IN (?" + strings.Repeat(", ?", len(values)-1) + ")"
	var n int
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, scanner.ScrubError(s.queryErr(ctx, "probe count "+u.Loc.Name, err))
	}
	return n, nil
}
