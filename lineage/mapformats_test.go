package lineage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// hostileMap has names a scanned store could supply to attack each
// format: markup and script breakouts, quotes, backslash escapes, control
// characters, Mermaid and DOT syntax.
func hostileMap() *lineage.Map {
	evil := `</script><img src=x onerror=alert(1)>"\N]"; x -> y [label="pwn"`
	return &lineage.Map{ScanRun: "R", GeneratedAt: generated, Locations: []lineage.MapLocation{
		{Store: "files", Kind: "files", Asset: evil + ".csv", Field: "e\"mail\n#x", SubjectKey: true, Identity: "email",
			PII: []lineage.MapPII{{Type: piimap.TypeEmail, Confidence: 0.9, Hits: 9, Sampled: 10,
				Evidence: []string{"<b>bold</b> & `tick`", "\u2028line"}}},
			Edges: []lineage.MapEdge{{Kind: lineage.EdgeCopyOf, To: lineage.MapRef{Store: "w\"h", Asset: "<svg onload=alert(2)>", Field: "f"},
				Source: lineage.SourceFingerprint, Confidence: 0.9, Transform: lineage.TransformMasked}}},
	}, Errors: []lineage.UnitError{{Store: "files", Unit: "<script>alert(3)</script>", Err: "x"}}}
}

// dotWellFormed checks DOT lexically: every quoted string closes on its
// line, and braces and brackets balance outside strings.
func dotWellFormed(t *testing.T, src string) {
	t.Helper()
	depth, brackets := 0, 0
	for ln, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		in := false
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case in && c == '\\':
				i++
			case c == '"':
				in = !in
			case !in && c == '{':
				depth++
			case !in && c == '}':
				depth--
			case !in && c == '[':
				brackets++
			case !in && c == ']':
				brackets--
			}
		}
		require.False(t, in, "line %d: unterminated string: %s", ln+1, line)
		require.Zero(t, brackets, "line %d: unbalanced attribute list: %s", ln+1, line)
	}
	require.Zero(t, depth, "unbalanced braces")
}

func TestWriteMapGraphFormatsHostileNames(t *testing.T) {
	m := hostileMap()
	var dot bytes.Buffer
	require.NoError(t, lineage.WriteMap(&dot, m, lineage.FormatDOT))
	dotWellFormed(t, dot.String())
	require.NotContains(t, dot.String(), `x -> y [label="pwn"`, "no statement injection")
	require.Contains(t, dot.String(), `\\N`, "a backslash in a name is escaped, not a DOT escape")
	require.Len(t, regexp.MustCompile(`(?m)^\s*n\d+ -> n\d+ \[`).FindAllString(dot.String(), -1), 1, "one edge statement only")

	var mm bytes.Buffer
	require.NoError(t, lineage.WriteMap(&mm, m, lineage.FormatMermaid))
	for _, line := range strings.Split(mm.String(), "\n") {
		// Inside each ["..."] or |"..."| label no quote, angle bracket or
		// backtick survives.
		for _, lab := range regexp.MustCompile(`\["(.*?)"\]|\|"(.*?)"\|`).FindAllStringSubmatch(line, -1) {
			text := lab[1] + lab[2]
			require.NotContains(t, text, `"`, line)
			require.NotRegexp(t, "[<>`]", strings.ReplaceAll(text, "<br/>", ""), line)
		}
	}
	require.Contains(t, mm.String(), "#60;/script#62;")
	require.Equal(t, 1, strings.Count(mm.String(), "-.->"))
}

func TestWriteMapHTMLSafe(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMap(&buf, hostileMap(), lineage.FormatHTML))
	page := buf.String()
	require.Equal(t, 2, strings.Count(page, "</script>"), "only the page's own two script blocks close")
	require.NotContains(t, page, "<img")
	require.NotContains(t, page, "<svg onload")
	require.NotContains(t, page, "\u2028")
	noNS := strings.ReplaceAll(page, "http://www.w3.org/2000/svg", "")
	require.NotRegexp(t, `https?://|src="`, noNS, "no network reference beyond the SVG namespace")

	// The CSP admits exactly the page's script and stylesheet, by hash.
	csp := regexp.MustCompile(`content="default-src 'none'; script-src '(sha256-[^']+)'; style-src '(sha256-[^']+)'`).FindStringSubmatch(page)
	require.NotNil(t, csp, "CSP meta")
	script := regexp.MustCompile(`(?s)<script>(.*)</script>`).FindStringSubmatch(page)[1]
	style := regexp.MustCompile(`(?s)<style>(.*)</style>`).FindStringSubmatch(page)[1]
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return "sha256-" + base64.StdEncoding.EncodeToString(h[:])
	}
	require.Equal(t, sum(script), csp[1])
	require.Equal(t, sum(style), csp[2])

	// The embedded JSON decodes back to the same names.
	raw := regexp.MustCompile(`(?s)<script type="application/json" id="piimap-data">(.*?)</script>`).FindStringSubmatch(page)[1]
	var data struct {
		Map lineage.Map `json:"map"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &data))
	require.Equal(t, hostileMap().Locations[0].Asset, data.Map.Locations[0].Asset)
	require.Equal(t, hostileMap().Errors[0].Unit, data.Map.Errors[0].Unit)
}

func TestOpenLineageName(t *testing.T) {
	tests := []struct {
		name, store, asset string
		info               lineage.StoreInfo
		ns, dataset        string
	}{
		{"postgres adds the database", "app", "public.users",
			lineage.StoreInfo{Kind: "postgres", Namespace: "postgres://db:5432", DatasetNamespace: "postgres://db:5432", DatasetPrefix: "shop."},
			"postgres://db:5432", "shop.public.users"},
		{"mysql is database.table already", "crm", "crm.contacts",
			lineage.StoreInfo{Kind: "mysql", Namespace: "mysql://db:3306"},
			"mysql://db:3306", "crm.contacts"},
		{"s3 key under the prefix", "lake", "users.csv",
			lineage.StoreInfo{Kind: "s3", Namespace: "s3://lake", DatasetNamespace: "s3://lake", DatasetPrefix: "exports/"},
			"s3://lake", "exports/users.csv"},
		{"local files", "files", "logs/app.log",
			lineage.StoreInfo{Kind: "files", Namespace: "file:///srv/data", DatasetNamespace: "file", DatasetPrefix: "/srv/data/"},
			"file", "/srv/data/logs/app.log"},
		{"a prefix without a namespace of its own", "x", "t",
			lineage.StoreInfo{Namespace: "kind://h", DatasetPrefix: "db."},
			"kind://h", "db.t"},
		{"duckdb keeps its namespace", "wh", "main.customers",
			lineage.StoreInfo{Kind: "duckdb", Namespace: "duckdb:///data/wh.duckdb"},
			"duckdb:///data/wh.duckdb", "main.customers"},
		{"redis key pattern", "cache", "session:*",
			lineage.StoreInfo{Kind: "redis", Namespace: "redis://127.0.0.1:6379/0"},
			"redis://127.0.0.1:6379/0", "session:*"},
		{"unknown store", "gone", "t", lineage.StoreInfo{}, "piimap://gone", "t"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ns, name := lineage.OpenLineageName(tc.store, tc.asset, tc.info)
			require.Equal(t, tc.ns, ns)
			require.Equal(t, tc.dataset, name)
		})
	}
}

func TestOpenLineageTransformations(t *testing.T) {
	tests := []struct {
		kind, transform string
		subtype         string
		masking         bool
	}{
		{lineage.EdgeDerivedFrom, lineage.TransformIdentity, "IDENTITY", false},
		{lineage.EdgeDerivedFrom, lineage.TransformTransformation, "TRANSFORMATION", false},
		{lineage.EdgeDerivedFrom, "", "TRANSFORMATION", false},
		{lineage.EdgeCopyOf, "", "IDENTITY", false},
		{lineage.EdgeCopyOf, lineage.TransformMasked, "TRANSFORMATION", true},
		{lineage.EdgeDerivedFrom, lineage.TransformMasked, "TRANSFORMATION", true},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"/"+tc.transform, func(t *testing.T) {
			m := &lineage.Map{GeneratedAt: generated, Locations: []lineage.MapLocation{{Store: "b", Asset: "t", Field: "c",
				Edges: []lineage.MapEdge{{Kind: tc.kind, To: lineage.MapRef{Store: "a", Asset: "s", Field: "x"}, Source: "sql",
					Confidence: 1, Transform: tc.transform}}}}}
			ev := lineage.OpenLineageEvents(m, nil)
			require.Len(t, ev, 1)
			in := ev[0].Dataset.Facets.ColumnLineage.Fields["c"].InputFields
			require.Len(t, in, 1)
			require.Equal(t, "x", in[0].Field)
			tr := in[0].Transformations[0]
			require.Equal(t, "DIRECT", tr.Type)
			require.Equal(t, tc.subtype, tr.Subtype)
			require.Equal(t, tc.masking, tr.Masking)
		})
	}
}

// TestOpenLineageWithStores names the estate's datasets by their stores'
// namespaces (golden), and checks the facets against the map.
func TestOpenLineageWithStores(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	_, err := lineagetest.WriteEstate(ctx, g)
	require.NoError(t, err)
	stores, err := lineage.MapStores(ctx, g, "")
	require.NoError(t, err)
	require.Equal(t, lineage.StoreInfo{Kind: "duckdb", Namespace: lineagetest.WH.Namespace}, stores["wh"])
	m := estateMap(t, lineage.MapFilter{})

	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMapWith(&buf, m, lineage.FormatOpenLineage, lineage.WriteOptions{Stores: stores}))
	golden(t, "map_stores.openlineage", buf.Bytes())

	var events []lineage.OLDatasetEvent
	require.NoError(t, json.Unmarshal(buf.Bytes(), &events))
	byName := map[string]lineage.OLDataset{}
	for _, e := range events {
		require.Equal(t, lineage.OpenLineageProducer, e.Producer)
		require.Contains(t, e.SchemaURL, "DatasetEvent")
		byName[e.Dataset.Namespace+" "+e.Dataset.Name] = e.Dataset
	}
	require.Len(t, byName, 5, "customers, order_items, orders, app.log, dim_customer")
	dim := byName[lineagetest.WH.Namespace+" main.dim_customer"]
	cl := dim.Facets.ColumnLineage.Fields
	require.Equal(t, []lineage.OLInputField{{Namespace: lineagetest.App.Namespace, Name: "main.customers", Field: "email",
		Transformations: []lineage.OLTransformation{{Type: "DIRECT", Subtype: "IDENTITY", Description: "derived_from from view, confidence 1.00"}}}},
		cl["email"].InputFields)
	require.True(t, cl["email_sha256"].InputFields[0].Transformations[0].Masking)
	log := byName["file /var/log/app/app.log"]
	require.Nil(t, log.Facets.Schema, "a text asset has no fields")
	require.Len(t, log.Facets.PII.Fields[""].PII, 2)
	orders := byName[lineagetest.App.Namespace+" main.orders"]
	require.Equal(t, []lineage.OLReference{{Namespace: lineagetest.App.Namespace, Name: "main.customers", Field: "id",
		Source: lineage.SourceFK, Confidence: 1}}, orders.Facets.PII.Fields["customer_id"].References)
	require.NotContains(t, buf.String(), lineagetest.Canary)
}

// FuzzGraphFormats feeds arbitrary names through the dot and mermaid
// writers: the output stays well-formed, with exactly the one edge.
func FuzzGraphFormats(f *testing.F) {
	f.Add("app", "main.users", "email", `x" -> y [`)
	f.Add("s\\", "a\n}", "\"]\x00", "#quot;<br/>")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, store, asset, field, other string) {
		m := &lineage.Map{ScanRun: other, GeneratedAt: generated, Locations: []lineage.MapLocation{{
			Store: store, Asset: asset, Field: field, Kind: other,
			PII: []lineage.MapPII{{Type: other, Confidence: 0.5, Evidence: []string{other}}},
			Edges: []lineage.MapEdge{{Kind: lineage.EdgeCopyOf, To: lineage.MapRef{Store: other, Asset: asset, Field: store},
				Source: other, Confidence: 1, Transform: other}},
		}}}
		var dot, mm bytes.Buffer
		require.NoError(t, lineage.WriteMap(&dot, m, lineage.FormatDOT))
		dotWellFormed(t, dot.String())
		require.Len(t, regexp.MustCompile(`(?m)^\s*n\d+ -> n\d+ \[`).FindAllString(dot.String(), -1), 1)
		require.NoError(t, lineage.WriteMap(&mm, m, lineage.FormatMermaid))
		for _, lab := range regexp.MustCompile(`\["(.*?)"\]|\|"(.*?)"\|`).FindAllStringSubmatch(mm.String(), -1) {
			require.NotRegexp(t, "[\"<>`]", strings.ReplaceAll(lab[1]+lab[2], "<br/>", ""))
		}
	})
}
