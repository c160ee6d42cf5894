package lineage

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"
)

// The page's script and stylesheet, written for this page (no library).
var (
	//go:embed web/map.js
	mapJS string
	//go:embed web/map.css
	mapCSS string
)

// htmlData is what the page's script reads from #piimap-data.
type htmlData struct {
	Map    *Map                 `json:"map"`
	Stores map[string]StoreInfo `json:"stores"`
}

// cspHash is a Content-Security-Policy source for an inline block.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// scriptSafeJSON marshals v for an HTML data block: encoding/json already
// escapes <, > and & (so no "</script>" or "<!--" can appear), control
// characters below 0x20 and U+2028/U+2029; the check keeps that guarantee
// from silently changing. What it leaves raw and TermSafe would escape
// (DEL, C1 controls, bidi and zero-width characters) is written as a \u
// escape too, so the page holds no raw control character (a `cat` of it
// cannot drive a terminal) while the names decode exactly as they are.
func scriptSafeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(string(b), "<>&") {
		return nil, fmt.Errorf("json for a script block holds markup characters")
	}
	return jsonEscapeTermUnsafe(b), nil
}

// jsonEscapeTermUnsafe rewrites every rune of valid JSON that TermSafe
// would escape as a JSON \u escape. Such runes only occur inside strings
// (JSON's own syntax is printable ASCII), and all of them are in the Basic
// Multilingual Plane, so one \uXXXX each is exact.
func jsonEscapeTermUnsafe(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		if c := b[i]; c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if needsTermEscape(r) {
			out = append(out, b[last:i]...)
			out = append(out, '\\', 'u')
			for shift := 12; shift >= 0; shift -= 4 {
				out = append(out, lowerHex[r>>uint(shift)&0xf])
			}
			last = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// writeHTML writes one self-contained page that draws the map: no network
// access at all (a Content-Security-Policy of default-src 'none' allows
// only the page's own script and stylesheet, by hash), the map embedded as
// escaped JSON in a data block, and a script that lays the graph out in
// SVG with filters by PII type and store (also as URL hash #type=…&store=…)
// and a details panel showing confidence, hits and evidence.
func writeHTML(w io.Writer, m *Map, stores map[string]StoreInfo) error {
	known := map[string]StoreInfo{}
	for _, l := range m.Locations {
		known[l.Store] = StoreInfo{Kind: l.Kind}
		for _, e := range l.Edges {
			if _, ok := known[e.To.Store]; !ok {
				known[e.To.Store] = StoreInfo{}
			}
		}
	}
	for name := range known {
		if s, ok := stores[name]; ok {
			known[name] = StoreInfo{Kind: s.Kind, Namespace: s.Namespace}
		}
	}
	data, err := scriptSafeJSON(htmlData{Map: m, Stores: known})
	if err != nil {
		return err
	}
	title := "PII location map"
	if m.ScanRun != "" {
		title += " · run " + m.ScanRun
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src %s; style-src %s; img-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="piimap">
<title>%s</title>
<style>%s</style>
</head>
<body>
<header><h1>PII location map</h1><p id="summary">%s</p></header>
<div id="app">
<aside id="controls">
<h2>PII types</h2><div id="types"></div>
<h2>Stores</h2><div id="stores"></div>
<p id="hint" class="muted"></p>
<button id="reset" type="button">Show all</button>
<h2>Legend</h2>
<div class="legend">
<span class="sw key"></span><span>subject key</span>
<span class="sw pii"></span><span>holds PII</span>
<span class="sw copy"></span><span>derived copy</span>
<span class="sw join"></span><span>join key</span>
<span class="sw external"></span><span>outside the map</span>
<span class="ln references"></span><span>references (FK, join)</span>
<span class="ln derived_from"></span><span>derived_from (view, SQL, ETL)</span>
<span class="ln copy_of"></span><span>copy_of (fingerprint)</span>
<span class="ln masked"></span><span>masked copy</span>
</div>
<p class="muted">Arrows point from a copy to its source and from a child to its parent. Hover an edge for its source and confidence.</p>
<section id="gaps"></section>
</aside>
<main id="canvas"><div id="status">Loading…</div><p id="empty" hidden>No location matches the filter.</p><svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="PII lineage graph"></svg></main>
<aside id="details"></aside>
</div>
<script type="application/json" id="piimap-data">%s</script>
<script>%s</script>
</body>
</html>
`, cspHash(mapJS), cspHash(mapCSS), html.EscapeString(TermSafe(title)), mapCSS, html.EscapeString(TermSafe(header(m))), data, mapJS)
	return bw.Flush()
}
