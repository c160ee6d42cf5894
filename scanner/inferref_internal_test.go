package scanner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

func kf(asset, field, typ string, unique bool) keyField {
	return keyField{unit: piimap.Unit{Loc: piimap.Location{Store: "s", Name: asset}, Kind: piimap.UnitTable},
		field: field, class: keyClass(typ), unique: unique}
}

func pairs(cs []candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.child.unit.Loc.Name+"."+c.child.field+" → "+c.parent.unit.Loc.Name+"."+c.parent.field)
	}
	return out
}

func TestJoinCandidates(t *testing.T) {
	fields := []keyField{
		kf("public.members", "member_id", "bigint", true),
		kf("public.members", "name", "text", false),
		kf("public.invoices", "id", "bigint", true),
		kf("public.invoices", "member_id", "integer", false),
		kf("public.customers", "id", "integer", true),
		kf("public.orders", "id", "bigint", true),
		kf("public.orders", "customer_id", "bigint", false),
		kf("public.orders", "referrer_id", "bigint", false),
		kf("public.orders", "CustomerCode", "character varying(20)", false),
		kf("public.customers", "code", "varchar(20)", true),
		kf("public.categories", "id", "int", true),
		kf("public.posts", "category_id", "int(11) unsigned", false),
		kf("public.addresses", "id", "BIGINT", true),
		kf("public.people", "address_id", "BIGINT", false),
		kf("public.boxes", "id", "bigint", true),
		kf("public.items", "box_id", "text", false),               // type mismatch
		kf("public.member_profiles", "member_id", "bigint", true), // 1:1
		kf("public.shipments", "customer_id", "bigint", false),    // declared
		kf("public.orders", "code", "text", false),                // generic: customers.code is not named after its table
		kf("public.users", "email", "text", true),
		kf("public.newsletter", "email", "text", false), // generic
	}
	declared := map[piimap.Location]bool{{Store: "s", Name: "public.shipments", Field: "customer_id"}: true}
	assert.Equal(t, []string{
		"public.invoices.member_id → public.members.member_id",
		"public.member_profiles.member_id → public.members.member_id",
		"public.orders.CustomerCode → public.customers.code",
		"public.orders.customer_id → public.customers.id",
		"public.people.address_id → public.addresses.id",
		"public.posts.category_id → public.categories.id",
	}, pairs(joinCandidates(fields, declared)))

	copies := []keyField{kf("public.members", "member_id", "bigint", true), kf("archive.members", "member_id", "bigint", true)}
	assert.Empty(t, joinCandidates(copies, nil), "same-named tables in two schemas are copies")
}

func TestKeyNames(t *testing.T) {
	for in, want := range map[string]string{"members": "member", "public.categories": "category", "addresses": "address",
		"boxes": "box", "status": "statu", "glass": "glass", "person": "person", "db.CustomerAccounts": "customeraccount"} {
		assert.Equal(t, want, tableSingular(in), in)
	}
	assert.Equal(t, "memberid", foldName("MemberID"))
	assert.Equal(t, foldName("member_id"), foldName("memberId"))
	for in, want := range map[string]string{"integer": keyInt, "bigint unsigned": keyInt, "INTEGER": keyInt,
		"character varying(64)": keyText, "VARCHAR": keyText, "interval": "", "uuid": "", "numeric(10,2)": ""} {
		assert.Equal(t, want, keyClass(in), in)
	}
}

// fakeProber serves values per "asset.field".
type fakeProber struct {
	Source
	vals map[string][]string
	fail map[string]bool
}

func (p fakeProber) DistinctSample(_ context.Context, u piimap.Unit, field string, n int) ([]string, error) {
	if p.fail[u.Loc.Name+"."+field] {
		return nil, errors.New("boom")
	}
	v := p.vals[u.Loc.Name+"."+field]
	return v[:min(n, len(v))], nil
}

func (p fakeProber) CountIn(_ context.Context, u piimap.Unit, field string, values []string) (int, error) {
	if p.fail[u.Loc.Name+"."+field] {
		return 0, errors.New("boom")
	}
	n := 0
	for _, v := range values {
		if slices.Contains(p.vals[u.Loc.Name+"."+field], v) {
			n++
		}
	}
	return n, nil
}

type edgeRec struct {
	lineage.Writer
	mu    sync.Mutex
	edges []lineage.Edge
}

func (w *edgeRec) PutEdge(_ context.Context, e lineage.Edge) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.edges = append(w.edges, e)
	return nil
}

func seqVals(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)))
	}
	return out
}

func TestInferStore(t *testing.T) {
	pr := fakeProber{vals: map[string][]string{
		"members.member_id":  seqVals(0, 299),
		"invoices.member_id": seqVals(0, 299),
		"payments.member_id": seqVals(150, 449), // half outside
		"refunds.member_id":  seqVals(0, 3),     // too few values
		"customers.id":       seqVals(0, 99),
		"orders.customer_id": seqVals(0, 99),
		"notes.member_id":    seqVals(0, 50),
	}, fail: map[string]bool{"notes.member_id": true}}
	fields := []keyField{
		kf("members", "member_id", "text", true), kf("invoices", "member_id", "text", false),
		kf("payments", "member_id", "text", false), kf("refunds", "member_id", "text", false),
		kf("customers", "id", "text", true), kf("orders", "customer_id", "text", false),
		kf("notes", "member_id", "text", false),
	}
	var logs bytes.Buffer
	w := &edgeRec{}
	e := &engine{opt: Options{Concurrency: 1}, log: slog.New(slog.NewTextHandler(&logs, nil)), w: w}
	st := &store{cfg: StoreConfig{Name: "s"}, src: pr}
	require.NoError(t, e.inferStore(context.Background(), st, pr, fields, nil))
	var got []string
	for _, ed := range w.edges {
		assert.Equal(t, lineage.EdgeReferences, ed.Kind)
		assert.Equal(t, lineage.SourceInferred, ed.Source)
		got = append(got, ed.From.Name+"."+ed.From.Field+" → "+ed.To.Name+"."+ed.To.Field+" "+ed.Evidence)
	}
	assert.Equal(t, []string{
		"invoices.member_id → members.member_id containment 1.000 on 200 sampled values; name member_id → members.member_id",
		"orders.customer_id → customers.id containment 1.000 on 100 sampled values; name customer_id → customers.id",
	}, got)
	assert.Contains(t, logs.String(), "sample failed, no edge")
	assert.NotContains(t, logs.String(), "aab", "no raw value logged")
}

func TestJoinCandidatesAbbreviated(t *testing.T) {
	fields := []keyField{
		kf("public.kunden", "knr", "integer", true),
		kf("public.kunden", "kundennr", "integer", false), // its own table's key
		kf("public.auftraege", "kunde_nr", "integer", false),
		kf("public.customers", "id", "bigint", true),
		kf("public.orders", "cust_no", "bigint", false),
		kf("public.orders", "status_code", "bigint", false), // no table of statuses
		kf("public.orders", "referrer_id", "bigint", false),
		kf("public.clients", "id", "integer", true),
		kf("public.invoices", "fk_client_ref", "integer", false),
		kf("public.members", "member_id", "bigint", true),
		kf("public.member_profiles", "member_id", "bigint", true),
		kf("public.posts", "member_id", "bigint", false), // members, not member_profiles
		kf("public.posts", "cu_id", "bigint", false),     // two letters say too little
	}
	assert.Equal(t, []string{
		"public.auftraege.kunde_nr → public.kunden.knr",
		"public.invoices.fk_client_ref → public.clients.id",
		"public.member_profiles.member_id → public.members.member_id",
		"public.orders.cust_no → public.customers.id",
		"public.posts.member_id → public.members.member_id",
	}, pairs(joinCandidates(fields, nil)))
	for in, want := range map[string]string{"custno": "cust", "kundennummer": "kunden", "fkclientref": "client", "fkid": "fk",
		"status": "", "clientkey": "client", "id": ""} {
		assert.Equal(t, want, keyStem(in), in)
	}
}

func piiKF(asset, field, typ string, unique, pii, piiAt bool) keyField {
	f := kf(asset, field, typ, unique)
	f.pii, f.piiAt = pii, piiAt
	return f
}

func intVals(vs ...int) []string {
	var out []string
	for _, v := range vs {
		out = append(out, strconv.Itoa(v))
	}
	return out
}

func intRange(from, to, step int) []int {
	var out []int
	for i := from; i <= to; i += step {
		out = append(out, i)
	}
	return out
}

// Value-only join keys: a child contained in a sparse key of a PII table
// pairs whatever its name; containment in a dense key (ids 1..N hold every
// small number, a cluster's ids every tenth) is no evidence, nor are a few
// values, a table without PII, a column of PII or a unique child.
func TestInferStoreByValue(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	draw := func(n int) []int { // numbers drawn at random: n of 900,000
		var out []int
		for len(out) < n {
			if v := 100000 + r.IntN(900000); !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	sparse, articles := draw(1000), draw(1000)
	pr := fakeProber{vals: map[string][]string{
		"kunden.knr":         intVals(sparse...),
		"kunden.e_post":      {"a@x.org"},
		"auftraege.kd":       intVals(sparse[:300]...),
		"auftraege.menge":    intVals(intRange(1, 12, 1)...),
		"rechnungen.kd":      intVals(sparse[:4]...), // too few values
		"mahnungen.kd":       intVals(sparse[500:512]...),
		"konten.id":          intVals(intRange(1, 500, 1)...),
		"buchungen.betrag":   intVals(intRange(3, 300, 3)...), // inside the dense konten.id
		"produkte.id":        intVals(articles...),
		"lager.artikel":      intVals(articles[:300]...),             // produkte holds no PII
		"archiv.knr":         intVals(intRange(20000, 22000, 10)...), // unique: no direction
		"cluster.id":         intVals(intRange(1, 4991, 10)...),      // a multi-primary cluster's ids: 1, 11, 21…
		"belege.konto":       intVals(intRange(11, 2001, 10)...),     // on that grid: no evidence
		"kontakte.telefonnr": intVals(intRange(20000, 22000, 10)...), // a PII column
	}}
	fields := []keyField{
		piiKF("kunden", "knr", "integer", true, false, true), piiKF("kunden", "e_post", "text", true, true, true),
		piiKF("auftraege", "kd", "integer", false, false, false), piiKF("auftraege", "menge", "integer", false, false, false),
		piiKF("rechnungen", "kd", "integer", false, false, false), piiKF("mahnungen", "kd", "integer", false, false, false),
		piiKF("konten", "id", "integer", true, false, true), piiKF("buchungen", "betrag", "integer", false, false, false),
		piiKF("produkte", "id", "integer", true, false, false), piiKF("lager", "artikel", "integer", false, false, false),
		piiKF("archiv", "knr", "integer", true, false, false), piiKF("cluster", "id", "integer", true, false, true),
		piiKF("belege", "konto", "integer", false, false, false), piiKF("kontakte", "telefonnr", "integer", false, true, true),
	}
	for i, f := range fields { // the scan's kept samples
		v := pr.vals[f.unit.Loc.Name+"."+f.field]
		fields[i].sample = v[:min(len(v), InferProbeValues)]
	}
	w := &edgeRec{}
	e := &engine{opt: Options{Concurrency: 1}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), w: w}
	st := &store{cfg: StoreConfig{Name: "s"}, src: pr}
	require.NoError(t, e.inferStore(context.Background(), st, pr, fields, nil))
	var got []string
	for _, ed := range w.edges {
		got = append(got, ed.From.Name+"."+ed.From.Field+" → "+ed.To.Name+"."+ed.To.Field)
		assert.Contains(t, ed.Evidence, "by values, no name relates them")
		assert.Regexp(t, `^containment 1\.000 on \d+ sampled values; the parent's keys fill 0\.0\d\d of the values' range \(step 1\), chance (\de-\d+|< 1e-99);`, ed.Evidence)
	}
	assert.Equal(t, []string{"auftraege.kd → kunden.knr", "mahnungen.kd → kunden.knr"}, got)
}

func TestBinomialTail(t *testing.T) {
	assert.InDelta(t, 1.0, binomialTail(10, 0, 0.3), 1e-12)
	assert.InDelta(t, math.Pow(0.3, 10), binomialTail(10, 10, 0.3), 1e-15)
	assert.InDelta(t, 0.5, binomialTail(2, 1, 0.5)+0.25-0.5, 1e-12) // P(X≥1) = 0.75
	assert.Zero(t, binomialTail(10, 11, 0.5))
	assert.Equal(t, 1.0, binomialTail(10, 10, 1))
	assert.Zero(t, binomialTail(10, 1, 0))
	assert.Less(t, binomialTail(200, 200, 0.27), 1e-100)
}

func TestKeySampleAndShapes(t *testing.T) {
	k := &keySample{}
	k.add([]string{" K-000123 ", "K-000123", "", "K-000124"})
	assert.Equal(t, []string{"K-000123", "K-000124"}, k.values())
	k.add([]string{strings.Repeat("x", keySampleMaxLen+1)})
	assert.Nil(t, k.values(), "a field holding a long value keeps nothing")
	var none *keySample
	none.add([]string{"1"})
	assert.Nil(t, none.values())

	assert.Equal(t, "a-9/8", keyShape("K-000123", keyText))
	assert.Equal(t, "a@a.a/15", keyShape("ann@example.org", keyText))
	assert.Equal(t, "6", keyShape("123456", keyInt))
	custNos := shapeSet([]string{"100001", "523456", "999998"}, keyInt)
	assert.True(t, shapesFit([]string{"123456", "654321"}, custNos, keyInt))
	assert.False(t, shapesFit([]string{"1", "12", "7"}, custNos, keyInt), "counts are not customer numbers")
	emails := shapeSet([]string{"ann@example.org", "bob@example.net"}, keyText)
	assert.False(t, shapesFit([]string{"5d41402abc4b2a76b9719d911017c592"}, emails, keyText), "a digest is no email")
	assert.False(t, shapesFit(nil, custNos, keyInt))

	serial := keyField{class: keyInt, rows: 20000, sample: intVals(3, 19990, 7000, 12)}
	assert.True(t, denseKey(serial), "ids 1..20,000")
	sparse := keyField{class: keyInt, rows: 600, sample: intVals(100231, 998001, 504000)}
	assert.False(t, denseKey(sparse), "600 customer numbers over 900,000")
	assert.True(t, denseKey(keyField{class: keyInt}), "no sample: nothing to judge by")
}
