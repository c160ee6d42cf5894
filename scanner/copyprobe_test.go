package scanner_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
)

// TestSampledScanProbes: a sampled scan finds a small plain copy and a
// sha256 copy of a large column, reads only the original in full (the
// copies are explained by it), and a repeat scan of the unchanged stores
// reads nothing again and finds the same copies; a change to the original
// makes the next scan read it again, as does CopyRefresh < 0; NoCopies
// fingerprints nothing.
func TestSampledScanProbes(t *testing.T) {
	ctx := context.Background()
	users := make([]string, 20000)
	for i := range users {
		users[i] = email(7, i)
	}
	export := make([]string, 0, 400)
	hashed := make([]string, 0, 300)
	for i := 0; i < 400; i++ {
		export = append(export, users[i*37])
	}
	for i := 0; i < 300; i++ {
		s := sha256.Sum256([]byte(strings.ToLower(users[i*53])))
		hashed = append(hashed, hex.EncodeToString(s[:]))
	}
	crm := &fakeStore{tables: map[string]map[string][]string{"users": {"email": users}}}
	lake := &fakeStore{tables: map[string]map[string][]string{"export": {"email": export}, "audience": {"h": hashed}}}
	cfgs := []scanner.StoreConfig{
		{Name: "crm", URL: addFake("probe-crm", crm), Sample: scanner.SampleConfig{Rows: 200}},
		{Name: "lake", URL: addFake("probe-lake", lake), Sample: scanner.SampleConfig{Rows: 200}},
	}
	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	key := []byte("probe test key, thirty-two bytes")
	fullReads := func(st *fakeStore) int {
		st.mu.Lock()
		defer st.mu.Unlock()
		n := 0
		for _, s := range st.samples {
			if strings.Contains(s, " rows=0 ") {
				n++
			}
		}
		st.samples = nil
		return n
	}
	scan := func(opt scanner.Options) []string {
		opt.Graph, opt.Classifier, opt.Merge, opt.FingerprintKey, opt.Concurrency = g, eng, classifiers.Merge, key, 1
		res, err := scanner.Run(ctx, cfgs, opt)
		require.NoError(t, err)
		require.Empty(t, res.Errors)
		var got []string
		require.NoError(t, g.AllEdges(ctx, res.RunID, []string{lineage.EdgeCopyOf}, func(e lineage.Edge) error {
			got = append(got, e.From.Name+"."+e.From.Field+" -> "+e.To.Name+"."+e.To.Field+" "+e.Transform)
			return nil
		}))
		return got
	}
	want := []string{"audience.h -> users.email masked", "export.email -> users.email identity"}

	assert.ElementsMatch(t, want, scan(scanner.Options{}), "a 2% copy and a 1.5% sha256 copy of a sampled column")
	assert.Equal(t, 1, fullReads(crm), "the original is read in full once")
	assert.Equal(t, 0, fullReads(lake), "the copies are explained by it and not read")

	assert.ElementsMatch(t, want, scan(scanner.Options{}), "a repeat scan finds the same copies")
	assert.Equal(t, 0, fullReads(crm)+fullReads(lake), "nothing is read in full again while the samples are unchanged")

	assert.ElementsMatch(t, want, scan(scanner.Options{CopyRefresh: -1}), "refresh off")
	assert.Equal(t, 1, fullReads(crm), "CopyRefresh < 0 reads the original again")

	crm.tables["users"]["email"] = append(users, email(8, 1), email(8, 2)) // the sample stays the same
	assert.ElementsMatch(t, want, scan(scanner.Options{}))
	assert.Equal(t, 0, fullReads(crm), "two rows appended past the sample, and the stamp says nothing changed")
	crm.version++
	assert.ElementsMatch(t, want, scan(scanner.Options{}))
	assert.Equal(t, 1, fullReads(crm), "a changed stamp: the original is read again")

	assert.Empty(t, scan(scanner.Options{NoCopies: true}), "no copy detection")
	assert.Equal(t, 0, fullReads(crm)+fullReads(lake))
}
