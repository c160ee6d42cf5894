package lineage_test

import (
	"bytes"
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

// chromium finds a headless-capable Chromium. Without one the test skips
// on a developer's machine, but fails under CI (CI set, as .ci/run does,
// which installs the Debian package): there the page must be drawn.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not installed and CI is set: the html map page must be drawn in CI (.ci/run installs chromium)")
	}
	t.Skip("chromium not installed (apt-get install -y chromium; .ci/run installs it): the html map page is not drawn")
	return ""
}

// renderDOM opens the page in headless Chromium and returns the DOM after
// its script ran.
func renderDOM(t *testing.T, bin, page, hash string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+t.TempDir(),
		"--dump-dom", "file://"+page+hash)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "chromium: %s", errb.String())
	dom := out.String()
	require.Contains(t, dom, `data-ready="true"`, "the page's script ran to the end (CSP admitted it)")
	return dom
}

var (
	locRe    = regexp.MustCompile(`<g class="loc ([a-z]+)[^"]*" data-key="([^"]*)"`)
	attrRe   = regexp.MustCompile(`="[^"]*"`)
	statusRe = regexp.MustCompile(`id="status" data-shown="(\d+)" data-edges="(\d+)"`)
)

// drawn lists the location rows drawn in the SVG, as "class key".
func drawn(dom string) []string {
	var out []string
	for _, m := range locRe.FindAllStringSubmatch(dom, -1) {
		out = append(out, m[1]+" "+html.UnescapeString(m[2]))
	}
	return out
}

// TestMapHTMLInChromium draws the estate map (plus a location named to
// break out of the page) in headless Chromium and checks what is drawn:
// every row, the filters from the URL hash, and the details panel.
func TestMapHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	m := estateMap(t, lineage.MapFilter{})
	m.Locations = append(m.Locations, hostileMap().Locations...)
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMap(&buf, m, lineage.FormatHTML))
	page := filepath.Join(t.TempDir(), "map.html")
	require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o600))

	evilKey := "files/" + hostileMap().Locations[0].Asset + "#" + hostileMap().Locations[0].Field
	tests := []struct {
		name, hash string
		rows       []string
		edges      string
		details    []string // text the details panel shows
	}{
		{"everything", "", []string{
			"key app/main.customers#email", "key app/main.customers#id", "pii app/main.customers#name",
			"join app/main.order_items#order_id", "join app/main.orders#customer_id", "join app/main.orders#id",
			"key " + evilKey,
			"pii logs/app.log",
			"external w\"h/<svg onload=alert(2)>#f",
			"key wh/main.dim_customer#email", "copy wh/main.dim_customer#email_sha256",
		}, "5", nil},
		{"type filter with evidence", "#type=email&sel=app%2Fmain.customers%23email", []string{
			"key app/main.customers#email", "key " + evilKey, "pii logs/app.log",
			"external w\"h/<svg onload=alert(2)>#f", "key wh/main.dim_customer#email",
		}, "2", []string{"app/main.customers#email", "confidence 0.99", "pattern ok 97/100", "column name: email", "97/100 sampled values"}},
		{"store filter and a masked copy", "#store=wh&sel=wh%2Fmain.dim_customer%23email_sha256", []string{
			"key wh/main.dim_customer#email", "copy wh/main.dim_customer#email_sha256",
		}, "0", []string{"wh/main.dim_customer#email_sha256", "copy_of", "app/main.customers#email", "fingerprint 0.93, masked"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dom := renderDOM(t, bin, page, tc.hash)
			got := drawn(dom)
			want := slices.Clone(tc.rows)
			slices.Sort(want)
			slices.Sort(got)
			require.Equal(t, want, got)
			st := statusRe.FindStringSubmatch(dom)
			require.NotNil(t, st, "status line")
			require.Equal(t, tc.edges, st[2], "edges drawn")
			n, err := strconv.Atoi(st[2])
			require.NoError(t, err)
			require.Len(t, regexp.MustCompile(`<path d="[^"]*" class="edge `).FindAllString(dom, -1), n, "edge paths in the SVG")
			for _, s := range tc.details {
				require.True(t, strings.Contains(html.UnescapeString(dom), s), "details panel lacks %q", s)
			}
			// Hostile names are text, never markup: outside attribute
			// values no <img, <svg onload or extra <script survives.
			text := attrRe.ReplaceAllString(dom, `=""`)
			for _, bad := range []string{"<img", "<svg onload"} {
				require.False(t, strings.Contains(text, bad), "%s became markup in the drawn page", bad)
			}
			require.Len(t, regexp.MustCompile(`<script\b`).FindAllStringIndex(text, -1), 2, "only the page's own scripts")
			if tc.hash == "" {
				require.True(t, strings.Contains(dom, "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"), "the hostile asset is drawn as text")
			}
		})
	}
}
