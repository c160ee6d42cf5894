package postgres

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// MetaJSONPath marks a field flattened out of a JSON/JSONB, array or
// composite column; its value is the dotted path.
const MetaJSONPath = "json_path"

// batch accumulates one sample's values per field, row-aligned for the
// scalar columns, and flattens JSON documents into dotted paths.
type batch struct {
	u       piimap.Unit
	cols    []column
	smp     scanner.Sample
	total   int64
	method  string
	fields  []string
	values  map[string][]string
	meta    map[string]map[string]string
	rows    int
	flushed bool
	dest    []any
	cells   []*string
}

func newBatch(u piimap.Unit, cols []column, smp scanner.Sample, total int64, method string) *batch {
	b := &batch{u: u, cols: cols, smp: smp, total: total, method: method,
		values: map[string][]string{}, meta: map[string]map[string]string{}}
	b.cells = make([]*string, len(cols))
	b.dest = make([]any, len(cols))
	for i := range b.cells {
		b.dest[i] = &b.cells[i]
	}
	for _, c := range cols {
		if !c.nested() {
			b.declare(c.name, c)
		}
	}
	return b
}

func (b *batch) declare(field string, c column) {
	if _, ok := b.meta[field]; ok || !b.smp.Wants(field) && !(c.nested() && b.smp.Wants(c.name)) {
		return
	}
	m := map[string]string{piimap.MetaSQLType: c.typ, piimap.MetaNullable: strconv.FormatBool(c.nullable)}
	if c.unique {
		m[piimap.MetaUnique] = "true"
	}
	if c.pk {
		m[piimap.MetaPrimaryKey] = "true"
	}
	if c.comment != "" {
		m[piimap.MetaComment] = c.comment
	}
	if c.nested() {
		m[MetaJSONPath] = field
	}
	b.meta[field] = m
	b.fields = append(b.fields, field)
}

func (b *batch) scan(rows pgx.Rows) error {
	if err := rows.Scan(b.dest...); err != nil {
		return err
	}
	b.rows++
	for i, c := range b.cols {
		v := b.cells[i]
		if v == nil || *v == "" {
			continue
		}
		if !c.nested() {
			b.values[c.name] = append(b.values[c.name], *v)
			continue
		}
		b.addDoc(c, *v)
	}
	return nil
}

func (b *batch) addDoc(c column, text string) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		b.declare(c.name, c)
		b.values[c.name] = append(b.values[c.name], text)
		return
	}
	scanner.FlattenJSON(c.name, doc, func(path, value string) {
		if path == "$" {
			path = c.name
		}
		if !b.smp.Wants(path) && !b.smp.Wants(c.name) {
			return
		}
		b.declare(path, c)
		b.values[path] = append(b.values[path], value)
	})
}

// flush emits one record per field seen so far and resets the values.
func (b *batch) flush(emit func(piimap.Record) error) error {
	b.flushed = true
	for _, f := range b.fields {
		meta := make(map[string]string, len(b.meta[f])+4)
		for k, v := range b.meta[f] {
			meta[k] = v
		}
		meta[piimap.MetaRowsSampled] = strconv.Itoa(b.rows)
		if b.total > 0 {
			meta[piimap.MetaRowsTotal] = strconv.FormatInt(b.total, 10)
		}
		meta[MetaSampling] = b.method
		vals := b.values[f]
		if scanner.LooksLikeText(vals) {
			meta[piimap.MetaTextField] = "true"
		}
		if err := emit(piimap.Record{Loc: b.u.Loc.WithField(f), Values: vals, Meta: meta}); err != nil {
			return err
		}
	}
	b.values = map[string][]string{}
	b.rows = 0
	return nil
}
