package mysql

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/piimap/piimap/scanner"
	smy "github.com/piimap/piimap/scanner/mysql"
)

var _ driver.Purger = (*Handler)(nil)

// Purge removes the erased rows' bytes as the store's purge option says
// (StoreConfig.Purge):
//
//   - optimize: OPTIMIZE TABLE. InnoDB recreates the table (ALTER TABLE
//     ... FORCE) into a new .ibd file when the table has its own
//     tablespace (innodb_file_per_table): gone. MyISAM and Aria rebuild
//     their data file: gone. In InnoDB's shared system tablespace the old
//     pages are freed, not zeroed: exception. Other engines: exception.
//   - "" (not configured): pending without a date: InnoDB's purge thread
//     frees the deleted records' space, but the bytes stay in the pages
//     until new rows overwrite them.
//   - none, or an option MySQL has not: exception.
//
// Redo log, binary log, replicas and backups are not covered.
func (h *Handler) Purge(ctx context.Context, ts []driver.Target) ([]driver.PurgeReport, error) {
	switch h.purge {
	case scanner.PurgeOptimize:
	case "":
		return sqlkit.EachAsset(ts, driver.PurgePending, "no purge configured: the deleted records' space is freed by InnoDB's purge, bytes remain until the pages are reused (no date can be given; purge: optimize removes them)"), nil
	case scanner.PurgeNone:
		return sqlkit.EachAsset(ts, driver.PurgeException, "purge: none configured; the erased bytes stay in the table's pages until they are reused"), nil
	default:
		return sqlkit.EachAsset(ts, driver.PurgeException, fmt.Sprintf("purge option %q is not one MariaDB/MySQL supports (none, optimize); nothing was run", h.purge)), nil
	}
	if h.readOnly {
		return nil, fmt.Errorf("mysql: %s: purge: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	conn, err := h.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("mysql: %s: purge: %w", h.store, err)
	}
	defer conn.Close()
	if err := h.untimed(ctx, conn); err != nil {
		return nil, fmt.Errorf("mysql: %s: purge: %w", h.store, err)
	}
	defer h.retimed(ctx, conn)
	var perTable bool
	h.stmts.Add(1)
	if err := conn.QueryRowContext(ctx, "SELECT @@innodb_file_per_table").Scan(&perTable); err != nil {
		perTable = false
	}
	var out []driver.PurgeReport
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t.Asset] {
			continue
		}
		seen[t.Asset] = true
		out = append(out, h.optimize(ctx, conn, t.Asset, perTable))
	}
	return out, nil
}

func (h *Handler) optimize(ctx context.Context, conn *sql.Conn, asset string, perTable bool) driver.PurgeReport {
	fail := func(why string) driver.PurgeReport {
		return driver.PurgeReport{Asset: asset, State: driver.PurgeException, Detail: "purge: " + why}
	}
	db, name, ok := smy.SplitAsset(asset)
	if !ok {
		return fail("asset is not db.table")
	}
	var engine sql.NullString
	h.stmts.Add(1)
	if err := conn.QueryRowContext(ctx, "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, name).Scan(&engine); err != nil {
		return fail("cannot read the table's engine: " + scanner.ScrubError(err).Error())
	}
	eng := strings.ToLower(engine.String)
	switch eng {
	case "innodb", "myisam", "aria":
	default:
		return fail(fmt.Sprintf("OPTIMIZE TABLE is not run on engine %q: piimap cannot say it rewrites the data", engine.String))
	}
	h.stmts.Add(1)
	rows, err := conn.QueryContext(ctx, "OPTIMIZE TABLE "+smy.QuoteTable(db, name))
	if err != nil {
		return fail("OPTIMIZE TABLE failed, the erased bytes stay until it runs: " + scanner.ScrubError(err).Error())
	}
	var msgs []string
	okStatus := false
	for rows.Next() {
		var tb, op, typ, text sql.NullString
		if err := rows.Scan(&tb, &op, &typ, &text); err != nil {
			rows.Close()
			return fail("OPTIMIZE TABLE: " + err.Error())
		}
		switch strings.ToLower(typ.String) {
		case "error":
			msgs = append(msgs, text.String)
		case "status":
			if strings.EqualFold(text.String, "OK") {
				okStatus = true
			} else {
				msgs = append(msgs, text.String)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail("OPTIMIZE TABLE: " + scanner.ScrubError(err).Error())
	}
	if !okStatus || len(msgs) > 0 {
		return fail("OPTIMIZE TABLE did not finish, the erased bytes stay until it runs: " + strings.Join(msgs, "; "))
	}
	if eng == "innodb" && !perTable {
		return fail("OPTIMIZE TABLE recreated the table, but innodb_file_per_table is off: the old pages in the shared system tablespace are freed, not zeroed")
	}
	detail := "OPTIMIZE TABLE rebuilt the " + engine.String + " data file (redo/binary logs, replicas and backups not covered)"
	if eng == "innodb" {
		detail = "OPTIMIZE TABLE recreated the InnoDB table into a new .ibd file (redo/binary logs, replicas and backups not covered)"
	}
	return driver.PurgeReport{Asset: asset, State: driver.PurgeGone, Detail: detail}
}

// untimed lifts the session's statement timeout for OPTIMIZE TABLE (it
// may take long) and keeps the configured lock wait.
func (h *Handler) untimed(ctx context.Context, conn *sql.Conn) error {
	lock := strconv.FormatInt(max(1, int64(math.Ceil(h.db.Config.LockTimeout.Seconds()))), 10)
	set := "SET SESSION max_execution_time = 0"
	if h.db.MariaDB {
		set = "SET SESSION max_statement_time = 0"
	}
	h.stmts.Add(1)
	_, err := conn.ExecContext(ctx, set+", lock_wait_timeout = "+lock)
	return err
}

// retimed restores the configured statement timeout on the session before
// it goes back to the pool.
func (h *Handler) retimed(ctx context.Context, conn *sql.Conn) {
	set := "SET SESSION max_execution_time = " + strconv.FormatInt(h.db.Config.StatementTimeout.Milliseconds(), 10)
	if h.db.MariaDB {
		set = "SET SESSION max_statement_time = " + strconv.FormatFloat(h.db.Config.StatementTimeout.Seconds(), 'f', 3, 64)
	}
	h.stmts.Add(1)
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), set); err != nil {
		// sqldriver.ErrBadConn makes database/sql drop the session rather
		// than pool it without its timeout.
		_ = conn.Raw(func(any) error { return sqldriver.ErrBadConn })
	}
}
