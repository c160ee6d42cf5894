package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
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

// jsonCheck matches MariaDB's JSON alias: LONGTEXT CHECK (json_valid(`c`)).
var jsonCheck = regexp.MustCompile("(?i)^json_valid\\(`((?:[^`]|``)+)`\\)$")

// tables returns the catalog entries of the given assets, reading the ones
// not cached yet (three statements on MariaDB, two on MySQL). A missing
// table is ErrNotFound.
func (h *Handler) tables(ctx context.Context, assets ...string) (map[string]*table, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var pairs []any
	var ph []string
	seen := map[string]bool{}
	for _, a := range assets {
		if _, ok := h.cat[a]; ok || seen[a] {
			continue
		}
		seen[a] = true
		db, t, ok := smy.SplitAsset(a)
		if !ok {
			return nil, fmt.Errorf("mysql: %s/%s: asset is not db.table: %w", h.store, a, piimap.ErrConfig)
		}
		pairs = append(pairs, db, t)
		ph = append(ph, "(?, ?)")
	}
	if len(pairs) > 0 {
		if err := h.loadCatalog(ctx, strings.Join(ph, ", "), pairs); err != nil {
			return nil, smy.WrapError(ctx, h.store+": catalog", err)
		}
	}
	out := make(map[string]*table, len(assets))
	for _, a := range assets {
		t := h.cat[a]
		if t == nil {
			return nil, fmt.Errorf("mysql: %s/%s: no such table: %w", h.store, a, piimap.ErrNotFound)
		}
		out[a] = t
	}
	return out, nil
}

func (h *Handler) loadCatalog(ctx context.Context, in string, pairs []any) error {
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
		t := h.cat[a]
		if t == nil {
			t = &table{asset: a, quoted: smy.QuoteTable(db, name), cols: map[string]*column{}, parents: map[string]bool{}, view: view}
			h.cat[a] = t
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
		if t := h.cat[smy.Asset(cdb, ct)]; t != nil {
			t.parents[smy.Asset(pdb, pt)] = true
			if c := t.cols[cc]; c != nil {
				c.fk = true
			}
		}
		if t := h.cat[smy.Asset(pdb, pt)]; t != nil {
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
		if m := jsonCheck.FindStringSubmatch(strings.TrimSpace(clause)); m != nil {
			if t := h.cat[smy.Asset(db, name)]; t != nil {
				if c := t.cols[strings.ReplaceAll(m[1], "``", "`")]; c != nil {
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

// childrenFirst returns ts in an order where no table comes before a table
// that references it, keeping the given order wherever the catalog's
// foreign keys allow (a stable topological sort): a correct order from the
// planner comes back unchanged. Cycles keep the given order.
func childrenFirst(ts []executor.Target, cat map[string]*table) []executor.Target {
	n := len(ts)
	mustPrecede := make([][]int, n) // mustPrecede[j]: targets that wait for j
	indeg := make([]int, n)
	for i := range ts {
		for j := range ts {
			if i == j || ts[i].Asset == ts[j].Asset {
				continue
			}
			if cat[ts[j].Asset].parents[ts[i].Asset] && !cat[ts[i].Asset].parents[ts[j].Asset] {
				mustPrecede[j] = append(mustPrecede[j], i)
				indeg[i]++
			}
		}
	}
	out := make([]executor.Target, 0, n)
	done := make([]bool, n)
	for len(out) < n {
		pick := -1
		for i := 0; i < n && pick < 0; i++ {
			if !done[i] && indeg[i] == 0 {
				pick = i
			}
		}
		for i := 0; i < n && pick < 0; i++ { // a cycle: keep the given order
			if !done[i] {
				pick = i
			}
		}
		done[pick] = true
		out = append(out, ts[pick])
		for _, k := range mustPrecede[pick] {
			indeg[k]--
		}
	}
	return out
}

// CheckMode accepts delete always; null and mask only when the catalog
// shows the UPDATE can succeed (see clearPlan).
func (h *Handler) CheckMode(t executor.Target) error {
	switch t.Mode {
	case executor.ModeDelete, "":
		return nil
	case executor.ModeNull, executor.ModeMask:
	default:
		return fmt.Errorf("mysql: %s/%s: mode %s: %w", h.store, t.Asset, t.Mode, piimap.ErrUnsupported)
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.db.Config.StatementTimeout+h.db.Config.Driver.Timeout+time.Second)
	defer cancel()
	cat, err := h.tables(ctx, t.Asset)
	if err != nil {
		return err
	}
	if cat[t.Asset].view {
		return nil // nothing is written through a view
	}
	if _, _, err := clearPlan(cat[t.Asset], t); err != nil {
		return fmt.Errorf("mysql: %s/%s: mode %s: %w", h.store, t.Asset, t.Mode, err)
	}
	return nil
}

// SQLColumn methods: the catalog column as executor.ClearPlan sees it.
func (c *column) ColumnName() string { return c.name }
func (c *column) ColumnType() string { return c.colType }
func (c *column) MaxLen() int64      { return c.maxLen }
func (c *column) Nullable() bool     { return c.nullable }
func (c *column) PrimaryKey() bool   { return c.pk }
func (c *column) ForeignKey() bool   { return c.fk }
func (c *column) IsString() bool     { return c.isString() }

var _ executor.SQLColumn = (*column)(nil)

// clearPlan is executor.ClearPlan over this catalog's table.
func clearPlan(tb *table, t executor.Target) (tokens, nulls []*column, err error) {
	return executor.ClearPlan(tb.cols, t)
}
