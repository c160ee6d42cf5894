package postgres

import (
	"context"
	"sort"
	"strings"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	spg "github.com/piimap/piimap/scanner/postgres"
)

// column is what the handler needs to know about one column.
type column struct {
	name     string
	typ      string // format_type: "character varying(40)", "bigint", …
	category byte   // pg_type.typcategory: 'S' string, 'N' numeric, 'U' user (json, uuid, …)
	typname  string // pg_type.typname of the base type: int4, uuid, jsonb, …
	maxLen   int    // declared length of varchar/char, 0 if unbounded
	notNull  bool
	pk       bool
	fk       bool // part of a foreign key, as child or as parent
}

func (c *column) isString() bool { return c.category == 'S' }
func (c *column) isJSON() bool   { return c.typname == "json" || c.typname == "jsonb" }
func (c *column) isInt() bool {
	return c.typname == "int2" || c.typname == "int4" || c.typname == "int8"
}

// table is one relation of the catalog.
type table struct {
	asset   string
	quoted  string
	cols    map[string]*column
	parents map[string]bool // assets this table references through a foreign key
	view    bool            // a view or materialized view: erased through its base tables
	matview bool            // a materialized view: refreshed by Recompute
}

const columnsQuery = `
SELECT n.nspname, c.relname, c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod),
       bt.typcategory, bt.typname,
       CASE WHEN a.atttypmod > 4 AND bt.typname IN ('varchar', 'bpchar') THEN a.atttypmod - 4 ELSE 0 END,
       a.attnotnull,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey)),
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f'
                  AND ((k.conrelid = c.oid AND a.attnum = ANY (k.conkey)) OR (k.confrelid = c.oid AND a.attnum = ANY (k.confkey))))
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`

const parentsQuery = `
SELECT cn.nspname, cc.relname, pn.nspname, pc.relname
  FROM pg_constraint k
  JOIN pg_class cc ON cc.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
  JOIN pg_class pc ON pc.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
 WHERE k.contype = 'f' AND (cn.nspname, cc.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`

// tables returns the catalog entries of the given assets, reading the ones
// not cached yet in two statements. A missing table is ErrNotFound.
func (h *Handler) tables(ctx context.Context, assets ...string) (map[string]*table, error) {
	return h.cat.Tables(ctx, assets...)
}

func (h *Handler) loadCatalog(ctx context.Context, entries map[string]*table, schemas, names []string) error {
	h.stmts.Add(1)
	rows, err := h.pool.Query(ctx, columnsQuery, schemas, names)
	if err != nil {
		return spg.WrapError(ctx, h.store+": catalog", err)
	}
	for rows.Next() {
		var schema, rel, kind string
		c := &column{}
		var cat string
		if err := rows.Scan(&schema, &rel, &kind, &c.name, &c.typ, &cat, &c.typname, &c.maxLen, &c.notNull, &c.pk, &c.fk); err != nil {
			rows.Close()
			return spg.WrapError(ctx, h.store+": catalog", err)
		}
		if cat != "" {
			c.category = cat[0]
		}
		a := spg.Asset(schema, rel)
		t := entries[a]
		if t == nil {
			t = &table{asset: a, quoted: spg.QuoteTable(schema, rel), cols: map[string]*column{}, parents: map[string]bool{},
				view: kind == "v" || kind == "m", matview: kind == "m"}
			entries[a] = t
		}
		t.cols[c.name] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return spg.WrapError(ctx, h.store+": catalog", err)
	}
	h.stmts.Add(1)
	rows, err = h.pool.Query(ctx, parentsQuery, schemas, names)
	if err != nil {
		return spg.WrapError(ctx, h.store+": foreign keys", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cs, ct, ps, pt string
		if err := rows.Scan(&cs, &ct, &ps, &pt); err != nil {
			return spg.WrapError(ctx, h.store+": foreign keys", err)
		}
		if t := entries[spg.Asset(cs, ct)]; t != nil {
			t.parents[spg.Asset(ps, pt)] = true
		}
	}
	return spg.WrapError(ctx, h.store+": foreign keys", rows.Err())
}

// load reads the catalog entries of the given assets (Erase's one
// catalog read for every target).
func (h *Handler) load(ctx context.Context, assets ...string) error {
	_, err := h.tables(ctx, assets...)
	return err
}

// CheckMode accepts delete always; null and mask only when the catalog
// shows the UPDATE can succeed: every column they rewrite is a top-level
// column, no primary-key column is rewritten, a column set to NULL is
// nullable, a string column masked with a token is not part of a foreign key
// (the parent and child would disagree half-way) and can hold a token.
func (h *Handler) CheckMode(t driver.Target) error {
	timeout := h.cfg.StatementTimeout + h.cfg.Pool.ConnConfig.ConnectTimeout
	return sqlkit.CheckMode(Kind, h.store, t, timeout, func(ctx context.Context) error {
		return sqlkit.CheckCatalog(ctx, Kind, h.store, t, h.tables, (*table).isView, checkClear)
	})
}

// SQLColumn methods: the catalog column as driver.ClearPlan sees it.
func (c *column) ColumnName() string { return c.name }
func (c *column) ColumnType() string { return c.typ }
func (c *column) MaxLen() int64      { return int64(c.maxLen) }
func (c *column) Nullable() bool     { return !c.notNull }
func (c *column) PrimaryKey() bool   { return c.pk }
func (c *column) ForeignKey() bool   { return c.fk }
func (c *column) IsString() bool     { return c.isString() }

var _ driver.SQLColumn = (*column)(nil)

// clearPlan is driver.ClearPlan over this catalog's table.
func clearPlan(tb *table, t driver.Target) (tokens, nulls []*column, err error) {
	return driver.ClearPlan(tb.cols, t)
}

// columnNames lists a table's columns, sorted (stable output for tests).
func (tb *table) columnNames() []string {
	out := make([]string, 0, len(tb.cols))
	for n := range tb.cols {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// jsonPath splits a dotted field into a JSON column and the path inside it
// when the field is not a column itself.
func (tb *table) jsonPath(field string) (*column, []string, bool) {
	if !strings.Contains(field, ".") {
		return nil, nil, false
	}
	parts := strings.Split(field, ".")
	c := tb.cols[parts[0]]
	if c == nil || !c.isJSON() {
		return nil, nil, false
	}
	return c, parts[1:], true
}

func (tb *table) isView() bool { return tb.view }

// checkClear is clearPlan's verdict alone.
func checkClear(tb *table, t driver.Target) error {
	_, _, err := clearPlan(tb, t)
	return err
}
