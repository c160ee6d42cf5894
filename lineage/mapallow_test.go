package lineage_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/sarif"
)

// TestMarkAllowed: a rule marks the findings its globs and type match,
// with its reason, and they stay in the map (table, JSON, and SARIF as a
// suppression); others are untouched; bad rules are refused.
func TestMarkAllowed(t *testing.T) {
	m := exportMap(t)
	total := 0
	for _, l := range m.Locations {
		total += len(l.PII)
	}
	rules := []lineage.AllowRule{
		{Store: "logs", Asset: "*.log", Type: piimap.TypeIPAddress, Reason: "load balancer addresses"},
		{Store: "wh", Asset: "main.dim_*", Field: "email", Reason: "warehouse is in scope of DPA 7"},
	}
	for _, r := range rules {
		require.NoError(t, r.Validate())
	}
	require.Equal(t, 2, lineage.MarkAllowed(m, rules))
	allowed := map[string]string{}
	after := 0
	for _, l := range m.Locations {
		for _, p := range l.PII {
			after++
			if p.Allowed != "" {
				allowed[l.Store+"/"+l.Asset+"#"+l.Field+" "+p.Type] = p.Allowed
			}
		}
	}
	require.Equal(t, total, after, "allowed findings stay in the map")
	require.Equal(t, map[string]string{
		"logs/app.log# ip_address":         "load balancer addresses",
		"wh/main.dim_customer#email email": "warehouse is in scope of DPA 7",
	}, allowed)

	table := string(render(t, m, lineage.FormatTable))
	require.Contains(t, table, "[allowed: load balancer addresses]")
	out := render(t, m, lineage.FormatSARIF)
	validateSARIF(t, out)
	var log sarif.Log
	require.NoError(t, json.Unmarshal(out, &log))
	sup := 0
	for _, r := range log.Runs[0].Results {
		sup += len(r.Suppressions)
	}
	require.Equal(t, 2, sup)

	for _, bad := range []lineage.AllowRule{{Store: "app", Reason: " "}, {Asset: "[", Reason: "x"}} {
		require.ErrorIs(t, bad.Validate(), piimap.ErrConfig)
	}
}

// TestBaseline: a baseline of a map leaves nothing new in the same map; a
// finding added later is all that shows; a file edited by hand, of
// another version or with unknown keys is refused.
func TestBaseline(t *testing.T) {
	m := exportMap(t)
	var buf bytes.Buffer
	require.NoError(t, lineage.NewBaseline(m).Write(&buf))
	require.NotContains(t, buf.String(), "@", "a baseline names locations, never values")
	b, err := lineage.ReadBaseline(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)

	fresh, known := b.NewOnly(m)
	require.Empty(t, fresh.Locations)
	require.Equal(t, len(b.Findings), known)
	require.Equal(t, m.Errors, fresh.Errors)

	m.Locations[0].PII = append(m.Locations[0].PII, lineage.MapPII{Type: piimap.TypePhone, Confidence: 0.9})
	m.Locations = append(m.Locations, lineage.MapLocation{Store: "new", Kind: "files", Asset: "x.csv", Field: "mail",
		PII: []lineage.MapPII{{Type: piimap.TypeEmail, Confidence: 0.95}}})
	fresh, _ = b.NewOnly(m)
	require.Len(t, fresh.Locations, 2)
	require.Equal(t, []lineage.MapPII{{Type: piimap.TypePhone, Confidence: 0.9}}, fresh.Locations[0].PII)
	require.Equal(t, "new", fresh.Locations[1].Store)
	require.Len(t, m.Locations[0].PII, len(fresh.Locations[0].PII)+countOf(b, m.Locations[0]), "the map itself is not changed")

	for name, doc := range map[string]string{
		"edited":  strings.Replace(buf.String(), `"asset": "main.customers"`, `"asset": "main.other"`, 1),
		"version": strings.Replace(buf.String(), `"version": 1`, `"version": 9`, 1),
		"unknown": strings.Replace(buf.String(), `"version": 1`, `"version": 1, "extra": true`, 1),
		"garbage": "not json",
	} {
		_, err := lineage.ReadBaseline(strings.NewReader(doc))
		require.ErrorIs(t, err, piimap.ErrConfig, name)
	}
}

func countOf(b *lineage.Baseline, l lineage.MapLocation) int {
	n := 0
	for _, f := range b.Findings {
		if f.Store == l.Store && f.Asset == l.Asset && f.Field == l.Field {
			n++
		}
	}
	return n
}
