package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/executor/sqlkit/duckdbsql"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

var _ driver.Purger = (*Handler)(nil)

// purgeAlias is the name the fresh copy is attached under while Purge
// fills it.
const purgeAlias = "piimap_purge"

// Purge rewrites the database file so that the erased rows' bytes are no
// longer in it. DuckDB keeps a deleted row in its block (a deletion mark)
// and does not zero freed blocks: CHECKPOINT, FORCE CHECKPOINT and VACUUM
// all leave the bytes in the file (measured on DuckDB 1.1). So Purge copies
// the live database into a fresh file (EXPORT DATABASE, IMPORT DATABASE), checks that
// the copy holds the same tables, views, indexes, sequences, constraints
// and row counts, closes the database, atomically replaces the file with
// the copy and reopens it. Every target of the store shares the result.
func (h *Handler) Purge(ctx context.Context, ts []driver.Target) ([]driver.PurgeReport, error) {
	var how string
	err := h.rewrite(ctx, &how)
	state, detail := driver.PurgeGone, "database file rewritten ("+how+" into a fresh file, atomically replaced); the old file is unlinked (freed disk blocks, snapshots and backups not covered)"
	if err != nil {
		var ex *purgeException
		if !errors.As(err, &ex) {
			return nil, err
		}
		state, detail = driver.PurgeException, ex.why
	}
	return sqlkit.EachAsset(ts, state, detail), nil
}

// purgeException is a reason the bytes stay that is not a failure of the
// store: the report says it, and Purge returns no error.
type purgeException struct{ why string }

func (e *purgeException) Error() string { return e.why }

func exception(format string, a ...any) error {
	return &purgeException{why: fmt.Sprintf(format, a...)}
}

func (h *Handler) rewrite(ctx context.Context, how *string) (err error) {
	if h.readOnly {
		return fmt.Errorf("duckdb: %s: purge: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	if h.url == "" {
		return exception("the handler wraps a database it did not open, so it cannot close and replace the file; erased bytes may remain in free or marked blocks")
	}
	conn, err := h.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("duckdb: %s: purge: %w", h.store, err)
	}
	defer conn.Close()
	var cur, path string
	if err := conn.QueryRowContext(ctx, "SELECT database_name, coalesce(path, '') FROM duckdb_databases() WHERE database_name = current_database()").Scan(&cur, &path); err != nil {
		return fmt.Errorf("duckdb: %s: purge: %w", h.store, err)
	}
	if path == "" || path == ":memory:" {
		return exception("in-memory database: nothing on disk to rewrite")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("duckdb: %s: purge: %w", h.store, err)
	}
	tmp := abs + ".piimap-purge"
	removeCopy := func() {
		_ = os.Remove(tmp)
		_ = os.Remove(tmp + ".wal")
	}
	removeCopy()
	attached := false
	defer func() {
		if attached {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "DETACH "+purgeAlias)
		}
		if attached || err != nil {
			removeCopy()
		}
	}()
	// COPY FROM DATABASE is not used: on DuckDB 1.1 it refuses tables
	// whose default calls a sequence, and the copy's indexes missed rows.
	attached = true // from the ATTACH in exportImport on; DETACH is harmless before
	if err = exportImport(ctx, conn, cur, abs, tmp); err != nil {
		var ex *purgeException
		if errors.As(err, &ex) {
			return err
		}
		return fmt.Errorf("duckdb: %s: purge: %w", h.store, err)
	}
	*how = "EXPORT DATABASE / IMPORT DATABASE"
	if err = sameContent(ctx, conn, cur, purgeAlias); err != nil {
		var ex *purgeException
		if errors.As(err, &ex) {
			return err
		}
		return fmt.Errorf("duckdb: %s: purge: compare the copy: %w", h.store, err)
	}
	if _, err = conn.ExecContext(ctx, "DETACH "+purgeAlias); err != nil {
		return fmt.Errorf("duckdb: %s: purge: detach the copy: %w", h.store, err)
	}
	attached = false
	if _, err = conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		removeCopy()
		return fmt.Errorf("duckdb: %s: purge: checkpoint: %w", h.store, err)
	}
	conn.Close()
	if err = h.db.Close(); err != nil {
		removeCopy()
		return fmt.Errorf("duckdb: %s: purge: close: %w", h.store, err)
	}
	// From here the handler's database is closed: reopen it whatever happens.
	defer func() {
		db, oerr := sduck.Open(context.WithoutCancel(ctx), h.url, false)
		if oerr != nil {
			err = errors.Join(err, fmt.Errorf("duckdb: %s: purge: reopen: %w", h.store, oerr))
			return
		}
		h.db = db
	}()
	if _, serr := os.Stat(abs + ".wal"); !errors.Is(serr, fs.ErrNotExist) {
		removeCopy()
		return exception("the database left a write-ahead log after closing; the file was not replaced and erased bytes may remain")
	}
	if _, serr := os.Stat(tmp + ".wal"); !errors.Is(serr, fs.ErrNotExist) {
		removeCopy()
		return exception("the copy left a write-ahead log; the file was not replaced and erased bytes may remain")
	}
	if err = syncFile(tmp); err != nil {
		removeCopy()
		return fmt.Errorf("duckdb: %s: purge: sync the copy: %w", h.store, err)
	}
	if err = os.Rename(tmp, abs); err != nil {
		removeCopy()
		return fmt.Errorf("duckdb: %s: purge: replace: %w", h.store, err)
	}
	if d, derr := os.Open(filepath.Dir(abs)); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func syncFile(p string) error {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sameContent checks that the copy b holds what a holds: the same catalog
// entries and, table by table, the same number of rows.
func sameContent(ctx context.Context, conn *sql.Conn, a, b string) error {
	for _, q := range []struct{ what, sql string }{
		{"tables", "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND NOT internal"},
		{"views", "SELECT count(*) FROM duckdb_views() WHERE database_name = ? AND NOT internal"},
		{"indexes", "SELECT count(*) FROM duckdb_indexes() WHERE database_name = ?"},
		{"sequences", "SELECT count(*) FROM duckdb_sequences() WHERE database_name = ?"},
		{"constraints", "SELECT count(*) FROM duckdb_constraints() WHERE database_name = ?"},
		{"sequence values", "SELECT coalesce(sum(hash(schema_name, sequence_name, last_value))::VARCHAR, '') FROM duckdb_sequences() WHERE database_name = ?"},
	} {
		var na, nb string
		if err := conn.QueryRowContext(ctx, q.sql, a).Scan(&na); err != nil {
			return err
		}
		if err := conn.QueryRowContext(ctx, q.sql, b).Scan(&nb); err != nil {
			return err
		}
		if na != nb {
			return exception("the rewritten copy differs in its %s, so the file was not replaced; erased bytes may remain", q.what)
		}
	}
	rows, err := conn.QueryContext(ctx, "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? AND NOT internal ORDER BY 1, 2", a)
	if err != nil {
		return err
	}
	var tables [][2]string
	for rows.Next() {
		var s, t string
		if err := rows.Scan(&s, &t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, [2]string{s, t})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, st := range tables {
		rel := sduck.QuoteTable(st[0], st[1])
		var na, nb int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+sduck.QuoteIdent(a)+"."+rel).Scan(&na); err != nil {
			return err
		}
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+sduck.QuoteIdent(b)+"."+rel).Scan(&nb); err != nil {
			return exception("the rewritten copy lacks a table (%v), so the file was not replaced; erased bytes may remain", err)
		}
		if na != nb {
			return exception("the rewritten copy differs in a table's row count, so the file was not replaced; erased bytes may remain")
		}
	}
	return nil
}

// exportImport fills the fresh file tmp from the current database cur by
// EXPORT DATABASE into a private directory next to the database (it holds
// the remaining rows only, never the erased ones, and is removed) and
// IMPORT DATABASE with the fresh file attached as the current database.
// It leaves tmp attached as purgeAlias and cur current.
func exportImport(ctx context.Context, conn *sql.Conn, cur, abs, tmp string) (err error) {
	prefix := "." + filepath.Base(abs) + ".piimap-purge-export-"
	// An earlier purge that crashed may have left its directory.
	if stale, _ := filepath.Glob(filepath.Join(filepath.Dir(abs), prefix+"*")); len(stale) > 0 {
		for _, d := range stale {
			_ = os.RemoveAll(d)
		}
	}
	dir, err := os.MkdirTemp(filepath.Dir(abs), prefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if _, err := conn.ExecContext(ctx, "EXPORT DATABASE "+duckdbsql.QuoteLiteral(dir)+" (FORMAT PARQUET)"); err != nil {
		return exception("EXPORT DATABASE failed (%v); the file was not rewritten and erased bytes may remain", err)
	}
	if _, err := conn.ExecContext(ctx, "ATTACH "+duckdbsql.QuoteLiteral(tmp)+" AS "+purgeAlias); err != nil {
		return fmt.Errorf("attach the copy: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "USE "+purgeAlias); err != nil {
		return fmt.Errorf("use the copy: %w", err)
	}
	_, ierr := conn.ExecContext(ctx, "IMPORT DATABASE "+duckdbsql.QuoteLiteral(dir))
	if ierr != nil {
		ierr = exception("IMPORT DATABASE failed (%v); the file was not rewritten and erased bytes may remain", ierr)
	} else {
		// With the copy current: DuckDB 1.1 fails nextval on another catalog.
		ierr = advanceSequences(ctx, conn, cur)
	}
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), "USE "+sduck.QuoteIdent(cur)); err != nil {
		return errors.Join(ierr, fmt.Errorf("use the database again: %w", err))
	}
	return ierr
}

// maxAdvance bounds the nextval calls that bring one imported sequence to
// the original's value.
const maxAdvance = 50_000_000

// advanceSequences brings every sequence of the copy to the original's
// last value: IMPORT DATABASE recreates them at their start.
func advanceSequences(ctx context.Context, conn *sql.Conn, cur string) error {
	rows, err := conn.QueryContext(ctx, `SELECT a.schema_name, a.sequence_name, a.last_value, b.last_value, b.start_value, b.increment_by
		FROM duckdb_sequences() a JOIN duckdb_sequences() b USING (schema_name, sequence_name)
		WHERE a.database_name = ? AND b.database_name = ? AND a.last_value IS NOT NULL AND b.last_value IS DISTINCT FROM a.last_value`, cur, purgeAlias)
	if err != nil {
		return err
	}
	type seq struct {
		schema, name string
		n            int64
	}
	var todo []seq
	for rows.Next() {
		var s seq
		var want int64
		var have sql.NullInt64
		var start, inc int64
		if err := rows.Scan(&s.schema, &s.name, &want, &have, &start, &inc); err != nil {
			rows.Close()
			return err
		}
		from := start - inc
		if have.Valid {
			from = have.Int64
		}
		if inc == 0 || (want-from)%inc != 0 || (want-from)/inc <= 0 || (want-from)/inc > maxAdvance {
			rows.Close()
			return exception("a sequence cannot be brought to its value in the rewritten copy, so the file was not replaced; erased bytes may remain")
		}
		s.n = (want - from) / inc
		todo = append(todo, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range todo {
		name := duckdbsql.QuoteLiteral(sduck.QuoteTable(s.schema, s.name))
		if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION; CREATE TEMP TABLE piimap_purge_advance AS SELECT max(nextval("+name+")) AS v FROM range("+fmt.Sprint(s.n)+"); DROP TABLE piimap_purge_advance; COMMIT"); err != nil {
			return fmt.Errorf("advance a sequence: %w", err)
		}
	}
	return nil
}
