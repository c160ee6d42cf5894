package sqlextract

import (
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/piimap/piimap/lineage"
)

// source is one base column an output column draws on.
type source struct {
	col       Column
	transform string
	funcs     []string
}

// output is one output column of a SELECT.
type output struct {
	name       string
	sources    []source
	unresolved string
}

// relation is one FROM item in scope: a base table, or a derived table (a
// subquery or CTE) whose columns carry their own lineage.
type relation struct {
	alias   string
	base    relName
	cols    []string // known column names (schema or derived outputs)
	known   bool
	derived []output // nil for base tables
}

func (r *relation) has(col string) bool { return r.known && slices.Contains(r.cols, col) }

type scope struct {
	parent *scope
	rels   []*relation
	ctes   map[string][]output
}

func (s *scope) cte(name string) ([]output, bool) {
	for ; s != nil; s = s.parent {
		if o, ok := s.ctes[name]; ok {
			return o, true
		}
	}
	return nil, false
}

// maxDepth bounds nesting (subqueries in subqueries …) so hostile SQL
// cannot exhaust the stack; pg_query itself limits parse depth too.
const maxDepth = 64

// selectOutputs returns a SELECT's output columns with their lineage and
// the base tables it reads.
func (x *extractor) selectOutputs(sel *pg.SelectStmt, parent *scope) ([]output, []string) {
	return x.selectDepth(sel, parent, 0)
}

func (x *extractor) selectDepth(sel *pg.SelectStmt, parent *scope, depth int) ([]output, []string) {
	if sel == nil || depth > maxDepth {
		return nil, nil
	}
	if sel.GetOp() != pg.SetOperation_SETOP_NONE && sel.GetOp() != pg.SetOperation_SET_OPERATION_UNDEFINED {
		sc := x.withScope(sel.GetWithClause(), parent, depth)
		l, lr := x.selectDepth(sel.GetLarg(), sc.scope, depth+1)
		r, rr := x.selectDepth(sel.GetRarg(), sc.scope, depth+1)
		for i := range l {
			if i < len(r) {
				l[i].sources = append(l[i].sources, r[i].sources...)
			}
		}
		return l, append(append(sc.reads, lr...), rr...)
	}
	sc := x.withScope(sel.GetWithClause(), parent, depth)
	for _, f := range sel.GetFromClause() {
		x.from(sc, f, depth)
	}
	var outs []output
	w := &walker{x: x, sc: sc, depth: depth}
	for _, t := range sel.GetTargetList() {
		rt := t.GetResTarget()
		if cr := rt.GetVal().GetColumnRef(); cr != nil && isStar(cr) {
			outs = append(outs, w.star(cr)...)
			continue
		}
		o := output{name: rt.GetName()}
		if o.name == "" {
			o.name = defaultName(rt.GetVal())
		}
		w.out = &o
		w.visit(rt.GetVal(), nil, lineage.TransformIdentity)
		outs = append(outs, o)
	}
	// Columns in WHERE/JOIN/HAVING are read, not copied: only their
	// subqueries' tables are recorded as reads.
	for _, n := range []*pg.Node{sel.GetWhereClause(), sel.GetHavingClause()} {
		w.out = &output{}
		w.visit(n, nil, lineage.TransformTransformation)
	}
	return outs, sc.reads
}

func (x *extractor) withScope(with *pg.WithClause, parent *scope, depth int) *scopeWithReads {
	sc := &scopeWithReads{scope: &scope{parent: parent, ctes: map[string][]output{}}}
	for _, c := range with.GetCtes() {
		cte := c.GetCommonTableExpr()
		outs, reads := x.selectDepth(cte.GetCtequery().GetSelectStmt(), sc.scope, depth+1)
		for i, a := range names(cte.GetAliascolnames()) {
			if i < len(outs) {
				outs[i].name = a
			}
		}
		sc.ctes[cte.GetCtename()] = outs
		sc.reads = append(sc.reads, reads...)
	}
	return sc
}

// scopeWithReads is a scope plus the base tables read within it.
type scopeWithReads struct {
	*scope
	reads []string
}

func (x *extractor) from(sc *scopeWithReads, n *pg.Node, depth int) {
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		name := rangeVarName(rv)
		r := &relation{alias: rv.GetAlias().GetAliasname(), base: name}
		if r.alias == "" {
			r.alias = name.name
		}
		if outs, ok := sc.cte(name.name); ok && name.schema == "" {
			r.base = relName{}
			x.derive(r, outs)
		} else {
			r.cols, r.known = x.schema.columns(name)
			sc.reads = append(sc.reads, name.String())
		}
		renameCols(r, rv.GetAlias())
		sc.rels = append(sc.rels, r)
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		outs, reads := x.selectDepth(rs.GetSubquery().GetSelectStmt(), sc.scope, depth+1)
		sc.reads = append(sc.reads, reads...)
		r := &relation{alias: rs.GetAlias().GetAliasname()}
		x.derive(r, outs)
		renameCols(r, rs.GetAlias())
		sc.rels = append(sc.rels, r)
	case n.GetJoinExpr() != nil:
		j := n.GetJoinExpr()
		x.from(sc, j.GetLarg(), depth)
		x.from(sc, j.GetRarg(), depth)
	}
}

func (x *extractor) derive(r *relation, outs []output) {
	r.derived, r.known = outs, true
	for _, o := range outs {
		r.cols = append(r.cols, o.name)
	}
}

// renameCols applies an alias column list: FROM t AS a(x, y).
func renameCols(r *relation, a *pg.Alias) {
	for i, c := range names(a.GetColnames()) {
		if i < len(r.cols) {
			r.cols[i] = c
			if r.derived != nil {
				r.derived[i].name = c
			}
		}
	}
}

func isStar(cr *pg.ColumnRef) bool {
	f := cr.GetFields()
	return len(f) > 0 && f[len(f)-1].GetAStar() != nil
}

func fieldNames(cr *pg.ColumnRef) []string {
	var out []string
	for _, f := range cr.GetFields() {
		out = append(out, f.GetString_().GetSval())
	}
	return out
}

// defaultName is the output name Postgres gives an unnamed target.
func defaultName(n *pg.Node) string {
	switch {
	case n.GetColumnRef() != nil:
		f := fieldNames(n.GetColumnRef())
		return f[len(f)-1]
	case n.GetFuncCall() != nil:
		f := names(n.GetFuncCall().GetFuncname())
		return f[len(f)-1]
	case n.GetTypeCast() != nil:
		if c := n.GetTypeCast().GetArg().GetColumnRef(); c != nil {
			return defaultName(n.GetTypeCast().GetArg())
		}
		if tn := names(n.GetTypeCast().GetTypeName().GetNames()); len(tn) > 0 {
			return tn[len(tn)-1]
		}
	}
	return "?column?"
}

// walker collects the base columns an expression draws on.
type walker struct {
	x     *extractor
	sc    *scopeWithReads
	out   *output
	depth int
}

func (w *walker) add(s source) { w.out.sources = append(w.out.sources, s) }

func (w *walker) visit(m proto.Message, funcs []string, t string) {
	if m == nil || (w.depth > maxDepth) {
		return
	}
	switch v := m.(type) {
	case *pg.Node:
		if v == nil {
			return
		}
		children(v, func(c proto.Message) { w.visit(c, funcs, t) })
	case *pg.ColumnRef:
		w.column(v, funcs, t)
	case *pg.TypeCast:
		w.visit(v.GetArg(), funcs, t)
	case *pg.FuncCall:
		fn := names(v.GetFuncname())
		name := strings.ToLower(strings.Join(fn, "."))
		nt := stronger(t, classify(fn))
		fs := append(slices.Clone(funcs), name)
		for _, a := range v.GetArgs() {
			w.visit(a, fs, nt)
		}
	case *pg.CaseExpr:
		// Only the results flow into the value; the conditions select it.
		nt := stronger(t, lineage.TransformTransformation)
		for _, c := range v.GetArgs() {
			w.visit(c.GetCaseWhen().GetResult(), funcs, nt)
		}
		w.visit(v.GetDefresult(), funcs, nt)
	case *pg.SubLink:
		outs, reads := w.x.selectDepth(v.GetSubselect().GetSelectStmt(), w.sc.scope, w.depth+1)
		w.sc.reads = append(w.sc.reads, reads...)
		if v.GetSubLinkType() == pg.SubLinkType_EXPR_SUBLINK || v.GetSubLinkType() == pg.SubLinkType_ARRAY_SUBLINK {
			if len(outs) > 0 {
				for _, s := range outs[0].sources {
					s.transform = stronger(stronger(t, lineage.TransformTransformation), s.transform)
					s.funcs = append(slices.Clone(funcs), s.funcs...)
					w.add(s)
				}
			}
		}
	case *pg.SelectStmt, *pg.A_Const:
	default:
		nt := stronger(t, lineage.TransformTransformation)
		children(m, func(c proto.Message) { w.visit(c, funcs, nt) })
	}
}

// children calls fn with every message-valued field of m.
func children(m proto.Message, fn func(proto.Message)) {
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := range l.Len() {
				fn(l.Get(i).Message().Interface())
			}
		} else if !fd.IsMap() {
			fn(v.Message().Interface())
		}
		return true
	})
}

// column resolves a column reference against the scopes, innermost first.
func (w *walker) column(cr *pg.ColumnRef, funcs []string, t string) {
	f := fieldNames(cr)
	if len(f) == 0 {
		return
	}
	col, qual := f[len(f)-1], f[:len(f)-1]
	if isStar(cr) {
		// t.* inside an expression (row_to_json(t.*)); a bare * there is
		// count(*)'s and reads no value.
		if len(qual) > 0 {
			w.wholeRow(qual, funcs)
		}
		return
	}
	for sc := w.sc.scope; sc != nil; sc = sc.parent {
		if r := resolve(sc.rels, qual, col); r != nil {
			w.from(r, col, funcs, t)
			return
		}
	}
	// A bare name that is no column but a relation's alias is a whole-row
	// reference (md5(t::text), to_jsonb(t)).
	if len(qual) == 0 {
		for sc := w.sc.scope; sc != nil; sc = sc.parent {
			for _, r := range sc.rels {
				if r.alias == col && !r.has(col) {
					w.wholeRow([]string{col}, funcs)
					return
				}
			}
		}
	}
	if w.out.unresolved == "" {
		w.out.unresolved = strings.Join(f, ".")
	}
}

// wholeRow records a whole-row reference to the relation qual names: every
// column of it flows into the value, transformed (a row rendered as JSON or
// text, or hashed whole, is no masked form of any one column). A relation
// whose columns are unknown leaves the output unresolved.
func (w *walker) wholeRow(qual []string, funcs []string) {
	for sc := w.sc.scope; sc != nil; sc = sc.parent {
		r := resolve(sc.rels, qual, "")
		if r == nil {
			continue
		}
		if !r.known {
			if w.out.unresolved == "" {
				w.out.unresolved = r.alias + ".*"
			}
			return
		}
		for _, c := range r.cols {
			w.from(r, c, funcs, lineage.TransformTransformation)
		}
		return
	}
	if w.out.unresolved == "" {
		w.out.unresolved = strings.Join(qual, ".") + ".*"
	}
}

// resolve finds the relation a (possibly qualified) column belongs to.
func resolve(rels []*relation, qual []string, col string) *relation {
	if len(qual) > 0 {
		q := qual[len(qual)-1]
		for _, r := range rels {
			if r.alias == q && (len(qual) == 1 || r.base.schema == qual[len(qual)-2]) {
				return r
			}
		}
		return nil
	}
	var hit, unknown []*relation
	for _, r := range rels {
		switch {
		case r.has(col):
			hit = append(hit, r)
		case !r.known:
			unknown = append(unknown, r)
		}
	}
	switch {
	case len(hit) == 1:
		return hit[0]
	case len(hit) == 0 && len(unknown) == 1:
		return unknown[0]
	}
	return nil
}

func (w *walker) from(r *relation, col string, funcs []string, t string) {
	if r.derived == nil {
		w.add(source{col: Column{Table: r.base.String(), Column: col}, transform: t, funcs: slices.Clone(funcs)})
		return
	}
	for _, o := range r.derived {
		if o.name != col {
			continue
		}
		for _, s := range o.sources {
			w.add(source{col: s.col, transform: stronger(t, s.transform), funcs: append(slices.Clone(funcs), s.funcs...)})
		}
		if o.unresolved != "" && w.out.unresolved == "" {
			w.out.unresolved = o.unresolved
		}
		return
	}
}

// star expands * or t.* into identity outputs.
func (w *walker) star(cr *pg.ColumnRef) []output {
	f := fieldNames(cr)
	rels := w.sc.rels
	if len(f) > 1 {
		rels = nil
		if r := resolve(w.sc.rels, f[:len(f)-1], ""); r != nil {
			rels = []*relation{r}
		}
	}
	var outs []output
	for _, r := range rels {
		if !r.known {
			outs = append(outs, output{name: "*", unresolved: r.alias + ".*"})
			continue
		}
		for _, c := range r.cols {
			o := output{name: c}
			w.out = &o
			w.from(r, c, nil, lineage.TransformIdentity)
			outs = append(outs, o)
		}
	}
	if len(rels) == 0 {
		outs = append(outs, output{name: "*", unresolved: strings.Join(f[:len(f)-1], ".") + ".*"})
	}
	return outs
}
