package mysql

import (
	"encoding/json"
	"strconv"
	"strings"

	"database/sql"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

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
}

func newBatch(u piimap.Unit, cols []column, smp scanner.Sample, total int64, method string) *batch {
	b := &batch{u: u, cols: cols, smp: smp, total: total, method: method,
		values: map[string][]string{}, meta: map[string]map[string]string{}}
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

// add appends one row of cells, aligned with b.cols.
func (b *batch) add(cells []sql.NullString) {
	b.rows++
	for i, c := range b.cols {
		v := cells[i]
		if !v.Valid || v.String == "" {
			continue
		}
		switch {
		case c.nested():
			b.addDoc(c, v.String)
		case c.class == "binary":
			b.values[c.name] = append(b.values[c.name], strings.ToValidUTF8(v.String, "\uFFFD"))
		default:
			b.values[c.name] = append(b.values[c.name], v.String)
		}
	}
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
