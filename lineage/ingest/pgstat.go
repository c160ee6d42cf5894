package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/piimap/piimap"
)

// Querier runs a query: *sql.DB, *sql.Conn and *sql.Tx implement it.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ReadPGStatStatements reads the statements pg_stat_statements has seen in
// the current database of q (a connection to the configured postgres store
// named store) and keeps those that create lineage, as ReadPostgresLog
// does: the view already replaces constants with $n, and every statement
// still goes through sqlextract.MaskLiterals before it is kept. Rows the
// role may not read ("<insufficient privilege>") count as dropped.
//
// When the extension is not installed in the database, or is installed but
// not loaded through shared_preload_libraries, the error wraps
// piimap.ErrUnsupported and says what to do. The caller should run q
// read-only (a read-only transaction or default_transaction_read_only).
func ReadPGStatStatements(ctx context.Context, q Querier, store string) (*Source, error) {
	var schema string
	err := queryRow(ctx, q, `SELECT n.nspname FROM pg_catalog.pg_extension e
		JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`, &schema)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("ingest: pg_stat_statements of store %s: the extension is not installed in this database "+
			"(add pg_stat_statements to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements): %w",
			store, piimap.ErrUnsupported)
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: pg_stat_statements of store %s: %w", store, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT s.query FROM `+quoteIdent(schema)+`.pg_stat_statements s
		WHERE s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
		ORDER BY s.queryid, s.userid`)
	if err != nil {
		if strings.Contains(err.Error(), "shared_preload_libraries") {
			return nil, fmt.Errorf("ingest: pg_stat_statements of store %s: the extension is installed but not loaded "+
				"(add it to shared_preload_libraries and restart the server): %w", store, piimap.ErrUnsupported)
		}
		return nil, fmt.Errorf("ingest: pg_stat_statements of store %s: %w", store, err)
	}
	defer rows.Close()
	acc := newStatementSet()
	for rows.Next() {
		var text sql.NullString
		if err := rows.Scan(&text); err != nil {
			return nil, fmt.Errorf("ingest: pg_stat_statements of store %s: %w", store, err)
		}
		if !text.Valid || text.String == "<insufficient privilege>" {
			acc.st.Read++
			acc.st.Dropped++
			continue
		}
		acc.add(text.String, "")
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ingest: pg_stat_statements of store %s: %w", store, err)
	}
	return &Source{Kind: KindPGStat, Name: "store " + store, Store: store, Statements: acc.kept, Stats: acc.st}, nil
}

func queryRow(ctx context.Context, q Querier, query string, dst any) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dst); err != nil {
		return err
	}
	return rows.Close()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
