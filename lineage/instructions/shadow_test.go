package instructions

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// estate builds one scan run for the shadow report's tests.
type estate struct {
	nodes    []lineage.Node
	edges    []lineage.Edge
	findings []piimap.Finding
	stores   []string
}

func (e *estate) store(name, tenant, env string) {
	attrs := map[string]string{}
	if tenant != "" {
		attrs[lineage.AttrTenant] = tenant
	}
	if env != "" {
		attrs[lineage.AttrEnv] = env
	}
	e.stores = append(e.stores, name)
	e.nodes = append(e.nodes, lineage.Node{Kind: lineage.NodeStore, Loc: piimap.Location{Store: name}, StoreKind: "files", Attrs: attrs})
}

func (e *estate) asset(store, asset string, attrs map[string]string) {
	e.nodes = append(e.nodes, lineage.Node{Kind: lineage.NodeAsset, Loc: piimap.Location{Store: store, Name: asset}, StoreKind: "files", Attrs: attrs})
}

// field adds a field (or, with field "", text-asset findings) holding types.
func (e *estate) field(store, asset, field string, types ...string) piimap.Location {
	loc := piimap.Location{Store: store, Name: asset, Field: field}
	if field != "" {
		e.nodes = append(e.nodes, lineage.Node{Kind: lineage.NodeField, Loc: loc, StoreKind: "files"})
	}
	for _, t := range types {
		e.findings = append(e.findings, piimap.Finding{Loc: loc, Type: t, RuleID: t, Confidence: 0.95, Hits: 19, Sampled: 20,
			Evidence: []string{"validator ok 19/20"}, Masked: "x***"})
	}
	return loc
}

func (e *estate) copyOf(copyLoc, orig piimap.Location, transform string) {
	e.edges = append(e.edges, lineage.Edge{Kind: lineage.EdgeCopyOf, From: copyLoc, To: orig, Source: lineage.SourceFingerprint,
		Confidence: 0.9, Transform: transform, Evidence: "containment 0.97 of 200 sampled values"})
}

func (e *estate) graph(t *testing.T) lineage.Graph {
	t.Helper()
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	id, w, err := g.BeginRun(ctx, e.stores)
	require.NoError(t, err)
	for _, n := range e.nodes {
		require.NoError(t, w.PutNode(ctx, n))
	}
	for _, ed := range e.edges {
		require.NoError(t, w.PutEdge(ctx, ed))
	}
	for _, f := range e.findings {
		require.NoError(t, w.PutFinding(ctx, f))
	}
	require.NoError(t, w.Finish(ctx, lineage.ScanRun{ID: id, Status: lineage.RunComplete}))
	return g
}

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func shadow(t *testing.T, e *estate, register string, stores []StoreFacts, opt ...func(*Options)) *Report {
	t.Helper()
	reg, err := Parse([]byte(register))
	require.NoError(t, err)
	require.NoError(t, reg.Validate(stores))
	o := Options{Stores: stores, Now: now}
	for _, f := range opt {
		f(&o)
	}
	rep, err := Shadow(context.Background(), e.graph(t), "", reg, o)
	require.NoError(t, err)
	// Never a raw or masked value in the report.
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	require.NotContains(t, string(b), "x***")
	return rep
}

// kinds lists "kind store/asset#field [types]" per finding.
func kinds(rep *Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Kind+" "+piimap.Location{Store: f.Store, Name: f.Asset, Field: f.Field}.String()+" ["+strings.Join(f.PII, ",")+"]")
	}
	return out
}

func TestShadowNotPermitted(t *testing.T) {
	e := &estate{}
	e.store("files", "acme", "prod")
	e.field("files", "logs/debug.log", "", piimap.TypeCreditCard, piimap.TypeEmail) // card numbers in a debug log
	e.field("files", "logs/app.log", "", piimap.TypeEmail)                          // permitted
	e.field("files", "exports/users.csv", "phone", piimap.TypePhone)                // "*" permits any
	e.field("files", "logs/ids.log", "", piimap.TypeUserID)                         // a subject key, not content
	e.field("files", "logs/test.log", "", piimap.TypePhone)                         // accepted by an allow rule
	stores := []StoreFacts{{Name: "files", Tenant: "acme", Environment: "prod"}}
	rep := shadow(t, e, `tenants:
  acme:
    stores:
      files:
        environment: prod
        assets:
          "logs/*": {pii: [email]}
          "*": {pii: [any]}
`, stores, func(o *Options) {
		o.Allow = []lineage.AllowRule{{Asset: "logs/test.log", Type: "phone", Reason: "synthetic"}}
	})
	require.Equal(t, []string{"pii_not_permitted files/logs/debug.log [credit_card]"}, kinds(rep))
	f := rep.Findings[0]
	assert.Equal(t, SeverityHigh, f.Severity)
	assert.Equal(t, "acme", f.Tenant)
	assert.Contains(t, f.Instruction, `tenants.acme.stores.files.assets["logs/*"] (line 7): pii [email]`)
	assert.Contains(t, f.Evidence[0], "credit_card: 19 of 20 sampled")

	// A store-level list applies where no pattern matches; with neither,
	// nothing is permitted.
	e = &estate{}
	e.store("wh", "acme", "prod")
	e.field("wh", "main.users", "email", piimap.TypeEmail)
	e.field("wh", "main.users", "phone", piimap.TypePhone)
	e.field("wh", "main.cards", "pan", piimap.TypeCreditCard)
	e.store("crm", "acme", "prod")
	e.field("crm", "contacts", "ssn", piimap.TypeUSSSN)
	stores = []StoreFacts{{Name: "wh", Tenant: "acme"}, {Name: "crm", Tenant: "acme"}}
	rep = shadow(t, e, `tenants:
  acme:
    stores:
      wh:
        pii: [email, phone]
        assets:
          "main.cards": {pii: [credit_card]}
      crm:
        assets:
          "leads": {pii: [national_id]}
`, stores)
	assert.Equal(t, []string{"pii_not_permitted crm/contacts#ssn [national_id.us_ssn]"}, kinds(rep))
	assert.Contains(t, rep.Findings[0].Instruction, "nothing permitted")
}

func TestShadowUnregisteredStore(t *testing.T) {
	e := &estate{}
	e.store("wh", "acme", "prod")
	e.field("wh", "main.users", "email", piimap.TypeEmail)
	e.store("scratch", "", "")
	e.field("scratch", "dump.csv", "email", piimap.TypeEmail)
	e.field("scratch", "ids.csv", "id", piimap.TypeUserID) // no content PII: not reported
	e.store("empty", "", "")
	e.field("empty", "t", "total") // no PII at all
	stores := []StoreFacts{{Name: "wh", Tenant: "acme"}, {Name: "scratch"}, {Name: "empty"}}
	rep := shadow(t, e, "tenants:\n  acme:\n    stores:\n      wh: {pii: [any]}\n", stores)
	require.Equal(t, []string{"unregistered_store scratch/dump.csv#email [email]"}, kinds(rep))
	assert.Equal(t, lineage.DefaultTenant, rep.Findings[0].Tenant)
	assert.Contains(t, rep.Findings[0].Instruction, `no tenant registers store "scratch"`)

	// Tenant filtering keeps only that tenant's findings.
	rep = shadow(t, e, "tenants:\n  acme:\n    stores:\n      wh: {pii: [any]}\n", stores, func(o *Options) { o.Tenant = "acme" })
	assert.Empty(t, rep.Findings)
}

func TestShadowProdCopy(t *testing.T) {
	e := &estate{}
	e.store("app", "acme", "prod")
	orig := e.field("app", "public.users", "email", piimap.TypeEmail)
	total := e.field("app", "public.orders", "total")
	e.store("sandbox", "acme", "")
	e.store("staging", "acme", "non-prod")
	e.store("backup", "acme", "backup")
	e.store("wh", "acme", "prod")
	stg := e.field("staging", "users", "email", piimap.TypeEmail)
	e.copyOf(stg, orig, lineage.TransformIdentity) // prod → staging
	dev := e.field("sandbox", "users_copy", "email")
	e.copyOf(dev, stg, lineage.TransformIdentity) // staging → dev: prod data two hops away
	hashed := e.field("sandbox", "users_hashed", "email_sha256")
	e.copyOf(hashed, orig, lineage.TransformMasked)
	totals := e.field("sandbox", "orders", "total") // a copy of a field without PII
	e.copyOf(totals, total, lineage.TransformIdentity)
	bk := e.field("backup", "users", "email", piimap.TypeEmail)
	e.copyOf(bk, orig, lineage.TransformIdentity) // backups of prod are prod data where it belongs
	whc := e.field("wh", "dim_users", "email", piimap.TypeEmail)
	e.copyOf(whc, orig, lineage.TransformIdentity) // prod → prod
	// Fingerprints took the prod field for the copy: the values are shared all the same.
	rev := e.field("sandbox", "users_rev", "email", piimap.TypeEmail)
	e.copyOf(e.field("app", "public.contacts", "email", piimap.TypeEmail), rev, lineage.TransformIdentity)
	// A prod view reading a dev table is dev data in prod, not the reverse.
	fixtures := e.field("sandbox", "fixtures", "email", piimap.TypeEmail)
	e.edges = append(e.edges, lineage.Edge{Kind: lineage.EdgeDerivedFrom, From: e.field("app", "v_fixtures", "email"), To: fixtures,
		Source: lineage.SourceView, Confidence: 1, Transform: lineage.TransformIdentity})
	stores := []StoreFacts{{Name: "app", Tenant: "acme", Environment: "prod"}, {Name: "sandbox", Tenant: "acme"},
		{Name: "staging", Tenant: "acme", Environment: "non-prod"}, {Name: "backup", Tenant: "acme", Environment: "backup"},
		{Name: "wh", Tenant: "acme", Environment: "prod"}}
	rep := shadow(t, e, `tenants:
  acme:
    stores:
      app: {environment: prod, pii: [any]}
      wh: {environment: prod, pii: [any]}
      backup: {environment: backup, pii: [any]}
      staging: {environment: staging, pii: [any]}
      sandbox: {environment: dev, pii: [any]}
`, stores)
	assert.Equal(t, []string{
		"prod_copy_in_non_prod sandbox/users_copy#email [email]",
		"prod_copy_in_non_prod sandbox/users_hashed#email_sha256 [email]",
		"prod_copy_in_non_prod sandbox/users_rev#email [email]",
		"prod_copy_in_non_prod staging/users#email [email]",
	}, kinds(rep))
	assert.Contains(t, strings.Join(byAsset(rep)["users_rev"].Evidence, "\n"), "app/public.contacts#email is taken for a copy_of this field")
	byLoc := byAsset(rep)
	assert.Equal(t, SeverityMedium, byLoc["users_hashed"].Severity, "a masked copy")
	assert.Equal(t, SeverityHigh, byLoc["users_copy"].Severity)
	assert.Contains(t, byLoc["users_copy"].Instruction, "tenants.acme.stores.sandbox (line 8): environment dev")
	ev := strings.Join(byLoc["users_copy"].Evidence, "\n")
	assert.Contains(t, ev, "copy_of staging/users#email (source fingerprint, confidence 0.90, transform identity): containment 0.97")
	assert.Contains(t, ev, "copy_of app/public.users#email")
	assert.Contains(t, ev, "store sandbox is dev; the original's store app is prod")

	// Without a register environment the config's decides: prod stays prod.
	rep = shadow(t, e, "tenants:\n  acme:\n    stores:\n      app: {pii: [any]}\n      wh: {pii: [any]}\n      backup: {pii: [any]}\n      staging: {pii: [any]}\n      sandbox: {pii: [any]}\n", stores)
	assert.Equal(t, []string{"prod_copy_in_non_prod staging/users#email [email]"}, kinds(rep),
		"sandbox has no environment anywhere: not judged")
}

func TestShadowSubprocessorAndRegion(t *testing.T) {
	e := &estate{}
	e.store("app", "acme", "prod")
	orig := e.field("app", "users", "email", piimap.TypeEmail)
	for _, s := range []string{"mailer", "crm", "analytics", "eu_lake", "us_lake"} {
		e.store(s, "acme", "prod")
		e.copyOf(e.field(s, "contacts", "email", piimap.TypeEmail), orig, lineage.TransformIdentity)
	}
	stores := []StoreFacts{
		{Name: "app", Tenant: "acme", Region: "eu"},
		{Name: "mailer", Tenant: "acme", Subprocessor: "mailer", Region: "us"},    // listed, wrong region
		{Name: "crm", Tenant: "acme", Subprocessor: "crmco", Region: "eu"},        // not listed
		{Name: "analytics", Tenant: "acme", Subprocessor: "mailer", Region: "eu"}, // listed for other stores
		{Name: "eu_lake", Tenant: "acme", Region: "EU"},                           // in-house, allowed region
		{Name: "us_lake", Tenant: "acme", Region: "us"},                           // in-house, region not allowed
	}
	rep := shadow(t, e, `tenants:
  acme:
    regions: [eu]
    stores:
      app: {pii: [any]}
      mailer: {pii: [email]}
      crm: {pii: [email]}
      analytics: {pii: [email]}
      eu_lake: {pii: [email]}
      us_lake: {pii: [email]}
    subprocessors:
      - {name: mailer, stores: [mailer], region: eu}
`, stores)
	assert.Equal(t, []string{
		"unlisted_subprocessor analytics/contacts#email [email]",
		"unlisted_subprocessor crm/contacts#email [email]",
		"unlisted_region mailer/contacts#email [email]",
		"unlisted_region us_lake/contacts#email [email]",
	}, kinds(rep))
	for _, f := range rep.Findings {
		assert.Contains(t, strings.Join(f.Evidence, "\n"), "copy_of app/users#email", f.Store)
	}
	assert.Contains(t, rep.Findings[0].Instruction, "tenants.acme.subprocessors[mailer] (line 12): stores [mailer]")
	assert.Contains(t, rep.Findings[1].Instruction, `"crmco" is not listed`)
	assert.Contains(t, rep.Findings[2].Instruction, "region eu")
	assert.Contains(t, rep.Findings[3].Instruction, "tenants.acme.regions: [eu]")
}

func TestShadowRetention(t *testing.T) {
	old, fresh := now.Add(-200*24*time.Hour).Format(time.RFC3339), now.Add(-10*24*time.Hour).Format(time.RFC3339)
	e := &estate{}
	e.store("files", "acme", "prod")
	e.asset("files", "logs/old.log", map[string]string{attrModTime: old})
	e.field("files", "logs/old.log", "", piimap.TypeEmail)
	e.asset("files", "logs/new.log", map[string]string{attrModTime: fresh})
	e.field("files", "logs/new.log", "", piimap.TypeEmail)
	e.asset("files", "logs/clean.log", map[string]string{attrModTime: old}) // no PII: not judged
	e.asset("files", "exports/old.csv", map[string]string{attrModTime: old})
	e.field("files", "exports/old.csv", "email", piimap.TypeEmail) // no rule for exports/
	e.store("lake", "acme", "prod")
	e.asset("lake", "a.json", map[string]string{attrLastModified: old})
	e.field("lake", "a.json", "email", piimap.TypeEmail)
	e.store("cache", "acme", "prod")
	e.asset("cache", "session:*", map[string]string{attrTTLProbed: "10", attrTTLNone: "3", attrTTLMax: "60"})
	e.field("cache", "session:*", "email", piimap.TypeEmail)
	e.asset("cache", "token:*", map[string]string{attrTTLProbed: "10", attrTTLNone: "0", attrTTLMax: "3600"})
	e.field("cache", "token:*", "email", piimap.TypeEmail)
	e.store("bus", "acme", "prod")
	e.asset("bus", "EVENTS", map[string]string{attrFirstTime: old})
	e.field("bus", "EVENTS", "payload.email", piimap.TypeEmail)
	e.store("db", "acme", "prod")
	e.asset("db", "public.events", nil)
	e.field("db", "public.events", "email", piimap.TypeEmail)
	e.nodes = append(e.nodes, lineage.Node{Kind: lineage.NodeField, Loc: piimap.Location{Store: "db", Name: "public.events", Field: "created_at"},
		Attrs: map[string]string{AttrOldest: old}})
	e.asset("db", "public.users", nil)
	e.field("db", "public.users", "email", piimap.TypeEmail)
	var stores []StoreFacts
	for _, s := range []string{"files", "lake", "cache", "bus", "db"} {
		stores = append(stores, StoreFacts{Name: s, Tenant: "acme"})
	}
	rep := shadow(t, e, `tenants:
  acme:
    stores:
      files: {pii: [any]}
      lake: {pii: [any]}
      cache: {pii: [any]}
      bus: {pii: [any]}
      db: {pii: [any]}
    retention:
      - {store: files, asset: "logs/*", max_age: 90d}
      - {store: lake, max_age: 90d}
      - {store: cache, max_age: 12h}
      - {store: bus, max_age: 30d}
      - {store: db, asset: "public.*", max_age: 1y}
`, stores)
	assert.Equal(t, []string{
		"retention_exceeded bus/EVENTS [email]",
		"retention_exceeded cache/session:* [email]",
		"retention_exceeded files/logs/old.log [email]",
		"retention_exceeded lake/a.json [email]",
	}, kinds(rep))
	assert.Contains(t, rep.Findings[1].Evidence[0], "3 of 10 probed keys never expire")
	assert.Contains(t, rep.Findings[2].Evidence[0], "200d ago: older than max_age 90d")
	assert.Contains(t, rep.Findings[2].Instruction, "tenants.acme.retention[0] (line 10)")
	// db: created_at is 200 days old, under a year: no finding; users has no age.
	require.Len(t, rep.Unchecked, 1)
	assert.Equal(t, "public.users", rep.Unchecked[0].Asset)

	// A shorter max_age catches the timestamp column and the TTLs.
	rep = shadow(t, e, `tenants:
  acme:
    stores:
      files: {pii: [any]}
      lake: {pii: [any]}
      cache: {pii: [any]}
      bus: {pii: [any]}
      db: {pii: [any]}
    retention:
      - {store: cache, asset: "token:*", max_age: 30m}
      - {store: db, asset: "public.events", max_age: 90d}
`, stores)
	assert.Equal(t, []string{"retention_exceeded cache/token:* [email]", "retention_exceeded db/public.events#created_at [email]"}, kinds(rep))
	assert.Contains(t, rep.Findings[0].Evidence[0], "longest remaining TTL")
	assert.Contains(t, rep.Findings[1].Evidence[0], "timestamp column created_at")
}

func byAsset(rep *Report) map[string]Finding {
	out := map[string]Finding{}
	for _, f := range rep.Findings {
		out[f.Asset] = f
	}
	return out
}
