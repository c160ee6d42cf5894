package filerewrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// Synthetic test data only.

// smallJSON lowers jsonDocBound and jsonLongString (and the masker's
// window) so that documents of a few hundred bytes stream.
func smallJSON(t *testing.T, bound int) {
	t.Helper()
	oldDoc, oldLong, oldChunk, oldSkel := jsonDocBound, jsonLongString, maskChunk, jsonSkeleton
	jsonDocBound, jsonLongString, maskChunk, jsonSkeleton = bound, bound, bound, 16*bound
	t.Cleanup(func() { jsonDocBound, jsonLongString, maskChunk, jsonSkeleton = oldDoc, oldLong, oldChunk, oldSkel })
}

func jsonTarget(mode driver.Mode) driver.Target {
	return driver.Target{Asset: "big.json", Mode: mode, Fields: []string{"note"},
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{bigSubject}}}}
}

// jfill is n bytes of JSON string content without the subject in it,
// escapes included.
func jfill(n int) string {
	s := strings.Repeat(`lorem \"ipsum\" dolor\n sit \\ am\u00e9t `, n/38+1)
	for i := 0; i < n; i++ {
		if s[i] == '\\' {
			k := 2
			if s[i+1] == 'u' {
				k = 6
			}
			if i+k > n { // not cut inside an escape
				return s[:i] + strings.Repeat(" ", n-i)
			}
			i += k - 1
		}
	}
	return s[:n]
}

// oversizedRows are the rows of the oversized-row tests around a long string
// big: a bystander's and the subject's short rows, their oversized rows
// (the subject's email beside a long note), and a bystander's oversized
// row with tok in the middle of its note.
func oversizedRows(big string) (bys, subj, bigBys, bigSubj string, withTok func(tok string) string) {
	bys = `{"id": 2, "email": "bob@example.test"}`
	subj = `{"id": 3, "email": "` + bigSubject + `"}`
	bigBys = `{"id": 1, "email": "x@example.test", "note": "` + big + `"}`
	bigSubj = `{"id": 4, "note": "` + big + `", "email": "` + bigSubject + `", "tags": [1, {"a": "b"}]}`
	withTok = func(tok string) string {
		return `{"id": 5, "email": "y@example.test", "note": "` + big[:150] + tok + big[150:] + `"}`
	}
	return
}

func TestBigJSONDocument(t *testing.T) {
	smallJSON(t, 64)
	big := jfill(300)
	mask := driver.MaskToken([]byte("test-key"), bigSubject)
	bys, subj, bigBys, bigSubj, withTok := oversizedRows(big)
	for _, tc := range []struct {
		name, in, want string
		mode           driver.Mode
		changed        int64
	}{{
		name: "bystander oversized row untouched, subject's short row dropped (last)",
		in:   "[\n  " + bigBys + ",\n  " + bys + ",\n  " + subj + "\n]\n",
		want: "[\n  " + bigBys + ",\n  " + bys + "\n]\n", changed: 1,
	}, {
		name: "oversized subject's row dropped (first)",
		in:   "[ " + bigSubj + " , " + bys + " , " + bigBys + " ]",
		want: "[ " + bys + " , " + bigBys + " ]", changed: 1,
	}, {
		name: "oversized subject's row dropped (middle)",
		in:   "[" + bys + ",\n" + bigSubj + ",\n" + bigBys + "]",
		want: "[" + bys + ",\n" + bigBys + "]", changed: 1,
	}, {
		name: "oversized subject's row dropped (last), pretty-printed",
		in:   "[\n\t" + bys + ",\n\t" + bigBys + ",\n\t" + bigSubj + "\n]\n",
		want: "[\n\t" + bys + ",\n\t" + bigBys + "\n]\n", changed: 1,
	}, {
		name: "only row dropped",
		in:   "[" + bigSubj + "]",
		want: "[]", changed: 1,
	}, {
		name: "token in a long string, between escapes",
		in:   "[" + withTok(`\"`+bigSubject+`\"\n`+bigSubject+`\u00e9 `+bigSubject+` \\ `) + "," + bys + "]",
		want: "[" + withTok(`\"`+Redacted+`\"\n`+Redacted+`\u00e9 `+Redacted+` \\ `) + "," + bys + "]", changed: 1,
	}, {
		name: "token written with a \\u escape",
		in:   "[" + withTok(` ann.subject\u0040example.test `) + "]",
		want: "[" + withTok(` `+Redacted+` `) + "]", changed: 1,
	}, {
		name: "token masked in mode mask",
		in:   "[" + withTok(" "+bigSubject+" ") + "]",
		want: "[" + withTok(" [hmac:"+mask+"] ") + "]", changed: 1, mode: driver.ModeMask,
	}, {
		name: "long strings nested in objects and arrays, and as a key",
		in:   `[{"a": {"b": ["` + big + " " + bigSubject + `", {"c": "` + big + `"}]}, "` + big + " " + bigSubject + ` ": 1, "email": "z@example.test"}]`,
		want: `[{"a": {"b": ["` + big + " " + Redacted + `", {"c": "` + big + `"}]}, "` + big + " " + Redacted + ` ": 1, "email": "z@example.test"}]`, changed: 1,
	}, {
		name: "top-level object: tokens masked",
		in:   "\n" + withTok(" "+bigSubject) + "\n",
		want: "\n" + withTok(" "+Redacted) + "\n", changed: 1,
	}, {
		name: "top-level object, the subject's: dropped",
		in:   bigSubj + "\n",
		want: "\n", changed: 1,
	}, {
		name: "a long string of the match field holding the subject's token",
		in:   `[{"email": "` + big + " " + bigSubject + `"}, ` + bys + `]`,
		want: `[` + bys + `]`, changed: 1,
	}, {
		name: "subject's short row with the null mode, oversized bystander",
		in:   "[" + bigBys + ", " + subj + "]",
		want: "[" + bigBys + `, {"email":null,"id":3}]`, changed: 1, mode: driver.ModeNull,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tg := jsonTarget(tc.mode)
			got, n, err := rewrite(t, tc.in, piimap.FormatJSON, tg)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.changed, n)
			require.False(t, strings.Contains(got, bigSubject))
			// idempotent: a second erasure changes nothing, and finds nothing
			again, n, err := rewrite(t, got, piimap.FormatJSON, tg)
			require.NoError(t, err)
			require.Equal(t, got, again)
			require.Zero(t, n)
			c, err := CountStream(context.Background(), strings.NewReader(got), piimap.FormatJSON, tg)
			require.NoError(t, err)
			require.Zero(t, c)
			c, err = CountStream(context.Background(), strings.NewReader(tc.in), piimap.FormatJSON, tg)
			require.NoError(t, err)
			require.Equal(t, tc.changed, c)
		})
	}
}

// A token is found wherever it falls against the masker's windows.
func TestBigJSONTokenAcrossWindows(t *testing.T) {
	smallJSON(t, 64)
	big := jfill(700)
	for at := 0; at < 400; at += 7 {
		in := `[{"note": "` + big[:at] + " " + bigSubject + `\n` + big[at:] + `"}]`
		if jfill(at) != big[:at] {
			continue // not cut inside an escape
		}
		want := `[{"note": "` + big[:at] + " " + Redacted + `\n` + big[at:] + `"}]`
		got, n, err := rewrite(t, in, piimap.FormatJSON, jsonTarget(driver.ModeDelete))
		require.NoError(t, err, "at %d", at)
		require.Equal(t, want, got, "at %d", at)
		require.EqualValues(t, 1, n)
	}
}

func TestBigJSONFind(t *testing.T) {
	smallJSON(t, 64)
	big := jfill(300)
	in := `[{"id": 1, "note": "` + big + " " + bigSubject + `"}, {"id": 2, "email": "` + bigSubject + `", "note": "` + big + `"}]`
	var rows [][]any
	err := FindStream(context.Background(), strings.NewReader(in), piimap.FormatJSON, jsonTarget(driver.ModeDelete), func(b driver.Batch) error {
		rows = append(rows, b.Rows...)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	note := fmt.Sprintf("[string of %d bytes, over 64: not exported]", len(big)+1+len(bigSubject))
	require.Equal(t, []any{nil, note}, rows[0], "a bystander's row: only the note")
	require.Equal(t, bigSubject, rows[1][0])
	require.Equal(t, "2", fmt.Sprint(rows[1][1]))
	require.Equal(t, fmt.Sprintf("[string of %d bytes, over 64: not exported]", len(big)), rows[1][2])
}

func TestBigJSONRefused(t *testing.T) {
	smallJSON(t, 64)
	big := jfill(300)
	bigSubj := `[{"note": "` + big + `", "email": "` + bigSubject + `"}]`
	many := `[{"a": [` + strings.Repeat(`"x", `, 300) + `"y"], "email": "` + bigSubject + `"}]`
	for name, tc := range map[string]struct {
		in string
		tg driver.Target
	}{
		"null mode on an oversized subject's row": {bigSubj, jsonTarget(driver.ModeNull)},
		"mask mode on an oversized subject's row": {bigSubj, jsonTarget(driver.ModeMask)},
		"rectifying an oversized subject's row": {bigSubj, func() driver.Target {
			tg := jsonTarget("")
			tg.Changes = map[string]string{"email": "new@example.test"}
			return tg
		}()},
		"oversized structure that may be the subject's": {many, jsonTarget(driver.ModeDelete)},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := rewrite(t, tc.in, piimap.FormatJSON, tc.tg)
			require.True(t, errors.Is(err, piimap.ErrUnsupported), "%v", err)
		})
	}
	_, err := CountStream(context.Background(), strings.NewReader(many), piimap.FormatJSON, jsonTarget(""))
	require.True(t, errors.Is(err, piimap.ErrUnsupported), "%v", err)
	err = walkStream(strings.NewReader(bigSubj), piimap.FormatJSON, nil, func([]byte, *record) error { return nil })
	require.True(t, errors.Is(err, piimap.ErrUnsupported), "%v", err)
	// the same structure without the subject in it goes through unchanged
	clean := strings.ReplaceAll(many, bigSubject, "bob@example.test")
	got, n, err := rewrite(t, clean, piimap.FormatJSON, jsonTarget(""))
	require.NoError(t, err)
	require.Equal(t, clean, got)
	require.Zero(t, n)
	for _, bad := range []string{`[{"a": "` + big + `"}`, `[{"a": "` + big + `"}} ]`, `[{"a": "` + big + `"} {"b": 1}]`, `[{"a": "` + big + `"}, ]`} {
		_, _, err := rewrite(t, bad, piimap.FormatJSON, jsonTarget(""))
		require.True(t, errors.Is(err, piimap.ErrCorrupt), "%v", err)
	}
}

// On random documents without the subject's tokens in long strings, the
// streaming path gives what a document read whole gives.
func TestBigJSONSameAsWhole(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	seps := []string{",", ", ", ",\n  ", "\n,\n", " ,\t"}
	for i := 0; i < 400; i++ {
		sep := seps[rng.Intn(len(seps))]
		var rows []string
		for j := rng.Intn(6); j >= 0; j-- {
			email := []string{bigSubject, "bob@example.test", strings.ToUpper(bigSubject)}[rng.Intn(3)]
			row := fmt.Sprintf(`{"id": %d, "email": "%s"`, j, email)
			if rng.Intn(2) == 0 {
				row += `, "note": "` + jfill(rng.Intn(200)) + `"`
			}
			if rng.Intn(3) == 0 {
				row += `, "user": {"tags": ["a", "` + jfill(rng.Intn(150)) + `"], "n": null}`
			}
			rows = append(rows, row+"}")
		}
		doc := "[" + []string{"", "\n  ", " "}[rng.Intn(3)] + strings.Join(rows, sep) + []string{"", "\n", " "}[rng.Intn(3)] + "]\n"
		if rng.Intn(5) == 0 {
			doc = " " + rows[0] + "\n"
		}
		mode := []driver.Mode{driver.ModeDelete, "", driver.ModeNull, driver.ModeMask}[rng.Intn(4)]
		tg := jsonTarget(mode)
		want, wn, werr := rewrite(t, doc, piimap.FormatJSON, tg)
		wc, _ := CountStream(context.Background(), strings.NewReader(doc), piimap.FormatJSON, tg)
		func() {
			smallJSON(t, 48+rng.Intn(64))
			defer func() { jsonDocBound, jsonLongString, maskChunk, jsonSkeleton = 16<<20, 1<<20, 1<<20, 16<<20 }()
			got, n, err := rewrite(t, doc, piimap.FormatJSON, tg)
			if werr != nil || (errors.Is(err, piimap.ErrUnsupported) && mode != driver.ModeDelete && mode != "") {
				return // a subject's oversized row cannot be cleared streaming
			}
			require.NoError(t, err, "doc %d", i)
			require.Equal(t, want, got, "doc %d (mode %q)", i, mode)
			require.Equal(t, wn, n, "doc %d", i)
			c, err := CountStream(context.Background(), strings.NewReader(doc), piimap.FormatJSON, tg)
			require.NoError(t, err)
			require.Equal(t, wc, c, "doc %d", i)
		}()
	}
	require.Equal(t, 16<<20, jsonDocBound)
}

// The streamed copy of a document keeps every byte when nothing matches.
func TestBigJSONLossless(t *testing.T) {
	smallJSON(t, 32)
	for _, doc := range []string{
		"[]", " [ ] \n", "[1, 2.5e3, true, null, \"" + jfill(100) + "\"]\n", "\"" + jfill(100) + "\"",
		"{\"a\": [[[[\"" + jfill(90) + "\"]]]], \"b\": {}}  \n", "[{\"x\": \"\\ud83d\\ude00" + jfill(80) + "\"}]trailing",
		"1 2 3 {\"a\":\"" + jfill(70) + "\"}\n[4]",
	} {
		var out bytes.Buffer
		n, err := RewriteStream(context.Background(), strings.NewReader(doc), &out, piimap.FormatJSON, jsonTarget(""), nil)
		require.NoError(t, err, doc)
		require.Zero(t, n)
		require.Equal(t, doc, out.String())
	}
}

// Read one byte at a time, escapes and tokens are cut everywhere.
func TestBigJSONOneByteReads(t *testing.T) {
	smallJSON(t, 64)
	big := jfill(300)
	in := "[\n " + `{"id": 1, "note": "` + big[:120] + ` \"` + bigSubject + `\" ` + big[120:] + `"},` + "\n " +
		`{"id": 2, "email": "` + bigSubject + `", "note": "` + big + `"},` + "\n " + `{"id": 3}` + "\n]\n"
	want := "[\n " + `{"id": 1, "note": "` + big[:120] + ` \"` + Redacted + `\" ` + big[120:] + `"},` + "\n " + `{"id": 3}` + "\n]\n"
	var out bytes.Buffer
	n, err := RewriteStream(context.Background(), iotest.OneByteReader(strings.NewReader(in)), &out, piimap.FormatJSON, jsonTarget(""), nil)
	require.NoError(t, err)
	require.Equal(t, want, out.String())
	require.EqualValues(t, 2, n)
}

// A match without a field finds the subject's token in a long string: the
// row is theirs.
func TestBigJSONTextMatch(t *testing.T) {
	smallJSON(t, 64)
	big := jfill(300)
	in := `[{"id": 1, "note": "` + big + " " + bigSubject + `"}, {"id": 2}]`
	tg := driver.Target{Asset: "big.json", Match: []driver.Match{{Kind: piimap.KeyEmail, Values: []string{bigSubject}}}}
	got, n, err := rewrite(t, in, piimap.FormatJSON, tg)
	require.NoError(t, err)
	require.Equal(t, `[{"id": 2}]`, got)
	require.EqualValues(t, 1, n)
}
