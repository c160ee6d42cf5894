package duckdb

import (
	"context"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/sqlcatalog"
)

var _ scanner.FormProber = (*Source)(nil)

// ProbeForms answers a copy probe inside DuckDB: one query over the
// read-only database normalises the field's values
// (sqlcatalog.BuildFormProbe), computes their masked forms and returns the
// needles matched.
func (s *Source) ProbeForms(ctx context.Context, u piimap.Unit, field string, q scanner.FormQuery) (scanner.FormAnswer, error) {
	schema, table, ok := SplitAsset(u.Loc.Name)
	if !ok {
		return scanner.FormAnswer{}, fmt.Errorf("duckdb: probe forms %s: not a schema.table name: %w", u.Loc.Name, piimap.ErrNotFound)
	}
	p, err := sqlcatalog.BuildFormProbe(sqlcatalog.DuckDB, q.Type, q.PhoneCC, QuoteTable(schema, table), QuoteIdent(field), q.Needles, "")
	if err != nil {
		return scanner.FormAnswer{}, fmt.Errorf("duckdb: probe forms %s.%s: %w", u.Loc.Name, field, err)
	}
	ans := scanner.FormAnswer{Unsupported: p.Unsupported}
	rows, err := s.db.QueryContext(ctx, p.Query, p.Args...)
	if err != nil {
		return scanner.FormAnswer{}, scanner.ScrubError(s.queryErr(ctx, "probe forms "+u.Loc.Name+"."+field, err))
	}
	defer rows.Close()
	if ans.Found, ans.Distinct, err = sqlcatalog.ReadFormRows(rows); err != nil {
		return scanner.FormAnswer{}, scanner.ScrubError(s.queryErr(ctx, "probe forms "+u.Loc.Name+"."+field, err))
	}
	return ans, nil
}
