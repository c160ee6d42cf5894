package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

var _ scanner.FormProber = (*Source)(nil)

// ProbeForms answers a copy probe inside Postgres: one read-only query
// normalises the field's values (sqlcatalog.BuildFormProbe), computes their
// masked forms and returns the needles matched, with no value leaving the
// server except those. SHA-1 needs pgcrypto: when the database has the
// extension its digest() computes it; a read-only scan installs nothing,
// so without it sha1_hex needles come back unsupported.
func (s *Source) ProbeForms(ctx context.Context, u piimap.Unit, field string, q scanner.FormQuery) (scanner.FormAnswer, error) {
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return scanner.FormAnswer{}, fmt.Errorf("postgres: probe forms %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	var ans scanner.FormAnswer
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var pgcrypto string
		err := tx.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'pgcrypto'`).Scan(&pgcrypto)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if pgcrypto != "" {
			pgcrypto = QuoteIdent(pgcrypto)
		}
		p, err := sqlcatalog.BuildFormProbe(sqlcatalog.Postgres, q.Type, q.PhoneCC, QuoteTable(schema, table), QuoteIdent(field), q.Needles, pgcrypto)
		if err != nil {
			return fmt.Errorf("%w: %w", errBuild, err)
		}
		ans.Unsupported = p.Unsupported
		rows, err := tx.Query(ctx, p.Query, p.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ans.Found, ans.Distinct, err = sqlcatalog.ReadFormRows(rows)
		return err
	})
	if errors.Is(err, errBuild) {
		return scanner.FormAnswer{}, fmt.Errorf("postgres: probe forms %s.%s: %w", u.Loc.Name, field, err)
	}
	if err != nil {
		return scanner.FormAnswer{}, WrapError(ctx, "probe forms "+u.Loc.Name+"."+field, err)
	}
	return ans, nil
}

// errBuild marks a probe that could not be written (a type without an SQL
// normaliser): the caller's error, not the database's.
var errBuild = errors.New("probe not built")
