package idfilter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
)

// TestStoreBadger stores filters in a real Badger graph: a one-part filter,
// a split one read part by part, a replacement by a smaller build (whose
// stale parts are blanked), a missing location, and a part of another
// build. Then it greps every file of the directory for the raw emails.
func TestStoreBadger(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	g, err := badgerstore.Open(filepath.Join(dir, "graph"))
	require.NoError(t, err)
	defer g.Close()
	h, err := NewHasher(testKey)
	require.NoError(t, err)

	var emails []string
	var text strings.Builder
	for i := range 5000 {
		e := fmt.Sprintf("canary.person%04d@example.org", i)
		emails = append(emails, e)
		fmt.Fprintf(&text, "2026-01-01 INFO login %s session s%07dx\n", e, i)
	}
	s := h.NewSet()
	s.AddText([]byte(text.String()))
	keys, err := s.Keys()
	require.NoError(t, err)
	m := testMeta()
	m.KeyID = h.KeyID()
	f, err := Build(m, keys)
	require.NoError(t, err)
	require.NoError(t, Put(ctx, g, f))

	st, err := Load(ctx, g, "lake", "logs/app.log")
	require.NoError(t, err)
	assert.Equal(t, f.Meta, st.Meta)
	for _, e := range emails {
		k, _ := h.EmailKey(e)
		ok, err := st.MayContain(ctx, k)
		require.NoError(t, err)
		require.True(t, ok)
	}
	absent := 0
	for i := range 1000 {
		k, _ := h.EmailKey(fmt.Sprintf("someone.else%d@example.org", i))
		if ok, _ := st.MayContain(ctx, k); !ok {
			absent++
		}
	}
	assert.Greater(t, absent, 980)

	_, err = Load(ctx, g, "lake", "logs/other.log")
	assert.ErrorIs(t, err, piimap.ErrNotFound)

	// A split filter, then a one-part replacement.
	maxPartKeys = 2000
	split, err := Build(m, keys)
	maxPartKeys = MaxPartKeys
	require.NoError(t, err)
	require.Greater(t, split.Meta.Parts, 1)
	require.NoError(t, Put(ctx, g, split))
	st, err = Load(ctx, g, "lake", "logs/app.log")
	require.NoError(t, err)
	for _, e := range emails[:100] {
		k, _ := h.EmailKey(e)
		ok, err := st.MayContain(ctx, k)
		require.NoError(t, err)
		require.True(t, ok)
	}
	// A part overwritten by another build is refused, not trusted.
	_, otherParts := func() (*Filter, [][]byte) {
		maxPartKeys = 2000
		defer func() { maxPartKeys = MaxPartKeys }()
		o, err := Build(m, keys)
		require.NoError(t, err)
		_, p := o.Encode()
		return o, p
	}()
	require.NoError(t, g.PutDoc(ctx, PartKind, partID(ID("lake", "logs/app.log"), 0), otherParts[0]))
	st, err = Load(ctx, g, "lake", "logs/app.log")
	require.NoError(t, err)
	var partErr error
	for _, e := range emails {
		k, _ := h.EmailKey(e)
		if _, err := st.MayContain(ctx, k); err != nil {
			partErr = err
			break
		}
	}
	assert.ErrorIs(t, partErr, piimap.ErrCorrupt)

	require.NoError(t, Put(ctx, g, f))
	for i := range split.Meta.Parts {
		b, err := g.GetDoc(ctx, PartKind, partID(ID("lake", "logs/app.log"), i))
		require.NoError(t, err)
		assert.Empty(t, b, "stale part %d blanked", i)
	}
	st, err = Load(ctx, g, "lake", "logs/app.log")
	require.NoError(t, err)
	assert.Equal(t, 1, st.Meta.Parts)

	// A corrupt head is an error, not a filter.
	head, _ := f.Encode()
	head[len(head)/2] ^= 0xff
	require.NoError(t, g.PutDoc(ctx, DocKind, ID("lake", "broken.log"), head))
	_, err = Load(ctx, g, "lake", "broken.log")
	assert.ErrorIs(t, err, piimap.ErrCorrupt)

	require.NoError(t, g.Close())
	grepNoRaw(t, dir, emails)
}

// grepNoRaw fails if any file under dir holds one of the raw values (or a
// local part of at least 12 bytes).
func grepNoRaw(t *testing.T, dir string, raws []string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, r := range raws {
			local, _, _ := strings.Cut(r, "@")
			if bytes.Contains(b, []byte(r)) || bytes.Contains(b, []byte(local)) {
				t.Errorf("%s holds a raw identifier", p)
				return nil
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Positive(t, files)
}

func TestEncodedHoldsNoRawValue(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(9, 9))
	s := h.NewSet()
	var raws []string
	for i := range 2000 {
		e := fmt.Sprintf("raw.canary.%d.%d@example.com", i, r.IntN(1e6))
		raws = append(raws, e)
		s.AddValues("email", []string{e, "+44 20 7946 " + fmt.Sprintf("%04d", i)})
	}
	keys, err := s.Keys()
	require.NoError(t, err)
	f, err := Build(testMeta(), keys)
	require.NoError(t, err)
	head, _ := f.Encode()
	for _, e := range raws {
		require.False(t, bytes.Contains(head, []byte(e)))
	}
	require.False(t, bytes.Contains(head, []byte("raw.canary")))
	require.False(t, bytes.Contains(head, []byte("7946")))
}

// copyingDocs hides the Badger store's DocViewer, so View falls back to
// Load.
type copyingDocs struct{ lineage.DocStore }

// TestView reads filters in place from Badger (DocViewer) and through the
// copying fallback: the same answers, the same errors, fn's error as is.
func TestView(t *testing.T) {
	ctx := context.Background()
	g, err := badgerstore.Open(filepath.Join(t.TempDir(), "graph"))
	require.NoError(t, err)
	defer g.Close()
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	s := h.NewSet()
	s.AddText([]byte("login ann.lee@example.org ok\nlogin bob.ray@example.org ok\n"))
	keys, err := s.Keys()
	require.NoError(t, err)
	m := testMeta()
	m.KeyID = h.KeyID()
	f, err := Build(m, keys)
	require.NoError(t, err)
	require.NoError(t, Put(ctx, g, f))
	head, _ := f.Encode()
	head[len(head)/2] ^= 0xff
	require.NoError(t, g.PutDoc(ctx, DocKind, ID("lake", "broken.log"), head))

	in, _ := h.EmailKey("ann.lee@example.org")
	out, _ := h.EmailKey("zed.nobody@example.org")
	errFn := errors.New("fn failed")
	for name, docs := range map[string]lineage.DocStore{"in place": g, "copying": copyingDocs{g}} {
		t.Run(name, func(t *testing.T) {
			var got []bool
			err := View(ctx, docs, "lake", "logs/app.log", func(st *Stored) error {
				assert.Equal(t, f.Meta, st.Meta)
				for _, k := range []uint64{in, out} {
					ok, err := st.MayContain(ctx, k)
					require.NoError(t, err)
					got = append(got, ok)
				}
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, []bool{true, false}, got)
			assert.ErrorIs(t, View(ctx, docs, "lake", "missing.log", func(*Stored) error { return nil }), piimap.ErrNotFound)
			assert.ErrorIs(t, View(ctx, docs, "lake", "broken.log", func(*Stored) error { return nil }), piimap.ErrCorrupt)
			assert.Equal(t, errFn, View(ctx, docs, "lake", "logs/app.log", func(*Stored) error { return errFn }))
		})
	}
}
