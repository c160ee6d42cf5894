package sqlextract

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/piimap/piimap"
)

// dbtManifest is the part of dbt's target/manifest.json we read (schema
// v4 to v12: compiled_sql became compiled_code in v7).
type dbtManifest struct {
	Nodes   map[string]dbtNode `json:"nodes"`
	Sources map[string]dbtNode `json:"sources"`
}

type dbtNode struct {
	ResourceType string                   `json:"resource_type"`
	Database     string                   `json:"database"`
	Schema       string                   `json:"schema"`
	Name         string                   `json:"name"`
	Alias        string                   `json:"alias"`
	Identifier   string                   `json:"identifier"` // sources
	CompiledCode string                   `json:"compiled_code"`
	CompiledSQL  string                   `json:"compiled_sql"`
	DependsOn    struct{ Nodes []string } `json:"depends_on"`
	Columns      map[string]struct {
		Name string `json:"name"`
	} `json:"columns"`
}

// table is the node's relation as "schema.name", the form edges use.
func (n dbtNode) table() string {
	name := cmpOr(n.Alias, n.Identifier, n.Name)
	if n.Schema == "" {
		return strings.ToLower(name)
	}
	return strings.ToLower(n.Schema + "." + name)
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// maxManifest bounds the manifest read (large projects reach tens of MB).
const maxManifest = 512 << 20

// ParseDBTManifest reads a dbt manifest.json and returns the lineage of its
// models and snapshots. A node with compiled SQL (after `dbt compile` or
// `dbt run`) yields column edges, resolved against the columns documented
// on every node and source; a node without it yields table edges from
// depends_on only. Relations are named "schema.name" (the database part is
// dropped, as dbt projects usually live in one database). A model whose SQL
// does not parse is reported in Unresolved and contributes table edges.
func ParseDBTManifest(r io.Reader) (*Result, error) {
	var m dbtManifest
	if err := json.NewDecoder(io.LimitReader(r, maxManifest)).Decode(&m); err != nil {
		return nil, fmt.Errorf("sqlextract: dbt manifest: %w: %v", piimap.ErrCorrupt, err)
	}
	schema := Schema{}
	canon := map[string]string{} // "db.schema.name" and "schema.name" → "schema.name"
	all := map[string]dbtNode{}
	for id, n := range m.Nodes {
		all[id] = n
	}
	for id, n := range m.Sources {
		all[id] = n
	}
	for _, n := range all {
		t := n.table()
		var cols []string
		for k, c := range n.Columns {
			cols = append(cols, strings.ToLower(cmpOr(c.Name, k)))
		}
		slices.Sort(cols)
		if len(cols) > 0 {
			schema[t] = cols
		}
		canon[t] = t
		if n.Database != "" {
			canon[strings.ToLower(n.Database)+"."+t] = t
		}
	}
	res := &Result{Columns: []ColumnEdge{}, Tables: []TableEdge{}, Reads: []string{}}
	ids := make([]string, 0, len(m.Nodes))
	for id := range m.Nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		n := m.Nodes[id]
		if n.ResourceType != "model" && n.ResourceType != "snapshot" {
			continue
		}
		res.Statements++
		target := n.table()
		for _, dep := range n.DependsOn.Nodes {
			if d, ok := all[dep]; ok {
				res.Tables = append(res.Tables, TableEdge{Target: Column{Table: target}, Source: Column{Table: d.table()}})
			}
		}
		sql := cmpOr(n.CompiledCode, n.CompiledSQL)
		if strings.TrimSpace(sql) == "" {
			continue
		}
		r, err := Extract(sql, schema)
		if err != nil {
			res.Unresolved = append(res.Unresolved, fmt.Sprintf("%s ← compiled SQL: %v", target, err))
			continue
		}
		rename := func(t string) string {
			if c, ok := canon[t]; ok {
				return c
			}
			return t
		}
		for _, e := range r.Columns {
			e.Target.Table = target
			e.Source.Table = rename(e.Source.Table)
			res.Columns = append(res.Columns, e)
		}
		for _, t := range r.Reads {
			res.Reads = append(res.Reads, rename(t))
		}
		for _, u := range r.Unresolved {
			res.Unresolved = append(res.Unresolved, target+": "+u)
		}
	}
	res.normalize()
	return res, nil
}
