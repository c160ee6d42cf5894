package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

var _ scanner.FormProber = (*Source)(nil)

// ProbeForms answers a copy probe inside MariaDB/MySQL: one read-only
// query normalises the field's values (sqlcatalog.BuildFormProbe),
// computes their masked forms and returns the needles matched, compared
// byte for byte whatever the column's collation.
func (s *Source) ProbeForms(ctx context.Context, u piimap.Unit, field string, q scanner.FormQuery) (scanner.FormAnswer, error) {
	db, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return scanner.FormAnswer{}, fmt.Errorf("mysql: probe forms %s: not a db.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	p, err := sqlcatalog.BuildFormProbe(sqlcatalog.MySQL, q.Type, q.PhoneCC, QuoteTable(db, table), QuoteIdent(field), q.Needles, "")
	if err != nil {
		return scanner.FormAnswer{}, fmt.Errorf("mysql: probe forms %s.%s: %w", u.Loc.Name, field, err)
	}
	ans := scanner.FormAnswer{Unsupported: p.Unsupported}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, p.Query, p.Args...)
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
