package scanner_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/files"
	"github.com/piimap/piimap/scanner/idfilter"
)

// idEstate writes a files store: a text log, a CSV export, a JSONL log and
// a JSONL file with a broken line (a unit error).
func idEstate(t *testing.T, dir string) (emails []string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o755))
	var log, csv, jsonl strings.Builder
	csv.WriteString("customer_id,email,phone\n")
	for i := range 400 {
		e := fmt.Sprintf("idf.person%03d@example.com", i)
		emails = append(emails, e)
		fmt.Fprintf(&log, "2026-01-01T00:00:%02dZ INFO login ok for %s session sess_%06dx\n", i%60, e, i)
		fmt.Fprintf(&csv, "%d,%s,+44 20 7946 %04d\n", i, e, i)
		fmt.Fprintf(&jsonl, `{"level":"info","msg":"reset sent","user":{"email":%q,"id":"usr_%06dq"}}`+"\n", e, i)
	}
	write := func(rel, data string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o644))
	}
	write("logs/auth.log", log.String())
	write("export.csv", csv.String())
	write("logs/app.jsonl", jsonl.String())
	write("logs/broken.jsonl", `{"msg":"login idf.broken@example.com"}`+"\n{not json\n")
	return emails
}

// TestIdentifierFilters: a full scan stores a filter per text/CSV/JSONL
// object holding every identifier of it (and few others), with the unit's
// version and the run; a unit that failed part-way gets none; a sampled
// scan neither builds nor replaces filters; no raw value reaches the graph
// directory.
func TestIdentifierFilters(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "files")
	emails := idEstate(t, dir)

	rs, err := rules.Default()
	require.NoError(t, err)
	eng, err := classifiers.New(rs, classifiers.Options{})
	require.NoError(t, err)
	open := func(name string) *badgerstore.Store {
		g, err := badgerstore.Open(filepath.Join(root, name))
		require.NoError(t, err)
		return g
	}
	stores := []scanner.StoreConfig{{Name: "lake", URL: "file://" + dir}}

	// A sampled scan builds nothing.
	sg := open("sampled")
	key, err := sg.InstallationKey(ctx)
	require.NoError(t, err)
	_, err = scanner.Run(ctx, stores, scanner.Options{Graph: sg, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key})
	require.NoError(t, err)
	n := 0
	require.NoError(t, sg.ListDocs(ctx, idfilter.DocKind, func(string, []byte) error { n++; return nil }))
	assert.Zero(t, n, "a sampled scan builds no filter")
	require.NoError(t, sg.Close())

	g := open("graph")
	key, err = g.InstallationKey(ctx)
	require.NoError(t, err)
	opt := scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key, Full: true, PerUnit: 2}
	res, err := scanner.Run(ctx, stores, opt)
	require.NoError(t, err)
	require.Len(t, res.Errors, 1, "the broken JSONL")

	h, err := idfilter.NewHasher(key)
	require.NoError(t, err)
	builds := map[string]string{}
	for _, asset := range []string{"logs/auth.log", "export.csv", "logs/app.jsonl"} {
		st, err := idfilter.Load(ctx, g, "lake", asset)
		require.NoError(t, err, asset)
		fi, err := os.Stat(filepath.Join(dir, asset))
		require.NoError(t, err)
		assert.Equal(t, fi.Size(), st.Meta.Version.Size, asset)
		assert.Equal(t, res.RunID, st.Meta.RunID, asset)
		assert.Equal(t, h.KeyID(), st.Meta.KeyID, asset)
		builds[asset] = st.Meta.Build
		for _, e := range emails {
			k, ok := h.EmailKey(e)
			require.True(t, ok)
			in, err := st.MayContain(ctx, k)
			require.NoError(t, err)
			require.True(t, in, "%s holds every email", asset)
		}
		absent := 0
		for i := range 500 {
			k, _ := h.EmailKey(fmt.Sprintf("someone.else%d@example.org", i))
			if in, _ := st.MayContain(ctx, k); !in {
				absent++
			}
		}
		assert.Greater(t, absent, 480, "%s rules out others", asset)
		t.Logf("%s: %d keys", asset, st.Meta.Keys)
	}
	for v, asset := range map[string]string{"sess_000123x": "logs/auth.log", "usr_000123q": "logs/app.jsonl"} {
		st, err := idfilter.Load(ctx, g, "lake", asset)
		require.NoError(t, err)
		k, ok := h.TokenKey(v)
		require.True(t, ok)
		in, err := st.MayContain(ctx, k)
		require.NoError(t, err)
		assert.True(t, in, "%s in %s", v, asset)
	}
	st, err := idfilter.Load(ctx, g, "lake", "export.csv")
	require.NoError(t, err)
	k, ok := h.PhoneKey("+44 20 7946 0123")
	require.True(t, ok)
	in, err := st.MayContain(ctx, k)
	require.NoError(t, err)
	assert.True(t, in, "phones of the CSV")

	_, err = idfilter.Load(ctx, g, "lake", "logs/broken.jsonl")
	assert.ErrorIs(t, err, piimap.ErrNotFound, "a unit that failed part-way gets no filter")

	// The log grows; a sampled scan leaves the filters alone.
	f, err := os.OpenFile(filepath.Join(dir, "logs/auth.log"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("2026-01-02T00:00:00Z INFO login ok for late.comer@example.com\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	opt.Full = false
	_, err = scanner.Run(ctx, stores, opt)
	require.NoError(t, err)
	for asset, build := range builds {
		st, err := idfilter.Load(ctx, g, "lake", asset)
		require.NoError(t, err)
		assert.Equal(t, build, st.Meta.Build, "%s: a sampled scan does not replace the filter", asset)
	}

	// A second full scan replaces the grown log's filter.
	opt.Full = true
	res, err = scanner.Run(ctx, stores, opt)
	require.NoError(t, err)
	st, err = idfilter.Load(ctx, g, "lake", "logs/auth.log")
	require.NoError(t, err)
	assert.NotEqual(t, builds["logs/auth.log"], st.Meta.Build)
	assert.Equal(t, res.RunID, st.Meta.RunID)
	k, _ = h.EmailKey("late.comer@example.com")
	in, err = st.MayContain(ctx, k)
	require.NoError(t, err)
	assert.True(t, in)

	require.NoError(t, g.Close())
	for _, name := range []string{"graph", "sampled"} {
		require.NoError(t, filepath.WalkDir(filepath.Join(root, name), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			for _, e := range append(emails, "late.comer@example.com", "idf.broken@example.com") {
				if bytes.Contains(b, []byte(e)) {
					t.Errorf("%s holds a raw email", p)
					return nil
				}
			}
			assert.False(t, bytes.Contains(b, []byte("idf.person")), "%s holds a raw local part", p)
			return nil
		}))
	}
}
