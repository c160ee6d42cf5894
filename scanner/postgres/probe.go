package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

var _ scanner.Prober = (*Source)(nil)

// DistinctSample returns up to n distinct non-null values of field (as
// text), read-only with the configured timeouts. Tables are drawn from
// with the store's seeded TABLESAMPLE … REPEATABLE (oversampled, grown
// while short), views by a seeded hash order; the distinct values are cut
// to n by a seeded hash order.
func (s *Source) DistinctSample(ctx context.Context, u piimap.Unit, field string, n int) ([]string, error) {
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return nil, fmt.Errorf("postgres: probe %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	if n <= 0 {
		return nil, nil
	}
	seed := QuoteLiteral(itoa(seedFor(s.cfg.Sample.Seed, u.Loc.Name)))
	col := "x." + QuoteIdent(field)
	var out []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rel, err := describe(ctx, tx, schema, table)
		if err != nil {
			return err
		}
		query := func(sample string) error {
			q := "SELECT d.v FROM (SELECT DISTINCT " + col + "::text AS v FROM " + QuoteTable(schema, table) + " AS x" + sample +
				" WHERE " + col + " IS NOT NULL) d ORDER BY md5(d.v || " + seed + ") LIMIT " + strconv.Itoa(n)
			rows, err := tx.Query(ctx, q)
			if err != nil {
				return err
			}
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		}
		if !tableSampled(rel.kind) {
			return query("")
		}
		plan := PlanSample(4*n, rel.est, rel.pages)
		for step := 0; ; step++ {
			if err := query(" TABLESAMPLE " + plan.Method + " (" + strconv.FormatFloat(plan.Pct, 'f', -1, 64) +
				") REPEATABLE (" + seed + ")"); err != nil {
				return err
			}
			if len(out) >= n || (plan.Method == "BERNOULLI" && plan.Pct >= 100) || step >= maxGrow {
				return nil
			}
			plan = plan.Grow()
		}
	})
	if err != nil {
		return nil, WrapError(ctx, "probe sample "+u.Loc.Name, err)
	}
	return out, nil
}

// CountIn counts how many of values occur in field of u, compared exactly:
// an integer column against the values parsed as integers (a value that
// does not parse occurs nowhere), any other column as text. The parameter
// is one array, so the parent's index serves the lookup.
func (s *Source) CountIn(ctx context.Context, u piimap.Unit, field string, values []string) (int, error) {
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return 0, fmt.Errorf("postgres: probe %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	if len(values) == 0 {
		return 0, nil
	}
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var typ string
		err := tx.QueryRow(ctx, `SELECT format_type(a.atttypid, NULL) FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace
 WHERE ns.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped`,
			schema, table, field).Scan(&typ)
		if err == pgx.ErrNoRows {
			return fmt.Errorf("column %s.%s: %w", u.Loc.Name, field, piimap.ErrNotFound)
		}
		if err != nil {
			return err
		}
		col := "x." + QuoteIdent(field)
		from := " FROM " + QuoteTable(schema, table) + " AS x WHERE "
		switch typ {
		case "smallint", "integer", "bigint":
			ints := make([]int64, 0, len(values))
			for _, v := range values {
				if i, err := strconv.ParseInt(v, 10, 64); err == nil {
					ints = append(ints, i)
				}
			}
			return tx.QueryRow(ctx, "SELECT count(DISTINCT "+col+")"+from+col+" = ANY($1::int8[])", ints).Scan(&n)
		case "text", "character varying":
			return tx.QueryRow(ctx, "SELECT count(DISTINCT "+col+")"+from+col+" = ANY($1::text[])", values).Scan(&n)
		}
		return tx.QueryRow(ctx, "SELECT count(DISTINCT "+col+"::text)"+from+col+"::text = ANY($1::text[])", values).Scan(&n)
	})
	if err != nil {
		return 0, WrapError(ctx, "probe count "+u.Loc.Name, err)
	}
	return n, nil
}
