package sqlextract

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Column names a column of a relation. Table is as written in the SQL
// with unquoted identifiers folded to lower case ("analytics.customers");
// Namespace is set only by sources that name datasets OpenLineage-style.
type Column struct {
	Namespace string `json:"namespace,omitempty"`
	Table     string `json:"table"`
	Column    string `json:"column"`
}

func (c Column) String() string {
	if c.Namespace != "" {
		return c.Namespace + "/" + c.Table + "." + c.Column
	}
	return c.Table + "." + c.Column
}

// ColumnEdge says that Target's values come from Source: as is
// (identity), computed from it (transformation) or masked (hashed,
// truncated, redacted). For a plain SELECT, Target.Table is "".
type ColumnEdge struct {
	Target    Column `json:"target"`
	Source    Column `json:"source"`
	Transform string `json:"transform"` // lineage.TransformIdentity | TransformTransformation | TransformMasked
	// Functions lists the functions applied between source and target,
	// outermost first ("md5", "lower").
	Functions []string `json:"functions,omitempty"`
}

// TableEdge is table-level lineage: Target is built from Source (their
// Column fields are empty).
type TableEdge struct {
	Target Column `json:"target"`
	Source Column `json:"source"`
}

// Result is the lineage found in some SQL text.
type Result struct {
	Statements int          `json:"statements"`
	Columns    []ColumnEdge `json:"columns"`
	Tables     []TableEdge  `json:"tables"`
	// Reads lists every table a statement reads, targets or not (a query
	// log's SELECTs show who reads PII columns).
	Reads []string `json:"reads"`
	// Unresolved lists column references that could not be tied to one
	// table (ambiguous without a schema, or unknown), as "target ← ref".
	Unresolved []string `json:"unresolved,omitempty"`
}

// Schema maps a table ("schema.table", or "table") to its columns in
// order. It resolves unqualified columns when several tables are in scope
// and expands stars. Lookups fold case and try the longest qualified name
// first, then the bare table name.
type Schema map[string][]string

func (s Schema) columns(rel relName) ([]string, bool) {
	for _, k := range rel.candidates() {
		for t, cols := range s {
			if strings.EqualFold(t, k) {
				return cols, true
			}
		}
	}
	return nil, false
}

// relName is a possibly qualified table name.
type relName struct{ catalog, schema, name string }

func (r relName) String() string {
	parts := []string{}
	for _, p := range []string{r.catalog, r.schema, r.name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

func (r relName) candidates() []string {
	out := []string{r.String()}
	if r.catalog != "" && r.schema != "" {
		out = append(out, r.schema+"."+r.name)
	}
	if r.schema != "" {
		out = append(out, r.name)
	}
	return out
}

func rangeVarName(rv *pg.RangeVar) relName {
	return relName{rv.GetCatalogname(), rv.GetSchemaname(), rv.GetRelname()}
}

// Extract parses SQL text (one or more Postgres statements: CREATE VIEW,
// CREATE MATERIALIZED VIEW, CREATE TABLE AS, SELECT INTO, INSERT …
// SELECT, plain SELECTs of a query log) and returns its column lineage.
// Statements of other kinds are counted and skipped. A parse error wraps
// piimap.ErrCorrupt and never quotes the SQL (which may hold literals).
func Extract(sql string, schema Schema) (*Result, error) {
	tree, err := pg.Parse(sql)
	if err != nil {
		return nil, fmt.Errorf("sqlextract: parse: %w: %s", piimap.ErrCorrupt, scrubParseError(err))
	}
	r := &Result{Columns: []ColumnEdge{}, Tables: []TableEdge{}, Reads: []string{}}
	x := &extractor{schema: schema, res: r, reads: map[string]bool{}}
	for _, raw := range tree.GetStmts() {
		r.Statements++
		x.statement(raw.GetStmt())
	}
	for t := range x.reads {
		r.Reads = append(r.Reads, t)
	}
	r.normalize()
	return r, nil
}

func cmpCol(a, b Column) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Table, b.Table), cmp.Compare(a.Column, b.Column))
}

// normalize sorts the result and merges duplicate edges: two paths from
// one source to one target keep the stronger transform and the first
// path's functions.
func (r *Result) normalize() {
	slices.SortStableFunc(r.Columns, func(a, b ColumnEdge) int {
		return cmp.Or(cmpCol(a.Target, b.Target), cmpCol(a.Source, b.Source))
	})
	out := r.Columns[:0]
	for _, e := range r.Columns {
		if n := len(out); n > 0 && out[n-1].Target == e.Target && out[n-1].Source == e.Source {
			if severity(e.Transform) > severity(out[n-1].Transform) {
				out[n-1] = e
			}
			continue
		}
		out = append(out, e)
	}
	r.Columns = out
	slices.SortFunc(r.Tables, func(a, b TableEdge) int {
		return cmp.Or(cmpCol(a.Target, b.Target), cmpCol(a.Source, b.Source))
	})
	r.Tables = slices.Compact(r.Tables)
	slices.Sort(r.Reads)
	r.Reads = slices.Compact(r.Reads)
}

// scrubParseError keeps the parser's message but not the quoted token
// ('syntax error at or near "ann@example.com"').
func scrubParseError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " at or near"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

type extractor struct {
	schema Schema
	res    *Result
	reads  map[string]bool
}

func (x *extractor) statement(n *pg.Node) {
	switch {
	case n.GetViewStmt() != nil:
		v := n.GetViewStmt()
		x.persist(rangeVarName(v.GetView()), names(v.GetAliases()), v.GetQuery())
	case n.GetCreateTableAsStmt() != nil:
		c := n.GetCreateTableAsStmt()
		x.persist(rangeVarName(c.GetInto().GetRel()), names(c.GetInto().GetColNames()), c.GetQuery())
	case n.GetInsertStmt() != nil:
		ins := n.GetInsertStmt()
		if ins.GetSelectStmt() == nil || ins.GetSelectStmt().GetSelectStmt().GetValuesLists() != nil {
			return // INSERT … VALUES: literals, no lineage
		}
		target := rangeVarName(ins.GetRelation())
		var cols []string
		for _, c := range ins.GetCols() {
			cols = append(cols, c.GetResTarget().GetName())
		}
		if len(cols) == 0 {
			cols, _ = x.schema.columns(target)
		}
		sel := ins.GetSelectStmt().GetSelectStmt()
		if w := ins.GetWithClause(); w != nil && sel.GetWithClause() == nil {
			sel.WithClause = w
		}
		x.persist(target, cols, ins.GetSelectStmt())
	case n.GetSelectStmt() != nil:
		s := n.GetSelectStmt()
		if into := s.GetIntoClause(); into != nil {
			x.persist(rangeVarName(into.GetRel()), names(into.GetColNames()), n)
			return
		}
		x.persist(relName{}, nil, n)
	case n.GetExplainStmt() != nil:
		x.statement(n.GetExplainStmt().GetQuery())
	}
}

// persist records the lineage of query's output columns into target
// (named by names, else by the query's own output names).
func (x *extractor) persist(target relName, names []string, query *pg.Node) {
	sel := query.GetSelectStmt()
	if sel == nil {
		return
	}
	outs, rels := x.selectOutputs(sel, nil)
	t := target.String()
	for _, r := range rels {
		x.reads[r] = true
		if t != "" {
			x.res.Tables = append(x.res.Tables, TableEdge{Target: Column{Table: t}, Source: Column{Table: r}})
		}
	}
	for i, o := range outs {
		name := o.name
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		if o.unresolved != "" {
			x.res.Unresolved = append(x.res.Unresolved, fmt.Sprintf("%s ← %s", Column{Table: t, Column: name}, o.unresolved))
		}
		for _, s := range o.sources {
			x.res.Columns = append(x.res.Columns, ColumnEdge{Target: Column{Table: t, Column: name}, Source: s.col,
				Transform: s.transform, Functions: s.funcs})
		}
	}
}

func names(ns []*pg.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.GetString_().GetSval())
	}
	return out
}

// severity orders transforms: composing two keeps the stronger.
func severity(t string) int {
	switch t {
	case "":
		return -1
	case lineage.TransformIdentity:
		return 0
	case lineage.TransformTransformation:
		return 1
	}
	return 2
}

func stronger(a, b string) string {
	if severity(a) >= severity(b) {
		return a
	}
	return b
}
