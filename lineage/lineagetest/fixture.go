package lineagetest

import (
	"context"
	"fmt"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Canary is a raw PII value that only the fixture's "raw" side ever sees:
// findings carry CanaryMasked instead. The suite greps a graph's files for
// it; finding it means something stored a raw value.
const (
	Canary       = "zq.canary.7f3a91@example.org"
	CanaryMasked = "z***@e***.org"
)

// Estate is a small, fully described scan of three stores, written by
// WriteEstate. Its locations are exported so tests of graph consumers (the
// map, traversals) can refer to them.
var (
	App  = piimap.Location{Store: "app", Namespace: "duckdb:///data/app.duckdb"}
	WH   = piimap.Location{Store: "wh", Namespace: "duckdb:///data/wh.duckdb"}
	Logs = piimap.Location{Store: "logs", Namespace: "file:///var/log/app"}

	Customers  = piimap.Location{Store: "app", Namespace: App.Namespace, Name: "main.customers"}
	CustID     = Customers.WithField("id")
	CustEmail  = Customers.WithField("email")
	CustName   = Customers.WithField("name")
	Orders     = piimap.Location{Store: "app", Namespace: App.Namespace, Name: "main.orders"}
	OrderID    = Orders.WithField("id")
	OrderCust  = Orders.WithField("customer_id")
	OrderTotal = Orders.WithField("total")
	Items      = piimap.Location{Store: "app", Namespace: App.Namespace, Name: "main.order_items"}
	ItemOrder  = Items.WithField("order_id")
	ItemSKU    = Items.WithField("sku")
	Products   = piimap.Location{Store: "app", Namespace: App.Namespace, Name: "main.products"}
	ProductSKU = Products.WithField("sku")
	Dim        = piimap.Location{Store: "wh", Namespace: WH.Namespace, Name: "main.dim_customer"}
	DimEmail   = Dim.WithField("email")
	DimHash    = Dim.WithField("email_sha256")
	AppLog     = piimap.Location{Store: "logs", Namespace: Logs.Namespace, Name: "app.log"}
)

// Observed is the fixed observation time of the estate's edges.
var Observed = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Estate returns the nodes, edges, findings and unit errors of the fixture
// for the given stores (all when none are given).
func Estate(stores ...string) (nodes []lineage.Node, edges []lineage.Edge, findings []piimap.Finding, errs []lineage.UnitError) {
	want := func(s string) bool {
		if len(stores) == 0 {
			return true
		}
		for _, x := range stores {
			if x == s {
				return true
			}
		}
		return false
	}
	store := func(l piimap.Location, kind string, attrs ...string) lineage.Node {
		n := lineage.Node{Kind: lineage.NodeStore, Loc: piimap.Location{Store: l.Store, Namespace: l.Namespace}, StoreKind: kind}
		for i := 0; i+1 < len(attrs); i += 2 {
			if n.Attrs == nil {
				n.Attrs = map[string]string{}
			}
			n.Attrs[attrs[i]] = attrs[i+1]
		}
		return n
	}
	asset := func(l piimap.Location, kind string, attrs map[string]string) lineage.Node {
		return lineage.Node{Kind: lineage.NodeAsset, Loc: l, StoreKind: kind, Attrs: attrs}
	}
	field := func(l piimap.Location, kind string, attrs map[string]string) lineage.Node {
		return lineage.Node{Kind: lineage.NodeField, Loc: l, StoreKind: kind, Attrs: attrs}
	}
	contains := func(from, to piimap.Location) lineage.Edge {
		return lineage.Edge{Kind: lineage.EdgeContains, From: from, To: to, Source: lineage.SourceScan, Confidence: 1, ObservedAt: Observed}
	}
	edge := func(kind string, from, to piimap.Location, source string, conf float64, transform string) lineage.Edge {
		return lineage.Edge{Kind: kind, From: from, To: to, Source: source, Confidence: conf, Transform: transform, ObservedAt: Observed}
	}
	finding := func(l piimap.Location, typ string, conf float64, hits, sampled int, masked string, ev ...string) piimap.Finding {
		return piimap.Finding{Loc: l, Type: typ, RuleID: typ + ".default", Confidence: conf, Hits: hits, Sampled: sampled, Evidence: ev, Masked: masked}
	}
	table := map[string]string{lineage.AttrUnitKind: piimap.UnitTable, lineage.AttrRows: "1000"}

	if want("app") {
		nodes = append(nodes,
			store(App, "duckdb"),
			asset(Customers, "duckdb", table), asset(Orders, "duckdb", table),
			asset(Items, "duckdb", table), asset(Products, "duckdb", table),
			field(CustID, "duckdb", map[string]string{lineage.AttrSQLType: "BIGINT", lineage.AttrIdentity: piimap.KeyUserID}),
			field(CustEmail, "duckdb", map[string]string{lineage.AttrSQLType: "VARCHAR"}),
			field(CustName, "duckdb", map[string]string{lineage.AttrSQLType: "VARCHAR"}),
			field(OrderID, "duckdb", nil), field(OrderCust, "duckdb", nil), field(OrderTotal, "duckdb", nil),
			field(ItemOrder, "duckdb", nil), field(ItemSKU, "duckdb", nil), field(ProductSKU, "duckdb", nil),
		)
		for _, p := range [][2]piimap.Location{
			{App.Asset(), Customers}, {App.Asset(), Orders}, {App.Asset(), Items}, {App.Asset(), Products},
			{Customers, CustID}, {Customers, CustEmail}, {Customers, CustName},
			{Orders, OrderID}, {Orders, OrderCust}, {Orders, OrderTotal},
			{Items, ItemOrder}, {Items, ItemSKU}, {Products, ProductSKU},
		} {
			edges = append(edges, contains(p[0], p[1]))
		}
		edges = append(edges,
			edge(lineage.EdgeReferences, OrderCust, CustID, lineage.SourceFK, 1, ""),
			edge(lineage.EdgeReferences, ItemOrder, OrderID, lineage.SourceFK, 1, ""),
			edge(lineage.EdgeReferences, ItemSKU, ProductSKU, lineage.SourceFK, 1, ""),
		)
		findings = append(findings,
			finding(CustEmail, piimap.TypeEmail, 0.99, 97, 100, CanaryMasked, "pattern ok 97/100", "column name: email"),
			finding(CustName, piimap.TypePersonName, 0.8, 80, 100, "J*** D**", "name list 80/100", "column name: name"),
		)
	}
	if want("wh") {
		nodes = append(nodes,
			store(WH, "duckdb"),
			asset(Dim, "duckdb", table),
			field(DimEmail, "duckdb", nil), field(DimHash, "duckdb", nil),
		)
		edges = append(edges,
			contains(WH.Asset(), Dim), contains(Dim, DimEmail), contains(Dim, DimHash),
			edge(lineage.EdgeDerivedFrom, DimEmail, CustEmail, lineage.SourceView, 1, lineage.TransformIdentity),
			edge(lineage.EdgeCopyOf, DimHash, CustEmail, lineage.SourceFingerprint, 0.93, lineage.TransformMasked),
		)
		findings = append(findings, finding(DimEmail, piimap.TypeEmail, 0.97, 95, 100, CanaryMasked, "pattern ok 95/100"))
	}
	if want("logs") {
		nodes = append(nodes,
			// As the files scanner names a local directory's datasets.
			store(Logs, "files", lineage.AttrDatasetNamespace, "file", lineage.AttrDatasetPrefix, "/var/log/app/"),
			asset(AppLog, "files", map[string]string{lineage.AttrUnitKind: piimap.UnitObject, lineage.AttrFormat: piimap.FormatText}),
		)
		edges = append(edges, contains(Logs.Asset(), AppLog))
		findings = append(findings,
			finding(AppLog, piimap.TypeEmail, 0.9, 12, 0, CanaryMasked, "12 spans"),
			finding(AppLog, piimap.TypeIPAddress, 0.85, 40, 0, "10.*.*.*", "40 spans"),
		)
		errs = append(errs, lineage.UnitError{Store: "logs", Unit: "broken.gz", Err: "gzip: truncated input: corrupt input"})
	}
	return nodes, edges, findings, errs
}

// WriteEstate writes the fixture for stores (all when none) as one run and
// finishes it, returning the run ID.
func WriteEstate(ctx context.Context, g lineage.Graph, stores ...string) (string, error) {
	scanned := stores
	if len(scanned) == 0 {
		scanned = []string{"app", "logs", "wh"}
	}
	id, w, err := g.BeginRun(ctx, scanned)
	if err != nil {
		return "", err
	}
	nodes, edges, findings, errs := Estate(stores...)
	for _, n := range nodes {
		if err := w.PutNode(ctx, n); err != nil {
			return "", err
		}
	}
	for _, e := range edges {
		if err := w.PutEdge(ctx, e); err != nil {
			return "", err
		}
	}
	for _, f := range findings {
		if err := w.PutFinding(ctx, f); err != nil {
			return "", err
		}
	}
	for _, ue := range errs {
		if err := w.PutUnitError(ctx, ue); err != nil {
			return "", err
		}
	}
	if err := w.Finish(ctx, lineage.ScanRun{ID: id, Units: len(nodes), Findings: len(findings)}); err != nil {
		return "", fmt.Errorf("finish %s: %w", id, err)
	}
	return id, nil
}
