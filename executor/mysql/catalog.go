package mysql

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	smy "github.com/piimap/piimap/scanner/mysql"
)

// column is what the handler needs to know about one column.
type column struct {
	name     string
	dataType string // information_schema DATA_TYPE, lower-case: int, varchar, json, …
	colType  string // COLUMN_TYPE: "varchar(40)", "int(11) unsigned", …
	maxLen   int64  // CHARACTER_MAXIMUM_LENGTH, 0 if none
	nullable bool
	pk       bool
	fk       bool // part of a foreign key, as child or as parent
	json     bool // JSON, or MariaDB's LONGTEXT CHECK (json_valid(col))
}

func (c *column) isString() bool {
	switch c.dataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return !c.json
	}
	return false
}

func (c *column) isInt() bool {
	switch c.dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return !strings.HasPrefix(c.colType, "tinyint(1)") // BOOLEAN
	}
	return false
}

func (c *column) isNumber() bool {
	switch c.dataType {
	case "decimal", "float", "double", "real":
		return true
	}
	return c.isInt()
}

// table is one table of the catalog.
type table struct {
	asset   string
	quoted  string
	cols    map[string]*column
	parents map[string]bool // assets this table references through a foreign key
	view    bool            // a view: erased through its base tables
}

// tables returns the catalog entries of the given assets, reading the ones
// not cached yet (three statements on MariaDB, two on MySQL). A missing
// table is ErrNotFound.
func (h *Handler) tables(ctx context.Context, assets ...string) (map[string]*table, error) {
	return h.cat.Tables(ctx, assets...)
}

// loadTables reads the catalog entries of the given tables into cat.
func (h *Handler) loadTables(ctx context.Context, cat map[string]*table, dbs, names []string) error {
	pairs := make([]any, 0, 2*len(dbs))
	ph := make([]string, len(dbs))
	for i := range dbs {
		pairs = append(pairs, dbs[i], names[i])
		ph[i] = "(?, ?)"
	}
	return smy.WrapError(ctx, h.store+": catalog", h.loadCatalog(ctx, cat, strings.Join(ph, ", "), pairs))
}

func (h *Handler) loadCatalog(ctx context.Context, entries map[string]*table, in string, pairs []any) error {
	rows, err := h.query(ctx, h.db, `
SELECT c.TABLE_SCHEMA, c.TABLE_NAME, t.TABLE_TYPE = 'VIEW', c.COLUMN_NAME, LOWER(c.DATA_TYPE), LOWER(c.COLUMN_TYPE),
       COALESCE(c.CHARACTER_MAXIMUM_LENGTH, 0), c.IS_NULLABLE = 'YES', c.COLUMN_KEY = 'PRI'
  FROM information_schema.COLUMNS c
  JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
 WHERE (c.TABLE_SCHEMA, c.TABLE_NAME) IN (`+in+`)`, pairs...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var db, name string
		var view bool
		c := &column{}
		if err := rows.Scan(&db, &name, &view, &c.name, &c.dataType, &c.colType, &c.maxLen, &c.nullable, &c.pk); err != nil {
			rows.Close()
			return err
		}
		c.json = c.dataType == "json"
		a := smy.Asset(db, name)
		t := entries[a]
		if t == nil {
			t = &table{asset: a, quoted: smy.QuoteTable(db, name), cols: map[string]*column{}, parents: map[string]bool{}, view: view}
			entries[a] = t
		}
		t.cols[c.name] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = h.query(ctx, h.db, `
SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
  FROM information_schema.KEY_COLUMN_USAGE
 WHERE REFERENCED_TABLE_NAME IS NOT NULL
   AND ((TABLE_SCHEMA, TABLE_NAME) IN (`+in+`) OR (REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME) IN (`+in+`))`,
		append(append([]any{}, pairs...), pairs...)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var cdb, ct, cc, pdb, pt, pc string
		if err := rows.Scan(&cdb, &ct, &cc, &pdb, &pt, &pc); err != nil {
			rows.Close()
			return err
		}
		if t := entries[smy.Asset(cdb, ct)]; t != nil {
			t.parents[smy.Asset(pdb, pt)] = true
			if c := t.cols[cc]; c != nil {
				c.fk = true
			}
		}
		if t := entries[smy.Asset(pdb, pt)]; t != nil {
			if c := t.cols[pc]; c != nil {
				c.fk = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if !h.db.MariaDB {
		return nil
	}
	rows, err = h.query(ctx, h.db, `SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
 WHERE (CONSTRAINT_SCHEMA, TABLE_NAME) IN (`+in+`)`, pairs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var db, name, clause string
		if err := rows.Scan(&db, &name, &clause); err != nil {
			return err
		}
		if col, ok := smy.JSONCheckColumn(clause); ok {
			if t := entries[smy.Asset(db, name)]; t != nil {
				if c := t.cols[col]; c != nil {
					c.json = true
				}
			}
		}
	}
	return rows.Err()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (h *Handler) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	h.stmts.Add(1)
	return q.QueryContext(ctx, query, args...)
}

// load reads the catalog entries of the given assets (Erase's one
// catalog read for every target).
func (h *Handler) load(ctx context.Context, assets ...string) error {
	_, err := h.tables(ctx, assets...)
	return err
}

// CheckMode accepts delete always; null and mask only when the catalog
// shows the UPDATE can succeed (see clearPlan).
func (h *Handler) CheckMode(t driver.Target) error {
	timeout := h.db.Config.StatementTimeout + h.db.Config.Driver.Timeout + time.Second
	return sqlkit.CheckMode(Kind, h.store, t, timeout, func(ctx context.Context) error {
		return sqlkit.CheckCatalog(ctx, Kind, h.store, t, h.tables, (*table).isView, checkClear)
	})
}

// SQLColumn methods: the catalog column as driver.ClearPlan sees it.
func (c *column) ColumnName() string { return c.name }
func (c *column) ColumnType() string { return c.colType }
func (c *column) MaxLen() int64      { return c.maxLen }
func (c *column) Nullable() bool     { return c.nullable }
func (c *column) PrimaryKey() bool   { return c.pk }
func (c *column) ForeignKey() bool   { return c.fk }
func (c *column) IsString() bool     { return c.isString() }

var _ driver.SQLColumn = (*column)(nil)

// clearPlan is driver.ClearPlan over this catalog's table.
func clearPlan(tb *table, t driver.Target) (tokens, nulls []*column, err error) {
	return driver.ClearPlan(tb.cols, t)
}

func (tb *table) isView() bool { return tb.view }

// checkClear is clearPlan's verdict alone.
func checkClear(tb *table, t driver.Target) error {
	_, _, err := clearPlan(tb, t)
	return err
}
