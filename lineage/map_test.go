package lineage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

var generated = lineagetest.GoldenTime

func estateMap(t *testing.T, f lineage.MapFilter) *lineage.Map {
	t.Helper()
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	_, err := lineagetest.WriteEstate(ctx, g)
	require.NoError(t, err)
	m, err := lineage.BuildMap(ctx, g, "", f)
	require.NoError(t, err)
	m.GeneratedAt = generated
	m.ScanRun = lineagetest.GoldenRun
	return m
}

func names(m *lineage.Map) []string {
	var out []string
	for _, l := range m.Locations {
		out = append(out, piimap.Location{Store: l.Store, Name: l.Asset, Field: l.Field}.String())
	}
	return out
}

func TestBuildMapLocations(t *testing.T) {
	m := estateMap(t, lineage.MapFilter{})
	require.Equal(t, []string{
		"app/main.customers#email",          // PII, subject key
		"app/main.customers#id",             // subject key (identity attr), join key
		"app/main.customers#name",           // PII
		"app/main.order_items#order_id",     // join key, two hops from the subject
		"app/main.orders#customer_id",       // join key
		"app/main.orders#id",                // join key
		"logs/app.log",                      // text asset with PII
		"wh/main.dim_customer#email",        // PII, subject key by finding, derived copy edge
		"wh/main.dim_customer#email_sha256", // masked copy
	}, names(m), "order_items.sku → products.sku leads away from the subject: not a join key")

	byName := map[string]lineage.MapLocation{}
	for i, n := range names(m) {
		byName[n] = m.Locations[i]
	}
	id := byName["app/main.customers#id"]
	require.True(t, id.SubjectKey)
	require.Equal(t, piimap.KeyUserID, id.Identity)
	require.True(t, id.JoinKey)
	require.Empty(t, id.PII)

	oc := byName["app/main.orders#customer_id"]
	require.False(t, oc.SubjectKey)
	require.True(t, oc.JoinKey)
	require.Equal(t, []lineage.MapEdge{{Kind: lineage.EdgeReferences, To: lineage.MapRef{Store: "app", Asset: "main.customers", Field: "id"},
		Source: lineage.SourceFK, Confidence: 1}}, oc.Edges)

	hash := byName["wh/main.dim_customer#email_sha256"]
	require.True(t, hash.DerivedCopy)
	require.Equal(t, lineage.TransformMasked, hash.Edges[0].Transform)

	log := byName["logs/app.log"]
	require.Equal(t, "", log.Field)
	require.False(t, log.SubjectKey, "a text asset is never a subject key")
	require.Equal(t, []string{piimap.TypeEmail, piimap.TypeIPAddress}, []string{log.PII[0].Type, log.PII[1].Type}, "by confidence")
	require.Equal(t, piimap.FormatText, log.Format)

	require.Equal(t, []lineage.UnitError{{Store: "logs", Unit: "broken.gz", Err: "gzip: truncated input: corrupt input"}}, m.Errors)
	require.Equal(t, lineage.RunGaps, m.RunStatus)
}

func TestBuildMapFilters(t *testing.T) {
	tests := []struct {
		name   string
		filter lineage.MapFilter
		want   []string
		errs   int
	}{
		{"type", lineage.MapFilter{Types: []string{piimap.TypeEmail}},
			[]string{"app/main.customers#email", "logs/app.log", "wh/main.dim_customer#email"}, 1},
		{"store", lineage.MapFilter{Stores: []string{"wh"}},
			[]string{"wh/main.dim_customer#email", "wh/main.dim_customer#email_sha256"}, 0},
		{"both", lineage.MapFilter{Stores: []string{"logs"}, Types: []string{piimap.TypeIPAddress}},
			[]string{"logs/app.log"}, 1},
		{"none", lineage.MapFilter{Types: []string{piimap.TypeIBAN}}, nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := estateMap(t, tc.filter)
			require.Equal(t, tc.want, names(m))
			require.Len(t, m.Errors, tc.errs)
			for _, l := range m.Locations {
				for _, p := range l.PII {
					if len(tc.filter.Types) > 0 {
						require.Contains(t, tc.filter.Types, p.Type)
					}
				}
			}
		})
	}
}

func TestBuildMapRuns(t *testing.T) {
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	_, err := lineage.BuildMap(ctx, g, "", lineage.MapFilter{})
	require.ErrorIs(t, err, piimap.ErrNotFound, "no finished run yet")
	run1, err := lineagetest.WriteEstate(ctx, g, "app")
	require.NoError(t, err)
	_, err = lineagetest.WriteEstate(ctx, g)
	require.NoError(t, err)
	_, err = lineage.BuildMap(ctx, g, "nope", lineage.MapFilter{})
	require.ErrorIs(t, err, piimap.ErrNotFound)
	m, err := lineage.BuildMap(ctx, g, run1, lineage.MapFilter{})
	require.NoError(t, err)
	require.Equal(t, run1, m.ScanRun)
	for _, l := range m.Locations {
		require.Equal(t, "app", l.Store, "run 1 only scanned app")
	}
	require.NotNil(t, m.Errors)
}

// TestMapJSONContract checks the DESIGN §7 keys on the wire, independent
// of the golden file.
func TestMapJSONContract(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMap(&buf, estateMap(t, lineage.MapFilter{}), lineage.FormatJSON))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	for _, k := range []string{"scan_run", "generated_at", "locations"} {
		require.Contains(t, doc, k)
	}
	require.Equal(t, "2026-02-03T04:05:06Z", doc["generated_at"])
	locs := doc["locations"].([]any)
	var sawPII, sawEdge bool
	for _, l := range locs {
		loc := l.(map[string]any)
		for _, k := range []string{"store", "kind", "asset", "field", "pii", "subject_key", "edges"} {
			require.Contains(t, loc, k)
		}
		require.IsType(t, true, loc["subject_key"])
		for _, p := range loc["pii"].([]any) {
			sawPII = true
			for _, k := range []string{"type", "confidence", "hits", "sampled", "evidence"} {
				require.Contains(t, p.(map[string]any), k)
			}
		}
		for _, e := range loc["edges"].([]any) {
			sawEdge = true
			em := e.(map[string]any)
			for _, k := range []string{"kind", "to", "source", "confidence"} {
				require.Contains(t, em, k)
			}
			require.NotEqual(t, lineage.EdgeContains, em["kind"])
			for _, k := range []string{"store", "asset", "field"} {
				require.Contains(t, em["to"].(map[string]any), k)
			}
		}
	}
	require.True(t, sawPII && sawEdge)
	require.NotContains(t, buf.String(), lineagetest.Canary)
}

// TestWriteMapGolden renders the reference graph's map in every format
// against the module's shared golden maps (testdata/maps), which
// badgerstore's map test renders too.
func TestWriteMapGolden(t *testing.T) {
	lineagetest.CheckGoldenMaps(t, lineagetest.NewMemGraph(), lineagetest.GoldenMapDir(1), *update)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	require.Equal(t, string(want), string(got), "%s differs; rerun with -update if intended", path)
}

func TestWriteMapUnknownFormat(t *testing.T) {
	err := lineage.WriteMap(&bytes.Buffer{}, &lineage.Map{}, "xml")
	require.ErrorIs(t, err, piimap.ErrUnsupported)
}

func TestWriteMapEmpty(t *testing.T) {
	m := &lineage.Map{ScanRun: "R", GeneratedAt: generated, Locations: []lineage.MapLocation{}, Errors: []lineage.UnitError{}}
	for _, format := range lineage.MapFormats {
		var buf bytes.Buffer
		require.NoError(t, lineage.WriteMap(&buf, m, format))
		require.NotEmpty(t, buf.String(), format)
	}
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMap(&buf, m, lineage.FormatJSON))
	require.Contains(t, buf.String(), `"locations": []`)
}

// Names come from scanned stores (file names, column names) and must not
// drive a terminal or a spreadsheet.
func TestWriteMapHostileNames(t *testing.T) {
	m := &lineage.Map{ScanRun: "R", GeneratedAt: generated, Locations: []lineage.MapLocation{{
		Store: "files", Kind: "files", Asset: "evil\x1b[31mred\n.csv", Field: "=HYPERLINK(\"http://x\")|a",
		PII:   []lineage.MapPII{{Type: piimap.TypeEmail, Confidence: 0.9, Hits: 9, Sampled: 10, Evidence: []string{"-cmd"}}},
		Edges: []lineage.MapEdge{},
	}}}
	tests := []struct {
		format  string
		absent  []string
		present []string
	}{
		{lineage.FormatTable, []string{"\x1b", "red\n"}, []string{`evil\x1b[31mred\n.csv`}},
		{lineage.FormatCSV, []string{",=HYPERLINK", ",-cmd"}, []string{`'=HYPERLINK`, `'-cmd`}},
		{lineage.FormatMD, []string{"\x1b", ")|a"}, []string{`\|a`}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, lineage.WriteMap(&buf, m, tc.format))
			for _, s := range tc.absent {
				require.NotContains(t, buf.String(), s)
			}
			for _, s := range tc.present {
				require.Contains(t, buf.String(), s)
			}
		})
	}
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMap(&buf, m, lineage.FormatTable))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.True(t, slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "files") }))
}
