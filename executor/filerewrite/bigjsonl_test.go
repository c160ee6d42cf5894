package filerewrite

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// smallJSONL lowers the bounds so that JSON Lines lines of a few hundred
// bytes are oversized: the walker's buffer, maxRecord, and the JSON row
// bounds (smallJSON).
func smallJSONL(t *testing.T) {
	t.Helper()
	smallJSON(t, 64)
	oldRec, oldBlock := maxRecord, blockSize
	maxRecord, blockSize = 64, 64
	t.Cleanup(func() { maxRecord, blockSize = oldRec, oldBlock })
}

// TestBigJSONLLines: a JSON Lines line longer than maxRecord that may hold
// the subject's data is read as an oversized JSON row, not refused: the
// subject's line is dropped with its terminator, the subject's tokens in a
// bystander's long strings are redacted or masked, other lines (long ones
// included) are copied byte for byte, and the rewrite is idempotent and
// leaves nothing Count finds.
func TestBigJSONLLines(t *testing.T) {
	smallJSONL(t)
	big := jfill(400)
	mask := driver.MaskToken([]byte("test-key"), bigSubject)
	bys, subj, bigBys, bigSubj, withTok := oversizedRows(big)
	for _, tc := range []struct {
		name, in, want string
		mode           driver.Mode
		changed        int64
	}{{
		name: "oversized subject's line dropped (first), bystanders kept",
		in:   bigSubj + "\n" + bys + "\n" + bigBys + "\n",
		want: bys + "\n" + bigBys + "\n", changed: 1,
	}, {
		name: "oversized subject's line dropped (middle, CRLF, spaces around)",
		in:   bys + "\r\n  " + bigSubj + "  \r\n" + bigBys + "\r\n",
		want: bys + "\r\n" + bigBys + "\r\n", changed: 1,
	}, {
		name: "oversized subject's line dropped (last, no final newline) with a short one",
		in:   bys + "\n" + subj + "\n" + bigSubj,
		want: bys + "\n", changed: 2,
	}, {
		name: "token in a bystander's long string redacted",
		in:   bys + "\n" + withTok(" "+bigSubject+" ") + "\n",
		want: bys + "\n" + withTok(" "+Redacted+" ") + "\n", changed: 1,
	}, {
		name: "token in a long string masked in mode mask",
		in:   withTok(`\"`+bigSubject+`\"`) + "\n",
		want: withTok(`\"[hmac:`+mask+`]\"`) + "\n", changed: 1, mode: driver.ModeMask,
	}, {
		name: "oversized bystander lines only: byte for byte",
		in:   bigBys + "\n\n" + bigBys + "\n",
		want: bigBys + "\n\n" + bigBys + "\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tg := jsonTarget(tc.mode)
			got, n, err := rewrite(t, tc.in, piimap.FormatJSONL, tg)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.changed, n)
			require.NotContains(t, got, bigSubject)
			again, n, err := rewrite(t, got, piimap.FormatJSONL, tg)
			require.NoError(t, err)
			require.Equal(t, got, again, "idempotent")
			require.Zero(t, n)
			c, err := CountStream(context.Background(), strings.NewReader(got), piimap.FormatJSONL, tg)
			require.NoError(t, err)
			require.Zero(t, c)
			c, err = CountStream(context.Background(), strings.NewReader(tc.in), piimap.FormatJSONL, tg)
			require.NoError(t, err)
			require.Equal(t, tc.changed, c)
		})
	}
}

// TestBigJSONLFind: Find shows the subject's oversized line with a note in
// place of its long strings, never the long string's text.
func TestBigJSONLFind(t *testing.T) {
	smallJSONL(t)
	big := jfill(400)
	in := `{"id": 1, "note": "` + big + `"}` + "\n" + `{"id": 4, "note": "` + big + `", "email": "` + bigSubject + `"}` + "\n"
	var rows [][]any
	err := FindStream(context.Background(), strings.NewReader(in), piimap.FormatJSONL, jsonTarget(driver.ModeDelete), func(b driver.Batch) error {
		rows = append(rows, b.Rows...)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.Contains(t, rows[0], bigSubject)
	for _, v := range rows[0] {
		if s, ok := v.(string); ok {
			require.NotContains(t, s, "lorem", "the long string is noted, not exported")
		}
	}
}

// TestBigJSONLRefusals: what an oversized line cannot be is an error, and
// nothing is written as if it had been erased: a line that is not JSON, a
// line with two values, and the subject's line under a mode that keeps it
// (its fields cannot be cleared streaming).
func TestBigJSONLRefusals(t *testing.T) {
	smallJSONL(t)
	big := jfill(400)
	_, _, _, bigSubj, _ := oversizedRows(big)
	for _, tc := range []struct {
		name, in string
		mode     driver.Mode
		err      error
	}{
		{"not JSON", "{\"email\": \"" + bigSubject + "\", " + big + "\n", driver.ModeDelete, piimap.ErrCorrupt},
		{"two values on one line", bigSubj + " {}\n", driver.ModeDelete, piimap.ErrCorrupt},
		{"null mode on the subject's oversized line", bigSubj + "\n", driver.ModeNull, piimap.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := rewrite(t, tc.in, piimap.FormatJSONL, jsonTarget(tc.mode))
			require.ErrorIs(t, err, tc.err)
			require.NotContains(t, err.Error(), bigSubject)
		})
	}
}
