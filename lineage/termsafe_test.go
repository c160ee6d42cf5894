package lineage_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
)

func TestTermSafe(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "public.users", "public.users"},
		{"printable ASCII kept, quotes and backslashes too", `a "b" \c 'd' | e`, `a "b" \c 'd' | e`},
		{"CSI clear screen", "a\x1b[2Jb.csv", `a\x1b[2Jb.csv`},
		{"OSC window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\a`},
		{"carriage return", "ok\rfake", `ok\rfake`},
		{"tab", "tab\tname.log", `tab\tname.log`},
		{"newline", "a\nb", `a\nb`},
		{"vertical tab and form feed", "a\vb\fc", `a\vb\fc`},
		{"NUL", "a\x00b", `a\x00b`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI", "a\u009b2Jb", `a\u009b2Jb`},
		{"C1 NEL and OSC", "\u0085\u009d", `\u0085\u009d`},
		{"bidi override", "invoice\u202egpj.exe", `invoice\u202egpj.exe`},
		{"bidi isolates", "\u2066x\u2069", `\u2066x\u2069`},
		{"bidi marks", "\u200e\u200f\u061c", `\u200e\u200f\u061c`},
		{"zero width", "a\u200bb\ufeff", `a\u200bb\ufeff`},
		{"line separators", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"truncated UTF-8", "M\xc3", `M\xc3`},
		{"replacement character kept", "a\ufffdb", "a\ufffdb"},
		{"non-ASCII letters", "Müller", "Müller"},
		{"CJK", "顧客.メール", "顧客.メール"},
		{"emoji", "😀 report", "😀 report"},
		{"no-break space kept", "a\u00a0b", "a\u00a0b"},
		{"evil asset", "evil\x1b[2J\x1b]0;title\x07\n\tname", `evil\x1b[2J\x1b]0;title\a\n\tname`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, lineage.TermSafe(tc.in))
		})
	}
}

// TermSafe escapes control characters the way strconv.Quote does, only
// without the quotes (and without escaping quotes or backslashes).
func TestTermSafeMatchesStrconvForControls(t *testing.T) {
	for c := 0; c < 0x20; c++ {
		s := string(rune(c))
		q := strconv.Quote(s)
		require.Equal(t, q[1:len(q)-1], lineage.TermSafe(s), "byte %#x", c)
	}
	require.Equal(t, `\x7f`, lineage.TermSafe("\x7f"))
}

func TestTermSafeNoAllocation(t *testing.T) {
	s := "store/main.customers#email Müller 😀"
	allocs := testing.AllocsPerRun(100, func() { _ = lineage.TermSafe(s) })
	require.Zero(t, allocs)
	require.Equal(t, s, lineage.TermSafe(s))
}

func BenchmarkTermSafe(b *testing.B) {
	clean := strings.Repeat("main.customers.email ", 8)
	dirty := clean + "\x1b[2J"
	b.Run("clean", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = lineage.TermSafe(clean)
		}
	})
	b.Run("dirty", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = lineage.TermSafe(dirty)
		}
	})
}

// termUnsafe reports a rune TermSafe must never leave in its output.
func termUnsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r >= 0x200b && r <= 0x200f, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0x061c:
		return true
	}
	return false
}

func FuzzTermSafe(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[2Jb", "\x1b]0;pwned\x07", "\r\t\n\x00\x7f", "\u009b\u202e\u2066",
		"\xff\xc3", "Müller 😀", `back\slash "quote"`, "\u200d\ufeff\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := lineage.TermSafe(s)
		require.True(t, utf8.ValidString(out), "%q", out)
		for i := 0; i < len(out); i++ {
			require.False(t, out[i] < 0x20 || out[i] == 0x7f, "byte %#x in %q", out[i], out)
		}
		for _, r := range out {
			require.False(t, termUnsafe(r), "rune %U in %q", r, out)
		}
		printable := true
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] >= 0x7f {
				printable = false
			}
		}
		if printable {
			require.Equal(t, s, out, "printable ASCII is unchanged")
		}
		if !strings.ContainsRune(s, '\\') {
			// Without backslashes in the input, the output holds one
			// exactly when something was escaped.
			require.Equal(t, strings.Count(out, `\`) == 0, out == s)
		}
		require.Equal(t, out, lineage.TermSafe(out), "idempotent")
	})
}

// evilName is an asset name a hostile store could hold: it clears the
// screen, sets the window title, and would add a row and a column.
const evilName = "evil\x1b[2J\x1b]0;title\x07\n\tname"

// namedMap puts name everywhere a store supplies text: store, asset,
// field, identity, evidence, masked value, edge target, unit error and
// coverage gap.
func namedMap(name string) *lineage.Map {
	return &lineage.Map{ScanRun: "R1", GeneratedAt: generated, RunStatus: "completed", Locations: []lineage.MapLocation{
		{Store: "files", Kind: "files", Asset: name + ".csv", Field: "email", SubjectKey: true, Identity: "email",
			PII: []lineage.MapPII{{Type: "email", Confidence: 0.9, Hits: 9, Sampled: 10, Evidence: []string{"a…@" + name},
				Masked: "a…@" + name}},
			Edges: []lineage.MapEdge{{Kind: lineage.EdgeCopyOf, To: lineage.MapRef{Store: "wh", Asset: name, Field: name},
				Source: lineage.SourceFingerprint, Confidence: 0.9, Transform: lineage.TransformMasked}}},
		{Store: name, Kind: "files", Asset: "plain.csv", Field: name,
			PII:   []lineage.MapPII{{Type: "phone", Confidence: 0.8, Hits: 8, Sampled: 10, Evidence: []string{name}}},
			Edges: []lineage.MapEdge{}},
	},
		Errors:   []lineage.UnitError{{Store: "files", Unit: name, Err: "open " + name + ": permission denied"}},
		Coverage: []lineage.CoverageGap{{Store: name, Asset: "plain.csv", Field: name, Types: []string{"phone"}, Reason: "no key: " + name}},
	}
}

// rawControl returns the first character in out that TermSafe escapes,
// other than the newlines the format writes itself (no format writes a
// tab of its own).
func rawControl(out string) (rune, bool) {
	for _, r := range out {
		if r == '\n' {
			continue
		}
		if r == utf8.RuneError || termUnsafe(r) {
			return r, true
		}
	}
	return 0, false
}

// Every human-readable format escapes control characters in names, and a
// hostile name takes as many lines as a benign one.
func TestWriteMapTermSafe(t *testing.T) {
	benign := "benign_name_________________"
	for _, format := range []string{lineage.FormatTable, lineage.FormatMD, lineage.FormatCSV, lineage.FormatDOT,
		lineage.FormatMermaid, lineage.FormatHTML} {
		t.Run(format, func(t *testing.T) {
			var evil, good bytes.Buffer
			require.NoError(t, lineage.WriteMap(&evil, namedMap(evilName), format))
			require.NoError(t, lineage.WriteMap(&good, namedMap(benign), format))
			out := evil.String()
			r, bad := rawControl(out)
			require.False(t, bad, "raw %U in %s output:\n%s", r, format, out)
			require.NotContains(t, out, "\x1b")
			require.Equal(t, strings.Count(good.String(), "\n"), strings.Count(out, "\n"), "same number of lines")
			switch format {
			case lineage.FormatTable, lineage.FormatCSV:
				require.Contains(t, out, `evil\x1b[2J\x1b]0;title\a\n\tname`)
			case lineage.FormatDOT:
				require.Contains(t, out, `evil\\x1b[2J\\x1b]0;title\\a\\n\\tname`)
			case lineage.FormatMD:
				require.Contains(t, out, `evil\\x1b\[2J\\x1b\]0;title\\a\\n\\tname`)
			}
			if format == lineage.FormatTable {
				// Every table line has as many columns as the benign one.
				gl, el := strings.Split(good.String(), "\n"), strings.Split(out, "\n")
				for i := range gl {
					require.Equal(t, len(strings.Fields(gl[i])) > 0, len(strings.Fields(el[i])) > 0, "line %d", i)
				}
				require.True(t, strings.HasPrefix(el[1], "files"), el[1])
			}
		})
	}
}

// The html page embeds the map as JSON: DEL, C1 and bidi characters,
// which encoding/json leaves raw, are \u escapes there, and the names
// decode exactly.
func TestWriteMapHTMLEscapesC1(t *testing.T) {
	name := "a\x7fb\u009b2J\u202etxt.exe\u2066"
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteMap(&buf, namedMap(name), lineage.FormatHTML))
	page := buf.String()
	r, bad := rawControl(page)
	require.False(t, bad, "raw %U in the page", r)
	require.Contains(t, page, `a\u007fb\u009b2J\u202etxt.exe\u2066`)
	raw := regexp.MustCompile(`(?s)<script type="application/json" id="piimap-data">(.*?)</script>`).FindStringSubmatch(page)[1]
	var data struct {
		Map lineage.Map `json:"map"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &data))
	require.Equal(t, name+".csv", data.Map.Locations[0].Asset)
}

func TestWriteTraceAndDiffTermSafe(t *testing.T) {
	edge := &lineage.TraceEdge{Kind: lineage.EdgeCopyOf, Source: "fp\x1b[31m", Confidence: 0.9, Transform: "t\u202e"}
	tr := &lineage.Trace{Run: "R\x1b]0;x\x07", Direction: "up", Kinds: []string{"copy_of\n"}, Count: 1,
		Root: &lineage.TraceNode{Node: "files/" + evilName, Children: []*lineage.TraceNode{
			{Node: "wh/" + evilName, Via: edge, Also: []lineage.TraceEdge{{Kind: "derived_from", Source: "sql", From: evilName}}},
		}}}
	var buf bytes.Buffer
	require.NoError(t, lineage.WriteTraceText(&buf, tr))
	r, bad := rawControl(buf.String())
	require.False(t, bad, "raw %U:\n%s", r, buf.String())
	require.Equal(t, 4, strings.Count(buf.String(), "\n"), buf.String())

	d := &lineage.MapDiff{From: "A\x1b[2J", To: "B",
		Added: namedMap(evilName).Locations,
		EdgesChanged: []lineage.EdgeChange{{From: lineage.MapRef{Store: evilName}, Kind: "copy_of\t", To: lineage.MapRef{Asset: evilName},
			Source: "\u009b", ConfidenceA: 0.5, ConfidenceB: 0.9, TransformFrom: "\x1b", TransformTo: "b"}},
		GapsAdded: namedMap(evilName).Errors}
	buf.Reset()
	require.NoError(t, lineage.WriteDiffText(&buf, d))
	r, bad = rawControl(buf.String())
	require.False(t, bad, "raw %U:\n%s", r, buf.String())
}
