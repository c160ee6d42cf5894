package ingest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sqlextract"
)

// EdgeSources are the lineage.Edge sources of ingested lineage: a run
// that rebuilds it from every stored source rewrites these
// (lineage.ScanRun.Rewrites).
var EdgeSources = []string{lineage.SourceDBT, lineage.SourceOpenLineage, lineage.SourceSQL}

// Confidence of the edges of each source kind. dbt and OpenLineage declare
// lineage (the pipeline says so); a logged statement shows that a copy was
// made once, not that the table is still fed that way.
const (
	ConfidenceDBT         = 0.95
	ConfidenceOpenLineage = 0.95
	ConfidenceQueryLog    = 0.8
)

// Report is what Build made of the stored sources.
type Report struct {
	Edges []lineage.Edge `json:"edges"`
	// Unresolved lists the datasets and relations no configured store
	// holds, as "name: reason", sorted.
	Unresolved []string `json:"unresolved"`
	Sources    int      `json:"sources"`    // sources read (not superseded)
	Superseded int      `json:"superseded"` // dbt manifests replaced by a newer one of the same name
	// Problems lists what could not be read: documents that do not decode,
	// statements that no longer parse, column references sqlextract could
	// not tie to one table (counted per source).
	Problems []string `json:"problems,omitempty"`
}

// Edges turns every stored source into derived_from edges (see Build) and
// returns them with the unresolved dataset names.
func Edges(ctx context.Context, docs lineage.DocStore, r *Resolver) ([]lineage.Edge, []string, error) {
	rep, err := Build(ctx, docs, r)
	if err != nil {
		return nil, nil, err
	}
	return rep.Edges, rep.Unresolved, nil
}

// Build turns every stored source into lineage edges: derived_from from
// each target field (or asset) to its source, with the column transform
// (identity, transformation, masked) sqlextract found, Source dbt,
// openlineage or sql, the kind's confidence, ObservedAt the time the
// source was ingested, and Evidence naming where the edge was learnt
// ("dbt model.shop.customers_export", "query log /var/log/pg.log statement
// #3 (literals masked)"). The same edge learnt twice is kept once: the
// higher confidence wins, and between equals the transform that copies
// more (identity before transformation before masked), since a column fed
// both raw and hashed holds raw values. Only a DocStore failure is an error.
func Build(ctx context.Context, docs lineage.DocStore, r *Resolver) (*Report, error) {
	rep := &Report{Unresolved: []string{}}
	var sources []Source
	err := docs.ListDocs(ctx, DocKind, func(id string, data []byte) error {
		var s Source
		if err := json.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil || s.ID != id {
			rep.Problems = append(rep.Problems, fmt.Sprintf("source %s: %v", id, piimap.ErrCorrupt))
			return nil
		}
		sources = append(sources, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: edges: %w", err)
	}
	r.why = map[string]string{}
	var all []lineage.Edge
	unknown := map[string]bool{}
	for _, s := range sources {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.SupersededBy != "" {
			rep.Superseded++
			continue
		}
		rep.Sources++
		if err := loadParts(ctx, docs, &s); err != nil {
			if errors.Is(err, piimap.ErrNotFound) || errors.Is(err, piimap.ErrCorrupt) {
				rep.Problems = append(rep.Problems, err.Error())
				continue
			}
			return nil, fmt.Errorf("ingest: edges: %w", err)
		}
		edges, unk, problems := sourceEdges(r, s)
		all = append(all, edges...)
		for _, u := range unk {
			unknown[u] = true
		}
		rep.Problems = append(rep.Problems, problems...)
	}
	for u := range unknown {
		rep.Unresolved = append(rep.Unresolved, u+": "+r.why[u])
	}
	sort.Strings(rep.Unresolved)
	rep.Edges = dedupe(all)
	return rep, nil
}

// sourceEdges builds one source's edges, one statement, model or event at
// a time so each edge names its own evidence.
func sourceEdges(r *Resolver, s Source) (edges []lineage.Edge, unknown, problems []string) {
	sc := scope{pin: s.Store}
	add := func(res *sqlextract.Result, source string, conf float64, sc scope, evidence string) {
		es, unk := sqlextract.Edges(res, source, conf, func(ns, t string) (piimap.Location, bool) {
			return r.resolve(sc, ns, t)
		}, s.IngestedAt)
		for i := range es {
			if es[i].Evidence != "" {
				es[i].Evidence = evidence + "; " + es[i].Evidence
			} else {
				es[i].Evidence = evidence
			}
		}
		edges = append(edges, es...)
		unknown = append(unknown, unk...)
	}
	switch s.Kind {
	case KindDBT:
		if s.DBT == nil || s.DBT.Lineage == nil {
			return nil, nil, []string{fmt.Sprintf("dbt %s: no lineage stored", s.Name)}
		}
		sc.dbHint = func(t string) string { return s.DBT.Databases[strings.ToLower(t)] }
		targets, groups := groupByTarget(s.DBT.Lineage)
		for _, t := range targets {
			model := cmp.Or(s.DBT.Models[t], t)
			add(groups[t], lineage.SourceDBT, ConfidenceDBT, sc, "dbt "+model)
		}
		if n := len(s.DBT.Lineage.Unresolved); n > 0 {
			problems = append(problems, fmt.Sprintf("dbt %s: %d column references unresolved", s.Name, n))
		}
	case KindOpenLineage:
		for _, e := range s.Events {
			b, err := json.Marshal(e)
			if err != nil {
				continue
			}
			res, err := sqlextract.ParseOpenLineage(bytes.NewReader(b))
			if err != nil {
				problems = append(problems, fmt.Sprintf("openlineage %s: %v", s.Name, err))
				continue
			}
			add(res, lineage.SourceOpenLineage, ConfidenceOpenLineage, sc, eventEvidence(e))
		}
	case KindSQLLog, KindPGStat:
		failed := 0
		for _, st := range s.Statements {
			res, err := parseMasked(st.SQL)
			if err != nil {
				failed++
				continue
			}
			ssc := sc
			if st.Database != "" {
				db := st.Database
				ssc.dbHint = func(string) string { return db }
			}
			where := fmt.Sprintf("query log %s statement #%d (literals masked)", s.Name, st.N)
			if s.Kind == KindPGStat {
				where = fmt.Sprintf("pg_stat_statements of %s statement #%d (literals masked)", s.Store, st.N)
			}
			add(res, lineage.SourceSQL, ConfidenceQueryLog, ssc, where)
		}
		if failed > 0 {
			problems = append(problems, fmt.Sprintf("%s %s: %d stored statements no longer parse", s.Kind, s.Name, failed))
		}
	default:
		problems = append(problems, fmt.Sprintf("source %s: unknown kind %q", s.ID, s.Kind))
	}
	return edges, unknown, problems
}

func eventEvidence(e Event) string {
	if e.Job != nil {
		return "openlineage job " + e.Job.Namespace + "/" + e.Job.Name
	}
	if len(e.Outputs) > 0 {
		return "openlineage dataset " + e.Outputs[0].Namespace + "/" + e.Outputs[0].Name
	}
	return "openlineage"
}

// copyRank orders transforms by how much of the value the copy keeps.
func copyRank(t string) int {
	switch t {
	case lineage.TransformIdentity:
		return 0
	case lineage.TransformTransformation, "":
		return 1
	}
	return 2
}

// dedupe keeps one edge per (kind, source, from, to) — the graph's own
// identity of an edge — and returns them sorted.
func dedupe(edges []lineage.Edge) []lineage.Edge {
	type key struct {
		kind, source string
		from, to     piimap.Location
	}
	best := map[key]int{}
	var out []lineage.Edge
	for _, e := range edges {
		if bare(e.From) == bare(e.To) {
			continue // INSERT INTO t SELECT … FROM t
		}
		k := key{e.Kind, e.Source, bare(e.From), bare(e.To)}
		i, ok := best[k]
		if !ok {
			best[k] = len(out)
			out = append(out, e)
			continue
		}
		o := out[i]
		if e.Confidence > o.Confidence || (e.Confidence == o.Confidence && copyRank(e.Transform) < copyRank(o.Transform)) {
			out[i] = e
		}
	}
	slices.SortFunc(out, func(a, b lineage.Edge) int {
		return cmp.Or(cmpLoc(a.From, b.From), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Source, b.Source), cmpLoc(a.To, b.To))
	})
	return out
}

// bare is a location's identity in the graph (the namespace is a value).
func bare(l piimap.Location) piimap.Location { l.Namespace = ""; return l }

func cmpLoc(a, b piimap.Location) int {
	return cmp.Or(cmp.Compare(a.Store, b.Store), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Field, b.Field))
}
