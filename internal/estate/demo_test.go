package estate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGenerateDeterministic(t *testing.T) {
	ctx := context.Background()
	a, err := Generate(ctx, Options{Dir: t.TempDir(), Subjects: 50, Seed: 7})
	require.NoError(t, err)
	b, err := Generate(ctx, Options{Dir: t.TempDir(), Subjects: 50, Seed: 7})
	require.NoError(t, err)
	for _, f := range []string{"ground-truth.json", "files/exports/customers_export.csv", "files/logs/app.jsonl",
		"files/logs/app.log", "files/events/day=2026-11-01/events.parquet"} {
		x, err := os.ReadFile(filepath.Join(a.Dir, f))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b.Dir, f))
		require.NoError(t, err)
		require.True(t, bytes.Equal(x, y), "%s differs between runs with the same seed", f)
	}
	c, err := Generate(ctx, Options{Dir: t.TempDir(), Subjects: 50, Seed: 8})
	require.NoError(t, err)
	require.NotEqual(t, a.Truth.Subjects[0].Email, c.Truth.Subjects[0].Email, "another seed, another estate")
}

// TestRecordCountsMatchFiles recounts, from the written text files, the lines
// that name each subject and checks them against the ground truth.
func TestRecordCountsMatchFiles(t *testing.T) {
	e, err := Generate(context.Background(), Options{Dir: t.TempDir(), Subjects: 40, Seed: 3})
	require.NoError(t, err)
	for _, asset := range []string{"logs/app.jsonl", "logs/app.log", "logs/archive/app-2026-10.log.gz", "exports/customers_export.csv"} {
		lines := readLines(t, filepath.Join(e.Dir, "files", asset))
		total := 0
		for _, s := range e.Truth.Subjects {
			n := 0
			for _, l := range lines {
				if containsToken(l, s.Email) || containsToken(l, s.UserID) {
					n++
				}
			}
			require.Equal(t, s.Records[StoreFiles+"/"+asset], n, "%s: lines for subject %s", asset, s.UserID)
			total += n
		}
		require.Positive(t, total, asset)
	}
}

func TestValuesValid(t *testing.T) {
	e, err := Generate(context.Background(), Options{Dir: t.TempDir(), Subjects: 200, Seed: 1})
	require.NoError(t, err)
	for _, p := range e.People {
		digits := make([]int, 0, 16)
		for _, c := range p.Card {
			digits = append(digits, int(c-'0'))
		}
		require.Equal(t, digits[15], luhnCheck(digits[:15]), "card check digit")
		require.Len(t, p.IBAN, 22)
		require.Equal(t, 1, ibanMod97(p.IBAN), "iban check digits")
		area := p.SSN[:3]
		require.NotContains(t, []string{"000", "666"}, area)
		require.NotEqual(t, byte('9'), area[0])
	}
}

func ibanMod97(iban string) int {
	s := iban[4:] + iban[:4]
	rem := 0
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
			continue
		}
		rem = (rem*10 + int(c-'0')) % 97
	}
	return rem
}

func containsToken(line, tok string) bool {
	i := strings.Index(line, tok)
	if i < 0 {
		return false
	}
	end := i + len(tok)
	return end == len(line) || !isWord(line[end])
}

func isWord(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func readLines(t *testing.T, path string) []string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var sc *bufio.Scanner
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		require.NoError(t, err)
		sc = bufio.NewScanner(zr)
	} else {
		sc = bufio.NewScanner(f)
	}
	var out []string
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	require.NoError(t, sc.Err())
	return out
}
