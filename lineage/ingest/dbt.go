package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/sqlextract"
)

// DBT is the stored form of a dbt manifest: the column and table lineage
// sqlextract.ParseDBTManifest extracts from its compiled SQL, which model
// builds each relation, and which database each relation lives in. The
// compiled SQL itself is not kept (it may hold literals).
type DBT struct {
	Lineage *sqlextract.Result `json:"lineage"`
	// Models maps a relation ("schema.name", lower case) to the unique_id
	// of the model or snapshot that builds it.
	Models map[string]string `json:"models"`
	// Databases maps every relation of the manifest (models, snapshots,
	// seeds, sources) to its database, which picks the store.
	Databases map[string]string `json:"databases,omitempty"`
}

// maxInput bounds one input file (large dbt projects reach tens of MB).
const maxInput = 512 << 20

// dbtNodeInfo is the part of a manifest node ReadDBT reads besides what
// sqlextract does.
type dbtNodeInfo struct {
	ResourceType string `json:"resource_type"`
	Database     string `json:"database"`
	Schema       string `json:"schema"`
	Name         string `json:"name"`
	Alias        string `json:"alias"`
	Identifier   string `json:"identifier"`
}

// relation names the node the way sqlextract does: "schema.name".
func (n dbtNodeInfo) relation() string {
	name := n.Alias
	if name == "" {
		name = n.Identifier
	}
	if name == "" {
		name = n.Name
	}
	if n.Schema == "" {
		return strings.ToLower(name)
	}
	return strings.ToLower(n.Schema + "." + name)
}

// ReadDBT reads a dbt target/manifest.json (schema v4 to v12) into a
// source named name (the file path). Models and snapshots with compiled SQL
// (after `dbt compile` or `dbt run`) give column lineage; those without
// give table lineage from depends_on.
func ReadDBT(r io.Reader, name string) (*Source, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("ingest: dbt manifest %s: %w", name, err)
	}
	if len(raw) > maxInput {
		return nil, fmt.Errorf("ingest: dbt manifest %s: larger than %d MB: %w", name, maxInput>>20, piimap.ErrUnsupported)
	}
	res, err := sqlextract.ParseDBTManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("ingest: dbt manifest %s: %w", name, err)
	}
	var m struct {
		Nodes   map[string]dbtNodeInfo `json:"nodes"`
		Sources map[string]dbtNodeInfo `json:"sources"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("ingest: dbt manifest %s: %w: %v", name, piimap.ErrCorrupt, err)
	}
	if len(m.Nodes) == 0 && len(m.Sources) == 0 {
		return nil, fmt.Errorf("ingest: dbt manifest %s: no nodes or sources (not a manifest.json?): %w", name, piimap.ErrCorrupt)
	}
	d := &DBT{Lineage: res, Models: map[string]string{}, Databases: map[string]string{}}
	for _, nodes := range []map[string]dbtNodeInfo{m.Sources, m.Nodes} {
		for id, n := range nodes {
			rel := n.relation()
			if n.Database != "" {
				d.Databases[rel] = n.Database
			}
			if n.ResourceType == "model" || n.ResourceType == "snapshot" {
				d.Models[rel] = id
			}
		}
	}
	targets, _ := groupByTarget(res)
	st := Stats{Read: res.Statements, Kept: len(targets)}
	st.Dropped = max(0, st.Read-st.Kept)
	for _, u := range res.Unresolved {
		if strings.Contains(u, "compiled SQL:") {
			st.Failed++
		}
	}
	return &Source{Kind: KindDBT, Name: name, DBT: d, Stats: st}, nil
}

// groupByTarget splits a result by target relation, so each model's
// edges can carry that model as evidence.
func groupByTarget(r *sqlextract.Result) (targets []string, groups map[string]*sqlextract.Result) {
	groups = map[string]*sqlextract.Result{}
	get := func(t string) *sqlextract.Result {
		g, ok := groups[t]
		if !ok {
			g = &sqlextract.Result{}
			groups[t] = g
			targets = append(targets, t)
		}
		return g
	}
	for _, c := range r.Columns {
		if c.Target.Table != "" {
			g := get(c.Target.Table)
			g.Columns = append(g.Columns, c)
		}
	}
	for _, t := range r.Tables {
		g := get(t.Target.Table)
		g.Tables = append(g.Tables, t)
	}
	slices.Sort(targets)
	return targets, groups
}
