package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// requireTermSafe fails when out holds a byte that could drive a terminal
// or break a table: any C0 control but newline, DEL, a C1 control, a bidi
// override, or invalid UTF-8.
func requireTermSafe(t *testing.T, what, out string) {
	t.Helper()
	require.True(t, utf8.ValidString(out), "%s: invalid UTF-8:\n%q", what, out)
	require.NotContains(t, out, "\x1b", "%s: raw ESC:\n%q", what, out)
	for _, r := range out {
		bad := (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
		require.False(t, bad, "%s: raw %U:\n%q", what, r, out)
	}
}

// Hostile names for the warehouse: a table that clears the screen and holds
// a tab and a newline, a column that sets the window title, and a child
// table with a bidi override whose foreign key makes a references edge.
const (
	evilTable  = "cust\x1b[2J\tomers\nx"
	evilColumn = "e\x1b]0;pwned\x07mail"
	evilChild  = "ord\u202eers\u009b"
)

// TestHostileNamesDoNotReachTheTerminal is the incident: a DuckDB table and
// column, and file names, with escape sequences, a tab, a newline, C1 and
// bidi characters (and an unreadable file with one: a gap), go through
// scan, map (table, md, csv, dot, mermaid, html), lineage, dsar plan,
// receipt, status and list, and errors. Nothing raw reaches stdout or
// stderr, and each table has one row per location.
func TestHostileNamesDoNotReachTheTerminal(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	require.NoError(t, os.MkdirAll(data, 0o755))
	write := func(name string, body []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(data, name), body, 0o644))
	}
	// The files store may read these (names escaped in output) or list
	// them as gaps for their names; either way nothing raw is printed.
	write("a\x1b[2Jb.csv", []byte("id,email\n1,ann@example.com\n2,bob@example.com\n"))
	write("tab\tname.log", []byte("login ok for ann@example.com from the web\nlogin ok for bob@example.com\n"))
	write("new\nline\u202etxt.csv", []byte("id,email\n1,ann@example.com\n"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write([]byte(strings.Repeat("login ok for ann@example.com from the web\n", 200)))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	write("broken\x1b[31m\r.log.gz", gz.Bytes()[:gz.Len()*2/3]) // truncated: a gap

	wh := filepath.Join(dir, "wh.duckdb")
	db, err := sduck.Open(context.Background(), "duckdb://"+wh, false)
	require.NoError(t, err)
	q := func(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }
	_, err = db.Exec(fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, email VARCHAR, %s VARCHAR)", q(evilTable), q(evilColumn)))
	require.NoError(t, err)
	_, err = db.Exec(fmt.Sprintf("CREATE TABLE %s (id INTEGER, customer_id INTEGER REFERENCES %s (id), total INTEGER)", q(evilChild), q(evilTable)))
	require.NoError(t, err)
	for i := range 40 {
		_, err = db.Exec(fmt.Sprintf("INSERT INTO %s VALUES (?, ?, ?)", q(evilTable)), i,
			fmt.Sprintf("user%02d@example.com", i), fmt.Sprintf("alt%02d@example.org", i))
		require.NoError(t, err)
		_, err = db.Exec(fmt.Sprintf("INSERT INTO %s VALUES (?, ?, ?)", q(evilChild)), 100+i, i, 10*i)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	// cfg has both stores; whCfg only the warehouse, with a graph of its
	// own, for the requests (a request covers every store of its graph,
	// and how the files store treats names it will not read is its own
	// business).
	config := func(name, stores string) string {
		path := filepath.Join(dir, name+".yaml")
		require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf("graph: %s\nstores:\n%s", filepath.Join(dir, name+"-graph"), stores)), 0o600))
		return path
	}
	whStore := fmt.Sprintf("  - name: wh\n    url: duckdb://%s\n", wh)
	cfg := config("all", fmt.Sprintf("  - name: files\n    url: file://%s\n", data)+whStore)
	whCfg := config("wh", whStore)
	runOn := func(t *testing.T, cfg string, args ...string) (int, string, string) {
		t.Helper()
		code, out, errs := cli(t, append([]string{"--config", cfg}, args...)...)
		requireTermSafe(t, strings.Join(args, " ")+" stdout", out)
		requireTermSafe(t, strings.Join(args, " ")+" stderr", errs)
		return code, out, errs
	}
	c := func(t *testing.T, args ...string) (int, string, string) {
		t.Helper()
		return runOn(t, cfg, args...)
	}
	isRow := func(l string) bool {
		return strings.HasPrefix(l, "files ") || strings.HasPrefix(l, "wh ")
	}

	code, out, errs := c(t, "scan", "--full")
	require.Equal(t, exitGaps, code, "the truncated gzip is a gap\nstdout: %s\nstderr: %s", out, errs)
	require.Contains(t, out, `gap: files/broken\x1b[31m`)

	// json is a machine format: encoding/json escapes control characters
	// and keeps the rest of a name (a bidi override) exact.
	var m lineage.Map
	_, js, _ := cli(t, "--config", cfg, "map", "--format", "json")
	require.NoError(t, json.Unmarshal([]byte(js), &m))
	fields := map[string]bool{}
	rows := 0
	for _, l := range m.Locations {
		fields[l.Asset+"#"+l.Field] = true
		rows += max(1, len(l.Edges))
	}
	require.True(t, fields["main."+evilTable+"#"+evilColumn], "json keeps the exact names: %v", fields)
	require.True(t, fields["main."+evilChild+"#customer_id"], "the join key is listed: %v", fields)
	require.NotEmpty(t, m.Errors)

	t.Run("map table", func(t *testing.T) {
		_, out, _ := c(t, "map", "--format", "table")
		// Header, a row per location (plus one per further edge), a blank
		// line, the run line, then one line per gap and coverage gap.
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.Len(t, lines, 1+rows+2+len(m.Errors)+len(m.Coverage), out)
		require.True(t, strings.HasPrefix(lines[0], "STORE"), out)
		for _, l := range lines[1 : 1+rows] {
			require.True(t, isRow(l) || strings.HasPrefix(l, " "), "a row, not a broken-off name: %q", l)
		}
		require.Equal(t, "", lines[1+rows])
		require.Contains(t, out, `main.cust\x1b[2J\tomers\nx`)
		require.Contains(t, out, `e\x1b]0;pwned\amail`)
		require.Contains(t, out, `main.ord\u202eers\u009b`)
		require.Contains(t, out, `a\x1b[2Jb.csv`, "as a location or as a gap")
	})

	t.Run("map md", func(t *testing.T) {
		_, out, _ := c(t, "map", "--format", "md")
		n := 0
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "| ") {
				n++
				require.Equal(t, 8, strings.Count(l, "|")-strings.Count(l, `\|`), "7 cells: %q", l)
			}
		}
		require.Equal(t, 1+len(m.Locations), n, "header and one row per location:\n%s", out)
	})

	t.Run("map csv", func(t *testing.T) {
		_, out, _ := c(t, "map", "--format", "csv")
		n := 0
		for _, l := range m.Locations {
			n += max(1, len(l.PII))
		}
		require.Equal(t, 1+n, strings.Count(out, "\n"), "one line per row:\n%s", out)
	})

	t.Run("map dot, mermaid, html", func(t *testing.T) {
		// The html page embeds the map as JSON with \u escapes for
		// control and bidi characters (the names decode exactly).
		for _, f := range []string{"dot", "mermaid", "html"} {
			c(t, "map", "--format", f)
		}
	})

	t.Run("lineage and errors", func(t *testing.T) {
		code, out, _ := c(t, "lineage", "wh/main."+evilTable+"#id", "--down")
		require.Equal(t, exitOK, code)
		require.Contains(t, out, `wh/main.cust\x1b[2J\tomers\nx#id`)
		require.Contains(t, out, `wh/main.ord\u202eers\u009b#customer_id`)
		code, _, errs := c(t, "lineage", "files/no\x1b[2J\nsuch.csv#email", "--up")
		require.NotEqual(t, exitOK, code)
		require.Equal(t, 1, strings.Count(errs, "\n"), "one error line: %q", errs)
		code, _, errs = c(t, "map", "--format", "x\x1b]0;t\x07\ny")
		require.Equal(t, exitUsage, code)
		require.Equal(t, 1, strings.Count(errs, "\n"), "one error line: %q", errs)
	})

	t.Run("dsar plan and receipt", func(t *testing.T) {
		c := func(t *testing.T, args ...string) (int, string, string) {
			t.Helper()
			return runOn(t, whCfg, args...)
		}
		code, out, errs := c(t, "scan", "--full")
		require.Equal(t, exitOK, code, "stdout: %s\nstderr: %s", out, errs)
		code, out, errs = c(t, "dsar", "new", "--type", "access", "--subject", "email=user03@example.com",
			"--requester", "req\x1b[2Juester", "--reason", "because\x1b]0;t\x07\nfake row", "--attested-by", "dpo", "--attest-method", "id-document")
		require.Equal(t, exitOK, code, "stdout: %s\nstderr: %s", out, errs)
		id := strings.TrimSpace(out)
		_, out, _ = c(t, "dsar", "plan", id)
		require.Contains(t, out, `main.cust\x1b[2J\tomers\nx`)
		_, js, _ := cli(t, "--config", whCfg, "dsar", "plan", id, "--json")
		var p planning.Plan
		require.NoError(t, json.Unmarshal([]byte(js), &p))
		steps := 0
		for _, l := range strings.Split(out, "\n") {
			if isRow(strings.TrimPrefix(l, "  ")) {
				steps++
			}
		}
		require.Equal(t, len(p.Steps()), steps, "one plan row per step:\n%s", out)

		code, out, errs = c(t, "dsar", "approve", id, "--by", "dpo")
		require.Equal(t, exitOK, code, "stdout: %s\nstderr: %s", out, errs)
		code, out, errs = c(t, "dsar", "run", id, "--out", filepath.Join(dir, "pkg\x1b[2J"))
		require.Contains(t, []int{exitOK, exitGaps}, code, "stdout: %s\nstderr: %s", out, errs)
		require.Contains(t, out, `pkg\x1b[2J`)
		_, js, _ = cli(t, "--config", whCfg, "dsar", "receipt", id, "--json")
		var rc evidence.Receipt
		require.NoError(t, json.Unmarshal([]byte(js), &rc))
		_, out, _ = c(t, "dsar", "receipt", id)
		locs := 0
		for _, l := range strings.Split(out, "\n") {
			if isRow(strings.TrimPrefix(l, "  ")) {
				locs++
			}
		}
		require.Equal(t, len(rc.Locations), locs, "one receipt row per location:\n%s", out)
		require.Contains(t, out, `main.cust\x1b[2J\tomers\nx`)
		_, out, _ = c(t, "dsar", "status", id)
		require.Contains(t, out, `req\x1b[2Juester`)
		// list is a table: a header and one row of seven columns (id,
		// tenant, type, status, age, due, subject; overdue is empty).
		_, out, _ = cli(t, "--config", whCfg, "dsar", "list")
		requireTermSafe(t, "dsar list", out)
		require.Equal(t, 2, strings.Count(out, "\n"), out)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.Len(t, strings.Fields(lines[0]), 8, out)
		require.Len(t, strings.Fields(lines[1]), 7, out)
	})
}

// The terminal safety net escapes C0 controls and DEL but keeps tabs,
// newlines and UTF-8, and reports the caller's byte count.
func TestTermWriter(t *testing.T) {
	var buf bytes.Buffer
	w := termWriter{&buf}
	for _, tc := range []struct{ in, want string }{
		{"plain\tcols\nrow\n", "plain\tcols\nrow\n"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\a`},
		{"over\rwrite\x7f", `over\rwrite\x7f`},
		{"Müller 😀 \u009b", "Müller 😀 \u009b"}, // C1 and bidi are escaped per value, not here
	} {
		buf.Reset()
		n, err := w.Write([]byte(tc.in))
		require.NoError(t, err)
		require.Equal(t, len(tc.in), n)
		require.Equal(t, tc.want, buf.String())
	}
}

// safeArgs escapes text of every kind and leaves numbers alone.
func TestSafeArgs(t *testing.T) {
	var buf bytes.Buffer
	safef(&buf, "%s|%s|%d|%.1f|%v|%s|%s|%v\n", "a\tb", dsar.Type("x\ny"), 7, 0.5, fmt.Errorf("e\x1b"),
		[]string{"p\x07"}, testStringer{}, nil)
	require.Equal(t, `a\tb|x\ny|7|0.5|e\x1b|[p\a]|s\x1bt|<nil>`+"\n", buf.String())
}

type testStringer struct{}

func (testStringer) String() string { return "s\x1bt" }
