package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

var _ scanner.Prober = (*Source)(nil)

// probeRowsPerValue is how many rows per wanted value a big table's RAND
// filter aims to keep before the distinct values are taken.
const probeRowsPerValue = 20

// DistinctSample returns up to n distinct non-null values of field (as
// text), in a read-only transaction with the configured timeouts. A table
// bigger than probeRowsPerValue·n rows (information_schema estimate) is
// first filtered with the store's seeded `RAND(seed) < p`; the distinct
// values are cut to n by a seeded hash order.
func (s *Source) DistinctSample(ctx context.Context, u piimap.Unit, field string, n int) ([]string, error) {
	db, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return nil, fmt.Errorf("mysql: probe %s: not a db.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	if n <= 0 {
		return nil, nil
	}
	rng := scanner.DefaultSample(s.cfg.Sample).Rand(u.Loc.Name)
	filterSeed, orderSeed := seed31(rng), strconv.FormatInt(seed31(rng), 10)
	col := QuoteIdent(field)
	var out []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var est sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
			db, table).Scan(&est)
		if err == sql.ErrNoRows {
			return fmt.Errorf("table %s: %w", u.Loc.Name, piimap.ErrNotFound)
		}
		if err != nil {
			return err
		}
		where := col + " IS NOT NULL"
		if want := int64(probeRowsPerValue * n); est.Valid && est.Int64 > want {
			p := float64(want) / float64(est.Int64)
			where += " AND RAND(" + strconv.FormatInt(filterSeed, 10) + ") < " + strconv.FormatFloat(p, 'f', -1, 64)
		}
		rows, err := tx.QueryContext(ctx, "SELECT d.v FROM (SELECT DISTINCT CAST("+col+" AS CHAR) AS v FROM "+
			QuoteTable(db, table)+" WHERE "+where+") d ORDER BY MD5(CONCAT(d.v, ?)) LIMIT "+strconv.Itoa(n), orderSeed)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, WrapError(ctx, "probe sample "+u.Loc.Name, err)
	}
	return out, nil
}

// CountIn counts how many of values occur in field of u. The lookup is a
// parameterised IN list (the parent's index serves it); the matches are
// then compared byte for byte, since a case- or pad-insensitive collation
// would let `ABC` match `abc`.
func (s *Source) CountIn(ctx context.Context, u piimap.Unit, field string, values []string) (int, error) {
	db, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return 0, fmt.Errorf("mysql: probe %s: not a db.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	if len(values) == 0 {
		return 0, nil
	}
	want := make(map[string]bool, len(values))
	args := make([]any, 0, len(values))
	for _, v := range values {
		if !want[v] {
			want[v] = true
			args = append(args, v)
		}
	}
	col := QuoteIdent(field)
	q := "SELECT DISTINCT CAST(" + col + " AS CHAR) FROM " + QuoteTable(db, table) + " WHERE " + col +
		" IN (?" + strings.Repeat(", ?", len(args)-1) + ")"
	found := map[string]bool{}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v sql.NullString
			if err := rows.Scan(&v); err != nil {
				return err
			}
			if v.Valid && want[v.String] {
				found[v.String] = true
			}
		}
		return rows.Err()
	})
	if err != nil {
		return 0, WrapError(ctx, "probe count "+u.Loc.Name, err)
	}
	return len(found), nil
}
