package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
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
	h.mu.Lock()
	defer h.mu.Unlock()
	var schemas, names []string
	seen := map[string]bool{}
	for _, a := range assets {
		if _, ok := h.cat[a]; ok || seen[a] {
			continue
		}
		seen[a] = true
		s, t, ok := spg.SplitAsset(a)
		if !ok {
			return nil, fmt.Errorf("postgres: %s/%s: asset is not schema.table: %w", h.store, a, piimap.ErrConfig)
		}
		schemas, names = append(schemas, s), append(names, t)
	}
	if len(schemas) > 0 {
		if err := h.loadCatalog(ctx, schemas, names); err != nil {
			return nil, err
		}
	}
	out := make(map[string]*table, len(assets))
	for _, a := range assets {
		t := h.cat[a]
		if t == nil {
			return nil, fmt.Errorf("postgres: %s/%s: no such table: %w", h.store, a, piimap.ErrNotFound)
		}
		out[a] = t
	}
	return out, nil
}

func (h *Handler) loadCatalog(ctx context.Context, schemas, names []string) error {
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
		t := h.cat[a]
		if t == nil {
			t = &table{asset: a, quoted: spg.QuoteTable(schema, rel), cols: map[string]*column{}, parents: map[string]bool{},
				view: kind == "v" || kind == "m", matview: kind == "m"}
			h.cat[a] = t
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
		if t := h.cat[spg.Asset(cs, ct)]; t != nil {
			t.parents[spg.Asset(ps, pt)] = true
		}
	}
	return spg.WrapError(ctx, h.store+": foreign keys", rows.Err())
}

// childrenFirst returns ts in an order where no table comes before a table
// that references it. The given order is kept wherever the catalog's
// foreign keys allow it (a stable topological sort), so a correct order
// from the planner is returned unchanged. Self-references and cycles are
// left in the given order: one statement deletes a self-referencing set.
func childrenFirst(ts []executor.Target, cat map[string]*table) []executor.Target {
	n := len(ts)
	// before[i][j]: target j must run before target i (j references i).
	mustPrecede := make([][]int, n)
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
		for i := 0; i < n; i++ {
			if !done[i] && indeg[i] == 0 {
				pick = i
				break
			}
		}
		if pick < 0 { // a cycle through several tables: keep the given order
			for i := 0; i < n; i++ {
				if !done[i] {
					pick = i
					break
				}
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
// shows the UPDATE can succeed: every column they rewrite is a top-level
// column, no primary-key column is rewritten, a column set to NULL is
// nullable, a string column masked with a token is not part of a foreign key
// (the parent and child would disagree half-way) and can hold a token.
func (h *Handler) CheckMode(t executor.Target) error {
	switch t.Mode {
	case executor.ModeDelete, "":
		return nil
	case executor.ModeNull, executor.ModeMask:
	default:
		return fmt.Errorf("postgres: %s/%s: mode %s: %w", h.store, t.Asset, t.Mode, piimap.ErrUnsupported)
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.StatementTimeout+h.cfg.Pool.ConnConfig.ConnectTimeout)
	defer cancel()
	cat, err := h.tables(ctx, t.Asset)
	if err != nil {
		return err
	}
	if cat[t.Asset].view {
		return nil // nothing is written through a view
	}
	_, _, err = clearPlan(cat[t.Asset], t)
	if err != nil {
		return fmt.Errorf("postgres: %s/%s: mode %s: %w", h.store, t.Asset, t.Mode, err)
	}
	return nil
}

// SQLColumn methods: the catalog column as executor.ClearPlan sees it.
func (c *column) ColumnName() string { return c.name }
func (c *column) ColumnType() string { return c.typ }
func (c *column) MaxLen() int64      { return int64(c.maxLen) }
func (c *column) Nullable() bool     { return !c.notNull }
func (c *column) PrimaryKey() bool   { return c.pk }
func (c *column) ForeignKey() bool   { return c.fk }
func (c *column) IsString() bool     { return c.isString() }

var _ executor.SQLColumn = (*column)(nil)

// clearPlan is executor.ClearPlan over this catalog's table.
func clearPlan(tb *table, t executor.Target) (tokens, nulls []*column, err error) {
	return executor.ClearPlan(tb.cols, t)
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
