package idfilter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
)

// The filters must over-approximate classifiers/identifier's match rules:
// whenever TextSpans or MatchCell would match a value in a unit, the
// value's lookup key must be among the unit's keys.

// TestExtractPhoneForms: phones written in the usual ways are found by the
// key of the form their run reduces to, and by no form of another number.
func TestExtractPhoneForms(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	for _, tc := range []struct {
		text, value, region string
		form                string // the form the written run reduces to
	}{
		{"call (213) 662-5868 today", "+12136625868", "US", "2136625868"},
		{"call 213.662.5868.", "+12136625868", "US", "2136625868"},
		{"fax 213/662/5868", "+12136625868", "US", "2136625868"},
		{"sms to +1 (213) 662-5868; ok", "+12136625868", "US", "12136625868"},
		{"office +44 20 7946 0999", "+442079460999", "US", "442079460999"},
		{"office 011 44 20 7946 0999", "+442079460999", "US", "011442079460999"},
		{"office 020 7946 0999", "+442079460999", "GB", "02079460999"},
		{"Tel. 030/1234-5678", "+493012345678", "DE", "03012345678"},
		{"tel 06.1234.5678", "+390612345678", "IT", "0612345678"},
		{"hp 011 62 812-3456-7890", "+6281234567890", "US", "0116281234567890"}, // 16 digits
		{"hp 0812-3456-7890", "+6281234567890", "ID", "081234567890"},
		{"office +44 (0)20 7946 0999", "+442079460999", "US", "442079460999"}, // the bracketed trunk 0 left out
		{"office +44(0) 20 7946 0999 12 times", "+442079460999", "US", "442079460999"},
	} {
		require.True(t, len(identifier.TextSpans(identifier.Phone, tc.text, []string{tc.value}, tc.region)) > 0, "the rules match case %q", tc.form)
		s := h.NewSet()
		s.AddText([]byte(tc.text))
		keys := keySet(t, s)
		k, ok := h.PhoneFormKey(tc.form)
		require.True(t, ok)
		assert.True(t, keys[k], "form %s of the run must be in the set", tc.form)
		assert.True(t, anyForm(h, keys, tc.value, tc.region), "some form of the value must be in the set")
		assert.False(t, anyForm(h, keys, "+14155550100", tc.region), "no form of another number")
	}
}

// anyForm reports whether keys hold the key of some PhoneForms form of
// the phone value v in region: what a lookup must find.
func anyForm(h *Hasher, keys map[uint64]bool, v, region string) bool {
	for _, f := range identifier.PhoneForms(v, region) {
		if k, ok := h.PhoneFormKey(f); ok && keys[k] {
			return true
		}
	}
	return false
}

var (
	soundEmails  = []string{"ann@example.com", "a.b+c@x-y.example.org", "ann.lee@mail.example.co.uk"}
	soundPhones  = []string{"+12136625868", "+442079460999", "+390612345678", "+493012345678", "+14155550100"}
	soundKeys    = []string{"usr_7f3a9c21", "1234567890", "a1b2c3", "u-0001x9", "ORD-00A12345"}
	soundRegions = []string{"US", "GB", "IT", "DE", "CA"}
	soundPieces  = func() []string {
		var p []string
		for _, v := range soundPhones {
			for _, r := range soundRegions {
				p = append(p, identifier.PhoneForms(v, r)...)
			}
		}
		// the trunk 0 in brackets after the country code ("+44 (0)20…"),
		// which the rules leave out
		p = append(p, "+44 (0)20 7946 0999", "+44(0)2079460999", "+49 (0) 30 12345678", "+39(0)06 1234 5678")
		p = append(p, soundEmails...)
		p = append(p, soundKeys...)
		return append(p, " ", "-", ".", "(", ")", "/", "+", "x", "_", "@", "é", ",", "\n", "  ", "0", "1", "12", "ANN@EXAMPLE.COM", "jo", "...")
	}()
)

// checkSound fails when a value the rules match in text (as a text chunk,
// and as a cell) has no key in the set extraction builds.
func checkSound(t testing.TB, h *Hasher, text, region string) (matched int) {
	t.Helper()
	s := h.NewSet()
	s.AddText([]byte(text))
	s.AddValues("f", []string{text})
	keys := keySet(t, s)
	for _, v := range soundEmails {
		if len(identifier.TextSpans(identifier.Email, text, []string{v}, region)) == 0 && !identifier.MatchCell(identifier.Email, text, []string{v}, region) {
			continue
		}
		matched++
		if k, ok := h.EmailKey(v); ok && !keys[k] {
			t.Fatalf("email %d matched but its key is missing", len(v))
		}
	}
	for _, v := range soundPhones {
		if len(identifier.TextSpans(identifier.Phone, text, []string{v}, region)) == 0 && !identifier.MatchCell(identifier.Phone, text, []string{v}, region) {
			continue
		}
		matched++
		if !anyForm(h, keys, v, region) {
			t.Fatalf("phone matched in region %s but no form's key is present", region)
		}
	}
	for _, v := range soundKeys {
		inText := len(identifier.TextSpans(identifier.UserID, text, []string{v}, region)) > 0
		inCell := identifier.MatchCell(identifier.UserID, text, []string{v}, region)
		if inText || inCell {
			matched++
		}
		if k, ok := h.TokenKey(v); ok && (inText || inCell) && !keys[k] {
			t.Fatalf("key matched but its token key is missing")
		}
		if inCell {
			for _, fn := range []lookup{cellAt, digits} {
				if k, ok := fn(h, v); ok && !keys[k] {
					t.Fatalf("key matched a cell but its cell key is missing")
				}
			}
		}
	}
	return matched
}

// TestSoundness assembles texts from the pieces that decide a match and
// checks every match has its key.
func TestSoundness(t *testing.T) {
	h, err := NewHasher(testKey)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(3, 4))
	matched := 0
	for range 20000 {
		var sb strings.Builder
		for range 1 + r.IntN(6) {
			p := soundPieces[r.IntN(len(soundPieces))]
			if len(p) > 3 && r.IntN(3) == 0 {
				k := 1 + r.IntN(len(p)-1)
				p = p[:k] + []string{" ", "-", "  ", "(", ") ", ".", "/", "x", "+", "1", "---"}[r.IntN(11)] + p[k:]
			}
			sb.WriteString(p)
		}
		matched += checkSound(t, h, sb.String(), soundRegions[r.IntN(len(soundRegions))])
	}
	assert.Greater(t, matched, 3000, "the texts must hold matches to test anything")
	t.Logf("%d matches checked", matched)
}

func FuzzSoundness(f *testing.F) {
	for _, s := range []string{"(213) 662-5868", "213.662.5868", "+44 20 7946 0999", "011 44 20 7946 0999", "020/7946/0999",
		"Ann@Example.com.", "id usr_7f3a9c21 ORD-00A12345", "06 1234 5678", "+1 415-555-0100 1234567890", "+44 (0)20 7946 0999 12"} {
		f.Add(s, uint8(0))
	}
	h, err := NewHasher(testKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, sel uint8) {
		if len(text) > 400 {
			return
		}
		checkSound(t, h, text, soundRegions[int(sel)%len(soundRegions)])
	})
}

// mapDocs is an in-memory DocStore.
type mapDocs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (d *mapDocs) PutDoc(_ context.Context, kind, id string, b []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string][]byte{}
	}
	d.m[kind+"\x00"+id] = bytes.Clone(b)
	return nil
}

func (d *mapDocs) GetDoc(_ context.Context, kind, id string) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.m[kind+"\x00"+id]
	if !ok {
		return nil, fmt.Errorf("%s %s: %w", kind, id, piimap.ErrNotFound)
	}
	return bytes.Clone(b), nil
}

func (d *mapDocs) ListDocs(_ context.Context, kind string, fn func(string, []byte) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, b := range d.m {
		if kk, id, _ := strings.Cut(k, "\x00"); kk == kind {
			if err := fn(id, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// asVersion re-seals a document as format version v.
func asVersion(b []byte, v byte) []byte {
	b = bytes.Clone(b[:len(b)-4])
	b[len(magic)] = v
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// TestOutdatedFormat: a filter of the previous format version (built by
// the previous phone extraction) is never trusted: it reads as no filter
// (ErrOutdated, wrapping ErrNotFound, not ErrCorrupt), and replacing it
// still blanks its stale parts.
func TestOutdatedFormat(t *testing.T) {
	ctx := context.Background()
	maxPartKeys = 40
	defer func() { maxPartKeys = MaxPartKeys }()
	old, err := Build(testMeta(), randomKeys(rand.New(rand.NewPCG(9, 9)), 100))
	require.NoError(t, err)
	require.Equal(t, 3, old.Meta.Parts)
	head, parts := old.Encode()

	_, err = Decode(asVersion(head, formatVersion-1), nil)
	assert.ErrorIs(t, err, ErrOutdated)
	assert.ErrorIs(t, err, piimap.ErrNotFound)
	assert.False(t, errors.Is(err, piimap.ErrCorrupt))
	_, err = DecodeMeta(asVersion(head, formatVersion+1))
	assert.ErrorIs(t, err, piimap.ErrCorrupt, "a future version is not readable")
	_, err = DecodeMeta(asVersion(head, 0))
	assert.ErrorIs(t, err, piimap.ErrCorrupt)

	docs := &mapDocs{}
	id := ID("lake", "logs/app.log")
	require.NoError(t, docs.PutDoc(ctx, DocKind, id, asVersion(head, formatVersion-1)))
	for i, p := range parts {
		require.NoError(t, docs.PutDoc(ctx, PartKind, partID(id, i), asVersion(p, formatVersion-1)))
	}
	_, err = Load(ctx, docs, "lake", "logs/app.log")
	assert.ErrorIs(t, err, piimap.ErrNotFound)
	err = View(ctx, docs, "lake", "logs/app.log", func(*Stored) error { return nil })
	assert.ErrorIs(t, err, piimap.ErrNotFound)

	small, err := Build(testMeta(), randomKeys(rand.New(rand.NewPCG(9, 10)), 10))
	require.NoError(t, err)
	require.NoError(t, Put(ctx, docs, small))
	for i := range parts {
		b, err := docs.GetDoc(ctx, PartKind, partID(id, i))
		require.NoError(t, err)
		assert.Empty(t, b, "stale part %d blanked", i)
	}
	st, err := Load(ctx, docs, "lake", "logs/app.log")
	require.NoError(t, err)
	assert.Equal(t, small.Meta, st.Meta)
}
