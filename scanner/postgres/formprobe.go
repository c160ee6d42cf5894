package postgres

import (
	"context"
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
// server except those. SHA-1 needs pgcrypto, which a read-only scan does
// not install: sha1_hex needles come back as unsupported.
func (s *Source) ProbeForms(ctx context.Context, u piimap.Unit, field string, q scanner.FormQuery) (scanner.FormAnswer, error) {
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return scanner.FormAnswer{}, fmt.Errorf("postgres: probe forms %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	p, err := sqlcatalog.BuildFormProbe(sqlcatalog.Postgres, q.Type, q.PhoneCC, QuoteTable(schema, table), QuoteIdent(field), q.Needles)
	if err != nil {
		return scanner.FormAnswer{}, fmt.Errorf("postgres: probe forms %s.%s: %w", u.Loc.Name, field, err)
	}
	ans := scanner.FormAnswer{Unsupported: p.Unsupported}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, p.Query, p.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ans.Found, ans.Distinct, err = sqlcatalog.ReadFormRows(rows)
		return err
	})
	if err != nil {
		return scanner.FormAnswer{}, WrapError(ctx, "probe forms "+u.Loc.Name+"."+field, err)
	}
	return ans, nil
}
